// SPDX-License-Identifier: Apache-2.0
/* GIC helper layer (gic.h): Linux-order bring-up and per-INTID/CPU-interface accessors. */
#include "gic.h"

unsigned gic_version;
unsigned gic_nlines;
struct gic_cpu_log gic_cpu_log[VGIC_BOARD_MAX_CPUS];
bool gic_dist_rwp_ok = true;
static uintptr_t rd_base[VGIC_BOARD_MAX_CPUS];

#define D(off) (VGIC_BOARD_GICD_BASE + (off))
#define C(off) (VGIC_BOARD_GICC_BASE + (off))

unsigned gic_detect(void) {
    /* Linux (real-clients.md 1.2 step 1) accepts ArchRev 3 or 4 at GICD_PIDR2 (IHI 0069H
     * 12.9); a GICv2 (IHI 0048B 4.3.18, GIC-400) reports ArchRev 2 at 0xFE8. */
    unsigned rev3 = (mmio_r32(D(GICD_PIDR2_V3)) >> 4) & 0xf;
    if (rev3 == 3 || rev3 == 4) {
        gic_version = 3;
    } else {
        unsigned rev2 = (mmio_r32(D(GICD_PIDR2_V2)) >> 4) & 0xf;
        gic_version = rev2 == 2 ? 2 : 0;
    }
    uint32_t typer = mmio_r32(D(GICD_TYPER));
    gic_nlines = 32u * (GICD_TYPER_ITLINES(typer) + 1u);
    if (gic_nlines > 1020) gic_nlines = 1020;
    return gic_version;
}

static bool wait_clear32(uintptr_t addr, uint32_t mask) {
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    while (mmio_r32(addr) & mask)
        if (deadline_passed(&d)) return (mmio_r32(addr) & mask) == 0;
    return true;
}

void gic_wait_rwp(void) {
    if (gic_version != 3) return;
    if (!wait_clear32(D(GICD_CTLR), GICD_CTLR_V3_RWP)) gic_dist_rwp_ok = false;
    if (rd_base[this_cpu()] && !wait_clear32(gicr_rd(this_cpu()) + GICR_CTLR, GICR_CTLR_RWP))
        gic_cpu_log[this_cpu()].rwp_ok = false;
}

uint8_t gic_v2_cpu_mask(void) {
    /* Linux gic_get_cpumask: the first non-zero ITARGETSR0-7, bytes folded together. */
    uint32_t mask = 0;
    for (unsigned i = 0; i < 32 && !mask; i += 4) {
        mask = mmio_r32(D(GICD_ITARGETSR + i));
        mask |= mask >> 16;
        mask |= mask >> 8;
    }
    return (uint8_t)mask;
}

/* Linux gic_dist_config: SPIs level, priority 0xA0, deactivated and disabled. */
static void dist_config(void) {
    for (unsigned i = 32; i < gic_nlines; i += 16) mmio_w32(D(GICD_ICFGR + i / 4), 0);
    for (unsigned i = 32; i < gic_nlines; i += 4) mmio_w32(D(GICD_IPRIORITYR + i), 0xa0a0a0a0u);
    for (unsigned i = 32; i < gic_nlines; i += 32) {
        mmio_w32(D(GICD_ICACTIVER + i / 8), 0xffffffffu);
        mmio_w32(D(GICD_ICENABLER + i / 8), 0xffffffffu);
    }
}

void gic_dist_init(void) {
    if (gic_version == 2) {
        mmio_w32(D(GICD_CTLR), 0);
        uint32_t mask = gic_v2_cpu_mask();
        if (!mask) mask = 1; /* uniprocessor GIC: ITARGETSR RAZ/WI (IHI 0048B 4.3.12) */
        mask *= 0x01010101u;
        for (unsigned i = 32; i < gic_nlines; i += 4) mmio_w32(D(GICD_ITARGETSR + i), mask);
        dist_config();
        mmio_w32(D(GICD_CTLR), GICD_CTLR_ENABLE);
        return;
    }
    mmio_w32(D(GICD_CTLR), 0);
    if (!wait_clear32(D(GICD_CTLR), GICD_CTLR_V3_RWP)) gic_dist_rwp_ok = false;
    for (unsigned i = 32; i < gic_nlines; i += 32) mmio_w32(D(GICD_IGROUPR + i / 8), 0xffffffffu);
    dist_config();
    if (!wait_clear32(D(GICD_CTLR), GICD_CTLR_V3_RWP)) gic_dist_rwp_ok = false;
    mmio_w32(D(GICD_CTLR), GICD_CTLR_V3_ARE | GICD_CTLR_V3_ENABLE_GRP1 | GICD_CTLR_V3_ENABLE_GRP0);
    if (!wait_clear32(D(GICD_CTLR), GICD_CTLR_V3_RWP)) gic_dist_rwp_ok = false;
    uint64_t affinity = SYSREG_READ(mpidr_el1) & 0xffffffull; /* Aff2.Aff1.Aff0; Aff3 = 0 */
    for (unsigned n = 32; n < gic_nlines; n++) mmio_w64(D(GICD_IROUTER + 8 * n), affinity);
}

