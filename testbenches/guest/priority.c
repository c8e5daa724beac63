// SPDX-License-Identifier: Apache-2.0
/* priority: interrupt priorities on CPU 0 with SGIs to itself. Pending interrupts are
 * acknowledged highest priority first and IAR returns spurious while none can preempt the
 * active one; a higher-priority interrupt preempts a handler that re-enabled IRQs while an
 * equal or lower one waits for its EOI; the running priority (RPR) follows the active
 * stack; PMR masks priorities not above it; the binary point (BPR) groups priorities so
 * that a higher subpriority does not preempt. */
#include "gic.h"

#define SGI_MID 4     /* 0xa0 */
#define SGI_HIGH 5    /* 0x80 */
#define SGI_EQUAL 6   /* 0xa0 */
#define SGI_LOW 7     /* 0xc0 */
#define PRIO_HIGH 0x80
#define PRIO_MID 0xa0
#define PRIO_LOW 0xc0

enum scenario { PLAIN, NESTED, GROUPED };
static volatile enum scenario scenario;
static volatile uint32_t order[16];
static volatile uint32_t norder;
static volatile uint32_t handled[16];
static volatile uint32_t rpr_at_entry[16];
static volatile uint32_t during_high, during_equal, during_low; /* seen inside SGI_MID's handler */
static volatile uint32_t rpr_after_nested;
static volatile uint32_t stray;

static const char *rule_rpr(void) { return gic_version == 2 ? SPEC_V2 " 4.4.6 GICC_RPR" : SPEC_V3 " 12.2 ICC_RPR_EL1"; }
static const char *rule_preempt(void) {
    return gic_version == 2 ? SPEC_V2 " 3.3 (preemption, binary point)" : SPEC_V3 " 4.8 (preemption, ICC_BPR1_EL1)";
}

static void prio_handler(bool fiq) {
    (void)fiq;
    uint32_t iar = gic_iar();
    unsigned id = gic_intid(iar);
    if (id >= 1020) return;
    if (id >= 16) {
        atomic_add(&stray, 1);
        gic_eoir(iar);
        return;
    }
    if (norder < 16) order[norder++] = id;
    rpr_at_entry[id] = gic_rpr();
    if (id == SGI_MID && scenario != PLAIN) {
        if (scenario == NESTED) {
            gic_sgi_self(SGI_EQUAL);
            gic_sgi_self(SGI_LOW);
        }
        gic_sgi_self(SGI_HIGH);
        irq_enable(); /* ELR/SPSR are saved in the frame: nesting is safe */
        if (scenario == NESTED) wait_ge(&handled[SGI_HIGH], 1);
        delay_us(20); /* give an (incorrect) preemption by EQUAL/LOW, or by HIGH when grouped, time */
        irq_disable();
        during_high = handled[SGI_HIGH];
        during_equal = handled[SGI_EQUAL];
        during_low = handled[SGI_LOW];
        rpr_after_nested = gic_rpr();
    }
    handled[id]++;
    gic_eoir(iar);
}

static void reset_log(void) {
    norder = 0;
    for (unsigned i = 0; i < 16; i++) handled[i] = 0;
}

