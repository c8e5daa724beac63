// SPDX-License-Identifier: Apache-2.0
// Parser and static validator of the scripted-testbench language (docs/SCRIPT.md).
//
// The text is processed line by line. A line is either blank/comment, an `echo` (whose text is
// taken verbatim before comment stripping), or a command split into words. Words are runs of
// non-blank characters; `&` and `==` are words of their own even when written without spaces.
// Each command is parsed by a `LineParser` that knows the platform, so every check that the
// platform line makes possible happens here, and the first error aborts with a ScriptError.
#include "script/script.hpp"

#include "vgic/tlm/duration.hpp"
#include "vgic/tlm/input.hpp"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <utility>

namespace vgic::script {

// ---- ScriptError --------------------------------------------------------------------------

namespace {
std::string format_error(const std::string& file, unsigned line, const std::string& message) {
    std::string out = file;
    if (line != 0) out += ":" + std::to_string(line);
    return out + ": error: " + message;
}
} // namespace

// A message quotes words of the script and its file name; neither may put raw control or
// non-ASCII bytes (NUL, ESC sequences, 0xFF, a stray UTF-8 byte) on the user's terminal.
ScriptError::ScriptError(std::string file, unsigned line, std::string message)
    : std::runtime_error(format_error(printable(file), line, printable(message))),
      file_(std::move(file)),
      line_(line),
      message_(printable(message)) {}

// ---- small helpers ------------------------------------------------------------------------

// One escaping for every message of the project (vgic/tlm/input.hpp).
std::string printable(std::string_view text) { return vgic::tlm::printable(text); }

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r'; }

std::string quote(std::string_view word) { return "'" + std::string(word) + "'"; }

std::string hex(std::uint64_t v) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

std::string to_upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = upper(c);
    return out;
}

enum class NumberStatus { Ok, Malformed, Overflow };

/// Unsigned 64-bit number, decimal or 0x-hex (the whole word; no sign, no separators).
NumberStatus parse_u64(std::string_view word, std::uint64_t& out) {
    int base = 10;
    if (word.size() >= 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
        base = 16;
        word.remove_prefix(2);
    }
    if (word.empty()) return NumberStatus::Malformed;
    // from_chars accepts no sign for unsigned types; it would skip nothing else either.
    const char* end = word.data() + word.size();
    auto [ptr, ec] = std::from_chars(word.data(), end, out, base);
    if (ptr != end) return NumberStatus::Malformed;
    if (ec == std::errc::result_out_of_range) return NumberStatus::Overflow;
    if (ec != std::errc()) return NumberStatus::Malformed;
    return NumberStatus::Ok;
}

bool checked_mul(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    if (a != 0 && b > UINT64_MAX / a) return false;
    out = a * b;
    return true;
}

bool checked_add(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
    if (b > UINT64_MAX - a) return false;
    out = a + b;
    return true;
}

std::uint64_t pow10(unsigned e) {
    std::uint64_t v = 1;
    while (e--) v *= 10;
    return v;
}

// ---- system-register table ----------------------------------------------------------------

enum class RegAccess { RO, WO, RW };

struct SysRegInfo {
    std::string name;
    unsigned op0, op1, crn, crm, op2;
    RegAccess access;
    bool gic;      ///< ICC_/ICV_/ICH_
    int lr = -1;   ///< n of ICH_LR<n>_EL2
};

