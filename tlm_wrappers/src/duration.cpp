// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/duration.hpp"

#include "vgic/tlm/timing_profile.hpp"

#include <cctype>
#include <string>

namespace vgic::tlm {

namespace {

const std::string kUnits = "ps, ns, us, ms or s";

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

/// Whether `text` is a decimal number followed by the unit "cycles" or "cycle": the shape
/// the scenario loader refuses with its own message before converting (a number first:
/// [+-]digits[.digits], no exponent).
bool in_cycles(std::string_view text) {
    text = trim(text);
    std::size_t i = 0, digits = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
    }
    const std::string_view unit = trim(text.substr(i));
    return digits != 0 && (unit == "cycles" || unit == "cycle");
}

} // namespace

std::uint64_t parse_duration_ps(std::string_view text) {
    if (in_cycles(text))
        throw std::invalid_argument(quoted(text) + ": cycles are not accepted (no single clock applies); expected a "
                                                   "time with unit " + kUnits + ", e.g. \"100 ms\"");
    std::uint64_t ps = 0;
    try {
        ps = parse_time_ps(text, 1'000'000'000);
    } catch (const TimingProfileError& e) {
        std::string message = e.what();
        // Beyond 64 bits of ps: longer than the limit, which is the rule that matters here.
        if (message.find(" is too large") != std::string::npos)
            throw std::invalid_argument(quoted(text) + " is longer than the limit of " + kMaxDurationText);
        // The shared time parser lists cycles among its units; a duration does not take them.
        const std::string with_cycles = "ps, ns, us, ms, s or cycles";
        if (const auto at = message.find(with_cycles); at != std::string::npos)
            message.replace(at, with_cycles.size(), kUnits);
        throw std::invalid_argument(message);
    }
    if (ps == 0) throw std::invalid_argument(quoted(text) + " is zero; expected a time > 0");
    if (ps > kMaxDurationPs)
        throw std::invalid_argument(quoted(text) + " is longer than the limit of " + kMaxDurationText);
    return ps;
}

} // namespace vgic::tlm
