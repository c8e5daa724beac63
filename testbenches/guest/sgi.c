// SPDX-License-Identifier: Apache-2.0
/* sgi: software-generated interrupts between all CPUs. In turn, each CPU sends SGI 1 to
 * itself, SGI 2 to a target list (the next two CPUs) and SGI 3 to all but itself; then all
 * CPUs send SGI 4 to all others at once. Every receiver counts what it takes per SGI; the
 * sender's identity is checked from GICC_IAR.CPUID on GICv2 and, on GICv3 (whose IAR has no
 * source), from the exact set of receivers each sender's ICC_SGI1R_EL1 write reached while
 * it alone was sending. With 1 CPU the lists collapse to CPU 0 and all-but-self reaches
 * nobody. */
#include "gic.h"

#define SGI_SELF 1
#define SGI_LIST 2
#define SGI_OTHERS 3
#define SGI_STORM 4
#define NCPU VGIC_BOARD_MAX_CPUS

static volatile uint32_t taken[NCPU][16];  /* per receiver, per SGI */
static volatile uint32_t source[NCPU][16]; /* GICv2: OR of 1 << GICC_IAR.CPUID */
static volatile uint32_t phase;            /* published by CPU 0: 1..n one sender, n+1 all, n+2 end */
static volatile uint32_t sent;             /* senders done with the current phase */
static volatile uint32_t stray;            /* INTIDs other than SGIs 1-4 */
static volatile uint32_t ready;            /* secondaries with their CPU interface up, IRQs unmasked */

static void sgi_handler(bool fiq) {
    (void)fiq;
    unsigned cpu = this_cpu();
    for (unsigned i = 0; i < 16; i++) {
        uint32_t iar = gic_iar();
        unsigned id = gic_intid(iar);
        if (id >= 1020) break;
        if (id >= SGI_SELF && id <= SGI_STORM) {
            taken[cpu][id]++;
            if (gic_version == 2) source[cpu][id] |= 1u << GICC_IAR_CPUID(iar);
        } else {
            atomic_add(&stray, 1);
        }
        gic_eoir(iar);
    }
}

static uint32_t list_for(unsigned sender, unsigned n) {
    return (1u << ((sender + 1) % n)) | (1u << ((sender + 2) % n));
}

static void send_phase(unsigned cpu, unsigned p, unsigned n) {
    if (p == cpu + 1) {
        gic_sgi_self(SGI_SELF);
        gic_sgi_list(SGI_LIST, list_for(cpu, n));
        gic_sgi_others(SGI_OTHERS);
        atomic_add(&sent, 1);
    } else if (p == n + 1) {
        gic_sgi_others(SGI_STORM);
        atomic_add(&sent, 1);
    }
}

static void enable_sgis(void) {
    for (unsigned id = SGI_SELF; id <= SGI_STORM; id++) gic_enable(id);
}

static void secondary(unsigned cpu) {
    gic_cpu_init();
    enable_sgis();
    irq_enable();
    atomic_add(&ready, 1);
    unsigned n = rt_ncpus, seen = 0;
    struct deadline d = deadline_in(50 * WAIT_TIMEOUT_TICKS);
    while (seen < n + 2 && !deadline_passed(&d)) {
        uint32_t p = phase;
        if (p == seen) continue;
        seen = p;
        send_phase(cpu, p, n);
    }
    irq_disable();
}

static unsigned total_taken(unsigned n, unsigned id) {
    unsigned s = 0;
    for (unsigned c = 0; c < n; c++) s += taken[c][id];
    return s;
}

/* Waits until the receivers took `want` of SGI id in total. */
static void settle(unsigned n, unsigned id, unsigned want) {
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    while (total_taken(n, id) < want && !deadline_passed(&d)) {
    }
}

static unsigned sum(unsigned n, unsigned id, const uint32_t before[NCPU][16]) {
    unsigned s = 0;
    for (unsigned c = 0; c < n; c++) s += before[c][id];
    return s;
}

/* Receivers (bits 0-7) that took SGI id exactly once since `before`; bit 8 + c marks CPU c
 * taking it more than once. */
static uint32_t receivers(unsigned n, unsigned id, const uint32_t before[NCPU][16]) {
    uint32_t m = 0;
    for (unsigned c = 0; c < n; c++) {
        uint32_t delta = taken[c][id] - before[c][id];
        if (delta == 1) m |= 1u << c;
        else if (delta > 1) m |= 1u << (8 + c);
    }
    return m;
}

