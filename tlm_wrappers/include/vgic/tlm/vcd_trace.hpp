// SPDX-License-Identifier: Apache-2.0
// SystemC signals into the project's VCD writer (vcd_writer.hpp), in place of SystemC's own
// tracer (sc_create_vcd_trace_file / sc_trace), which ignores write errors (a full disk gave
// a cut file and exit 0) and crashes closing a file it could not open.
//
// Each traced signal gets a method process sensitive to its value_changed_event that hands
// the new value and the simulated time (ps) to the writer. Those methods only read the
// signal: they change no state and schedule no timed event, so a traced run simulates
// exactly like an untraced one. The writer keeps the value at the end of each time step, as
// SystemC's tracer sampled it.
//
//   vt::VcdWriter w("waves.vcd");
//   vt::VcdTrace trace(w);
//   vt::trace_vgic(trace, gic);              // before sc_start
//   vt::trace_timer(trace, timer);
//   sc_core::sc_start(...);
//   w.close(vt::time_ps(sc_core::sc_time_stamp()));  w.check();  // or trace.failed()
#pragma once

#include "vgic/tlm/export.hpp"

#include "vgic/tlm/vcd_writer.hpp"

#include <systemc>

#include <string>

namespace vgic::tlm {

class VgicBase;
class VirtualTimerBase;

class VGIC_TLM_API VcdTrace {
public:
    /// Records into `writer`, which must outlive the simulation's last delta cycle.
    /// `pause_on_failure`: when a write fails, call sc_pause() so that sc_start returns at
    /// once (the caller then reports `writer.check()`), rather than simulating on for nothing.
    explicit VcdTrace(VcdWriter& writer, bool pause_on_failure = true);

    /// Adds `signal` as `name` (dots open scopes); before sc_start. The value at time 0 is the
    /// signal's value at the end of time step 0.
    void add(const sc_core::sc_signal<bool>& signal, const std::string& name);
    void add(const sc_core::sc_signal<unsigned>& signal, const std::string& name);  ///< 32 bits

    VcdWriter& writer() { return writer_; }
    /// A write failed (the reason: writer().check()).
    bool failed() const { return writer_.failed(); }

private:
    template <class T>
    void watch(const sc_core::sc_signal<T>& signal, VcdWriter::Id id);
    void after_change();

    VcdWriter& writer_;
    bool pause_on_failure_;
    bool paused_ = false;
};

/// Adds every output line of every CPU interface (irq, fiq, virq, vfiq, maintenance), each
/// vCPU's running state and each interface's occupied-LR count, named
/// `<prefix>.cpu<i>.<signal>` (`vcpu<i>` in vm mode; prefix "" = the module's name).
VGIC_TLM_API void trace_vgic(VcdTrace& trace, VgicBase& gic, const std::string& prefix = "");
/// Adds each CPU's timer output levels as `<prefix>.cpu<i>.cntv` / `.cntp`.
VGIC_TLM_API void trace_timer(VcdTrace& trace, VirtualTimerBase& timer, const std::string& prefix = "");

} // namespace vgic::tlm
