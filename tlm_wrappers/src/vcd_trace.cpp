// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/vcd_trace.hpp"

#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

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

} // namespace vgic::tlm
