// Timing profile: parameter table, presets, value parsing and the JSON / YAML loader.
// The calibration of the presets is derived in docs/TIMING.md; the numbers below must stay
// in step with that derivation (testbenches/tlm/timing_profile.cpp checks the sums).
#include "vgic/tlm/timing_profile.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <utility>

namespace vgic::tlm {

namespace {

// Exact decimal arithmetic: at most 25 significant digits times a scale of at most 1e12
// stays below 2^127.
__extension__ typedef unsigned __int128 u128;

constexpr std::uint64_t kPsPerNs = 1'000;
constexpr std::uint64_t kPsPerUs = 1'000'000;
constexpr std::uint64_t kPsPerMs = 1'000'000'000;
constexpr std::uint64_t kPsPerS = 1'000'000'000'000;
constexpr std::uint64_t kMaxClockHz = 100'000'000'000;  // 100 GHz keeps cycle arithmetic exact
constexpr unsigned kMaxDigits = 25;

constexpr std::uint64_t ns(std::uint64_t v) { return v * kPsPerNs; }

[[noreturn]] void fail(const std::string& problem) { throw TimingProfileError("", "", problem); }

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

u128 pow10(unsigned n) {
    u128 r = 1;
    while (n--) r *= 10;
    return r;
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

// ---- "<number> <unit>" ------------------------------------------------------------------

struct Quantity {
    u128 mantissa = 0;     // value = mantissa / 10^frac_digits
    unsigned frac_digits = 0;
    bool negative = false;
    std::string unit;      // "" when absent
};

/// Splits `text` into a non-negative decimal and a unit token. `expected` completes the
/// error messages ("a time \"<number> <unit>\" ...").
Quantity parse_quantity(std::string_view raw, const std::string& expected) {
    const std::string text = trim(raw);
    const std::string shown = quoted(raw);
    if (text.empty()) fail("empty value; expected " + expected);
    Quantity q;
    std::size_t i = 0;
    if (text[i] == '-') {
        q.negative = true;
        ++i;
    }
    std::string int_digits, frac_digits;
    bool dot = false;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (std::isdigit(static_cast<unsigned char>(c))) {
            (dot ? frac_digits : int_digits) += c;
        } else if (c == '.' && !dot) {
            dot = true;
        } else {
            break;
        }
    }
    const bool followed_badly =
        i < text.size() && (text[i] == '.' || text[i] == ',' || text[i] == '+' || text[i] == '-');
    std::string unit = trim(std::string_view(text).substr(i));
    const bool exponent = unit.size() >= 2 && (unit[0] == 'e' || unit[0] == 'E') &&
                          (std::isdigit(static_cast<unsigned char>(unit[1])) || unit[1] == '-' || unit[1] == '+');
    if ((int_digits.empty() && frac_digits.empty()) || followed_badly || exponent)
        fail("malformed number in " + shown + "; expected " + expected);
    // Normalize: no leading zeros in the integer part, no trailing zeros in the fraction.
    int_digits.erase(0, std::min(int_digits.find_first_not_of('0'), int_digits.size()));
    while (!frac_digits.empty() && frac_digits.back() == '0') frac_digits.pop_back();
    std::string digits = int_digits + frac_digits;
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size()));
    if (digits.size() > kMaxDigits || frac_digits.size() > kMaxDigits)
        fail("too many digits in " + shown + " (at most " + std::to_string(kMaxDigits) +
             " significant or decimal digits); expected " + expected);
    for (char c : digits) q.mantissa = q.mantissa * 10 + static_cast<unsigned>(c - '0');
    q.frac_digits = static_cast<unsigned>(frac_digits.size());
    q.unit = unit;
    return q;
}

void refuse_negative(const Quantity& q, std::string_view raw, const std::string& expected) {
    if (q.negative && q.mantissa != 0) fail("negative value " + quoted(raw) + "; expected " + expected);
}

