// SPDX-License-Identifier: Apache-2.0
// Scenario loader of `vgic-sim run`: YAML text -> a completely validated Scenario.
//
// The loader walks the document once, in a fixed key order, and stops at the first problem:
// every message names the file, the line, the dotted key and what was expected, so that a
// scenario either runs as written or does not start at all. Nothing is silently defaulted
// or clamped: unknown and duplicate keys, wrong types and out-of-range values are refused
// (a timer time below one counter tick too: the guest would have to program at least one).
// The GIC configuration of each VM is checked by the model's own GicConfig::validate(), so
// the limits (vCPUs, SPIs, list registers) live in one place.
#include "run/scenario.hpp"

#include "vgic/tlm/duration.hpp"

#include "vgic/model/generic_timer.hpp"
#include "vgic/tlm/input.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdio>
#include <cctype>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>

namespace vgic::run {

namespace {

constexpr const char* kBuiltInSource = "<built-in default>";

constexpr std::uint64_t kPsPerS = 1'000'000'000'000;
// The limit of `duration` is the one of every user-given duration (vgic/tlm/duration.hpp).
using vgic::tlm::kMaxDurationPs;
constexpr unsigned kMaxPcpus = 256;
// A name becomes a directory name (the scenario's output directory) and a file-name part: at
// most NAME_MAX bytes, so it fails here with its line, not later as "File name too long".
constexpr std::size_t kMaxNameLength = 255;
constexpr unsigned kMaxBurstCount = 1'000'000;
constexpr std::uint32_t kFirstSpi = 32;
constexpr std::uint32_t kLastSpi = 1019;
// A rate's period is a whole number of picoseconds: nothing faster than 1 THz is meaningful, and
// below 1 uHz (a period of 1e18 ps, 11.6 days) the period would no longer fit the arithmetic
// of the sources, while the longest run is an hour.
constexpr double kMaxRateHz = 1e12;
constexpr double kMinRateHz = 1e-6;

std::string compose_message(const std::string& file, int line, const std::string& key, const std::string& what) {
    std::string message = file;
    if (line > 0) message += ":" + std::to_string(line);
    message += ": ";
    if (!key.empty()) message += "key '" + key + "': ";
    return message + what;
}

std::string trim(std::string_view s) {
    std::size_t begin = 0, end = s.size();
    while (begin < end && std::isspace(static_cast<unsigned char>(s[begin]))) ++begin;
    while (end > begin && std::isspace(static_cast<unsigned char>(s[end - 1]))) --end;
    return std::string(s.substr(begin, end - begin));
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
    return out;
}

/// What a node holds, for "expected X, got Y".
std::string describe(const YAML::Node& node) {
    if (node.IsScalar()) return in_quotes(node.Scalar());
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a sequence";
    return "nothing";
}

/// A decimal number and what follows it: "2.5 us" -> 2.5, "us".
struct Decimal {
    bool negative = false;
    double value = 0;
    std::string suffix;  ///< trimmed text after the number ("" when none)
};

/// Splits "[+-]digits[.digits] suffix"; nullopt when there is no well-formed number first
/// (no digits, a second dot, an exponent: exponents are refused so values read as written).
std::optional<Decimal> split_decimal(std::string_view raw) {
    const std::string text = trim(raw);
    Decimal d;
    std::size_t i = 0;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) d.negative = text[i++] == '-';
    const std::size_t number_begin = i;
    std::size_t digits = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
    if (i < text.size() && text[i] == '.') {
        ++i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i, ++digits;
    }
    if (digits == 0) return std::nullopt;
    d.suffix = trim(std::string_view(text).substr(i));
    if (!d.suffix.empty()) {
        const char c = d.suffix[0];
        const bool exponent = (c == 'e' || c == 'E') && d.suffix.size() > 1 &&
                              (std::isdigit(static_cast<unsigned char>(d.suffix[1])) || d.suffix[1] == '-' ||
                               d.suffix[1] == '+');
        if (c == '.' || c == ',' || std::isdigit(static_cast<unsigned char>(c)) || exponent) return std::nullopt;
    }
    const char* first = text.data() + number_begin;
    const char* last = text.data() + i;
    if (std::from_chars(first, last, d.value).ec != std::errc()) return std::nullopt;
    return d;
}

/// GicConfig of one VM: the model's own object, validated by the model's own rules.
vgic::GicConfig config_of(const VmSpec& vm) {
    vgic::GicConfig config;
    config.version = vm.gic;
    config.num_cpus = vm.vcpus;
    config.num_spis = vm.spis;
    config.virt.enabled = true;
    config.virt.num_list_regs = vm.lrs;
    return config;
}

const char* version_name(GicVersion version) { return version == GicVersion::V3 ? "GICv3" : "GICv2"; }

/// One key of a mapping (or one element of a sequence) with where it was written.
struct Field {
    std::string path;  ///< dotted key path, e.g. "vms[0].guest.timer.rate"
    YAML::Node node;   ///< the value
    int line = 0;      ///< 1-based line of the key (a null value carries no useful mark)
};

int line_of(const YAML::Node& node, int fallback) {
    const int line = node.Mark().line;
    return line >= 0 ? line + 1 : fallback;
}

std::string child_path(const std::string& parent, const std::string& key) {
    return parent.empty() ? key : parent + "." + key;
}

/// Where each VM's mapping-related keys were written, for checks that span several VMs.
struct VmOrigin {
    std::string path;            ///< "vms[i]"
    Field name;                  ///< the `name` key
    Field mode;                  ///< the `mode` key, or the VM itself when absent
    std::optional<Field> pcpus;  ///< the `pcpus` key when written
};

/// Where a device's identifying keys were written, for the duplicate checks.
struct DeviceOrigin {
    Field name;
    Field intid;
};

class Loader {
public:
    Loader(std::string source, std::string base_dir) : source_(std::move(source)), base_dir_(std::move(base_dir)) {}

    Scenario load(const std::string& text);

private:
    /// A mapping whose keys were checked: all known, none twice.
    class Section {
    public:
        Section(const Loader& loader, const Field& field, const std::vector<std::string>& accepted,
                const std::string& what);
        std::optional<Field> get(const std::string& key) const;
        Field require(const std::string& key) const;
        const Field& field() const { return field_; }

    private:
        const Loader& loader_;
        Field field_;
        std::map<std::string, Field> entries_;
    };

    [[noreturn]] void fail(int line, const std::string& key, const std::string& what) const {
        throw ScenarioError(source_, line, key, what);
    }
    [[noreturn]] void fail(const Field& field, const std::string& what) const { fail(field.line, field.path, what); }

