// SPDX-License-Identifier: Apache-2.0
/* Bare-metal runtime of the guest test images: MMIO, CPUs, output, locks, time, checks.
 *
 * Every image links start.S, rt.c, gic.c and one test source. CPU 0 enters main() with
 * IRQs masked; secondaries are started with smp_boot() and run the function it is given.
 * The board is described by platforms/boot/include/vgic/boot/board.h (memory map, PSCI,
 * MPIDR, timer PPIs); this header adds only guest-side conventions. */
#ifndef GUEST_RT_H
#define GUEST_RT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "vgic/boot/board.h"

#define RT_STACK_SIZE 0x4000 /* per CPU; must match start.S */

/* ---- MMIO (Device memory: naturally aligned single accesses only) ---- */
static inline uint32_t mmio_r32(uintptr_t a) {
    uint32_t v;
    __asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}
static inline void mmio_w32(uintptr_t a, uint32_t v) {
    __asm__ volatile("str %w0, [%1]" : : "r"(v), "r"(a) : "memory");
}
static inline uint8_t mmio_r8(uintptr_t a) {
    uint32_t v;
    __asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return (uint8_t)v;
}
static inline void mmio_w8(uintptr_t a, uint8_t v) {
    __asm__ volatile("strb %w0, [%1]" : : "r"((uint32_t)v), "r"(a) : "memory");
}
static inline uint64_t mmio_r64(uintptr_t a) {
    uint64_t v;
    __asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
    return v;
}
static inline void mmio_w64(uintptr_t a, uint64_t v) {
    __asm__ volatile("str %0, [%1]" : : "r"(v), "r"(a) : "memory");
}

