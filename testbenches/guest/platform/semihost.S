// SPDX-License-Identifier: Apache-2.0
/* Arm semihosting: SYS_WRITE0 of a line, then SYS_EXIT with ADP_Stopped_ApplicationExit and
 * subcode 5: vgic-sim boot prints the line and exits with status 5. */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    mov     w0, #VGIC_SEMIHOST_SYS_WRITE0
    adr     x1, message
    hlt     #0xf000
    mov     w0, #VGIC_SEMIHOST_SYS_EXIT
    adr     x1, block
    hlt     #0xf000
    b       .
    .balign 8
block:
    .quad   VGIC_SEMIHOST_ADP_STOPPED_APPLICATION_EXIT
    .quad   5
message:
    .asciz  "semihosting says hello\n"
