// SPDX-License-Identifier: Apache-2.0
// Image loading for `vgic-sim boot` (image.hpp). The formats:
// - Linux arm64 Image: Documentation/arch/arm64/booting.rst section 4 ("Call the kernel
//   image"), the 64-byte header below.
// - ELF: the System V ABI (gABI) chapters 4 (ELF header) and 5 (program header), with the
//   64-bit layouts; AArch64 is e_machine EM_AARCH64 (183) per the Arm ELF for the Arm 64-bit
//   Architecture (AAELF64).
// - flat binary: no header; loaded where the board's guest images are linked
//   (VGIC_BOARD_LOAD_OFFSET, board.h).
//
// The rule for hostile input: every read of the file goes through field() with the offset
// checked against the size first, every sum of two 64-bit values that may come from the file
// is checked for overflow before it is formed (fits()), and nothing is written into RAM until
// the whole image has been checked.
#include "boot/image.hpp"
#include "vgic/model/state.hpp"  // hex_string

#include <vgic/boot/board.h>
#include <vgic/tlm/input.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>

namespace vgic::boot {

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// ---- Linux arm64 Image header (booting.rst section 4), all fields little-endian ----
constexpr std::size_t kLinuxHeaderSize = 64;
constexpr std::size_t kLinuxTextOffset = 0x08;  ///< u64 text_offset: image load offset
constexpr std::size_t kLinuxImageSize = 0x10;   ///< u64 image_size: effective size (0: pre-3.17)
constexpr std::size_t kLinuxFlags = 0x18;       ///< u64 flags
constexpr std::size_t kLinuxMagic = 0x38;       ///< u32 magic
constexpr std::uint32_t kLinuxMagicValue = 0x644d5241;  ///< "ARM\x64"
constexpr std::uint64_t kLinuxFlagBigEndian = 1;        ///< flags bit 0: 1 = big-endian kernel
/// "The Image must be placed text_offset bytes from a 2MB aligned base address anywhere in
/// usable system memory" (booting.rst section 4).
constexpr std::uint64_t kLinuxBaseAlignment = std::uint64_t{2} << 20;

// ---- ELF64 (gABI chapter 4 "ELF Header", chapter 5 "Program Header") ----
constexpr std::size_t kElfHeaderSize = 64;     ///< sizeof(Elf64_Ehdr)
constexpr std::size_t kElfPhdrSize = 56;       ///< sizeof(Elf64_Phdr)
constexpr std::size_t kEiClass = 4;            ///< e_ident[EI_CLASS]
constexpr std::size_t kEiData = 5;             ///< e_ident[EI_DATA]
constexpr std::size_t kEiVersion = 6;          ///< e_ident[EI_VERSION]
constexpr std::uint8_t kElfClass64 = 2;        ///< ELFCLASS64
constexpr std::uint8_t kElfData2Lsb = 1;       ///< ELFDATA2LSB
constexpr std::uint8_t kEvCurrent = 1;         ///< EV_CURRENT
constexpr std::size_t kEType = 16;             ///< u16 e_type
constexpr std::size_t kEMachine = 18;          ///< u16 e_machine
constexpr std::size_t kEVersion = 20;          ///< u32 e_version
constexpr std::size_t kEEntry = 24;            ///< u64 e_entry
constexpr std::size_t kEPhoff = 32;            ///< u64 e_phoff
constexpr std::size_t kEPhentsize = 54;        ///< u16 e_phentsize
constexpr std::size_t kEPhnum = 56;            ///< u16 e_phnum
constexpr std::uint16_t kEtExec = 2;           ///< ET_EXEC
constexpr std::uint16_t kEmAarch64 = 183;      ///< EM_AARCH64
/// e_phnum == PN_XNUM: the count is in section header 0's sh_info (gABI "Extended numbering").
constexpr std::uint16_t kPnXnum = 0xffff;
constexpr std::size_t kPType = 0;              ///< u32 p_type
constexpr std::size_t kPOffset = 8;            ///< u64 p_offset
constexpr std::size_t kPVaddr = 16;            ///< u64 p_vaddr
constexpr std::size_t kPPaddr = 24;            ///< u64 p_paddr
constexpr std::size_t kPFilesz = 32;           ///< u64 p_filesz
constexpr std::size_t kPMemsz = 40;            ///< u64 p_memsz
constexpr std::uint32_t kPtLoad = 1;           ///< PT_LOAD


/// True when [begin, begin + size) fits in the 64-bit space (its end is representable).
bool fits(std::uint64_t begin, std::uint64_t size) { return size <= kMax - begin; }

/// "[0x1000, 0x2000)"; a range whose end overflows is written "[0x..., 0x... + 0x...)".
std::string range(std::uint64_t begin, std::uint64_t size) {
    if (!fits(begin, size)) return "[" + hex_string(begin) + ", " + hex_string(begin) + " + " + hex_string(size) + ")";
    return "[" + hex_string(begin) + ", " + hex_string(begin + size) + ")";
}

/// [begin, begin + size) inside [ram_begin, ram_begin + ram_size) (the RAM range fits).
bool inside(std::uint64_t begin, std::uint64_t size, std::uint64_t ram_begin, std::uint64_t ram_size) {
    return begin >= ram_begin && begin - ram_begin <= ram_size && size <= ram_size - (begin - ram_begin);
}

/// A little-endian field of `bytes` bytes at `offset`; the caller has checked it lies in the data.
std::uint64_t field(const std::uint8_t* data, std::size_t offset, unsigned bytes) {
    std::uint64_t value = 0;
    for (unsigned i = bytes; i-- > 0;) value = value << 8 | data[offset + i];
    return value;
}

/// What load_image checked and will copy: `file_size` bytes of the file from `file_offset`
/// to guest address `at`, then zeroes up to `memory_size`.
struct Piece {
    std::uint64_t at, file_offset, file_size, memory_size;
    unsigned index;  // program header index (ELF), for the overlap message
};

class Loader {
public:
    Loader(const std::uint8_t* data, std::size_t size, std::string_view name, std::uint64_t ram_base,
           std::uint64_t ram_size)
        : data_(data), size_(size), prefix_("IMAGE '" + vgic::tlm::printable(name) + "': "), ram_base_(ram_base),
          ram_size_(ram_size) {}

