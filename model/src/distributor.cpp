// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/distributor.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vgic {

using namespace gicv2;
using namespace gicv2::gicd;

namespace {
unsigned lowest_bit(std::uint32_t v) { return static_cast<unsigned>(__builtin_ctz(v)); }

namespace d3 = gicv3::gicd;
namespace r3 = gicv3::gicr;
namespace icc3 = gicv3::icc;

unsigned lowest_bit64(std::uint64_t v) { return static_cast<unsigned>(__builtin_ctzll(v)); }
constexpr std::uint32_t kSgiBits = 0x0000FFFFu;
constexpr std::uint32_t kDpgBits = r3::CTLR_DPG0::mask | r3::CTLR_DPG1NS::mask;
constexpr std::uint32_t kProcessorSleep = r3::WAKER_ProcessorSleep::mask;

/// GICR_CTLR.DPG bit of interrupt group `group`: with DS=1 Group 1 is Non-secure (DPG1NS).
std::uint32_t dpg_mask(unsigned group) { return group == 0 ? r3::CTLR_DPG0::mask : r3::CTLR_DPG1NS::mask; }

/// IHI 0069 1-of-N: a PE takes part in the selection for `group` while its redistributor
/// is awake (GICR_WAKER.ProcessorSleep = 0) and GICR_CTLR.DPG<group> = 0.
bool participating(const Distributor::RedistributorState& r, unsigned group) {
    return !(r.waker & kProcessorSleep) && !(r.ctlr & dpg_mask(group));
}
} // namespace

RegisterFrame<Distributor> Distributor::gicv2_gicd_frame() {
    return {"GICD", kFrameSize,
            {
                {"CTLR", CTLR, 1, kW32, RegAccess::RW, &Distributor::rd_ctlr, &Distributor::wr_ctlr},
                {"TYPER", TYPER, 1, kW32, RegAccess::RO, &Distributor::rd_typer, nullptr},
                {"IIDR", IIDR, 1, kW32, RegAccess::RO, &Distributor::rd_iidr, nullptr},
                {"IGROUPR", IGROUPR, 32, kW32, RegAccess::RW, &Distributor::rd_igroupr, &Distributor::wr_igroupr},
                {"ISENABLER", ISENABLER, 32, kW32, RegAccess::RW, &Distributor::rd_enabler, &Distributor::wr_isenabler},
                {"ICENABLER", ICENABLER, 32, kW32, RegAccess::RW, &Distributor::rd_enabler, &Distributor::wr_icenabler},
                {"ISPENDR", ISPENDR, 32, kW32, RegAccess::RW, &Distributor::rd_pendr, &Distributor::wr_ispendr},
                {"ICPENDR", ICPENDR, 32, kW32, RegAccess::RW, &Distributor::rd_pendr, &Distributor::wr_icpendr},
                {"ISACTIVER", ISACTIVER, 32, kW32, RegAccess::RW, &Distributor::rd_activer, &Distributor::wr_isactiver},
                {"ICACTIVER", ICACTIVER, 32, kW32, RegAccess::RW, &Distributor::rd_activer, &Distributor::wr_icactiver},
                {"IPRIORITYR", IPRIORITYR, 255, kW8 | kW32, RegAccess::RW, &Distributor::rd_ipriorityr, &Distributor::wr_ipriorityr},
                {"ITARGETSR", ITARGETSR, 255, kW8 | kW32, RegAccess::RW, &Distributor::rd_itargetsr, &Distributor::wr_itargetsr},
                {"ICFGR", ICFGR, 64, kW32, RegAccess::RW, &Distributor::rd_icfgr, &Distributor::wr_icfgr},
                {"NSACR", NSACR, 64, kW32, RegAccess::RW, &Distributor::rd_raz, &Distributor::wr_wi},
                {"SGIR", SGIR, 1, kW32, RegAccess::WO, nullptr, &Distributor::wr_sgir},
                {"CPENDSGIR", CPENDSGIR, 4, kW8 | kW32, RegAccess::RW, &Distributor::rd_spendsgir, &Distributor::wr_cpendsgir},
                {"SPENDSGIR", SPENDSGIR, 4, kW8 | kW32, RegAccess::RW, &Distributor::rd_spendsgir, &Distributor::wr_spendsgir},
                // PIDR4-7 (0xFD0), PIDR0-3 (0xFE0), CIDR0-3 (0xFF0): one contiguous RO block.
                {"PIDRn/CIDRn", PIDR4, 12, kW32, RegAccess::RO, &Distributor::rd_id, nullptr},
            }};
}

