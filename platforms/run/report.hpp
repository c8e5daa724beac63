// SPDX-License-Identifier: Apache-2.0
// The reports of `vgic-sim run`: what a RunRecord says about interrupt latency, list-register
// pressure and hypervisor cost, as a stdout table, report.json, latency.csv (one row per
// interrupt), a Chrome trace (Perfetto / chrome://tracing), a GTKWave save file for the VCD,
// and a latency plot. Plain C++17: everything is computed from the record alone, so the
// reports are tested on hand-made records with known answers (testbenches/run/report.cpp).
//
// Times are integer picoseconds throughout; only means, shares and the calibration
// deviation are doubles.
#pragma once

#include "run/outputs.hpp"
#include "run/run_record.hpp"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace vgic::run {

struct LatencyStats {
    std::uint64_t count = 0;
    std::uint64_t min_ps = 0, p50_ps = 0, p99_ps = 0, max_ps = 0;
    double mean_ps = 0;
    /// p50 and p99 are samples (exact); false: they come from LatencySampler's histogram,
    /// within 0.1% (count, min, max and mean stay exact).
    bool exact = true;
};

/// Nearest-rank percentiles (the p-th is the ceil(p/100 * n)-th smallest sample), so every
/// percentile is a sample and exact in ps; the mean is a double. All zero for no samples.
LatencyStats latency_stats(std::vector<std::uint64_t> samples_ps);

/// Latency samples in bounded memory: kept exactly up to kExactLimit samples (stats() is then
/// latency_stats() of them), folded beyond into a log-linear histogram: every value below
/// 2048 ps has its own bucket, above it each power of two has 1024 buckets, so a bucket is at
/// most 1/1024 of its values wide and a percentile, the middle of its bucket, is within 0.05%
/// of the nearest-rank sample. Count, min, max and the mean (from an exact integer sum) stay
/// exact. At most 56,320 buckets (450 KB), allocated when the limit is passed.
class LatencySampler {
public:
    static constexpr std::size_t kExactLimit = 1'000'000;
    void add(std::uint64_t ps);
    LatencyStats stats() const;
    std::uint64_t count() const { return count_; }
    /// The bucket of `ps` and the smallest value it holds (for the tests).
    static std::size_t bucket_of(std::uint64_t ps);
    static std::uint64_t bucket_low(std::size_t bucket);
    static std::uint64_t bucket_width(std::size_t bucket);

private:
    std::vector<std::uint64_t> exact_;
    std::vector<std::uint64_t> buckets_;  // empty while exact
    std::uint64_t count_ = 0, min_ = 0, max_ = 0;
    unsigned __int128 sum_ = 0;
};

/// The interrupts of one class in one VM.
struct ClassSummary {
    unsigned vm = 0;
    IrqClass cls = IrqClass::DeviceSpi;
    std::uint64_t generated = 0;  ///< every record (= handled + coalesced + pending)
    std::uint64_t handled = 0, coalesced = 0, pending = 0;
    std::uint64_t waited_descheduled = 0;  ///< handled ones whose vCPU was descheduled meanwhile
    LatencyStats to_iar;  ///< assertion -> IAR read, handled ones
    LatencyStats to_eoi;  ///< assertion -> EOI (DIR in split mode), handled ones that completed
};

/// The run against the scenario's CalibrationSpec (a measured latency: CalibrationSpec's
/// measurement names which).
struct CalibrationResult {
    bool present = false;  ///< the scenario has a calibration target
    std::string measurement, source;
    /// The model's samples of the measurement (counter ticks converted to ps at the scenario's
    /// counter frequency) over the records of every VM that have one.
    LatencyStats model;
    std::uint64_t measured_mean_ps = 0, measured_min_ps = 0, measured_p99_ps = 0, measured_max_ps = 0;
    double tolerance = 0;
    /// (model mean - measured mean) / measured mean; 0 when it cannot be computed (no model
    /// sample or a zero measured mean), and then within_tolerance is false.
    double deviation = 0;
    bool deviation_known = false;
    /// One tick of the scenario's counter (ps): a deviation up to it is always within.
    std::uint64_t tick_ps = 0;
    /// |model mean - measured mean| <= max(tolerance x measured mean, tick_ps): an exact edge
    /// (990 vs 900 at 10%) is within.
    bool within_tolerance = false;
    /// With a spread tolerance (> 0): min, p99 and max (those measured) each within it of the
    /// model's, and which of them are not.
    std::uint64_t spread_tolerance_ps = 0;
    bool spread_within = true;
    std::vector<std::string> spread_outside;
    /// within_tolerance and, if compared, spread_within: the run's verdict (exit 1 if not).
    bool passed() const { return within_tolerance && spread_within; }
};

