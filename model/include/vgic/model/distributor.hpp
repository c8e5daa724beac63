// GICv2 Distributor (GICD) without the Security Extensions: both interrupt groups are
// visible and configurable (IHI 0048B chapter 4.3). SGI and PPI state is banked per CPU.
//
// The distributor keeps, per CPU and group, an IndexedMinHeap of the interrupts that are
// eligible for that CPU (enabled, pending, not active, targeted). Every state change
// re-evaluates only the INTID it touches, and the CPUs whose heaps changed are queued as
// "dirty" for the owner (Gic) to recompute their output lines.
#pragma once

#include "vgic/model/access.hpp"
#include "vgic/model/candidate.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/indexed_heap.hpp"
#include "vgic/model/register_frame.hpp"
#include "vgic/model/state.hpp"

#include <cstdint>
#include <vector>

namespace vgic {

class Distributor {
public:
    /// `config` must outlive nothing: it is copied. `diag` must outlive the distributor.
    Distributor(const GicConfig& config, Diagnostics& diag);

    AccessResult read(unsigned cpu, std::uint32_t offset, unsigned size,
                      AccessMode mode = AccessMode::Normal);
    AccessResult write(unsigned cpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                       AccessMode mode = AccessMode::Normal);

    // ---- interrupt input lines --------------------------------------------------------
    /// PPI input (INTID 16..31) of CPU `cpu`. Throws std::out_of_range for a bad CPU/INTID.
    void set_ppi_level(unsigned cpu, std::uint32_t intid, bool level);
    /// SPI input (INTID 32..num_intids-1). Throws std::out_of_range for a bad INTID.
    void set_spi_level(std::uint32_t intid, bool level);

    // ---- the side the CPU interfaces use ----------------------------------------------
    Candidate highest_pending(unsigned cpu, unsigned group_mask) const;
    void acknowledge(unsigned cpu, const Candidate& c);
    bool deactivate(unsigned cpu, std::uint32_t intid);

    // ---- state queries (tests, snapshots, the LR engine of step 2) --------------------
    bool is_pending(unsigned cpu, std::uint32_t intid) const;
    bool is_active(unsigned cpu, std::uint32_t intid) const;
    bool is_enabled(unsigned cpu, std::uint32_t intid) const;
    unsigned group_of(unsigned cpu, std::uint32_t intid) const;
    std::uint8_t priority_of(unsigned cpu, std::uint32_t intid) const;
    bool group_enabled(unsigned group) const { return (enabled_groups_ >> group) & 1u; }
    /// SGI `sgi` pending sources (bit n = from CPU n) banked for target `cpu`.
    std::uint8_t sgi_sources(unsigned cpu, std::uint32_t sgi) const;

    // ---- list-register engine support (vm mode, see VmGic) --------------------------------
    // In vm mode the distributor is one VM's virtual distributor. An interrupt the engine
    // has copied into a list register of vCPU `owner` is *parked*: excluded from the
    // eligibility heaps until the engine folds the list register back (KVM's LR flush and
    // sync, vgic-v2.c). Active interrupts not held in a list register are kept per owning
    // vCPU in priority order so the engine can restore or evict them.