// IHI 0069 12.9 (GICD register map, ARE=1, DS=1). Registers 32-bit; byte access also for
// IPRIORITYR, ITARGETSR, [CS]PENDSGIR; IROUTER and GICR_TYPER 64-bit or as
// 32-bit halves (chapter 12, "GIC memory-mapped register access"). Offsets
// with no register here (extended SPI range, message-based SPI registers: TYPER.ESPI =
// MBIS = 0) are reserved.
RegisterFrame<Distributor> Distributor::gicv3_gicd_frame() {
    namespace d = gicv3::gicd;
    using D = Distributor;
    return {"GICD", d::kFrameSize,
            {
                {"CTLR", d::CTLR, 1, kW32, RegAccess::RW, &D::rd_ctlr_v3, &D::wr_ctlr_v3},
                {"TYPER", d::TYPER, 1, kW32, RegAccess::RO, &D::rd_typer_v3, nullptr},
                {"IIDR", d::IIDR, 1, kW32, RegAccess::RO, &D::rd_iidr_v3, nullptr},
                {"TYPER2", d::TYPER2, 1, kW32, RegAccess::RO, &D::rd_raz, nullptr},
                {"STATUSR", d::STATUSR, 1, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"IGROUPR", d::IGROUPR, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_igroupr, 1>, &D::wr_from<&D::wr_igroupr, 1>},
                {"ISENABLER", d::ISENABLER, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_enabler, 1>, &D::wr_from<&D::wr_isenabler, 1>},
                {"ICENABLER", d::ICENABLER, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_enabler, 1>, &D::wr_icenabler_v3},
                {"ISPENDR", d::ISPENDR, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_pendr, 1>, &D::wr_from<&D::wr_ispendr, 1>},
                {"ICPENDR", d::ICPENDR, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_pendr, 1>, &D::wr_from<&D::wr_icpendr, 1>},
                {"ISACTIVER", d::ISACTIVER, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_activer, 1>, &D::wr_from<&D::wr_isactiver, 1>},
                {"ICACTIVER", d::ICACTIVER, 32, kW32, RegAccess::RW, &D::rd_from<&D::rd_activer, 1>, &D::wr_from<&D::wr_icactiver, 1>},
                {"IPRIORITYR", d::IPRIORITYR, 255, kW8 | kW32, RegAccess::RW, &D::rd_from<&D::rd_ipriorityr, 8>, &D::wr_from<&D::wr_ipriorityr, 8>},
                // ARE=1: ITARGETSR, SGIR and [CS]PENDSGIR are not used (RAZ/WI; GICD_ITARGETSR<n>
                // and GICD_SGIR "when affinity routing is enabled"); SGIs are sent through
                // ICC_SGI0R/SGI1R_EL1 and routed by affinity.
                {"ITARGETSR", d::ITARGETSR, 255, kW8 | kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"ICFGR", d::ICFGR, 64, kW32, RegAccess::RW, &D::rd_from<&D::rd_icfgr, 2>, &D::wr_from<&D::wr_icfgr, 2>},
                // DS=1: no Secure group modifier and no Non-secure access control.
                {"IGRPMODR", d::IGRPMODR, 32, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"NSACR", d::NSACR, 64, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"SGIR", d::SGIR, 1, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"CPENDSGIR", d::CPENDSGIR, 4, kW8 | kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"SPENDSGIR", d::SPENDSGIR, 4, kW8 | kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                // IROUTER<n> for n = 0..1019, two words each; n < 32 is reserved (RAZ/WI).
                {"IROUTER", d::IROUTER, 2 * gicv3::kMaxIntids, kW32 | kW64, RegAccess::RW, &D::rd_irouter, &D::wr_irouter},
                {"PIDRn/CIDRn", d::PIDR4, 12, kW32, RegAccess::RO, &D::rd_id_v3, nullptr},
            }};
}

// IHI 0069 12.10 (RD_base). PLPIS = 0: the LPI registers are RAZ/WI.
RegisterFrame<Distributor> Distributor::gicv3_rd_frame() {
    namespace r = gicv3::gicr;
    using D = Distributor;
    return {"GICR", r::kFrameSize,
            {
                {"CTLR", r::CTLR, 1, kW32, RegAccess::RW, &D::rd_gicr_ctlr, &D::wr_gicr_ctlr},
                {"IIDR", r::IIDR, 1, kW32, RegAccess::RO, &D::rd_gicr_iidr, nullptr},
                {"TYPER", r::TYPER, 2, kW32 | kW64, RegAccess::RO, &D::rd_gicr_typer, nullptr},
                {"STATUSR", r::STATUSR, 1, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"WAKER", r::WAKER, 1, kW32, RegAccess::RW, &D::rd_waker, &D::wr_waker},
                {"SETLPIR", r::SETLPIR, 2, kW32 | kW64, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"CLRLPIR", r::CLRLPIR, 2, kW32 | kW64, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"PROPBASER", r::PROPBASER, 2, kW32 | kW64, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"PENDBASER", r::PENDBASER, 2, kW32 | kW64, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"INVLPIR", r::INVLPIR, 2, kW32 | kW64, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"INVALLR", r::INVALLR, 2, kW32 | kW64, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"SYNCR", r::SYNCR, 1, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"PIDRn/CIDRn", r::PIDR4, 12, kW32, RegAccess::RO, &D::rd_id_v3, nullptr},
            }};
}

// IHI 0069 12.11 (SGI_base): the banked SGI/PPI registers, word 0 of the GICD arrays. The
// handlers are the GICv2 banked ones with cpu = this redistributor.
RegisterFrame<Distributor> Distributor::gicv3_sgi_frame() {
    namespace r = gicv3::gicr;
    using D = Distributor;
    return {"GICR", r::kFrameSize,
            {
                {"IGROUPR0", r::IGROUPR0, 1, kW32, RegAccess::RW, &D::rd_igroupr, &D::wr_igroupr},
                {"ISENABLER0", r::ISENABLER0, 1, kW32, RegAccess::RW, &D::rd_enabler, &D::wr_isenabler},
                {"ICENABLER0", r::ICENABLER0, 1, kW32, RegAccess::RW, &D::rd_enabler, &D::wr_gicr_icenabler0},
                {"ISPENDR0", r::ISPENDR0, 1, kW32, RegAccess::RW, &D::rd_pendr, &D::wr_gicr_ispendr0},
                {"ICPENDR0", r::ICPENDR0, 1, kW32, RegAccess::RW, &D::rd_pendr, &D::wr_gicr_icpendr0},
                {"ISACTIVER0", r::ISACTIVER0, 1, kW32, RegAccess::RW, &D::rd_activer, &D::wr_isactiver},
                {"ICACTIVER0", r::ICACTIVER0, 1, kW32, RegAccess::RW, &D::rd_activer, &D::wr_icactiver},
                {"IPRIORITYR", r::IPRIORITYR0, 8, kW8 | kW32, RegAccess::RW, &D::rd_ipriorityr, &D::wr_ipriorityr},
                // ICFGR0 (SGIs, always edge: writes ignored by wr_icfgr) and ICFGR1 (PPIs).
                {"ICFGR", r::ICFGR0, 2, kW32, RegAccess::RW, &D::rd_icfgr, &D::wr_icfgr},
                {"IGRPMODR0", r::IGRPMODR0, 1, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
                {"NSACR", r::NSACR, 1, kW32, RegAccess::RW, &D::rd_raz, &D::wr_wi},
            }};
}

Distributor::Distributor(const GicConfig& config, Diagnostics& diag)
    : config_((config.validate(), config)),
      diag_(diag),
      frame_(config_.is_v3() ? gicv3_gicd_frame() : gicv2_gicd_frame()),
      priority_mask_(static_cast<std::uint8_t>(0xFFu << (8 - config_.priority_bits))),
      // GICv2 only: up to 8 CPU interfaces, one ITARGETSR bit each (v3 has up to 4096).
      cpu_mask_(config_.is_v3() ? 0 : static_cast<std::uint8_t>((1u << config_.num_cpus) - 1)),
      private_(config_.num_cpus * kNumPrivate),
      spis_(config_.num_spis),
      dirty_flag_(config_.num_cpus, 0),
      retrigger_(config_.num_cpus, 0) {
    eligible_.reserve(config_.num_cpus * 2);
    for (unsigned i = 0; i < config_.num_cpus * 2; ++i) eligible_.emplace_back(config_.num_intids());
    dirty_list_.reserve(config_.num_cpus);
    // IHI 0048B 4.3.13: SGIs are always edge-triggered.
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu)
        for (unsigned sgi = 0; sgi < kNumSgis; ++sgi) irq(cpu, sgi).edge = true;
    if (config_.is_v3()) init_v3();
}

void Distributor::init_v3() {
    const unsigned n = config_.num_cpus;
    rd_frame_.emplace(gicv3_rd_frame());
    sgi_frame_.emplace(gicv3_sgi_frame());
    rdist_.assign(n, RedistributorState{});
    for (CpuSet& p : participants_) p = CpuSet(n);
    irm_waiting_.reserve(2);
    for (unsigned g = 0; g < 2; ++g) irm_waiting_.emplace_back(config_.num_intids());
    held_by_.assign(config_.num_spis, kNoCpu);
    active_held_.assign(config_.num_spis, kNoCpu);
    chosen_next_.assign(config_.num_spis, kNoCpu);
    chosen_prev_.assign(config_.num_spis, kNoCpu);
    chosen_head_.assign(n, kNoCpu);
    gicr_rwp_.assign(n, 0);
    gicr_rwp_list_.reserve(n);
}

AccessResult Distributor::read(unsigned cpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    return frame_.read(*this, diag_, cpu, offset, size, mode);
}

AccessResult Distributor::write(unsigned cpu, std::uint32_t offset, unsigned size,
                                std::uint64_t value, AccessMode mode) {
    return frame_.write(*this, diag_, cpu, offset, size, value, mode);
}

// ---- eligibility ------------------------------------------------------------------------

void Distributor::mark_dirty(unsigned cpu) {
    if (!dirty_flag_[cpu]) {
        dirty_flag_[cpu] = 1;
        dirty_list_.push_back(cpu);
    }
}

void Distributor::mark_all_dirty() {
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu) mark_dirty(cpu);
}

void Distributor::update_queues(unsigned cpu, std::uint32_t intid, const IrqState& s, bool targeted) {
    if (vm_mode_) update_active_unloaded(cpu, intid, s, intid < kNumPrivate || s.owner == cpu);
    update_eligible(cpu, intid, s, targeted);
}

void Distributor::update_active_unloaded(unsigned cpu, std::uint32_t intid, const IrqState& s, bool owned) {
    IndexedPriorityQueue& act = active_unloaded_[cpu];
    if (owned && s.active && !s.parked) {
        if (act.upsert(intid, s.priority)) mark_dirty(cpu);
    } else if (act.erase(intid)) {
        mark_dirty(cpu);
    }
}

void Distributor::update_eligible(unsigned cpu, std::uint32_t intid, const IrqState& s, bool targeted) {
    // IHI 0048B 3.2.4: the distributor forwards an interrupt that is enabled, pending and
    // not active (an active+pending interrupt waits for its deactivation). A parked
    // interrupt is already in a list register.
    const bool eligible = targeted && forwardable(s, intid);
    IndexedPriorityQueue& group0 = eligible_[cpu * 2];
    IndexedPriorityQueue& group1 = eligible_[cpu * 2 + 1];
    bool changed;
    if (!eligible) {
        changed = group0.erase(intid);
        changed = group1.erase(intid) || changed;
    } else {
        IndexedPriorityQueue& mine = s.group1 ? group1 : group0;
        IndexedPriorityQueue& other = s.group1 ? group0 : group1;
        changed = other.erase(intid);
        changed = mine.upsert(intid, s.priority) || changed;
    }
    if (changed) mark_dirty(cpu);
}

void Distributor::note_pending_event(unsigned cpu, std::uint32_t intid) {
    // vm mode: the pending state of an interrupt already in a list register changed (an
    // edge re-triggered it, a level line moved). The vCPU holding it must exit so the
    // engine merges it (section 3 item 13).
    if (!vm_mode_) return;
    const IrqState& s = irq(cpu, intid);
    if (!s.parked) return;
    const unsigned owner = intid < kNumPrivate ? cpu : s.owner;
    retrigger_[owner] = 1;
    mark_dirty(owner);
}

void Distributor::refresh(unsigned cpu, std::uint32_t intid) {
    if (intid < kNumPrivate) {
        update_queues(cpu, intid, irq(cpu, intid), true);
        return;
    }
    if (config_.is_v3()) {
        refresh_spi_v3(intid);
        return;
    }
    const IrqState& s = irq(0, intid);
    const std::uint8_t targets = spi_targets(s);
    for (unsigned c = 0; c < config_.num_cpus; ++c) update_queues(c, intid, s, (targets >> c) & 1u);
}

Candidate Distributor::highest_pending(unsigned cpu, unsigned group_mask) const {
    // Only groups enabled in GICD_CTLR are forwarded (IHI 0048B 4.3.1), and nothing reaches
    // the CPU interface of a sleeping redistributor (IHI 0069 GICR_WAKER.ProcessorSleep).
    if (!forwards_to(cpu)) return Candidate{};
    group_mask &= enabled_groups_;
    std::uint32_t best = ~0u;
    unsigned best_group = 0;
    for (unsigned g = 0; g < 2; ++g) {
        const IndexedPriorityQueue& h = eligible_[cpu * 2 + g];
        if (((group_mask >> g) & 1u) && !h.empty() && h.top() < best) {
            best = h.top();
            best_group = g;
        }
    }
    Candidate c;
    if (best == ~0u) return c;
    c.intid = IndexedPriorityQueue::id_of(best);
    c.priority = static_cast<std::uint8_t>(IndexedPriorityQueue::priority_of(best));
    c.group = static_cast<std::uint8_t>(best_group);
    if (c.intid < kNumSgis) c.source_cpu = static_cast<std::uint8_t>(lowest_bit(irq(cpu, c.intid).sgi_sources));
    return c;
}

