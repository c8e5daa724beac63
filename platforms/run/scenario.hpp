// SPDX-License-Identifier: Apache-2.0
// A scenario of the latency-study platform (`vgic-sim run`): VMs, physical CPUs and the
// hypervisor scheduler, guest workloads, device interrupt sources, an optional calibration
// target. Plain C++17 data, loaded from YAML (docs/SCENARIO.md) and validated completely
// before any SystemC object exists, so a bad file never starts a simulation.
//
// Every time is an exact integer of picoseconds (as vgic::tlm::TimingProfile), written in a
// file with a unit ("1 ms", "2.5 us", "300 ps"); a rate is a positive frequency ("250 Hz",
// "1.5 kHz", "0.5 Hz"), kept as a double (Poisson sources need fractional rates).
#pragma once

#include "vgic/model/config.hpp"
#include "vgic/tlm/timing_profile.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace vgic::run {

/// A scenario that cannot run: the message is "FILE:LINE: key 'a.b[2].c': what is wrong",
/// with line 0 ("FILE: ...") only when no line is known (unreadable file).
class ScenarioError : public std::runtime_error {
public:
    ScenarioError(std::string file, int line, std::string key, const std::string& what);
    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    /// Dotted path of the offending key, e.g. "vms[0].guest.timer.rate" ("" for syntax errors).
    const std::string& key() const noexcept { return key_; }

private:
    std::string file_;
    int line_;
    std::string key_;
};

/// How a VM's interrupts reach it.
enum class VmMode {
    Vm,  ///< trap-and-inject through list registers (vgic::VmGic: the model plays the hypervisor's vGIC)
    Hw,  ///< no hypervisor on the interrupt path (vgic::Gic: bare metal, or direct injection)
};

/// The classes of interrupt the reports separate.
enum class IrqClass { DeviceSpi, TimerPpi, Ipi, Maintenance };
inline constexpr unsigned kIrqClassCount = 4;
/// "device_spi", "timer_ppi", "ipi", "maintenance" (report.json / latency.csv spelling).
const char* irq_class_name(IrqClass c);

/// The guest's virtual timer (CNTV, PPI 27).
struct TimerSpec {
    enum class Kind { None, Periodic, OneShot };
    Kind kind = Kind::Periodic;
    std::uint64_t period_ps = 4'000'000'000;  ///< periodic: 1 / rate (default 250 Hz)
    std::uint64_t first_ps = 0;  ///< one-shot: deadline after boot; periodic: first tick after boot (0 = one period)
};

/// IPIs the guest sends (SGIs through GICD_SGIR / ICC_SGI1R_EL1).
struct IpiSpec {
    double rate_hz = 0;   ///< per sending vCPU; 0 = no IPIs
    std::uint32_t sgi = 1;  ///< 0..15 (Linux: 1 = IPI_RESCHEDULE)
    enum class Targets { Next, All, AllButSelf };
    Targets targets = Targets::Next;  ///< next: vCPU (i + 1) % n; all: every vCPU incl. self
    /// The vCPUs that send (each at rate_hz); empty = every vCPU of the VM.
    std::vector<unsigned> senders;
    /// Instrumented as the IPI benchmark of the calibration measurements: the sender reads
    /// CNTVCT just before its SGIR / ICC_SGI1R_EL1 write and just after it, the receiver's
    /// handler reads CNTVCT right after its IAR read (each a real system-register access on
    /// the path). Set by `measure: true`, or by an ipi_* calibration measurement.
    bool measure = false;
};

/// Handler durations (guest compute between IAR and EOIR), per class.
struct HandlerCosts {
    std::uint64_t timer_ps = 0;
    std::uint64_t device_ps = 0;
    std::uint64_t ipi_ps = 0;
};

struct GuestSpec {
    /// Perform the Linux GIC driver initialisation through the sockets at boot (vCPU 0 the
    /// distributor init, every vCPU its CPU-interface init). Without it the platform
    /// programs the same state untimed before time 0 (for calibration runs).
    bool boot = true;
    bool split_eoi = false;  ///< EOImode=1: EOIR then DIR
    /// CPU exception entry before the handler's first instruction; -1 = the profile's irq_entry.
    std::int64_t irq_entry_ps = -1;
    TimerSpec timer{};
    IpiSpec ipi{};
    HandlerCosts handler{};
};

