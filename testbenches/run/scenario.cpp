// SPDX-License-Identifier: Apache-2.0
// The scenario loader of `vgic-sim run` (platforms/run/scenario.hpp, docs/SCENARIO.md): the
// default scenario, a scenario using every key, the defaults, and one test per class of error
// checking the file, line and key the message points at.
#include "run/scenario.hpp"

#include "../input_files.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace vgic;
using namespace vgic::run;
namespace fs = std::filesystem;

namespace {

const std::string kFile = "test.yaml";
const std::string kBadDir = std::string(VGIC_SOURCE_DIR) + "/testbenches/run/bad";

constexpr std::uint64_t kNs = 1'000;
constexpr std::uint64_t kUs = 1'000'000;
constexpr std::uint64_t kMs = 1'000'000'000;
constexpr std::uint64_t kS = 1'000'000'000'000;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    BOOST_REQUIRE_MESSAGE(in, "cannot open " << path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

/// Runs `load` and returns the ScenarioError it throws; a test failure if it throws none.
template <class Load>
ScenarioError error_from(Load load) {
    try {
        load();
    } catch (const ScenarioError& e) {
        return e;
    }
    BOOST_ERROR("expected a ScenarioError, none was thrown");
    return ScenarioError("", -1, "", "no error");
}

/// Asserts the error's file, line and key, that the message starts with "FILE:LINE: key 'KEY': "
/// and contains `fragment`.
void check(const ScenarioError& e, const std::string& file, int line, const std::string& key,
           const std::string& fragment) {
    const std::string what = e.what();
    BOOST_TEST_INFO("message: " << what);
    BOOST_TEST(e.file() == file);
    BOOST_TEST(e.line() == line);
    BOOST_TEST(e.key() == key);
    std::string prefix = file + (line > 0 ? ":" + std::to_string(line) : "") + ": ";
    if (!key.empty()) prefix += "key '" + key + "': ";
    BOOST_TEST(what.rfind(prefix, 0) == 0u, "message should start with \"" << prefix << "\": " << what);
    BOOST_TEST(what.find(fragment) != std::string::npos, "message should contain \"" << fragment << "\": " << what);
}

/// parse_scenario(text) must fail at `line`, `key`, with `fragment` in the message.
void check_text(const std::string& text, int line, const std::string& key, const std::string& fragment) {
    BOOST_TEST_INFO("scenario:\n" << text);
    check(error_from([&] { parse_scenario(text, kFile, "."); }), kFile, line, key, fragment);
}

// Lines 1-4 of the small scenarios below; their first VM starts at line 5.
const std::string kHead = "name: t\nduration: 10 ms\npcpus: 2\nvms:\n";
// Lines 5-7: one GICv2 VM with 2 vCPUs (so devices start at line 8).
const std::string kOneVm = kHead + "  - name: vm0\n    gic: v2\n    vcpus: 2\n";

/// A scratch directory removed at the end of a test.
struct ScratchDir {
    fs::path path;
    ScratchDir() : path(fs::temp_directory_path() / ("vgic-scenario-test-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        const fs::path file = path / name;
        std::ofstream(file, std::ios::binary) << text;
        return file.string();
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(scenario)

// ---- valid scenarios ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(default_scenario_loads_with_the_expected_values) {
    const Scenario s = default_scenario();
    BOOST_TEST(s.name == "default");
    BOOST_TEST(s.source == "<built-in default>");
    BOOST_TEST(s.text == default_scenario_text());
    BOOST_TEST(s.duration_ps == 1 * kS);
    BOOST_TEST(s.seed == 1u);
    BOOST_TEST(s.pcpus == 2u);
    BOOST_TEST(s.counter_hz == 100'000'000u);
    BOOST_TEST(s.scheduler.slice_ps == 1 * kMs);
    BOOST_TEST((s.scheduler.wfi == SchedulerSpec::Wfi::Block));

    BOOST_TEST_REQUIRE(s.vms.size() == 1u);
    const VmSpec& vm = s.vms[0];
    BOOST_TEST(vm.name == "vm0");
    BOOST_TEST((vm.gic == GicVersion::V2));
    BOOST_TEST((vm.mode == VmMode::Vm));
    BOOST_TEST(vm.vcpus == 4u);
    BOOST_TEST(vm.lrs == 4u);
    BOOST_TEST(vm.spis == 64u);
    BOOST_TEST(vm.timing == "a53-gic400");
    BOOST_TEST(vm.profile.name == "a53-gic400");
    BOOST_TEST(vm.profile.same_timing(vgic::tlm::timing_preset("a53-gic400")));
    BOOST_TEST(vm.pcpus == (std::vector<unsigned>{0, 1}), boost::test_tools::per_element());
    BOOST_TEST(vm.line == 14);
    BOOST_TEST(vm.guest.boot);
    BOOST_TEST(!vm.guest.split_eoi);
    BOOST_TEST(vm.guest.irq_entry_ps == -1);  // the profile's
    BOOST_TEST((vm.guest.timer.kind == TimerSpec::Kind::Periodic));
    BOOST_TEST(vm.guest.timer.period_ps == 4'000'000'000u);  // 250 Hz
    BOOST_TEST(vm.guest.timer.first_ps == 0u);               // one period after boot
    BOOST_TEST(vm.guest.ipi.rate_hz == 200.0);
    BOOST_TEST(vm.guest.ipi.sgi == 1u);
    BOOST_TEST((vm.guest.ipi.targets == IpiSpec::Targets::Next));
    BOOST_TEST(vm.guest.handler.timer_ps == 2 * kUs);
    BOOST_TEST(vm.guest.handler.device_ps == 5 * kUs);
    BOOST_TEST(vm.guest.handler.ipi_ps == 1 * kUs);

    BOOST_TEST_REQUIRE(s.devices.size() == 1u);
    const DeviceSpec& nic = s.devices[0];
    BOOST_TEST(nic.name == "nic");
    BOOST_TEST(nic.vm == 0u);
    BOOST_TEST(nic.intid == 48u);
    BOOST_TEST((nic.pattern == DeviceSpec::Pattern::Poisson));
    BOOST_TEST(nic.rate_hz == 2000.0);
    BOOST_TEST(nic.edge);
    BOOST_TEST(nic.pulse_ps == 10 * kNs);
    BOOST_TEST(nic.target_vcpu == 1u);
    BOOST_TEST(nic.start_ps == 0u);
    BOOST_TEST(nic.line == 28);
    BOOST_TEST(!s.calibration.present);
}

BOOST_AUTO_TEST_CASE(default_scenario_text_is_the_file_byte_for_byte) {
    const std::string file = read_file(std::string(VGIC_SOURCE_DIR) + "/platforms/scenarios/default.yaml");
    BOOST_TEST(std::string(default_scenario_text()) == file);
}

BOOST_AUTO_TEST_CASE(default_scenario_file_loads_like_the_built_in_one) {
    const std::string path = std::string(VGIC_SOURCE_DIR) + "/platforms/scenarios/default.yaml";
    const Scenario file = load_scenario(path);
    const Scenario built_in = default_scenario();
    BOOST_TEST(file.source == path);
    BOOST_TEST(file.text == built_in.text);
    BOOST_TEST(file.vms.size() == built_in.vms.size());
    BOOST_TEST(file.devices.size() == built_in.devices.size());
    BOOST_TEST(file.vms[0].guest.timer.period_ps == built_in.vms[0].guest.timer.period_ps);
}

BOOST_AUTO_TEST_CASE(a_scenario_with_every_key) {
    const ScratchDir dir;
    dir.write("board.yaml", "base: zcu104\nname: my-board\nsignal_delay: 1 us\n");
    dir.write("hyp.yaml", "base: bao\nname: my-hyp\nkick: 1 us\n");
    const std::string text = R"yaml(name: full_1.0
duration: 250 ms
seed: 42
pcpus: 4
counter: 50 MHz
scheduler:
  slice: 500 us
  wfi: stay
vms:
  - name: linux
    gic: v3
    mode: vm
    vcpus: 3
    lrs: 16
    spis: 96
    timing: board.yaml
    hypervisor: hyp.yaml
    pcpus: [0, 1]
    guest:
      boot: false
      split_eoi: true
      irq_entry: 45 ns
      timer: { mode: periodic, period: 1 ms, first: 300 us }
      ipi: { rate: 0.5 Hz, sgi: 15, targets: all_but_self }
      handler: { timer: 1.5 us, device: 3 us, ipi: 800 ns }
  - name: rt
    gic: v2
    mode: hw
    vcpus: 2
    lrs: 64
    spis: 988
    timing: zcu104
    pcpus: [2, 3]
    guest:
      timer: { mode: oneshot, after: 2 ms }
      ipi: { rate: 1 kHz, targets: all }
devices:
  - name: nic
    vm: linux
    intid: 127
    pattern: burst
    rate: 100 Hz
    burst: { count: 8, spacing: 20 us }
    trigger: edge
    pulse: 50 ns
    target: 2
    start: 5 ms
  - name: sensor
    vm: rt
    intid: 1019
    pattern: periodic
    rate: 1.5 kHz
    trigger: level
  - name: disk
    vm: linux
    intid: 32
    pattern: poisson
    rate: 0.25 MHz
calibration:
  measurement: timer_cntvct
  source: "RTAS 2023, Table 3 (Bao, ZCU104)"
  mean: 2.5 us
  min: 2 us
  p99: 3.1 us
  max: 4 us
  tolerance: 15%
)yaml";
    const Scenario s = load_scenario(dir.write("full.yaml", text));
    BOOST_TEST(s.name == "full_1.0");
    BOOST_TEST(s.source == (dir.path / "full.yaml").string());
    BOOST_TEST(s.text == text);
    BOOST_TEST(s.duration_ps == 250 * kMs);
    BOOST_TEST(s.seed == 42u);
    BOOST_TEST(s.pcpus == 4u);
    BOOST_TEST(s.counter_hz == 50'000'000u);
    BOOST_TEST(s.scheduler.slice_ps == 500 * kUs);
    BOOST_TEST((s.scheduler.wfi == SchedulerSpec::Wfi::Stay));

    BOOST_TEST_REQUIRE(s.vms.size() == 2u);
    const VmSpec& linux_vm = s.vms[0];
    BOOST_TEST((linux_vm.gic == GicVersion::V3));
    BOOST_TEST((linux_vm.mode == VmMode::Vm));
    BOOST_TEST(linux_vm.vcpus == 3u);
    BOOST_TEST(linux_vm.lrs == 16u);
    BOOST_TEST(linux_vm.spis == 96u);
    // A relative profile path is resolved against the scenario file's directory.
    BOOST_TEST(linux_vm.timing == (dir.path / "board.yaml").string());
    BOOST_TEST(linux_vm.profile.name == "my-board");
    BOOST_TEST(linux_vm.profile.signal_delay == 1 * kUs);
    BOOST_TEST(linux_vm.profile.gicc_access == vgic::tlm::timing_preset("zcu104").gicc_access);
    BOOST_TEST(linux_vm.hypervisor == (dir.path / "hyp.yaml").string());
    BOOST_TEST(linux_vm.hyp.name == "my-hyp");
    BOOST_TEST(linux_vm.hyp.kick == 1 * kUs);
    BOOST_TEST(linux_vm.hyp.exit == vgic::tlm::hypervisor_preset("bao").exit);
    BOOST_TEST(s.warnings.empty());
    BOOST_TEST(linux_vm.pcpus == (std::vector<unsigned>{0, 1}), boost::test_tools::per_element());
    BOOST_TEST(linux_vm.line == 10);
    BOOST_TEST(!linux_vm.guest.boot);
    BOOST_TEST(linux_vm.guest.split_eoi);
    BOOST_TEST(linux_vm.guest.irq_entry_ps == 45'000);
    BOOST_TEST((linux_vm.guest.timer.kind == TimerSpec::Kind::Periodic));
    BOOST_TEST(linux_vm.guest.timer.period_ps == 1 * kMs);
    BOOST_TEST(linux_vm.guest.timer.first_ps == 300 * kUs);
    BOOST_TEST(linux_vm.guest.ipi.rate_hz == 0.5);
    BOOST_TEST(linux_vm.guest.ipi.sgi == 15u);
    BOOST_TEST((linux_vm.guest.ipi.targets == IpiSpec::Targets::AllButSelf));
    BOOST_TEST(linux_vm.guest.handler.timer_ps == 1'500'000u);
    BOOST_TEST(linux_vm.guest.handler.device_ps == 3 * kUs);
    BOOST_TEST(linux_vm.guest.handler.ipi_ps == 800 * kNs);

    const VmSpec& rt = s.vms[1];
    BOOST_TEST((rt.gic == GicVersion::V2));
    BOOST_TEST((rt.mode == VmMode::Hw));
    BOOST_TEST(rt.lrs == 64u);
    BOOST_TEST(rt.spis == 988u);
    BOOST_TEST(rt.timing == "zcu104");
    BOOST_TEST(rt.profile.name == "zcu104");
    BOOST_TEST(rt.hypervisor == "none", "a hw VM has no hypervisor on its path");
    BOOST_TEST(rt.pcpus == (std::vector<unsigned>{2, 3}), boost::test_tools::per_element());
    BOOST_TEST(rt.guest.boot);  // the default
    BOOST_TEST((rt.guest.timer.kind == TimerSpec::Kind::OneShot));
    BOOST_TEST(rt.guest.timer.first_ps == 2 * kMs);
    BOOST_TEST(rt.guest.ipi.rate_hz == 1000.0);
    BOOST_TEST(rt.guest.ipi.sgi == 1u);
    BOOST_TEST((rt.guest.ipi.targets == IpiSpec::Targets::All));

    BOOST_TEST_REQUIRE(s.devices.size() == 3u);
    const DeviceSpec& nic = s.devices[0];
    BOOST_TEST(nic.vm == 0u);
    BOOST_TEST(nic.intid == 127u);
    BOOST_TEST((nic.pattern == DeviceSpec::Pattern::Burst));
    BOOST_TEST(nic.rate_hz == 100.0);
    BOOST_TEST(nic.burst_count == 8u);
    BOOST_TEST(nic.burst_spacing_ps == 20 * kUs);
    BOOST_TEST(nic.edge);
    BOOST_TEST(nic.pulse_ps == 50 * kNs);
    BOOST_TEST(nic.target_vcpu == 2u);
    BOOST_TEST(nic.start_ps == 5 * kMs);
    BOOST_TEST(nic.line == 38);
    const DeviceSpec& sensor = s.devices[1];
    BOOST_TEST(sensor.vm == 1u);
    BOOST_TEST(sensor.intid == 1019u);
    BOOST_TEST((sensor.pattern == DeviceSpec::Pattern::Periodic));
    BOOST_TEST(sensor.rate_hz == 1500.0);
    BOOST_TEST(!sensor.edge);
    BOOST_TEST(sensor.target_vcpu == 0u);
    const DeviceSpec& disk = s.devices[2];
    BOOST_TEST((disk.pattern == DeviceSpec::Pattern::Poisson));
    BOOST_TEST(disk.rate_hz == 250'000.0);

    const CalibrationSpec& c = s.calibration;
    BOOST_TEST(c.present);
    BOOST_TEST(c.measurement == "timer_cntvct");
    BOOST_TEST(c.source == "RTAS 2023, Table 3 (Bao, ZCU104)");
    BOOST_TEST(c.mean_ps == 2'500'000u);
    BOOST_TEST(c.min_ps == 2 * kUs);
    BOOST_TEST(c.p99_ps == 3'100'000u);
    BOOST_TEST(c.max_ps == 4 * kUs);
    BOOST_TEST(c.tolerance == 0.15, boost::test_tools::tolerance(1e-12));

    const GicConfig v3 = gic_config_of(s, 0);
    BOOST_TEST((v3.version == GicVersion::V3));
    BOOST_TEST(v3.num_cpus == 3u);
    BOOST_TEST(v3.num_spis == 96u);
    BOOST_TEST(v3.virt.enabled);
    BOOST_TEST(v3.virt.num_list_regs == 16u);
    const GicConfig v2 = gic_config_of(s, 1);
    BOOST_TEST((v2.version == GicVersion::V2));
    BOOST_TEST(v2.num_cpus == 2u);
    BOOST_TEST(v2.num_spis == 988u);
    BOOST_TEST(v2.virt.num_list_regs == 64u);
    BOOST_CHECK_THROW(gic_config_of(s, 2), std::out_of_range);
}

BOOST_AUTO_TEST_CASE(omitted_keys_take_their_defaults) {
    const Scenario s = parse_scenario(kOneVm + "devices:\n  - { name: d, vm: vm0, intid: 40, pattern: periodic, rate: 1 kHz }\n",
                                      kFile);
    BOOST_TEST(s.source == kFile);
    BOOST_TEST(s.seed == 1u);
    BOOST_TEST(s.counter_hz == 100'000'000u);
    BOOST_TEST(s.scheduler.slice_ps == 1 * kMs);
    BOOST_TEST((s.scheduler.wfi == SchedulerSpec::Wfi::Block));
    const VmSpec& vm = s.vms[0];
    BOOST_TEST((vm.mode == VmMode::Vm));
    BOOST_TEST(vm.lrs == 4u);
    BOOST_TEST(vm.spis == 64u);
    BOOST_TEST(vm.timing == "a53-gic400");
    BOOST_TEST(vm.profile.name == "a53-gic400");
    // vCPU i on pCPU i % pcpus, written out for every vCPU.
    BOOST_TEST(vm.pcpus == (std::vector<unsigned>{0, 1}), boost::test_tools::per_element());
    BOOST_TEST(vm.guest.boot);
    BOOST_TEST(!vm.guest.split_eoi);
    BOOST_TEST(vm.guest.irq_entry_ps == -1);
    BOOST_TEST((vm.guest.timer.kind == TimerSpec::Kind::Periodic));
    BOOST_TEST(vm.guest.timer.period_ps == 4 * kMs);
    BOOST_TEST(vm.guest.timer.first_ps == 0u);
    BOOST_TEST(vm.guest.ipi.rate_hz == 0.0);  // no IPIs
    BOOST_TEST(vm.guest.handler.timer_ps == 0u);
    const DeviceSpec& d = s.devices[0];
    BOOST_TEST(d.edge);
    BOOST_TEST(d.pulse_ps == 10 * kNs);
    BOOST_TEST(d.burst_count == 1u);
    BOOST_TEST(d.target_vcpu == 0u);
    BOOST_TEST(d.start_ps == 0u);
    BOOST_TEST(!s.calibration.present);
}

BOOST_AUTO_TEST_CASE(timer_modes_and_rates) {
    const auto timer_of = [](const std::string& timer) {
        return parse_scenario(kOneVm + "    guest:\n      timer: " + timer + "\n", kFile).vms[0].guest.timer;
    };
    TimerSpec t = timer_of("{ mode: periodic, rate: 300 Hz }");
    BOOST_TEST(t.period_ps == 3'333'333'333u);  // rounded to the nearest ps
    t = timer_of("{ mode: periodic, rate: 0.5 Hz }");
    BOOST_TEST(t.period_ps == 2 * kS);
    t = timer_of("{ mode: periodic, period: 2.5 ms, first: 1 us }");
    BOOST_TEST(t.period_ps == 2'500'000'000u);
    BOOST_TEST(t.first_ps == 1 * kUs);
    t = timer_of("{ mode: oneshot, after: 7 us }");
    BOOST_TEST((t.kind == TimerSpec::Kind::OneShot));
    BOOST_TEST(t.first_ps == 7 * kUs);
    t = timer_of("{ mode: none }");
    BOOST_TEST((t.kind == TimerSpec::Kind::None));
}

BOOST_AUTO_TEST_CASE(tolerance_as_a_fraction_and_irq_class_names) {
    const std::string calibration =
        "calibration: { source: s, mean: 2 us, min: 1 us, p99: 3 us, max: 4 us, tolerance: 0.05 }\n";
    BOOST_TEST(parse_scenario(kOneVm + calibration, kFile).calibration.tolerance == 0.05);
    BOOST_TEST(std::string(irq_class_name(IrqClass::DeviceSpi)) == "device_spi");
    BOOST_TEST(std::string(irq_class_name(IrqClass::TimerPpi)) == "timer_ppi");
    BOOST_TEST(std::string(irq_class_name(IrqClass::Ipi)) == "ipi");
    BOOST_TEST(std::string(irq_class_name(IrqClass::Maintenance)) == "maintenance");
}

// ---- unknown and duplicate keys, wrong types ------------------------------------------------

BOOST_AUTO_TEST_CASE(unknown_key_at_the_top_level) {
    check_text(kOneVm + "colour: blue\n", 8, "colour",
               "unknown key 'colour'; accepted keys: name, duration, seed, variation, pcpus, counter, scheduler, vms, "
               "devices, calibration, trace");
}

// ---- trace: the INTIDs whose state the waveform shows ----------------------------------------

BOOST_AUTO_TEST_CASE(trace_intids_default_and_written) {
    // Default: each VM's device INTIDs and its IPI SGI, ascending.
    const std::string ipi = "    guest: { ipi: { rate: 100 Hz, sgi: 3 } }\n";
    const std::string dev = "devices:\n  - { name: net, vm: vm0, intid: 40, pattern: periodic, rate: 1 kHz }\n";
    const Scenario d = parse_scenario(kOneVm + ipi + dev, kFile);
    BOOST_TEST(!d.trace.intids_given);
    BOOST_TEST(traced_intids(d, 0) == (std::vector<std::uint32_t>{3, 40}));
    BOOST_TEST(traced_intids(parse_scenario(kOneVm, kFile), 0).empty(), "no device, no IPI: nothing");
    // Written: replaces the default, for every VM; an empty list traces none.
    const Scenario w = parse_scenario(kOneVm + ipi + dev + "trace: { intids: [95, 27, 1] }\n", kFile);
    BOOST_TEST(w.trace.intids_given);
    BOOST_TEST(traced_intids(w, 0) == (std::vector<std::uint32_t>{1, 27, 95}));
    BOOST_TEST(traced_intids(parse_scenario(kOneVm + dev + "trace: { intids: [] }\n", kFile), 0).empty());
    BOOST_TEST(!parse_scenario(kOneVm + "trace: {}\n", kFile).trace.intids_given);
}

BOOST_AUTO_TEST_CASE(trace_intids_rejected) {
    check_text(kOneVm + "trace: { intid: [40] }\n", 8, "trace.intid", "unknown key 'intid'; accepted keys: intids");
    check_text(kOneVm + "trace: [40]\n", 8, "trace", "expected a mapping of trace keys (keys intids)");
    check_text(kOneVm + "trace:\n  intids: 40\n", 9, "trace.intids", "expected a sequence of INTIDs");
    // The VM has the default 64 SPIs: INTIDs 0..95.
    check_text(kOneVm + "trace:\n  intids:\n    - 40\n    - 96\n", 11, "trace.intids[1]",
               "INTID 96 is not implemented by VM 'vm0': its GIC has 64 SPIs, so INTIDs 0..95");
    check_text(kOneVm + "trace:\n  intids: [1020]\n", 9, "trace.intids[0]",
               "\"1020\" is out of range; expected an INTID 0..1019 (SGI, PPI or SPI)");
    check_text(kOneVm + "trace:\n  intids: [-1]\n", 9, "trace.intids[0]", "negative value");
    check_text(kOneVm + "trace:\n  intids:\n    - 40\n    - 1\n    - 40\n", 12, "trace.intids[2]",
               "INTID 40 is listed twice (first at line 10)");
    // Every VM must implement it: the second has 32 SPIs (INTIDs 0..63).
    check_text(kOneVm + "  - { name: small, gic: v3, vcpus: 1, spis: 32 }\ntrace: { intids: [70] }\n", 9, "trace.intids[0]",
               "INTID 70 is not implemented by VM 'small': its GIC has 32 SPIs, so INTIDs 0..63");
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_vm) {
    check_text(kOneVm + "    vcpu: 2\n", 8, "vms[0].vcpu",
               "unknown key 'vcpu'; accepted keys: name, gic, mode, vcpus, lrs, spis, timing, hypervisor, pcpus, guest");
}

BOOST_AUTO_TEST_CASE(unknown_key_in_the_guest_timer) {
    check_text(kOneVm + "    guest:\n      timer:\n        mode: periodic\n        frequency: 100 Hz\n", 11,
               "vms[0].guest.timer.frequency",
               "unknown key 'frequency'; accepted keys: mode, rate, period, first, after");
}

BOOST_AUTO_TEST_CASE(unknown_key_in_a_device) {
    check_text(kOneVm + "devices:\n  - name: d\n    vm: vm0\n    irq: 40\n", 11, "devices[0].irq",
               "unknown key 'irq'; accepted keys: name, vm, intid, pattern, rate, burst, trigger, pulse, target, start");
}

BOOST_AUTO_TEST_CASE(duplicate_key) {
    check_text(kOneVm + "    vcpus: 3\n", 8, "vms[0].vcpus", "duplicate key (first written at line 7)");
}

BOOST_AUTO_TEST_CASE(missing_required_key) {
    check_text(kHead + "  - name: vm0\n    vcpus: 2\n", 5, "vms[0].gic", "missing; vms[0] requires this key");
    check_text("name: t\npcpus: 1\nvms: []\n", 1, "duration", "missing; the scenario requires this key");
}

BOOST_AUTO_TEST_CASE(wrong_types) {
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: { count: 2 }\n", 7, "vms[0].vcpus",
               "expected an unsigned integer, got a mapping");
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: four\n", 7, "vms[0].vcpus",
               "expected an unsigned integer, got \"four\"");
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: \"4\"\n", 7, "vms[0].vcpus",
               "expected an unsigned integer, got the string \"4\"");
    check_text(kOneVm + "    guest: { boot: yes }\n", 8, "vms[0].guest.boot", "expected true or false, got \"yes\"");
    check_text(kOneVm + "    guest: [boot]\n", 8, "vms[0].guest", "expected a mapping of guest keys");
    check_text("name: t\nduration: 10 ms\npcpus: 2\nvms: { name: vm0 }\n", 4, "vms",
               "expected a sequence of VMs, got a mapping");
    check_text(kHead + "  - vm0\n", 5, "vms[0]", "expected a mapping of VM keys (keys name, gic, mode");
    check_text(kOneVm + "scheduler:\n  slice:\n", 9, "scheduler.slice", "got nothing");
}

BOOST_AUTO_TEST_CASE(negative_and_fractional_counts) {
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: -2\n", 7, "vms[0].vcpus", "negative value \"-2\"");
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: 2.5\n", 7, "vms[0].vcpus",
               "expected an unsigned integer, got \"2.5\"");
    check_text("name: t\nduration: 10 ms\npcpus: 0\nvms: []\n", 3, "pcpus",
               "\"0\" is out of range; expected an unsigned integer 1..256");
    check_text(kOneVm + "seed: 18446744073709551616\n", 8, "seed", "is out of range");
}

BOOST_AUTO_TEST_CASE(bad_names_and_choices) {
    check_text("name: my run\n", 1, "name", "contains \" \"; a name may contain only letters, digits");
    check_text("name: ..\n", 1, "name", "not a usable name");
    check_text(kHead + "  - name: vm0\n    gic: v4\n", 6, "vms[0].gic", "\"v4\" is not one of v2, v3");
    check_text(kOneVm + "    mode: kvm\n", 8, "vms[0].mode", "\"kvm\" is not one of vm, hw");
    check_text(kOneVm + "scheduler: { wfi: spin }\n", 8, "scheduler.wfi", "\"spin\" is not one of block, stay");
}

BOOST_AUTO_TEST_CASE(times) {
    check_text("name: t\nduration: 0 s\n", 2, "duration", "\"0 s\" is zero; expected a time > 0");
    check_text("name: t\nduration: 2 h\n", 2, "duration", "unknown unit 'h'");
    check_text("name: t\nduration: 10\n", 2, "duration", "missing unit in \"10\"; expected a time");
    check_text("name: t\nduration: 3601 s\n", 2, "duration", "longer than the limit of 1 hour");
    check_text("name: t\nduration: 1000 cycles\n", 2, "duration", "cycles are not accepted in a scenario");
    check_text("name: t\nduration: 1.5 ps\n", 2, "duration", "not a whole number of picoseconds");
    check_text(kOneVm + "scheduler: { slice: -1 ms }\n", 8, "scheduler.slice", "negative value \"-1 ms\"");
}

BOOST_AUTO_TEST_CASE(counter_frequency) {
    check_text(kOneVm + "counter: 5 GHz\n", 8, "counter", "expected a counter frequency from 1 Hz to 4 GHz");
    check_text(kOneVm + "counter: 1.5 Hz\n", 8, "counter", "not a whole number of Hz");
}

// ---- the GIC configuration: the model's own rules ---------------------------------------------

BOOST_AUTO_TEST_CASE(more_vcpus_than_gicv2_allows) {
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: 9\n", 7, "vms[0].vcpus",
               "9 vCPUs: not a valid GICv2 configuration (GicConfig.num_cpus = 9: allowed 1..8 with version 2)");
}

BOOST_AUTO_TEST_CASE(more_vcpus_than_gicv3_allows) {
    check_text(kHead + "  - name: vm0\n    gic: v3\n    vcpus: 4097\n", 7, "vms[0].vcpus",
               "4097 vCPUs: not a valid GICv3 configuration (GicConfig.num_cpus = 4097: allowed 1..4096");
    check_text(kHead + "  - name: vm0\n    gic: v3\n    vcpus: 0\n", 7, "vms[0].vcpus", "GicConfig.num_cpus = 0");
}

BOOST_AUTO_TEST_CASE(list_register_count_on_gicv3) {
    check_text(kHead + "  - name: vm0\n    gic: v3\n    vcpus: 1\n    lrs: 0\n", 8, "vms[0].lrs",
               "0 list registers: not a valid GICv3 configuration (VirtConfig.num_list_regs = 0: allowed 1..16");
    check_text(kHead + "  - name: vm0\n    gic: v3\n    vcpus: 1\n    lrs: 17\n", 8, "vms[0].lrs",
               "(VirtConfig.num_list_regs = 17: allowed 1..16 with version 3)");
}

BOOST_AUTO_TEST_CASE(spis_not_a_multiple_of_32) {
    check_text(kOneVm + "    spis: 48\n", 8, "vms[0].spis",
               "48 SPIs: not a valid GICv2 configuration (GicConfig.num_spis = 48: allowed a multiple of 32");
}

// ---- devices ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(intid_outside_the_vms_spi_range) {
    const std::string device = "devices:\n  - name: d\n    vm: vm0\n    pattern: poisson\n    rate: 1 kHz\n";
    check_text(kOneVm + device + "    intid: 31\n", 13, "devices[0].intid",
               "INTID 31 is not an SPI of VM 'vm0': its 64 SPIs are INTIDs 32..95");
    check_text(kOneVm + device + "    intid: 96\n", 13, "devices[0].intid", "INTID 96 is not an SPI of VM 'vm0'");
    check_text(kOneVm + "    spis: 0\n" + device + "    intid: 32\n", 14, "devices[0].intid", "VM 'vm0' has no SPIs");
}

BOOST_AUTO_TEST_CASE(zero_and_negative_rates) {
    const std::string device = "devices:\n  - name: d\n    vm: vm0\n    intid: 40\n    pattern: periodic\n";
    check_text(kOneVm + device + "    rate: 0 Hz\n", 13, "devices[0].rate", "zero rate \"0 Hz\"; expected a rate");
    check_text(kOneVm + device + "    rate: -5 Hz\n", 13, "devices[0].rate", "negative rate \"-5 Hz\"");
    check_text(kOneVm + device + "    rate: 0 kHz\n", 13, "devices[0].rate", "zero rate \"0 kHz\"");
    check_text(kOneVm + device + "    rate: 100\n", 13, "devices[0].rate", "missing unit in \"100\"");
    check_text(kOneVm + device + "    rate: 5 rpm\n", 13, "devices[0].rate", "unknown unit 'rpm'");
    check_text(kOneVm + device + "    rate: 1e3 Hz\n", 13, "devices[0].rate", "malformed rate \"1e3 Hz\"");
    check_text(kOneVm + device + "    rate: 0.0000001 Hz\n", 13, "devices[0].rate", "is too slow");
    check_text(kOneVm + device + "    rate: 2000 GHz\n", 13, "devices[0].rate", "is too fast");
    check_text(kOneVm + "    guest:\n      timer: { mode: periodic, rate: 0 Hz }\n", 9, "vms[0].guest.timer.rate",
               "zero rate \"0 Hz\"");
    check_text(kOneVm + "    guest:\n      ipi: { rate: -1 kHz }\n", 9, "vms[0].guest.ipi.rate",
               "negative rate \"-1 kHz\"");
}

BOOST_AUTO_TEST_CASE(ipi_senders) {
    // Lines 8-9: guest, ipi.
    const Scenario ok = parse_scenario(kOneVm + "    guest:\n      ipi: { rate: 1 kHz, senders: [1] }\n", kFile);
    BOOST_TEST(ok.vms[0].guest.ipi.senders == std::vector<unsigned>{1});
    BOOST_TEST(parse_scenario(kOneVm + "    guest:\n      ipi: { rate: 1 kHz }\n", kFile).vms[0].guest.ipi.senders.empty());
    check_text(kOneVm + "    guest:\n      ipi: { rate: 1 kHz, senders: [2] }\n", 9, "vms[0].guest.ipi.senders[0]",
               "a vCPU index 0..1 of VM 'vm0'");
    check_text(kOneVm + "    guest:\n      ipi: { rate: 1 kHz, senders: [0, 0] }\n", 9, "vms[0].guest.ipi.senders[1]",
               "vCPU 0 is listed twice");
    check_text(kOneVm + "    guest:\n      ipi: { rate: 1 kHz, senders: [] }\n", 9, "vms[0].guest.ipi.senders",
               "empty list");
}

BOOST_AUTO_TEST_CASE(unknown_vm_in_a_device) {
    check_text(kOneVm + "devices:\n  - name: d\n    vm: vm1\n", 10, "devices[0].vm",
               "no VM is named \"vm1\"; the VMs are vm0");
}

BOOST_AUTO_TEST_CASE(two_devices_on_one_intid) {
    check_text(kOneVm +
                   "devices:\n"
                   "  - { name: a, vm: vm0, intid: 40, pattern: poisson, rate: 1 kHz }\n"
                   "  - { name: b, vm: vm0, intid: 40, pattern: poisson, rate: 2 kHz }\n",
               10, "devices[1].intid", "INTID 40 of VM 'vm0' is already raised by device 'a' (devices[0], line 9)");
    check_text(kOneVm +
                   "devices:\n"
                   "  - { name: a, vm: vm0, intid: 40, pattern: poisson, rate: 1 kHz }\n"
                   "  - { name: a, vm: vm0, intid: 41, pattern: poisson, rate: 2 kHz }\n",
               10, "devices[1].name", "duplicate device name \"a\"");
}

BOOST_AUTO_TEST_CASE(burst_rules) {
    const std::string device =
        "devices:\n  - name: d\n    vm: vm0\n    intid: 40\n    rate: 1 kHz\n";
    // 100 interrupts 10 us apart take 1 ms: not shorter than the 1 ms period of 1 kHz.
    check_text(kOneVm + device + "    pattern: burst\n    burst: { count: 100, spacing: 10 us }\n", 14,
               "devices[0].burst", "100 interrupts every 10 us take 1 ms, not shorter than the burst period 1 ms");
    check_text(kOneVm + device + "    pattern: burst\n", 9, "devices[0].burst", "missing; pattern burst requires");
    check_text(kOneVm + device + "    pattern: poisson\n    burst: { count: 2, spacing: 1 us }\n", 14,
               "devices[0].burst", "applies to pattern burst only");
    check_text(kOneVm + device + "    pattern: burst\n    burst: { count: 0, spacing: 1 us }\n", 14,
               "devices[0].burst.count", "expected an unsigned integer 1..1000000");
}

BOOST_AUTO_TEST_CASE(trigger_pulse_and_target) {
    const std::string device =
        "devices:\n  - name: d\n    vm: vm0\n    intid: 40\n    pattern: periodic\n    rate: 1 kHz\n";
    check_text(kOneVm + device + "    trigger: level\n    pulse: 20 ns\n", 15, "devices[0].pulse",
               "applies to edge-triggered devices only");
    check_text(kOneVm + device + "    pulse: 1 ms\n", 14, "devices[0].pulse",
               "an edge pulse of 1 ms is not shorter than the 1 ms between two interrupts");
    check_text(kOneVm + device + "    target: 2\n", 14, "devices[0].target",
               "\"2\" is out of range; expected a vCPU index 0..1 (VM 'vm0' has 2 vCPUs)");
}

// ---- timing profiles ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(hypervisor_key) {
    // Default: the KVM-like estimate in vm mode.
    const Scenario d = parse_scenario(kOneVm, kFile, ".");
    BOOST_TEST(d.vms[0].hypervisor == "kvm");
    BOOST_TEST(d.vms[0].hyp.same_timing(vgic::tlm::hypervisor_preset("kvm")));
    const Scenario b = parse_scenario(kOneVm + "    hypervisor: bao\n", kFile, ".");
    BOOST_TEST(b.vms[0].hyp.same_timing(vgic::tlm::hypervisor_preset("bao")));
    // The alias zcu104-bao brings bao's costs with the a53-gic400 hardware.
    const Scenario z = parse_scenario(kOneVm + "    timing: zcu104-bao\n", kFile, ".");
    BOOST_TEST(z.vms[0].hyp.same_timing(vgic::tlm::hypervisor_preset("bao")));
    BOOST_TEST(z.vms[0].profile.same_timing(vgic::tlm::timing_preset("a53-gic400")));
    // Errors: an unknown preset (the list of presets), a hw VM, both a legacy timing file
    // and the key, a bad file.
    check_text(kOneVm + "    hypervisor: hyperv\n", 8, "vms[0].hypervisor",
               "unknown hypervisor preset 'hyperv'; available presets: zero, kvm, bao, jailhouse, xen");
    check_text(kOneVm + "    mode: hw\n    hypervisor: bao\n", 9, "vms[0].hypervisor",
               "a hw VM has no hypervisor on its interrupt path");
    check_text(kOneVm + "    timing: zcu104-bao\n    hypervisor: bao\n", 9, "vms[0].hypervisor",
               "holds hypervisor costs too");
    check_text(kOneVm + "    hypervisor: \"\"\n", 8, "vms[0].hypervisor", "empty hypervisor");
}

