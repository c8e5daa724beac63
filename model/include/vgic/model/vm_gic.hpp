// SPDX-License-Identifier: Apache-2.0
// The `vm` mode: one virtual machine's virtual GIC, with the model also playing the
// hypervisor's vGIC software the way KVM does (arch/arm64/kvm/vgic/vgic.c, vgic-v2.c).
//
// The guest sees a distributor (trapped and emulated: every access is a vCPU exit) and, as
// its CPU interface, the GICV frame of its vCPU's virtual interface. Interrupts live in the
// virtual distributor; on every vCPU entry the engine *flushes*: it fills the free list
// registers with the vCPU's best in-flight interrupts, active ones and pending ones in
// priority order (an interrupt in an LR is "parked" in the distributor). On every exit it
// *syncs*: reads the list registers back, folds their state into the distributor and
// empties them. In between, the guest acknowledges and completes interrupts in the list
// registers without exits.
//
// Life of an overflow: more in flight than list registers. The best go into LRs; the rest
// stay queued and GICH_HCR asks for the maintenance interrupt that gives the engine control
// back when an LR frees up (UIE with two or more LRs; NPIE / EOI=1 with one, because U
// would assert at once). Because the order is by priority, an active interrupt may be
// evicted by a higher-priority pending one: the guest can still preempt (no live-lock with
// more active interrupts than LRs, section 3 items 6 and 14). An evicted active interrupt
// that the guest completes is counted in GICH_HCR.EOICount (LRENPIE is set while any are
// evicted) and deactivated at the next sync, highest priority first (the nesting order).
//
// Kicks: when a running vCPU's situation changes (a new interrupt that would improve its
// LRs, or that would otherwise wait with no maintenance interrupt armed to bring control
// back, a re-triggered interrupt already in an LR, a maintenance condition), the model asks
// for a kick through VmObserver::kick; whoever drives time (the TLM layer, or
// service_kicks() in untimed use) performs the exit + entry.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/access.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/distributor.hpp"
#include "vgic/model/list_register.hpp"
#include "vgic/model/observer.hpp"
#include "vgic/model/state.hpp"
#include "vgic/model/virtual_cpu_interface.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace vgic {

/// Notifications from a VmGic. line_changed reports VIrq, VFiq and Maintenance per vCPU.
class VGIC_MODEL_API VmObserver : public LineObserver {
public:
    void line_changed(unsigned, Line, bool) override {}
    /// Running vCPU `vcpu` must exit (and re-enter) so the engine can update its LRs.
    virtual void kick(unsigned vcpu) { (void)vcpu; }
    /// An interrupt became in flight (pending and enabled) for vCPU `vcpu` while it is not
    /// running: a scheduler that blocked it in WFI wakes it here (KVM's kvm_vcpu_kick of a
    /// blocked vCPU, kvm_vgic_vcpu_pending_irq). The priority mask is not applied: as in KVM
    /// the vCPU is woken and finds out itself.
    virtual void pending_while_stopped(unsigned vcpu) { (void)vcpu; }
    /// The guest deactivated HW-mapped `virtual_id`: deactivate `physical_id` (the virtual
    /// timer of step 4 listens here).
    virtual void physical_deactivate(unsigned vcpu, std::uint32_t virtual_id, std::uint32_t physical_id) {
        (void)vcpu, (void)virtual_id, (void)physical_id;
    }
    /// The engine rewrote vCPU `vcpu`'s list registers (a flush, a sync or a restore). A
    /// trapped GICD/GICR access can do this to other vCPUs than the one that made it, so
    /// whatever shows LR occupancy listens here instead of re-reading every vCPU per access.
    virtual void list_registers_changed(unsigned vcpu) { (void)vcpu; }
};

