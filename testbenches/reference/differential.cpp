// SPDX-License-Identifier: Apache-2.0
// Differential test: vgic::Gic (GICv2, 4 CPUs, 64 SPIs, 5 priority bits, no virtualization)
// against the independent reference (reference_gicv2.hpp) on random sequences of register
// accesses, input-line changes and acknowledge/EOI pairs. After every step every read value
// and every CPU's IRQ/FIQ level are compared. A divergence is shrunk (steps dropped while it
// still diverges) and printed, and the test fails.
//
// Usage: vgic-reference-differential [sequences [steps [seed]]]
#include "reference_gicv2.hpp"

#include "vgic/model/gic.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr unsigned kCpus = 4;
constexpr unsigned kSpis = 64;
constexpr unsigned kPrioBits = 5;
constexpr unsigned kIntids = 32 + kSpis;

// AckAny: IAR (off 0x00C) or AIAR (0x020) read by the first CPU from `cpu` on (wrapping)
// whose IRQ or FIQ line the real model drives high, else by `cpu`: resolved when run.
enum class Kind { ReadD, WriteD, ReadC, WriteC, Ppi, Spi, EoiLast, AckAny };

struct Step {
    Kind kind;
    unsigned cpu = 0;
    std::uint32_t off = 0;
    unsigned size = 4;
    std::uint32_t value = 0;  // write value / line level / EoiLast: 0 EOIR, 1 AEOIR, 2 DIR
};

std::string describe(const Step& s) {
    char buf[160];
    switch (s.kind) {
    case Kind::ReadD: std::snprintf(buf, sizeof buf, "cpu %u GICD read  off 0x%03X size %u", s.cpu, s.off, s.size); break;
    case Kind::WriteD: std::snprintf(buf, sizeof buf, "cpu %u GICD write off 0x%03X size %u value 0x%08X", s.cpu, s.off, s.size, s.value); break;
    case Kind::ReadC: std::snprintf(buf, sizeof buf, "cpu %u GICC read  off 0x%04X", s.cpu, s.off); break;
    case Kind::WriteC: std::snprintf(buf, sizeof buf, "cpu %u GICC write off 0x%04X value 0x%08X", s.cpu, s.off, s.value); break;
    case Kind::Ppi: std::snprintf(buf, sizeof buf, "cpu %u PPI %u level %u", s.cpu, s.off, s.value); break;
    case Kind::Spi: std::snprintf(buf, sizeof buf, "SPI %u level %u", s.off, s.value); break;
    case Kind::AckAny:
        std::snprintf(buf, sizeof buf, "%s read by the first CPU from %u on with IRQ/FIQ high", s.off == 0x00C ? "IAR" : "AIAR", s.cpu);
        break;
    case Kind::EoiLast:
        std::snprintf(buf, sizeof buf, "cpu %u (or the next with one) %s of the last value it acknowledged", s.cpu,
                      s.value == 0 ? "EOIR" : s.value == 1 ? "AEOIR" : "DIR");
        break;
    }
    return buf;
}

/// Coverage counters over all runs (printed at the end; not reset by shrinking).
struct Coverage {
    std::uint64_t acks = 0, nested_acks = 0, spurious_1022 = 0, irq_steps = 0, fiq_steps = 0;
} g_cov;

struct Divergence {
    bool found = false;
    std::size_t step = 0;
    std::string what;
};