void Distributor::acknowledge(unsigned cpu, const Candidate& c) {
    IrqState& s = irq(cpu, c.intid);
    // IHI 0048B 3.2.4: acknowledge clears the pending latch (an SGI: the one source being
    // acknowledged; a level interrupt whose line is still high stays pending) and sets active.
    if (c.intid < kNumSgis) s.sgi_sources = static_cast<std::uint8_t>(s.sgi_sources & ~(1u << c.source_cpu));
    else s.latch = false;
    s.active = true;
    refresh(cpu, c.intid);
}

bool Distributor::deactivate(unsigned cpu, std::uint32_t intid) {
    if (intid >= config_.num_intids()) return false;
    IrqState& s = irq(cpu, intid);
    if (!s.active) return false;
    s.active = false;
    refresh(cpu, intid);
    return true;
}

// ---- list-register engine support ---------------------------------------------------------

void Distributor::enable_vm_mode() {
    if (vm_mode_) return;
    vm_mode_ = true;
    active_unloaded_.reserve(config_.num_cpus);
    for (unsigned i = 0; i < config_.num_cpus; ++i) active_unloaded_.emplace_back(config_.num_intids());
    // KVM presents every virtual redistributor awake (GICR_WAKER RAZ/WI, vgic-mmio-v3.c):
    // a guest that never does the wake handshake still gets its interrupts.
    if (config_.is_v3() && kvm_waker())
        for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu) {
            rdist_[cpu].waker = 0;
            mark_dirty(cpu);
            update_participation(cpu);
        }
}

Distributor::LrLoad Distributor::load_into_lr(unsigned cpu, std::uint32_t intid) {
    IrqState& s = irq(cpu, intid);
    LrLoad l;
    l.physical_id = s.hw_pintid;
    l.active = s.active;
    const bool level = !s.edge && intid >= kNumSgis;
    if (intid < kNumSgis) {
        // GICv2 SGIs carry their source in LR.CPUID; one source per LR, the same vINTID never
        // twice in the LRs (UNPREDICTABLE), so the others wait: EOI=1 brings control back.
        if (s.active) {
            l.source_cpu = s.active_source;
            l.request_eoi = s.sgi_sources != 0;
        } else if (s.sgi_sources != 0) {
            l.pending = true;
            l.source_cpu = static_cast<std::uint8_t>(lowest_bit(s.sgi_sources));
            s.sgi_sources = static_cast<std::uint8_t>(s.sgi_sources & ~(1u << l.source_cpu));
            l.request_eoi = s.sgi_sources != 0;
        }
    } else if (level) {
        // A level interrupt is never pending+active in an LR, and EOI=1 lets the engine
        // resample the line when the guest deactivates it (KVM, section 3 item 11).
        l.pending = !s.active && pending(s, intid);
        l.request_eoi = true;
        s.lr_pending = l.pending;
    } else if (l.physical_id != 0 && s.active) {
        // Edge, HW-mapped and active: an HW=1 list register has no pending-and-active state
        // (IHI 0048B 5.3.? / IHI 0069 ICH_LR<n>_EL2: with HW = 1 the physical interrupt's
        // deactivation follows the virtual one, and 0b11 is not a state the hardware
        // completes; KVM never sets pending on an active HW LR). A new edge stays latched
        // here: the guest's deactivation reaches on_hw_deactivate, which kicks because it is
        // pending, and the next flush loads it.
        l.pending = false;
    } else {
        // Edge: the pending latch moves into the LR (section 3 item 24: the software copy
        // is dropped once loaded).
        l.pending = s.latch;
        s.latch = false;
    }
    if (l.physical_id != 0) l.request_eoi = false;  // HW=1 LRs have no EOI bit
    s.parked = true;
    if (intid >= kNumPrivate) s.owner = static_cast<std::uint16_t>(cpu);
    refresh(cpu, intid);
    return l;
}

void Distributor::fold_from_lr(unsigned cpu, std::uint32_t intid, bool lr_pending, bool lr_active,
                               unsigned source_cpu) {
    IrqState& s = irq(cpu, intid);
    s.parked = false;
    s.active = lr_active;
    if (lr_active) {
        if (intid >= kNumPrivate) s.owner = static_cast<std::uint16_t>(cpu);
        if (intid < kNumSgis) s.active_source = static_cast<std::uint8_t>(source_cpu);
    }
    if (intid < kNumSgis) {
        if (lr_pending) s.sgi_sources = static_cast<std::uint8_t>(s.sgi_sources | (1u << source_cpu));
    } else if (s.edge) {
        if (lr_pending) s.latch = true;  // not taken yet: pending again in the distributor
    } else if (!lr_pending && s.lr_pending) {
        // Level: the LR carried the pending state and the guest acknowledged it, which
        // consumed a software-pending (ISPENDR) state. An LR loaded active-only consumed
        // nothing: an ISPENDR written meanwhile stays (section 3 item 11).
        s.latch = false;
    }
    s.lr_pending = false;
    refresh(cpu, intid);
}

Candidate Distributor::highest_active_unloaded(unsigned cpu) const {
    Candidate c;
    if (!vm_mode_ || active_unloaded_[cpu].empty()) return c;
    const std::uint32_t key = active_unloaded_[cpu].top();
    c.intid = IndexedPriorityQueue::id_of(key);
    c.priority = static_cast<std::uint8_t>(IndexedPriorityQueue::priority_of(key));
    const IrqState& s = irq(cpu, c.intid);
    c.group = s.group1 ? 1 : 0;
    c.source_cpu = s.active_source;
    return c;
}

std::size_t Distributor::in_flight(unsigned cpu) const {
    std::size_t n = 0;
    for (unsigned g = 0; g < 2; ++g)
        if (((enabled_groups_ >> g) & 1u) && forwards_to(cpu)) n += eligible_[cpu * 2 + g].size();
    if (vm_mode_) n += active_unloaded_[cpu].size();
    return n;
}

void Distributor::set_hw_mapping(unsigned cpu, std::uint32_t intid, std::uint16_t physical_id) {
    irq(cpu, intid).hw_pintid = physical_id;
}

// ---- input lines --------------------------------------------------------------------------

void Distributor::set_line(unsigned cpu, std::uint32_t intid, bool level) {
    IrqState& s = irq(cpu, intid);
    if (s.line == level) return;
    // IHI 0048B 1.4.2: an edge-triggered interrupt latches pending on the rising edge; a
    // level-sensitive one is pending while the line is high (pending() reads s.line).
    if (level && s.edge) s.latch = true;
    s.line = level;
    // A rising line re-triggers; a level line that drops takes away a pending state the
    // list register still shows. Either way the vCPU holding it must exit to update it.
    if (level || !s.edge) note_pending_event(cpu, intid);
    refresh(cpu, intid);
}

void Distributor::set_ppi_level(unsigned cpu, std::uint32_t intid, bool level) {
    if (cpu >= config_.num_cpus)
        throw std::out_of_range("set_ppi_level: CPU " + std::to_string(cpu) + " out of range 0.." +
                                std::to_string(config_.num_cpus - 1));
    if (intid < kNumSgis || intid >= kNumPrivate)
        throw std::out_of_range("set_ppi_level: INTID " + std::to_string(intid) +
                                " is not a PPI (allowed 16..31)");
    set_line(cpu, intid, level);
}

void Distributor::set_spi_level(std::uint32_t intid, bool level) {
    if (intid < kNumPrivate || intid >= config_.num_intids())
        throw std::out_of_range("set_spi_level: INTID " + std::to_string(intid) +
                                " is not an implemented SPI (allowed 32.." +
                                std::to_string(config_.num_intids() - 1) + ")");
    set_line(0, intid, level);
}

// ---- queries ------------------------------------------------------------------------------

bool Distributor::is_pending(unsigned cpu, std::uint32_t intid) const { return pending(irq(cpu, intid), intid); }
bool Distributor::is_active(unsigned cpu, std::uint32_t intid) const {
    return intid < config_.num_intids() && irq(cpu, intid).active;
}
bool Distributor::is_enabled(unsigned cpu, std::uint32_t intid) const { return irq(cpu, intid).enabled; }
unsigned Distributor::group_of(unsigned cpu, std::uint32_t intid) const {
    return intid < config_.num_intids() && irq(cpu, intid).group1 ? 1u : 0u;
}
std::uint8_t Distributor::priority_of(unsigned cpu, std::uint32_t intid) const { return irq(cpu, intid).priority; }
std::uint8_t Distributor::sgi_sources(unsigned cpu, std::uint32_t sgi) const { return irq(cpu, sgi).sgi_sources; }

void Distributor::guest_error(unsigned cpu, std::uint32_t offset, const char* reg, const char* detail,
                              std::uint64_t value) {
    diag_.guest_error(BadAccess::guest_write("GICD", reg, detail, cpu, offset, value));
}

// ---- bitmap register helpers -------------------------------------------------------------

