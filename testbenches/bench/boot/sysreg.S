// SPDX-License-Identifier: Apache-2.0
/* System-register bound: 1 M CNTVCT_EL0 reads (4 instructions per iteration), then the exit
 * register. The wall cost of one MRS served by the model's timer (the GICv3 ICC_ path adds
 * a PC write). */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x4, =1000000
1:  mrs     x2, cntvct_el0
    subs    x4, x4, #1
    add     x3, x3, x2
    b.ne    1b
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     wzr, [x1]
    b       .
