// SPDX-License-Identifier: Apache-2.0
// Hostile images (hostile-input corpus, class malformed_files: testbenches/hostile/README.md):
// each is a good image with one field made wrong, and each refusal is an ImageError naming the
// image, the field and its value. A refused image leaves RAM untouched.
#include "boot/image.hpp"
#include "images.hpp"

#include <vgic/boot/board.h>

#include <boost/test/unit_test.hpp>

#include <algorithm>

using namespace vgic::boot;
using namespace vgic::boot::testing;

namespace {

constexpr std::uint64_t kRamBase = VGIC_BOARD_RAM_BASE;
constexpr std::uint64_t kRamSize = 16 << 20;
const std::string kRam = "RAM [0x40000000, 0x41000000)";

/// The message load_image throws for `image` named "bad.img" (a failed check if it loads),
/// and a check that RAM was left as it was.
std::string refusal(const Bytes& image, const char* name = "bad.img") {
    Bytes ram(kRamSize, 0x5a);
    std::string message;
    try {
        load_image(image.data(), image.size(), name, ram.data(), kRamBase, ram.size());
        BOOST_ERROR("the image should have been refused");
    } catch (const ImageError& e) {
        message = e.what();
    }
    BOOST_TEST(std::all_of(ram.begin(), ram.end(), [](std::uint8_t b) { return b == 0x5a; }),
               "a refused image writes nothing into RAM");
    return message;
}

Bytes good_elf() {
    return make_elf(kRamBase + 0x80000, {Segment{1, kRamBase + 0x80000, 0, pattern(0x200), 0},
                                         Segment{1, kRamBase + 0x100000, 0, pattern(0x100), 0x1000}});
}

} // namespace

BOOST_AUTO_TEST_SUITE(image_malformed)

// ---- every kind ----

BOOST_AUTO_TEST_CASE(empty_image) {
    BOOST_TEST(refusal({}) == "IMAGE 'bad.img': the image is empty (0 bytes)");
}

BOOST_AUTO_TEST_CASE(name_with_control_bytes_is_quoted_printably) {
    BOOST_TEST(refusal({}, "a\x1b[2Jb") == "IMAGE 'a\\x1B[2Jb': the image is empty (0 bytes)");
}

BOOST_AUTO_TEST_CASE(no_ram) {
    const Bytes image = pattern(16);
    std::uint8_t byte = 0;
    try {
        load_image(image.data(), image.size(), "x", &byte, 0xfffffffffffff000ULL, 0x2000);
        BOOST_ERROR("RAM past the end of the address space should be refused");
    } catch (const ImageError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "IMAGE 'x': no RAM to load into (RAM [0xfffffffffffff000, 0xfffffffffffff000 + 0x2000))");
    }
}

BOOST_AUTO_TEST_CASE(flat_binary_larger_than_ram) {
    BOOST_TEST(refusal(pattern(kRamSize - VGIC_BOARD_LOAD_OFFSET + 1)) ==
               "IMAGE 'bad.img': flat binary of 16252929 bytes at RAM + 0x80000 occupies [0x40080000, 0x41000001), "
               "outside " + kRam);
}

// ---- Linux arm64 Image (booting.rst section 4) ----

BOOST_AUTO_TEST_CASE(linux_header_truncated) {
    Bytes image = make_linux_image(0, 0, {});
    image.resize(0x3c);  // the magic, then the end
    BOOST_TEST(refusal(image) ==
               "IMAGE 'bad.img': Linux Image header truncated: the file holds 60 bytes, the header 64 (booting.rst section 4)");
}

BOOST_AUTO_TEST_CASE(linux_big_endian_kernel) {
    BOOST_TEST(refusal(make_linux_image(0, 0, pattern(64), 0x9)) ==
               "IMAGE 'bad.img': Linux Image flags 0x9: bit 0 says a big-endian kernel; this board runs "
               "little-endian kernels only");
}

BOOST_AUTO_TEST_CASE(linux_image_size_smaller_than_the_file) {
    BOOST_TEST(refusal(make_linux_image(0, 0x40, pattern(64))) ==
               "IMAGE 'bad.img': Linux Image image_size 0x40 is smaller than the file (128 bytes)");
}

BOOST_AUTO_TEST_CASE(linux_image_size_beyond_ram) {
    BOOST_TEST(refusal(make_linux_image(0, kRamSize + 1, pattern(64))) ==
               "IMAGE 'bad.img': Linux Image at text_offset 0x0 with image_size 0x1000001 occupies "
               "[0x40000000, 0x41000001), outside " + kRam);
}

