// SPDX-License-Identifier: Apache-2.0
// SystemC/TLM-2.0 modules around the model: what users bind into a virtual platform.
//
//   Vgic                      top module: owns the model (hw: vgic::Gic, vm: vgic::VmGic)
//   ├── distributor           VgicDistributor: socket[cpu] (GICD), spi_in[k] (INTID 32+k)
//   ├── redistributor         VgicRedistributor (GICv3): one socket for the GICR region
//   ├── cpu[i]                VgicCpuIf: gicc, gich, gicv sockets (GICv2), sysreg socket
//   │                         (GICv3 ICC_/ICV_/ICH_); irq, fiq, virq, vfiq, maintenance
//   │                         outputs; ppi_in[k] (INTID 16+k); vm-mode events
//   └── gich_alias            hw mode: the GICH alias region (CPU n's GICH at n * 0x200)
//
// No module decodes a register: sockets pass (offset, size, data) to the model and add the
// frame's access latency to the b_transport delay. Output lines change at the right
// simulated time through timed events (signal_delay after the change in the model).
// In vm mode, each VgicCpuIf also runs its vCPU's hypervisor side: kicks, exits, LR sync,
// flush and entries, save and restore, each timed by the profile and announced by events.
#pragma once

#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#endif
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include "vgic/model/gic.hpp"
#include "vgic/model/vm_gic.hpp"
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

struct VgicParams {
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

/// Optional TLM extension naming the issuing CPU, for platforms that route all CPUs
/// through one bus into a single socket. Without it, the socket the access arrived on
/// decides (distributor socket[cpu], cpu[i].gicc ...).
class CpuIdExtension : public ::tlm::tlm_extension<CpuIdExtension> {
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

class Vgic;
class VirtualTimer;

/// The times of the access during which an InterruptEvent happened.
struct InterruptEventTimes {
    sc_core::sc_time issued;     ///< the initiator issued it (sc_time_stamp() + its delay)
    sc_core::sc_time effect;     ///< it took effect in the GIC (vm mode, trapped: the emulation instant)
    sc_core::sc_time completed;  ///< the initiator had its result (the read's data, the store's acknowledgement)
};

/// The register frames a socket can lead to. Gicr and Sysreg exist with GICv3 only; the
/// system-register "frame" is addressed by the MRS/MSR encoding (gicv3::sysreg).
enum class Frame { Gicd, Gicc, Gich, GichAlias, Gicv, Gicr, Sysreg };
inline constexpr unsigned kFrameCount = 7;

/// The distributor's sockets and SPI inputs.
class VgicDistributor : public sc_core::sc_module {
public:
    /// Sockets may stay unbound (a platform binds the frames it maps).
    using Socket = tlm_utils::simple_target_socket_tagged_optional<VgicDistributor, 32>;
    sc_core::sc_vector<Socket> socket;  ///< socket[cpu]: GICD as seen by that CPU
    sc_core::sc_vector<InputPort> spi_in;  ///< spi_in[k]: level of INTID 32 + k

    VgicDistributor(const sc_core::sc_module_name& name, Vgic& owner);

private:
    void b_transport(int cpu, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int cpu, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int cpu, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
    void end_of_elaboration() override;
    Vgic& owner_;
};

/// GICv3: the redistributor region (redistributor n at n * 128 KiB: RD_base, SGI_base).
/// One socket for every CPU's redistributor, as one GICR region in the memory map; the
/// accessing CPU (diagnostics only) comes from a CpuIdExtension, else CPU 0.
class VgicRedistributor : public sc_core::sc_module {
public:
    using Socket = tlm_utils::simple_target_socket_tagged_optional<VgicRedistributor, 32>;
    Socket socket;

    VgicRedistributor(const sc_core::sc_module_name& name, Vgic& owner);

private:
    void b_transport(int, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
    Vgic& owner_;
};

/// One CPU interface (hw) or vCPU (vm).
class VgicCpuIf : public sc_core::sc_module {
public:
    using Socket = tlm_utils::simple_target_socket_tagged_optional<VgicCpuIf, 32>;
    Socket gicc;  ///< hw: the physical CPU interface; vm: the guest's window = GICV
    Socket gich;  ///< this CPU's GICH (vm mode: read-only view of the engine's state)
    Socket gicv;  ///< this CPU's GICV
    /// GICv3: MRS/MSR of this CPU's ICC_/ICV_/ICH_ registers (and HCR_EL2.IMO/FMO):
    /// address = the encoding (op0:op1:CRn:CRm:op2, gicv3::sysreg), 4- or 8-byte data.
    /// A VirtualTimer's sysreg socket forwards every non-timer encoding here, so a platform
    /// with a timer binds one system-register socket per CPU.
    Socket sysreg;
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
    /// for platforms that avoid delta cycles.
    using LineCallback = std::function<void(Line line, bool level, const sc_core::sc_time& when)>;
    void on_line_change(LineCallback cb) { line_callback_ = std::move(cb); }