    // ---- scalar values ------------------------------------------------------------------
    std::string scalar(const Field& f, const std::string& expected) const;
    /// Refuses an explicit YAML tag on the value (every value is read through scalar(),
    /// Section or sequence(), which call it).
    void refuse_tag(const Field& f) const;
    /// Refuses a leading '+' on a number.
    void refuse_plus(const Field& f, const std::string& text, const std::string& expected) const;
    std::string identifier(const Field& f) const;
    /// `expected` describes the allowed values for messages; "" gives "an unsigned integer
    /// MIN..MAX" (just "an unsigned integer" when max is the type's: the model checks the range).
    std::uint64_t unsigned_integer(const Field& f, std::uint64_t min, std::uint64_t max,
                                   const std::string& expected = "") const;
    bool boolean(const Field& f) const;
    std::uint64_t time_ps(const Field& f, bool allow_zero) const;
    double rate_hz(const Field& f) const;
    std::size_t choice(const Field& f, const std::vector<std::string>& options) const;
    std::vector<Field> sequence(const Field& f, const std::string& what) const;

    // ---- sections -----------------------------------------------------------------------
    void load_scheduler(const Field& f, SchedulerSpec& scheduler) const;
    VmSpec load_vm(const Field& f, unsigned scenario_pcpus, VmOrigin& origin) const;
    void check_gic(const Section& s, const VmSpec& vm) const;
    void load_timing(const Field& f, VmSpec& vm) const;
    void load_hypervisor(const Field& f, VmSpec& vm) const;
    /// A preset name stays as it is; a relative profile file is resolved against the
    /// scenario's directory.
    std::string resolve_profile_path(const std::string& value, const std::vector<std::string>& presets) const;
    void load_guest(const Field& f, const VmSpec& vm, GuestSpec& guest) const;
    void load_timer(const Field& f, TimerSpec& timer) const;
    /// A time the guest programs into the timer in counter ticks: refused below one tick (it
    /// would be clamped to one).
    void check_at_least_one_tick(const Field& f, std::uint64_t ps) const;
    void load_ipi(const Field& f, const VmSpec& vm, IpiSpec& ipi) const;
    void check_hw_pinning(const Scenario& s, const std::vector<VmOrigin>& origins) const;
    DeviceSpec load_device(const Field& f, const Scenario& s, DeviceOrigin& origin) const;
    void load_calibration(const Field& f, const Scenario& s, CalibrationSpec& calibration) const;
    void load_trace(const Field& f, const Scenario& s, TraceSpec& trace) const;

