// SPDX-License-Identifier: Apache-2.0
// The `vgic-sim boot` board (docs/BOOT.md): ISS CPUs, RAM, the GIC (Vgic) and the generic
// timer (VirtualTimer) at the seed's addresses, a PL011 UART, the interrupt generator, the
// test exit register, PSCI 1.0 over HVC and Arm semihosting. The board plays firmware: it
// loads the image and the device tree, starts CPU 0, serves PSCI, wakes GICv3
// redistributors in hw mode (as TF-A does), and in vm mode plays the hypervisor's vCPU
// blocking around the model's built-in vGIC engine.
#pragma once

#include "boot/devices.hpp"
#include "boot/interrupt_trace.hpp"
#include "boot/iss_cpu.hpp"

#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vgic::boot {

struct BoardConfig {
    unsigned cpus = 1;                         ///< 1..VGIC_BOARD_MAX_CPUS
    vgic::GicVersion gic = vgic::GicVersion::V2;
    tlm::Mode mode = tlm::Mode::Hw;
    std::uint64_t ram_size = 0;                ///< bytes, a multiple of 2 MiB
    unsigned spis = 64;                        ///< SPI lines (GicConfig::num_spis)
    tlm::TimingProfile timing;                 ///< the hardware (and `instruction`)
    tlm::HypervisorProfile hypervisor;         ///< vm mode: the hypervisor's costs
    sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US);
    bool wfi_traps = true;                     ///< vm mode: WFI traps and blocks the vCPU (KVM)
    std::FILE* uart = stdout;                  ///< where the UART's output goes
};

/// How the run ended.
struct BoardOutcome {
    bool ended = false;        ///< the guest or the board ended it (else: time ran out or deadlock)
    int status = 0;            ///< the exit status
    std::string reason;        ///< one line: "PSCI SYSTEM_OFF", "exit register: 1", ...
    std::string detail;        ///< a register dump for status 3
    sc_core::sc_time at;       ///< when it ended (the ending CPU's local time included)
};

class Board : public sc_core::sc_module, public CpuHost {
public:
    Board(const sc_core::sc_module_name& name, const BoardConfig& config);
    ~Board() override;

    /// Guest RAM (host buffer), for the loader.
    std::uint8_t* ram() { return ram_; }
    std::uint64_t ram_base() const;
    std::uint64_t ram_size() const { return config_.ram_size; }

    /// CPU 0 starts at `entry` with x0 = `x0` (the DTB address) at time 0.
    void boot(std::uint64_t entry, std::uint64_t x0);

    const BoardOutcome& outcome() const { return outcome_; }
    const BoardConfig& config() const { return config_; }
    tlm::Vgic& gic() { return *gic_; }
    tlm::VirtualTimer& timer() { return *timer_; }
    const std::vector<std::unique_ptr<IssCpu>>& cpus() const { return cpus_; }
    /// Whether every powered CPU waits in WFI (or is off): the state of a deadlock when no
    /// event is left to wake one.
    bool all_cpus_waiting() const;
    std::uint64_t intgen_bad_intids() const { return intgen_->bad_intids(); }
    /// Semihosting operations the board does not implement, as called (for the summary).
    const std::vector<std::uint32_t>& unsupported_semihosting() const { return unsupported_semihosting_; }

    // CpuHost
    void hypercall(IssCpu& cpu) override;
    void semihosting(IssCpu& cpu) override;
    void wait_for_interrupt(IssCpu& cpu) override;
    void before_slice(IssCpu& cpu) override;
    void fatal(IssCpu& cpu, const std::string& what) override;

    void interrupt_entered(IssCpu& cpu) override;

    /// Records every interrupt and CPU state (InterruptTrace) from now on; before sc_start.
    /// `name`: the run's name in the trace (the image).
    void enable_trace(const std::string& name);
    /// The record, or nullptr without enable_trace().
    const InterruptTrace* interrupt_trace() const { return trace_.get(); }

    /// Ends the run (first call wins): every CPU halts, sc_stop.
    /// `at`: the simulated time of the event that ended it (a CPU's accesses run ahead of
    /// sc_time_stamp() by its local time).
    void finish(int status, const std::string& reason, const sc_core::sc_time& at, const std::string& detail = "");

private:
    void startup();  // thread: time-0 actions (vm: powered-off vCPUs leave the guest)
    void psci_cpu_on(IssCpu& caller);
    void wake_redistributor(unsigned cpu);
    void uart_output(char c);
    bool vm() const { return config_.mode == tlm::Mode::Vm; }
    /// vm mode: block a vCPU (WFI trapped) until something wakes it.
    void block_vcpu(IssCpu& cpu);

    BoardConfig config_;
    std::uint8_t* ram_ = nullptr;
    std::unique_ptr<tlm::Vgic> gic_;
    std::unique_ptr<tlm::VirtualTimer> timer_;
    std::unique_ptr<Router> router_;
    std::unique_ptr<Pl011Uart> uart_;
    std::unique_ptr<InterruptGenerator> intgen_;
    std::unique_ptr<TestExit> exit_;
    std::vector<std::unique_ptr<IssCpu>> cpus_;
    std::vector<bool> waiting_;                // per CPU: in WFI (or blocked)
    std::vector<std::unique_ptr<sc_core::sc_event>> wake_;  // vm: per vCPU wake-ups
    std::vector<bool> wake_pending_;
    sc_core::sc_event finish_event_;
    // The earliest end reported so far (finish), taking effect at its instant (conclude).
    std::optional<BoardOutcome> pending_end_;
    sc_core::sc_event end_event_;
    void conclude();
    BoardOutcome outcome_;
    std::uint64_t boot_entry_ = 0, boot_x0_ = 0;
    bool booted_ = false;
    std::vector<std::uint32_t> unsupported_semihosting_;
    std::unique_ptr<InterruptTrace> trace_;
    /// The trace's time of CPU `c` now: simulated time plus its local time.
    std::uint64_t cpu_now_ps(const IssCpu& c) const;
    void trace_state(unsigned cpu, run::VcpuState s, std::uint64_t t_ps) {
        if (trace_) trace_->state(cpu, s, t_ps);
    }
};

} // namespace vgic::boot
