// SPDX-License-Identifier: Apache-2.0
// Loading a guest image into the board's RAM for `vgic-sim boot` (issue 16 item 3).
//
//   std::vector<std::uint8_t> file = vgic::boot::read_image_file(path, ram_size);
//   vgic::boot::LoadedImage image = vgic::boot::load_image(file.data(), file.size(), path,
//                                                         ram.data(), ram_base, ram.size());
//
// Three kinds, detected from the content (never from the file name):
// - an ELF file (the ELF magic): ELF64, little-endian, EM_AARCH64, ET_EXEC; each PT_LOAD
//   segment at its p_paddr, entry = e_entry;
// - a Linux arm64 `Image` (the magic "ARM\x64" at offset 0x38, Documentation/arch/arm64/
//   booting.rst section 4): at its header's text_offset from a 2 MiB aligned base, entry =
//   the load address;
// - anything else: a flat binary at ram_base + VGIC_BOARD_LOAD_OFFSET, entry = that address.
//
// The image is hostile until checked: every field is checked before it is used, with
// overflow-free arithmetic, and every refusal is an ImageError whose message starts with
// "IMAGE 'NAME': " and names the field and its value. Nothing is copied into RAM unless the
// whole image is acceptable (a refused image leaves RAM as it was).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vgic::boot {

enum class ImageKind { LinuxImage, Elf, Flat };

/// "Linux Image", "ELF", "flat binary" (for the command's messages and summary).
const char* to_string(ImageKind kind);

struct LoadedImage {
    ImageKind kind;
    std::uint64_t entry;       ///< the PC of the boot CPU (guest physical)
    std::uint64_t load_begin;  ///< [load_begin, load_end): the guest physical bytes the image
    std::uint64_t load_end;    ///<   occupies (Linux: text_offset + image_size, BSS included;
                               ///<   ELF: the lowest p_paddr to the highest p_paddr + p_memsz)
};

struct ImageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// Detects the kind of `data[0, size)` and copies it into `ram`, the host buffer of guest
/// physical [ram_base, ram_base + ram_size). `name` only appears in messages (printed with
/// non-printable bytes escaped). Throws ImageError; `ram` is unchanged then.
LoadedImage load_image(const std::uint8_t* data, std::size_t size, std::string_view name, std::uint8_t* ram,
                       std::uint64_t ram_base, std::uint64_t ram_size);

/// The whole content of `path`, a regular file (symbolic links followed) of at most
/// `max_size` bytes (for an image: the RAM size, since a larger one cannot be loaded).
/// Throws ImageError "IMAGE 'PATH': cannot read it: REASON", REASON being the system's
/// ("No such file or directory", "Permission denied"), "it is a directory, not a regular
/// file", "it is a FIFO, not a regular file", "it holds N bytes, more than the limit of
/// 128 MiB (134217728 bytes)", "it is empty". `label` starts the message: "IMAGE" for the
/// guest image, "DTB" for a user's device tree (--dtb), and so on.
std::vector<std::uint8_t> read_image_file(const std::string& path, std::uint64_t max_size,
                                          std::string_view label = "IMAGE");

} // namespace vgic::boot
