// SPDX-License-Identifier: Apache-2.0
// What happened to each interrupt while real code ran on the board, and what each CPU was
// doing: the record behind `vgic-sim boot --trace` (the Perfetto timeline of `vgic-sim run`,
// written by the same writer from the same RunRecord) and the summary's latency table.
//
// Plain C++ (no SystemC): the board feeds it times in ps.
//   - assertions: the timer's output rising, a store to the interrupt generator, an SGI
//     write (vgic::InterruptEvent::SgiGenerated: the write's issue, as docs/REPORTS.md
//     defines an IPI's assertion);
//   - acknowledgements (the IAR read returned the INTID: its completion time), priority
//     drops (EOIR) and deactivations (DIR), from the Vgic's interrupt events;
//   - CPU states: guest, handler (exception entry to the EOI that leaves no handler running),
//     idle (WFI in the guest), hypervisor (vm mode: out of the guest), blocked (vm mode: a
//     trapped WFI).
// An acknowledgement takes the earliest (in simulated time) open assertion of its INTID for
// that CPU (SPIs: for any CPU) asserted no later than the read completed; the other open ones
// asserted before the read were merged by the GIC (an edge while pending, a second SGI
// sender) and are marked coalesced; those asserted after it stay open. An
// acknowledgement without an assertion (an interrupt made pending by GICD_ISPENDR, say) is
// recorded with the acknowledgement as its assertion time and counted apart.
#pragma once

#include "run/run_record.hpp"

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace vgic::boot {

class InterruptTrace {
public:
    /// `name`: the VM's name in the trace (the image); `vm_mode`: the vCPU tracks say vcpu.
    InterruptTrace(unsigned cpus, std::string name, bool vm_mode, std::string gic, std::string timing,
                   std::string hypervisor);

    /// The class of an INTID on this board (27/30: timer, SGIs: ipi, SPIs: device_spi, other PPIs:
    /// maintenance).
    static run::IrqClass class_of(std::uint32_t intid);

    /// A source asserted `intid` for `cpu` (SPIs: cpu = kAnyCpu) at `t_ps`.
    static constexpr unsigned kAnyCpu = ~0u;
    void asserted(unsigned cpu, std::uint32_t intid, std::uint64_t t_ps);
    void acknowledged(unsigned cpu, std::uint32_t intid, std::uint64_t t_ps);
    /// EOIR (priority drop) or DIR (deactivation): the first completes the record; a DIR after
    /// it (split EOI) moves its end to the DIR.
    void completed(unsigned cpu, std::uint32_t intid, std::uint64_t t_ps, bool deactivation);

    /// CPU states. interrupt_entry: the exception entry (the handler's state begins);
    /// idle/blocked/hypervisor/guest: what the board saw.
    void interrupt_entry(unsigned cpu, std::uint64_t t_ps);
    void state(unsigned cpu, run::VcpuState s, std::uint64_t t_ps);
    /// Records kept at most (a long run stops recording there; the summary says so).
    static constexpr std::size_t kMaxRecords = 1'000'000;
    bool truncated() const { return truncated_; }

    /// The run record at `end_ps` (open assertions stay Pending).
    run::RunRecord record(std::uint64_t end_ps) const;

    struct ClassStats {
        std::uint64_t handled = 0, pending = 0, coalesced = 0;
        std::uint64_t min_ps = ~std::uint64_t{0}, max_ps = 0, sum_ps = 0;  ///< to_iar
    };
    /// Per class (index: IrqClass), over handled interrupts.
    std::vector<ClassStats> stats() const;
    /// Acknowledgements no assertion was seen for.
    std::uint64_t unmatched_acks() const { return unmatched_acks_; }
    const std::vector<run::InterruptRecord>& interrupts() const { return interrupts_; }

private:
    struct Cpu {
        std::vector<run::StateChange> timeline;
        run::VcpuState current = run::VcpuState::Guest;
        unsigned handler_depth = 0;
        bool idle = false, out = false, blocked = false;
        std::map<std::uint32_t, std::size_t> in_service;  // INTID -> record being handled
    };
    void set(unsigned cpu, std::uint64_t t_ps);

    std::vector<Cpu> cpus_;
    std::string name_, gic_, timing_, hypervisor_;
    bool vm_mode_;
    std::vector<run::InterruptRecord> interrupts_;
    // Open (not yet acknowledged) records per (cpu or kAnyCpu, INTID), oldest first.
    std::map<std::pair<unsigned, std::uint32_t>, std::deque<std::size_t>> open_;
    std::uint64_t unmatched_acks_ = 0;
    bool truncated_ = false;
};

} // namespace vgic::boot
