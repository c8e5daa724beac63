// SPDX-License-Identifier: Apache-2.0
// Seeded variation (docs/TIMING.md "Spread"): the random source against known answers, the
// shapes' statistics against their definitions, the file form of a parameter with a spread
// and its errors, ParameterDraw, and the presets' spreads.
#include <vgic/tlm/spread.hpp>
#include <vgic/tlm/timing_profile.hpp>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

using namespace vgic::tlm;

namespace {

constexpr std::uint64_t ns(std::uint64_t v) { return v * 1'000; }

struct Moments {
    double mean = 0, sd = 0;
    std::uint64_t min = ~std::uint64_t{0}, max = 0;
};

Moments moments_of(const Spread& s, std::uint64_t seed, int n) {
    SpreadRandom random(seed);
    double sum = 0, squares = 0;
    Moments m;
    for (int i = 0; i < n; ++i) {
        const std::uint64_t x = draw(s, random);
        sum += static_cast<double>(x);
        squares += static_cast<double>(x) * static_cast<double>(x);
        m.min = std::min(m.min, x);
        m.max = std::max(m.max, x);
    }
    m.mean = sum / n;
    m.sd = std::sqrt(squares / n - m.mean * m.mean);
    return m;
}

/// Loads a YAML hardware profile and returns the message of the TimingProfileError it throws.
std::string yaml_error(const std::string& text) {
    try {
        parse_timing_profile(text, TimingFileFormat::Yaml, "p.yaml");
    } catch (const TimingProfileError& e) {
        return e.what();
    }
    BOOST_ERROR("expected a TimingProfileError for:\n" << text);
    return "";
}

void contains(const std::string& text, std::initializer_list<const char*> fragments) {
    for (const char* f : fragments) BOOST_TEST(text.find(f) != std::string::npos, "\"" << text << "\" contains \"" << f << "\"");
}

} // namespace

BOOST_AUTO_TEST_SUITE(spread)

// ---- the random source ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(random_source_known_answers) {
    // splitmix64 from state 0 yields 0xE220A8397B1DCDAF first (Vigna's reference); the state
    // is four such words, and xoshiro256**'s first outputs from it are fixed forever: a change
    // here changes every seeded run of every user.
    SpreadRandom r(0);
    BOOST_TEST(r.next() == 0x99EC5F36CB75F2B4ull);
    BOOST_TEST(r.next() == 0xBF6E1F784956452Aull);
    BOOST_TEST(r.next() == 0x1A5F849D4933E6E0ull);
}

BOOST_AUTO_TEST_CASE(streams_are_reproducible_and_independent) {
    SpreadRandom a(42), b(42), c(43);
    bool differs = false;
    for (int i = 0; i < 100; ++i) {
        const std::uint64_t x = a.next();
        BOOST_TEST(x == b.next());
        differs = differs || x != c.next();
    }
    BOOST_TEST(differs, "seeds 42 and 43 give different sequences");
    std::set<std::uint64_t> seeds;
    for (std::uint64_t seed : {0, 1, 2})
        for (std::uint64_t stream : {0, 1, 2, 0x100, 0x200}) seeds.insert(derive_seed(seed, stream));
    BOOST_TEST(seeds.size() == 15u, "every (seed, stream) pair has its own seed");
    BOOST_TEST(derive_seed(7, 1) == derive_seed(7, 1));
}

BOOST_AUTO_TEST_CASE(between_covers_its_range_exactly) {
    SpreadRandom r(3);
    std::set<std::uint64_t> seen;
    for (int i = 0; i < 2000; ++i) {
        const std::uint64_t x = r.between(10, 13);
        BOOST_TEST_REQUIRE((x >= 10 && x <= 13));
        seen.insert(x);
    }
    BOOST_TEST(seen.size() == 4u, "all of 10, 11, 12, 13 drawn");
    BOOST_TEST(r.between(5, 5) == 5u);
    for (int i = 0; i < 100; ++i) BOOST_TEST(r.unit() < 1.0);
}

