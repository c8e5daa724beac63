// SPDX-License-Identifier: Apache-2.0
/* Never ends: vgic-sim boot --max-time must stop it with status 124. */
    .section .text.boot, "ax"
    .global _start
_start:
    add     x0, x0, #1
    b       _start