BOOST_AUTO_TEST_CASE(linux_huge_image_size) {
    BOOST_TEST(refusal(make_linux_image(0x80000, ~0ULL, pattern(64))) ==
               "IMAGE 'bad.img': Linux Image at text_offset 0x80000 with image_size 0xffffffffffffffff occupies "
               "[0x40080000, 0x40080000 + 0xffffffffffffffff), outside " + kRam);
}

BOOST_AUTO_TEST_CASE(linux_huge_text_offset) {
    BOOST_TEST(refusal(make_linux_image(0xfffffffffff00000ULL, 0, pattern(64))) ==
               "IMAGE 'bad.img': Linux Image at text_offset 0xfffffffffff00000 with image_size 0x80 occupies "
               "[0x40000000, 0x40000000 + 0xfffffffffff00000), outside " + kRam);
}

BOOST_AUTO_TEST_CASE(linux_no_2mib_base_in_ram) {
    // 1 MiB of RAM starting 1 MiB into a 2 MiB block holds no 2 MiB boundary.
    const Bytes image = make_linux_image(0, 0, pattern(64));
    Bytes ram(1 << 20);
    try {
        load_image(image.data(), image.size(), "k", ram.data(), 0x40100000, ram.size());
        BOOST_ERROR("should be refused");
    } catch (const ImageError& e) {
        BOOST_TEST(std::string(e.what()) ==
                   "IMAGE 'k': no 2 MiB aligned base for the Linux Image in RAM [0x40100000, 0x40200000) "
                   "(booting.rst section 4)");
    }
}

// ---- ELF (gABI chapters 4 and 5) ----

BOOST_AUTO_TEST_CASE(elf_header_truncated) {
    Bytes elf = good_elf();
    elf.resize(40);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF header truncated: the file holds 40 bytes, an ELF64 header 64");
}

BOOST_AUTO_TEST_CASE(elf_32_bit) {
    Bytes elf = good_elf();
    elf[4] = 1;
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF e_ident[EI_CLASS] 1 is not ELFCLASS64 (2): AArch64 images are ELF64");
}

BOOST_AUTO_TEST_CASE(elf_big_endian) {
    Bytes elf = good_elf();
    elf[5] = 2;
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF e_ident[EI_DATA] 2 is not ELFDATA2LSB (1): this board runs little-endian images only");
}

BOOST_AUTO_TEST_CASE(elf_ident_version) {
    Bytes elf = good_elf();
    elf[6] = 0;
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_ident[EI_VERSION] 0 is not EV_CURRENT (1)");
}

BOOST_AUTO_TEST_CASE(elf_shared_object) {
    Bytes elf = good_elf();
    put(elf, kEType, 3, 2);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF e_type 3 is not ET_EXEC (2): only executables have load addresses "
               "(ET_DYN: a position-independent executable or shared object)");
}

BOOST_AUTO_TEST_CASE(elf_relocatable) {
    Bytes elf = good_elf();
    put(elf, kEType, 1, 2);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF e_type 1 is not ET_EXEC (2): only executables have load addresses");
}

BOOST_AUTO_TEST_CASE(elf_other_machine) {
    Bytes elf = good_elf();
    put(elf, kEMachine, 62, 2);  // EM_X86_64
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_machine 62 is not EM_AARCH64 (183)");
}

BOOST_AUTO_TEST_CASE(elf_version) {
    Bytes elf = good_elf();
    put(elf, kEVersion, 7, 4);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_version 7 is not EV_CURRENT (1)");
}

BOOST_AUTO_TEST_CASE(elf_no_program_headers) {
    Bytes elf = good_elf();
    put(elf, kEPhnum, 0, 2);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_phnum 0: no program header, nothing to load");
}

BOOST_AUTO_TEST_CASE(elf_extended_program_header_count) {
    Bytes elf = good_elf();
    put(elf, kEPhnum, 0xffff, 2);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF e_phnum 0xffff (PN_XNUM: more than 65534 program headers, counted in section 0) "
               "is not supported");
}

BOOST_AUTO_TEST_CASE(elf_program_header_too_small) {
    Bytes elf = good_elf();
    put(elf, kEPhentsize, 32, 2);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_phentsize 32 is smaller than an Elf64_Phdr (56 bytes)");
}

BOOST_AUTO_TEST_CASE(elf_program_header_table_past_the_file) {
    // phnum * phentsize = 65534 * 65535 bytes: far past the file, no overflow.
    Bytes elf = good_elf();
    put(elf, kEPhnum, 0xfffe, 2);
    put(elf, kEPhentsize, 0xffff, 2);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF program header table [0x40, 0xfffd0042) (e_phoff 0x40, e_phnum 65534 x "
               "e_phentsize 65535) is past the end of the file (944 bytes)");
}