    [[noreturn]] void fail(const std::string& what) const { throw ImageError(prefix_ + what); }

    std::string ram() const { return "RAM " + range(ram_base_, ram_size_); }

    LoadedImage linux_image(std::vector<Piece>& pieces) const {
        if (size_ < kLinuxHeaderSize)
            fail("Linux Image header truncated: the file holds " + std::to_string(size_) +
                 " bytes, the header " + std::to_string(kLinuxHeaderSize) + " (booting.rst section 4)");
        const std::uint64_t text_offset = field(data_, kLinuxTextOffset, 8);
        std::uint64_t image_size = field(data_, kLinuxImageSize, 8);
        const std::uint64_t flags = field(data_, kLinuxFlags, 8);
        // Bit 0 of flags: "Kernel endianness. 1 if BE, 0 if LE." The engines run little-endian
        // and every header field would have to be read the other way round.
        if (flags & kLinuxFlagBigEndian)
            fail("Linux Image flags " + hex_string(flags) +
                 ": bit 0 says a big-endian kernel; this board runs little-endian kernels only");
        // image_size 0: a kernel older than 3.17 ("image_size is zero and text_offset is
        // 0x80000"); the file size is the best bound we have (its BSS is not counted).
        if (image_size == 0) image_size = size_;
        else if (image_size < size_)
            fail("Linux Image image_size " + hex_string(image_size) + " is smaller than the file (" +
                 std::to_string(size_) + " bytes)");
        // The 2 MiB aligned base: the lowest in RAM. Flags bit 3 = 0 asks for "as close as
        // possible to the base of DRAM"; bit 3 = 1 allows anywhere, and the lowest is as good.
        // Kernels since 5.10 have text_offset 0 and thus run at the base itself; older ones
        // (0x80000) run 512 KiB above it, the memory below being given back to the kernel.
        const std::uint64_t misalignment = ram_base_ % kLinuxBaseAlignment;
        const std::uint64_t up = misalignment == 0 ? 0 : kLinuxBaseAlignment - misalignment;
        if (up >= ram_size_)
            fail("no 2 MiB aligned base for the Linux Image in " + ram() + " (booting.rst section 4)");
        const std::uint64_t base = ram_base_ + up;
        if (!fits(base, text_offset) || !inside(base + text_offset, image_size, ram_base_, ram_size_))
            fail("Linux Image at text_offset " + hex_string(text_offset) + " with image_size " + hex_string(image_size) +
                 " occupies " + (fits(base, text_offset) ? range(base + text_offset, image_size)
                                                        : range(base, text_offset)) +
                 ", outside " + ram());
        const std::uint64_t at = base + text_offset;
        pieces.push_back({at, 0, size_, image_size, 0});
        return {ImageKind::LinuxImage, at, at, at + image_size};
    }

