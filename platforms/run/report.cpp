// SPDX-License-Identifier: Apache-2.0
// The reports of `vgic-sim run` (report.hpp): statistics, the stdout table, report.json,
// latency.csv, the Chrome trace, the GTKWave save file and the latency plot.
#include "run/report.hpp"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>

namespace vgic::run {

namespace fs = std::filesystem;

const char* vcpu_state_name(VcpuState s) {
    switch (s) {
    case VcpuState::Blocked: return "blocked";
    case VcpuState::Waiting: return "waiting";
    case VcpuState::Hypervisor: return "hypervisor";
    case VcpuState::Guest: return "guest";
    case VcpuState::Idle: return "idle";
    case VcpuState::Handler: return "handler";
    }
    return "unknown";
}

namespace {

constexpr VcpuState kAllStates[kVcpuStateCount] = {VcpuState::Blocked, VcpuState::Waiting, VcpuState::Hypervisor,
                                                  VcpuState::Guest,   VcpuState::Idle,    VcpuState::Handler};
constexpr IrqClass kAllClasses[kIrqClassCount] = {IrqClass::DeviceSpi, IrqClass::TimerPpi, IrqClass::Ipi,
                                                 IrqClass::Maintenance};

const char* outcome_name(InterruptRecord::Outcome o) {
    switch (o) {
    case InterruptRecord::Outcome::Handled: return "handled";
    case InterruptRecord::Outcome::Coalesced: return "coalesced";
    case InterruptRecord::Outcome::Pending: return "pending";
    }
    return "unknown";
}

/// printf into a std::string (the tables need fixed-width numeric fields).
template <typename... Args>
std::string strprintf(const char* format, Args... args) {
    const int n = std::snprintf(nullptr, 0, format, args...);
    if (n <= 0) return {};
    std::string out(static_cast<std::size_t>(n) + 1, '\0');
    std::snprintf(out.data(), out.size(), format, args...);
    out.resize(static_cast<std::size_t>(n));
    return out;
}

/// A JSON string literal (quotes and escapes); invalid UTF-8 is replaced, never thrown on.
std::string json_string(const std::string& s) {
    return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// A CSV field per RFC 4180: quoted only when it must be.
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// A word for /bin/sh: single-quoted, with embedded single quotes closed, escaped, reopened.
std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

/// A gnuplot double-quoted string literal.
std::string gnuplot_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

/// A Python string literal (repr-like, ASCII-safe for the names we write).
std::string python_string(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string percent(double share) { return strprintf("%.1f%%", share * 100.0); }

double share_of(std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

/// Counter ticks -> ps at `hz`, rounded to the nearest ps. 128-bit because ticks * 1e12
/// overflows 64 bits after ~18 million ticks.
std::uint64_t ticks_to_ps(std::uint64_t ticks, std::uint64_t hz) {
    const unsigned __int128 num = static_cast<unsigned __int128>(ticks) * 1'000'000'000'000ULL + hz / 2;
    return static_cast<std::uint64_t>(num / hz);
}

/// The latency `end - asserted` when `end` is a valid instant at or after the assertion.
bool latency_of(std::int64_t end_ps, std::uint64_t asserted_ps, std::uint64_t& out) {
    if (end_ps < 0 || static_cast<std::uint64_t>(end_ps) < asserted_ps) return false;
    out = static_cast<std::uint64_t>(end_ps) - asserted_ps;
    return true;
}

unsigned vm_count(const RunRecord& r) {
    std::size_t n = r.vms.size();
    if (r.scenario != nullptr) n = std::max(n, r.scenario->vms.size());
    for (const auto& i : r.interrupts) n = std::max<std::size_t>(n, i.vm + 1);
    for (const auto& v : r.vcpus) n = std::max<std::size_t>(n, v.vm + 1);
    return static_cast<unsigned>(n);
}

const VmRecord* vm_record(const RunRecord& r, unsigned vm) { return vm < r.vms.size() ? &r.vms[vm] : nullptr; }

} // namespace

// ---- statistics ----------------------------------------------------------------------------

LatencyStats latency_stats(std::vector<std::uint64_t> samples_ps) {
    LatencyStats s;
    if (samples_ps.empty()) return s;
    std::sort(samples_ps.begin(), samples_ps.end());
    const std::size_t n = samples_ps.size();
    // The ceil(p/100 * n)-th smallest, in integers so that p50 of 100 samples is exactly the 50th.
    auto nearest_rank = [&](std::size_t p) {
        std::size_t rank = (p * n + 99) / 100;
        rank = std::clamp<std::size_t>(rank, 1, n);
        return samples_ps[rank - 1];
    };
    long double sum = 0;  // 1e6 samples of 1e13 ps exceed no long double precision that matters
    for (auto v : samples_ps) sum += v;
    s.count = n;
    s.min_ps = samples_ps.front();
    s.max_ps = samples_ps.back();
    s.p50_ps = nearest_rank(50);
    s.p99_ps = nearest_rank(99);
    s.mean_ps = static_cast<double>(sum / static_cast<long double>(n));
    return s;
}

namespace {
constexpr unsigned kLinearBits = 11;  // values below 2^11 ps: one bucket each
constexpr unsigned kSubBits = 10;     // 1024 buckets per power of two above
}  // namespace

std::size_t LatencySampler::bucket_of(std::uint64_t ps) {
    if (ps < (std::uint64_t{1} << kLinearBits)) return static_cast<std::size_t>(ps);
    const unsigned e = 63u - static_cast<unsigned>(__builtin_clzll(ps));  // floor(log2 ps) >= 11
    const std::uint64_t sub = (ps >> (e - kSubBits)) & ((std::uint64_t{1} << kSubBits) - 1);
    return (std::size_t{1} << kLinearBits) + (e - kLinearBits) * (std::size_t{1} << kSubBits) + sub;
}

std::uint64_t LatencySampler::bucket_low(std::size_t bucket) {
    if (bucket < (std::size_t{1} << kLinearBits)) return bucket;
    const std::size_t rest = bucket - (std::size_t{1} << kLinearBits);
    const unsigned e = kLinearBits + static_cast<unsigned>(rest >> kSubBits);
    const std::uint64_t sub = rest & ((std::size_t{1} << kSubBits) - 1);
    return (std::uint64_t{1} << e) + (sub << (e - kSubBits));
}

std::uint64_t LatencySampler::bucket_width(std::size_t bucket) {
    if (bucket < (std::size_t{1} << kLinearBits)) return 1;
    const unsigned e = kLinearBits + static_cast<unsigned>((bucket - (std::size_t{1} << kLinearBits)) >> kSubBits);
    return std::uint64_t{1} << (e - kSubBits);
}

void LatencySampler::add(std::uint64_t ps) {
    min_ = count_ == 0 ? ps : std::min(min_, ps);
    max_ = count_ == 0 ? ps : std::max(max_, ps);
    ++count_;
    sum_ += ps;
    if (buckets_.empty()) {
        exact_.push_back(ps);
        if (exact_.size() <= kExactLimit) return;
        // Past the limit: every sample so far into the histogram, and the vector freed.
        buckets_.assign(bucket_of(~std::uint64_t{0}) + 1, 0);
        for (std::uint64_t v : exact_) ++buckets_[bucket_of(v)];
        std::vector<std::uint64_t>().swap(exact_);
        return;
    }
    ++buckets_[bucket_of(ps)];
}

LatencyStats LatencySampler::stats() const {
    if (buckets_.empty()) return latency_stats(exact_);
    LatencyStats s;
    s.exact = false;
    s.count = count_;
    s.min_ps = min_;
    s.max_ps = max_;
    s.mean_ps = static_cast<double>(static_cast<long double>(sum_) / static_cast<long double>(count_));
    auto nearest_rank = [&](std::uint64_t p) {
        const std::uint64_t rank = std::clamp<std::uint64_t>((p * count_ + 99) / 100, 1, count_);
        std::uint64_t seen = 0;
        for (std::size_t b = 0; b < buckets_.size(); ++b) {
            seen += buckets_[b];
            if (seen >= rank) {
                // The middle of the bucket, within the samples' range.
                const std::uint64_t mid = bucket_low(b) + (bucket_width(b) - 1) / 2;
                return std::clamp(mid, min_, max_);
            }
        }
        return max_;
    };
    s.p50_ps = nearest_rank(50);
    s.p99_ps = nearest_rank(99);
    return s;
}

std::string vm_name(const RunRecord& r, unsigned vm) {
    if (const VmRecord* v = vm_record(r, vm); v != nullptr && !v->name.empty()) return v->name;
    if (r.scenario != nullptr && vm < r.scenario->vms.size() && !r.scenario->vms[vm].name.empty())
        return r.scenario->vms[vm].name;
    return "vm" + std::to_string(vm);
}

std::uint64_t wake_bound_ps(const VmSpec& vm, IrqClass cls, bool variation) {
    if (vm.mode != VmMode::Vm) return 0;
    // With variation, every step at the slowest its spread can draw.
    const vgic::tlm::TimingProfile t = variation ? vm.profile.upper() : vm.profile;
    const vgic::tlm::HypervisorProfile h = variation ? vm.hyp.upper() : vm.hyp;
    const unsigned n = vm.lrs;
    const bool ipi = cls == IrqClass::Ipi;
    // The IPI's assertion is the SGI write; it is pending from the emulation instant on.
    const std::uint64_t pending = ipi ? h.trap_entry + h.emulate : 0;
    // Still in the guest: kicked (from another physical CPU for an IPI: the message and the
    // physical SGI first); the exit takes the message; sync, flush, entry.
    const std::uint64_t kick_path = (ipi ? h.ipi_send + t.gicd_write : 0) + h.kick + h.exit +
                                    (ipi ? h.ipi_receive : 0) + h.sync_cost(n) + h.flush_cost(n) + h.entry;
    // On its way out (the WFI exit began before the interrupt): the rest of the exit, sync
    // and save, then the restore, flush and entry of being scheduled in again.
    const std::uint64_t wake_path = h.exit + h.ipi_receive + h.sync_cost(n) + h.save_cost(n) + h.restore_cost(n) +
                                    h.flush_cost(n) + h.entry;
    const std::uint64_t entry = vm.guest.irq_entry_ps >= 0 ? static_cast<std::uint64_t>(vm.guest.irq_entry_ps)
                                                           : t.irq_entry;
    const std::uint64_t iar = vm.gic == GicVersion::V3 ? t.sysreg_access : t.gicv_access;
    return pending + std::max(kick_path, wake_path) + t.signal_delay + entry + iar;
}

SummaryBuilder::SummaryBuilder(const Scenario* scenario) : scenario_(scenario) {
    calibrating_ = scenario_ != nullptr && scenario_->calibration.present;
    counter_hz_ = scenario_ != nullptr ? scenario_->counter_hz : 0;
}

SummaryBuilder::ClassAcc& SummaryBuilder::acc_of(unsigned vm, IrqClass cls) {
    const std::size_t need = (static_cast<std::size_t>(vm) + 1) * kIrqClassCount;
    while (acc_.size() < need) {
        ClassAcc a;
        a.summary.vm = static_cast<unsigned>(acc_.size() / kIrqClassCount);
        a.summary.cls = kAllClasses[acc_.size() % kIrqClassCount];
        acc_.push_back(std::move(a));
    }
    return acc_[vm * kIrqClassCount + static_cast<unsigned>(cls)];
}

void SummaryBuilder::add(const InterruptRecord& rec) {
    ++total_;
    if (vm_interrupts_.size() <= rec.vm) vm_interrupts_.resize(rec.vm + 1, 0);
    ++vm_interrupts_[rec.vm];
    ClassAcc& a = acc_of(rec.vm, rec.cls);
    ++a.summary.generated;
    switch (rec.outcome) {
    case InterruptRecord::Outcome::Coalesced: ++a.summary.coalesced; break;
    case InterruptRecord::Outcome::Pending: ++a.summary.pending; break;
    case InterruptRecord::Outcome::Handled: {
        ++a.summary.handled;
        if (rec.waited_descheduled) ++a.summary.waited_descheduled;
        std::uint64_t latency = 0;
        if (latency_of(rec.iar_ps, rec.asserted_ps, latency)) a.to_iar.add(latency);
        if (latency_of(rec.eoi_ps, rec.asserted_ps, latency)) a.to_eoi.add(latency);
        break;
    }
    }
    if (calibrating_ && counter_hz_ > 0) {
        // The sample the measurement defines, where this record has one.
        const std::string& m = scenario_->calibration.measurement;
        std::int64_t ticks = -1;
        const bool handled = rec.outcome == InterruptRecord::Outcome::Handled;
        if (m == "timer_cntvct" && rec.cls == IrqClass::TimerPpi && handled) ticks = rec.counter_latency_ticks;
        else if (m == "ipi_cntvct" && rec.cls == IrqClass::Ipi && handled) ticks = rec.counter_latency_ticks;
        else if (m == "sgir_cost" && rec.cls == IrqClass::Ipi) ticks = rec.sgir_cost_ticks;
        else if (m == "sgir_emulation" && rec.cls == IrqClass::Ipi) ticks = rec.sgir_emulation_ticks;
        if (ticks >= 0) calibration_.add(ticks_to_ps(static_cast<std::uint64_t>(ticks), counter_hz_));
    }
    // The wake-up bound (vm mode): handled interrupts that found their vCPU blocked on an idle
    // pCPU, and were the first that vCPU acknowledged after their assertion (another one taken
    // first, of higher priority or earlier, is a related event, not a lost wake-up), unless
    // the vCPU then waited for its pCPU (another vCPU of that pCPU was woken first: the
    // overcommit figure). The recorder set both flags at the acknowledgement.
    if (scenario_ != nullptr && rec.vm < scenario_->vms.size() && scenario_->vms[rec.vm].mode == VmMode::Vm &&
        rec.target_idle && rec.outcome == InterruptRecord::Outcome::Handled && rec.iar_ps >= 0 &&
        rec.vcpu < scenario_->vms[rec.vm].vcpus && rec.cls != IrqClass::Maintenance && rec.acknowledged_first &&
        !rec.waited_for_pcpu) {
        if (wake_.size() <= rec.vm) wake_.resize(rec.vm + 1);
        Wake& w = wake_[rec.vm];
        if (!w.bound_known) {
            // Once per VM: the bound copies the profiles (their upper() with variation).
            for (unsigned c = 0; c < kIrqClassCount; ++c)
                w.bound_ps[c] = wake_bound_ps(scenario_->vms[rec.vm], kAllClasses[c], scenario_->variation);
            w.bound_known = true;
        }
        const std::uint64_t latency = static_cast<std::uint64_t>(rec.iar_ps) - rec.asserted_ps;
        ++w.checked;
        w.max_ps = std::max(w.max_ps, latency);
        if (latency > w.bound_ps[static_cast<unsigned>(rec.cls)]) ++w.over;
    }
}

Summary SummaryBuilder::finish(const RunRecord& r) const {
    Summary s;
    unsigned nvm = vm_count(r);
    nvm = std::max<unsigned>(nvm, static_cast<unsigned>(vm_interrupts_.size()));
    s.interrupts_total = total_;
    for (const auto& a : acc_) {
        if (a.summary.generated == 0) continue;
        ClassSummary c = a.summary;
        c.to_iar = a.to_iar.stats();
        c.to_eoi = a.to_eoi.stats();
        s.classes.push_back(c);
    }

    for (unsigned vm = 0; vm < nvm; ++vm) {
        VmSummary v;
        v.vm = vm;
        v.name = vm_name(r, vm);
        const VmRecord* rec = vm_record(r, vm);
        if (rec != nullptr) {
            v.vcpus = rec->vcpus;
            v.lrs = rec->lrs;
            v.flushes = rec->flushes;
            v.syncs = rec->syncs;
            v.lr_writes = rec->lr_writes;
            v.overflows = rec->overflows;
            v.evictions = rec->evictions;
            v.kicks = rec->kicks;
            v.maintenance_kicks = rec->maintenance_kicks;
            v.guest_errors = rec->guest_errors.size();
            v.bad_accesses = rec->bad_accesses;
        }
        unsigned vcpus_seen = 0;
        for (const auto& c : r.vcpus) {
            if (c.vm != vm) continue;
            ++vcpus_seen;
            v.world_switches += c.world_switches;
            v.exits += c.exits;
            v.maintenance += c.maintenance;
            for (unsigned st = 0; st < kVcpuStateCount; ++st) v.state_time_ps[st] += c.state_time_ps[st];
            if (v.lr_time_ps.size() < c.lr_time_ps.size()) v.lr_time_ps.resize(c.lr_time_ps.size(), 0);
            for (std::size_t k = 0; k < c.lr_time_ps.size(); ++k) v.lr_time_ps[k] += c.lr_time_ps[k];
        }
        if (v.vcpus == 0) v.vcpus = vcpus_seen;
        v.interrupts = vm < vm_interrupts_.size() ? vm_interrupts_[vm] : 0;
        for (unsigned st = 0; st < kVcpuStateCount; ++st) v.vcpu_time_ps += v.state_time_ps[st];
        v.hypervisor_ps = v.state_time_ps[static_cast<unsigned>(VcpuState::Hypervisor)];
        v.scheduled_time_ps = v.vcpu_time_ps - v.state_time_ps[static_cast<unsigned>(VcpuState::Blocked)] -
                              v.state_time_ps[static_cast<unsigned>(VcpuState::Waiting)];
        v.hypervisor_share = share_of(v.hypervisor_ps, v.scheduled_time_ps);
        std::vector<unsigned> pcpus;
        for (const auto& c : r.vcpus)
            if (c.vm == vm && std::find(pcpus.begin(), pcpus.end(), c.pcpu) == pcpus.end()) pcpus.push_back(c.pcpu);
        v.pcpus = static_cast<unsigned>(pcpus.size());
        v.pcpu_time_ps = v.pcpus * r.simulated_ps;
        v.hypervisor_share_of_pcpus = share_of(v.hypervisor_ps, v.pcpu_time_ps);

        if (vm < wake_.size()) {
            v.wake_checked = wake_[vm].checked;
            v.wake_over = wake_[vm].over;
            v.wake_max_ps = wake_[vm].max_ps;
        }

        std::uint64_t lr_total = 0;
        long double weighted = 0;
        for (std::size_t k = 0; k < v.lr_time_ps.size(); ++k) {
            lr_total += v.lr_time_ps[k];
            weighted += static_cast<long double>(k) * v.lr_time_ps[k];
        }
        for (auto t : v.lr_time_ps) v.lr_share.push_back(share_of(t, lr_total));
        if (lr_total > 0) v.lr_mean_in_use = static_cast<double>(weighted / lr_total);
        if (v.lrs > 0 && v.lrs < v.lr_time_ps.size()) v.lr_full_share = v.lr_share[v.lrs];
        s.vms.push_back(std::move(v));
    }

    CalibrationResult& cal = s.calibration;
    if (calibrating_) {
        const CalibrationSpec& spec = r.scenario->calibration;
        cal.present = true;
        cal.measurement = spec.measurement;
        cal.source = spec.source;
        cal.model = calibration_.stats();
        cal.measured_mean_ps = spec.mean_ps;
        cal.measured_min_ps = spec.min_ps;
        cal.measured_p99_ps = spec.p99_ps;
        cal.measured_max_ps = spec.max_ps;
        cal.tolerance = spec.tolerance;
        cal.tick_ps = counter_hz_ > 0 ? ticks_to_ps(1, counter_hz_) : 0;
        if (cal.model.count > 0 && spec.mean_ps > 0) {
            const double measured = static_cast<double>(spec.mean_ps);
            cal.deviation = (cal.model.mean_ps - measured) / measured;
            cal.deviation_known = true;
            // The edge is within: a model mean of exactly +10% passes a 10% tolerance. The
            // slack absorbs the rounding of a mean that is exact in decimal but not in binary.
            // One counter tick is always within: under 100 ns (10 ticks at 100 MHz) a tenth is
            // less than the counter resolves, and the counter's phase varies with the seed.
            const double allowed = std::max(cal.tolerance * measured, static_cast<double>(cal.tick_ps));
            cal.within_tolerance = std::fabs(cal.model.mean_ps - measured) <= allowed * (1 + 1e-12);
        }
        cal.spread_tolerance_ps = spec.spread_tolerance_ps;
        if (spec.spread_tolerance_ps > 0) {
            const auto check = [&](const char* name, std::uint64_t model, std::uint64_t measured) {
                if (measured == 0) return;  // not given by the source
                const std::uint64_t diff = model > measured ? model - measured : measured - model;
                if (cal.model.count == 0 || diff > spec.spread_tolerance_ps) cal.spread_outside.emplace_back(name);
            };
            check("min", cal.model.min_ps, spec.min_ps);
            check("p99", cal.model.p99_ps, spec.p99_ps);
            check("max", cal.model.max_ps, spec.max_ps);
            cal.spread_within = cal.spread_outside.empty();
        }
    }
    return s;
}

Summary summarize(const RunRecord& r) {
    SummaryBuilder b(r.scenario);
    for (const auto& rec : r.interrupts) b.add(rec);
    return b.finish(r);
}

// ---- stdout --------------------------------------------------------------------------------

std::string format_latency(double ps) {
    // Thresholds on the rounded value, so that 999.96 ns prints as "1.00 us", not "1000.0 ns".
    if (ps < 999'950.0) return strprintf("%.1f ns", ps / 1e3);
    if (ps < 999'995'000.0) return strprintf("%.2f us", ps / 1e6);
    if (ps < 999'999'500'000.0) return strprintf("%.3f ms", ps / 1e9);
    return strprintf("%.3f s", ps / 1e12);
}

namespace {

std::string format_ps(std::uint64_t ps) { return format_latency(static_cast<double>(ps)); }

/// Deviation of `model` from `measured` as "+1.23%", or "n/a" without a measured value.
std::string deviation_text(double model, std::uint64_t measured) {
    if (measured == 0) return "n/a";
    return strprintf("%+.2f%%", (model - static_cast<double>(measured)) / static_cast<double>(measured) * 100.0);
}

void print_vm(std::ostream& os, const RunRecord& r, const Summary& s, const VmSummary& v) {
    const VmRecord* rec = vm_record(r, v.vm);
    const bool hw = rec != nullptr && rec->mode == "hw";
    os << "\n" << v.name << ":";
    if (rec != nullptr)
        os << " gic" << rec->gic << ", " << rec->mode << " mode, " << v.vcpus << " vCPU" << (v.vcpus == 1 ? "" : "s")
           << ", " << v.lrs << " LR" << (v.lrs == 1 ? "" : "s") << ", timing " << rec->timing
           << (rec->mode == "vm" && !rec->hypervisor.empty() ? ", hypervisor " + rec->hypervisor : std::string());
    os << "\n";

    std::vector<const ClassSummary*> classes;
    for (const auto& c : s.classes)
        if (c.vm == v.vm) classes.push_back(&c);
    if (classes.empty()) {
        os << "  no interrupts\n";
    } else {
        os << strprintf("  %-12s%10s%10s%10s%10s%16s\n", "class", "generated", "handled", "coalesced", "pending",
                        "waited desched");
        for (const auto* c : classes)
            os << strprintf("  %-12s%10llu%10llu%10llu%10llu%16s\n", irq_class_name(c->cls),
                            static_cast<unsigned long long>(c->generated), static_cast<unsigned long long>(c->handled),
                            static_cast<unsigned long long>(c->coalesced), static_cast<unsigned long long>(c->pending),
                            c->handled == 0 ? "-" : percent(share_of(c->waited_descheduled, c->handled)).c_str());
        os << "  latency from assertion, handled interrupts:\n";
        os << strprintf("  %-12s%10s%10s%10s%10s%10s%10s%10s%10s\n", "class", "IAR min", "IAR mean", "IAR p50",
                        "IAR p99", "IAR max", "EOI mean", "EOI p99", "EOI max");
        for (const auto* c : classes) {
            auto cell = [](const LatencyStats& st, std::uint64_t ps) { return st.count == 0 ? std::string("-") : format_ps(ps); };
            auto mean = [](const LatencyStats& st) { return st.count == 0 ? std::string("-") : format_latency(st.mean_ps); };
            os << strprintf("  %-12s%10s%10s%10s%10s%10s%10s%10s%10s\n", irq_class_name(c->cls),
                            cell(c->to_iar, c->to_iar.min_ps).c_str(), mean(c->to_iar).c_str(),
                            cell(c->to_iar, c->to_iar.p50_ps).c_str(), cell(c->to_iar, c->to_iar.p99_ps).c_str(),
                            cell(c->to_iar, c->to_iar.max_ps).c_str(), mean(c->to_eoi).c_str(),
                            cell(c->to_eoi, c->to_eoi.p99_ps).c_str(), cell(c->to_eoi, c->to_eoi.max_ps).c_str());
        }
    }

    bool any_vcpu = false;
    for (const auto& c : r.vcpus) any_vcpu = any_vcpu || c.vm == v.vm;
    if (any_vcpu) {
        os << "  time share per vCPU:\n";
        // Short state labels: the full names do not fit 100 columns next to the counters.
        os << strprintf("  %-6s%-6s%8s%10s%8s%9s%9s%9s%9s%9s%9s\n", "vcpu", "pcpu", "switches", "exits", "maint",
                        "blocked", "waiting", "hyperv", "guest", "idle", "handler");
        for (const auto& c : r.vcpus) {
            if (c.vm != v.vm) continue;
            std::uint64_t total = 0;
            for (auto t : c.state_time_ps) total += t;
            os << strprintf("  %-6u%-6u%8llu%10llu%8llu", c.vcpu, c.pcpu, static_cast<unsigned long long>(c.world_switches),
                            static_cast<unsigned long long>(c.exits), static_cast<unsigned long long>(c.maintenance));
            for (unsigned st = 0; st < kVcpuStateCount; ++st)
                os << strprintf("%9s", percent(share_of(c.state_time_ps[st], total)).c_str());
            os << "\n";
        }
    }

    auto row = [&os](const char* label, const std::string& text) { os << strprintf("  %-17s", label) << text << "\n"; };
    auto num = [](std::uint64_t n) { return std::to_string(n); };
    if (hw) {
        row("list registers", "none (hw mode: no hypervisor on the interrupt path)");
    } else {
        if (v.lrs > 0 && !v.lr_time_ps.empty()) {
            row("list registers", strprintf("%.2f of %u in use on average, all in use %s of the time", v.lr_mean_in_use,
                                            v.lrs, percent(v.lr_full_share).c_str()));
            // The distribution, eight counts per line so that 16 LRs still fit 100 columns.
            std::string line;
            for (std::size_t k = 0; k < v.lr_share.size(); ++k) {
                line += strprintf("%2zu: %-7s", k, percent(v.lr_share[k]).c_str());
                if ((k + 1) % 8 == 0 || k + 1 == v.lr_share.size()) {
                    while (!line.empty() && line.back() == ' ') line.pop_back();
                    row(k < 8 ? "LRs in use" : "", line);
                    line.clear();
                }
            }
        }
        row("LR engine", "flushes " + num(v.flushes) + ", syncs " + num(v.syncs) + ", LR writes " + num(v.lr_writes) +
                             ", overflows " + num(v.overflows) + ", evictions " + num(v.evictions));
        row("kicks", num(v.kicks) + " (" + num(v.maintenance_kicks) + " for maintenance), maintenance interrupts " +
                         num(v.maintenance));
    }
    row("scheduling", "world switches " + num(v.world_switches) + ", exits " + num(v.exits));
    if (!hw && v.wake_checked > 0)
        row("wake-ups", num(v.wake_checked) + " found their vCPU blocked on an idle pCPU: " +
                            (v.wake_over == 0 ? std::string("all within the wake-up bound")
                                              : num(v.wake_over) + " OVER the wake-up bound (LOST WAKE-UPS)") +
                            ", longest " + format_ps(v.wake_max_ps));
    row("hypervisor time", format_ps(v.hypervisor_ps) + ": " + percent(v.hypervisor_share) + " of its on-CPU time (" +
                               format_ps(v.scheduled_time_ps) + "), " + percent(v.hypervisor_share_of_pcpus) +
                               " of its " + num(v.pcpus) + " pCPU" + (v.pcpus == 1 ? "" : "s") + " x " +
                               format_ps(r.simulated_ps));
    if (rec != nullptr && rec->ignored_accesses != 0)
        row("reserved", num(rec->ignored_accesses) + " access" + (rec->ignored_accesses == 1 ? "" : "es") +
                            " to reserved offsets answered RAZ/WI (Linux writes GICC_APR1-3; GICV has APR0 only)");
    if (v.guest_errors == 0 && v.bad_accesses == 0) {
        row("guest errors", "none, no bad accesses");
    } else {
        // A correct run has none: make them impossible to overlook.
        row("GUEST ERRORS", "*** " + num(v.guest_errors) + " driver error" + (v.guest_errors == 1 ? "" : "s") + ", " +
                                num(v.bad_accesses) + " bad access" + (v.bad_accesses == 1 ? "" : "es") +
                                " (a correct run has none) ***");
        if (rec != nullptr) {
            constexpr std::size_t kShown = 10;
            for (std::size_t i = 0; i < rec->guest_errors.size() && i < kShown; ++i)
                os << "    " << rec->guest_errors[i] << "\n";
            if (rec->guest_errors.size() > kShown)
                os << "    ... and " << rec->guest_errors.size() - kShown << " more (report.json lists all)\n";
        }
    }
}

void print_calibration(std::ostream& os, const CalibrationResult& c) {
    os << "\ncalibration: " << c.measurement;
    if (!c.source.empty()) os << " (" << c.source << ")";
    os << "\n";
    const std::string tolerance = strprintf("%g%%", c.tolerance * 100.0);
    if (c.model.count == 0) {
        os << "calibration: no sample of " << c.measurement << " in the run: nothing to compare (within " << tolerance
           << ": no)\n";
        return;
    }
    os << strprintf("  %-8s%12s%12s%13s\n", "", "model", "measured", "deviation");
    // A measured figure the source does not give (0) shows as "-".
    auto line = [&os](const char* label, double model, std::uint64_t measured) {
        os << strprintf("  %-8s%12s%12s%13s\n", label, format_latency(model).c_str(),
                        measured == 0 ? "-" : format_ps(measured).c_str(), deviation_text(model, measured).c_str());
    };
    line("mean", c.model.mean_ps, c.measured_mean_ps);
    line("min", static_cast<double>(c.model.min_ps), c.measured_min_ps);
    line("p99", static_cast<double>(c.model.p99_ps), c.measured_p99_ps);
    line("max", static_cast<double>(c.model.max_ps), c.measured_max_ps);
    os << "  (model: " << c.model.count << " sample" << (c.model.count == 1 ? "" : "s") << " of " << c.measurement
       << ")\n";
    os << "calibration: model mean " << format_latency(c.model.mean_ps) << " vs measured " << format_ps(c.measured_mean_ps)
       << ": " << (c.deviation_known ? strprintf("%+.2f%%", c.deviation * 100.0) : std::string("n/a")) << " (within "
       << tolerance << " or a tick: " << (c.within_tolerance ? "yes" : "no")
       << ")\n";
    if (c.spread_tolerance_ps > 0) {
        std::string outside;
        for (const auto& name : c.spread_outside) outside += (outside.empty() ? "" : ", ") + name;
        os << "calibration: min, p99 and max within " << format_ps(c.spread_tolerance_ps) << " of the measured: "
           << (c.spread_within ? std::string("yes") : "no (" + outside + ")") << "\n";
    }
}

} // namespace

void print_summary(std::ostream& os, const RunRecord& r, const Summary& s) {
    const Scenario* sc = r.scenario;
    os << "vgic-sim run: scenario '" << (sc != nullptr ? sc->name : std::string("?")) << "'";
    if (sc != nullptr && !sc->source.empty()) os << " (" << sc->source << ")";
    os << "\n";
    os << "  simulated " << format_ps(r.simulated_ps) << " in " << strprintf("%.3f s", r.wall_seconds)
       << " of wall time: ";
    if (r.wall_seconds > 0)
        os << strprintf("%.3g simulated s per wall s, %.0f interrupts per wall s",
                        static_cast<double>(r.simulated_ps) / 1e12 / r.wall_seconds,
                        static_cast<double>(s.interrupts_total) / r.wall_seconds);
    else
        os << "rates n/a";
    if (!r.complete)
        os << "\n  INCOMPLETE: stopped" << (r.stopped_by.empty() ? std::string() : " by " + r.stopped_by) << " after "
           << format_ps(r.simulated_ps) << " of " << (sc != nullptr ? format_ps(sc->duration_ps) : std::string("?"));
    os << "\n  " << s.interrupts_total << " interrupts, " << s.vms.size() << " VM" << (s.vms.size() == 1 ? "" : "s");
    if (sc != nullptr) os << " on " << sc->pcpus << " physical CPU" << (sc->pcpus == 1 ? "" : "s");
    if (sc != nullptr && sc->variation) os << "; variation on, seed " << sc->seed;
    os << "\n";
    for (const auto& v : s.vms) print_vm(os, r, s, v);
    if (s.calibration.present) print_calibration(os, s.calibration);
    if (r.trace_dropped > 0)
        os << "\ntrace.json holds the first " << r.trace_events << " events; " << r.trace_dropped
           << " more were dropped (--max-trace-events raises the cap of " << r.trace_cap << ")\n";
    bool histogram = false;
    for (const auto& c : s.classes) histogram = histogram || !c.to_iar.exact || !c.to_eoi.exact;
    if (histogram)
        os << "percentiles of classes over 10^6 samples come from a histogram, within 0.1% (report.json: "
              "\"exact\": false)\n";
}

// ---- report.json ---------------------------------------------------------------------------

namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json stats_json(const LatencyStats& st) {
    // "exact": false when p50 and p99 come from the histogram (over 10^6 samples, within 0.1%).
    return ordered_json{{"count", st.count},   {"min_ps", st.min_ps}, {"mean_ps", st.mean_ps},
                        {"p50_ps", st.p50_ps}, {"p99_ps", st.p99_ps}, {"max_ps", st.max_ps},
                        {"exact", st.exact}};
}

/// Every parameter under its file key: "clock" in Hz, the others in ps; a store that is not
/// posted (posted_write_ack "none") is null.
template <class Profile, class Table>
ordered_json profile_json(const Profile& p, const Table& table) {
    ordered_json j;
    j["name"] = p.name;
    for (const auto& param : table) {
        const std::uint64_t v = p.*param.member;
        if (param.unit == vgic::tlm::TimingUnit::PicosecondsOrNone && v == vgic::tlm::kNotPosted) j[param.key] = nullptr;
        else j[param.key] = v;
    }
    // The distributions a run with variation draws from (drawn only if scenario.variation).
    ordered_json spread = ordered_json::object();
    for (const auto& param : table) {
        const vgic::tlm::Spread* sp = p.spread_of(param.key);
        if (sp == nullptr) continue;
        ordered_json d{{"shape", vgic::tlm::shape_name(sp->shape)}, {"min_ps", sp->min}, {"max_ps", sp->max}};
        if (sp->shape == vgic::tlm::Spread::Shape::Normal) {
            d["mean_ps"] = sp->mean;
            d["sd_ps"] = sp->sd;
        }
        spread[param.key] = d;
    }
    j["spread"] = spread;
    return j;
}

} // namespace

void write_report_json(std::ostream& os, const RunRecord& r, const Summary& s,
                       const std::vector<OutputFileInfo>& outputs) {
    ordered_json j;
    j["format"] = "vgic-sim-report";
    j["version"] = 2;  // 2: "complete", run.stopped_by, outputs as {file, bytes, sha256}
    j["complete"] = r.complete;
    const Scenario* sc = r.scenario;
    if (sc != nullptr)
        j["scenario"] = ordered_json{{"name", sc->name},
                                     {"source", sc->source},
                                     {"text", sc->text},
                                     {"duration_ps", sc->duration_ps},
                                     {"seed", sc->seed},
                                     {"variation", sc->variation},
                                     {"pcpus", sc->pcpus},
                                     {"counter_hz", sc->counter_hz}};
    else
        j["scenario"] = nullptr;
    j["warnings"] = sc != nullptr ? ordered_json(sc->warnings) : ordered_json::array();

    ordered_json vms = ordered_json::array();
    for (const auto& v : s.vms) {
        const VmRecord* rec = vm_record(r, v.vm);
        ordered_json vj;
        vj["name"] = v.name;
        vj["gic"] = rec != nullptr ? rec->gic : "";
        vj["mode"] = rec != nullptr ? rec->mode : "";
        vj["timing"] = rec != nullptr ? rec->timing : "";
        if (sc != nullptr && v.vm < sc->vms.size()) {
            const VmSpec& spec = sc->vms[v.vm];
            vj["timing_profile"] = profile_json(spec.profile, vgic::tlm::timing_parameters());
            // vm mode: the software on the path; hw mode has none.
            vj["hypervisor"] = spec.mode == VmMode::Vm ? ordered_json(spec.hypervisor) : ordered_json(nullptr);
            vj["hypervisor_profile"] = spec.mode == VmMode::Vm
                                           ? profile_json(spec.hyp, vgic::tlm::hypervisor_parameters())
                                           : ordered_json(nullptr);
        } else {
            vj["timing_profile"] = nullptr;
            vj["hypervisor"] = nullptr;
            vj["hypervisor_profile"] = nullptr;
        }
        vj["lrs"] = v.lrs;
        vj["interrupts"] = v.interrupts;
        vj["flushes"] = v.flushes;
        vj["syncs"] = v.syncs;
        vj["lr_writes"] = v.lr_writes;
        vj["overflows"] = v.overflows;
        vj["evictions"] = v.evictions;
        vj["kicks"] = v.kicks;
        vj["maintenance_kicks"] = v.maintenance_kicks;
        vj["world_switches"] = v.world_switches;
        vj["exits"] = v.exits;
        vj["maintenance"] = v.maintenance;
        vj["hypervisor_ps"] = v.hypervisor_ps;
        vj["scheduled_ps"] = v.scheduled_time_ps;
        vj["hypervisor_share"] = v.hypervisor_share;
        vj["pcpus"] = v.pcpus;
        vj["pcpu_time_ps"] = v.pcpu_time_ps;
        vj["hypervisor_share_of_pcpus"] = v.hypervisor_share_of_pcpus;
        if (sc != nullptr && v.vm < sc->vms.size() && sc->vms[v.vm].mode == VmMode::Vm) {
            const VmSpec& spec = sc->vms[v.vm];
            vj["wake"] = ordered_json{
                {"checked", v.wake_checked},
                {"over_bound", v.wake_over},
                {"max_ps", v.wake_max_ps},
                {"bound_ps", ordered_json{{"device_spi", wake_bound_ps(spec, IrqClass::DeviceSpi, sc->variation)},
                                          {"timer_ppi", wake_bound_ps(spec, IrqClass::TimerPpi, sc->variation)},
                                          {"ipi", wake_bound_ps(spec, IrqClass::Ipi, sc->variation)}}}};
        } else {
            vj["wake"] = nullptr;
        }
        vj["lr_mean_in_use"] = v.lr_mean_in_use;
        vj["lr_full_share"] = v.lr_full_share;
        vj["lr_time_ps"] = v.lr_time_ps;
        ordered_json errors = ordered_json::array();
        if (rec != nullptr)
            for (const auto& e : rec->guest_errors) errors.push_back(e);
        vj["guest_errors"] = errors;
        vj["bad_accesses"] = v.bad_accesses;
        vj["ignored_accesses"] = rec != nullptr ? rec->ignored_accesses : 0;
        ordered_json vcpus = ordered_json::array();
        for (const auto& c : r.vcpus) {
            if (c.vm != v.vm) continue;
            ordered_json state_time;
            for (unsigned st = 0; st < kVcpuStateCount; ++st) state_time[vcpu_state_name(kAllStates[st])] = c.state_time_ps[st];
            vcpus.push_back(ordered_json{{"vcpu", c.vcpu},
                                         {"pcpu", c.pcpu},
                                         {"world_switches", c.world_switches},
                                         {"exits", c.exits},
                                         {"maintenance", c.maintenance},
                                         {"state_time_ps", state_time},
                                         {"lr_time_ps", c.lr_time_ps}});
        }
        vj["vcpus"] = vcpus;
        vms.push_back(vj);
    }
    j["vms"] = vms;

    ordered_json classes = ordered_json::array();
    for (const auto& c : s.classes)
        classes.push_back(ordered_json{{"vm", c.vm},
                                       {"vm_name", vm_name(r, c.vm)},
                                       {"class", irq_class_name(c.cls)},
                                       {"generated", c.generated},
                                       {"handled", c.handled},
                                       {"coalesced", c.coalesced},
                                       {"pending", c.pending},
                                       {"waited_descheduled", c.waited_descheduled},
                                       {"to_iar", stats_json(c.to_iar)},
                                       {"to_eoi", stats_json(c.to_eoi)}});
    j["classes"] = classes;

    const CalibrationResult& cal = s.calibration;
    if (cal.present)
        j["calibration"] = ordered_json{
            {"measurement", cal.measurement},
            {"source", cal.source},
            {"tolerance", cal.tolerance},
            {"model", stats_json(cal.model)},
            {"measured",
             ordered_json{{"mean_ps", cal.measured_mean_ps}, {"min_ps", cal.measured_min_ps},
                          {"p99_ps", cal.measured_p99_ps}, {"max_ps", cal.measured_max_ps}}},
            {"deviation", cal.deviation_known ? ordered_json(cal.deviation) : ordered_json(nullptr)},
            {"tick_ps", cal.tick_ps},
            {"within_tolerance", cal.within_tolerance},
            {"spread_tolerance_ps", cal.spread_tolerance_ps > 0 ? ordered_json(cal.spread_tolerance_ps) : ordered_json(nullptr)},
            {"spread_outside", cal.spread_outside},
            {"passed", cal.passed()}};
    else
        j["calibration"] = nullptr;

    // trace.json's cap (a streamed run): how many events it holds and how many it dropped.
    j["trace"] = r.trace_cap == 0 ? ordered_json(nullptr)
                                  : ordered_json{{"events", r.trace_events}, {"dropped", r.trace_dropped},
                                                 {"cap", r.trace_cap}};
    j["run"] = ordered_json{{"simulated_ps", r.simulated_ps},
                            {"wall_seconds", r.wall_seconds},
                            {"interrupts", s.interrupts_total},
                            {"stopped_by", r.stopped_by.empty() ? ordered_json(nullptr) : ordered_json(r.stopped_by)}};
    ordered_json files = ordered_json::array();
    for (const OutputFileInfo& f : outputs)
        files.push_back(ordered_json{{"file", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}});
    j["outputs"] = files;
    os << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

// ---- latency.csv ---------------------------------------------------------------------------

std::string latency_csv_header() {
    return "vm,vcpu,class,intid,asserted_ps,iar_ps,eoi_ps,to_iar_ps,to_eoi_ps,outcome,waited_descheduled,"
           "counter_latency_ticks,sgir_cost_ticks,sgir_emulation_ticks,target_idle\n";
}

void append_latency_csv_row(std::string& out, const std::vector<std::string>& vm_names, const InterruptRecord& i) {
    auto number = [&out](std::uint64_t v) {
        char tmp[24];
        out.append(tmp, static_cast<std::size_t>(std::to_chars(tmp, tmp + sizeof tmp, v).ptr - tmp));
    };
    auto optional = [&](std::int64_t v) {
        if (v >= 0) number(static_cast<std::uint64_t>(v));
    };
    auto since = [&](std::int64_t end, std::uint64_t asserted) {
        std::uint64_t latency = 0;
        if (latency_of(end, asserted, latency)) number(latency);
    };
    out += i.vm < vm_names.size() ? vm_names[i.vm] : "vm" + std::to_string(i.vm);
    out += ',';
    number(i.vcpu);
    out += ',';
    out += irq_class_name(i.cls);
    out += ',';
    number(i.intid);
    out += ',';
    number(i.asserted_ps);
    out += ',';
    optional(i.iar_ps);
    out += ',';
    optional(i.eoi_ps);
    out += ',';
    since(i.iar_ps, i.asserted_ps);
    out += ',';
    since(i.eoi_ps, i.asserted_ps);
    out += ',';
    out += outcome_name(i.outcome);
    out += i.waited_descheduled ? ",1," : ",0,";
    optional(i.counter_latency_ticks);
    out += ',';
    optional(i.sgir_cost_ticks);
    out += ',';
    optional(i.sgir_emulation_ticks);
    out += i.target_idle ? ",1\n" : ",0\n";
}

void write_latency_csv(std::ostream& os, const RunRecord& r) {
    os << latency_csv_header();
    std::vector<std::string> names;
    for (unsigned vm = 0, n = vm_count(r); vm < n; ++vm) names.push_back(csv_field(vm_name(r, vm)));
    std::string row;
    for (const auto& i : r.interrupts) {
        row.clear();
        append_latency_csv_row(row, names, i);
        os << row;
    }
}

// ---- Chrome trace --------------------------------------------------------------------------

namespace {

/// The trace is written through this buffer: appending to a std::string and writing it in
/// large blocks costs a fraction of the per-item ostream insertions (each one a sentry, a
/// locale lookup and a virtual call), and a long run has millions of events.
class TraceWriter {
public:
    explicit TraceWriter(std::ostream& os) : os_(os) { buf_.reserve(kBlock + 512); }
    ~TraceWriter() { flush(); }
    TraceWriter(const TraceWriter&) = delete;
    TraceWriter& operator=(const TraceWriter&) = delete;

    TraceWriter& operator<<(const char* s) { buf_ += s; return *this; }
    TraceWriter& operator<<(const std::string& s) { buf_ += s; return *this; }
    TraceWriter& operator<<(char c) { buf_ += c; return *this; }
    TraceWriter& operator<<(std::uint64_t v) {
        char tmp[24];
        buf_.append(tmp, static_cast<std::size_t>(std::to_chars(tmp, tmp + sizeof tmp, v).ptr - tmp));
        return *this;
    }
    TraceWriter& operator<<(unsigned v) { return *this << std::uint64_t{v}; }

    /// `value` / 10^digits exactly, without trailing zeros ("1.5", "2", "0.000001").
    void scaled(std::uint64_t value, unsigned digits) {
        std::uint64_t scale = 1;
        for (unsigned i = 0; i < digits; ++i) scale *= 10;
        *this << value / scale;
        std::uint64_t frac = value % scale;
        if (frac == 0) return;
        buf_ += '.';
        for (unsigned i = 0; i < digits && frac != 0; ++i) {  // leading zeros kept, trailing dropped
            scale /= 10;
            buf_ += static_cast<char>('0' + frac / scale);
            frac %= scale;
        }
    }

    /// Starts the next event object: "\n{" for the first, ",\n{" after it.
    void open_event() {
        if (buf_.size() >= kBlock) flush();
        buf_ += first_ ? "\n{" : ",\n{";
        first_ = false;
    }

    void flush() {
        os_.write(buf_.data(), static_cast<std::streamsize>(buf_.size()));
        buf_.clear();
    }

private:
    static constexpr std::size_t kBlock = 1 << 16;
    std::ostream& os_;
    std::string buf_;
    bool first_ = true;
};

} // namespace

namespace {

/// The events of trace.json, for a whole RunRecord (write_chrome_trace) and for a streamed
/// run (StreamingReports) alike: streamed by hand rather than built as a JSON tree, since a
/// long run has millions of events. ts and dur are microseconds (the format's unit) written
/// exactly from ps. Only the user-named VMs go through JSON quoting; the other names are
/// fixed plain-ASCII words. At most `max_events` state and interrupt events are written (the
/// first ones); the others are counted as dropped, and the trace ends with an instant event
/// saying how many.
class TraceEvents {
public:
    TraceEvents(std::ostream& os, std::uint64_t max_events) : w_(os), max_(max_events) {}

    void open(const RunRecord& r) {
        w_ << "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[";
        for (unsigned vm = 0, nvm = vm_count(r); vm < nvm; ++vm) {
            w_.open_event();
            w_ << "\"ph\":\"M\",\"name\":\"process_name\",\"pid\":" << (vm + 1) << ",\"tid\":0,\"args\":{\"name\":"
               << json_string(vm_name(r, vm)) << "}}";
            w_.open_event();
            w_ << "\"ph\":\"M\",\"name\":\"process_sort_index\",\"pid\":" << (vm + 1)
               << ",\"tid\":0,\"args\":{\"sort_index\":" << (vm + 1) << "}}";
        }
    }
    void vcpu(const VcpuRecord& c) {
        w_.open_event();
        w_ << "\"ph\":\"M\",\"name\":\"thread_name\",";
        ids(c.vm, c.vcpu);
        w_ << ",\"args\":{\"name\":\"vcpu" << c.vcpu << " (pcpu " << c.pcpu << ")\"}}";
        w_.open_event();
        w_ << "\"ph\":\"M\",\"name\":\"thread_sort_index\",";
        ids(c.vm, c.vcpu);
        w_ << ",\"args\":{\"sort_index\":" << (c.vcpu + 1) << "}}";
    }
    void span(const VcpuRecord& c, VcpuState state, std::uint64_t begin, std::uint64_t end) {
        if (end <= begin) return;  // zero-length: a state left in the same instant
        if (!room(1)) return;
        w_.open_event();
        w_ << "\"ph\":\"X\",\"cat\":\"vcpu\",\"name\":\"" << vcpu_state_name(state) << "\",";
        ids(c.vm, c.vcpu);
        w_ << ",\"ts\":";
        us(begin);
        w_ << ",\"dur\":";
        us(end - begin);
        w_ << '}';
    }
    /// `id`: the record's index + 1, unique, and findable in latency.csv (row id).
    void interrupt(const InterruptRecord& i, std::uint64_t id) {
        std::uint64_t to_iar = 0;
        if (i.outcome != InterruptRecord::Outcome::Handled || !latency_of(i.iar_ps, i.asserted_ps, to_iar)) return;
        if (!room(2)) return;
        std::uint64_t to_end = to_iar;
        latency_of(i.eoi_ps, i.asserted_ps, to_end);
        auto common = [&] {
            w_ << ",\"cat\":\"irq\",\"id\":" << id << ",\"name\":\"" << irq_class_name(i.cls) << ' ' << i.intid
               << "\",\"pid\":" << (i.vm + 1) << ",\"tid\":" << (i.vcpu + 1);
        };
        w_.open_event();
        w_ << "\"ph\":\"b\"";
        common();
        w_ << ",\"ts\":";
        us(i.asserted_ps);
        w_ << ",\"args\":{\"vcpu\":" << i.vcpu << ",\"to_iar_ns\":";
        w_.scaled(to_iar, 3);
        w_ << "}}";
        w_.open_event();
        w_ << "\"ph\":\"e\"";
        common();
        w_ << ",\"ts\":";
        us(i.asserted_ps + to_end);
        w_ << '}';
    }
    void close(std::uint64_t end_ps) {
        if (dropped_ > 0) {
            // Says so where a viewer shows it: a global instant event at the end of the run.
            w_.open_event();
            w_ << "\"ph\":\"i\",\"s\":\"g\",\"name\":\"trace truncated: " << events_ << " events kept (cap " << max_
               << "), " << dropped_ << " dropped (vgic-sim run --max-trace-events)\",\"pid\":0,\"tid\":0,\"ts\":";
            us(end_ps);
            w_ << '}';
        }
        w_ << "\n]}\n";
        w_.flush();
    }
    std::uint64_t events() const { return events_; }
    std::uint64_t dropped() const { return dropped_; }

private:
    bool room(std::uint64_t n) {
        if (events_ + n > max_) {
            dropped_ += n;
            return false;
        }
        events_ += n;
        return true;
    }
    void ids(unsigned vm, unsigned vcpu) { w_ << "\"pid\":" << (vm + 1) << ",\"tid\":" << (vcpu + 1); }
    void us(std::uint64_t ps) { w_.scaled(ps, 6); }

    TraceWriter w_;
    std::uint64_t max_;
    std::uint64_t events_ = 0, dropped_ = 0;
};

} // namespace

void write_chrome_trace(std::ostream& os, const RunRecord& r) {
    TraceEvents t(os, ~std::uint64_t{0});
    t.open(r);
    for (const auto& c : r.vcpus) {
        t.vcpu(c);
        for (std::size_t k = 0; k < c.timeline.size(); ++k) {
            const std::uint64_t end = k + 1 < c.timeline.size() ? c.timeline[k + 1].t_ps : r.simulated_ps;
            t.span(c, c.timeline[k].state, c.timeline[k].t_ps, end);
        }
    }
    std::uint64_t id = 0;
    for (const auto& i : r.interrupts) t.interrupt(i, ++id);
    t.close(r.simulated_ps);
}

// ---- streaming ----------------------------------------------------------------------------

struct StreamingReports::Files {
    tlm::OutputFile csv_file, trace_file;
    std::ostream trace_os;
    TraceEvents trace;
    std::string row;  // latency.csv rows go out through one buffer
    std::vector<std::string> names;
    Files(OutputDir& out, std::uint64_t max_trace_events)
        : csv_file(out.temp_path("latency.csv"), tlm::OutputFile::Create::Exclusive, out.path("latency.csv")),
          trace_file(out.temp_path("trace.json"), tlm::OutputFile::Create::Exclusive, out.path("trace.json")),
          trace_os(&trace_file),
          trace(trace_os, max_trace_events) {}
};

StreamingReports::StreamingReports(OutputDir& out, const Scenario& s, std::uint64_t max_trace_events)
    : out_(out), builder_(&s), max_trace_events_(max_trace_events) {}

StreamingReports::~StreamingReports() = default;

void StreamingReports::begin(const RunRecord& r) {
    out_.track("latency.csv");
    out_.track("trace.json");
    files_ = std::make_unique<Files>(out_, max_trace_events_);
    files_->csv_file.write(latency_csv_header());
    for (unsigned vm = 0, n = vm_count(r); vm < n; ++vm) files_->names.push_back(csv_field(vm_name(r, vm)));
    files_->trace.open(r);
    for (const auto& c : r.vcpus) files_->trace.vcpu(c);
}

void StreamingReports::interrupt(const RunRecord&, const InterruptRecord& rec, std::uint64_t id) {
    builder_.add(rec);
    if (!files_) return;
    files_->row.clear();
    append_latency_csv_row(files_->row, files_->names, rec);
    files_->csv_file.write(files_->row);
    files_->trace.interrupt(rec, id);
}

void StreamingReports::span(const VcpuRecord& c, VcpuState state, std::uint64_t begin_ps, std::uint64_t end_ps) {
    if (files_) files_->trace.span(c, state, begin_ps, end_ps);
}

void StreamingReports::end(const RunRecord& r) {
    if (!files_ || ended_) return;
    ended_ = true;
    files_->trace.close(r.simulated_ps);
    files_->trace_os.flush();
    files_->csv_file.close();
    files_->trace_file.close();
}

void StreamingReports::check() const {
    if (!files_) return;
    files_->csv_file.check();
    files_->trace_file.check();
    if (!files_->trace_os) throw OutputError(out_.path("trace.json"), "the stream writing it failed");
}

Summary StreamingReports::summary(const RunRecord& r) const { return builder_.finish(r); }
std::uint64_t StreamingReports::trace_events() const { return files_ ? files_->trace.events() : 0; }
std::uint64_t StreamingReports::trace_dropped() const { return files_ ? files_->trace.dropped() : 0; }

// ---- GTKWave -------------------------------------------------------------------------------
//
// How SystemC 2.3.4 names traced signals in a VCD (checked with a standalone program that
// sc_trace'd bools named "vm0.vcpu0.virq", "vm0.vcpu1.virq", an unsigned named
// "vm0.vcpu0.lrs_in_use" and a bool named "top_level"): every dot of the name opens a scope,
// all under a top scope "SystemC":
//     $scope module SystemC $end
//     $var wire 1 aaaad top_level $end
//     $scope module vm0 $end
//     $scope module vcpu0 $end
//     $var wire 1 aaaaa virq $end
//     $var wire 32 aaaac lrs_in_use [31:0] $end
// GTKWave joins the scopes with dots and appends a vector's range to its name, so a save file
// must name "SystemC.vm0.vcpu0.virq" and "SystemC.vm0.vcpu0.lrs_in_use[31:0]". The range
// depends on the C++ type, which the record does not carry: the save file therefore reads the
// VCD's header when it can, and falls back to "SystemC.<name>" (right for 1-bit signals).

std::vector<VcdVariable> read_vcd_variables(std::istream& vcd) {
    std::vector<VcdVariable> vars;
    std::vector<std::string> scopes;
    std::string token;
    auto read_until_end = [&vcd]() {
        std::vector<std::string> words;
        std::string w;
        while (vcd >> w && w != "$end") words.push_back(w);
        return words;
    };
    while (vcd >> token) {
        if (token == "$enddefinitions") break;
        if (token == "$scope") {
            const auto words = read_until_end();  // type name
            scopes.push_back(words.size() >= 2 ? words[1] : std::string("?"));
        } else if (token == "$upscope") {
            read_until_end();
            if (!scopes.empty()) scopes.pop_back();
        } else if (token == "$var") {
            const auto words = read_until_end();  // type width id reference [range]
            if (words.size() < 4) continue;
            VcdVariable v;
            v.width = static_cast<unsigned>(std::strtoul(words[1].c_str(), nullptr, 10));
            std::string reference = words[3];
            for (std::size_t k = 4; k < words.size(); ++k) reference += words[k];  // "[31:0]" joins the name
            std::string path;
            for (const auto& s : scopes) path += s + ".";
            v.gtkwave = path + reference;
            // The name without the top scope and without the range, as sc_trace was given it.
            std::string inner;
            for (std::size_t k = 1; k < scopes.size(); ++k) inner += scopes[k] + ".";
            v.name = inner + words[3];
            vars.push_back(std::move(v));
        } else if (token.size() > 1 && token[0] == '$' && token != "$end") {
            read_until_end();  // $date, $version, $timescale, $comment: skipped whole
        }
    }
    return vars;
}

GtkwaveWindow gtkwave_window(const RunRecord& r) {
    GtkwaveWindow w;
    std::uint64_t begin = 0, end = r.simulated_ps;
    if (r.wave_interrupts > 0) {
        begin = r.wave_begin_ps;
        end = std::max(r.wave_end_ps, begin + 1);
        // A margin of a tenth of the window, at least 100 ns, on each side: the device's line
        // rises a little after the left edge, the last handler's EOI a little before the right.
        const std::uint64_t pad = std::max<std::uint64_t>((end - begin) / 10, 100'000);
        begin = begin > pad ? begin - pad : 0;
        end += pad;
        w.marker_ps = static_cast<std::int64_t>(r.wave_begin_ps);
    }
    if (end <= begin) end = begin + 1000;
    w.start_ps = begin;
    w.end_ps = end;
    // GTKWave shows 2^-zoom time units (1 ps here) per pixel of the wave pane.
    w.zoom = -std::log2(static_cast<double>(end - begin) / GtkwaveWindow::kWavePixels);
    return w;
}

void write_gtkwave_save(std::ostream& os, const RunRecord& r, const std::string& header_from,
                        const std::string& save_path) {
    std::map<std::string, VcdVariable> known;
    if (!r.vcd_path.empty()) {
        std::ifstream vcd(header_from.empty() ? r.vcd_path : header_from);
        if (vcd)
            for (auto& v : read_vcd_variables(vcd)) known.emplace(v.name, v);
    }
    // Relative to the save file's own folder, so that the folder can be moved whole: GTKWave
    // (3.3.x) opens a relative [dumpfile] against the folder of the save file it loads when
    // the save file names itself in [savefile] (checked with 3.3.118, from another working
    // directory, after moving the folder: CTest run.cli.waves_*).
    const fs::path save = save_path.empty() ? fs::path(r.vcd_path).parent_path() / "waves.gtkw" : fs::path(save_path);
    std::error_code ec;
    fs::path dump = fs::path(r.vcd_path).lexically_relative(save.parent_path());
    if (dump.empty() || fs::path(r.vcd_path).is_absolute() != save.is_absolute()) {
        dump = fs::relative(fs::absolute(r.vcd_path, ec), fs::absolute(save.parent_path(), ec), ec);
        if (ec || dump.empty()) dump = fs::path(r.vcd_path).filename();
    }
    os << "[*] GTKWave save file written by vgic-sim run";
    if (r.scenario != nullptr) os << " (scenario '" << r.scenario->name << "')";
    os << "\n[*] the dump file is named relative to this file: move the folder whole\n";
    os << "[dumpfile] \"" << dump.generic_string() << "\"\n[savefile] \"" << save.filename().generic_string() << "\"\n";
    const GtkwaveWindow w = gtkwave_window(r);
    os << "[timestart] " << w.start_ps << "\n";
    os << "[size] " << GtkwaveWindow::kWidth << " " << GtkwaveWindow::kHeight << "\n[pos] -1 -1\n";
    char zoom[64];
    std::snprintf(zoom, sizeof zoom, "*%.6f %lld", w.zoom, static_cast<long long>(w.marker_ps));
    os << zoom;
    for (int k = 0; k < 26; ++k) os << " -1";  // the named markers A..Z: none
    os << "\n[sst_width] " << GtkwaveWindow::kSstWidth << "\n[signals_width] " << GtkwaveWindow::kSignalsWidth
       << "\n[sst_expanded] 1\n";

    // Groups in order of first appearance; signals in record order within a group.
    std::vector<std::string> groups;
    for (const auto& sig : r.signals)
        if (std::find(groups.begin(), groups.end(), sig.group) == groups.end()) groups.push_back(sig.group);
    for (const auto& group : groups) {
        os << "@800200\n-" << group << "\n";  // TR_GRP_BEGIN | TR_BLANK: an open group
        for (const auto& sig : r.signals) {
            if (sig.group != group) continue;
            auto it = known.find(sig.name);
            const unsigned width = it != known.end() ? it->second.width : 1;
            // TR_RJUSTIFY plus TR_BIN for a line, TR_DEC for a count such as lrs_in_use.
            os << (width > 1 ? "@24\n" : "@28\n");
            os << (it != known.end() ? it->second.gtkwave : "SystemC." + sig.name) << "\n";
        }
        os << "@1000200\n-" << group << "\n";  // TR_GRP_END | TR_BLANK
    }
}

// ---- plot ----------------------------------------------------------------------------------

namespace {

/// Runs `command` through /bin/sh; true when it exited with 0.
bool run_shell(const std::string& command) { return std::system(command.c_str()) == 0; }

bool tool_available(const std::string& probe) { return run_shell(probe + " >/dev/null 2>&1"); }

/// The first lines of a tool's log, for a failure message.
std::string log_excerpt(const fs::path& log) {
    std::ifstream in(log);
    std::string line, out;
    for (int n = 0; n < 5 && std::getline(in, line); ++n) out += (out.empty() ? "" : " | ") + line;
    return out;
}

bool non_empty_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && fs::file_size(p, ec) > 0 && !ec;
}

void write_text(const fs::path& p, const std::string& text) {
    tlm::OutputFile out(p.string());
    out.write(text);
    out.close();
    out.check();  // OutputError: the file and the errno text
}

/// A latency distribution to plot: one class of one VM.
struct Series {
    std::string vm, cls;
    std::uint64_t count = 0;
};

std::string series_title(const Series& s, unsigned vms) {
    return (vms > 1 ? s.vm + " " : std::string()) + s.cls + " (n=" + std::to_string(s.count) + ")";
}

/// The names a plot script reads and writes: the kept script names the outputs, the one
/// `vgic-sim run` runs names their temporaries (outputs.hpp).
struct PlotFiles {
    std::string csv, image;
};

std::string gnuplot_script(const RunRecord& r, const std::vector<Series>& series, unsigned vms, std::uint64_t min_ps,
                           std::uint64_t max_ps, const PlotFiles& files) {
    const double min_us = static_cast<double>(min_ps) / 1e6, max_us = static_cast<double>(max_ps) / 1e6;
    // A log axis when the latencies span more than a decade and a half (a descheduled vCPU's
    // wait is milliseconds, an injection microseconds); the range is explicit so that a single
    // distinct value still gets an axis.
    const bool log_x = min_ps > 0 && max_ps >= 30 * min_ps;
    std::ostringstream g;
    g << "# Written by vgic-sim run: the distribution (empirical CDF) of the latency from assertion\n"
         "# to IAR read of the handled interrupts of latency.csv, one curve per class. Re-run with\n"
         "#   gnuplot latency.gp\n"
         "set terminal svg size 960,600 dynamic noenhanced font 'sans,12' background rgb 'white'\n"
         "set output '"
      << files.image << "'\nset datafile separator ','\n";  // our own names: no quote in them
    g << "set title " << gnuplot_string("assertion to IAR read, scenario '" +
                                        (r.scenario != nullptr ? r.scenario->name : std::string("?")) + "'")
      << "\n";
    g << "set xlabel 'latency (us)'\nset ylabel 'share of handled interrupts with latency <= x'\n"
         "set yrange [0:1.05]\nset grid\nset key bottom right\n";
    // The CDF is evaluated at the upper edges of bins (100 per decade on a log axis, 400 over
    // a linear one): exact there, and a curve has at most that many points however long the
    // run, so the SVG stays small.
    if (log_x) {
        g << "set logscale x\n" << strprintf("set xrange [%.9g:%.9g]\n", min_us / 1.25, max_us * 1.25)
          << "w = log(10) / 100\nbin(x) = exp(ceil(log(x) / w) * w)\n"
          << strprintf("x0 = %.9g\n", min_us / 1.1);  // below the first bin: the curve starts at 0
    } else {
        const double width = max_ps > 0 ? max_us / 400 : 1.0;
        g << strprintf("set xrange [0:%.9g]\n", max_ps > 0 ? max_us * 1.05 : 1.0)
          << strprintf("w = %.9g\nbin(x) = ceil(x / w) * w\nx0 = 0\n", width);
    }
    // Columns: 1 vm, 3 class, 8 to_iar_ps, 10 outcome; `every ::1` skips the header. Every row
    // gives a defined point (an undefined one would split the curve and restart the sum): rows
    // of the series weigh 1/n at their bin, every other row weighs 0 at x0.
    g << "in_series(vm, cls) = strcol(1) eq vm && strcol(3) eq cls && strcol(10) eq \"handled\" && strcol(8) ne \"\"\n";
    g << "plot ";
    for (std::size_t k = 0; k < series.size(); ++k) {
        const Series& s = series[k];
        const std::string selected = "in_series(" + gnuplot_string(s.vm) + ", " + gnuplot_string(s.cls) + ")";
        g << (k == 0 ? "'" + files.csv + "'" : std::string("     ''")) << " every ::1 using (" << selected << " ? bin($8 / 1e6) : x0):("
          << selected << strprintf(" ? %.17g : 0)", 1.0 / static_cast<double>(s.count))
          << " smooth cumulative with steps lw 2 title " << gnuplot_string(series_title(s, vms))
          << (k + 1 < series.size() ? ", \\\n" : "\n");
    }
    return g.str();
}

std::string python_script(const RunRecord& r, const std::vector<Series>& series, unsigned vms, bool log_x,
                          const PlotFiles& files) {
    std::ostringstream p;
    p << "# Written by vgic-sim run: the distribution (empirical CDF) of the latency from assertion\n"
         "# to IAR read of the handled interrupts of latency.csv, one curve per class. Re-run with\n"
         "#   python3 latency_plot.py\n"
         "import csv\n"
         "import matplotlib\n"
         "matplotlib.use('Agg')\n"
         "import matplotlib.pyplot as plt\n\n"
         "series = [\n";
    for (const auto& s : series)
        p << "    (" << python_string(s.vm) << ", " << python_string(s.cls) << ", " << python_string(series_title(s, vms))
          << "),\n";
    p << "]\n"
         "samples = {}\n"
         "with open("
      << python_string(files.csv) << ", newline='') as f:\n"
         "    for row in csv.DictReader(f):\n"
         "        if row['outcome'] == 'handled' and row['to_iar_ps']:\n"
         "            samples.setdefault((row['vm'], row['class']), []).append(int(row['to_iar_ps']) / 1e6)\n"
         "fig, ax = plt.subplots(figsize=(9.6, 6.0))\n"
         "for vm, cls, title in series:\n"
         "    xs = sorted(samples.get((vm, cls), []))\n"
         "    if xs:\n"
         "        ys = [(i + 1) / len(xs) for i in range(len(xs))]\n"
         "        ax.step(xs, ys, where='post', label=title, linewidth=2)\n";
    if (log_x) p << "ax.set_xscale('log')\n";
    p << "ax.set_title(" << python_string("assertion to IAR read, scenario '" +
                                          (r.scenario != nullptr ? r.scenario->name : std::string("?")) + "'")
      << ")\n"
         "ax.set_xlabel('latency (us)')\n"
         "ax.set_ylabel('share of handled interrupts with latency <= x')\n"
         "ax.set_ylim(0, 1.05)\n"
         "ax.grid(True)\n"
         "ax.legend(loc='lower right')\n"
         "fig.savefig("
      << python_string(files.image) << ", dpi=100)\n";
    return p.str();
}

} // namespace

namespace {

/// What a plot shows: every (VM, class) with a handled latency, in VM then class order, and
/// the latency range; `none` says why there is nothing to plot.
struct PlotData {
    std::vector<Series> series;
    unsigned vms = 0;
    std::uint64_t min_ps = UINT64_MAX, max_ps = 0;
    std::string none;
};

PlotData plot_data(const RunRecord& r, const Summary& s) {
    // The handled interrupts of each class of each VM: their count and range are the
    // summary's assertion-to-IAR figures (no record is read: a streamed run keeps none).
    PlotData d;
    d.vms = vm_count(r);
    for (const ClassSummary& c : s.classes) d.vms = std::max(d.vms, c.vm + 1);
    for (unsigned vm = 0; vm < d.vms; ++vm)
        for (unsigned k = 0; k < kIrqClassCount; ++k)
            for (const ClassSummary& c : s.classes) {
                if (c.vm != vm || c.cls != kAllClasses[k] || c.to_iar.count == 0) continue;
                d.series.push_back(Series{vm_name(r, vm), irq_class_name(c.cls), c.to_iar.count});
                d.min_ps = std::min(d.min_ps, c.to_iar.min_ps);
                d.max_ps = std::max(d.max_ps, c.to_iar.max_ps);
            }
    if (d.series.empty()) d.none = "no plot: no handled interrupt in the run";
    return d;
}

/// A plotter and the files of its run.
struct Plotter {
    const char* tool = nullptr;  ///< nullptr: none installed
    const char* script = nullptr;
    const char* image = nullptr;
    const char* log = nullptr;
};

Plotter find_plotter() {
    if (tool_available("command -v gnuplot")) return {"gnuplot", "latency.gp", "latency.svg", "latency.gp.log"};
    if (tool_available("python3 -c 'import matplotlib'"))
        return {"python3", "latency_plot.py", "latency.png", "latency_plot.log"};
    return {};
}

const char* const kNoPlotter = "no plotter: install gnuplot-nox or python3-matplotlib (the data is in latency.csv)";

std::string plot_script(const Plotter& p, const RunRecord& r, const PlotData& d, const PlotFiles& files) {
    if (std::string(p.tool) == "gnuplot") return gnuplot_script(r, d.series, d.vms, d.min_ps, d.max_ps, files);
    return python_script(r, d.series, d.vms, d.min_ps > 0 && d.max_ps >= 30 * d.min_ps, files);
}

/// "cd DIR && ": a relative directory gets "./", so that one named like an option ("-x")
/// is not taken for one by cd.
std::string cd_into(const std::string& dir) {
    const std::string d = !dir.empty() && dir[0] == '/' ? dir : "./" + dir;
    return "cd " + shell_quote(d) + " && ";
}

/// Runs `tool script` in `dir` with its output in `log`; true if it exited 0. `excerpt`: the
/// log's first lines (then the log is removed).
bool run_plotter(const std::string& dir, const char* tool, const std::string& script, const std::string& log,
                 std::string& excerpt) {
    const bool ok = run_shell(cd_into(dir) + tool + " " + shell_quote(script) + " >" + shell_quote(log) + " 2>&1");
    const fs::path log_path = fs::path(dir) / log;
    excerpt = log_excerpt(log_path);
    std::error_code ec;
    fs::remove(log_path, ec);
    return ok;
}

/// The plot of `vgic-sim run`: the kept script (which names latency.csv and the image) is an
/// output; the plotter runs a copy that reads and writes the temporaries. A plotter that is
/// installed but fails is a write error of the image (OutputError); none installed is not.
PlotOutcome plot_into(OutputDir& out, const RunRecord& r, const Summary& s) {
    PlotOutcome o;
    const PlotData d = plot_data(r, s);
    if (!d.none.empty()) {
        o.message = d.none;
        return o;
    }
    const Plotter p = find_plotter();
    if (p.tool == nullptr) {
        o.message = kNoPlotter;
        return o;
    }
    out.write(p.script, [&](std::ostream& os) { os << plot_script(p, r, d, {"latency.csv", p.image}); });
    o.files.push_back(out.path(p.script));
    const std::string tmp_image = std::string(kTempPrefix) + p.image;
    const std::string run_script = std::string(kTempPrefix) + "run." + p.script;
    {
        tlm::OutputFile f(out.temp_path("run." + std::string(p.script)), tlm::OutputFile::Create::Exclusive,
                          out.path(p.script));
        const std::string text = plot_script(p, r, d, {std::string(kTempPrefix) + "latency.csv", tmp_image});
        f.write(text);
        f.close();
        f.check();
    }
    std::string excerpt;
    const bool ok = run_plotter(out.dir(), p.tool, run_script, std::string(kTempPrefix) + p.log, excerpt);
    ::unlink(out.temp_path("run." + std::string(p.script)).c_str());
    if (!ok || !non_empty_file(out.temp_path(p.image))) {
        ::unlink(out.temp_path(p.image).c_str());
        throw OutputError(out.path(p.image), std::string(p.tool) + " failed" + (excerpt.empty() ? "" : ": " + excerpt) +
                                                 " (--no-plot skips the plot)");
    }
    out.adopt(p.image);
    o.written = true;
    o.path = out.path(p.image);
    o.files.push_back(o.path);
    return o;
}

} // namespace

PlotOutcome write_plot(const std::string& dir, const RunRecord& r) {
    PlotOutcome out;
    const fs::path base(dir);
    std::error_code ec;
    if (!fs::is_regular_file(base / "latency.csv", ec)) {
        out.message = "no plot: " + (base / "latency.csv").string() + " does not exist";
        return out;
    }
    const PlotData d = plot_data(r, summarize(r));
    if (!d.none.empty()) {
        out.message = d.none;
        return out;
    }
    const Plotter p = find_plotter();
    if (p.tool == nullptr) {
        out.message = kNoPlotter;
        return out;
    }
    // One plotter run: write its script, run it in the directory, keep the image if it made one.
    const fs::path script = base / p.script, image = base / p.image;
    write_text(script, plot_script(p, r, d, {"latency.csv", p.image}));
    out.files.push_back(script.string());
    fs::remove(image, ec);
    std::string excerpt;
    if (run_plotter(dir, p.tool, p.script, p.log, excerpt) && non_empty_file(image)) {
        out.written = true;
        out.path = image.string();
        out.files.push_back(out.path);
    } else {
        out.message = std::string("no plot: ") + p.tool + " failed on " + script.string() +
                      (excerpt.empty() ? "" : ": " + excerpt);
    }
    return out;
}

// ---- all of them ---------------------------------------------------------------------------

std::vector<std::string> write_reports(OutputDir& out, const RunRecord& r, const Summary& s, bool plot,
                                       PlotOutcome* plot_outcome, const StreamingReports* streamed) {
    std::string vcd_header;  // where the VCD's header is read for the save file
    if (!r.vcd_path.empty()) {
        // A waveform in the directory is one of the outputs: listed and renamed with them.
        const std::string name = fs::path(r.vcd_path).filename().string();
        std::error_code ec;
        if (out.path(name) == r.vcd_path) {
            if (fs::exists(out.temp_path(name), ec)) {
                out.adopt(name);
                vcd_header = out.temp_path(name);
            } else if (fs::exists(r.vcd_path, ec)) {
                out.adopt_in_place(name);
            }
        }
    }
    if (streamed != nullptr) {
        streamed->check();
        out.adopt("latency.csv");
        out.adopt("trace.json");
    } else {
        out.write("latency.csv", [&](std::ostream& os) { write_latency_csv(os, r); });
        out.write("trace.json", [&](std::ostream& os) { write_chrome_trace(os, r); });
    }
    if (!r.vcd_path.empty())
        out.write("waves.gtkw", [&](std::ostream& os) { write_gtkwave_save(os, r, vcd_header, out.path("waves.gtkw")); });
    if (plot) {
        PlotOutcome outcome = plot_into(out, r, s);
        if (plot_outcome != nullptr) *plot_outcome = outcome;
    }
    // Last, listing every other output with its size and digest; renamed last.
    out.commit([&](std::ostream& os, const std::vector<OutputFileInfo>& files) { write_report_json(os, r, s, files); });
    return out.paths();
}

std::vector<std::string> write_reports(const std::string& dir, const RunRecord& r, const Summary& s, bool plot,
                                       PlotOutcome* plot_outcome) {
    OutputDir out(dir);
    std::vector<std::string> keep;
    if (!r.vcd_path.empty()) keep.push_back(r.vcd_path);  // written there by the platform already
    out.remove_previous(keep);
    return write_reports(out, r, s, plot, plot_outcome);
}

} // namespace vgic::run