BOOST_AUTO_TEST_CASE(legacy_timing_file_warns_and_still_loads) {
    const ScratchDir dir;
    dir.write("old.yaml", "base: a53-gic400\nexit: 500 ns\n");
    const Scenario s = load_scenario(dir.write("s.yaml", kOneVm + "    timing: old.yaml\n"));
    BOOST_TEST(s.vms[0].hyp.exit == 500 * kNs, "the file's hypervisor key applies");
    BOOST_TEST(s.vms[0].hyp.entry == vgic::tlm::hypervisor_preset("bao").entry, "over what a53-gic400 held");
    BOOST_TEST(s.vms[0].hypervisor == (dir.path / "old.yaml").string());
    BOOST_TEST_REQUIRE(s.warnings.size() == 1u);
    BOOST_TEST(s.warnings[0].find("vms[0].timing: ") == 0u, s.warnings[0]);
    BOOST_TEST(s.warnings[0].find("key 'exit' is a hypervisor cost") != std::string::npos, s.warnings[0]);
}

BOOST_AUTO_TEST_CASE(unknown_timing_preset) {
    // The message lists every preset the library has (the timing profile's own message).
    std::string presets;
    for (const std::string& p : vgic::tlm::timing_preset_names()) presets += (presets.empty() ? "" : ", ") + p;
    BOOST_TEST(presets.find("zcu104") != std::string::npos);
    check_text(kOneVm + "    timing: zcu102\n", 8, "vms[0].timing",
               "unknown timing preset 'zcu102'; available presets: " + presets);
}