/// One VM: its engine counters, the sums over its vCPUs, and list-register occupancy.
struct VmSummary {
    unsigned vm = 0;
    std::string name;
    unsigned vcpus = 0, lrs = 0;
    std::uint64_t interrupts = 0;  ///< records generated for this VM
    std::uint64_t world_switches = 0, exits = 0, maintenance = 0;  ///< sums over its vCPUs
    /// Sums over its vCPUs of the time in each VcpuState (index = VcpuState).
    std::uint64_t state_time_ps[kVcpuStateCount] = {};
    std::uint64_t vcpu_time_ps = 0;       ///< all states
    std::uint64_t scheduled_time_ps = 0;  ///< every state but Blocked and Waiting: on a physical CPU
    std::uint64_t hypervisor_ps = 0;
    /// hypervisor_ps / scheduled_time_ps: the share of the physical CPU time the VM got that
    /// went to the hypervisor (0 when never scheduled).
    double hypervisor_share = 0;
    /// The physical CPUs its vCPUs run on, times the simulated duration: what it could have
    /// used; hypervisor_ps / pcpu_time_ps is the hypervisor's share of those CPUs.
    unsigned pcpus = 0;
    std::uint64_t pcpu_time_ps = 0;
    double hypervisor_share_of_pcpus = 0;
    /// lr_time_ps[k]: summed over vCPUs, time with exactly k list registers in use.
    std::vector<std::uint64_t> lr_time_ps;
    std::vector<double> lr_share;  ///< lr_time_ps[k] / their sum
    double lr_mean_in_use = 0;     ///< time-weighted mean number of LRs in use
    double lr_full_share = 0;      ///< share of time with all `lrs` in use (0 when lrs == 0)
    std::uint64_t flushes = 0, syncs = 0, lr_writes = 0, overflows = 0, evictions = 0, kicks = 0,
                  maintenance_kicks = 0;
    std::uint64_t guest_errors = 0, bad_accesses = 0;
    /// The wake-up bound (vm mode): handled interrupts that found their vCPU blocked on an
    /// idle physical CPU, did not wait for that CPU afterwards (another vCPU woken first) and
    /// were the first it acknowledged after their assertion (`wake_checked`),
    /// how many took longer than wake_bound_ps() of their class, and the longest of them.
    std::uint64_t wake_checked = 0, wake_over = 0, wake_max_ps = 0;
};

struct Summary {
    /// Classes that occurred, VM by VM, in IrqClass order.
    std::vector<ClassSummary> classes;
    std::vector<VmSummary> vms;
    CalibrationResult calibration;
    std::uint64_t interrupts_total = 0;
};

Summary summarize(const RunRecord& r);

/// summarize() one record at a time, for a run that streams its records (the recorder hands
/// each one over once it is final, in generation order, and frees it): the same Summary as
/// summarize() of a RunRecord holding them all, in memory bounded by LatencySampler.
class SummaryBuilder {
public:
    explicit SummaryBuilder(const Scenario* scenario);
    void add(const InterruptRecord& rec);
    /// The summary of every record added, with the VMs' and vCPUs' figures of `r` (whose
    /// `interrupts` are not read).
    Summary finish(const RunRecord& r) const;

private:
    struct ClassAcc {
        ClassSummary summary;
        LatencySampler to_iar, to_eoi;
    };
    struct Wake {
        std::uint64_t checked = 0, over = 0, max_ps = 0;
        std::uint64_t bound_ps[kIrqClassCount] = {};  // wake_bound_ps() per class
        bool bound_known = false;
    };
    ClassAcc& acc_of(unsigned vm, IrqClass cls);

    const Scenario* scenario_;
    bool calibrating_ = false;
    std::uint64_t counter_hz_ = 0;
    std::vector<ClassAcc> acc_;  // vm * kIrqClassCount + class
    LatencySampler calibration_;
    std::vector<std::uint64_t> vm_interrupts_;
    std::vector<Wake> wake_;
    std::uint64_t total_ = 0;
};

