// SPDX-License-Identifier: Apache-2.0
/* timer: the EL1 virtual (PPI 27) and physical (PPI 30) generic timers through the GIC, on
 * CPU 0: TVAL and CVAL programming, no interrupt before the deadline (the counter read in
 * the handler is >= CVAL), ISTATUS and IMASK, a disabled timer, a level output that drops
 * when masked and re-asserts when unmasked, and WFI waking on the timer with PSTATE.I set.
 * The handler does what Linux's arch_timer_handler does: if ISTATUS, set IMASK, then EOI. */
#include "gic.h"

#define CTL_ENABLE 1u
#define CTL_IMASK 2u
#define CTL_ISTATUS 4u
#define DELTA ((uint32_t)(50u * TICKS_PER_US)) /* 50 us deadlines */
#define RULE_TIMER SPEC_ARM " Generic Timer (CNTx_CTL/CVAL/TVAL)"
#define RULE_CTL SPEC_ARM " CNTV_CTL_EL0 / CNTP_CTL_EL0"

enum { VIRT = 0, PHYS = 1 };
static const unsigned timer_intid[2] = {VGIC_BOARD_TIMER_VIRT_INTID, VGIC_BOARD_TIMER_PHYS_INTID};
static const char *const timer_name[2] = {"virtual", "physical"};

static uint64_t t_count(int t) {
    isb();
    return t == VIRT ? SYSREG_READ(cntvct_el0) : SYSREG_READ(cntpct_el0);
}
static uint64_t t_ctl(int t) { return t == VIRT ? SYSREG_READ(cntv_ctl_el0) : SYSREG_READ(cntp_ctl_el0); }
static void t_set_ctl(int t, uint64_t v) {
    if (t == VIRT) SYSREG_WRITE(cntv_ctl_el0, v);
    else SYSREG_WRITE(cntp_ctl_el0, v);
    isb();
}
static uint64_t t_cval(int t) { return t == VIRT ? SYSREG_READ(cntv_cval_el0) : SYSREG_READ(cntp_cval_el0); }
static void t_set_cval(int t, uint64_t v) {
    if (t == VIRT) SYSREG_WRITE(cntv_cval_el0, v);
    else SYSREG_WRITE(cntp_cval_el0, v);
    isb();
}
static int32_t t_tval(int t) { return (int32_t)(t == VIRT ? SYSREG_READ(cntv_tval_el0) : SYSREG_READ(cntp_tval_el0)); }
static void t_set_tval(int t, int32_t v) {
    if (t == VIRT) SYSREG_WRITE(cntv_tval_el0, (uint64_t)(int64_t)v);
    else SYSREG_WRITE(cntp_tval_el0, (uint64_t)(int64_t)v);
    isb();
}

static volatile uint32_t hits[2];
static volatile uint64_t count_in_handler[2];
static volatile uint64_t ctl_in_handler[2];
static volatile uint32_t spurious_ticks; /* timer interrupts taken with ISTATUS clear */
static volatile uint32_t stray;

static void timer_handler(bool fiq) {
    (void)fiq;
    uint32_t iar = gic_iar();
    unsigned id = gic_intid(iar);
    if (id >= 1020) return;
    int t = id == timer_intid[VIRT] ? VIRT : id == timer_intid[PHYS] ? PHYS : -1;
    if (t < 0) {
        atomic_add(&stray, 1);
    } else {
        uint64_t now = t_count(t), ctl = t_ctl(t);
        count_in_handler[t] = now;
        ctl_in_handler[t] = ctl;
        if (ctl & CTL_ISTATUS) t_set_ctl(t, ctl | CTL_IMASK);
        else spurious_ticks++;
        hits[t]++;
    }
    gic_eoir(iar);
}

static bool wait_hits(int t, uint32_t want) { return wait_ge(&hits[t], want); }

/* Level output dropped: the PPI is no longer pending at the GIC. */
static bool wait_not_pending(unsigned intid) {
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    while (gic_pending(intid))
        if (deadline_passed(&d)) return !gic_pending(intid);
    return true;
}

