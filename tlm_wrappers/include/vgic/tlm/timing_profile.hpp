// The timing profile of the cycle-approximate TLM layer: every latency the SystemC modules
// charge, as named data (never a literal in a module), loadable from a preset or a file.
//
// Plain C++17, no SystemC types: times are exact integers of picoseconds (SystemC's default
// time resolution is 1 ps, so a value converts to sc_time without rounding), the clock is
// an integer of Hz. The parameters are described once, in timing_parameters(): the file
// loader, describe(), the markdown table of docs/TIMING.md and the tests all read that
// table, so a parameter's name, unit and meaning exist in one place.
//
// File format (docs/TIMING.md): a JSON or YAML object with an optional `base` preset, an
// optional `name`, `clock` ("1.2 GHz") and parameter keys whose values carry a unit
// ("140 ns", "2.5 us", "300 ps", "12 cycles").
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace vgic::tlm {

/// Any problem with a timing profile: unknown preset, unreadable file, syntax error, unknown
/// key, bad value. The message names where (file, and line:column when known), the key, and
/// what was expected, e.g.
///   "slow.yaml:3:7: key 'kick': unknown unit 'nsec' in \"10 nsec\"; expected ps, ns, us,
///    ms, s or cycles".
class TimingProfileError : public std::runtime_error {
public:
    TimingProfileError(std::string source, std::string key, const std::string& message);
    /// The file path, preset name or other origin of the bad value ("" if none).
    const std::string& source() const noexcept { return source_; }
    /// The offending key ("" for errors that concern no single key, like a syntax error).
    const std::string& key() const noexcept { return key_; }

private:
    std::string source_;
    std::string key_;
};

/// One picosecond-valued parameter per member; see timing_parameters() for the meaning of
/// each (the same text as the table in docs/TIMING.md). Defaults: the `zero` preset.
struct TimingProfile {
    /// Preset name, the file's `name` key, or the file path.
    std::string name = "zero";
    /// Clock frequency in Hz: gives the length of a cycle to values written in cycles (the
    /// times themselves are stored in ps). Nominal 1 GHz in `zero`.
    std::uint64_t clock_hz = 1'000'000'000;

    // ---- register access latencies (initiator-visible b_transport delay) ---------------
    std::uint64_t gicd_access = 0;
    /// vm mode: a trapped guest GICD/GICR access or SGI-register write, the whole round trip.
    std::uint64_t gicd_trap = 0;
    std::uint64_t gicc_access = 0;
    std::uint64_t gich_access = 0;
    std::uint64_t gicv_access = 0;
    std::uint64_t gicr_access = 0;
    std::uint64_t sysreg_access = 0;
    std::uint64_t rwp_complete = 0;

    // ---- signalling -------------------------------------------------------------------------
    std::uint64_t signal_delay = 0;
    std::uint64_t irq_entry = 0;

    // ---- list-register engine (vm mode) -------------------------------------------------
    std::uint64_t kick = 0;
    std::uint64_t exit = 0;
    std::uint64_t entry = 0;
    std::uint64_t flush_per_lr = 0;
    std::uint64_t sync_per_lr = 0;
    std::uint64_t save_fixed = 0;
    std::uint64_t save_per_lr = 0;
    std::uint64_t restore_fixed = 0;
    std::uint64_t restore_per_lr = 0;

    /// `n` clock cycles in ps, rounded to the nearest ps (half up). Throws
    /// TimingProfileError if clock_hz is 0.
    std::uint64_t cycles(std::uint64_t n) const;
    /// One clock period in ps, rounded to the nearest ps.
    std::uint64_t clock_period() const { return cycles(1); }
    /// Cost of writing `lrs` list registers on a flush (vCPU entry).
    std::uint64_t flush_cost(unsigned lrs) const { return lrs * flush_per_lr; }
    /// Cost of reading back `lrs` non-empty list registers on a sync (vCPU exit).
    std::uint64_t sync_cost(unsigned lrs) const { return lrs * sync_per_lr; }
    /// Cost of saving a vCPU interface holding `lrs` list registers.
    std::uint64_t save_cost(unsigned lrs) const { return save_fixed + lrs * save_per_lr; }
    /// Cost of restoring a vCPU interface holding `lrs` list registers.
    std::uint64_t restore_cost(unsigned lrs) const { return restore_fixed + lrs * restore_per_lr; }
    /// True when every time parameter is 0: the model is purely functional.
    bool is_zero() const;

    /// Compares every parameter and the clock, not the name.
    bool same_timing(const TimingProfile& other) const;
};

/// How a parameter's value is written and stored.
enum class TimingUnit {
    Picoseconds,  ///< a time: "<number> ps|ns|us|ms|s|cycles", stored in ps
    Hertz,        ///< a frequency: "<number> Hz|kHz|MHz|GHz" or a plain number of Hz
};

/// One row of the parameter table.
struct TimingParameter {
    const char* key;         ///< the file key (snake_case); also the member's name except `clock`
    TimingUnit unit;
    const char* meaning;     ///< one line, used by describe() and docs/TIMING.md
    std::uint64_t TimingProfile::*member;
};

/// Every parameter, in documentation order (clock first).
const std::vector<TimingParameter>& timing_parameters();
/// The row for `key`, or nullptr.
const TimingParameter* find_timing_parameter(std::string_view key);

/// A built-in preset.
struct TimingPresetInfo {
    const char* name;
    const char* summary;  ///< one line: what it models and how it was calibrated
};
/// Every preset, in documentation order.
const std::vector<TimingPresetInfo>& timing_presets();
/// Names of every preset, in documentation order.
std::vector<std::string> timing_preset_names();
/// The preset `name`. Throws TimingProfileError listing the available presets.
TimingProfile timing_preset(const std::string& name);

/// A preset name, or a path to a .json, .yaml or .yml file (extension case-insensitive).
/// Throws TimingProfileError.
TimingProfile load_timing_profile(const std::string& preset_or_path);

enum class TimingFileFormat { Json, Yaml };
/// Parses the text of a profile file; `source` names it in error messages.
TimingProfile parse_timing_profile(const std::string& text, TimingFileFormat format,
                                   const std::string& source);

/// Sets one parameter from its textual value, e.g. ("kick", "1.5 us"); cycles use the
/// profile's current clock. For command-line overrides. Throws TimingProfileError.
void set_timing_parameter(TimingProfile& profile, const std::string& key, const std::string& value,
                          const std::string& source = "override");

/// "140 ns", "2.5 us", "833 ps", "12 cycles" (with `clock_hz`) -> ps. Throws TimingProfileError
/// with an empty source and key; the loader adds both.
std::uint64_t parse_time_ps(std::string_view text, std::uint64_t clock_hz);
/// "1.2 GHz", "100 MHz", "32768 Hz", "1200000000" -> Hz, in 1 Hz .. 100 GHz.
std::uint64_t parse_frequency_hz(std::string_view text);

/// Exact, shortest human form that parses back to the same value: "0 ps", "833 ps",
/// "140 ns", "220.833 ns", "2.5 us".
std::string format_time(std::uint64_t ps);
/// "1.2 GHz", "100 MHz", "32.768 kHz", "7 Hz" (exact).
std::string format_frequency(std::uint64_t hz);

/// A plain-text table of `profile`: one line per parameter with value and meaning.
std::string describe(const TimingProfile& profile);
/// The markdown table of docs/TIMING.md: one row per parameter, one column per preset.
std::string timing_markdown_table();

} // namespace vgic::tlm