    LoadedImage elf(std::vector<Piece>& pieces) const {
        if (size_ < kElfHeaderSize)
            fail("ELF header truncated: the file holds " + std::to_string(size_) + " bytes, an ELF64 header " +
                 std::to_string(kElfHeaderSize));
        if (data_[kEiClass] != kElfClass64)
            fail("ELF e_ident[EI_CLASS] " + std::to_string(data_[kEiClass]) + " is not ELFCLASS64 (2): AArch64 images are ELF64");
        if (data_[kEiData] != kElfData2Lsb)
            fail("ELF e_ident[EI_DATA] " + std::to_string(data_[kEiData]) +
                 " is not ELFDATA2LSB (1): this board runs little-endian images only");
        if (data_[kEiVersion] != kEvCurrent)
            fail("ELF e_ident[EI_VERSION] " + std::to_string(data_[kEiVersion]) + " is not EV_CURRENT (1)");
        const auto type = static_cast<std::uint16_t>(field(data_, kEType, 2));
        if (type != kEtExec)
            fail("ELF e_type " + std::to_string(type) + " is not ET_EXEC (2): only executables have load addresses" +
                 (type == 3 ? " (ET_DYN: a position-independent executable or shared object)" : ""));
        const auto machine = static_cast<std::uint16_t>(field(data_, kEMachine, 2));
        if (machine != kEmAarch64)
            fail("ELF e_machine " + std::to_string(machine) + " is not EM_AARCH64 (183)");
        const auto version = field(data_, kEVersion, 4);
        if (version != kEvCurrent) fail("ELF e_version " + std::to_string(version) + " is not EV_CURRENT (1)");
        const std::uint64_t entry = field(data_, kEEntry, 8);
        const std::uint64_t phoff = field(data_, kEPhoff, 8);
        const auto phentsize = static_cast<std::uint16_t>(field(data_, kEPhentsize, 2));
        const auto phnum = static_cast<std::uint16_t>(field(data_, kEPhnum, 2));
        if (phnum == kPnXnum)
            fail("ELF e_phnum 0xffff (PN_XNUM: more than 65534 program headers, counted in section 0) is not supported");
        if (phnum == 0) fail("ELF e_phnum 0: no program header, nothing to load");
        // A larger entry is allowed (e_phentsize is "the size in bytes of one entry"), a
        // smaller one cannot hold an Elf64_Phdr.
        if (phentsize < kElfPhdrSize)
            fail("ELF e_phentsize " + std::to_string(phentsize) + " is smaller than an Elf64_Phdr (" +
                 std::to_string(kElfPhdrSize) + " bytes)");
        // At most 65534 * 65535 bytes: no overflow in 64 bits; the sum with e_phoff is checked.
        const std::uint64_t table = std::uint64_t{phnum} * phentsize;
        if (phoff > size_ || table > size_ - phoff)
            fail("ELF program header table " + range(phoff, table) + " (e_phoff " + hex_string(phoff) + ", e_phnum " +
                 std::to_string(phnum) + " x e_phentsize " + std::to_string(phentsize) + ") is past the end of the file (" +
                 std::to_string(size_) + " bytes)");

        std::optional<std::uint64_t> entry_physical;
        for (unsigned i = 0; i < phnum; ++i) {
            const std::size_t ph = static_cast<std::size_t>(phoff) + std::size_t{i} * phentsize;
            if (field(data_, ph + kPType, 4) != kPtLoad) continue;
            const std::uint64_t offset = field(data_, ph + kPOffset, 8);
            const std::uint64_t vaddr = field(data_, ph + kPVaddr, 8);
            const std::uint64_t paddr = field(data_, ph + kPPaddr, 8);
            const std::uint64_t filesz = field(data_, ph + kPFilesz, 8);
            const std::uint64_t memsz = field(data_, ph + kPMemsz, 8);
            const std::string segment = "segment " + std::to_string(i) + " ";
            // gABI: "The file size may not be larger than the memory size."
            if (filesz > memsz)
                fail(segment + "p_filesz " + hex_string(filesz) + " is larger than its p_memsz " + hex_string(memsz));
            if (offset > size_ || filesz > size_ - offset)
                fail(segment + "file bytes " + range(offset, filesz) + " (p_offset, p_filesz) are past the end of the file (" +
                     std::to_string(size_) + " bytes)");
            if (memsz == 0) continue;  // occupies nothing
            if (!inside(paddr, memsz, ram_base_, ram_size_))
                fail(segment + range(paddr, memsz) + " (p_paddr, p_memsz) is outside " + ram());
            // The engines start with the MMU off: e_entry is a virtual address, the PC a
            // physical one; the segment holding it in virtual space gives the translation
            // (the identity for images linked at their load address, vaddr == paddr).
            if (!entry_physical && entry >= vaddr && entry - vaddr < memsz) entry_physical = paddr + (entry - vaddr);
            pieces.push_back({paddr, offset, filesz, memsz, i});
        }
        if (pieces.empty()) fail("ELF has no PT_LOAD segment with memory (p_memsz > 0): nothing to load");
        // Two segments at the same RAM would make the result depend on the copy order.
        std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) { return a.at < b.at; });
        for (std::size_t k = 1; k < pieces.size(); ++k) {
            const Piece& a = pieces[k - 1];
            const Piece& b = pieces[k];
            if (b.at < a.at + a.memory_size)
                fail("segment " + std::to_string(b.index) + " " + range(b.at, b.memory_size) + " overlaps segment " +
                     std::to_string(a.index) + " " + range(a.at, a.memory_size));
        }
        if (!entry_physical) fail("ELF e_entry " + hex_string(entry) + " lies in no PT_LOAD segment");
        const Piece& last = pieces.back();
        return {ImageKind::Elf, *entry_physical, pieces.front().at, last.at + last.memory_size};
    }

    LoadedImage flat(std::vector<Piece>& pieces) const {
        if (ram_size_ < VGIC_BOARD_LOAD_OFFSET || !inside(ram_base_ + VGIC_BOARD_LOAD_OFFSET, size_, ram_base_, ram_size_))
            fail("flat binary of " + std::to_string(size_) + " bytes at RAM + " + hex_string(VGIC_BOARD_LOAD_OFFSET) +
                 " occupies " + range(ram_base_ + VGIC_BOARD_LOAD_OFFSET, size_) + ", outside " + ram());
        const std::uint64_t at = ram_base_ + VGIC_BOARD_LOAD_OFFSET;
        pieces.push_back({at, 0, size_, size_, 0});
        return {ImageKind::Flat, at, at, at + size_};
    }