BOOST_AUTO_TEST_CASE(timing_file_that_does_not_exist) {
    check_text(kOneVm + "    timing: boards/none.yaml\n", 8, "vms[0].timing",
               "boards/none.yaml: cannot read the timing profile file");
}

BOOST_AUTO_TEST_CASE(a_broken_timing_file_keeps_the_profiles_message) {
    const ScratchDir dir;
    dir.write("slow.yaml", "kick: 10 nsec\n");
    const std::string path = dir.write("s.yaml", kOneVm + "    timing: slow.yaml\n");
    const std::string profile = (dir.path / "slow.yaml").string();
    check(error_from([&] { load_scenario(path); }), path, 8, "vms[0].timing",
          profile + ":1:1: key 'kick': unknown unit 'nsec'");
}

// ---- pCPUs and hw mode ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(pcpu_index_out_of_range) {
    check_text(kOneVm + "    pcpus: [0, 2]\n", 8, "vms[0].pcpus[1]",
               "\"2\" is out of range; expected a pCPU index 0..1 (the scenario has 2 pcpus)");
    check_text(kOneVm + "    pcpus: [0, 1, 1]\n", 8, "vms[0].pcpus", "3 pCPUs listed for 2 vCPUs");
    check_text(kOneVm + "    pcpus: []\n", 8, "vms[0].pcpus", "empty list");
}