/// Counters of the list-register engine, per VM.
struct VGIC_MODEL_API LrEngineStats {
    std::uint64_t flushes = 0;
    std::uint64_t syncs = 0;
    std::uint64_t lr_writes = 0;  ///< list registers populated by flushes
    std::uint64_t lr_reads = 0;   ///< non-empty list registers read back by syncs
    std::uint64_t overflows = 0;  ///< flushes that left interrupts queued
    std::uint64_t evictions = 0;  ///< flushes that left an active interrupt outside the LRs
    std::uint64_t kicks = 0;
    std::uint64_t maintenance_kicks = 0;
    std::uint64_t eoicount_deactivations = 0;
    std::uint64_t trap_syncs = 0;  ///< other vCPUs stopped for an active/pending-state access
};

struct VGIC_MODEL_API FlushReport {
    unsigned lrs_written = 0;
    bool overflow = false;
};

struct VGIC_MODEL_API SyncReport {
    unsigned lrs_read = 0;    ///< non-empty LRs read back (empty ones cost only the ELRSR read)
    unsigned eoi_count = 0;   ///< GICH_HCR.EOICount found
};

class VGIC_MODEL_API VmGic {
public:
    /// `config.num_cpus` is the number of vCPUs; `config.virt` describes each vCPU's
    /// virtual interface (must be enabled). Throws ConfigError.
    explicit VmGic(const GicConfig& config);
    VmGic(const VmGic&) = delete;
    VmGic& operator=(const VmGic&) = delete;
    ~VmGic();

    /// VM reset, acting as a pulse: afterwards the state equals that of a VmGic freshly
    /// constructed with the same configuration on which the same map_hw calls were made
    /// (export_state and save_snapshot are identical but for the counters kept below):
    ///  - the virtual distributor (and with GICv3 every redistributor) as Distributor::reset:
    ///    every register and interrupt state as constructed, nothing parked or owned;
    ///  - every vCPU's virtual interface (HCR, VMCR, APRs, list registers) as
    ///    VirtualCpuInterface::reset: LRs 0 and maintenance low, so ICV_IAR / GICV_IAR read
    ///    1023;
    ///  - the list-register engine: every vCPU not running (as constructed: the caller enters
    ///    them again with vcpu_entry), no kick pending, no LR loaded, nothing queued or
    ///    evicted (it all lived in the distributor and the LRs), no pending re-trigger.
    /// Output lines: each VIrq, VFiq and Maintenance line that was high falls now, reported
    /// through VmObserver::line_changed(vcpu, line, false) inside reset(); list_registers_
    /// changed(v) is called for every vCPU; no kick() and no pending_while_stopped() follows
    /// from the reset itself, and nothing is left to report later.
    /// Input lines: the levels set with set_spi_level / set_ppi_level are forgotten (low); the
    /// caller re-applies each device line that is still high after reset().
    /// Kept: the configuration, the observers, the HW mappings made by map_hw (the
    /// hypervisor's wiring, as KVM keeps a VM's mapped timer across a VM reset: map_hw(v, i,
    /// 0) removes one), the Diagnostics (counters, last(), sink) and stats() (both count over
    /// the whole run; diagnostics().set_counts(0, 0) clears the former).
    void reset();