uintptr_t gicr_rd(unsigned cpu) { return rd_base[cpu]; }

/* Linux gic_populate_rdist: walk the redistributor region until GICR_TYPER.Last. */
static uintptr_t find_rd(uint32_t affinity) {
    uintptr_t base = VGIC_BOARD_GICR_BASE;
    for (unsigned i = 0; i < 4 * VGIC_BOARD_MAX_CPUS; i++, base += VGIC_BOARD_GICR_STRIDE) {
        unsigned rev = (mmio_r32(base + GICR_PIDR2) >> 4) & 0xf;
        if (rev != 3 && rev != 4) return 0;
        uint64_t typer = mmio_r64(base + GICR_TYPER);
        if (GICR_TYPER_AFFINITY(typer) == affinity) return base;
        if (typer & GICR_TYPER_LAST) return 0;
    }
    return 0;
}

void gic_cpu_init(void) {
    unsigned cpu = this_cpu();
    struct gic_cpu_log *log = &gic_cpu_log[cpu];
    if (gic_version == 2) {
        log->v2_cpu_mask = gic_v2_cpu_mask();
        mmio_w32(D(GICD_ICACTIVER), 0xffffffffu);
        mmio_w32(D(GICD_ICENABLER), 0xffffffffu);
        for (unsigned i = 0; i < 32; i += 4) mmio_w32(D(GICD_IPRIORITYR + i), 0xa0a0a0a0u);
        mmio_w32(C(GICC_PMR), GIC_LINUX_PMR);
        /* Linux clears the active priorities only on a GICv2 whose GICC_IIDR matches. */
        if ((mmio_r32(C(GICC_IIDR)) & 0x00ff0fffu) == 0x0002043bu)
            for (unsigned i = 0; i < 4; i++) mmio_w32(C(GICC_APR0 + 4 * i), 0);
        uint32_t bypass = mmio_r32(C(GICC_CTLR)) & 0x1e0u;
        mmio_w32(C(GICC_CTLR), bypass | GICC_CTLR_ENABLE_GRP0);
        log->done = true;
        return;
    }
    log->rwp_ok = true;
    uint64_t mpidr = SYSREG_READ(mpidr_el1);
    uint32_t affinity = (uint32_t)(mpidr & 0xffffffu) | (uint32_t)((mpidr >> 32) & 0xffu) << 24;
    rd_base[cpu] = find_rd(affinity);
    log->rd_found = rd_base[cpu] != 0;
    if (!rd_base[cpu]) {
        log->done = true;
        return;
    }
    uintptr_t rd = rd_base[cpu], sgi = rd + GICR_SGI_OFFSET;
    /* Wake (IHI 0069H 12.11 GICR_WAKER): clear ProcessorSleep, wait for ChildrenAsleep = 0. */
    uint32_t waker = mmio_r32(rd + GICR_WAKER);
    mmio_w32(rd + GICR_WAKER, waker & ~GICR_WAKER_PROCESSOR_SLEEP);
    log->waker_ok = wait_clear32(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP);
    log->waker_after = mmio_r32(rd + GICR_WAKER);
    mmio_w32(sgi + GICD_IGROUPR, 0xffffffffu);
    mmio_w32(sgi + GICD_ICACTIVER, 0xffffffffu);
    mmio_w32(sgi + GICD_ICENABLER, 0xffffffffu);
    for (unsigned i = 0; i < 32; i += 4) mmio_w32(sgi + GICD_IPRIORITYR + i, 0xa0a0a0a0u);
    if (!wait_clear32(rd + GICR_CTLR, GICR_CTLR_RWP)) log->rwp_ok = false;
    uint64_t sre = ICC_READ(ICC_SRE_EL1);
    if (!(sre & ICC_SRE_SRE)) {
        ICC_WRITE(ICC_SRE_EL1, sre | ICC_SRE_SRE);
        isb();
    }
    log->sre = ICC_READ(ICC_SRE_EL1);
    log->icc_ctlr = ICC_READ(ICC_CTLR_EL1);
    unsigned pribits = ICC_CTLR_PRIBITS(log->icc_ctlr);
    uint64_t pmr = ICC_READ(ICC_PMR_EL1);
    ICC_WRITE(ICC_PMR_EL1, 1u << (8 - pribits));
    log->group0_accessible = ICC_READ(ICC_PMR_EL1) != 0;
    ICC_WRITE(ICC_PMR_EL1, pmr);
    ICC_WRITE(ICC_PMR_EL1, GIC_LINUX_PMR);
    ICC_WRITE(ICC_BPR1_EL1, 0);
    ICC_WRITE(ICC_CTLR_EL1, 0);
    if (log->group0_accessible) ICC_WRITE(ICC_AP0R0_EL1, 0);
    ICC_WRITE(ICC_AP1R0_EL1, 0);
    if (pribits >= 6) ICC_WRITE(ICC_AP1R1_EL1, 0);
    if (pribits >= 7) {
        ICC_WRITE(ICC_AP1R2_EL1, 0);
        ICC_WRITE(ICC_AP1R3_EL1, 0);
    }
    isb();
    ICC_WRITE(ICC_IGRPEN1_EL1, 1);
    isb();
    log->done = true;
}

