// SPDX-License-Identifier: Apache-2.0
/* bringup: the GICv2 / GICv3 bring-up Linux performs (real-clients.md 1.1, 1.2) on every
 * CPU started through PSCI, then read-back checks of what the architecture fixes:
 * identification, TYPER against the CPU count, RO / RAZ/WI / byte-accessible fields, the
 * CPU interface state Linux leaves, and one SGI to self per CPU as a liveness probe. */
#include "gic.h"

#define LIVENESS_SGI 0
void rt_secondary_entry(void);
static volatile uint32_t secondaries_done;
static volatile uint32_t release; /* secondaries stay on (for AFFINITY_INFO) until set */
static volatile uint32_t live_iar[VGIC_BOARD_MAX_CPUS];
static volatile uint32_t live_active_after[VGIC_BOARD_MAX_CPUS];
static volatile uint32_t idle_iar[VGIC_BOARD_MAX_CPUS];
static volatile uint32_t idle_rpr[VGIC_BOARD_MAX_CPUS];
static volatile uint32_t pmr_after[VGIC_BOARD_MAX_CPUS];
static volatile uint32_t igrpen1[VGIC_BOARD_MAX_CPUS];
static volatile uint32_t probe_skipped[VGIC_BOARD_MAX_CPUS];

/* v3: a CPU whose redistributor the walk did not find has no SGI_base to reach its SGIs
 * and PPIs through; its per-CPU GIC work is skipped (reported by the checks) rather than
 * done through base 0. */
static bool rd_missing(unsigned cpu) { return gic_version == 3 && !gic_cpu_log[cpu].rd_found; }

/* Per CPU, with IRQs masked: idle CPU interface reads, then an SGI to self acknowledged by
 * polling IAR and EOId (EOImode 0: priority drop and deactivation). */
static void per_cpu_probe(unsigned cpu) {
    if (rd_missing(cpu)) {
        probe_skipped[cpu] = 1;
        return;
    }
    idle_rpr[cpu] = gic_rpr();
    idle_iar[cpu] = gic_intid(gic_iar());
    pmr_after[cpu] = gic_pmr();
    if (gic_version == 3) igrpen1[cpu] = (uint32_t)ICC_READ(ICC_IGRPEN1_EL1);
    gic_enable(LIVENESS_SGI);
    gic_sgi_self(LIVENESS_SGI);
    uint32_t iar = gic_poll_iar();
    live_iar[cpu] = iar;
    if (gic_intid(iar) < 1020) gic_eoir(iar);
    live_active_after[cpu] = gic_active(LIVENESS_SGI);
}

static void secondary(unsigned cpu) {
    gic_cpu_init();
    per_cpu_probe(cpu);
    atomic_add(&secondaries_done, 1);
    struct deadline d = deadline_in(10 * WAIT_TIMEOUT_TICKS);
    while (!release && !deadline_passed(&d)) {
    }
}

static void check_psci(unsigned n) {
    uint32_t v = (uint32_t)psci(VGIC_PSCI_VERSION, 0, 0, 0);
    check_eq(SPEC_PSCI " 5.1.1 PSCI_VERSION", v >> 16, 1, "PSCI_VERSION major is 1 (PSCI 1.0)");
    check_eq(SPEC_PSCI " 5.1.4 CPU_ON", (uint64_t)(int64_t)psci(VGIC_PSCI_CPU_ON_64, VGIC_BOARD_MPIDR(0), (uint64_t)(uintptr_t)rt_secondary_entry, 0),
             (uint64_t)(int64_t)VGIC_PSCI_ALREADY_ON, "CPU_ON of the running CPU 0 returns ALREADY_ON");
    for (unsigned cpu = 0; cpu < n; cpu++)
        check_eq(SPEC_PSCI " 5.1.5 AFFINITY_INFO", (uint64_t)(int64_t)psci(VGIC_PSCI_AFFINITY_INFO_64,
                                                                        VGIC_BOARD_MPIDR(cpu), 0, 0),
                 0, "AFFINITY_INFO of CPU %u is ON (0)", cpu);
    if (n < VGIC_BOARD_MAX_CPUS)
        check_eq(SPEC_PSCI " 5.1.5 AFFINITY_INFO",
                 (uint64_t)(int64_t)psci(VGIC_PSCI_AFFINITY_INFO_64, VGIC_BOARD_MPIDR(n), 0, 0),
                 (uint64_t)(int64_t)VGIC_PSCI_INVALID_PARAMETERS, "AFFINITY_INFO of absent CPU %u is INVALID_PARAMETERS",
                 n);
}

