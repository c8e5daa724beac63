// SPDX-License-Identifier: Apache-2.0
/* latency: interrupt latency from real code, for comparison with `vgic-sim run`'s path sums
 * (testbenches/guest/check_latency.cmake; docs/BOOT.md, "Latency bound").
 *
 * No runtime: the measurement must not include a C prologue. The IRQ vector's first
 * instruction reads the IAR (GICv2: a GICC_IAR load, GICv3: MRS ICC_IAR1_EL1), so the
 * latency the board traces (assertion -> the IAR read's completion) is exactly
 *   timer: signal_delay + irq_entry + the IAR read,
 *   IPI:   the SGI write's way to the GIC + signal_delay + irq_entry + the IAR read,
 * when the receiving CPU waits in WFI (a WFI synchronises the CPU, so it wakes when the line
 * rises). The vector uses x0, x1 only: the code it interrupts keeps nothing there.
 *
 * CPU 0: 16 virtual-timer interrupts (CVAL = now + 10 us, WFI), then starts CPU 1 and sends
 * it 16 SGIs (INTID 1), each after CPU 1 reported the previous one handled. Exit status 0,
 * or 1 when an interrupt other than the expected one arrives.
 * Needs 2 CPUs, either GIC version, hw or vm mode. */
#include "vgic/boot/board.h"

#define ROUNDS 16
#define SGI_INTID 1

/* GICv2 offsets (IHI 0048B, the GICD and GICC register maps). */
#define GICD_CTLR 0x000
#define GICD_ISENABLER0 0x100
#define GICD_SGIR 0xf00
#define GICC_CTLR 0x000
#define GICC_PMR 0x004
#define GICC_IAR 0x00c
#define GICC_EOIR 0x010
/* GICv3 (IHI 0069H 12.9 GICD_CTLR, 12.11 GICR_WAKER): GICD_CTLR.ARE_NS | EnableGrp1NS (bit 1) | EnableGrp0. */
#define GICD_PIDR2_V3 0xffe8
#define GICR_WAKER 0x0014
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x100)

/* System registers by encoding (the assembler may not know the GIC's names). */
#define ICC_IAR1_EL1 s3_0_c12_c12_0
#define ICC_EOIR1_EL1 s3_0_c12_c12_1
#define ICC_SGI1R_EL1 s3_0_c12_c11_5
#define ICC_PMR_EL1 s3_0_c4_c6_0
#define ICC_SRE_EL1 s3_0_c12_c12_5
#define ICC_IGRPEN1_EL1 s3_0_c12_c12_7

    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =stack0_top
    mov     sp, x0
    bl      detect_gic          /* x20 = 1 for GICv3 */
    bl      gic_global_init
    mov     x0, #0
    bl      gic_cpu_init
    bl      install_vectors
    mov     x22, #0             /* interrupts handled by this CPU */
    mov     x23, #0             /* set when an unexpected INTID arrived */

    /* ---- timer rounds ---- */
    mov     x24, #0
1:  mrs     x2, cntvct_el0
    add     x2, x2, #1000       /* 10 us at 100 MHz */
    msr     cntv_cval_el0, x2
    mov     x2, #1
    msr     cntv_ctl_el0, x2    /* ENABLE, IMASK clear */
    msr     daifclr, #2
2:  cmp     x22, x24
    b.ne    3f
    wfi
    b       2b
3:  msr     daifset, #2
    add     x24, x24, #1
    cmp     x24, #ROUNDS
    b.lo    1b

    /* ---- IPI rounds: CPU 1 waits in WFI, CPU 0 sends ---- */
    ldr     x0, =VGIC_PSCI_CPU_ON_64
    ldr     x1, =0x80000001         /* VGIC_BOARD_MPIDR(1) (a C expression in board.h) */
    ldr     x2, =secondary
    mov     x3, #1
    hvc     #0
    cbnz    x0, fail
    ldr     x5, =cpu1_handled
4:  ldr     x6, =cpu1_ready
    ldr     w6, [x6]
    cbz     w6, 4b
    mov     x24, #0
5:  bl      send_sgi_to_cpu1
6:  ldr     w6, [x5]            /* wait until CPU 1 took it */
    add     x7, x24, #1
    cmp     x6, x7
    b.lo    6b
    add     x24, x24, #1
    cmp     x24, #ROUNDS
    b.lo    5b
    cbnz    x23, fail
    ldr     x6, =cpu1_unexpected
    ldr     w6, [x6]
    cbnz    w6, fail
    mov     w0, #0
    b       exit
fail:
    mov     w0, #1
exit:
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     w0, [x1]
    b       .

secondary:                      /* x0 = 1 (context id) */
    ldr     x1, =stack1_top
    mov     sp, x1
    bl      detect_gic
    mov     x0, #1
    bl      gic_cpu_init
    bl      install_vectors
    mov     x22, #0
    mov     x23, #0
    ldr     x1, =cpu1_ready
    mov     w2, #1
    str     w2, [x1]
    msr     daifclr, #2
7:  wfi
    ldr     x1, =cpu1_handled
    str     w22, [x1]
    ldr     x1, =cpu1_unexpected
    str     w23, [x1]
    b       7b

