// SPDX-License-Identifier: Apache-2.0
/* A load from an address with nothing behind it (0x1000: below every device): a data abort
 * the engine cannot forward. vgic-sim boot must end with status 3, name the access (size and
 * address) and dump the registers (PC: the start of the load's translation block, as the
 * engine keeps it). */
    .section .text.boot, "ax"
    .global _start
    .global abort_load
_start:
    mov     x1, #0x1000
abort_load:
    ldr     w0, [x1]
    b       .