/* Priority fields implement the top k bits, k >= 4 (IHI 0048B 3.3: at least 16 levels;
 * IHI 0069 4.8: at least 16 with one Security state): writing 0xff reads 0xff << (8 - k). */
static bool is_priority_mask(uint32_t v) { return (v & 0xf0u) == 0xf0u && ((~v & 0xffu) & ((~v & 0xffu) + 1u)) == 0; }

static void check_common_distributor(unsigned n) {
    uint32_t spis = mmio_r32(VGIC_BOARD_INTGEN_BASE + VGIC_INTGEN_SPIS);
    check_true("docs/BOOT.md interrupt generator; IHI 0069H 12.9 / IHI 0048B 4.3.2 GICD_TYPER.ITLinesNumber",
               32u + spis <= gic_nlines, "the interrupt generator's %u SPIs fit the GIC's %u lines", spis,
               gic_nlines);
    /* IPRIORITYR is byte-accessible (IHI 0048B 4.3.11, IHI 0069H 12.9 GICD_IPRIORITYR). */
    uintptr_t word = VGIC_BOARD_GICD_BASE + GICD_IPRIORITYR + 32;
    mmio_w32(word, 0xa0a0a0a0u);
    mmio_w8(word + 1, 0x50);
    check_eq(SPEC_V2 " 4.3.11 / " SPEC_V3 " 12.9 GICD_IPRIORITYR (byte access)", mmio_r32(word), 0xa0a050a0u,
             "a byte store to GICD_IPRIORITYR of INTID 33 changes only that byte");
    mmio_w8(word + 2, 0xff);
    uint32_t pri = mmio_r8(word + 2);
    check_true(SPEC_V2 " 3.3 / " SPEC_V3 " 4.8 (implemented priority bits)", is_priority_mask(pri),
               "0xff stored to INTID 34's priority reads back as the implemented bits, >= 4 (got 0x%x)", pri);
    mmio_w32(word, 0xa0a0a0a0u);
    /* SPI trigger mode is programmable here (Linux treats a mismatch as an error). */
    uintptr_t icfgr = VGIC_BOARD_GICD_BASE + GICD_ICFGR + 8; /* INTIDs 32-47 */
    mmio_w32(icfgr, 0x2u << 2);                             /* INTID 33 edge */
    check_eq(SPEC_V2 " 4.3.13 / " SPEC_V3 " 12.9 GICD_ICFGR", mmio_r32(icfgr) & 0xcu, 0x8u,
             "GICD_ICFGR Int_config[1] of SPI 33 is writable (edge)");
    mmio_w32(icfgr, 0);
    (void)n;
}