static void test_tval(int t) {
    const char *name = timer_name[t];
    unsigned intid = timer_intid[t];
    t_set_ctl(t, 0);
    uint32_t h0 = hits[t];
    uint64_t before = t_count(t);
    t_set_tval(t, (int32_t)DELTA);
    uint64_t after = t_count(t);
    uint64_t cval = t_cval(t);
    check_true(RULE_TIMER " TimerValue view", cval >= before + DELTA && cval <= after + DELTA,
               "%s: writing TVAL = %u sets CVAL = count + TVAL (CVAL 0x%lx, count 0x%lx..0x%lx)", name, DELTA,
               (unsigned long)cval, (unsigned long)before, (unsigned long)after);
    t_set_ctl(t, CTL_ENABLE);
    int32_t tval = t_tval(t);
    check_true(RULE_TIMER " TimerValue view", tval > 0 && tval <= (int32_t)DELTA,
               "%s: TVAL reads CVAL - count, counting down from %u (got %d)", name, DELTA, tval);
    irq_enable();
    bool got = wait_hits(t, h0 + 1);
    irq_disable();
    check_true(RULE_TIMER " (timer condition met -> PPI)", got, "%s: TVAL deadline raises PPI %u", name, intid);
    check_true(RULE_TIMER " (condition: count >= CVAL)", count_in_handler[t] >= cval,
               "%s: the handler runs no earlier than the deadline (count 0x%lx, CVAL 0x%lx)", name,
               (unsigned long)count_in_handler[t], (unsigned long)cval);
    check_eq(RULE_CTL " ISTATUS", ctl_in_handler[t] & (CTL_ISTATUS | CTL_ENABLE), CTL_ISTATUS | CTL_ENABLE,
             "%s: CTL.ISTATUS is set in the handler", name);
    /* The handler set IMASK: the output drops, ISTATUS stays, TVAL has gone negative. */
    check_true(RULE_CTL " IMASK (level output)", wait_not_pending(intid),
               "%s: with IMASK set the PPI %u is no longer pending", name, intid);
    check_eq(RULE_CTL " ISTATUS", t_ctl(t) & (CTL_ISTATUS | CTL_IMASK), CTL_ISTATUS | CTL_IMASK,
             "%s: ISTATUS stays set while IMASK masks the output", name);
    check_true(RULE_TIMER " TimerValue view (signed)", t_tval(t) < 0, "%s: TVAL reads negative after the deadline",
               name);
    irq_enable();
    delay_us(20);
    irq_disable();
    check_eq(RULE_CTL " IMASK", hits[t], h0 + 1, "%s: no further interrupt while IMASK is set", name);
    /* Unmasking with the condition still met asserts the output again at once. */
    t_set_ctl(t, CTL_ENABLE);
    irq_enable();
    got = wait_hits(t, h0 + 2);
    irq_disable();
    check_true(RULE_CTL " IMASK", got, "%s: clearing IMASK with count >= CVAL re-raises the PPI", name);
    t_set_ctl(t, 0);
}

static void test_cval(int t) {
    const char *name = timer_name[t];
    t_set_ctl(t, 0);
    uint32_t h0 = hits[t];
    uint64_t cval = t_count(t) + DELTA;
    t_set_cval(t, cval);
    check_eq(RULE_TIMER " CompareValue view", t_cval(t), cval, "%s: CVAL reads back what was written", name);
    t_set_ctl(t, CTL_ENABLE);
    irq_enable();
    delay_ticks(DELTA / 2);
    irq_disable();
    uint64_t mid = t_count(t);
    bool early = mid < cval;
    check_true(RULE_TIMER " (condition: count >= CVAL)", !early || (hits[t] == h0 && !(t_ctl(t) & CTL_ISTATUS)),
               "%s: half-way to CVAL there is no interrupt and ISTATUS is clear", name);
    irq_enable();
    bool got = wait_hits(t, h0 + 1);
    irq_disable();
    check_true(RULE_TIMER " (timer condition met -> PPI)", got, "%s: CVAL deadline raises PPI %u", name, timer_intid[t]);
    check_true(RULE_TIMER " (condition: count >= CVAL)", count_in_handler[t] >= cval,
               "%s: the handler runs no earlier than CVAL (count 0x%lx, CVAL 0x%lx)", name,
               (unsigned long)count_in_handler[t], (unsigned long)cval);
    t_set_ctl(t, 0);
}