BOOST_AUTO_TEST_CASE(two_hw_mode_vms_sharing_a_pcpu) {
    check_text(kHead +
                   "  - { name: a, gic: v2, mode: hw, vcpus: 1, pcpus: [1] }\n"
                   "  - { name: b, gic: v2, mode: hw, vcpus: 2, pcpus: [0, 1] }\n",
               6, "vms[1].pcpus",
               "pCPU 1 belongs to hw-mode VM 'a' (vms[0]) and is also used by VM 'b' (vms[1])");
}

BOOST_AUTO_TEST_CASE(hw_vm_with_two_vcpus_on_one_pcpu) {
    check_text(kHead + "  - { name: a, gic: v2, mode: hw, vcpus: 2, pcpus: [1] }\n", 5, "vms[0].pcpus",
               "hw mode pins each vCPU to a pCPU of its own, but the 2 vCPUs of VM 'a' (vms[0]) run on 1 pCPU (1)");
    // The default placement (vCPU i on pCPU i % 2) cannot pin 3 vCPUs: blamed on `mode`.
    check_text(kHead + "  - name: a\n    gic: v2\n    vcpus: 3\n    mode: hw\n", 8, "vms[0].mode",
               "the 3 vCPUs of VM 'a' (vms[0]) run on 2 pCPUs (0, 1)");
}

