// SPDX-License-Identifier: Apache-2.0
// The device interrupt sources of the latency platform: one thread per device that drives
// its SPI line (periodic, Poisson or burst events; an edge pulse or a level held until the
// handler clears it), and the pulse's end. Each event is a generation reported to the Probe.
#include "run/world.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace vgic::run::detail {

using namespace sc_core;

void World::device_main(Device& d) {
    const DeviceSpec& s = *d.spec;
    Vm& vm = *d.vm;
    while (!vm.devices_ready) sc_core::wait(vm.devices_ready_event);
    // One generator per device, seeded from the scenario's seed and the device's position:
    // a run is reproducible and adding a device does not change the others' sequences.
    std::mt19937_64 rng(scenario.seed * 0x9E3779B97F4A7C15ull + d.index + 1);
    const std::uint64_t period = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e12 / s.rate_hz + 0.5));
    std::uint64_t next = now_ps() + s.start_ps;
    auto wait_until = [](std::uint64_t t) {
        const std::uint64_t now = now_ps();
        if (t > now) sc_core::wait(ps(t - now));
    };
    for (;;) {
        switch (s.pattern) {
        case DeviceSpec::Pattern::Periodic:
            next += period;
            wait_until(next);
            device_fire(d);
            break;
        case DeviceSpec::Pattern::Poisson: {
            // Exponential inter-arrival times by inversion (portable: the standard
            // distributions' algorithms differ between libraries).
            const double u = std::generate_canonical<double, 53>(rng);
            const double gap_s = -std::log1p(-u) / s.rate_hz;
            next += std::max<std::uint64_t>(1, static_cast<std::uint64_t>(gap_s * 1e12 + 0.5));
            wait_until(next);
            device_fire(d);
            break;
        }
        case DeviceSpec::Pattern::Burst:
            next += period;
            wait_until(next);
            for (unsigned k = 0; k < s.burst_count; ++k) {
                if (k != 0) sc_core::wait(ps(s.burst_spacing_ps));
                device_fire(d);
            }
            break;
        }
    }
}

void World::device_fire(Device& d) {
    const DeviceSpec& s = *d.spec;
    Vm& vm = *d.vm;
    const std::size_t i =
        probe.generated(vm.index, IrqClass::DeviceSpi, s.target_vcpu, 0, s.intid, idle_target(*vm.vcpus[s.target_vcpu]));
    if (d.high) {
        // The line is still high (an edge pulse not over, or an uncleared level): no new edge
        // reaches the GIC; this generation rides on the previous one.
        if (d.last_record != kNoRecord) probe.merged_at_source(vm.index, s.intid, d.last_record);
    } else {
        d.last_record = i;
        d.high = true;
        drive_line(d, true);
    }
    if (s.edge) {  // the pulse lasts pulse_ps from the latest event
        d.low_at = now_ps() + s.pulse_ps;
        d.pulse_end.notify(ps(s.pulse_ps));
    }
}

void World::device_clear(Device& d) {
    // The handler's write to the device's status register: the level falls, and every
    // event the device collected up to now is served by this handling.
    Vm& vm = *d.vm;
    probe.cleared(vm, d.spec->intid);
    d.high = false;
    d.last_record = kNoRecord;
    drive_line(d, false);
}

void World::pulse_ended(Device& d) {
    if (!d.high || !d.spec->edge) return;
    // A later event stretched the pulse (sc_event keeps the earliest notification).
    if (now_ps() < d.low_at) {
        d.pulse_end.notify(ps(d.low_at - now_ps()));
        return;
    }
    d.high = false;
    drive_line(d, false);
}

void World::drive_line(Device& d, bool level) {
    d.vm->gic.set_spi_level(d.spec->intid, level);
    if (d.on_line) d.on_line(level);
}

} // namespace vgic::run::detail
