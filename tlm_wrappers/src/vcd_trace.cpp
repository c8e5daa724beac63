// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/vcd_trace.hpp"

#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include "vgic/model/gic.hpp"
#include "vgic/model/vm_gic.hpp"

#include <algorithm>
#include <functional>

namespace vgic::tlm {

using namespace sc_core;

VcdTrace::VcdTrace(VcdWriter& writer, bool pause_on_failure) : writer_(writer), pause_on_failure_(pause_on_failure) {}

void VcdTrace::after_change() {
    if (pause_on_failure_ && !paused_ && writer_.failed()) {
        paused_ = true;
        sc_pause();
    }
}

template <class T>
void VcdTrace::watch(const sc_signal<T>& s, VcdWriter::Id id) {
    sc_spawn_options o;
    o.spawn_method();
    o.set_sensitivity(&s.value_changed_event());
    o.dont_initialize();
    sc_spawn(
        [this, &s, id] {
            writer_.change(id, time_ps(sc_time_stamp()), static_cast<std::uint64_t>(s.read()));
            after_change();
        },
        sc_gen_unique_name("vcd"), &o);
}

void VcdTrace::add(const sc_signal<bool>& signal, const std::string& name) {
    watch(signal, writer_.add(name, 1, signal.read() ? 1 : 0));
}

void VcdTrace::add(const sc_signal<unsigned>& signal, const std::string& name) {
    watch(signal, writer_.add(name, 32, signal.read()));
}

VcdWriter::Id VcdTrace::add_value(const std::string& name, unsigned width, std::uint64_t initial) {
    return writer_.add(name, width, initial);
}

void VcdTrace::set(VcdWriter::Id id, std::uint64_t value) {
    writer_.change(id, time_ps(sc_time_stamp()), value);
    after_change();
}

void trace_vgic(VcdTrace& trace, VgicBase& gic, const std::string& prefix) {
    // The names trace_vgic(sc_trace_file*) gives, in the same order.
    const std::string top = prefix.empty() ? std::string(gic.basename()) : prefix;
    const char* unit = gic.mode() == Mode::Vm ? ".vcpu" : ".cpu";
    for (unsigned i = 0; i < gic.num_cpus(); ++i) {
        VgicCpuIfBase& c = gic.cpu_if(i);
        const std::string p = top + unit + std::to_string(i) + ".";
        trace.add(c.irq_level, p + "irq");
        trace.add(c.fiq_level, p + "fiq");
        trace.add(c.virq_level, p + "virq");
        trace.add(c.vfiq_level, p + "vfiq");
        trace.add(c.maintenance_level, p + "maintenance");
        trace.add(c.running_state, p + "running");
        trace.add(c.lrs_in_use, p + "lrs_in_use");
    }
}

void trace_timer(VcdTrace& trace, VirtualTimerBase& timer, const std::string& prefix) {
    const std::string top = prefix.empty() ? std::string(timer.basename()) : prefix;
    for (unsigned i = 0; i < timer.cntv_level.size(); ++i) {
        trace.add(timer.cntv_level[i], top + ".cpu" + std::to_string(i) + ".cntv");
        trace.add(timer.cntp_level[i], top + ".cpu" + std::to_string(i) + ".cntp");
    }
}

std::string cpu_scope(const VgicBase& gic, unsigned i) {
    return (gic.mode() == Mode::Vm ? "vcpu" : "cpu") + std::to_string(i);
}

std::vector<std::string> cpu_signal_names(const VgicBase& gic, bool with_timer) {
    std::vector<std::string> names;
    if (gic.mode() == Mode::Vm) names = {"virq", "vfiq", "maintenance", "running", "lrs_in_use"};
    else names = {"irq", "fiq", "virq", "vfiq", "maintenance", "lrs_in_use"};
    if (with_timer) {
        names.push_back("cntv");
        names.push_back("cntp");
    }
    return names;
}

void trace_cpus(VcdTrace& trace, VgicBase& gic, VirtualTimerBase* timer, const std::string& prefix) {
    const std::string top = prefix.empty() ? std::string(gic.basename()) : prefix;
    const std::vector<std::string> names = cpu_signal_names(gic, timer != nullptr);
    for (unsigned i = 0; i < gic.num_cpus(); ++i) {
        VgicCpuIfBase& c = gic.cpu_if(i);
        const std::string p = top + "." + cpu_scope(gic, i) + ".";
        for (const std::string& n : names) {
            if (n == "irq") trace.add(c.irq_level, p + n);
            else if (n == "fiq") trace.add(c.fiq_level, p + n);
            else if (n == "virq") trace.add(c.virq_level, p + n);
            else if (n == "vfiq") trace.add(c.vfiq_level, p + n);
            else if (n == "maintenance") trace.add(c.maintenance_level, p + n);
            else if (n == "running") trace.add(c.running_state, p + n);
            else if (n == "lrs_in_use") trace.add(c.lrs_in_use, p + n);
            else if (n == "cntv" && i < timer->cntv_level.size()) trace.add(timer->cntv_level[i], p + n);
            else if (n == "cntp" && i < timer->cntp_level.size()) trace.add(timer->cntp_level[i], p + n);
        }
    }
}

// ---- InterruptStateTrace -----------------------------------------------------------------------

InterruptStateTrace::InterruptStateTrace(VcdTrace& trace, VgicBase& gic, std::vector<std::uint32_t> intids,
                                         const std::string& prefix, VirtualTimerBase* timer)
    : trace_(trace), gic_(gic), due_(std::make_unique<sc_event>(sc_gen_unique_name("intid_sample"))) {
    const std::string top = prefix.empty() ? std::string(gic.basename()) : prefix;
    const std::uint32_t limit = 32 + gic.params().gic.num_spis;  // the implemented INTIDs
    std::sort(intids.begin(), intids.end());
    intids.erase(std::unique(intids.begin(), intids.end()), intids.end());
    for (std::uint32_t id : intids) {
        if (id >= limit || id > 1019) continue;
        intids_.push_back(id);
        const bool spi = id >= 32;
        const unsigned n = spi ? 1 : static_cast<unsigned>(gic.num_cpus());
        for (unsigned c = 0; c < n; ++c) {
            const std::string p = top + "." + (spi ? "" : cpu_scope(gic, c) + ".") + "intid" + std::to_string(id) + ".";
            Var v{c, id, spi, 0, 0};
            v.pending = trace_.add_value(p + "pending", 1, pending(v) ? 1 : 0);
            v.active = trace_.add_value(p + "active", 1, active(v) ? 1 : 0);
            names_.push_back(p + "pending");
            names_.push_back(p + "active");
            vars_.push_back(v);
        }
    }
    if (vars_.empty()) return;
    // Accesses: the state changes at the access's effect (a read's data, a store reaching
    // the GIC, a trap's emulation instant), which may lie ahead of the call.
    gic.on_interrupt_event([this](InterruptEvent, unsigned, bool, std::uint32_t, const InterruptEventTimes& t) {
        sample_at(time_ps(t.effect));
    });
    // Everything the GIC and the timer show: sampled in the delta after the change.
    sc_spawn_options o;
    o.spawn_method();
    o.dont_initialize();
    for (unsigned i = 0; i < gic.num_cpus(); ++i) {
        VgicCpuIfBase& c = gic.cpu_if(i);
        for (const sc_signal<bool>* s : {&c.irq_level, &c.fiq_level, &c.virq_level, &c.vfiq_level, &c.maintenance_level,
                                         &c.running_state})
            o.set_sensitivity(&s->value_changed_event());
        o.set_sensitivity(&c.lrs_in_use.value_changed_event());
        if (timer != nullptr && i < timer->cntv_level.size()) {
            o.set_sensitivity(&timer->cntv_level[i].value_changed_event());
            o.set_sensitivity(&timer->cntp_level[i].value_changed_event());
        }
    }
    sc_spawn([this] { sample(); }, sc_gen_unique_name("intid_lines"), &o);
    sc_spawn_options d;
    d.spawn_method();
    d.dont_initialize();
    d.set_sensitivity(due_.get());
    sc_spawn([this] { due(); }, sc_gen_unique_name("intid_due"), &d);
}

bool InterruptStateTrace::pending(const Var& v) const {
    if (Gic* hw = gic_.hw_model()) return hw->distributor().is_pending(v.cpu, v.intid);
    const VmGic& vm = *gic_.vm_model();
    if (v.spi) {
        // An SPI is pending in the virtual distributor or in the LR of the vCPU holding it.
        const unsigned holder = vm.distributor().is_parked(0, v.intid) ? vm.distributor().spi_holder(v.intid) : 0;
        return vm.pending_for(holder, v.intid);
    }
    if (v.intid < 16 && vm.config().version == GicVersion::V2) {  // pending per source
        for (unsigned s = 0; s < vm.config().num_cpus && s < 8; ++s)
            if (vm.pending_for(v.cpu, v.intid, s)) return true;
        return false;
    }
    return vm.pending_for(v.cpu, v.intid);
}

bool InterruptStateTrace::active(const Var& v) const {
    if (Gic* hw = gic_.hw_model()) return hw->distributor().is_active(v.cpu, v.intid);
    const VmGic& vm = *gic_.vm_model();
    if (v.spi) {
        const unsigned holder = vm.distributor().is_parked(0, v.intid) ? vm.distributor().spi_holder(v.intid) : 0;
        return vm.active_for(holder, v.intid);
    }
    return vm.active_for(v.cpu, v.intid);
}

void InterruptStateTrace::sample() {
    for (const Var& v : vars_) {
        trace_.set(v.pending, pending(v) ? 1 : 0);
        trace_.set(v.active, active(v) ? 1 : 0);
    }
}

void InterruptStateTrace::sample_at(std::uint64_t t_ps) {
    const std::uint64_t now = time_ps(sc_time_stamp());
    if (t_ps <= now) {
        sample();
        return;
    }
    const bool earliest = times_.empty() || t_ps < times_.top();
    times_.push(t_ps);
    if (earliest) due_->notify(ps_time(t_ps - now));  // replaces a later notification
}

void InterruptStateTrace::due() {
    const std::uint64_t now = time_ps(sc_time_stamp());
    while (!times_.empty() && times_.top() <= now) times_.pop();
    sample();
    if (!times_.empty()) due_->notify(ps_time(times_.top() - now));
}

} // namespace vgic::tlm
