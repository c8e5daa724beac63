// SPDX-License-Identifier: Apache-2.0
/* Every CPU waits in WFI with nothing that can wake it (no interrupt enabled, no timer):
 * vgic-sim boot must end with status 3, "deadlock", and the register dump. */
    .section .text.boot, "ax"
    .global _start
_start:
    msr     daifset, #0xf
1:  wfi
    b       1b