template <class Fn>
void Distributor::for_each_bit(unsigned cpu, std::uint32_t index, std::uint32_t bits, Fn&& fn) {
    const std::uint32_t base = index * 32;
    if (base >= config_.num_intids()) return;  // words beyond the implemented INTIDs: WI
    const std::uint32_t limit = config_.num_intids() - base;
    if (limit < 32) bits &= (1u << limit) - 1;
    while (bits != 0) {
        const unsigned b = lowest_bit(bits);
        bits &= bits - 1;
        fn(irq(cpu, base + b), base + b);
    }
}

template <class Pred>
std::uint32_t Distributor::collect_bits(unsigned cpu, std::uint32_t index, Pred&& pred) const {
    const std::uint32_t base = index * 32;
    if (base >= config_.num_intids()) return 0;  // RAZ
    const std::uint32_t n = std::min<std::uint32_t>(32, config_.num_intids() - base);
    std::uint32_t v = 0;
    for (std::uint32_t b = 0; b < n; ++b)
        if (pred(irq(cpu, base + b), base + b)) v |= 1u << b;
    return v;
}

// ---- GICD_CTLR, TYPER, IIDR (IHI 0048B 4.3.1-4.3.3) ----------------------------------------

std::uint32_t Distributor::rd_ctlr(unsigned, std::uint32_t, AccessMode) {
    return CTLR_EnableGrp0::make(enabled_groups_ & 1u) | CTLR_EnableGrp1::make(enabled_groups_ >> 1);
}

void Distributor::wr_ctlr(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    const std::uint32_t groups = CTLR_EnableGrp0::get(value) | (CTLR_EnableGrp1::get(value) << 1);
    if (groups == enabled_groups_) return;
    enabled_groups_ = groups;
    mark_all_dirty();  // forwarding of a whole group changed for every CPU
}

std::uint32_t Distributor::rd_typer(unsigned, std::uint32_t, AccessMode) {
    return TYPER_ITLinesNumber::make(config_.it_lines_number()) |
           TYPER_CPUNumber::make(config_.num_cpus - 1) | TYPER_SecurityExtn::make(0);
}

std::uint32_t Distributor::rd_iidr(unsigned, std::uint32_t, AccessMode) { return config_.ids.gicd_iidr; }

// ---- IGROUPR (4.3.4) ----------------------------------------------------------------------

std::uint32_t Distributor::rd_igroupr(unsigned cpu, std::uint32_t index, AccessMode) {
    return collect_bits(cpu, index, [](const IrqState& s, std::uint32_t) { return s.group1; });
}

void Distributor::wr_igroupr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    const std::uint32_t changed = value ^ rd_igroupr(cpu, index, AccessMode::Debug);
    for_each_bit(cpu, index, changed, [&](IrqState& s, std::uint32_t intid) {
        s.group1 = !s.group1;
        refresh(cpu, intid);
    });
}

// ---- ISENABLER / ICENABLER (4.3.5, 4.3.6) ------------------------------------------------

std::uint32_t Distributor::rd_enabler(unsigned cpu, std::uint32_t index, AccessMode) {
    return collect_bits(cpu, index, [](const IrqState& s, std::uint32_t) { return s.enabled; });
}

void Distributor::wr_isenabler(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    for_each_bit(cpu, index, value, [&](IrqState& s, std::uint32_t intid) {
        if (s.enabled) return;
        s.enabled = true;
        refresh(cpu, intid);
    });
}

void Distributor::wr_icenabler(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    for_each_bit(cpu, index, value, [&](IrqState& s, std::uint32_t intid) {
        if (!s.enabled) return;
        s.enabled = false;
        refresh(cpu, intid);
    });
}

// ---- ISPENDR / ICPENDR (4.3.7, 4.3.8) ----------------------------------------------------

std::uint32_t Distributor::rd_pendr(unsigned cpu, std::uint32_t index, AccessMode) {
    return collect_bits(cpu, index, [](const IrqState& s, std::uint32_t intid) { return pending(s, intid); });
}

// SGI bits of ISPENDR0/ICPENDR0 are read-only in GICv2: SGI pending state is per source and
// is set and cleared through GICD_SPENDSGIR/CPENDSGIR (IHI 0048B 4.3.7).
constexpr std::uint32_t kNonSgiBits = 0xFFFF0000u;

void Distributor::wr_ispendr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    if (index == 0) value &= kNonSgiBits;
    for_each_bit(cpu, index, value, [&](IrqState& s, std::uint32_t intid) {
        if (s.latch) return;
        s.latch = true;
        note_pending_event(cpu, intid);
        refresh(cpu, intid);
    });
}

void Distributor::wr_icpendr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    if (index == 0) value &= kNonSgiBits;
    // Clears the latch only: a level interrupt whose line is still asserted stays pending.
    for_each_bit(cpu, index, value, [&](IrqState& s, std::uint32_t intid) {
        if (!s.latch) return;
        s.latch = false;
        refresh(cpu, intid);
    });
}

// ---- ISACTIVER / ICACTIVER (4.3.9, 4.3.10) -----------------------------------------------

std::uint32_t Distributor::rd_activer(unsigned cpu, std::uint32_t index, AccessMode) {
    return collect_bits(cpu, index, [](const IrqState& s, std::uint32_t) { return s.active; });
}

void Distributor::wr_isactiver(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    for_each_bit(cpu, index, value, [&](IrqState& s, std::uint32_t intid) {
        if (s.active) return;
        s.active = true;
        // vm mode: an SPI made active by software belongs to the vCPU it targets.
        if (intid >= kNumPrivate) s.owner = spi_owner(s);
        refresh(cpu, intid);
    });
}

std::uint16_t Distributor::spi_owner(const IrqState& s) const {
    if (!config_.is_v3()) {
        const std::uint8_t t = spi_targets(s);
        return static_cast<std::uint16_t>(t != 0 ? lowest_bit(t) : 0);
    }
    // v3: the CPU it is routed to: IROUTER's, or the one 1-of-N chose (or would choose).
    if (!gicv3::gicd::IROUTER_IRM::test(s.irouter)) {
        const std::uint16_t t = affinity_target(s);
        return t != kNoCpu ? t : 0;
    }
    if (s.chosen != kNoCpu) return s.chosen;
    const std::uint16_t c = participants_[s.group1 ? 1 : 0].next_from(irm_next_);
    return c != kNoCpu ? c : 0;
}

void Distributor::wr_icactiver(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    for_each_bit(cpu, index, value, [&](IrqState& s, std::uint32_t intid) {
        if (!s.active) return;
        s.active = false;
        refresh(cpu, intid);
    });
}

// ---- IPRIORITYR (4.3.11): byte per INTID, unimplemented low bits RAZ/WI --------------------

std::uint32_t Distributor::rd_ipriorityr(unsigned cpu, std::uint32_t index, AccessMode) {
    std::uint32_t v = 0;
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t intid = index * 4 + lane;
        if (intid < config_.num_intids()) v |= std::uint32_t{irq(cpu, intid).priority} << (8 * lane);
    }
    return v;
}

void Distributor::wr_ipriorityr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes, AccessMode) {
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t intid = index * 4 + lane;
        if (!((lanes >> (8 * lane)) & 0xFFu) || intid >= config_.num_intids()) continue;
        const auto prio = static_cast<std::uint8_t>((value >> (8 * lane)) & priority_mask_);
        IrqState& s = irq(cpu, intid);
        if (s.priority == prio) continue;
        s.priority = prio;
        refresh(cpu, intid);
    }
}

// ---- ITARGETSR (4.3.12) ---------------------------------------------------------------------

std::uint32_t Distributor::rd_itargetsr(unsigned cpu, std::uint32_t index, AccessMode) {
    if (itargetsr_raz_wi()) return 0;  // uniprocessor: RAZ/WI (not with VmTargets::Kvm)
    std::uint32_t v = 0;
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t intid = index * 4 + lane;
        if (intid >= config_.num_intids()) break;
        // ITARGETSR0-7 (SGIs, PPIs) are read-only and return the reading CPU's own bit
        // in every byte; Linux derives its CPU-interface mask from them. (KVM: the private
        // interrupts' targets are 1 << vcpu, vgic-init.c vgic_init, one vCPU included.)
        const std::uint32_t byte = intid < kNumPrivate ? (1u << cpu) : irq(cpu, intid).targets;
        v |= byte << (8 * lane);
    }
    return v;
}

void Distributor::wr_itargetsr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes, AccessMode) {
    if (itargetsr_raz_wi() || index < kNumPrivate / 4) return;  // RO for INTIDs 0-31
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t intid = index * 4 + lane;
        if (!((lanes >> (8 * lane)) & 0xFFu) || intid >= config_.num_intids()) continue;
        // Bits of absent CPU interfaces are RAZ/WI (KVM masks with the online vCPUs the same
        // way, vgic_mmio_write_target's cpu_mask, one vCPU included).
        const auto targets = static_cast<std::uint8_t>((value >> (8 * lane)) & cpu_mask_);
        IrqState& s = irq(cpu, intid);
        if (s.targets == targets) continue;
        s.targets = targets;
        refresh(cpu, intid);
    }
}

