// SPDX-License-Identifier: Apache-2.0
/* eoimode: split priority drop and deactivation on CPU 0 (GICC_CTLR.EOImode / GICV_CTLR,
 * ICC_CTLR_EL1.EOImode / ICV). With EOImode = 1 an EOIR write only drops the running
 * priority: the interrupt stays active, is not signalled again until a DIR write
 * deactivates it, and lower-priority interrupts can be acknowledged meanwhile. A level SPI
 * handled the way Linux handles device interrupts in this mode (EOIR at once, DIR after
 * the device is quiet), and the vector path as Linux's gic_handle_irq does it. */
#include "gic.h"

#define SGI_A 8       /* 0xa0 */
#define SGI_B 9       /* 0x80 */
#define SGI_C 10      /* 0xa0 */
#define SGI_VEC 11
#define SPI_LEVEL 44

static volatile uint32_t vec_taken, vec_active_in_handler, vec_rpr_after_drop;

static void split_handler(bool fiq) {
    (void)fiq;
    uint32_t iar = gic_iar();
    unsigned id = gic_intid(iar);
    if (id >= 1020) return;
    gic_eoir(iar); /* Linux, EOImode 1: priority drop first ... */
    if (id == SGI_VEC) {
        vec_taken++;
        vec_active_in_handler = gic_active(id);
        vec_rpr_after_drop = gic_rpr();
    }
    gic_dir(iar); /* ... deactivation once handled */
}

