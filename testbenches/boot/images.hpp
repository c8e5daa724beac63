// SPDX-License-Identifier: Apache-2.0
// Synthesized guest images for the loader tests: an ELF64 executable, a Linux arm64 Image
// and a flat binary, built field by field from the layouts the loader reads (gABI chapters
// 4 and 5; Documentation/arch/arm64/booting.rst section 4), so each hostile variant is a
// good image with one field changed (put()).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vgic::boot::testing {

using Bytes = std::vector<std::uint8_t>;

/// Writes `value` little-endian into `bytes` at `offset`, `width` bytes wide.
inline void put(Bytes& bytes, std::size_t offset, std::uint64_t value, unsigned width) {
    if (bytes.size() < offset + width) bytes.resize(offset + width);
    for (unsigned i = 0; i < width; ++i) bytes[offset + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

/// `n` bytes 1, 2, 3, ... (mod 251: no period that lines up with the field sizes).
inline Bytes pattern(std::size_t n, unsigned seed = 1) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>((i + seed) % 251 + 1);
    return b;
}

// ---- ELF64 ----
struct Segment {
    std::uint32_t type = 1;  // PT_LOAD
    std::uint64_t paddr = 0, vaddr = 0;
    Bytes data;              // p_filesz = data.size()
    std::uint64_t memsz = 0; // 0: data.size()
};
inline constexpr std::size_t kElfPhoff = 64;  // the program headers right after the ELF header
inline constexpr std::size_t kPhdrSize = 56;
/// Offset of field `field_offset` of program header `index`.
inline std::size_t phdr(unsigned index, std::size_t field_offset) { return kElfPhoff + index * kPhdrSize + field_offset; }
inline constexpr std::size_t kPType = 0, kPOffset = 8, kPVaddr = 16, kPPaddr = 24, kPFilesz = 32, kPMemsz = 40;
inline constexpr std::size_t kEType = 16, kEMachine = 18, kEVersion = 20, kEEntry = 24, kEPhoff = 32,
                             kEPhentsize = 54, kEPhnum = 56;

inline Bytes make_elf(std::uint64_t entry, const std::vector<Segment>& segments) {
    Bytes b(64, 0);
    b[0] = 0x7f; b[1] = 'E'; b[2] = 'L'; b[3] = 'F';
    b[4] = 2;  // ELFCLASS64
    b[5] = 1;  // ELFDATA2LSB
    b[6] = 1;  // EV_CURRENT
    put(b, kEType, 2, 2);       // ET_EXEC
    put(b, kEMachine, 183, 2);  // EM_AARCH64
    put(b, kEVersion, 1, 4);
    put(b, kEEntry, entry, 8);
    put(b, kEPhoff, kElfPhoff, 8);
    put(b, 52, 64, 2);  // e_ehsize
    put(b, kEPhentsize, kPhdrSize, 2);
    put(b, kEPhnum, segments.size(), 2);
    b.resize(kElfPhoff + segments.size() * kPhdrSize, 0);
    for (unsigned i = 0; i < segments.size(); ++i) {
        const Segment& s = segments[i];
        const std::size_t offset = b.size();
        b.insert(b.end(), s.data.begin(), s.data.end());
        put(b, phdr(i, kPType), s.type, 4);
        put(b, phdr(i, 4), 5, 4);  // p_flags R+X
        put(b, phdr(i, kPOffset), offset, 8);
        put(b, phdr(i, kPVaddr), s.vaddr != 0 ? s.vaddr : s.paddr, 8);
        put(b, phdr(i, kPPaddr), s.paddr, 8);
        put(b, phdr(i, kPFilesz), s.data.size(), 8);
        put(b, phdr(i, kPMemsz), s.memsz != 0 ? s.memsz : s.data.size(), 8);
        put(b, phdr(i, 48), 8, 8);  // p_align
    }
    return b;
}

// ---- Linux arm64 Image ----
inline constexpr std::size_t kTextOffset = 0x08, kImageSize = 0x10, kFlags = 0x18, kMagic = 0x38;
/// A 64-byte header (code0 = a branch over it, as the kernel's) followed by `payload`.
inline Bytes make_linux_image(std::uint64_t text_offset, std::uint64_t image_size, const Bytes& payload,
                              std::uint64_t flags = 0) {
    Bytes b(64, 0);
    put(b, 0, 0x14000010, 4);  // b +0x40
    put(b, kTextOffset, text_offset, 8);
    put(b, kImageSize, image_size, 8);
    put(b, kFlags, flags, 8);
    put(b, kMagic, 0x644d5241, 4);  // "ARM\x64"
    b.insert(b.end(), payload.begin(), payload.end());
    return b;
}

} // namespace vgic::boot::testing
