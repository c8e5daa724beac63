// SPDX-License-Identifier: Apache-2.0
// Good images land where their format says, with the right entry and load range
// (platforms/boot/image.hpp): a flat binary at RAM + VGIC_BOARD_LOAD_OFFSET, a Linux arm64
// Image at its text_offset from the 2 MiB aligned RAM base (booting.rst section 4), an ELF's
// PT_LOAD segments at p_paddr with the BSS zeroed (gABI chapter 5).
#include "boot/image.hpp"
#include "images.hpp"

#include <vgic/boot/board.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace vgic::boot;
using namespace vgic::boot::testing;

namespace {

constexpr std::uint64_t kRamBase = VGIC_BOARD_RAM_BASE;
constexpr std::uint64_t kRamSize = 16 << 20;  // enough for every test image; 16 MiB per test
constexpr std::uint8_t kUntouched = 0xa5;

/// Guest RAM filled with kUntouched, so that what the loader wrote (or zeroed) shows.
struct Ram {
    std::uint64_t base = kRamBase;
    Bytes bytes = Bytes(kRamSize, kUntouched);
    explicit Ram(std::uint64_t b = kRamBase) : base(b) {}
    LoadedImage load(const Bytes& image, const char* name = "test") {
        return load_image(image.data(), image.size(), name, bytes.data(), base, bytes.size());
    }
    /// The `n` bytes at guest physical `at`.
    Bytes at(std::uint64_t address, std::size_t n) const {
        const auto from = bytes.begin() + static_cast<std::ptrdiff_t>(address - base);
        return Bytes(from, from + static_cast<std::ptrdiff_t>(n));
    }
    bool all(std::uint64_t address, std::size_t n, std::uint8_t value) const {
        const Bytes b = at(address, n);
        return std::all_of(b.begin(), b.end(), [&](std::uint8_t x) { return x == value; });
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(image_loader)

BOOST_AUTO_TEST_CASE(flat_binary_at_the_board_load_offset) {
    Ram ram;
    const Bytes image = pattern(4096 + 3);
    const LoadedImage loaded = ram.load(image);
    const std::uint64_t at = kRamBase + VGIC_BOARD_LOAD_OFFSET;
    BOOST_TEST((loaded.kind == ImageKind::Flat), "no ELF or Image magic: a flat binary");
    BOOST_TEST(loaded.entry == at, "entry = the load address");
    BOOST_TEST(loaded.load_begin == at);
    BOOST_TEST(loaded.load_end == at + image.size());
    BOOST_TEST((ram.at(at, image.size()) == image), "the bytes are copied unchanged");
    BOOST_TEST(ram.all(at - 16, 16, kUntouched), "nothing written below the image");
    BOOST_TEST(ram.all(at + image.size(), 16, kUntouched), "nothing written past the image");
}

BOOST_AUTO_TEST_CASE(flat_binary_filling_ram_to_the_end) {
    Ram ram;
    const Bytes image = pattern(kRamSize - VGIC_BOARD_LOAD_OFFSET);
    const LoadedImage loaded = ram.load(image);
    BOOST_TEST(loaded.load_end == kRamBase + kRamSize, "the last byte of RAM is usable");
}

BOOST_AUTO_TEST_CASE(short_files_without_a_complete_magic_are_flat) {
    // Three bytes of an ELF magic, and a file ending inside the Image magic, are not those
    // formats: nothing identifies them.
    Ram ram;
    BOOST_TEST((ram.load(Bytes{0x7f, 'E', 'L'}).kind == ImageKind::Flat));
    Bytes partial(0x3a, 0);
    put(partial, 0x38, 0x5241, 2);  // "AR"
    BOOST_TEST((ram.load(partial).kind == ImageKind::Flat));
}

BOOST_AUTO_TEST_CASE(linux_image_text_offset_0_runs_at_the_ram_base) {
    // Linux 5.10 and later: text_offset 0, image_size covers the BSS, which the loader zeroes.
    Ram ram;
    const Bytes payload = pattern(1000);
    const Bytes image = make_linux_image(0, 0x10000, payload);
    const LoadedImage loaded = ram.load(image);
    BOOST_TEST((loaded.kind == ImageKind::LinuxImage));
    BOOST_TEST(loaded.entry == kRamBase, "booting.rst: the kernel is called at its load address");
    BOOST_TEST(loaded.load_begin == kRamBase);
    BOOST_TEST(loaded.load_end == kRamBase + 0x10000, "load_end covers image_size, not only the file");
    BOOST_TEST((ram.at(kRamBase, image.size()) == image), "header and payload copied");
    BOOST_TEST(ram.all(kRamBase + image.size(), 0x10000 - image.size(), 0), "the rest of image_size is zeroed");
    BOOST_TEST(ram.all(kRamBase + 0x10000, 64, kUntouched), "nothing past image_size");
}

BOOST_AUTO_TEST_CASE(linux_image_old_text_offset_and_image_size_0) {
    // Before 3.17: image_size 0 and text_offset 0x80000; the file size stands for image_size.
    Ram ram;
    const Bytes image = make_linux_image(0x80000, 0, pattern(500));
    const LoadedImage loaded = ram.load(image);
    BOOST_TEST(loaded.entry == kRamBase + 0x80000);
    BOOST_TEST(loaded.load_begin == kRamBase + 0x80000);
    BOOST_TEST(loaded.load_end == kRamBase + 0x80000 + image.size());
    BOOST_TEST((ram.at(kRamBase + 0x80000, image.size()) == image));
}

BOOST_AUTO_TEST_CASE(linux_image_base_rounds_up_to_2_mib) {
    // RAM starting 1 MiB into a 2 MiB block: the base is the next 2 MiB boundary.
    Ram ram(kRamBase + 0x100000);
    const LoadedImage loaded = ram.load(make_linux_image(0x1000, 0, pattern(100)));
    BOOST_TEST(loaded.entry == kRamBase + 0x200000 + 0x1000);
}

BOOST_AUTO_TEST_CASE(linux_image_flags_other_than_endianness_are_accepted) {
    // Bits 1-2 (page size), 3 (placement) and the reserved bits say nothing the loader needs.
    Ram ram;
    const LoadedImage loaded = ram.load(make_linux_image(0, 0, pattern(100), 0xe));
    BOOST_TEST(loaded.entry == kRamBase);
}

BOOST_AUTO_TEST_CASE(elf_segments_at_p_paddr_with_bss_zeroed) {
    Ram ram;
    Segment text{1, kRamBase + 0x80000, 0, pattern(0x1234), 0};
    Segment data{1, kRamBase + 0x100000, 0, pattern(0x100, 7), 0x3000};  // 0x2f00 bytes of BSS
    Segment note{4, 0, 0, pattern(16), 0};                                // PT_NOTE: not loaded
    const Bytes elf = make_elf(kRamBase + 0x80010, {text, note, data});
    const LoadedImage loaded = ram.load(elf);
    BOOST_TEST((loaded.kind == ImageKind::Elf));
    BOOST_TEST(loaded.entry == kRamBase + 0x80010, "entry = e_entry");
    BOOST_TEST(loaded.load_begin == kRamBase + 0x80000, "the lowest segment");
    BOOST_TEST(loaded.load_end == kRamBase + 0x103000, "the end of the highest segment's p_memsz");
    BOOST_TEST((ram.at(text.paddr, text.data.size()) == text.data));
    BOOST_TEST((ram.at(data.paddr, data.data.size()) == data.data));
    BOOST_TEST(ram.all(data.paddr + 0x100, 0x2f00, 0), "p_memsz beyond p_filesz is zero-filled");
    BOOST_TEST(ram.all(data.paddr + 0x3000, 64, kUntouched), "nothing past p_memsz");
    BOOST_TEST(ram.all(text.paddr + text.data.size(), 64, kUntouched), "nothing between the segments");
}

BOOST_AUTO_TEST_CASE(elf_bss_only_segment_and_empty_segments) {
    // A segment with p_filesz 0 is all zeroes; one with p_memsz 0 occupies nothing and may
    // name any address.
    Ram ram;
    Segment code{1, kRamBase + 0x80000, 0, pattern(64), 0};
    Segment bss{1, kRamBase + 0x90000, 0, {}, 0x800};
    Segment nothing{1, 0x1234, 0, {}, 0};
    const LoadedImage loaded = ram.load(make_elf(kRamBase + 0x80000, {code, bss, nothing}));
    BOOST_TEST(ram.all(kRamBase + 0x90000, 0x800, 0));
    BOOST_TEST(loaded.load_end == kRamBase + 0x90800);
}

BOOST_AUTO_TEST_CASE(elf_entry_translated_from_virtual_to_physical) {
    // Linked at a virtual address with a load address in RAM: the CPU starts with the MMU
    // off, at e_entry's physical counterpart in the segment that holds it.
    Ram ram;
    Segment text{1, kRamBase + 0x80000, 0xffff000000080000ULL, pattern(0x100), 0};
    const LoadedImage loaded = ram.load(make_elf(0xffff000000080040ULL, {text}));
    BOOST_TEST(loaded.entry == kRamBase + 0x80040);
}

BOOST_AUTO_TEST_CASE(elf_program_headers_larger_than_elf64_phdr) {
    // e_phentsize may exceed sizeof(Elf64_Phdr): entries are e_phentsize apart.
    Ram ram;
    Bytes elf(64 + 2 * 64, 0);
    const Bytes base = make_elf(kRamBase + 0x80000, {Segment{1, kRamBase + 0x80000, 0, pattern(8), 0}});
    std::copy(base.begin(), base.begin() + 64, elf.begin());
    put(elf, kEPhentsize, 64, 2);
    put(elf, kEPhnum, 2, 2);
    const Bytes code = pattern(8);
    const std::size_t data_at = elf.size();
    elf.insert(elf.end(), code.begin(), code.end());
    for (unsigned i = 0; i < 2; ++i) {
        const std::size_t ph = 64 + i * 64;
        put(elf, ph + kPType, 1, 4);
        put(elf, ph + kPOffset, data_at, 8);
        put(elf, ph + kPVaddr, kRamBase + 0x80000 + i * 0x1000, 8);
        put(elf, ph + kPPaddr, kRamBase + 0x80000 + i * 0x1000, 8);
        put(elf, ph + kPFilesz, 8, 8);
        put(elf, ph + kPMemsz, 8, 8);
    }
    const LoadedImage loaded = ram.load(elf);
    BOOST_TEST(loaded.load_end == kRamBase + 0x81008);
    BOOST_TEST((ram.at(kRamBase + 0x81000, 8) == code));
}

BOOST_AUTO_TEST_CASE(kind_names) {
    BOOST_TEST(std::string(to_string(ImageKind::LinuxImage)) == "Linux Image");
    BOOST_TEST(std::string(to_string(ImageKind::Elf)) == "ELF");
    BOOST_TEST(std::string(to_string(ImageKind::Flat)) == "flat binary");
}

BOOST_AUTO_TEST_SUITE_END()
