// SPDX-License-Identifier: Apache-2.0
// SystemC/TLM-2.0 modules around the model: what users bind into a virtual platform.
//
//   Vgic / Vgic64             top module (BasicVgic<32 | 64>: the sockets' bus width); owns
//   │                         the model (hw: vgic::Gic, vm: vgic::VmGic); `reset` input
//   ├── distributor           socket[cpu] (GICD, per-CPU), spi_in[k] (INTID 32+k)
//   ├── redistributor         GICv3: one socket for the GICR region (address-decoded)
//   ├── cpu[i]                gicc, gich, gicv sockets (GICv2), sysreg socket (GICv3
//   │                         ICC_/ICV_/ICH_), per-CPU; irq, fiq, virq, vfiq, maintenance
//   │                         outputs; ppi_in[k] (INTID 16+k); vm-mode events
//   ├── shared                gicd, gicc, gich, gicv, sysreg for CPUs on one bus
//   │                         (CpuIdExtension required)
//   └── gich_alias            hw mode: the GICH alias region (CPU n's GICH at n * 0x200)
//
// Only the sockets depend on the bus width (the BasicVgic* templates); everything else is in
// the non-template bases (VgicBase, VgicCpuIfBase, ...), compiled once into the library.
// No module decodes a register: sockets pass (offset, size, data) to the model and add the
// frame's access latency to the b_transport delay. Output lines change at the right
// simulated time through timed events (signal_delay after the change in the model).
// In vm mode, each CPU interface also runs its vCPU's hypervisor side: kicks, exits, LR sync,
// flush and entries, save and restore, each timed by the profile and announced by events.
// docs/INTEGRATION.md is the contract (which CPU an access comes from, reset, reports).
#pragma once

