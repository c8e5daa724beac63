// SPDX-License-Identifier: Apache-2.0
// Built against the installed package only: raise an SPI and take it through GICC.
#include <vgic/model/gic.hpp>
#include <vgic/model/gicv2_regs.hpp>

#include <cstdio>

int main() {
    using namespace vgic;
    GicConfig cfg;
    cfg.num_cpus = 2;
    Gic gic(cfg);
    gic.write_distributor(0, gicv2::gicd::CTLR, 4, 1);
    gic.write_distributor(0, gicv2::gicd::ISENABLER + 4, 4, 1u << (40 - 32));
    gic.write_distributor(0, gicv2::gicd::ITARGETSR + 40, 1, 0x2);  // CPU 1
    gic.write_cpu_interface(1, gicv2::gicc::PMR, 4, 0xF0);
    gic.write_cpu_interface(1, gicv2::gicc::CTLR, 4, 1);
    gic.set_spi_level(40, true);
    const bool irq = gic.line(1, Line::Irq);
    const auto iar = gic.read_cpu_interface(1, gicv2::gicc::IAR, 4).value;
    std::printf("consumer: irq=%d iar=%llu\n", irq, static_cast<unsigned long long>(iar));
    return (irq && iar == 40) ? 0 : 1;
}