BOOST_AUTO_TEST_CASE(duplicate_vm_names) {
    check_text(kHead + "  - { name: a, gic: v2, vcpus: 1 }\n  - { name: a, gic: v3, vcpus: 1 }\n", 6, "vms[1].name",
               "duplicate VM name \"a\" (also vms[0], line 5)");
}

BOOST_AUTO_TEST_CASE(empty_vm_list) {
    check_text("name: t\nduration: 10 ms\npcpus: 2\nvms: []\n", 4, "vms", "no VMs; a scenario needs at least one");
}

// ---- guest ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(periodic_timer_with_both_rate_and_period) {
    check_text(kOneVm + "    guest:\n      timer:\n        mode: periodic\n        rate: 250 Hz\n        period: 4 ms\n",
               12, "vms[0].guest.timer.period", "give either rate or period, not both (rate is at line 11)");
}

BOOST_AUTO_TEST_CASE(timer_keys_that_do_not_fit_the_mode) {
    check_text(kOneVm + "    guest:\n      timer: { mode: periodic }\n", 9, "vms[0].guest.timer",
               "a periodic timer needs rate");
    check_text(kOneVm + "    guest:\n      timer: { mode: oneshot, rate: 1 Hz, after: 1 ms }\n", 9,
               "vms[0].guest.timer.rate", "applies to a periodic timer only (this timer's mode is oneshot)");
    check_text(kOneVm + "    guest:\n      timer: { mode: oneshot }\n", 9, "vms[0].guest.timer.after",
               "missing; vms[0].guest.timer requires this key");
    check_text(kOneVm + "    guest:\n      timer: { mode: periodic, rate: 1 kHz, first: 0 ns }\n", 9,
               "vms[0].guest.timer.first", "is zero; expected a time > 0");
    check_text(kOneVm + "    guest:\n      ipi: { rate: 1 kHz, sgi: 16 }\n", 9, "vms[0].guest.ipi.sgi",
               "expected an unsigned integer 0..15");
}

