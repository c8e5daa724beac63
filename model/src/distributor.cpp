#include "vgic/model/distributor.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace vgic {

using namespace gicv2;
using namespace gicv2::gicd;

namespace {
unsigned lowest_bit(std::uint32_t v) { return static_cast<unsigned>(__builtin_ctz(v)); }
} // namespace

Distributor::Distributor(const GicConfig& config, Diagnostics& diag)
    : config_((config.validate(), config)),
      diag_(diag),
      frame_("GICD", kFrameSize,
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
             }),
      priority_mask_(static_cast<std::uint8_t>(0xFFu << (8 - config_.priority_bits))),
      cpu_mask_(static_cast<std::uint8_t>((1u << config_.num_cpus) - 1)),
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

void Distributor::update_heaps(unsigned cpu, std::uint32_t intid, const IrqState& s, bool targeted) {
    // IHI 0048B 3.2.4: the distributor forwards an interrupt that is enabled, pending and
    // not active (an active+pending interrupt waits for its deactivation). A parked
    // interrupt is already in a list register.
    const bool eligible = targeted && s.enabled && !s.active && !s.parked && pending(s, intid);
    if (vm_mode_) {
        const bool owned = intid < kNumPrivate || s.owner == cpu;
        IndexedMinHeap& act = active_unloaded_[cpu];
        if (owned && s.active && !s.parked) {
            if (act.upsert(intid, s.priority)) mark_dirty(cpu);
        } else if (act.erase(intid)) {
            mark_dirty(cpu);
        }
    }
    IndexedMinHeap& group0 = eligible_[cpu * 2];
    IndexedMinHeap& group1 = eligible_[cpu * 2 + 1];
    bool changed;
    if (!eligible) {
        changed = group0.erase(intid);
        changed = group1.erase(intid) || changed;
    } else {
        IndexedMinHeap& mine = s.group1 ? group1 : group0;
        IndexedMinHeap& other = s.group1 ? group0 : group1;
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
        update_heaps(cpu, intid, irq(cpu, intid), true);
        return;
    }
    const IrqState& s = irq(0, intid);
    const std::uint8_t targets = spi_targets(s);
    for (unsigned c = 0; c < config_.num_cpus; ++c) update_heaps(c, intid, s, (targets >> c) & 1u);
}

Candidate Distributor::highest_pending(unsigned cpu, unsigned group_mask) const {
    // Only groups enabled in GICD_CTLR are forwarded (IHI 0048B 4.3.1).
    group_mask &= enabled_groups_;
    std::uint32_t best = ~0u;
    unsigned best_group = 0;
    for (unsigned g = 0; g < 2; ++g) {
        const IndexedMinHeap& h = eligible_[cpu * 2 + g];
        if (((group_mask >> g) & 1u) && !h.empty() && h.top() < best) {
            best = h.top();
            best_group = g;
        }
    }
    Candidate c;
    if (best == ~0u) return c;
    c.intid = IndexedMinHeap::id_of(best);
    c.priority = static_cast<std::uint8_t>(IndexedMinHeap::priority_of(best));
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
    } else {
        // Edge: the pending latch moves into the LR (section 3 item 24: the software copy
        // is dropped once loaded).
        l.pending = s.latch;
        s.latch = false;
    }
    if (l.physical_id != 0) l.request_eoi = false;  // HW=1 LRs have no EOI bit
    s.parked = true;
    if (intid >= kNumPrivate) s.owner = static_cast<std::uint8_t>(cpu);
    refresh(cpu, intid);
    return l;
}