/* x20 = 1 if GICD_PIDR2 (GICv3 layout) says ArchRev 3. */
detect_gic:
    ldr     x1, =(VGIC_BOARD_GICD_BASE + GICD_PIDR2_V3)
    ldr     w2, [x1]
    ubfx    w2, w2, #4, #4
    cmp     w2, #3
    cset    x20, eq
    ret

gic_global_init:
    ldr     x1, =VGIC_BOARD_GICD_BASE
    cbnz    x20, 1f
    mov     w2, #1              /* GICv2: enable (Group 0: the board's GIC has one Security state) */
    str     w2, [x1, #GICD_CTLR]
    ret
1:  mov     w2, #0x13           /* GICv3: ARE | EnableGrp1 | EnableGrp0 (DS = 1) */
    str     w2, [x1, #GICD_CTLR]
    ret

/* x0 = this CPU's index: its banked/redistributor state and its CPU interface. */
gic_cpu_init:
    ldr     w3, =((1 << 27) | (1 << SGI_INTID))
    cbnz    x20, 1f
    ldr     x1, =VGIC_BOARD_GICD_BASE
    str     w3, [x1, #GICD_ISENABLER0]   /* banked: this CPU's SGI and PPI */
    ldr     x1, =VGIC_BOARD_GICC_BASE
    mov     w2, #0xf0
    str     w2, [x1, #GICC_PMR]
    mov     w2, #1
    str     w2, [x1, #GICC_CTLR]
    ret
1:  ldr     x1, =VGIC_BOARD_GICR_BASE
    mov     x2, #VGIC_BOARD_GICR_STRIDE
    madd    x1, x0, x2, x1
    str     wzr, [x1, #GICR_WAKER]       /* ProcessorSleep = 0 (Linux's handshake) */
2:  ldr     w2, [x1, #GICR_WAKER]
    tbnz    w2, #2, 2b                   /* ChildrenAsleep */
    add     x2, x1, #GICR_SGI_BASE
    mov     w4, #-1
    str     w4, [x2, #0x80]              /* GICR_IGROUPR0: all Group 1 */
    str     w3, [x2, #0x100]             /* GICR_ISENABLER0 */
    mov     x2, #1
    msr     ICC_SRE_EL1, x2
    isb
    mov     x2, #0xf0
    msr     ICC_PMR_EL1, x2
    mov     x2, #1
    msr     ICC_IGRPEN1_EL1, x2
    isb
    ret

install_vectors:
    cbnz    x20, 1f
    ldr     x1, =vectors_v2
    b       2f
1:  ldr     x1, =vectors_v3
2:  msr     vbar_el1, x1
    isb
    ret

send_sgi_to_cpu1:
    cbnz    x20, 1f
    ldr     x1, =VGIC_BOARD_GICD_BASE
    ldr     w2, =((1 << (16 + 1)) | SGI_INTID)   /* TargetListFilter 0, CPUTargetList = CPU 1 */
    str     w2, [x1, #GICD_SGIR]
    ret
1:  ldr     x2, =((SGI_INTID << 24) | (1 << 1))  /* INTID, TargetList = Aff0 1 (Aff1..3 = 0) */
    msr     ICC_SGI1R_EL1, x2
    isb
    ret

/* ---- vectors: only IRQ from EL1h (+0x280) is expected; anything else exits 2 ---- */
.macro unexpected
    .balign 0x80
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    mov     w0, #2
    str     w0, [x1]
    b       .
.endm

.macro vector_table name, iar, eoi
    .balign 0x800
\name:
    .rept 5                      /* +0x000 .. +0x200 */
    unexpected
    .endr
    .balign 0x80                 /* +0x280: IRQ, current EL with SP_ELx */
    \iar                         /* first instruction: the acknowledgement */
    b       \name\()_handler
    .rept 10                     /* +0x300 .. +0x780 */
    unexpected
    .endr
\name\()_handler:
    and     x0, x1, #0x3ff       /* GICv2: without the source CPU field */
    cmp     x0, #1023            /* spurious: the line had not fallen yet after the last EOI */
    b.ne    3f                   /* (signal_delay after the EOI's effect): nothing to do */
    eret
3:  cmp     x0, #27
    b.ne    1f
    msr     cntv_ctl_el0, xzr    /* the timer's level output falls: not re-taken */
    b       2f
1:  cmp     x0, #SGI_INTID
    b.eq    2f
    mov     x23, #1              /* unexpected INTID */
2:  \eoi
    add     x22, x22, #1
    eret
.endm

.macro iar_v2
    mov     x0, #VGIC_BOARD_GICC_BASE
    ldr     w1, [x0, #GICC_IAR]
.endm
.macro eoi_v2
    mov     x0, #VGIC_BOARD_GICC_BASE
    str     w1, [x0, #GICC_EOIR]  /* the whole IAR value (CPUID included) */
.endm
.macro iar_v3
    mrs     x1, ICC_IAR1_EL1
.endm
.macro eoi_v3
    msr     ICC_EOIR1_EL1, x1
.endm

    .section .text.vectors, "ax"
    vector_table vectors_v2, iar_v2, eoi_v2
    vector_table vectors_v3, iar_v3, eoi_v3

    .data
    .balign 8
cpu1_ready:      .word 0
cpu1_handled:    .word 0
cpu1_unexpected: .word 0

    .bss
    .balign 16
    .space 0x2000
stack0_top:
    .space 0x2000
stack1_top:
