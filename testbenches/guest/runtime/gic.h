// SPDX-License-Identifier: Apache-2.0
/* GIC helper layer of the guest test images: one API over GICv2 (GICD + GICC, or the VM's
 * GICV at the GICC address) and GICv3 (GICD + GICR + ICC_ system registers, ICV_ in a VM).
 *
 * Bring-up follows Linux's irq-gic.c / irq-gic-v3.c order (../shared/reference/
 * real-clients.md 1.1, 1.2). Groups: GICv2 interrupts stay in Group 0 signalled as IRQ
 * (Linux leaves GICD_IGROUPR alone and enables only Group 0 in GICC_CTLR); GICv3 puts every
 * interrupt in Group 1 and uses the ICC_*1_EL1 registers. "This CPU" is this_cpu(). */
#ifndef GUEST_GIC_H
#define GUEST_GIC_H

#include "rt.h"

/* ---- Register offsets (IHI 0048B 4.1.2, IHI 0069H 12.8 / 12.10) ---- */
#define GICD_CTLR 0x000
#define GICD_TYPER 0x004
#define GICD_IIDR 0x008
#define GICD_IGROUPR 0x080
#define GICD_ISENABLER 0x100
#define GICD_ICENABLER 0x180
#define GICD_ISPENDR 0x200
#define GICD_ICPENDR 0x280
#define GICD_ISACTIVER 0x300
#define GICD_ICACTIVER 0x380
#define GICD_IPRIORITYR 0x400
#define GICD_ITARGETSR 0x800
#define GICD_ICFGR 0xc00
#define GICD_SGIR 0xf00
#define GICD_IROUTER 0x6000
#define GICD_PIDR2_V2 0xfe8
#define GICD_PIDR2_V3 0xffe8

#define GICD_CTLR_ENABLE 0x1          /* v2: Enable (Group 0 without Security Extensions) */
#define GICD_CTLR_V3_ENABLE_GRP0 (1u << 0)
#define GICD_CTLR_V3_ENABLE_GRP1 (1u << 1)
#define GICD_CTLR_V3_ARE (1u << 4)
#define GICD_CTLR_V3_DS (1u << 6)
#define GICD_CTLR_V3_RWP (1u << 31)
#define GICD_TYPER_ITLINES(t) ((t) & 0x1fu)
#define GICD_TYPER_CPUNUMBER(t) (((t) >> 5) & 0x7u)
#define GICD_TYPER_NO1N (1u << 25)
#define GICD_SGIR_FILTER_LIST (0u << 24)
#define GICD_SGIR_FILTER_OTHERS (1u << 24)
#define GICD_SGIR_FILTER_SELF (2u << 24)
#define GICD_IROUTER_IRM (1ull << 31)

#define GICR_CTLR 0x000
#define GICR_IIDR 0x004
#define GICR_TYPER 0x008
#define GICR_WAKER 0x014
#define GICR_PIDR2 0xffe8
#define GICR_SGI_OFFSET 0x10000 /* SGI_base: IGROUPR0, ISENABLER0, ... at the GICD offsets */
#define GICR_CTLR_RWP (1u << 3)
#define GICR_TYPER_LAST (1ull << 4)
#define GICR_TYPER_PROCNUM(t) (((t) >> 8) & 0xffffu)
#define GICR_TYPER_AFFINITY(t) ((uint32_t)((t) >> 32))
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_BPR 0x008
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
#define GICC_RPR 0x014
#define GICC_HPPIR 0x018
#define GICC_APR0 0x0d0
#define GICC_IIDR 0x0fc
#define GICC_DIR 0x1000
#define GICC_CTLR_ENABLE_GRP0 (1u << 0)
#define GICC_CTLR_EOIMODE (1u << 9) /* EOImode (no Security Extensions; GICV_CTLR too) */
#define GICC_IAR_CPUID(iar) (((iar) >> 10) & 0x7u)

/* ICC_ system registers (IHI 0069H 12.2), by encoding so any assembler accepts them. */
#define ICC_PMR_EL1 "S3_0_C4_C6_0"
#define ICC_BPR0_EL1 "S3_0_C12_C8_3"
#define ICC_AP0R0_EL1 "S3_0_C12_C8_4"
#define ICC_AP1R0_EL1 "S3_0_C12_C9_0"
#define ICC_AP1R1_EL1 "S3_0_C12_C9_1"
#define ICC_AP1R2_EL1 "S3_0_C12_C9_2"
#define ICC_AP1R3_EL1 "S3_0_C12_C9_3"
#define ICC_DIR_EL1 "S3_0_C12_C11_1"
#define ICC_RPR_EL1 "S3_0_C12_C11_3"
#define ICC_SGI1R_EL1 "S3_0_C12_C11_5"
#define ICC_IAR1_EL1 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1 "S3_0_C12_C12_1"
#define ICC_HPPIR1_EL1 "S3_0_C12_C12_2"
#define ICC_BPR1_EL1 "S3_0_C12_C12_3"
#define ICC_CTLR_EL1 "S3_0_C12_C12_4"
#define ICC_SRE_EL1 "S3_0_C12_C12_5"
#define ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define ICC_CTLR_EOIMODE (1u << 1)
#define ICC_CTLR_PRIBITS(c) ((((c) >> 8) & 0x7u) + 1u)
#define ICC_SGI1R_IRM (1ull << 40)
#define ICC_SRE_SRE 1u

#define ICC_READ(enc)                                          \
    ({                                                         \
        uint64_t v_;                                           \
        __asm__ volatile("mrs %0, " enc : "=r"(v_)::"memory"); \
        v_;                                                    \
    })
