// SPDX-License-Identifier: Apache-2.0
// Timing profile: parameter table, presets, value parsing and the JSON / YAML loader.
// The calibration of the presets is derived in docs/TIMING.md; the numbers below must stay
// in step with that derivation (testbenches/tlm/timing_profile.cpp checks the sums).
#include "vgic/tlm/timing_profile.hpp"

#include "vgic/tlm/input.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <type_traits>
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

// ---- parameter tables and presets ---------------------------------------------------------

using P = TimingProfile;
using H = HypervisorProfile;

// Function-local statics: usable from other translation units' static initializers.
const std::vector<TimingParameter>& parameter_table() {
    static const std::vector<TimingParameter> table = {
        {"clock", TimingUnit::Hertz,
         "clock frequency; gives the length of a cycle to values written in cycles", &P::clock_hz},
        {"gicd_access", TimingUnit::Picoseconds,
         "hw mode: one distributor (GICD) register read, the round trip (in vm mode a guest's GICD access "
         "traps: the hypervisor profile's trap_entry + emulate + trap_return)",
         &P::gicd_access},
        {"gicc_access", TimingUnit::Picoseconds, "one physical CPU interface (GICC) register read, the round trip",
         &P::gicc_access},
        {"gich_access", TimingUnit::Picoseconds,
         "one hypervisor control interface (GICH) register read, the round trip", &P::gich_access},
        {"gicv_access", TimingUnit::Picoseconds,
         "one virtual CPU interface (GICV) register read by the guest (no trap), the round trip", &P::gicv_access},
        {"gicr_access", TimingUnit::Picoseconds,
         "hw mode: one GICv3 redistributor (GICR) register read, the round trip (vm mode: a trap)",
         &P::gicr_access},
        {"sysreg_access", TimingUnit::Picoseconds,
         "one system-register access: GICv3 ICC/ICV/ICH registers and the timer's CNT* registers (a counter "
         "read samples the counter at its end)",
         &P::sysreg_access},
        {"rwp_complete", TimingUnit::Picoseconds,
         "GICv3: a GICD/GICR write that changes group or interrupt enables -> it has taken effect "
         "everywhere (GICD_CTLR.RWP / GICR_CTLR.RWP read 1 meanwhile; 0 = at once, RWP never set)",
         &P::rwp_complete},
        {"gicd_write", TimingUnit::Picoseconds,
         "a store to GICD is issued -> it takes effect in the distributor (the request's way there; a file "
         "that sets gicd_access but not this key gets the same value)",
         &P::gicd_write},
        {"gicc_write", TimingUnit::Picoseconds, "a store to GICC is issued -> it takes effect (as gicd_write)",
         &P::gicc_write},
        {"gich_write", TimingUnit::Picoseconds, "a store to GICH is issued -> it takes effect (as gicd_write)",
         &P::gich_write},
        {"gicv_write", TimingUnit::Picoseconds, "a store to GICV is issued -> it takes effect (as gicd_write)",
         &P::gicv_write},
        {"gicr_write", TimingUnit::Picoseconds, "a store to GICR is issued -> it takes effect (as gicd_write)",
         &P::gicr_write},
        {"posted_write_ack", TimingUnit::PicosecondsOrNone,
         "a store to a GIC frame is issued -> the CPU may go on (Device-nGnRE early write acknowledgement; "
         "never later than the store's effect); \"none\": stores are not posted, the CPU waits for the effect",
         &P::posted_write_ack},
        {"signal_delay", TimingUnit::Picoseconds,
         "an interrupt becomes the best pending one -> the IRQ/FIQ/vIRQ/vFIQ output line rises",
         &P::signal_delay},
        {"irq_entry", TimingUnit::Picoseconds,
         "output line rises -> first instruction of the handler (CPU exception entry; charged by the "
         "CPU / workload models, not by the GIC)",
         &P::irq_entry},
        {"instruction", TimingUnit::Picoseconds,
         "the mean time of one guest instruction on an instruction-set-simulator CPU (vgic-sim boot): "
         "cycles per instruction times the clock period, written in cycles (\"1 cycles\" = CPI 1); 0: one "
         "nanosecond",
         &P::instruction},
    };
    return table;
}

const std::vector<HypervisorParameter>& hyp_parameter_table() {
    static const std::vector<HypervisorParameter> table = {
        {"clock", TimingUnit::Hertz, "CPU clock; gives the length of a cycle to values written in cycles",
         &H::clock_hz},
        {"trap_entry", TimingUnit::Picoseconds,
         "a guest GICD/GICR access or SGI-register write traps -> the hypervisor starts emulating it "
         "(exception entry at EL2, context save, syndrome decode, dispatch)",
         &H::trap_entry},
        {"emulate", TimingUnit::Picoseconds,
         "emulation starts -> the access has its effect in the virtual distributor (the emulation instant)",
         &H::emulate},
        {"trap_return", TimingUnit::Picoseconds,
         "after the effect (and any ipi_send) -> the guest executes the next instruction (context restore, "
         "ERET)",
         &H::trap_return},
        {"ipi_send", TimingUnit::Picoseconds,
         "per vCPU running on another physical CPU that the trapped access made an interrupt pending for: "
         "the hypervisor tells that CPU (message, locks) up to its physical SGI write; the SGI then takes "
         "the hardware's gicd_write and the target's kick",
         &H::ipi_send},
        {"ipi_receive", TimingUnit::Picoseconds,
         "the target CPU's hypervisor takes that message (dequeue, vGIC bookkeeping), on top of exit, "
         "before it syncs and writes the list registers",
         &H::ipi_receive},
        {"kick", TimingUnit::Picoseconds,
         "a running vCPU's list registers need an update (a physical interrupt for it) -> that vCPU has "
         "trapped to the hypervisor",
         &H::kick},
        {"exit", TimingUnit::Picoseconds,
         "trap taken -> hypervisor ready to sync (context save, physical acknowledge, dispatch)", &H::exit},
        {"entry", TimingUnit::Picoseconds,
         "list registers flushed -> guest executing again (context restore, ERET)", &H::entry},
        {"flush_per_lr", TimingUnit::Picoseconds, "write one list register on a flush (vCPU entry)",
         &H::flush_per_lr},
        {"sync_per_lr", TimingUnit::Picoseconds, "read back one non-empty list register on a sync (vCPU exit)",
         &H::sync_per_lr},
        {"save_fixed", TimingUnit::Picoseconds,
         "vCPU switch: save the interface state other than the LRs (GICH_VMCR, APR, ELRSR, HCR)", &H::save_fixed},
        {"save_per_lr", TimingUnit::Picoseconds, "vCPU switch: save one list register", &H::save_per_lr},
        {"restore_fixed", TimingUnit::Picoseconds,
         "vCPU switch: restore the interface state other than the LRs (GICH_HCR, VMCR, APR)", &H::restore_fixed},
        {"restore_per_lr", TimingUnit::Picoseconds, "vCPU switch: restore one list register", &H::restore_per_lr},
    };
    return table;
}