    /// What a list register needs to carry an interrupt, and what loading it consumed.
    struct LrLoad {
        bool pending = false;     ///< LR state gets Pending
        bool active = false;      ///< LR state gets Active
        bool request_eoi = false; ///< LR.EOI=1: level resample, or more SGI sources queued
        std::uint8_t source_cpu = 0;   ///< SGIs: LR.CPUID
        std::uint16_t physical_id = 0; ///< HW-mapped: LR.PhysicalID (0 = not mapped)
    };
    void enable_vm_mode();
    bool vm_mode() const { return vm_mode_; }
    /// Parks `intid` in a list register of `cpu` and moves its pending state there (edge
    /// latch, one SGI source). Level interrupts are never loaded pending+active.
    LrLoad load_into_lr(unsigned cpu, std::uint32_t intid);
    /// Folds a list register's state back and unparks: `pending`/`active` from LR.State.
    void fold_from_lr(unsigned cpu, std::uint32_t intid, bool pending, bool active, unsigned source_cpu);
    /// Highest-priority active interrupt owned by `cpu` that is not in a list register
    /// (invalid if none). Its `source_cpu` is the SGI source that was acknowledged.
    Candidate highest_active_unloaded(unsigned cpu) const;
    bool is_parked(unsigned cpu, std::uint32_t intid) const { return irq(cpu, intid).parked; }
    /// Interrupts in flight for `cpu` outside its list registers: eligible pending ones of
    /// the groups GICD_CTLR forwards, plus active ones it owns. O(1).
    std::size_t in_flight(unsigned cpu) const;
    /// Maps virtual `intid` (as seen by `cpu` when private) to physical `physical_id`: its
    /// list registers get HW=1. 0 unmaps.
    void set_hw_mapping(unsigned cpu, std::uint32_t intid, std::uint16_t physical_id);
    std::uint16_t hw_mapping(unsigned cpu, std::uint32_t intid) const { return irq(cpu, intid).hw_pintid; }
    /// True once after a parked interrupt of `cpu` became pending again (a re-trigger the
    /// engine must merge: KVM vgic_queue_irq_unlock kicks for it).
    bool take_retrigger(unsigned cpu) {
        const bool r = retrigger_[cpu] != 0;
        retrigger_[cpu] = 0;
        return r;
    }

    /// CPUs whose eligible set changed since the last call; `fn(cpu)` once each, then cleared.
    template <class Fn>
    void drain_dirty(Fn&& fn) {
        for (std::size_t i = 0; i < dirty_list_.size(); ++i) {
            const unsigned cpu = dirty_list_[i];
            dirty_flag_[cpu] = 0;
            fn(cpu);
        }
        dirty_list_.clear();
    }

    const GicConfig& config() const { return config_; }

    // ---- state export / import (snapshots, see state.hpp) -------------------------------

    /// State of one interrupt as seen by one CPU (banked for INTID < 32).
    struct IrqState {
        std::uint8_t priority = 0;
        std::uint8_t targets = 0;      // SPIs: GICD_ITARGETSR byte
        std::uint8_t sgi_sources = 0;  // SGIs: pending bit per requesting CPU
        bool enabled = false;
        bool latch = false;   // pending set by an edge or ISPENDR (the line is separate)
        bool active = false;
        bool line = false;    // input level
        bool group1 = false;
        bool edge = false;    // GICD_ICFGR Int_config[1]
        // vm mode only:
        bool parked = false;            // held in a list register of `owner`
        std::uint8_t owner = 0;         // SPIs: vCPU holding it in an LR or owning its active state
        std::uint8_t active_source = 0; // SGIs: source of the active instance
        std::uint16_t hw_pintid = 0;    // HW-mapped physical INTID, 0 = none
        bool lr_pending = false;        // level: its pending state went into the LR at load
    };