#define ICC_WRITE(enc, v) __asm__ volatile("msr " enc ", %0" : : "r"((uint64_t)(v)) : "memory")

#define GIC_SPURIOUS 1023u
#define GIC_IDLE_PRIORITY 0xffu /* RPR with nothing active (IHI 0048B 4.4.6, IHI 0069H 12.2 ICC_RPR_EL1) */
#define GIC_LINUX_PRIORITY 0xa0u
#define GIC_LINUX_PMR 0xf0u

/* ---- Discovery and bring-up ---- */
extern unsigned gic_version; /* 2 or 3, from gic_detect() */
extern unsigned gic_nlines;  /* N = min(32 * (GICD_TYPER.ITLinesNumber + 1), 1020) */
unsigned gic_detect(void);   /* 0 if neither PIDR2 matches */
void gic_dist_init(void);    /* boot CPU: Linux's gic_dist_init / gic_dist_init (v3) */
void gic_cpu_init(void);     /* every CPU: Linux's gic_cpu_init (+ v3 redistributor wake) */
uint8_t gic_v2_cpu_mask(void); /* v2: OR of this CPU's ITARGETSR0-7 bytes (Linux) */
uintptr_t gicr_rd(unsigned cpu);  /* v3: RD_base of CPU cpu (found by gic_cpu_init) */
static inline uintptr_t gicr_sgi(unsigned cpu) { return gicr_rd(cpu) + GICR_SGI_OFFSET; }
void gic_wait_rwp(void); /* v3: GICD_CTLR.RWP and this CPU's GICR_CTLR.RWP clear */

/* ---- Per-INTID state; INTIDs 0-31 address this CPU's banked copy ---- */
uintptr_t gic_reg(uint32_t offset, unsigned intid, unsigned bits_per_intid);
void gic_enable(unsigned intid);
void gic_disable(unsigned intid);
bool gic_enabled(unsigned intid);
void gic_set_pending(unsigned intid);
void gic_clear_pending(unsigned intid);
bool gic_pending(unsigned intid);
/* Waits, at most WAIT_TIMEOUT_TICKS, until INTID's pending state is `want`; true if it got there. */
bool gic_wait_pending(unsigned intid, bool want);
void gic_set_active(unsigned intid);
void gic_clear_active(unsigned intid);
bool gic_active(unsigned intid);
void gic_set_priority(unsigned intid, uint8_t prio);
uint8_t gic_priority(unsigned intid);
void gic_set_edge(unsigned intid, bool edge); /* ICFGR Int_config[1] */
void gic_route(unsigned intid, unsigned cpu); /* SPI to one CPU */
void gic_route_any(unsigned intid);           /* SPI 1-of-N: v2 all CPUs in ITARGETSR, v3 IRM=1 */

/* ---- SGIs (v2 GICD_SGIR, v3 ICC_SGI1R_EL1) ---- */
void gic_sgi_self(unsigned sgi);
void gic_sgi_list(unsigned sgi, uint32_t cpu_mask);
void gic_sgi_others(unsigned sgi);

/* ---- CPU interface (GICC / GICV, ICC_ / ICV_) ---- */
uint32_t gic_iar(void);              /* raw: v2 keeps CPUID in [12:10] */
static inline unsigned gic_intid(uint32_t iar) { return gic_version == 3 ? iar & 0xffffffu : iar & 0x3ffu; }
void gic_eoir(uint32_t iar);         /* priority drop (+ deactivation when EOImode = 0) */
void gic_dir(uint32_t iar);          /* deactivation (EOImode = 1) */
uint32_t gic_hppir(void);
uint32_t gic_rpr(void);
void gic_set_pmr(uint32_t pmr);
uint32_t gic_pmr(void);
void gic_set_bpr(uint32_t bpr); /* v2 GICC_BPR (Group 0), v3 ICC_BPR1_EL1 (Group 1) */
uint32_t gic_bpr(void);
void gic_set_eoimode(bool split);
bool gic_eoimode(void);

#endif

/* ---- What bring-up observed, per CPU, for the bringup test to check ---- */
struct gic_cpu_log {
    bool done;
    uint8_t v2_cpu_mask;      /* v2: gic_v2_cpu_mask() during gic_cpu_init */
    bool rd_found;            /* v3: own redistributor found by the TYPER walk */
    uint32_t waker_after;     /* v3: GICR_WAKER after the wake handshake */
    bool waker_ok;            /* v3: ChildrenAsleep cleared in time */
    bool rwp_ok;              /* v3: GICR_CTLR.RWP cleared in time */
    uint64_t sre;             /* v3: ICC_SRE_EL1 after setting SRE */
    uint64_t icc_ctlr;        /* v3: ICC_CTLR_EL1 as read by the PRIbits probe */
    bool group0_accessible;   /* v3: Linux's Group-0 probe through ICC_PMR_EL1 */
};
extern struct gic_cpu_log gic_cpu_log[VGIC_BOARD_MAX_CPUS];
extern bool gic_dist_rwp_ok; /* v3: every GICD_CTLR.RWP wait of gic_dist_init ended in time */

/* ---- Test scaffolding shared by every image ---- */
/* CPU 0: detect the GIC (a check), print the banner, Linux distributor and CPU bring-up. */
void gic_boot_cpu0(const char *test);
/* Waits until the CPU interface shows an interrupt (IAR != spurious) with IRQs masked and
 * returns its raw IAR, or GIC_SPURIOUS after the timeout. */
uint32_t gic_poll_iar(void);
/* Intgen: the board's interrupt generator (board.h). */
static inline void intgen_write(uint32_t reg, unsigned intid) {
    mmio_w32(VGIC_BOARD_INTGEN_BASE + reg, intid);
}
