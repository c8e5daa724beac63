// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/virtual_cpu_interface.hpp"

#include "bits.hpp"
#include "no_frame.hpp"
#include "vgic/model/gicv3_regs.hpp"

#include <algorithm>
#include <stdexcept>

namespace vgic {

using namespace gicv2;
using namespace gicv2::gich;

namespace {
using bits::bit64;
using bits::lowest_bit64;
namespace ich3 = gicv3::ich;  // qualified: gicv2::gich (above) has the same field names
} // namespace

namespace {
constexpr const char* kLrNames[gicv3::kMaxListRegs] = {
    "LR0_EL2", "LR1_EL2", "LR2_EL2",  "LR3_EL2",  "LR4_EL2",  "LR5_EL2",  "LR6_EL2",  "LR7_EL2",
    "LR8_EL2", "LR9_EL2", "LR10_EL2", "LR11_EL2", "LR12_EL2", "LR13_EL2", "LR14_EL2", "LR15_EL2"};
constexpr const char* kApNames[2][4] = {{"AP0R0_EL2", "AP0R1_EL2", "AP0R2_EL2", "AP0R3_EL2"},
                                        {"AP1R0_EL2", "AP1R1_EL2", "AP1R2_EL2", "AP1R3_EL2"}};
// GICv3 has ICH_/ICV_ system registers instead of the GICH/GICV frames.
constexpr const char* kNoGichV3 = "GICv3: no memory-mapped frame (system registers only)";

/// ICH_LR<n>_EL2 and ICH_AP0R<n>/AP1R<n>_EL2, decoded once for read_hyp_sysreg and
/// write_hyp_sysreg: which register array `enc` names and n, and, when n is beyond what the
/// interface implements (UNDEFINED), the detail of the bad access to report.
struct IchIndexed {
    enum Kind : std::uint8_t { None, Lr, Ap0r, Ap1r } kind = None;
    unsigned n = 0;
    const char* name = nullptr;
    const char* unimplemented = nullptr;
};
IchIndexed decode_ich_indexed(std::uint32_t enc, std::size_t num_lrs, unsigned num_apr_words) {
    namespace sr = gicv3::sysreg;
    if (enc >= sr::ich_lr(0) && enc <= sr::ich_lr(gicv3::kMaxListRegs - 1)) {
        const unsigned n = enc - sr::ich_lr(0);
        // Unlike GICv2's RAZ/WI GICH_LRn, an ICH_LR<n>_EL2 beyond ICH_VTR_EL2.ListRegs does
        // not exist: UNDEFINED.
        return {IchIndexed::Lr, n, kLrNames[n],
                n >= num_lrs ? "list register not implemented (ICH_VTR_EL2.ListRegs): UNDEFINED" : nullptr};
    }
    if ((enc >= sr::ich_ap0r(0) && enc <= sr::ich_ap0r(3)) || (enc >= sr::ich_ap1r(0) && enc <= sr::ich_ap1r(3))) {
        const unsigned g = enc >= sr::ich_ap1r(0) ? 1 : 0;
        const unsigned n = enc - (g ? sr::ich_ap1r(0) : sr::ich_ap0r(0));
        return {g ? IchIndexed::Ap1r : IchIndexed::Ap0r, n, kApNames[g][n],
                n >= num_apr_words ? "active-priority register not implemented with this many preemption bits (UNDEFINED)"
                                   : nullptr};
    }
    return {};
}
} // namespace

std::vector<RegisterDesc<VirtualCpuInterface>> VirtualCpuInterface::gich_table(GicVersion version) {
    // GICv3 reaches the virtual interface control through the ICH_ system registers only.
    if (version == GicVersion::V3) return {};
    using V = VirtualCpuInterface;
    return {
        {"HCR", HCR, 1, kW32, RegAccess::RW, &V::rd_hcr, &V::wr_hcr},
        {"VTR", VTR, 1, kW32, RegAccess::RO, &V::rd_vtr, nullptr},
        {"VMCR", VMCR, 1, kW32, RegAccess::RW, &V::rd_vmcr, &V::wr_vmcr},
        {"MISR", MISR, 1, kW32, RegAccess::RO, &V::rd_misr, nullptr},
        {"EISR", EISR0, 2, kW32, RegAccess::RO, &V::rd_eisr, nullptr},
        {"ELRSR", ELRSR0, 2, kW32, RegAccess::RO, &V::rd_elrsr, nullptr},
        {"APR", APR, 1, kW32, RegAccess::RW, &V::rd_apr, &V::wr_apr},
        {"LR", LR0, kMaxListRegs, kW32, RegAccess::RW, &V::rd_lr, &V::wr_lr},
    };
}

VirtualCpuInterface::VirtualCpuInterface(unsigned cpu, const VirtConfig& config, Diagnostics& diag,
                                         PhysicalDeactivate on_physical_deactivate, GicVersion version)
    : cpu_(cpu),
      version_(version),
      config_((config.validate(version), config)),
      diag_(diag),
      on_physical_deactivate_(std::move(on_physical_deactivate)),
      frame_("GICH", version == GicVersion::V3 ? 0 : kFrameSize, gich_table(version)),
      gicv_(cpu, static_cast<CandidateSource&>(*this), diag,
            version == GicVersion::V3
                ? CpuInterfaceParams::virtual_v3(config_.priority_bits, config_.preemption_bits)
                : CpuInterfaceParams::virtual_interface(config_.priority_bits, config_.preemption_bits,
                                                        config_.gicv_iidr)),
      // Unimplemented priority bits are RES0 in the LR: GICv2 holds priority[7:3] (a 4-bit
      // implementation has LR.Priority[0] RES0); GICv3 holds [7:0] with the low 8 - PRIbits-1
      // bits RES0 (IHI 0069 ICH_LR<n>_EL2.Priority; section 3 item 19).
      lr_priority_mask_(version == GicVersion::V3
                            ? gicv3::ich::LR_Priority::make((0xFFu << (8 - config_.priority_bits)) & 0xFFu)
                            : std::uint64_t{LR_Priority::make(0x1Fu << (5 - config_.priority_bits))}),
      lrs_(config_.num_list_regs, 0),
      elrsr_mask_(bits::low_mask64(config_.num_list_regs)) {}

void VirtualCpuInterface::reset() {
    // IHI 0048B 5.3.1 / 5.3.7 (GICH_HCR, GICH_LRn reset 0), IHI 0069 ICH_HCR_EL2 / ICH_LR<n>_EL2
    // / ICH_AP<n>R<m>_EL2: the virtual interface disabled, every list register invalid (so all
    // free in ELRSR, none in EISR), EOICount 0; the GICV side (GICH_VMCR, GICH_APR) as a reset
    // CPU interface.
    hcr_ = 0;
    std::fill(lrs_.begin(), lrs_.end(), std::uint64_t{0});
    valid_mask_ = 0;
    pending_mask_ = 0;
    eisr_mask_ = 0;
    elrsr_mask_ = bits::low_mask64(config_.num_list_regs);
    gicv_.reset();
}

AccessResult VirtualCpuInterface::read_control(std::uint32_t offset, unsigned size, AccessMode mode) {
    if (is_v3()) return detail::no_frame_v3(diag_, "GICH", kNoGichV3, cpu_, offset, size, false, 0);
    return frame_.read(*this, diag_, cpu_, offset, size, mode);
}
AccessResult VirtualCpuInterface::write_control(std::uint32_t offset, unsigned size, std::uint64_t value,
                                                AccessMode mode) {
    if (is_v3()) return detail::no_frame_v3(diag_, "GICH", kNoGichV3, cpu_, offset, size, true, value);
    return frame_.write(*this, diag_, cpu_, offset, size, value, mode);
}
AccessResult VirtualCpuInterface::read_vcpu(std::uint32_t offset, unsigned size, AccessMode mode) {
    return gicv_.read(offset, size, mode);  // refuses by itself with GICv3
}
AccessResult VirtualCpuInterface::write_vcpu(std::uint32_t offset, unsigned size, std::uint64_t value,
                                             AccessMode mode) {
    return gicv_.write(offset, size, value, mode);
}

// ---- list register bookkeeping -------------------------------------------------------------

std::uint64_t VirtualCpuInterface::sanitize_lr(std::uint64_t value) const {
    if (is_v3()) {
        // IHI 0069 ICH_LR<n>_EL2: vINTID [31:0] with 16 bits implemented (ICH_VTR_EL2.IDbits
        // = 0: [31:16] RES0); pINTID [44:32] only with HW=1, EOI [41] only with HW=0; NMI [59]
        // RES0 (no FEAT_GICv3_NMI); [47:45], [58:56] RES0; unimplemented priority bits RES0.
        std::uint64_t keep = std::uint64_t{0xFFFF} | ich3::LR_State::mask | ich3::LR_Group::mask | ich3::LR_HW::mask | lr_priority_mask_;
        keep |= ich3::LR_HW::test(value) ? ich3::LR_pINTID::mask : ich3::LR_EOI::mask;
        return value & keep;
    }
    // IHI 0048B 5.3.?: bits [22:20] are RES0; with HW=0, bits [18:13] are RES0 (EOI at 19,
    // CPUID at [12:10]); unimplemented priority bits are RES0. The register is 32 bits.
    const auto v = static_cast<std::uint32_t>(value);
    std::uint32_t keep = LR_VirtualID::mask | LR_State::mask | LR_Grp1::mask | LR_HW::mask |
                         static_cast<std::uint32_t>(lr_priority_mask_);
    keep |= LR_HW::test(v) ? LR_PhysicalID::mask : (LR_CPUID::mask | LR_EOI::mask);
    return v & keep;
}

void VirtualCpuInterface::store_lr(unsigned i, std::uint64_t value) {
    lrs_[i] = value;
    const ListRegister r = ListRegister::decode(version_, value);
    const std::uint64_t b = bit64(i);
    const bool eoi = !r.hw && r.eoi;
    valid_mask_ = r.valid() ? (valid_mask_ | b) : (valid_mask_ & ~b);
    pending_mask_ = r.pending_only() ? (pending_mask_ | b) : (pending_mask_ & ~b);
    // IHI 0048B 5.3.?, IHI 0069 ICH_EISR_EL2 / ICH_ELRSR_EL2: EISR bit n = invalid, HW=0,
    // EOI=1; ELRSR bit n = invalid and (HW=1 or EOI=0): an LR still owing an EOI
    // maintenance interrupt is not reported as free (section 3 item 1).
    eisr_mask_ = (!r.valid() && eoi) ? (eisr_mask_ | b) : (eisr_mask_ & ~b);
    elrsr_mask_ = (!r.valid() && !eoi) ? (elrsr_mask_ | b) : (elrsr_mask_ & ~b);
}

void VirtualCpuInterface::set_lr(unsigned index, std::uint64_t value) {
    if (index >= lrs_.size()) return;  // LR indexes beyond the configured count are RAZ/WI
    store_lr(index, sanitize_lr(value));
}

std::uint32_t VirtualCpuInterface::hcr_writable() const {
    // GICv3 adds TC, TALL0 and TALL1 (stored; traps are not modelled); TSEI is RES0
    // (ICH_VTR_EL2.SEIS = 0), TDIR RES0 (IHI 0069 ICH_HCR_EL2.TDIR exists only when
    // ICH_VTR_EL2.TDS = 1, and vtr() reports TDS = 0), vSGIEOICount RES0 (no GICv4.1).
    return is_v3() ? gicv3::ich::kHcrWritable : kHcrWritable;
}

void VirtualCpuInterface::set_hcr(std::uint32_t value) { hcr_ = value & hcr_writable(); }

// GICH_HCR and ICH_HCR_EL2 place En, UIE, LRENPIE, NPIE, VGrp*IE and EOIcount [31:27] at the
// same bits, so the gich:: names serve both below.
unsigned VirtualCpuInterface::eoi_count() const { return HCR_EOICount::get(hcr_); }

void VirtualCpuInterface::count_eoi() {
    // 5.3.? / ICH_HCR_EL2.EOIcount: 5 bits, wraps.
    hcr_ = HCR_EOICount::set(hcr_, (HCR_EOICount::get(hcr_) + 1) & HCR_EOICount::max);
}

std::uint32_t VirtualCpuInterface::vtr() const {
    if (is_v3()) {
        // IHI 0069 ICH_VTR_EL2: TDS 0 (no separate trapping of deactivation), nV4 1 (no
        // GICv4 direct injection), A3V 0, SEIS 0, IDbits 0 (16-bit vINTIDs).
        return ich3::VTR_ListRegs::make(num_list_regs() - 1) | ich3::VTR_nV4::mask | ich3::VTR_IDbits::make(0) |
               ich3::VTR_PREbits::make(config_.preemption_bits - 1) | ich3::VTR_PRIbits::make(config_.priority_bits - 1);
    }
    return VTR_ListRegs::make(num_list_regs() - 1) | VTR_PREbits::make(config_.preemption_bits - 1) |
           VTR_PRIbits::make(config_.priority_bits - 1);
}

std::uint32_t VirtualCpuInterface::vmcr_fields() const {
    return is_v3() ? (ich3::VMCR_VENG0::mask | ich3::VMCR_VENG1::mask | ich3::VMCR_VFIQEn::mask | ich3::VMCR_VCBPR::mask | ich3::VMCR_VEOIM::mask |
                      ich3::VMCR_VBPR1::mask | ich3::VMCR_VBPR0::mask | ich3::VMCR_VPMR::mask)
                   : (VMCR_CTLR::mask | VMCR_VMABP::mask | VMCR_VMBP::mask | VMCR_VMPriMask::mask);
}

std::uint32_t VirtualCpuInterface::vmcr() const {
    const std::uint32_t ctlr = gicv_.ctlr();
    if (is_v3()) {
        // IHI 0069 ICH_VMCR_EL2: the hypervisor's view of ICV_IGRPEN0/1, ICV_CTLR (CBPR,
        // EOImode), BPR0, BPR1 and PMR (8 bits). VAckCtl is RES0 and VFIQEn RES1 when
        // ICC_SRE_EL1.SRE = 1, which it always is here.
        return ich3::VMCR_VENG0::make(gicc::CTLR_EnableGrp0::get(ctlr)) | ich3::VMCR_VENG1::make(gicc::CTLR_EnableGrp1::get(ctlr)) |
               ich3::VMCR_VFIQEn::mask | ich3::VMCR_VCBPR::make(gicc::CTLR_CBPR::get(ctlr)) |
               ich3::VMCR_VEOIM::make(gicc::CTLR_EOImode::get(ctlr)) | ich3::VMCR_VBPR1::make(gicv_.abpr()) |
               ich3::VMCR_VBPR0::make(gicv_.bpr()) | ich3::VMCR_VPMR::make(gicv_.pmr());
    }
    // GICH_VMCR is the hypervisor's view of GICV_CTLR, PMR, BPR and ABPR.
    return VMCR_CTLR::make(ctlr) | VMCR_VMABP::make(gicv_.abpr()) | VMCR_VMBP::make(gicv_.bpr()) |
           VMCR_VMPriMask::make(gicv_.pmr() >> 3);
}

void VirtualCpuInterface::set_vmcr(std::uint32_t value) {
    if (is_v3()) {
        // The binary points are clamped to their minimum and PMR keeps only the implemented
        // bits, as the ICV_ register writes do (section 3 item 20); VFIQEn stays 1.
        const std::uint32_t ctlr = gicc::CTLR_EnableGrp0::make(ich3::VMCR_VENG0::get(value)) |
                                   gicc::CTLR_EnableGrp1::make(ich3::VMCR_VENG1::get(value)) |
                                   gicc::CTLR_CBPR::make(ich3::VMCR_VCBPR::get(value)) |
                                   gicc::CTLR_EOImode::make(ich3::VMCR_VEOIM::get(value));
        gicv_.load_control(ctlr, ich3::VMCR_VPMR::get(value), ich3::VMCR_VBPR0::get(value), ich3::VMCR_VBPR1::get(value));
        return;
    }
    gicv_.load_control(VMCR_CTLR::get(value), VMCR_VMPriMask::get(value) << 3, VMCR_VMBP::get(value),
                       VMCR_VMABP::get(value));
}

std::uint32_t VirtualCpuInterface::misr() const {
    // IHI 0048B 5.3.? GICH_MISR, IHI 0069 ICH_MISR_EL2 (same bits): each condition with its
    // enable in HCR (EOI has none).
    const std::uint32_t ctlr = gicv_.ctlr();
    const bool grp0 = gicc::CTLR_EnableGrp0::test(ctlr);  // VMGrp0En / VENG0 (item 4)
    const bool grp1 = gicc::CTLR_EnableGrp1::test(ctlr);  // VMGrp1En / VENG1
    std::uint32_t m = 0;
    if (eisr_mask_ != 0) m |= MISR_EOI::mask;
    // U: zero or one valid LR, active ones counted (item 5).
    if (HCR_UIE::test(hcr_) && __builtin_popcountll(valid_mask_) <= 1) m |= MISR_U::mask;
    // LRENP needs both the enable and a non-zero count (item 2).
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
    if (is_v3()) {
        for (unsigned n = 0; n < 4; ++n) {
            s.ap0r[n] = ap0r(n);
            s.ap1r[n] = ap1r(n);
        }
    } else {
        s.apr = apr();
    }
    s.lrs = lrs_;
    return s;
}

void VirtualCpuInterface::restore(const VcpuInterfaceState& s) {
    if (s.lrs.size() != lrs_.size())
        throw std::invalid_argument("VcpuInterfaceState has " + std::to_string(s.lrs.size()) +
                                    " list registers; this interface has " + std::to_string(lrs_.size()));
    set_hcr(s.hcr);
    set_vmcr(s.vmcr);
    if (is_v3()) {
        for (unsigned n = 0; n < 4; ++n) {
            set_ap0r(n, s.ap0r[n]);
            set_ap1r(n, s.ap1r[n]);
        }
    } else {
        set_apr(s.apr);
    }
    for (unsigned i = 0; i < lrs_.size(); ++i) set_lr(i, s.lrs[i]);
}

StateCheck VirtualCpuInterface::check_state(const State& st) const {
    if (st.lrs.size() != lrs_.size())
        return StateProblem{"/lrs", "expected " + std::to_string(lrs_.size()) +
                                        " list registers (num_list_regs), got " + std::to_string(st.lrs.size())};
    const std::uint32_t hcr_ok = hcr_writable();
    if (st.hcr & ~hcr_ok)
        return StateProblem{"/hcr", hex_string(st.hcr, 8) + " sets reserved bits (" +
                                        (is_v3() ? "ICH_HCR_EL2 holds " : "GICH_HCR holds ") + hex_string(hcr_ok, 8) +
                                        (is_v3() ? ": the enables, TC, TALL0, TALL1 and the 5-bit EOIcount)"
                                                 : ": the enables and the 5-bit EOICount)")};
    const std::uint32_t fields = vmcr_fields();
    if (st.vmcr & ~fields)
        return StateProblem{"/vmcr", hex_string(st.vmcr, 8) + " sets reserved bits (" +
                                         (is_v3() ? "ICH_VMCR_EL2" : "GICH_VMCR") + " fields: " + hex_string(fields, 8) +
                                         ")"};
    std::uint32_t ctlr, pmr, bpr, abpr;
    if (is_v3()) {
        if (!ich3::VMCR_VFIQEn::test(st.vmcr))
            return StateProblem{"/vmcr", hex_string(st.vmcr, 8) + ": VFIQEn is RES1 (ICC_SRE_EL1.SRE is 1)"};
        ctlr = gicc::CTLR_EnableGrp0::make(ich3::VMCR_VENG0::get(st.vmcr)) |
               gicc::CTLR_EnableGrp1::make(ich3::VMCR_VENG1::get(st.vmcr)) | gicc::CTLR_CBPR::make(ich3::VMCR_VCBPR::get(st.vmcr)) |
               gicc::CTLR_EOImode::make(ich3::VMCR_VEOIM::get(st.vmcr));
        pmr = ich3::VMCR_VPMR::get(st.vmcr);
        bpr = ich3::VMCR_VBPR0::get(st.vmcr);
        abpr = ich3::VMCR_VBPR1::get(st.vmcr);
    } else {
        ctlr = VMCR_CTLR::get(st.vmcr);
        pmr = VMCR_VMPriMask::get(st.vmcr) << 3;
        bpr = VMCR_VMBP::get(st.vmcr);
        abpr = VMCR_VMABP::get(st.vmcr);
    }
    if (StateCheck p = gicv_.check_control(ctlr, pmr, bpr, abpr))
        return StateProblem{"/vmcr", hex_string(st.vmcr, 8) + ": " + (is_v3() ? "ICV_" : "GICV_") + p->where + " " +
                                         p->what};
    if (is_v3()) {
        if (st.apr != 0) return StateProblem{"/apr", "GICv3 has no GICH_APR (ICH_AP0R<n>/AP1R<n> instead): must be 0"};
        for (unsigned n = 0; n < 4; ++n) {
            if (StateCheck p = gicv_.check_apr(0, n, st.ap0r[n])) return StateProblem{"/ap0r/" + std::to_string(n), p->what};
            if (StateCheck p = gicv_.check_apr(1, n, st.ap1r[n])) return StateProblem{"/ap1r/" + std::to_string(n), p->what};
        }
    } else {
        if (StateCheck p = gicv_.check_apr(0, 0, st.apr)) return StateProblem{"/apr", p->what};
        for (unsigned n = 0; n < 4; ++n) {
            if (st.ap0r[n] != 0) return StateProblem{"/ap0r/" + std::to_string(n), "GICv2 has no ICH_AP0R: must be 0"};
            if (st.ap1r[n] != 0) return StateProblem{"/ap1r/" + std::to_string(n), "GICv2 has no ICH_AP1R: must be 0"};
        }
    }
    for (unsigned i = 0; i < lrs_.size(); ++i) {
        const std::uint64_t keep = sanitize_lr(st.lrs[i]);
        if (keep != st.lrs[i]) {
            const unsigned digits = is_v3() ? 16 : 8;
            const bool hw = is_v3() ? gicv3::ich::LR_HW::test(st.lrs[i]) : LR_HW::test(static_cast<std::uint32_t>(st.lrs[i]));
            return StateProblem{"/lrs/" + std::to_string(i),
                                hex_string(st.lrs[i], digits) + " sets RES0 bits " +
                                    hex_string(st.lrs[i] & ~keep, digits) + " (with HW=" + (hw ? "1" : "0") + ")"};
        }
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

// ---- the list registers as the virtual CPU interface's candidate source (IHI 0048B 5.4,
// ---- IHI 0069 "Virtual interrupt handling and prioritization") ------------------------------

Candidate VirtualCpuInterface::highest_pending(unsigned group_mask) const {
    Candidate best;
    // HCR.En=0: the virtual CPU interface signals nothing (gem5 got this wrong, item 28).
    if (!HCR_En::test(hcr_)) return best;
    std::uint32_t best_key = ~0u;
    for (std::uint64_t m = pending_mask_; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        const ListRegister r = ListRegister::decode(version_, lrs_[i]);
        const unsigned group = r.group1 ? 1u : 0u;
        if (!((group_mask >> group) & 1u)) continue;
        const std::uint32_t key = (std::uint32_t{r.priority} << 8) | i;  // equal priority: lowest LR index
        if (key >= best_key) continue;
        best_key = key;
        best.intid = r.vintid;
        best.priority = r.priority;
        best.group = static_cast<std::uint8_t>(group);
        best.source_cpu = r.hw ? 0 : r.cpuid;
        best.slot = static_cast<std::uint16_t>(i);
    }
    return best;
}

bool VirtualCpuInterface::acknowledge(const Candidate& c) {
    ListRegister r = ListRegister::decode(version_, lrs_[c.slot]);
    if (r.vintid >= kMaxIntids && r.vintid <= kSpurious) {
        // 1020-1023 in an LR: IAR returns the ID and the LR drops to invalid, no activation
        // (section 3 item 16).
        r.state = ListRegister::kInvalid;
        store_lr(c.slot, r.encode(version_));
        return false;
    }
    r.state = ListRegister::kActive;  // only State == pending is offered
    store_lr(c.slot, r.encode(version_));
    return true;
}

int VirtualCpuInterface::find_lr(std::uint32_t intid, bool active_only) const {
    for (std::uint64_t m = valid_mask_; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        const ListRegister r = ListRegister::decode(version_, lrs_[i]);
        if (r.vintid == intid && (!active_only || r.active())) return static_cast<int>(i);
    }
    return -1;
}

bool VirtualCpuInterface::deactivate(std::uint32_t intid, unsigned source_cpu) {
    // 5.4.? / IHI 0069 ICV_DIR_EL1: find the active LR for this vINTID (for a GICv2 software
    // SGI, from this source; GICv3 LRs have no CPUID).
    for (std::uint64_t m = valid_mask_; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        ListRegister r = ListRegister::decode(version_, lrs_[i]);
        if (r.vintid != intid || !r.active()) continue;
        if (intid < kNumSgis && !r.hw && r.cpuid != source_cpu) continue;
        const std::uint64_t before = lrs_[i];
        r.state = static_cast<std::uint8_t>(r.state & ~ListRegister::kActive);
        store_lr(i, r.encode(version_));
        if (r.hw) {
            // pINTID 0-15 or >= 1020 is UNPREDICTABLE: report, deactivate nothing.
            if (r.pintid < kNumSgis || r.pintid >= kMaxIntids) {
                if (is_v3())
                    diag_.guest_error(BadAccess::make(
                        "ICH", kLrNames[i], "HW=1 list register with pINTID 0-15 or >= 1020: no physical deactivation",
                        cpu_, gicv3::sysreg::ich_lr(i), 8, true, before, BadAccessKind::GuestError));
                else
                    guest_error("LR", "HW=1 list register with PhysicalID 0-15 or >= 1020: no physical deactivation",
                                before);
            } else if (on_physical_deactivate_) {
                on_physical_deactivate_(intid, r.pintid);
            }
        }
        return true;
    }
    // No LR holds it active: count it for the hypervisor (EOIcount, LRENP), but only for a
    // valid non-LPI INTID (IHI 0069 ICH_HCR_EL2.EOIcount: "a valid interrupt identifier that
    // is not in the LPI range (that is < 8192)"; 1020-1023 never get here, 1024-8191 are
    // reserved without the extended ranges). Section 3 item 7: never for LPIs.
    if (intid < kMaxIntids) count_eoi();
    return false;
}

bool VirtualCpuInterface::is_active(std::uint32_t intid) const { return find_lr(intid, true) >= 0; }

unsigned VirtualCpuInterface::group_of(std::uint32_t intid) const {
    const int i = find_lr(intid, false);
    return (i >= 0 && ListRegister::decode(version_, lrs_[static_cast<unsigned>(i)]).group1) ? 1u : 0u;
}

// ---- ICH_*_EL2 (IHI 0069 12.4) --------------------------------------------------------------

AccessResult VirtualCpuInterface::hyp_bad_access(std::uint32_t encoding, const char* reg, const char* detail,
                                                 bool is_write, std::uint64_t value, BadAccessKind kind) {
    const BadAccess b = BadAccess::make("ICH", reg, detail, cpu_, encoding, 8, is_write, value, kind);
    return {0, diag_.bad_access(b), kind};
}

AccessResult VirtualCpuInterface::read_hyp_sysreg(std::uint32_t enc, AccessMode) {
    namespace sr = gicv3::sysreg;
    if (!is_v3())
        return hyp_bad_access(enc, nullptr, "GICv2: no ICH_ system registers", false, 0, BadAccessKind::Reserved);
    const IchIndexed x = decode_ich_indexed(enc, lrs_.size(), gicv_.num_apr_words());
    if (x.unimplemented) return hyp_bad_access(enc, x.name, x.unimplemented, false, 0, BadAccessKind::Reserved);
    switch (x.kind) {
    case IchIndexed::Lr: return {lrs_[x.n], AccessStatus::Ok};
    case IchIndexed::Ap0r: return {ap0r(x.n), AccessStatus::Ok};
    case IchIndexed::Ap1r: return {ap1r(x.n), AccessStatus::Ok};
    case IchIndexed::None: break;
    }
    switch (enc) {
    case sr::ICH_HCR_EL2: return {hcr_, AccessStatus::Ok};
    case sr::ICH_VTR_EL2: return {vtr(), AccessStatus::Ok};
    case sr::ICH_VMCR_EL2: return {vmcr(), AccessStatus::Ok};
    case sr::ICH_MISR_EL2: return {misr(), AccessStatus::Ok};
    case sr::ICH_EISR_EL2: return {eisr_mask_, AccessStatus::Ok};    // at most 16 LRs: bits [15:0]
    case sr::ICH_ELRSR_EL2: return {elrsr_mask_, AccessStatus::Ok};
    default:
        return hyp_bad_access(enc, nullptr, "no ICH_ register with this encoding", false, 0, BadAccessKind::Reserved);
    }
}

AccessResult VirtualCpuInterface::write_hyp_sysreg(std::uint32_t enc, std::uint64_t value, AccessMode) {
    namespace sr = gicv3::sysreg;
    if (!is_v3())
        return hyp_bad_access(enc, nullptr, "GICv2: no ICH_ system registers", true, value, BadAccessKind::Reserved);
    const IchIndexed x = decode_ich_indexed(enc, lrs_.size(), gicv_.num_apr_words());
    if (x.unimplemented) return hyp_bad_access(enc, x.name, x.unimplemented, true, value, BadAccessKind::Reserved);
    switch (x.kind) {
    case IchIndexed::Lr: set_lr(x.n, value); return {0, AccessStatus::Ok};
    // Bits beyond the preemption levels (and [63:32]) are RAZ/WI.
    case IchIndexed::Ap0r: set_ap0r(x.n, static_cast<std::uint32_t>(value)); return {0, AccessStatus::Ok};
    case IchIndexed::Ap1r: set_ap1r(x.n, static_cast<std::uint32_t>(value)); return {0, AccessStatus::Ok};
    case IchIndexed::None: break;
    }
    const char* ro = nullptr;
    switch (enc) {
    case sr::ICH_HCR_EL2: set_hcr(static_cast<std::uint32_t>(value)); return {0, AccessStatus::Ok};
    case sr::ICH_VMCR_EL2: set_vmcr(static_cast<std::uint32_t>(value)); return {0, AccessStatus::Ok};
    case sr::ICH_VTR_EL2: ro = "VTR_EL2"; break;
    case sr::ICH_MISR_EL2: ro = "MISR_EL2"; break;
    case sr::ICH_EISR_EL2: ro = "EISR_EL2"; break;
    case sr::ICH_ELRSR_EL2: ro = "ELRSR_EL2"; break;
    default:
        return hyp_bad_access(enc, nullptr, "no ICH_ register with this encoding", true, value, BadAccessKind::Reserved);
    }
    return hyp_bad_access(enc, ro, to_string(BadAccessKind::WriteToReadOnly), true, value,
                          BadAccessKind::WriteToReadOnly);
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
    return n < lrs_.size() ? static_cast<std::uint32_t>(lrs_[n]) : 0;  // beyond the configured count: RAZ
}
void VirtualCpuInterface::wr_lr(unsigned, std::uint32_t n, std::uint32_t v, std::uint32_t, AccessMode) { set_lr(n, v); }

} // namespace vgic