/// Runs `steps` on a fresh model and reference; the first divergence, if any.
Divergence run(const std::vector<Step>& steps) {
    vgic::GicConfig cfg;
    cfg.version = vgic::GicVersion::V2;
    cfg.num_cpus = kCpus;
    cfg.num_spis = kSpis;
    cfg.priority_bits = kPrioBits;
    cfg.virt.enabled = false;
    vgic::Gic gic(cfg);
    ref::RefConfig rc;
    rc.num_cpus = kCpus;
    rc.num_spis = kSpis;
    rc.priority_bits = kPrioBits;
    ref::ReferenceGicv2 model_ref(rc);
    std::vector<std::vector<std::uint32_t>> acked(kCpus);  // per CPU, from the real model

    char buf[200];
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const Step& orig = steps[i];
        bool is_read = false;
        std::uint32_t expected = 0;
        vgic::AccessResult got;
        Step resolved = orig;
        const Step& s = resolved;
        if (orig.kind == Kind::EoiLast) {
            for (unsigned k = 0; k < kCpus; ++k) {
                const unsigned c = (orig.cpu + k) % kCpus;
                if (!acked[c].empty()) {
                    resolved.cpu = c;
                    break;
                }
            }
        }
        if (orig.kind == Kind::AckAny) {
            resolved.kind = Kind::ReadC;
            for (unsigned k = 0; k < kCpus; ++k) {
                const unsigned c = (orig.cpu + k) % kCpus;
                if (gic.line(c, vgic::Line::Irq) || gic.line(c, vgic::Line::Fiq)) {
                    resolved.cpu = c;
                    break;
                }
            }
        }
        switch (s.kind) {
        case Kind::AckAny: break;
        case Kind::ReadD:
            is_read = true;
            got = gic.read_distributor(s.cpu, s.off, s.size);
            expected = model_ref.read_gicd(s.cpu, s.off, s.size);
            break;
        case Kind::WriteD:
            got = gic.write_distributor(s.cpu, s.off, s.size, s.value);
            model_ref.write_gicd(s.cpu, s.off, s.size, s.value);
            break;
        case Kind::ReadC:
            is_read = true;
            got = gic.read_cpu_interface(s.cpu, s.off, 4);
            expected = model_ref.read_gicc(s.cpu, s.off);
            if ((s.off == 0x00C || s.off == 0x020) && (got.value & 0x3FF) < 1020) {
                if (!acked[s.cpu].empty()) ++g_cov.nested_acks;
                ++g_cov.acks;
                acked[s.cpu].push_back(static_cast<std::uint32_t>(got.value));
            }
            if (s.off == 0x00C && got.value == 1022) ++g_cov.spurious_1022;
            break;
        case Kind::WriteC:
            got = gic.write_cpu_interface(s.cpu, s.off, 4, s.value);
            model_ref.write_gicc(s.cpu, s.off, s.value);
            break;
        case Kind::Ppi:
            gic.set_ppi_level(s.cpu, s.off, s.value != 0);
            model_ref.set_ppi_level(s.cpu, s.off, s.value != 0);
            break;
        case Kind::Spi:
            gic.set_spi_level(s.off, s.value != 0);
            model_ref.set_spi_level(s.off, s.value != 0);
            break;
        case Kind::EoiLast: {
            auto& stack = acked[s.cpu];
            const std::uint32_t v = stack.empty() ? 1023 : stack.back();
            if (!stack.empty() && s.value != 2) stack.pop_back();
            const std::uint32_t off = s.value == 0 ? 0x010 : s.value == 1 ? 0x024 : 0x1000;
            got = gic.write_cpu_interface(s.cpu, off, 4, v);
            model_ref.write_gicc(s.cpu, off, v);
            break;
        }
        }
        if (s.kind != Kind::Ppi && s.kind != Kind::Spi && !got.ok())
            return {true, i, "model answered a bad access (status not Ok)"};
        if (is_read && got.value != expected) {
            std::snprintf(buf, sizeof buf, "read: expected 0x%08X got 0x%08llX", expected,
                          static_cast<unsigned long long>(got.value));
            return {true, i, buf};
        }
        for (unsigned c = 0; c < kCpus; ++c) {
            const bool mi = gic.line(c, vgic::Line::Irq), ri = model_ref.irq(c);
            const bool mf = gic.line(c, vgic::Line::Fiq), rf = model_ref.fiq(c);
            g_cov.irq_steps += mi;
            g_cov.fiq_steps += mf;
            if (mi != ri || mf != rf) {
                std::snprintf(buf, sizeof buf, "cpu %u lines: expected IRQ %d FIQ %d, got IRQ %d FIQ %d", c,
                              ri, rf, mi, mf);
                return {true, i, buf};
            }
        }
    }
    return {};
}

class Generator {
public:
    explicit Generator(std::uint64_t seed) : rng_(seed) {}

