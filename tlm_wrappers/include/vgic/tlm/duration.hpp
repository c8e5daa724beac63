// SPDX-License-Identifier: Apache-2.0
// Durations a user asks for: how long a run lasts (`duration` in a scenario, `vgic-sim run
// --duration`) and how long a script waits (`wait`). One rule for all of them: a time in
// 64-bit picoseconds with a unit (ps, ns, us, ms, s), at most kMaxDurationPs; a longer one is
// refused, never shortened. Plain C++17 (no SystemC).
#pragma once

#include "vgic/tlm/export.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>

namespace vgic::tlm {

/// The longest duration a user may ask for: one hour of simulated time, 3600 s =
/// 3,600,000,000,000,000 ps, the limit of a scenario's `duration` (docs/SCENARIO.md). Far
/// below the simulation's horizon (max_time_ps() in vgic/tlm/time.hpp, 2^64 - 1 ps) and
/// below 2^53 ps, so even code that still converts through `double` is exact up to it.
inline constexpr std::uint64_t kMaxDurationPs = 3'600'000'000'000'000ull;
/// kMaxDurationPs for messages.
inline constexpr const char* kMaxDurationText = "1 hour (3600 s)";

/// A duration, e.g. "100ms", "2.5 us", "1 s": what a scenario's `duration` key accepts, with
/// the same values: a time with unit ps, ns, us, ms or s (µs too), > 0 and at most
/// kMaxDurationPs. Cycles are refused (no single clock applies). Throws std::invalid_argument
/// whose message quotes the text and says what was expected, without naming the key or
/// flag (the caller adds it).
VGIC_TIMING_API std::uint64_t parse_duration_ps(std::string_view text);

} // namespace vgic::tlm
