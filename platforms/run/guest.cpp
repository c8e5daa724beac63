// SPDX-License-Identifier: Apache-2.0
// The guest workload of the latency platform: one thread per vCPU that behaves like a Linux
// guest. It boots the GIC driver (the distributor on vCPU 0, then each CPU, then the
// devices' steering once all are up), arms its virtual timer tick, sends its IPIs, waits in
// WFI, and on an interrupt takes the exception entry and runs the IAR/EOIR loop with the
// handler duration of each class (the timer handler re-arms the timer; a level device's
// handler clears its source). What happens is reported to the Probe.
#include "run/world.hpp"

#include "vgic/model/generic_timer.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace vgic::run::detail {

using namespace sc_core;

std::uint64_t World::irq_entry(Vcpu& v) {
    const GuestSpec& g = v.vm->spec.guest;
    // The scenario's guest.irq_entry overrides the profile's, exactly.
    return g.irq_entry_ps >= 0 ? static_cast<std::uint64_t>(g.irq_entry_ps)
                               : v.vm->cpu_costs(&tlm::TimingProfile::irq_entry);
}

bool World::line_high(const Vcpu& v) const {
    return v.vm_mode ? v.cif->virq_level.read() : v.cif->irq_level.read();
}

bool World::model_line_high(const Vcpu& v) const {
    if (v.vm_mode) return v.vm->gic.vm_model()->line(v.index, Line::VIrq);
    return v.vm->gic.hw_model()->line(v.index, Line::Irq);
}

const sc_event& World::line_rise(const Vcpu& v) const {
    return v.vm_mode ? v.cif->virq_level.posedge_event() : v.cif->irq_level.posedge_event();
}

void World::set_activity(Vcpu& v, Activity a) {
    v.activity = a;
    probe.state_changed(v);
}

void World::arm_timer(Vcpu& v) {
    const TimerSpec& ts = v.vm->spec.guest.timer;
    if (ts.kind == TimerSpec::Kind::None) return;
    Vm& vm = *v.vm;
    const std::uint64_t hz = scenario.counter_hz;
    // The tick in counter ticks, rounded to the nearest tick (exact for the usual rates).
    auto ticks_of = [hz](std::uint64_t t_ps) {
        return static_cast<std::uint64_t>((static_cast<long double>(t_ps) * hz) / 1e12L + 0.5L);
    };
    const std::uint64_t cnt = vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTVCT_EL0, 8, false, 0);
    std::uint64_t first;
    if (ts.kind == TimerSpec::Kind::Periodic) {
        v.period_ticks = std::max<std::uint64_t>(1, ticks_of(ts.period_ps));
        first = ts.first_ps != 0 ? ticks_of(ts.first_ps) : v.period_ticks;
    } else {
        first = ticks_of(ts.first_ps);
    }
    v.cval = cnt + std::max<std::uint64_t>(first, 1);
    v.timer_armed = true;
    ++v.timer_programs;
    vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CVAL_EL0, 8, true, v.cval);
    vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CTL_EL0, 8, true, 1);  // ENABLE, IMASK clear
    v.timer_programmed.notify(SC_ZERO_TIME);  // a deadline already passed has no rising edge
}

void World::guest_main(Vcpu& v) {
    Vm& vm = *v.vm;
    const GuestSpec& g = vm.spec.guest;
    vm.wait_in_guest(v.index);
    // Linux brings the boot CPU's distributor up before the secondaries start.
    if (v.index == 0) {
        vm.driver->boot_distributor(0);
        vm.distributor_ready = true;
        vm.distributor_ready_event.notify(SC_ZERO_TIME);
    } else {
        while (!vm.distributor_ready) sc_core::wait(vm.distributor_ready_event);
    }
    vm.driver->boot_cpu(v.index);
    // Devices are set up once every vCPU is online, as Linux requests and steers device
    // interrupts after SMP bring-up: the GICv2 driver's ITARGETSR byte for a CPU is that CPU's
    // own mask, learnt in its cpu_init (gic_cpu_map, 0xFF until then). Steering from vCPU 0
    // right after its own boot wrote 0xFF for a secondary not yet up, and the SPI then went to
    // the lowest target, vCPU 0, whatever the scenario's `target`.
    if (++vm.vcpus_booted == vm.vcpus.size()) {
        for (auto& d : devices)
            if (d->vm == &vm) vm.driver->steer(v.index, d->spec->intid, d->spec->edge, d->spec->target_vcpu);
        vm.devices_ready = true;
        vm.devices_ready_event.notify(SC_ZERO_TIME);
    }
    if (g.timer.kind != TimerSpec::Kind::None) vm.driver->unmask(v.index, 27);
    probe.driver_errors(vm.index, vm.driver->errors());
    vm.untimed = false;
    vm.gic.synchronize_traps(true);
    arm_timer(v);
    const bool sends = g.ipi.rate_hz > 0 && (g.ipi.senders.empty() ||
                                             std::find(g.ipi.senders.begin(), g.ipi.senders.end(), v.index) !=
                                                 g.ipi.senders.end());
    if (sends) {
        v.ipi_period_ps = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e12 / g.ipi.rate_hz + 0.5));
        v.next_ipi_ps = now_ps() + v.ipi_period_ps;
        v.ipi_event.notify(ps(v.ipi_period_ps));
    }
    for (;;) {
        if (line_high(v)) {
            take_irq(v);
            continue;
        }
        if (model_line_high(v)) {
            // Signalled but the line not up yet (signal_delay): Linux leaves WFI with IRQs
            // masked and unmasks them first thing (arch_cpu_idle), so the interrupt that ended
            // the WFI is taken before any other work, such as an IPI that fell due meanwhile.
            sc_core::wait(ps(v.vm->spec.profile.signal_delay + 1000), line_rise(v));
            continue;
        }
        if (v.next_ipi_ps <= now_ps()) {
            send_ipis(v);
            continue;
        }
        wfi(v);
    }
}

