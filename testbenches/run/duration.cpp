// SPDX-License-Identifier: Apache-2.0
// One rule for the length of a run (D07): `vgic-sim run --duration` (vgic::tlm::
// parse_duration_ps) accepts exactly what a scenario's `duration` key accepts, with the same
// value, and both refuse anything longer than one hour (kMaxDurationPs) instead of shortening
// it. Compared here input by input against the scenario loader itself.
#include "run/scenario.hpp"
#include "vgic/tlm/duration.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>

using namespace vgic;

namespace {

/// The scenario loader's reading of `duration: "<text>"` (a double-quoted YAML string, so
/// YAML itself changes nothing), or nothing if it refuses it.
std::optional<std::uint64_t> scenario_duration(const std::string& text) {
    std::string yaml_text;
    for (const char c : text) {
        if (c == '"' || c == '\\') yaml_text += '\\';
        yaml_text += c;
    }
    const std::string doc = "name: t\nduration: \"" + yaml_text + "\"\npcpus: 2\nvms:\n  - name: vm0\n    gic: v2\n    vcpus: 2\n";
    try {
        return run::parse_scenario(doc, "t.yaml", ".").duration_ps;
    } catch (const run::ScenarioError&) {
        return std::nullopt;
    }
}

/// "refused" or the value in ps, for comparing and printing.
std::string shown(const std::optional<std::uint64_t>& ps) { return ps ? std::to_string(*ps) + " ps" : "refused"; }

std::optional<std::uint64_t> flag_duration(const std::string& text) {
    try {
        return tlm::parse_duration_ps(text);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
}

std::string flag_error(const std::string& text) {
    try {
        tlm::parse_duration_ps(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

} // namespace

BOOST_AUTO_TEST_SUITE(duration)

BOOST_AUTO_TEST_CASE(the_flag_accepts_exactly_what_the_scenario_key_accepts) {
    const char* inputs[] = {
        // accepted
        "100ms", "100 ms", "1 s", "1s", "2.5 us", "2.5us", "833 ps", "1 ps", "0.001 ns", "3600 s", "3600000 ms",
        "3599.999999999999 s", "1.0 s", "01 s", " 1 s ", "\xC2\xB5s", "5 \xC2\xB5s", "5 \xCE\xBCs",
        // refused: beyond the limit, zero, cycles, malformed
        "3600.000000000001 s", "3601 s", "100000s", "18446744073709551615ps", "18446744073709551616ps",
        "99999999999999999999999 s", "0ms", "0", "0 s", "0.0 us", "5cycles", "5 cycles", "1 cycle", "0 cycles",
        "5e3cycles", "1e3 ms", "1e3", "", " ", "ms", "s", "5", "-5 ms", "+5 ms", "- 5 ms", "5 parsecs", "5 MS", "5 Ms",
        "1.5.2 ms", "1,5 ms", "0.0001 ps", "1.0005ns", "5 ms extra", "0x10 ps", "inf s", "nan s", "5\tms", "5 ms\n",
    };
    for (const char* input : inputs) {
        BOOST_TEST_INFO("input \"" << input << "\": flag says " << flag_error(input));
        BOOST_TEST(shown(flag_duration(input)) == shown(scenario_duration(input)));
    }
}

BOOST_AUTO_TEST_CASE(the_limit_is_one_hour_exactly) {
    BOOST_TEST(tlm::kMaxDurationPs == 3'600'000'000'000'000ull);
    BOOST_TEST(tlm::parse_duration_ps("3600 s") == tlm::kMaxDurationPs);
    BOOST_TEST(tlm::parse_duration_ps("3599999999999999 ps") == tlm::kMaxDurationPs - 1);
    BOOST_TEST(flag_error("3600000000000001 ps") == "\"3600000000000001 ps\" is longer than the limit of 1 hour (3600 s)");
    BOOST_TEST(flag_error("18446744073709551615ps") ==
               "\"18446744073709551615ps\" is longer than the limit of 1 hour (3600 s)");
    BOOST_TEST(flag_error("5cycles") == "\"5cycles\": cycles are not accepted (no single clock applies); expected a time "
                                        "with unit ps, ns, us, ms or s, e.g. \"100 ms\"");
    BOOST_TEST(flag_error("0ms") == "\"0ms\" is zero; expected a time > 0");
}

BOOST_AUTO_TEST_SUITE_END()
