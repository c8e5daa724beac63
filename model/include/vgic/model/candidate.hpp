// SPDX-License-Identifier: Apache-2.0
// The contract between a CPU interface and whatever supplies its interrupts: the
// distributor for the physical interface (GICC), the list registers for the virtual one
// (GICV, step 2). Priority, preemption, active-priority and EOI rules live once in
// CpuInterface and consume only this.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/gicv2_regs.hpp"

#include <cstdint>

namespace vgic {

/// The highest-priority pending interrupt a source offers a CPU interface.
struct VGIC_MODEL_API Candidate {
    static constexpr std::uint32_t kNone = 0xFFFFFFFF;
    std::uint32_t intid = kNone;  ///< may be 1020-1023 when a list register holds one
    std::uint8_t priority = 0xFF;
    std::uint8_t group = 0;       ///< 0 or 1
    std::uint8_t source_cpu = 0;  ///< SGIs: the requesting CPU, reported in IAR.CPUID
    std::uint16_t slot = 0;       ///< source-specific locator (the list register index)
    bool valid() const { return intid != kNone; }
};

class VGIC_MODEL_API CandidateSource {
public:
    virtual ~CandidateSource() = default;
    /// Best pending, enabled, not active interrupt of the groups in `group_mask` (bit g =
    /// group g) that the source forwards to this CPU interface; invalid if none.
    virtual Candidate highest_pending(unsigned group_mask) const = 0;
    /// Pending -> active (or active+pending) for `c`, as an IAR read does. Returns false
    /// if the interrupt was consumed without activation (list-register vINTIDs 1020-1023),
    /// in which case no active priority is recorded.
    virtual bool acknowledge(const Candidate& c) = 0;
    /// Deactivates `intid` (for an SGI, the one from `source_cpu`, where the source tracks
    /// that); false if nothing matched.
    virtual bool deactivate(std::uint32_t intid, unsigned source_cpu) = 0;
    virtual bool is_active(std::uint32_t intid) const = 0;
    virtual unsigned group_of(std::uint32_t intid) const = 0;
};

} // namespace vgic
