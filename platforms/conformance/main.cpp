// vgic-conformance: replays the Linux GICv2 driver against the model (boot, per-CPU init,
// then an SPI, a PPI and an IPI delivered end to end) and prints one line per check.
// Until the vgic-sim platform exists (step 6), this is the project's main job.
#include "guest/linux_gicv2_driver.hpp"
#include "vgic/model/gic.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using vgic::Gic;
using vgic::GicConfig;
using vgic::Line;
using vgic::guest::LinuxGicv2Driver;
using vgic::guest::ModelBus;

struct Tally {
    unsigned passed = 0, failed = 0;
    void check(bool ok, const std::string& what) {
        std::printf("  %s  %s\n", ok ? "PASS" : "FAIL", what.c_str());
        (ok ? passed : failed)++;
    }
};

std::string hex(std::uint32_t v) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%x", v);
    return b;
}

unsigned irq_lines_high(const Gic& gic) {
    unsigned mask = 0;
    for (unsigned c = 0; c < gic.config().num_cpus; ++c)
        if (gic.line(c, Line::Irq)) mask |= 1u << c;
    return mask;
}

void run(unsigned cpus, bool split_eoi, bool trace, Tally& t) {
    std::printf("== Linux GICv2 on %u CPU%s (GIC-400 defaults, 64 SPIs, %s EOI)\n", cpus, cpus > 1 ? "s" : "",
                split_eoi ? "split" : "combined");
    GicConfig cfg;
    cfg.num_cpus = cpus;
    cfg.num_spis = 64;
    Gic gic(cfg);
    ModelBus bus(gic);
    bus.set_recording(trace);
    LinuxGicv2Driver linux(bus, cpus, split_eoi);

    linux.distributor_init(0);
    for (unsigned c = 0; c < cpus; ++c) {
        linux.cpu_init(c);
        linux.enable_ipis(c);
    }
    t.check(linux.errors().empty(), "boot: driver reports no error" +
                                         (linux.errors().empty() ? std::string() : " (" + linux.errors()[0] + ")"));
    t.check(bus.bad_accesses() == 0, "boot: no bad register access");
    t.check(linux.num_irqs() == 96, "boot: TYPER gives 96 interrupt lines (got " + std::to_string(linux.num_irqs()) + ")");
    bool one_hot = true;
    for (unsigned c = 0; c < cpus && cpus > 1; ++c) one_hot &= linux.cpu_interface_mask(c) == (1u << c);
    t.check(one_hot, "boot: each CPU finds its own interface bit in ITARGETSR0-7");
    t.check(irq_lines_high(gic) == 0, "boot: no IRQ line is high");

    // A device SPI (level), routed to the last CPU.
    const unsigned target = cpus - 1;
    const std::uint32_t spi = 40;
    linux.set_type(0, spi, false);
    linux.set_affinity(0, spi, target);
    linux.unmask(0, spi);
    gic.set_spi_level(spi, true);
    t.check(irq_lines_high(gic) == (1u << target), "SPI 40: IRQ raised on CPU " + std::to_string(target) + " only");
    auto handled = linux.handle_irq(target, [&](std::uint32_t, std::uint32_t) { gic.set_spi_level(spi, false); });
    t.check(handled.size() == 1 && handled[0] == spi,
            "SPI 40: handler acknowledges INTID 40 (IAR " + (handled.empty() ? std::string("none") : hex(handled[0])) + ")");
    t.check(irq_lines_high(gic) == 0 && !gic.distributor().is_active(target, spi), "SPI 40: completed, line low");

    // The virtual timer PPI 27 of CPU 0 (level).
    linux.unmask(0, 27);
    gic.set_ppi_level(0, 27, true);
    t.check(irq_lines_high(gic) == 1u, "PPI 27: IRQ raised on CPU 0 only");
    handled = linux.handle_irq(0, [&](std::uint32_t, std::uint32_t) { gic.set_ppi_level(0, 27, false); });
    t.check(handled.size() == 1 && handled[0] == 27, "PPI 27: handler acknowledges INTID 27");

    // An IPI (SGI 1) from CPU 0 to the last CPU.
    linux.send_ipi(0, 1u << target, 1);
    t.check(irq_lines_high(gic) == (1u << target), "IPI: SGI 1 raises IRQ on CPU " + std::to_string(target));
    handled = linux.handle_irq(target);
    t.check(handled.size() == 1 && handled[0] == (1u | (0u << 10)),
            "IPI: IAR reports SGI 1 from source CPU 0 (IAR " + (handled.empty() ? std::string("none") : hex(handled[0])) + ")");
    t.check(irq_lines_high(gic) == 0 && bus.bad_accesses() == 0, "idle again, no bad access");

    if (trace)
        for (const auto& a : bus.log()) std::printf("    %s\n", a.describe().c_str());
}

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: vgic-conformance [--cpus N]... [--split-eoi] [--trace]\n"
                 "  --cpus N     run the Linux GICv2 scenario on N CPUs (1..8); repeatable; default 1 and 4\n"
                 "  --split-eoi  Linux with EOImode=1 (EOIR then DIR)\n"
                 "  --trace      print every register access the driver made\n");
}

} // namespace

int main(int argc, char** argv) {
    std::vector<unsigned> cpu_counts;
    bool split = false, trace = false;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--cpus") {
            if (i + 1 >= argc) { std::fprintf(stderr, "vgic-conformance: --cpus needs a value (1..8)\n"); return 2; }
            char* end = nullptr;
            const long n = std::strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 8) {
                std::fprintf(stderr, "vgic-conformance: --cpus '%s': expected a number in 1..8\n", argv[i]);
                return 2;
            }
            cpu_counts.push_back(static_cast<unsigned>(n));
        } else if (a == "--split-eoi") {
            split = true;
        } else if (a == "--trace") {
            trace = true;
        } else if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        } else {
            std::fprintf(stderr, "vgic-conformance: unknown argument '%s'\n", a.c_str());
            usage(stderr);
            return 2;
        }
    }
    if (cpu_counts.empty()) cpu_counts = {1, 4};
    Tally t;
    for (unsigned n : cpu_counts) run(n, split, trace, t);
    std::printf("conformance: %u passed, %u failed\n", t.passed, t.failed);
    return t.failed == 0 ? 0 : 1;
}