/// Cortex-A53 at 1.2 GHz with an Arm GIC-400 (GICv2, 4 list registers), calibrated on the
/// Xilinx ZCU104 with no hypervisor (docs/CALIBRATION.md): the timer row is
/// signal_delay + irq_entry + gicc_access + sysreg_access = 220 ns (measured 222 ns), the
/// IPI row gicd_write + the same = 290 ns (measured 293 ns), the sender's SGIR store
/// posted_write_ack + sysreg_access = 30 ns (measured 31 ns). Every individual value is an
/// estimate; only those sums are measured.
/// The spreads of a53-gic400 (docs/CALIBRATION.md "Spread"), fitted on the bare-metal timer
/// row (190..250 ns, p99 230 ns, mean 222 ns, 200 samples) and used unchanged by every row.
void add_a53_gic400_spread(TimingProfile& p) {
    // The GIC-400 samples the pending state and arbitrates on its own clock: up to a few of
    // its cycles either side of the typical 30 ns.
    p.spread["signal_delay"] = Spread::uniform(ns(25), ns(35));
    // The core takes the IRQ at an instruction boundary: the instruction in flight (a load
    // outstanding, a WFI to leave) holds it up to ~24 cycles beyond the fastest entry.
    p.spread["irq_entry"] = Spread::uniform(ns(25), ns(50));
    // A Device read crosses the interconnect twice; the other masters' traffic makes it a
    // few ns slower or faster, now and then 20 ns.
    for (const char* read : {"gicd_access", "gicc_access", "gich_access", "gicv_access", "gicr_access"})
        p.spread[read] = Spread::normal(ns(140), ns(6), ns(120), ns(160));
    // A store crosses once: half a read's variance (sd 6/sqrt 2) and half its range.
    for (const char* write : {"gicd_write", "gicc_write", "gich_write", "gicv_write", "gicr_write"})
        p.spread[write] = Spread::normal(ns(70), ns(4), ns(60), ns(80));
}

TimingProfile make_a53_gic400() {
    TimingProfile p;
    p.name = "a53-gic400";
    p.clock_hz = 1'200'000'000;
    p.gicd_access = ns(140);  // GIC-400 MMIO read round trip from the A53, shared by all frames
    p.gicc_access = ns(140);
    p.gich_access = ns(140);
    p.gicv_access = ns(140);
    p.gicr_access = ns(140);  // no GICR on GIC-400: same as GICD so GICv3 runs stay plausible
    p.sysreg_access = ns(20);
    p.gicd_write = ns(70);    // a store's one way to the GIC: half the read's round trip
    p.gicc_write = ns(70);
    p.gich_write = ns(70);
    p.gicv_write = ns(70);
    p.gicr_write = ns(70);
    p.posted_write_ack = ns(10);  // Device-nGnRE: the store buffer takes it (12 cycles)
    p.signal_delay = ns(30);
    p.irq_entry = ns(30);
    // Cortex-A53 is dual-issue in order: about one instruction per cycle on the branchy
    // integer code of drivers and test images (CPI 1 at 1.2 GHz = 833 ps).
    p.instruction = p.cycles(1);
    add_a53_gic400_spread(p);
    return p;
}

/// Xilinx ZCU104 (Cortex-A53 1.2 GHz, GIC-400, 4 LRs): the board a53-gic400 was calibrated on,
/// the same values under the board's name.
TimingProfile make_zcu104() {
    TimingProfile p = make_a53_gic400();
    p.name = "zcu104";
    return p;
}

HypervisorProfile make_bao();

/// The alias of a53-gic400 + the `bao` hypervisor, kept for files written when one profile
/// held both (docs/TIMING.md).
TimingProfile make_zcu104_bao() {
    TimingProfile p = make_a53_gic400();
    p.name = "zcu104-bao";
    p.legacy_hypervisor = make_bao();
    return p;
}

struct Preset {
    TimingPresetInfo info;
    TimingProfile (*make)();
    /// What a file with this base gets for hypervisor keys it still sets (before the split
    /// this preset held them): zero or bao.
    HypervisorProfile (*legacy_seed)();
};

HypervisorProfile make_zero_hypervisor() { return HypervisorProfile{}; }

const std::vector<Preset>& preset_table() {
    static const std::vector<Preset> table = {
        {{"zero", "every latency 0, clock 1 GHz nominal: a purely functional model"},
         [] { return TimingProfile{}; }, &make_zero_hypervisor},
        {{"a53-gic400",
          "Cortex-A53 at 1.2 GHz with an Arm GIC-400 (GICv2, 4 list registers): GIC accesses, posted stores, "
          "propagation and exception entry; calibrated on the ZCU104 bare-metal timer and IPI measurements "
          "(docs/CALIBRATION.md)"},
         &make_a53_gic400, &make_bao},
        {{"zcu104", "Xilinx ZCU104 (Cortex-A53 1.2 GHz, GIC-400, 4 LRs): the values of a53-gic400"},
         &make_zcu104, &make_bao},
        {{"zcu104-bao",
          "an alias of a53-gic400 + the bao hypervisor (kept for files written when one profile held both)"},
         &make_zcu104_bao, &make_bao},
    };
    return table;
}

