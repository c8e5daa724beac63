// SPDX-License-Identifier: Apache-2.0
// The scripted-testbench language of `vgic-sim script FILE` (docs/SCRIPT.md): data types of a
// parsed script, the parser and its static validation. Plain C++17, no SystemC. The executor
// that runs a `Script` against the TLM platform arrives with step 3; everything that can be
// checked without running (syntax, ranges that follow from the `platform` line, alignment,
// value widths, register names) is checked here, so a malformed script is rejected before
// anything runs.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vgic::script {

// ---- errors -------------------------------------------------------------------------------

/// `text` with every byte outside printable ASCII (control bytes such as NUL, ESC, DEL, and
/// 0x80-0xFF) written as \xNN, so that a message can quote anything a file holds.
std::string printable(std::string_view text);

/// A malformed or unreadable script. `what()` is the complete one-line diagnostic,
/// `FILE:LINE: error: MESSAGE` (or `FILE: error: MESSAGE` when no line applies, e.g. the file
/// cannot be opened). The parser reports the first error only. The file name and the
/// message are shown through printable(): no raw control or non-ASCII byte.
class ScriptError : public std::runtime_error {
public:
    ScriptError(std::string file, unsigned line, std::string message);

    const std::string& file() const noexcept { return file_; }
    /// 1-based source line; 0 when the error concerns the whole file.
    unsigned line() const noexcept { return line_; }
    /// The message alone, without the `FILE:LINE: error: ` prefix (printable()).
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    unsigned line_;
    std::string message_;
};

// ---- the platform line --------------------------------------------------------------------

enum class GicVersion { V2, V3 };
enum class Mode { Hw, Vm };          ///< hw: bare GIC; vm: virtualization (vCPUs, list registers)
enum class BadAccess { Raz, Error }; ///< bad MMIO accesses read as zero / answer an error

/// `platform KEY=VALUE ...`: every key has a default, so `platform` alone is a valid line.
struct PlatformSpec {
    GicVersion gic = GicVersion::V2;
    Mode mode = Mode::Hw;
    unsigned cpus = 1;                ///< 1..8 with gic=v2, 1..512 with gic=v3
    unsigned spis = 256;              ///< a multiple of 32 in 0..960, or 988
    unsigned lrs = 4;                 ///< list registers per CPU: 1..64 (gic=v2), 1..16 (gic=v3)
    unsigned prio_bits = 5;           ///< implemented priority bits, 4..8
    unsigned cluster = 16;            ///< gic=v3 only: CPUs per cluster (Aff0 values), 1..256
    BadAccess bad_access = BadAccess::Raz;
    std::string timing = "zero";      ///< a timing preset name or a file path, not resolved here
    /// mode=vm: a hypervisor preset name or a file path (not resolved here); empty: the timing
    /// profile's legacy hypervisor keys if it has any, else the zero preset.
    std::string hypervisor;
    unsigned line = 0;                ///< source line of the `platform` command
};

// ---- command operands ---------------------------------------------------------------------

/// MMIO frames. gicr exists only with gic=v3.
enum class Frame { Gicd, Gicc, Gich, Gicv, Gicr };

/// Output lines of a CPU that `expect` can check.
enum class OutputLine { Irq, Fiq, Virq, Vfiq, Maint };

/// An AArch64 system register, by name or by encoding.
struct SysReg {
    /// Canonical spelling: the upper-case name (`ICC_IAR1_EL1`) or, for an encoding the
    /// built-in table does not know, the generic form `S3_0_C15_C2_0`.
    std::string name;
    unsigned op0 = 3, op1 = 0, crn = 0, crm = 0, op2 = 0;
    /// ICC_/ICV_/ICH_ register (the GICv3 system-register interface): needs gic=v3.
    bool gic_cpu_interface = false;

    /// op0:op1:CRn:CRm:op2 packed as in bits [20:5] of the MRS/MSR instruction.
    std::uint32_t encoding() const {
        return static_cast<std::uint32_t>(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2);
    }
};

/// Looks a register up in the built-in table (GICv3 ICC_/ICV_/ICH_ registers, the generic
/// timer, MPIDR_EL1, HCR_EL2) by name, case-insensitively; also accepts the generic form
/// S<op0>_<op1>_C<n>_C<m>_<op2> of a known encoding. Empty if unknown or malformed.
std::optional<SysReg> find_sysreg(std::string_view name);

// ---- commands -----------------------------------------------------------------------------

/// What a `readW` checks after the access.
enum class ReadCheck {
    None,   ///< no `==`: the value is only reported
    Value,  ///< `== VALUE`: (data & compare_mask()) == expected
    Error,  ///< `== error`: the access must answer an error
};

