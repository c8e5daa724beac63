// SPDX-License-Identifier: Apache-2.0
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
// ("140 ns", "2.5 us", "300 ps", "12 cycles"). A time parameter may instead be a mapping
// that gives its value and its spread: the distribution a run with variation draws it from
// ({value: 140 ns, spread: normal, mean: 140 ns, sd: 6 ns, min: 120 ns, max: 160 ns}).
#pragma once

#include "vgic/tlm/export.hpp"

#include "vgic/tlm/spread.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
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
class VGIC_TIMING_API TimingProfileError : public std::runtime_error {
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

/// The software on an interrupt's path in vm mode: what the hypervisor does, step by step,
/// each a picosecond duration (docs/TIMING.md "Hypervisor profiles", docs/CALIBRATION.md).
/// The hardware it runs on (GIC accesses, propagation, exception entry) is the
/// TimingProfile's; a step here is the hypervisor's own work. Defaults: the `zero` preset.
struct VGIC_TIMING_API HypervisorProfile {
    /// Preset name, the file's `name` key, or the file path.
    std::string name = "zero";
    /// Clock frequency in Hz for values written in cycles (the CPU's clock).
    std::uint64_t clock_hz = 1'000'000'000;

    // ---- a trapped guest access (GICD/GICR, SGI-register write) ------------------------
    std::uint64_t trap_entry = 0;
    std::uint64_t emulate = 0;
    std::uint64_t trap_return = 0;
    // ---- telling another physical CPU (an interrupt for a vCPU running elsewhere) ------
    std::uint64_t ipi_send = 0;
    std::uint64_t ipi_receive = 0;
    // ---- the list-register engine ----------------------------------------------------
    std::uint64_t kick = 0;
    std::uint64_t exit = 0;
    std::uint64_t entry = 0;
    std::uint64_t flush_per_lr = 0;
    std::uint64_t sync_per_lr = 0;
    std::uint64_t save_fixed = 0;
    std::uint64_t save_per_lr = 0;
    std::uint64_t restore_fixed = 0;
    std::uint64_t restore_per_lr = 0;

    /// Seeded variation (docs/TIMING.md "Spread"): the distribution of a parameter, by its
    /// key, drawn only by a run that asks for variation (VgicParams::variation_seed). A
    /// parameter without an entry is exact. Setting a parameter to a plain value removes its
    /// entry.
    std::map<std::string, Spread, std::less<>> spread;
    /// The spread of `key`, or nullptr.
    const Spread* spread_of(std::string_view key) const;
    /// This profile with every varied parameter at its spread's max: the slowest a run with
    /// variation can be (for bounds such as the wake-up bound), without spreads.
    HypervisorProfile upper() const;

    std::uint64_t cycles(std::uint64_t n) const;
    /// A trapped access's round trip as the guest sees it, with `remote` other physical CPUs
    /// told: trap_entry + emulate + remote x ipi_send + trap_return.
    std::uint64_t trap_round_trip(unsigned remote = 0) const {
        return trap_entry + emulate + remote * ipi_send + trap_return;
    }
    /// Cost of writing `lrs` list registers on a flush (vCPU entry).
    std::uint64_t flush_cost(unsigned lrs) const { return lrs * flush_per_lr; }
    /// Cost of reading back `lrs` non-empty list registers on a sync (vCPU exit).
    std::uint64_t sync_cost(unsigned lrs) const { return lrs * sync_per_lr; }
    /// Cost of saving a vCPU interface holding `lrs` list registers.
    std::uint64_t save_cost(unsigned lrs) const { return save_fixed + lrs * save_per_lr; }
    /// Cost of restoring a vCPU interface holding `lrs` list registers.
    std::uint64_t restore_cost(unsigned lrs) const { return restore_fixed + lrs * restore_per_lr; }
    /// True when every time parameter is 0.
    bool is_zero() const;
    /// Compares every parameter, spread and the clock, not the name.
    bool same_timing(const HypervisorProfile& other) const;
};

/// The store to a GIC frame is acknowledged to the CPU only when it takes effect (no early
/// write acknowledgement): the value of TimingProfile::posted_write_ack, written "none".
inline constexpr std::uint64_t kNotPosted = ~std::uint64_t{0};

/// One picosecond-valued parameter per member; see timing_parameters() for the meaning of
/// each (the same text as the table in docs/TIMING.md). Defaults: the `zero` preset.
/// The hardware only: GIC frame accesses, propagation, the CPU's exception entry. The
/// hypervisor's software costs are a HypervisorProfile.
struct VGIC_TIMING_API TimingProfile {
    /// Preset name, the file's `name` key, or the file path.
    std::string name = "zero";
    /// Clock frequency in Hz: gives the length of a cycle to values written in cycles (the
    /// times themselves are stored in ps). Nominal 1 GHz in `zero`.
    std::uint64_t clock_hz = 1'000'000'000;

