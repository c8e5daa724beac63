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
//   vt::trace_cpus(trace, gic, &timer);      // before sc_start: one scope per (v)CPU
//   vt::InterruptStateTrace states(trace, gic, {40, 1});   // pending/active of INTIDs 40 and 1
//   sc_core::sc_start(...);
//   w.close(vt::time_ps(sc_core::sc_time_stamp()));  w.check();  // or trace.failed()
#pragma once

#include "vgic/tlm/export.hpp"

#include "vgic/tlm/vcd_writer.hpp"

#include <systemc>

#include <cstdint>
#include <memory>
#include <queue>
#include <string>
#include <vector>

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
    /// Adds a variable without a signal, `width` bits named `name`, whose value the caller
    /// sets with set(); before sc_start.
    VcdWriter::Id add_value(const std::string& name, unsigned width, std::uint64_t initial = 0);
    /// Variable `id` (from add_value) takes `value` at the current simulated time.
    void set(VcdWriter::Id id, std::uint64_t value);

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
/// The names and signals of trace_vgic(sc_trace_file*); platforms use trace_cpus().
VGIC_TLM_API void trace_vgic(VcdTrace& trace, VgicBase& gic, const std::string& prefix = "");
/// Adds each CPU's timer output levels as `<prefix>.cpu<i>.cntv` / `.cntp` (the names of
/// trace_timer(sc_trace_file*); platforms use trace_cpus()).
VGIC_TLM_API void trace_timer(VcdTrace& trace, VirtualTimerBase& timer, const std::string& prefix = "");

/// The scope of CPU `i` of `gic`: `vcpu<i>` in vm mode, `cpu<i>` in hw mode.
VGIC_TLM_API std::string cpu_scope(const VgicBase& gic, unsigned i);
/// The signal names trace_cpus() gives CPU `i`'s scope, in its order, for the GIC's mode and
/// with or without a timer: vm mode: virq, vfiq, maintenance, running, lrs_in_use (the
/// physical irq and fiq never move there: the engine drives the virtual lines); hw mode: irq,
/// fiq, virq, vfiq, maintenance, lrs_in_use (no running state: there is no world switch);
/// then, with a timer, cntv and cntp.
VGIC_TLM_API std::vector<std::string> cpu_signal_names(const VgicBase& gic, bool with_timer);
/// One scope per (v)CPU, `<prefix>.<cpu_scope>`, holding the GIC lines of that CPU that can
/// change in the GIC's mode and, with `timer` (may be null), that CPU's timer lines
/// (cpu_signal_names()). prefix "" = the GIC module's name.
VGIC_TLM_API void trace_cpus(VcdTrace& trace, VgicBase& gic, VirtualTimerBase* timer, const std::string& prefix = "");

/// The pending and active state of chosen INTIDs as the model holds it (hw mode: the
/// distributor; vm mode: the virtual distributor and the list registers together,
/// VmGic::pending_for / active_for), as 1-bit variables:
///   SGI or PPI (INTID < 32), per CPU:  `<prefix>.<cpu_scope>.intid<N>.pending` / `.active`
///   SPI:                               `<prefix>.intid<N>.pending` / `.active`
/// (a GICv2 SGI is pending when it is pending from any source). The state is sampled, and a
/// change written at the simulated time it happened, whenever it can change: at the effect
/// instant of every access that acknowledged, completed, deactivated or generated an
/// interrupt (Vgic::on_interrupt_event), when any output line, running state or LR count of
/// the GIC changes, when a timer line changes, and when the owner calls input_changed()
/// after driving an input (set_spi_level / set_ppi_level, which the GIC does not report).
/// Construct before sc_start; keep it alive during the simulation.
class VGIC_TLM_API InterruptStateTrace {
public:
    InterruptStateTrace(VcdTrace& trace, VgicBase& gic, std::vector<std::uint32_t> intids, const std::string& prefix = "",
                        VirtualTimerBase* timer = nullptr);
    /// An input of the GIC changed now: sample.
    void input_changed() { sample(); }
    /// The variables' names, in declaration order.
    const std::vector<std::string>& names() const { return names_; }
    /// INTIDs beyond the GIC's are skipped; these are the ones traced.
    const std::vector<std::uint32_t>& intids() const { return intids_; }

private:
    struct Var {
        unsigned cpu;
        std::uint32_t intid;
        bool spi;
        VcdWriter::Id pending, active;
    };
    void sample();
    void sample_at(std::uint64_t t_ps);
    void due();
    bool pending(const Var& v) const;
    bool active(const Var& v) const;

    VcdTrace& trace_;
    VgicBase& gic_;
    std::vector<std::uint32_t> intids_;
    std::vector<Var> vars_;
    std::vector<std::string> names_;
    std::priority_queue<std::uint64_t, std::vector<std::uint64_t>, std::greater<std::uint64_t>> times_;
    std::unique_ptr<sc_core::sc_event> due_;
};

} // namespace vgic::tlm
