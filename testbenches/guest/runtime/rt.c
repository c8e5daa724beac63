// SPDX-License-Identifier: Apache-2.0
/* Runtime services of the guest test images (rt.h): output, locks, time, PSCI, checks. */
#include "rt.h"

unsigned rt_ncpus = 1;
volatile uint32_t rt_online;
static volatile uint32_t rt_smp_ready;
volatile irq_handler rt_irq_handler;

static spinlock_t print_lock;
static volatile uint32_t checks_total;
static volatile uint32_t checks_passed;
static cpu_fn secondary_fn;

int main(void);

/* ---- memset/memcpy: the compiler may emit calls to them even when freestanding ---- */
void *memset(void *d, int c, unsigned long n) {
    volatile unsigned char *p = d;
    while (n--) *p++ = (unsigned char)c;
    return d;
}
void *memcpy(void *d, const void *s, unsigned long n) {
    volatile unsigned char *p = d;
    const volatile unsigned char *q = s;
    while (n--) *p++ = *q++;
    return d;
}

/* ---- Locks ---- */
void spin_lock(spinlock_t *l) {
    uint32_t tmp, fail;
    __asm__ volatile("1: ldaxr %w0, [%2]\n"
                     "   cbnz %w0, 1b\n"
                     "   stxr %w1, %w3, [%2]\n"
                     "   cbnz %w1, 1b\n"
                     : "=&r"(tmp), "=&r"(fail)
                     : "r"(&l->locked), "r"(1u)
                     : "memory");
}
void spin_unlock(spinlock_t *l) { __asm__ volatile("stlr wzr, [%0]" : : "r"(&l->locked) : "memory"); }

/* ---- Time ---- */
void delay_ticks(uint64_t ticks) {
    struct deadline d = deadline_in(ticks);
    while (!deadline_passed(&d)) {
    }
}
bool deadline_passed(struct deadline *d) {
    if (++d->spins > WAIT_MAX_SPINS) return true;
    return counter_now() >= d->end;
}
bool wait_ge(volatile uint32_t *p, uint32_t want) {
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    while (*p < want)
        if (deadline_passed(&d)) return *p >= want;
    return true;
}

/* ---- PL011 output (board.h; FR.TXFF is bit 5) ---- */
#define UART_DR 0x000
#define UART_FR 0x018
#define UART_FR_TXFF (1u << 5)
void uart_putc(char c) {
    for (unsigned i = 0; i < 1000 && (mmio_r32(VGIC_BOARD_UART_BASE + UART_FR) & UART_FR_TXFF); i++) {
    }
    mmio_w8(VGIC_BOARD_UART_BASE + UART_DR, (uint8_t)c);
}
void uart_puts(const char *s) {
    while (*s) uart_putc(*s++);
}

/* printf subset: %d %i %u %x %X %p %s %c %%, flags '0' and '-', width, 'l'/'ll'/'z'. */
static void put_number(uint64_t v, unsigned base, bool neg, unsigned width, bool zero, bool left,
                       bool upper) {
    char buf[24];
    unsigned n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    unsigned len = n + (neg ? 1u : 0u);
    if (neg && zero) uart_putc('-');
    if (!left)
        for (; len < width; len++) uart_putc(zero ? '0' : ' ');
    if (neg && !zero) uart_putc('-');
    while (n) uart_putc(buf[--n]);
    if (left)
        for (; len < width; len++) uart_putc(' ');
}
static void vprint_unlocked(const char *fmt, va_list ap) {
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        bool zero = false, left = false;
        for (;; fmt++) {
            if (*fmt == '0') zero = true;
            else if (*fmt == '-') left = true;
            else break;
        }
        unsigned width = 0;
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (unsigned)(*fmt++ - '0');
        int lng = 0;
        while (*fmt == 'l' || *fmt == 'z') {
            lng++;
            fmt++;
        }
        switch (*fmt) {
        case 'd':
        case 'i': {
            int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
            put_number(v < 0 ? (uint64_t)-v : (uint64_t)v, 10, v < 0, width, zero, left, false);
            break;
        }
        case 'u':
            put_number(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 10, false, width, zero, left, false);
            break;
        case 'x':
        case 'X':
            put_number(lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned), 16, false, width, zero, left,
                       *fmt == 'X');
            break;
        case 'p':
            uart_puts("0x");
            put_number((uint64_t)(uintptr_t)va_arg(ap, void *), 16, false, width, zero, left, false);
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            unsigned len = 0;
            for (const char *q = s ? s : "(null)"; *q; q++) len++;
            if (!left)
                for (; len < width; len++) uart_putc(' ');
            uart_puts(s ? s : "(null)");
            if (left)
                for (; len < width; len++) uart_putc(' ');
            break;
        }
        case 'c':
            uart_putc((char)va_arg(ap, int));
            break;
        case '%':
            uart_putc('%');
            break;
        case '\0':
            return;
        default:
            uart_putc('%');
            uart_putc(*fmt);
        }
    }
}
/* The lock is taken with IRQs masked so that a handler printing on the same CPU cannot
 * deadlock against the code it interrupted. */