// ---- hypervisor presets ----------------------------------------------------------------

/// Bao (static partitioning, one vCPU per physical CPU, WFI not trapped) on the ZCU104,
/// fitted to four measured rows (docs/CALIBRATION.md): the timer (kick + exit + flush_per_lr
/// + entry on top of the hardware's 220 ns: 900 vs 906 ns), the SGIR trap's emulation
/// instant (trap_entry + emulate = 660 ns), its round trip as the sender sees it
/// (+ ipi_send + trap_return + the sender's CNTVCT read = 1246 ns) and the IPI end to end
/// (2709 ns). The engine's costs are unchanged from the profile they came from.
HypervisorProfile make_bao() {
    HypervisorProfile h;
    h.name = "bao";
    h.clock_hz = 1'200'000'000;
    h.trap_entry = ns(180);   // EL2 entry, GPR save, ESR/FAR decode, MMIO dispatch
    h.emulate = ns(480);      // vGIC distributor lock, SGIR decode, per-target pending state
    h.trap_return = ns(80);   // the same restore + ERET as `entry`
    h.ipi_send = ns(486);     // cpu_send_msg: lock the target's queue (remote line), enqueue, SGI
    h.ipi_receive = ns(593);  // the IPI handler: dequeue (lines back), vgic_inject under the vGIC lock
    h.kick = ns(60);          // the physical IRQ traps the running vCPU: signal_delay + irq_entry
    h.exit = ns(460);         // GPR save, physical GICC_IAR read + EOIR write, dispatch
    h.entry = ns(80);
    h.flush_per_lr = ns(80);  // a posted GICH_LR write plus bookkeeping
    h.sync_per_lr = ns(140);  // a GICH_LR read
    h.save_fixed = ns(560);   // 4 GICH reads: VMCR, APR, ELRSR0, HCR
    h.save_per_lr = ns(140);
    h.restore_fixed = ns(240);  // 3 GICH writes: HCR, VMCR, APR
    h.restore_per_lr = ns(80);
    // Fitted on the timer row (840..930 ns, p99 930): a hard ceiling and a tail of faster
    // exits, when the exit path's lines are still in the L1 from the last one.
    h.spread["exit"] = Spread::normal(ns(470), ns(25), ns(380), ns(480));
    return h;
}

/// KVM-like default: estimates, not measurements (docs/CALIBRATION.md "kvm"): KVM's
/// trap-and-emulate path (kvm_handle_guest_abort -> io_mem_abort -> vgic_mmio_write_sgir),
/// its exit/entry through the host's vcpu_run loop (heavier than a static partitioner's),
/// and a cross-CPU kick by kvm_vcpu_kick (smp_send_reschedule). The order of magnitude
/// follows the published ARM KVM microbenchmarks (Dall et al., ISCA 2016, USENIX ATC 2017)
/// for a lean, VHE-like path; no value is a measurement of this board.
HypervisorProfile make_kvm() {
    HypervisorProfile h = make_bao();
    h.name = "kvm";
    h.trap_entry = ns(400);
    h.emulate = ns(500);
    h.trap_return = ns(300);
    h.ipi_send = ns(700);
    h.ipi_receive = ns(600);
    h.kick = ns(60);
    h.exit = ns(900);
    h.entry = ns(300);
    h.spread.clear();  // no measurement of KVM: no fitted spread either
    return h;
}

/// Jailhouse on the ZCU104, fitted to its timer row (1094 ns), SGIR emulation instant
/// (1027 ns) and SGIR round trip (1941 ns); its IPI end to end is predicted, not fitted
/// (docs/CALIBRATION.md "Predictions"): the message to the other core is costed from the
/// code path (irqchip_set_pending + SGI_INJECT) at Bao's cost per cross-core transfer.
HypervisorProfile make_jailhouse() {
    HypervisorProfile h = make_bao();
    h.name = "jailhouse";
    h.exit = ns(654);         // timer row: 1094 - 220 (hardware) - kick 60 - flush 80 - entry 80
    h.trap_entry = ns(374);   // exit without its physical IAR + EOIR (280 ns)
    h.emulate = ns(653);      // emulation instant 1027 - trap_entry
    h.ipi_send = ns(446);     // remote pending-queue lock + ~3.5 lines (4.5 x 97) + the SGIR store's ack
    h.trap_return = ns(448);  // the rest of the measured round trip: 1941 - 20 - 1027 - 446
    h.ipi_receive = ns(451);  // 3 lines (3 x 97), GICH_HCR read (140) and write, GICC_DIR (posted)
    // Fitted on the timer row (1060..1140 ns, p99 1130): a narrow, slightly skewed exit.
    h.spread["exit"] = Spread::normal(ns(649), ns(15), ns(634), ns(694));
    return h;
}

/// Xen dom0-less on the ZCU104, fitted to its timer row (3328 ns), SGIR emulation instant
/// (1848 ns) and SGIR round trip (2980 ns); its IPI end to end is predicted the same way
/// (vgic_inject_irq under the target vCPU's lock, vcpu_kick's SGI; the target's EVENT_CHECK
/// SGI and the LR write on its return path).
HypervisorProfile make_xen() {
    HypervisorProfile h = make_bao();
    h.name = "xen";
    h.exit = ns(2888);        // timer row: 3328 - 220 - 60 - 80 - 80
    h.trap_entry = ns(600);
    h.emulate = ns(1248);     // emulation instant 1848 - trap_entry
    h.ipi_send = ns(544);     // remote vGIC lock, domain rwlock, lists: ~5.5 transfers (x 97) + SGIR ack
    h.trap_return = ns(568);  // the rest of the round trip: 2980 - 20 - 1848 - 544 (leave_hypervisor_to_guest)
    h.ipi_receive = ns(398);  // ~4 transfers (vGIC lock, lr_pending, pending_irq) + GICC_DIR
    // Fitted on the timer row (3260..3440 ns, p99 3420): the long exit varies most.
    h.spread["exit"] = Spread::normal(ns(2883), ns(40), ns(2820), ns(3000));
    return h;
}

