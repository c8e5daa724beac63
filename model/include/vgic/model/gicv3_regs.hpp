// SPDX-License-Identifier: Apache-2.0
// GICv3 register map (Arm IHI 0069, chapters 12 "GIC system register descriptions" and
// 12.8-12.11 "The GIC Distributor / Redistributor register map"), declared once, for a GIC
// with a single Security state (GICD_CTLR.DS = 1, as KVM presents to guests) and affinity
// routing always enabled (ARE = 1). Offsets are from the start of each frame; field names
// are the specification's mnemonics.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/bitfield.hpp"

#include <cstdint>

namespace vgic::gicv3 {

/// INTID ranges (IHI 0069 2.2.1): 0-15 SGI, 16-31 PPI, 32-1019 SPI, 1020-1023 special.
constexpr unsigned kNumSgis = 16;
constexpr unsigned kNumPrivate = 32;
constexpr unsigned kMaxIntids = 1020;
constexpr std::uint32_t kSpurious = 1023;
/// Most CPUs (redistributors) a GicConfig may have with version 3.
constexpr unsigned kMaxCpus = 4096;
/// Largest list-register count (ICH_VTR_EL2.ListRegs is 5 bits, ICH_LR<n>_EL2 n <= 15).
constexpr unsigned kMaxListRegs = 16;

/// Distributor (GICD), 64 KiB frame, affinity routing enabled (IHI 0069 12.9).
namespace gicd {
constexpr std::uint32_t CTLR = 0x0000;
constexpr std::uint32_t TYPER = 0x0004;
constexpr std::uint32_t IIDR = 0x0008;
constexpr std::uint32_t TYPER2 = 0x000C;
constexpr std::uint32_t STATUSR = 0x0010;
constexpr std::uint32_t IGROUPR = 0x0080;     // 32 words; word 0 (INTIDs 0-31) RAZ/WI with ARE=1
constexpr std::uint32_t ISENABLER = 0x0100;
constexpr std::uint32_t ICENABLER = 0x0180;
constexpr std::uint32_t ISPENDR = 0x0200;
constexpr std::uint32_t ICPENDR = 0x0280;
constexpr std::uint32_t ISACTIVER = 0x0300;
constexpr std::uint32_t ICACTIVER = 0x0380;
constexpr std::uint32_t IPRIORITYR = 0x0400;  // 255 words; words 0-7 RAZ/WI with ARE=1
constexpr std::uint32_t ITARGETSR = 0x0800;   // RAZ/WI with ARE=1
constexpr std::uint32_t ICFGR = 0x0C00;       // 64 words; words 0-1 RAZ/WI with ARE=1
constexpr std::uint32_t IGRPMODR = 0x0D00;    // 32 words; RAZ/WI with DS=1
constexpr std::uint32_t NSACR = 0x0E00;       // 64 words; RAZ/WI with DS=1
constexpr std::uint32_t SGIR = 0x0F00;        // RAZ/WI with ARE=1
constexpr std::uint32_t CPENDSGIR = 0x0F10;   // RAZ/WI with ARE=1
constexpr std::uint32_t SPENDSGIR = 0x0F20;   // RAZ/WI with ARE=1
constexpr std::uint32_t IROUTER = 0x6000;     // 64-bit IROUTER<n> at 0x6000 + 8n, n = 32..1019
constexpr std::uint32_t PIDR4 = 0xFFD0;       // PIDR4..7, PIDR0..3, CIDR0..3 up to 0xFFFC
constexpr std::uint32_t PIDR2 = 0xFFE8;
constexpr std::uint32_t kFrameSize = 0x10000;

/// GICD_CTLR with DS=1 (IHI 0069 12.9.4, "when access is Secure or DS is 1" layout).
using CTLR_EnableGrp0 = Flag<0>;
using CTLR_EnableGrp1 = Flag<1>;
using CTLR_ARE = Flag<4>;
using CTLR_DS = Flag<6>;
using CTLR_E1NWF = Flag<7>;
using CTLR_RWP = Flag<31>;

using TYPER_ITLinesNumber = Field<0, 5>;
using TYPER_CPUNumber = Field<5, 3>;
using TYPER_ESPI = Flag<8>;
using TYPER_SecurityExtn = Flag<10>;
using TYPER_MBIS = Flag<16>;
using TYPER_LPIS = Flag<17>;
using TYPER_DVIS = Flag<18>;
using TYPER_IDbits = Field<19, 5>;  // interrupt ID bits - 1
using TYPER_A3V = Flag<24>;
using TYPER_No1N = Flag<25>;
using TYPER_RSS = Flag<26>;

using TYPER2_nASSGIcap = Flag<8>;

/// GICD_IROUTER<n> (IHI 0069 12.9.22).
using IROUTER_Aff0 = Field<0, 8, std::uint64_t>;
using IROUTER_Aff1 = Field<8, 8, std::uint64_t>;
using IROUTER_Aff2 = Field<16, 8, std::uint64_t>;
using IROUTER_IRM = Flag<31, std::uint64_t>;
using IROUTER_Aff3 = Field<32, 8, std::uint64_t>;
constexpr std::uint64_t kIrouterWritable = IROUTER_Aff0::mask | IROUTER_Aff1::mask | IROUTER_Aff2::mask |
                                           IROUTER_IRM::mask | IROUTER_Aff3::mask;
/// The GICD_IROUTER<n> value that routes an SPI to the PE whose affinity is `affinity`, packed
/// Aff3.Aff2.Aff1.Aff0 as GicConfig::affinity_of and GICR_TYPER[63:32] give it: Aff0-2 in
/// [23:0], Aff3 in [39:32], Interrupt_Routing_Mode 0 (IHI 0069 12.9.22).
constexpr std::uint64_t irouter_for(std::uint32_t affinity) {
    return IROUTER_Aff0::make(affinity & 0xFF) | IROUTER_Aff1::make((affinity >> 8) & 0xFF) |
           IROUTER_Aff2::make((affinity >> 16) & 0xFF) | IROUTER_Aff3::make(affinity >> 24);
}

using PIDR2_ArchRev = Field<4, 4>;
} // namespace gicd

/// Redistributor (GICR): per CPU an RD_base frame and an SGI_base frame, 64 KiB each,
/// 128 KiB apart (IHI 0069 12.10, 12.11). One region holds every CPU's redistributor.
namespace gicr {
constexpr std::uint32_t kFrameSize = 0x10000;
constexpr std::uint32_t kStride = 0x20000;  // RD_base + SGI_base (no VLPI frames: not GICv4)
constexpr std::uint32_t kSgiBase = 0x10000;

// RD_base
constexpr std::uint32_t CTLR = 0x0000;
constexpr std::uint32_t IIDR = 0x0004;
constexpr std::uint32_t TYPER = 0x0008;   // 64-bit
constexpr std::uint32_t STATUSR = 0x0010;
constexpr std::uint32_t WAKER = 0x0014;
constexpr std::uint32_t SETLPIR = 0x0040;   // 64-bit; LPI registers RAZ/WI (TYPER.PLPIS = 0)
constexpr std::uint32_t CLRLPIR = 0x0048;
constexpr std::uint32_t PROPBASER = 0x0070;
constexpr std::uint32_t PENDBASER = 0x0078;
constexpr std::uint32_t INVLPIR = 0x00A0;
constexpr std::uint32_t INVALLR = 0x00B0;
constexpr std::uint32_t SYNCR = 0x00C0;
constexpr std::uint32_t PIDR4 = 0xFFD0;
constexpr std::uint32_t PIDR2 = 0xFFE8;

// SGI_base (offsets within the SGI_base frame)
constexpr std::uint32_t IGROUPR0 = 0x0080;
constexpr std::uint32_t ISENABLER0 = 0x0100;
constexpr std::uint32_t ICENABLER0 = 0x0180;
constexpr std::uint32_t ISPENDR0 = 0x0200;
constexpr std::uint32_t ICPENDR0 = 0x0280;
constexpr std::uint32_t ISACTIVER0 = 0x0300;
constexpr std::uint32_t ICACTIVER0 = 0x0380;
constexpr std::uint32_t IPRIORITYR0 = 0x0400;  // 8 words
constexpr std::uint32_t ICFGR0 = 0x0C00;       // SGIs: read-only, edge
constexpr std::uint32_t ICFGR1 = 0x0C04;       // PPIs
constexpr std::uint32_t IGRPMODR0 = 0x0D00;    // RAZ/WI with DS=1
constexpr std::uint32_t NSACR = 0x0E00;        // RAZ/WI with DS=1

using CTLR_EnableLPIs = Flag<0>;
using CTLR_RWP = Flag<3>;
using CTLR_DPG0 = Flag<24>;
using CTLR_DPG1NS = Flag<25>;
using CTLR_DPG1S = Flag<26>;
using CTLR_UWP = Flag<31>;

using TYPER_PLPIS = Flag<0, std::uint64_t>;
using TYPER_VLPIS = Flag<1, std::uint64_t>;
using TYPER_DirectLPI = Flag<3, std::uint64_t>;
using TYPER_Last = Flag<4, std::uint64_t>;
using TYPER_DPGS = Flag<5, std::uint64_t>;
using TYPER_Processor_Number = Field<8, 16, std::uint64_t>;
using TYPER_CommonLPIAff = Field<24, 2, std::uint64_t>;
using TYPER_Affinity = Field<32, 32, std::uint64_t>;  // Aff3.Aff2.Aff1.Aff0

using WAKER_ProcessorSleep = Flag<1>;
using WAKER_ChildrenAsleep = Flag<2>;
} // namespace gicr

/// System-register encodings as in MRS/MSR bits [20:5] (op0:op1:CRn:CRm:op2), the same
/// packing as vgic::sysreg_encoding of the generic timer.
namespace sysreg {
constexpr std::uint32_t encode(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}
// EL1 CPU interface. ICC_ (physical) and ICV_ (virtual) share encodings: an EL1 access is
// an ICV_ access when HCR_EL2.IMO (Group 1 registers) / FMO (Group 0 registers) is set
// (IHI 0069 "Virtual interrupt handling"; either for CTLR, PMR, RPR and DIR: el1_route_of).
constexpr std::uint32_t ICC_PMR_EL1 = encode(3, 0, 4, 6, 0);
constexpr std::uint32_t ICC_IAR0_EL1 = encode(3, 0, 12, 8, 0);
constexpr std::uint32_t ICC_EOIR0_EL1 = encode(3, 0, 12, 8, 1);
constexpr std::uint32_t ICC_HPPIR0_EL1 = encode(3, 0, 12, 8, 2);
constexpr std::uint32_t ICC_BPR0_EL1 = encode(3, 0, 12, 8, 3);
constexpr std::uint32_t ICC_AP0R0_EL1 = encode(3, 0, 12, 8, 4);  // AP0R<n>: op2 = 4 + n
constexpr std::uint32_t ICC_AP1R0_EL1 = encode(3, 0, 12, 9, 0);  // AP1R<n>: op2 = n
constexpr std::uint32_t ICC_DIR_EL1 = encode(3, 0, 12, 11, 1);
constexpr std::uint32_t ICC_RPR_EL1 = encode(3, 0, 12, 11, 3);
constexpr std::uint32_t ICC_SGI1R_EL1 = encode(3, 0, 12, 11, 5);
constexpr std::uint32_t ICC_ASGI1R_EL1 = encode(3, 0, 12, 11, 6);
constexpr std::uint32_t ICC_SGI0R_EL1 = encode(3, 0, 12, 11, 7);
constexpr std::uint32_t ICC_IAR1_EL1 = encode(3, 0, 12, 12, 0);
constexpr std::uint32_t ICC_EOIR1_EL1 = encode(3, 0, 12, 12, 1);
constexpr std::uint32_t ICC_HPPIR1_EL1 = encode(3, 0, 12, 12, 2);
constexpr std::uint32_t ICC_BPR1_EL1 = encode(3, 0, 12, 12, 3);
constexpr std::uint32_t ICC_CTLR_EL1 = encode(3, 0, 12, 12, 4);
constexpr std::uint32_t ICC_SRE_EL1 = encode(3, 0, 12, 12, 5);
constexpr std::uint32_t ICC_IGRPEN0_EL1 = encode(3, 0, 12, 12, 6);
constexpr std::uint32_t ICC_IGRPEN1_EL1 = encode(3, 0, 12, 12, 7);
constexpr std::uint32_t ICC_SRE_EL2 = encode(3, 4, 12, 9, 5);
// EL2 hypervisor control interface.
constexpr std::uint32_t ICH_AP0R0_EL2 = encode(3, 4, 12, 8, 0);  // AP0R<n>: op2 = n
constexpr std::uint32_t ICH_AP1R0_EL2 = encode(3, 4, 12, 9, 0);  // AP1R<n>: op2 = n
constexpr std::uint32_t ICH_HCR_EL2 = encode(3, 4, 12, 11, 0);
constexpr std::uint32_t ICH_VTR_EL2 = encode(3, 4, 12, 11, 1);
constexpr std::uint32_t ICH_MISR_EL2 = encode(3, 4, 12, 11, 2);
constexpr std::uint32_t ICH_EISR_EL2 = encode(3, 4, 12, 11, 3);
constexpr std::uint32_t ICH_ELRSR_EL2 = encode(3, 4, 12, 11, 5);
constexpr std::uint32_t ICH_VMCR_EL2 = encode(3, 4, 12, 11, 7);
/// ICH_LR<n>_EL2: CRm = 12 + n / 8, op2 = n % 8.
constexpr std::uint32_t ich_lr(unsigned n) { return encode(3, 4, 12, 12 + n / 8, n % 8); }
constexpr std::uint32_t icc_ap0r(unsigned n) { return ICC_AP0R0_EL1 + n; }
constexpr std::uint32_t icc_ap1r(unsigned n) { return ICC_AP1R0_EL1 + n; }
constexpr std::uint32_t ich_ap0r(unsigned n) { return ICH_AP0R0_EL2 + n; }
constexpr std::uint32_t ich_ap1r(unsigned n) { return ICH_AP1R0_EL2 + n; }
/// HCR_EL2 (Arm ARM D19.2): only IMO (bit 4) and FMO (bit 3) concern the GIC.
constexpr std::uint32_t HCR_EL2 = encode(3, 4, 1, 1, 0);

/// The group an EL1 CPU-interface register belongs to for HCR_EL2 routing: Group 1
/// registers become ICV_ with IMO, Group 0 ones with FMO, the common ones (CTLR, PMR, RPR,
/// DIR) with either (IHI 0069 "Virtual interrupt handling"). None: not an EL1 CPU-interface
/// register (SRE and the SGI generation registers are handled apart).
enum class El1Route : std::uint8_t { None, Group0, Group1, Common };
/// Which EL1 CPU-interface register an encoding names (ICC_ and ICV_ alike).
enum class El1Reg : std::uint8_t {
    None, PMR, IAR0, EOIR0, HPPIR0, BPR0, AP0R, AP1R, DIR, RPR, IAR1, EOIR1, HPPIR1, BPR1, CTLR, IGRPEN0, IGRPEN1
};
/// One EL1 CPU-interface register: the single table both the HCR_EL2 routing
/// (el1_route_of) and the CPU interfaces (CpuInterface::read_sysreg / write_sysreg) decode
/// an encoding with.
struct VGIC_MODEL_API El1RegInfo {
    std::uint32_t encoding = 0;
    El1Reg reg = El1Reg::None;
    unsigned n = 0;  ///< AP0R<n> / AP1R<n>
    El1Route route = El1Route::None;
    const char* name = nullptr;  ///< mnemonic without the ICC_/ICV_ prefix
    bool readable = false;
    bool writable = false;
};
inline constexpr El1RegInfo kEl1Regs[] = {
    {ICC_PMR_EL1, El1Reg::PMR, 0, El1Route::Common, "PMR_EL1", true, true},
    {ICC_IAR0_EL1, El1Reg::IAR0, 0, El1Route::Group0, "IAR0_EL1", true, false},
    {ICC_EOIR0_EL1, El1Reg::EOIR0, 0, El1Route::Group0, "EOIR0_EL1", false, true},
    {ICC_HPPIR0_EL1, El1Reg::HPPIR0, 0, El1Route::Group0, "HPPIR0_EL1", true, false},
    {ICC_BPR0_EL1, El1Reg::BPR0, 0, El1Route::Group0, "BPR0_EL1", true, true},
    {icc_ap0r(0), El1Reg::AP0R, 0, El1Route::Group0, "AP0R0_EL1", true, true},
    {icc_ap0r(1), El1Reg::AP0R, 1, El1Route::Group0, "AP0R1_EL1", true, true},
    {icc_ap0r(2), El1Reg::AP0R, 2, El1Route::Group0, "AP0R2_EL1", true, true},
    {icc_ap0r(3), El1Reg::AP0R, 3, El1Route::Group0, "AP0R3_EL1", true, true},
    {icc_ap1r(0), El1Reg::AP1R, 0, El1Route::Group1, "AP1R0_EL1", true, true},
    {icc_ap1r(1), El1Reg::AP1R, 1, El1Route::Group1, "AP1R1_EL1", true, true},
    {icc_ap1r(2), El1Reg::AP1R, 2, El1Route::Group1, "AP1R2_EL1", true, true},
    {icc_ap1r(3), El1Reg::AP1R, 3, El1Route::Group1, "AP1R3_EL1", true, true},
    {ICC_DIR_EL1, El1Reg::DIR, 0, El1Route::Common, "DIR_EL1", false, true},
    {ICC_RPR_EL1, El1Reg::RPR, 0, El1Route::Common, "RPR_EL1", true, false},
    {ICC_IAR1_EL1, El1Reg::IAR1, 0, El1Route::Group1, "IAR1_EL1", true, false},
    {ICC_EOIR1_EL1, El1Reg::EOIR1, 0, El1Route::Group1, "EOIR1_EL1", false, true},
    {ICC_HPPIR1_EL1, El1Reg::HPPIR1, 0, El1Route::Group1, "HPPIR1_EL1", true, false},
    {ICC_BPR1_EL1, El1Reg::BPR1, 0, El1Route::Group1, "BPR1_EL1", true, true},
    {ICC_CTLR_EL1, El1Reg::CTLR, 0, El1Route::Common, "CTLR_EL1", true, true},
    {ICC_IGRPEN0_EL1, El1Reg::IGRPEN0, 0, El1Route::Group0, "IGRPEN0_EL1", true, true},
    {ICC_IGRPEN1_EL1, El1Reg::IGRPEN1, 0, El1Route::Group1, "IGRPEN1_EL1", true, true},
};
/// O(1) decoding of kEl1Regs (every IAR/EOIR goes through it): all EL1 CPU-interface
/// encodings but PMR lie in CRn=12, CRm=8..12 (40 slots); PMR takes slot 40.
constexpr std::uint32_t kEl1SlotBase = encode(3, 0, 12, 8, 0);
constexpr unsigned kEl1Slots = 41;
constexpr int el1_slot(std::uint32_t enc) {
    if (enc == ICC_PMR_EL1) return 40;
    return enc >= kEl1SlotBase && enc < kEl1SlotBase + 40 ? static_cast<int>(enc - kEl1SlotBase) : -1;
}
struct VGIC_MODEL_API El1Index {
    std::uint8_t entry[kEl1Slots];  ///< index into kEl1Regs, 0xFF = no register
};
constexpr El1Index make_el1_index() {
    El1Index x{};
    for (unsigned i = 0; i < kEl1Slots; ++i) x.entry[i] = 0xFF;
    for (unsigned k = 0; k < sizeof(kEl1Regs) / sizeof(kEl1Regs[0]); ++k)
        x.entry[el1_slot(kEl1Regs[k].encoding)] = static_cast<std::uint8_t>(k);
    return x;
}
inline constexpr El1Index kEl1Index = make_el1_index();
/// The kEl1Regs entry of `enc`; an El1Reg::None entry (route None) for any other encoding.
constexpr El1RegInfo el1_reg_of(std::uint32_t enc) {
    const int slot = el1_slot(enc);
    if (slot < 0 || kEl1Index.entry[slot] == 0xFF) return {};
    return kEl1Regs[kEl1Index.entry[slot]];
}
static_assert(el1_reg_of(ICC_IAR1_EL1).reg == El1Reg::IAR1 && el1_reg_of(ICC_PMR_EL1).reg == El1Reg::PMR &&
                  el1_reg_of(icc_ap1r(3)).n == 3 && el1_reg_of(ICC_SGI1R_EL1).reg == El1Reg::None,
              "kEl1Index decodes the table");
constexpr El1Route el1_route_of(std::uint32_t enc) { return el1_reg_of(enc).route; }
/// ICH_*_EL2: AP0R<n>, AP1R<n>, HCR, VTR, MISR, EISR, ELRSR, VMCR, LR<n> (op1=4, CRn=12,
/// CRm 8..13; ICC_SRE_EL2 shares CRm 9 and must be matched first).
constexpr bool is_ich(std::uint32_t enc) { return enc >= ich_ap0r(0) && enc <= ich_lr(kMaxListRegs - 1); }
} // namespace sysreg

/// ICC_/ICV_ EL1 register fields (IHI 0069 12.2, 12.3).
namespace icc {
/// ICC_SRE_EL1 / ICC_SRE_EL2 as this model implements them: the system-register interface
/// is the only one (no legacy GICC), so SRE is RAO/WI; there is no IRQ/FIQ bypass, so DFB
/// and DIB are RAO/WI; ICC_SRE_EL2.Enable is RAO/WI (EL1 may always use ICC_SRE_EL1).
using SRE_SRE = Flag<0, std::uint64_t>;
using SRE_DFB = Flag<1, std::uint64_t>;
using SRE_DIB = Flag<2, std::uint64_t>;
using SRE_Enable = Flag<3, std::uint64_t>;  // ICC_SRE_EL2 only
constexpr std::uint64_t kSreEl1 = SRE_SRE::mask | SRE_DFB::mask | SRE_DIB::mask;
constexpr std::uint64_t kSreEl2 = kSreEl1 | SRE_Enable::mask;

using CTLR_CBPR = Flag<0, std::uint64_t>;
using CTLR_EOImode = Flag<1, std::uint64_t>;
using CTLR_PMHE = Flag<6, std::uint64_t>;
using CTLR_PRIbits = Field<8, 3, std::uint64_t>;  // priority bits - 1
using CTLR_IDbits = Field<11, 3, std::uint64_t>;  // 0 = 16 bits, 1 = 24 bits
using CTLR_SEIS = Flag<14, std::uint64_t>;
using CTLR_A3V = Flag<15, std::uint64_t>;
using CTLR_RSS = Flag<18, std::uint64_t>;
using CTLR_ExtRange = Flag<19, std::uint64_t>;

using IGRPEN_Enable = Flag<0, std::uint64_t>;
/// IAR / EOIR / HPPIR / DIR: INTID in [23:0] (16 bits implemented: IDbits = 0).
using IAR_INTID = Field<0, 24, std::uint64_t>;
using BPR_BinaryPoint = Field<0, 3, std::uint64_t>;
using PMR_Priority = Field<0, 8, std::uint64_t>;

/// ICC_SGI0R_EL1 / ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 (IHI 0069).
using SGIR_TargetList = Field<0, 16, std::uint64_t>;
using SGIR_Aff1 = Field<16, 8, std::uint64_t>;
using SGIR_INTID = Field<24, 4, std::uint64_t>;
using SGIR_Aff2 = Field<32, 8, std::uint64_t>;
using SGIR_IRM = Flag<40, std::uint64_t>;
using SGIR_RS = Field<44, 4, std::uint64_t>;
using SGIR_Aff3 = Field<48, 8, std::uint64_t>;
/// The ICC_SGI1R_EL1 (or SGI0R/ASGI1R) value that sends SGI `intid` (0-15) to the one PE whose
/// affinity is `affinity` (packed as GicConfig::affinity_of): Aff3.Aff2.Aff1 select the
/// cluster, RS = Aff0 / 16 the range and TargetList bit Aff0 % 16 the PE; IRM = 0 (IHI 0069
/// 12.2.23).
constexpr std::uint64_t sgir_for(unsigned intid, std::uint32_t affinity) {
    const std::uint64_t aff0 = affinity & 0xFF;
    return SGIR_TargetList::make(std::uint64_t{1} << (aff0 % 16)) | SGIR_RS::make(aff0 / 16) |
           SGIR_Aff1::make((affinity >> 8) & 0xFF) | SGIR_Aff2::make((affinity >> 16) & 0xFF) |
           SGIR_Aff3::make(affinity >> 24) | SGIR_INTID::make(intid & 0xF);
}
} // namespace icc

/// ICH_ EL2 register fields (IHI 0069 12.4).
namespace ich {
using HCR_En = Flag<0>;
using HCR_UIE = Flag<1>;
using HCR_LRENPIE = Flag<2>;
using HCR_NPIE = Flag<3>;
using HCR_VGrp0EIE = Flag<4>;
using HCR_VGrp0DIE = Flag<5>;
using HCR_VGrp1EIE = Flag<6>;
using HCR_VGrp1DIE = Flag<7>;
using HCR_TC = Flag<10>;
using HCR_TALL0 = Flag<11>;
using HCR_TALL1 = Flag<12>;
using HCR_TSEI = Flag<13>;  // RES0: ICH_VTR.SEIS = 0
using HCR_TDIR = Flag<14>;  // RES0: ICH_VTR_EL2.TDS = 0 (no FEAT_GICv3_TDIR)
using HCR_EOIcount = Field<27, 5>;
constexpr std::uint32_t kHcrWritable = 0xFFu | HCR_TC::mask | HCR_TALL0::mask | HCR_TALL1::mask |
                                       HCR_EOIcount::mask;

using VTR_ListRegs = Field<0, 5>;   // LRs - 1
using VTR_TDS = Flag<19>;
using VTR_nV4 = Flag<20>;
using VTR_A3V = Flag<21>;
using VTR_SEIS = Flag<22>;
using VTR_IDbits = Field<23, 3>;    // 0 = 16 bits
using VTR_PREbits = Field<26, 3>;   // preemption bits - 1
using VTR_PRIbits = Field<29, 3>;   // priority bits - 1

using VMCR_VENG0 = Flag<0>;
using VMCR_VENG1 = Flag<1>;
using VMCR_VAckCtl = Flag<2>;
using VMCR_VFIQEn = Flag<3>;  // RES1 with ICC_SRE_EL1.SRE = 1
using VMCR_VCBPR = Flag<4>;
using VMCR_VEOIM = Flag<9>;
using VMCR_VBPR1 = Field<18, 3>;
using VMCR_VBPR0 = Field<21, 3>;
using VMCR_VPMR = Field<24, 8>;

// ICH_MISR_EL2 has the GICH_MISR bits (EOI, U, LRENP, NP, VGrp0E/D, VGrp1E/D).

/// ICH_LR<n>_EL2 (IHI 0069): pINTID exists with HW=1, EOI with HW=0.
using LR_vINTID = Field<0, 32, std::uint64_t>;
using LR_pINTID = Field<32, 13, std::uint64_t>;
using LR_EOI = Flag<41, std::uint64_t>;
using LR_Priority = Field<48, 8, std::uint64_t>;
using LR_NMI = Flag<59, std::uint64_t>;  // RES0: no FEAT_GICv3_NMI
using LR_Group = Flag<60, std::uint64_t>;
using LR_HW = Flag<61, std::uint64_t>;
using LR_State = Field<62, 2, std::uint64_t>;
using LR_Pending = Flag<62, std::uint64_t>;
using LR_Active = Flag<63, std::uint64_t>;
} // namespace ich

} // namespace vgic::gicv3