    // ---- the guest -------------------------------------------------------------------------
    /// Distributor access by vCPU `vcpu`: a trap. A running vCPU is synced before and flushed
    /// after; for the pending/active registers every other running vCPU holding interrupts
    /// in its LRs is stopped (synced) too, so the guest reads and changes exact state
    /// (section 3 item 10).
    AccessResult read_distributor(unsigned vcpu, std::uint32_t offset, unsigned size,
                                  AccessMode mode = AccessMode::Normal);
    AccessResult write_distributor(unsigned vcpu, std::uint32_t offset, unsigned size,
                                   std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// The guest's CPU interface window: GICV of `vcpu` (no trap).
    AccessResult read_cpu_interface(unsigned vcpu, std::uint32_t offset, unsigned size,
                                    AccessMode mode = AccessMode::Normal);
    AccessResult write_cpu_interface(unsigned vcpu, std::uint32_t offset, unsigned size,
                                     std::uint64_t value, AccessMode mode = AccessMode::Normal);

    // ---- the guest, GICv3 (config.version == GicVersion::V3) ----------------------------------
    /// The GICR region (redistributor of vCPU n at n * 0x20000): trapped like the distributor.
    /// For the pending/active registers of SGI_base, the vCPU owning that redistributor is
    /// stopped too if it holds interrupts in its LRs.
    AccessResult read_redistributor(unsigned vcpu, std::uint32_t offset, unsigned size,
                                    AccessMode mode = AccessMode::Normal);
    AccessResult write_redistributor(unsigned vcpu, std::uint32_t offset, unsigned size,
                                     std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// MRS / MSR by the guest on `vcpu`, which runs with HCR_EL2.IMO = FMO = 1 as KVM runs
    /// guests: the ICC_ EL1 CPU-interface registers are the vCPU's ICV_ registers (no trap);
    /// ICC_SGI1R_EL1 / ICC_SGI0R_EL1 writes trap and the engine generates the SGI in the
    /// virtual distributor (ICC_ASGI1R_EL1: no other Security state, guest error);
    /// ICC_SRE_EL1 reads SRE|DFB|DIB (RAO/WI). The ICH_ registers show the engine's state
    /// (reads) and refuse writes: the engine owns them. Anything else is a bad access.
    AccessResult read_sysreg(unsigned vcpu, std::uint32_t encoding, AccessMode mode = AccessMode::Normal);
    AccessResult write_sysreg(unsigned vcpu, std::uint32_t encoding, std::uint64_t value,
                              AccessMode mode = AccessMode::Normal);
    /// Whether a guest write of this system register traps to the hypervisor (the SGI
    /// generation registers), so a timed layer charges a trap rather than a register access.
    static bool sysreg_write_traps(std::uint32_t encoding);

    // ---- devices -----------------------------------------------------------------------------
    void set_spi_level(std::uint32_t intid, bool level);
    void set_ppi_level(unsigned vcpu, std::uint32_t intid, bool level);
    /// HW-maps virtual `intid` (a PPI of `vcpu`, or an SPI) to physical `physical_id`
    /// (16..1019); its list registers get HW=1. physical_id 0 unmaps. An interrupt held in a
    /// list register when its mapping changes is synced out and flushed back (an exit and
    /// entry of the vCPU holding it), so the LR takes the new mapping. Throws out_of_range.
    void map_hw(unsigned vcpu, std::uint32_t intid, std::uint32_t physical_id);

    // ---- the hypervisor's world switch ------------------------------------------------------
    /// Entry: flush the LRs, then the vCPU runs. No effect if already running.
    FlushReport vcpu_entry(unsigned vcpu);
    /// Exit: the vCPU stops running, then sync. No effect if not running.
    SyncReport vcpu_exit(unsigned vcpu);
    bool running(unsigned vcpu) const;
    /// How many list registers a flush of `vcpu` would write now (for timing the entry).
    unsigned lrs_to_flush(unsigned vcpu) const;
    bool kick_pending(unsigned vcpu) const;
    /// Whether `intid` is pending for `vcpu` anywhere the engine keeps the state: the virtual
    /// distributor's latch or line (for a GICv2 SGI: from `source_cpu`) or one of the vCPU's
    /// list registers (pending, or pending and active). An edge that arrives while the
    /// interrupt is active latches in the distributor, and a flush moves it into the LR, so
    /// neither place alone answers.
    bool pending_for(unsigned vcpu, std::uint32_t intid, unsigned source_cpu = 0) const;
    /// Whether `intid` is active for `vcpu` where the engine keeps the state: in one of the
    /// vCPU's list registers (active, or pending and active) while the interrupt is parked
    /// there, else the virtual distributor's active state (the copy a parked interrupt left
    /// in the distributor is stale until the sync folds the LR back).
    bool active_for(unsigned vcpu, std::uint32_t intid) const;
    /// Whether `vcpu` has an interrupt that ends a WFI (KVM's kvm_vgic_vcpu_pending_irq, which
    /// kvm_vcpu_block asks before it sleeps): pending, enabled, forwarded by GICD_CTLR and of
    /// higher priority than the vCPU's virtual PMR (GICV_PMR / ICV_PMR_EL1), in the virtual
    /// distributor or in one of its list registers. pending_while_stopped() reports only what
    /// arrives while a vCPU is out of the guest; an interrupt that arrived while it was still
    /// on its way into WFI kicked a running vCPU instead, so a scheduler must ask this after
    /// deciding to block a vCPU and again once its state is saved, or that interrupt waits for
    /// an unrelated event (a lost wake-up).
    bool wake_pending(unsigned vcpu) const;
    /// Untimed use: performs exit + entry for every kicked running vCPU until none is
    /// kicked. Throws std::runtime_error if that does not settle (a live-lock).
    unsigned service_kicks();

    /// The vCPU interface's hardware state (LRs, HCR, VMCR, APR) for a vCPU switch.
    VcpuInterfaceState save_vcpu(unsigned vcpu) const;
    /// Only for a vCPU that is not running and whose list registers are all empty in the
    /// ELRSR sense: invalid and not HW=0 with EOI=1, which would raise an EOI maintenance
    /// interrupt (the engine owns LR contents); throws std::invalid_argument otherwise,
    /// naming the LR, and changes nothing.
    void restore_vcpu(unsigned vcpu, const VcpuInterfaceState& state);

    // ---- observation -------------------------------------------------------------------------
    bool line(unsigned vcpu, Line line) const;
    void set_observer(VmObserver* observer) { observer_ = observer; }
    /// Reports what the guest's CPU interfaces (GICV / ICV_) do with interrupts, and SGI
    /// generation (nullptr: none).
    void set_interrupt_observer(InterruptObserver* observer);
    const Distributor& distributor() const { return dist_; }
    const VirtualCpuInterface& vcpu_interface(unsigned vcpu) const { return *vifs_.at(vcpu); }
    const LrEngineStats& stats() const { return stats_; }
    Diagnostics& diagnostics() { return diag_; }
    const Diagnostics& diagnostics() const { return diag_; }
    const GicConfig& config() const { return config_; }

    // ---- whole-VM state (snapshots: vgic/model/snapshot.hpp; plain values: state.hpp) ----

    struct VcpuState {
        VcpuInterfaceState gich;       ///< HCR, VMCR (GICV control), APR, LRs
        bool running = false;
        bool kick_pending = false;
        std::uint64_t loaded_lrs = 0;  ///< LRs the engine populated (bit n = LR n)
    };
    /// Everything but what is derived (priority queues, LR summary masks, line levels), the
    /// configuration and the observer.
    struct State {
        std::uint64_t bad_access_count = 0;   ///< Diagnostics counters
        std::uint64_t guest_error_count = 0;
        Distributor::State distributor;       ///< with the vm-mode fields (parked, owner, ...)
        std::vector<VcpuState> vcpus;
        LrEngineStats stats;
    };
    State export_state() const;
    /// The first reason `state` cannot be imported, or nothing. Besides each part's own
    /// checks, the engine's invariants (the one list: the model fuzzer asserts them through
    /// this function after every operation):
    ///  1. a vCPU that is not running has no loaded LRs and no kick pending;
    ///  2. an LR not loaded is invalid;
    ///  3. every loaded LR holds a distinct implemented INTID that the distributor shows
    ///     parked for that vCPU (an SPI: owned by it), and every parked interrupt is in
    ///     exactly one loaded LR (so no vINTID twice in a vCPU's LRs, no SPI in two vCPUs');
    ///  4. a loaded LR's HW bit and physical INTID are the distributor's mapping: HW=1 only
    ///     for a HW-mapped INTID, with its physical INTID (never an SGI's, 0-15), and HW=0
    ///     only for an unmapped one;
    ///  5. an LR is pending and active only with HW=0 and only for an edge-triggered
    ///     interrupt (never HW=1, never level-sensitive);
    ///  6. a running vCPU whose maintenance interrupt is asserted has a kick pending.
    /// An LR's priority and group may differ from the distributor's: the engine copies them
    /// at flush time, and another vCPU may reprogram the distributor while the LR is loaded
    /// (its trap reloads only its own LRs), as in KVM.
    /// Paths: "/distributor/...", "/vcpus/<v>/..." (an LR: "/vcpus/<v>/gich/lrs/<n>").
    StateCheck check_state(const State& state) const;
    /// Throws StateError (nothing changes) if check_state() refuses. Otherwise replaces the
    /// whole state as saved (running and kick flags included), rebuilds what is derived, and
    /// tells the observer about every line whose level differs from before and, through
    /// kick(), about every vCPU that has a kick pending now and had none before.
    void import_state(const State& state);

private:
    struct VcpuLines {
        LineLevels virt;
        bool maintenance = false;
    };

    /// Which frame a trapped access went to.
    enum class TrapFrame : std::uint8_t { Gicd, Gicr };

    void check_vcpu(unsigned vcpu, const char* what) const;
    /// Invariants 4 and 5 of check_state for a loaded LR holding `vintid`, whose distributor
    /// record is `r`; the path is the LR's (empty here).
    static StateCheck check_loaded_lr(const ListRegister& lr, const Distributor::IrqState& r, std::uint32_t vintid);
    /// `vcpu`'s virtual interface changed: its lines are recomputed at the next settle().
    void touch(unsigned vcpu);
    AccessResult sysreg_access(unsigned vcpu, std::uint32_t encoding, bool is_write, std::uint64_t value,
                               AccessMode mode);
    FlushReport flush(unsigned vcpu);
    SyncReport sync(unsigned vcpu);
    void on_hw_deactivate(unsigned vcpu, std::uint32_t virtual_id, std::uint32_t physical_id);
    /// Turns distributor changes into kicks, and refreshes the lines of every touched vCPU
    /// (a vCPU's lines depend on its virtual interface alone, so untouched ones cannot have
    /// changed: no O(vCPUs) walk per access).
    void settle();
    void update_lines(unsigned vcpu);
    /// Recomputes `vcpu`'s lines and reports changes; returns the maintenance level.
    bool relevel(unsigned vcpu);
    void request_kick(unsigned vcpu);
    bool would_improve(unsigned vcpu, const Candidate& c) const;
    /// The running vCPU's LRs and HCR already guarantee a maintenance interrupt (or an HW
    /// deactivation kick) when the LRs drain, so a queued interrupt is not stranded.
    bool return_armed(unsigned vcpu) const;
    /// Pending (ISPENDR/ICPENDR) or active (ISACTIVER/ICACTIVER) bits of register word
    /// `word` as the loaded list registers show them: SPIs of any vCPU, and the private
    /// interrupts of `private_vcpu` in word 0 (-1: none, the GICv3 GICD view).
    std::uint32_t lr_state_bits(std::uint32_t word, bool want_pending, int private_vcpu) const;
    AccessResult trapped_access(unsigned vcpu, TrapFrame frame, std::uint32_t offset, unsigned size, bool is_write,
                                std::uint64_t value, AccessMode mode);

    GicConfig config_;
    Diagnostics diag_;
    Distributor dist_;
    std::vector<std::unique_ptr<VirtualCpuInterface>> vifs_;
    std::vector<std::uint8_t> running_;
    std::vector<std::uint8_t> kick_pending_;
    std::vector<std::uint64_t> loaded_;  // LRs the engine populated, per vCPU
    std::vector<VcpuLines> levels_;
    std::vector<unsigned> touched_list_;     // vCPUs whose lines settle() recomputes
    std::vector<std::uint8_t> touched_flag_;
    VmObserver* observer_ = nullptr;
    LrEngineStats stats_;
};

} // namespace vgic
