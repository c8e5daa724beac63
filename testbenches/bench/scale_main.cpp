// SPDX-License-Identifier: Apache-2.0
// vgic_scale: how a GICv3 model grows with the number of CPUs (docs/PERFORMANCE.md
// "GICv3 scale"). For each CPU count it builds a hw-mode GICv3 with 988 SPIs, boots it with
// the Linux GICv3 driver model, and prints heap bytes per CPU, construction and boot time, and the
// wall time of an SGI broadcast to every other CPU and of one routed SPI round trip. Heap
// bytes come from glibc's mallinfo2 (bytes in use), each count measured in a fresh child
// process, so they are exact and repeatable.
//   build/testbenches/bench/vgic_scale [N ...]        (default: 1 8 64 256 512 4096)
#include "guest/linux_gicv3_driver.hpp"
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/model/vm_gic.hpp"

#include <malloc.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {
/// Bytes in use on the heap (glibc's allocator statistics: exact for this process).
std::size_t heap_in_use() { return mallinfo2().uordblks; }
} // namespace

namespace {

using Clock = std::chrono::steady_clock;
double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

struct Row {
    unsigned cpus;
    double bytes_per_cpu;
    double construct_us, boot_us, broadcast_us, spi_us;
    double vm_bytes_per_vcpu;
    double vm_broadcast_us;
};

/// vm mode: heap per vCPU of a GICv3 VmGic, and an SGI broadcast (ICC_SGI1R_EL1 with IRM=1,
/// a trap) from vCPU 0 to every other running vCPU, each taking and completing it.
void measure_vm(Row& r) {
    namespace sr = vgic::gicv3::sysreg;
    namespace gicr = vgic::gicv3::gicr;
    const unsigned n = r.cpus;
    vgic::GicConfig cfg;
    cfg.version = vgic::GicVersion::V3;
    cfg.num_cpus = n;
    cfg.num_spis = 988;
    const std::size_t before = heap_in_use();
    auto vm = std::make_unique<vgic::VmGic>(cfg);
    r.vm_bytes_per_vcpu = static_cast<double>(heap_in_use() - before) / n;
    vm->write_distributor(0, vgic::gicv3::gicd::CTLR, 4, 0x2);
    for (unsigned v = 0; v < n; ++v) {
        vm->write_redistributor(v, v * gicr::kStride + gicr::WAKER, 4, 0);
        vm->write_redistributor(v, v * gicr::kStride + gicr::kSgiBase + gicr::IGROUPR0, 4, ~0u);
        vm->write_redistributor(v, v * gicr::kStride + gicr::kSgiBase + gicr::ISENABLER0, 4, 0xFF);
        vm->write_sysreg(v, sr::ICC_PMR_EL1, 0xF0);
        vm->write_sysreg(v, sr::ICC_IGRPEN1_EL1, 1);
        vm->vcpu_entry(v);
    }
    const int rounds = n >= 512 ? 3 : 20;
    const auto t0 = Clock::now();
    for (int k = 0; k < rounds; ++k) {
        vm->write_sysreg(0, sr::ICC_SGI1R_EL1, (std::uint64_t{1} << 40) | (std::uint64_t{1} << 24));
        vm->service_kicks();
        for (unsigned v = 1; v < n; ++v) {
            const std::uint64_t iar = vm->read_sysreg(v, sr::ICC_IAR1_EL1).value;
            if (iar != 1) std::fprintf(stderr, "vgic_scale: vCPU %u read IAR1 %llu, expected SGI 1\n", v,
                                       static_cast<unsigned long long>(iar));
            vm->write_sysreg(v, sr::ICC_EOIR1_EL1, iar);
        }
        vm->service_kicks();
    }
    r.vm_broadcast_us = us_since(t0) / rounds;
}

Row measure(unsigned cpus) {
    namespace sr = vgic::gicv3::sysreg;
    Row r{};
    r.cpus = cpus;
    vgic::GicConfig cfg;
    cfg.version = vgic::GicVersion::V3;
    cfg.num_cpus = cpus;
    cfg.num_spis = 988;
    const std::size_t before = heap_in_use();
    auto t0 = Clock::now();
    auto gic = std::make_unique<vgic::Gic>(cfg);
    r.construct_us = us_since(t0);
    r.bytes_per_cpu = static_cast<double>(heap_in_use() - before) / cpus;

    vgic::guest::Gicv3ModelBus bus(*gic);
    std::vector<std::uint64_t> mpidr;
    for (unsigned c = 0; c < cpus; ++c) mpidr.push_back(cfg.mpidr_of(c));
    vgic::guest::LinuxGicv3Driver linux(bus, mpidr);
    t0 = Clock::now();
    if (!linux.probe(0)) std::fprintf(stderr, "vgic_scale: probe failed on %u CPUs\n", cpus);
    linux.distributor_init(0);
    for (unsigned c = 0; c < cpus; ++c) {
        linux.cpu_init(c);
        linux.enable_ipis(c);
    }
    r.boot_us = us_since(t0);
    if (!linux.errors().empty() || bus.bad_accesses() != 0)
        std::fprintf(stderr, "vgic_scale: boot on %u CPUs reported problems\n", cpus);

    // SGI 1 to all but CPU 0, then every target acknowledges and completes it.
    t0 = Clock::now();
    const int rounds = cpus >= 512 ? 3 : 20;
    for (int k = 0; k < rounds; ++k) {
        linux.send_ipi_all_but_self(0, 1);
        for (unsigned c = 1; c < cpus; ++c) linux.handle_irq(c);
    }
    r.broadcast_us = us_since(t0) / rounds;

    // A level SPI routed to the last CPU: line high, IAR1, line low, EOIR1.
    const unsigned target = cpus - 1;
    linux.set_affinity(0, 100, target);
    linux.unmask(0, 100);
    t0 = Clock::now();
    const int n = 20000;
    for (int k = 0; k < n; ++k) {
        gic->set_spi_level(100, true);
        const std::uint64_t iar = gic->read_sysreg(target, sr::ICC_IAR1_EL1).value;
        gic->set_spi_level(100, false);
        gic->write_sysreg(target, sr::ICC_EOIR1_EL1, iar);
    }
    r.spi_us = us_since(t0) / n;
    measure_vm(r);
    return r;
}

} // namespace