constexpr const char* kTimeExpected =
    "a time \"<number> <unit>\" with unit ps, ns, us, ms, s or cycles, e.g. \"140 ns\"";
constexpr const char* kFrequencyExpected =
    "a frequency \"<number> <unit>\" with unit Hz, kHz, MHz or GHz, or a number of Hz, e.g. \"1.2 GHz\"";

// ---- parameter table and presets ----------------------------------------------------------

using P = TimingProfile;

// Function-local statics: usable from other translation units' static initializers.
const std::vector<TimingParameter>& parameter_table() {
    static const std::vector<TimingParameter> table = {
        {"clock", TimingUnit::Hertz,
         "clock frequency; gives the length of a cycle to values written in cycles", &P::clock_hz},
        {"gicd_access", TimingUnit::Picoseconds,
         "hw mode: one distributor (GICD) register access (in vm mode a guest's GICD access is a trap "
         "and costs gicd_trap)",
         &P::gicd_access},
        {"gicd_trap", TimingUnit::Picoseconds,
         "vm mode: one guest distributor or redistributor access (and a trapped SGI-register write), "
         "trapped and emulated by the hypervisor: the whole round trip (exit, decode, emulation, entry) "
         "including the sync and flush it causes",
         &P::gicd_trap},
        {"gicc_access", TimingUnit::Picoseconds, "one physical CPU interface (GICC) register access",
         &P::gicc_access},
        {"gich_access", TimingUnit::Picoseconds, "one hypervisor control interface (GICH) register access",
         &P::gich_access},
        {"gicv_access", TimingUnit::Picoseconds,
         "one virtual CPU interface (GICV) register access by the guest (no trap)", &P::gicv_access},
        {"gicr_access", TimingUnit::Picoseconds,
         "hw mode: one GICv3 redistributor (GICR) register access (in vm mode a guest's GICR access is a "
         "trap and costs gicd_trap)",
         &P::gicr_access},
        {"sysreg_access", TimingUnit::Picoseconds,
         "one system-register access: GICv3 ICC/ICV/ICH registers and the timer's CNT* registers",
         &P::sysreg_access},
        {"rwp_complete", TimingUnit::Picoseconds,
         "GICv3: a GICD/GICR write that changes group or interrupt enables -> it has taken effect "
         "everywhere (GICD_CTLR.RWP / GICR_CTLR.RWP read 1 meanwhile; 0 = at once, RWP never set)",
         &P::rwp_complete},
        {"signal_delay", TimingUnit::Picoseconds,
         "an interrupt becomes the best pending one -> the IRQ/FIQ/vIRQ/vFIQ output line rises",
         &P::signal_delay},
        {"irq_entry", TimingUnit::Picoseconds,
         "output line rises -> first instruction of the handler (CPU exception entry; charged by the "
         "CPU / workload models, not by the GIC)",
         &P::irq_entry},
        {"kick", TimingUnit::Picoseconds,
         "vm mode: a running vCPU's list registers need an update -> that vCPU traps to the hypervisor",
         &P::kick},
        {"exit", TimingUnit::Picoseconds,
         "vm mode: trap taken -> hypervisor ready to sync (context save, physical acknowledge, dispatch)",
         &P::exit},
        {"entry", TimingUnit::Picoseconds,
         "vm mode: list registers flushed -> guest executing again (context restore, ERET)", &P::entry},
        {"flush_per_lr", TimingUnit::Picoseconds, "vm mode: write one list register on a flush (vCPU entry)",
         &P::flush_per_lr},
        {"sync_per_lr", TimingUnit::Picoseconds,
         "vm mode: read back one non-empty list register on a sync (vCPU exit)", &P::sync_per_lr},
        {"save_fixed", TimingUnit::Picoseconds,
         "vCPU switch: save the interface state other than the LRs (GICH_VMCR, APR, ELRSR, HCR)",
         &P::save_fixed},
        {"save_per_lr", TimingUnit::Picoseconds, "vCPU switch: save one list register", &P::save_per_lr},
        {"restore_fixed", TimingUnit::Picoseconds,
         "vCPU switch: restore the interface state other than the LRs (GICH_HCR, VMCR, APR)",
         &P::restore_fixed},
        {"restore_per_lr", TimingUnit::Picoseconds, "vCPU switch: restore one list register",
         &P::restore_per_lr},
    };
    return table;
}

