// SPDX-License-Identifier: Apache-2.0
// Built against the installed package only (the `model` component, plain C++): raise an SPI and
// take it through GICC; catch the library's ConfigError by its type (its typeinfo must be the
// same object on both sides of a shared libvgic_model); a LineObserver subclass defined here
// called from inside the library; the installed vgic/version.hpp.
#include <vgic/model/config.hpp>
#include <vgic/model/gic.hpp>
#include <vgic/model/gicv2_regs.hpp>
#include <vgic/model/observer.hpp>
#include <vgic/version.hpp>

#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace {

struct CountingObserver final : vgic::LineObserver {
    unsigned changes = 0;
    void line_changed(unsigned, vgic::Line, bool) override { ++changes; }
};

} // namespace

int main() {
    using namespace vgic;
    int failures = 0;

    if (std::strcmp(VGIC_VERSION_STRING, VGIC_EXPECTED_VERSION) != 0) {
        std::printf("consumer: vgic/version.hpp says %s, the CMake package %s\n", VGIC_VERSION_STRING,
                    VGIC_EXPECTED_VERSION);
        ++failures;
    }

    GicConfig cfg;
    cfg.num_cpus = 2;
    Gic gic(cfg);
    CountingObserver observer;
    gic.set_observer(&observer);
    gic.write_distributor(0, gicv2::gicd::CTLR, 4, 1);
    gic.write_distributor(0, gicv2::gicd::ISENABLER + 4, 4, 1u << (40 - 32));
    gic.write_distributor(0, gicv2::gicd::ITARGETSR + 40, 1, 0x2);  // CPU 1
    gic.write_cpu_interface(1, gicv2::gicc::PMR, 4, 0xF0);
    gic.write_cpu_interface(1, gicv2::gicc::CTLR, 4, 1);
    gic.set_spi_level(40, true);
    const bool irq = gic.line(1, Line::Irq);
    const auto iar = gic.read_cpu_interface(1, gicv2::gicc::IAR, 4).value;
    std::printf("consumer: irq=%d iar=%llu observer saw %u line changes\n", irq,
                static_cast<unsigned long long>(iar), observer.changes);
    if (!irq || iar != 40 || observer.changes == 0) ++failures;

    // An exception thrown inside the library, caught here by its own type.
    GicConfig bad;
    bad.num_cpus = 0;
    try {
        Gic broken(bad);
        std::printf("consumer: a GIC with 0 CPUs was accepted\n");
        ++failures;
    } catch (const ConfigError& e) {
        std::printf("consumer: caught vgic::ConfigError: %s\n", e.what());
    } catch (const std::exception& e) {
        std::printf("consumer: vgic::ConfigError not caught by its type (RTTI split?): %s\n", e.what());
        ++failures;
    }
    return failures == 0 ? 0 : 1;
}
