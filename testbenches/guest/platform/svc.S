// SPDX-License-Identifier: Apache-2.0
/* Synchronous exceptions the engine reports are forwarded to the guest's vector:
 * SVC #0x42 enters VBAR_EL1 + 0x200 with ESR_EL1.EC = 0x15, ISS = 0x42, ELR_EL1 = the next
 * instruction (ARM DDI 0487, "Exception entry" and ESR_ELx). The handler checks them and exits 0 (else 1). */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    adr     x0, vectors
    msr     vbar_el1, x0
    isb
    svc     #0x42
after_svc:
    mov     w0, #1                   /* the handler did not run */
    b       exit
sync_handler:
    mrs     x2, esr_el1
    lsr     x3, x2, #26
    cmp     x3, #0x15
    b.ne    bad
    and     x3, x2, #0xffff
    cmp     x3, #0x42
    b.ne    bad
    mrs     x4, elr_el1
    adr     x5, after_svc
    cmp     x4, x5
    b.ne    bad
    mov     w0, #0
    b       exit
bad:
    mov     w0, #1
exit:
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     w0, [x1]
    b       .
    .balign 0x800
vectors:
    .balign 0x80
    b       bad                      /* +0x000 sync from EL1t: not expected */
    .balign 0x80
    b       bad
    .balign 0x80
    b       bad
    .balign 0x80
    b       bad
    .balign 0x80
    b       sync_handler             /* +0x200 sync, current EL with SP_ELx */
    .balign 0x80
    b       bad