/// Cortex-A53 at 1.2 GHz with an Arm GIC-400 (GICv2, 4 list registers), calibrated on the
/// Xilinx ZCU104. One profile for both modes: hw mode (bare metal, direct injection) charges
/// the bus accesses, vm mode (a lean trap-and-inject hypervisor, Bao) the list-register engine
/// and gicd_trap. Only two sums are calibrated (docs/CALIBRATION.md, docs/TIMING.md
/// "Calibration"): signal_delay + irq_entry + gicc_access + sysreg_access = 220 ns (bare
/// metal, measured mean 222 ns), and kick + exit + flush_per_lr + entry + signal_delay +
/// irq_entry + gicv_access + sysreg_access = 900 ns (Bao, measured mean 906 ns). Every
/// individual value is an estimate.
TimingProfile make_a53_gic400() {
    TimingProfile p;
    p.name = "a53-gic400";
    p.clock_hz = 1'200'000'000;
    p.gicd_access = ns(140);  // GIC-400 MMIO read round trip from the A53, shared by all frames
    p.gicd_trap = ns(400);    // estimated: trap 30 + save 30 + decode and emulation 260 + entry 80
    p.gicc_access = ns(140);
    p.gich_access = ns(140);
    p.gicv_access = ns(140);
    p.gicr_access = ns(140);  // no GICR on GIC-400: same as GICD so GICv3 runs stay plausible
    p.sysreg_access = ns(20);
    p.signal_delay = ns(30);
    p.irq_entry = ns(30);
    p.kick = ns(60);          // the physical IRQ traps the running vCPU: signal_delay + irq_entry
    p.exit = ns(460);
    p.entry = ns(80);
    p.flush_per_lr = ns(80);  // a posted GICH_LR write plus bookkeeping
    p.sync_per_lr = ns(140);  // a GICH_LR read
    p.save_fixed = ns(560);   // 4 GICH reads: VMCR, APR, ELRSR0, HCR
    p.save_per_lr = ns(140);
    p.restore_fixed = ns(240);  // 3 GICH writes: HCR, VMCR, APR
    p.restore_per_lr = ns(80);
    return p;
}

/// Xilinx ZCU104 (Cortex-A53 1.2 GHz, GIC-400, 4 LRs): the board a53-gic400 was calibrated on,
/// the same values under the board's name.
TimingProfile make_zcu104() {
    TimingProfile p = make_a53_gic400();
    p.name = "zcu104";
    return p;
}

/// An alias of zcu104 kept for existing files: it once differed in gicd_access, which meant
/// the trapped access in vm mode; that cost is gicd_trap now, and every profile has it.
TimingProfile make_zcu104_bao() {
    TimingProfile p = make_zcu104();
    p.name = "zcu104-bao";
    return p;
}

struct Preset {
    TimingPresetInfo info;
    TimingProfile (*make)();
};

const std::vector<Preset>& preset_table() {
    static const std::vector<Preset> table = {
        {{"zero", "every latency 0, clock 1 GHz nominal: a purely functional model"}, [] { return TimingProfile{}; }},
        {{"a53-gic400",
          "Cortex-A53 at 1.2 GHz with an Arm GIC-400 (GICv2, 4 list registers): one profile for hw mode "
          "(bare metal, direct injection) and vm mode (a lean trap-and-inject hypervisor); calibrated on "
          "the ZCU104 measurements (docs/CALIBRATION.md)"},
         &make_a53_gic400},
        {{"zcu104",
          "Xilinx ZCU104 (Cortex-A53 1.2 GHz, GIC-400, 4 LRs): the values of a53-gic400, for both modes; "
          "native and Bao trap-and-inject timer latencies calibrated (RTAS 2023), the split between "
          "parameters estimated"},
         &make_zcu104},
        {{"zcu104-bao", "an alias of zcu104 (the same values), kept for existing files"}, &make_zcu104_bao},
    };
    return table;
}

