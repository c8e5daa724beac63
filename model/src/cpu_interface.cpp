// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/cpu_interface.hpp"

#include "no_frame.hpp"
#include "vgic/model/gicv3_regs.hpp"

#include <algorithm>

namespace vgic {

using namespace gicv2;
using namespace gicv2::gicc;

CpuInterfaceParams CpuInterfaceParams::physical(unsigned priority_bits, std::uint32_t iidr) {
    CpuInterfaceParams p;
    p.kind = CpuInterfaceKind::Physical;
    p.frame_name = "GICC";
    p.priority_bits = priority_bits;
    p.preemption_bits = std::min(priority_bits, 7u);
    p.iidr = iidr;
    return p;
}

CpuInterfaceParams CpuInterfaceParams::virtual_interface(unsigned priority_bits, unsigned preemption_bits,
                                                         std::uint32_t iidr) {
    CpuInterfaceParams p;
    p.kind = CpuInterfaceKind::Virtual;
    p.frame_name = "GICV";
    p.priority_bits = priority_bits;
    p.preemption_bits = preemption_bits;
    p.iidr = iidr;
    return p;
}

CpuInterfaceParams CpuInterfaceParams::physical_v3(unsigned priority_bits) {
    CpuInterfaceParams p;
    p.kind = CpuInterfaceKind::Physical;
    p.arch = GicVersion::V3;
    p.frame_name = "ICC";
    p.priority_bits = priority_bits;
    // IHI 0069 ICC_BPR0_EL1: the minimum binary point is 7 - preemption bits, so at most 7.
    p.preemption_bits = std::min(priority_bits, 7u);
    p.iidr = 0;
    return p;
}

CpuInterfaceParams CpuInterfaceParams::virtual_v3(unsigned priority_bits, unsigned preemption_bits) {
    CpuInterfaceParams p;
    p.kind = CpuInterfaceKind::Virtual;
    p.arch = GicVersion::V3;
    p.frame_name = "ICV";
    p.priority_bits = priority_bits;
    p.preemption_bits = preemption_bits;
    p.iidr = 0;
    return p;
}

std::vector<RegisterDesc<CpuInterface>> CpuInterface::register_table(const CpuInterfaceParams& params) {
    using C = CpuInterface;
    // GICv3 has no memory-mapped CPU interface (the system registers replace it): no table,
    // and no word index to hold per CPU.
    if (params.arch == GicVersion::V3) return {};
    std::vector<RegisterDesc<C>> t = {
        {"CTLR", CTLR, 1, kW32, RegAccess::RW, &C::rd_ctlr, &C::wr_ctlr},
        {"PMR", PMR, 1, kW32, RegAccess::RW, &C::rd_pmr, &C::wr_pmr},
        {"BPR", BPR, 1, kW32, RegAccess::RW, &C::rd_bpr, &C::wr_bpr},
        {"IAR", IAR, 1, kW32, RegAccess::RO, &C::rd_iar, nullptr},
        {"EOIR", EOIR, 1, kW32, RegAccess::WO, nullptr, &C::wr_eoir},
        {"RPR", RPR, 1, kW32, RegAccess::RO, &C::rd_rpr, nullptr},
        {"HPPIR", HPPIR, 1, kW32, RegAccess::RO, &C::rd_hppir, nullptr},
        {"ABPR", ABPR, 1, kW32, RegAccess::RW, &C::rd_abpr, &C::wr_abpr},
        {"AIAR", AIAR, 1, kW32, RegAccess::RO, &C::rd_aiar, nullptr},
        {"AEOIR", AEOIR, 1, kW32, RegAccess::WO, nullptr, &C::wr_aeoir},
        {"AHPPIR", AHPPIR, 1, kW32, RegAccess::RO, &C::rd_ahppir, nullptr},
        {"IIDR", IIDR, 1, kW32, RegAccess::RO, &C::rd_iidr, nullptr},
        {"DIR", DIR, 1, kW32, RegAccess::WO, nullptr, &C::wr_dir},
    };
    if (params.kind == CpuInterfaceKind::Physical) {
        // GICC_APR0-3 (Group 0) and GICC_NSAPR0-3 (Group 1 active priorities).
        t.push_back({"APR", APR0, 4, kW32, RegAccess::RW, &C::rd_apr, &C::wr_apr});
        t.push_back({"NSAPR", NSAPR0, 4, kW32, RegAccess::RW, &C::rd_nsapr, &C::wr_nsapr});
    } else {
        // GICV_APR0 only: the virtual interface has at most 32 preemption levels, both
        // groups in one register, aliased by GICH_APR (IHI 0048B 5.3.?/5.6).
        t.push_back({"APR", APR0, 1, kW32, RegAccess::RW, &C::rd_apr, &C::wr_apr});
    }
    return t;
}

CpuInterface::CpuInterface(unsigned cpu, CandidateSource& source, Diagnostics& diag,
                           const CpuInterfaceParams& params)
    : cpu_(cpu),
      source_(source),
      diag_(diag),
      params_(params),
      frame_(params.frame_name, params.arch == GicVersion::V3 ? 0 : kFrameSize, register_table(params)),
      preemption_bits_(std::min({params.preemption_bits, params.priority_bits, 7u})),
      priority_mask_(static_cast<std::uint8_t>(0xFFu << (8 - params.priority_bits))),
      // GICV_CTLR has no bypass-disable bits (IHI 0048B 5.6.?). GICv3 (IHI 0069 ICC_CTLR_EL1,
      // ICC_IGRPEN<n>_EL1, ICH_VMCR_EL2) keeps only the group enables, CBPR and EOImode: no
      // AckCtl (IAR0/IAR1 are per group), FIQEn is effectively 1, no bypass with SRE=1.
      ctlr_writable_(params.arch == GicVersion::V3
                         ? (CTLR_EnableGrp0::mask | CTLR_EnableGrp1::mask | CTLR_CBPR::mask | CTLR_EOImode::mask)
                     : params.kind == CpuInterfaceKind::Physical
                         ? kCtlrWritable
                         : (CTLR_EnableGrp0::mask | CTLR_EnableGrp1::mask | CTLR_AckCtl::mask |
                            CTLR_FIQEn::mask | CTLR_CBPR::mask | CTLR_EOImode::mask)) {
    reset();
}

void CpuInterface::reset() {
    // IHI 0048B 4.4.1-4.4.3, 4.4.10-4.4.11 (GICC_CTLR, GICC_PMR, GICC_BPR/ABPR, GICC_APRn/
    // NSAPRn), IHI 0069 ICC_CTLR_EL1 / ICC_PMR_EL1 / ICC_IGRPEN<n>_EL1 / ICC_AP<n>R<m>_EL1:
    // the interface disabled, PMR 0 (every interrupt masked), no active priority. BPR resets
    // to its minimum (GIC-400: 2); ABPR's minimum is one more.
    ctlr_ = 0;
    pmr_ = 0;
    bpr_ = static_cast<std::uint8_t>(7 - preemption_bits_);
    abpr_ = static_cast<std::uint8_t>(8 - preemption_bits_);
    apr_ = {};
}

namespace {
constexpr const char* kNoFrameV3 = "GICv3: no memory-mapped CPU interface frame";
} // namespace

AccessResult CpuInterface::read(std::uint32_t offset, unsigned size, AccessMode mode) {
    // A GICv3 CPU interface is reached through system registers (SRE=1, no legacy frame).
    if (is_v3()) return detail::no_frame_v3(diag_, params_.frame_name, kNoFrameV3, cpu_, offset, size, false, 0);
    return frame_.read(*this, diag_, cpu_, offset, size, mode);
}

AccessResult CpuInterface::write(std::uint32_t offset, unsigned size, std::uint64_t value, AccessMode mode) {
    if (is_v3()) return detail::no_frame_v3(diag_, params_.frame_name, kNoFrameV3, cpu_, offset, size, true, value);
    return frame_.write(*this, diag_, cpu_, offset, size, value, mode);
}

void CpuInterface::load_control(std::uint32_t ctlr, std::uint32_t pmr, std::uint32_t bpr, std::uint32_t abpr) {
    wr_ctlr(cpu_, 0, ctlr, ~0u, AccessMode::Normal);
    wr_pmr(cpu_, 0, pmr, ~0u, AccessMode::Normal);
    wr_bpr(cpu_, 0, bpr, ~0u, AccessMode::Normal);
    wr_abpr(cpu_, 0, abpr, ~0u, AccessMode::Normal);
}

void CpuInterface::set_apr(unsigned group, unsigned n, std::uint32_t value) {
    if (group < 2 && n < 4) apr_[group][n] = value & apr_word_mask(n);
}

// ---- state export / import ------------------------------------------------------------------

CpuInterface::State CpuInterface::export_state() const {
    State st;
    st.ctlr = ctlr_;
    st.pmr = pmr_;
    st.bpr = bpr_;
    st.abpr = abpr_;
    st.apr = apr_;
    return st;
}

StateCheck CpuInterface::check_control(std::uint32_t ctlr, std::uint32_t pmr, std::uint32_t bpr,
                                       std::uint32_t abpr) const {
    if (ctlr & ~ctlr_writable_)
        return StateProblem{"CTLR", hex_string(ctlr, 8) + " sets bits this interface does not implement (" +
                                        hex_string(ctlr_writable_, 8) + ")"};
    if (pmr & ~std::uint32_t{priority_mask_})
        return StateProblem{"PMR", hex_string(pmr, 2) + " has unimplemented bits (" +
                                       std::to_string(params_.priority_bits) + " priority bits: mask " +
                                       hex_string(priority_mask_, 2) + ")"};
    if (bpr < min_bpr() || bpr > 7)
        return StateProblem{"BPR", std::to_string(bpr) + " is outside " + std::to_string(min_bpr()) +
                                       "..7 (the minimum follows from " + std::to_string(preemption_bits_) +
                                       " preemption bits)"};
    if (abpr < min_bpr() + 1 || abpr > 7)
        return StateProblem{"ABPR", std::to_string(abpr) + " is outside " + std::to_string(min_bpr() + 1) +
                                        "..7 (the minimum follows from " + std::to_string(preemption_bits_) +
                                        " preemption bits)"};
    return std::nullopt;
}

StateCheck CpuInterface::check_apr(unsigned group, unsigned n, std::uint32_t value) const {
    if (apr_group(group) != group && value != 0)
        return StateProblem{"", "the virtual CPU interface has no NSAPR registers"};
    const std::uint32_t mask = apr_word_mask(n);
    if (value & ~mask)
        return StateProblem{"", hex_string(value, 8) + " sets bits beyond the " +
                                    std::to_string(1u << preemption_bits_) + " preemption levels (mask " +
                                    hex_string(mask, 8) + ")"};
    return std::nullopt;
}

StateCheck CpuInterface::check_state(const State& st) const {
    if (StateCheck p = check_control(st.ctlr, st.pmr, st.bpr, st.abpr)) {
        std::string field = p->where;
        for (char& ch : field) ch = static_cast<char>(ch - 'A' + 'a');
        return StateProblem{"/" + field, p->what};
    }
    for (unsigned g = 0; g < 2; ++g)
        for (unsigned n = 0; n < 4; ++n)
            if (StateCheck p = check_apr(g, n, st.apr[g][n]))
                return StateProblem{(g == 0 ? "/apr/" : "/nsapr/") + std::to_string(n), p->what};
    return std::nullopt;
}

void CpuInterface::import_state(const State& st) {
    if (StateCheck p = check_state(st)) throw StateError(*p);
    ctlr_ = st.ctlr;
    pmr_ = st.pmr;
    bpr_ = st.bpr;
    abpr_ = st.abpr;
    apr_ = st.apr;
}

// ---- priority arithmetic (IHI 0048B 3.3) ------------------------------------------------------

std::uint8_t CpuInterface::group_priority(std::uint8_t priority, unsigned group) const {
    // 3.3.3: Group 0 (and Group 1 when CBPR=1) uses GICC_BPR: group priority is bits
    // [7:BPR+1]. Group 1 with CBPR=0 uses GICC_ABPR: bits [7:ABPR].
    const unsigned split = (group == 0 || CTLR_CBPR::test(ctlr_)) ? bpr_ + 1u : abpr_;
    return static_cast<std::uint8_t>(priority & (0xFFu << split));
}

std::uint8_t CpuInterface::running_priority() const {
    // The highest active priority is the lowest set bit over both groups' active priorities.
    for (unsigned n = 0; n < 4; ++n) {
        const std::uint32_t both = apr_[0][n] | apr_[1][n];
        if (both != 0) {
            const unsigned level = n * 32 + static_cast<unsigned>(__builtin_ctz(both));
            return static_cast<std::uint8_t>(level << (8 - preemption_bits_));
        }
    }
    return 0xFF;  // idle
}

std::uint32_t CpuInterface::apr_word_mask(unsigned n) const {
    const unsigned levels = 1u << preemption_bits_;
    if (n * 32 >= levels) return 0;
    const unsigned bits = std::min(32u, levels - n * 32);
    return bits == 32 ? ~0u : (1u << bits) - 1;
}

Candidate CpuInterface::signalled() const {
    const unsigned enabled = CTLR_EnableGrp0::get(ctlr_) | (CTLR_EnableGrp1::get(ctlr_) << 1);
    Candidate c = source_.highest_pending(enabled);
    if (!c.valid()) return c;
    // 3.2.2: priority strictly higher (numerically lower) than PMR, and group priority
    // strictly higher than the running priority (preemption).
    if (c.priority >= pmr_ || group_priority(c.priority, c.group) >= running_priority()) return Candidate{};
    return c;
}

LineLevels CpuInterface::lines() const {
    LineLevels out;
    const Candidate c = signalled();
    if (!c.valid()) return out;
    // IHI 0048B 3.2 "Interrupt signaling": Group 0 is signalled as FIQ when CTLR.FIQEn=1.
    // IHI 0069 "Interrupt grouping": with one Security state Group 0 is always FIQ and Group 1
    // IRQ (the virtual interface likewise: ICH_VMCR_EL2.VFIQEn is RES1 with SRE=1).
    if (c.group == 0 && (is_v3() || CTLR_FIQEn::test(ctlr_))) out.fiq = true;
    else out.irq = true;
    return out;
}

std::uint32_t CpuInterface::iar_value(const Candidate& c) {
    return IAR_InterruptID::make(c.intid) | (c.intid < kNumSgis ? IAR_CPUID::make(c.source_cpu) : 0u);
}

// ---- CTLR, PMR, BPR, ABPR (4.4.1-4.4.3, 4.4.9) ----------------------------------------------

std::uint32_t CpuInterface::rd_ctlr(unsigned, std::uint32_t, AccessMode) { return ctlr_; }
void CpuInterface::wr_ctlr(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    ctlr_ = value & ctlr_writable_;
}

std::uint32_t CpuInterface::rd_pmr(unsigned, std::uint32_t, AccessMode) { return pmr_; }
void CpuInterface::wr_pmr(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    // Unimplemented low priority bits are RAZ/WI.
    pmr_ = static_cast<std::uint8_t>(value & priority_mask_);
}

std::uint32_t CpuInterface::rd_bpr(unsigned, std::uint32_t, AccessMode) { return bpr_; }
void CpuInterface::wr_bpr(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    // 4.4.3: a value below the minimum sets the minimum.
    bpr_ = static_cast<std::uint8_t>(std::max<unsigned>(BPR_BinaryPoint::get(value), min_bpr()));
}

std::uint32_t CpuInterface::rd_abpr(unsigned, std::uint32_t, AccessMode) { return abpr_; }
void CpuInterface::wr_abpr(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode) {
    abpr_ = static_cast<std::uint8_t>(std::max<unsigned>(BPR_BinaryPoint::get(value), min_bpr() + 1));
}

// ---- IAR / AIAR (4.4.4, 4.4.10) -----------------------------------------------------------

std::uint32_t CpuInterface::acknowledge(bool alias, AccessMode mode) {
    const Candidate c = signalled();
    if (!c.valid()) return kSpurious;
    if (alias) {
        // GICC_AIAR acknowledges Group 1 only.
        if (c.group == 0) return kSpurious;
    } else if (c.group == 1 && !CTLR_AckCtl::test(ctlr_)) {
        // 4.4.4: with AckCtl=0 an IAR read does not acknowledge a Group 1 interrupt and
        // returns 1022 so software knows one is pending.
        return kSpuriousOtherGroup;
    }
    activate(c, mode);
    return iar_value(c);
}

std::uint32_t CpuInterface::acknowledge_group(unsigned group, AccessMode mode) {
    // IHI 0069 ICC_IAR0_EL1 / ICC_IAR1_EL1: each acknowledges only the signalled interrupt
    // of its own group; with the other group's interrupt the highest, 1023 (no AckCtl).
    const Candidate c = signalled();
    if (!c.valid() || c.group != group) return kSpurious;
    activate(c, mode);
    return c.intid;  // INTID [23:0], no CPUID field in GICv3
}

void CpuInterface::activate(const Candidate& c, AccessMode mode) {
    if (mode != AccessMode::Normal || !source_.acknowledge(c)) return;
    // The active priority is the group priority's preemption level, in the group's set
    // (GICv2 GICV: one APR for both groups).
    const unsigned level = preemption_level(group_priority(c.priority, c.group));
    apr_[apr_group(c.group)][level / 32] |= 1u << (level % 32);
    report(InterruptEvent::Acknowledged, c.intid);
}

std::uint32_t CpuInterface::rd_iar(unsigned, std::uint32_t, AccessMode mode) { return acknowledge(false, mode); }
std::uint32_t CpuInterface::rd_aiar(unsigned, std::uint32_t, AccessMode mode) { return acknowledge(true, mode); }

// ---- EOIR / AEOIR / DIR (4.4.5, 4.4.11, 4.4.15; virtual: 5.4) ------------------------------

void CpuInterface::guest_error(std::uint32_t offset, const char* reg, const char* detail, std::uint64_t value) {
    // GICv2 frames take 32-bit writes; GICv3 system registers are 64-bit.
    diag_.guest_error(BadAccess::make(params_.frame_name, reg, detail, cpu_, offset, is_v3() ? 8u : 4u, true, value,
                                      BadAccessKind::GuestError));
}

bool CpuInterface::drop_priority(unsigned group) {
    // Priority drop (IHI 0048B 3.3.4, IHI 0069 ICC_EOIR0_EL1 / ICC_EOIR1_EL1): clear the highest
    // active priority, in `group`'s set if both sets hold that level.
    unsigned n = 0;
    while (n < 4 && (apr_[0][n] | apr_[1][n]) == 0) ++n;
    if (n == 4) return false;
    const std::uint32_t both = apr_[0][n] | apr_[1][n];
    const std::uint32_t bit = both & (~both + 1);
    const unsigned g = apr_group(group);
    if (apr_[g][n] & bit) apr_[g][n] &= ~bit;
    else apr_[g ^ 1u][n] &= ~bit;
    return true;
}

void CpuInterface::end_of_interrupt(std::uint32_t intid, unsigned source_cpu, int reg_group, std::uint64_t value,
                                    std::uint32_t offset, const char* reg) {
    if (intid >= kMaxIntids && intid <= kSpurious) return;  // a special INTID (1020-1023): no effect
    // The physical interface ignores an EOI of an inactive INTID. The virtual one does not
    // look: an EOI with no matching list register still drops the priority and counts in
    // GICH_HCR.EOICount / ICH_HCR_EL2.EOIcount (IHI 0048B 5.3.?, IHI 0069 ICH_HCR_EL2),
    // which is how hypervisors track overflowed interrupts.
    if (!is_virtual() && !source_.is_active(intid)) {
        guest_error(offset, reg, "INTID is not active: write ignored (UNPREDICTABLE)", value);
        return;
    }
    // The group whose active priority is dropped. Physical: the interrupt's. Virtual GICv3:
    // the register's (EOIR0 -> 0, EOIR1 -> 1), since there may be no list register to ask
    // (IHI 0069 ICV_EOIR<n>_EL1). Virtual GICv2: one APR, so the group does not matter.
    const unsigned group = (is_virtual() && is_v3()) ? static_cast<unsigned>(reg_group) : source_.group_of(intid);
    if (!is_v3()) {
        if (reg_group == 1 && group == 0) {  // GICC_AEOIR / GICV_AEOIR of a Group 0 interrupt
            guest_error(offset, reg, "AEOIR of a Group 0 interrupt: write ignored", value);
            return;
        }
    } else if (!is_virtual() && group != static_cast<unsigned>(reg_group)) {
        // IHI 0069 ICC_EOIR1_EL1 of a Group 0 interrupt (or EOIR0 of a Group 1 one): the
        // register completes only its own group.
        guest_error(offset, reg,
                    reg_group == 1 ? "EOIR1 of a Group 0 interrupt: write ignored (UNPREDICTABLE)"
                                   : "EOIR0 of a Group 1 interrupt: write ignored (UNPREDICTABLE)",
                    value);
        return;
    }
    // An EOI that drops no priority is ignored (and, virtual, does not count: item 1.4).
    if (!drop_priority(group)) {
        guest_error(offset, reg, "no active priority to drop: write ignored", value);
        return;
    }
    report(InterruptEvent::PriorityDropped, intid);
    // EOImode: 0 = EOIR also deactivates; 1 = deactivation waits for DIR.
    if (CTLR_EOImode::test(ctlr_)) return;
    // GICv3 virtual: a list register holding this vINTID active in the other group is not
    // deactivated by this register (IHI 0069 ICV_EOIR<n>_EL1 compares the group).
    if (is_virtual() && is_v3() && source_.is_active(intid) && source_.group_of(intid) != group) {
        guest_error(offset, reg, "vINTID is active in the other group: priority dropped, not deactivated", value);
        return;
    }
    source_.deactivate(intid, source_cpu);
}

void CpuInterface::wr_eoir(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode == AccessMode::Normal)
        end_of_interrupt(IAR_InterruptID::get(value), IAR_CPUID::get(value), -1, value, EOIR, "EOIR");
}
void CpuInterface::wr_aeoir(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode == AccessMode::Normal)
        end_of_interrupt(IAR_InterruptID::get(value), IAR_CPUID::get(value), 1, value, AEOIR, "AEOIR");
}