static void check_v2(unsigned n) {
    const uintptr_t d = VGIC_BOARD_GICD_BASE, c = VGIC_BOARD_GICC_BASE;
    uint32_t typer = mmio_r32(d + GICD_TYPER);
    check_eq(SPEC_V2 " 4.3.2 GICD_TYPER.CPUNumber", GICD_TYPER_CPUNUMBER(typer), n - 1,
             "GICD_TYPER.CPUNumber is the number of CPU interfaces (%u CPUs came up via PSCI) - 1", n);
    check_eq(SPEC_V2 " 4.3.1 GICD_CTLR", mmio_r32(d + GICD_CTLR) & 1u, 1, "GICD_CTLR.Enable reads back 1");
    check_eq(SPEC_V2 " 4.4.14 GICC_IIDR.ArchitectureVersion", (mmio_r32(c + GICC_IIDR) >> 16) & 0xfu, 2,
             "GICC_IIDR.ArchitectureVersion is 2");
    note("GICD_IIDR 0x%08x, GICC_IIDR 0x%08x", mmio_r32(d + GICD_IIDR), mmio_r32(c + GICC_IIDR));
    /* ITARGETSR0-7 read as the reading CPU's own bit in each byte. A uniprocessor GIC makes
     * them RAZ (IHI 0048B 4.3.12); a 1-vCPU VM may still report bit 0 as KVM does. */
    for (unsigned cpu = 0; cpu < n; cpu++) {
        uint8_t m = gic_cpu_log[cpu].v2_cpu_mask;
        if (n == 1)
            check_true(SPEC_V2 " 4.3.12 GICD_ITARGETSR0-7", m == 0 || m == 1,
                       "uniprocessor: ITARGETSR0-7 are RAZ or CPU 0's bit (got 0x%x)", m);
        else
            check_eq(SPEC_V2 " 4.3.12 GICD_ITARGETSR0-7", m, 1u << cpu,
                     "CPU %u reads its own CPU-interface bit from ITARGETSR0-7", cpu);
    }
    /* SPI targets: bits of CPU interfaces that do not exist are RAZ/WI. */
    uintptr_t itargets8 = d + GICD_ITARGETSR + 32;
    uint32_t old = mmio_r32(itargets8);
    mmio_w32(itargets8, 0x8143a2ffu);
    uint32_t got = mmio_r32(itargets8);
    uint32_t implemented = ((1u << n) - 1u) * 0x01010101u;
    if (n == 1)
        check_true(SPEC_V2 " 4.3.12 GICD_ITARGETSR", got == 0 || got == (0x8143a2ffu & implemented),
                   "uniprocessor: ITARGETSR8 is RAZ/WI, or keeps CPU 0's bits as KVM does (got 0x%08x)", got);
    else
        check_eq(SPEC_V2 " 4.3.12 GICD_ITARGETSR", got, 0x8143a2ffu & implemented,
                 "ITARGETSR8 keeps only the bits of the %u implemented CPU interfaces", n);
    mmio_w32(itargets8, old);
    mmio_w8(itargets8 + 1, 1u << (n - 1));
    got = mmio_r8(itargets8 + 1);
    check_true(SPEC_V2 " 4.3.12 GICD_ITARGETSR (byte access)", got == (1u << (n - 1)) || (n == 1 && got == 0),
               "a byte store targets SPI 33 at CPU %u alone (got 0x%x)", n - 1, got);
    mmio_w32(itargets8, old);
    /* SGI Int_config is read-only 0b10 (edge). */
    mmio_w32(d + GICD_ICFGR, 0);
    check_eq(SPEC_V2 " 4.3.13 GICD_ICFGR0", mmio_r32(d + GICD_ICFGR), 0xaaaaaaaau,
             "GICD_ICFGR0 (SGIs) is read-only edge, 0xaaaaaaaa");
    /* SGI enables: IMPLEMENTATION DEFINED whether RAO/WI or programmable (IHI 0048B 4.3.5);
     * both are accepted, but a set must always read as set. */
    mmio_w32(d + GICD_ISENABLER, 0x0000ffffu);
    check_eq(SPEC_V2 " 4.3.5 GICD_ISENABLER0", mmio_r32(d + GICD_ISENABLER) & 0xffffu, 0xffffu,
             "SGI enable bits read 1 after GICD_ISENABLER0 = 0xffff");
    mmio_w32(d + GICD_ICENABLER, 1u << 15);
    uint32_t e = mmio_r32(d + GICD_ISENABLER) & 0xffffu;
    check_true(SPEC_V2 " 4.3.5 / 4.3.6 GICD_ICENABLER0", e == 0xffffu || e == 0x7fffu,
               "clearing SGI 15's enable leaves the others; it reads 1 (RAO/WI) or 0 (got 0x%x)", e);
    note("SGI enable bits are %s", e == 0xffffu ? "RAO/WI" : "programmable");
    mmio_w32(d + GICD_ICENABLER, 0xffffu);
    check_eq(SPEC_V2 " 4.4.1 GICC_CTLR", mmio_r32(c + GICC_CTLR) & 1u, 1,
             "GICC_CTLR.EnableGrp0 reads back 1 after Linux's CPU-interface enable");
}

