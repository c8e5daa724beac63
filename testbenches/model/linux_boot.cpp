// SPDX-License-Identifier: Apache-2.0
// The Linux GICv2 driver (real-clients.md 1.1) replayed against the model on 1 and 4 CPUs:
// the register state it leaves behind, then an SPI, a PPI and an IPI delivered end to end.
#include "gic_fixture.hpp"

#include "guest/linux_gicv2_driver.hpp"

using namespace vgic;
using namespace vgic::test;
using vgic::guest::BusAccess;
using vgic::guest::Frame;
using vgic::guest::LinuxGicv2Driver;
using vgic::guest::ModelBus;

namespace {

struct Booted {
    explicit Booted(unsigned cpus, bool split = false)
        : f(make_config(cpus, 64)), bus(f.gic), linux(bus, cpus, split) {
        bus.set_recording(true);
        linux.distributor_init(0);
        for (unsigned c = 0; c < cpus; ++c) {
            linux.cpu_init(c);
            linux.enable_ipis(c);
        }
    }
    GicFixture f;
    ModelBus bus;
    LinuxGicv2Driver linux;
};

} // namespace

BOOST_AUTO_TEST_SUITE(linux_boot)

BOOST_AUTO_TEST_CASE(boot_state_on_4_cpus) {
    Booted b(4);
    BOOST_TEST(b.linux.errors().empty(), "the driver printed no error");
    BOOST_TEST(b.bus.bad_accesses() == 0u, "every access the driver made is architecturally defined");
    BOOST_TEST(b.linux.num_irqs() == 96u, "TYPER.ITLinesNumber=2 -> 96 lines");
    for (unsigned c = 0; c < 4; ++c)
        BOOST_TEST(b.linux.cpu_interface_mask(c) == (1u << c), "CPU " << c << " reads its one-hot bit from ITARGETSR0-7");
    BOOST_TEST(b.f.rd(0, gicd::CTLR) == 1u, "distributor enabled for Group 0");
    for (std::uint32_t id = 32; id < 96; id += 4) {
        BOOST_TEST(b.f.rd(0, gicd::ITARGETSR + id) == 0x01010101u, "SPIs routed to the boot CPU");
        BOOST_TEST(b.f.rd(0, gicd::IPRIORITYR + id) == 0xA0A0A0A0u, "SPI default priority 0xA0");
    }
    BOOST_TEST(b.f.rd(0, gicd::ICFGR + 8) == 0u, "SPIs level");
    BOOST_TEST(b.f.rd(0, gicd::ISENABLER + 4) == 0u, "SPIs disabled until requested");
    for (unsigned c = 0; c < 4; ++c) {
        BOOST_TEST(b.f.rd(c, gicd::ISENABLER) == 0xFFu, "CPU " << c << ": SGIs 0-7 enabled, PPIs disabled");
        BOOST_TEST(b.f.rd(c, gicd::IPRIORITYR + 16) == 0xA0A0A0A0u, "banked PPI priorities written per CPU");
        BOOST_TEST(b.f.crd(c, gicc::PMR) == 0xF0u);
        BOOST_TEST(b.f.crd(c, gicc::CTLR) == 1u, "EnableGrp0, EOImode=0");
        BOOST_TEST(!b.f.irq(c));
        BOOST_TEST(!b.f.fiq(c));
    }
    BOOST_TEST(b.f.observer.events.empty(), "no line moved during boot");
}

BOOST_AUTO_TEST_CASE(boot_sequence_order) {
    // The first accesses follow real-clients.md 1.1 steps 1-4: TYPER, CTLR=0, ITARGETSR0.
    Booted b(4);
    const auto& log = b.bus.log();
    BOOST_TEST_REQUIRE(log.size() > 4u);
    BOOST_TEST((!log[0].is_write && log[0].offset == gicd::TYPER));
    BOOST_TEST((log[1].is_write && log[1].offset == gicd::CTLR && log[1].value == 0u));
    BOOST_TEST((!log[2].is_write && log[2].offset == gicd::ITARGETSR && log[2].value == 0x01010101u),
               "CPU 0's ITARGETSR0 reads 0x01 in every byte");
}

BOOST_AUTO_TEST_CASE(uniprocessor_boot) {
    // With one CPU interface ITARGETSR is RAZ/WI (IHI 0048B 4.3.12); Linux only complains on SMP.
    Booted b(1);
    BOOST_TEST(b.linux.errors().empty());
    BOOST_TEST(b.bus.bad_accesses() == 0u);
    BOOST_TEST(b.f.rd(0, gicd::ITARGETSR + 32) == 0u);
    b.linux.unmask(0, 40);
    b.f.gic.set_spi_level(40, true);
    BOOST_TEST(b.f.irq(0), "an SPI reaches the only CPU without target bits");
    auto handled = b.linux.handle_irq(0, [&](std::uint32_t, std::uint32_t) { b.f.gic.set_spi_level(40, false); });
    BOOST_TEST_REQUIRE(handled.size() == 1u);
    BOOST_TEST(handled[0] == 40u);
    // An IPI to self uses TargetListFilter=0b10.
    b.linux.send_ipi(0, 1, 3);
    BOOST_TEST(b.f.irq(0));
    handled = b.linux.handle_irq(0);
    BOOST_TEST_REQUIRE(handled.size() == 1u);
    BOOST_TEST(handled[0] == 3u, "SGI 3 from CPU 0");
    BOOST_TEST(!b.f.irq(0));
}

