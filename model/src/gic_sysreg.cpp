// SPDX-License-Identifier: Apache-2.0
// GICv3 system-register dispatch of vgic::Gic (IHI 0069 chapter 12): which MRS/MSR reaches
// the physical CPU interface (ICC_), its virtual twin (ICV_), the hypervisor control
// interface (ICH_), SGI generation, or nothing.
//
// Routing (IHI 0069 "Virtual interrupt handling and prioritization" and the ICC_/ICV_
// register descriptions): an EL1 access to a Group 1 register (IAR1, EOIR1, HPPIR1, BPR1,
// AP1R<n>, IGRPEN1) is an ICV_ access when HCR_EL2.IMO = 1, to a Group 0 register (IAR0,
// EOIR0, HPPIR0, BPR0, AP0R<n>, IGRPEN0) when HCR_EL2.FMO = 1, and to CTLR, PMR, RPR and DIR
// when either is set. The model takes every ICC_*_EL1 access as made at EL1, the ICH_ and
// *_EL2 ones as made at EL2 (the caller says which register it means by its encoding).
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"

#include <stdexcept>
#include <string>

namespace vgic {

namespace {

namespace sr = gicv3::sysreg;

using sr::HCR_EL2;
using HCR_FMO = Flag<3, std::uint64_t>;
using HCR_IMO = Flag<4, std::uint64_t>;
using gicv3::icc::kSreEl1;
using gicv3::icc::kSreEl2;
using Route = sr::El1Route;

} // namespace

bool Gic::virtual_routing_imo(unsigned cpu) const {
    check_cpu(cpu, "virtual_routing_imo");
    return levels_[cpu].imo;
}

bool Gic::virtual_routing_fmo(unsigned cpu) const {
    check_cpu(cpu, "virtual_routing_fmo");
    return levels_[cpu].fmo;
}

void Gic::set_virtual_routing(unsigned cpu, bool imo, bool fmo) {
    check_cpu(cpu, "set_virtual_routing");
    if ((imo || fmo) && vifs_.empty())
        throw std::logic_error("set_virtual_routing: the virtualization extensions are disabled (GicConfig.virt.enabled)");
    levels_[cpu].imo = imo;
    levels_[cpu].fmo = fmo;
}

AccessResult Gic::read_sysreg(unsigned cpu, std::uint32_t encoding, AccessMode mode) {
    return sysreg_access(cpu, encoding, false, 0, mode);
}

AccessResult Gic::write_sysreg(unsigned cpu, std::uint32_t encoding, std::uint64_t value, AccessMode mode) {
    return sysreg_access(cpu, encoding, true, value, mode);
}

AccessResult Gic::sysreg_access(unsigned cpu, std::uint32_t enc, bool is_write, std::uint64_t value,
                                AccessMode mode) {
    check_cpu(cpu, is_write ? "write_sysreg" : "read_sysreg");
    const auto bad = [&](const char* frame, const char* reg, const char* detail, BadAccessKind kind) {
        const BadAccess b = BadAccess::make(frame, reg, detail, cpu, enc, 8, is_write, value, kind);
        return AccessResult{0, diag_.bad_access(b), kind};
    };
    const auto guest_error = [&](const char* reg, const char* detail) {
        diag_.guest_error(BadAccess::make("ICC", reg, detail, cpu, enc, 8, true, value, BadAccessKind::GuestError));
        return AccessResult{};
    };
    if (!config_.is_v3())
        return bad("SYSREG", nullptr, "GICv2: the CPU interface has no system registers (GICC is memory-mapped)",
                   BadAccessKind::Reserved);
    CpuLines& l = levels_[cpu];
    AccessResult r;
    switch (enc) {
    case sr::ICC_SRE_EL1:
    case sr::ICC_SRE_EL2:
        // RAO/WI: a write is architecturally ignored, not a bad access.
        return {is_write ? 0 : (enc == sr::ICC_SRE_EL1 ? kSreEl1 : kSreEl2), AccessStatus::Ok};
    case HCR_EL2:
        if (vifs_.empty())
            return bad("SYSREG", "HCR_EL2", "no virtualization extensions: no EL2 interrupt routing",
                       BadAccessKind::Reserved);
        // Only IMO and FMO are the GIC's business; the rest of HCR_EL2 is the PE's (RAZ/WI here).
        if (!is_write) return {HCR_IMO::make(l.imo ? 1u : 0u) | HCR_FMO::make(l.fmo ? 1u : 0u), AccessStatus::Ok};
        set_virtual_routing(cpu, HCR_IMO::test(value), HCR_FMO::test(value));
        settle(cpu);  // the lines do not depend on the routing, but keep every access settled
        return {};
    case sr::ICC_SGI0R_EL1:
    case sr::ICC_SGI1R_EL1:
    case sr::ICC_ASGI1R_EL1: {
        const char* name = enc == sr::ICC_SGI0R_EL1 ? "SGI0R_EL1" : enc == sr::ICC_SGI1R_EL1 ? "SGI1R_EL1" : "ASGI1R_EL1";
        if (!is_write) return bad("ICC", name, to_string(BadAccessKind::ReadOfWriteOnly), BadAccessKind::ReadOfWriteOnly);
        if (mode != AccessMode::Normal) return {};  // debug writes generate nothing (as GICD_SGIR)
        // IHI 0069 ICC_SGI0R_EL1 / ICC_SGI1R_EL1: an EL1 write traps to EL2 when HCR_EL2.FMO
        // (SGI0R) / IMO (SGI1R, ASGI1R) is set. Traps are not modelled: report, generate nothing.
        const bool trapped = enc == sr::ICC_SGI0R_EL1 ? l.fmo : l.imo;
        if (trapped) return guest_error(name, "EL1 SGI generation traps to EL2 while HCR_EL2.IMO/FMO routes it: nothing sent");
        // ICC_ASGI1R_EL1 raises Group 1 for the other Security state; with DS=1 there is none.
        if (enc == sr::ICC_ASGI1R_EL1)
            return guest_error(name, "ASGI1R targets the other Security state, which does not exist (DS=1): nothing sent");
        dist_.generate_sgi_v3(cpu, value, enc == sr::ICC_SGI0R_EL1 ? 0u : 1u);
        settle(cpu);  // the targets were marked dirty
        return {};
    }
    default: break;
    }
    if (sr::is_ich(enc)) {
        if (vifs_.empty())
            return bad("ICH", nullptr, "no virtualization extensions: the ICH_ registers do not exist",
                       BadAccessKind::Reserved);
        VirtualCpuInterface& v = *vifs_[cpu];
        r = is_write ? v.write_hyp_sysreg(enc, value, mode) : v.read_hyp_sysreg(enc, mode);
        settle(cpu);
        return r;
    }
    const Route route = sr::el1_route_of(enc);
    if (route == Route::None)
        return bad("SYSREG", nullptr, "no GIC system register with this encoding", BadAccessKind::Reserved);
    const bool to_icv = (route == Route::Group0 && l.fmo) || (route == Route::Group1 && l.imo) ||
                        (route == Route::Common && (l.imo || l.fmo));
    if (to_icv) {
        VirtualCpuInterface& v = *vifs_[cpu];  // routing is only set with virtualization
        r = is_write ? v.write_vcpu_sysreg(enc, value, mode) : v.read_vcpu_sysreg(enc, mode);
    } else {
        CpuInterface& c = *cpus_[cpu];
        r = is_write ? c.write_sysreg(enc, value, mode) : c.read_sysreg(enc, mode);
    }
    settle(cpu);
    return r;
}

} // namespace vgic
