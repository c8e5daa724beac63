// SPDX-License-Identifier: Apache-2.0
// vgic_platform_bench: the latency platform of `vgic-sim run` as a benchmark (roadmap step 7,
// docs/PERFORMANCE.md "Platform throughput"). SystemC runs one simulation per process, so
// every run happens in a forked child that reports back through a pipe; each configuration
// runs `reps` times and the table shows medians.
//   default   the built-in default scenario (vgic::run::default_scenario()): simulated seconds
//             per wall second and interrupts per wall second;
//   v3 N      one GICv3 VM in vm mode with N vCPUs on N/4 pCPUs, 250 Hz periodic timer on every
//             vCPU, `ms` simulated milliseconds: wall time per simulated millisecond and peak
//             RSS per vCPU (child's getrusage ru_maxrss minus that of an empty child, / N).
// Wall time is measured around run_platform (elaboration, boot and simulation); "steady" is
// (wall at 5 x ms - wall at ms) / (4 x ms): the cost of a simulated millisecond without the
// elaboration and the Linux boot (O(N^2) redistributor walk with GICv3).
//   build-bench/testbenches/bench/vgic_platform_bench [--reps R] [--ms MS] [N ...]
//   (default: --reps 5 --ms 20  8 64 256 512)
#include "run/platform.hpp"
#include "run/scenario.hpp"

#include <systemc>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

namespace {

struct Sample {
    int ok = 0;
    double wall_s = 0;
    double simulated_s = 0;
    double interrupts = 0;
    double maxrss_kb = 0;
};

double maxrss_kb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_maxrss);  // KiB on Linux
}

std::string v3_scenario(unsigned vcpus, unsigned ms) {
    const unsigned pcpus = std::max(1u, vcpus / 4);
    std::string y;
    y += "name: v3-" + std::to_string(vcpus) + "\n";
    y += "duration: " + std::to_string(ms) + " ms\n";
    y += "seed: 1\n";
    y += "pcpus: " + std::to_string(pcpus) + "\n";
    y += "scheduler:\n  slice: 1 ms\n  wfi: block\n";
    y += "vms:\n";
    y += "  - name: vm0\n    gic: v3\n    mode: vm\n";
    y += "    vcpus: " + std::to_string(vcpus) + "\n";
    y += "    guest:\n      boot: true\n      timer: { mode: periodic, rate: 250 Hz }\n";
    return y;
}

/// kind 0: empty child (RSS baseline); 1: default scenario; 2: GICv3 with `vcpus`.
Sample child_run(int kind, unsigned vcpus, unsigned ms) {
    Sample s;
    if (kind == 0) {
        s.ok = 1;
        s.maxrss_kb = maxrss_kb();
        return s;
    }
    const vgic::run::Scenario sc = kind == 1 ? vgic::run::default_scenario()
                                             : vgic::run::parse_scenario(v3_scenario(vcpus, ms), "<vgic_platform_bench>");
    const auto t0 = std::chrono::steady_clock::now();
    const vgic::run::RunRecord r = vgic::run::run_platform(sc);
    s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    s.simulated_s = static_cast<double>(r.simulated_ps) * 1e-12;
    s.interrupts = static_cast<double>(r.interrupts.size());
    s.maxrss_kb = maxrss_kb();
    s.ok = 1;
    return s;
}

