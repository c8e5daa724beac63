// SPDX-License-Identifier: Apache-2.0
// Interrupt bookkeeping of the latency platform (`vgic-sim run`): which source generation an
// acknowledgement belongs to. Every generation opens one InterruptRecord in the RunRecord;
// the GIC keeps one pending state per (INTID, target), so the generations that arrive while
// one is pending are merged into the acknowledgement that takes it (Coalesced), and its EOI
// completes them all.
//
// Plain C++17 on a RunRecord, no SystemC: the caller passes the times. Only the observers
// (observers.hpp) use it; the guest workload, the schedulers and the device sources never
// see it (they report to a Probe, probe.hpp).
#pragma once

#include "run/run_record.hpp"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace vgic::run {

/// Which source generations an acknowledgement can belong to: the GIC keeps one pending
/// state per (INTID, target) — per source CPU too for GICv2 SGIs — so generations with the
/// same key that arrive while one is pending are merged by the GIC.
std::uint64_t record_key(unsigned vm, IrqClass cls, unsigned target, unsigned source, std::uint32_t intid);
constexpr unsigned kAnyVcpu = 0xFFFF;  // SPIs: any vCPU may take them

class Recorder {
public:
    /// Records go to r.interrupts, or with a `sink` to sink->interrupt() (and are freed), each
    /// once it is final (its EOI, or merged into one completed; finish() for the rest), in
    /// generation order: memory holds the records from the oldest one not final to the newest.
    /// A record still not final when `max_window` later ones are in memory (an interrupt never
    /// acknowledged, say) is parked: the later ones go on, and it is handed over, out of
    /// generation order, when it becomes final, so that memory stays bounded.
    static constexpr std::size_t kMaxWindow = std::size_t{1} << 20;
    explicit Recorder(RunRecord& r, RecordSink* sink = nullptr, std::size_t max_window = kMaxWindow)
        : r_(r), sink_(sink), max_window_(max_window) {}

    /// The generation `h` became pending in the GIC at `pending_ps` (a trapped SGI write's
    /// emulation instant); kNotYetPending: not yet.
    void set_pending(std::size_t h, std::uint64_t pending_ps) { at(h).pending_ps = pending_ps; }
    /// A generation of `key` asserted at `asserted_ps`: a new record, outstanding until an
    /// acknowledgement takes it. kNoRecord once `closed`.
    std::size_t open(std::uint64_t key, unsigned vm, unsigned vcpu, IrqClass cls, std::uint32_t intid,
                     std::uint64_t asserted_ps);

    /// An IAR read issued at `issued_ps` returned the interrupt of `key` on `vcpu`: the oldest
    /// outstanding generation is the one handled. The others asserted before the read were
    /// merged into it by the GIC if the read left the interrupt not pending (`still_pending`
    /// false), or if a generation asserted after the read explains the pending state. They
    /// stay outstanding otherwise: in vm mode an edge that arrives while the interrupt waits
    /// in a list register latches anew in the virtual distributor and is delivered again
    /// after the EOI (KVM clears the latch when it fills the LR, vgic_v2_populate_lr).
    /// kNoRecord if nothing was outstanding (a spurious acknowledgement: the caller reports it).
    /// `sched_in_ps`: when `vcpu` was last scheduled in after being descheduled (-1: never);
    /// at or after the assertion means the interrupt waited for it.
    /// `waiting_end_ps`: when `vcpu` last stopped waiting for its pCPU (state `waiting`, 0:
    /// never). Sets the record's acknowledged_first (no other acknowledgement by `vcpu` since
    /// the assertion) and waited_for_pcpu (it waited after the assertion).
    std::size_t acknowledge(std::uint64_t key, unsigned vcpu, std::uint64_t issued_ps, std::uint64_t done_ps,
                            std::int64_t sched_in_ps, bool still_pending, std::uint64_t waiting_end_ps = 0);

    /// Every generation of `key` still outstanding is merged into handled record `into`
    /// (a level source cleared by its handler consumed them all).
    void merge_outstanding(std::uint64_t key, std::size_t into);

    /// A generation that produced no new edge (its line was still high): merged into `into`.
    void merge_last_outstanding(std::uint64_t key, std::size_t into);

    /// The handled record `h` completed (its EOI, or DIR in split mode) at `eoi_ps`.
    void complete(std::size_t h, std::uint64_t eoi_ps);

    /// The record of id `i` while it is in memory (a scratch record once handed over).
    InterruptRecord& at(std::size_t i);
    /// Keeps records from being handed over while their source still writes to them (an IPI's
    /// sender records what the write cost it after the interrupt may be complete), until
    /// release().
    void hold(std::size_t i) { held_.insert(i); }
    void release(std::size_t i);
    /// Hands every record over, final or not (the run is over).
    void finish();
    bool closed = false;  // the run is over

private:
    void merge(std::size_t i, std::size_t into);
    void mark_final(std::size_t i);
    void hand_over();

    RunRecord& r_;
    RecordSink* sink_;
    std::deque<InterruptRecord> live_;  // ids base_ .. base_ + size - 1
    std::deque<bool> final_;
    std::size_t base_ = 0;
    InterruptRecord scratch_;
    std::unordered_set<std::size_t> held_;
    std::size_t max_window_;
    std::unordered_map<std::size_t, InterruptRecord> parked_;  // id -> record, not final yet
    std::unordered_set<std::size_t> parked_final_;             // parked, final, but held
    void emit(const InterruptRecord& rec, std::size_t id);
    std::unordered_map<std::uint64_t, std::deque<std::size_t>> outstanding_;
    std::unordered_map<std::size_t, std::vector<std::size_t>> groups_;  // handled -> merged, until EOI
    std::unordered_map<std::uint64_t, std::uint64_t> last_ack_;  // (vm, vcpu) -> its last IAR's end
    // The waveform's window (RunRecord::wave_begin_ps): the first interrupt's end, and
    // whether a later one fell beyond it.
    std::uint64_t wave_first_end_ = 0;
    bool wave_closed_ = false;
};

} // namespace vgic::run