struct HypPreset {
    TimingPresetInfo info;
    HypervisorProfile (*make)();
};

const std::vector<HypPreset>& hyp_preset_table() {
    static const std::vector<HypPreset> table = {
        {{"zero", "every cost 0: the engine works in zero time (purely functional)"}, &make_zero_hypervisor},
        {{"kvm", "KVM-like default for vm mode: estimates with their source, not measured (docs/CALIBRATION.md)"},
         &make_kvm},
        {{"bao",
          "Bao on the ZCU104: timer, SGIR trap (emulation instant and round trip) and IPI fitted to the "
          "RTAS 2023 measurements"},
         &make_bao},
        {{"jailhouse", "Jailhouse on the ZCU104: timer and SGIR trap fitted; IPI predicted"}, &make_jailhouse},
        {{"xen", "Xen dom0-less on the ZCU104: timer and SGIR trap fitted; IPI predicted"}, &make_xen},
    };
    return table;
}

template <class Table>
std::string names_of(const Table& table) {
    std::string s;
    for (const auto& p : table) s += (s.empty() ? "" : ", ") + std::string(p.info.name);
    return s;
}

std::string preset_list() { return names_of(preset_table()); }

/// What differs between the two kinds of profile file.
template <class Profile>
struct Kind;

template <>
struct Kind<TimingProfile> {
    static const std::vector<TimingParameter>& table() { return parameter_table(); }
    static std::string presets() { return names_of(preset_table()); }
    static TimingProfile preset(const std::string& name) { return timing_preset(name); }
    static std::vector<std::string> preset_names() { return timing_preset_names(); }
    static constexpr const char* what = "timing profile";
};

template <>
struct Kind<HypervisorProfile> {
    static const std::vector<HypervisorParameter>& table() { return hyp_parameter_table(); }
    static std::string presets() { return names_of(hyp_preset_table()); }
    static HypervisorProfile preset(const std::string& name) { return hypervisor_preset(name); }
    static std::vector<std::string> preset_names() { return hypervisor_preset_names(); }
    static constexpr const char* what = "hypervisor profile";
};

template <class Profile>
const ProfileParameter<Profile>* find_parameter(std::string_view key) {
    for (const auto& p : Kind<Profile>::table())
        if (key == p.key) return &p;
    return nullptr;
}

template <class Profile>
std::string key_list() {
    std::string s = "base, name";
    for (const auto& p : Kind<Profile>::table()) s += ", " + std::string(p.key);
    return s;
}

/// The hypervisor keys a timing file held before they moved (gicd_trap is now trap_entry,
/// emulate and trap_return).
bool is_legacy_hypervisor_key(std::string_view key) {
    return key == "gicd_trap" || (find_parameter<HypervisorProfile>(key) != nullptr && key != "clock" &&
                                  key != "trap_entry" && key != "emulate" && key != "trap_return" &&
                                  key != "ipi_send" && key != "ipi_receive");
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
    enum class Kind { String, Number, Map, Other };
    std::string key;
    Kind kind = Kind::Other;
    std::string text;      // String / Number: the value's text; Map, Other: the type's name
    Position pos;
    std::vector<Entry> fields;  // Map: its keys and scalar values (a parameter with a spread)
};

template <class Profile>
void set_from_text(Profile& p, const ProfileParameter<Profile>& param, const std::string& text) {
    switch (param.unit) {
    case TimingUnit::Hertz: p.*param.member = parse_frequency_hz(text); break;
    case TimingUnit::PicosecondsOrNone:
        if (trim(text) == "none") {
            p.*param.member = kNotPosted;
            break;
        }
        p.*param.member = parse_time_ps(text, p.clock_hz);
        if (p.*param.member == kNotPosted)
            fail(quoted(std::string_view(text)) + " is too large; the largest value is 18446744073709551614 ps, or \"none\"");
        break;
    case TimingUnit::Picoseconds: p.*param.member = parse_time_ps(text, p.clock_hz); break;
    }
}