    /// vm mode: deschedule (exit + sync + save) / schedule (restore + flush + entry) this
    /// vCPU, timed. Returns immediately; completion is signalled by save_done/flush_done.
    void stop();
    void run();
    /// vm mode: is the vCPU in the guest (entered and not exited)?
    bool running() const;
    /// vm mode: does the scheduler want it to run (the last of stop()/run(), initially run)?
    /// During a switch this is the target state, running() the current one.
    bool scheduled() const { return want_running_; }

    VgicCpuIf(const sc_core::sc_module_name& name, Vgic& owner, unsigned index);

private:
    friend class Vgic;
    struct TimedLine {
        sc_core::sc_signal<bool>* level = nullptr;
        OutputPort* port = nullptr;
        std::deque<std::pair<sc_core::sc_time, bool>> queue;
        sc_core::sc_event wake;
    };
    void b_transport(int frame, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int frame, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int frame, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
    void schedule(Line line, bool level, const sc_core::sc_time& offset, bool restore = false);
    void fire(TimedLine& l);
    void hypervisor();  // vm mode SC_THREAD
    void end_of_elaboration() override;
public:
    /// Publishes the LR occupancy through lr_count_event_ (the signal has one writer).
    void update_lr_count();

private:
    void write_lr_count();

    Vgic& owner_;
    unsigned index_;
    TimedLine lines_[5];
    LineCallback line_callback_;
    sc_core::sc_event kick_event_, stop_event_, run_event_, lr_count_event_;
    unsigned lr_count_ = 0;
    bool want_running_ = true;  // scheduler's intent (vm)
    bool kick_by_ipi_ = false;  // vm: the pending kick comes from another physical CPU's hypervisor
    VcpuInterfaceState saved_;  // vm: the interface state saved by stop()
};

class Vgic : public sc_core::sc_module {
    // Declared first: the sub-modules below are sized from these.
    VgicParams params_;
    std::unique_ptr<Gic> hw_;
    std::unique_ptr<VmGic> vm_;

public:
    VgicDistributor distributor;
    VgicRedistributor redistributor;
    sc_core::sc_vector<VgicCpuIf> cpu;
    /// hw mode: the GICH alias region (CPU n's GICH at n * 0x200).
    tlm_utils::simple_target_socket_tagged_optional<Vgic, 32> gich_alias;

    /// Throws ConfigError for a bad configuration (also reported as vgic/config).
    Vgic(const sc_core::sc_module_name& name, const VgicParams& params);
    ~Vgic() override;

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

private:
    friend class VgicDistributor;
    friend class VgicRedistributor;
    friend class VirtualTimer;
    friend void restore_snapshot(Vgic&, VirtualTimer*, std::string_view);
    friend class VgicCpuIf;
    class Observer;

    static VgicParams checked(const VgicParams& p);
    AccessResult access(Frame frame, unsigned cpu, std::uint32_t offset, unsigned size, bool is_write,
                        std::uint64_t value, AccessMode mode, const sc_core::sc_time& offset_time);
    void transport(Frame frame, unsigned cpu, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(Frame frame, unsigned cpu, ::tlm::tlm_generic_payload& tx);
    void alias_b_transport(int, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    /// Whether a guest access traps to the hypervisor (vm mode: GICD, GICR, SGI-register writes).
    bool traps(Frame frame, const ::tlm::tlm_generic_payload& tx) const;
    void deliver_wakes();
    unsigned alias_transport_dbg(int, ::tlm::tlm_generic_payload& tx);
    bool alias_dmi(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi& dmi);
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

/// Adds every output line of every CPU interface (irq, fiq, virq, vfiq, maintenance), each
/// vCPU's running state and each interface's occupied-LR count to `tf`, named
/// `<prefix>.cpu<i>.<signal>` (`vcpu<i>` in vm mode). Call before sc_start.
void trace_vgic(sc_core::sc_trace_file* tf, Vgic& gic, const std::string& prefix = "");

} // namespace vgic::tlm