/// vm mode: the longest an interrupt of class `cls` may take from its assertion to the
/// handler's IAR read when it finds its vCPU blocked in WFI on an otherwise idle physical
/// CPU (docs/REPORTS.md, "The wake-up bound"): the emulation instant for an IPI (its assertion
/// is the SGI write), then the longer of the kick path (the vCPU was still in the guest) and
/// the wake path (exit + sync + save still to finish, restore, flush of every LR, entry), then
/// the vIRQ signal, exception entry and the IAR read. 0 for a hw-mode VM. With `variation`
/// (Scenario::variation) every step counts at the max of its spread.
std::uint64_t wake_bound_ps(const VmSpec& vm, IrqClass cls, bool variation);

/// "123.4 ns", "12.35 us", "1.234 ms", "2.000 s": the adaptive unit of the tables.
std::string format_latency(double ps);
/// "vm<i>"'s name in the record, or "vm<i>" when the record has none.
std::string vm_name(const RunRecord& r, unsigned vm);

/// The stdout report: header, per-VM tables, calibration. Fits 100 columns.
void print_summary(std::ostream& os, const RunRecord& r, const Summary& s);
/// report.json, format "vgic-sim-report" version 2: {format, version, complete (false when the
/// run was stopped before its duration), scenario {name, source,
/// text, duration_ps, seed, pcpus, counter_hz}, vms [{name, gic, mode, timing, timing_profile
/// {name, clock (Hz), every other parameter (ps)}, lrs, interrupts, the engine counters,
/// world_switches, exits, maintenance, hypervisor_ps, scheduled_ps, hypervisor_share,
/// lr_mean_in_use, lr_full_share, lr_time_ps [], guest_errors [], bad_accesses, vcpus [{vcpu,
/// pcpu, world_switches, exits, maintenance, state_time_ps {state: ps}, lr_time_ps []}]}],
/// classes [{vm, vm_name, class, generated, handled, coalesced, pending, waited_descheduled,
/// to_iar, to_eoi {count, min_ps, mean_ps, p50_ps, p99_ps, max_ps}}], calibration {measurement,
/// source, tolerance, model {stats}, measured {mean_ps, min_ps, p99_ps, max_ps}, deviation (or
/// null), within_tolerance} or null, run {simulated_ps, wall_seconds, interrupts, stopped_by
/// (null or the signal's name)}, outputs [{file, bytes, sha256} of every other file written
/// with it]}. Version 1 had no `complete` and `stopped_by`, and listed the outputs (itself
/// included) by name only.
void write_report_json(std::ostream& os, const RunRecord& r, const Summary& s,
                       const std::vector<OutputFileInfo>& outputs = {});
/// latency.csv: one row per InterruptRecord, empty fields for the -1 ones.
void write_latency_csv(std::ostream& os, const RunRecord& r);
/// Its header line, and one row appended to `out` (`vm_names`: each VM's CSV field).
std::string latency_csv_header();
void append_latency_csv_row(std::string& out, const std::vector<std::string>& vm_names, const InterruptRecord& rec);
/// Chrome trace event JSON: a process per VM, a thread per vCPU with its state timeline as
/// complete events, an async slice per handled interrupt (assertion to EOI).
void write_chrome_trace(std::ostream& os, const RunRecord& r);

/// One variable declared in a VCD header, as GTKWave names it.
struct VcdVariable {
    std::string name;     ///< dotted hierarchical name without the top scope: "vm0.vcpu0.virq"
    std::string gtkwave;  ///< what a .gtkw names: "SystemC.vm0.vcpu0.lrs_in_use[31:0]"
    unsigned width = 1;
};
/// The variables of a VCD header (reads up to $enddefinitions).
std::vector<VcdVariable> read_vcd_variables(std::istream& vcd);
/// Where waves.gtkw opens: the left edge, the right edge it is zoomed to show in a
/// kWidth-pixel window, and the marker (the first interrupt's assertion, -1: none).
struct GtkwaveWindow {
    static constexpr unsigned kWidth = 1400, kHeight = 800;       ///< [size]
    static constexpr unsigned kSstWidth = 200, kSignalsWidth = 300;  ///< the panes left of the waves
    static constexpr unsigned kWavePixels = kWidth - kSstWidth - kSignalsWidth - 50;  ///< the wave pane, about
    std::uint64_t start_ps = 0, end_ps = 0;
    double zoom = 0;  ///< GTKWave's: 2^-zoom ps per pixel
    std::int64_t marker_ps = -1;
};
/// The window around the first interrupts (RunRecord::wave_begin_ps .. wave_end_ps with a
/// margin of a tenth, at least 100 ns, each side), or the whole run when none was recorded.
GtkwaveWindow gtkwave_window(const RunRecord& r);
/// waves.gtkw: the dump file (r.vcd_path) named relative to the save file's folder
/// (`save_path`; "" = waves.gtkw beside the VCD) with [savefile] naming the save file, so
/// that GTKWave finds the dump after the folder moved; opening on gtkwave_window(); one group
/// per TracedSignal group. Reads the VCD's header (from `header_from`, "" = r.vcd_path: the
/// file may still be a temporary) when it is readable, for the exact names and widths; else
/// assumes SystemC 2.3.4's naming (which the project's VcdWriter keeps) and 1-bit signals.
void write_gtkwave_save(std::ostream& os, const RunRecord& r, const std::string& header_from = "",
                        const std::string& save_path = "");

