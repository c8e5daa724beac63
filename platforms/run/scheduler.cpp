// SPDX-License-Identifier: Apache-2.0
// The hypervisor's scheduler in the latency platform: one round-robin thread per physical
// CPU that runs its vm-mode vCPUs in time slices, switching them through VgicCpuIf::stop/run
// (the timed save/restore), and with `wfi: block` takes a vCPU in WFI off its CPU until a
// wake (an interrupt pending for it while stopped, its timer, a due IPI) makes it runnable.
// State changes and world switches are reported to the Probe.
#include "run/world.hpp"

#include <cstddef>

namespace vgic::run::detail {

using namespace sc_core;

void World::make_runnable(Vcpu& v) {
    if (v.queued) return;
    Pcpu& p = *pcpus[v.pcpu];
    v.queued = true;
    p.queue.push_back(&v);
    p.event.notify(SC_ZERO_TIME);
    probe.state_changed(v);  // blocked -> waiting for its pCPU
}

bool World::idle_target(const Vcpu& v) const {
    if (!v.vm_mode || !v.blocked || v.queued) return false;
    const Pcpu& p = *pcpus[v.pcpu];
    return p.queue.empty() && (p.current == nullptr || p.current == &v);
}

void World::wake(Vcpu& v) {
    // Only a blocked vCPU that is already off its CPU needs the scheduler; one still being
    // switched out, or in the guest, notes the wake and the scheduler finds it.
    if (!v.blocked) return;
    if (v.on_pcpu) {
        v.wake_pending = true;
        return;
    }
    make_runnable(v);
}

void World::block(Vcpu& v) {
    v.blocked = true;
    v.wake_pending = false;
    if (v.next_ipi_ps != kNever) v.wake_timer.notify(ps(v.next_ipi_ps - now_ps()));
    pcpus[v.pcpu]->event.notify(SC_ZERO_TIME);
}

void World::scheduler_main(Pcpu& p) {
    const sc_time slice = ps(scenario.scheduler.slice_ps);
    // Time 0: the first vCPU of each physical CPU stays in; the others are switched out.
    for (std::size_t i = 1; i < p.vcpus.size(); ++i) {
        Vcpu& v = *p.vcpus[i];
        v.cif->stop();
        v.queued = true;
        p.queue.push_back(&v);
    }
    for (std::size_t i = 1; i < p.vcpus.size(); ++i) {
        Vcpu& v = *p.vcpus[i];
        while (v.cif->running() || v.cif->running_state.read()) sc_core::wait(v.cif->save_done);
        v.on_pcpu = false;
        probe.state_changed(v);
    }
    p.current = p.vcpus.front();
    sc_time slice_end = sc_time_stamp() + slice;
    auto switch_out = [&](Vcpu& v) {
        v.cif->stop();
        sc_core::wait(v.cif->save_done);
        v.on_pcpu = false;
        probe.state_changed(v);
    };
    for (;;) {
        if (p.current == nullptr) {
            if (p.queue.empty()) {
                sc_core::wait(p.event);
                continue;
            }
            Vcpu& v = *p.queue.front();
            p.queue.pop_front();
            v.queued = false;
            p.current = &v;
            v.on_pcpu = true;
            v.sched_in_ps = static_cast<std::int64_t>(now_ps());
            probe.scheduled_in(v);
            probe.state_changed(v);
            v.cif->run();
            sc_core::wait(v.cif->flush_done);
            if (v.blocked) {
                v.blocked = false;
                v.resumed.notify(SC_ZERO_TIME);
            }
            slice_end = sc_time_stamp() + slice;
            continue;
        }
        Vcpu& v = *p.current;
        if (v.blocked) {
            switch_out(v);
            p.current = nullptr;
            // Woken during the switch, or an interrupt arrived while it was still in the guest
            // on its way into WFI: that one kicked a running vCPU, no wake was reported for
            // it, and the kick found the vCPU leaving. Asking the model now, with its state
            // saved, is what KVM's kvm_vcpu_block does (kvm_vcpu_check_block ->
            // kvm_vgic_vcpu_pending_irq): without it the interrupt waited for an unrelated
            // event (the lost wake-up of docs/REPORTS.md).
            if (v.wake_pending || v.vm->gic.vm_model()->wake_pending(v.index)) {
                v.wake_pending = false;
                make_runnable(v);
            }
            continue;
        }
        if (sc_time_stamp() >= slice_end) {
            if (!p.queue.empty()) {
                switch_out(v);
                p.current = nullptr;
                make_runnable(v);
                continue;
            }
            slice_end = sc_time_stamp() + slice;
        }
        sc_core::wait(slice_end - sc_time_stamp(), p.event);
    }
}

} // namespace vgic::run::detail