std::string preset_list() {
    std::string s;
    for (const auto& p : preset_table()) s += (s.empty() ? "" : ", ") + std::string(p.info.name);
    return s;
}

std::string key_list() {
    std::string s = "base, name";
    for (const auto& p : parameter_table()) s += ", " + std::string(p.key);
    return s;
}

// ---- messages -------------------------------------------------------------------------

struct Position {
    int line = 0;  // 1-based; 0 = unknown
    int column = 0;
};

std::string located(const std::string& source, Position pos) {
    std::string s = source;
    if (pos.line > 0) s += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
    return s;
}

/// Throws "<source>[:line:col]: key '<key>': <problem>". With `name_key` false the problem
/// names the key itself (an unknown key) and only TimingProfileError::key() carries it.
[[noreturn]] void fail_at(const std::string& source, Position pos, const std::string& key,
                          const std::string& problem, bool name_key = true) {
    std::string msg = located(source, pos);
    if (!msg.empty()) msg += ": ";
    if (!key.empty() && name_key) msg += "key '" + key + "': ";
    throw TimingProfileError(source, key, msg + problem);
}

// ---- the document model shared by JSON and YAML -------------------------------------------

struct Entry {
    enum class Kind { String, Number, Other };
    std::string key;
    Kind kind = Kind::Other;
    std::string text;      // String / Number: the value's text; Other: the type's name
    Position pos;
};

void set_from_text(TimingProfile& p, const TimingParameter& param, const std::string& text) {
    if (param.unit == TimingUnit::Hertz)
        p.*param.member = parse_frequency_hz(text);
    else
        p.*param.member = parse_time_ps(text, p.clock_hz);
}

void apply_entry(TimingProfile& p, const TimingParameter& param, const Entry& e, const std::string& source) {
    const bool time = param.unit == TimingUnit::Picoseconds;
    const std::string expected = time ? kTimeExpected : kFrequencyExpected;
    if (e.kind == Entry::Kind::Other)
        fail_at(source, e.pos, e.key, "expected " + expected + ", got " + e.text);
    if (e.kind == Entry::Kind::Number && time)
        fail_at(source, e.pos, e.key, "expected " + expected + ", got the bare number " + e.text);
    try {
        set_from_text(p, param, e.text);
    } catch (const TimingProfileError& err) {
        fail_at(source, e.pos, e.key, err.what());
    }
}

TimingProfile apply_entries(const std::vector<Entry>& entries, const std::string& source) {
    // Unknown and duplicate keys first, so that no half-applied state matters.
    std::vector<std::string> seen;
    for (const auto& e : entries) {
        if (e.key != "base" && e.key != "name" && !find_timing_parameter(e.key))
            fail_at(source, e.pos, e.key, "unknown key '" + e.key + "'; expected one of: " + key_list(), false);
        if (std::find(seen.begin(), seen.end(), e.key) != seen.end())
            fail_at(source, e.pos, e.key, "duplicate key; each key may appear once");
        seen.push_back(e.key);
    }
    auto find = [&](const char* key) -> const Entry* {
        for (const auto& e : entries)
            if (e.key == key) return &e;
        return nullptr;
    };
    TimingProfile p;
    if (const Entry* base = find("base")) {
        if (base->kind != Entry::Kind::String)
            fail_at(source, base->pos, "base", "expected a preset name (" + preset_list() + "), got " + base->text);
        try {
            p = timing_preset(trim(base->text));
        } catch (const TimingProfileError& err) {
            fail_at(source, base->pos, "base", err.what());
        }
    }
    p.name = source;
    if (const Entry* name = find("name")) {
        if (name->kind != Entry::Kind::String || trim(name->text).empty())
            fail_at(source, name->pos, "name", "expected a non-empty string, got " +
                                                   (name->kind == Entry::Kind::String ? "an empty one" : name->text));
        p.name = trim(name->text);
    }
    // The clock first: values in cycles use the file's clock whatever the key order.
    if (const Entry* clock = find("clock")) apply_entry(p, *find_timing_parameter("clock"), *clock, source);
    for (const auto& e : entries) {
        if (e.key == "base" || e.key == "name" || e.key == "clock") continue;
        apply_entry(p, *find_timing_parameter(e.key), e, source);
    }
    return p;
}