void Distributor::fold_from_lr(unsigned cpu, std::uint32_t intid, bool lr_pending, bool lr_active,
                               unsigned source_cpu) {
    IrqState& s = irq(cpu, intid);
    s.parked = false;
    s.active = lr_active;
    if (lr_active) {
        if (intid >= kNumPrivate) s.owner = static_cast<std::uint8_t>(cpu);
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
    c.intid = IndexedMinHeap::id_of(key);
    c.priority = static_cast<std::uint8_t>(IndexedMinHeap::priority_of(key));
    const IrqState& s = irq(cpu, c.intid);
    c.group = s.group1 ? 1 : 0;
    c.source_cpu = s.active_source;
    return c;
}

std::size_t Distributor::in_flight(unsigned cpu) const {
    std::size_t n = 0;
    for (unsigned g = 0; g < 2; ++g)
        if ((enabled_groups_ >> g) & 1u) n += eligible_[cpu * 2 + g].size();
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
        if (intid >= kNumPrivate) {
            const std::uint8_t t = spi_targets(s);
            s.owner = static_cast<std::uint8_t>(t != 0 ? lowest_bit(t) : 0);
        }
        refresh(cpu, intid);
    });
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
    if (config_.num_cpus == 1) return 0;  // uniprocessor: RAZ/WI
    std::uint32_t v = 0;
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t intid = index * 4 + lane;
        if (intid >= config_.num_intids()) break;
        // ITARGETSR0-7 (SGIs, PPIs) are read-only and return the reading CPU's own bit
        // in every byte; Linux derives its CPU-interface mask from them.
        const std::uint32_t byte = intid < kNumPrivate ? (1u << cpu) : irq(cpu, intid).targets;
        v |= byte << (8 * lane);
    }
    return v;
}

void Distributor::wr_itargetsr(unsigned cpu, std::uint32_t index, std::uint32_t value, std::uint32_t lanes, AccessMode) {
    if (config_.num_cpus == 1 || index < kNumPrivate / 4) return;  // RO for INTIDs 0-31
    for (unsigned lane = 0; lane < 4; ++lane) {
        const std::uint32_t intid = index * 4 + lane;
        if (!((lanes >> (8 * lane)) & 0xFFu) || intid >= config_.num_intids()) continue;
        // Bits of absent CPU interfaces are RAZ/WI.
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
    return st;
}

StateCheck Distributor::check_state(const State& st) const {
    const unsigned n = config_.num_cpus;
    const std::string cpus = "(num_cpus " + std::to_string(n) + ": mask " + hex_string(cpu_mask_, 2) + ")";
    if (st.ctlr & ~(CTLR_EnableGrp0::mask | CTLR_EnableGrp1::mask))
        return StateProblem{"/ctlr", hex_string(st.ctlr, 8) + " sets bits other than EnableGrp0 and EnableGrp1"};
    if (st.private_irqs.size() != std::size_t{n} * kNumPrivate)
        return StateProblem{"/private", "expected " + std::to_string(n) + " x 32 banked interrupts, got " +
                                            std::to_string(st.private_irqs.size())};
    if (st.spis.size() != config_.num_spis)
        return StateProblem{"/spis", "expected " + std::to_string(config_.num_spis) + " SPIs (num_spis), got " +
                                         std::to_string(st.spis.size())};
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
            if (s.sgi_sources & ~cpu_mask_)
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
        } else {
            if (s.targets & ~cpu_mask_)
                return bad("targets", hex_string(s.targets, 2) + " names CPUs that do not exist " + cpus);
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
    std::fill(retrigger_.begin(), retrigger_.end(), 0);
    for (IndexedMinHeap& h : eligible_) h.clear();
    for (IndexedMinHeap& h : active_unloaded_) h.clear();
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu)
        for (std::uint32_t intid = 0; intid < kNumPrivate; ++intid) refresh(cpu, intid);
    for (std::uint32_t intid = kNumPrivate; intid < config_.num_intids(); ++intid) refresh(0, intid);
    mark_all_dirty();
}

// ---- identification registers -------------------------------------------------------------

std::uint32_t Distributor::rd_id(unsigned, std::uint32_t index, AccessMode) {
    // index 0-3: PIDR4-7, 4-7: PIDR0-3 (the order of IdRegisters::gicd_pidr), 8-11: CIDR0-3.
    return index < 8 ? config_.ids.gicd_pidr[index] : config_.ids.gicd_cidr[index - 8];
}

} // namespace vgic