/// A parameter written as a mapping: its value and its spread (docs/TIMING.md "Spread"),
/// {value, spread: uniform|normal, min, max[, mean, sd]}.
template <class Profile>
void apply_spread_entry(Profile& p, const ProfileParameter<Profile>& param, const Entry& e, const std::string& source) {
    static const char* const kFields = "value, spread, min, max, mean, sd";
    if (param.unit == TimingUnit::Hertz)
        fail_at(source, e.pos, e.key, "expected " + std::string(kFrequencyExpected) + ", got " + e.text + " (only times have a spread)");
    const Entry* value = nullptr;
    const Entry* shape = nullptr;
    const Entry* min = nullptr;
    const Entry* max = nullptr;
    const Entry* mean = nullptr;
    const Entry* sd = nullptr;
    for (const Entry& f : e.fields) {
        const Entry** slot = f.key == "value" ? &value : f.key == "spread" ? &shape : f.key == "min" ? &min
                             : f.key == "max" ? &max : f.key == "mean" ? &mean : f.key == "sd" ? &sd : nullptr;
        if (slot == nullptr)
            fail_at(source, f.pos, e.key, "unknown field '" + f.key + "'; a parameter with a spread has the fields " + kFields);
        if (*slot != nullptr) fail_at(source, f.pos, e.key, "duplicate field '" + f.key + "'");
        *slot = &f;
    }
    auto time_of = [&](const Entry* f, const char* name) -> std::uint64_t {
        if (f == nullptr) fail_at(source, e.pos, e.key, std::string("missing field '") + name + "'; a parameter with a spread has the fields " + kFields);
        if (f->kind != Entry::Kind::String)
            fail_at(source, f->pos, e.key, std::string("field '") + name + "': expected " + kTimeExpected + ", got " +
                                                (f->kind == Entry::Kind::Number ? "the bare number " : "") + f->text);
        try {
            return parse_time_ps(f->text, p.clock_hz);
        } catch (const TimingProfileError& err) {
            fail_at(source, f->pos, e.key, std::string("field '") + name + "': " + err.what());
        }
    };
    Spread spread;
    const std::uint64_t v = time_of(value, "value");
    if (shape == nullptr || shape->kind != Entry::Kind::String || (trim(shape->text) != "uniform" && trim(shape->text) != "normal"))
        fail_at(source, shape ? shape->pos : e.pos, e.key,
                "field 'spread': expected uniform or normal" +
                    (shape == nullptr ? std::string(", missing") : ", got " + quoted(std::string_view(shape->text))));
    spread.shape = trim(shape->text) == "normal" ? Spread::Shape::Normal : Spread::Shape::Uniform;
    spread.min = time_of(min, "min");
    spread.max = time_of(max, "max");
    if (spread.shape == Spread::Shape::Normal) {
        spread.sd = time_of(sd, "sd");
        spread.mean = mean != nullptr ? time_of(mean, "mean") : v;
    } else if (mean != nullptr || sd != nullptr) {
        fail_at(source, (mean ? mean : sd)->pos, e.key, "a uniform spread has only min and max (no mean or sd)");
    }
    if (param.unit == TimingUnit::PicosecondsOrNone && v == kNotPosted)
        fail_at(source, value->pos, e.key, "field 'value': too large");
    try {
        check_spread(spread, v);
    } catch (const std::invalid_argument& err) {
        fail_at(source, e.pos, e.key, err.what());
    }
    p.*param.member = v;
    p.spread[param.key] = spread;
}

