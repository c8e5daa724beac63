// SPDX-License-Identifier: Apache-2.0
// The world of the latency platform (internal to platforms/run/): the entities a run acts
// on — per VM its GIC, virtual timer, initiator sockets and guest driver (Vm), per vCPU
// (Vcpu), per physical CPU (Pcpu), per device (Device) — and World, what the platform's
// processes run: the guest workload (guest.cpp), the per-pCPU schedulers (scheduler.cpp) and
// the device sources (devices.cpp). The guest's accesses through the sockets are Vm::access
// and Vm::compute (guest_bus.cpp).
//
// Nothing here knows how a run is recorded: every event worth recording is told to a Probe
// (probe.hpp), which observers.hpp implements. platform.cpp builds the world (Platform is a
// World) and spawns its processes.
#pragma once

#include "run/probe.hpp"
#include "run/run_record.hpp"
#include "run/scenario.hpp"

#include "guest/gicv2_bus.hpp"
#include "guest/gicv3_bus.hpp"
#include "vgic/model/generic_timer.hpp"
#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <tlm_utils/simple_initiator_socket.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace vgic::run::detail {

constexpr std::uint64_t kNever = ~std::uint64_t{0};
/// A vCPU in WFI with an interrupt pending that no LR shows yet waits for the line, the next
/// entry, or this long (a guard: the kick in flight normally ends the wait far sooner).
constexpr std::uint64_t kWfiRecheckPs = 1'000'000;

inline std::uint64_t now_ps() { return sc_core::sc_time_stamp().value(); }  // the resolution is 1 ps (run_platform checks)
inline sc_core::sc_time ps(std::uint64_t v) { return tlm::ps_time(v); }  // integer ticks, never double

struct Vm;

/// What the guest is doing while it is in the guest.
enum class Activity { Guest, Idle, Handler };

struct Vcpu {
    Vm* vm = nullptr;
    unsigned index = 0;
    unsigned pcpu = 0;
    std::size_t record = 0;  // index into RunRecord::vcpus
    tlm::VgicCpuIf* cif = nullptr;
    bool vm_mode = true;
    Activity activity = Activity::Guest;
    bool on_pcpu = true;  // the scheduler has it on its physical CPU (hw mode: always)
    // The state its timeline shows and since when (the observers keep them).
    VcpuState shown = VcpuState::Hypervisor;
    std::uint64_t shown_since = 0;
    std::int64_t sched_in_ps = -1;
    std::uint64_t waiting_end_ps = 0;  // when it last stopped waiting for its pCPU (0: never)  // last time it was scheduled in after being descheduled (-1: never)
    // WFI blocking (vm mode, wfi: block)
    bool blocked = false;
    bool wake_pending = false;
    bool queued = false;           // in its scheduler's run queue
    sc_core::sc_event resumed;     // a blocked vCPU is back in the guest
    sc_core::sc_event wake_timer;  // its next IPI falls due while it is blocked
    // virtual timer
    bool timer_armed = false;
    std::uint64_t cval = 0;
    std::uint64_t period_ticks = 0;
    // Timer generations: one per deadline the guest programs that the counter reaches. The
    // guest counts its programmings (timer_programs, before the CVAL write) and notifies
    // timer_programmed once the write has taken effect; the observers count the expiries they
    // recorded (timer_expiries) and record at most one per programming.
    std::uint64_t timer_programs = 0;
    std::uint64_t timer_expiries = 0;
    sc_core::sc_event timer_programmed;
    // IPIs
    std::uint64_t next_ipi_ps = kNever;
    std::uint64_t ipi_period_ps = 0;
    sc_core::sc_event ipi_event;
    // the handled record of the interrupt being handled
    std::size_t handling = kNoRecord;
    // The last read's issue and completion: in the handler callback that read is the IAR
    // (in split mode the EOIR write that follows it is not a read).
    std::uint64_t last_read_issue_ps = 0, last_read_done_ps = 0;
    // vm mode: the records of the SGI write this vCPU is issuing, pending from its emulation
    // instant (set by the write's access, Vm::access).
    std::vector<std::size_t> ipi_in_flight;
    // LR occupancy (the observers keep it)
    unsigned lr_count = 0;
    std::uint64_t lr_since = 0;
};

/// The guest's GIC driver, GICv2 or GICv3, behind one interface.
class GuestGic {
public:
    virtual ~GuestGic() = default;
    virtual void boot_distributor(unsigned cpu) = 0;
    virtual void boot_cpu(unsigned cpu) = 0;
    virtual void steer(unsigned cpu, std::uint32_t intid, bool edge, unsigned target) = 0;
    virtual void unmask(unsigned cpu, std::uint32_t intid) = 0;
    virtual void send_ipi(unsigned from, const std::vector<unsigned>& targets, std::uint32_t sgi) = 0;
    /// The IAR/EOIR loop; `handler(intid, source_cpu)` between acknowledge and completion.
    using Handler = std::function<void(std::uint32_t intid, unsigned source)>;
    virtual void handle(unsigned cpu, const Handler& handler, const std::function<void(std::uint32_t)>& done) = 0;
    virtual const std::vector<std::string>& errors() const = 0;
};