Position position_of_offset(const std::string& text, std::size_t offset) {
    offset = std::min(offset, text.size());
    Position pos{1, 1};
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++pos.line;
            pos.column = 1;
        } else {
            ++pos.column;
        }
    }
    return pos;
}

/// nlohmann::json keeps no positions: find the `occurrence`-th (0-based) `"key"` followed by
/// a colon. The values are scalars, so this is the key itself unless the same text also
/// appears inside a comment before it.
Position json_key_position(const std::string& text, const std::string& key, int occurrence) {
    const std::string needle = "\"" + key + "\"";
    for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        std::size_t j = at + needle.size();
        while (j < text.size() && std::isspace(static_cast<unsigned char>(text[j]))) ++j;
        if (j < text.size() && text[j] == ':' && occurrence-- == 0) return position_of_offset(text, at);
    }
    return {};
}

std::vector<Entry> json_entries(const std::string& text, const std::string& source) {
    using nlohmann::json;
    std::vector<std::string> order;  // top-level keys in file order, duplicates included
    json::parser_callback_t record = [&order](int depth, json::parse_event_t event, json& parsed) {
        if (event == json::parse_event_t::key && depth == 1) order.push_back(parsed.get<std::string>());
        return true;
    };
    json doc;
    try {
        doc = json::parse(text, record, /*allow_exceptions=*/true, /*ignore_comments=*/true);
    } catch (const json::parse_error& e) {
        // e.byte counts the characters read, the offending one included.
        const Position pos = position_of_offset(text, e.byte == 0 ? 0 : e.byte - 1);
        std::string what = e.what();
        if (auto b = what.find("] "); b != std::string::npos) what.erase(0, b + 2);
        if (what.rfind("parse error at line", 0) == 0)
            if (auto c = what.find(": "); c != std::string::npos) what.erase(0, c + 2);
        fail_at(source, pos, "", "JSON syntax error: " + what);
    }
    if (!doc.is_object())
        fail_at(source, {}, "", std::string("expected an object of keys and values at the top level, got ") +
                                    (doc.is_array() ? "an array" : std::string("a ") + doc.type_name()));
    std::vector<Entry> entries;
    for (std::size_t i = 0; i < order.size(); ++i) {
        const std::string& key = order[i];
        Entry e;
        e.key = key;
        e.pos = json_key_position(text, key, static_cast<int>(std::count(order.begin(), order.begin() + i, key)));
        const json& v = doc.at(key);
        if (v.is_string()) {
            e.kind = Entry::Kind::String;
            e.text = v.get<std::string>();
        } else if (v.is_number()) {
            e.kind = Entry::Kind::Number;
            e.text = v.dump();
        } else {
            e.kind = Entry::Kind::Other;
            e.text = v.is_null() ? std::string("null")
                                 : std::string(v.is_array() || v.is_object() ? "an " : "a ") + v.type_name();
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

Position yaml_position(const YAML::Mark& m) {
    if (m.is_null() || m.line < 0) return {};
    return {m.line + 1, m.column + 1};
}

std::vector<Entry> yaml_entries(const std::string& text, const std::string& source) {
    YAML::Node doc;
    try {
        doc = YAML::Load(text);
    } catch (const YAML::Exception& e) {
        fail_at(source, yaml_position(e.mark), "", "YAML syntax error: " + e.msg);
    }
    std::vector<Entry> entries;
    if (doc.IsNull()) return entries;  // an empty file: the zero preset under the file's name
    if (!doc.IsMap())
        fail_at(source, yaml_position(doc.Mark()), "",
                std::string("expected a mapping of keys to values at the top level, got a ") +
                    (doc.IsSequence() ? "sequence" : "scalar"));
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        const YAML::Node k = it->first;  // copies: the iterator's pair is a temporary proxy
        const YAML::Node v = it->second;
        if (!k.IsScalar())
            fail_at(source, yaml_position(k.Mark()), "", "expected a plain key name (" + key_list() + ")");
        Entry e;
        e.key = k.Scalar();
        e.pos = yaml_position(k.Mark());
        if (v.IsScalar()) {
            e.kind = Entry::Kind::String;
            e.text = v.Scalar();
        } else {
            e.kind = Entry::Kind::Other;
            e.text = v.IsMap() ? "a mapping" : v.IsSequence() ? "a sequence" : "nothing (null)";
        }
        entries.push_back(std::move(e));
    }
    return entries;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Digits of `v / scale` with up to three decimals, or "" if that is not exact.
std::string scaled(std::uint64_t v, std::uint64_t scale, const char* unit) {
    if (v < scale || v % (scale / 1000) != 0) return "";
    std::string s = std::to_string(v / scale);
    if (const std::uint64_t rest = (v % scale) / (scale / 1000); rest != 0) {
        std::string frac = std::to_string(rest);
        frac.insert(0, 3 - frac.size(), '0');
        while (frac.back() == '0') frac.pop_back();
        s += "." + frac;
    }
    return s + " " + unit;
}

} // namespace

// ---- public API -----------------------------------------------------------------------------

TimingProfileError::TimingProfileError(std::string source, std::string key, const std::string& message)
    : std::runtime_error(message), source_(std::move(source)), key_(std::move(key)) {}

std::uint64_t TimingProfile::cycles(std::uint64_t n) const {
    if (clock_hz == 0) throw TimingProfileError(name, "clock", name + ": key 'clock': 0 Hz; cycles need a clock of at least 1 Hz");
    const u128 num = static_cast<u128>(n) * kPsPerS;
    const u128 r = (num + clock_hz / 2) / clock_hz;
    return r > std::numeric_limits<std::uint64_t>::max() ? std::numeric_limits<std::uint64_t>::max()
                                                          : static_cast<std::uint64_t>(r);
}

bool TimingProfile::is_zero() const {
    for (const auto& p : parameter_table())
        if (p.unit == TimingUnit::Picoseconds && this->*p.member != 0) return false;
    return true;
}

bool TimingProfile::same_timing(const TimingProfile& other) const {
    for (const auto& p : parameter_table())
        if (this->*p.member != other.*p.member) return false;
    return true;
}

const std::vector<TimingParameter>& timing_parameters() { return parameter_table(); }

const TimingParameter* find_timing_parameter(std::string_view key) {
    for (const auto& p : parameter_table())
        if (key == p.key) return &p;
    return nullptr;
}

const std::vector<TimingPresetInfo>& timing_presets() {
    static const std::vector<TimingPresetInfo> infos = [] {
        std::vector<TimingPresetInfo> v;
        for (const auto& p : preset_table()) v.push_back(p.info);
        return v;
    }();
    return infos;
}

std::vector<std::string> timing_preset_names() {
    std::vector<std::string> v;
    for (const auto& p : preset_table()) v.emplace_back(p.info.name);
    return v;
}

TimingProfile timing_preset(const std::string& name) {
    for (const auto& p : preset_table())
        if (name == p.info.name) return p.make();
    throw TimingProfileError(name, "", "unknown timing preset '" + name + "'; available presets: " + preset_list());
}

TimingProfile load_timing_profile(const std::string& preset_or_path) {
    for (const auto& p : preset_table())
        if (preset_or_path == p.info.name) return p.make();
    namespace fs = std::filesystem;
    const std::string ext = lower(fs::path(preset_or_path).extension().string());
    TimingFileFormat format;
    if (ext == ".json")
        format = TimingFileFormat::Json;
    else if (ext == ".yaml" || ext == ".yml")
        format = TimingFileFormat::Yaml;
    else
        throw TimingProfileError(preset_or_path, "",
                                 "unknown timing preset '" + preset_or_path + "'; available presets: " +
                                     preset_list() + "; a profile file needs the extension .json, .yaml or .yml");
    std::error_code ec;
    if (fs::is_directory(preset_or_path, ec))
        throw TimingProfileError(preset_or_path, "",
                                 preset_or_path + ": cannot read the timing profile file: it is a directory");
    errno = 0;
    std::ifstream in(preset_or_path, std::ios::binary);
    if (!in) {
        const int err = errno;
        throw TimingProfileError(preset_or_path, "",
                                 preset_or_path + ": cannot read the timing profile file: " +
                                     (err ? std::strerror(err) : "open failed"));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw TimingProfileError(preset_or_path, "", preset_or_path + ": cannot read the timing profile file: read error");
    return parse_timing_profile(text.str(), format, preset_or_path);
}

TimingProfile parse_timing_profile(const std::string& text, TimingFileFormat format, const std::string& source) {
    const auto entries = format == TimingFileFormat::Json ? json_entries(text, source) : yaml_entries(text, source);
    return apply_entries(entries, source);
}

void set_timing_parameter(TimingProfile& profile, const std::string& key, const std::string& value,
                          const std::string& source) {
    const TimingParameter* param = find_timing_parameter(key);
    if (!param) {
        std::string keys;
        for (const auto& p : parameter_table()) keys += (keys.empty() ? "" : ", ") + std::string(p.key);
        fail_at(source, {}, key, "unknown key '" + key + "'; expected one of: " + keys, false);
    }
    try {
        set_from_text(profile, *param, value);
    } catch (const TimingProfileError& err) {
        fail_at(source, {}, key, err.what());
    }
}

std::uint64_t parse_time_ps(std::string_view text, std::uint64_t clock_hz) {
    const Quantity q = parse_quantity(text, kTimeExpected);
    struct Unit {
        const char* name;
        std::uint64_t ps;  // 0: cycles
    };
    static const Unit units[] = {{"ps", 1},        {"ns", kPsPerNs},      {"us", kPsPerUs},
                                 {"\xC2\xB5s", kPsPerUs}, {"\xCE\xBCs", kPsPerUs}, {"ms", kPsPerMs},
                                 {"s", kPsPerS},   {"cycles", 0},         {"cycle", 0}};
    const Unit* unit = nullptr;
    for (const auto& u : units)
        if (q.unit == u.name) unit = &u;
    if (q.unit.empty()) fail("missing unit in " + quoted(text) + "; expected " + kTimeExpected);
    if (!unit) fail("unknown unit '" + q.unit + "' in " + quoted(text) + "; expected " + kTimeExpected);
    refuse_negative(q, text, kTimeExpected);
    const u128 den = pow10(q.frac_digits);
    u128 ps;
    if (unit->ps == 0) {
        if (clock_hz == 0 || clock_hz > kMaxClockHz) fail("cannot convert cycles: the clock is out of range");
        const u128 num = q.mantissa * kPsPerS;
        const u128 d = den * clock_hz;
        ps = (num + d / 2) / d;  // nearest ps, half up
    } else {
        const u128 num = q.mantissa * unit->ps;
        if (num % den != 0) fail(quoted(text) + " is not a whole number of picoseconds (the resolution is 1 ps)");
        ps = num / den;
    }
    if (ps > std::numeric_limits<std::uint64_t>::max())
        fail(quoted(text) + " is too large; the largest time is 18446744073709551615 ps (about 213 days)");
    return static_cast<std::uint64_t>(ps);
}

std::uint64_t parse_frequency_hz(std::string_view text) {
    const Quantity q = parse_quantity(text, kFrequencyExpected);
    struct Unit {
        const char* name;
        std::uint64_t hz;
    };
    static const Unit units[] = {{"", 1}, {"Hz", 1}, {"kHz", 1'000}, {"MHz", 1'000'000}, {"GHz", 1'000'000'000}};
    const Unit* unit = nullptr;
    for (const auto& u : units)
        if (q.unit == u.name) unit = &u;
    if (!unit) fail("unknown unit '" + q.unit + "' in " + quoted(text) + "; expected " + kFrequencyExpected);
    refuse_negative(q, text, kFrequencyExpected);
    const u128 num = q.mantissa * unit->hz;
    const u128 den = pow10(q.frac_digits);
    if (num % den != 0) fail(quoted(text) + " is not a whole number of Hz");
    const u128 hz = num / den;
    if (hz < 1 || hz > kMaxClockHz)
        fail(quoted(text) + " is out of range; expected a clock from 1 Hz to 100 GHz");
    return static_cast<std::uint64_t>(hz);
}

namespace {
struct Scale {
    std::uint64_t factor;
    const char* unit;
};
} // namespace

std::string format_time(std::uint64_t ps) {
    if (ps == 0) return "0 ns";
    static const Scale scales[] = {{kPsPerS, "s"}, {kPsPerMs, "ms"}, {kPsPerUs, "us"}, {kPsPerNs, "ns"}};
    for (const auto& sc : scales)
        if (auto s = scaled(ps, sc.factor, sc.unit); !s.empty()) return s;
    return std::to_string(ps) + " ps";
}

std::string format_frequency(std::uint64_t hz) {
    static const Scale scales[] = {{1'000'000'000, "GHz"}, {1'000'000, "MHz"}, {1'000, "kHz"}};
    for (const auto& sc : scales)
        if (auto s = scaled(hz, sc.factor, sc.unit); !s.empty()) return s;
    return std::to_string(hz) + " Hz";
}

std::string describe(const TimingProfile& profile) {
    std::size_t key_width = 0;
    for (const auto& p : parameter_table()) key_width = std::max(key_width, std::strlen(p.key));
    std::string out = "timing profile '" + profile.name + "'\n";
    for (const auto& p : parameter_table()) {
        const std::uint64_t v = profile.*p.member;
        const std::string value = p.unit == TimingUnit::Hertz ? format_frequency(v) : format_time(v);
        std::string line = "  " + std::string(p.key);
        line.resize(2 + key_width + 2, ' ');
        line += value;
        line.resize(std::max(line.size() + 2, 2 + key_width + 2 + 14), ' ');
        out += line + p.meaning + "\n";
    }
    return out;
}

std::string timing_markdown_table() {
    std::vector<TimingProfile> presets;
    for (const auto& p : preset_table()) presets.push_back(p.make());
    std::string out = "| parameter | unit |";
    std::string rule = "|---|---|";
    for (const auto& p : presets) {
        out += " `" + p.name + "` |";
        rule += "---|";
    }
    out += " meaning |\n" + rule + "---|\n";
    for (const auto& param : parameter_table()) {
        const bool hz = param.unit == TimingUnit::Hertz;
        out += "| `" + std::string(param.key) + "` | " + (hz ? "frequency (Hz)" : "time (ps)") + " |";
        for (const auto& p : presets) out += " " + (hz ? format_frequency(p.*param.member) : format_time(p.*param.member)) + " |";
        out += " " + std::string(param.meaning) + " |\n";
    }
    return out;
}

} // namespace vgic::tlm
