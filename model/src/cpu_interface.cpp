#include "vgic/model/cpu_interface.hpp"

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

std::vector<RegisterDesc<CpuInterface>> CpuInterface::register_table(const CpuInterfaceParams& params) {
    using C = CpuInterface;
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
      frame_(params.frame_name, kFrameSize, register_table(params)),
      preemption_bits_(std::min({params.preemption_bits, params.priority_bits, 7u})),
      priority_mask_(static_cast<std::uint8_t>(0xFFu << (8 - params.priority_bits))),
      // GICV_CTLR has no bypass-disable bits (IHI 0048B 5.6.?).
      ctlr_writable_(params.kind == CpuInterfaceKind::Physical
                         ? kCtlrWritable
                         : (CTLR_EnableGrp0::mask | CTLR_EnableGrp1::mask | CTLR_AckCtl::mask |
                            CTLR_FIQEn::mask | CTLR_CBPR::mask | CTLR_EOImode::mask)),
      // IHI 0048B 4.4.3: BPR resets to its minimum (GIC-400: 2); ABPR's minimum is one more.
      bpr_(static_cast<std::uint8_t>(7 - preemption_bits_)),
      abpr_(static_cast<std::uint8_t>(8 - preemption_bits_)) {}

AccessResult CpuInterface::read(std::uint32_t offset, unsigned size, AccessMode mode) {
    return frame_.read(*this, diag_, cpu_, offset, size, mode);
}

AccessResult CpuInterface::write(std::uint32_t offset, unsigned size, std::uint64_t value, AccessMode mode) {
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
    if (is_virtual() && group != 0 && value != 0)
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
    // 3.2 "Interrupt signaling": Group 0 is signalled as FIQ when CTLR.FIQEn=1.
    if (c.group == 0 && CTLR_FIQEn::test(ctlr_)) out.fiq = true;
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
    if (mode == AccessMode::Normal && source_.acknowledge(c)) {
        const unsigned level = preemption_level(group_priority(c.priority, c.group));
        const unsigned group = is_virtual() ? 0u : c.group;  // GICV: one APR for both groups
        apr_[group][level / 32] |= 1u << (level % 32);
    }
    return iar_value(c);
}

std::uint32_t CpuInterface::rd_iar(unsigned, std::uint32_t, AccessMode mode) { return acknowledge(false, mode); }
std::uint32_t CpuInterface::rd_aiar(unsigned, std::uint32_t, AccessMode mode) { return acknowledge(true, mode); }

// ---- EOIR / AEOIR / DIR (4.4.5, 4.4.11, 4.4.15; virtual: 5.4) ------------------------------

void CpuInterface::guest_error(std::uint32_t offset, const char* reg, const char* detail, std::uint64_t value) {
    diag_.guest_error(BadAccess::guest_write(params_.frame_name, reg, detail, cpu_, offset, value));
}

void CpuInterface::end_of_interrupt(std::uint32_t value, bool alias, std::uint32_t offset, const char* reg) {
    const std::uint32_t intid = IAR_InterruptID::get(value);
    const unsigned source_cpu = IAR_CPUID::get(value);
    if (intid >= kMaxIntids) return;  // EOI of a special INTID (1020-1023) has no effect
    // The physical interface ignores an EOI of an inactive INTID. The virtual one does not
    // look: an EOI with no matching list register still drops the priority and counts in
    // GICH_HCR.EOICount (IHI 0048B 5.3.?), which is how hypervisors track overflowed
    // interrupts.
    if (!is_virtual() && !source_.is_active(intid)) {
        guest_error(offset, reg, "INTID is not active: write ignored (UNPREDICTABLE)", value);
        return;
    }
    const unsigned group = source_.group_of(intid);
    if (alias && group == 0) {
        guest_error(offset, reg, "AEOIR of a Group 0 interrupt: write ignored", value);
        return;
    }
    // Priority drop (3.3.4): clear the highest active priority, in this interrupt's group
    // if both groups hold that level. An EOI that drops no priority is ignored.
    unsigned n = 0;
    while (n < 4 && (apr_[0][n] | apr_[1][n]) == 0) ++n;
    if (n == 4) {
        guest_error(offset, reg, "no active priority to drop: write ignored", value);
        return;
    }
    const std::uint32_t both = apr_[0][n] | apr_[1][n];
    const std::uint32_t bit = both & (~both + 1);
    if (apr_[group][n] & bit) apr_[group][n] &= ~bit;
    else apr_[group ^ 1u][n] &= ~bit;
    // 4.4.1 EOImode: 0 = EOIR also deactivates; 1 = deactivation waits for DIR.
    if (!CTLR_EOImode::test(ctlr_)) source_.deactivate(intid, source_cpu);
}

void CpuInterface::wr_eoir(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode == AccessMode::Normal) end_of_interrupt(value, false, EOIR, "EOIR");
}
void CpuInterface::wr_aeoir(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode == AccessMode::Normal) end_of_interrupt(value, true, AEOIR, "AEOIR");
}

void CpuInterface::wr_dir(unsigned, std::uint32_t, std::uint32_t value, std::uint32_t, AccessMode mode) {
    if (mode != AccessMode::Normal) return;
    const std::uint32_t intid = IAR_InterruptID::get(value);
    if (intid >= kMaxIntids) return;
    if (!CTLR_EOImode::test(ctlr_)) {
        guest_error(DIR, "DIR", "DIR with EOImode=0 is UNPREDICTABLE: write ignored", value);
        return;
    }
    // Virtual: an unmatched DIR counts in EOICount inside the list-register source.
    if (!source_.deactivate(intid, IAR_CPUID::get(value)) && !is_virtual())
        guest_error(DIR, "DIR", "INTID is not active: write ignored", value);
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

} // namespace vgic