struct VmSpec {
    std::string name;
    GicVersion gic = GicVersion::V2;
    /// vm: trap-and-inject through list registers (the model plays the hypervisor's vGIC);
    /// hw: no hypervisor on the interrupt path (bare metal, or direct injection): the guest
    /// owns a physical GIC CPU interface, its vCPUs are pinned 1:1 and never switched.
    VmMode mode = VmMode::Vm;
    unsigned vcpus = 1;
    unsigned lrs = 4;
    unsigned spis = 64;  ///< GicConfig::num_spis
    /// A preset name or a profile file (a relative path is resolved against the scenario's
    /// directory by the loader; already resolved here).
    std::string timing = "a53-gic400";
    vgic::tlm::TimingProfile profile{};  ///< loaded by the loader from `timing`: the hardware
    /// vm mode: a hypervisor preset name or file (resolved like `timing`), the software on
    /// the interrupt path. Unset: the timing file's legacy hypervisor keys if it has any,
    /// else "kvm". hw mode: none.
    std::string hypervisor = "kvm";
    vgic::tlm::HypervisorProfile hyp{};  ///< loaded by the loader from `hypervisor`
    /// Physical CPU of each vCPU: vCPU i runs on pcpus[i % pcpus.size()]. Default: vCPU i
    /// on pCPU i % scenario pcpus.
    std::vector<unsigned> pcpus;
    GuestSpec guest{};
    int line = 0;  ///< where the VM was declared (for later messages)
};

struct DeviceSpec {
    std::string name;
    unsigned vm = 0;           ///< index into Scenario::vms (the file names the VM)
    std::uint32_t intid = 32;  ///< an SPI of that VM: 32 .. 32 + spis - 1 (and <= 1019)
    enum class Pattern { Periodic, Poisson, Burst };
    Pattern pattern = Pattern::Periodic;
    double rate_hz = 1000;  ///< periodic/burst: events (bursts) per second; poisson: mean rate
    unsigned burst_count = 1;         ///< burst: interrupts per burst
    std::uint64_t burst_spacing_ps = 0;  ///< burst: between interrupts of one burst
    bool edge = true;  ///< edge: a pulse of pulse_ps; level: held until the handler clears it
    std::uint64_t pulse_ps = 10'000;  ///< edge pulse width (default 10 ns)
    unsigned target_vcpu = 0;  ///< the guest steers the SPI here (ITARGETSR / IROUTER)
    std::uint64_t start_ps = 0;  ///< first event not before (after boot)
    int line = 0;
};

struct SchedulerSpec {
    std::uint64_t slice_ps = 1'000'000'000;  ///< round-robin time slice (1 ms)
    /// block: a vCPU executing WFI with nothing pending is descheduled (exit + save) and
    /// woken by its interrupts; stay: WFI does not trap, the vCPU stays in the guest.
    enum class Wfi { Block, Stay };
    Wfi wfi = Wfi::Block;
};

/// A measured latency to compare the run against (real-clients.md section 2).
struct CalibrationSpec {
    bool present = false;
    /// What is compared, in counter ticks as the measurements define them:
    ///   timer_cntvct    the timer handler's CNTVCT read (after its IAR read) minus CVAL;
    ///   ipi_cntvct      the IPI receiver's CNTVCT read after its IAR minus the sender's CNTVCT
    ///                   read just before its SGIR / ICC_SGI1R_EL1 write;
    ///   sgir_cost       the sender's CNTVCT read just after that write minus the one before;
    ///   sgir_emulation  the counter at the instant the write took effect (the hypervisor's
    ///                   emulation instant in vm mode, the store reaching the GIC in hw mode)
    ///                   minus the sender's stamp before the write.
    std::string measurement = "timer_cntvct";
    std::string source;  ///< citation printed with the table
    /// The measured figures; min, p99 and max are 0 when the source does not give them.
    std::uint64_t mean_ps = 0, min_ps = 0, p99_ps = 0, max_ps = 0;
    /// The model's mean must land within this fraction of the measured mean, or within one
    /// counter tick if that is more (a figure under 100 ns at 100 MHz: the counter's phase
    /// against the events varies with the seed).
    double tolerance = 0.10;
    /// With `spread_tolerance`: the model's min, p99 and max (those the source gives) must
    /// each land within this time of the measured figure. 0: the spread is shown, not
    /// compared. Needs `variation: true` (without it every sample takes the same time).
    std::uint64_t spread_tolerance_ps = 0;
};

