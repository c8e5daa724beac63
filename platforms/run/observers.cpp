// SPDX-License-Identifier: Apache-2.0
// The observers of the latency platform: see observers.hpp.
#include "run/observers.hpp"

#include <algorithm>
#include <cstdio>

namespace vgic::run::detail {

using namespace sc_core;

namespace {

constexpr std::uint32_t kMaintenanceIntid = 25;  // GICv2/GICv3 maintenance PPI (Linux DT: PPI 9)

/// The Recorder's key of a generation or acknowledgement of `intid` for `vcpu`: SPIs have one
/// pending state whichever vCPU takes them.
std::uint64_t key_of(unsigned vm, IrqClass cls, unsigned vcpu, unsigned source, std::uint32_t intid) {
    return record_key(vm, cls, cls == IrqClass::DeviceSpi ? kAnyVcpu : vcpu, source, intid);
}

} // namespace

// ---- interrupts -------------------------------------------------------------------------------

std::size_t Observers::generated(unsigned vm, IrqClass cls, unsigned vcpu, unsigned source, std::uint32_t intid,
                                 bool target_idle) {
    const std::size_t i = recorder_.open(key_of(vm, cls, vcpu, source, intid), vm, vcpu, cls, intid, now_ps());
    if (i != kNoRecord) recorder_.at(i).target_idle = target_idle;
    return i;
}

void Observers::merged_at_source(unsigned vm, std::uint32_t intid, std::size_t into) {
    recorder_.merge_last_outstanding(key_of(vm, IrqClass::DeviceSpi, kAnyVcpu, 0, intid), into);
}

std::size_t Observers::acknowledged(const Vcpu& v, IrqClass cls, std::uint32_t intid, unsigned source,
                                    bool still_pending) {
    const Vm& vm = *v.vm;
    ++record_.vms[vm.index].acknowledged[static_cast<unsigned>(cls)];
    const std::size_t h = recorder_.acknowledge(key_of(vm.index, cls, v.index, source, intid), v.index,
                                                v.last_read_issue_ps, v.last_read_done_ps, v.sched_in_ps,
                                                still_pending, v.waiting_end_ps);
    if (h == kNoRecord) {
        std::vector<std::string>& errs = record_.vms[vm.index].guest_errors;
        if (errs.size() < 20)
            errs.push_back("vCPU " + std::to_string(v.index) + " acknowledged INTID " + std::to_string(intid) + " at " +
                           tlm::format_time(now_ps()) + " with no generation of it outstanding");
    }
    return h;
}

void Observers::timer_measured(std::size_t h, std::int64_t counter_latency_ticks) {
    recorder_.at(h).counter_latency_ticks = counter_latency_ticks;
}

void Observers::ipi_sent(const std::vector<std::size_t>& records, std::uint64_t before, std::uint64_t after,
                         std::uint64_t effect) {
    for (std::size_t i : records) {
        if (i == kNoRecord) continue;
        InterruptRecord& rec = recorder_.at(i);
        rec.sender_stamp = static_cast<std::int64_t>(before);
        rec.sgir_cost_ticks = static_cast<std::int64_t>(after - before);
        rec.sgir_emulation_ticks = static_cast<std::int64_t>(effect - before);
    }
}

void Observers::ipi_in_flight(const std::vector<std::size_t>& records, bool traps) {
    for (std::size_t i : records) {
        if (i == kNoRecord) continue;
        recorder_.hold(i);
        if (traps) recorder_.set_pending(i, kNotYetPending);
    }
}

void Observers::ipi_done(const std::vector<std::size_t>& records) {
    for (std::size_t i : records)
        if (i != kNoRecord) recorder_.release(i);
}

void Observers::ipi_effective(const std::vector<std::size_t>& records, std::uint64_t effect_ps) {
    for (std::size_t i : records)
        if (i != kNoRecord) recorder_.set_pending(i, effect_ps);
}

void Observers::ipi_measured(std::size_t h, std::uint64_t counter) {
    InterruptRecord& rec = recorder_.at(h);
    if (rec.sender_stamp >= 0) rec.counter_latency_ticks = static_cast<std::int64_t>(counter) - rec.sender_stamp;
}

void Observers::completed(std::size_t h) { recorder_.complete(h, now_ps()); }

void Observers::cleared(const Vm& vm, std::uint32_t intid) {
    const std::uint64_t key = key_of(vm.index, IrqClass::DeviceSpi, kAnyVcpu, 0, intid);
    Vcpu* handler = nullptr;
    for (Vcpu* v : vm.vcpus)
        if (v->handling != kNoRecord && recorder_.at(v->handling).intid == intid &&
            recorder_.at(v->handling).cls == IrqClass::DeviceSpi)
            handler = v;
    if (handler != nullptr) recorder_.merge_outstanding(key, handler->handling);
}

void Observers::timer_expired(Vcpu& v, bool target_idle) {
    // A generation is a new expiry: a deadline the guest programmed that the counter has
    // reached (the timer's output, from its registers now: the signal may lag a delta), at
    // most once per programming. The rising output alone missed a deadline programmed
    // already passed: the output stayed high, the guest acknowledged again (D10).
    if (v.timer_expiries == v.timer_programs) return;
    const vgic::tlm::VirtualTimer& timer = v.vm->timer;
    if (!timer.timer(v.index).output(GenericTimer::Virtual, timer.counter(sc_core::sc_time_stamp()))) return;
    v.timer_expiries = v.timer_programs;
    const std::size_t i = recorder_.open(record_key(v.vm->index, IrqClass::TimerPpi, v.index, 0, 27), v.vm->index,
                                         v.index, IrqClass::TimerPpi, 27, now_ps());
    if (i != kNoRecord) recorder_.at(i).target_idle = target_idle;
}

void Observers::maintenance_watch(Vcpu& v) {
    // The maintenance interrupt is the hypervisor's: it is "handled" by the exit that syncs
    // the list registers and completed by the entry after it.
    const std::uint64_t key = record_key(v.vm->index, IrqClass::Maintenance, v.index, 0, kMaintenanceIntid);
    for (;;) {
        sc_core::wait(v.cif->maintenance_level.posedge_event());
        recorder_.open(key, v.vm->index, v.index, IrqClass::Maintenance, kMaintenanceIntid, now_ps());
        ++record_.vcpus[v.record].maintenance;
        sc_core::wait(v.cif->sync_done);
        const std::size_t h =
            recorder_.acknowledge(key, v.index, now_ps(), now_ps(), v.sched_in_ps, false, v.waiting_end_ps);
        sc_core::wait(v.cif->flush_done | v.cif->save_done);
        if (h != kNoRecord) recorder_.complete(h, now_ps());
    }
}

// ---- vCPUs ------------------------------------------------------------------------------------

void Observers::state_changed(Vcpu& v) {
    if (stopped_) return;
    VcpuState s;
    const bool in_guest = !v.vm_mode || v.cif->running();
    // Off its pCPU: runnable and queued for it (waiting), or in WFI with nothing to do
    // (blocked). A vCPU switched out at the end of its slice is queued before it leaves.
    if (!in_guest) s = v.on_pcpu ? VcpuState::Hypervisor : v.queued ? VcpuState::Waiting : VcpuState::Blocked;
    else if (v.activity == Activity::Handler) s = VcpuState::Handler;
    else if (v.activity == Activity::Idle) s = VcpuState::Idle;
    else s = VcpuState::Guest;
    if (s == v.shown) return;
    VcpuRecord& r = record_.vcpus[v.record];
    const std::uint64_t t = now_ps();
    if (v.shown == VcpuState::Waiting && t > v.shown_since) v.waiting_end_ps = t;
    r.state_time_ps[static_cast<unsigned>(v.shown)] += t - v.shown_since;
    if (sink_ != nullptr) {
        if (t > v.shown_since) sink_->span(r, v.shown, v.shown_since, t);
    } else if (!r.timeline.empty() && r.timeline.back().t_ps == t) {
        r.timeline.back().state = s;
    } else {
        r.timeline.push_back({t, s});
    }
    v.shown = s;
    v.shown_since = t;
}

void Observers::scheduled_in(const Vcpu& v) { ++record_.vcpus[v.record].world_switches; }

void Observers::exited(const Vcpu& v) {
    if (!stopped_) ++record_.vcpus[v.record].exits;
}

void Observers::on_lr_count(Vcpu& v) {
    if (stopped_) return;
    VcpuRecord& r = record_.vcpus[v.record];
    const std::uint64_t t = now_ps();
    if (v.lr_count < r.lr_time_ps.size()) r.lr_time_ps[v.lr_count] += t - v.lr_since;
    v.lr_count = v.cif->lrs_in_use.read();
    v.lr_since = t;
}

void Observers::finish(Vcpu& v, std::uint64_t end) {
    VcpuRecord& r = record_.vcpus[v.record];
    r.state_time_ps[static_cast<unsigned>(v.shown)] += end - v.shown_since;
    if (sink_ != nullptr && end > v.shown_since) sink_->span(r, v.shown, v.shown_since, end);
    v.shown_since = end;
    if (v.lr_count < r.lr_time_ps.size()) r.lr_time_ps[v.lr_count] += end - v.lr_since;
    v.lr_since = end;
}

// ---- guest trouble ----------------------------------------------------------------------------

void Observers::access_failed(unsigned vm, unsigned cpu, bool write, unsigned len, std::uint64_t address,
                              const std::string& response) {
    VmRecord& r = record_.vms[vm];
    ++r.bad_accesses;
    if (r.guest_errors.size() < 20)
        r.guest_errors.push_back("vCPU " + std::to_string(cpu) + ": " + (write ? "write" : "read") + " of " +
                                 std::to_string(len) + " bytes at 0x" + [&] {
                                     char b[20];
                                     std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(address));
                                     return std::string(b);
                                 }() + " answered " + response);
}

void Observers::driver_errors(unsigned vm, const std::vector<std::string>& errors) {
    // The driver keeps its messages for the whole run: add the ones not recorded yet.
    std::vector<std::string>& errs = record_.vms[vm].guest_errors;
    for (const std::string& e : errors)
        if (std::find(errs.begin(), errs.end(), e) == errs.end()) errs.push_back(e);
}

// ---- the run ----------------------------------------------------------------------------------

void Observers::progress_main(std::uint64_t end,
                              const std::function<void(std::uint64_t, std::uint64_t)>& progress) {
    const std::uint64_t step = std::max<std::uint64_t>(1, end / 100);
    progress(now_ps(), end);  // time 0: the simulation runs (vgic-sim run --progress prints it)
    for (std::uint64_t t = step; t < end; t += step) {
        sc_core::wait(ps(step));
        progress(now_ps(), end);
    }
}

void Observers::close() {
    stopped_ = true;
    recorder_.closed = true;
    recorder_.finish();
}

} // namespace vgic::run::detail
