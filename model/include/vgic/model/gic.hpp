// SPDX-License-Identifier: Apache-2.0
// A complete GICv2 interrupt controller with the virtualization extensions, like an Arm
// GIC-400 (the `hw` mode): one distributor, and per CPU a physical CPU interface (GICC), a
// virtual interface control frame (GICH) with its list registers and a virtual CPU
// interface (GICV). The user's hypervisor programs the list registers. Output lines are
// reported to a LineObserver. Plain C++17; time does not exist at this layer.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/access.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/cpu_interface.hpp"
#include "vgic/model/distributor.hpp"
#include "vgic/model/observer.hpp"
#include "vgic/model/state.hpp"
#include "vgic/model/virtual_cpu_interface.hpp"

#include <memory>
#include <vector>

namespace vgic {

class VGIC_MODEL_API Gic {
public:
    /// Validates `config` (throws ConfigError) and builds the GIC in its reset state.
    explicit Gic(const GicConfig& config);
    Gic(const Gic&) = delete;
    Gic& operator=(const Gic&) = delete;
    ~Gic();

    /// Architectural reset of the whole GIC, acting as a pulse: afterwards the state equals
    /// that of a Gic freshly constructed with the same configuration (export_state and
    /// save_snapshot are identical but for the diagnostics counters, kept below):
    ///  - the distributor (GICD, and with GICv3 every redistributor) as Distributor::reset;
    ///  - every CPU interface (GICC / ICC_) as CpuInterface::reset: disabled, PMR 0, no active
    ///    priority, so IAR reads 1023;
    ///  - every virtual interface (GICH / ICH_, its list registers, GICV / ICV_) as
    ///    VirtualCpuInterface::reset: HCR 0, LRs 0, maintenance low;
    ///  - HCR_EL2.IMO/FMO (set_virtual_routing), which the model keeps for the PE, 0 as in a
    ///    fresh Gic: a PE that is not reset with the GIC calls set_virtual_routing again;
    ///  - register writes pending (RWP) complete.
    /// Output lines: every Irq, Fiq, VIrq, VFiq and Maintenance line that was high falls
    /// now, and the LineObserver gets line_changed(cpu, line, false) for each, synchronously
    /// inside reset(); nothing is left to report later (no line is high after reset()).
    /// Input lines: the levels set with set_spi_level / set_ppi_level are forgotten (low, as
    /// constructed); a GIC reset does not change the devices' wires, so the caller re-applies
    /// each input that is still high with set_spi_level / set_ppi_level after reset() (a
    /// level-sensitive interrupt whose line is high is then pending again, but disabled until
    /// software enables it). Kept: the configuration, the LineObserver, the InterruptObserver,
    /// set_rwp_tracking, and the Diagnostics (counters, last(), sink: they count the guest's
    /// bad accesses over the whole run; diagnostics().set_counts(0, 0) clears them).
    void reset();

    /// Distributor (GICD) access from CPU `cpu` (the CPU selects the banked registers).
    AccessResult read_distributor(unsigned cpu, std::uint32_t offset, unsigned size,
                                  AccessMode mode = AccessMode::Normal);
    AccessResult write_distributor(unsigned cpu, std::uint32_t offset, unsigned size,
                                   std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// CPU interface (GICC, 8 KiB frame) access by CPU `cpu`.
    AccessResult read_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                    AccessMode mode = AccessMode::Normal);
    AccessResult write_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                     std::uint64_t value, AccessMode mode = AccessMode::Normal);

    /// GICH of CPU `cpu` (the "this CPU" frame at GIC base + 0x4000 as seen by `cpu`).
    /// Throws std::logic_error when the virtualization extensions are disabled.
    AccessResult read_hyp_control(unsigned cpu, std::uint32_t offset, unsigned size,
                                  AccessMode mode = AccessMode::Normal);
    AccessResult write_hyp_control(unsigned cpu, std::uint32_t offset, unsigned size,
                                   std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// The GICH alias region (GIC base + 0x5000): CPU n's GICH at n * 0x200, reachable from
    /// any CPU (`accessor` is only reported in diagnostics). An alias of an absent CPU is a
    /// bad access.
    AccessResult read_hyp_control_alias(unsigned accessor, std::uint32_t offset, unsigned size,
                                        AccessMode mode = AccessMode::Normal);
    AccessResult write_hyp_control_alias(unsigned accessor, std::uint32_t offset, unsigned size,
                                         std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// GICV of CPU `cpu` (8 KiB, GICC layout).
    AccessResult read_virtual_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                            AccessMode mode = AccessMode::Normal);
    AccessResult write_virtual_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                             std::uint64_t value, AccessMode mode = AccessMode::Normal);

