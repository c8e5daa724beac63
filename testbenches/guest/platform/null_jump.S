// SPDX-License-Identifier: Apache-2.0
/* A call through a null function pointer: the fetch from address 0 finds nothing mapped.
 * vgic-sim boot must end with status 3 naming the fetch (it once looped forever: the engine's
 * `until` address was 0). */
    .section .text.boot, "ax"
    .global _start
_start:
    mov     x0, #0
    br      x0