int main(void) {
    gic_boot_cpu0("priority");
    rt_irq_handler = prio_handler;
    const unsigned sgis[] = {SGI_MID, SGI_HIGH, SGI_EQUAL, SGI_LOW};
    const uint8_t prios[] = {PRIO_MID, PRIO_HIGH, PRIO_MID, PRIO_LOW};
    for (unsigned i = 0; i < 4; i++) {
        gic_set_priority(sgis[i], prios[i]);
        gic_enable(sgis[i]);
    }
    const char *iar_rule = gic_version == 2 ? SPEC_V2 " 4.4.4 GICC_IAR" : SPEC_V3 " 12.2 ICC_IAR1_EL1";

    /* 1. Acknowledge order among simultaneously pending interrupts (IRQs masked, IAR polled). */
    gic_sgi_self(SGI_MID);
    gic_sgi_self(SGI_LOW);
    gic_sgi_self(SGI_HIGH);
    bool all = gic_wait_pending(SGI_MID, true) && gic_wait_pending(SGI_LOW, true) && gic_wait_pending(SGI_HIGH, true);
    check_true(SPEC_V2 " 4.3.7 / " SPEC_V3 " 12.11 GICR_ISPENDR0", all, "three SGIs to self are pending together");
    check_eq(gic_version == 2 ? SPEC_V2 " 4.4.7 GICC_HPPIR" : SPEC_V3 " 12.2 ICC_HPPIR1_EL1", gic_intid(gic_hppir()),
             SGI_HIGH, "HPPIR names the highest-priority pending SGI");
    uint32_t a = gic_iar();
    check_eq(iar_rule, gic_intid(a), SGI_HIGH, "IAR acknowledges the highest priority (0x80) first");
    check_eq(rule_rpr(), gic_rpr(), PRIO_HIGH, "RPR is the active interrupt's priority 0x80");
    check_eq(iar_rule, gic_intid(gic_iar()), GIC_SPURIOUS,
             "IAR returns 1023 while no pending interrupt can preempt the running priority");
    gic_eoir(a);
    a = gic_iar();
    check_eq(iar_rule, gic_intid(a), SGI_MID, "after EOI the next acknowledge is priority 0xa0");
    gic_eoir(a);
    a = gic_iar();
    check_eq(iar_rule, gic_intid(a), SGI_LOW, "then priority 0xc0");
    gic_eoir(a);
    check_eq(rule_rpr(), gic_rpr(), GIC_IDLE_PRIORITY, "RPR is idle (0xff) once all are EOId");

    /* 2. Nested preemption through the vector. */
    reset_log();
    scenario = NESTED;
    irq_enable();
    gic_sgi_self(SGI_MID);
    wait_ge(&handled[SGI_LOW], 1);
    delay_us(10);
    irq_disable();
    check_eq(rule_preempt(), during_high, 1, "priority 0x80 preempts the 0xa0 handler that unmasked IRQs");
    check_eq(rule_preempt(), during_equal, 0, "equal priority 0xa0 does not preempt the 0xa0 handler");
    check_eq(rule_preempt(), during_low, 0, "lower priority 0xc0 does not preempt the 0xa0 handler");
    check_eq(rule_rpr(), rpr_at_entry[SGI_MID], PRIO_MID, "RPR is 0xa0 in the 0xa0 handler");
    check_eq(rule_rpr(), rpr_at_entry[SGI_HIGH], PRIO_HIGH, "RPR is 0x80 in the nested 0x80 handler");
    check_eq(rule_rpr(), rpr_after_nested, PRIO_MID, "RPR returns to 0xa0 after the nested handler's EOI");
    uint32_t seq = norder == 4 ? order[0] << 24 | order[1] << 16 | order[2] << 8 | order[3] : 0xffffffffu;
    check_eq(rule_preempt(), seq, (uint32_t)(SGI_MID << 24 | SGI_HIGH << 16 | SGI_EQUAL << 8 | SGI_LOW),
             "handlers entered in order 0xa0, 0x80 (nested), then 0xa0 and 0xc0 after EOI (as bytes of INTIDs)");

    /* 3. PMR: only priorities strictly higher (lower value) than PMR are signalled. */
    reset_log();
    scenario = PLAIN;
    gic_set_pmr(PRIO_MID);
    check_eq(gic_version == 2 ? SPEC_V2 " 4.4.2 GICC_PMR" : SPEC_V3 " 12.2 ICC_PMR_EL1", gic_pmr(), PRIO_MID,
             "PMR reads back 0xa0");
    irq_enable();
    gic_sgi_self(SGI_EQUAL);
    delay_us(20);
    irq_disable();
    check_true(gic_version == 2 ? SPEC_V2 " 4.4.2 GICC_PMR" : SPEC_V3 " 12.2 ICC_PMR_EL1",
               handled[SGI_EQUAL] == 0 && gic_pending(SGI_EQUAL),
               "an SGI of priority 0xa0 stays pending, not signalled, with PMR 0xa0");
    gic_set_pmr(GIC_LINUX_PMR);
    irq_enable();
    wait_ge(&handled[SGI_EQUAL], 1);
    irq_disable();
    check_eq(gic_version == 2 ? SPEC_V2 " 4.4.2 GICC_PMR" : SPEC_V3 " 12.2 ICC_PMR_EL1", handled[SGI_EQUAL], 1,
             "raising PMR to 0xf0 delivers it");

    /* 4. Binary point: with group priority bits [7:6], 0x80 and 0xa0 share the group
     * priority 0x80, so 0x80 does not preempt 0xa0. GICv2 Group 0 uses GICC_BPR (group
     * priority [7:BPR+1]: 5); GICv3 Group 1 uses ICC_BPR1_EL1 ([7:BPR1]: 6). */
    reset_log();
    uint32_t bpr_old = gic_bpr();
    uint32_t bpr = gic_version == 2 ? 5 : 6;
    gic_set_bpr(bpr);
    check_eq(gic_version == 2 ? SPEC_V2 " 4.4.3 GICC_BPR" : SPEC_V3 " 12.2 ICC_BPR1_EL1", gic_bpr(), bpr,
             "BPR reads back %u", bpr);
    scenario = GROUPED;
    irq_enable();
    gic_sgi_self(SGI_MID);
    wait_ge(&handled[SGI_HIGH], 1);
    delay_us(10);
    irq_disable();
    check_eq(rule_preempt(), during_high, 0,
             "with BPR %u, priority 0x80 does not preempt 0xa0 (same group priority)", bpr);
    check_eq(rule_preempt(), handled[SGI_HIGH], 1, "and is taken after the 0xa0 handler's EOI");
    gic_set_bpr(bpr_old);
    scenario = PLAIN;
    check_eq(rule_rpr(), gic_rpr(), GIC_IDLE_PRIORITY, "RPR is idle (0xff) at the end");
    check_eq(SPEC_V2 " 2.2.1 / " SPEC_V3 " 2.2 (INTID ranges)", stray, 0, "no unexpected INTID was taken");
    finish("priority");
}
