// SPDX-License-Identifier: Apache-2.0
/* GIC access bound: 1 M GICD_TYPER loads (4 instructions per iteration), then the exit
 * register. The wall cost of one GIC MMIO access through the engine, the router, the Vgic
 * and the model. */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x4, =1000000
    ldr     x1, =VGIC_BOARD_GICD_BASE
1:  ldr     w2, [x1, #4]
    subs    x4, x4, #1
    add     x3, x3, x2
    b.ne    1b
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    str     wzr, [x1]
    b       .
