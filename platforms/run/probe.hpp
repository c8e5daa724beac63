// SPDX-License-Identifier: Apache-2.0
// What the world of the latency platform tells about itself while it runs (internal to
// platforms/run/). The guest workload (guest.cpp), the schedulers (scheduler.cpp), the device
// sources (devices.cpp) and the guest's accesses (guest_bus.cpp) report each event a run's
// record cares about through this interface, named after what happened; they never see how
// it is recorded. observers.hpp implements it on top of the Recorder and the RunRecord.
//
// Record handles (std::size_t) are indices into RunRecord::interrupts, kNoRecord for none.
#pragma once

#include "run/run_record.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace vgic::run::detail {

struct Vcpu;
struct Vm;

class Probe {
public:
    virtual ~Probe() = default;

    // ---- interrupts ----
    /// A source generated an interrupt now (a device's edge or level assertion, an SGI
    /// register write): for `vcpu` of `vm` (a device: its target; any vCPU may take it).
    /// `source`: the sending vCPU of a GICv2 SGI, else 0 (the GIC keeps no per-source state).
    /// `target_idle`: `vcpu` is blocked in WFI and its physical CPU has nothing else to run
    /// (World::idle_target). Returns its record (kNoRecord once the run is over).
    virtual std::size_t generated(unsigned vm, IrqClass cls, unsigned vcpu, unsigned source, std::uint32_t intid,
                                  bool target_idle) = 0;
    /// The device generation just made found its SPI line still high: no new edge reached the
    /// GIC, the generation rides on record `into` (that of the edge that raised the line).
    virtual void merged_at_source(unsigned vm, std::uint32_t intid, std::size_t into) = 0;
    /// `v`'s IAR read (its last read: v.last_read_issue_ps/done_ps) returned `intid` of class
    /// `cls` (`source` as for generated); `still_pending`: the GIC still holds it pending for
    /// `v` after the read. Returns the handled record, kNoRecord when no generation of it was
    /// outstanding (reported as a guest error).
    virtual std::size_t acknowledged(const Vcpu& v, IrqClass cls, std::uint32_t intid, unsigned source,
                                     bool still_pending) = 0;
    /// The timer handler's first CNTVCT read of handled record `h`: CNTVCT - CVAL in ticks.
    virtual void timer_measured(std::size_t h, std::int64_t counter_latency_ticks) = 0;
    /// A measured IPI write (ipi.measure) that generated `records`: the sender's CNTVCT just
    /// before and just after it, and the counter when it took effect in the GIC.
    virtual void ipi_sent(const std::vector<std::size_t>& records, std::uint64_t before, std::uint64_t after,
                          std::uint64_t effect) = 0;
    /// An SGI write generated `records`: they stay in memory until ipi_done(); if the write
    /// `traps` (vm mode) they are not pending before its emulation instant, which
    /// ipi_effective() gives once the write returns.
    virtual void ipi_in_flight(const std::vector<std::size_t>& records, bool traps) = 0;
    virtual void ipi_done(const std::vector<std::size_t>& records) = 0;
    virtual void ipi_effective(const std::vector<std::size_t>& records, std::uint64_t effect_ps) = 0;
    /// The IPI handler's first CNTVCT read of handled record `h` (ipi.measure).
    virtual void ipi_measured(std::size_t h, std::uint64_t counter) = 0;
    /// The handled record `h` completed: its EOIR write (DIR in split mode) is done.
    virtual void completed(std::size_t h) = 0;
    /// A handler cleared the level of device SPI `intid` of `vm` (its write to the device's
    /// status register): every generation collected so far is served by that handling.
    virtual void cleared(const Vm& vm, std::uint32_t intid) = 0;

    // ---- vCPUs ----
    /// `v`'s activity, its place on a physical CPU or its interface's running state may have
    /// changed: its timeline notes the state it is in now, if that differs.
    virtual void state_changed(Vcpu& v) = 0;
    /// The scheduler put `v` back on its physical CPU after it was descheduled (a world switch).
    virtual void scheduled_in(const Vcpu& v) = 0;

    // ---- guest trouble ----
    /// An access of vCPU `cpu` of `vm` was answered with a TLM error `response`.
    virtual void access_failed(unsigned vm, unsigned cpu, bool write, unsigned len, std::uint64_t address,
                               const std::string& response) = 0;
    /// The messages `vm`'s guest driver has reported so far (it keeps them all; the new ones
    /// are recorded).
    virtual void driver_errors(unsigned vm, const std::vector<std::string>& errors) = 0;
};

} // namespace vgic::run::detail