void World::wfi(Vcpu& v) {
    // guest_main calls this only when nothing is signalled (model_line_high was false in the
    // same evaluation): a signalled interrupt is waited for there, before any other work.
    const bool blocks = v.vm_mode && scenario.scheduler.wfi == SchedulerSpec::Wfi::Block;
    set_activity(v, Activity::Idle);
    if (blocks && v.vm->gic.vm_model()->wake_pending(v.index)) {
        // Something is pending for it that its list registers do not show yet (KVM's
        // kvm_vcpu_block asks kvm_vgic_vcpu_pending_irq and does not sleep): the kick that
        // brings it into an LR is on its way; the vCPU stays. The exception follows the line;
        // the entry that flushed the LR, or a bounded timeout, re-evaluates.
        sc_core::wait(ps(kWfiRecheckPs), line_rise(v) | v.cif->flush_done);
        set_activity(v, Activity::Guest);
        return;
    }
    if (!blocks) {
        if (v.next_ipi_ps != kNever) sc_core::wait(line_rise(v) | v.ipi_event);
        else sc_core::wait(line_rise(v));
    } else {
        block(v);
        sc_core::wait(v.resumed);
    }
    set_activity(v, Activity::Guest);
}

void World::take_irq(Vcpu& v) {
    Vm& vm = *v.vm;
    set_activity(v, Activity::Handler);
    vm.compute(v.index, irq_entry(v));
    unsigned taken = 0;
    vm.driver->handle(
        v.index,
        [this, &v, &taken](std::uint32_t intid, unsigned source) {
            ++taken;
            on_ack(v, intid, source);
        },
        [this, &v](std::uint32_t) {
            if (v.handling != kNoRecord) probe.completed(v.handling);
            v.handling = kNoRecord;
        });
    set_activity(v, Activity::Guest);
    if (taken == 0 && line_high(v)) {
        // A spurious exception (IAR said 1023 while the line is still high: it falls a
        // signal_delay after the state that raised it went away). Wait for it to fall, or a
        // little while, so the loop never spins in zero time (the zero profile has no costs).
        sc_core::wait(ps(v.vm->spec.profile.signal_delay + 1000), v.vm_mode ? v.cif->virq_level.negedge_event()
                                                                           : v.cif->irq_level.negedge_event());
    }
}