/* ---- Per-INTID registers ---- */
uintptr_t gic_reg(uint32_t offset, unsigned intid, unsigned bits_per_intid) {
    uintptr_t byte = (uintptr_t)intid * bits_per_intid / 8;
    if (gic_version == 3 && intid < 32) return gicr_sgi(this_cpu()) + offset + (byte & ~3ul);
    return D(offset) + (byte & ~3ul);
}
#define BIT(intid) (1u << ((intid) % 32))

void gic_enable(unsigned intid) { mmio_w32(gic_reg(GICD_ISENABLER, intid, 1), BIT(intid)); }
void gic_disable(unsigned intid) {
    mmio_w32(gic_reg(GICD_ICENABLER, intid, 1), BIT(intid));
    gic_wait_rwp(); /* Linux gic_mask_irq: the disable has taken effect once RWP clears */
}
bool gic_enabled(unsigned intid) { return mmio_r32(gic_reg(GICD_ISENABLER, intid, 1)) & BIT(intid); }
void gic_set_pending(unsigned intid) { mmio_w32(gic_reg(GICD_ISPENDR, intid, 1), BIT(intid)); }
void gic_clear_pending(unsigned intid) { mmio_w32(gic_reg(GICD_ICPENDR, intid, 1), BIT(intid)); }
bool gic_pending(unsigned intid) { return mmio_r32(gic_reg(GICD_ISPENDR, intid, 1)) & BIT(intid); }
void gic_set_active(unsigned intid) { mmio_w32(gic_reg(GICD_ISACTIVER, intid, 1), BIT(intid)); }
void gic_clear_active(unsigned intid) { mmio_w32(gic_reg(GICD_ICACTIVER, intid, 1), BIT(intid)); }
bool gic_active(unsigned intid) { return mmio_r32(gic_reg(GICD_ISACTIVER, intid, 1)) & BIT(intid); }

static uintptr_t priority_byte(unsigned intid) {
    if (gic_version == 3 && intid < 32) return gicr_sgi(this_cpu()) + GICD_IPRIORITYR + intid;
    return D(GICD_IPRIORITYR + intid);
}

bool gic_wait_pending(unsigned intid, bool want) {
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    while (gic_pending(intid) != want)
        if (deadline_passed(&d)) return gic_pending(intid) == want;
    return true;
}
void gic_set_priority(unsigned intid, uint8_t prio) { mmio_w8(priority_byte(intid), prio); }
uint8_t gic_priority(unsigned intid) { return mmio_r8(priority_byte(intid)); }

void gic_set_edge(unsigned intid, bool edge) {
    uintptr_t reg = gic_reg(GICD_ICFGR, intid, 2);
    uint32_t bit = 2u << (2 * (intid % 16));
    uint32_t v = mmio_r32(reg);
    mmio_w32(reg, edge ? v | bit : v & ~bit);
}

void gic_route(unsigned intid, unsigned cpu) {
    if (gic_version == 2) mmio_w8(D(GICD_ITARGETSR + intid), (uint8_t)(1u << cpu));
    else mmio_w64(D(GICD_IROUTER + 8 * intid), VGIC_BOARD_MPIDR(cpu) & 0xffffffull);
}
void gic_route_any(unsigned intid) {
    if (gic_version == 2) mmio_w8(D(GICD_ITARGETSR + intid), (uint8_t)((1u << rt_ncpus) - 1u));
    else mmio_w64(D(GICD_IROUTER + 8 * intid), GICD_IROUTER_IRM);
}