    // ---- register access latencies (initiator-visible b_transport delay) ---------------
    std::uint64_t gicd_access = 0;
    std::uint64_t gicc_access = 0;
    std::uint64_t gich_access = 0;
    std::uint64_t gicv_access = 0;
    std::uint64_t gicr_access = 0;
    std::uint64_t sysreg_access = 0;
    std::uint64_t rwp_complete = 0;
    // ---- stores: when they take effect, and when the CPU may go on ----------------------
    std::uint64_t gicd_write = 0;
    std::uint64_t gicc_write = 0;
    std::uint64_t gich_write = 0;
    std::uint64_t gicv_write = 0;
    std::uint64_t gicr_write = 0;
    std::uint64_t posted_write_ack = kNotPosted;

    // ---- signalling -------------------------------------------------------------------------
    std::uint64_t signal_delay = 0;
    std::uint64_t irq_entry = 0;
    // ---- the CPU (instruction-set-simulator platforms) -------------------------------------
    std::uint64_t instruction = 0;

    /// Seeded variation, as HypervisorProfile::spread (docs/TIMING.md "Spread").
    std::map<std::string, Spread, std::less<>> spread;
    /// The spread of `key`, or nullptr.
    const Spread* spread_of(std::string_view key) const;
    /// This profile with every varied parameter at its spread's max, without spreads.
    TimingProfile upper() const;

    /// Hypervisor costs a timing file written before they moved to HypervisorProfile still
    /// carries (its keys kick, exit, gicd_trap, ...), or that the alias preset zcu104-bao
    /// names. Empty for every other preset and file. A Vgic in vm mode uses it when
    /// VgicParams::hypervisor is not set.
    std::optional<HypervisorProfile> legacy_hypervisor;
    /// One message per such legacy key, naming the new place (for the caller to print).
    std::vector<std::string> warnings;

    /// `n` clock cycles in ps, rounded to the nearest ps (half up). Throws
    /// TimingProfileError if clock_hz is 0.
    std::uint64_t cycles(std::uint64_t n) const;
    /// One clock period in ps, rounded to the nearest ps.
    std::uint64_t clock_period() const { return cycles(1); }
    /// Whether stores are acknowledged before they take effect.
    bool posted_writes() const { return posted_write_ack != kNotPosted; }
    /// What a store to a frame with effect latency `write` costs the CPU.
    std::uint64_t write_seen(std::uint64_t write) const {
        return posted_writes() ? std::min(posted_write_ack, write) : write;
    }
    /// True when every time parameter is 0: the model is purely functional.
    bool is_zero() const;