/// Encodings: Arm ARM (DDI 0487) and GICv3 architecture specification (IHI 0069), chapter 12.
const std::vector<SysRegInfo>& sysreg_table() {
    static const std::vector<SysRegInfo> table = [] {
        std::vector<SysRegInfo> t;
        auto add = [&t](std::string name, unsigned op1, unsigned crn, unsigned crm, unsigned op2,
                        RegAccess access, bool gic, int lr = -1) {
            t.push_back({std::move(name), 3, op1, crn, crm, op2, access, gic, lr});
        };
        using A = RegAccess;
        // EL1 CPU interface: ICC_ (physical) and its ICV_ twin (same encoding, virtual
        // interface when HCR_EL2.IMO/FMO route it there). The ICC-only ones come after.
        struct El1 { const char* stem; unsigned crm, op2; A access; };
        const El1 el1[] = {
            {"PMR", 0, 0, A::RW},  // crn 4 for PMR, special-cased below
            {"IAR0", 8, 0, A::RO},  {"EOIR0", 8, 1, A::WO}, {"HPPIR0", 8, 2, A::RO},
            {"BPR0", 8, 3, A::RW},  {"DIR", 11, 1, A::WO},  {"RPR", 11, 3, A::RO},
            {"IAR1", 12, 0, A::RO}, {"EOIR1", 12, 1, A::WO}, {"HPPIR1", 12, 2, A::RO},
            {"BPR1", 12, 3, A::RW}, {"CTLR", 12, 4, A::RW}, {"IGRPEN0", 12, 6, A::RW},
            {"IGRPEN1", 12, 7, A::RW},
        };
        for (const char* prefix : {"ICC_", "ICV_"}) {
            for (const El1& r : el1) {
                const std::string name = std::string(prefix) + r.stem + "_EL1";
                if (std::strcmp(r.stem, "PMR") == 0)
                    add(name, 0, 4, 6, 0, r.access, true);
                else
                    add(name, 0, 12, r.crm, r.op2, r.access, true);
            }
            for (unsigned n = 0; n < 4; ++n) {
                add(std::string(prefix) + "AP0R" + std::to_string(n) + "_EL1", 0, 12, 8, 4 + n,
                    A::RW, true);
                add(std::string(prefix) + "AP1R" + std::to_string(n) + "_EL1", 0, 12, 9, n,
                    A::RW, true);
            }
        }
        add("ICC_SGI1R_EL1", 0, 12, 11, 5, A::WO, true);
        add("ICC_ASGI1R_EL1", 0, 12, 11, 6, A::WO, true);
        add("ICC_SGI0R_EL1", 0, 12, 11, 7, A::WO, true);
        add("ICC_SRE_EL1", 0, 12, 12, 5, A::RW, true);
        add("ICC_SRE_EL2", 4, 12, 9, 5, A::RW, true);
        add("ICC_CTLR_EL3", 6, 12, 12, 4, A::RW, true);
        add("ICC_SRE_EL3", 6, 12, 12, 5, A::RW, true);
        add("ICC_IGRPEN1_EL3", 6, 12, 12, 7, A::RW, true);
        // EL2 hypervisor control interface.
        for (unsigned n = 0; n < 4; ++n) {
            add("ICH_AP0R" + std::to_string(n) + "_EL2", 4, 12, 8, n, A::RW, true);
            add("ICH_AP1R" + std::to_string(n) + "_EL2", 4, 12, 9, n, A::RW, true);
        }
        add("ICH_HCR_EL2", 4, 12, 11, 0, A::RW, true);
        add("ICH_VTR_EL2", 4, 12, 11, 1, A::RO, true);
        add("ICH_MISR_EL2", 4, 12, 11, 2, A::RO, true);
        add("ICH_EISR_EL2", 4, 12, 11, 3, A::RO, true);
        add("ICH_ELRSR_EL2", 4, 12, 11, 5, A::RO, true);
        add("ICH_VMCR_EL2", 4, 12, 11, 7, A::RW, true);
        for (unsigned n = 0; n < 16; ++n)
            add("ICH_LR" + std::to_string(n) + "_EL2", 4, 12, 12 + n / 8, n % 8, A::RW, true,
                static_cast<int>(n));
        // Generic timer.
        add("CNTFRQ_EL0", 3, 14, 0, 0, A::RW, false);
        add("CNTPCT_EL0", 3, 14, 0, 1, A::RO, false);
        add("CNTVCT_EL0", 3, 14, 0, 2, A::RO, false);
        add("CNTKCTL_EL1", 0, 14, 1, 0, A::RW, false);
        add("CNTP_TVAL_EL0", 3, 14, 2, 0, A::RW, false);
        add("CNTP_CTL_EL0", 3, 14, 2, 1, A::RW, false);
        add("CNTP_CVAL_EL0", 3, 14, 2, 2, A::RW, false);
        add("CNTV_TVAL_EL0", 3, 14, 3, 0, A::RW, false);
        add("CNTV_CTL_EL0", 3, 14, 3, 1, A::RW, false);
        add("CNTV_CVAL_EL0", 3, 14, 3, 2, A::RW, false);
        add("CNTVOFF_EL2", 4, 14, 0, 3, A::RW, false);
        add("CNTHCTL_EL2", 4, 14, 1, 0, A::RW, false);
        add("CNTHP_TVAL_EL2", 4, 14, 2, 0, A::RW, false);
        add("CNTHP_CTL_EL2", 4, 14, 2, 1, A::RW, false);
        add("CNTHP_CVAL_EL2", 4, 14, 2, 2, A::RW, false);
        // Identification and routing the GIC and the platform depend on.
        add("MPIDR_EL1", 0, 0, 0, 5, A::RO, false);
        add("HCR_EL2", 4, 1, 1, 0, A::RW, false);
        return t;
    }();
    return table;
}

const SysRegInfo* find_info_by_name(std::string_view upper_name) {
    for (const SysRegInfo& r : sysreg_table())
        if (r.name == upper_name) return &r;
    return nullptr;
}

/// First table entry with this encoding (ICC_ before its ICV_ twin).
const SysRegInfo* find_info_by_encoding(unsigned op0, unsigned op1, unsigned crn, unsigned crm,
                                        unsigned op2) {
    for (const SysRegInfo& r : sysreg_table())
        if (r.op0 == op0 && r.op1 == op1 && r.crn == crn && r.crm == crm && r.op2 == op2) return &r;
    return nullptr;
}

/// Fields of a generic name S<op0>_<op1>_C<n>_C<m>_<op2> (upper-cased), unchecked ranges.
struct GenericFields { std::uint64_t v[5]; };

/// True if `upper_name` has the generic shape; `fields` then holds the five numbers. Each
/// field is 1 or 2 decimal digits, so range checks see the real value.
bool split_generic(std::string_view s, GenericFields& fields) {
    // Expected prefixes of the five fields.
    static const char* const prefix[5] = {"S", "_", "_C", "_C", "_"};
    std::size_t i = 0;
    for (int f = 0; f < 5; ++f) {
        const std::string_view p = prefix[f];
        if (s.substr(i, p.size()) != p) return false;
        i += p.size();
        std::size_t start = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == start || i - start > 2) return false;
        std::uint64_t v = 0;
        for (std::size_t k = start; k < i; ++k) v = v * 10 + static_cast<unsigned>(s[k] - '0');
        fields.v[f] = v;
    }
    return i == s.size();
}

SysReg to_sysreg(const SysRegInfo& r) {
    SysReg s;
    s.name = r.name;
    s.op0 = r.op0;
    s.op1 = r.op1;
    s.crn = r.crn;
    s.crm = r.crm;
    s.op2 = r.op2;
    s.gic_cpu_interface = r.gic;
    return s;
}

