// SPDX-License-Identifier: Apache-2.0
/* Entry points, vector table and per-CPU stacks of the guest test images.
 *
 * CPU 0 enters at _start (EL1h, MMU off, DAIF masked, x0 = DTB); a secondary started by
 * PSCI CPU_ON enters at rt_secondary_entry with x0 = its context id, which smp_boot() sets
 * to the CPU index. Both set TPIDR_EL1 = CPU index, SP = top of the CPU's stack and
 * VBAR_EL1 = rt_vectors, then call C with interrupts still masked. */
#include "vgic/boot/board.h"

#define STACK_SIZE 0x4000          /* rt.h RT_STACK_SIZE */
#define FRAME_SIZE (36 * 8)        /* x0-x30, ELR_EL1, SPSR_EL1, padding to 16 bytes */

    .section .text.boot, "ax"
    .global _start
_start:
    mrs     x19, mpidr_el1
    and     x19, x19, #0xff          /* board.h VGIC_BOARD_MPIDR: Aff0 = CPU index */
    msr     tpidr_el1, x19
    bl      set_stack_and_vectors
    /* Zero .bss (8-byte aligned by the linker script; the stacks are not in it). */
    ldr     x1, =__bss_start
    ldr     x2, =__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  bl      rt_main                  /* never returns */
    b       rt_hang

    .global rt_secondary_entry
rt_secondary_entry:
    msr     tpidr_el1, x0            /* context id = CPU index (smp_boot) */
    mov     x19, x0
    bl      set_stack_and_vectors
    mov     x0, x19
    bl      rt_secondary_main        /* never returns */
    b       rt_hang

/* x19 = CPU index; SP = __stacks_start + (index + 1) * STACK_SIZE. Leaf: keeps x30. */
set_stack_and_vectors:
    ldr     x1, =__stacks_start
    add     x2, x19, #1
    mov     x3, #STACK_SIZE
    madd    x1, x2, x3, x1
    mov     sp, x1
    ldr     x1, =rt_vectors
    msr     vbar_el1, x1
    isb
    ret

    .global rt_hang
rt_hang:
    wfi
    b       rt_hang

/* ---- Vector table (ARM DDI 0487, VBAR_EL1 vector table: 16 entries of 0x80 bytes, 2 KiB aligned) ---- */
.macro VENTRY kind
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x0, #\kind
    b       rt_exception_common
.endm

/* kind: bit 0 = FIQ, bit 1 = synchronous/SError (never expected), bits 3:2 = vector group */
    .section .text.vectors, "ax"
    .balign 0x800
    .global rt_vectors
rt_vectors:
    VENTRY 0x2      /* current EL, SP_EL0: synchronous */
    VENTRY 0x0      /* current EL, SP_EL0: IRQ (+0x080) */
    VENTRY 0x1      /* current EL, SP_EL0: FIQ (+0x100) */
    VENTRY 0x2      /* current EL, SP_EL0: SError */
    VENTRY 0x6      /* current EL, SP_ELx: synchronous */
    VENTRY 0x4      /* current EL, SP_ELx: IRQ (+0x280) */
    VENTRY 0x5      /* current EL, SP_ELx: FIQ (+0x300) */
    VENTRY 0x6      /* current EL, SP_ELx: SError */
    VENTRY 0xa      /* lower EL AArch64 (never used: EL1 only) */
    VENTRY 0xa
    VENTRY 0xa
    VENTRY 0xa
    VENTRY 0xe      /* lower EL AArch32 */
    VENTRY 0xe
    VENTRY 0xe
    VENTRY 0xe

    .text
/* x0 = kind, x0/x1 of the interrupted context already saved at [sp]. */
rt_exception_common:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x1, elr_el1
    mrs     x2, spsr_el1
    stp     x30, x1, [sp, #240]
    str     x2, [sp, #256]
    mov     x1, sp                   /* frame, for the report of an unexpected exception */
    bl      rt_exception             /* may unmask IRQs: ELR/SPSR are in the frame */
    msr     daifset, #3              /* no preemption while the frame is restored */
    ldp     x30, x1, [sp, #240]
    ldr     x2, [sp, #256]
    msr     elr_el1, x1
    msr     spsr_el1, x2
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    add     sp, sp, #FRAME_SIZE
    eret

/* long psci_call(fn, a1, a2, a3): PSCI over HVC, SMC calling convention (result in x0). */
    .global psci_call
psci_call:
    hvc     #0
    ret

    .global rt_exit
rt_exit:
    ldr     x1, =(VGIC_BOARD_EXIT_BASE + VGIC_EXIT_STATUS)
    str     w0, [x1]
    /* The store ends the run; should it not, fall back to semihosting SYS_EXIT. */
    mov     x2, x0
    ldr     x1, =rt_semihost_exit_block
    ldr     x3, =VGIC_SEMIHOST_ADP_STOPPED_APPLICATION_EXIT
    str     x3, [x1]
    str     x2, [x1, #8]
    mov     w0, #VGIC_SEMIHOST_SYS_EXIT_EXTENDED
    hlt     #0xf000
    b       rt_hang

    .section .bss
    .balign 8
rt_semihost_exit_block:
    .skip 16
