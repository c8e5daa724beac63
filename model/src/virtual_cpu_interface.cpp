#include "vgic/model/virtual_cpu_interface.hpp"

#include "bits.hpp"

#include <stdexcept>

namespace vgic {

using namespace gicv2;
using namespace gicv2::gich;

namespace {
using bits::bit64;
using bits::lowest_bit64;
} // namespace

VirtualCpuInterface::VirtualCpuInterface(unsigned cpu, const VirtConfig& config, Diagnostics& diag,
                                         PhysicalDeactivate on_physical_deactivate)
    : cpu_(cpu),
      config_((config.validate(), config)),
      diag_(diag),
      on_physical_deactivate_(std::move(on_physical_deactivate)),
      frame_("GICH", kFrameSize,
             {
                 {"HCR", HCR, 1, kW32, RegAccess::RW, &VirtualCpuInterface::rd_hcr, &VirtualCpuInterface::wr_hcr},
                 {"VTR", VTR, 1, kW32, RegAccess::RO, &VirtualCpuInterface::rd_vtr, nullptr},
                 {"VMCR", VMCR, 1, kW32, RegAccess::RW, &VirtualCpuInterface::rd_vmcr, &VirtualCpuInterface::wr_vmcr},
                 {"MISR", MISR, 1, kW32, RegAccess::RO, &VirtualCpuInterface::rd_misr, nullptr},
                 {"EISR", EISR0, 2, kW32, RegAccess::RO, &VirtualCpuInterface::rd_eisr, nullptr},
                 {"ELRSR", ELRSR0, 2, kW32, RegAccess::RO, &VirtualCpuInterface::rd_elrsr, nullptr},
                 {"APR", APR, 1, kW32, RegAccess::RW, &VirtualCpuInterface::rd_apr, &VirtualCpuInterface::wr_apr},
                 {"LR", LR0, kMaxListRegs, kW32, RegAccess::RW, &VirtualCpuInterface::rd_lr, &VirtualCpuInterface::wr_lr},
             }),
      gicv_(cpu, static_cast<CandidateSource&>(*this), diag,
            CpuInterfaceParams::virtual_interface(config_.priority_bits, config_.preemption_bits, config_.gicv_iidr)),
      // A 4-bit implementation has LR.Priority[0] (priority bit 3) RES0.
      lr_priority_mask_(LR_Priority::make(0x1Fu << (5 - config_.priority_bits))),
      lrs_(config_.num_list_regs, 0),
      elrsr_mask_(bits::low_mask64(config_.num_list_regs)) {}

AccessResult VirtualCpuInterface::read_control(std::uint32_t offset, unsigned size, AccessMode mode) {
    return frame_.read(*this, diag_, cpu_, offset, size, mode);
}
AccessResult VirtualCpuInterface::write_control(std::uint32_t offset, unsigned size, std::uint64_t value,
                                                AccessMode mode) {
    return frame_.write(*this, diag_, cpu_, offset, size, value, mode);
}
AccessResult VirtualCpuInterface::read_vcpu(std::uint32_t offset, unsigned size, AccessMode mode) {
    return gicv_.read(offset, size, mode);
}
AccessResult VirtualCpuInterface::write_vcpu(std::uint32_t offset, unsigned size, std::uint64_t value,
                                             AccessMode mode) {
    return gicv_.write(offset, size, value, mode);
}

// ---- list register bookkeeping -------------------------------------------------------------

std::uint32_t VirtualCpuInterface::sanitize_lr(std::uint32_t value) const {
    // 5.3.?: bits [22:20] are RES0; with HW=0, bits [18:13] are RES0 (EOI at 19, CPUID at
    // [12:10]); unimplemented priority bits are RES0.
    std::uint32_t keep = LR_VirtualID::mask | LR_State::mask | LR_Grp1::mask | LR_HW::mask | lr_priority_mask_;
    keep |= LR_HW::test(value) ? LR_PhysicalID::mask : (LR_CPUID::mask | LR_EOI::mask);
    return value & keep;
}

void VirtualCpuInterface::store_lr(unsigned i, std::uint32_t value) {
    lrs_[i] = value;
    const std::uint64_t b = bit64(i);
    const std::uint32_t state = LR_State::get(value);
    const bool hw = LR_HW::test(value);
    const bool eoi = !hw && LR_EOI::test(value);
    valid_mask_ = state != kStateInvalid ? (valid_mask_ | b) : (valid_mask_ & ~b);
    pending_mask_ = state == kStatePending ? (pending_mask_ | b) : (pending_mask_ & ~b);
    // 5.3.?: EISR bit n = invalid, HW=0, EOI=1; ELRSR bit n = invalid and (HW=1 or EOI=0):
    // an LR still owing an EOI maintenance interrupt is not reported as free.
    eisr_mask_ = (state == kStateInvalid && eoi) ? (eisr_mask_ | b) : (eisr_mask_ & ~b);
    elrsr_mask_ = (state == kStateInvalid && !eoi) ? (elrsr_mask_ | b) : (elrsr_mask_ & ~b);
}

void VirtualCpuInterface::set_lr(unsigned index, std::uint32_t value) {
    if (index >= lrs_.size()) return;  // LR indexes beyond the configured count are RAZ/WI
    store_lr(index, sanitize_lr(value));
}

void VirtualCpuInterface::set_hcr(std::uint32_t value) { hcr_ = value & kHcrWritable; }

unsigned VirtualCpuInterface::eoi_count() const { return HCR_EOICount::get(hcr_); }

void VirtualCpuInterface::count_eoi() {
    // 5.3.?: EOICount is 5 bits and wraps.
    hcr_ = HCR_EOICount::set(hcr_, (HCR_EOICount::get(hcr_) + 1) & HCR_EOICount::max);
}

std::uint32_t VirtualCpuInterface::vtr() const {
    return VTR_ListRegs::make(num_list_regs() - 1) | VTR_PREbits::make(config_.preemption_bits - 1) |
           VTR_PRIbits::make(config_.priority_bits - 1);
}

std::uint32_t VirtualCpuInterface::vmcr() const {
    // GICH_VMCR is the hypervisor's view of GICV_CTLR, PMR, BPR and ABPR.
    return VMCR_CTLR::make(gicv_.ctlr()) | VMCR_VMABP::make(gicv_.abpr()) | VMCR_VMBP::make(gicv_.bpr()) |
           VMCR_VMPriMask::make(gicv_.pmr() >> 3);
}

void VirtualCpuInterface::set_vmcr(std::uint32_t value) {
    gicv_.load_control(VMCR_CTLR::get(value), VMCR_VMPriMask::get(value) << 3, VMCR_VMBP::get(value),
                       VMCR_VMABP::get(value));
}

std::uint32_t VirtualCpuInterface::misr() const {
    // 5.3.? GICH_MISR: each condition with its enable in GICH_HCR (EOI has none).
    const std::uint32_t ctlr = gicv_.ctlr();
    const bool grp0 = gicc::CTLR_EnableGrp0::test(ctlr);
    const bool grp1 = gicc::CTLR_EnableGrp1::test(ctlr);
    std::uint32_t m = 0;
    if (eisr_mask_ != 0) m |= MISR_EOI::mask;
    if (HCR_UIE::test(hcr_) && __builtin_popcountll(valid_mask_) <= 1) m |= MISR_U::mask;
    if (HCR_LRENPIE::test(hcr_) && HCR_EOICount::get(hcr_) != 0) m |= MISR_LRENP::mask;
    if (HCR_NPIE::test(hcr_) && pending_mask_ == 0) m |= MISR_NP::mask;
    if (HCR_VGrp0EIE::test(hcr_) && grp0) m |= MISR_VGrp0E::mask;
    if (HCR_VGrp0DIE::test(hcr_) && !grp0) m |= MISR_VGrp0D::mask;
    if (HCR_VGrp1EIE::test(hcr_) && grp1) m |= MISR_VGrp1E::mask;
    if (HCR_VGrp1DIE::test(hcr_) && !grp1) m |= MISR_VGrp1D::mask;
    return m;
}

bool VirtualCpuInterface::maintenance() const { return HCR_En::test(hcr_) && misr() != 0; }

VcpuInterfaceState VirtualCpuInterface::save() const {
    VcpuInterfaceState s;
    s.hcr = hcr_;
    s.vmcr = vmcr();
    s.apr = apr();
    s.lrs = lrs_;
    return s;
}

void VirtualCpuInterface::restore(const VcpuInterfaceState& s) {
    if (s.lrs.size() != lrs_.size())
        throw std::invalid_argument("VcpuInterfaceState has " + std::to_string(s.lrs.size()) +
                                    " list registers; this interface has " + std::to_string(lrs_.size()));
    set_hcr(s.hcr);
    set_vmcr(s.vmcr);
    set_apr(s.apr);
    for (unsigned i = 0; i < lrs_.size(); ++i) set_lr(i, s.lrs[i]);
}

StateCheck VirtualCpuInterface::check_state(const State& st) const {
    if (st.lrs.size() != lrs_.size())
        return StateProblem{"/lrs", "expected " + std::to_string(lrs_.size()) +
                                        " list registers (num_list_regs), got " + std::to_string(st.lrs.size())};
    if (st.hcr & ~kHcrWritable)
        return StateProblem{"/hcr", hex_string(st.hcr, 8) + " sets reserved bits (GICH_HCR holds " +
                                        hex_string(kHcrWritable, 8) + ": the enables and the 5-bit EOICount)"};
    const std::uint32_t vmcr_fields = VMCR_CTLR::mask | VMCR_VMABP::mask | VMCR_VMBP::mask | VMCR_VMPriMask::mask;
    if (st.vmcr & ~vmcr_fields)
        return StateProblem{"/vmcr", hex_string(st.vmcr, 8) + " sets reserved bits (GICH_VMCR fields: " +
                                         hex_string(vmcr_fields, 8) + ")"};
    if (StateCheck p = gicv_.check_control(VMCR_CTLR::get(st.vmcr), VMCR_VMPriMask::get(st.vmcr) << 3,
                                           VMCR_VMBP::get(st.vmcr), VMCR_VMABP::get(st.vmcr)))
        return StateProblem{"/vmcr", hex_string(st.vmcr, 8) + ": GICV_" + p->where + " " + p->what};
    if (StateCheck p = gicv_.check_apr(0, 0, st.apr)) return StateProblem{"/apr", p->what};
    for (unsigned i = 0; i < lrs_.size(); ++i) {
        const std::uint32_t keep = sanitize_lr(st.lrs[i]);
        if (keep != st.lrs[i])
            return StateProblem{"/lrs/" + std::to_string(i),
                                hex_string(st.lrs[i], 8) + " sets RES0 bits " + hex_string(st.lrs[i] & ~keep, 8) +
                                    " (with HW=" + std::to_string(LR_HW::get(st.lrs[i])) + ")"};
    }
    return std::nullopt;
}

void VirtualCpuInterface::import_state(const State& st) {
    if (StateCheck p = check_state(st)) throw StateError(*p);
    restore(st);  // exact: every value is one the registers hold
}

void VirtualCpuInterface::guest_error(const char* reg, const char* detail, std::uint64_t value) {
    diag_.guest_error(BadAccess::guest_write("GICV", reg, detail, cpu_, 0, value));
}

// ---- the list registers as GICV's candidate source (5.4) -----------------------------------

Candidate VirtualCpuInterface::highest_pending(unsigned group_mask) const {
    Candidate best;
    // GICH_HCR.En=0: the virtual CPU interface signals nothing (gem5 got this wrong).
    if (!HCR_En::test(hcr_)) return best;
    std::uint32_t best_key = ~0u;
    for (std::uint64_t m = pending_mask_; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        const std::uint32_t lr = lrs_[i];
        const unsigned group = LR_Grp1::get(lr);
        if (!((group_mask >> group) & 1u)) continue;
        const std::uint32_t priority = LR_Priority::get(lr) << 3;
        const std::uint32_t key = (priority << 8) | i;  // equal priority: lowest LR index
        if (key >= best_key) continue;
        best_key = key;
        best.intid = LR_VirtualID::get(lr);
        best.priority = static_cast<std::uint8_t>(priority);
        best.group = static_cast<std::uint8_t>(group);
        best.source_cpu = static_cast<std::uint8_t>(LR_HW::test(lr) ? 0 : LR_CPUID::get(lr));
        best.slot = static_cast<std::uint16_t>(i);
    }
    return best;
}

bool VirtualCpuInterface::acknowledge(const Candidate& c) {
    const std::uint32_t lr = lrs_[c.slot];
    if (LR_VirtualID::get(lr) >= kMaxIntids) {
        // 1020-1023 in an LR: IAR returns the ID and the LR drops to invalid, no activation.
        store_lr(c.slot, LR_State::set(lr, kStateInvalid));
        return false;
    }
    store_lr(c.slot, LR_State::set(lr, kStateActive));
    return true;
}

int VirtualCpuInterface::find_lr(std::uint32_t intid, bool active_only) const {
    for (std::uint64_t m = valid_mask_; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        const std::uint32_t lr = lrs_[i];
        if (LR_VirtualID::get(lr) == intid && (!active_only || LR_Active::test(lr))) return static_cast<int>(i);
    }
    return -1;
}

bool VirtualCpuInterface::deactivate(std::uint32_t intid, unsigned source_cpu) {
    // 5.4.?: find the active LR for this vINTID (for a software SGI, from this source).
    for (std::uint64_t m = valid_mask_; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        const std::uint32_t lr = lrs_[i];
        if (LR_VirtualID::get(lr) != intid || !LR_Active::test(lr)) continue;
        const bool hw = LR_HW::test(lr);
        if (intid < kNumSgis && !hw && LR_CPUID::get(lr) != source_cpu) continue;
        store_lr(i, lr & ~LR_Active::mask);
        if (hw) {
            const std::uint32_t pintid = LR_PhysicalID::get(lr);
            // PhysicalID 0-15 or >= 1020 is UNPREDICTABLE: report, deactivate nothing.
            if (pintid < kNumSgis || pintid >= kMaxIntids)
                guest_error("LR", "HW=1 list register with PhysicalID 0-15 or >= 1020: no physical deactivation", lr);
            else if (on_physical_deactivate_)
                on_physical_deactivate_(intid, pintid);
        }
        return true;
    }
    // No LR holds it active: count it for the hypervisor (GICH_HCR.EOICount, LRENP).
    count_eoi();
    return false;
}

bool VirtualCpuInterface::is_active(std::uint32_t intid) const { return find_lr(intid, true) >= 0; }

unsigned VirtualCpuInterface::group_of(std::uint32_t intid) const {
    const int i = find_lr(intid, false);
    return i >= 0 ? LR_Grp1::get(lrs_[static_cast<unsigned>(i)]) : 0u;
}

// ---- GICH registers (5.3) ------------------------------------------------------------------

std::uint32_t VirtualCpuInterface::rd_hcr(unsigned, std::uint32_t, AccessMode) { return hcr_; }
void VirtualCpuInterface::wr_hcr(unsigned, std::uint32_t, std::uint32_t v, std::uint32_t, AccessMode) { set_hcr(v); }
std::uint32_t VirtualCpuInterface::rd_vtr(unsigned, std::uint32_t, AccessMode) { return vtr(); }
std::uint32_t VirtualCpuInterface::rd_vmcr(unsigned, std::uint32_t, AccessMode) { return vmcr(); }
void VirtualCpuInterface::wr_vmcr(unsigned, std::uint32_t, std::uint32_t v, std::uint32_t, AccessMode) { set_vmcr(v); }
std::uint32_t VirtualCpuInterface::rd_misr(unsigned, std::uint32_t, AccessMode) { return misr(); }
std::uint32_t VirtualCpuInterface::rd_eisr(unsigned, std::uint32_t n, AccessMode) {
    return static_cast<std::uint32_t>(eisr_mask_ >> (32 * n));
}
std::uint32_t VirtualCpuInterface::rd_elrsr(unsigned, std::uint32_t n, AccessMode) {
    return static_cast<std::uint32_t>(elrsr_mask_ >> (32 * n));
}
std::uint32_t VirtualCpuInterface::rd_apr(unsigned, std::uint32_t, AccessMode) { return apr(); }
void VirtualCpuInterface::wr_apr(unsigned, std::uint32_t, std::uint32_t v, std::uint32_t, AccessMode) { set_apr(v); }
std::uint32_t VirtualCpuInterface::rd_lr(unsigned, std::uint32_t n, AccessMode) {
    return n < lrs_.size() ? lrs_[n] : 0;  // beyond the configured count: RAZ
}
void VirtualCpuInterface::wr_lr(unsigned, std::uint32_t n, std::uint32_t v, std::uint32_t, AccessMode) { set_lr(n, v); }

} // namespace vgic