    /// Everything the distributor holds that is not derived from something else. The
    /// eligibility heaps, the vm-mode heaps of unloaded active interrupts, the dirty list
    /// and the re-trigger flags (always clear between model operations) are rebuilt.
    struct State {
        std::uint32_t ctlr = 0;              ///< GICD_CTLR: EnableGrp0 | EnableGrp1 << 1
        std::vector<IrqState> private_irqs;  ///< [cpu * 32 + intid]: SGIs and PPIs, banked
        std::vector<IrqState> spis;          ///< [intid - 32]
    };
    State export_state() const;
    /// The first reason `state` cannot be imported, or nothing: sizes, priorities with
    /// unimplemented bits, CPU masks beyond num_cpus, fields that do not exist for the
    /// interrupt's kind (an SGI's line, a PPI's targets), vm-only fields in hw mode.
    /// Paths: "/ctlr", "/private/<cpu>/<intid>/<field>", "/spis/<n>/<field>" (INTID 32+n).
    /// Whether parked interrupts are really in list registers is the LR engine's check.
    StateCheck check_state(const State& state) const;
    /// Throws StateError (nothing changes) if check_state() refuses; otherwise replaces the
    /// state, rebuilds the heaps and marks every CPU dirty (the owner recomputes its lines).
    void import_state(const State& state);

private:
    IrqState& irq(unsigned cpu, std::uint32_t intid) {
        return intid < gicv2::kNumPrivate ? private_[cpu * gicv2::kNumPrivate + intid]
                                          : spis_[intid - gicv2::kNumPrivate];
    }
    const IrqState& irq(unsigned cpu, std::uint32_t intid) const {
        return const_cast<Distributor*>(this)->irq(cpu, intid);
    }
    static bool pending(const IrqState& s, std::uint32_t intid) {
        // IHI 0048B 1.4.2: a level-sensitive interrupt is pending while its line is asserted
        // or software set it pending; an SGI is pending while any source is.
        if (intid < gicv2::kNumSgis) return s.sgi_sources != 0;
        return s.latch || (!s.edge && s.line);
    }
    std::uint8_t spi_targets(const IrqState& s) const {
        // IHI 0048B 4.3.12: a uniprocessor GIC has RAZ/WI ITARGETSR; every SPI goes to CPU 0.
        return config_.num_cpus == 1 ? 1 : s.targets;
    }
    void refresh(unsigned cpu, std::uint32_t intid);
    void note_pending_event(unsigned cpu, std::uint32_t intid);
    void update_heaps(unsigned cpu, std::uint32_t intid, const IrqState& s, bool targeted);
    void mark_dirty(unsigned cpu);
    void mark_all_dirty();
    void set_line(unsigned cpu, std::uint32_t intid, bool level);
    void generate_sgi(unsigned requester, std::uint32_t value);
    void guest_error(unsigned cpu, std::uint32_t offset, const char* reg, const char* detail,
                     std::uint64_t value);

    // Register handlers (IHI 0048B 4.3). `index` is the word within the register array.
    std::uint32_t rd_ctlr(unsigned, std::uint32_t, AccessMode);
    void wr_ctlr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_typer(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_iidr(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_igroupr(unsigned, std::uint32_t, AccessMode);
    void wr_igroupr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_enabler(unsigned, std::uint32_t, AccessMode);
    void wr_isenabler(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    void wr_icenabler(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_pendr(unsigned, std::uint32_t, AccessMode);
    void wr_ispendr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    void wr_icpendr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_activer(unsigned, std::uint32_t, AccessMode);
    void wr_isactiver(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    void wr_icactiver(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_ipriorityr(unsigned, std::uint32_t, AccessMode);
    void wr_ipriorityr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_itargetsr(unsigned, std::uint32_t, AccessMode);
    void wr_itargetsr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_icfgr(unsigned, std::uint32_t, AccessMode);
    void wr_icfgr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_raz(unsigned, std::uint32_t, AccessMode);
    void wr_wi(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    void wr_sgir(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_spendsgir(unsigned, std::uint32_t, AccessMode);
    void wr_cpendsgir(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    void wr_spendsgir(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_id(unsigned, std::uint32_t, AccessMode);

    /// Applies `fn(state, intid)` to every implemented INTID whose bit is set in `bits`
    /// of register word `index` (32 INTIDs per word, word 0 banked for `cpu`).
    template <class Fn>
    void for_each_bit(unsigned cpu, std::uint32_t index, std::uint32_t bits, Fn&& fn);
    /// Bit b = pred(state of INTID 32*index + b) for implemented INTIDs.
    template <class Pred>
    std::uint32_t collect_bits(unsigned cpu, std::uint32_t index, Pred&& pred) const;

    GicConfig config_;
    Diagnostics& diag_;
    RegisterFrame<Distributor> frame_;
    std::uint8_t priority_mask_;  // implemented priority bits
    std::uint8_t cpu_mask_;       // one bit per present CPU interface
    std::uint32_t enabled_groups_ = 0;  // GICD_CTLR.EnableGrp0 | EnableGrp1 << 1
    std::vector<IrqState> private_;     // num_cpus * 32
    std::vector<IrqState> spis_;        // num_spis
    std::vector<IndexedMinHeap> eligible_;  // [cpu * 2 + group]
    std::vector<unsigned> dirty_list_;
    std::vector<std::uint8_t> dirty_flag_;
    bool vm_mode_ = false;
    std::vector<IndexedMinHeap> active_unloaded_;  // [cpu]: active, owned, not parked
    std::vector<std::uint8_t> retrigger_;          // [cpu]
};

} // namespace vgic
