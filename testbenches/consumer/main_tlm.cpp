// SPDX-License-Identifier: Apache-2.0
// Built against the installed package only: a Vgic module with the zcu104 timing preset,
// an SPI through its input API, and the IRQ line 30 ns (signal_delay) later.
#include <vgic/tlm/vgic.hpp>

#include <cstdio>

int sc_main(int, char**) {
    // Not `using namespace vgic`: vgic::tlm would clash with SystemC's ::tlm.
    namespace vt = vgic::tlm;
    namespace gicv2 = vgic::gicv2;
    vt::VgicParams p;
    p.gic.num_cpus = 1;
    p.timing = vt::load_timing_profile("zcu104");
    vt::Vgic gic("gic", p);
    vgic::Gic& model = *gic.hw_model();  // program it directly: no initiator needed here
    model.write_distributor(0, gicv2::gicd::CTLR, 4, 1);
    model.write_distributor(0, gicv2::gicd::ISENABLER + 4, 4, 1u << 8);
    model.write_cpu_interface(0, gicv2::gicc::PMR, 4, 0xF0);
    model.write_cpu_interface(0, gicv2::gicc::CTLR, 4, 1);
    sc_core::sc_start(sc_core::sc_time(100, sc_core::SC_NS));
    gic.set_spi_level(40, true);
    sc_core::sc_start(sc_core::sc_time(29, sc_core::SC_NS));
    const bool early = gic.cpu[0].irq_level.read();
    sc_core::sc_start(sc_core::sc_time(2, sc_core::SC_NS));
    const bool late = gic.cpu[0].irq_level.read();
    std::printf("consumer_tlm: irq at +29 ns = %d, at +31 ns = %d\n", early, late);
    return (!early && late) ? 0 : 1;
}
