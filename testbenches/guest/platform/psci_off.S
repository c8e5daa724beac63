// SPDX-License-Identifier: Apache-2.0
/* PSCI SYSTEM_OFF from a secondary CPU after CPU_ON: status 0, "PSCI SYSTEM_OFF". CPU 0
 * waits in WFI meanwhile (its run must not count as a deadlock). */
#include "vgic/boot/board.h"
    .section .text.boot, "ax"
    .global _start
_start:
    ldr     x0, =VGIC_PSCI_CPU_ON_64
    ldr     x1, =0x80000001          /* VGIC_BOARD_MPIDR(1) */
    adr     x2, secondary
    mov     x3, #0
    hvc     #0
    cbnz    x0, fail
1:  wfi
    b       1b
secondary:
    ldr     x0, =VGIC_PSCI_SYSTEM_OFF
    hvc     #0
fail:
    ldr     x1, =VGIC_BOARD_EXIT_BASE
    mov     w0, #9
    str     w0, [x1]
    b       .