BOOST_AUTO_TEST_CASE(elf_program_header_offset_overflows) {
    Bytes elf = good_elf();
    put(elf, kEPhoff, 0xfffffffffffffff0ULL, 8);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': ELF program header table [0xfffffffffffffff0, 0xfffffffffffffff0 + 0x70) "
               "(e_phoff 0xfffffffffffffff0, e_phnum 2 x e_phentsize 56) is past the end of the file (944 bytes)");
}

BOOST_AUTO_TEST_CASE(elf_no_loadable_segment) {
    Bytes elf = good_elf();
    put(elf, phdr(0, kPType), 4, 4);  // PT_NOTE
    put(elf, phdr(1, kPType), 6, 4);  // PT_PHDR
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF has no PT_LOAD segment with memory (p_memsz > 0): nothing to load");
}

BOOST_AUTO_TEST_CASE(elf_file_size_larger_than_memory_size) {
    Bytes elf = good_elf();
    put(elf, phdr(1, kPMemsz), 0x80, 8);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': segment 1 p_filesz 0x100 is larger than its p_memsz 0x80");
}

BOOST_AUTO_TEST_CASE(elf_segment_bytes_past_the_file) {
    Bytes elf = good_elf();
    put(elf, phdr(1, kPFilesz), 0x1000, 8);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': segment 1 file bytes [0x2b0, 0x12b0) (p_offset, p_filesz) are past the end of the "
               "file (944 bytes)");
}

BOOST_AUTO_TEST_CASE(elf_segment_offset_overflows) {
    Bytes elf = good_elf();
    put(elf, phdr(0, kPOffset), 0xffffffffffffff00ULL, 8);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': segment 0 file bytes [0xffffffffffffff00, 0xffffffffffffff00 + 0x200) "
               "(p_offset, p_filesz) are past the end of the file (944 bytes)");
}

BOOST_AUTO_TEST_CASE(elf_segment_outside_ram) {
    Bytes elf = good_elf();
    put(elf, phdr(1, kPPaddr), 0x1000, 8);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': segment 1 [0x1000, 0x2000) (p_paddr, p_memsz) is outside " + kRam);
}

BOOST_AUTO_TEST_CASE(elf_segment_crossing_the_end_of_ram) {
    Bytes elf = good_elf();
    put(elf, phdr(1, kPPaddr), kRamBase + kRamSize - 0x800, 8);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': segment 1 [0x40fff800, 0x41000800) (p_paddr, p_memsz) is outside " + kRam);
}

BOOST_AUTO_TEST_CASE(elf_huge_memory_size) {
    Bytes elf = good_elf();
    put(elf, phdr(1, kPMemsz), ~0ULL, 8);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': segment 1 [0x40100000, 0x40100000 + 0xffffffffffffffff) (p_paddr, p_memsz) is outside " +
                   kRam);
}

BOOST_AUTO_TEST_CASE(elf_overlapping_segments) {
    Bytes elf = good_elf();
    put(elf, phdr(1, kPPaddr), kRamBase + 0x80100, 8);
    BOOST_TEST(refusal(elf) ==
               "IMAGE 'bad.img': segment 1 [0x40080100, 0x40081100) overlaps segment 0 [0x40080000, 0x40080200)");
}

BOOST_AUTO_TEST_CASE(elf_entry_outside_the_segments) {
    Bytes elf = good_elf();
    put(elf, kEEntry, kRamBase + 0x90000, 8);
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_entry 0x40090000 lies in no PT_LOAD segment");
}

BOOST_AUTO_TEST_CASE(elf_entry_in_a_segment_that_is_not_loaded) {
    Bytes elf = good_elf();
    put(elf, phdr(0, kPType), 4, 4);  // the segment holding the entry becomes a PT_NOTE
    BOOST_TEST(refusal(elf) == "IMAGE 'bad.img': ELF e_entry 0x40080000 lies in no PT_LOAD segment");
}

BOOST_AUTO_TEST_CASE(elf_many_program_headers_all_loadable_overlapping) {
    // 65534 entries, each one byte at the same address: refused in n log n, not n^2.
    std::vector<Segment> segments(65534, Segment{1, kRamBase + 0x80000, 0, {0x90}, 0});
    BOOST_TEST(refusal(make_elf(kRamBase + 0x80000, segments)).find("overlaps segment") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