    std::vector<Step> sequence(unsigned length) {
        std::vector<Step> steps;
        if (chance(90)) prologue(steps);
        for (unsigned i = 0; i < length; ++i) steps.push_back(step());
        return steps;
    }

private:
    std::mt19937_64 rng_;
    unsigned below(unsigned n) { return static_cast<unsigned>(rng_() % n); }
    bool chance(unsigned percent) { return below(100) < percent; }
    std::uint32_t word() { return static_cast<std::uint32_t>(rng_()); }
    std::uint32_t sparse() {
        switch (below(4)) {
        case 0: return 1u << below(32);
        case 1: return word() & word() & word();
        case 2: return word();
        default: return chance(50) ? 0xFFFFFFFFu : 0u;
        }
    }
    std::uint32_t prio_byte() {
        static const std::uint8_t common[] = {0x00, 0x08, 0x10, 0x40, 0x78, 0x80, 0xA0, 0xF0, 0xF8};
        return chance(70) ? common[below(sizeof common)] : below(256);
    }
    unsigned intid() {
        switch (below(3)) {
        case 0: return below(16);
        case 1: return 16 + below(16);
        default: return 32 + below(kSpis + 4);  // a few beyond the implemented ones
        }
    }
    unsigned ppi() {
        unsigned p;
        do p = 16 + below(16); while (p == 25);  // avoid the maintenance PPI
        return p;
    }

    // Makes interrupts deliverable: group enables, PMR, enables, groups, priorities, targets.
    void prologue(std::vector<Step>& steps) {
        steps.push_back({Kind::WriteD, below(kCpus), 0x000, 4, chance(80) ? 3u : below(4)});
        for (unsigned c = 0; c < kCpus; ++c) {
            if (chance(10)) continue;
            const std::uint32_t ctlr = chance(60) ? 3u : (3u | (below(2) << 2) | (below(2) << 3) | (below(2) << 4) | (below(2) << 9));
            steps.push_back({Kind::WriteC, c, 0x000, 4, chance(90) ? ctlr : below(1024)});
            steps.push_back({Kind::WriteC, c, 0x004, 4, chance(70) ? 0xFFu : prio_byte()});
            if (chance(30)) steps.push_back({Kind::WriteC, c, 0x008, 4, below(8)});
            if (chance(30)) steps.push_back({Kind::WriteC, c, 0x01C, 4, below(8)});
        }
        for (unsigned w = 0; w < 3; ++w) {
            if (chance(85)) steps.push_back({Kind::WriteD, w == 0 ? below(kCpus) : 0, 0x100 + 4 * w, 4, chance(60) ? 0xFFFFFFFFu : sparse()});
            if (chance(50)) steps.push_back({Kind::WriteD, w == 0 ? below(kCpus) : 0, 0x080 + 4 * w, 4, sparse()});
        }
        // Priorities: a few distinct levels so that preemption and nesting happen.
        static const std::uint32_t levels[] = {0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0, 0x08, 0x48};
        for (unsigned w = 0; w < kIntids / 4; ++w) {
            if (chance(40)) continue;
            std::uint32_t v = 0;
            for (unsigned b = 0; b < 4; ++b) v |= levels[below(10)] << (8 * b);
            steps.push_back({Kind::WriteD, w < 8 ? below(kCpus) : 0, 0x400 + 4 * w, 4, v});
        }
        for (unsigned w = 8; w < kIntids / 4; ++w) {
            if (chance(30)) continue;
            std::uint32_t v = 0;
            for (unsigned b = 0; b < 4; ++b) v |= (chance(60) ? 1u << below(kCpus) : below(16)) << (8 * b);
            steps.push_back({Kind::WriteD, 0, 0x800 + 4 * w, 4, v});
        }
        if (chance(40)) steps.push_back({Kind::WriteD, 0, 0xC04 + 4 * below(5), 4, sparse()});
    }

    Step gicd_read() {
        Step s{Kind::ReadD, below(kCpus)};
        switch (below(12)) {
        case 0: s.off = 4 * below(3); break;  // CTLR TYPER IIDR
        case 1: s.off = 0x080 + 4 * below(4); break;
        case 2: s.off = 0x100 + 0x80 * below(2) + 4 * below(4); break;
        case 3: s.off = 0x200 + 0x80 * below(2) + 4 * below(4); break;
        case 4: s.off = 0x300 + 0x80 * below(2) + 4 * below(4); break;
        case 5: s.off = 0x400 + intid(); s.size = chance(50) ? 1 : 4; break;
        case 6: s.off = 0x800 + intid(); s.size = chance(50) ? 1 : 4; break;
        case 7: s.off = 0xC00 + 4 * below(8); break;
        case 8: s.off = 0xF10 + 0x10 * below(2) + 4 * below(4); break;
        case 9: s.off = 0xF10 + 0x10 * below(2) + below(16); s.size = 1; break;
        case 10: s.off = 0xE00 + 4 * below(8); break;
        default: s.off = 0x200 + 4 * below(3); break;
        }
        if (s.size == 4) s.off &= ~3u;
        return s;
    }