std::string generic_name(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return "S" + std::to_string(op0) + "_" + std::to_string(op1) + "_C" + std::to_string(crn) +
           "_C" + std::to_string(crm) + "_" + std::to_string(op2);
}

// ---- lexing -------------------------------------------------------------------------------

/// Splits a comment-free line into words; `&` and `==` are always words of their own.
std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < s.size()) {
        if (is_blank(s[i])) {
            ++i;
            continue;
        }
        if (s[i] == '&') {
            words.push_back(s.substr(i, 1));
            ++i;
            continue;
        }
        if (s.compare(i, 2, "==") == 0) {
            words.push_back(s.substr(i, 2));
            i += 2;
            continue;
        }
        std::size_t start = i;
        while (i < s.size() && !is_blank(s[i]) && s[i] != '&' && s.compare(i, 2, "==") != 0) ++i;
        words.push_back(s.substr(start, i - start));
    }
    return words;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

// ---- time ---------------------------------------------------------------------------------

struct TimeUnit { std::string_view name; unsigned exponent; };  // 10^exponent ps
constexpr TimeUnit kUnits[] = {{"ps", 0}, {"ns", 3}, {"us", 6}, {"ms", 9}, {"s", 12}};

const TimeUnit* find_unit(std::string_view name) {
    for (const TimeUnit& u : kUnits)
        if (u.name == name) return &u;
    return nullptr;
}

// ---- per-line parser ----------------------------------------------------------------------

const char* const kFrames = "gicd, gicc, gich, gicv or gicr";
const char* const kLines = "irq, fiq, virq, vfiq or maint";
const char* const kCommands = "platform, cpu, line, vcpu, wait, expect or echo";
const char* const kPlatformKeys = "gic, mode, cpus, spis, lrs, prio_bits, cluster, bad_access, timing or hypervisor";
const char* const kUnitList = "ps, ns, us, ms or s";

class LineParser {
public:
    LineParser(const std::string& file, unsigned line, std::vector<std::string_view> words,
               const PlatformSpec* platform)
        : file_(file), line_(line), words_(std::move(words)), platform_(platform) {}

    [[noreturn]] void fail(const std::string& message) const {
        throw ScriptError(file_, line_, message);
    }

    bool at_end() const { return pos_ >= words_.size(); }
    std::string_view peek() const { return at_end() ? std::string_view() : words_[pos_]; }
    std::string_view previous() const { return pos_ == 0 ? std::string_view() : words_[pos_ - 1]; }

    /// Next word; fails with "expected WHAT after 'PREVIOUS'" at the end of the line.
    std::string_view take(const std::string& what) {
        if (at_end()) fail("expected " + what + " after " + quote(previous()));
        return words_[pos_++];
    }

    bool accept(std::string_view word) {
        if (!at_end() && words_[pos_] == word) {
            ++pos_;
            return true;
        }
        return false;
    }

    /// Nothing may follow a complete command.
    void finish() const {
        if (!at_end()) fail("unexpected " + quote(words_[pos_]) + " after the command");
    }

    /// A number word; `what` is the phrase for messages ("an offset").
    std::uint64_t number(const std::string& what) {
        const std::string_view word = take(what);
        std::uint64_t v = 0;
        switch (parse_u64(word, v)) {
        case NumberStatus::Ok: return v;
        case NumberStatus::Overflow: fail(quote(word) + ": does not fit in 64 bits");
        case NumberStatus::Malformed: break;
        }
        fail(quote(word) + ": expected " + what + " (a decimal or 0x-hex number)");
    }

    // ---- commands ----

    PlatformSpec platform_command();
    Command command(std::string text);

private:
    const PlatformSpec& platform() const { return *platform_; }

    unsigned cpu_index();
    bool level();
    Frame frame();
    SysReg sysreg(bool write);
    /// A time operand of `command` (for messages), at most tlm::kMaxDurationPs.
    std::uint64_t time(std::string_view command);

    CommandBody cpu_command();
    CommandBody line_command();
    CommandBody vcpu_command();
    CommandBody expect_command();

    const std::string& file_;
    unsigned line_;
    std::vector<std::string_view> words_;
    std::size_t pos_ = 0;
    const PlatformSpec* platform_;
};

// ---- platform -----

