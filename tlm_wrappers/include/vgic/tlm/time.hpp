// SPDX-License-Identifier: Apache-2.0
// Simulated time from and to integer picoseconds, exactly.
//
// The model counts time in 64-bit picoseconds; SystemC's sc_time holds a 64-bit count of
// time-resolution ticks (1 ps unless sc_set_time_resolution says otherwise). Building an
// sc_time from a `double` (sc_time(double(ps), SC_PS)) is exact only up to 2^53 ps (about
// 2.5 hours) and, in SystemC 2.3.4, overflows its signed 64-bit conversion from 2^63 ps on
// (sc_time.h: `m_value = static_cast<sc_dt::int64>(tmp)`): a deadline of 2^64 - 1 ps became
// 2^63 ps. These helpers convert with integers only (sc_time::from_value).
//
//   sc_core::wait(vgic::tlm::ps_time(latency_ps));
//   std::uint64_t now = vgic::tlm::time_ps(sc_core::sc_time_stamp());
#pragma once

#include "vgic/tlm/export.hpp"

#include <systemc>

#include <cstdint>

namespace vgic::tlm {

/// The largest simulated time in ps that an sc_time holds exactly: 18446744073709551615 ps
/// (2^64 - 1, about 213.5 days) at the default 1 ps resolution; 2^64 - 1 ticks at a finer
/// one (e.g. 18446744073709551 ps at 1 fs); 2^64 - 1 ps at a coarser one (the ps count is
/// the limit). The generic timer treats a deadline beyond it as "never".
VGIC_TLM_API std::uint64_t max_time_ps();

/// `ps` picoseconds as an sc_time: exact at a resolution of 1 ps or finer; at a coarser
/// resolution the first tick not before `ps` (a deadline is never early). A value above
/// max_time_ps() (possible only at a resolution finer than 1 ps) gives sc_max_time().
VGIC_TLM_API sc_core::sc_time ps_time(std::uint64_t ps);

/// `t` in picoseconds: exact at a resolution of 1 ps or coarser (saturating at 2^64 - 1);
/// rounded down at a finer one.
VGIC_TLM_API std::uint64_t time_ps(const sc_core::sc_time& t);

} // namespace vgic::tlm
