// SPDX-License-Identifier: Apache-2.0
// vgic-conformance: replays the Linux GICv2 and GICv3 drivers against the model (boot,
// per-CPU init, then an SPI, a PPI and IPIs delivered end to end) and prints one line per
// check. Until the vgic-sim platform exists (step 6), this is the project's main job.
#include "guest/linux_gicv2_driver.hpp"
#include "guest/linux_gicv3_driver.hpp"
#include "vgic/model/gic.hpp"

#include <algorithm>
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

/// Distributor init on CPU 0, then every CPU's init and IPIs (either driver), and the
/// checks every boot must pass.
template <class Driver, class Bus>
void boot(Driver& linux, const Bus& bus, unsigned cpus, Tally& t) {
    linux.distributor_init(0);
    for (unsigned c = 0; c < cpus; ++c) {
        linux.cpu_init(c);
        linux.enable_ipis(c);
    }
    t.check(linux.errors().empty(), "boot: driver reports no error" +
                                         (linux.errors().empty() ? std::string() : " (" + linux.errors()[0] + ")"));
    t.check(bus.bad_accesses() == 0, "boot: no bad register access");
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

    boot(linux, bus, cpus, t);
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

// ---- GICv3 ---------------------------------------------------------------------------------

using vgic::guest::Gicv3ModelBus;
using vgic::guest::LinuxGicv3Driver;

std::vector<unsigned> irq_cpus(const Gic& gic) {
    std::vector<unsigned> high;
    for (unsigned c = 0; c < gic.config().num_cpus; ++c)
        if (gic.line(c, Line::Irq)) high.push_back(c);
    return high;
}

std::string cpu_list(const std::vector<unsigned>& cpus) {
    std::string s = "{";
    for (std::size_t i = 0; i < cpus.size(); ++i) s += (i ? "," : "") + std::to_string(cpus[i]);
    return s + "}";
}

void run_v3(unsigned cpus, unsigned per_cluster, bool split_eoi, bool trace, Tally& t) {
    std::printf("== Linux GICv3 on %u CPU%s (%u CPUs per cluster, 64 SPIs, %s EOI, RWP emulated)\n", cpus,
                cpus > 1 ? "s" : "", per_cluster, split_eoi ? "split" : "combined");
    GicConfig cfg;
    cfg.version = vgic::GicVersion::V3;
    cfg.v3.cpus_per_cluster = per_cluster;
    cfg.num_cpus = cpus;
    cfg.num_spis = 64;
    Gic gic(cfg);
    gic.set_rwp_tracking(true);  // writes stay pending until the driver's 1 us delay
    Gicv3ModelBus bus(gic);
    bus.set_recording(trace);
    std::vector<std::uint64_t> mpidr;
    for (unsigned c = 0; c < cpus; ++c) mpidr.push_back(cfg.mpidr_of(c));
    LinuxGicv3Driver linux(bus, mpidr, split_eoi);

    t.check(linux.probe(0), "probe: GICD_PIDR2 and GICR_PIDR2 report GICv3");
    t.check(linux.redistributors_found() == cpus,
            "probe: redistributor walk stops at GICR_TYPER.Last after " + std::to_string(linux.redistributors_found()) +
                " frames (expected " + std::to_string(cpus) + ")");
    boot(linux, bus, cpus, t);
    t.check(bus.delays() > 0 && !gic.register_write_pending(),
            "boot: RWP polling terminates (" + std::to_string(bus.delays()) + " polls waited)");
    bool rd_ok = true;
    for (unsigned c = 0; c < cpus; ++c) rd_ok &= linux.rd_base(c) == c * 0x20000u;
    t.check(rd_ok, "boot: every CPU finds its own redistributor by affinity");
    t.check(linux.priority_bits() == 5 && linux.group0_accessible(),
            "boot: ICC_CTLR_EL1.PRIbits gives 5 bits, Group 0 PMR probe sticks");
    t.check(irq_cpus(gic).empty(), "boot: no IRQ line is high");

    const unsigned target = cpus - 1;
    const std::uint32_t spi = 40;
    linux.set_type(0, spi, false);
    linux.set_affinity(0, spi, target);
    linux.unmask(0, spi);
    gic.set_spi_level(spi, true);
    t.check(irq_cpus(gic) == std::vector<unsigned>{target},
            "SPI 40: IROUTER sends it to CPU " + std::to_string(target) + " only (IRQ on " + cpu_list(irq_cpus(gic)) + ")");
    auto handled = linux.handle_irq(target, [&](std::uint32_t) { gic.set_spi_level(spi, false); });
    t.check(handled == std::vector<std::uint32_t>{spi}, "SPI 40: ICC_IAR1_EL1 acknowledges INTID 40");
    t.check(irq_cpus(gic).empty() && !gic.distributor().is_active(target, spi), "SPI 40: completed, line low");

    linux.unmask(0, 27);
    gic.set_ppi_level(0, 27, true);
    t.check(irq_cpus(gic) == std::vector<unsigned>{0}, "PPI 27: IRQ raised on CPU 0 only");
    handled = linux.handle_irq(0, [&](std::uint32_t) { gic.set_ppi_level(0, 27, false); });
    t.check(handled == std::vector<std::uint32_t>{27}, "PPI 27: handler acknowledges INTID 27");

    // IPIs to a target list spanning clusters (Aff1) and, with 64 CPUs, four of them.
    std::vector<unsigned> targets;
    for (unsigned c : {1u, 17u, 40u, cpus - 1})
        if (c < cpus && c != 0 && std::find(targets.begin(), targets.end(), c) == targets.end()) targets.push_back(c);
    if (!targets.empty()) {
        linux.send_ipi(0, targets, 3);
        t.check(irq_cpus(gic) == targets, "IPI: ICC_SGI1R_EL1 per cluster raises SGI 3 on " + cpu_list(targets) +
                                              " (IRQ on " + cpu_list(irq_cpus(gic)) + ")");
        bool all = true;
        for (unsigned c : targets) all &= linux.handle_irq(c) == std::vector<std::uint32_t>{3};
        t.check(all && irq_cpus(gic).empty(), "IPI: each target acknowledges SGI 3 once");
        linux.send_ipi_all_but_self(0, 5);
        std::vector<unsigned> others;
        for (unsigned c = 1; c < cpus; ++c) others.push_back(c);
        t.check(irq_cpus(gic) == others, "IPI: IRM=1 reaches every CPU but the sender");
        all = true;
        for (unsigned c : others) all &= linux.handle_irq(c) == std::vector<std::uint32_t>{5};
        t.check(all && irq_cpus(gic).empty(), "IPI: broadcast completed everywhere");
        // 1-of-N: exactly one participating CPU takes an IRM=1 SPI.
        linux.set_one_of_n(0, spi);
        gic.set_spi_level(spi, true);
        const std::vector<unsigned> taker = irq_cpus(gic);
        t.check(taker.size() == 1, "SPI 40 with IRM=1: exactly one CPU signalled (" + cpu_list(taker) + ")");
        if (taker.size() == 1)
            t.check(linux.handle_irq(taker[0], [&](std::uint32_t) { gic.set_spi_level(spi, false); }) ==
                        std::vector<std::uint32_t>{spi},
                    "SPI 40 with IRM=1: that CPU acknowledges it");
    }
    t.check(irq_cpus(gic).empty() && bus.bad_accesses() == 0 && linux.errors().empty(), "idle again, no bad access");
    if (trace)
        for (const auto& a : bus.log()) std::printf("    %s\n", a.describe().c_str());
}

void usage(FILE* out) {
    std::fprintf(out,
                 "usage: vgic-conformance [--gic v2|v3] [--cpus N]... [--split-eoi] [--trace]\n"
                 "  --gic V      only the Linux GICv2 or only the GICv3 driver (default: both)\n"
                 "  --cpus N     run on N CPUs (v2: 1..8, v3: 1..4096); repeatable;\n"
                 "               default v2: 1 and 4, v3: 1, 4 and 64\n"
                 "  --cpus-per-cluster K  GICv3 topology: Aff0 = cpu %% K, Aff1 = cpu / K (1..256; default 16)\n"
                 "  --split-eoi  Linux with EOImode=1 (EOIR then DIR)\n"
                 "  --trace      print every register access the driver made\n");
}

} // namespace