// ---- the shapes -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(uniform_draws) {
    const Spread s = Spread::uniform(ns(25), ns(50));
    const Moments m = moments_of(s, 1, 20000);
    BOOST_TEST(m.min >= ns(25));
    BOOST_TEST(m.max <= ns(50));
    // Mean (25 + 50) / 2 = 37.5 ns; sd of a uniform = width / sqrt(12) = 7.217 ns. With 20000
    // draws the sample mean's own sd is 51 ps: 300 ps is six of them.
    BOOST_TEST(std::fabs(m.mean - 37'500.0) < 300.0, m.mean);
    BOOST_TEST(std::fabs(m.sd - 25'000.0 / std::sqrt(12.0)) < 150.0, m.sd);
    BOOST_TEST(spread_mean(s) == 37'500.0);
    BOOST_TEST(m.min < ns(26));
    BOOST_TEST(m.max > ns(49), "both ends are reached");
}

BOOST_AUTO_TEST_CASE(normal_draws) {
    // Bounds 10 sd away: the truncation is invisible, the sum of twelve uniforms has variance 1.
    const Spread s = Spread::normal(ns(1000), ns(10), ns(900), ns(1100));
    const Moments m = moments_of(s, 2, 20000);
    BOOST_TEST(m.min >= ns(900));
    BOOST_TEST(m.max <= ns(1100));
    BOOST_TEST(std::fabs(m.mean - 1'000'000.0) < 300.0, m.mean);  // the mean's sd: 71 ps
    BOOST_TEST(std::fabs(m.sd - 10'000.0) < 300.0, m.sd);
    BOOST_TEST(std::fabs(spread_mean(s) - 1'000'000.0) < 1.0);
}

BOOST_AUTO_TEST_CASE(truncated_normal_mean) {
    // bao's exit: a ceiling 0.4 sd above the centre pulls the draws' mean down, to
    // 470 - 25 x phi(0.4) / Phi(0.4) (with the lower bound 3.6 sd away: negligible) = 455.96 ns.
    const Spread s = Spread::normal(ns(470), ns(25), ns(380), ns(480));
    const double expected = 470'000.0 - 25'000.0 * (std::exp(-0.08) / std::sqrt(2 * M_PI)) / 0.65542;
    BOOST_TEST(std::fabs(spread_mean(s) - expected) < 150.0, spread_mean(s) << " vs " << expected);
    const Moments m = moments_of(s, 3, 40000);
    BOOST_TEST(m.max <= ns(480));
    BOOST_TEST(m.min >= ns(380));
    BOOST_TEST(std::fabs(m.mean - spread_mean(s)) < 400.0, m.mean << " vs " << spread_mean(s));
}

BOOST_AUTO_TEST_CASE(degenerate_spread_is_its_value) {
    SpreadRandom r(1);
    BOOST_TEST(draw(Spread::uniform(ns(7), ns(7)), r) == ns(7));
    BOOST_TEST(draw(Spread::normal(ns(7), ns(1), ns(7), ns(7)), r) == ns(7));
}

BOOST_AUTO_TEST_CASE(check_spread_refuses_what_cannot_describe_a_value) {
    auto refused = [](const Spread& s, std::uint64_t value, const char* fragment) {
        try {
            check_spread(s, value);
            BOOST_ERROR("accepted " << describe_spread(s) << " for " << value);
        } catch (const std::invalid_argument& e) {
            contains(e.what(), {fragment});
        }
    };
    refused(Spread::uniform(ns(50), ns(25)), ns(30), "min 50 ns is above max 25 ns");
    refused(Spread::uniform(ns(25), ns(50)), ns(60), "the value 60 ns is outside min..max (25 ns..50 ns)");
    refused(Spread::normal(ns(30), 0, ns(25), ns(50)), ns(30), "sd above 0");
    refused(Spread::normal(ns(70), ns(5), ns(25), ns(50)), ns(30), "mean 70 ns is outside min..max");
    Spread u = Spread::uniform(ns(25), ns(50));
    u.sd = ns(1);
    refused(u, ns(30), "a uniform spread has no mean or sd");
    BOOST_CHECK_NO_THROW(check_spread(Spread::normal(ns(470), ns(25), ns(380), ns(480)), ns(460)));
}

// ---- the file form ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(parameter_with_a_spread_in_yaml_and_json) {
    const TimingProfile y = parse_timing_profile(
        "base: a53-gic400\nirq_entry: { value: 30 ns, spread: uniform, min: 20 ns, max: 60 ns }\n"
        "gicc_access:\n  value: 150 ns\n  spread: normal\n  sd: 5 ns\n  min: 130 ns\n  max: 190 ns\n",
        TimingFileFormat::Yaml, "y.yaml");
    BOOST_TEST(y.irq_entry == ns(30));
    BOOST_TEST_REQUIRE(y.spread_of("irq_entry") != nullptr);
    BOOST_TEST((*y.spread_of("irq_entry") == Spread::uniform(ns(20), ns(60))));
    BOOST_TEST(y.gicc_access == ns(150));
    BOOST_TEST_REQUIRE(y.spread_of("gicc_access") != nullptr);
    BOOST_TEST((*y.spread_of("gicc_access") == Spread::normal(ns(150), ns(5), ns(130), ns(190))), "mean defaults to the value");
    contains(describe(y), {"[spread: uniform 20 ns..60 ns]", "[spread: normal mean 150 ns sd 5 ns in 130 ns..190 ns]"});

    const HypervisorProfile j = parse_hypervisor_profile(
        R"({"base": "bao", "exit": {"value": "500 ns", "spread": "normal", "mean": "510 ns", "sd": "10 ns",
            "min": "450 ns", "max": "520 ns"}, "entry": {"value": "96 cycles", "spread": "uniform",
            "min": "60 cycles", "max": "120 cycles"}})",
        TimingFileFormat::Json, "j.json");
    BOOST_TEST(j.exit == ns(500));
    BOOST_TEST((*j.spread_of("exit") == Spread::normal(ns(510), ns(10), ns(450), ns(520))));
    BOOST_TEST((*j.spread_of("entry") == Spread::uniform(ns(50), ns(100))), "cycles of bao's 1.2 GHz clock");
    BOOST_TEST(j.entry == ns(80));
}

BOOST_AUTO_TEST_CASE(plain_value_over_a_base_is_exact) {
    const TimingProfile p =
        parse_timing_profile("base: a53-gic400\nirq_entry: 40 ns\ngicd_access: 200 ns\n", TimingFileFormat::Yaml, "p.yaml");
    BOOST_TEST(p.spread_of("irq_entry") == nullptr, "a plain value replaces the base's spread");
    BOOST_TEST(p.spread_of("gicd_write") == nullptr, "the store copied from the read is exact too");
    BOOST_TEST(p.spread_of("gicc_access") != nullptr, "the other spreads of the base stay");
    TimingProfile q = timing_preset("a53-gic400");
    set_timing_parameter(q, "signal_delay", "100 ns");
    BOOST_TEST(q.spread_of("signal_delay") == nullptr, "an override is exact");
}

BOOST_AUTO_TEST_CASE(errors_name_the_key_the_field_and_the_place) {
    contains(yaml_error("irq_entry: { value: 30 ns, min: 20 ns, max: 60 ns }\n"),
             {"p.yaml:1:1: key 'irq_entry': field 'spread': expected uniform or normal, missing"});
    contains(yaml_error("irq_entry: { value: 30 ns, spread: gaussian, min: 20 ns, max: 60 ns }\n"),
             {"key 'irq_entry': field 'spread': expected uniform or normal, got \"gaussian\""});
    contains(yaml_error("irq_entry:\n  value: 30 ns\n  spread: uniform\n  sigma: 2 ns\n"),
             {"p.yaml:4:3: key 'irq_entry': unknown field 'sigma'", "value, spread, min, max, mean, sd"});
    contains(yaml_error("irq_entry: { spread: uniform, min: 20 ns, max: 60 ns }\n"), {"missing field 'value'"});
    contains(yaml_error("irq_entry: { value: 30 ns, spread: normal, min: 20 ns, max: 60 ns }\n"), {"missing field 'sd'"});
    contains(yaml_error("irq_entry: { value: 30 ns, spread: uniform, min: 20, max: 60 ns }\n"),
             {"key 'irq_entry': field 'min': missing unit in \"20\""});
    try {
        parse_timing_profile(R"({"irq_entry": {"value": "30 ns", "spread": "uniform", "min": 20, "max": "60 ns"}})",
                             TimingFileFormat::Json, "p.json");
        BOOST_ERROR("a bare number accepted as a time");
    } catch (const TimingProfileError& e) {
        contains(e.what(), {"p.json:1:2: key 'irq_entry': field 'min': expected", "got the bare number 20"});
    }
    contains(yaml_error("irq_entry: { value: 30 ns, spread: uniform, min: 20 nsec, max: 60 ns }\n"),
             {"field 'min': unknown unit 'nsec'"});
    contains(yaml_error("irq_entry: { value: 70 ns, spread: uniform, min: 20 ns, max: 60 ns }\n"),
             {"key 'irq_entry': the value 70 ns is outside min..max (20 ns..60 ns)"});
    contains(yaml_error("irq_entry: { value: 30 ns, spread: uniform, sd: 1 ns, min: 20 ns, max: 60 ns }\n"),
             {"a uniform spread has only min and max"});
    contains(yaml_error("irq_entry: { value: 30 ns, spread: uniform, min: { a: 1 }, max: 60 ns }\n"),
             {"field 'min': expected", "a mapping"});
    contains(yaml_error("clock: { value: 1 GHz, spread: uniform, min: 1 GHz, max: 2 GHz }\n"),
             {"key 'clock'", "only times have a spread"});
    contains(yaml_error("irq_entry: { value: 30 ns, value: 31 ns, spread: uniform, min: 20 ns, max: 60 ns }\n"),
             {"key 'irq_entry'"});
}

// ---- drawing a profile ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(parameter_draw_exact_without_a_seed) {
    const TimingProfile t = timing_preset("a53-gic400");
    ParameterDraw<TimingProfile> exact(t, std::nullopt);
    BOOST_TEST(!exact.varies());
    for (int i = 0; i < 50; ++i) {
        BOOST_TEST(exact(&TimingProfile::irq_entry) == ns(30));
        BOOST_TEST(exact(&TimingProfile::gicc_access) == ns(140));
    }
    BOOST_TEST(exact.sum(&TimingProfile::gicc_write, 3) == ns(210));
}

BOOST_AUTO_TEST_CASE(parameter_draw_with_a_seed) {
    const TimingProfile t = timing_preset("a53-gic400");
    ParameterDraw<TimingProfile> a(t, 11), b(t, 11), c(t, 12);
    BOOST_TEST(a.varies());
    std::set<std::uint64_t> entries;
    bool differs = false;
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t x = a(&TimingProfile::irq_entry);
        BOOST_TEST_REQUIRE((x >= ns(25) && x <= ns(50)));
        entries.insert(x);
        BOOST_TEST(x == b(&TimingProfile::irq_entry), "the same seed draws the same values");
        differs = differs || x != c(&TimingProfile::irq_entry);
        BOOST_TEST(a(&TimingProfile::sysreg_access) == ns(20), "no spread: exact");
        b(&TimingProfile::sysreg_access);
    }
    BOOST_TEST(entries.size() > 100u, "the draws vary");
    BOOST_TEST(differs);
    const std::uint64_t sum = a.sum(&TimingProfile::gicc_write, 4);
    BOOST_TEST((sum >= ns(240) && sum <= ns(320)), "four draws of 60..80 ns");
    const HypervisorProfile kvm = hypervisor_preset("kvm");
    BOOST_TEST(!ParameterDraw<HypervisorProfile>(kvm, 1).varies(), "kvm has no measured spread");
}