int main(void) {
    gic_boot_cpu0("eoimode");
    const bool v2 = gic_version == 2;
    const char *r_ctlr = v2 ? SPEC_V2 " 4.4.1 GICC_CTLR.EOImode" : SPEC_V3 " 12.2 ICC_CTLR_EL1.EOImode";
    const char *r_eoir = v2 ? SPEC_V2 " 4.4.5 GICC_EOIR (EOImode 1: priority drop)"
                            : SPEC_V3 " 12.2 ICC_EOIR1_EL1 (EOImode 1: priority drop)";
    const char *r_dir = v2 ? SPEC_V2 " 4.4.15 GICC_DIR" : SPEC_V3 " 12.2 ICC_DIR_EL1";
    const char *r_iar = v2 ? SPEC_V2 " 4.4.4 GICC_IAR" : SPEC_V3 " 12.2 ICC_IAR1_EL1";
    const char *r_rpr = v2 ? SPEC_V2 " 4.4.6 GICC_RPR" : SPEC_V3 " 12.2 ICC_RPR_EL1";
    const char *r_act = v2 ? SPEC_V2 " 4.3.9 GICD_ISACTIVER" : SPEC_V3 " 12.11 GICR_ISACTIVER0";
    gic_set_priority(SGI_A, 0xa0);
    gic_set_priority(SGI_B, 0x80);
    gic_set_priority(SGI_C, 0xa0);
    for (unsigned id = SGI_A; id <= SGI_VEC; id++) gic_enable(id);

    gic_set_eoimode(true);
    check_eq(r_ctlr, gic_eoimode(), 1, "EOImode reads back 1");

    /* Drop without deactivation; the active interrupt is not signalled again until DIR. */
    gic_sgi_self(SGI_A);
    uint32_t a = gic_poll_iar();
    check_eq(r_iar, gic_intid(a), SGI_A, "SGI %u acknowledged", SGI_A);
    check_eq(r_rpr, gic_rpr(), 0xa0, "RPR is its priority 0xa0 while active");
    gic_eoir(a);
    check_eq(r_eoir, gic_rpr(), GIC_IDLE_PRIORITY, "EOIR drops the running priority to idle (0xff)");
    check_true(r_eoir, gic_active(SGI_A), "but SGI %u stays active", SGI_A);
    gic_sgi_self(SGI_A);
    check_true(SPEC_V2 " 4.3.7 / " SPEC_V3 " 12.11 GICR_ISPENDR0", gic_wait_pending(SGI_A, true),
               "a second SGI %u becomes pending while the first is active", SGI_A);
    check_eq(r_iar, gic_intid(gic_iar()), GIC_SPURIOUS,
             "an active and pending interrupt is not acknowledged again (IAR 1023) before DIR");
    gic_dir(a);
    check_true(r_dir, !gic_active(SGI_A), "DIR deactivates SGI %u (now only pending)", SGI_A);
    uint32_t a2 = gic_poll_iar();
    check_eq(r_dir, gic_intid(a2), SGI_A, "after DIR the pending SGI %u is acknowledged", SGI_A);
    gic_eoir(a2);
    gic_dir(a2);
    check_true(r_dir, !gic_active(SGI_A), "and EOIR + DIR leave it inactive");

    /* After the drop, a lower-priority interrupt is acknowledged while the first is active. */
    gic_sgi_self(SGI_B);
    uint32_t b = gic_poll_iar();
    check_eq(r_iar, gic_intid(b), SGI_B, "SGI %u (0x80) acknowledged", SGI_B);
    gic_eoir(b);
    gic_sgi_self(SGI_C);
    uint32_t c = gic_poll_iar();
    check_eq(r_eoir, gic_intid(c), SGI_C, "after 0x80's priority drop, SGI %u (0xa0) is acknowledged", SGI_C);
    check_true(r_act, gic_active(SGI_B) && gic_active(SGI_C), "both SGIs %u and %u are active together", SGI_B,
               SGI_C);
    gic_eoir(c);
    gic_dir(c);
    gic_dir(b);
    check_true(r_dir, !gic_active(SGI_B) && !gic_active(SGI_C), "DIR deactivates each, in any order");
    check_eq(r_rpr, gic_rpr(), GIC_IDLE_PRIORITY, "RPR idle");

    /* Level SPI as Linux handles a device interrupt with EOImode 1. */
    uint32_t lines = mmio_r32(VGIC_BOARD_INTGEN_BASE + VGIC_INTGEN_SPIS);
    if (32 + lines > SPI_LEVEL) {
        gic_set_edge(SPI_LEVEL, false);
        gic_route(SPI_LEVEL, 0);
        gic_enable(SPI_LEVEL);
        intgen_write(VGIC_INTGEN_SET, SPI_LEVEL);
        uint32_t s = gic_poll_iar();
        check_eq(r_iar, gic_intid(s), SPI_LEVEL, "level SPI %u acknowledged", SPI_LEVEL);
        gic_eoir(s);
        delay_us(10);
        check_eq(r_iar, gic_intid(gic_iar()), GIC_SPURIOUS,
                 "after the drop the still-high SPI %u is active and pending, not acknowledged", SPI_LEVEL);
        intgen_write(VGIC_INTGEN_CLEAR, SPI_LEVEL);
        delay_us(5);
        gic_dir(s);
        check_true(r_dir, !gic_active(SPI_LEVEL), "DIR deactivates SPI %u", SPI_LEVEL);
        delay_us(10);
        check_eq(r_iar, gic_intid(gic_iar()), GIC_SPURIOUS, "once its line is low SPI %u is not taken again", SPI_LEVEL);
        gic_disable(SPI_LEVEL);
    }

    /* The vector path, EOIR then DIR in the handler. */
    rt_irq_handler = split_handler;
    irq_enable();
    gic_sgi_self(SGI_VEC);
    wait_ge(&vec_taken, 1);
    delay_us(10);
    irq_disable();
    check_eq(r_dir, vec_taken, 1, "through the vector: SGI %u taken once", SGI_VEC);
    check_true(r_eoir, vec_active_in_handler && vec_rpr_after_drop == GIC_IDLE_PRIORITY,
               "in the handler after EOIR: still active, RPR idle (rpr 0x%x)", vec_rpr_after_drop);
    check_true(r_dir, !gic_active(SGI_VEC), "after the handler's DIR: inactive");

    /* Back to EOImode 0: EOIR deactivates. */
    gic_set_eoimode(false);
    check_eq(r_ctlr, gic_eoimode(), 0, "EOImode reads back 0");
    gic_sgi_self(SGI_A);
    a = gic_poll_iar();
    gic_eoir(a);
    check_true(v2 ? SPEC_V2 " 4.4.5 GICC_EOIR (EOImode 0)" : SPEC_V3 " 12.2 ICC_EOIR1_EL1 (EOImode 0)",
               gic_intid(a) == SGI_A && !gic_active(SGI_A), "with EOImode 0, EOIR alone deactivates SGI %u", SGI_A);
    finish("eoimode");
}