int main(int argc, char** argv) {
    std::vector<unsigned> cpu_counts;
    bool split = false, trace = false, want_v2 = true, want_v3 = true;
    unsigned per_cluster = 16;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--gic") {
            const std::string v = i + 1 < argc ? argv[++i] : "";
            if (v == "v2") want_v3 = false;
            else if (v == "v3") want_v2 = false;
            else {
                std::fprintf(stderr, "vgic-conformance: --gic '%s': expected v2 or v3\n", v.c_str());
                return 2;
            }
        } else if (a == "--cpus") {
            if (i + 1 >= argc) { std::fprintf(stderr, "vgic-conformance: --cpus needs a value\n"); return 2; }
            char* end = nullptr;
            const long n = std::strtol(argv[++i], &end, 10);
            if (*end != '\0' || n < 1 || n > 4096) {
                std::fprintf(stderr, "vgic-conformance: --cpus '%s': expected a number in 1..4096\n", argv[i]);
                return 2;
            }
            cpu_counts.push_back(static_cast<unsigned>(n));
        } else if (a == "--cpus-per-cluster") {
            char* end = nullptr;
            const long k = i + 1 < argc ? std::strtol(argv[++i], &end, 10) : 0;
            if (end == nullptr || *end != '\0' || k < 1 || k > 256) {
                std::fprintf(stderr, "vgic-conformance: --cpus-per-cluster '%s': expected a number in 1..256\n",
                             i < argc ? argv[i] : "");
                return 2;
            }
            per_cluster = static_cast<unsigned>(k);
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
    for (unsigned n : cpu_counts)
        if (want_v2 && n > 8) {
            std::fprintf(stderr, "vgic-conformance: --cpus %u: GICv2 has at most 8 CPU interfaces (add --gic v3)\n", n);
            return 2;
        }
    Tally t;
    if (want_v2)
        for (unsigned n : cpu_counts.empty() ? std::vector<unsigned>{1, 4} : cpu_counts) run(n, split, trace, t);
    if (want_v3)
        for (unsigned n : cpu_counts.empty() ? std::vector<unsigned>{1, 4, 64} : cpu_counts) run_v3(n, per_cluster, split, trace, t);
    std::printf("conformance: %u passed, %u failed\n", t.passed, t.failed);
    return t.failed == 0 ? 0 : 1;
}