#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#endif
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "vgic/model/gic.hpp"
#include "vgic/model/vm_gic.hpp"
#include "vgic/tlm/export.hpp"
#include "vgic/tlm/timing_profile.hpp"

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vgic::tlm {

/// SystemC report message types of this library (filter with sc_report_handler).
inline constexpr const char* kMsgAccess = "vgic/access";  ///< bad guest accesses
inline constexpr const char* kMsgGuest = "vgic/guest";    ///< UNPREDICTABLE guest behaviour ignored
inline constexpr const char* kMsgConfig = "vgic/config";  ///< configuration errors

enum class Mode { Hw, Vm };

struct VGIC_TLM_API VgicParams {
    /// Distributor / CPU interface / list-register configuration. vm mode: `gic.vm` chooses
    /// KVM's behaviour (the default) or the architecture's where they differ (GICR_WAKER,
    /// GICv2 ITARGETSR; docs/MODEL.md "vm mode: what KVM guests expect").
    GicConfig gic{};
    Mode mode = Mode::Hw;   ///< hw: a GIC-400-like GIC; vm: one VM's vGIC + hypervisor engine
    TimingProfile timing{}; ///< the hardware; default: the zero preset (purely functional)
    /// vm mode: the hypervisor's software costs (traps, kicks, exits, LR flush/sync, vCPU
    /// switches). Unset: the timing profile's legacy_hypervisor if it carries one (an old
    /// timing file, or zcu104-bao), else the zero preset. Ignored in hw mode.
    std::optional<HypervisorProfile> hypervisor{};
    /// Seeded variation (docs/TIMING.md "Spread"). Unset, the default: every cost is its
    /// profile's exact value. Set: every cost whose parameter has a spread (in `timing` or the
    /// hypervisor profile) is drawn at each use, from streams seeded by this value, so the same
    /// seed reproduces every draw.
    std::optional<std::uint64_t> variation_seed{};
    /// The hypervisor costs this configuration runs with (see `hypervisor`).
    HypervisorProfile effective_hypervisor() const {
        if (hypervisor) return *hypervisor;
        if (timing.legacy_hypervisor) return *timing.legacy_hypervisor;
        return HypervisorProfile{};
    }
};

/// TLM extension naming the issuing CPU. Required on the shared sockets (`shared.*`: one socket
/// for every CPU, as on a platform whose CPUs share one bus); optional on a per-CPU socket,
/// where it must name that socket's CPU; optional on the address-decoded GICR and GICH-alias
/// regions, where it names the CPU in reports and (vm mode) which vCPU trapped. See
/// docs/INTEGRATION.md, "Which CPU an access comes from".
class VGIC_TLM_API CpuIdExtension : public ::tlm::tlm_extension<CpuIdExtension> {
public:
    explicit CpuIdExtension(unsigned cpu_index = 0) : cpu(cpu_index) {}
    ::tlm::tlm_extension_base* clone() const override { return new CpuIdExtension(cpu); }
    void copy_from(const ::tlm::tlm_extension_base& other) override {
        cpu = static_cast<const CpuIdExtension&>(other).cpu;
    }
    unsigned cpu;
};

/// An input that may be left unbound (a platform wires only the lines it uses).
using InputPort = sc_core::sc_port<sc_core::sc_signal_in_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;
/// An output that may be left unbound (callbacks and tracing still work).
using OutputPort = sc_core::sc_port<sc_core::sc_signal_inout_if<bool>, 1, sc_core::SC_ZERO_OR_MORE_BOUND>;

class VGIC_TLM_API VgicBase;
class VirtualTimerBase;

/// The times of the access during which an InterruptEvent happened.
struct VGIC_TLM_API InterruptEventTimes {
    sc_core::sc_time issued;     ///< the initiator issued it (sc_time_stamp() + its delay)
    sc_core::sc_time effect;     ///< it took effect in the GIC (vm mode, trapped: the emulation instant)
    sc_core::sc_time completed;  ///< the initiator had its result (the read's data, the store's acknowledgement)
};

/// The register frames a socket can lead to. Gicr and Sysreg exist with GICv3 only; the
/// system-register "frame" is addressed by the MRS/MSR encoding (gicv3::sysreg).
enum class Frame { Gicd, Gicc, Gich, GichAlias, Gicv, Gicr, Sysreg };
inline constexpr unsigned kFrameCount = 7;

/// How a socket learns the issuing CPU (docs/INTEGRATION.md, "Which CPU an access comes from").
enum class SocketKind {
    PerCpu,         ///< the socket is one CPU's; a CpuIdExtension naming another CPU is an error
    Shared,         ///< every CPU's; a CpuIdExtension is required
    AddressDecoded  ///< the offset selects the target (GICR, GICH alias); the extension is optional
};

/// A socket's TLM callbacks: every socket of the library passes its accesses to the owning
/// VgicBase with its frame, kind and (per-CPU) CPU. The sockets themselves live in the
/// BasicVgic* templates below (one per bus width); everything else is in these bases.
namespace detail {
struct SocketTarget {
    Frame frame;
    SocketKind kind;
    unsigned cpu;  // PerCpu: the socket's CPU; AddressDecoded: used when no extension says
};
} // namespace detail

/// The distributor: SPI inputs, and (BasicVgicDistributor) socket[cpu], GICD as seen by that CPU.
class VGIC_TLM_API VgicDistributorBase : public sc_core::sc_module {
public:
    sc_core::sc_vector<InputPort> spi_in;  ///< spi_in[k]: level of INTID 32 + k

protected:
    VgicDistributorBase(const sc_core::sc_module_name& name, VgicBase& owner);
    void b_transport(int cpu, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int cpu, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int cpu, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
    unsigned num_cpus() const;

private:
    void end_of_elaboration() override;
    VgicBase& owner_;
};

template <unsigned BusWidth>
class VGIC_TLM_API BasicVgicDistributor : public VgicDistributorBase {
public:
    /// Sockets may stay unbound (a platform binds the frames it maps).
    using Socket = tlm_utils::simple_target_socket_tagged_optional<BasicVgicDistributor, BusWidth>;
    sc_core::sc_vector<Socket> socket;  ///< socket[cpu]: GICD as seen by that CPU (per-CPU)

    BasicVgicDistributor(const sc_core::sc_module_name& name, VgicBase& owner)
        : VgicDistributorBase(name, owner), socket("socket", num_cpus()) {
        for (unsigned i = 0; i < socket.size(); ++i) {
            const int id = static_cast<int>(i);
            socket[i].register_b_transport(this, &BasicVgicDistributor::b_transport, id);
            socket[i].register_transport_dbg(this, &BasicVgicDistributor::transport_dbg, id);
            socket[i].register_get_direct_mem_ptr(this, &BasicVgicDistributor::get_direct_mem_ptr, id);
        }
    }
};

/// The callbacks of the sockets that are not one CPU's: the GICv3 redistributor region, the
/// GICv2 GICH alias region and the shared sockets.
class VGIC_TLM_API VgicRegionBase : public sc_core::sc_module {
protected:
    VgicRegionBase(const sc_core::sc_module_name& name, VgicBase& owner) : sc_module(name), owner_(owner) {}
    /// `target`: index into targets_.
    void b_transport(int target, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int target, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int target, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
    std::vector<detail::SocketTarget> targets_;
    VgicBase& owner_;
};

/// GICv3: the redistributor region (redistributor n at n * 128 KiB: RD_base, SGI_base).
/// One socket for every CPU's redistributor, as one GICR region in the memory map: the
/// offset selects the redistributor; a CpuIdExtension, if present, names the accessing CPU
/// (reports; vm mode: the trapping vCPU), else the redistributor's own CPU is taken.
template <unsigned BusWidth>
class VGIC_TLM_API BasicVgicRedistributor : public VgicRegionBase {
public:
    using Socket = tlm_utils::simple_target_socket_tagged_optional<BasicVgicRedistributor, BusWidth>;
    Socket socket;

    BasicVgicRedistributor(const sc_core::sc_module_name& name, VgicBase& owner)
        : VgicRegionBase(name, owner), socket("socket") {
        targets_.push_back({Frame::Gicr, SocketKind::AddressDecoded, 0});
        socket.register_b_transport(this, &BasicVgicRedistributor::b_transport, 0);
        socket.register_transport_dbg(this, &BasicVgicRedistributor::transport_dbg, 0);
        socket.register_get_direct_mem_ptr(this, &BasicVgicRedistributor::get_direct_mem_ptr, 0);
    }
};

/// Sockets shared by every CPU, for platforms whose CPUs reach the GIC through one bus: the
/// banked frames at one address each. Every access must carry a CpuIdExtension.
template <unsigned BusWidth>
class VGIC_TLM_API BasicVgicShared : public VgicRegionBase {
public:
    using Socket = tlm_utils::simple_target_socket_tagged_optional<BasicVgicShared, BusWidth>;
    Socket gicd;    ///< GICD
    Socket gicc;    ///< the CPU interface (hw: GICC; vm: the guest's GICV)
    Socket gich;    ///< GICH (GICv2 virtualization: the issuing CPU's own)
    Socket gicv;    ///< GICV (GICv2 virtualization, hw mode)
    Socket sysreg;  ///< GICv3 ICC_/ICV_/ICH_ system registers (address = encoding)

    BasicVgicShared(const sc_core::sc_module_name& name, VgicBase& owner)
        : VgicRegionBase(name, owner), gicd("gicd"), gicc("gicc"), gich("gich"), gicv("gicv"), sysreg("sysreg") {
        Socket* sockets[] = {&gicd, &gicc, &gich, &gicv, &sysreg};
        const Frame frames[] = {Frame::Gicd, Frame::Gicc, Frame::Gich, Frame::Gicv, Frame::Sysreg};
        for (unsigned i = 0; i < 5; ++i) {
            targets_.push_back({frames[i], SocketKind::Shared, 0});
            const int id = static_cast<int>(i);
            sockets[i]->register_b_transport(this, &BasicVgicShared::b_transport, id);
            sockets[i]->register_transport_dbg(this, &BasicVgicShared::transport_dbg, id);
            sockets[i]->register_get_direct_mem_ptr(this, &BasicVgicShared::get_direct_mem_ptr, id);
        }
    }
};

/// One CPU interface (hw) or vCPU (vm): lines, PPI inputs, vm-mode engine; its sockets are in
/// BasicVgicCpuIf.
class VGIC_TLM_API VgicCpuIfBase : public sc_core::sc_module {
public:
    OutputPort irq, fiq, virq, vfiq, maintenance;
    sc_core::sc_vector<InputPort> ppi_in;  ///< ppi_in[k]: level of INTID 16 + k of this CPU

    /// vm mode: notified when the engine finished syncing (exit), flushing (entry), saving
    /// (vCPU descheduled) or restoring (vCPU scheduled) this vCPU's interface.
    sc_core::sc_event sync_done, flush_done, save_done, restore_done;
    /// The internal signals (for tracing, and for reading levels without binding ports).
    sc_core::sc_signal<bool> irq_level, fiq_level, virq_level, vfiq_level, maintenance_level;
    sc_core::sc_signal<bool> running_state;   ///< vm: the vCPU is in the guest
    sc_core::sc_signal<unsigned> lrs_in_use;  ///< list registers not free (ELRSR clear)

    /// Called when a line change is scheduled, with the simulated time it takes effect;
    /// for platforms that avoid delta cycles. Several listeners may subscribe.
    using LineCallback = std::function<void(Line line, bool level, const sc_core::sc_time& when)>;
    void on_line_change(LineCallback cb) { line_callbacks_.push_back(std::move(cb)); }

    /// vm mode, from a thread modelling this vCPU: waits until the vCPU is in the guest
    /// (running_state high), the stall rule of docs/INTEGRATION.md; returns at once if it is
    /// (and always in hw mode).
    void wait_until_running() {
        while (!running_state.read()) sc_core::wait(running_state.posedge_event());
    }

    /// vm mode: deschedule (exit + sync + save) / schedule (restore + flush + entry) this
    /// vCPU, timed. Returns immediately; completion is signalled by save_done/flush_done.
    void stop();
    void run();
    /// vm mode: is the vCPU in the guest (entered and not exited)?
    bool running() const;
    /// vm mode: does the scheduler want it to run (the last of stop()/run(), initially run)?
    /// During a switch this is the target state, running() the current one.
    bool scheduled() const { return want_running_; }
    unsigned index() const { return index_; }

    /// Publishes the LR occupancy through lr_count_event_ (the signal has one writer).
    void update_lr_count();

protected:
    VgicCpuIfBase(const sc_core::sc_module_name& name, VgicBase& owner, unsigned index);
    /// `frame`: a Frame; the CPU is this interface's.
    void b_transport(int frame, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int frame, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int frame, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);

private:
    friend class VgicBase;
    struct TimedLine {
        sc_core::sc_signal<bool>* level = nullptr;
        OutputPort* port = nullptr;
        std::deque<std::pair<sc_core::sc_time, bool>> queue;
        sc_core::sc_event wake;
    };
    void schedule(Line line, bool level, const sc_core::sc_time& offset, bool restore = false);
    void fire(TimedLine& l);
    void hypervisor();  // vm mode SC_THREAD: runs engine(), again from its start after a reset
    void engine(unsigned generation);
    void end_of_elaboration() override;
    void write_lr_count();
    /// Reset (VgicBase::reset): lines low at once, nothing in flight, the engine's thread back
    /// at its start, the scheduler's intent "run".
    void reset_state();

    VgicBase& owner_;
    unsigned index_;
    TimedLine lines_[5];
    std::vector<LineCallback> line_callbacks_;
    sc_core::sc_event kick_event_, stop_event_, run_event_, lr_count_event_;
    sc_core::sc_event reset_event_;   // wakes the engine's thread to unwind it (reset_state)
    unsigned reset_generation_ = 0;  // counts resets
    unsigned lr_count_ = 0;
    bool want_running_ = true;  // scheduler's intent (vm)
    bool kick_by_ipi_ = false;  // vm: the pending kick comes from another physical CPU's hypervisor
    VcpuInterfaceState saved_;  // vm: the interface state saved by stop()
};

template <unsigned BusWidth>
class VGIC_TLM_API BasicVgicCpuIf : public VgicCpuIfBase {
public:
    using Socket = tlm_utils::simple_target_socket_tagged_optional<BasicVgicCpuIf, BusWidth>;
    Socket gicc;  ///< hw: the physical CPU interface; vm: the guest's window = GICV
    Socket gich;  ///< this CPU's GICH (vm mode: read-only view of the engine's state)
    Socket gicv;  ///< this CPU's GICV
    /// GICv3: MRS/MSR of this CPU's ICC_/ICV_/ICH_ registers (and HCR_EL2.IMO/FMO):
    /// address = the encoding (op0:op1:CRn:CRm:op2, gicv3::sysreg), 4- or 8-byte data.
    /// A VirtualTimer's sysreg socket forwards every non-timer encoding here, so a platform
    /// with a timer binds one system-register socket per CPU.
    Socket sysreg;

    BasicVgicCpuIf(const sc_core::sc_module_name& name, VgicBase& owner, unsigned index)
        : VgicCpuIfBase(name, owner, index), gicc("gicc"), gich("gich"), gicv("gicv"), sysreg("sysreg") {
        const Frame frames[4] = {Frame::Gicc, Frame::Gich, Frame::Gicv, Frame::Sysreg};
        Socket* sockets[4] = {&gicc, &gich, &gicv, &sysreg};
        for (unsigned i = 0; i < 4; ++i) {
            const int id = static_cast<int>(frames[i]);
            sockets[i]->register_b_transport(this, &BasicVgicCpuIf::b_transport, id);
            sockets[i]->register_transport_dbg(this, &BasicVgicCpuIf::transport_dbg, id);
            sockets[i]->register_get_direct_mem_ptr(this, &BasicVgicCpuIf::get_direct_mem_ptr, id);
        }
    }
};

/// The GIC module without its sockets: the model, timing, lines, reset, callbacks. Construct
/// a BasicVgic (Vgic, Vgic64); functions that work with either bus width take a VgicBase&.
class VGIC_TLM_API VgicBase : public sc_core::sc_module {
    // Declared first: the sub-modules are sized from these.
    VgicParams params_;
    std::unique_ptr<Gic> hw_;
    std::unique_ptr<VmGic> vm_;

public:
    /// The reset input: an InputPort (bind it as any port: `gic.reset(signal)`), which also
    /// pulses when called without arguments (`gic.reset()`).
    class ResetPort : public InputPort {
    public:
        ResetPort(const char* name, VgicBase& owner) : InputPort(name), owner_(owner) {}
        using InputPort::operator();
        /// A reset pulse, as if the input rose and fell now (VgicBase::reset_pulse).
        void operator()() { owner_.reset_pulse(); }

    private:
        VgicBase& owner_;
    };
    /// Reset, active high and level-sensitive (may stay unbound): while high, every register,
    /// list register and pending state is at its reset value, the outputs are low, input
    /// changes are only remembered and accesses get TLM_GENERIC_ERROR_RESPONSE plus a report;
    /// on the falling edge the module is as freshly constructed and samples its input levels
    /// again. `reset()` is a pulse.
    ResetPort reset;

    ~VgicBase() override;

    /// A reset pulse (as if `reset` rose and fell now): the state of a freshly constructed
    /// module; lines fall at once; timed events in flight are cancelled; vm mode: the VM's
    /// reset (engine, vCPUs running, and a VirtualTimer built on this GIC resets too); input
    /// lines still high are sampled again. While `reset` is held high it changes nothing.
    void reset_pulse();
    /// Whether the module is held in reset (the `reset` input is high).
    bool in_reset() const { return in_reset_; }

    /// The CPU interface modules as their base (BasicVgic::cpu has them with their sockets).
    VgicCpuIfBase& cpu_if(unsigned i) { return *cpus_.at(i); }
    const VgicCpuIfBase& cpu_if(unsigned i) const { return *cpus_.at(i); }
    unsigned num_cpus() const { return params_.gic.num_cpus; }

    /// Direct input lines, for platforms without signals (take effect at the current
    /// simulated time plus `offset`).
    void set_spi_level(std::uint32_t intid, bool level, const sc_core::sc_time& offset = sc_core::SC_ZERO_TIME);
    void set_ppi_level(unsigned cpu, std::uint32_t intid, bool level,
                       const sc_core::sc_time& offset = sc_core::SC_ZERO_TIME);

    /// vm mode: called when the guest deactivates a HW-mapped interrupt (virtual and
    /// physical INTID), e.g. the virtual timer's PPI. Several listeners may subscribe.
    using PhysicalDeactivateCallback = std::function<void(unsigned cpu, std::uint32_t vintid, std::uint32_t pintid)>;
    void on_physical_deactivate(PhysicalDeactivateCallback cb) { deactivate_callbacks_.push_back(std::move(cb)); }

    /// vm mode: called at the simulated instant an interrupt becomes pending and enabled for a
    /// vCPU that is not in the guest (during the input change that caused it, or, for a trapped
    /// access, at its emulation instant from a method process), so a scheduler can wake a vCPU
    /// it blocked in WFI. One listener. An interrupt that arrives while the vCPU is still in the
    /// guest kicks it instead: a scheduler blocking a vCPU must also ask
    /// vm_model()->wake_pending() (docs/SCENARIO.md, "WFI and wake-ups").
    using WakeCallback = std::function<void(unsigned vcpu)>;
    void on_pending_while_stopped(WakeCallback cb) { wake_callback_ = std::move(cb); }

    /// What the GIC did with an interrupt during a timed guest access (b_transport): an IAR
    /// read acknowledged it, an EOIR dropped its priority, a DIR deactivated it, an SGI write
    /// generated it (vgic::InterruptEvent), with the access's times. For tracing and latency
    /// measurement from real code: the platform learns what an access meant without decoding
    /// registers. Called after the access completed (from b_transport, not a process).
    using InterruptEventCallback = std::function<void(InterruptEvent event, unsigned cpu, bool virtual_interface,
                                                      std::uint32_t intid, const InterruptEventTimes& times)>;
    void on_interrupt_event(InterruptEventCallback cb) { event_callbacks_.push_back(std::move(cb)); }

    /// vm mode: whether a trapped access called from a thread waits in b_transport until its
    /// emulation instant and changes the model's state then (the default), rather than when
    /// it is issued with the instant as annotated delay. A platform that runs a guest's boot
    /// untimed, ignoring every delay, turns it off for that time.
    void synchronize_traps(bool on) { sync_traps_ = on; }

    const VgicParams& params() const { return params_; }
    /// vm mode: the hypervisor costs in use (VgicParams::effective_hypervisor()).
    const HypervisorProfile& hypervisor() const { return hyp_; }
    Mode mode() const { return params_.mode; }
    /// The model underneath (one of them is null, by mode).
    Gic* hw_model() { return hw_.get(); }
    VmGic* vm_model() { return vm_.get(); }
    Diagnostics& diagnostics();
    /// Latency of one access to `frame`.
    sc_core::sc_time latency(Frame frame) const;
    /// The simulated instant the last timed access by CPU `cpu` had its effect in the GIC: a
    /// trapped access's emulation instant (vm mode), a store reaching the GIC, a read being
    /// served. SC_ZERO_TIME before its first access. For measurements (the emulation stamp
    /// of an instrumented hypervisor).
    sc_core::sc_time last_effect(unsigned cpu) const { return last_effect_.at(cpu); }
    static sc_core::sc_time ps(std::uint64_t picoseconds);

protected:
    /// Throws ConfigError for a bad configuration (reported first as vgic/config, SC_WARNING).
    VgicBase(const sc_core::sc_module_name& name, const VgicParams& params);
    /// BasicVgic's constructor hands over its CPU interfaces (in index order).
    void attach_cpu_interface(VgicCpuIfBase& c) { cpus_.push_back(&c); }
    void alias_b_transport(int, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned alias_transport_dbg(int, ::tlm::tlm_generic_payload& tx);
    bool alias_dmi(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);

private:
    friend class VgicDistributorBase;
    friend class VgicRegionBase;
    friend class VirtualTimerBase;
    friend void restore_snapshot(VgicBase&, VirtualTimerBase*, std::string_view);
    friend class VgicCpuIfBase;
    class Observer;

    VgicParams checked(const VgicParams& p) const;
    AccessResult access(Frame frame, unsigned cpu, std::uint32_t offset, unsigned size, bool is_write,
                        std::uint64_t value, AccessMode mode, const sc_core::sc_time& offset_time);
    void transport(const detail::SocketTarget& target, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(const detail::SocketTarget& target, ::tlm::tlm_generic_payload& tx);
    /// The issuing CPU of an access through `target` (socket kinds, CpuIdExtension), or -1 after
    /// reporting why there is none; `debug`: say nothing (transport_dbg).
    int issuing_cpu(const detail::SocketTarget& target, ::tlm::tlm_generic_payload& tx, bool debug);
    /// The size of the region behind a socket of `frame`.
    std::uint64_t frame_span(Frame frame) const;
    /// A refusal by the socket layer (before the model): a vgic/access report naming this
    /// instance, the frame, offset, width and CPU, and the response status.
    void refuse(const detail::SocketTarget& target, int cpu, ::tlm::tlm_generic_payload& tx,
                ::tlm::tlm_response_status status, const std::string& why);
    /// Whether a guest access traps to the hypervisor (vm mode: GICD, GICR, SGI-register writes).
    bool traps(Frame frame, const ::tlm::tlm_generic_payload& tx) const;
    void deliver_wakes();
    void end_of_elaboration() override;
    void reset_changed();  // method: the reset input moved
    void enter_reset();
    void leave_reset();
    /// Input levels as last set (ports or set_*_level), kept through reset and applied again
    /// after it: [intid - 32] and [cpu * 16 + intid - 16].
    std::vector<bool> spi_levels_, ppi_levels_;
    bool in_reset_ = false;
    std::uint64_t resets_ = 0;  // resets so far (an access waiting in b_transport checks it)
    std::vector<std::function<void()>> reset_listeners_;  // VirtualTimerBase (vm mode)
    std::vector<VgicCpuIfBase*> cpus_;
    void report_diagnostic(const BadAccess& b);
    void after_access(Frame frame, unsigned cpu, std::uint32_t offset);
    void service_functional_kicks();
    void precompute_latencies();
    /// GICv3 RWP: after a GICD/GICR write left RWP set, complete it rwp_complete later.
    void schedule_rwp_completion(const sc_core::sc_time& offset);
    void complete_rwp();

    /// One use of a hardware parameter (an access, a store, the signal delay): its exact
    /// value, or a draw from its spread with variation on.
    std::uint64_t hw_cost(std::uint64_t TimingProfile::*member) { return hw_draw_(member); }
    /// One use of a hypervisor parameter, likewise.
    std::uint64_t hyp_cost(std::uint64_t HypervisorProfile::*member) { return hyp_draw_(member); }
    /// The parameters of a read of `frame` and of a store to it (vm mode: the guest's GICC is
    /// its GICV; trapped frames are timed by the hypervisor instead).
    std::uint64_t TimingProfile::*read_parameter(Frame frame) const;
    std::uint64_t TimingProfile::*write_parameter(Frame frame) const;

    HypervisorProfile hyp_;  // vm: the costs in use
    ParameterDraw<TimingProfile> hw_draw_;
    ParameterDraw<HypervisorProfile> hyp_draw_;
    bool varies_ = false;  // some cost is drawn: the precomputed latencies below are not used
    bool sync_traps_ = true;  // see synchronize_traps()
    static bool called_from_thread();
    std::unique_ptr<Observer> observer_;
    std::vector<PhysicalDeactivateCallback> deactivate_callbacks_;
    struct PendingEvent {
        InterruptEvent event;
        unsigned cpu;
        bool virtual_interface;
        std::uint32_t intid;
    };
    std::vector<InterruptEventCallback> event_callbacks_;
    std::vector<PendingEvent> access_events_;  // reported during the current timed access
    bool in_timed_access_ = false;
    WakeCallback wake_callback_;
    sc_core::sc_time now_offset_ = sc_core::SC_ZERO_TIME;  // local-time offset of the current operation
    bool functional_engine_ = false;  // vm: every engine cost is zero -> kicks serviced at once
    bool kick_requested_ = false;
    bool restoring_ = false;  // a snapshot restore: line levels apply without signal delay
    sc_core::sc_time latency_[kFrameCount];  // per Frame: a read's round trip
    sc_core::sc_time write_effect_[kFrameCount];  // per Frame: a store takes effect
    sc_core::sc_time write_seen_[kFrameCount];    // per Frame: the CPU may go on after a store
    // vm mode, during a trapped access: who made it (-1: none) and the time the sender spent
    // so far telling the physical CPUs of the vCPUs it kicked there (one ipi_send each).
    int trap_vcpu_ = -1;
    std::uint64_t remote_send_ps_ = 0;
    std::vector<sc_core::sc_time> last_effect_;  // per CPU, see last_effect()
    // Wake-ups reported during a trapped access take effect at its emulation instant.
    std::deque<std::pair<sc_core::sc_time, unsigned>> wake_queue_;
    sc_core::sc_event wake_event_;
    sc_core::sc_event rwp_event_;  // GICv3: completes pending register writes
    sc_core::sc_time signal_delay_;
    std::vector<bool> kicked_;  // functional mode: vCPUs whose kick is being serviced
};

/// The GIC module with target sockets of `BusWidth` bits (32 or 64; TLM-2.0 BUSWIDTH: it
/// decides which initiator sockets bind, every access width the architecture allows works
/// with both). docs/INTEGRATION.md.
template <unsigned BusWidth>
class VGIC_TLM_API BasicVgic : public VgicBase {
    static_assert(BusWidth == 32 || BusWidth == 64, "vgic-tlm sockets are 32 or 64 bits wide");

public:
    BasicVgicDistributor<BusWidth> distributor;
    BasicVgicRedistributor<BusWidth> redistributor;
    sc_core::sc_vector<BasicVgicCpuIf<BusWidth>> cpu;
    /// One socket per banked frame for every CPU (CpuIdExtension required).
    BasicVgicShared<BusWidth> shared;
    /// hw mode: the GICH alias region (CPU n's GICH at n * 0x200; address-decoded).
    tlm_utils::simple_target_socket_tagged_optional<BasicVgic, BusWidth> gich_alias;

    /// Throws ConfigError for a bad configuration (reported first as vgic/config, SC_WARNING).
    BasicVgic(const sc_core::sc_module_name& name, const VgicParams& params)
        : VgicBase(name, params),
          distributor("distributor", *this),
          redistributor("redistributor", *this),
          cpu("cpu", num_cpus(),
              [this](const char* n, std::size_t i) {
                  return new BasicVgicCpuIf<BusWidth>(n, *this, static_cast<unsigned>(i));
              }),
          shared("shared", *this),
          gich_alias("gich_alias") {
        for (unsigned i = 0; i < cpu.size(); ++i) attach_cpu_interface(cpu[i]);
        gich_alias.register_b_transport(this, &BasicVgic::alias_b_transport, 0);
        gich_alias.register_transport_dbg(this, &BasicVgic::alias_transport_dbg, 0);
        gich_alias.register_get_direct_mem_ptr(this, &BasicVgic::alias_dmi, 0);
    }
};

using Vgic = BasicVgic<32>;
using Vgic64 = BasicVgic<64>;
using VgicCpuIf = BasicVgicCpuIf<32>;
using VgicCpuIf64 = BasicVgicCpuIf<64>;

/// Adds every output line of every CPU interface (irq, fiq, virq, vfiq, maintenance), each
/// vCPU's running state and each interface's occupied-LR count to `tf`, named
/// `<prefix>.cpu<i>.<signal>` (`vcpu<i>` in vm mode). Call before sc_start.
VGIC_TLM_API void trace_vgic(sc_core::sc_trace_file* tf, VgicBase& gic, const std::string& prefix = "");

} // namespace vgic::tlm