/// What the waveform (waves.vcd) traces beyond the lines: the scenario's `trace` mapping.
struct TraceSpec {
    /// `trace.intids` was written: `intids` (possibly empty) replaces the default, which is
    /// each VM's device INTIDs and the SGI its IPIs use (traced_intids()).
    bool intids_given = false;
    std::vector<std::uint32_t> intids;  ///< as written, each implemented by every VM, no repeats
    int line = 0;                       ///< of the `intids` key (0: not written)
};

struct Scenario {
    std::string name = "default";
    std::string source;  ///< the file path, or "<built-in default>"
    std::string text;    ///< the scenario text as loaded (echoed in report.json)
    std::uint64_t duration_ps = 1'000'000'000'000;  ///< simulated time (1 s)
    std::uint64_t seed = 1;  ///< Poisson sources and, with `variation`, the parameters' draws
    /// Seeded variation of every parameter that has a spread in its profile (docs/TIMING.md
    /// "Spread"); off by default: every cost is exact.
    bool variation = false;
    unsigned pcpus = 1;
    SchedulerSpec scheduler{};
    std::vector<VmSpec> vms;
    std::vector<DeviceSpec> devices;
    CalibrationSpec calibration{};
    TraceSpec trace{};
    /// Timer counter frequency (CNTFRQ), every VM.
    std::uint64_t counter_hz = 100'000'000;
    /// What loaded but deserves a word (a timing file's legacy hypervisor keys): printed by
    /// the command line before the run, echoed in report.json.
    std::vector<std::string> warnings;
};

/// The INTIDs whose pending and active state the waveform traces for VM `vm`, ascending:
/// `trace.intids` when written, else the VM's device INTIDs and, when its guest sends IPIs,
/// their SGI (docs/SCENARIO.md "Waveforms").
std::vector<std::uint32_t> traced_intids(const Scenario& s, unsigned vm);

/// Loads and validates a scenario file. Throws ScenarioError.
Scenario load_scenario(const std::string& path);
/// Parses scenario text; `source` names it in messages, `base_dir` resolves relative
/// timing-profile paths. Throws ScenarioError.
Scenario parse_scenario(const std::string& text, const std::string& source, const std::string& base_dir = ".");
/// The built-in default scenario's text (platforms/scenarios/default.yaml, compiled in).
const char* default_scenario_text();
Scenario default_scenario();

/// What a run of a scenario will build and do, estimated before anything is built
/// (docs/SCENARIO.md "Work limit"): the interrupts its sources generate over `duration`
/// (timer ticks, IPIs times their targets, device events; maintenance interrupts are not
/// counted) and the vCPUs it builds. `events` weighs both: interrupts + kEventsPerVcpu x vCPUs.
struct WorkEstimate {
    double interrupts = 0;
    std::uint64_t vcpus = 0;
    double events = 0;
};
/// A vCPU's modules, threads and sockets weigh about 67 KB before the run starts (measured:
/// 20 VMs x 4096 vCPUs took 5.5 GB), as much as some 700 interrupt records: one vCPU counts
/// as this many events.
inline constexpr std::uint64_t kEventsPerVcpu = 1000;
/// The default limit of WorkEstimate::events (`vgic-sim run --max-events` raises it).
inline constexpr std::uint64_t kDefaultMaxEvents = 50'000'000;
WorkEstimate estimate_work(const Scenario& s);
/// Throws ScenarioError (the scenario's file, no line) with the estimate in the message if
/// estimate_work(s).events exceeds `max_events`.
void check_work(const Scenario& s, std::uint64_t max_events);

/// GicConfig of VM `vm` of `s` (version, vCPUs, SPIs, LRs; virt enabled).
vgic::GicConfig gic_config_of(const Scenario& s, unsigned vm);

} // namespace vgic::run