/// `cpu N readW FRAME OFFSET [& MASK] [== VALUE | == error]`
struct Read {
    unsigned cpu = 0;
    unsigned bits = 32;                  ///< access width: 8, 16, 32 or 64
    Frame frame = Frame::Gicd;
    std::uint64_t offset = 0;            ///< byte offset in the frame, aligned to bits/8
    std::optional<std::uint64_t> mask;   ///< fits in `bits`
    ReadCheck check = ReadCheck::None;
    std::uint64_t expected = 0;          ///< meaningful with ReadCheck::Value; within the mask
    std::uint64_t compare_mask() const;  ///< the mask, or all `bits` ones
};

/// `cpu N writeW FRAME OFFSET VALUE [== error]`
struct Write {
    unsigned cpu = 0;
    unsigned bits = 32;
    Frame frame = Frame::Gicd;
    std::uint64_t offset = 0;
    std::uint64_t value = 0;             ///< fits in `bits`
    bool expect_error = false;           ///< `== error`: the access must answer an error
};

/// `cpu N peekW FRAME OFFSET [& MASK] [== VALUE]`: a debug read, free of side effects.
struct Peek {
    unsigned cpu = 0;
    unsigned bits = 32;
    Frame frame = Frame::Gicd;
    std::uint64_t offset = 0;
    std::optional<std::uint64_t> mask;
    std::optional<std::uint64_t> expected;
    std::uint64_t compare_mask() const;
};

/// `cpu N mrs SYSREG [& MASK] [== VALUE]`
struct Mrs {
    unsigned cpu = 0;
    SysReg reg;
    std::optional<std::uint64_t> mask;
    std::optional<std::uint64_t> expected;
    std::uint64_t compare_mask() const;  ///< the mask, or all 64 ones
};

/// `cpu N msr SYSREG VALUE`
struct Msr {
    unsigned cpu = 0;
    SysReg reg;
    std::uint64_t value = 0;
};

/// `line spi INTID high|low`
struct SpiLine {
    unsigned intid = 32;                 ///< 32..32+spis-1
    bool high = false;
};

/// `line ppi N INTID high|low`: the PPI input of CPU N.
struct PpiLine {
    unsigned cpu = 0;
    unsigned intid = 16;                 ///< 16..31
    bool high = false;
};

/// `vcpu N stop|run` (mode=vm only): deschedule / schedule the vCPU on CPU N.
struct Vcpu {
    unsigned cpu = 0;
    bool run = false;                    ///< false: stop
};

/// `wait TIME`: advance simulated time.
struct Wait {
    std::uint64_t ps = 0;                ///< picoseconds; 0 is legal
};

/// `expect cpu N irq|fiq|virq|vfiq|maint high|low`: the output line's level now.
struct ExpectLine {
    unsigned cpu = 0;
    OutputLine line = OutputLine::Irq;
    bool high = false;
};

/// `echo TEXT`: TEXT is the rest of the line verbatim (a `#` in it is text, not a comment).
struct Echo {
    std::string text;
};

using CommandBody =
    std::variant<Read, Write, Peek, Mrs, Msr, SpiLine, PpiLine, Vcpu, Wait, ExpectLine, Echo>;

/// One command of the script with its origin, for messages.
struct Command {
    unsigned line = 0;   ///< 1-based source line
    std::string text;    ///< the source line without indentation, comment and trailing blanks
    CommandBody body;

    template <class T> bool is() const { return std::holds_alternative<T>(body); }
    /// The body as T; throws std::bad_variant_access if it is another command.
    template <class T> const T& as() const { return std::get<T>(body); }
};

/// A parsed and statically validated script. `commands` excludes the platform line.
struct Script {
    std::string file;
    PlatformSpec platform;
    std::vector<Command> commands;
};

// ---- entry points -------------------------------------------------------------------------

/// Parses `text`; `file_name` is used in messages only. Throws ScriptError on the first error.
Script parse_script(std::string_view text, const std::string& file_name);

/// Reads and parses the file at `path`. Throws ScriptError naming `path` if it cannot be read.
Script load_script(const std::string& path);

// ---- formatting ---------------------------------------------------------------------------

/// Canonical one-line form of a command, in the script syntax (CPU numbers and INTIDs in
/// decimal, offsets, values and masks in hex, times via format_time), e.g.
/// `cpu 0 read32 gicc 0xc & 0x3ff == 0x1b`. Parsing it yields the same command.
std::string describe(const Command& command);

/// `platform` line with every key, e.g. `platform gic=v2 mode=hw cpus=1 ... timing=zero`.
std::string describe(const PlatformSpec& platform);

/// Picoseconds in the largest unit not above the value, exactly: 1500000 -> "1.5us",
/// 250 -> "250ps", 0 -> "0ps".
std::string format_time(std::uint64_t ps);

/// All ones in the low `bits` bits (bits in 1..64).
std::uint64_t width_mask(unsigned bits);

std::string_view to_string(GicVersion v);   ///< "v2", "v3"
std::string_view to_string(Mode m);         ///< "hw", "vm"
std::string_view to_string(BadAccess b);    ///< "raz", "error"
std::string_view to_string(Frame f);        ///< "gicd", ...
std::string_view to_string(OutputLine l);   ///< "irq", ...

} // namespace vgic::script