/* ---- System registers and barriers ---- */
#define SYSREG_READ(name)                                        \
    ({                                                           \
        uint64_t v_;                                             \
        __asm__ volatile("mrs %0, " #name : "=r"(v_)::"memory"); \
        v_;                                                      \
    })
#define SYSREG_WRITE(name, v) __asm__ volatile("msr " #name ", %0" : : "r"((uint64_t)(v)) : "memory")
#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb() __asm__ volatile("dsb sy" ::: "memory")
#define wfi() __asm__ volatile("wfi" ::: "memory")
#define irq_enable() __asm__ volatile("msr daifclr, #2" ::: "memory")
#define irq_disable() __asm__ volatile("msr daifset, #2" ::: "memory")
static inline uint64_t irq_save(void) {
    uint64_t d = SYSREG_READ(daif);
    irq_disable();
    return d;
}
static inline void irq_restore(uint64_t d) { SYSREG_WRITE(daif, d); }

/* CPU index = MPIDR_EL1.Aff0 (board.h: VGIC_BOARD_MPIDR), cached in TPIDR_EL1 by start.S. */
static inline unsigned this_cpu(void) { return (unsigned)SYSREG_READ(tpidr_el1); }

/* ---- Time: the generic counter (CNTFRQ_EL0 = VGIC_BOARD_TIMER_FREQUENCY_HZ) ---- */
#define TICKS_PER_US (VGIC_BOARD_TIMER_FREQUENCY_HZ / 1000000UL)
static inline uint64_t counter_now(void) {
    isb();
    return SYSREG_READ(cntpct_el0);
}
void delay_ticks(uint64_t ticks);
#define delay_us(us) delay_ticks((uint64_t)(us) * TICKS_PER_US)

/* Bounded waits. Every wait in the tests ends after WAIT_TIMEOUT_TICKS of simulated time
 * (or WAIT_MAX_SPINS iterations, should the counter not move) and reports a failure
 * instead of hanging. */
#define WAIT_TIMEOUT_TICKS (2000UL * TICKS_PER_US) /* 2 ms simulated */
#define WAIT_MAX_SPINS 2000000UL
struct deadline {
    uint64_t end;
    unsigned long spins;
};
static inline struct deadline deadline_in(uint64_t ticks) {
    struct deadline d = {counter_now() + ticks, 0};
    return d;
}
/* True once the deadline has passed (call once per loop iteration). */
bool deadline_passed(struct deadline *d);
/* Polls *p until it reaches at least want; true if it did in time. */
bool wait_ge(volatile uint32_t *p, uint32_t want);

/* ---- Atomics and locks (exclusives work across CPUs on this board) ---- */
static inline uint32_t atomic_add(volatile uint32_t *p, uint32_t v) {
    uint32_t old, tmp, fail;
    __asm__ volatile("1: ldaxr %w0, [%3]\n"
                     "   add %w1, %w0, %w4\n"
                     "   stlxr %w2, %w1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(old), "=&r"(tmp), "=&r"(fail)
                     : "r"(p), "r"(v)
                     : "memory");
    return old;
}
static inline uint32_t atomic_or(volatile uint32_t *p, uint32_t v) {
    uint32_t old, tmp, fail;
    __asm__ volatile("1: ldaxr %w0, [%3]\n"
                     "   orr %w1, %w0, %w4\n"
                     "   stlxr %w2, %w1, [%3]\n"
                     "   cbnz %w2, 1b\n"
                     : "=&r"(old), "=&r"(tmp), "=&r"(fail)
                     : "r"(p), "r"(v)
                     : "memory");
    return old;
}
typedef struct {
    volatile uint32_t locked;
} spinlock_t;
void spin_lock(spinlock_t *l);
void spin_unlock(spinlock_t *l);

/* ---- Output and exit ---- */
void uart_putc(char c);
void uart_puts(const char *s);
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
/* Ends the run: a 32-bit store to the test exit register (status & 0xff). */
void rt_exit(uint32_t status) __attribute__((noreturn));

/* ---- PSCI and secondaries ---- */
long psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* PSCI return values are 32-bit signed (DEN 0022 5.2.2 Return error codes): read w0 only. */
static inline int32_t psci(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3) {
    return (int32_t)psci_call(fn, a1, a2, a3);
}
typedef void (*cpu_fn)(unsigned cpu);
/* Starts CPUs 1..VGIC_BOARD_MAX_CPUS-1 with PSCI CPU_ON, each running fn(cpu) with IRQs
 * masked once rt_ncpus is final, and returns the number of CPUs running (CPU 0 included) once each started one
 * has checked in. The first CPU_ON that fails ends the walk (MPIDRs are dense, 0..n-1). */
unsigned smp_boot(cpu_fn fn);
extern unsigned rt_ncpus;         /* set by smp_boot (1 before) */
extern volatile uint32_t rt_online; /* CPUs that reached their function */

/* ---- Interrupts ---- */
/* Called from the IRQ vector with the interrupted context saved (ELR/SPSR included, so the
 * handler may unmask IRQs to allow preemption). fiq is 1 for the FIQ vector. */
typedef void (*irq_handler)(bool fiq);
extern volatile irq_handler rt_irq_handler;

/* ---- Checks (TAP-like lines; see README.md) ---- */
/* Prints "ok N - what [rule]" or "not ok N - what [rule] (got G, expected E)". */
bool check_eq(const char *rule, uint64_t got, uint64_t expected, const char *what, ...)
    __attribute__((format(printf, 4, 5)));
/* Boolean check; detail (may be NULL) is printed after "not ok" lines. */
bool check_true(const char *rule, bool cond, const char *what, ...) __attribute__((format(printf, 3, 4)));
/* An informational line ("# ...") that is not a check. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "guest-test <name>: <passed>/<total> checks passed" and exits 0 if all passed. */
void finish(const char *name) __attribute__((noreturn));

/* Spec citations used by several tests. */
#define SPEC_V2 "GIC v2 spec IHI 0048B"
#define SPEC_V3 "GIC v3/v4 spec IHI 0069H"
#define SPEC_ARM "ARM DDI 0487"
#define SPEC_PSCI "PSCI DEN 0022"

void *memset(void *d, int c, unsigned long n);
void *memcpy(void *d, const void *s, unsigned long n);

#endif
