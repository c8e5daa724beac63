// SPDX-License-Identifier: Apache-2.0
/* deactivate: active state through the distributor and redistributor registers on CPU 0,
 * with EOImode = 1 so that EOIR only drops the priority (the path of Linux's GIC-700
 * erratum handling and of hypervisors that deactivate on a guest's behalf): deactivation
 * by GICD_ICACTIVER (SPIs; GICv2 also SGIs) or GICR_ICACTIVER0 (GICv3 SGIs), read-back of
 * GICD_ISACTIVER / GICR_ISACTIVER0, and activation by ISACTIVER, which keeps a pending
 * interrupt from being signalled until it is deactivated. With two or more CPUs, CPU 1
 * reads and clears through GICD_ISACTIVER / GICD_ICACTIVER the active state of an SPI that
 * CPU 0 has acknowledged and not deactivated (in a VM the interrupt sits active in CPU 0's
 * list register while CPU 0 runs: the hypervisor must stop CPU 0 so that the state is
 * exact, shared/reference/gic-architecture.md 3.10). */
#include "gic.h"

#define SGI_X 12
#define SGI_Y 13
#define SPI_E 45
#define SPI_F 46
#define SPI_G 47 /* held active by CPU 0, read and deactivated by CPU 1 */

/* Cross-CPU handshake: CPU 0 sets step 1 once it holds SPI_G active; CPU 1 sets step 2
 * after its GICD_ISACTIVER read and GICD_ICACTIVER write. */
static volatile uint32_t ready;
static volatile uint32_t step;
static volatile uint32_t cpu1_saw_active, cpu1_active_after_clear;

static void secondary(unsigned cpu) {
    gic_cpu_init();
    atomic_add(&ready, 1);
    if (cpu != 1) return;
    struct deadline d = deadline_in(100 * WAIT_TIMEOUT_TICKS);
    while (step != 1 && !deadline_passed(&d)) {
    }
    if (step != 1) return;
    cpu1_saw_active = gic_active(SPI_G);
    gic_clear_active(SPI_G);
    cpu1_active_after_clear = gic_active(SPI_G);
    dsb();
    step = 2;
}

