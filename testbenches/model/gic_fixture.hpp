// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the model test suites: short register accessors with the spec offsets,
// and an observer that records every output-line change.
#pragma once

#include "vgic/model/gic.hpp"
#include "vgic/model/gicv2_regs.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <vector>

namespace vgic::test {

namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;

struct LineEvent {
    unsigned cpu;
    Line line;
    bool level;
    bool operator==(const LineEvent& o) const { return cpu == o.cpu && line == o.line && level == o.level; }
};

inline std::ostream& operator<<(std::ostream& os, const LineEvent& e) {
    return os << "cpu" << e.cpu << ' ' << to_string(e.line) << '=' << e.level;
}

class RecordingObserver final : public LineObserver {
public:
    void line_changed(unsigned cpu, Line line, bool level) override { events.push_back({cpu, line, level}); }
    std::vector<LineEvent> events;
};

inline GicConfig make_config(unsigned cpus, unsigned spis = 64, unsigned prio_bits = 5) {
    GicConfig c;
    c.num_cpus = cpus;
    c.num_spis = spis;
    c.priority_bits = prio_bits;
    return c;
}

/// A GIC plus terse accessors. Accessors check that the access was architecturally OK.
struct GicFixture {
    explicit GicFixture(const GicConfig& cfg = make_config(4)) : gic(cfg) { gic.set_observer(&observer); }

    std::uint32_t rd(unsigned cpu, std::uint32_t off, unsigned size = 4) {
        const AccessResult r = gic.read_distributor(cpu, off, size);
        BOOST_TEST_REQUIRE(r.ok(), "GICD read at 0x" << std::hex << off << " reported a bad access");
        return static_cast<std::uint32_t>(r.value);
    }
    void wr(unsigned cpu, std::uint32_t off, std::uint32_t value, unsigned size = 4) {
        const AccessResult r = gic.write_distributor(cpu, off, size, value);
        BOOST_TEST_REQUIRE(r.ok(), "GICD write at 0x" << std::hex << off << " reported a bad access");
    }
    std::uint32_t crd(unsigned cpu, std::uint32_t off) {
        const AccessResult r = gic.read_cpu_interface(cpu, off, 4);
        BOOST_TEST_REQUIRE(r.ok(), "GICC read at 0x" << std::hex << off << " reported a bad access");
        return static_cast<std::uint32_t>(r.value);
    }
    void cwr(unsigned cpu, std::uint32_t off, std::uint32_t value) {
        const AccessResult r = gic.write_cpu_interface(cpu, off, 4, value);
        BOOST_TEST_REQUIRE(r.ok(), "GICC write at 0x" << std::hex << off << " reported a bad access");
    }
    bool irq(unsigned cpu) const { return gic.line(cpu, Line::Irq); }
    bool fiq(unsigned cpu) const { return gic.line(cpu, Line::Fiq); }

    /// Distributor and CPU interface `cpu` enabled for both groups, PMR fully open.
    void enable_all(unsigned cpu) {
        wr(cpu, gicd::CTLR, 3);
        cwr(cpu, gicc::PMR, 0xFF);
        cwr(cpu, gicc::CTLR, gicc::CTLR_EnableGrp0::mask | gicc::CTLR_EnableGrp1::mask | gicc::CTLR_AckCtl::mask);
    }
    /// Enables INTID `id` with `prio` through the banked/unbanked registers seen by `cpu`.
    void enable_irq(unsigned cpu, std::uint32_t id, std::uint8_t prio = 0xA0) {
        wr(cpu, gicd::IPRIORITYR + id, prio, 1);
        wr(cpu, gicd::ISENABLER + (id / 32) * 4, 1u << (id % 32));
    }
    void set_edge(unsigned cpu, std::uint32_t id) {
        const std::uint32_t off = gicd::ICFGR + (id / 16) * 4;
        wr(cpu, off, rd(cpu, off) | (2u << (2 * (id % 16))));
    }
    void target(std::uint32_t id, std::uint8_t cpus) { wr(0, gicd::ITARGETSR + id, cpus, 1); }
    void pend(unsigned cpu, std::uint32_t id) { wr(cpu, gicd::ISPENDR + (id / 32) * 4, 1u << (id % 32)); }

    Gic gic;
    RecordingObserver observer;
};

} // namespace vgic::test