PlatformSpec LineParser::platform_command() {
    PlatformSpec spec;
    spec.line = line_;
    take("platform");  // the keyword itself

    struct Given { std::string_view key, value; };
    std::vector<Given> given;
    while (!at_end()) {
        const std::string_view word = take("KEY=VALUE");
        const std::size_t eq = word.find('=');
        if (eq == std::string_view::npos || eq == 0)
            fail(quote(word) + ": expected KEY=VALUE (keys: " + kPlatformKeys + ")");
        const std::string_view key = word.substr(0, eq);
        const std::string_view value = word.substr(eq + 1);
        static constexpr std::string_view kKeys[] = {"gic",       "mode",       "cpus",
                                                     "spis",      "lrs",        "prio_bits",
                                                     "cluster",   "bad_access", "timing",
                                                     "hypervisor"};
        bool known = false;
        for (std::string_view k : kKeys) known = known || k == key;
        if (!known) fail("unknown platform key " + quote(key) + ": expected " + kPlatformKeys);
        for (const Given& g : given)
            if (g.key == key) fail("platform key " + quote(key) + " given twice");
        given.push_back({key, value});
    }

    auto bad = [this](std::string_view key, std::string_view value, const std::string& expected) {
        fail("bad " + std::string(key) + " value " + quote(value) + ": expected " + expected);
    };
    // Pass 1: the keys whose values do not depend on others.
    for (const Given& g : given) {
        if (g.key == "gic") {
            if (g.value == "v2") spec.gic = GicVersion::V2;
            else if (g.value == "v3") spec.gic = GicVersion::V3;
            else bad(g.key, g.value, "v2 or v3");
        } else if (g.key == "mode") {
            if (g.value == "hw") spec.mode = Mode::Hw;
            else if (g.value == "vm") spec.mode = Mode::Vm;
            else bad(g.key, g.value, "hw or vm");
        } else if (g.key == "bad_access") {
            if (g.value == "raz") spec.bad_access = BadAccess::Raz;
            else if (g.value == "error") spec.bad_access = BadAccess::Error;
            else bad(g.key, g.value, "raz or error");
        } else if (g.key == "timing") {
            if (g.value.empty()) bad(g.key, g.value, "a timing preset name or a file path");
            spec.timing = std::string(g.value);
        } else if (g.key == "hypervisor") {
            if (g.value.empty()) bad(g.key, g.value, "a hypervisor preset name or a file path");
            spec.hypervisor = std::string(g.value);
        }
    }
    if (!spec.hypervisor.empty() && spec.mode != Mode::Vm)
        fail("platform key 'hypervisor' needs mode=vm: in hw mode the script plays the hypervisor itself");
    // Pass 2: numeric keys, in the order given, with ranges that may depend on gic.
    const bool v3 = spec.gic == GicVersion::V3;
    for (const Given& g : given) {
        std::string expected;
        std::uint64_t lo = 0, hi = 0;
        unsigned* field = nullptr;
        if (g.key == "cpus") {
            field = &spec.cpus;
            lo = 1;
            hi = v3 ? 512 : 8;
            expected = "1.." + std::to_string(hi) + (v3 ? " with gic=v3" : " with gic=v2");
        } else if (g.key == "spis") {
            field = &spec.spis;
            lo = 0;
            hi = 988;
            expected = "a multiple of 32 in 0..960, or 988";
        } else if (g.key == "lrs") {
            field = &spec.lrs;
            lo = 1;
            hi = v3 ? 16 : 64;
            expected = "1.." + std::to_string(hi) + (v3 ? " with gic=v3" : " with gic=v2");
        } else if (g.key == "prio_bits") {
            field = &spec.prio_bits;
            lo = 4;
            hi = 8;
            expected = "4..8";
        } else if (g.key == "cluster") {
            // GICv3 topology (GicConfig.v3.cpus_per_cluster): GICv2 has no affinity routing.
            if (!v3) fail("platform key 'cluster' needs gic=v3 (CPUs per cluster set the GICv3 affinities)");
            field = &spec.cluster;
            lo = 1;
            hi = 256;
            expected = "1..256 (CPUs per cluster, Aff0 values)";
        } else {
            continue;
        }
        std::uint64_t v = 0;
        const NumberStatus st = parse_u64(g.value, v);
        if (st == NumberStatus::Malformed) bad(g.key, g.value, "a decimal or 0x-hex number");
        bool ok = st == NumberStatus::Ok && v >= lo && v <= hi;
        if (ok && g.key == "spis") ok = v % 32 == 0 || v == 988;
        if (!ok) bad(g.key, g.value, expected);
        *field = static_cast<unsigned>(v);
    }
    finish();
    return spec;
}

// ---- operands -----

unsigned LineParser::cpu_index() {
    const std::uint64_t n = number("a CPU number");
    if (n >= platform().cpus)
        fail("CPU " + std::to_string(n) + " out of range 0.." + std::to_string(platform().cpus - 1) +
             " (platform cpus=" + std::to_string(platform().cpus) + ")");
    return static_cast<unsigned>(n);
}

bool LineParser::level() {
    const std::string_view word = take("high or low");
    if (word == "high") return true;
    if (word == "low") return false;
    fail(quote(word) + ": expected high or low");
}

Frame LineParser::frame() {
    const std::string_view word = take(std::string("a frame (") + kFrames + ")");
    static constexpr std::pair<std::string_view, Frame> kNames[] = {
        {"gicd", Frame::Gicd}, {"gicc", Frame::Gicc}, {"gich", Frame::Gich},
        {"gicv", Frame::Gicv}, {"gicr", Frame::Gicr}};
    for (const auto& [name, f] : kNames) {
        if (word != name) continue;
        if (f == Frame::Gicr && platform().gic != GicVersion::V3)
            fail("frame 'gicr' needs gic=v3 (platform gic=v2)");
        return f;
    }
    fail("unknown frame " + quote(word) + ": expected " + kFrames);
}

