// SPDX-License-Identifier: Apache-2.0
// One list register, decoded: the fields GICv2's GICH_LRn (IHI 0048B 5.3.8) and GICv3's
// ICH_LR<n>_EL2 (IHI 0069) have in common, so the logic that uses list
// registers (summary masks, the best pending LR, acknowledge, deactivate, the vm-mode LR
// engine) is written once and only encode/decode know the two layouts.
//
//   field     GICv2 GICH_LRn                    GICv3 ICH_LR<n>_EL2
//   vINTID    [9:0]                             [31:0] (16 bits implemented here)
//   pINTID    [19:10] when HW=1                 [44:32] when HW=1
//   EOI       [19] when HW=0                    [41] when HW=0
//   CPUID     [12:10] when HW=0 (SGI source)    - (no CPUID in GICv3)
//   Priority  [27:23] = priority[7:3]           [55:48], low bits RES0 per ICH_VTR.PRIbits
//   Group     [30] Grp1                         [60] Group
//   HW        [31]                              [61]
//   State     [29:28]                           [63:62]
//
// Values are carried as std::uint64_t; a GICv2 LR is the zero-extended 32-bit register.
// decode() takes every field as the layout places it; RES0 bits are the owner's business
// (VirtualCpuInterface drops them on write), so encode(decode(v)) == v for a sanitized v.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/config.hpp"
#include "vgic/model/gicv2_regs.hpp"
#include "vgic/model/gicv3_regs.hpp"

#include <cstdint>

namespace vgic {

struct VGIC_MODEL_API ListRegister {
    /// LR.State encodings (identical in both versions).
    static constexpr std::uint8_t kInvalid = 0;
    static constexpr std::uint8_t kPending = 1;
    static constexpr std::uint8_t kActive = 2;
    static constexpr std::uint8_t kPendingActive = 3;

    std::uint32_t vintid = 0;
    std::uint32_t pintid = 0;   ///< HW=1 only (0 otherwise)
    std::uint8_t priority = 0;  ///< the 8-bit priority (GICv2: LR.Priority << 3)
    std::uint8_t state = kInvalid;
    bool group1 = false;
    bool hw = false;
    bool eoi = false;           ///< HW=0 only: EOI maintenance on deactivation
    std::uint8_t cpuid = 0;     ///< GICv2, HW=0 only: the SGI source CPU

    bool valid() const { return state != kInvalid; }
    bool pending() const { return (state & kPending) != 0; }
    bool active() const { return (state & kActive) != 0; }
    /// "Pending" in the sense of the NP maintenance condition and signalling: State == 01.
    bool pending_only() const { return state == kPending; }

    static ListRegister decode(GicVersion version, std::uint64_t value) {
        ListRegister r;
        if (version == GicVersion::V3) {
            using namespace gicv3::ich;
            r.vintid = static_cast<std::uint32_t>(LR_vINTID::get(value));
            r.hw = LR_HW::test(value);
            if (r.hw) r.pintid = static_cast<std::uint32_t>(LR_pINTID::get(value));
            else r.eoi = LR_EOI::test(value);
            r.priority = static_cast<std::uint8_t>(LR_Priority::get(value));
            r.group1 = LR_Group::test(value);
            r.state = static_cast<std::uint8_t>(LR_State::get(value));
        } else {
            using namespace gicv2::gich;
            const auto v = static_cast<std::uint32_t>(value);
            r.vintid = LR_VirtualID::get(v);
            r.hw = LR_HW::test(v);
            if (r.hw) {
                r.pintid = LR_PhysicalID::get(v);
            } else {
                r.eoi = LR_EOI::test(v);
                r.cpuid = static_cast<std::uint8_t>(LR_CPUID::get(v));
            }
            r.priority = static_cast<std::uint8_t>(LR_Priority::get(v) << 3);
            r.group1 = LR_Grp1::test(v);
            r.state = static_cast<std::uint8_t>(LR_State::get(v));
        }
        return r;
    }

    /// The register value. Fields a layout does not have are dropped (CPUID in GICv3; the
    /// low three priority bits in GICv2, as KVM writes priority >> 3).
    std::uint64_t encode(GicVersion version) const {
        if (version == GicVersion::V3) {
            using namespace gicv3::ich;
            std::uint64_t v = LR_vINTID::make(vintid) | LR_Priority::make(priority) |
                              LR_Group::make(group1 ? 1u : 0u) | LR_State::make(state);
            if (hw) v |= LR_HW::mask | LR_pINTID::make(pintid);
            else v |= LR_EOI::make(eoi ? 1u : 0u);
            return v;
        }
        using namespace gicv2::gich;
        std::uint32_t v = LR_VirtualID::make(vintid) | LR_Priority::make(static_cast<std::uint32_t>(priority) >> 3) |
                          LR_Grp1::make(group1 ? 1u : 0u) | LR_State::make(state);
        if (hw) v |= LR_HW::mask | LR_PhysicalID::make(pintid);
        else v |= LR_EOI::make(eoi ? 1u : 0u) | LR_CPUID::make(cpuid);
        return v;
    }
};

} // namespace vgic