static void check_v3(unsigned n) {
    const uintptr_t d = VGIC_BOARD_GICD_BASE;
    uint32_t ctlr = mmio_r32(d + GICD_CTLR);
    check_eq(SPEC_V3 " 12.9 GICD_CTLR (DS=1)", ctlr & (GICD_CTLR_V3_ARE | GICD_CTLR_V3_ENABLE_GRP1),
             GICD_CTLR_V3_ARE | GICD_CTLR_V3_ENABLE_GRP1, "GICD_CTLR.ARE and EnableGrp1 read back 1");
    check_eq(SPEC_V3 " 12.9 GICD_CTLR.DS", ctlr & GICD_CTLR_V3_DS, GICD_CTLR_V3_DS,
             "GICD_CTLR.DS is RAO with a single Security state");
    check_true(SPEC_V3 " 12.9 (GICD_CTLR.RWP)", gic_dist_rwp_ok, "GICD_CTLR.RWP cleared during bring-up");
    uint32_t typer = mmio_r32(d + GICD_TYPER);
    note("GICD_TYPER 0x%08x, GICD_IIDR 0x%08x", typer, mmio_r32(d + GICD_IIDR));
    /* Redistributors: the n frames from the region base, one per CPU that came up, each
     * naming its PE's affinity; GICR_TYPER.Last is 0 on frames 0..n-2 and 1 on frame n-1.
     * Frame n is never read: with n CPUs nothing need be mapped there. */
    uintptr_t base = VGIC_BOARD_GICR_BASE;
    unsigned count = 0;
    uint32_t seen_procnum = 0;
    int last_bad = -1; /* first frame whose Last is wrong */
    bool affinity_ok = true, procnum_unique = true, pidr_ok = true;
    for (; count < n; count++, base += VGIC_BOARD_GICR_STRIDE) {
        unsigned rev = (mmio_r32(base + GICR_PIDR2) >> 4) & 0xfu;
        if (rev != 3 && rev != 4) {
            pidr_ok = false;
            break;
        }
        uint64_t t = mmio_r64(base + GICR_TYPER);
        if (GICR_TYPER_AFFINITY(t) != (VGIC_BOARD_MPIDR(count) & 0xffffffu)) affinity_ok = false;
        unsigned p = GICR_TYPER_PROCNUM(t);
        if (p < 32) {
            if (seen_procnum & (1u << p)) procnum_unique = false;
            seen_procnum |= 1u << p;
        }
        bool last = (t & GICR_TYPER_LAST) != 0;
        if (last_bad < 0 && last != (count == n - 1)) last_bad = (int)count;
    }
    check_true(SPEC_V3 " 12.11 GICR_PIDR2", pidr_ok, "every redistributor reports ArchRev 3 or 4");
    if (last_bad < 0)
        check_true(SPEC_V3 " 12.11 GICR_TYPER.Last", pidr_ok,
                   "GICR_TYPER.Last is set on frame %u alone, the last of the %u frames (one per CPU)", n - 1, n);
    else
        check_true(SPEC_V3 " 12.11 GICR_TYPER.Last", false,
                   "GICR_TYPER.Last is clear on frames 0..n-2 and set on frame n-1 (%u CPUs): frame %d has Last = %u",
                   n, last_bad, last_bad == (int)n - 1 ? 0u : 1u);
    check_true(SPEC_V3 " 12.11 GICR_TYPER.Affinity_Value", affinity_ok,
               "redistributor i reports the affinity of MPIDR 0x80000000 | i");
    check_true(SPEC_V3 " 12.11 GICR_TYPER.Processor_Number", procnum_unique,
               "GICR_TYPER.Processor_Number values are distinct");
    for (unsigned cpu = 0; cpu < n; cpu++) {
        const struct gic_cpu_log *l = &gic_cpu_log[cpu];
        if (!check_true(SPEC_V3 " 12.11 GICR_TYPER", l->rd_found, "CPU %u found its redistributor by affinity", cpu))
            continue; /* nothing of its redistributor to check */
        /* hw mode: the board woke it as firmware does; vm mode: presented awake as KVM does;
         * either way the handshake ends with both bits clear. */
        check_true(SPEC_V3 " 12.11 GICR_WAKER", l->waker_ok && (l->waker_after & 6u) == 0,
                   "CPU %u: GICR_WAKER ProcessorSleep and ChildrenAsleep clear after the wake handshake "
                   "(got 0x%x)", cpu, l->waker_after);
        check_true(SPEC_V3 " 12.11 GICR_CTLR.RWP", l->rwp_ok, "CPU %u: GICR_CTLR.RWP cleared", cpu);
        check_eq(SPEC_V3 " 12.2 ICC_SRE_EL1.SRE", l->sre & 1u, 1, "CPU %u: ICC_SRE_EL1.SRE reads 1", cpu);
        check_true(SPEC_V3 " 12.2 ICC_CTLR_EL1.PRIbits", ICC_CTLR_PRIBITS(l->icc_ctlr) >= 4,
                   "CPU %u: ICC_CTLR_EL1.PRIbits reports >= 16 priority levels (0x%lx)", cpu,
                   (unsigned long)l->icc_ctlr);
        check_eq(SPEC_V3 " 12.2 ICC_IGRPEN1_EL1", igrpen1[cpu] & 1u, 1, "CPU %u: ICC_IGRPEN1_EL1.Enable reads 1",
                 cpu);
    }
    /* IROUTER holds Aff3.Aff2.Aff1.Aff0 and IRM; 32-bit ITARGETSR is RAZ/WI with ARE=1. */
    uintptr_t irouter = d + GICD_IROUTER + 8 * 40;
    uint64_t want = VGIC_BOARD_MPIDR(n - 1) & 0xffffffu;
    mmio_w64(irouter, want);
    check_eq(SPEC_V3 " 12.9.22 GICD_IROUTER", mmio_r64(irouter), want, "GICD_IROUTER40 reads back CPU %u's affinity",
             n - 1);
    if (!(typer & GICD_TYPER_NO1N)) {
        mmio_w64(irouter, GICD_IROUTER_IRM);
        check_eq(SPEC_V3 " 12.9.22 GICD_IROUTER.IRM", mmio_r64(irouter) & GICD_IROUTER_IRM, GICD_IROUTER_IRM,
                 "GICD_IROUTER40.IRM is writable (GICD_TYPER.No1N = 0)");
    }
    mmio_w64(irouter, 0);
    mmio_w32(d + GICD_ITARGETSR + 40, 0x01010101u);
    check_eq(SPEC_V3 " 12.9 GICD_ITARGETSR (ARE=1)", mmio_r32(d + GICD_ITARGETSR + 40), 0,
             "GICD_ITARGETSR is RAZ/WI with affinity routing");
    if (rd_missing(0)) return; /* CPU 0's SGI_base is unknown: reported above */
    uintptr_t sgi = gicr_sgi(0);
    check_eq(SPEC_V3 " 12.11 GICR_IGROUPR0", mmio_r32(sgi + GICD_IGROUPR), 0xffffffffu,
             "GICR_IGROUPR0 reads back all Group 1 (DS=1: RW)");
    mmio_w32(sgi + GICD_ICFGR, 0);
    check_eq(SPEC_V3 " 12.11 GICR_ICFGR0", mmio_r32(sgi + GICD_ICFGR), 0xaaaaaaaau,
             "GICR_ICFGR0 (SGIs) is read-only edge, 0xaaaaaaaa");
    mmio_w8(sgi + GICD_IPRIORITYR + 5, 0x60);
    check_eq(SPEC_V3 " 12.11 GICR_IPRIORITYR (byte access)", mmio_r32(sgi + GICD_IPRIORITYR + 4), 0xa0a060a0u,
             "a byte store to GICR_IPRIORITYR1 changes only SGI 5's priority");
    mmio_w8(sgi + GICD_IPRIORITYR + 5, GIC_LINUX_PRIORITY);
    /* As on GICv2, it is IMPLEMENTATION DEFINED whether SGIs are permanently enabled or
     * programmable through GICR_I[SC]ENABLER0; both are accepted, a set must read as set. */
    mmio_w32(sgi + GICD_ISENABLER, 1u << 14);
    check_eq(SPEC_V3 " 12.11 GICR_ISENABLER0", mmio_r32(sgi + GICD_ISENABLER) & (1u << 14), 1u << 14,
             "GICR_ISENABLER0 enables SGI 14");
    mmio_w32(sgi + GICD_ICENABLER, 1u << 14);
    gic_wait_rwp();
    uint32_t e = mmio_r32(sgi + GICD_ISENABLER) & 0xffffu;
    check_true(SPEC_V3 " 12.11 GICR_ICENABLER0", e == 0xffffu || (e & (1u << 14)) == 0,
               "GICR_ICENABLER0 disables SGI 14, or SGIs are permanently enabled (got 0x%x)", e);
}