void CpuInterface::deactivate_direct(std::uint32_t intid, unsigned source_cpu, std::uint64_t value,
                                     std::uint32_t offset, const char* reg) {
    if (intid >= kMaxIntids && intid <= kSpurious) return;
    if (!CTLR_EOImode::test(ctlr_)) {
        guest_error(offset, reg, "DIR with EOImode=0 is UNPREDICTABLE: write ignored", value);
        return;
    }
    // Virtual: an unmatched DIR counts in EOICount inside the list-register source.
    if (source_.deactivate(intid, source_cpu))
        report(InterruptEvent::Deactivated, intid);
    else if (!is_virtual())
        guest_error(offset, reg, "INTID is not active: write ignored", value);
}

void CpuInterface::wr_dir(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode == AccessMode::Normal) deactivate_direct(IAR_InterruptID::get(value), IAR_CPUID::get(value), value, DIR, "DIR");
}

// ---- RPR, HPPIR, AHPPIR (4.4.6, 4.4.8, 4.4.12) --------------------------------------------

std::uint32_t CpuInterface::rd_rpr(unsigned, std::uint32_t, AccessMode) { return running_priority(); }

std::uint32_t CpuInterface::hppir(bool alias) const {
    // The highest-priority pending interrupt the source forwards, whether or not PMR,
    // the running priority or this interface's group enables would let it be signalled.
    const Candidate c = source_.highest_pending(0b11);
    if (!c.valid()) return kSpurious;
    if (alias) return c.group == 1 ? iar_value(c) : kSpurious;
    if (c.group == 1 && !CTLR_AckCtl::test(ctlr_)) return kSpuriousOtherGroup;
    return iar_value(c);
}