void World::on_ack(Vcpu& v, std::uint32_t intid, unsigned source) {
    Vm& vm = *v.vm;
    const GuestSpec& g = vm.spec.guest;
    IrqClass cls;
    if (intid < 16) cls = IrqClass::Ipi;
    else if (intid == 27) cls = IrqClass::TimerPpi;
    else cls = IrqClass::DeviceSpi;
    // vm mode: the pending state may sit in the virtual distributor or in a list register (a
    // flush can move a new edge's latch into the LR, pending and active, during this IAR);
    // asking the distributor alone merged such a generation into this one, and the GIC's later
    // delivery of it found nothing outstanding (docs/RELIABILITY.md finding 6).
    const unsigned ack_source = cls == IrqClass::Ipi && vm.spec.gic == GicVersion::V2 ? source : 0;
    bool still_pending;
    if (v.vm_mode) {
        still_pending = vm.gic.vm_model()->pending_for(v.index, intid, ack_source);
    } else {
        const Distributor& dist = vm.gic.hw_model()->distributor();
        still_pending = cls == IrqClass::Ipi && vm.spec.gic == GicVersion::V2
                            ? ((dist.sgi_sources(v.index, intid) >> source) & 1u) != 0
                            : dist.is_pending(v.index, intid);
    }
    const std::size_t h = probe.acknowledged(v, cls, intid, ack_source, still_pending);
    v.handling = h;
    switch (cls) {
    case IrqClass::TimerPpi: {
        // arch_timer_handler_virt: the measurement reads CNTVCT first; then the tick
        // programs the next deadline (the output falls before the EOI, which matters for
        // the HW-mapped vtimer: the deactivation must not re-trigger it).
        const std::uint64_t cnt = vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTVCT_EL0, 8, false, 0);
        if (h != kNoRecord && v.timer_armed) probe.timer_measured(h, static_cast<std::int64_t>(cnt - v.cval));
        if (g.timer.kind == TimerSpec::Kind::Periodic) {
            std::uint64_t next = v.cval + v.period_ticks;
            while (next <= cnt) next += v.period_ticks;  // ticks missed while descheduled are skipped, as Linux does
            v.cval = next;
            // A new generation: this deadline, once the counter reaches it. The deadline may
            // already have passed when the write takes effect (a period shorter than the
            // handler's path): then the output, a level, stays high without a new rising
            // edge, and the GIC delivers the interrupt again.
            ++v.timer_programs;
            vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CVAL_EL0, 8, true, next);
            v.timer_programmed.notify(SC_ZERO_TIME);
        } else {
            v.timer_armed = false;
            vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CTL_EL0, 8, true, 0);
        }
        vm.compute(v.index, g.handler.timer_ps);
        break;
    }
    case IrqClass::DeviceSpi: {
        vm.compute(v.index, g.handler.device_ps);
        if (Device* d = device_of_intid_[vm.index * 1020 + intid]) {
            if (!d->spec->edge) device_clear(*d);
        }
        break;
    }
    case IrqClass::Ipi: {
        // Measured IPIs: the handler's first instruction after the IAR read stamps CNTVCT.
        if (g.ipi.measure) {
            const std::uint64_t cnt = read_counter(v);
            if (h != kNoRecord) probe.ipi_measured(h, cnt);
        }
        vm.compute(v.index, g.handler.ipi_ps);
        break;
    }
    case IrqClass::Maintenance: break;
    }
}

std::uint64_t World::read_counter(Vcpu& v) {
    Vm& vm = *v.vm;
    return vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTVCT_EL0, 8, false, 0);
}

void World::send_ipis(Vcpu& v) {
    Vm& vm = *v.vm;
    const IpiSpec& ipi = vm.spec.guest.ipi;
    const unsigned n = vm.spec.vcpus;
    std::vector<unsigned> targets;
    switch (ipi.targets) {
    case IpiSpec::Targets::Next: targets.push_back((v.index + 1) % n); break;
    case IpiSpec::Targets::All:
        for (unsigned t = 0; t < n; ++t) targets.push_back(t);
        break;
    case IpiSpec::Targets::AllButSelf:
        for (unsigned t = 0; t < n; ++t)
            if (t != v.index) targets.push_back(t);
        break;
    }
    // An IPI that fell due while its sender could not run goes out once, now (Linux sends
    // it from the code that wanted it, not as a queue of missed ones).
    const std::uint64_t now = now_ps();
    while (v.next_ipi_ps <= now) v.next_ipi_ps += v.ipi_period_ps;
    v.ipi_event.notify(ps(v.next_ipi_ps - now));
    if (targets.empty()) return;
    vm.wait_in_guest(v.index);
    // Instrumented like the IPI benchmark of the calibration measurements: CNTVCT just before
    // the SGI write (the sender's stamp) and just after it (what the write cost the sender).
    const std::uint64_t before = ipi.measure ? read_counter(v) : 0;
    // The generation is the SGI register write: opened as it is issued.
    const unsigned source = vm.spec.gic == GicVersion::V2 ? v.index : 0;
    std::vector<std::size_t> records;
    for (unsigned t : targets)
        records.push_back(probe.generated(vm.index, IrqClass::Ipi, t, source, ipi.sgi, idle_target(*vm.vcpus[t])));
    // vm mode: the write traps; the SGIs are pending from its emulation instant on (the first
    // SGI register write of the send; a send of several writes counts from the first).
    probe.ipi_in_flight(records, v.vm_mode);
    if (v.vm_mode) v.ipi_in_flight = records;
    vm.driver->send_ipi(v.index, targets, ipi.sgi);
    v.ipi_in_flight.clear();
    if (ipi.measure) {
        // The write's effect: the hypervisor's emulation instant (vm mode), the store reaching
        // the distributor (hw mode). CNTVOFF is 0 on this platform: CNTVCT = the counter.
        const std::uint64_t effect = vm.timer.counter(vm.gic.last_effect(v.index));
        const std::uint64_t after = read_counter(v);
        probe.ipi_sent(records, before, after, effect);
    }
    probe.ipi_done(records);
}

} // namespace vgic::run::detail