static void test_disabled_and_masked(int t) {
    const char *name = timer_name[t];
    unsigned intid = timer_intid[t];
    uint32_t h0 = hits[t];
    /* Disabled: no output whatever CVAL says. (ISTATUS is UNKNOWN then: not checked.) */
    t_set_ctl(t, 0);
    t_set_cval(t, t_count(t) - 1);
    irq_enable();
    delay_us(20);
    irq_disable();
    check_eq(RULE_CTL " ENABLE", hits[t], h0, "%s: a disabled timer whose CVAL has passed raises nothing", name);
    /* Enabled but masked, condition met: ISTATUS set, nothing pending, nothing taken. */
    t_set_tval(t, -100);
    t_set_ctl(t, CTL_ENABLE | CTL_IMASK);
    check_eq(RULE_CTL " ISTATUS", t_ctl(t) & CTL_ISTATUS, CTL_ISTATUS,
             "%s: negative TVAL (-100) meets the condition at once: ISTATUS set", name);
    irq_enable();
    delay_us(20);
    irq_disable();
    check_true(RULE_CTL " IMASK", hits[t] == h0 && !gic_pending(intid),
               "%s: IMASK keeps the met condition from the GIC (PPI %u not pending, not taken)", name, intid);
    t_set_ctl(t, CTL_ENABLE);
    irq_enable();
    bool got = wait_hits(t, h0 + 1);
    irq_disable();
    check_true(RULE_CTL " IMASK", got, "%s: clearing IMASK delivers the pending condition", name);
    t_set_ctl(t, 0);
}

/* WFI with PSTATE.I set still wakes when an interrupt is pending (ARM DDI 0487, Wait For
 * Interrupt); the other timer, due much later, is a watchdog so that a lost wake-up ends in a
 * failed check, not a hang. */
static void test_wfi(int t) {
    const char *name = timer_name[t];
    int w = 1 - t;
    uint32_t h0 = hits[t], hw0 = hits[w];
    irq_disable();
    t_set_ctl(w, 0);
    t_set_cval(w, t_count(w) + 20 * DELTA);
    t_set_ctl(w, CTL_ENABLE);
    uint64_t cval = t_count(t) + DELTA;
    t_set_cval(t, cval);
    t_set_ctl(t, CTL_ENABLE);
    unsigned wakes = 0;
    uint64_t woke = 0;
    struct deadline d = deadline_in(40 * DELTA);
    while (!(t_ctl(t) & CTL_ISTATUS) && !(t_ctl(w) & CTL_ISTATUS) && !deadline_passed(&d)) {
        wfi();
        wakes++;
        woke = t_count(t);
    }
    check_true(SPEC_ARM " Wait For Interrupt (wake-up: pending IRQ, even masked)", wakes >= 1 && wakes <= 4 &&
               woke >= cval && !(t_ctl(w) & CTL_ISTATUS),
               "%s: WFI with IRQs masked sleeps until the timer fires (%u wake-ups, woke at 0x%lx, CVAL 0x%lx)", name,
               wakes, (unsigned long)woke, (unsigned long)cval);
    check_eq(gic_version == 2 ? SPEC_V2 " 4.4.7 GICC_HPPIR" : SPEC_V3 " 12.2 ICC_HPPIR1_EL1",
             gic_intid(gic_hppir()), timer_intid[t], "%s: after the wake-up the timer PPI is the highest pending", name);
    irq_enable();
    bool got = wait_hits(t, h0 + 1);
    irq_disable();
    t_set_ctl(w, 0);
    check_true(RULE_TIMER, got && hits[w] == hw0, "%s: unmasking IRQs after the wake-up takes the timer interrupt",
               name);
    t_set_ctl(t, 0);
}

int main(void) {
    gic_boot_cpu0("timer");
    rt_irq_handler = timer_handler;
    check_eq(SPEC_ARM " CNTFRQ_EL0 / docs/BOOT.md", SYSREG_READ(cntfrq_el0), VGIC_BOARD_TIMER_FREQUENCY_HZ,
             "CNTFRQ_EL0 reports the board's 100 MHz");
    uint64_t a = t_count(VIRT), b = t_count(VIRT);
    uint64_t pa = t_count(PHYS), pb = t_count(PHYS);
    check_true(SPEC_ARM " Generic Timer (system counter)", b >= a && pb >= pa, "CNTVCT and CNTPCT do not go backwards");
    for (int t = VIRT; t <= PHYS; t++) {
        t_set_ctl(t, 0);
        gic_enable(timer_intid[t]);
    }
    for (int t = VIRT; t <= PHYS; t++) {
        test_tval(t);
        test_cval(t);
        test_disabled_and_masked(t);
        test_wfi(t);
    }
    check_eq("Linux arm_arch_timer handler (real-clients.md 1.4)", spurious_ticks, 0,
             "no timer interrupt arrived with ISTATUS clear");
    check_eq(SPEC_V2 " 2.2.1 / " SPEC_V3 " 2.2 (INTID ranges)", stray, 0, "no INTID other than the two timer PPIs");
    finish("timer");
}