/* ---- SGIs ---- */
static void sgi1r(uint64_t v) {
    dsb(); /* Linux: DSB ISHST before the SGI so that the target sees earlier stores */
    ICC_WRITE(ICC_SGI1R_EL1, v);
    isb();
}
void gic_sgi_self(unsigned sgi) {
    if (gic_version == 2) {
        dsb();
        mmio_w32(D(GICD_SGIR), GICD_SGIR_FILTER_SELF | sgi);
    } else {
        sgi1r((uint64_t)sgi << 24 | (1u << this_cpu()));
    }
}
void gic_sgi_list(unsigned sgi, uint32_t cpu_mask) {
    if (gic_version == 2) {
        dsb();
        mmio_w32(D(GICD_SGIR), GICD_SGIR_FILTER_LIST | (cpu_mask & 0xffu) << 16 | sgi);
    } else {
        /* Aff3 = Aff2 = Aff1 = 0, RS = 0: TargetList bit n is Aff0 = n (board.h MPIDR). */
        sgi1r((uint64_t)sgi << 24 | (cpu_mask & 0xffffu));
    }
}
void gic_sgi_others(unsigned sgi) {
    if (gic_version == 2) {
        dsb();
        mmio_w32(D(GICD_SGIR), GICD_SGIR_FILTER_OTHERS | sgi);
    } else {
        sgi1r(ICC_SGI1R_IRM | (uint64_t)sgi << 24);
    }
}

/* ---- CPU interface ---- */
uint32_t gic_iar(void) {
    if (gic_version == 2) return mmio_r32(C(GICC_IAR));
    uint32_t v = (uint32_t)ICC_READ(ICC_IAR1_EL1);
    __asm__ volatile("dsb sy" ::: "memory"); /* Linux gic_read_iar: order the ack before the handler */
    return v;
}
void gic_eoir(uint32_t iar) {
    if (gic_version == 2) mmio_w32(C(GICC_EOIR), iar);
    else {
        ICC_WRITE(ICC_EOIR1_EL1, iar & 0xffffffu);
        isb();
    }
}
void gic_dir(uint32_t iar) {
    if (gic_version == 2) mmio_w32(C(GICC_DIR), iar);
    else {
        ICC_WRITE(ICC_DIR_EL1, iar & 0xffffffu);
        isb();
    }
}
uint32_t gic_hppir(void) {
    return gic_version == 2 ? mmio_r32(C(GICC_HPPIR)) : (uint32_t)ICC_READ(ICC_HPPIR1_EL1);
}
uint32_t gic_rpr(void) { return gic_version == 2 ? mmio_r32(C(GICC_RPR)) : (uint32_t)ICC_READ(ICC_RPR_EL1); }
void gic_set_pmr(uint32_t pmr) {
    if (gic_version == 2) mmio_w32(C(GICC_PMR), pmr);
    else {
        ICC_WRITE(ICC_PMR_EL1, pmr);
        isb();
    }
}
uint32_t gic_pmr(void) { return gic_version == 2 ? mmio_r32(C(GICC_PMR)) : (uint32_t)ICC_READ(ICC_PMR_EL1); }
void gic_set_bpr(uint32_t bpr) {
    if (gic_version == 2) mmio_w32(C(GICC_BPR), bpr);
    else {
        ICC_WRITE(ICC_BPR1_EL1, bpr);
        isb();
    }
}
uint32_t gic_bpr(void) { return gic_version == 2 ? mmio_r32(C(GICC_BPR)) : (uint32_t)ICC_READ(ICC_BPR1_EL1); }
void gic_set_eoimode(bool split) {
    if (gic_version == 2) {
        uint32_t v = mmio_r32(C(GICC_CTLR));
        mmio_w32(C(GICC_CTLR), split ? v | GICC_CTLR_EOIMODE : v & ~GICC_CTLR_EOIMODE);
    } else {
        uint64_t v = ICC_READ(ICC_CTLR_EL1);
        ICC_WRITE(ICC_CTLR_EL1, split ? v | ICC_CTLR_EOIMODE : v & ~(uint64_t)ICC_CTLR_EOIMODE);
        isb();
    }
}
bool gic_eoimode(void) {
    if (gic_version == 2) return mmio_r32(C(GICC_CTLR)) & GICC_CTLR_EOIMODE;
    return ICC_READ(ICC_CTLR_EL1) & ICC_CTLR_EOIMODE;
}

/* ---- Test scaffolding ---- */
void gic_boot_cpu0(const char *test) {
    unsigned v = gic_detect();
    note("guest-test %s on CPU %u: GICv%u, %u interrupt lines", test, this_cpu(), v, gic_nlines);
    if (!check_true("IHI 0069H 12.9 GICD_PIDR2 / IHI 0048B 4.3.18 ID registers (ArchRev)", v != 0,
                    "the distributor identifies as GICv2 or GICv3 (PIDR2.ArchRev)"))
        finish(test);
    gic_dist_init();
    gic_cpu_init();
}

uint32_t gic_poll_iar(void) {
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    for (;;) {
        uint32_t iar = gic_iar();
        if (gic_intid(iar) < 1020) return iar;
        if (deadline_passed(&d)) return GIC_SPURIOUS;
    }
}