template <class Profile>
void apply_entry(Profile& p, const ProfileParameter<Profile>& param, const Entry& e, const std::string& source) {
    if (e.kind == Entry::Kind::Map) {
        apply_spread_entry(p, param, e, source);
        return;
    }
    // A plain value is exact: whatever spread the base gave this parameter no longer applies.
    p.spread.erase(std::string(param.key));
    const bool time = param.unit != TimingUnit::Hertz;
    const std::string expected = param.unit == TimingUnit::Hertz ? kFrequencyExpected
                                 : param.unit == TimingUnit::PicosecondsOrNone
                                     ? std::string(kTimeExpected) + ", or \"none\""
                                     : std::string(kTimeExpected);
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

/// A timing file's hypervisor key (written before the split): applied to the profile's
/// legacy_hypervisor, seeded from what the base preset held, with a warning naming the new
/// place. gicd_trap was the whole trapped round trip with the effect at its end: it becomes
/// trap_entry, with emulate and trap_return 0, which keeps that meaning.
void apply_legacy_entry(TimingProfile& p, HypervisorProfile (*seed)(), const Entry& e, const std::string& source) {
    if (!p.legacy_hypervisor) {
        p.legacy_hypervisor = seed();
        p.legacy_hypervisor->name = source;
        p.legacy_hypervisor->clock_hz = p.clock_hz;
    }
    HypervisorProfile& h = *p.legacy_hypervisor;
    h.clock_hz = p.clock_hz;  // cycles are the file's clock
    if (e.key == "gicd_trap") {
        apply_entry(h, *find_parameter<HypervisorProfile>("trap_entry"), e, source);
        h.emulate = 0;
        h.trap_return = 0;
        p.warnings.push_back(located(source, e.pos) + ": key 'gicd_trap' is a hypervisor cost: it is now the "
                             "hypervisor profile's trap_entry + emulate + trap_return (`hypervisor:` in a scenario, "
                             "VgicParams::hypervisor; docs/TIMING.md); applied as trap_entry = " +
                             format_time(h.trap_entry) + ", emulate = trap_return = 0 ns");
        return;
    }
    apply_entry(h, *find_parameter<HypervisorProfile>(e.key), e, source);
    p.warnings.push_back(located(source, e.pos) + ": key '" + e.key + "' is a hypervisor cost: it moved to the "
                         "hypervisor profile (`hypervisor:` in a scenario, VgicParams::hypervisor; docs/TIMING.md); "
                         "applied to this profile's hypervisor costs");
}

template <class Profile>
Profile apply_entries(const std::vector<Entry>& entries, const std::string& source) {
    constexpr bool timing = std::is_same_v<Profile, TimingProfile>;
    auto legacy = [](const std::string& key) {
        if constexpr (timing) return is_legacy_hypervisor_key(key);
        else return (void)key, false;
    };
    // Unknown and duplicate keys first, so that no half-applied state matters.
    std::vector<std::string> seen;
    for (const auto& e : entries) {
        if (e.key != "base" && e.key != "name" && !find_parameter<Profile>(e.key) && !legacy(e.key))
            fail_at(source, e.pos, e.key, "unknown key '" + e.key + "'; expected one of: " + key_list<Profile>(),
                    false);
        if (std::find(seen.begin(), seen.end(), e.key) != seen.end())
            fail_at(source, e.pos, e.key, "duplicate key; each key may appear once");
        seen.push_back(e.key);
    }
    auto find = [&](const char* key) -> const Entry* {
        for (const auto& e : entries)
            if (e.key == key) return &e;
        return nullptr;
    };
    Profile p;
    HypervisorProfile (*seed)() = &make_zero_hypervisor;
    if (const Entry* base = find("base")) {
        if (base->kind != Entry::Kind::String)
            fail_at(source, base->pos, "base",
                    "expected a preset name (" + Kind<Profile>::presets() + "), got " + base->text);
        try {
            p = Kind<Profile>::preset(trim(base->text));
        } catch (const TimingProfileError& err) {
            fail_at(source, base->pos, "base", err.what());
        }
        if constexpr (timing) {
            for (const auto& pr : preset_table())
                if (trim(base->text) == pr.info.name) seed = pr.legacy_seed;
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
    if (const Entry* clock = find("clock")) apply_entry(p, *find_parameter<Profile>("clock"), *clock, source);
    for (const auto& e : entries) {
        if (e.key == "base" || e.key == "name" || e.key == "clock") continue;
        if constexpr (timing) {
            if (legacy(e.key)) {
                apply_legacy_entry(p, seed, e, source);
                continue;
            }
        }
        apply_entry(p, *find_parameter<Profile>(e.key), e, source);
    }
    if constexpr (timing) {
        // A file that sets a frame's read latency but not its store latency describes the
        // store as taking as long to take effect as the read (what every file meant before
        // stores had their own keys).
        static const std::pair<const char*, const char*> frames[] = {{"gicd_access", "gicd_write"},
                                                                     {"gicc_access", "gicc_write"},
                                                                     {"gich_access", "gich_write"},
                                                                     {"gicv_access", "gicv_write"},
                                                                     {"gicr_access", "gicr_write"}};
        for (const auto& [access, write] : frames)
            if (find(access) != nullptr && find(write) == nullptr) {
                p.*find_parameter<TimingProfile>(write)->member = p.*find_parameter<TimingProfile>(access)->member;
                p.spread.erase(write);
            }
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
    // The nesting bound first, on the text: a profile is flat, and nothing deep reaches a
    // parser or a tree (the same bound as YAML profiles and scenarios).
    try {
        check_json_nesting(text);
    } catch (const InputError& e) {
        fail_at(source, {e.line(), e.column()}, "", e.what());
    }
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
        } else if (v.is_object()) {
            // A parameter with a spread. nlohmann::json keeps no positions: each field is
            // reported at its parameter's key.
            e.kind = Entry::Kind::Map;
            e.text = "an object";
            for (const auto& [fk, fv] : v.items()) {
                Entry f;
                f.key = fk;
                f.pos = e.pos;
                f.kind = fv.is_string() ? Entry::Kind::String : fv.is_number() ? Entry::Kind::Number : Entry::Kind::Other;
                f.text = fv.is_string() ? fv.get<std::string>() : fv.is_number() ? fv.dump() : std::string("a ") + fv.type_name();
                e.fields.push_back(std::move(f));
            }
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
    // What the scenario loader refuses is refused here too, before YAML::Load, which reads the
    // first document only and drops the rest: a second document (also after `...`), and a ','
    // starting a line, on which yaml-cpp 0.7 returned an empty document (every key dropped);
    // and nesting deeper than the bound, before yaml-cpp's recursion gets there.
    try {
        check_yaml_text(text);
    } catch (const InputError& e) {
        fail_at(source, {e.line(), e.column()}, "", e.what());
    }
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
            fail_at(source, yaml_position(k.Mark()), "", "expected a plain key name (a scalar)");
        Entry e;
        e.key = k.Scalar();
        e.pos = yaml_position(k.Mark());
        if (v.IsScalar()) {
            e.kind = Entry::Kind::String;
            e.text = v.Scalar();
        } else if (v.IsMap()) {
            e.kind = Entry::Kind::Map;  // a parameter with a spread
            e.text = "a mapping";
            for (auto f = v.begin(); f != v.end(); ++f) {
                const YAML::Node fk = f->first;
                const YAML::Node fv = f->second;
                if (!fk.IsScalar())
                    fail_at(source, yaml_position(fk.Mark()), e.key, "expected a plain field name (a scalar)");
                Entry field;
                field.key = fk.Scalar();
                field.pos = yaml_position(fk.Mark());
                field.kind = fv.IsScalar() ? Entry::Kind::String : Entry::Kind::Other;
                field.text = fv.IsScalar() ? fv.Scalar() : fv.IsMap() ? "a mapping" : fv.IsSequence() ? "a sequence" : "nothing (null)";
                e.fields.push_back(std::move(field));
            }
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

// A message quotes the file's name and text: never raw control or non-ASCII bytes.
TimingProfileError::TimingProfileError(std::string source, std::string key, const std::string& message)
    : std::runtime_error(printable(message)), source_(std::move(source)), key_(std::move(key)) {}

namespace {

std::uint64_t cycles_of(const std::string& name, std::uint64_t clock_hz, std::uint64_t n) {
    if (clock_hz == 0) throw TimingProfileError(name, "clock", name + ": key 'clock': 0 Hz; cycles need a clock of at least 1 Hz");
    const u128 num = static_cast<u128>(n) * kPsPerS;
    const u128 r = (num + clock_hz / 2) / clock_hz;
    return r > std::numeric_limits<std::uint64_t>::max() ? std::numeric_limits<std::uint64_t>::max()
                                                          : static_cast<std::uint64_t>(r);
}

template <class Profile>
bool all_zero(const Profile& profile) {
    // posted_write_ack "none" is not a latency: a profile whose stores are not posted and
    // whose every time is 0 is purely functional.
    for (const auto& p : Kind<Profile>::table()) {
        if (p.unit == TimingUnit::Hertz) continue;
        const std::uint64_t v = profile.*p.member;
        if (v != 0 && !(p.unit == TimingUnit::PicosecondsOrNone && v == kNotPosted)) return false;
    }
    return true;
}

template <class Profile>
bool same_values(const Profile& a, const Profile& b) {
    for (const auto& p : Kind<Profile>::table())
        if (a.*p.member != b.*p.member) return false;
    return a.spread == b.spread;
}

template <class Profile>
Profile upper_of(const Profile& profile) {
    Profile u = profile;
    for (const auto& [key, spread] : profile.spread)
        if (const auto* param = find_parameter<Profile>(key)) u.*param->member = spread.max;
    u.spread.clear();
    return u;
}

std::string format_value(TimingUnit unit, std::uint64_t v) {
    if (unit == TimingUnit::Hertz) return format_frequency(v);
    if (unit == TimingUnit::PicosecondsOrNone && v == kNotPosted) return "none";
    return format_time(v);
}

template <class Profile>
Profile load_profile(const std::string& preset_or_path) {
    using K = Kind<Profile>;
    const std::string what = K::what;
    for (const std::string& name : K::preset_names())
        if (preset_or_path == name) return K::preset(name);
    namespace fs = std::filesystem;
    const std::string ext = lower(fs::path(preset_or_path).extension().string());
    TimingFileFormat format;
    if (ext == ".json")
        format = TimingFileFormat::Json;
    else if (ext == ".yaml" || ext == ".yml")
        format = TimingFileFormat::Yaml;
    else
        throw TimingProfileError(preset_or_path, "",
                                 "unknown " + std::string(what == "timing profile" ? "timing" : "hypervisor") +
                                     " preset '" + preset_or_path + "'; available presets: " + K::presets() +
                                     "; a profile file needs the extension .json, .yaml or .yml");
    // One reader for every input file: a regular file or a FIFO, at most the input size
    // limit (vgic/tlm/input.hpp).
    std::string text;
    try {
        text = read_input_file(preset_or_path);
    } catch (const InputError& e) {
        throw TimingProfileError(preset_or_path, "", preset_or_path + ": cannot read the " + what + " file: " + e.what());
    }
    const auto entries =
        format == TimingFileFormat::Json ? json_entries(text, preset_or_path) : yaml_entries(text, preset_or_path);
    return apply_entries<Profile>(entries, preset_or_path);
}

template <class Profile>
void set_parameter(Profile& profile, const std::string& key, const std::string& value, const std::string& source) {
    const ProfileParameter<Profile>* param = find_parameter<Profile>(key);
    if (!param) {
        std::string keys;
        for (const auto& p : Kind<Profile>::table()) keys += (keys.empty() ? "" : ", ") + std::string(p.key);
        fail_at(source, {}, key, "unknown key '" + key + "'; expected one of: " + keys, false);
    }
    try {
        set_from_text(profile, *param, value);
    } catch (const TimingProfileError& err) {
        fail_at(source, {}, key, err.what());
    }
    profile.spread.erase(key);  // an override is exact
}

template <class Profile>
std::string describe_profile(const Profile& profile, const char* what) {
    std::size_t key_width = 0;
    for (const auto& p : Kind<Profile>::table()) key_width = std::max(key_width, std::strlen(p.key));
    std::string out = std::string(what) + " '" + profile.name + "'\n";
    for (const auto& p : Kind<Profile>::table()) {
        std::string line = "  " + std::string(p.key);
        line.resize(2 + key_width + 2, ' ');
        line += format_value(p.unit, profile.*p.member);
        line.resize(std::max(line.size() + 2, 2 + key_width + 2 + 14), ' ');
        out += line + p.meaning;
        if (const Spread* s = profile.spread_of(p.key)) out += " [spread: " + describe_spread(*s) + "]";
        out += "\n";
    }
    return out;
}

template <class Profile>
std::string markdown_table(const std::vector<Profile>& presets) {
    std::string out = "| parameter | unit |";
    std::string rule = "|---|---|";
    for (const auto& p : presets) {
        out += " `" + p.name + "` |";
        rule += "---|";
    }
    out += " meaning |\n" + rule + "---|\n";
    for (const auto& param : Kind<Profile>::table()) {
        const bool hz = param.unit == TimingUnit::Hertz;
        out += "| `" + std::string(param.key) + "` | " + (hz ? "frequency (Hz)" : "time (ps)") + " |";
        for (const auto& p : presets) out += " " + format_value(param.unit, p.*param.member) + " |";
        out += " " + std::string(param.meaning) + " |\n";
    }
    return out;
}

} // namespace

std::uint64_t TimingProfile::cycles(std::uint64_t n) const { return cycles_of(name, clock_hz, n); }
std::uint64_t HypervisorProfile::cycles(std::uint64_t n) const { return cycles_of(name, clock_hz, n); }
bool TimingProfile::is_zero() const { return all_zero(*this); }
bool HypervisorProfile::is_zero() const { return all_zero(*this); }
bool TimingProfile::same_timing(const TimingProfile& other) const { return same_values(*this, other); }
bool HypervisorProfile::same_timing(const HypervisorProfile& other) const { return same_values(*this, other); }
const Spread* TimingProfile::spread_of(std::string_view key) const {
    const auto it = spread.find(key);
    return it == spread.end() ? nullptr : &it->second;
}
const Spread* HypervisorProfile::spread_of(std::string_view key) const {
    const auto it = spread.find(key);
    return it == spread.end() ? nullptr : &it->second;
}
TimingProfile TimingProfile::upper() const { return upper_of(*this); }
HypervisorProfile HypervisorProfile::upper() const { return upper_of(*this); }

template <class Profile>
ParameterDraw<Profile>::ParameterDraw(const Profile& profile, std::optional<std::uint64_t> seed)
    : profile_(profile), random_(seed.value_or(0)) {
    if (!seed) return;
    for (const auto& [key, spread] : profile.spread)
        if (const auto* param = find_parameter<Profile>(key)) spreads_.emplace_back(param->member, spread);
}

template <class Profile>
std::uint64_t ParameterDraw<Profile>::operator()(std::uint64_t Profile::*member) {
    for (const auto& [m, spread] : spreads_)
        if (m == member) return draw(spread, random_);
    return profile_.*member;
}

template <class Profile>
std::uint64_t ParameterDraw<Profile>::sum(std::uint64_t Profile::*member, unsigned n) {
    if (spreads_.empty()) return n * (profile_.*member);
    std::uint64_t total = 0;
    for (unsigned i = 0; i < n; ++i) total += (*this)(member);
    return total;
}

template class ParameterDraw<TimingProfile>;
template class ParameterDraw<HypervisorProfile>;

const std::vector<TimingParameter>& timing_parameters() { return parameter_table(); }
const TimingParameter* find_timing_parameter(std::string_view key) { return find_parameter<TimingProfile>(key); }
const std::vector<HypervisorParameter>& hypervisor_parameters() { return hyp_parameter_table(); }
const HypervisorParameter* find_hypervisor_parameter(std::string_view key) {
    return find_parameter<HypervisorProfile>(key);
}

const std::vector<TimingPresetInfo>& timing_presets() {
    static const std::vector<TimingPresetInfo> infos = [] {
        std::vector<TimingPresetInfo> v;
        for (const auto& p : preset_table()) v.push_back(p.info);
        return v;
    }();
    return infos;
}

const std::vector<TimingPresetInfo>& hypervisor_presets() {
    static const std::vector<TimingPresetInfo> infos = [] {
        std::vector<TimingPresetInfo> v;
        for (const auto& p : hyp_preset_table()) v.push_back(p.info);
        return v;
    }();
    return infos;
}

std::vector<std::string> timing_preset_names() {
    std::vector<std::string> v;
    for (const auto& p : preset_table()) v.emplace_back(p.info.name);
    return v;
}

std::vector<std::string> hypervisor_preset_names() {
    std::vector<std::string> v;
    for (const auto& p : hyp_preset_table()) v.emplace_back(p.info.name);
    return v;
}

TimingProfile timing_preset(const std::string& name) {
    for (const auto& p : preset_table())
        if (name == p.info.name) return p.make();
    throw TimingProfileError(name, "", "unknown timing preset '" + name + "'; available presets: " + preset_list());
}

HypervisorProfile hypervisor_preset(const std::string& name) {
    for (const auto& p : hyp_preset_table())
        if (name == p.info.name) return p.make();
    throw TimingProfileError(name, "", "unknown hypervisor preset '" + name + "'; available presets: " +
                                           names_of(hyp_preset_table()));
}

TimingProfile load_timing_profile(const std::string& preset_or_path) { return load_profile<TimingProfile>(preset_or_path); }
HypervisorProfile load_hypervisor_profile(const std::string& preset_or_path) {
    return load_profile<HypervisorProfile>(preset_or_path);
}

TimingProfile parse_timing_profile(const std::string& text, TimingFileFormat format, const std::string& source) {
    const auto entries = format == TimingFileFormat::Json ? json_entries(text, source) : yaml_entries(text, source);
    return apply_entries<TimingProfile>(entries, source);
}

HypervisorProfile parse_hypervisor_profile(const std::string& text, TimingFileFormat format, const std::string& source) {
    const auto entries = format == TimingFileFormat::Json ? json_entries(text, source) : yaml_entries(text, source);
    return apply_entries<HypervisorProfile>(entries, source);
}

void set_timing_parameter(TimingProfile& profile, const std::string& key, const std::string& value,
                          const std::string& source) {
    set_parameter(profile, key, value, source);
}

void set_hypervisor_parameter(HypervisorProfile& profile, const std::string& key, const std::string& value,
                              const std::string& source) {
    set_parameter(profile, key, value, source);
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

std::uint64_t parse_frequency_hz(std::string_view text) { return parse_frequency_hz(text, 1, kMaxClockHz, "a clock"); }

std::uint64_t parse_frequency_hz(std::string_view text, std::uint64_t min_hz, std::uint64_t max_hz,
                                 const std::string& what) {
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
    // One range check with the caller's range, so the message states the limit in force.
    const std::uint64_t lowest = std::max<std::uint64_t>(min_hz, 1), highest = std::min(max_hz, kMaxClockHz);
    if (hz < lowest || hz > highest)
        fail(quoted(text) + " is out of range; expected " + what + " from " + format_frequency(lowest) + " to " +
             format_frequency(highest));
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

std::string describe(const TimingProfile& profile) { return describe_profile(profile, "timing profile"); }
std::string describe(const HypervisorProfile& profile) { return describe_profile(profile, "hypervisor profile"); }

std::string timing_markdown_table() {
    std::vector<TimingProfile> presets;
    for (const auto& p : preset_table()) presets.push_back(p.make());
    return markdown_table(presets);
}

std::string hypervisor_markdown_table() {
    std::vector<HypervisorProfile> presets;
    for (const auto& p : hyp_preset_table()) presets.push_back(p.make());
    return markdown_table(presets);
}

std::string spread_markdown_table() {
    std::string out = "| preset | parameter | value | spread | mean of the draws |\n|---|---|---|---|---|\n";
    std::vector<std::pair<std::string, std::map<std::string, Spread, std::less<>>>> shown;
    auto rows = [&out, &shown](const auto& profile, const char* kind) {
        using Profile = std::decay_t<decltype(profile)>;
        // A preset with the very spreads of one listed before (zcu104 and a53-gic400) is one row.
        for (const auto& [name, spreads] : shown)
            if (!profile.spread.empty() && spreads == profile.spread) {
                out += "| `" + profile.name + "` (" + kind + ") | every one above | | the spreads of `" + name + "` | |\n";
                return;
            }
        if (!profile.spread.empty()) shown.emplace_back(profile.name, profile.spread);
        for (const auto& param : Kind<Profile>::table()) {
            const Spread* s = profile.spread_of(param.key);
            if (s == nullptr) continue;
            out += "| `" + profile.name + "` (" + kind + ") | `" + param.key + "` | " +
                   format_value(param.unit, profile.*param.member) + " | " + describe_spread(*s) + " | " +
                   format_time(static_cast<std::uint64_t>(std::llround(spread_mean(*s) / 1000.0)) * 1000) + " |\n";
        }
    };
    for (const auto& p : preset_table()) rows(p.make(), "timing");
    for (const auto& p : hyp_preset_table()) rows(p.make(), "hypervisor");
    return out;
}

} // namespace vgic::tlm
