// The contract between a CPU interface and whatever supplies its interrupts: the
// distributor for the physical interface (GICC), the list registers for the virtual one
// (GICV, step 2). Priority, preemption, active-priority and EOI rules live once in
// CpuInterface and consume only this.
#pragma once

#include "vgic/model/gicv2_regs.hpp"

#include <cstdint>

namespace vgic {

/// The highest-priority pending interrupt a source offers a CPU interface.
struct Candidate {
    std::uint32_t intid = gicv2::kSpurious;
    std::uint8_t priority = 0xFF;
    std::uint8_t group = 0;       ///< 0 or 1
    std::uint8_t source_cpu = 0;  ///< SGIs: the requesting CPU, reported in IAR.CPUID
    bool valid() const { return intid < gicv2::kMaxIntids; }
};

class CandidateSource {
public:
    virtual ~CandidateSource() = default;
    /// Best pending, enabled, not active interrupt of the groups in `group_mask` (bit g =
    /// group g) that the source forwards to this CPU interface; invalid if none.
    virtual Candidate highest_pending(unsigned group_mask) const = 0;
    /// Pending -> active (or active+pending) for `c`, as an IAR read does.
    virtual void acknowledge(const Candidate& c) = 0;
    /// Clears the active state of `intid`; false (and no change) if it was not active.
    virtual bool deactivate(std::uint32_t intid) = 0;
    virtual bool is_active(std::uint32_t intid) const = 0;
    virtual unsigned group_of(std::uint32_t intid) const = 0;
};

} // namespace vgic
