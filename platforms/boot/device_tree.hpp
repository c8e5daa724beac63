// SPDX-License-Identifier: Apache-2.0
// The device tree of the `vgic-sim boot` board (issue 16 item 2), written with libfdt.
//
//   BoardDescription board;  board.cpus = 4;  board.gic = GicVersion::V3;  ...
//   std::vector<std::uint8_t> dtb = vgic::boot::make_device_tree(board);
//   std::uint64_t at = vgic::boot::device_tree_address(board.ram_base, board.ram_size,
//                                                      dtb.size(), image.load_begin, image.load_end);
//   // copy dtb to RAM at `at`, x0 = at (Documentation/arch/arm64/booting.rst section 4)
//
// Every address, size and INTID comes from include/vgic/boot/board.h (shared with the guest
// images); device_tree.cpp names the binding (Documentation/devicetree/bindings/...) each
// node follows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <vgic/boot/board.h>
#include <vgic/model/config.hpp>

namespace vgic::boot {

/// The model's own enumeration (V2, V3): the board and the GIC it describes cannot disagree.
using vgic::GicVersion;

struct BoardDescription {
    unsigned cpus = 1;                  ///< 1 .. VGIC_BOARD_MAX_CPUS
    GicVersion gic = GicVersion::V2;
    /// vm mode: the guest is a VM and sees only the GIC a VM sees (no GICH/GICV, no
    /// maintenance interrupt); hw mode: the whole GIC of the machine.
    bool vm_mode = false;
    std::uint64_t ram_base = VGIC_BOARD_RAM_BASE;
    std::uint64_t ram_size = VGIC_BOARD_RAM_DEFAULT_SIZE;
    std::string bootargs;               ///< /chosen/bootargs (omitted when empty)
    /// hw mode: the PPI the model raises as the maintenance interrupt (its VirtConfig's).
    std::uint32_t maintenance_intid = vgic::VirtConfig{}.maintenance_intid;
    /// Not written into the tree (see make_device_tree); kept so the caller describes the
    /// board in one place.
    std::uint64_t timer_frequency_hz = VGIC_BOARD_TIMER_FREQUENCY_HZ;
};

struct DeviceTreeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The largest device tree blob accepted (user's --dtb) or written: 2 MiB, the arm64 boot
/// protocol's bound (booting.rst section 2: "must not exceed 2 megabytes in size").
inline constexpr std::size_t kMaxDeviceTreeSize = std::size_t{2} << 20;

/// A flattened device tree a Linux arm64 kernel accepts for this board. Throws
/// DeviceTreeError for a board it cannot describe (0 or more than VGIC_BOARD_MAX_CPUS CPUs,
/// RAM outside the 64-bit space) or if libfdt fails (never a truncated tree).
std::vector<std::uint8_t> make_device_tree(const BoardDescription& board);

/// Checks a user-supplied DTB: at most kMaxDeviceTreeSize bytes, a valid header
/// (fdt_check_header), totalsize <= size, and a structure libfdt can walk. Throws
/// DeviceTreeError "DTB 'NAME': ..." naming the field and value.
void check_device_tree(const std::uint8_t* data, std::size_t size, std::string_view name);

/// Where the DTB goes in RAM: the highest 2 MiB aligned address at which dtb_size bytes
/// end at or below ram_base + ram_size, not overlapping [image_begin, image_end) and inside
/// RAM. Throws DeviceTreeError if there is none.
std::uint64_t device_tree_address(std::uint64_t ram_base, std::uint64_t ram_size, std::size_t dtb_size,
                                  std::uint64_t image_begin, std::uint64_t image_end);

} // namespace vgic::boot