BOOST_AUTO_TEST_CASE(spi_ppi_ipi_end_to_end_on_4_cpus) {
    Booted b(4);
    auto& gic = b.f.gic;
    // SPI 45, edge, routed to CPU 2.
    BOOST_TEST(b.linux.set_type(0, 45, true));
    b.linux.set_affinity(0, 45, 2);
    b.linux.unmask(0, 45);
    gic.set_spi_level(45, true);
    gic.set_spi_level(45, false);  // a pulse: the edge latched
    for (unsigned c = 0; c < 4; ++c) BOOST_TEST(b.f.irq(c) == (c == 2), "SPI 45 signalled on CPU 2 only (cpu " << c << ")");
    auto handled = b.linux.handle_irq(2);
    BOOST_TEST_REQUIRE(handled.size() == 1u);
    BOOST_TEST(handled[0] == 45u);
    BOOST_TEST(!b.f.irq(2));
    BOOST_TEST(b.f.rd(0, gicd::ISACTIVER + 4) == 0u, "EOIR deactivated it");

    // PPI 30 (physical timer) on CPU 3, level.
    b.linux.unmask(3, 30);
    gic.set_ppi_level(3, 30, true);
    BOOST_TEST(b.f.irq(3));
    BOOST_TEST(!b.f.irq(0), "PPIs are private: CPU 0's PPI 30 is a different interrupt");
    handled = b.linux.handle_irq(3, [&](std::uint32_t, std::uint32_t) { gic.set_ppi_level(3, 30, false); });
    BOOST_TEST_REQUIRE(handled.size() == 1u);
    BOOST_TEST(handled[0] == 30u);

    // IPI: CPU 1 sends SGI 2 to CPUs 0 and 3.
    b.linux.send_ipi(1, 0b1001, 2);
    BOOST_TEST((b.f.irq(0) && b.f.irq(3) && !b.f.irq(1) && !b.f.irq(2)));
    for (unsigned c : {0u, 3u}) {
        handled = b.linux.handle_irq(c);
        BOOST_TEST_REQUIRE(handled.size() == 1u);
        BOOST_TEST(handled[0] == (2u | (1u << 10)), "IAR = SGI 2 with CPUID 1 on CPU " << c);
    }
    for (unsigned c = 0; c < 4; ++c) BOOST_TEST(!b.f.irq(c));
    BOOST_TEST(b.bus.bad_accesses() == 0u);
    BOOST_TEST(b.f.gic.diagnostics().guest_error_count() == 0u);
}

BOOST_AUTO_TEST_CASE(split_eoi_drops_priority_before_the_handler) {
    Booted b(2, /*split=*/true);
    b.linux.unmask(0, 40);
    b.linux.unmask(0, 41);
    b.linux.set_priority(0, 41, 0x80);  // higher than 40's 0xA0
    b.f.gic.set_spi_level(40, true);
    std::vector<std::uint32_t> nested;
    auto handled = b.linux.handle_irq(0, [&](std::uint32_t id, std::uint32_t) {
        if (id != 40) return;
        // Priority already dropped by EOIR: RPR idle while 40 is still active.
        BOOST_TEST(b.f.crd(0, gicc::RPR) == 0xFFu);
        BOOST_TEST(b.f.gic.distributor().is_active(0, 40));
        b.f.gic.set_spi_level(40, false);
    });
    BOOST_TEST_REQUIRE(handled.size() == 1u);
    BOOST_TEST(!b.f.gic.distributor().is_active(0, 40), "DIR deactivated it");
    BOOST_TEST(b.f.gic.diagnostics().guest_error_count() == 0u);
}

BOOST_AUTO_TEST_CASE(eight_cpus_broadcast_ipi) {
    Booted b(8);
    BOOST_TEST(b.linux.errors().empty());
    b.linux.send_ipi(5, 0xFF & ~(1u << 5), 0);
    for (unsigned c = 0; c < 8; ++c) BOOST_TEST(b.f.irq(c) == (c != 5), "cpu " << c);
    for (unsigned c = 0; c < 8; ++c) {
        if (c == 5) continue;
        auto handled = b.linux.handle_irq(c);
        BOOST_TEST_REQUIRE(handled.size() == 1u);
        BOOST_TEST(handled[0] == (5u << 10), "SGI 0 from CPU 5");
    }
}

BOOST_AUTO_TEST_SUITE_END()
