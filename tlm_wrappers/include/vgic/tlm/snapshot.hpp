// SPDX-License-Identifier: Apache-2.0
// Snapshot of a whole platform: the GIC model (vgic::save_snapshot: distributor, CPU
// interfaces, list registers, queued interrupts, the vm-mode engine) plus every (v)CPU's
// generic timer, as one versioned JSON document ("vgic-tlm-snapshot", version 1).
//
// Timers: the document keeps each timer's registers and the virtual count at the moment of
// the save. A restore sets CNTVOFF so that CNTVCT continues from that value (what KVM and
// QEMU do on migration), so a guest's CNTV_CVAL keeps its meaning even if the restoring
// simulation is at another time; the physical count is the restoring simulation's.
//
// Take and restore snapshots at a quiescent point (in vm mode: no world switch in progress).
#pragma once

#include "vgic/tlm/export.hpp"

#include "vgic/model/snapshot.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <string>
#include <string_view>

namespace vgic::tlm {

inline constexpr const char* kPlatformSnapshotFormat = "vgic-tlm-snapshot";
inline constexpr unsigned kPlatformSnapshotVersion = 1;

/// `timer` may be null (a platform without timers).
VGIC_TLM_API std::string save_snapshot(VgicBase& gic, const VirtualTimerBase* timer = nullptr);

/// Throws vgic::SnapshotError and leaves `gic` and `timer` untouched for a document that is
/// corrupt, of another format/version, or of another configuration (including a timer
/// section where this platform has no timer or the other way round).
VGIC_TLM_API void restore_snapshot(VgicBase& gic, VirtualTimerBase* timer, std::string_view json);

} // namespace vgic::tlm