SysReg LineParser::sysreg(bool write) {
    const std::string_view word = take("a system register");
    const std::string name = to_upper(word);
    const SysRegInfo* info = nullptr;
    SysReg reg;
    GenericFields g{};
    if (split_generic(name, g)) {
        struct Limit { const char* field; std::uint64_t lo, hi; };
        const Limit limits[5] = {
            {"op0", 2, 3}, {"op1", 0, 7}, {"CRn", 0, 15}, {"CRm", 0, 15}, {"op2", 0, 7}};
        for (int f = 0; f < 5; ++f)
            if (g.v[f] < limits[f].lo || g.v[f] > limits[f].hi)
                fail("system register " + quote(word) + ": " + limits[f].field + " must be " +
                     std::to_string(limits[f].lo) + ".." + std::to_string(limits[f].hi));
        const auto op0 = static_cast<unsigned>(g.v[0]), op1 = static_cast<unsigned>(g.v[1]),
                   crn = static_cast<unsigned>(g.v[2]), crm = static_cast<unsigned>(g.v[3]),
                   op2 = static_cast<unsigned>(g.v[4]);
        info = find_info_by_encoding(op0, op1, crn, crm, op2);
        if (!info) {
            reg.name = generic_name(op0, op1, crn, crm, op2);
            reg.op0 = op0;
            reg.op1 = op1;
            reg.crn = crn;
            reg.crm = crm;
            reg.op2 = op2;
            return reg;  // unknown encoding: nothing more to check
        }
    } else {
        info = find_info_by_name(name);
        if (!info)
            fail("unknown system register " + quote(word) +
                 ": expected a GICv3 CPU-interface (ICC_, ICV_, ICH_) or generic-timer register "
                 "name, or S<op0>_<op1>_C<n>_C<m>_<op2>");
    }
    // A known register (possibly spelled generically): the same checks either way.
    const std::string shown = info->name == name ? quote(word) : quote(word) + " (" + info->name + ")";
    if (info->gic && platform().gic != GicVersion::V3)
        fail("system register " + shown + " needs gic=v3 (platform gic=v2)");
    if (write && info->access == RegAccess::RO)
        fail("system register " + shown + " is read-only: expected mrs, not msr");
    if (!write && info->access == RegAccess::WO)
        fail("system register " + shown + " is write-only: expected msr, not mrs");
    if (info->lr >= 0 && static_cast<unsigned>(info->lr) >= platform().lrs)
        fail("system register " + shown + " does not exist with lrs=" +
             std::to_string(platform().lrs) + ": expected ICH_LR0_EL2..ICH_LR" +
             std::to_string(platform().lrs - 1) + "_EL2");
    return to_sysreg(*info);
}

std::uint64_t LineParser::time(std::string_view command) {
    const std::string_view word = take("a time such as 10ns or 1.5us");
    const std::string malformed = quote(word) + ": expected a time such as 10ns or 1.5us";
    // Number part: 0x-hex integer, or decimal with an optional fraction.
    std::size_t i = 0;
    std::string_view int_part, frac_part;
    bool is_hex = false;
    if (word.size() >= 2 && word[0] == '0' && (word[1] == 'x' || word[1] == 'X')) {
        is_hex = true;
        i = 2;
        while (i < word.size() && std::isxdigit(static_cast<unsigned char>(word[i]))) ++i;
        int_part = word.substr(0, i);
    } else {
        while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
        int_part = word.substr(0, i);
        if (i < word.size() && word[i] == '.') {
            const std::size_t start = ++i;
            while (i < word.size() && word[i] >= '0' && word[i] <= '9') ++i;
            frac_part = word.substr(start, i - start);
            if (frac_part.empty()) fail(malformed);
        }
    }
    if (int_part.empty() || (is_hex && int_part.size() == 2)) fail(malformed);
    const std::string_view suffix = word.substr(i);
    if (!suffix.empty() && suffix[0] == '.') fail(malformed);

    const TimeUnit* unit = nullptr;
    std::string spelled(word);  // the time as written, for messages
    if (suffix.empty()) {
        if (at_end()) fail("time " + quote(word) + " needs a unit (ps, ns, us, ms, s)");
        const std::string_view unit_word = take("a time unit");
        unit = find_unit(unit_word);
        if (!unit) fail("unknown time unit " + quote(unit_word) + ": expected " + kUnitList);
        spelled += " " + std::string(unit_word);
    } else {
        unit = find_unit(suffix);
        if (!unit)
            fail("time " + quote(word) + " has an unknown unit " + quote(suffix) + ": expected " +
                 kUnitList);
    }

    // One rule for the times a user asks for (vgic/tlm/duration.hpp): at most one hour, the
    // limit of a scenario's duration; a longer one is refused, never shortened.
    const std::string too_long = std::string(command) + " time " + quote(spelled) + " is longer than the limit of " +
                                 tlm::kMaxDurationText;
    std::uint64_t whole = 0;
    if (parse_u64(int_part, whole) != NumberStatus::Ok) fail(too_long);
    // Exactness: after dropping trailing zeros, the fraction must have at most `exponent`
    // digits (its last digit is then non-zero, so more digits leave a fraction of a ps).
    while (!frac_part.empty() && frac_part.back() == '0') frac_part.remove_suffix(1);
    if (frac_part.size() > unit->exponent)
        fail("time " + quote(spelled) + " is not a whole number of picoseconds");
    std::uint64_t frac = 0;
    for (char c : frac_part) frac = frac * 10 + static_cast<unsigned>(c - '0');
    std::uint64_t ps = 0;
    if (!checked_mul(whole, pow10(unit->exponent), ps) ||
        !checked_add(ps, frac * pow10(unit->exponent - static_cast<unsigned>(frac_part.size())), ps) ||
        ps > tlm::kMaxDurationPs)
        fail(too_long);
    return ps;
}

// ---- commands -----

/// `readW`, `writeW`, `peekW`: the width W, or 0 if `word` does not start with `op`.
unsigned access_width(LineParser& p, std::string_view word, std::string_view op) {
    if (word.substr(0, op.size()) != op) return 0;
    const std::string_view w = word.substr(op.size());
    if (w == "8") return 8;
    if (w == "16") return 16;
    if (w == "32") return 32;
    if (w == "64") return 64;
    const std::string o(op);
    p.fail(quote(word) + ": expected " + o + "8, " + o + "16, " + o + "32 or " + o + "64");
}