struct PlotOutcome {
    bool written = false;
    std::string path;     ///< the image, when written
    std::string message;  ///< why not, when not written (the caller prints it)
    std::vector<std::string> files;  ///< every file written (script and image)
};
/// Plots the assertion-to-IAR latency distribution (empirical CDF) of each class of each VM
/// from <dir>/latency.csv (must exist) into <dir>/latency.svg with gnuplot (script
/// latency.gp), or <dir>/latency.png with python3-matplotlib (latency_plot.py) when gnuplot
/// is missing. Never throws for a missing tool: written = false and the message says why.
PlotOutcome write_plot(const std::string& dir, const RunRecord& r);

/// The reports of a run that streams its records (RecordSink; `vgic-sim run`): latency.csv
/// and trace.json are written under their temporary names in `out` as the run goes (rows in
/// generation order, as write_latency_csv; trace events as they happen, the first
/// `max_trace_events` state and interrupt events, then a note of how many were dropped), and
/// the summary is built record by record (SummaryBuilder). Memory stays bounded whatever the
/// run's length. write_reports(..., this) then takes the two files as they are.
class StreamingReports : public RecordSink {
public:
    static constexpr std::uint64_t kDefaultMaxTraceEvents = 2'000'000;
    StreamingReports(OutputDir& out, const Scenario& s, std::uint64_t max_trace_events = kDefaultMaxTraceEvents);
    ~StreamingReports() override;
    /// Opens the two temporaries (throws OutputError) and writes their headers.
    void begin(const RunRecord& r) override;
    void interrupt(const RunRecord& r, const InterruptRecord& rec, std::uint64_t id) override;
    void span(const VcpuRecord& c, VcpuState state, std::uint64_t begin_ps, std::uint64_t end_ps) override;
    void end(const RunRecord& r) override;
    /// Throws OutputError (file and reason) if a write failed at any point.
    void check() const;
    Summary summary(const RunRecord& r) const;
    std::uint64_t trace_events() const;
    std::uint64_t trace_dropped() const;
    std::uint64_t max_trace_events() const { return max_trace_events_; }

private:
    struct Files;
    OutputDir& out_;
    SummaryBuilder builder_;
    std::uint64_t max_trace_events_;
    std::unique_ptr<Files> files_;
    bool ended_ = false;
};

/// Writes latency.csv, trace.json, waves.gtkw (only when r.vcd_path is set), the plot (unless
/// !plot; its outcome in *plot_outcome if given) and report.json into `out`, each under its
/// temporary name, and commits them (outputs.hpp): renamed when all are complete, report.json
/// last, listing every other file with its size and SHA-256 — with the VCD when r.vcd_path is
/// in the directory (its temporary, or the file itself if written there directly). A plotter
/// that is installed but fails is an error; none installed is not (plot_outcome->message).
/// Returns the final paths, report.json last. Throws OutputError naming the file and the
/// reason; the temporaries are then removed (the directory holds none of this run's files).
/// With `streamed`, latency.csv and trace.json are its files (checked, then listed as they are).
std::vector<std::string> write_reports(OutputDir& out, const RunRecord& r, const Summary& s, bool plot,
                                       PlotOutcome* plot_outcome = nullptr, const StreamingReports* streamed = nullptr);
/// The same into `dir`, created if missing, after removing the earlier run's outputs there
/// (except r.vcd_path).
std::vector<std::string> write_reports(const std::string& dir, const RunRecord& r, const Summary& s, bool plot,
                                       PlotOutcome* plot_outcome = nullptr);

} // namespace vgic::run