struct Device {
    const DeviceSpec* spec = nullptr;
    unsigned index = 0;
    Vm* vm = nullptr;
    bool high = false;
    std::uint64_t low_at = 0;  // edge: the pulse ends
    sc_core::sc_event pulse_end;
    std::size_t last_record = kNoRecord;
    /// Called after each change of the device's line, with the new level (the waveform's
    /// trace of the line and of the INTID's state); may be empty.
    std::function<void(bool level)> on_line;
};

struct Pcpu {
    unsigned index = 0;
    std::vector<Vcpu*> vcpus;  // the vm-mode vCPUs it runs
    std::deque<Vcpu*> queue;   // runnable, waiting for the CPU
    Vcpu* current = nullptr;
    sc_core::sc_event event;  // a block request or a vCPU became runnable
};

using InitSocket = tlm_utils::simple_initiator_socket<sc_core::sc_module, 32>;

/// One VM: its GIC, timer, the guest's sockets and driver, its vCPUs.
struct Vm : sc_core::sc_module {
    Probe& probe;
    unsigned index;
    const VmSpec& spec;
    tlm::Vgic gic;
    tlm::VirtualTimer timer;
    sc_core::sc_vector<InitSocket> gicd, gicc, sysreg;
    InitSocket gicr;
    std::unique_ptr<guest::Gicv2Bus> bus2;
    std::unique_ptr<guest::Gicv3Bus> bus3;
    std::unique_ptr<GuestGic> driver;
    std::vector<Vcpu*> vcpus;
    bool untimed = false;  // guest boot without access latencies (guest.boot: false)
    /// The CPU's own cost on the interrupt path (irq_entry): exact, or drawn from its spread
    /// with the scenario's `variation` (a stream of its own, seeded from the scenario's seed).
    tlm::ParameterDraw<tlm::TimingProfile> cpu_costs;
    bool distributor_ready = false;
    sc_core::sc_event distributor_ready_event;
    std::size_t vcpus_booted = 0;  // vCPUs past their per-CPU driver boot
    bool devices_ready = false;
    sc_core::sc_event devices_ready_event;

    Vm(const sc_core::sc_module_name& n, Probe& p, unsigned i, const VmSpec& s, const tlm::VgicParams& params,
       const TimerConfig& tc)
        : sc_module(n), probe(p), index(i), spec(s), gic("gic", params), timer("timer", gic, tc),
          gicd("gicd", s.vcpus), gicc("gicc", s.vcpus), sysreg("sysreg", s.vcpus), gicr("gicr") {
        for (unsigned c = 0; c < s.vcpus; ++c) {
            gicd[c].bind(gic.distributor.socket[c]);
            gicc[c].bind(gic.cpu[c].gicc);
            sysreg[c].bind(timer.sysreg[c]);
        }
        gicr.bind(gic.redistributor.socket);
    }

    /// One access by vCPU `cpu` through `sock`, issued when the vCPU is in the guest; the
    /// calling thread (that vCPU's) waits out the access latency.
    std::uint64_t access(unsigned cpu, InitSocket& sock, std::uint64_t address, unsigned len, bool write,
                         std::uint64_t value, bool cpu_extension = false);
    /// Guest computation of `d` ps on vCPU `cpu`: time only passes while it is in the guest.
    void compute(unsigned cpu, std::uint64_t d);
    void wait_in_guest(unsigned cpu);
};

/// What the platform's processes run, and what they share: the scenario, the entities, and
/// the Probe they report to. platform.cpp's Platform (the sc_module) is a World: it fills the
/// entities and spawns these functions as its processes.
class World {
public:
    World(const Scenario& s, Probe& p) : scenario(s), probe(p) {}

    const Scenario& scenario;
    Probe& probe;

    // Guest side (guest.cpp)
    void guest_main(Vcpu& v);
    void take_irq(Vcpu& v);
    void on_ack(Vcpu& v, std::uint32_t intid, unsigned source);
    void send_ipis(Vcpu& v);
    void wfi(Vcpu& v);
    bool line_high(const Vcpu& v) const;
    bool model_line_high(const Vcpu& v) const;
    const sc_core::sc_event& line_rise(const Vcpu& v) const;
    void set_activity(Vcpu& v, Activity a);
    /// The exception entry of one interrupt taken by `v` (drawn with variation).
    std::uint64_t irq_entry(Vcpu& v);
    /// MRS CNTVCT_EL0 on `v` (a timed system-register access; the counter is sampled at its end).
    std::uint64_t read_counter(Vcpu& v);
    void arm_timer(Vcpu& v);

    // Scheduler (scheduler.cpp)
    /// `v` is blocked in WFI and its physical CPU has nothing else to run (or is switching
    /// `v` out): an interrupt for it now must arrive within the wake path.
    bool idle_target(const Vcpu& v) const;
    void scheduler_main(Pcpu& p);
    void wake(Vcpu& v);
    void block(Vcpu& v);
    void make_runnable(Vcpu& v);

    // Sources (devices.cpp)
    void device_main(Device& d);
    void device_fire(Device& d);
    void device_clear(Device& d);
    void pulse_ended(Device& d);
    /// Drives the device's line into its VM's GIC and tells Device::on_line.
    void drive_line(Device& d, bool level);

    std::vector<std::unique_ptr<Vm>> vms;
    std::vector<std::unique_ptr<Vcpu>> vcpus;
    std::vector<std::unique_ptr<Device>> devices;
    std::vector<std::unique_ptr<Pcpu>> pcpus;
    std::vector<Device*> device_of_intid_;  // [vm * 1020 + intid]
};

} // namespace vgic::run::detail