std::uint32_t CpuInterface::hppir_group(unsigned group) const {
    // IHI 0069 ICC_HPPIR0/1_EL1: the highest-priority pending interrupt if it is of this
    // register's group, else 1023; PMR and the running priority are not considered.
    const Candidate c = source_.highest_pending(0b11);
    return (c.valid() && c.group == group) ? c.intid : kSpurious;
}

std::uint32_t CpuInterface::rd_hppir(unsigned, std::uint32_t, AccessMode) { return hppir(false); }
std::uint32_t CpuInterface::rd_ahppir(unsigned, std::uint32_t, AccessMode) { return hppir(true); }

// ---- APRn / NSAPRn (4.4.13, 4.4.14): bit k = preemption level k active ----------------------

std::uint32_t CpuInterface::rd_apr(unsigned, std::uint32_t n, AccessMode) { return apr_[0][n]; }
void CpuInterface::wr_apr(unsigned, std::uint32_t n, std::uint32_t value, std::uint32_t, AccessMode) {
    set_apr(0, n, value);
}
std::uint32_t CpuInterface::rd_nsapr(unsigned, std::uint32_t n, AccessMode) { return apr_[1][n]; }
void CpuInterface::wr_nsapr(unsigned, std::uint32_t n, std::uint32_t value, std::uint32_t, AccessMode) {
    set_apr(1, n, value);
}

