// SPDX-License-Identifier: Apache-2.0
/* spi: shared peripheral interrupts from the board's interrupt generator, across all CPUs.
 * Edge (PULSE) routed to each CPU in turn with GICD_ITARGETSR (v2) / GICD_IROUTER (v3);
 * an edge's pending state is one latch; a level SPI stays pending while its line is high,
 * even across GICD_ICPENDR, and is taken again after EOI while still high; 1-of-N routing
 * (v2: several ITARGETSR bits, v3: IROUTER.IRM = 1) hands each edge to exactly one CPU. */
#include "gic.h"

#define SPI_EDGE 40
#define SPI_LEVEL 41
#define SPI_ANY 42
#define SPI_LATCH 43
#define FIRST 40
#define COUNT 4
#define NCPU VGIC_BOARD_MAX_CPUS
#define RULE_ROUTE_V2 SPEC_V2 " 4.3.12 GICD_ITARGETSR"
#define RULE_ROUTE_V3 SPEC_V3 " 12.9.22 GICD_IROUTER"
#define RULE_EDGE SPEC_V2 " interrupt handling state machine / " SPEC_V3 " 4.1 (edge-triggered)"
#define RULE_LEVEL SPEC_V2 " interrupt handling state machine / " SPEC_V3 " 4.1 (level-sensitive)"

static volatile uint32_t taken[NCPU][COUNT];
static volatile uint32_t total[COUNT];
static volatile uint32_t level_clear_at; /* the handler lowers SPI_LEVEL once it took it this often */
static volatile uint32_t stray;
static volatile uint32_t ready; /* secondaries with their CPU interface up and IRQs unmasked */
static volatile uint32_t done;

static void spi_handler(bool fiq) {
    (void)fiq;
    unsigned cpu = this_cpu();
    for (unsigned i = 0; i < 16; i++) {
        uint32_t iar = gic_iar();
        unsigned id = gic_intid(iar);
        if (id >= 1020) break;
        if (id >= FIRST && id < FIRST + COUNT) {
            taken[cpu][id - FIRST]++;
            uint32_t t = atomic_add(&total[id - FIRST], 1) + 1;
            if (id == SPI_LEVEL && level_clear_at && t >= level_clear_at) {
                /* A driver quiets its device before EOI; wait until the GIC sees the line
                 * low so that the EOI cannot find it still pending. */
                intgen_write(VGIC_INTGEN_CLEAR, SPI_LEVEL);
                struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
                while (gic_pending(SPI_LEVEL) && !deadline_passed(&d)) {
                }
            }
        } else {
            atomic_add(&stray, 1);
        }
        gic_eoir(iar);
    }
}

static void secondary(unsigned cpu) {
    (void)cpu;
    gic_cpu_init();
    irq_enable();
    atomic_add(&ready, 1);
    struct deadline d = deadline_in(50 * WAIT_TIMEOUT_TICKS);
    while (!done && !deadline_passed(&d)) {
    }
    irq_disable();
}

/* CPUs (bits) that took SPI id exactly once since before[]; bit 8 + c: more than once. */
static uint32_t takers(unsigned n, unsigned id, const uint32_t before[NCPU][COUNT]) {
    uint32_t m = 0;
    for (unsigned c = 0; c < n; c++) {
        uint32_t delta = taken[c][id - FIRST] - before[c][id - FIRST];
        if (delta == 1) m |= 1u << c;
        else if (delta > 1) m |= 1u << (8 + c);
    }
    return m;
}