    std::string source_;
    std::string base_dir_;
    std::uint64_t counter_hz_ = 0;  ///< the scenario's counter, known before any VM is loaded
};

// ---- Section ----------------------------------------------------------------------------

Loader::Section::Section(const Loader& loader, const Field& field, const std::vector<std::string>& accepted,
                         const std::string& what)
    : loader_(loader), field_(field) {
    loader.refuse_tag(field);
    if (!field.node.IsMap())
        loader.fail(field, "expected a mapping of " + what + " (keys " + join(accepted) + "), got " +
                               describe(field.node));
    for (auto it = field.node.begin(); it != field.node.end(); ++it) {
        const YAML::Node key = it->first;  // copies: the iterator's pair is a temporary proxy
        const YAML::Node value = it->second;
        const int key_line = line_of(key, field.line);
        if (!key.IsScalar())
            loader.fail(key_line, field.path, "expected a key name (" + join(accepted) + "), got " + describe(key));
        const std::string name = key.Scalar();
        const std::string path = child_path(field.path, name);
        loader.refuse_tag(Field{path, key, key_line});
        if (std::find(accepted.begin(), accepted.end(), name) == accepted.end())
            loader.fail(key_line, path, "unknown key '" + name + "'; accepted keys: " + join(accepted));
        if (const auto previous = entries_.find(name); previous != entries_.end())
            loader.fail(key_line, path, "duplicate key (first written at line " +
                                            std::to_string(previous->second.line) + "); each key may appear once");
        entries_.emplace(name, Field{path, value, key_line});
    }
}

std::optional<Field> Loader::Section::get(const std::string& key) const {
    if (const auto it = entries_.find(key); it != entries_.end()) return it->second;
    return std::nullopt;
}

Field Loader::Section::require(const std::string& key) const {
    if (auto f = get(key)) return *f;
    loader_.fail(field_.line, child_path(field_.path, key),
                 "missing; " + (field_.path.empty() ? std::string("the scenario") : field_.path) +
                     " requires this key");
}

// ---- scalar values ----------------------------------------------------------------------

std::string Loader::scalar(const Field& f, const std::string& expected) const {
    refuse_tag(f);
    if (!f.node.IsScalar()) fail(f, "expected " + expected + ", got " + describe(f.node));
    return f.node.Scalar();
}

void Loader::refuse_plus(const Field& f, const std::string& text, const std::string& expected) const {
    // Numbers are written as they are (no exponent, no sign): "+2 kHz" is refused like "2e3 Hz".
    if (const std::string t = trim(text); !t.empty() && t[0] == '+')
        fail(f, "a sign in " + in_quotes(text) + "; expected " + expected + ", without '+'");
}

void Loader::refuse_tag(const Field& f) const {
    // yaml-cpp's tags: "?" for a plain value, "!" for a quoted one; anything else was written
    // (`!!str 2`, `!!int 4`, `!custom x`). A tag changes what a value is (`!!str 2` is a
    // string, not the integer 2) and nothing in a scenario needs one: refuse it rather than
    // read the value one way or the other.
    const std::string& tag = f.node.Tag();
    if (tag.empty() || tag == "?" || tag == "!") return;
    const std::string core = "tag:yaml.org,2002:";
    const std::string shown = tag.rfind(core, 0) == 0 ? "!!" + tag.substr(core.size()) : tag;
    fail(f, "the explicit YAML tag '" + shown + "' is not accepted; write the value without a tag");
}

std::string Loader::identifier(const Field& f) const {
    const std::string name = scalar(f, "a name of letters, digits, '_', '.' and '-'");
    if (name.empty()) fail(f, "empty name; expected letters, digits, '_', '.' and '-'");
    // Names become directory names and CSV/JSON fields: keep them to a portable alphabet.
    for (const char c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-')
            fail(f, in_quotes(name) + " contains " + in_quotes(std::string(1, c)) +
                        "; a name may contain only letters, digits, '_', '.' and '-'");
    if (name == "." || name == "..") fail(f, in_quotes(name) + " is not a usable name (it means a directory)");
    if (name.size() > kMaxNameLength)
        fail(f, "a name of " + std::to_string(name.size()) + " characters; a name has at most " +
                    std::to_string(kMaxNameLength) + " (it becomes a file name)");
    return name;
}

std::uint64_t Loader::unsigned_integer(const Field& f, std::uint64_t min, std::uint64_t max,
                                       const std::string& expected_values) const {
    const bool whole_type = max == std::numeric_limits<unsigned>::max() ||
                            max == std::numeric_limits<std::uint64_t>::max();
    const std::string expected =
        !expected_values.empty() ? expected_values
        : whole_type             ? std::string("an unsigned integer")
                                 : "an unsigned integer " + std::to_string(min) + ".." + std::to_string(max);
    const std::string text = scalar(f, expected);
    // A quoted value is a string in YAML: "4" is not the number 4.
    if (f.node.Tag() == "!") fail(f, "expected " + expected + ", got the string " + in_quotes(text));
    const bool all_digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
    if (!all_digits) {
        if (text[0] == '-' && split_decimal(text)) fail(f, "negative value " + in_quotes(text) + "; expected " + expected);
        fail(f, "expected " + expected + ", got " + in_quotes(text));
    }
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > max || value < min)
        fail(f, in_quotes(text) + " is out of range; expected " + expected);
    return value;
}

bool Loader::boolean(const Field& f) const {
    const std::string text = scalar(f, "true or false");
    if (f.node.Tag() != "!") {
        if (text == "true") return true;
        if (text == "false") return false;
    }
    // yes/no/on/off are YAML 1.1 booleans but strings in YAML 1.2: accept neither reading.
    fail(f, "expected true or false, got " + in_quotes(text));
}

std::uint64_t Loader::time_ps(const Field& f, bool allow_zero) const {
    const std::string expected_units = "ps, ns, us, ms or s";
    const std::string text = scalar(f, "a time with unit " + expected_units + ", e.g. \"2 us\"");
    // A scenario has no single CPU clock (each VM's timing profile has its own), so a time in
    // cycles would be ambiguous: refuse it rather than guess a clock.
    if (const auto d = split_decimal(text); d && (d->suffix == "cycles" || d->suffix == "cycle"))
        fail(f, in_quotes(text) + ": cycles are not accepted in a scenario (no single clock applies); expected a "
                               "time with unit " + expected_units + ", e.g. \"2 us\"");
    std::uint64_t ps = 0;
    try {
        ps = vgic::tlm::parse_time_ps(text, 1'000'000'000);
    } catch (const vgic::tlm::TimingProfileError& e) {
        // The shared parser lists cycles among its units; a scenario does not accept them.
        std::string message = e.what();
        const std::string with_cycles = "ps, ns, us, ms, s or cycles";
        if (const auto at = message.find(with_cycles); at != std::string::npos)
            message.replace(at, with_cycles.size(), expected_units);
        fail(f, message);
    }
    if (ps == 0 && !allow_zero) fail(f, in_quotes(text) + " is zero; expected a time > 0");
    return ps;
}

double Loader::rate_hz(const Field& f) const {
    const std::string expected = "a rate \"<number> <unit>\" > 0 with unit Hz, kHz, MHz or GHz, e.g. \"250 Hz\"";
    const std::string text = scalar(f, expected);
    refuse_plus(f, text, expected);
    const auto d = split_decimal(text);
    if (!d) fail(f, "malformed rate " + in_quotes(text) + "; expected " + expected);
    static const std::pair<const char*, double> units[] = {{"Hz", 1.0}, {"kHz", 1e3}, {"MHz", 1e6}, {"GHz", 1e9}};
    const auto unit = std::find_if(std::begin(units), std::end(units),
                                   [&](const auto& u) { return d->suffix == u.first; });
    if (d->suffix.empty()) fail(f, "missing unit in " + in_quotes(text) + "; expected " + expected);
    if (unit == std::end(units))
        fail(f, "unknown unit '" + d->suffix + "' in " + in_quotes(text) + "; expected " + expected);
    const double hz = d->value * unit->second;
    if (d->negative && hz != 0) fail(f, "negative rate " + in_quotes(text) + "; expected " + expected);
    if (hz == 0) fail(f, "zero rate " + in_quotes(text) + "; expected " + expected);
    if (hz > kMaxRateHz) fail(f, in_quotes(text) + " is too fast; a rate is at most 1000 GHz (a period of 1 ps)");
    if (hz < kMinRateHz) fail(f, in_quotes(text) + " is too slow; a rate is at least 0.000001 Hz");
    return hz;
}

std::size_t Loader::choice(const Field& f, const std::vector<std::string>& options) const {
    const std::string expected = "one of " + join(options, ", ");
    const std::string text = scalar(f, expected);
    const auto it = std::find(options.begin(), options.end(), text);
    if (it == options.end()) fail(f, in_quotes(text) + " is not " + expected);
    return static_cast<std::size_t>(it - options.begin());
}

std::vector<Field> Loader::sequence(const Field& f, const std::string& what) const {
    refuse_tag(f);
    if (!f.node.IsSequence()) fail(f, "expected a sequence of " + what + ", got " + describe(f.node));
    std::vector<Field> elements;
    for (std::size_t i = 0; i < f.node.size(); ++i) {
        const YAML::Node element = f.node[i];
        elements.push_back(Field{f.path + "[" + std::to_string(i) + "]", element, line_of(element, f.line)});
    }
    return elements;
}

/// 1 / rate in picoseconds, rounded to the nearest (kMinRateHz..kMaxRateHz keeps it in 1..1e18).
std::uint64_t period_of(double rate_hz) {
    return static_cast<std::uint64_t>(std::llround(static_cast<double>(kPsPerS) / rate_hz));
}

// ---- sections ---------------------------------------------------------------------------

void Loader::load_scheduler(const Field& f, SchedulerSpec& scheduler) const {
    const Section s(*this, f, {"slice", "wfi"}, "scheduler keys");
    if (auto slice = s.get("slice")) scheduler.slice_ps = time_ps(*slice, false);
    if (auto wfi = s.get("wfi"))
        scheduler.wfi = choice(*wfi, {"block", "stay"}) == 0 ? SchedulerSpec::Wfi::Block : SchedulerSpec::Wfi::Stay;
}

void Loader::check_gic(const Section& s, const VmSpec& vm) const {
    try {
        config_of(vm).validate();
    } catch (const vgic::ConfigError& e) {
        const std::string model_message = e.what();
        const auto from = [&](const char* field) { return model_message.rfind(field, 0) == 0; };
        const std::string invalid = std::string(": not a valid ") + version_name(vm.gic) + " configuration (" +
                                    model_message + ")";
        // Blame the scenario key the offending GicConfig field comes from.
        const auto blame = [&](const char* key, const std::string& what) {
            const auto field = s.get(key);
            fail(field ? field->line : s.field().line, child_path(s.field().path, key), what + invalid);
        };
        if (from("GicConfig.num_cpus")) blame("vcpus", std::to_string(vm.vcpus) + " vCPUs");
        if (from("GicConfig.num_spis")) blame("spis", std::to_string(vm.spis) + " SPIs");
        if (from("VirtConfig.num_list_regs")) blame("lrs", std::to_string(vm.lrs) + " list registers");
        fail(s.field(), "the VM" + invalid);
    }
}

void Loader::load_hypervisor(const Field& f, VmSpec& vm) const {
    const std::string value = scalar(f, "a hypervisor preset name or a hypervisor file (.json, .yaml, .yml)");
    if (trim(value).empty()) fail(f, "empty hypervisor; expected a preset name or a hypervisor file");
    if (vm.mode == VmMode::Hw)
        fail(f, "a hw VM has no hypervisor on its interrupt path (mode: hw): remove the key, or use mode: vm");
    if (vm.profile.legacy_hypervisor)
        fail(f, "the timing profile '" + vm.timing + "' holds hypervisor costs too (keys such as kick, exit, "
                "gicd_trap: " + std::to_string(vm.profile.warnings.size()) +
                " of them, or the alias zcu104-bao); with `hypervisor:` they would be ignored: move them into "
                "the hypervisor file, or use the timing preset a53-gic400");
    const std::string resolved = resolve_profile_path(value, vgic::tlm::hypervisor_preset_names());
    try {
        vm.hyp = vgic::tlm::load_hypervisor_profile(resolved);
    } catch (const vgic::tlm::TimingProfileError& e) {
        fail(f, e.what());
    }
    vm.hypervisor = resolved;
}

std::string Loader::resolve_profile_path(const std::string& value, const std::vector<std::string>& presets) const {
    std::string resolved = value;
    if (std::find(presets.begin(), presets.end(), value) == presets.end()) {
        namespace fs = std::filesystem;
        std::string extension = fs::path(value).extension().string();
        std::transform(extension.begin(), extension.end(), extension.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        const bool profile_file = extension == ".json" || extension == ".yaml" || extension == ".yml";
        // Only a file name is resolved: an unknown preset name stays as written, so the profile
        // loader's message ("unknown ... preset ...; available presets: ...") quotes it as is.
        if (profile_file && fs::path(value).is_relative() && !base_dir_.empty())
            resolved = (fs::path(base_dir_) / value).lexically_normal().string();
    }
    return resolved;
}

void Loader::load_timing(const Field& f, VmSpec& vm) const {
    const std::string value = scalar(f, "a timing preset name or a profile file (.json, .yaml, .yml)");
    if (trim(value).empty()) fail(f, "empty timing; expected a preset name or a profile file");
    const std::string resolved = resolve_profile_path(value, vgic::tlm::timing_preset_names());
    try {
        vm.profile = vgic::tlm::load_timing_profile(resolved);
    } catch (const vgic::tlm::TimingProfileError& e) {
        fail(f, e.what());
    }
    vm.timing = resolved;
}

void Loader::check_at_least_one_tick(const Field& f, std::uint64_t ps) const {
    // ps * hz < 1 s, without overflow: ps < ceil(1 s / hz), the length of one tick rounded up.
    const std::uint64_t tick_ps = kPsPerS / counter_hz_ + (kPsPerS % counter_hz_ != 0 ? 1 : 0);
    if (ps < tick_ps)
        fail(f, in_quotes(f.node.Scalar()) + " is shorter than one tick of the " +
                    vgic::tlm::format_frequency(counter_hz_) + " counter (" +
                    vgic::tlm::format_time(kPsPerS / counter_hz_) +
                    "): the guest programs the timer in counter ticks (CVAL), so a time below one tick "
                    "cannot be programmed");
}

void Loader::load_timer(const Field& f, TimerSpec& timer) const {
    const Section s(*this, f, {"mode", "rate", "period", "first", "after"}, "timer keys");
    const std::size_t mode = choice(s.require("mode"), {"periodic", "oneshot", "none"});
    const auto refuse_unless = [&](const char* key, bool allowed, const char* applies_to) {
        if (const auto field = s.get(key); field && !allowed)
            fail(*field, std::string("applies to ") + applies_to + " only (this timer's mode is " +
                             s.require("mode").node.Scalar() + ")");
    };
    refuse_unless("rate", mode == 0, "a periodic timer");
    refuse_unless("period", mode == 0, "a periodic timer");
    refuse_unless("first", mode == 0, "a periodic timer");
    refuse_unless("after", mode == 1, "a oneshot timer");
    if (mode == 0) {
        timer.kind = TimerSpec::Kind::Periodic;
        const auto rate = s.get("rate");
        const auto period = s.get("period");
        if (rate && period)
            fail(*period, "give either rate or period, not both (rate is at line " + std::to_string(rate->line) + ")");
        if (!rate && !period)
            fail(s.field(), "a periodic timer needs rate (e.g. \"250 Hz\") or period (e.g. \"4 ms\")");
        if (rate) {
            // A rate up to the counter's frequency is a period of at least one tick.
            const double hz = rate_hz(*rate);
            if (hz > static_cast<double>(counter_hz_))
                fail(*rate, in_quotes(rate->node.Scalar()) + " is faster than the " +
                                vgic::tlm::format_frequency(counter_hz_) +
                                " counter: the guest programs the timer in counter ticks (CVAL), so a period "
                                "below one tick (" + vgic::tlm::format_time(kPsPerS / counter_hz_) +
                                ") cannot be programmed");
            timer.period_ps = period_of(hz);
        } else {
            timer.period_ps = time_ps(*period, false);
            check_at_least_one_tick(*period, timer.period_ps);
        }
        // first_ps = 0 encodes "one period after boot", so an explicit first tick must be > 0.
        timer.first_ps = 0;
        if (auto first = s.get("first")) {
            timer.first_ps = time_ps(*first, false);
            check_at_least_one_tick(*first, timer.first_ps);
        }
    } else if (mode == 1) {
        timer.kind = TimerSpec::Kind::OneShot;
        timer.period_ps = 0;
        const Field after = s.require("after");
        timer.first_ps = time_ps(after, false);
        check_at_least_one_tick(after, timer.first_ps);
    } else {
        timer.kind = TimerSpec::Kind::None;
        timer.period_ps = 0;
        timer.first_ps = 0;
    }
}

void Loader::load_ipi(const Field& f, const VmSpec& vm, IpiSpec& ipi) const {
    const Section s(*this, f, {"rate", "sgi", "targets", "senders", "measure"}, "IPI keys");
    if (auto measure = s.get("measure")) ipi.measure = boolean(*measure);
    ipi.rate_hz = rate_hz(s.require("rate"));
    if (auto sgi = s.get("sgi")) ipi.sgi = static_cast<std::uint32_t>(unsigned_integer(*sgi, 0, 15));
    if (auto targets = s.get("targets")) {
        static const IpiSpec::Targets kinds[] = {IpiSpec::Targets::Next, IpiSpec::Targets::All,
                                                 IpiSpec::Targets::AllButSelf};
        ipi.targets = kinds[choice(*targets, {"next", "all", "all_but_self"})];
        if (ipi.targets == IpiSpec::Targets::AllButSelf && vm.vcpus == 1)
            fail(*targets, "all_but_self sends to nobody in VM '" + vm.name + "' (it has 1 vCPU)");
    }
    if (auto senders = s.get("senders")) {
        const auto elements = sequence(*senders, "vCPU indices");
        if (elements.empty()) fail(*senders, "empty list; expected the vCPUs that send IPIs");
        for (const Field& e : elements) {
            const auto c = static_cast<unsigned>(unsigned_integer(
                e, 0, vm.vcpus - 1, "a vCPU index 0.." + std::to_string(vm.vcpus - 1) + " of VM '" + vm.name + "'"));
            if (std::find(ipi.senders.begin(), ipi.senders.end(), c) != ipi.senders.end())
                fail(e, "vCPU " + std::to_string(c) + " is listed twice");
            ipi.senders.push_back(c);
        }
    }
}

void Loader::load_guest(const Field& f, const VmSpec& vm, GuestSpec& guest) const {
    const Section s(*this, f, {"boot", "split_eoi", "irq_entry", "timer", "ipi", "handler"}, "guest keys");
    if (auto boot = s.get("boot")) guest.boot = boolean(*boot);
    if (auto split = s.get("split_eoi")) guest.split_eoi = boolean(*split);
    if (auto entry = s.get("irq_entry")) {
        const std::uint64_t ps = time_ps(*entry, true);
        if (ps > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            fail(*entry, in_quotes(entry->node.Scalar()) + " is too large");
        guest.irq_entry_ps = static_cast<std::int64_t>(ps);
    }
    if (auto timer = s.get("timer")) load_timer(*timer, guest.timer);
    if (auto ipi = s.get("ipi")) load_ipi(*ipi, vm, guest.ipi);
    if (auto handler = s.get("handler")) {
        const Section h(*this, *handler, {"timer", "device", "ipi"}, "handler durations");
        if (auto t = h.get("timer")) guest.handler.timer_ps = time_ps(*t, true);
        if (auto t = h.get("device")) guest.handler.device_ps = time_ps(*t, true);
        if (auto t = h.get("ipi")) guest.handler.ipi_ps = time_ps(*t, true);
    }
}

VmSpec Loader::load_vm(const Field& f, unsigned scenario_pcpus, VmOrigin& origin) const {
    const Section s(*this, f, {"name", "gic", "mode", "vcpus", "lrs", "spis", "timing", "hypervisor", "pcpus", "guest"},
                    "VM keys");
    VmSpec vm;
    vm.line = f.line;
    origin.path = f.path;
    origin.name = s.require("name");
    vm.name = identifier(origin.name);
    vm.gic = choice(s.require("gic"), {"v2", "v3"}) == 0 ? GicVersion::V2 : GicVersion::V3;
    origin.mode = f;
    if (auto mode = s.get("mode")) {
        vm.mode = choice(*mode, {"vm", "hw"}) == 0 ? VmMode::Vm : VmMode::Hw;
        origin.mode = *mode;
    }
    constexpr std::uint64_t kUnsignedMax = std::numeric_limits<unsigned>::max();
    // Only the type is checked here: the ranges are the model's (check_gic).
    vm.vcpus = static_cast<unsigned>(unsigned_integer(s.require("vcpus"), 0, kUnsignedMax));
    if (auto lrs = s.get("lrs")) vm.lrs = static_cast<unsigned>(unsigned_integer(*lrs, 0, kUnsignedMax));
    if (auto spis = s.get("spis")) vm.spis = static_cast<unsigned>(unsigned_integer(*spis, 0, kUnsignedMax));
    check_gic(s, vm);
    if (auto timing = s.get("timing"))
        load_timing(*timing, vm);
    else
        vm.profile = vgic::tlm::load_timing_profile(vm.timing);
    if (auto hypervisor = s.get("hypervisor")) {
        load_hypervisor(*hypervisor, vm);
    } else if (vm.profile.legacy_hypervisor) {
        // A timing file written when one profile held both (or the alias zcu104-bao).
        vm.hyp = *vm.profile.legacy_hypervisor;
        vm.hypervisor = vm.timing;
    } else {
        vm.hyp = vgic::tlm::hypervisor_preset(vm.hypervisor);
    }
    if (vm.mode == VmMode::Hw) vm.hypervisor = "none";
    if (auto pcpus = s.get("pcpus")) {
        const auto elements = sequence(*pcpus, "pCPU indices");
        if (elements.empty()) fail(*pcpus, "empty list; expected the pCPU of each vCPU");
        if (elements.size() > vm.vcpus)
            fail(*pcpus, std::to_string(elements.size()) + " pCPUs listed for " + std::to_string(vm.vcpus) +
                             " vCPUs; vCPU i runs on pcpus[i % length], so extra entries would never be used");
        for (const auto& element : elements)
            vm.pcpus.push_back(static_cast<unsigned>(unsigned_integer(
                element, 0, scenario_pcpus - 1,
                "a pCPU index 0.." + std::to_string(scenario_pcpus - 1) + " (the scenario has " +
                    std::to_string(scenario_pcpus) + " pcpus)")));
        origin.pcpus = *pcpus;
    } else {
        for (unsigned i = 0; i < vm.vcpus; ++i) vm.pcpus.push_back(i % scenario_pcpus);
    }
    if (auto guest = s.get("guest")) load_guest(*guest, vm, vm.guest);
    return vm;
}

void Loader::check_hw_pinning(const Scenario& s, const std::vector<VmOrigin>& origins) const {
    const auto pcpus_used = [](const VmSpec& vm) {
        std::set<unsigned> used;
        for (unsigned i = 0; i < vm.vcpus; ++i) used.insert(vm.pcpus[i % vm.pcpus.size()]);
        return used;
    };
    const auto where = [&](unsigned vm) -> const Field& {
        return origins[vm].pcpus ? *origins[vm].pcpus : origins[vm].mode;
    };
    const auto named = [&](unsigned vm) { return "VM '" + s.vms[vm].name + "' (" + origins[vm].path + ")"; };
    for (unsigned hw = 0; hw < s.vms.size(); ++hw) {
        const VmSpec& vm = s.vms[hw];
        if (vm.mode != VmMode::Hw) continue;
        const auto own = pcpus_used(vm);
        if (own.size() != vm.vcpus) {
            std::vector<std::string> listed;
            for (unsigned p : own) listed.push_back(std::to_string(p));
            fail(where(hw), "hw mode pins each vCPU to a pCPU of its own, but the " + std::to_string(vm.vcpus) +
                                " vCPUs of " + named(hw) + " run on " + std::to_string(own.size()) + " pCPU" +
                                (own.size() == 1 ? "" : "s") + " (" + join(listed) + ")");
        }
        for (unsigned other = 0; other < s.vms.size(); ++other) {
            if (other == hw) continue;
            for (unsigned p : pcpus_used(s.vms[other])) {
                if (!own.count(p)) continue;
                // Report at the later of the two declarations: the one that made the conflict.
                const unsigned later = std::max(hw, other);
                fail(where(later), "pCPU " + std::to_string(p) + " belongs to hw-mode " + named(hw) +
                                       " and is also used by " + named(other) +
                                       "; a hw-mode VM's pCPUs may not be shared");
            }
        }
    }
}

DeviceSpec Loader::load_device(const Field& f, const Scenario& s, DeviceOrigin& origin) const {
    const Section d(*this, f,
                    {"name", "vm", "intid", "pattern", "rate", "burst", "trigger", "pulse", "target", "start"},
                    "device keys");
    DeviceSpec device;
    device.line = f.line;
    origin.name = d.require("name");
    device.name = identifier(origin.name);

    const Field vm_field = d.require("vm");
    const std::string vm_name = scalar(vm_field, "the name of a VM");
    const auto vm_it = std::find_if(s.vms.begin(), s.vms.end(), [&](const VmSpec& v) { return v.name == vm_name; });
    if (vm_it == s.vms.end()) {
        std::vector<std::string> names;
        for (const auto& v : s.vms) names.push_back(v.name);
        fail(vm_field, "no VM is named " + in_quotes(vm_name) + "; the VMs are " + join(names));
    }
    device.vm = static_cast<unsigned>(vm_it - s.vms.begin());
    const VmSpec& vm = *vm_it;

    const Field intid = d.require("intid");
    origin.intid = intid;
    device.intid = static_cast<std::uint32_t>(unsigned_integer(intid, 0, std::numeric_limits<std::uint32_t>::max()));
    if (vm.spis == 0) fail(intid, "VM '" + vm.name + "' has no SPIs (spis: 0); a device needs an SPI");
    const std::uint32_t last = std::min<std::uint32_t>(kFirstSpi + vm.spis - 1, kLastSpi);
    if (device.intid < kFirstSpi || device.intid > last)
        fail(intid, "INTID " + std::to_string(device.intid) + " is not an SPI of VM '" + vm.name + "': its " +
                        std::to_string(vm.spis) + " SPIs are INTIDs " + std::to_string(kFirstSpi) + ".." +
                        std::to_string(last));

    static const DeviceSpec::Pattern patterns[] = {DeviceSpec::Pattern::Periodic, DeviceSpec::Pattern::Poisson,
                                                   DeviceSpec::Pattern::Burst};
    device.pattern = patterns[choice(d.require("pattern"), {"periodic", "poisson", "burst"})];
    device.rate_hz = rate_hz(d.require("rate"));
    const std::uint64_t period = period_of(device.rate_hz);

    const auto burst = d.get("burst");
    if (device.pattern == DeviceSpec::Pattern::Burst) {
        if (!burst) fail(d.field().line, child_path(f.path, "burst"), "missing; pattern burst requires burst {count, spacing}");
        const Section b(*this, *burst, {"count", "spacing"}, "burst keys");
        device.burst_count = static_cast<unsigned>(unsigned_integer(b.require("count"), 1, kMaxBurstCount));
        device.burst_spacing_ps = time_ps(b.require("spacing"), false);
        const long double burst_length = static_cast<long double>(device.burst_count) * device.burst_spacing_ps;
        if (burst_length >= static_cast<long double>(kPsPerS) / device.rate_hz) {
            const bool printable = burst_length <= static_cast<long double>(std::numeric_limits<std::uint64_t>::max());
            fail(*burst, std::to_string(device.burst_count) + " interrupts every " +
                             vgic::tlm::format_time(device.burst_spacing_ps) + " take " +
                             (printable ? vgic::tlm::format_time(static_cast<std::uint64_t>(burst_length))
                                        : std::string("more than 213 days")) +
                             ", not shorter than the burst period " + vgic::tlm::format_time(period) +
                             " (1 / rate): bursts would overlap");
        }
    } else if (burst) {
        fail(*burst, "applies to pattern burst only (this device's pattern is " + d.require("pattern").node.Scalar() + ")");
    }

    if (auto trigger = d.get("trigger")) device.edge = choice(*trigger, {"edge", "level"}) == 0;
    if (auto pulse = d.get("pulse")) {
        if (!device.edge) fail(*pulse, "applies to edge-triggered devices only (a level stays asserted until the handler clears it)");
        device.pulse_ps = time_ps(*pulse, false);
    }
    if (device.edge) {
        // The line must fall between two edges, or the GIC would see one long assertion.
        const bool bursty = device.pattern == DeviceSpec::Pattern::Burst && device.burst_count > 1;
        const std::uint64_t gap = bursty ? device.burst_spacing_ps : period;
        if (device.pattern != DeviceSpec::Pattern::Poisson && device.pulse_ps >= gap) {
            const auto pulse = d.get("pulse");
            fail(pulse ? *pulse : d.field(), "an edge pulse of " + vgic::tlm::format_time(device.pulse_ps) +
                                                 " is not shorter than the " + vgic::tlm::format_time(gap) +
                                                 " between two interrupts");
        }
    }
    if (auto target = d.get("target"))
        device.target_vcpu = static_cast<unsigned>(unsigned_integer(
            *target, 0, vm.vcpus - 1,
            "a vCPU index 0.." + std::to_string(vm.vcpus - 1) + " (VM '" + vm.name + "' has " +
                std::to_string(vm.vcpus) + " vCPUs)"));
    if (auto start = d.get("start")) device.start_ps = time_ps(*start, true);
    return device;
}

void Loader::load_calibration(const Field& f, const Scenario& s, CalibrationSpec& calibration) const {
    const Section c(*this, f, {"measurement", "source", "mean", "min", "p99", "max", "tolerance", "spread_tolerance"},
                    "calibration keys");
    calibration.present = true;
    bool timer = true;
    if (auto measurement = c.get("measurement")) {
        timer = choice(*measurement, {"timer_cntvct", "ipi_cntvct", "sgir_cost", "sgir_emulation"}) == 0;
        calibration.measurement = measurement->node.Scalar();
    }
    if (timer) {
        const bool any_timer = std::any_of(s.vms.begin(), s.vms.end(), [](const VmSpec& vm) {
            return vm.guest.timer.kind != TimerSpec::Kind::None;
        });
        if (!any_timer)
            fail(f, "timer_cntvct compares the timer latency, but no VM has a timer (every guest.timer.mode is none)");
    } else {
        const bool any_ipi =
            std::any_of(s.vms.begin(), s.vms.end(), [](const VmSpec& vm) { return vm.guest.ipi.rate_hz > 0; });
        if (!any_ipi)
            fail(f, calibration.measurement + " compares an IPI figure, but no VM sends IPIs (no guest.ipi.rate)");
    }
    calibration.source = scalar(c.require("source"), "a citation of the measurement");
    // The mean is what is compared; min, p99 and max are shown when the source gives them
    // (several published rows give only a mean).
    const Field mean = c.require("mean");
    const auto min = c.get("min"), p99 = c.get("p99"), max = c.get("max");
    calibration.mean_ps = time_ps(mean, true);
    if (calibration.mean_ps == 0) fail(mean, "a measured mean of 0 compares nothing; expected a time > 0");
    if (min) calibration.min_ps = time_ps(*min, true);
    if (p99) calibration.p99_ps = time_ps(*p99, true);
    if (max) calibration.max_ps = time_ps(*max, true);
    const auto ordered = [&](const Field& field, std::uint64_t value, const char* name) {
        if ((min && value < calibration.min_ps) || (max && value > calibration.max_ps))
            fail(field, std::string(name) + " " + vgic::tlm::format_time(value) + " is outside min..max (" +
                            (min ? vgic::tlm::format_time(calibration.min_ps) : std::string("-")) + ".." +
                            (max ? vgic::tlm::format_time(calibration.max_ps) : std::string("-")) + ")");
    };
    if (min && max && calibration.min_ps > calibration.max_ps)
        fail(*max, "max " + vgic::tlm::format_time(calibration.max_ps) + " is below min " +
                       vgic::tlm::format_time(calibration.min_ps));
    ordered(mean, calibration.mean_ps, "mean");
    if (p99) ordered(*p99, calibration.p99_ps, "p99");
    if (auto tolerance = c.get("tolerance")) {
        const std::string expected = "a fraction in (0, 1) such as 0.1, or a percentage such as \"10%\"";
        const std::string text = scalar(*tolerance, expected);
        refuse_plus(*tolerance, text, expected);
        const auto d = split_decimal(text);
        if (!d || d->negative || (!d->suffix.empty() && d->suffix != "%"))
            fail(*tolerance, "expected " + expected + ", got " + in_quotes(text));
        const double fraction = d->suffix == "%" ? d->value / 100 : d->value;
        if (!(fraction > 0 && fraction < 1)) fail(*tolerance, in_quotes(text) + " is out of range; expected " + expected);
        calibration.tolerance = fraction;
    }
    if (auto spread = c.get("spread_tolerance")) {
        calibration.spread_tolerance_ps = time_ps(*spread, true);
        if (calibration.spread_tolerance_ps == 0)
            fail(*spread, "a spread tolerance of 0 compares nothing; expected a time > 0 such as \"20 ns\"");
        if (!min && !p99 && !max) fail(*spread, "spread_tolerance compares min, p99 and max, but none of them is given");
        if (!s.variation)
            fail(*spread, "spread_tolerance compares the model's spread, but variation is off (every sample takes the "
                          "same time); add `variation: true` at the top level");
    }
}

void Loader::load_trace(const Field& f, const Scenario& s, TraceSpec& trace) const {
    const Section t(*this, f, {"intids"}, "trace keys");
    const auto intids = t.get("intids");
    if (!intids) return;  // `trace: {}`: the default
    trace.intids_given = true;
    trace.line = intids->line;
    std::vector<int> lines;  // where each INTID was written, for the repeat's message
    for (const Field& e : sequence(*intids, "INTIDs")) {
        const auto id = static_cast<std::uint32_t>(
            unsigned_integer(e, 0, kLastSpi, "an INTID 0.." + std::to_string(kLastSpi) + " (SGI, PPI or SPI)"));
        for (const VmSpec& vm : s.vms) {
            const std::uint32_t last = std::min<std::uint32_t>(kFirstSpi + vm.spis - 1, kLastSpi);
            if (id > last)
                fail(e, "INTID " + std::to_string(id) + " is not implemented by VM '" + vm.name + "': its GIC has " +
                            std::to_string(vm.spis) + " SPIs, so INTIDs 0.." + std::to_string(last) +
                            " (each INTID traced must exist in every VM)");
        }
        const auto seen = std::find(trace.intids.begin(), trace.intids.end(), id);
        if (seen != trace.intids.end())
            fail(e, "INTID " + std::to_string(id) + " is listed twice (first at line " +
                        std::to_string(lines[static_cast<std::size_t>(seen - trace.intids.begin())]) + ")");
        trace.intids.push_back(id);
        lines.push_back(e.line);
    }
}

Scenario Loader::load(const std::string& text) {
    // Not YAML::LoadAll: yaml-cpp 0.7 (Debian 12) never ends it on some malformed input (a
    // line starting with ',' yields empty documents forever; yaml-cpp issue 1040, found by
    // fuzz_scenario). check_yaml_text (shared with the profile loader) runs the parser on
    // events up to a second document, which it refuses, and refuses that input; Load then
    // builds the one document.
    std::vector<YAML::Node> documents;
    try {
        vgic::tlm::check_yaml_text(text);
    } catch (const vgic::tlm::InputError& e) {
        fail(e.line() > 0 ? e.line() : 1, "", e.what());
    }
    try {
        documents.push_back(YAML::Load(text));
    } catch (const YAML::Exception& e) {
        fail(e.mark.line >= 0 ? e.mark.line + 1 : 1, "", "YAML syntax error: " + e.msg);
    }
    const std::vector<std::string> top_keys = {"name", "duration", "seed",    "variation",  "pcpus",
                                               "counter", "scheduler", "vms", "devices", "calibration", "trace"};
    if (documents.empty() || (documents.size() == 1 && documents[0].IsNull()))
        fail(1, "", "the scenario is empty; expected a mapping with the keys " + join(top_keys));

    Scenario scenario;
    scenario.source = source_;
    scenario.text = text;
    const Field root{"", documents[0], line_of(documents[0], 1)};
    if (!documents[0].IsMap())
        fail(root.line, "", "expected a mapping with the keys " + join(top_keys) + " at the top level, got " +
                                (documents[0].IsSequence() ? "a sequence" : describe(documents[0])));
    const Section top(*this, root, top_keys, "scenario keys");

    scenario.name = identifier(top.require("name"));
    const Field duration = top.require("duration");
    scenario.duration_ps = time_ps(duration, false);
    if (scenario.duration_ps > kMaxDurationPs)
        fail(duration, in_quotes(duration.node.Scalar()) + " is longer than the limit of " + vgic::tlm::kMaxDurationText);
    if (auto seed = top.get("seed")) scenario.seed = unsigned_integer(*seed, 0, std::numeric_limits<std::uint64_t>::max());
    if (auto variation = top.get("variation")) scenario.variation = boolean(*variation);
    scenario.pcpus = static_cast<unsigned>(unsigned_integer(top.require("pcpus"), 1, kMaxPcpus));
    counter_hz_ = scenario.counter_hz;
    if (auto counter = top.get("counter")) {
        const std::string value = scalar(*counter, "a frequency such as \"100 MHz\"");
        try {
            // The model's limit (TimerConfig::validate), stated by the one range check.
            scenario.counter_hz =
                vgic::tlm::parse_frequency_hz(value, 1, vgic::kMaxCounterFrequencyHz, "a counter frequency");
        } catch (const vgic::tlm::TimingProfileError& e) {
            fail(*counter, e.what());
        }
        counter_hz_ = scenario.counter_hz;
    }
    if (auto scheduler = top.get("scheduler")) load_scheduler(*scheduler, scenario.scheduler);

    const Field vms = top.require("vms");
    const auto vm_fields = sequence(vms, "VMs");
    if (vm_fields.empty()) fail(vms, "no VMs; a scenario needs at least one");
    std::vector<VmOrigin> origins(vm_fields.size());
    for (std::size_t i = 0; i < vm_fields.size(); ++i) {
        VmSpec vm = load_vm(vm_fields[i], scenario.pcpus, origins[i]);
        for (std::size_t j = 0; j < scenario.vms.size(); ++j)
            if (scenario.vms[j].name == vm.name)
                fail(origins[i].name, "duplicate VM name " + in_quotes(vm.name) + " (also " + origins[j].path +
                                          ", line " + std::to_string(scenario.vms[j].line) + ")");
        for (const std::string& w : vm.profile.warnings)
            scenario.warnings.push_back(origins[i].path + ".timing: " + w);
        scenario.vms.push_back(std::move(vm));
    }
    check_hw_pinning(scenario, origins);

    if (auto devices = top.get("devices")) {
        const auto device_fields = sequence(*devices, "devices");
        std::vector<DeviceOrigin> device_origins(device_fields.size());
        for (std::size_t i = 0; i < device_fields.size(); ++i) {
            DeviceSpec device = load_device(device_fields[i], scenario, device_origins[i]);
            for (std::size_t j = 0; j < scenario.devices.size(); ++j) {
                const DeviceSpec& other = scenario.devices[j];
                const std::string where = " (devices[" + std::to_string(j) + "], line " + std::to_string(other.line) + ")";
                if (other.name == device.name)
                    fail(device_origins[i].name, "duplicate device name " + in_quotes(device.name) + where);
                if (other.vm == device.vm && other.intid == device.intid)
                    fail(device_origins[i].intid, "INTID " + std::to_string(device.intid) + " of VM '" +
                                                      scenario.vms[device.vm].name + "' is already raised by device '" +
                                                      other.name + "'" + where);
            }
            scenario.devices.push_back(std::move(device));
        }
    }
    if (auto calibration = top.get("calibration")) {
        load_calibration(*calibration, scenario, scenario.calibration);
        // An IPI figure needs the benchmark's stamps on every sender and receiver.
        if (scenario.calibration.measurement != "timer_cntvct")
            for (VmSpec& vm : scenario.vms) vm.guest.ipi.measure = vm.guest.ipi.rate_hz > 0;
    }
    if (auto trace = top.get("trace")) load_trace(*trace, scenario, scenario.trace);
    return scenario;
}

} // namespace

// ---- public API -------------------------------------------------------------------------

// The message quotes the file's name and text: never raw control or non-ASCII bytes (NUL,
// 0xFF, an ESC sequence) on the user's terminal, as the script parser's messages.
ScenarioError::ScenarioError(std::string file, int line, std::string key, const std::string& what)
    : std::runtime_error(vgic::tlm::printable(compose_message(file, line, key, what))),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

const char* irq_class_name(IrqClass c) {
    switch (c) {
    case IrqClass::DeviceSpi: return "device_spi";
    case IrqClass::TimerPpi: return "timer_ppi";
    case IrqClass::Ipi: return "ipi";
    case IrqClass::Maintenance: return "maintenance";
    }
    return "unknown";
}

std::vector<std::uint32_t> traced_intids(const Scenario& s, unsigned vm) {
    std::vector<std::uint32_t> ids;
    if (s.trace.intids_given) {
        ids = s.trace.intids;
    } else {
        for (const DeviceSpec& d : s.devices)
            if (d.vm == vm) ids.push_back(d.intid);
        const IpiSpec& ipi = s.vms.at(vm).guest.ipi;
        if (ipi.rate_hz > 0) ids.push_back(ipi.sgi);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

Scenario parse_scenario(const std::string& text, const std::string& source, const std::string& base_dir) {
    return Loader(source, base_dir).load(text);
}

Scenario load_scenario(const std::string& path) {
    namespace fs = std::filesystem;
    // One reader for every input file: a regular file or a FIFO, at most the input size
    // limit (vgic/tlm/input.hpp): /dev/zero or a huge file is refused, not read to exhaustion.
    std::string text;
    try {
        text = vgic::tlm::read_input_file(path);
    } catch (const vgic::tlm::InputError& e) {
        throw ScenarioError(path, 0, "", std::string("cannot read the scenario file: ") + e.what());
    }
    // Relative timing-profile paths are relative to the scenario file, wherever it is run from.
    std::string base_dir = fs::path(path).parent_path().string();
    if (base_dir.empty()) base_dir = ".";
    return parse_scenario(text, path, base_dir);
}

const char* default_scenario_text() {
    static const char* const text =
#include "default_scenario.inc"
        ;
    return text;
}

Scenario default_scenario() { return parse_scenario(default_scenario_text(), kBuiltInSource, "."); }

WorkEstimate estimate_work(const Scenario& s) {
    WorkEstimate w;
    const double seconds = static_cast<double>(s.duration_ps) / static_cast<double>(kPsPerS);
    for (const VmSpec& vm : s.vms) {
        w.vcpus += vm.vcpus;
        const TimerSpec& t = vm.guest.timer;
        if (t.kind == TimerSpec::Kind::Periodic && t.period_ps > 0)
            w.interrupts += vm.vcpus * (static_cast<double>(s.duration_ps) / static_cast<double>(t.period_ps));
        else if (t.kind == TimerSpec::Kind::OneShot)
            w.interrupts += vm.vcpus;
        const IpiSpec& ipi = vm.guest.ipi;
        if (ipi.rate_hz > 0) {
            const double senders = ipi.senders.empty() ? vm.vcpus : static_cast<double>(ipi.senders.size());
            const double targets = ipi.targets == IpiSpec::Targets::Next  ? 1.0
                                   : ipi.targets == IpiSpec::Targets::All ? vm.vcpus
                                                                          : (vm.vcpus > 0 ? vm.vcpus - 1.0 : 0.0);
            w.interrupts += senders * ipi.rate_hz * seconds * targets;
        }
    }
    for (const DeviceSpec& d : s.devices)
        w.interrupts += d.rate_hz * seconds * (d.pattern == DeviceSpec::Pattern::Burst ? d.burst_count : 1);
    w.events = w.interrupts + static_cast<double>(kEventsPerVcpu) * static_cast<double>(w.vcpus);
    return w;
}

void check_work(const Scenario& s, std::uint64_t max_events) {
    const WorkEstimate w = estimate_work(s);
    if (w.events <= static_cast<double>(max_events)) return;
    char text[400];
    std::snprintf(text, sizeof text,
                  "in %s the run would generate about %.3g interrupts and build %llu vCPUs: %.3g events (a vCPU "
                  "counts as %llu), more than the limit of %llu; shorten it or raise the limit with --max-events N "
                  "(docs/SCENARIO.md \"Work limit\")",
                  vgic::tlm::format_time(s.duration_ps).c_str(), w.interrupts, static_cast<unsigned long long>(w.vcpus), w.events,
                  static_cast<unsigned long long>(kEventsPerVcpu), static_cast<unsigned long long>(max_events));
    throw ScenarioError(s.source, 0, "", text);
}

vgic::GicConfig gic_config_of(const Scenario& s, unsigned vm) { return config_of(s.vms.at(vm)); }

} // namespace vgic::run
