// SPDX-License-Identifier: Apache-2.0
/* GICv2 hw mode: the virtual timer's PPI 27 in Group 0 with GICC_CTLR.FIQEn = 1 is signalled
 * as FIQ. With every exception masked, WFI must still wake when it is pending (ARM DDI 0487,
 * "Wait for Interrupt": a pending physical FIQ is a WFI wake-up event whatever PSTATE.F says);
 * the image then exits 0. (A board that only watched the IRQ line reported a deadlock.) */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    msr     daifset, #0xf
    ldr     x1, =VGIC_BOARD_GICD_BASE
    mov     w2, #1
    str     w2, [x1, #0x000]          /* GICD_CTLR.EnableGrp0 */
    mov     w2, #(1 << 27)
    str     w2, [x1, #0x100]          /* GICD_ISENABLER0: PPI 27 (Group 0 after reset) */
    ldr     x1, =VGIC_BOARD_GICC_BASE
    mov     w2, #0xf0
    str     w2, [x1, #0x004]          /* GICC_PMR */
    mov     w2, #((1 << 3) | 1)
    str     w2, [x1, #0x000]          /* GICC_CTLR: FIQEn | EnableGrp0 */
    mrs     x2, cntvct_el0
    add     x2, x2, #100
    msr     cntv_cval_el0, x2
    mov     x2, #1
    msr     cntv_ctl_el0, x2
    wfi
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     wzr, [x1]
    b       .
