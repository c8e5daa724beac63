// SPDX-License-Identifier: Apache-2.0
// Scenario runs of the latency-study platform, in process: each case elaborates and runs one
// SystemC simulation, so CTest runs each case in its own process (run.platform.<case>).
// Expected latencies are sums of the profile's parameters along the architectural path the
// interrupt takes (docs/CALIBRATION.md), never values read back from the run.
#include "run/platform.hpp"
#include "run/report.hpp"
#include "run/scenario.hpp"

#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

using namespace vgic::run;
using Outcome = InterruptRecord::Outcome;

namespace {

Scenario scenario(const std::string& text) { return parse_scenario(text, "<test>", VGIC_SOURCE_DIR); }

std::vector<const InterruptRecord*> of_class(const RunRecord& r, IrqClass c) {
    std::vector<const InterruptRecord*> out;
    for (const InterruptRecord& i : r.interrupts)
        if (i.cls == c) out.push_back(&i);
    return out;
}

void require_no_guest_errors(const RunRecord& r) {
    for (const VmRecord& vm : r.vms) {
        for (const std::string& e : vm.guest_errors) BOOST_TEST_MESSAGE(vm.name << ": " << e);
        BOOST_TEST(vm.guest_errors.empty());
        BOOST_TEST(vm.bad_accesses == 0u);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(platform)

// Bare metal (hw mode): the timer's PPI goes straight to the physical CPU interface.
// assertion -> IRQ line: signal_delay; line -> handler: irq_entry; the IAR read: gicc_access.
// The handler reads CNTVCT (sysreg_access, sampled at the end), writes CNTV_CVAL (sysreg),
// then EOIR (a posted store: the CPU goes on after posted_write_ack).
BOOST_AUTO_TEST_CASE(timer_latency_hw_is_the_native_path_sum) {
    const Scenario s = scenario(R"(
name: t
duration: 20 ms
pcpus: 1
vms:
  - name: bm
    gic: v2
    mode: hw
    vcpus: 1
    timing: zcu104
    guest:
      timer: { mode: periodic, rate: 1 kHz }
      handler: { timer: 0 ns }
)");
    const auto& t = s.vms[0].profile;
    BOOST_REQUIRE(t.gicc_access != 0);
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto timers = of_class(r, IrqClass::TimerPpi);
    // One tick per millisecond after boot (boot takes microseconds): 19 or 20 in 20 ms.
    BOOST_TEST(timers.size() >= 19u);
    BOOST_TEST(timers.size() <= 20u);
    const std::uint64_t to_iar = t.signal_delay + t.irq_entry + t.gicc_access;
    const std::uint64_t to_eoi = to_iar + 2 * t.sysreg_access + t.write_seen(t.gicc_write);
    BOOST_TEST(t.write_seen(t.gicc_write) < t.gicc_access, "a53-gic400 posts stores");
    const std::uint64_t tick_ps = 10'000;  // 100 MHz counter
    for (const InterruptRecord* i : timers) {
        BOOST_REQUIRE(i->outcome == Outcome::Handled);
        BOOST_TEST(static_cast<std::uint64_t>(i->iar_ps) - i->asserted_ps == to_iar);
        BOOST_TEST(static_cast<std::uint64_t>(i->eoi_ps) - i->asserted_ps == to_eoi);
        BOOST_TEST(i->counter_latency_ticks == static_cast<std::int64_t>((to_iar + t.sysreg_access) / tick_ps));
        BOOST_TEST(!i->waited_descheduled);
        // The tick is periodic in counter time: assertions 1 ms apart.
    }
    for (std::size_t k = 1; k < timers.size(); ++k)
        BOOST_TEST(timers[k]->asserted_ps - timers[k - 1]->asserted_ps == 1'000'000'000u);
}

// Trap and inject (vm mode, the vCPU idles in the guest, WFI not trapped): the physical timer
// interrupt kicks the running vCPU: kick, exit, sync (no LR in use), flush of one LR, entry;
// then vIRQ after signal_delay, exception entry, the GICV_IAR read.
BOOST_AUTO_TEST_CASE(timer_latency_vm_is_the_trap_and_inject_sum) {
    const Scenario s = scenario(R"(
name: t
duration: 20 ms
pcpus: 1
scheduler: { wfi: stay }
vms:
  - name: g
    gic: v2
    mode: vm
    vcpus: 1
    timing: zcu104
    hypervisor: bao
    guest:
      timer: { mode: periodic, rate: 1 kHz }
      handler: { timer: 0 ns }
)");
    const auto& t = s.vms[0].profile;
    const auto& h = s.vms[0].hyp;
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto timers = of_class(r, IrqClass::TimerPpi);
    BOOST_TEST(timers.size() >= 19u);
    const std::uint64_t to_iar =
        h.kick + h.exit + h.sync_cost(0) + h.flush_cost(1) + h.entry + t.signal_delay + t.irq_entry + t.gicv_access;
    const std::uint64_t to_eoi = to_iar + 2 * t.sysreg_access + t.write_seen(t.gicv_write);
    for (const InterruptRecord* i : timers) {
        BOOST_REQUIRE(i->outcome == Outcome::Handled);
        BOOST_TEST(static_cast<std::uint64_t>(i->iar_ps) - i->asserted_ps == to_iar);
        BOOST_TEST(static_cast<std::uint64_t>(i->eoi_ps) - i->asserted_ps == to_eoi);
        BOOST_TEST(!i->waited_descheduled);
    }
    BOOST_TEST(r.vms[0].kicks >= timers.size());
}

// WFI blocks: the idle vCPU is descheduled (exit, sync, save); its timer expires while it is
// off the CPU and must wake it (section 3 item 26: not lost): restore of the whole interface,
// flush of one LR, entry, then vIRQ, exception entry, GICV_IAR.
BOOST_AUTO_TEST_CASE(timer_wakes_a_descheduled_vcpu_with_the_restore_path) {
    const Scenario s = scenario(R"(
name: t
duration: 20 ms
pcpus: 1
scheduler: { wfi: block }
vms:
  - name: g
    gic: v2
    mode: vm
    vcpus: 1
    lrs: 4
    timing: zcu104
    hypervisor: bao
    guest:
      timer: { mode: periodic, rate: 1 kHz }
      handler: { timer: 0 ns }
)");
    const auto& t = s.vms[0].profile;
    const auto& h = s.vms[0].hyp;
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto timers = of_class(r, IrqClass::TimerPpi);
    BOOST_TEST(timers.size() >= 19u);
    const std::uint64_t to_iar = h.restore_cost(4) + h.flush_cost(1) + h.entry + t.signal_delay + t.irq_entry +
                                 t.gicv_access;
    for (const InterruptRecord* i : timers) {
        BOOST_REQUIRE(i->outcome == Outcome::Handled);
        BOOST_TEST(static_cast<std::uint64_t>(i->iar_ps) - i->asserted_ps == to_iar);
        BOOST_TEST(i->waited_descheduled);
    }
    // Blocked between ticks (off the CPU in WFI, nothing to do): one world switch per tick (the
    // first scheduling in counts too); never runnable and waiting, since the pCPU is its own.
    BOOST_TEST(r.vcpus[0].world_switches >= timers.size());
    BOOST_TEST(r.vcpus[0].state_time_ps[static_cast<unsigned>(VcpuState::Blocked)] > 15'000'000'000u);
    BOOST_TEST(r.vcpus[0].state_time_ps[static_cast<unsigned>(VcpuState::Waiting)] == 0u);
}

// An IPI between two running vCPUs on two physical CPUs in vm mode: the SGIR write traps
// (trap_entry), is emulated (emulate: the SGI is pending from then on), the hypervisor tells
// the target's physical CPU (ipi_send) with a physical SGI whose store takes gicd_write; the
// target traps (kick), takes the message in its exit (exit + ipi_receive), flushes one LR and
// enters; then vIRQ, exception entry, GICV_IAR. The sender goes on after trap_return.
BOOST_AUTO_TEST_CASE(ipi_latency_vm) {
    const Scenario s = scenario(R"(
name: t
duration: 10 ms
pcpus: 2
scheduler: { wfi: stay }
vms:
  - name: g
    gic: v2
    mode: vm
    vcpus: 2
    timing: zcu104
    hypervisor: bao
    pcpus: [0, 1]
    guest:
      timer: { mode: none }
      ipi: { rate: 1 kHz, sgi: 3, targets: next, senders: [0] }
      handler: { ipi: 0 ns }
)");
    const auto& t = s.vms[0].profile;
    const auto& h = s.vms[0].hyp;
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto ipis = of_class(r, IrqClass::Ipi);
    // vCPU 0 sends one per ms: 9 or 10.
    BOOST_TEST(ipis.size() >= 9u);
    BOOST_TEST(ipis.size() <= 10u);
    const std::uint64_t to_iar = h.trap_entry + h.emulate + h.ipi_send + t.gicd_write + h.kick + h.exit +
                                 h.ipi_receive + h.sync_cost(0) + h.flush_cost(1) + h.entry + t.signal_delay +
                                 t.irq_entry + t.gicv_access;
    for (const InterruptRecord* i : ipis) {
        BOOST_REQUIRE(i->outcome == Outcome::Handled);
        BOOST_TEST(i->intid == 3u);
        BOOST_TEST(i->vcpu == 1u);
        BOOST_TEST(static_cast<std::uint64_t>(i->iar_ps) - i->asserted_ps == to_iar);
    }
}

// A periodic edge device on bare metal: exactly one generation per period after the guest
// steered it; each takes the native path.
BOOST_AUTO_TEST_CASE(periodic_device_native_path_and_exact_count) {
    const Scenario s = scenario(R"(
name: t
duration: 10 ms
pcpus: 2
vms:
  - name: bm
    gic: v2
    mode: hw
    vcpus: 2
    timing: zcu104
    guest:
      timer: { mode: none }
      handler: { device: 1 us }
devices:
  - { name: d, vm: bm, intid: 40, pattern: periodic, rate: 10 kHz, trigger: edge, target: 1 }
)");
    const auto& t = s.vms[0].profile;
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto dev = of_class(r, IrqClass::DeviceSpi);
    // Events at ready + k * 100 us, k >= 1, up to 10 ms: 99 or 100 (ready is a few us in).
    BOOST_TEST(dev.size() >= 99u);
    BOOST_TEST(dev.size() <= 100u);
    const std::uint64_t to_iar = t.signal_delay + t.irq_entry + t.gicc_access;
    for (const InterruptRecord* i : dev) {
        BOOST_REQUIRE(i->outcome == Outcome::Handled);
        BOOST_TEST(i->vcpu == 1u);  // steered by GICD_ITARGETSR
        BOOST_TEST(static_cast<std::uint64_t>(i->iar_ps) - i->asserted_ps == to_iar);
        BOOST_TEST(static_cast<std::uint64_t>(i->eoi_ps) - i->asserted_ps ==
                   to_iar + 1'000'000 + t.write_seen(t.gicc_write));
    }
}

// A burst of edges closer together than the handling: generations that arrive while the SPI
// is still pending are merged by the GIC (coalesced), the others are taken one by one; no
// generation is lost and none is taken twice.
BOOST_AUTO_TEST_CASE(burst_edges_coalesce_and_are_conserved) {
    const Scenario s = scenario(R"(
name: t
duration: 10 ms
pcpus: 1
vms:
  - name: bm
    gic: v2
    mode: hw
    vcpus: 1
    timing: zcu104
    guest:
      timer: { mode: none }
      handler: { device: 2 us }
devices:
  - name: d
    vm: bm
    intid: 33
    pattern: burst
    rate: 1 kHz
    burst: { count: 8, spacing: 100 ns }
    trigger: edge
    target: 0
)");
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto dev = of_class(r, IrqClass::DeviceSpi);
    BOOST_TEST(dev.size() % 8 == 0u);
    std::size_t handled = 0, coalesced = 0;
    for (const InterruptRecord* i : dev) {
        handled += i->outcome == Outcome::Handled;
        coalesced += i->outcome == Outcome::Coalesced;
    }
    BOOST_TEST(handled + coalesced == dev.size());
    // Per burst: the first edge is acknowledged about 200 ns in; edges up to that read are
    // merged into it, the next one pends while it is active and is taken after its EOI;
    // everything after that (within 800 ns) merges into the second: 2 handled per burst.
    BOOST_TEST(handled == 2 * dev.size() / 8);
}

// A level device: held until the handler clears it; generations while it is held are served
// by that handling.
BOOST_AUTO_TEST_CASE(level_device_is_held_until_cleared) {
    const Scenario s = scenario(R"(
name: t
duration: 5 ms
pcpus: 1
vms:
  - name: bm
    gic: v2
    mode: hw
    vcpus: 1
    timing: zcu104
    guest:
      timer: { mode: none }
      handler: { device: 3 us }
devices:
  - { name: d, vm: bm, intid: 50, pattern: periodic, rate: 1 MHz, trigger: level, target: 0 }
)");
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto dev = of_class(r, IrqClass::DeviceSpi);
    std::size_t handled = 0, coalesced = 0, pending = 0;
    for (const InterruptRecord* i : dev) {
        handled += i->outcome == Outcome::Handled;
        coalesced += i->outcome == Outcome::Coalesced;
        pending += i->outcome == Outcome::Pending;
    }
    BOOST_TEST(handled + coalesced + pending == dev.size());
    BOOST_TEST(pending <= 4u);  // at most the ones raised during the last handling
    BOOST_TEST(coalesced > handled);  // one event per us, one handling per ~3.2 us
}

// Two VMs (GICv2 and GICv3) overcommitted on one physical CPU, WFI not trapped: each vCPU
// holds the CPU for its whole slice, so a tick of the other VM waits for the switch. Every
// tick is still taken once; the waits are bounded by the slice plus a switch.
BOOST_AUTO_TEST_CASE(two_vms_share_one_pcpu_round_robin) {
    const Scenario s = scenario(R"(
name: t
duration: 20 ms
pcpus: 1
scheduler: { slice: 1 ms, wfi: stay }
vms:
  - { name: a, gic: v2, mode: vm, vcpus: 1, timing: zcu104, guest: { timer: { mode: periodic, rate: 1 kHz } } }
  - { name: b, gic: v3, mode: vm, vcpus: 1, timing: zcu104, guest: { timer: { mode: periodic, rate: 1 kHz } } }
)");
    const auto& t = s.vms[0].hyp;
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    std::size_t per_vm[2] = {0, 0}, waited = 0;
    for (const InterruptRecord& i : r.interrupts) {
        BOOST_REQUIRE(i.cls == IrqClass::TimerPpi);
        ++per_vm[i.vm];
        if (i.outcome != Outcome::Handled) continue;  // the last tick may be in flight at the end
        waited += i.waited_descheduled;
        const std::uint64_t lat = static_cast<std::uint64_t>(i.iar_ps) - i.asserted_ps;
        BOOST_TEST(lat <= s.scheduler.slice_ps + t.save_cost(4) + t.exit + t.restore_cost(4) + 5'000'000);
    }
    BOOST_TEST(per_vm[0] >= 18u);
    BOOST_TEST(per_vm[1] >= 18u);
    BOOST_TEST(waited > 0u);
    // One switch per slice, alternating between the two vCPUs: about 10 scheduled-in each.
    BOOST_TEST(r.vcpus[0].world_switches + r.vcpus[1].world_switches >= 18u);
    // WFI does not block here: off the CPU means runnable, waiting for the other's slice.
    for (unsigned c = 0; c < 2; ++c) {
        BOOST_TEST(r.vcpus[c].state_time_ps[static_cast<unsigned>(VcpuState::Waiting)] > 5'000'000'000u);
        BOOST_TEST(r.vcpus[c].state_time_ps[static_cast<unsigned>(VcpuState::Blocked)] == 0u);
    }
}

// The zero profiles (no hardware or hypervisor costs at all) in every GIC version and mode: a guest must still make
// progress (regression: the handler's CVAL write drops the timer output one delta later, and
// a guest that never yielded acknowledged the stale level forever in zero time).
BOOST_AUTO_TEST_CASE(zero_profile_in_every_version_and_mode_makes_progress) {
    const Scenario s = scenario(R"(
name: t
duration: 20 ms
pcpus: 4
vms:
  - { name: v2hw, gic: v2, mode: hw, vcpus: 1, timing: zero, pcpus: [0], guest: { timer: { mode: periodic, rate: 1 kHz } } }
  - { name: v3hw, gic: v3, mode: hw, vcpus: 1, timing: zero, pcpus: [1], guest: { timer: { mode: periodic, rate: 1 kHz } } }
  - { name: v2vm, gic: v2, mode: vm, vcpus: 2, timing: zero, hypervisor: zero, pcpus: [2], guest: { timer: { mode: periodic, rate: 1 kHz }, ipi: { rate: 1 kHz } } }
  - { name: v3vm, gic: v3, mode: vm, vcpus: 2, timing: zero, hypervisor: zero, pcpus: [3], guest: { timer: { mode: periodic, rate: 1 kHz }, ipi: { rate: 1 kHz } } }
devices:
  - { name: d, vm: v3vm, intid: 40, pattern: poisson, rate: 5 kHz, trigger: level, target: 1 }
)");
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    BOOST_TEST(r.simulated_ps == 20'000'000'000u);
    std::map<unsigned, std::size_t> timers;
    for (const InterruptRecord& i : r.interrupts) {
        if (i.cls == IrqClass::TimerPpi) {
            ++timers[i.vm];
            // Nothing costs time: a tick is taken the instant it fires.
            if (i.outcome == Outcome::Handled) BOOST_TEST(i.iar_ps == static_cast<std::int64_t>(i.asserted_ps));
        }
    }
    // Ticks at boot + k ms for k = 1..19 per vCPU: GICv2 boots in no time, so its 20th tick
    // falls exactly on the end of the run, which sc_start(20 ms) does not simulate; GICv3's
    // boot polls RWP with 1 us delays, so its 20th is after the end.
    BOOST_TEST(timers[0] == 19u);
    BOOST_TEST(timers[1] == 19u);
    BOOST_TEST(timers[2] == 38u);
    BOOST_TEST(timers[3] == 38u);
}

// The built-in default scenario, shortened: every generated interrupt appears once in
// latency.csv, handled + coalesced + pending add up, nothing is acknowledged that was never
// generated, and the reports are written.
BOOST_AUTO_TEST_CASE(default_scenario_conserves_interrupts_and_writes_reports) {
    Scenario s = default_scenario();
    s.duration_ps = 200'000'000'000;  // 200 ms
    const std::string dir = std::filesystem::temp_directory_path().string() + "/vgic-run-default-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    PlatformOptions o;
    o.vcd_path = dir + "/waves.vcd";
    RunRecord r = run_platform(s, o);
    require_no_guest_errors(r);
    std::map<IrqClass, std::size_t> count;
    for (const InterruptRecord& i : r.interrupts) {
        ++count[i.cls];
        if (i.outcome != Outcome::Pending) BOOST_TEST(i.iar_ps >= 0);
    }
    // 4 vCPUs x 250 Hz x 0.2 s = 200 ticks (minus the boot offset of each first tick).
    BOOST_TEST(count[IrqClass::TimerPpi] >= 196u);
    BOOST_TEST(count[IrqClass::TimerPpi] <= 200u);
    BOOST_TEST(count[IrqClass::DeviceSpi] > 300u);  // Poisson, mean 400 in 0.2 s
    BOOST_TEST(count[IrqClass::DeviceSpi] < 500u);
    BOOST_TEST(count[IrqClass::Ipi] >= 150u);  // 4 x 200 Hz x 0.2 s = 160 due (some merge)
    std::size_t waited = 0;
    for (const InterruptRecord& i : r.interrupts) waited += i.waited_descheduled;
    BOOST_TEST(waited > 0u);  // 4 vCPUs on 2 pCPUs: some interrupts wait for their vCPU
    const Summary sum = summarize(r);
    const std::vector<std::string> files = write_reports(dir, r, sum, false);
    std::ifstream csv(dir + "/latency.csv");
    BOOST_REQUIRE(csv.good());
    std::string line;
    std::size_t rows = 0;
    std::getline(csv, line);  // header
    while (std::getline(csv, line)) rows += !line.empty();
    BOOST_TEST(rows == r.interrupts.size());
    for (const char* f : {"report.json", "latency.csv", "trace.json", "waves.vcd", "waves.gtkw"})
        BOOST_TEST(std::filesystem::exists(dir + "/" + f), f);
    // The default run loses no wake-up: every interrupt that found its vCPU blocked on an
    // idle pCPU reached its handler within the wake-up bound.
    BOOST_TEST(sum.vms.at(0).wake_checked > 100u);
    BOOST_TEST(sum.vms.at(0).wake_over == 0u);
}

namespace {

/// Crossing IPIs on two dedicated pCPUs with WFI blocking (the lost-wake-up regression): the
/// committed scenario testbenches/run/scenarios/crossing_ipis_gicv<version>.yaml. Each IPI is
/// handled once (at 200 Hz nothing merges) and reaches its handler within the wake-up bound
/// (the longer of the kick path and the wake path, report.hpp wake_bound_ps), whether its
/// target was blocked, on its way into WFI or in the guest.
void crossing_ipis(int version) {
    const std::string path =
        std::string(VGIC_SOURCE_DIR) + "/testbenches/run/scenarios/crossing_ipis_gicv" + std::to_string(version) + ".yaml";
    const Scenario s = load_scenario(path);
    const RunRecord r = run_platform(s);
    require_no_guest_errors(r);
    const auto ipis = of_class(r, IrqClass::Ipi);
    BOOST_TEST(ipis.size() >= 396u);  // 2 senders x 200 Hz x 1 s, the last ones may be in flight
    const std::uint64_t bound = wake_bound_ps(s.vms[0], IrqClass::Ipi, s.variation);
    BOOST_TEST_REQUIRE(bound > 0u);
    std::size_t handled = 0, idle = 0;
    std::uint64_t worst = 0;
    for (const InterruptRecord* i : ipis) {
        BOOST_TEST((i->outcome != Outcome::Coalesced), "no IPI merged at 200 Hz");
        if (i->outcome != Outcome::Handled) continue;
        ++handled;
        idle += i->target_idle;
        const std::uint64_t latency = static_cast<std::uint64_t>(i->iar_ps) - i->asserted_ps;
        worst = std::max(worst, latency);
        BOOST_TEST(latency <= bound, "IPI to vCPU " << i->vcpu << " asserted at " << i->asserted_ps << " ps took "
                                                    << latency << " ps, bound " << bound << " ps");
    }
    BOOST_TEST(handled >= 396u);
    // With these costs the GICv3 senders' phases make every IPI find its target blocked in
    // WFI (the wake path); the GICv2 ones meet their target inside its own SGIR trap (the kick
    // path). Both paths are bounded; the baseline lost wake-ups on both (p50 5 ms on GICv2).
    if (version == 3) BOOST_TEST(idle > handled / 2, "most IPIs find their target blocked in WFI");
    BOOST_TEST_MESSAGE("crossing IPIs, GICv" << version << ": " << handled << " handled, worst " << worst
                                             << " ps, bound " << bound << " ps");
    const Summary sum = summarize(r);
    BOOST_TEST(sum.vms.at(0).wake_over == 0u);
}

} // namespace

BOOST_AUTO_TEST_CASE(crossing_ipis_gicv2) { crossing_ipis(2); }
BOOST_AUTO_TEST_CASE(crossing_ipis_gicv3) { crossing_ipis(3); }

BOOST_AUTO_TEST_SUITE_END()