private:
    const std::uint8_t* data_;
    std::uint64_t size_;
    std::string prefix_;
    std::uint64_t ram_base_, ram_size_;
};

[[noreturn]] void fail_read(std::string_view label, const std::string& path, const std::string& reason) {
    throw ImageError(std::string(label) + " '" + vgic::tlm::printable(path) + "': cannot read it: " + reason);
}

/// "" for a regular file, else what the file is.
const char* not_regular(mode_t mode) {
    if (S_ISREG(mode)) return "";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

void check_file(std::string_view label, const std::string& path, const struct stat& st, std::uint64_t max_size) {
    if (const char* kind = not_regular(st.st_mode); *kind != '\0')
        fail_read(label, path, std::string("it is ") + kind + ", not a regular file");
    const auto size = static_cast<std::uint64_t>(st.st_size);
    if (size == 0) fail_read(label, path, "it is empty");
    if (size > max_size)
        fail_read(label, path, "it holds " + std::to_string(size) + " bytes, more than the limit of " +
                            vgic::tlm::format_input_size(max_size));
}

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

} // namespace

const char* to_string(ImageKind kind) {
    switch (kind) {
    case ImageKind::LinuxImage: return "Linux Image";
    case ImageKind::Elf: return "ELF";
    case ImageKind::Flat: return "flat binary";
    }
    return "unknown";
}

