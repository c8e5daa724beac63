// SPDX-License-Identifier: Apache-2.0
/* The `vgic-sim boot` board: memory map, device registers and guest conventions.
 *
 * One header for both sides: the platform (C++, platforms/boot/) and the bare-metal guest
 * test images (C and assembly, testbenches/guest/), so the two cannot disagree.
 * docs/BOOT.md describes every device; the addresses of the GIC are those of the seed
 * (ArceOS arm_vgic): GICD 0x0800_0000, GICC 0x0801_0000, GICR 0x0802_0000 + 128 KiB per CPU.
 * Plain C preprocessor only (included by .S files too). */
#ifndef VGIC_BOOT_BOARD_H
#define VGIC_BOOT_BOARD_H

/* ---- Memory map ---- */
#define VGIC_BOARD_GICD_BASE 0x08000000UL   /* 64 KiB */
#define VGIC_BOARD_GICD_SIZE 0x00010000UL
/* GICv2: the CPU interface. hw mode: GICC; vm mode: the VM's GICV, which the guest finds at
 * its GICC address as on every hypervisor. 8 KiB. */
#define VGIC_BOARD_GICC_BASE 0x08010000UL
#define VGIC_BOARD_GICC_SIZE 0x00002000UL
/* GICv2, hw mode only: the hypervisor control interface (this CPU's GICH) and the virtual
 * CPU interface, for EL1 software that drives list registers itself. */
#define VGIC_BOARD_GICH_BASE 0x08030000UL
#define VGIC_BOARD_GICH_SIZE 0x00001000UL
#define VGIC_BOARD_GICV_BASE 0x08040000UL
#define VGIC_BOARD_GICV_SIZE 0x00002000UL
/* GICv3: redistributor n at GICR_BASE + n * GICR_STRIDE (RD_base, then SGI_base at +64 KiB). */
#define VGIC_BOARD_GICR_BASE 0x08020000UL
#define VGIC_BOARD_GICR_STRIDE 0x00020000UL

/* PL011 UART (output only: DR, FR, CR, IBRD/FBRD/LCR_H/IMSC accepted; peripheral ID). */
#define VGIC_BOARD_UART_BASE 0x09000000UL
#define VGIC_BOARD_UART_SIZE 0x00001000UL
#define VGIC_BOARD_UART_INTID 33 /* SPI 1, as listed in the device tree (never asserted) */

/* Interrupt generator: drives SPI input lines of the GIC. */
#define VGIC_BOARD_INTGEN_BASE 0x09010000UL
#define VGIC_BOARD_INTGEN_SIZE 0x00001000UL
#define VGIC_INTGEN_SET 0x00     /* W: INTID -> line high (level: stays high until CLEAR) */
#define VGIC_INTGEN_CLEAR 0x04   /* W: INTID -> line low */
#define VGIC_INTGEN_PULSE 0x08   /* W: INTID -> line high then low (an edge) */
#define VGIC_INTGEN_LEVEL 0x0c   /* W: INTID -> selects it for reading; R: its line (0/1) */
#define VGIC_INTGEN_SPIS 0x10    /* R: number of SPI lines (INTIDs 32 .. 32 + n - 1) */
#define VGIC_INTGEN_ID 0x14      /* R: VGIC_INTGEN_ID_VALUE */
#define VGIC_INTGEN_ID_VALUE 0x56494e54UL /* "VINT" */

/* Test exit register: a 32-bit store of S ends the simulation with exit status S & 0xff. */
#define VGIC_BOARD_EXIT_BASE 0x09020000UL
#define VGIC_BOARD_EXIT_SIZE 0x00001000UL
#define VGIC_EXIT_STATUS 0x00

/* RAM: default 128 MiB (vgic-sim boot --mem). Images load at RAM + 0x80000 (Linux Image:
 * at its header's text_offset); the device tree goes to the top of RAM, 2 MiB aligned. */
#define VGIC_BOARD_RAM_BASE 0x40000000UL
#define VGIC_BOARD_RAM_DEFAULT_SIZE 0x08000000UL
#define VGIC_BOARD_LOAD_OFFSET 0x00080000UL

/* ---- CPUs ---- */
#define VGIC_BOARD_MAX_CPUS 8
/* MPIDR_EL1 of CPU n: Aff0 = n (one cluster), bit 31 RES1. */
#define VGIC_BOARD_MPIDR(n) (0x80000000UL | (unsigned long)(n))

/* Generic timer PPIs (INTIDs), as Linux's arm,armv8-timer binding lists them. */
#define VGIC_BOARD_TIMER_SEC_PHYS_INTID 29
#define VGIC_BOARD_TIMER_PHYS_INTID 30
#define VGIC_BOARD_TIMER_VIRT_INTID 27
#define VGIC_BOARD_TIMER_HYP_INTID 26
/* Counter frequency (CNTFRQ_EL0), Hz. */
#define VGIC_BOARD_TIMER_FREQUENCY_HZ 100000000UL

/* ---- PSCI 1.0 over HVC (SMC calling convention, function ID in w0) ---- */
#define VGIC_PSCI_VERSION 0x84000000UL
#define VGIC_PSCI_CPU_OFF 0x84000002UL
#define VGIC_PSCI_CPU_ON_64 0xc4000003UL
#define VGIC_PSCI_AFFINITY_INFO_64 0xc4000004UL
#define VGIC_PSCI_SYSTEM_OFF 0x84000008UL
#define VGIC_PSCI_SYSTEM_RESET 0x84000009UL
#define VGIC_PSCI_FEATURES 0x8400000aUL
#define VGIC_PSCI_SUCCESS 0
#define VGIC_PSCI_NOT_SUPPORTED (-1)
#define VGIC_PSCI_INVALID_PARAMETERS (-2)
#define VGIC_PSCI_ALREADY_ON (-4)

/* ---- Arm semihosting (HLT #0xF000, operation in w0, parameter in x1) ---- */
#define VGIC_SEMIHOST_SYS_WRITEC 0x03
#define VGIC_SEMIHOST_SYS_WRITE0 0x04
#define VGIC_SEMIHOST_SYS_EXIT 0x18
#define VGIC_SEMIHOST_SYS_EXIT_EXTENDED 0x20
#define VGIC_SEMIHOST_ADP_STOPPED_APPLICATION_EXIT 0x20026

#endif