// D10: the guest programs its timer in counter ticks (CVAL); a period below one tick was
// clamped to one tick without a word, although nothing is clamped. Refused, with the key.
BOOST_AUTO_TEST_CASE(timer_times_below_one_counter_tick_are_refused) {
    const auto timer = [](const std::string& keys) { return kOneVm + "    guest:\n      timer: { " + keys + " }\n"; };
    check_text(timer("mode: periodic, rate: 200 MHz"), 9, "vms[0].guest.timer.rate",
               "\"200 MHz\" is faster than the 100 MHz counter: the guest programs the timer in counter ticks (CVAL), "
               "so a period below one tick (10 ns) cannot be programmed");
    check_text(timer("mode: periodic, period: 5 ns"), 9, "vms[0].guest.timer.period",
               "\"5 ns\" is shorter than one tick of the 100 MHz counter (10 ns)");
    check_text(timer("mode: periodic, period: 9.999 ns"), 9, "vms[0].guest.timer.period", "shorter than one tick");
    check_text(timer("mode: periodic, period: 1 ms, first: 9 ns"), 9, "vms[0].guest.timer.first",
               "\"9 ns\" is shorter than one tick");
    check_text(timer("mode: oneshot, after: 1 ps"), 9, "vms[0].guest.timer.after", "\"1 ps\" is shorter than one tick");
    // One tick exactly is a period the guest can program.
    BOOST_TEST(parse_scenario(timer("mode: periodic, rate: 100 MHz"), kFile, ".").vms[0].guest.timer.period_ps ==
               10'000u);
    BOOST_TEST(parse_scenario(timer("mode: periodic, period: 10 ns, first: 10 ns"), kFile, ".")
                   .vms[0].guest.timer.period_ps == 10'000u);
    // The counter's own frequency decides.
    const std::string slow = "counter: 1 kHz\n" + timer("mode: periodic, period: 999 us");
    check_text(slow, 10, "vms[0].guest.timer.period", "\"999 us\" is shorter than one tick of the 1 kHz counter (1 ms)");
    check_text("counter: 1 kHz\n" + timer("mode: periodic, rate: 1.5 kHz"), 10, "vms[0].guest.timer.rate",
               "is faster than the 1 kHz counter");
    BOOST_TEST(parse_scenario("counter: 1 kHz\n" + timer("mode: periodic, rate: 1 kHz"), kFile, ".")
                   .vms[0].guest.timer.period_ps == 1 * kMs);
}

// Smaller items of the reliability round: the counter's range is the model's and the message
// says so ("0 Hz" said 1 Hz-100 GHz while the limit is 4 GHz).
BOOST_AUTO_TEST_CASE(counter_range_is_the_model_limit) {
    const std::string expected = "is out of range; expected a counter frequency from 1 Hz to 4 GHz";
    for (const std::string value : {"0 Hz", "0", "5 GHz", "200 GHz", "4000000001", "4.000000001 GHz"}) {
        BOOST_TEST_INFO("counter: " << value);
        check_text("counter: " + value + "\n" + kOneVm, 1, "counter", "\"" + value + "\" " + expected);
    }
    BOOST_TEST(parse_scenario("counter: 4 GHz\n" + kOneVm, kFile, ".").counter_hz == 4'000'000'000u);
    BOOST_TEST(parse_scenario("counter: 1 Hz\n" + kOneVm + "    guest: { timer: { mode: periodic, rate: 1 Hz } }\n",
                              kFile, ".").counter_hz == 1u);
}

// A YAML tag changes what a value is (`!!str 2` is a string), and a '+' is a sign the numbers of
// a scenario do not take: both were accepted as if absent. Refused with the key.
BOOST_AUTO_TEST_CASE(explicit_tags_and_signs_are_refused) {
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: !!str 2\n", 7, "vms[0].vcpus",
               "the explicit YAML tag '!!str' is not accepted; write the value without a tag");
    check_text("name: t\nduration: 10 ms\npcpus: !!int 2\nvms:\n  - { name: vm0, gic: v2, vcpus: 2 }\n", 3, "pcpus",
               "the explicit YAML tag '!!int'");
    check_text("name: !custom t\n", 1, "name", "the explicit YAML tag '!custom'");
    check_text(kHead.substr(0, kHead.size() - 5) + "vms: !!seq\n  - { name: vm0, gic: v2, vcpus: 2 }\n", 4, "vms",
               "the explicit YAML tag '!!seq'");
    check_text(kOneVm + "    guest: !!map { boot: true }\n", 8, "vms[0].guest", "the explicit YAML tag '!!map'");
    check_text(kOneVm + "    guest: { split_eoi: !!bool true }\n", 8, "vms[0].guest.split_eoi", "'!!bool'");
    check_text(kOneVm + "devices:\n  - { name: d, vm: vm0, intid: 40, pattern: periodic, rate: +2 kHz }\n", 9,
               "devices[0].rate", "a sign in \"+2 kHz\"; expected a rate");
    check_text(kOneVm + "    guest: { ipi: { rate: +1 kHz } }\n", 8, "vms[0].guest.ipi.rate", "a sign in \"+1 kHz\"");
    check_text(kOneVm + "    guest: { timer: { mode: periodic, rate: + 250 Hz } }\n", 8, "vms[0].guest.timer.rate",
               "a sign in \"+ 250 Hz\"");
    check_text(kOneVm + "calibration: { source: s, mean: 2 us, min: 1 us, p99: 3 us, max: 4 us, tolerance: +10% }\n", 8,
               "calibration.tolerance", "a sign in \"+10%\"");
    // What needed no change: a quoted integer is a string, signs on integers and times.
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: \"2\"\n", 7, "vms[0].vcpus", "got the string \"2\"");
    check_text(kHead + "  - name: vm0\n    gic: v2\n    vcpus: +2\n", 7, "vms[0].vcpus", "got \"+2\"");
    check_text("name: t\nduration: +10 ms\n", 2, "duration", "malformed number");
}

// A name becomes the output directory's name: over 255 characters it passed validation and the
// run then failed as "File name too long", without FILE:LINE.
BOOST_AUTO_TEST_CASE(names_longer_than_255_characters_are_refused) {
    const std::string long_name(256, 'n');
    const std::string tail = "\nduration: 10 ms\npcpus: 2\nvms:\n  - name: vm0\n    gic: v2\n    vcpus: 2\n";
    check_text("name: " + long_name + tail, 1, "name",
               "a name of 256 characters; a name has at most 255 (it becomes a file name)");
    BOOST_TEST(parse_scenario("name: " + std::string(255, 'n') + tail, kFile, ".").name.size() == 255u);
    check_text(kHead + "  - name: " + long_name + "\n    gic: v2\n    vcpus: 2\n", 5, "vms[0].name", "a name of 256");
    check_text(kOneVm + "devices:\n  - { name: " + long_name + ", vm: vm0, intid: 40, pattern: periodic, rate: 1 kHz }\n",
               9, "devices[0].name", "a name of 256");
}

// Messages quote the file's name and text: raw control and non-ASCII bytes (NUL, 0xFF, an
// ESC sequence) reached the terminal as they were. Escaped as \xNN, as in the script parser.
BOOST_AUTO_TEST_CASE(messages_never_echo_raw_bytes) {
    const auto raw_free = [](const std::string& message) {
        for (const char c : message)
            if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) return false;
        return true;
    };
    const auto message_of = [](const std::string& text, const std::string& file,
                               const std::string& base = ".") -> std::string {
        try {
            parse_scenario(text, file, base);
        } catch (const ScenarioError& e) {
            return e.what();
        }
        return "accepted";
    };
    const std::string unknown = message_of("nam\xFF: t\n", kFile);
    BOOST_TEST(raw_free(unknown), unknown);
    BOOST_TEST(unknown.find("unknown key 'nam\\xFF'") != std::string::npos, unknown);
    const std::string escaped = message_of("name: \"a\\0b\\e[31m\\xff\"\n", kFile);
    BOOST_TEST(raw_free(escaped), escaped);
    BOOST_TEST(escaped.find("\"a\\x00b\\x1B[31m\\xC3\\xBF\" contains \"\\x00\"") != std::string::npos, escaped);
    const std::string control = message_of("name: a\x01" "b\n", "f\xFF\x01.yaml");
    BOOST_TEST(control.rfind("f\\xFF\\x01.yaml:1: key 'name': ", 0) == 0u, control);
    BOOST_TEST(raw_free(control), control);
    // A profile's message, quoted into the scenario's, and an unreadable file's name.
    vgic::testing::ScratchDir dir("scenario");
    dir.write("b\xFF.yaml", "signal_delay: 5 \x1B[2Jns\n");
    const std::string profile = message_of(kOneVm + "    timing: b\xFF.yaml\n", kFile, dir.path().string());
    BOOST_TEST(raw_free(profile), profile);
    BOOST_TEST(profile.find("b\\xFF.yaml:1:1: key 'signal_delay': unknown unit '\\x1B[2Jns'") != std::string::npos,
               profile);
    const std::string missing = [&] {
        try {
            load_scenario(dir / "missing\xFF\x07.yaml");
        } catch (const ScenarioError& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    }();
    BOOST_TEST(raw_free(missing), missing);
    BOOST_TEST(missing.find("missing\\xFF\\x07.yaml: cannot read the scenario file") != std::string::npos, missing);
}

// ---- calibration ----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(calibration_rules) {
    const std::string times = "  source: s\n  mean: 2 us\n  min: 1 us\n  p99: 3 us\n  max: 4 us\n";
    check_text(kOneVm + "calibration:\n  measurement: ipi_latency\n" + times, 9, "calibration.measurement",
               "\"ipi_latency\" is not one of timer_cntvct");
    check_text(kOneVm + "calibration:\n  source: s\n  mean: 5 us\n  min: 1 us\n  p99: 3 us\n  max: 4 us\n", 10,
               "calibration.mean", "mean 5 us is outside min..max (1 us..4 us)");
    check_text(kOneVm + "calibration:\n" + times + "  tolerance: 150%\n", 14, "calibration.tolerance",
               "\"150%\" is out of range");
    check_text(kOneVm + "calibration:\n" + times + "  tolerance: 1\n", 14, "calibration.tolerance", "out of range");
    check_text(kOneVm + "    guest: { timer: { mode: none } }\ncalibration:\n" + times, 9, "calibration",
               "no VM has a timer");
}