// ---- ICFGR (4.3.13): Int_config[1] per INTID, 1 = edge ---------------------------------------

std::uint32_t Distributor::rd_icfgr(unsigned cpu, std::uint32_t index, AccessMode) {
    std::uint32_t v = 0;
    for (unsigned k = 0; k < 16; ++k) {
        const std::uint32_t intid = index * 16 + k;
        if (intid >= config_.num_intids()) break;
        if (irq(cpu, intid).edge) v |= 2u << (2 * k);
    }
    return v;
}

void Distributor::wr_icfgr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    if (index == 0) return;  // SGIs: read-only, always edge
    for (unsigned k = 0; k < 16; ++k) {
        const std::uint32_t intid = index * 16 + k;
        if (intid >= config_.num_intids()) break;
        const bool edge = (value >> (2 * k + 1)) & 1u;
        IrqState& s = irq(cpu, intid);
        if (s.edge == edge) continue;
        s.edge = edge;
        refresh(cpu, intid);
    }
}

// ---- NSACR (4.3.14): RAZ/WI without the Security Extensions -------------------------------

std::uint32_t Distributor::rd_raz(unsigned, std::uint32_t, AccessMode) { return 0; }
void Distributor::wr_wi(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode) {}

// ---- SGIR (4.3.15) ---------------------------------------------------------------------------

void Distributor::wr_sgir(unsigned cpu, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode == AccessMode::Debug) return;  // generating an SGI is a side effect
    generate_sgi(cpu, value);
}

void Distributor::generate_sgi(unsigned requester, std::uint32_t value) {
    const std::uint32_t sgi = SGIR_SGIINTID::get(value);
    std::uint32_t targets = 0;
    switch (SGIR_TargetListFilter::get(value)) {
    case kFilterList: targets = SGIR_CPUTargetList::get(value); break;
    case kFilterAllOthers: targets = ~(1u << requester); break;
    case kFilterSelf: targets = 1u << requester; break;
    default:
        guest_error(requester, SGIR, "SGIR", "TargetListFilter 0b11 is reserved; no SGI sent", value);
        return;
    }
    targets &= cpu_mask_;  // target bits of absent CPU interfaces are ignored
    while (targets != 0) {
        const unsigned target = lowest_bit(targets);
        targets &= targets - 1;
        IrqState& s = irq(target, sgi);
        const auto sources = static_cast<std::uint8_t>(s.sgi_sources | (1u << requester));
        // Generated even when already pending from this source (the GIC merges the two).
        if (events_ != nullptr) events_->interrupt_event(InterruptEvent::SgiGenerated, target, false, sgi);
        if (sources == s.sgi_sources) continue;
        s.sgi_sources = sources;
        note_pending_event(target, sgi);
        refresh(target, sgi);
    }
}

// ---- CPENDSGIR / SPENDSGIR (4.3.16, 4.3.17): byte per SGI, bit per source CPU -------------

std::uint32_t Distributor::rd_spendsgir(unsigned cpu, std::uint32_t index, AccessMode) {
    std::uint32_t v = 0;
    for (unsigned lane = 0; lane < 4; ++lane) v |= std::uint32_t{irq(cpu, index * 4 + lane).sgi_sources} << (8 * lane);
    return v;
}

void Distributor::wr_cpendsgir(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes, AccessMode) {
    value &= lanes;
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t sgi = index * 4 + lane;
        IrqState& s = irq(cpu, sgi);
        const auto sources = static_cast<std::uint8_t>(s.sgi_sources & ~(value >> (8 * lane)));
        if (sources == s.sgi_sources) continue;
        s.sgi_sources = sources;
        refresh(cpu, sgi);
    }
}

void Distributor::wr_spendsgir(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes, AccessMode) {
    value &= lanes;
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t sgi = index * 4 + lane;
        IrqState& s = irq(cpu, sgi);
        const auto sources = static_cast<std::uint8_t>(s.sgi_sources | ((value >> (8 * lane)) & cpu_mask_));
        if (sources == s.sgi_sources) continue;
        s.sgi_sources = sources;
        note_pending_event(cpu, sgi);
        refresh(cpu, sgi);
    }
}

// ---- state export / import ------------------------------------------------------------------

Distributor::State Distributor::export_state() const {
    State st;
    st.ctlr = enabled_groups_;
    st.private_irqs = private_;
    st.spis = spis_;
    st.redistributors = rdist_;
    st.irm_next = irm_next_;
    return st;
}

StateCheck Distributor::check_state(const State& st) const {
    const unsigned n = config_.num_cpus;
    const bool v3 = config_.is_v3();
    const std::string cpus = v3 ? "(num_cpus " + std::to_string(n) + ")"
                                : "(num_cpus " + std::to_string(n) + ": mask " + hex_string(cpu_mask_, 2) + ")";
    if (st.ctlr & ~(CTLR_EnableGrp0::mask | CTLR_EnableGrp1::mask))
        return StateProblem{"/ctlr", hex_string(st.ctlr, 8) + " sets bits other than EnableGrp0 and EnableGrp1"};
    if (st.private_irqs.size() != std::size_t{n} * kNumPrivate)
        return StateProblem{"/private", "expected " + std::to_string(n) + " x 32 banked interrupts, got " +
                                            std::to_string(st.private_irqs.size())};
    if (st.spis.size() != config_.num_spis)
        return StateProblem{"/spis", "expected " + std::to_string(config_.num_spis) + " SPIs (num_spis), got " +
                                         std::to_string(st.spis.size())};
    if (StateCheck p = check_v3_state(st)) return p;
    const auto check = [&](const IrqState& s, std::uint32_t intid, const std::string& at) -> StateCheck {
        const auto bad = [&](const char* field, const std::string& what) {
            return StateProblem{at + "/" + field, "INTID " + std::to_string(intid) + ": " + what};
        };
        if (s.priority & ~priority_mask_)
            return bad("priority", hex_string(s.priority, 2) + " has unimplemented bits: this GIC implements " +
                                       std::to_string(config_.priority_bits) + " priority bits (mask " +
                                       hex_string(priority_mask_, 2) + ")");
        if (intid < kNumSgis) {
            if (!s.edge) return bad("trigger", "an SGI is always edge-triggered");
            if (s.line) return bad("line", "an SGI has no input line");
            if (s.latch) return bad("pending_latch", "an SGI is pending per source (sgi_sources)");
            if (v3 && (s.sgi_sources & ~1u))
                return bad("sgi_sources", hex_string(s.sgi_sources, 2) +
                                              ": a GICv3 SGI has one pending state, kept as bit 0 (no per-source pending)");
            if (v3 && s.active_source != 0) return bad("active_source", "GICv3 SGIs have no source CPU");
            if (!v3 && (s.sgi_sources & ~cpu_mask_))
                return bad("sgi_sources", hex_string(s.sgi_sources, 2) + " names CPUs that do not exist " + cpus);
            if (s.active_source >= n)
                return bad("active_source", std::to_string(s.active_source) + " is not a CPU " + cpus);
            if (s.hw_pintid != 0) return bad("hw_physical_id", "an SGI cannot be mapped to hardware");
        } else {
            if (s.sgi_sources != 0) return bad("sgi_sources", "only SGIs have pending sources");
            if (s.active_source != 0) return bad("active_source", "only SGIs have an active source");
            if (s.hw_pintid != 0 && (s.hw_pintid < kNumSgis || s.hw_pintid >= kMaxIntids))
                return bad("hw_physical_id", std::to_string(s.hw_pintid) +
                                                 " is not a physical PPI or SPI (16..1019, 0 = not mapped)");
        }
        if (intid < kNumPrivate) {
            if (s.targets != 0) return bad("targets", "SGIs and PPIs have no ITARGETSR byte");
            if (s.owner != 0) return bad("owner", "only SPIs have an owning vCPU");
            if (s.irouter != 0) return bad("irouter", "SGIs and PPIs have no GICD_IROUTER");
            if (s.chosen != kNoCpu) return bad("chosen", "only SPIs are routed 1-of-N");
        } else {
            if (v3 && s.targets != 0) return bad("targets", "GICD_ITARGETSR is RAZ/WI with affinity routing (ARE = 1)");
            if (!v3 && s.irouter != 0) return bad("irouter", "GICD_IROUTER exists with GICv3 only");
            if (!v3 && s.chosen != kNoCpu) return bad("chosen", "1-of-N routing exists with GICv3 only");
            if (s.irouter & ~gicv3::gicd::kIrouterWritable)
                return bad("irouter", hex_string(s.irouter, 16) + " sets RES0 bits " +
                                          hex_string(s.irouter & ~gicv3::gicd::kIrouterWritable, 16));
            if (s.chosen != kNoCpu) {
                const unsigned g = s.group1 ? 1 : 0;
                if (!gicv3::gicd::IROUTER_IRM::test(s.irouter))
                    return bad("chosen", "only an SPI with GICD_IROUTER.IRM = 1 is chosen 1-of-N");
                if (s.chosen >= n) return bad("chosen", std::to_string(s.chosen) + " is not a CPU " + cpus);
                if (!forwardable(s, intid))
                    return bad("chosen", "a 1-of-N choice exists only while the SPI is enabled, pending and not active");
                if (!participating(st.redistributors[s.chosen], g))
                    return bad("chosen", "CPU " + std::to_string(s.chosen) +
                                             " does not participate in 1-of-N for its group (asleep, or GICR_CTLR.DPG set)");
            }
            if (s.targets & ~cpu_mask_)
                return bad("targets", hex_string(s.targets, 2) + " names CPUs that do not exist " + cpus);
            if (!v3 && s.targets != 0 && itargetsr_raz_wi())
                return bad("targets", hex_string(s.targets, 2) +
                                          ": a uniprocessor GIC's GICD_ITARGETSR are RAZ/WI (IHI 0048B 4.3.12)");
            if (s.owner >= n) return bad("owner", std::to_string(s.owner) + " is not a CPU " + cpus);
        }
        if (!vm_mode_) {
            if (s.parked) return bad("parked", "only a vm-mode distributor parks interrupts in list registers");
            if (s.hw_pintid != 0) return bad("hw_physical_id", "hardware mappings exist in vm mode only");
            if (s.active_source != 0) return bad("active_source", "recorded in vm mode only");
        }
        return std::nullopt;
    };
    for (unsigned cpu = 0; cpu < n; ++cpu)
        for (std::uint32_t intid = 0; intid < kNumPrivate; ++intid)
            if (StateCheck p = check(st.private_irqs[cpu * kNumPrivate + intid], intid,
                                     "/private/" + std::to_string(cpu) + "/" + std::to_string(intid)))
                return p;
    for (std::uint32_t k = 0; k < config_.num_spis; ++k)
        if (StateCheck p = check(st.spis[k], kNumPrivate + k, "/spis/" + std::to_string(k))) return p;
    return std::nullopt;
}