int main(int argc, char** argv) {
    std::vector<unsigned> counts;
    for (int i = 1; i < argc; ++i) {
        char* end = nullptr;
        const long v = std::strtol(argv[i], &end, 10);
        if (*end != '\0' || v < 1 || v > 4096) {
            std::fprintf(stderr, "vgic_scale: '%s': expected a CPU count in 1..4096\n", argv[i]);
            return 2;
        }
        counts.push_back(static_cast<unsigned>(v));
    }
    if (counts.empty()) counts = {1, 8, 64, 256, 512, 4096};
    std::printf("GICv3, 988 SPIs. hw: Linux GICv3 driver boot on every CPU; vm: every vCPU running\n");
    std::printf("| CPUs | hw heap bytes / CPU | construct | boot (all CPUs) | SGI to all others + acks | routed SPI round trip "
                "| vm heap bytes / vCPU | vm SGI broadcast (trap, kicks, acks) |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    std::fflush(stdout);
    for (unsigned c : counts) {
        // Each count in a fresh child process: glibc's bytes-in-use figure counts chunks cached
        // by earlier frees (tcache, fastbins), so a measurement must not follow another.
        const pid_t pid = fork();
        if (pid < 0) {
            std::perror("vgic_scale: fork");
            return 1;
        }
        if (pid > 0) {
            int status = 0;
            waitpid(pid, &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
            continue;
        }
        const Row r = measure(c);
        std::printf("| %u | %.0f | %.0f us | %.0f us | %.1f us | %.0f ns | %.0f | %.1f us |\n", r.cpus, r.bytes_per_cpu,
                    r.construct_us, r.boot_us, r.broadcast_us, r.spi_us * 1000, r.vm_bytes_per_vcpu, r.vm_broadcast_us);
        std::fflush(stdout);
        _exit(0);
    }
    return 0;
}