BOOST_AUTO_TEST_CASE(variation_and_spread_tolerance) {
    BOOST_TEST(!parse_scenario(kOneVm, kFile).variation, "variation is off by default: every cost exact");
    BOOST_TEST(parse_scenario(kOneVm + "variation: true\n", kFile).variation);
    check_text(kOneVm + "variation: on\n", 8, "variation", "expected true or false");
    const std::string times = "  source: s\n  mean: 2 us\n  min: 1 us\n  p99: 3 us\n  max: 4 us\n";
    const Scenario s =
        parse_scenario(kOneVm + "variation: true\ncalibration:\n" + times + "  spread_tolerance: 20 ns\n", kFile);
    BOOST_TEST(s.calibration.spread_tolerance_ps == 20 * kNs);
    BOOST_TEST(parse_scenario(kOneVm + "calibration:\n" + times, kFile).calibration.spread_tolerance_ps == 0u,
               "no spread_tolerance: the spread is shown, not compared");
    // Without variation every sample takes the same time: a spread check could only fail.
    check_text(kOneVm + "calibration:\n" + times + "  spread_tolerance: 20 ns\n", 14, "calibration.spread_tolerance",
               "variation is off");
    check_text(kOneVm + "variation: true\ncalibration:\n  source: s\n  mean: 2 us\n  spread_tolerance: 20 ns\n", 12,
               "calibration.spread_tolerance", "none of them is given");
    check_text(kOneVm + "variation: true\ncalibration:\n" + times + "  spread_tolerance: 0 ns\n", 15,
               "calibration.spread_tolerance", "compares nothing");
}

BOOST_AUTO_TEST_CASE(work_estimate) {
    // kOneVm: 2 vCPUs for 10 ms, the default timer (250 Hz periodic): 2 x 2.5 ticks.
    const WorkEstimate base = estimate_work(parse_scenario(kOneVm, kFile));
    BOOST_TEST(base.vcpus == 2u);
    BOOST_TEST(base.interrupts == 5.0, base.interrupts);
    BOOST_TEST(base.events == 5.0 + 2 * kEventsPerVcpu);
    // IPIs: each sender at its rate times its targets (all_but_self: 1 of 2 vCPUs here), and
    // devices: a burst source counts its bursts' interrupts.
    const Scenario s = parse_scenario(
        kOneVm + "    guest: { timer: { mode: none }, ipi: { rate: 1 kHz, targets: all } }\n"
                 "devices:\n"
                 "  - { name: d, vm: vm0, intid: 40, pattern: burst, rate: 100 Hz, burst: { count: 5, spacing: 1 us } }\n"
                 "  - { name: p, vm: vm0, intid: 41, pattern: poisson, rate: 2 kHz }\n",
        kFile);
    const WorkEstimate w = estimate_work(s);
    BOOST_TEST(w.interrupts == 2 * 1000 * 0.010 * 2 + 100 * 0.010 * 5 + 2000 * 0.010, w.interrupts);  // 40 + 5 + 20
    BOOST_CHECK_NO_THROW(check_work(s, 65 + 2000));
    try {
        check_work(s, 65 + 1999);
        BOOST_ERROR("a run one event over the limit was accepted");
    } catch (const ScenarioError& e) {
        BOOST_TEST(e.file() == kFile);
        BOOST_TEST(std::string(e.what()).find("in 10 ms the run would generate about 65 interrupts and build 2 vCPUs: "
                                              "2.06e+03 events") != std::string::npos,
                   e.what());
        BOOST_TEST(std::string(e.what()).find("more than the limit of 2064; shorten it or raise the limit with "
                                              "--max-events N") != std::string::npos,
                   e.what());
    }
}