void Distributor::import_state(const State& st) {
    if (StateCheck p = check_state(st)) throw StateError(*p);
    enabled_groups_ = st.ctlr;
    private_ = st.private_irqs;
    spis_ = st.spis;
    if (config_.is_v3()) import_v3_state(st);
    std::fill(retrigger_.begin(), retrigger_.end(), 0);
    for (IndexedPriorityQueue& h : eligible_) h.clear();
    for (IndexedPriorityQueue& h : active_unloaded_) h.clear();
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu)
        for (std::uint32_t intid = 0; intid < kNumPrivate; ++intid) refresh(cpu, intid);
    for (std::uint32_t intid = kNumPrivate; intid < config_.num_intids(); ++intid) refresh(0, intid);
    mark_all_dirty();
}

void Distributor::reset() {
    // The reset state is, by definition, what a distributor of this configuration is built
    // with (IHI 0048B 4.3: GICD_CTLR 0, every interrupt Group 0, disabled, inactive, not
    // pending, priority 0, ITARGETSR 0, PPIs level-sensitive; IHI 0069: GICD_IROUTER 0,
    // GICR_CTLR 0, GICR_WAKER.ProcessorSleep 1): take it from a fresh one (vm mode: with
    // vm mode on, so KVM's always-awake WAKER) and import it. import_state rebuilds what is
    // derived (queues, 1-of-N lists, participants), clears the re-trigger flags and RWP, and
    // marks every CPU dirty.
    Distributor fresh(config_, diag_);
    if (vm_mode_) fresh.enable_vm_mode();
    fresh.drain_dirty([](unsigned) {});
    State st = fresh.export_state();
    // What the hypervisor wired (VmGic::map_hw) is configuration, not VM state.
    if (vm_mode_) {
        for (std::size_t i = 0; i < private_.size(); ++i) st.private_irqs[i].hw_pintid = private_[i].hw_pintid;
        for (std::size_t i = 0; i < spis_.size(); ++i) st.spis[i].hw_pintid = spis_[i].hw_pintid;
    }
    import_state(st);
    complete_rwp();
}

// ---- identification registers -------------------------------------------------------------

std::uint32_t Distributor::rd_id(unsigned, std::uint32_t index, AccessMode) {
    // index 0-3: PIDR4-7, 4-7: PIDR0-3 (the order of IdRegisters::gicd_pidr), 8-11: CIDR0-3.
    return index < 8 ? config_.ids.gicd_pidr[index] : config_.ids.gicd_cidr[index - 8];
}


// ==== GICv3 ===================================================================================


// ---- GICv3 state ------------------------------------------------------------------------------

StateCheck Distributor::check_v3_state(const State& st) const {
    const unsigned n = config_.num_cpus;
    const std::size_t want = config_.is_v3() ? n : 0;
    if (st.redistributors.size() != want)
        return StateProblem{"/redistributors", "expected " + std::to_string(want) + " redistributors (" +
                                                   (config_.is_v3() ? "one per CPU" : "none with GICv2") + "), got " +
                                                   std::to_string(st.redistributors.size())};
    if (st.irm_next >= (config_.is_v3() ? n : 1u))
        return StateProblem{"/irm_next", std::to_string(st.irm_next) +
                                             (config_.is_v3() ? " is not a CPU (num_cpus " + std::to_string(n) + ")"
                                                              : ": 1-of-N routing exists with GICv3 only (0)")};
    for (std::size_t cpu = 0; cpu < st.redistributors.size(); ++cpu) {
        const RedistributorState& r = st.redistributors[cpu];
        const std::string at = "/redistributors/" + std::to_string(cpu);
        if (r.ctlr & ~kDpgBits)
            return StateProblem{at + "/ctlr", hex_string(r.ctlr, 8) + " sets bits other than DPG0 and DPG1NS"};
        if (r.waker & ~kProcessorSleep)
            return StateProblem{at + "/waker", hex_string(r.waker, 8) + " sets bits other than ProcessorSleep"};
        if (r.waker != 0 && kvm_waker())
            return StateProblem{at + "/waker", hex_string(r.waker, 8) +
                                                   ": GICR_WAKER is RAZ/WI with GicConfig.vm.waker = VmWaker::Kvm "
                                                   "(a redistributor is always awake)"};
    }
    return std::nullopt;
}

void Distributor::import_v3_state(const State& st) {
    // Called with spis_ replaced and before the queues are rebuilt: re-derive the 1-of-N
    // bookkeeping (participants, chosen lists) from the imported choices.
    rdist_ = st.redistributors;
    irm_next_ = st.irm_next;
    complete_rwp();
    for (IndexedPriorityQueue& h : irm_waiting_) h.clear();
    std::fill(held_by_.begin(), held_by_.end(), kNoCpu);
    std::fill(active_held_.begin(), active_held_.end(), kNoCpu);
    std::fill(chosen_head_.begin(), chosen_head_.end(), kNoCpu);
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu)
        for (unsigned g = 0; g < 2; ++g) participants_[g].assign(cpu, participating(rdist_[cpu], g));
    for (std::uint32_t k = 0; k < config_.num_spis; ++k) {
        IrqState& s = spis_[k];
        const std::uint16_t chosen = s.chosen;
        s.chosen = kNoCpu;
        set_chosen(kNumPrivate + k, s, chosen);
    }
}

// ---- CpuSet ----------------------------------------------------------------------------------

void Distributor::CpuSet::assign(unsigned cpu, bool member) {
    std::uint64_t& word = words_[cpu / 64];
    const std::uint64_t bit = std::uint64_t{1} << (cpu % 64);
    word = member ? (word | bit) : (word & ~bit);
    const std::uint64_t summary_bit = std::uint64_t{1} << (cpu / 64);
    summary_ = word != 0 ? (summary_ | summary_bit) : (summary_ & ~summary_bit);
}

std::uint16_t Distributor::CpuSet::next_from(unsigned from) const {
    const unsigned w = from / 64;
    const std::uint64_t here = words_[w] & (~std::uint64_t{0} << (from % 64));
    if (here != 0) return static_cast<std::uint16_t>(w * 64 + lowest_bit64(here));
    std::uint64_t later = w + 1 < 64 ? summary_ & (~std::uint64_t{0} << (w + 1)) : 0;
    if (later == 0) later = summary_;  // wrap around to the lowest member
    if (later == 0) return kNoCpu;
    const unsigned w2 = lowest_bit64(later);
    return static_cast<std::uint16_t>(w2 * 64 + lowest_bit64(words_[w2]));
}

// ---- GICv3 routing ---------------------------------------------------------------------------
// An SPI has at most one target CPU at a time. held_by_[spi] is the CPU whose eligibility
// queues it was last evaluated for: a refresh erases it there if the target moved and
// evaluates it at the target, O(log n) whatever num_cpus is.

bool Distributor::participates(unsigned cpu, unsigned group) const { return participants_[group].test(cpu); }

void Distributor::refresh_spi_v3(std::uint32_t intid) {
    const std::uint32_t k = intid - kNumPrivate;
    IrqState& s = spis_[k];
    std::uint16_t target;
    if (d3::IROUTER_IRM::test(s.irouter)) {
        target = choose_1ofn(intid, s);
    } else {
        drop_1ofn(intid, s);
        target = affinity_target(s);
    }
    std::uint16_t& held = held_by_[k];
    if (held != kNoCpu && held != target) update_eligible(held, intid, s, false);
    if (target != kNoCpu) update_eligible(target, intid, s, true);
    held = target;
    if (vm_mode_) move_active_unloaded(intid, s);
}

