// SPDX-License-Identifier: Apache-2.0
/* Compute bound: 200 M instructions of integer ALU work and a loop branch (5 per
 * iteration), then the exit register. The ISS's raw speed and its quantum-boundary cost. */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x4, =40000000
    mov     x5, #0
    mov     x6, #1
1:  add     x5, x5, x6
    eor     x6, x6, x5
    add     x6, x6, #3
    subs    x4, x4, #1
    b.ne    1b
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     wzr, [x1]
    b       .