// ---- the file as a whole ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(yaml_syntax_error) {
    check_text(kHead + "  - name: vm0\n    gic: v2: v3\n", 6, "", "YAML syntax error: illegal map value");
}

BOOST_AUTO_TEST_CASE(empty_file) {
    check_text("", 1, "", "the scenario is empty; expected a mapping with the keys name, duration");
    check_text("# only a comment\n", 1, "", "the scenario is empty");
}

BOOST_AUTO_TEST_CASE(top_level_that_is_not_a_mapping) {
    check_text("- name: t\n", 1, "", "expected a mapping with the keys name, duration, seed");
    check_text("just text\n", 1, "", "at the top level, got \"just text\"");
    // The second document is reported at its "---" (line 8).
    check_text(kOneVm + "---\nname: u\n", 8, "", "a second YAML document");
    // A line starting with ',' made yaml-cpp 0.7's LoadAll produce empty documents forever
    // (found by fuzz_scenario): it must end, as an error.
    BOOST_CHECK_THROW(parse_scenario(",\n", kFile, "."), ScenarioError);
    BOOST_CHECK_THROW(parse_scenario(kOneVm + ",\n", kFile, "."), ScenarioError);
    // D08: the same check as the profile loader's (vgic::tlm::check_yaml_text): the ',' is
    // named where it is (it was "the scenario is empty"), and a second document counts also
    // after an empty first one or after `...`.
    check_text(",\n" + kOneVm, 1, "", "YAML syntax error: unexpected ',' (the parser cannot read past it)");
    check_text("---\n---\n" + kOneVm, 2, "", "a second YAML document");
    check_text(kOneVm + "...\ngarbage\n", 9, "", "a second YAML document");
}

// Item 2: the nesting is bounded (vgic::tlm::kMaxInputNesting = 64 mappings and sequences,
// counted on yaml-cpp's events before it recurses deeper). 5,000 levels gave "YAML syntax
// error: bad file" (yaml-cpp's own guard at 500), and fewer than 500 could overflow a small
// stack first.
BOOST_AUTO_TEST_CASE(nesting_deeper_than_the_limit_is_refused) {
    const auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
    const std::string deeper = "nesting deeper than 64 levels: a file nests at most 64 mappings and sequences";
    check_text("name: " + nested(5000) + "\n", 1, "", deeper);
    // The top-level mapping is a level: 63 sequences in it are 64 levels, refused for what they
    // are; 64 are one too many.
    check_text("name: " + nested(63) + "\n", 1, "name", "expected a name");
    check_text("name: " + nested(64) + "\n", 1, "", deeper);
    // Block collections count the same: compact sequences on one line, and mappings by indentation.
    check_text(kHead + "  - " + [] {
        std::string dashes;
        for (int i = 0; i < 3000; ++i) dashes += "- ";
        return dashes;
    }() + "x\n", 5, "", deeper);
    std::string indented;
    for (int i = 0; i < 100; ++i) indented += std::string(2 * static_cast<std::size_t>(i), ' ') + "k" + std::to_string(i) + ":\n";
    check_text(indented, 65, "", deeper);
    // On a thread with a small stack (128 KiB), as a SystemC thread has: 499 levels (under
    // yaml-cpp's own guard) overflowed it.
    bool refused = false;
    vgic::testing::run_on_small_stack([&] {
        try {
            parse_scenario("name: " + nested(499) + "\n", kFile, ".");
        } catch (const ScenarioError& e) {
            refused = std::string(e.what()).find(deeper) != std::string::npos;
        }
    });
    BOOST_TEST(refused);
}

BOOST_AUTO_TEST_CASE(unreadable_file) {
    const std::string path = kBadDir + "/does_not_exist.yaml";
    check(error_from([&] { load_scenario(path); }), path, 0, "",
          "cannot read the scenario file: No such file or directory");
    check(error_from([&] { load_scenario(kBadDir); }), kBadDir, 0, "", "cannot read the scenario file: it is a directory");
}

// D06: the scenario and its profiles are read by the one input reader: a regular file or a
// FIFO of at most the input size limit (16 MiB; VGIC_MAX_INPUT_SIZE, vgic-sim
// --max-input-size). /dev/zero was read until memory ran out (8.4 GB in 30 s, then bad_alloc).
BOOST_AUTO_TEST_CASE(special_and_oversized_files_are_refused) {
    vgic::testing::ScratchDir dir("scenario");
    const auto check_file = [](const std::string& path, const std::string& fragment) {
        check(error_from([&] { load_scenario(path); }), path, 0, "", "cannot read the scenario file: " + fragment);
    };
    check_file("/dev/zero", "it is a character device, not a regular file or a FIFO");
    check_file(dir.socket("run.yaml"), "it is a socket, not a regular file or a FIFO");
    const std::string big = dir.write_sized("big.yaml", kOneVm, std::size_t{20} << 20);
    check_file(big, "it holds more than the input size limit of 16 MiB (16777216 bytes)");
    // A timing profile behind a name with the right extension gets the same reader.
    std::filesystem::create_symlink("/dev/zero", dir / "board.yaml");
    const std::string uses_zero = dir.write("uses_zero.yaml", kOneVm + "    timing: board.yaml\n");
    check(error_from([&] { load_scenario(uses_zero); }), uses_zero, 8, "vms[0].timing",
          dir / "board.yaml" + ": cannot read the timing profile file: it is a character device");
    // A FIFO is read like a file; one without end stops at the limit.
    {
        vgic::testing::FifoWriter writer(dir / "run.fifo", kOneVm, false);
        BOOST_TEST(load_scenario(dir / "run.fifo").vms.size() == 1u);
    }
    const vgic::testing::ScopedEnv limit("VGIC_MAX_INPUT_SIZE", "1KiB");
    vgic::testing::FifoWriter endless(dir / "endless.fifo", "# a comment without end\n", true);
    check_file(dir / "endless.fifo", "it holds more than the input size limit of 1 KiB (1024 bytes)");
    // Exactly the limit is read.
    BOOST_TEST(load_scenario(dir.write_sized("at.yaml", kOneVm, 1024)).vms.size() == 1u);
    check_file(dir.write_sized("over.yaml", kOneVm, 1025), "it holds more than the input size limit of 1 KiB (1024 bytes)");
}

// ---- the malformed files of testbenches/run/bad/ (the CLI is run on them too) -----------------

BOOST_AUTO_TEST_CASE(bad_files) {
    const auto check_file = [](const std::string& name, int line, const std::string& key, const std::string& fragment) {
        const std::string path = kBadDir + "/" + name;
        BOOST_TEST_INFO("file: " << name);
        check(error_from([&] { load_scenario(path); }), path, line, key, fragment);
    };
    check_file("unknown_key.yaml", 8, "vms[0].vcpu", "unknown key 'vcpu'");
    check_file("too_many_vcpus.yaml", 8, "vms[0].vcpus", "GicConfig.num_cpus = 9: allowed 1..8");
    check_file("rate_zero.yaml", 14, "devices[0].rate", "zero rate \"0 Hz\"");
    check_file("intid_out_of_range.yaml", 13, "devices[0].intid", "its 32 SPIs are INTIDs 32..63");
    check_file("hw_shared_pcpu.yaml", 14, "vms[1].pcpus", "pCPU 1 belongs to hw-mode VM 'rt' (vms[0])");
    check_file("syntax_error.yaml", 8, "", "YAML syntax error");
    check_file("nesting_too_deep.yaml", 11, "", "nesting deeper than 64 levels");
    check_file("name_too_long.yaml", 3, "name", "a name of 300 characters; a name has at most 255");
    // Resolved against the scenario file's directory, not the working directory.
    check_file("timing_file_missing.yaml", 9, "vms[0].timing",
               kBadDir + "/no_such_board.yaml: cannot read the timing profile file");
}

BOOST_AUTO_TEST_SUITE_END()