// ---- the presets -------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(preset_spreads_are_valid_and_documented) {
    for (const auto& name : timing_preset_names()) {
        const TimingProfile p = timing_preset(name);
        for (const auto& [key, s] : p.spread) {
            const TimingParameter* param = find_timing_parameter(key);
            BOOST_TEST_REQUIRE(param != nullptr, name << ": " << key << " is a parameter");
            BOOST_CHECK_NO_THROW(check_spread(s, p.*param->member));
        }
    }
    for (const auto& name : hypervisor_preset_names()) {
        const HypervisorProfile p = hypervisor_preset(name);
        for (const auto& [key, s] : p.spread) {
            const HypervisorParameter* param = find_hypervisor_parameter(key);
            BOOST_TEST_REQUIRE(param != nullptr, name << ": " << key << " is a parameter");
            BOOST_CHECK_NO_THROW(check_spread(s, p.*param->member));
        }
    }
    BOOST_TEST(timing_preset("zero").spread.empty());
    BOOST_TEST(hypervisor_preset("zero").spread.empty());
    // The hardware varies on the steps of the bare-metal timer row; the CNTVCT read is core-local.
    const TimingProfile a53 = timing_preset("a53-gic400");
    for (const char* key : {"signal_delay", "irq_entry", "gicc_access", "gicv_access"})
        BOOST_TEST(a53.spread_of(key) != nullptr, key);
    BOOST_TEST(a53.spread_of("sysreg_access") == nullptr);
    BOOST_TEST(timing_preset("zcu104").same_timing(a53), "zcu104 carries the same spreads");
}

BOOST_AUTO_TEST_CASE(upper_is_every_spread_at_its_max) {
    const TimingProfile u = timing_preset("a53-gic400").upper();
    BOOST_TEST(u.spread.empty());
    BOOST_TEST(u.irq_entry == ns(50));
    BOOST_TEST(u.signal_delay == ns(35));
    BOOST_TEST(u.gicv_access == ns(160));
    BOOST_TEST(u.sysreg_access == ns(20), "exact parameters keep their value");
    BOOST_TEST(hypervisor_preset("bao").upper().exit == ns(480));
    BOOST_TEST(hypervisor_preset("bao").upper().entry == ns(80));
}

BOOST_AUTO_TEST_SUITE_END()
