// SPDX-License-Identifier: Apache-2.0
// The bad-access report for a GICv2 memory-mapped CPU-interface frame accessed on a GICv3
// GIC (internal header, not installed).
#pragma once

#include "vgic/model/access.hpp"

#include <cstdint>

namespace vgic::detail {

/// IHI 0069: with GICv3 the memory-mapped CPU interface frames (GICC, GICH and its alias,
/// GICV) do not exist; the ICC_/ICH_/ICV_ system registers replace them. An access is
/// reported as a bad access to a reserved offset and touches nothing.
inline AccessResult no_frame_v3(Diagnostics& diag, const char* frame, const char* detail, unsigned cpu,
                                std::uint32_t offset, unsigned size, bool is_write, std::uint64_t value) {
    const BadAccess b =
        BadAccess::make(frame, nullptr, detail, cpu, offset, size, is_write, value, BadAccessKind::Reserved);
    return {0, diag.bad_access(b), b.kind};
}

} // namespace vgic::detail