/// Runs child_run in a fresh process.
Sample forked(int kind, unsigned vcpus, unsigned ms) {
    int fd[2];
    if (pipe(fd) != 0) {
        std::perror("vgic_platform_bench: pipe");
        std::exit(1);
    }
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid < 0) {
        std::perror("vgic_platform_bench: fork");
        std::exit(1);
    }
    if (pid == 0) {
        close(fd[0]);
        Sample s;
        try {
            s = child_run(kind, vcpus, ms);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "vgic_platform_bench: %s\n", e.what());
        }
        const ssize_t n = write(fd[1], &s, sizeof s);
        _exit(n == static_cast<ssize_t>(sizeof s) && s.ok ? 0 : 1);
    }
    close(fd[1]);
    Sample s;
    const ssize_t n = read(fd[0], &s, sizeof s);
    close(fd[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (n != static_cast<ssize_t>(sizeof s) || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !s.ok) {
        std::fprintf(stderr, "vgic_platform_bench: run failed (kind %d, %u vCPUs)\n", kind, vcpus);
        std::exit(1);
    }
    return s;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Series {
    std::vector<double> wall, sim, irqs, rss;
    void add(const Sample& s) {
        wall.push_back(s.wall_s);
        sim.push_back(s.simulated_s);
        irqs.push_back(s.interrupts);
        rss.push_back(s.maxrss_kb);
    }
};

unsigned parse_uint(const char* text, unsigned lo, unsigned hi, const char* what) {
    char* end = nullptr;
    const long v = std::strtol(text, &end, 10);
    if (*text == '\0' || *end != '\0' || v < static_cast<long>(lo) || v > static_cast<long>(hi)) {
        std::fprintf(stderr, "vgic_platform_bench: '%s': expected %s in %u..%u\n", text, what, lo, hi);
        std::exit(2);
    }
    return static_cast<unsigned>(v);
}

} // namespace

int sc_main(int argc, char** argv) {
    unsigned reps = 5, ms = 20;
    std::vector<unsigned> counts;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            reps = parse_uint(argv[++i], 1, 1000, "a repetition count");
        } else if (std::strcmp(argv[i], "--ms") == 0 && i + 1 < argc) {
            ms = parse_uint(argv[++i], 1, 100000, "simulated milliseconds");
        } else {
            counts.push_back(parse_uint(argv[i], 1, 4096, "a vCPU count"));
        }
    }
    if (counts.empty()) counts = {8, 64, 256, 512};

    Series base;
    for (unsigned k = 0; k < reps; ++k) base.add(forked(0, 0, 0));
    const double base_kb = median(base.rss);

    Series def;
    for (unsigned k = 0; k < reps; ++k) def.add(forked(1, 0, 0));
    const double dw = median(def.wall), ds = median(def.sim), di = median(def.irqs);
    std::printf("Default scenario (built-in, %u runs, medians; wall = elaboration + boot + simulation)\n\n", reps);
    std::printf("| simulated | interrupts | wall time | simulated s per wall s | interrupts per wall s | peak RSS |\n");
    std::printf("|---|---|---|---|---|---|\n");
    std::printf("| %.3f s | %.0f | %.1f ms | %.2f | %.0f | %.1f MB |\n\n", ds, di, dw * 1e3, ds / dw, di / dw,
                median(def.rss) / 1024.0);
    std::fflush(stdout);

    std::printf("GICv3, one VM in vm mode, N vCPUs on N/4 pCPUs, 250 Hz timer, %u ms simulated "
                "(%u runs, medians; empty-process RSS %.1f MB subtracted)\n\n",
                ms, reps, base_kb / 1024.0);
    std::printf("| vCPUs | pCPUs | interrupts | wall time | wall per simulated ms | steady wall per simulated ms "
                "| interrupts per wall s | peak RSS | RSS per vCPU |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    std::fflush(stdout);
    for (unsigned n : counts) {
        Series s;
        for (unsigned k = 0; k < reps; ++k) s.add(forked(2, n, ms));
        Series twice;  // the same at 5x the duration: the difference is the cost of simulating
        for (unsigned k = 0; k < reps; ++k) twice.add(forked(2, n, 5 * ms));
        const double w = median(s.wall), sim_ms = median(s.sim) * 1e3, irq = median(s.irqs), rss = median(s.rss);
        const double steady = (median(twice.wall) - w) * 1e3 / (median(twice.sim) * 1e3 - sim_ms);
        std::printf("| %u | %u | %.0f | %.1f ms | %.3f ms | %.3f ms | %.0f | %.1f MB | %.1f KB |\n", n,
                    std::max(1u, n / 4), irq, w * 1e3, w * 1e3 / sim_ms, steady, irq / w, rss / 1024.0,
                    (rss - base_kb) / n);
        std::fflush(stdout);
    }
    return 0;
}