std::uint16_t Distributor::affinity_target(const IrqState& s) const {
    // IHI 0069 GICD_IROUTER<n>, IRM=0: the SPI goes to the PE Aff3.Aff2.Aff1.Aff0; an
    // affinity no PE has means it is forwarded to none.
    constexpr std::uint64_t kAff012 = d3::IROUTER_Aff0::mask | d3::IROUTER_Aff1::mask | d3::IROUTER_Aff2::mask;
    const auto affinity = static_cast<std::uint32_t>((d3::IROUTER_Aff3::get(s.irouter) << 24) | (s.irouter & kAff012));
    const int cpu = config_.cpu_of_affinity(affinity);
    return cpu < 0 ? kNoCpu : static_cast<std::uint16_t>(cpu);
}

std::uint16_t Distributor::choose_1ofn(std::uint32_t intid, IrqState& s) {
    // IHI 0069 "1 of N SPI routing" (IRM=1): the distributor picks one participating PE;
    // which one is IMPLEMENTATION DEFINED. Here: chosen when the SPI becomes eligible,
    // round-robin from the CPU after the last one chosen, kept while it stays eligible and
    // the CPU keeps participating; with no participant it waits (irm_waiting_).
    const unsigned g = s.group1 ? 1 : 0;
    irm_waiting_[1 - g].erase(intid);  // its group changed while it waited
    if (!forwardable(s, intid)) {
        drop_1ofn(intid, s);
        return kNoCpu;
    }
    if (s.chosen != kNoCpu && participates(s.chosen, g)) return s.chosen;
    const std::uint16_t cpu = participants_[g].next_from(irm_next_);
    set_chosen(intid, s, cpu);
    if (cpu == kNoCpu) {
        irm_waiting_[g].upsert(intid, s.priority);
        return kNoCpu;
    }
    irm_waiting_[g].erase(intid);
    irm_next_ = static_cast<std::uint16_t>((cpu + 1u) % config_.num_cpus);
    return cpu;
}

void Distributor::drop_1ofn(std::uint32_t intid, IrqState& s) {
    set_chosen(intid, s, kNoCpu);
    irm_waiting_[0].erase(intid);
    irm_waiting_[1].erase(intid);
}

void Distributor::set_chosen(std::uint32_t intid, IrqState& s, std::uint16_t cpu) {
    // Per CPU an intrusive list of the SPIs it was chosen for, so a CPU that stops
    // participating re-routes exactly those (O(1) link/unlink).
    if (s.chosen == cpu) return;
    const auto k = static_cast<std::uint16_t>(intid - kNumPrivate);
    if (s.chosen != kNoCpu) {
        const std::uint16_t prev = chosen_prev_[k];
        const std::uint16_t next = chosen_next_[k];
        (prev != kNoCpu ? chosen_next_[prev] : chosen_head_[s.chosen]) = next;
        if (next != kNoCpu) chosen_prev_[next] = prev;
    }
    s.chosen = cpu;
    chosen_prev_[k] = kNoCpu;
    chosen_next_[k] = kNoCpu;
    if (cpu == kNoCpu) return;
    const std::uint16_t head = chosen_head_[cpu];
    chosen_next_[k] = head;
    if (head != kNoCpu) chosen_prev_[head] = k;
    chosen_head_[cpu] = k;
}

void Distributor::move_active_unloaded(std::uint32_t intid, const IrqState& s) {
    // vm mode: an active SPI not in a list register sits in its owner's queue only.
    const std::uint16_t want = s.active && !s.parked ? s.owner : kNoCpu;
    std::uint16_t& held = active_held_[intid - kNumPrivate];
    if (held != kNoCpu && held != want && active_unloaded_[held].erase(intid)) mark_dirty(held);
    if (want != kNoCpu && active_unloaded_[want].upsert(intid, s.priority)) mark_dirty(want);
    held = want;
}

void Distributor::update_participation(unsigned cpu) {
    for (unsigned g = 0; g < 2; ++g) {
        const bool now = participating(rdist_[cpu], g);
        if (now == participants_[g].test(cpu)) continue;
        participants_[g].assign(cpu, now);
        if (now) assign_waiting(g);
        else rechoose_from(cpu, g);
    }
}

void Distributor::assign_waiting(unsigned group) {
    // A CPU started participating: every SPI that waited for one is chosen now, highest
    // priority first.
    IndexedPriorityQueue& waiting = irm_waiting_[group];
    while (!waiting.empty()) {
        const std::uint32_t intid = IndexedPriorityQueue::id_of(waiting.top());
        refresh_spi_v3(intid);
        if (waiting.contains(intid)) break;  // cannot happen while a CPU participates
    }
}

void Distributor::rechoose_from(unsigned cpu, unsigned group) {
    // `cpu` stopped participating for `group`: its chosen SPIs of that group go elsewhere.
    for (std::uint16_t k = chosen_head_[cpu]; k != kNoCpu;) {
        const std::uint16_t next = chosen_next_[k];
        if ((spis_[k].group1 ? 1u : 0u) == group) refresh_spi_v3(kNumPrivate + k);
        k = next;
    }
}

// ---- GICv3 SGIs (ICC_SGI0R_EL1 / ICC_SGI1R_EL1) ------------------------------------------------

void Distributor::generate_sgi_v3(unsigned requester, std::uint64_t v, unsigned group) {
    if (!config_.is_v3()) throw std::logic_error("generate_sgi_v3: GicConfig.version is 2 (SGIs go through GICD_SGIR)");
    if (requester >= config_.num_cpus)
        throw std::out_of_range("generate_sgi_v3: CPU " + std::to_string(requester) + " out of range 0.." +
                                std::to_string(config_.num_cpus - 1));
    if (group > 1) throw std::out_of_range("generate_sgi_v3: group " + std::to_string(group) + " is not 0 or 1");
    const auto sgi = static_cast<std::uint32_t>(icc3::SGIR_INTID::get(v));
    if (icc3::SGIR_IRM::test(v)) {
        // IRM=1: every PE except the requester (inherently O(num_cpus)).
        for (unsigned c = 0; c < config_.num_cpus; ++c)
            if (c != requester) pend_sgi_v3(c, sgi, group);
        return;
    }
    // IRM=0: TargetList bit k is the PE Aff3.Aff2.Aff1.(RS * 16 + k); a bit no PE answers
    // is ignored (ICC_SGI1R_EL1.TargetList). O(targets).
    const auto cluster = static_cast<std::uint32_t>((icc3::SGIR_Aff3::get(v) << 24) | (icc3::SGIR_Aff2::get(v) << 16) |
                                                    (icc3::SGIR_Aff1::get(v) << 8));
    const auto aff0_base = static_cast<std::uint32_t>(icc3::SGIR_RS::get(v) * 16);
    auto list = static_cast<std::uint32_t>(icc3::SGIR_TargetList::get(v));
    while (list != 0) {
        const unsigned k = lowest_bit(list);
        list &= list - 1;
        const int target = config_.cpu_of_affinity(cluster | (aff0_base + k));
        if (target >= 0) pend_sgi_v3(static_cast<unsigned>(target), sgi, group);
    }
}

void Distributor::pend_sgi_v3(unsigned target, std::uint32_t sgi, unsigned group) {
    // IHI 0069 "Forwarding an SGI to a target PE", DS=1: the SGI is made pending only if the
    // target's redistributor has it in the group the register generates (SGI0R: 0, SGI1R: 1).
    IrqState& s = irq(target, sgi);
    if ((s.group1 ? 1u : 0u) != group) return;
    // Generated even when already pending (the GIC merges the two).
    if (events_ != nullptr) events_->interrupt_event(InterruptEvent::SgiGenerated, target, false, sgi);
    if (s.sgi_sources != 0) return;
    s.sgi_sources = 1;  // one pending state: source 0
    note_pending_event(target, sgi);
    refresh(target, sgi);
}

// ---- GICv3 register write pending --------------------------------------------------------------

void Distributor::set_rwp_tracking(bool on) {
    rwp_tracking_ = on && config_.is_v3();  // GICv2 has no RWP
    if (!rwp_tracking_) complete_rwp();
}

void Distributor::complete_rwp() {
    gicd_rwp_ = false;
    for (const unsigned cpu : gicr_rwp_list_) gicr_rwp_[cpu] = 0;
    gicr_rwp_list_.clear();
}

void Distributor::note_gicr_rwp(unsigned cpu) {
    if (!rwp_tracking_ || gicr_rwp_[cpu]) return;
    gicr_rwp_[cpu] = 1;
    gicr_rwp_list_.push_back(cpu);  // reserved for num_cpus entries: no allocation
}

// ---- GICv3 GICD handlers (IHI 0069 12.9) -------------------------------------------------------

std::uint32_t Distributor::rd_ctlr_v3(unsigned cpu, std::uint32_t index, AccessMode mode) {
    // DS=1 layout: ARE and DS are RAO/WI (affinity routing always on, one Security state),
    // E1NWF RAZ/WI; EnableGrp0/1 sit where GICv2 has them.
    return rd_ctlr(cpu, index, mode) | d3::CTLR_ARE::mask | d3::CTLR_DS::mask | (gicd_rwp_ ? d3::CTLR_RWP::mask : 0u);
}

