// SPDX-License-Identifier: Apache-2.0
// The latency-study platform of `vgic-sim run`: the SystemC composition a Scenario describes.
//
//   per VM       a vgic::tlm::Vgic (vm mode: VmGic with its hypervisor engine; hw mode: a
//                physical GIC the guest owns) and a VirtualTimer, and an initiator with a
//                socket per frame and vCPU;
//   per vCPU     a guest workload thread that behaves like a Linux guest: the Linux GICv2 or
//                GICv3 driver initialisation through the sockets (guest/linux_gicv*_driver),
//                its virtual timer tick, IPIs, and on vIRQ: exception entry, the IAR/EOIR loop
//                with per-class handler durations;
//   per pCPU     a round-robin scheduler (time slice, WFI blocking, wake on interrupts) that
//                switches vCPUs through VgicCpuIf::stop/run (the timed save/restore);
//   per device   a source thread driving an SPI (periodic, Poisson, burst; edge or level).
//
// Everything observable goes into a RunRecord: one InterruptRecord per generated interrupt,
// the state timeline of every vCPU, the engine's counters. SystemC runs one simulation per
// process: call run_platform once.
#pragma once

#include "run/run_record.hpp"
#include "run/scenario.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace vgic::run {

/// Asks a running platform to stop before its duration, from any thread (e.g. one woken by a
/// signal handler; a handler itself may not call request(), which takes a lock): the
/// simulation pauses at its next delta cycle, the record is completed up to that time and
/// RunRecord::complete is false. A request made before the simulation starts stops it at
/// time 0. Nothing in the platform polls for it: no event is added to a run that is not
/// stopped, so stopping cannot change what it simulates.
class StopRequest {
public:
    void request();
    bool requested() const { return requested_.load(); }
    /// For the platform: `wake` is called (under the lock) on a request while it runs, and at
    /// once if a request came first; an empty function detaches it.
    void attach(std::function<void()> wake);

private:
    std::atomic<bool> requested_{false};
    std::mutex mutex_;
    std::function<void()> wake_;
};

struct PlatformOptions {
    std::string vcd_path;  ///< write the waveform here ("" = none)
    /// How messages and RunRecord::vcd_path call the waveform ("" = vcd_path): `vgic-sim run`
    /// writes a temporary and names the file it becomes.
    std::string vcd_name;
    /// vcd_path must be a new file (a temporary): created exclusively, never through a link.
    bool vcd_exclusive = false;
    StopRequest* stop = nullptr;  ///< may be null
    /// Called about every 1% of the simulated duration with the simulated time reached (for
    /// a progress bar); may be empty.
    std::function<void(std::uint64_t now_ps, std::uint64_t end_ps)> progress;
    /// Streams the records instead of keeping them (RecordSink): the returned RunRecord then
    /// holds no interrupts and no timelines. May be null (everything kept).
    RecordSink* sink = nullptr;
};

/// Elaborates the platform of `s`, simulates s.duration_ps (or until options.stop) and
/// returns what happened. The record points at `s` (keep it alive). Throws
/// std::runtime_error (with the SystemC report's text) if the platform cannot be built, and
/// vgic::tlm::OutputError (file and errno) if the VCD cannot be opened or written; a write
/// error pauses the simulation at once.
RunRecord run_platform(const Scenario& s, const PlatformOptions& options = {});

} // namespace vgic::run