CommandBody LineParser::cpu_command() {
    const unsigned cpu = cpu_index();
    const std::string_view op = take("an operation (readW, writeW, peekW, mrs or msr)");

    // Fails unless `v` fits in `bits`; `what` names the operand ("value", "mask").
    auto fits = [this, op](std::uint64_t v, unsigned bits, const char* what, std::string_view word) {
        if ((v & ~width_mask(bits)) != 0)
            fail(std::string(what) + " " + quote(word) + " does not fit in " +
                 std::to_string(bits) + " bits (" + std::string(op) + ")");
    };
    // Optional `& MASK`, checked against `bits`.
    auto opt_mask = [&](unsigned bits) -> std::optional<std::uint64_t> {
        if (!accept("&")) return std::nullopt;
        const std::uint64_t m = number("a mask");
        fits(m, bits, "mask", previous());
        return m;
    };
    // `VALUE` after `==`, checked against `bits` and the mask.
    auto expected_value = [&](unsigned bits, const std::optional<std::uint64_t>& mask,
                              const std::string& what) {
        const std::uint64_t v = number(what);
        const std::string_view word = previous();
        fits(v, bits, "expected value", word);
        if (mask && (v & ~*mask) != 0)
            fail("expected value " + quote(word) + " has bits outside the mask " + hex(*mask) +
                 ": the comparison can never succeed");
        return v;
    };
    // Frame and offset of an MMIO access. A misaligned offset is a script mistake unless the
    // command expects the error response (a deliberate test of the bad-access policy), so
    // the check runs once the whole command is known.
    std::string misaligned;  // the message, if the offset is not aligned
    auto location = [&](unsigned bits, Frame& f, std::uint64_t& offset) {
        f = frame();
        offset = number("an offset");
        const unsigned bytes = bits / 8;
        if (offset % bytes != 0)
            misaligned = "offset " + quote(previous()) + " is not aligned for " + std::string(op) +
                         ": expected a multiple of " + std::to_string(bytes);
    };
    auto check_alignment = [&](bool expects_error) {
        if (misaligned.empty() || expects_error) return;
        fail(misaligned + (op.rfind("peek", 0) == 0 ? std::string() : " (or '== error' to test the error response)"));
    };

    if (unsigned bits = access_width(*this, op, "read")) {
        Read r;
        r.cpu = cpu;
        r.bits = bits;
        location(bits, r.frame, r.offset);
        r.mask = opt_mask(bits);
        if (accept("==")) {
            if (accept("error")) {
                if (r.mask)
                    fail("'error' cannot follow a mask: expected '== VALUE' or no '& MASK'");
                r.check = ReadCheck::Error;
            } else {
                r.expected = expected_value(bits, r.mask, "a value or 'error'");
                r.check = ReadCheck::Value;
            }
        }
        check_alignment(r.check == ReadCheck::Error);
        return r;
    }
    if (unsigned bits = access_width(*this, op, "write")) {
        Write w;
        w.cpu = cpu;
        w.bits = bits;
        location(bits, w.frame, w.offset);
        w.value = number("a value");
        fits(w.value, bits, "value", previous());
        if (accept("==")) {
            const std::string_view word = take("'error'");
            if (word != "error")
                fail(quote(word) + ": expected 'error' after '==' (a write has no value to compare)");
            w.expect_error = true;
        }
        check_alignment(w.expect_error);
        return w;
    }
    if (unsigned bits = access_width(*this, op, "peek")) {
        Peek k;
        k.cpu = cpu;
        k.bits = bits;
        location(bits, k.frame, k.offset);
        k.mask = opt_mask(bits);
        if (accept("==")) {
            if (peek() == "error")
                fail("'error': expected a value after '==' (a debug read cannot fail)");
            k.expected = expected_value(bits, k.mask, "a value");
        }
        check_alignment(false);
        return k;
    }
    if (op == "mrs") {
        Mrs m;
        m.cpu = cpu;
        m.reg = sysreg(false);
        m.mask = opt_mask(64);
        if (accept("==")) {
            if (peek() == "error")
                fail("'error': expected a value after '==' (mrs has no error outcome)");
            m.expected = expected_value(64, m.mask, "a value");
        }
        return m;
    }
    if (op == "msr") {
        Msr m;
        m.cpu = cpu;
        m.reg = sysreg(true);
        m.value = number("a value");
        return m;
    }
    fail("unknown CPU operation " + quote(op) +
         ": expected readW, writeW, peekW (W = 8, 16, 32 or 64), mrs or msr");
}

CommandBody LineParser::line_command() {
    const std::string_view kind = take("spi or ppi");
    if (kind == "spi") {
        SpiLine s;
        const std::uint64_t id = number("an INTID");
        const unsigned spis = platform().spis;
        if (spis == 0)
            fail("SPI INTID " + std::to_string(id) +
                 " out of range: the platform has no SPIs (platform spis=0)");
        if (id < 32 || id > 31 + std::uint64_t{spis})
            fail("SPI INTID " + std::to_string(id) + " out of range 32.." +
                 std::to_string(31 + spis) + " (platform spis=" + std::to_string(spis) + ")");
        s.intid = static_cast<unsigned>(id);
        s.high = level();
        return s;
    }
    if (kind == "ppi") {
        PpiLine p;
        p.cpu = cpu_index();
        const std::uint64_t id = number("an INTID");
        if (id < 16 || id > 31) fail("PPI INTID " + std::to_string(id) + " out of range 16..31");
        p.intid = static_cast<unsigned>(id);
        p.high = level();
        return p;
    }
    fail("unknown line kind " + quote(kind) + ": expected spi or ppi");
}

CommandBody LineParser::vcpu_command() {
    if (platform().mode != Mode::Vm) fail("'vcpu' needs mode=vm (platform mode=hw)");
    Vcpu v;
    v.cpu = cpu_index();
    const std::string_view action = take("stop or run");
    if (action == "run") v.run = true;
    else if (action != "stop") fail(quote(action) + ": expected stop or run");
    return v;
}