    Step gicd_write() {
        Step s{Kind::WriteD, below(kCpus)};
        s.value = sparse();
        switch (below(14)) {
        case 0: s.off = 0x000; s.value = below(4); break;
        case 1: s.off = 0x080 + 4 * below(4); break;
        case 2: s.off = 0x100 + 0x80 * below(2) + 4 * below(4); break;
        case 3: s.off = 0x200 + 0x80 * below(2) + 4 * below(4); break;
        case 4: s.off = 0x300 + 0x80 * below(2) + 4 * below(4); break;
        case 5:
            s.off = 0x400 + intid();
            s.size = chance(50) ? 1 : 4;
            s.value = prio_byte() | prio_byte() << 8 | prio_byte() << 16 | prio_byte() << 24;
            break;
        case 6: s.off = 0x800 + intid(); s.size = chance(50) ? 1 : 4; break;
        case 7: s.off = 0xC00 + 4 * below(8); break;
        case 8: case 9: case 10:
            s.off = 0xF00;
            s.value = below(16) | (below(256) << 16) | ((chance(90) ? below(3) : 3u) << 24) |
                      (chance(10) ? 1u << 15 : 0u);
            break;
        case 11: s.off = 0xF10 + 0x10 * below(2) + 4 * below(4); break;
        case 12: s.off = 0xF10 + 0x10 * below(2) + below(16); s.size = 1; s.value &= 0xFF; break;
        default: s.off = 0x200 + 4 * below(3); s.value = 1u << below(32); break;
        }
        if (s.size == 4) s.off &= ~3u;
        if (s.size == 1) s.value &= 0xFF;
        return s;
    }

    Step gicc_read() {
        static const std::uint32_t offs[] = {0x000, 0x004, 0x008, 0x00C, 0x00C, 0x00C, 0x014, 0x018,
                                             0x01C, 0x020, 0x020, 0x028, 0x0D0, 0x0E0, 0x0D4, 0x0FC};
        return {Kind::ReadC, below(kCpus), offs[below(sizeof offs / sizeof offs[0])], 4, 0};
    }

    Step gicc_write() {
        Step s{Kind::WriteC, below(kCpus)};
        switch (below(10)) {
        case 9: s.off = chance(50) ? 0x0D0 : 0x0E0; s.value = chance(50) ? 1u << below(32) : sparse(); break;
        case 0: case 1: s.off = 0x000; s.value = chance(50) ? below(1024) : (below(4) | (below(2) << 9) | (below(2) << 2) | (below(2) << 3)); break;
        case 2: s.off = 0x004; s.value = chance(50) ? prio_byte() : 0xFF; break;
        case 3: s.off = 0x008; s.value = below(8); break;
        case 4: s.off = 0x01C; s.value = below(8); break;
        case 5: s.off = 0x010; s.value = intid() | (below(kCpus) << 10); break;
        case 6: s.off = 0x024; s.value = intid() | (below(kCpus) << 10); break;
        case 7: s.off = 0x1000; s.value = intid() | (below(kCpus) << 10); break;
        default: s.off = 0x004; s.value = 0xFF; break;
        }
        return s;
    }

    Step step() {
        const unsigned r = below(100);
        if (r < 14) return gicd_read();
        if (r < 32) return gicd_write();
        if (r < 42) return gicc_read();
        if (r < 48) return gicc_write();
        if (r < 56) return {Kind::Ppi, below(kCpus), ppi(), 4, below(2)};
        if (r < 68) return {Kind::Spi, 0, 32 + below(kSpis), 4, below(2)};
        if (r < 76) return {Kind::AckAny, below(kCpus), chance(75) ? 0x00Cu : 0x020u, 4, 0};
        if (r < 86) return {Kind::ReadC, below(kCpus), chance(70) ? 0x00Cu : 0x020u, 4, 0};
        return {Kind::EoiLast, below(kCpus), 0, 4, chance(70) ? 0u : below(3)};
    }
};