int main(void) {
    gic_boot_cpu0("bringup");
    unsigned n = smp_boot(secondary);
    per_cpu_probe(0);
    wait_ge(&secondaries_done, n - 1);
    note("%u CPUs came up through PSCI CPU_ON", n);
    check_eq(SPEC_PSCI " 5.1.4 CPU_ON", secondaries_done, n - 1, "every CPU started by PSCI CPU_ON ran its bring-up");
    check_psci(n);
    release = 1;
    check_eq("docs/BOOT.md interrupt generator", mmio_r32(VGIC_BOARD_INTGEN_BASE + VGIC_INTGEN_ID),
             VGIC_INTGEN_ID_VALUE, "the interrupt generator identifies as VINT");
    check_common_distributor(n);
    if (gic_version == 2) check_v2(n);
    else check_v3(n);
    const char *iface = gic_version == 2 ? SPEC_V2 " 4.4" : SPEC_V3 " 12.2";
    for (unsigned cpu = 0; cpu < n; cpu++) {
        if (probe_skipped[cpu]) {
            check_true(iface, false, "CPU %u: CPU-interface probe skipped, its redistributor was not found", cpu);
            continue;
        }
        check_eq(iface, pmr_after[cpu], GIC_LINUX_PMR, "CPU %u: PMR reads back Linux's 0xf0", cpu);
        check_eq(iface, idle_rpr[cpu], GIC_IDLE_PRIORITY, "CPU %u: running priority is idle (0xff) with nothing active",
                 cpu);
        check_eq(iface, idle_iar[cpu], GIC_SPURIOUS, "CPU %u: IAR returns the spurious INTID 1023 with nothing pending",
                 cpu);
        check_eq(iface, gic_intid(live_iar[cpu]), LIVENESS_SGI, "CPU %u: an SGI to itself is acknowledged", cpu);
        if (gic_version == 2)
            check_eq(SPEC_V2 " 4.4.4 GICC_IAR.CPUID", GICC_IAR_CPUID(live_iar[cpu]), cpu,
                     "CPU %u: GICC_IAR.CPUID names itself as the SGI's source", cpu);
        check_eq(gic_version == 2 ? SPEC_V2 " 4.4.5 GICC_EOIR" : SPEC_V3 " 12.2 ICC_EOIR1_EL1",
                 live_active_after[cpu], 0, "CPU %u: EOI (EOImode 0) deactivates the SGI", cpu);
    }
    finish("bringup");
}