LoadedImage load_image(const std::uint8_t* data, std::size_t size, std::string_view name, std::uint8_t* ram,
                       std::uint64_t ram_base, std::uint64_t ram_size) {
    const Loader loader(data, size, name, ram_base, ram_size);
    if (ram == nullptr || ram_size == 0 || !fits(ram_base, ram_size))
        loader.fail("no RAM to load into (" + loader.ram() + ")");
    if (size == 0 || data == nullptr) loader.fail("the image is empty (0 bytes)");

    std::vector<Piece> pieces;
    LoadedImage image{};
    static constexpr std::uint8_t kElfMagic[] = {0x7f, 'E', 'L', 'F'};
    if (size >= sizeof kElfMagic && std::memcmp(data, kElfMagic, sizeof kElfMagic) == 0)
        image = loader.elf(pieces);
    else if (size >= kLinuxMagic + 4 && field(data, kLinuxMagic, 4) == kLinuxMagicValue)
        image = loader.linux_image(pieces);
    else
        image = loader.flat(pieces);

    // Everything checked: copy. Each piece lies inside RAM (checked above), so the offsets
    // into the host buffer are below ram_size.
    for (const Piece& p : pieces) {
        std::uint8_t* to = ram + (p.at - ram_base);
        if (p.file_size != 0) std::memcpy(to, data + p.file_offset, static_cast<std::size_t>(p.file_size));
        std::memset(to + p.file_size, 0, static_cast<std::size_t>(p.memory_size - p.file_size));
    }
    return image;
}

std::vector<std::uint8_t> read_image_file(const std::string& path, std::uint64_t max_size, std::string_view label) {
    // Not vgic::tlm::read_input_file: that reader serves text inputs under one process-wide
    // limit (16 MiB by default: smaller than an arm64 defconfig Image) and accepts FIFOs.
    // An image is bounded by the RAM it goes into, and must be a regular file so that its
    // size is known and checked before a byte is read. The wording of sizes and the quoting
    // of names are the shared ones (format_input_size, printable).
    // The kind first, by name: a device or a FIFO is never opened (opening one can block or
    // have effects).
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail_read(label, path, std::strerror(errno));
    check_file(label, path, st, max_size);
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
    if (in.fd < 0) fail_read(label, path, std::strerror(errno));
    // Again on what was opened: the name may have been replaced in between.
    if (::fstat(in.fd, &st) != 0) fail_read(label, path, std::strerror(errno));
    check_file(label, path, st, max_size);
    // Read to the end or one byte past the limit (a file growing meanwhile is caught).
    std::vector<std::uint8_t> bytes(static_cast<std::size_t>(st.st_size));
    std::size_t have = 0;
    for (;;) {
        if (have == bytes.size()) {
            if (have > max_size) break;
            // Room for what may have been appended since stat, up to one byte past the limit
            // (dropped again if nothing comes).
            const std::uint64_t room = std::min<std::uint64_t>(max_size - have, 65535) + 1;
            bytes.resize(have + static_cast<std::size_t>(room));
        }
        const ssize_t n = ::read(in.fd, bytes.data() + have, bytes.size() - have);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_read(label, path, std::strerror(errno));
        }
        if (n == 0) break;
        have += static_cast<std::size_t>(n);
    }
    bytes.resize(have);
    if (have > max_size)
        fail_read(label, path, "it grew past the limit of " + vgic::tlm::format_input_size(max_size) + " while being read");
    if (have == 0) fail_read(label, path, "it is empty");
    return bytes;
}

} // namespace vgic::boot