int main(void) {
    gic_boot_cpu0("spi");
    rt_irq_handler = spi_handler;
    uint32_t lines = mmio_r32(VGIC_BOARD_INTGEN_BASE + VGIC_INTGEN_SPIS);
    if (!check_true("docs/BOOT.md interrupt generator", 32 + lines >= FIRST + COUNT && FIRST + COUNT <= gic_nlines,
                    "the interrupt generator drives INTIDs %u-%u (%u SPI lines)", FIRST, FIRST + COUNT - 1, lines))
        finish("spi");
    unsigned n = smp_boot(secondary);
    check_true(SPEC_PSCI " 5.1.4 CPU_ON", wait_ge(&ready, n - 1),
               "all %u secondary CPUs brought their GIC CPU interface up", n - 1);
    const char *route_rule = gic_version == 2 ? RULE_ROUTE_V2 : RULE_ROUTE_V3;
    static uint32_t before[NCPU][COUNT];
    irq_enable();

    /* Edge SPI routed to each CPU in turn. */
    gic_set_edge(SPI_EDGE, true);
    gic_enable(SPI_EDGE);
    for (unsigned c = 0; c < n; c++) {
        gic_route(SPI_EDGE, c);
        memcpy(before, (const void *)taken, sizeof before);
        uint32_t t0 = total[SPI_EDGE - FIRST];
        intgen_write(VGIC_INTGEN_PULSE, SPI_EDGE);
        wait_ge(&total[SPI_EDGE - FIRST], t0 + 1);
        delay_us(20);
        check_eq(route_rule, takers(n, SPI_EDGE, before), 1u << c, "edge SPI %u routed to CPU %u is taken there once",
                 SPI_EDGE, c);
    }
    intgen_write(VGIC_INTGEN_LEVEL, SPI_EDGE);
    check_eq("docs/BOOT.md interrupt generator (PULSE)", mmio_r32(VGIC_BOARD_INTGEN_BASE + VGIC_INTGEN_LEVEL), 0,
             "after PULSE the line of SPI %u is low again", SPI_EDGE);

    /* Edge latch: two edges while the SPI is disabled leave one pending interrupt. */
    gic_set_edge(SPI_LATCH, true);
    gic_route(SPI_LATCH, 0);
    gic_disable(SPI_LATCH);
    uint32_t t0 = total[SPI_LATCH - FIRST];
    intgen_write(VGIC_INTGEN_PULSE, SPI_LATCH);
    intgen_write(VGIC_INTGEN_PULSE, SPI_LATCH);
    check_true(RULE_EDGE, gic_wait_pending(SPI_LATCH, true),
               "two edges on disabled SPI %u make it pending (GICD_ISPENDR)", SPI_LATCH);
    gic_enable(SPI_LATCH);
    wait_ge(&total[SPI_LATCH - FIRST], t0 + 1);
    delay_us(20);
    check_eq(RULE_EDGE, total[SPI_LATCH - FIRST] - t0, 1,
             "once enabled, SPI %u is taken once for the two edges", SPI_LATCH);

    /* Level SPI: pending follows the line, GICD_ICPENDR cannot clear it while high. */
    gic_set_edge(SPI_LEVEL, false);
    gic_route(SPI_LEVEL, n - 1);
    gic_disable(SPI_LEVEL);
    intgen_write(VGIC_INTGEN_SET, SPI_LEVEL);
    check_true(SPEC_V2 " 4.3.7 GICD_ISPENDR / " SPEC_V3 " 12.9 GICD_ISPENDR", gic_wait_pending(SPI_LEVEL, true),
               "a high level line makes SPI %u pending", SPI_LEVEL);
    gic_clear_pending(SPI_LEVEL);
    delay_us(5);
    check_true(SPEC_V2 " 4.3.8 GICD_ICPENDR / " SPEC_V3 " 12.9 GICD_ICPENDR (level-sensitive)", gic_pending(SPI_LEVEL),
               "GICD_ICPENDR does not clear SPI %u while its line is high", SPI_LEVEL);
    intgen_write(VGIC_INTGEN_CLEAR, SPI_LEVEL);
    check_true(SPEC_V2 " 4.3.8 / " SPEC_V3 " 4.1 (level-sensitive)", gic_wait_pending(SPI_LEVEL, false),
               "lowering the line removes SPI %u's pending state", SPI_LEVEL);
    /* Taken again after EOI while still high; the handler lowers the line on the 2nd take. */
    memcpy(before, (const void *)taken, sizeof before);
    t0 = total[SPI_LEVEL - FIRST];
    level_clear_at = t0 + 2;
    gic_enable(SPI_LEVEL);
    intgen_write(VGIC_INTGEN_SET, SPI_LEVEL);
    wait_ge(&total[SPI_LEVEL - FIRST], t0 + 2);
    delay_us(20);
    check_eq(RULE_LEVEL,
             total[SPI_LEVEL - FIRST] - t0, 2,
             "level SPI %u is taken again after EOI while high, and not after its line is lowered", SPI_LEVEL);
    check_eq(route_rule, taken[n - 1][SPI_LEVEL - FIRST] - before[n - 1][SPI_LEVEL - FIRST], 2,
             "level SPI %u routed to CPU %u is taken there", SPI_LEVEL, n - 1);
    level_clear_at = 0;
    gic_disable(SPI_LEVEL);

    /* 1-of-N: each edge goes to exactly one of the CPUs. */
    bool one_of_n = gic_version == 2 || !(mmio_r32(VGIC_BOARD_GICD_BASE + GICD_TYPER) & GICD_TYPER_NO1N);
    if (!one_of_n) {
        note("GICD_TYPER.No1N = 1: 1-of-N routing not supported, not tested");
    } else {
        gic_set_edge(SPI_ANY, true);
        gic_route_any(SPI_ANY);
        gic_enable(SPI_ANY);
        const unsigned pulses = 2 * n;
        memcpy(before, (const void *)taken, sizeof before);
        t0 = total[SPI_ANY - FIRST];
        unsigned in_time = 0;
        for (unsigned i = 0; i < pulses; i++) {
            intgen_write(VGIC_INTGEN_PULSE, SPI_ANY);
            if (wait_ge(&total[SPI_ANY - FIRST], t0 + i + 1)) in_time++;
        }
        delay_us(20);
        uint32_t cpus = 0;
        for (unsigned c = 0; c < n; c++)
            if (taken[c][SPI_ANY - FIRST] != before[c][SPI_ANY - FIRST]) cpus |= 1u << c;
        check_eq(gic_version == 2 ? SPEC_V2 " 4.3.12 GICD_ITARGETSR (1-N model, several CPUs)"
                                  : SPEC_V3 " 12.9.22 GICD_IROUTER.IRM (1-of-N)",
                 total[SPI_ANY - FIRST] - t0, pulses,
                 "%u edges of SPI %u routed 1-of-N are taken exactly once each (%u in time; by CPUs 0x%x)", pulses,
                 SPI_ANY, in_time, cpus);
    }

    done = 1;
    irq_disable();
    check_eq(SPEC_V2 " 2.2.1 / " SPEC_V3 " 2.2 (INTID ranges)", stray, 0, "no unexpected INTID was taken");
    finish("spi");
}
