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

#include <cstdint>
#include <functional>
#include <string>

namespace vgic::run {

struct PlatformOptions {
    std::string vcd_path;  ///< write the waveform here ("" = none)
    /// Called about every 1% of the simulated duration with the simulated time reached (for
    /// a progress bar); may be empty.
    std::function<void(std::uint64_t now_ps, std::uint64_t end_ps)> progress;
};

/// Elaborates the platform of `s`, simulates s.duration_ps and returns what happened. The
/// record points at `s` (keep it alive). Throws std::runtime_error (with the SystemC
/// report's text) if the platform cannot be built, and vgic::tlm::OutputError (file and
/// errno) if the VCD cannot be opened or written; a write error pauses the simulation at once.
RunRecord run_platform(const Scenario& s, const PlatformOptions& options = {});

} // namespace vgic::run