int main(void) {
    gic_boot_cpu0("deactivate");
    const bool v2 = gic_version == 2;
    unsigned n = smp_boot(secondary);
    check_true(SPEC_PSCI " 5.1.4 CPU_ON", wait_ge(&ready, n - 1),
               "all %u secondary CPUs brought their GIC CPU interface up", n - 1);
    const char *r_isact_ppi = v2 ? SPEC_V2 " 4.3.9 GICD_ISACTIVER0" : SPEC_V3 " 12.11 GICR_ISACTIVER0";
    const char *r_icact_ppi = v2 ? SPEC_V2 " 4.3.10 GICD_ICACTIVER0" : SPEC_V3 " 12.11 GICR_ICACTIVER0";
    const char *r_isact = v2 ? SPEC_V2 " 4.3.9 GICD_ISACTIVER" : SPEC_V3 " 12.9 GICD_ISACTIVER";
    const char *r_icact = v2 ? SPEC_V2 " 4.3.10 GICD_ICACTIVER" : SPEC_V3 " 12.9 GICD_ICACTIVER";
    const char *r_iar = v2 ? SPEC_V2 " 4.4.4 GICC_IAR" : SPEC_V3 " 12.2 ICC_IAR1_EL1";
    gic_enable(SGI_X);
    gic_enable(SGI_Y);
    gic_set_eoimode(true);

    /* SGI: acknowledge, drop, deactivate through the (re)distributor. */
    gic_sgi_self(SGI_X);
    uint32_t x = gic_poll_iar();
    check_eq(r_iar, gic_intid(x), SGI_X, "SGI %u acknowledged", SGI_X);
    check_true(r_isact_ppi, gic_active(SGI_X), "acknowledged SGI %u reads active", SGI_X);
    gic_eoir(x);
    check_true(r_isact_ppi, gic_active(SGI_X), "after EOIR (EOImode 1) SGI %u still reads active", SGI_X);
    gic_clear_active(SGI_X);
    check_true(r_icact_ppi, !gic_active(SGI_X), "writing its ICACTIVER bit deactivates SGI %u", SGI_X);
    gic_sgi_self(SGI_X);
    x = gic_poll_iar();
    check_eq(r_icact_ppi, gic_intid(x), SGI_X, "once deactivated, SGI %u is taken again", SGI_X);
    gic_eoir(x);
    gic_clear_active(SGI_X);

    /* SGI activated by ISACTIVER. */
    gic_set_active(SGI_Y);
    check_true(r_isact_ppi, gic_active(SGI_Y), "writing its ISACTIVER bit activates SGI %u", SGI_Y);
    gic_sgi_self(SGI_Y);
    check_true(SPEC_V2 " 4.3.7 / " SPEC_V3 " 12.11 GICR_ISPENDR0", gic_wait_pending(SGI_Y, true),
               "SGI %u sent while active is pending", SGI_Y);
    check_eq(r_iar, gic_intid(gic_iar()), GIC_SPURIOUS, "an active and pending SGI is not acknowledged (IAR 1023)");
    gic_clear_active(SGI_Y);
    uint32_t y = gic_poll_iar();
    check_eq(r_icact_ppi, gic_intid(y), SGI_Y, "after ICACTIVER the pending SGI %u is acknowledged", SGI_Y);
    gic_eoir(y);
    gic_dir(y);
    check_true(r_isact_ppi, !gic_active(SGI_Y), "and DIR leaves it inactive");

    uint32_t lines = mmio_r32(VGIC_BOARD_INTGEN_BASE + VGIC_INTGEN_SPIS);
    if (32 + lines > SPI_F) {
        /* Edge SPI: acknowledge, drop, GICD_ICACTIVER. */
        gic_set_edge(SPI_E, true);
        gic_route(SPI_E, 0);
        gic_enable(SPI_E);
        intgen_write(VGIC_INTGEN_PULSE, SPI_E);
        uint32_t e = gic_poll_iar();
        check_eq(r_iar, gic_intid(e), SPI_E, "edge SPI %u acknowledged", SPI_E);
        check_true(r_isact, gic_active(SPI_E), "acknowledged SPI %u reads active in GICD_ISACTIVER", SPI_E);
        gic_eoir(e);
        gic_clear_active(SPI_E);
        check_true(r_icact, !gic_active(SPI_E), "GICD_ICACTIVER deactivates SPI %u", SPI_E);
        intgen_write(VGIC_INTGEN_PULSE, SPI_E);
        e = gic_poll_iar();
        check_eq(r_icact, gic_intid(e), SPI_E, "a new edge on SPI %u is taken again", SPI_E);
        gic_eoir(e);
        gic_dir(e);

        /* SPI activated by GICD_ISACTIVER is held back until GICD_ICACTIVER. */
        gic_set_edge(SPI_F, true);
        gic_route(SPI_F, 0);
        gic_enable(SPI_F);
        gic_set_active(SPI_F);
        check_true(r_isact, gic_active(SPI_F), "GICD_ISACTIVER activates SPI %u", SPI_F);
        intgen_write(VGIC_INTGEN_PULSE, SPI_F);
        check_true(SPEC_V2 " 4.3.7 / " SPEC_V3 " 12.9 GICD_ISPENDR", gic_wait_pending(SPI_F, true),
                   "an edge on active SPI %u makes it pending too", SPI_F);
        check_eq(r_iar, gic_intid(gic_iar()), GIC_SPURIOUS, "the active and pending SPI %u is not acknowledged", SPI_F);
        gic_clear_active(SPI_F);
        uint32_t f = gic_poll_iar();
        check_eq(r_icact, gic_intid(f), SPI_F, "after GICD_ICACTIVER SPI %u is acknowledged", SPI_F);
        gic_eoir(f);
        gic_dir(f);
        check_true(r_isact, !gic_active(SPI_F) && !gic_pending(SPI_F), "and ends inactive, not pending");
    }
    if (32 + lines > SPI_G && n >= 2) {
        /* CPU 0 acknowledges an edge SPI and keeps it active: EOImode 1, so its EOIR is
         * the priority drop alone and no DIR follows. The EOIR comes first because an EOIR
         * of an interrupt that is no longer active is UNPREDICTABLE (GICC_EOIR). CPU 1 then
         * reads the active bit and clears it while CPU 0 keeps running. */
        gic_set_edge(SPI_G, true);
        gic_route(SPI_G, 0);
        gic_enable(SPI_G);
        intgen_write(VGIC_INTGEN_PULSE, SPI_G);
        uint32_t g = gic_poll_iar();
        check_eq(r_iar, gic_intid(g), SPI_G, "edge SPI %u acknowledged by CPU 0", SPI_G);
        gic_eoir(g);
        check_true(r_isact, gic_active(SPI_G), "after CPU 0's EOIR (EOImode 1) SPI %u is still active", SPI_G);
        step = 1;
        bool cpu1_done = wait_ge(&step, 2);
        check_true(r_isact, cpu1_done && cpu1_saw_active,
                   "CPU 1 reads SPI %u active in GICD_ISACTIVER while CPU 0 holds it", SPI_G);
        check_true(r_icact, cpu1_done && !cpu1_active_after_clear,
                   "CPU 1's GICD_ICACTIVER write deactivates SPI %u (CPU 1 reads it inactive)", SPI_G);
        check_true(r_icact, !gic_active(SPI_G), "CPU 0 then reads SPI %u inactive too", SPI_G);
        intgen_write(VGIC_INTGEN_PULSE, SPI_G);
        uint32_t g2 = gic_poll_iar();
        check_eq(r_icact, gic_intid(g2), SPI_G,
                 "a new edge on SPI %u is taken by CPU 0 without a DIR: CPU 1 deactivated it", SPI_G);
        if (gic_intid(g2) < 1020) {
            gic_eoir(g2);
            gic_dir(g2);
        }
        check_true(r_isact, !gic_active(SPI_G) && !gic_pending(SPI_G), "and SPI %u ends inactive, not pending",
                   SPI_G);
    } else {
        note("cross-CPU active-state check skipped (%u CPUs, %u SPI lines)", n, lines);
    }
    gic_set_eoimode(false);
    check_eq(gic_version == 2 ? SPEC_V2 " 4.4.6 GICC_RPR" : SPEC_V3 " 12.2 ICC_RPR_EL1", gic_rpr(), GIC_IDLE_PRIORITY,
             "RPR is idle at the end");
    finish("deactivate");
}