int vprintf(const char *fmt, va_list ap) {
    uint64_t d = irq_save();
    spin_lock(&print_lock);
    vprint_unlocked(fmt, ap);
    spin_unlock(&print_lock);
    irq_restore(d);
    return 0;
}
int printf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    return 0;
}

/* ---- Checks ---- */
static bool report(const char *rule, bool ok, bool with_values, uint64_t got, uint64_t expected,
                   const char *what, va_list ap) {
    uint64_t d = irq_save();
    spin_lock(&print_lock);
    uint32_t n = ++checks_total;
    if (ok) checks_passed++;
    uart_puts(ok ? "ok " : "not ok ");
    put_number(n, 10, false, 0, false, false, false);
    uart_puts(" - ");
    vprint_unlocked(what, ap);
    uart_puts(" [");
    uart_puts(rule);
    uart_putc(']');
    if (!ok && with_values) {
        uart_puts(" (got 0x");
        put_number(got, 16, false, 0, false, false, false);
        uart_puts(", expected 0x");
        put_number(expected, 16, false, 0, false, false, false);
        uart_putc(')');
    }
    uart_putc('\n');
    spin_unlock(&print_lock);
    irq_restore(d);
    return ok;
}
bool check_eq(const char *rule, uint64_t got, uint64_t expected, const char *what, ...) {
    va_list ap;
    va_start(ap, what);
    bool ok = report(rule, got == expected, true, got, expected, what, ap);
    va_end(ap);
    return ok;
}
bool check_true(const char *rule, bool cond, const char *what, ...) {
    va_list ap;
    va_start(ap, what);
    bool ok = report(rule, cond, false, 0, 0, what, ap);
    va_end(ap);
    return ok;
}
void note(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    uint64_t d = irq_save();
    spin_lock(&print_lock);
    uart_puts("# ");
    vprint_unlocked(fmt, ap);
    uart_putc('\n');
    spin_unlock(&print_lock);
    irq_restore(d);
    va_end(ap);
}
void finish(const char *name) {
    irq_disable();
    uint32_t total = checks_total, passed = checks_passed;
    printf("guest-test %s: %u/%u checks passed\n", name, passed, total);
    rt_exit(total > 0 && passed == total ? 0 : 1);
}

/* ---- CPUs ---- */
void rt_secondary_entry(void);

unsigned smp_boot(cpu_fn fn) {
    secondary_fn = fn;
    unsigned n = 1;
    for (unsigned cpu = 1; cpu < VGIC_BOARD_MAX_CPUS; cpu++) {
        int32_t r = psci(VGIC_PSCI_CPU_ON_64, VGIC_BOARD_MPIDR(cpu), (uint64_t)(uintptr_t)rt_secondary_entry,
                           cpu);
        if (r != VGIC_PSCI_SUCCESS) break;
        n++;
    }
    rt_ncpus = n;
    rt_smp_ready = 1; /* secondaries wait for this: rt_ncpus is final */
    if (!wait_ge(&rt_online, n - 1))
        note("only %u of %u secondary CPUs checked in", (unsigned)rt_online, n - 1);
    return n;
}

void rt_secondary_main(unsigned cpu) {
    atomic_add(&rt_online, 1);
    struct deadline d = deadline_in(WAIT_TIMEOUT_TICKS);
    while (!rt_smp_ready && !deadline_passed(&d)) {
    }
    if (secondary_fn) secondary_fn(cpu);
    /* Done: park. PSCI CPU_OFF would also do, but a parked CPU keeps its GIC state
     * inspectable and costs nothing while in WFI with IRQs masked. */
    irq_disable();
    psci(VGIC_PSCI_CPU_OFF, 0, 0, 0);
    for (;;) wfi();
}

void rt_main(void) {
    int status = main();
    rt_exit((uint32_t)status);
}

/* ---- Exceptions ---- */
struct frame {
    uint64_t x[31];
    uint64_t elr;
    uint64_t spsr;
};
void rt_exception(uint64_t kind, struct frame *f) {
    if ((kind & 2) == 0) {
        irq_handler h = rt_irq_handler;
        if (h) {
            h(kind & 1);
            return;
        }
    }
    /* Synchronous exceptions are not forwarded by the platform (it stops with status 3);
     * reaching here means an unexpected IRQ/FIQ, or a platform that does forward them. */
    printf("not ok - unexpected exception kind 0x%lx on CPU %u at ELR 0x%lx SPSR 0x%lx\n",
           (unsigned long)kind, this_cpu(), (unsigned long)f->elr, (unsigned long)f->spsr);
    rt_exit(2);
}