    /// The hypervisor's world switch of CPU `cpu`'s virtual interface: save the state
    /// (HCR, VMCR, APR, LRs), or load one (output lines and the maintenance PPI follow at
    /// once). restore throws std::invalid_argument for a different LR count, unchanged.
    VcpuInterfaceState save_virtual_interface(unsigned cpu) const;
    void restore_virtual_interface(unsigned cpu, const VcpuInterfaceState& state);

    // ---- GICv3 (config.version == GicVersion::V3) -------------------------------------------
    // With version 3 the distributor frame above is the 64 KiB GICv3 GICD (affinity routing
    // always on), GICC/GICH/GICV frames do not exist (their accessors report a bad access),
    // and the CPU interface is reached through system registers.

    /// The GICR region: redistributor n at n * 0x20000 (RD_base, then SGI_base at +0x10000).
    /// `accessor` is only reported in diagnostics. Offsets past the last redistributor are
    /// bad accesses. With version 2: a bad access (no redistributors).
    AccessResult read_redistributor(unsigned accessor, std::uint32_t offset, unsigned size,
                                    AccessMode mode = AccessMode::Normal);
    AccessResult write_redistributor(unsigned accessor, std::uint32_t offset, unsigned size,
                                     std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// MRS / MSR by CPU `cpu`, `encoding` as gicv3::sysreg (op0:op1:CRn:CRm:op2). ICC_ EL1
    /// registers reach the physical CPU interface, or its virtual twin (ICV_) where
    /// HCR_EL2.IMO/FMO route them (set_virtual_routing); ICH_ registers reach this CPU's
    /// virtual interface control; ICC_SGI0R/SGI1R/ASGI1R generate SGIs; HCR_EL2 holds only
    /// IMO (bit 4) and FMO (bit 3) here. Any other encoding is a bad access (frame "SYSREG").
    AccessResult read_sysreg(unsigned cpu, std::uint32_t encoding, AccessMode mode = AccessMode::Normal);
    AccessResult write_sysreg(unsigned cpu, std::uint32_t encoding, std::uint64_t value,
                              AccessMode mode = AccessMode::Normal);
    /// HCR_EL2.IMO / FMO of CPU `cpu` (IHI 0069 "Virtual interrupt handling"): IMO sends the
    /// Group 1 EL1 registers (IAR1, EOIR1, HPPIR1, BPR1, AP1Rn, IGRPEN1) to ICV_, FMO the
    /// Group 0 ones; CTLR, PMR, RPR and DIR go to ICV_ when either is set.
    void set_virtual_routing(unsigned cpu, bool imo, bool fmo);
    /// HCR_EL2.IMO / FMO of CPU `cpu` as set_virtual_routing (or an HCR_EL2 write) left them.
    bool virtual_routing_imo(unsigned cpu) const;
    bool virtual_routing_fmo(unsigned cpu) const;
    /// Register-write-pending emulation (GICD_CTLR.RWP, GICR_CTLR.RWP). Off (default): every
    /// write completes at once and RWP reads 0. On: a write that changes group enables or
    /// clears interrupt enables sets RWP until complete_register_writes() (the TLM layer calls
    /// it after the profile's completion time).
    void set_rwp_tracking(bool on);
    bool register_write_pending() const;
    void complete_register_writes();

    /// Input lines. Throw std::out_of_range for a CPU or INTID that does not exist, or for
    /// the maintenance PPI, which the GIC drives itself.
    void set_ppi_level(unsigned cpu, std::uint32_t intid, bool level);
    void set_spi_level(std::uint32_t intid, bool level);

    /// Current level of an output line.
    bool line(unsigned cpu, Line line) const;
    /// Receives every later line change (nullptr to detach). Not owned.
    void set_observer(LineObserver* observer) { observer_ = observer; }
    /// Reports what every CPU interface (GICC/ICC_ and GICV/ICV_) does with interrupts, and
    /// SGI generation (nullptr: none).
    void set_interrupt_observer(InterruptObserver* observer);

    const GicConfig& config() const { return config_; }
    Diagnostics& diagnostics() { return diag_; }
    const Diagnostics& diagnostics() const { return diag_; }
    const Distributor& distributor() const { return dist_; }
    const CpuInterface& cpu_interface(unsigned cpu) const { return *cpus_.at(cpu); }
    bool has_virtualization() const { return config_.virt.enabled; }
    const VirtualCpuInterface& virtual_interface(unsigned cpu) const;

    // ---- whole-GIC state (snapshots: vgic/model/snapshot.hpp; plain values: state.hpp) ---

    /// Everything but what is derived (priority queues, LR summary masks, line levels), the
    /// configuration, the observer and the diagnostics sink / last report.
    struct State {
        std::uint64_t bad_access_count = 0;   ///< Diagnostics counters
        std::uint64_t guest_error_count = 0;
        Distributor::State distributor;
        std::vector<CpuInterface::State> cpus;               ///< GICC of each CPU
        std::vector<VcpuInterfaceState> virtual_interfaces;  ///< GICH/GICV of each CPU; empty without virtualization
    };
    State export_state() const;
    /// The first reason `state` cannot be imported, or nothing. Besides each part's own
    /// checks, the maintenance PPI's input line must match the maintenance level of that
    /// CPU's GICH state (the GIC drives it). Paths: "/diagnostics/..." (none), "/distributor/...",
    /// "/cpus/<n>/gicc/...", "/cpus/<n>/gich/...".
    StateCheck check_state(const State& state) const;
    /// Throws StateError (nothing changes) if check_state() refuses. Otherwise replaces the
    /// whole state, rebuilds what is derived and recomputes every output line; the observer
    /// gets line_changed for each line whose level differs from before.
    void import_state(const State& state);

private:
    class DistributorPort;

    struct CpuLines {
        LineLevels physical;
        LineLevels virt;
        bool maintenance = false;
        // GICv3: HCR_EL2.IMO / FMO of this CPU (where EL1 ICC_ accesses go; not GIC state,
        // so not in State).
        bool imo = false;
        bool fmo = false;
    };

    void check_cpu(unsigned cpu, const char* what) const {
        if (cpu >= config_.num_cpus) throw_bad_cpu(cpu, what);  // inline: on every access
    }
    [[noreturn]] void throw_bad_cpu(unsigned cpu, const char* what) const;
    VirtualCpuInterface& vif(unsigned cpu, const char* what);
    AccessResult alias_access(unsigned accessor, std::uint32_t offset, unsigned size, bool is_write,
                              std::uint64_t value, AccessMode mode);
    void notify(unsigned cpu, Line line, bool level);
    /// Recomputes the output lines of `cpu` and of every CPU the distributor marked dirty,
    /// and tells the observer about each change.
    void settle(unsigned cpu);
    void settle_dirty();
    void update_lines(unsigned cpu);
    /// vIRQ/vFIQ and the maintenance level (also the maintenance PPI's input) of `cpu`.
    void update_virtual_lines(unsigned cpu);
    /// GICv3 system-register dispatch (gic_sysreg.cpp).
    AccessResult sysreg_access(unsigned cpu, std::uint32_t encoding, bool is_write, std::uint64_t value,
                               AccessMode mode);

    GicConfig config_;
    Diagnostics diag_;
    Distributor dist_;
    std::vector<std::unique_ptr<DistributorPort>> ports_;
    std::vector<std::unique_ptr<CpuInterface>> cpus_;
    std::vector<std::unique_ptr<VirtualCpuInterface>> vifs_;  // empty without virtualization
    std::vector<CpuLines> levels_;
    LineObserver* observer_ = nullptr;
};

} // namespace vgic