CommandBody LineParser::expect_command() {
    const std::string_view target = take("'cpu'");
    if (target != "cpu") fail(quote(target) + ": expected 'cpu' after 'expect'");
    ExpectLine e;
    e.cpu = cpu_index();
    const std::string_view name = take(std::string("an output line (") + kLines + ")");
    static constexpr std::pair<std::string_view, OutputLine> kNames[] = {
        {"irq", OutputLine::Irq}, {"fiq", OutputLine::Fiq}, {"virq", OutputLine::Virq},
        {"vfiq", OutputLine::Vfiq}, {"maint", OutputLine::Maint}};
    bool found = false;
    for (const auto& [n, l] : kNames) {
        if (n == name) {
            e.line = l;
            found = true;
        }
    }
    if (!found) fail("unknown output line " + quote(name) + ": expected " + kLines);
    e.high = level();
    return e;
}

Command LineParser::command(std::string text) {
    Command c;
    c.line = line_;
    c.text = std::move(text);
    const std::string_view keyword = take("a command");
    if (keyword == "cpu") c.body = cpu_command();
    else if (keyword == "line") c.body = line_command();
    else if (keyword == "vcpu") c.body = vcpu_command();
    else if (keyword == "wait") c.body = Wait{time(keyword)};
    else if (keyword == "expect") c.body = expect_command();
    else if (keyword == "platform")
        fail("'platform' given again: it must appear once, as the first command (line " +
             std::to_string(platform().line) + ")");
    else fail("unknown command " + quote(keyword) + ": expected " + kCommands);
    finish();
    return c;
}

} // namespace

// ---- parse --------------------------------------------------------------------------------

Script parse_script(std::string_view text, const std::string& file_name) {
    Script script;
    script.file = file_name;
    // A UTF-8 byte-order mark (EF BB BF), which some editors write, is no part of the first
    // line. UTF-16 (FF FE / FE FF) is another encoding altogether: say so.
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    if (text.substr(0, 2) == "\xFF\xFE" || text.substr(0, 2) == "\xFE\xFF")
        throw ScriptError(file_name, 1,
                          "the script is UTF-16 (it starts with the byte-order mark " +
                              std::string(text[0] == '\xFF' ? "FF FE" : "FE FF") + "): expected ASCII or UTF-8 text");
    bool have_platform = false;
    std::uint64_t total_wait_ps = 0;
    unsigned line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

        std::size_t first = 0;
        while (first < line.size() && is_blank(line[first])) ++first;
        if (first == line.size() || line[first] == '#') continue;  // blank or comment line
        line.remove_prefix(first);

        // echo: the text is the rest of the line after one blank, verbatim ('#' included).
        const bool is_echo =
            line.substr(0, 4) == "echo" && (line.size() == 4 || is_blank(line[4]));
        if (is_echo) {
            if (!have_platform) throw ScriptError(file_name, line_no, "first command must be 'platform'");
            Command c;
            c.line = line_no;
            c.text = std::string(line);
            c.body = Echo{std::string(line.size() > 4 ? line.substr(5) : std::string_view())};
            script.commands.push_back(std::move(c));
            continue;
        }

        const std::size_t hash = line.find('#');
        if (hash != std::string_view::npos) line = line.substr(0, hash);
        line = trim(line);
        LineParser parser(file_name, line_no, split_words(line),
                          have_platform ? &script.platform : nullptr);
        if (!have_platform) {
            if (parser.peek() != "platform")
                throw ScriptError(file_name, line_no, "first command must be 'platform'");
            script.platform = parser.platform_command();
            have_platform = true;
            continue;
        }
        script.commands.push_back(parser.command(std::string(line)));
        // The simulation ends at 2^64 - 1 ps (1 ps resolution, vgic/tlm/time.hpp): waits
        // that add up to more could not run as written (each one is at most an hour, so
        // this takes millions of them; access latencies come on top and are not counted).
        if (const Command& c = script.commands.back(); c.is<Wait>()) {
            if (c.as<Wait>().ps > UINT64_MAX - total_wait_ps)
                throw ScriptError(file_name, line_no,
                                  "the waits add up to more than 18446744073709551615 ps (about 213 days), the "
                                  "longest a simulation runs");
            total_wait_ps += c.as<Wait>().ps;
        }
    }
    if (!have_platform)
        throw ScriptError(file_name, 1, "empty script: first command must be 'platform'");
    return script;
}

Script load_script(const std::string& path) {
    // One reader for every input file: a regular file or a FIFO, at most the input size
    // limit (vgic/tlm/input.hpp): /dev/zero or a huge file is refused, not read to exhaustion.
    std::string text;
    try {
        text = vgic::tlm::read_input_file(path);
    } catch (const vgic::tlm::InputError& e) {
        const bool open = e.kind() == vgic::tlm::InputError::Kind::Open;
        throw ScriptError(path, 0, std::string(open ? "cannot open script: " : "cannot read script: ") + e.what());
    }
    return parse_script(text, path);
}

std::optional<SysReg> find_sysreg(std::string_view name) {
    const std::string upper_name = to_upper(name);
    GenericFields g{};
    const SysRegInfo* info = nullptr;
    if (split_generic(upper_name, g)) {
        if (g.v[0] < 2 || g.v[0] > 3 || g.v[1] > 7 || g.v[2] > 15 || g.v[3] > 15 || g.v[4] > 7)
            return std::nullopt;
        info = find_info_by_encoding(static_cast<unsigned>(g.v[0]), static_cast<unsigned>(g.v[1]),
                                     static_cast<unsigned>(g.v[2]), static_cast<unsigned>(g.v[3]),
                                     static_cast<unsigned>(g.v[4]));
    } else {
        info = find_info_by_name(upper_name);
    }
    if (!info) return std::nullopt;
    return to_sysreg(*info);
}