    /// Compares every parameter, spread and the clock, not the name.
    bool same_timing(const TimingProfile& other) const;
};

/// How a parameter's value is written and stored.
enum class TimingUnit {
    Picoseconds,  ///< a time: "<number> ps|ns|us|ms|s|cycles", stored in ps
    Hertz,        ///< a frequency: "<number> Hz|kHz|MHz|GHz" or a plain number of Hz
    PicosecondsOrNone,  ///< a time as Picoseconds, or "none" (stored as kNotPosted)
};

/// One row of a parameter table.
template <class Profile>
struct ProfileParameter {
    const char* key;         ///< the file key (snake_case); also the member's name except `clock`
    TimingUnit unit;
    const char* meaning;     ///< one line, used by describe() and docs/TIMING.md
    std::uint64_t Profile::*member;
};
using TimingParameter = ProfileParameter<TimingProfile>;
using HypervisorParameter = ProfileParameter<HypervisorProfile>;

/// Every parameter, in documentation order (clock first).
VGIC_TIMING_API const std::vector<TimingParameter>& timing_parameters();
/// The row for `key`, or nullptr.
VGIC_TIMING_API const TimingParameter* find_timing_parameter(std::string_view key);

/// A built-in preset.
struct VGIC_TIMING_API TimingPresetInfo {
    const char* name;
    const char* summary;  ///< one line: what it models and how it was calibrated
};
/// Every preset, in documentation order.
VGIC_TIMING_API const std::vector<TimingPresetInfo>& timing_presets();
/// Names of every preset, in documentation order.
VGIC_TIMING_API std::vector<std::string> timing_preset_names();
/// The preset `name`. Throws TimingProfileError listing the available presets.
VGIC_TIMING_API TimingProfile timing_preset(const std::string& name);

/// A preset name, or a path to a .json, .yaml or .yml file (extension case-insensitive).
/// Throws TimingProfileError.
VGIC_TIMING_API TimingProfile load_timing_profile(const std::string& preset_or_path);

enum class TimingFileFormat { Json, Yaml };
/// Parses the text of a profile file; `source` names it in error messages.
VGIC_TIMING_API TimingProfile parse_timing_profile(const std::string& text, TimingFileFormat format,
                                   const std::string& source);

/// Sets one parameter from its textual value, e.g. ("kick", "1.5 us"); cycles use the
/// profile's current clock. For command-line overrides. Throws TimingProfileError.
VGIC_TIMING_API void set_timing_parameter(TimingProfile& profile, const std::string& key, const std::string& value,
                          const std::string& source = "override");

/// "140 ns", "2.5 us", "833 ps", "12 cycles" (with `clock_hz`) -> ps. Throws TimingProfileError
/// with an empty source and key; the loader adds both.
VGIC_TIMING_API std::uint64_t parse_time_ps(std::string_view text, std::uint64_t clock_hz);
/// "1.2 GHz", "100 MHz", "32768 Hz", "1200000000" -> Hz, in 1 Hz .. 100 GHz.
VGIC_TIMING_API std::uint64_t parse_frequency_hz(std::string_view text);
/// The same grammar for a frequency of another range, `min_hz` .. `max_hz` (within 1 Hz ..
/// 100 GHz), whose messages call it `what` ("a counter frequency"): "\"0 Hz\" is out of
/// range; expected a counter frequency from 1 Hz to 4 GHz".
VGIC_TIMING_API std::uint64_t parse_frequency_hz(std::string_view text, std::uint64_t min_hz, std::uint64_t max_hz,
                                 const std::string& what);

/// Exact, shortest human form that parses back to the same value: "0 ps", "833 ps",
/// "140 ns", "220.833 ns", "2.5 us".
VGIC_TIMING_API std::string format_time(std::uint64_t ps);
/// "1.2 GHz", "100 MHz", "32.768 kHz", "7 Hz" (exact).
VGIC_TIMING_API std::string format_frequency(std::uint64_t hz);

/// A plain-text table of `profile`: one line per parameter with value and meaning.
VGIC_TIMING_API std::string describe(const TimingProfile& profile);
/// The markdown table of docs/TIMING.md: one row per parameter, one column per preset.
VGIC_TIMING_API std::string timing_markdown_table();

// ---- hypervisor profiles: the same file form, their own keys and presets ---------------------

/// Every hypervisor parameter, in documentation order (clock first).
VGIC_TIMING_API const std::vector<HypervisorParameter>& hypervisor_parameters();
/// The row for `key`, or nullptr.
VGIC_TIMING_API const HypervisorParameter* find_hypervisor_parameter(std::string_view key);
/// Every hypervisor preset (zero, kvm, bao, jailhouse, xen), in documentation order.
VGIC_TIMING_API const std::vector<TimingPresetInfo>& hypervisor_presets();
VGIC_TIMING_API std::vector<std::string> hypervisor_preset_names();
/// The hypervisor preset `name`. Throws TimingProfileError listing the available presets.
VGIC_TIMING_API HypervisorProfile hypervisor_preset(const std::string& name);
/// A preset name, or a path to a .json, .yaml or .yml hypervisor file. Throws TimingProfileError.
VGIC_TIMING_API HypervisorProfile load_hypervisor_profile(const std::string& preset_or_path);
VGIC_TIMING_API HypervisorProfile parse_hypervisor_profile(const std::string& text, TimingFileFormat format,
                                           const std::string& source);
/// Sets one hypervisor parameter from its textual value. Throws TimingProfileError.
VGIC_TIMING_API void set_hypervisor_parameter(HypervisorProfile& profile, const std::string& key, const std::string& value,
                              const std::string& source = "override");
/// A plain-text table of `profile`.
VGIC_TIMING_API std::string describe(const HypervisorProfile& profile);
/// The markdown table of docs/TIMING.md for the hypervisor presets.
VGIC_TIMING_API std::string hypervisor_markdown_table();

/// The markdown table of docs/TIMING.md "Spread": every spread of every preset (hardware
/// and hypervisor), one row each.
VGIC_TIMING_API std::string spread_markdown_table();

// ---- drawing the parameters of a run ------------------------------------------------------

/// The parameters of one profile as a run uses them: each its exact value, or, with
/// variation on, a fresh draw from its spread at every use. Holds its own copy of the values
/// and its own random stream (seeded by `seed`), so streams of different components never
/// interfere and a seed reproduces every draw.
template <class Profile>
class VGIC_TIMING_API ParameterDraw {
public:
    ParameterDraw() = default;
    /// `seed` unset: no variation, every call returns the exact value.
    ParameterDraw(const Profile& profile, std::optional<std::uint64_t> seed);
    /// Whether any parameter is drawn (variation on and at least one spread).
    bool varies() const { return !spreads_.empty(); }
    /// The parameter `member` for one use.
    std::uint64_t operator()(std::uint64_t Profile::*member);
    /// The sum of `n` uses of `member` (n list registers written, one draw each).
    std::uint64_t sum(std::uint64_t Profile::*member, unsigned n);

private:
    Profile profile_{};
    std::vector<std::pair<std::uint64_t Profile::*, Spread>> spreads_;
    SpreadRandom random_{};
};
extern template class ParameterDraw<TimingProfile>;
extern template class ParameterDraw<HypervisorProfile>;

} // namespace vgic::tlm