void Distributor::wr_ctlr_v3(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes, AccessMode mode) {
    const std::uint32_t before = enabled_groups_;
    wr_ctlr(cpu, index, value, lanes, mode);
    // GICD_CTLR.RWP tracks changes of the group enables.
    if (enabled_groups_ != before) note_gicd_rwp();
}

std::uint32_t Distributor::rd_typer_v3(unsigned, std::uint32_t, AccessMode) {
    // CPUNumber 0 (ARE=1: not used), SecurityExtn 0 (DS=1), MBIS/LPIS 0 (no LPIs),
    // IDbits 15 (16 INTID bits), A3V 0 (Aff3 always 0), No1N 0 (1-of-N supported),
    // RSS 1 (SGI targets Aff0 0-255).
    return d3::TYPER_ITLinesNumber::make(config_.it_lines_number()) | d3::TYPER_IDbits::make(15) | d3::TYPER_RSS::mask;
}

std::uint32_t Distributor::rd_iidr_v3(unsigned, std::uint32_t, AccessMode) { return config_.v3.ids.gicd_iidr; }

void Distributor::wr_icenabler_v3(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes,
                                  AccessMode mode) {
    if (index == 0) return;  // ARE=1: INTIDs 0-31 live in the redistributors (RAZ/WI)
    // GICD_CTLR.RWP tracks a GICD_ICENABLER write that disables an interrupt.
    if (rd_enabler(cpu, index, AccessMode::Debug) & value) note_gicd_rwp();
    wr_icenabler(cpu, index, value, lanes, mode);
}

std::uint32_t Distributor::rd_irouter(unsigned, std::uint32_t index, AccessMode) {
    // Word 2n is IROUTER<n>[31:0], 2n+1 its [63:32]. n < 32 is reserved and unimplemented
    // SPIs have no IROUTER: RAZ/WI.
    const std::uint32_t intid = index / 2;
    if (intid < kNumPrivate || intid >= config_.num_intids()) return 0;
    const std::uint64_t v = spis_[intid - kNumPrivate].irouter;
    return static_cast<std::uint32_t>(index % 2 ? v >> 32 : v);
}

void Distributor::wr_irouter(unsigned, std::uint32_t index, std::uint32_t value, std::uint32_t, AccessMode) {
    const std::uint32_t intid = index / 2;
    if (intid < kNumPrivate || intid >= config_.num_intids()) return;
    IrqState& s = spis_[intid - kNumPrivate];
    const unsigned shift = index % 2 ? 32 : 0;
    const std::uint64_t half = std::uint64_t{0xFFFFFFFFu} << shift;
    // Aff0-3 and IRM are RW, every other bit RES0. A 64-bit write arrives as two word writes,
    // each refreshing the routing: harmless (IRM is in the low word, and Aff3 always 0).
    const std::uint64_t v = ((s.irouter & ~half) | (std::uint64_t{value} << shift)) & d3::kIrouterWritable;
    if (v == s.irouter) return;
    s.irouter = v;
    refresh(0, intid);
}

std::uint32_t Distributor::rd_id_v3(unsigned, std::uint32_t index, AccessMode) {
    // 0xFFD0: PIDR4-7, PIDR0-3, CIDR0-3 (the order of Gicv3Ids::pidr); GICD and GICR alike.
    return index < 8 ? config_.v3.ids.pidr[index] : config_.v3.ids.cidr[index - 8];
}

// ---- GICR (IHI 0069 12.10 RD_base, 12.11 SGI_base) -----------------------------------------------

AccessResult Distributor::read_redistributor(unsigned accessor, std::uint32_t offset, unsigned size, AccessMode mode) {
    return gicr_access(accessor, offset, size, false, 0, mode);
}

AccessResult Distributor::write_redistributor(unsigned accessor, std::uint32_t offset, unsigned size,
                                              std::uint64_t value, AccessMode mode) {
    return gicr_access(accessor, offset, size, true, value, mode);
}

AccessResult Distributor::gicr_access(unsigned accessor, std::uint32_t offset, unsigned size, bool is_write,
                                      std::uint64_t value, AccessMode mode) {
    const std::uint32_t rd = offset / r3::kStride;
    if (!config_.is_v3() || rd >= config_.num_cpus) {
        const char* why = config_.is_v3() ? "offset past the last redistributor (the one with GICR_TYPER.Last = 1)"
                                          : "no redistributors with GICv2 (GicConfig.version = 2)";
        const BadAccess b = BadAccess::make("GICR", nullptr, why, accessor, offset, size, is_write, value,
                                            BadAccessKind::Reserved);
        return {0, diag_.bad_access(b), b.kind};
    }
    const std::uint32_t inner = offset % r3::kStride;
    const RegisterFrame<Distributor>& f = inner < r3::kSgiBase ? *rd_frame_ : *sgi_frame_;
    const std::uint32_t at = inner % r3::kSgiBase;
    return is_write ? f.write(*this, diag_, rd, at, size, value, mode) : f.read(*this, diag_, rd, at, size, mode);
}

std::uint32_t Distributor::rd_gicr_ctlr(unsigned cpu, std::uint32_t, AccessMode) {
    return rdist_[cpu].ctlr | (gicr_rwp_[cpu] ? r3::CTLR_RWP::mask : 0u);
}

void Distributor::wr_gicr_ctlr(unsigned cpu, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    // EnableLPIs RAZ/WI (TYPER.PLPIS = 0), DPG1S RAZ/WI (DS=1), RWP and UWP read-only.
    const std::uint32_t dpg = value & kDpgBits;
    if (dpg == rdist_[cpu].ctlr) return;
    rdist_[cpu].ctlr = dpg;
    note_gicr_rwp(cpu);  // GICR_CTLR.RWP tracks DPG changes
    update_participation(cpu);
}

std::uint32_t Distributor::rd_gicr_iidr(unsigned, std::uint32_t, AccessMode) { return config_.v3.ids.gicr_iidr; }

std::uint32_t Distributor::rd_gicr_typer(unsigned cpu, std::uint32_t index, AccessMode) {
    if (index == 1) return config_.affinity_of(cpu);  // [63:32] Aff3.Aff2.Aff1.Aff0
    // PLPIS/VLPIS/DirectLPI 0, DPGS 1 (GICR_CTLR.DPG* implemented), CommonLPIAff 0. Last on
    // the last redistributor of the region only: Linux stops its walk there.
    std::uint64_t v = r3::TYPER_DPGS::mask | r3::TYPER_Processor_Number::make(cpu);
    if (cpu + 1 == config_.num_cpus) v |= r3::TYPER_Last::mask;
    return static_cast<std::uint32_t>(v);
}

// GICR_WAKER. VmWaker::Kvm (vm mode): RAZ/WI as KVM's (vgic-mmio-v3.c), the redistributor
// always awake; the state keeps ProcessorSleep = 0, so the reads below return 0.
std::uint32_t Distributor::rd_waker(unsigned cpu, std::uint32_t, AccessMode) {
    // ChildrenAsleep follows ProcessorSleep at once: the model has no interface to quiesce.
    const std::uint32_t sleep = rdist_[cpu].waker & kProcessorSleep;
    return sleep | (sleep ? r3::WAKER_ChildrenAsleep::mask : 0u);
}

void Distributor::wr_waker(unsigned cpu, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    if (kvm_waker()) return;  // WI: a KVM redistributor cannot be put to sleep
    const std::uint32_t sleep = value & kProcessorSleep;
    if (sleep == rdist_[cpu].waker) return;
    rdist_[cpu].waker = sleep;
    mark_dirty(cpu);  // its CPU interface gains or loses every candidate at once
    update_participation(cpu);
}

void Distributor::wr_gicr_icenabler0(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes,
                                     AccessMode mode) {
    // GICR_CTLR.RWP tracks a GICR_ICENABLER0 write that disables an interrupt.
    if (rd_enabler(cpu, index, AccessMode::Debug) & value) note_gicr_rwp(cpu);
    wr_icenabler(cpu, index, value, lanes, mode);
}

void Distributor::wr_gicr_ispendr0(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes,
                                   AccessMode mode) {
    // GICv3 SGIs have one pending state, set here like any other bit (there is no
    // GICD_SPENDSGIR with ARE=1); it is kept as source 0.
    for_each_bit(cpu, index, value & kSgiBits, [&](IrqState& s, std::uint32_t sgi) {
        if (s.sgi_sources != 0) return;
        s.sgi_sources = 1;
        note_pending_event(cpu, sgi);
        refresh(cpu, sgi);
    });
    wr_ispendr(cpu, index, value, lanes, mode);  // PPIs (it ignores the SGI bits)
}

void Distributor::wr_gicr_icpendr0(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes,
                                   AccessMode mode) {
    for_each_bit(cpu, index, value & kSgiBits, [&](IrqState& s, std::uint32_t sgi) {
        if (s.sgi_sources == 0) return;
        s.sgi_sources = 0;
        refresh(cpu, sgi);
    });
    wr_icpendr(cpu, index, value, lanes, mode);
}

} // namespace vgic