std::uint32_t CpuInterface::rd_iidr(unsigned, std::uint32_t, AccessMode) { return params_.iidr; }

// ---- GICv3 system registers (IHI 0069 12.2 ICC_*_EL1, 12.3 ICV_*_EL1) ----------------------
//
// The same state as the GICv2 frame, another encoding: ICC_IGRPEN0/1 are CTLR.EnableGrp0/1,
// BPR0/BPR1 are BPR/ABPR (IHI 0069 ICC_BPR1_EL1: Group 1 with CBPR=0 uses [7:BPR1] as its
// group priority, as GICv2's ABPR does), AP0R<n>/AP1R<n> are APR<n>/NSAPR<n>. The encodings
// decode through gicv3::sysreg::kEl1Regs, the table the HCR_EL2 routing uses too.

namespace {
using gicv3::sysreg::El1Reg;
} // namespace

AccessResult CpuInterface::sysreg_bad_access(std::uint32_t encoding, const char* reg, const char* detail,
                                             bool is_write, std::uint64_t value, BadAccessKind kind) {
    const BadAccess b = BadAccess::make(params_.frame_name, reg, detail, cpu_, encoding, 8, is_write, value, kind);
    return {0, diag_.bad_access(b), kind};
}

std::uint8_t CpuInterface::bpr1_view() const {
    // IHI 0069 ICC_BPR1_EL1 / ICV_BPR1_EL1: with CBPR=1, reads return BPR0 + 1 saturated at 7.
    if (CTLR_CBPR::test(ctlr_)) return static_cast<std::uint8_t>(std::min(bpr_ + 1u, 7u));
    return abpr_;
}

