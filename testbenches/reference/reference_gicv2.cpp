// SPDX-License-Identifier: Apache-2.0
// Reference GICv2 (IHI 0048B, no Security Extensions). See reference_gicv2.hpp.
#include "reference_gicv2.hpp"

namespace ref {

ReferenceGicv2::ReferenceGicv2(const RefConfig& cfg)
    : cfg_(cfg), priv_(cfg.num_cpus), spi_(cfg.num_spis), cpu_(cfg.num_cpus) {
    for (auto& bank : priv_)
        for (unsigned i = 0; i < 32; ++i) bank[i].edge = i < 16;  // SGIs edge; PPIs reset level
    const unsigned min_bpr = 7 - pre_bits();
    for (auto& c : cpu_) {
        c.bpr = min_bpr;
        c.abpr = min_bpr + 1;
    }
}

ReferenceGicv2::Irq& ReferenceGicv2::irq_of(unsigned cpu, unsigned intid) {
    return intid < 32 ? priv_[cpu][intid] : spi_[intid - 32];
}
const ReferenceGicv2::Irq& ReferenceGicv2::irq_of(unsigned cpu, unsigned intid) const {
    return intid < 32 ? priv_[cpu][intid] : spi_[intid - 32];
}

bool ReferenceGicv2::pending(const Irq& q) const {
    if (q.sgi_src) return true;
    return q.latch || (!q.edge && q.line);
}

std::uint8_t ReferenceGicv2::prio_mask() const {
    return static_cast<std::uint8_t>(0xFF00u >> cfg_.priority_bits);
}
std::uint32_t ReferenceGicv2::level_mask() const {
    return pre_bits() >= 5 ? 0xFFFFFFFFu : (1u << (1u << pre_bits())) - 1;
}
unsigned ReferenceGicv2::pre_bits() const { return cfg_.priority_bits < 7 ? cfg_.priority_bits : 7; }

// IHI 0048B 3.3.3: Group 0 (and Group 1 with CBPR) use GICC_BPR value N: group priority
// [7:N+1]; Group 1 uses GICC_ABPR value N: group priority [7:N].
std::uint8_t ReferenceGicv2::group_mask(const Cpu& c, bool group1) const {
    if (group1 && !(c.ctlr & (1u << 4))) return static_cast<std::uint8_t>(0xFFu << c.abpr);
    return static_cast<std::uint8_t>(0xFFu << (c.bpr + 1));
}

unsigned ReferenceGicv2::running_priority(const Cpu& c) const {
    const std::uint32_t all = c.apr0 | c.apr1;
    for (unsigned k = 0; k < 32; ++k)
        if (all & (1u << k)) return k << (8 - pre_bits());
    return 0xFF;
}

unsigned ReferenceGicv2::best(unsigned cpu, bool cpu_enables) const {
    const Cpu& c = cpu_[cpu];
    unsigned found = kNone;
    unsigned found_prio = 0x100;
    for (unsigned id = 0; exists(id); ++id) {
        const Irq& q = irq_of(cpu, id);
        if (!q.enabled || q.active || !pending(q)) continue;
        if (id >= 32 && !(q.targets & (1u << cpu))) continue;
        const unsigned g = q.group1 ? 1 : 0;
        if (!(gicd_ctlr_ & (1u << g))) continue;
        if (cpu_enables && !(c.ctlr & (1u << g))) continue;
        if (q.prio < found_prio) {
            found = id;
            found_prio = q.prio;
        }
    }
    return found;
}

unsigned ReferenceGicv2::signalled(unsigned cpu) const {
    const unsigned id = best(cpu, true);
    if (id == kNone) return kNone;
    const Cpu& c = cpu_[cpu];
    const Irq& q = irq_of(cpu, id);
    if (q.prio >= c.pmr) return kNone;
    if ((q.prio & group_mask(c, q.group1)) >= running_priority(c)) return kNone;
    return id;
}

bool ReferenceGicv2::irq(unsigned cpu) const {
    const unsigned id = signalled(cpu);
    if (id == kNone) return false;
    return irq_of(cpu, id).group1 || !(cpu_[cpu].ctlr & (1u << 3));
}
bool ReferenceGicv2::fiq(unsigned cpu) const {
    const unsigned id = signalled(cpu);
    if (id == kNone) return false;
    return !irq_of(cpu, id).group1 && (cpu_[cpu].ctlr & (1u << 3));
}

std::uint32_t ReferenceGicv2::with_source(unsigned cpu, unsigned intid) const {
    if (intid >= 16) return intid;
    const std::uint8_t src = irq_of(cpu, intid).sgi_src;
    for (unsigned s = 0; s < 8; ++s)
        if (src & (1u << s)) return intid | (s << 10);
    return intid;
}

std::uint32_t ReferenceGicv2::acknowledge(unsigned cpu, bool alias) {
    const unsigned id = signalled(cpu);
    if (id == kNone) return kNone;
    Cpu& c = cpu_[cpu];
    Irq& q = irq_of(cpu, id);
    if (alias && !q.group1) return kNone;
    if (!alias && q.group1 && !(c.ctlr & (1u << 2))) return 1022;
    const std::uint32_t value = with_source(cpu, id);
    if (id < 16)
        q.sgi_src = static_cast<std::uint8_t>(q.sgi_src & ~(1u << (value >> 10)));
    else
        q.latch = false;
    q.active = true;
    const unsigned level = (q.prio & group_mask(c, q.group1)) >> (8 - pre_bits());
    (q.group1 ? c.apr1 : c.apr0) |= 1u << level;
    return value;
}

void ReferenceGicv2::end_of_interrupt(unsigned cpu, std::uint32_t value, bool alias) {
    const unsigned id = value & 0x3FF;
    if (!exists(id)) return;
    Cpu& c = cpu_[cpu];
    Irq& q = irq_of(cpu, id);
    if (!q.active) return;
    if (alias && !q.group1) return;
    const std::uint32_t all = c.apr0 | c.apr1;
    if (!all) return;
    unsigned k = 0;
    while (!(all & (1u << k))) ++k;
    const std::uint32_t bit = 1u << k;
    if ((c.apr0 & bit) && (c.apr1 & bit))
        (q.group1 ? c.apr1 : c.apr0) &= ~bit;
    else if (c.apr0 & bit)
        c.apr0 &= ~bit;
    else
        c.apr1 &= ~bit;
    if (!(c.ctlr & (1u << 9))) q.active = false;
}

void ReferenceGicv2::deactivate(unsigned cpu, std::uint32_t value) {
    const unsigned id = value & 0x3FF;
    if (!exists(id) || !(cpu_[cpu].ctlr & (1u << 9))) return;
    irq_of(cpu, id).active = false;
}

std::uint32_t ReferenceGicv2::read_gicd(unsigned cpu, std::uint32_t off, unsigned size) {
    if (size == 1) {
        const std::uint32_t word = read_gicd(cpu, off & ~3u, 4);
        return (word >> (8 * (off & 3))) & 0xFF;
    }
    const unsigned n = cfg_.num_cpus;
    if (off == 0x000) return gicd_ctlr_;
    if (off == 0x004) return ((32 + cfg_.num_spis + 31) / 32 - 1) | ((n - 1) << 5);
    if (off == 0x008) return cfg_.gicd_iidr;
    auto bits = [&](std::uint32_t base, auto pred) {
        const unsigned first = (off - base) * 8;
        std::uint32_t v = 0;
        for (unsigned b = 0; b < 32; ++b)
            if (exists(first + b) && pred(irq_of(cpu, first + b))) v |= 1u << b;
        return v;
    };
    if (off >= 0x080 && off < 0x100) return bits(0x080, [](const Irq& q) { return q.group1; });
    if (off >= 0x100 && off < 0x200)
        return bits(off < 0x180 ? 0x100 : 0x180, [](const Irq& q) { return q.enabled; });
    if (off >= 0x200 && off < 0x300)
        return bits(off < 0x280 ? 0x200 : 0x280, [&](const Irq& q) { return pending(q); });
    if (off >= 0x300 && off < 0x400)
        return bits(off < 0x380 ? 0x300 : 0x380, [](const Irq& q) { return q.active; });
    if (off >= 0x400 && off < 0x7FC) {
        std::uint32_t v = 0;
        for (unsigned b = 0; b < 4; ++b) {
            const unsigned id = (off - 0x400) + b;
            if (exists(id)) v |= std::uint32_t(irq_of(cpu, id).prio) << (8 * b);
        }
        return v;
    }
    if (off >= 0x800 && off < 0xBFC) {
        if (n == 1) return 0;
        std::uint32_t v = 0;
        for (unsigned b = 0; b < 4; ++b) {
            const unsigned id = (off - 0x800) + b;
            if (!exists(id)) continue;
            const std::uint32_t t = id < 32 ? (1u << cpu) : irq_of(cpu, id).targets;
            v |= t << (8 * b);
        }
        return v;
    }
    if (off >= 0xC00 && off < 0xD00) {
        std::uint32_t v = 0;
        for (unsigned b = 0; b < 16; ++b) {
            const unsigned id = (off - 0xC00) * 4 + b;
            if (exists(id) && irq_of(cpu, id).edge) v |= 2u << (2 * b);
        }
        return v;
    }
    if (off >= 0xE00 && off < 0xF00) return 0;  // NSACR
    if (off >= 0xF10 && off < 0xF30) {
        const unsigned first = off & 0xC;
        std::uint32_t v = 0;
        for (unsigned b = 0; b < 4; ++b) v |= std::uint32_t(irq_of(cpu, first + b).sgi_src) << (8 * b);
        return v;
    }
    return 0;
}

void ReferenceGicv2::write_gicd(unsigned cpu, std::uint32_t off, unsigned size, std::uint32_t value) {
    const unsigned n = cfg_.num_cpus;
    const std::uint8_t cpu_mask = static_cast<std::uint8_t>((1u << n) - 1);
    if (size == 1 && off >= 0xF10 && off < 0xF30) {
        write_gicd(cpu, off & ~3u, 4, (value & 0xFF) << (8 * (off & 3)));
        return;
    }
    if (off >= 0x400 && off < 0x7FC + 4 && off < 0x800) {
        for (unsigned b = 0; b < size; ++b) {
            const unsigned id = (off - 0x400) + b;
            if (exists(id))
                irq_of(cpu, id).prio = static_cast<std::uint8_t>((value >> (8 * b)) & prio_mask());
        }
        return;
    }
    if (off >= 0x800 && off < 0xC00) {
        if (n == 1) return;
        for (unsigned b = 0; b < size; ++b) {
            const unsigned id = (off - 0x800) + b;
            if (exists(id) && id >= 32)
                irq_of(cpu, id).targets = static_cast<std::uint8_t>((value >> (8 * b)) & cpu_mask);
        }
        return;
    }
    if (off == 0x000) {
        gicd_ctlr_ = value & 3;
        return;
    }
    auto each = [&](std::uint32_t base, auto fn) {
        const unsigned first = (off - base) * 8;
        for (unsigned b = 0; b < 32; ++b)
            if (exists(first + b)) fn(first + b, irq_of(cpu, first + b), (value >> b) & 1u);
    };
    if (off >= 0x080 && off < 0x100) {
        each(0x080, [](unsigned, Irq& q, bool v) { q.group1 = v; });
    } else if (off >= 0x100 && off < 0x180) {
        each(0x100, [](unsigned, Irq& q, bool v) { if (v) q.enabled = true; });
    } else if (off >= 0x180 && off < 0x200) {
        each(0x180, [](unsigned, Irq& q, bool v) { if (v) q.enabled = false; });
    } else if (off >= 0x200 && off < 0x280) {
        each(0x200, [](unsigned id, Irq& q, bool v) { if (v && id >= 16) q.latch = true; });
    } else if (off >= 0x280 && off < 0x300) {
        each(0x280, [](unsigned id, Irq& q, bool v) { if (v && id >= 16) q.latch = false; });
    } else if (off >= 0x300 && off < 0x380) {
        each(0x300, [](unsigned, Irq& q, bool v) { if (v) q.active = true; });
    } else if (off >= 0x380 && off < 0x400) {
        each(0x380, [](unsigned, Irq& q, bool v) { if (v) q.active = false; });
    } else if (off >= 0xC00 && off < 0xD00) {
        if (off == 0xC00) return;  // SGIs: always edge
        for (unsigned b = 0; b < 16; ++b) {
            const unsigned id = (off - 0xC00) * 4 + b;
            if (exists(id)) irq_of(cpu, id).edge = (value >> (2 * b + 1)) & 1u;
        }
    } else if (off == 0xF00) {
        const unsigned sgi = value & 0xF;
        const unsigned filter = (value >> 24) & 3;
        std::uint32_t targets = 0;
        if (filter == 0) targets = (value >> 16) & cpu_mask;
        else if (filter == 1) targets = cpu_mask & ~(1u << cpu);
        else if (filter == 2) targets = 1u << cpu;
        for (unsigned t = 0; t < n; ++t)
            if (targets & (1u << t)) priv_[t][sgi].sgi_src |= static_cast<std::uint8_t>(1u << cpu);
    } else if (off >= 0xF10 && off < 0xF30) {
        const bool set = off >= 0xF20;
        const unsigned first = off & 0xC;
        for (unsigned b = 0; b < 4; ++b) {
            const std::uint8_t bitsv = static_cast<std::uint8_t>((value >> (8 * b)) & cpu_mask);
            Irq& q = priv_[cpu][first + b];
            q.sgi_src = set ? static_cast<std::uint8_t>(q.sgi_src | bitsv)
                            : static_cast<std::uint8_t>(q.sgi_src & ~bitsv);
        }
    }
}

std::uint32_t ReferenceGicv2::read_gicc(unsigned cpu, std::uint32_t off) {
    Cpu& c = cpu_[cpu];
    switch (off) {
    case 0x000: return c.ctlr;
    case 0x004: return c.pmr;
    case 0x008: return c.bpr;
    // GICv2 without Security Extensions: ABPR is plain storage; CBPR only changes which
    // binary point governs Group 1 preemption (the BPR1 aliasing is GICv3 / NS-BPR only).
    case 0x01C: return c.abpr;
    case 0x00C: return acknowledge(cpu, false);
    case 0x020: return acknowledge(cpu, true);
    case 0x014: return running_priority(c);
    case 0x018: {
        const unsigned id = best(cpu, false);
        if (id == kNone) return kNone;
        if (irq_of(cpu, id).group1 && !(c.ctlr & (1u << 2))) return 1022;
        return with_source(cpu, id);
    }
    case 0x028: {
        const unsigned id = best(cpu, false);
        if (id == kNone || !irq_of(cpu, id).group1) return kNone;
        return with_source(cpu, id);
    }
    case 0x0D0: return c.apr0;
    case 0x0E0: return c.apr1;
    case 0x0FC: return cfg_.gicc_iidr;
    default: return 0;  // APR1-3, NSAPR1-3 with <= 5 preemption bits
    }
}

void ReferenceGicv2::write_gicc(unsigned cpu, std::uint32_t off, std::uint32_t value) {
    Cpu& c = cpu_[cpu];
    const unsigned min_bpr = 7 - pre_bits();
    switch (off) {
    case 0x000: c.ctlr = value & 0x3FF; break;
    case 0x004: c.pmr = value & prio_mask(); break;
    case 0x008: c.bpr = (value & 7) < min_bpr ? min_bpr : (value & 7); break;
    case 0x01C:
        c.abpr = (value & 7) < min_bpr + 1 ? min_bpr + 1 : (value & 7);
        break;
    case 0x010: end_of_interrupt(cpu, value, false); break;
    case 0x024: end_of_interrupt(cpu, value, true); break;
    case 0x1000: deactivate(cpu, value); break;
    // APR0 / NSAPR0: bit k = preemption level k active (32 levels with 5 priority bits).
    case 0x0D0: c.apr0 = value & level_mask(); break;
    case 0x0E0: c.apr1 = value & level_mask(); break;
    default: break;
    }
}

void ReferenceGicv2::set_ppi_level(unsigned cpu, unsigned intid, bool level) {
    Irq& q = priv_[cpu][intid];
    if (q.edge && level && !q.line) q.latch = true;
    q.line = level;
}

void ReferenceGicv2::set_spi_level(unsigned intid, bool level) {
    Irq& q = spi_[intid - 32];
    if (q.edge && level && !q.line) q.latch = true;
    q.line = level;
}

} // namespace ref
