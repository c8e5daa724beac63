// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/time.hpp"

#include <limits>

namespace vgic::tlm {

namespace {

constexpr std::uint64_t kPsPerSecond = 1'000'000'000'000ull;
constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

/// The time resolution as integers: ticks per ps (resolution of 1 ps or finer) or ps per
/// tick (coarser). Fixed for the whole simulation once the first sc_time exists, which the
/// call below ensures, so it is computed once.
struct Resolution {
    std::uint64_t ticks_per_ps = 0;  // >= 1 for a resolution of 1 ps or finer
    std::uint64_t ps_per_tick = 0;   // >= 2 for a coarser resolution
};

const Resolution& resolution() {
    static const Resolution r = [] {
        // sc_time(1, SC_SEC) is 10^k ticks, a power of ten that a double holds exactly; the
        // resolution is a power of ten from 1 fs to 1 s (IEEE 1666-2011 5.11.3).
        const std::uint64_t ticks_per_second = sc_core::sc_time(1.0, sc_core::SC_SEC).value();
        Resolution res;
        if (ticks_per_second >= kPsPerSecond) res.ticks_per_ps = ticks_per_second / kPsPerSecond;
        else res.ps_per_tick = kPsPerSecond / ticks_per_second;
        return res;
    }();
    return r;
}

} // namespace

std::uint64_t max_time_ps() {
    const Resolution& r = resolution();
    return r.ticks_per_ps != 0 ? kMaxU64 / r.ticks_per_ps : kMaxU64;
}

sc_core::sc_time ps_time(std::uint64_t ps) {
    const Resolution& r = resolution();
    if (r.ticks_per_ps != 0) {
        if (ps > kMaxU64 / r.ticks_per_ps) return sc_core::sc_max_time();
        return sc_core::sc_time::from_value(ps * r.ticks_per_ps);
    }
    return sc_core::sc_time::from_value(ps / r.ps_per_tick + (ps % r.ps_per_tick != 0 ? 1 : 0));
}

std::uint64_t time_ps(const sc_core::sc_time& t) {
    const Resolution& r = resolution();
    if (r.ticks_per_ps != 0) return t.value() / r.ticks_per_ps;
    if (t.value() > kMaxU64 / r.ps_per_tick) return kMaxU64;
    return t.value() * r.ps_per_tick;
}

} // namespace vgic::tlm