/// Delta debugging: drop chunks of steps while the sequence still diverges.
std::vector<Step> shrink(std::vector<Step> steps) {
    std::size_t chunk = steps.size() / 2;
    while (chunk >= 1) {
        bool removed = false;
        for (std::size_t start = 0; start < steps.size();) {
            std::vector<Step> trial;
            for (std::size_t i = 0; i < steps.size(); ++i)
                if (i < start || i >= start + chunk) trial.push_back(steps[i]);
            if (run(trial).found) {
                steps = trial;
                removed = true;
            } else {
                start += chunk;
            }
        }
        if (!removed) chunk /= 2;
    }
    // Truncate after the diverging step.
    const Divergence d = run(steps);
    steps.resize(d.step + 1);
    return steps;
}

} // namespace

int main(int argc, char** argv) {
    const unsigned long sequences = argc > 1 ? std::strtoul(argv[1], nullptr, 0) : 100000;
    const unsigned steps = argc > 2 ? static_cast<unsigned>(std::strtoul(argv[2], nullptr, 0)) : 30;
    const std::uint64_t seed = argc > 3 ? std::strtoull(argv[3], nullptr, 0) : 0x5EED2026;
    const auto t0 = std::chrono::steady_clock::now();
    std::uint64_t total_steps = 0;
    // Directed: both groups hold the same active level (an APR write); EOIR of the Group 1
    // interrupt must clear the Group 1 bit (MODEL.md "Priority drop"). Random sequences
    // almost never reach this.
    const std::vector<Step> directed = {
        {Kind::WriteD, 0, 0x000, 4, 3},          {Kind::WriteC, 0, 0x000, 4, 7},
        {Kind::WriteC, 0, 0x004, 4, 0xFF},       {Kind::WriteD, 0, 0x100, 4, 0xFFFF},
        {Kind::WriteD, 0, 0x080, 4, 0x2},        {Kind::WriteD, 0, 0x400, 4, 0x8000},
        {Kind::WriteD, 0, 0xF00, 4, 0x02000001}, {Kind::AckAny, 0, 0x00C, 4, 0},
        {Kind::WriteC, 0, 0x0D0, 4, 1u << 16},   {Kind::ReadC, 0, 0x0D0, 4, 0},
        {Kind::ReadC, 0, 0x0E0, 4, 0},           {Kind::EoiLast, 0, 0, 4, 0},
        {Kind::ReadC, 0, 0x0D0, 4, 0},           {Kind::ReadC, 0, 0x0E0, 4, 0},
        {Kind::ReadC, 0, 0x014, 4, 0},
    };
    if (const Divergence d = run(directed); d.found) {
        std::printf("DIVERGENCE in the directed same-level sequence:\n");
        for (std::size_t i = 0; i < directed.size(); ++i) std::printf("  %2zu: %s\n", i, describe(directed[i]).c_str());
        std::printf("  at step %zu: %s\n", d.step, d.what.c_str());
        return 1;
    }
    for (unsigned long n = 0; n < sequences; ++n) {
        Generator gen(seed + n * 0x9E3779B97F4A7C15ull);
        const std::vector<Step> seq = gen.sequence(steps);
        total_steps += seq.size();
        if (!run(seq).found) continue;
        const std::vector<Step> small = shrink(seq);
        const Divergence d = run(small);
        std::printf("DIVERGENCE in sequence %lu (seed 0x%llX), shrunk from %zu to %zu steps:\n", n,
                    static_cast<unsigned long long>(seed), seq.size(), small.size());
        for (std::size_t i = 0; i < small.size(); ++i) std::printf("  %2zu: %s\n", i, describe(small[i]).c_str());
        std::printf("  at step %zu: %s\n", d.step, d.what.c_str());
        return 1;
    }
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("reference.differential: %lu sequences, %llu steps, no divergence (%.1f s)\n", sequences,
                static_cast<unsigned long long>(total_steps), secs);
    std::printf("coverage: %llu acknowledges (%llu nested), %llu IAR 1022, CPU-steps with IRQ high %llu, FIQ high %llu\n",
                static_cast<unsigned long long>(g_cov.acks), static_cast<unsigned long long>(g_cov.nested_acks),
                static_cast<unsigned long long>(g_cov.spurious_1022), static_cast<unsigned long long>(g_cov.irq_steps),
                static_cast<unsigned long long>(g_cov.fiq_steps));
    return 0;
}
