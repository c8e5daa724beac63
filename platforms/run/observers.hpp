// SPDX-License-Identifier: Apache-2.0
// The observers of the latency platform (internal to platforms/run/): what turns a run into
// its RunRecord. Observers implements the Probe the guest workload, the schedulers and the
// device sources report to, on top of the Recorder (interrupt bookkeeping, recorder.hpp),
// and watches what no guest code sees: the maintenance line (the hypervisor's interrupt),
// the list registers in use, the vCPU interfaces' running state, hypervisor exits, timer
// expiries; and the simulated time, for the progress bar. platform.cpp spawns these
// watches as processes and closes the observers when the run is over.
#pragma once

#include "run/probe.hpp"
#include "run/recorder.hpp"
#include "run/run_record.hpp"
#include "run/world.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vgic::run::detail {

class Observers final : public Probe {
public:
    /// With a `sink`, records and state spans go to it as they are final (RecordSink) and the
    /// RunRecord keeps neither interrupts nor timelines.
    explicit Observers(RunRecord& r, RecordSink* sink = nullptr) : recorder_(r, sink), record_(r), sink_(sink) {}

    // Probe
    std::size_t generated(unsigned vm, IrqClass cls, unsigned vcpu, unsigned source, std::uint32_t intid,
                          bool target_idle) override;
    void merged_at_source(unsigned vm, std::uint32_t intid, std::size_t into) override;
    std::size_t acknowledged(const Vcpu& v, IrqClass cls, std::uint32_t intid, unsigned source,
                             bool still_pending) override;
    void timer_measured(std::size_t h, std::int64_t counter_latency_ticks) override;
    void ipi_in_flight(const std::vector<std::size_t>& records, bool traps) override;
    void ipi_done(const std::vector<std::size_t>& records) override;
    void ipi_effective(const std::vector<std::size_t>& records, std::uint64_t effect_ps) override;
    void ipi_sent(const std::vector<std::size_t>& records, std::uint64_t before, std::uint64_t after,
                  std::uint64_t effect) override;
    void ipi_measured(std::size_t h, std::uint64_t counter) override;
    void completed(std::size_t h) override;
    void cleared(const Vm& vm, std::uint32_t intid) override;
    void state_changed(Vcpu& v) override;
    void scheduled_in(const Vcpu& v) override;
    void access_failed(unsigned vm, unsigned cpu, bool write, unsigned len, std::uint64_t address,
                       const std::string& response) override;
    void driver_errors(unsigned vm, const std::vector<std::string>& errors) override;

    // Watches (platform.cpp spawns them)
    /// Thread: the maintenance interrupts of vm-mode vCPU `v`.
    void maintenance_watch(Vcpu& v);
    /// Method, on the rising output of `v`'s virtual timer and on the guest's programming of
    /// a deadline (v.timer_programmed): a timer generation if the counter has reached a
    /// deadline not counted yet (`target_idle` as for generated).
    void timer_expired(Vcpu& v, bool target_idle);
    /// Method, on `v`'s interface's sync_done: a trap to the hypervisor.
    void exited(const Vcpu& v);
    /// Method, on a change of the number of list registers `v` has in use.
    void on_lr_count(Vcpu& v);
    /// Thread: calls `progress` at time 0 and then about every 1% of `end` ps of simulated time.
    void progress_main(std::uint64_t end, const std::function<void(std::uint64_t, std::uint64_t)>& progress);

    /// The run ended at `end`: `v`'s time in its last state and LR count is counted.
    void finish(Vcpu& v, std::uint64_t end);
    /// The run is over: record nothing more.
    void close();

private:
    Recorder recorder_;
    RunRecord& record_;
    RecordSink* sink_;
    bool stopped_ = false;
};

} // namespace vgic::run::detail
