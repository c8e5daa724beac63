// SPDX-License-Identifier: Apache-2.0
// GICv2 register map (Arm IHI 0048B, chapter 4), declared once. Offsets are from the start
// of each frame; field names are the specification's mnemonics.
#pragma once

#include "vgic/model/bitfield.hpp"

#include <cstdint>

namespace vgic::gicv2 {

/// Architectural INTID ranges (IHI 0048B 2.2.1).
constexpr unsigned kNumSgis = 16;        // INTIDs 0-15
constexpr unsigned kNumPrivate = 32;     // SGIs + PPIs 16-31, banked per CPU
constexpr unsigned kMaxIntids = 1020;    // 1020-1023 are special
constexpr std::uint32_t kSpurious = 1023;          // no pending interrupt of sufficient priority
constexpr std::uint32_t kSpuriousOtherGroup = 1022; // IAR with AckCtl=0 and a Group 1 interrupt
constexpr unsigned kMaxCpus = 8;

/// Distributor (GICD), 4 KiB frame.
namespace gicd {
constexpr std::uint32_t CTLR = 0x000;
constexpr std::uint32_t TYPER = 0x004;
constexpr std::uint32_t IIDR = 0x008;
constexpr std::uint32_t IGROUPR = 0x080;     // 32 words
constexpr std::uint32_t ISENABLER = 0x100;
constexpr std::uint32_t ICENABLER = 0x180;
constexpr std::uint32_t ISPENDR = 0x200;
constexpr std::uint32_t ICPENDR = 0x280;
constexpr std::uint32_t ISACTIVER = 0x300;
constexpr std::uint32_t ICACTIVER = 0x380;
constexpr std::uint32_t IPRIORITYR = 0x400;  // 255 words, byte accessible
constexpr std::uint32_t ITARGETSR = 0x800;   // 255 words, byte accessible
constexpr std::uint32_t ICFGR = 0xC00;       // 64 words
constexpr std::uint32_t NSACR = 0xE00;       // 64 words
constexpr std::uint32_t SGIR = 0xF00;
constexpr std::uint32_t CPENDSGIR = 0xF10;   // 4 words, byte accessible
constexpr std::uint32_t SPENDSGIR = 0xF20;   // 4 words, byte accessible
constexpr std::uint32_t PIDR4 = 0xFD0;       // PIDR4..7 then PIDR0..3
constexpr std::uint32_t PIDR0 = 0xFE0;
constexpr std::uint32_t PIDR2 = 0xFE8;
constexpr std::uint32_t CIDR0 = 0xFF0;
constexpr std::uint32_t kFrameSize = 0x1000;

using CTLR_EnableGrp0 = Flag<0>;
using CTLR_EnableGrp1 = Flag<1>;

using TYPER_ITLinesNumber = Field<0, 5>;
using TYPER_CPUNumber = Field<5, 3>;
using TYPER_SecurityExtn = Flag<10>;
using TYPER_LSPI = Field<11, 5>;

using SGIR_SGIINTID = Field<0, 4>;
using SGIR_NSATT = Flag<15>;
using SGIR_CPUTargetList = Field<16, 8>;
using SGIR_TargetListFilter = Field<24, 2>;
/// SGIR.TargetListFilter encodings.
enum : std::uint32_t { kFilterList = 0, kFilterAllOthers = 1, kFilterSelf = 2, kFilterReserved = 3 };

using PIDR2_ArchRev = Field<4, 4>;
} // namespace gicd

/// CPU interface (GICC), 8 KiB frame: GICC_DIR is at +0x1000.
namespace gicc {
constexpr std::uint32_t CTLR = 0x000;
constexpr std::uint32_t PMR = 0x004;
constexpr std::uint32_t BPR = 0x008;
constexpr std::uint32_t IAR = 0x00C;
constexpr std::uint32_t EOIR = 0x010;
constexpr std::uint32_t RPR = 0x014;
constexpr std::uint32_t HPPIR = 0x018;
constexpr std::uint32_t ABPR = 0x01C;
constexpr std::uint32_t AIAR = 0x020;
constexpr std::uint32_t AEOIR = 0x024;
constexpr std::uint32_t AHPPIR = 0x028;
constexpr std::uint32_t APR0 = 0x0D0;    // 4 words
constexpr std::uint32_t NSAPR0 = 0x0E0;  // 4 words
constexpr std::uint32_t IIDR = 0x0FC;
constexpr std::uint32_t DIR = 0x1000;
constexpr std::uint32_t kFrameSize = 0x2000;

/// GICC_CTLR, layout of an implementation without the Security Extensions (IHI 0048B 4.4.1).
using CTLR_EnableGrp0 = Flag<0>;
using CTLR_EnableGrp1 = Flag<1>;
using CTLR_AckCtl = Flag<2>;
using CTLR_FIQEn = Flag<3>;
using CTLR_CBPR = Flag<4>;
using CTLR_FIQBypDisGrp0 = Flag<5>;
using CTLR_IRQBypDisGrp0 = Flag<6>;
using CTLR_FIQBypDisGrp1 = Flag<7>;
using CTLR_IRQBypDisGrp1 = Flag<8>;
using CTLR_EOImode = Flag<9>;
constexpr std::uint32_t kCtlrWritable = CTLR_EnableGrp0::mask | CTLR_EnableGrp1::mask |
    CTLR_AckCtl::mask | CTLR_FIQEn::mask | CTLR_CBPR::mask | CTLR_FIQBypDisGrp0::mask |
    CTLR_IRQBypDisGrp0::mask | CTLR_FIQBypDisGrp1::mask | CTLR_IRQBypDisGrp1::mask |
    CTLR_EOImode::mask;

using BPR_BinaryPoint = Field<0, 3>;
using PMR_Priority = Field<0, 8>;
using RPR_Priority = Field<0, 8>;
/// GICC_IAR / EOIR / HPPIR / AIAR / AEOIR / AHPPIR / DIR.
using IAR_InterruptID = Field<0, 10>;
using IAR_CPUID = Field<10, 3>;
} // namespace gicc

/// Virtual interface control (GICH), IHI 0048B 5.3: the hypervisor's view of one CPU's
/// virtual CPU interface. "This CPU" frame is 4 KiB with registers in 0x000-0x1FF; the
/// per-CPU alias frames are 0x200 apart.
namespace gich {
constexpr std::uint32_t HCR = 0x000;
constexpr std::uint32_t VTR = 0x004;
constexpr std::uint32_t VMCR = 0x008;
constexpr std::uint32_t MISR = 0x010;
constexpr std::uint32_t EISR0 = 0x020;   // 2 words
constexpr std::uint32_t ELRSR0 = 0x030;  // 2 words
constexpr std::uint32_t APR = 0x0F0;
constexpr std::uint32_t LR0 = 0x100;     // 64 words
constexpr std::uint32_t kFrameSize = 0x1000;
constexpr std::uint32_t kAliasStride = 0x200;
constexpr unsigned kMaxListRegs = 64;

using HCR_En = Flag<0>;
using HCR_UIE = Flag<1>;
using HCR_LRENPIE = Flag<2>;
using HCR_NPIE = Flag<3>;
using HCR_VGrp0EIE = Flag<4>;
using HCR_VGrp0DIE = Flag<5>;
using HCR_VGrp1EIE = Flag<6>;
using HCR_VGrp1DIE = Flag<7>;
using HCR_EOICount = Field<27, 5>;
constexpr std::uint32_t kHcrWritable = 0xFFu | HCR_EOICount::mask;

using VTR_ListRegs = Field<0, 6>;   // number of LRs - 1
using VTR_PREbits = Field<26, 3>;   // preemption bits - 1
using VTR_PRIbits = Field<29, 3>;   // priority bits - 1

using VMCR_VMGrp0En = Flag<0>;
using VMCR_VMGrp1En = Flag<1>;
using VMCR_VMAckCtl = Flag<2>;
using VMCR_VMFIQEn = Flag<3>;
using VMCR_VMCBPR = Flag<4>;
using VMCR_VEM = Flag<9>;
using VMCR_CTLR = Field<0, 10>;     // VMCR[9:0] mirror GICV_CTLR[9:0]
using VMCR_VMABP = Field<18, 3>;
using VMCR_VMBP = Field<21, 3>;
using VMCR_VMPriMask = Field<27, 5>; // GICV_PMR[7:3]

using MISR_EOI = Flag<0>;
using MISR_U = Flag<1>;
using MISR_LRENP = Flag<2>;
using MISR_NP = Flag<3>;
using MISR_VGrp0E = Flag<4>;
using MISR_VGrp0D = Flag<5>;
using MISR_VGrp1E = Flag<6>;
using MISR_VGrp1D = Flag<7>;

/// GICH_LRn (5.3.?): the EOI and CPUID fields exist when HW=0, PhysicalID when HW=1.
using LR_VirtualID = Field<0, 10>;
using LR_PhysicalID = Field<10, 10>;
using LR_CPUID = Field<10, 3>;
using LR_EOI = Flag<19>;
using LR_Priority = Field<23, 5>;    // priority[7:3]
using LR_State = Field<28, 2>;
using LR_Pending = Flag<28>;
using LR_Active = Flag<29>;
using LR_Grp1 = Flag<30>;
using LR_HW = Flag<31>;
enum : std::uint32_t { kStateInvalid = 0, kStatePending = 1, kStateActive = 2, kStatePendingActive = 3 };
} // namespace gich

/// The virtual CPU interface (GICV) has the GICC layout (IHI 0048B 5.6); gicc:: offsets apply.

} // namespace vgic::gicv2
