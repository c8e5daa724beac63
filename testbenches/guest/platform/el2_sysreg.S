// SPDX-License-Identifier: Apache-2.0
/* EL2 registers are UNDEFINED for an EL1 guest (ARM DDI 0487; GIC v3 spec: ICH_HCR_EL2 is
 * accessible from EL2 and EL3 only): MSR ICH_HCR_EL2 and MSR CNTVOFF_EL2 must each enter the
 * guest's synchronous vector (VBAR_EL1 + 0x200) with ESR_EL1.EC = 0 (unknown reason) and
 * ELR_EL1 on the instruction. Exit 0 when both did, 1 otherwise. Run with --gic v3. */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    mov     x20, #0                   /* exceptions seen as expected */
    mov     x0, #1
first:
    msr     s3_4_c12_c11_0, x0        /* ICH_HCR_EL2 */
second:
    msr     cntvoff_el2, x0
    cmp     x20, #2
    cset    w0, ne
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     w0, [x1]
    b       .
sync_handler:
    mrs     x2, esr_el1
    lsr     x3, x2, #26
    cbnz    x3, 1f                    /* EC must be 0 */
    mrs     x4, elr_el1
    adr     x5, first
    cmp     x20, #0
    b.eq    2f
    adr     x5, second
2:  cmp     x4, x5
    b.ne    1f
    add     x20, x20, #1
1:  mrs     x4, elr_el1
    add     x4, x4, #4
    msr     elr_el1, x4
    eret
    .balign 0x800
vectors:
    .rept 4
    .balign 0x80
    b       .
    .endr
    .balign 0x80
    b       sync_handler              /* +0x200 */