std::uint64_t CpuInterface::ctlr_v3() const {
    // IHI 0069 ICC_CTLR_EL1 (DS=1 view) / ICV_CTLR_EL1: CBPR and EOImode are the only
    // writable bits; PMHE RAZ/WI (no priority-mask hint); read-only: PRIbits = priority bits
    // - 1 (ICV_: ICH_VTR_EL2.PRIbits), IDbits 0 (16-bit INTIDs), SEIS 0 (no SError
    // generation), A3V 0 (Aff3 always 0), RSS 1 (SGI targets Aff0 0-255), ExtRange 0.
    namespace icc = gicv3::icc;
    return icc::CTLR_CBPR::make(CTLR_CBPR::get(ctlr_)) | icc::CTLR_EOImode::make(CTLR_EOImode::get(ctlr_)) |
           icc::CTLR_PRIbits::make(params_.priority_bits - 1) | icc::CTLR_IDbits::make(0) | icc::CTLR_RSS::mask;
}

AccessResult CpuInterface::read_sysreg(std::uint32_t encoding, AccessMode mode) {
    if (!is_v3())
        return sysreg_bad_access(encoding, nullptr, "GICv2: no system-register CPU interface", false, 0,
                                 BadAccessKind::Reserved);
    const gicv3::sysreg::El1RegInfo d = gicv3::sysreg::el1_reg_of(encoding);
    if (d.reg == El1Reg::None)
        return sysreg_bad_access(encoding, nullptr, "no CPU-interface register with this encoding", false, 0,
                                 BadAccessKind::Reserved);
    if (!d.readable)
        return sysreg_bad_access(encoding, d.name, to_string(BadAccessKind::ReadOfWriteOnly), false, 0,
                                 BadAccessKind::ReadOfWriteOnly);
    if ((d.reg == El1Reg::AP0R || d.reg == El1Reg::AP1R) && d.n >= num_apr_words())
        return sysreg_bad_access(encoding, d.name,
                                 "active-priority register not implemented with this many preemption bits (UNDEFINED)",
                                 false, 0, BadAccessKind::Reserved);
    std::uint64_t v = 0;
    switch (d.reg) {
    case El1Reg::PMR: v = pmr_; break;
    case El1Reg::IAR0: v = acknowledge_group(0, mode); break;
    case El1Reg::IAR1: v = acknowledge_group(1, mode); break;
    case El1Reg::HPPIR0: v = hppir_group(0); break;
    case El1Reg::HPPIR1: v = hppir_group(1); break;
    case El1Reg::BPR0: v = bpr_; break;
    case El1Reg::BPR1: v = bpr1_view(); break;
    case El1Reg::AP0R: v = apr_[0][d.n]; break;
    case El1Reg::AP1R: v = apr_[1][d.n]; break;
    case El1Reg::RPR: v = running_priority(); break;
    case El1Reg::CTLR: v = ctlr_v3(); break;
    case El1Reg::IGRPEN0: v = CTLR_EnableGrp0::get(ctlr_); break;
    case El1Reg::IGRPEN1: v = CTLR_EnableGrp1::get(ctlr_); break;
    default: break;
    }
    return {v, AccessStatus::Ok};
}