int main(void) {
    gic_boot_cpu0("sgi");
    rt_irq_handler = sgi_handler;
    enable_sgis();
    unsigned n = smp_boot(secondary);
    check_true(SPEC_PSCI " 5.1.4 CPU_ON", wait_ge(&ready, n - 1),
               "all %u secondary CPUs brought their GIC CPU interface up", n - 1);
    irq_enable();
    const uint32_t all = (1u << n) - 1u;
    const char *rule_v2 = SPEC_V2 " 4.3.15 GICD_SGIR (TargetListFilter, CPUTargetList)";
    const char *rule_v3 = SPEC_V3 " 12.2 ICC_SGI1R_EL1 (TargetList, IRM)";
    const char *rule = gic_version == 2 ? rule_v2 : rule_v3;
    static uint32_t before[NCPU][16];

    for (unsigned sender = 0; sender < n; sender++) {
        memcpy(before, (const void *)taken, sizeof before);
        for (unsigned c = 0; c < n; c++)
            for (unsigned id = 0; id < 16; id++) source[c][id] = 0;
        uint32_t s0 = sent;
        phase = sender + 1;
        if (sender == 0) send_phase(0, phase, n);
        wait_ge(&sent, s0 + 1);
        uint32_t list = list_for(sender, n);
        settle(n, SGI_SELF, sum(n, SGI_SELF, before) + 1);
        settle(n, SGI_LIST, sum(n, SGI_LIST, before) + (unsigned)__builtin_popcount(list));
        settle(n, SGI_OTHERS, sum(n, SGI_OTHERS, before) + n - 1);
        delay_us(20); /* a duplicate delivery would show up by now */
        check_eq(rule, receivers(n, SGI_SELF, before), 1u << sender,
                 "CPU %u: SGI %u to itself is taken once, by itself only", sender, SGI_SELF);
        check_eq(rule, receivers(n, SGI_LIST, before), list,
                 "CPU %u: SGI %u to target list 0x%x is taken once by each listed CPU only", sender, SGI_LIST, list);
        check_eq(rule, receivers(n, SGI_OTHERS, before), all & ~(1u << sender),
                 "CPU %u: SGI %u to all but self is taken once by every other CPU", sender, SGI_OTHERS);
        if (gic_version == 2) {
            uint32_t bad = 0;
            for (unsigned c = 0; c < n; c++)
                for (unsigned id = SGI_SELF; id <= SGI_OTHERS; id++)
                    if (source[c][id] & ~(1u << sender)) bad |= 1u << c;
            check_eq(SPEC_V2 " 4.4.4 GICC_IAR.CPUID", bad, 0,
                     "CPU %u's SGIs report CPUID %u in every receiver's GICC_IAR (receivers in error as a mask)",
                     sender, sender);
        }
    }

    /* All CPUs at once: SGI 4 to all others. GICv2 keeps one pending bit per source CPU
     * (IHI 0048B 4.3.17 GICD_SPENDSGIR: pending state per SGI and source), so each CPU takes it
     * n-1 times, once per sender; GICv3 with affinity routing keeps one pending bit per SGI
     * (IHI 0069H 12.11 GICR_ISPENDR0), so concurrent SGIs may merge and each CPU takes it
     * between once and n-1 times. */
    memcpy(before, (const void *)taken, sizeof before);
    for (unsigned c = 0; c < n; c++) source[c][SGI_STORM] = 0;
    uint32_t s0 = sent;
    phase = n + 1;
    send_phase(0, phase, n);
    wait_ge(&sent, s0 + n);
    settle(n, SGI_STORM, sum(n, SGI_STORM, before) + (gic_version == 2 ? n * (n - 1) : (n > 1 ? n : 0)));
    delay_us(20);
    for (unsigned c = 0; c < n; c++) {
        uint32_t got = taken[c][SGI_STORM] - before[c][SGI_STORM];
        if (gic_version == 2) {
            check_eq(SPEC_V2 " 4.3.17 GICD_SPENDSGIR (per-source pending)", got, n - 1,
                     "CPU %u takes all-but-self SGI %u once per other sender", c, SGI_STORM);
            check_eq(SPEC_V2 " 4.4.4 GICC_IAR.CPUID", source[c][SGI_STORM], all & ~(1u << c),
                     "CPU %u sees every other CPU as a source of SGI %u", c, SGI_STORM);
        } else {
            check_true(SPEC_V3 " 12.2 ICC_SGI1R_EL1 (IRM = 1)", n == 1 ? got == 0 : got >= 1 && got <= n - 1,
                       "CPU %u takes concurrent all-but-self SGI %u between once and %u times (got %u)", c,
                       SGI_STORM, n - 1, got);
        }
    }
    check_eq(SPEC_V2 " 2.2.1 / " SPEC_V3 " 2.2 (INTID ranges)", stray, 0, "no INTID other than SGIs 1-4 was taken");
    phase = n + 2;
    irq_disable();
    finish("sgi");
}