// ---- formatting ---------------------------------------------------------------------------

std::uint64_t width_mask(unsigned bits) {
    return bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
}

std::uint64_t Read::compare_mask() const { return mask.value_or(width_mask(bits)); }
std::uint64_t Peek::compare_mask() const { return mask.value_or(width_mask(bits)); }
std::uint64_t Mrs::compare_mask() const { return mask.value_or(~std::uint64_t{0}); }

std::string_view to_string(GicVersion v) { return v == GicVersion::V3 ? "v3" : "v2"; }
std::string_view to_string(Mode m) { return m == Mode::Vm ? "vm" : "hw"; }
std::string_view to_string(BadAccess b) { return b == BadAccess::Error ? "error" : "raz"; }

std::string_view to_string(Frame f) {
    switch (f) {
    case Frame::Gicd: return "gicd";
    case Frame::Gicc: return "gicc";
    case Frame::Gich: return "gich";
    case Frame::Gicv: return "gicv";
    case Frame::Gicr: return "gicr";
    }
    return "?";
}

std::string_view to_string(OutputLine l) {
    switch (l) {
    case OutputLine::Irq: return "irq";
    case OutputLine::Fiq: return "fiq";
    case OutputLine::Virq: return "virq";
    case OutputLine::Vfiq: return "vfiq";
    case OutputLine::Maint: return "maint";
    }
    return "?";
}

std::string format_time(std::uint64_t ps) {
    const TimeUnit* unit = &kUnits[0];
    for (const TimeUnit& u : kUnits)
        if (ps >= pow10(u.exponent)) unit = &u;
    const std::uint64_t scale = pow10(unit->exponent);
    std::string out = std::to_string(ps / scale);
    if (const std::uint64_t frac = ps % scale) {
        std::string digits = std::to_string(frac);
        digits.insert(0, unit->exponent - digits.size(), '0');
        while (digits.back() == '0') digits.pop_back();
        out += "." + digits;
    }
    return out + std::string(unit->name);
}

std::string describe(const PlatformSpec& p) {
    return "platform gic=" + std::string(to_string(p.gic)) + " mode=" + std::string(to_string(p.mode)) +
           " cpus=" + std::to_string(p.cpus) + " spis=" + std::to_string(p.spis) +
           " lrs=" + std::to_string(p.lrs) + " prio_bits=" + std::to_string(p.prio_bits) +
           " bad_access=" + std::string(to_string(p.bad_access)) + " timing=" + p.timing +
           (p.hypervisor.empty() ? std::string() : " hypervisor=" + p.hypervisor);
}

namespace {

std::string access_head(unsigned cpu, const char* op, unsigned bits, Frame f, std::uint64_t offset) {
    return "cpu " + std::to_string(cpu) + " " + op + std::to_string(bits) + " " +
           std::string(to_string(f)) + " " + hex(offset);
}

std::string check_tail(const std::optional<std::uint64_t>& mask,
                       const std::optional<std::uint64_t>& expected) {
    std::string out;
    if (mask) out += " & " + hex(*mask);
    if (expected) out += " == " + hex(*expected);
    return out;
}

const char* level_name(bool high) { return high ? "high" : "low"; }

struct Describer {
    std::string operator()(const Read& r) const {
        std::string out = access_head(r.cpu, "read", r.bits, r.frame, r.offset);
        if (r.check == ReadCheck::Error) return out + " == error";
        return out + check_tail(r.mask, r.check == ReadCheck::Value
                                            ? std::optional<std::uint64_t>(r.expected)
                                            : std::nullopt);
    }
    std::string operator()(const Write& w) const {
        return access_head(w.cpu, "write", w.bits, w.frame, w.offset) + " " + hex(w.value) +
               (w.expect_error ? " == error" : "");
    }
    std::string operator()(const Peek& k) const {
        return access_head(k.cpu, "peek", k.bits, k.frame, k.offset) + check_tail(k.mask, k.expected);
    }
    std::string operator()(const Mrs& m) const {
        return "cpu " + std::to_string(m.cpu) + " mrs " + m.reg.name + check_tail(m.mask, m.expected);
    }
    std::string operator()(const Msr& m) const {
        return "cpu " + std::to_string(m.cpu) + " msr " + m.reg.name + " " + hex(m.value);
    }
    std::string operator()(const SpiLine& s) const {
        return "line spi " + std::to_string(s.intid) + " " + level_name(s.high);
    }
    std::string operator()(const PpiLine& p) const {
        return "line ppi " + std::to_string(p.cpu) + " " + std::to_string(p.intid) + " " +
               level_name(p.high);
    }
    std::string operator()(const Vcpu& v) const {
        return "vcpu " + std::to_string(v.cpu) + (v.run ? " run" : " stop");
    }
    std::string operator()(const Wait& w) const { return "wait " + format_time(w.ps); }
    std::string operator()(const ExpectLine& e) const {
        return "expect cpu " + std::to_string(e.cpu) + " " + std::string(to_string(e.line)) + " " +
               level_name(e.high);
    }
    std::string operator()(const Echo& e) const { return e.text.empty() ? "echo" : "echo " + e.text; }
};

} // namespace

std::string describe(const Command& command) { return std::visit(Describer{}, command.body); }

} // namespace vgic::script