AccessResult CpuInterface::write_sysreg(std::uint32_t encoding, std::uint64_t value, AccessMode mode) {
    if (!is_v3())
        return sysreg_bad_access(encoding, nullptr, "GICv2: no system-register CPU interface", true, value,
                                 BadAccessKind::Reserved);
    const gicv3::sysreg::El1RegInfo d = gicv3::sysreg::el1_reg_of(encoding);
    if (d.reg == El1Reg::None)
        return sysreg_bad_access(encoding, nullptr, "no CPU-interface register with this encoding", true, value,
                                 BadAccessKind::Reserved);
    if (!d.writable)
        return sysreg_bad_access(encoding, d.name, to_string(BadAccessKind::WriteToReadOnly), true, value,
                                 BadAccessKind::WriteToReadOnly);
    if ((d.reg == El1Reg::AP0R || d.reg == El1Reg::AP1R) && d.n >= num_apr_words())
        return sysreg_bad_access(encoding, d.name,
                                 "active-priority register not implemented with this many preemption bits (UNDEFINED)",
                                 true, value, BadAccessKind::Reserved);
    namespace icc = gicv3::icc;
    const auto word = static_cast<std::uint32_t>(value);  // every field is in [31:0]; [63:32] RES0
    const auto intid = static_cast<std::uint32_t>(icc::IAR_INTID::get(value));
    switch (d.reg) {
    case El1Reg::PMR: wr_pmr(cpu_, 0, word, ~0u, mode); break;
    // EOIR/DIR: no CPUID in GICv3 (an SGI has one active state per target; IHI 0069
    // ICC_EOIR0_EL1, ICC_DIR_EL1 hold the INTID only).
    // Debug writes do nothing, as for GICv2.
    case El1Reg::EOIR0:
        if (mode == AccessMode::Normal) end_of_interrupt(intid, 0, 0, value, encoding, d.name);
        break;
    case El1Reg::EOIR1:
        if (mode == AccessMode::Normal) end_of_interrupt(intid, 0, 1, value, encoding, d.name);
        break;
    case El1Reg::DIR:
        if (mode == AccessMode::Normal) deactivate_direct(intid, 0, value, encoding, d.name);
        break;
    case El1Reg::BPR0: wr_bpr(cpu_, 0, word, ~0u, mode); break;
    case El1Reg::BPR1:
        // IHI 0069 ICC_BPR1_EL1: with CBPR=1 writes are ignored (BPR0 governs Group 1).
        if (!CTLR_CBPR::test(ctlr_)) wr_abpr(cpu_, 0, word, ~0u, mode);
        break;
    case El1Reg::AP0R: set_apr(0, d.n, word); break;
    case El1Reg::AP1R: set_apr(1, d.n, word); break;
    case El1Reg::CTLR: {
        // Only CBPR and EOImode are writable; everything else is RO or RAZ/WI (ctlr_v3()).
        const std::uint32_t bits = (icc::CTLR_CBPR::test(value) ? CTLR_CBPR::mask : 0u) |
                                   (icc::CTLR_EOImode::test(value) ? CTLR_EOImode::mask : 0u);
        ctlr_ = (ctlr_ & ~(CTLR_CBPR::mask | CTLR_EOImode::mask)) | bits;
        break;
    }
    case El1Reg::IGRPEN0:
        ctlr_ = CTLR_EnableGrp0::set(ctlr_, icc::IGRPEN_Enable::test(value) ? 1u : 0u);
        break;
    case El1Reg::IGRPEN1:
        ctlr_ = CTLR_EnableGrp1::set(ctlr_, icc::IGRPEN_Enable::test(value) ? 1u : 0u);
        break;
    default: break;
    }
    return {0, AccessStatus::Ok};
}

} // namespace vgic
