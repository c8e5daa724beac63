// SPDX-License-Identifier: Apache-2.0
// GICv2 virtualization extensions (Arm IHI 0048B chapter 5) in "hw" mode: the hypervisor
// programs the list registers through GICH, the guest uses GICV, the GIC drives the
// maintenance interrupt. Every expected value below is taken from the architecture (IHI
// 0048B, the GIC-400/Cortex-A TRM reset tables, and /work/shared/reference/
// gic-architecture.md sections 1.2-1.5 and 3), never from what the model returns.
#include "virt_fixture.hpp"

#include <stdexcept>
#include <string>
#include <vector>

using namespace vgic;
using namespace vgic::test;

namespace {

constexpr std::uint32_t kGrp0 = gicc::CTLR_EnableGrp0::mask;  // GICV_CTLR[0]
constexpr std::uint32_t kGrp1 = gicc::CTLR_EnableGrp1::mask;  // GICV_CTLR[1]
constexpr std::uint32_t kAckCtl = gicc::CTLR_AckCtl::mask;    // GICV_CTLR[2]
constexpr std::uint32_t kFIQEn = gicc::CTLR_FIQEn::mask;      // GICV_CTLR[3]
constexpr std::uint32_t kCBPR = gicc::CTLR_CBPR::mask;        // GICV_CTLR[4]
constexpr std::uint32_t kEOImode = gicc::CTLR_EOImode::mask;  // GICV_CTLR[9]

constexpr std::uint32_t kInvalid = gich::kStateInvalid;
constexpr std::uint32_t kPending = gich::kStatePending;
constexpr std::uint32_t kActive = gich::kStateActive;
constexpr std::uint32_t kPendingActive = gich::kStatePendingActive;

constexpr std::uint32_t kEISR1 = gich::EISR0 + 4;
constexpr std::uint32_t kELRSR1 = gich::ELRSR0 + 4;
constexpr std::uint32_t kVTRDefault = 0x90000003;  // GIC-400: 4 LRs, 5 priority / 5 preemption bits
constexpr std::uint32_t kVMCRReset = 0x004C0000;   // VMBP=2, VMABP=3 (Cortex-A32/A53 TRM reset table)

/// GICH_APR bit of a group priority with 5 preemption bits: bit n <-> priority n << 3.
constexpr std::uint32_t apr_bit(std::uint32_t group_priority) { return 1u << (group_priority >> 3); }

std::uint32_t lr_state(std::uint32_t lr) { return gich::LR_State::get(lr); }

/// Builds a Gic with `v` as its virtualization config; returns the ConfigError text or "".
std::string virt_config_error(const VirtConfig& v) {
    GicConfig c = make_config(1);
    c.virt = v;
    try {
        Gic gic(c);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

} // namespace

BOOST_AUTO_TEST_SUITE(virtualization)

// =====================================================================================
// GICH register reset values (IHI 0048B 5.3, the GICH register map; GIC-400 /
// Cortex-A TRM reset table: HCR 0, VTR 0x90000003, VMCR 0x004C0000, MISR 0, EISR 0,
// ELRSR0 0xF for 4 LRs, APR 0, LRs 0) and the GICV reset state (ch. 5 GICV registers, GICC layout).
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_and_gicv_reset_values) {
    VirtFixture f(make_virt_config(2));
    for (unsigned cpu = 0; cpu < 2; ++cpu) {
        BOOST_TEST(f.hrd(cpu, gich::HCR) == 0u, "GICH_HCR resets to 0, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, gich::VTR) == kVTRDefault, "GICH_VTR of a GIC-400, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, gich::VMCR) == kVMCRReset, "GICH_VMCR: VMBP=2 VMABP=3 at reset, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, gich::MISR) == 0u, "GICH_MISR resets to 0, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, gich::EISR0) == 0u, "GICH_EISR0 resets to 0, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, kEISR1) == 0u, "GICH_EISR1 resets to 0, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, gich::ELRSR0) == 0xFu, "GICH_ELRSR0: all 4 LRs empty, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, kELRSR1) == 0u, "GICH_ELRSR1: no LR 32..63 implemented, cpu " << cpu);
        BOOST_TEST(f.hrd(cpu, gich::APR) == 0u, "GICH_APR resets to 0, cpu " << cpu);
        for (unsigned n = 0; n < 4; ++n) BOOST_TEST(f.lr(cpu, n) == 0u, "GICH_LR" << n << " resets to 0, cpu " << cpu);

        BOOST_TEST(f.vrd(cpu, gicc::CTLR) == 0u, "GICV_CTLR resets to 0");
        BOOST_TEST(f.vrd(cpu, gicc::PMR) == 0u, "GICV_PMR resets to 0");
        BOOST_TEST(f.vrd(cpu, gicc::BPR) == 2u, "GICV_BPR resets to its minimum 2 (5 preemption bits)");
        BOOST_TEST(f.vrd(cpu, gicc::ABPR) == 3u, "GICV_ABPR resets to its minimum 3");
        BOOST_TEST(f.vrd(cpu, gicc::RPR) == 0xFFu, "GICV_RPR idle priority");
        BOOST_TEST(f.vrd(cpu, gicc::HPPIR) == 1023u, "GICV_HPPIR: nothing pending");
        BOOST_TEST(f.vrd(cpu, gicc::AHPPIR) == 1023u, "GICV_AHPPIR: nothing pending");
        BOOST_TEST(f.vrd(cpu, gicc::APR0) == 0u, "GICV_APR0 resets to 0");
        BOOST_TEST(f.vrd(cpu, gicc::IIDR) == f.gic.config().virt.gicv_iidr, "GICV_IIDR from VirtConfig");
        BOOST_TEST(f.vrd(cpu, gicc::IAR) == 1023u, "GICV_IAR with nothing pending is spurious");

        BOOST_TEST(!f.virq(cpu), "no vIRQ at reset");
        BOOST_TEST(!f.vfiq(cpu), "no vFIQ at reset");
        BOOST_TEST(!f.maint(cpu), "no maintenance interrupt at reset");
        BOOST_TEST(!f.maint_ppi_pending(cpu), "maintenance PPI 25 not pending at reset");
    }
}

// =====================================================================================
// GICH_HCR (IHI 0048B 5.3.1): En[0], UIE[1], LRENPIE[2], NPIE[3], VGrp0EIE[4],
// VGrp0DIE[5], VGrp1EIE[6], VGrp1DIE[7], EOICount[31:27]; bits [26:8] RES0.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_hcr_writable_bits) {
    VirtFixture f(make_virt_config(1));
    f.hwr(0, gich::HCR, 0xFFFFFFFFu);
    BOOST_TEST(f.hcr(0) == 0xF80000FFu, "HCR keeps [7:0] and EOICount[31:27] only");
    f.hwr(0, gich::HCR, 0x07FFFF00u);
    BOOST_TEST(f.hcr(0) == 0u, "HCR bits [26:8] are RES0");
    f.hwr(0, gich::HCR, (21u << 27) | 0x5Au);
    BOOST_TEST(gich::HCR_EOICount::get(f.hcr(0)) == 21u, "EOICount is writable by the hypervisor");
    BOOST_TEST((f.hcr(0) & 0xFFu) == 0x5Au, "HCR enable bits read back as written");
    for (unsigned bit = 0; bit < 8; ++bit) {
        f.hwr(0, gich::HCR, 1u << bit);
        BOOST_TEST(f.hcr(0) == (1u << bit), "HCR bit " << bit << " alone");
    }
}

// =====================================================================================
// GICH_VTR (IHI 0048B 5.3.2): read-only, ListRegs[5:0] = LRs-1, PREbits[28:26] = bits-1,
// PRIbits[31:29] = bits-1. GIC-400: 0x90000003.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_vtr_is_read_only) {
    VirtFixture f(make_virt_config(1));
    const auto bad_before = f.gic.diagnostics().bad_access_count();
    const AccessResult w = f.gic.write_hyp_control(0, gich::VTR, 4, 0);
    BOOST_TEST(!w.ok(), "a write to the read-only GICH_VTR is a bad access");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == bad_before + 1, "the bad access is counted");
    BOOST_TEST(f.hrd(0, gich::VTR) == kVTRDefault, "GICH_VTR unchanged by the write");
}

BOOST_AUTO_TEST_CASE(gich_vtr_elrsr_and_binary_points_follow_virt_config) {
    struct Case {
        unsigned lrs, pri, pre;
        std::uint32_t vtr, elrsr0, elrsr1, bpr_min;
    };
    // vtr = (pri-1)<<29 | (pre-1)<<26 | (lrs-1); GICV_BPR minimum = 7 - pre, ABPR one more.
    const Case cases[] = {
        {4, 5, 5, 0x90000003u, 0x0000000Fu, 0u, 2u},
        {64, 5, 4, 0x8C00003Fu, 0xFFFFFFFFu, 0xFFFFFFFFu, 3u},
        {1, 4, 4, 0x6C000000u, 0x00000001u, 0u, 3u},
        {16, 5, 5, 0x9000000Fu, 0x0000FFFFu, 0u, 2u},
        {40, 5, 5, 0x90000027u, 0xFFFFFFFFu, 0x000000FFu, 2u},
        {64, 5, 5, 0x9000003Fu, 0xFFFFFFFFu, 0xFFFFFFFFu, 2u},
    };
    for (const Case& c : cases) {
        VirtFixture f(make_virt_config(1, c.lrs, c.pri, c.pre));
        BOOST_TEST(f.hrd(0, gich::VTR) == c.vtr, "VTR for " << c.lrs << " LRs, " << c.pri << "/" << c.pre << " bits");
        BOOST_TEST(gich::VTR_ListRegs::get(f.hrd(0, gich::VTR)) == c.lrs - 1, "VTR.ListRegs = LRs - 1");
        BOOST_TEST(f.hrd(0, gich::ELRSR0) == c.elrsr0, "ELRSR0: every implemented LR empty, " << c.lrs << " LRs");
        BOOST_TEST(f.hrd(0, kELRSR1) == c.elrsr1, "ELRSR1: every implemented LR empty, " << c.lrs << " LRs");
        BOOST_TEST(f.vrd(0, gicc::BPR) == c.bpr_min, "GICV_BPR resets to 7 - preemption bits, pre=" << c.pre);
        BOOST_TEST(f.vrd(0, gicc::ABPR) == c.bpr_min + 1, "GICV_ABPR resets to BPR minimum + 1, pre=" << c.pre);
        f.vwr(0, gicc::BPR, 0);
        BOOST_TEST(f.vrd(0, gicc::BPR) == c.bpr_min, "GICV_BPR write below the minimum sets the minimum");
        f.vwr(0, gicc::PMR, 0xFF);
        const std::uint32_t pmr_mask = (0xFFu << (8 - c.pri)) & 0xFFu;
        BOOST_TEST(f.vrd(0, gicc::PMR) == pmr_mask, "GICV_PMR implements VTR.PRIbits+1 bits, pri=" << c.pri);
        // The last implemented LR is a normal register.
        const std::uint32_t v = sw_lr(33, 0x80, kPending);
        f.set_lr(0, c.lrs - 1, v);
        BOOST_TEST(f.lr(0, c.lrs - 1) == v, "last implemented LR" << c.lrs - 1 << " holds its value");
        if (c.lrs < 64) {
            f.set_lr(0, c.lrs, v);
            BOOST_TEST(f.lr(0, c.lrs) == 0u, "LR" << c.lrs << " beyond the configured count is RAZ/WI");
        }
    }
}

// =====================================================================================
// GICH_VMCR (IHI 0048B 5.3.3): the hypervisor's view of GICV_CTLR/PMR/BPR/ABPR.
// [0] VMGrp0En [1] VMGrp1En [2] VMAckCtl [3] VMFIQEn [4] VMCBPR [9] VEM, [20:18] VMABP,
// [23:21] VMBP, [31:27] VMPriMask = GICV_PMR[7:3]; [8:5], [17:10], [26:24] reserved.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_vmcr_writes_are_seen_in_gicv) {
    VirtFixture f(make_virt_config(2));
    const std::uint32_t vmcr = 0x1Fu | (1u << 9) | (5u << 18) | (4u << 21) | (0x1Au << 27);
    f.hwr(0, gich::VMCR, vmcr);
    BOOST_TEST(f.hrd(0, gich::VMCR) == vmcr, "VMCR reads back the written fields");
    BOOST_TEST(f.vrd(0, gicc::CTLR) == (kGrp0 | kGrp1 | kAckCtl | kFIQEn | kCBPR | kEOImode),
               "VMCR[9:0] is GICV_CTLR");
    BOOST_TEST(f.vrd(0, gicc::PMR) == 0xD0u, "VMPriMask 0x1A is GICV_PMR 0xD0 (PMR[7:3])");
    BOOST_TEST(f.vrd(0, gicc::BPR) == 4u, "VMBP is GICV_BPR");
    BOOST_TEST(f.vrd(0, gicc::ABPR) == 5u, "VMABP is GICV_ABPR");
    BOOST_TEST(f.hrd(1, gich::VMCR) == kVMCRReset, "CPU 1's VMCR is not affected");
    BOOST_TEST(f.vrd(1, gicc::CTLR) == 0u, "CPU 1's GICV_CTLR is not affected");

    f.hwr(0, gich::VMCR, 0xFFFFFFFFu);
    BOOST_TEST(f.hrd(0, gich::VMCR) == 0xF8FC021Fu, "VMCR reserved bits [8:5], [17:10], [26:24] read 0");
    BOOST_TEST(f.vrd(0, gicc::CTLR) == 0x21Fu, "GICV_CTLR has no bits [8:5]");
    BOOST_TEST(f.vrd(0, gicc::PMR) == 0xF8u, "GICV_PMR = VMPriMask << 3");
    BOOST_TEST(f.vrd(0, gicc::BPR) == 7u, "GICV_BPR = 7");
    BOOST_TEST(f.vrd(0, gicc::ABPR) == 7u, "GICV_ABPR = 7");
}

BOOST_AUTO_TEST_CASE(gich_vmcr_reflects_guest_gicv_writes) {
    VirtFixture f(make_virt_config(1));
    f.vwr(0, gicc::CTLR, kGrp0 | kEOImode);
    f.vwr(0, gicc::PMR, 0xA8);
    f.vwr(0, gicc::BPR, 3);
    f.vwr(0, gicc::ABPR, 6);
    BOOST_TEST(f.hrd(0, gich::VMCR) == (0x201u | (6u << 18) | (3u << 21) | (0x15u << 27)),
               "VMCR = CTLR | VMABP=6 | VMBP=3 | VMPriMask=0xA8>>3");
    f.vwr(0, gicc::PMR, 0xFF);
    BOOST_TEST(f.vrd(0, gicc::PMR) == 0xF8u, "GICV_PMR implements priority[7:3] only");
    BOOST_TEST(gich::VMCR_VMPriMask::get(f.hrd(0, gich::VMCR)) == 0x1Fu, "VMPriMask = PMR[7:3]");
    f.vwr(0, gicc::CTLR, 0xFFFFFFFFu);
    BOOST_TEST(gich::VMCR_CTLR::get(f.hrd(0, gich::VMCR)) == 0x21Fu, "VMCR[9:0] = GICV_CTLR (no bits [8:5])");
}

BOOST_AUTO_TEST_CASE(gich_vmcr_and_gicv_clamp_binary_points) {
    // GICV_BPR minimum 2 and GICV_ABPR minimum 3 with 5 preemption bits (IHI 0048B 5.3.3,
    // 4.4.3: a write below the minimum sets the minimum).
    VirtFixture f(make_virt_config(1));
    f.hwr(0, gich::VMCR, 0u);
    BOOST_TEST(f.vrd(0, gicc::BPR) == 2u, "VMBP=0 clamps GICV_BPR to 2");
    BOOST_TEST(f.vrd(0, gicc::ABPR) == 3u, "VMABP=0 clamps GICV_ABPR to 3");
    BOOST_TEST(f.hrd(0, gich::VMCR) == kVMCRReset, "VMCR reads back the clamped VMBP=2 VMABP=3");
    f.hwr(0, gich::VMCR, (1u << 21) | (2u << 18));
    BOOST_TEST(f.vrd(0, gicc::BPR) == 2u, "VMBP=1 clamps to 2");
    BOOST_TEST(f.vrd(0, gicc::ABPR) == 3u, "VMABP=2 clamps to 3");
    f.vwr(0, gicc::BPR, 1);
    f.vwr(0, gicc::ABPR, 2);
    BOOST_TEST(f.vrd(0, gicc::BPR) == 2u, "GICV_BPR write of 1 clamps to 2");
    BOOST_TEST(f.vrd(0, gicc::ABPR) == 3u, "GICV_ABPR write of 2 clamps to 3");
    f.vwr(0, gicc::BPR, 3);
    f.vwr(0, gicc::ABPR, 4);
    BOOST_TEST(f.hrd(0, gich::VMCR) == ((3u << 21) | (4u << 18)), "VMCR shows the guest's BPR=3 ABPR=4");
}

// =====================================================================================
// GICH_LRn layout (IHI 0048B 5.3.8 GICH_LRn; reference 1.3): VirtualID[9:0]; HW=0:
// CPUID[12:10], EOI[19]; HW=1: PhysicalID[19:10]; [22:20] RES0; Priority[27:23];
// State[29:28]; Grp1[30]; HW[31]. LRs beyond GICH_VTR.ListRegs are RAZ/WI.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_lr_field_layout) {
    VirtFixture f(make_virt_config(1));
    const std::uint32_t sw = 0x155u | (5u << 10) | (1u << 19) | (0x15u << 23) | (1u << 28) | (1u << 30);
    f.set_lr(0, 0, sw);
    const std::uint32_t r = f.lr(0, 0);
    BOOST_TEST(r == sw, "HW=0 LR reads back as written");
    BOOST_TEST(gich::LR_VirtualID::get(r) == 0x155u, "VirtualID [9:0]");
    BOOST_TEST(gich::LR_CPUID::get(r) == 5u, "CPUID [12:10]");
    BOOST_TEST(gich::LR_EOI::get(r) == 1u, "EOI [19]");
    BOOST_TEST(gich::LR_Priority::get(r) == 0x15u, "Priority [27:23]");
    BOOST_TEST(lr_state(r) == kPending, "State [29:28]");
    BOOST_TEST(gich::LR_Grp1::get(r) == 1u, "Grp1 [30]");
    BOOST_TEST(gich::LR_HW::get(r) == 0u, "HW [31]");
    f.set_lr(0, 0, sw | (7u << 20));
    BOOST_TEST(f.lr(0, 0) == sw, "RES0 bits [22:20] read back 0 (HW=0)");

    const std::uint32_t hw = 0x2Au | (0x3C5u << 10) | (0x1Fu << 23) | (2u << 28) | (1u << 31);
    f.set_lr(0, 1, hw);
    BOOST_TEST(f.lr(0, 1) == hw, "HW=1 LR reads back as written");
    BOOST_TEST(gich::LR_PhysicalID::get(f.lr(0, 1)) == 0x3C5u, "PhysicalID [19:10] when HW=1");
    f.set_lr(0, 1, hw | (7u << 20));
    BOOST_TEST(f.lr(0, 1) == hw, "RES0 bits [22:20] read back 0 (HW=1)");

    for (std::uint32_t s : {kInvalid, kPending, kActive, kPendingActive}) {
        f.set_lr(0, 2, sw_lr(50, 0x80, s));
        BOOST_TEST(lr_state(f.lr(0, 2)) == s, "State encoding " << s << " reads back");
    }
    for (std::uint32_t prio = 0; prio < 0x100; prio += 8) {
        f.set_lr(0, 3, sw_lr(51, static_cast<std::uint8_t>(prio), kPending));
        BOOST_TEST(gich::LR_Priority::get(f.lr(0, 3)) == prio >> 3, "all 5 priority bits kept, prio 0x" << std::hex << prio);
    }
}

BOOST_AUTO_TEST_CASE(gich_lr_beyond_configured_count_is_raz_wi) {
    VirtFixture f(make_virt_config(1));  // 4 LRs
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    for (unsigned n = 4; n < 64; ++n) {
        f.set_lr(0, n, sw_lr(41, 0x40, kPending));  // the accessor requires an OK (RAZ/WI) access
        BOOST_TEST(f.lr(0, n) == 0u, "LR" << n << " is RAZ");
    }
    BOOST_TEST(f.lr(0, 0) == sw_lr(40, 0x80, kPending), "writes to absent LRs leave LR0 alone");
    BOOST_TEST(f.hrd(0, gich::ELRSR0) == 0xEu, "ELRSR has no bit for absent LRs");
    BOOST_TEST(f.hrd(0, kELRSR1) == 0u, "ELRSR1 stays 0");
    f.guest_enable(0);
    f.hyp_enable(0);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "the absent LRs hold nothing the guest could acknowledge");
}

// =====================================================================================
// GICH_EISR / GICH_ELRSR (IHI 0048B 5.3.5, 5.3.6; section 3 item 1): EISR bit n = LR n
// invalid, HW=0, EOI=1; ELRSR bit n = LR n invalid and (HW=1 or EOI=0). An LR still owing
// an EOI maintenance interrupt is NOT empty.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_eisr_elrsr_follow_lr_contents) {
    VirtFixture f(make_virt_config(1));
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.elrsr0(0) == 0xEu, "a pending LR is not empty");
    f.set_lr(0, 1, sw_lr(41, 0x80, kActive));
    BOOST_TEST(f.elrsr0(0) == 0xCu, "an active LR is not empty");
    f.set_lr(0, 2, sw_lr(42, 0x80, kInvalid, false, /*eoi=*/true));
    BOOST_TEST(f.elrsr0(0) == 0x8u, "invalid HW=0 EOI=1 LR is NOT empty (item 1)");
    BOOST_TEST(f.eisr0(0) == 0x4u, "invalid HW=0 EOI=1 LR is flagged in EISR");
    BOOST_TEST(f.misr(0) == gich::MISR_EOI::mask, "MISR.EOI follows EISR");
    f.set_lr(0, 3, hw_lr(43, 0x200, 0x80, kInvalid));  // PhysicalID[9] sits at bit 19
    BOOST_TEST((f.lr(0, 3) & (1u << 19)) != 0u, "PhysicalID bit 9 occupies bit 19");
    BOOST_TEST(f.elrsr0(0) == 0x8u, "invalid HW=1 LR is empty even with bit 19 set");
    BOOST_TEST(f.eisr0(0) == 0x4u, "HW=1 LR never appears in EISR");
    f.set_lr(0, 2, 0);
    BOOST_TEST(f.eisr0(0) == 0u, "rewriting the LR clears its EISR bit");
    BOOST_TEST(f.elrsr0(0) == 0xCu, "rewriting the LR as 0 makes it empty");
    BOOST_TEST(f.misr(0) == 0u, "no MISR condition left");
    BOOST_TEST(f.hrd(0, kEISR1) == 0u, "EISR1 has no implemented LR");
}

// =====================================================================================
// GICH_APR (IHI 0048B 5.3.7) and GICV_APR0 (ch. 5 GICV registers) are the same register; bit n = active
// priority n << 3 (5 preemption bits); the running priority follows the lowest set bit.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_apr_aliases_gicv_apr0) {
    VirtFixture f(make_virt_config(1));
    f.hwr(0, gich::APR, 0x80000010u);
    BOOST_TEST(f.vrd(0, gicc::APR0) == 0x80000010u, "GICH_APR write seen in GICV_APR0");
    BOOST_TEST(f.vrd(0, gicc::RPR) == 0x20u, "running priority from the lowest set APR bit (bit 4 -> 0x20)");
    f.vwr(0, gicc::APR0, 0x00010000u);
    BOOST_TEST(f.hrd(0, gich::APR) == 0x00010000u, "GICV_APR0 write seen in GICH_APR");
    BOOST_TEST(f.vrd(0, gicc::RPR) == 0x80u, "bit 16 -> running priority 0x80");
    f.hwr(0, gich::APR, 0);
    BOOST_TEST(f.vrd(0, gicc::RPR) == 0xFFu, "APR clear -> idle");
}

// =====================================================================================
// GICH alias frames (IHI 0048B 5.3 / reference 1.1; section 3 item 21): offset n*0x200
// in the alias region is CPU n's GICH, reachable from any CPU; absent CPU = bad access.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gich_alias_frames_reach_each_cpu) {
    VirtFixture f(make_virt_config(4));
    auto ard = [&](unsigned accessor, std::uint32_t off) {
        const AccessResult r = f.gic.read_hyp_control_alias(accessor, off, 4);
        BOOST_TEST_REQUIRE(r.ok(), "alias read at 0x" << std::hex << off);
        return static_cast<std::uint32_t>(r.value);
    };
    auto awr = [&](unsigned accessor, std::uint32_t off, std::uint32_t v) {
        const AccessResult r = f.gic.write_hyp_control_alias(accessor, off, 4, v);
        BOOST_TEST_REQUIRE(r.ok(), "alias write at 0x" << std::hex << off);
    };
    for (unsigned n = 0; n < 4; ++n) {
        const unsigned accessor = (n + 1) % 4;
        const std::uint32_t base = n * gich::kAliasStride;
        const std::uint32_t v = sw_lr(32 + n, 0x80, kPending);
        awr(accessor, base + gich::LR0 + 4, v);
        BOOST_TEST(f.lr(n, 1) == v, "CPU " << accessor << " wrote CPU " << n << "'s LR1 through alias " << n);
        for (unsigned other = 0; other < 4; ++other)
            if (other != n) BOOST_TEST(f.lr(other, 1) == (other < n ? sw_lr(32 + other, 0x80, kPending) : 0u),
                                       "alias " << n << " did not touch CPU " << other);
        BOOST_TEST(ard(accessor, base + gich::LR0 + 4) == v, "alias read of LR1 of CPU " << n);
        BOOST_TEST(ard(accessor, base + gich::VTR) == kVTRDefault, "alias read of VTR of CPU " << n);
        BOOST_TEST(ard(accessor, base + gich::ELRSR0) == 0xDu, "alias read of ELRSR0 of CPU " << n);
    }
    // HCR through the alias: the maintenance line of the target CPU follows.
    awr(0, 2 * gich::kAliasStride + gich::HCR, gich::HCR_En::mask | gich::HCR_VGrp0DIE::mask);
    BOOST_TEST(f.hcr(2) == (gich::HCR_En::mask | gich::HCR_VGrp0DIE::mask), "HCR of CPU 2 written via alias");
    BOOST_TEST(f.hcr(0) == 0u, "the accessor's own HCR is untouched");
    BOOST_TEST(f.maint(2), "CPU 2's maintenance line follows its alias-written HCR");
    BOOST_TEST(!f.maint(0), "CPU 0's maintenance line stays low");
    // VMCR through the alias reaches the target CPU's GICV (QEMU wrote the current CPU's).
    awr(0, 3 * gich::kAliasStride + gich::VMCR, (0x10u << 27) | kGrp0);
    BOOST_TEST(f.vrd(3, gicc::PMR) == 0x80u, "CPU 3's GICV_PMR set through alias 3");
    BOOST_TEST(f.vrd(3, gicc::CTLR) == kGrp0, "CPU 3's GICV_CTLR set through alias 3");
    BOOST_TEST(f.vrd(0, gicc::PMR) == 0u, "the accessor's GICV_PMR is untouched");
    BOOST_TEST(f.hrd(0, gich::VMCR) == kVMCRReset, "the accessor's VMCR is untouched");
}

BOOST_AUTO_TEST_CASE(gich_alias_of_absent_cpu_is_bad_access) {
    VirtFixture f(make_virt_config(2));
    const auto before = f.gic.diagnostics().bad_access_count();
    for (unsigned n : {2u, 3u, 7u}) {
        const std::uint32_t off = n * gich::kAliasStride + gich::HCR;
        BOOST_TEST(!f.gic.read_hyp_control_alias(0, off, 4).ok(), "alias read of absent CPU " << n);
        BOOST_TEST(!f.gic.write_hyp_control_alias(1, off, 4, 0xFFu).ok(), "alias write of absent CPU " << n);
    }
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == before + 6, "every absent-alias access is counted");
    BOOST_TEST(f.hcr(0) == 0u, "no CPU's HCR was written");
    BOOST_TEST(f.hcr(1) == 0u, "no CPU's HCR was written");
    BOOST_TEST(!f.maint(0), "no maintenance");
    BOOST_TEST(!f.maint(1), "no maintenance");
}

// =====================================================================================
// GICV signalling (IHI 0048B 5.4, reference 1.5): the highest-priority pending LR whose
// group is enabled, priority < PMR and group priority < running priority raises vIRQ.
// =====================================================================================
BOOST_AUTO_TEST_CASE(gicv_signals_highest_priority_pending_lr) {
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.set_lr(0, 0, sw_lr(40, 0xA0, kPending));
    f.set_lr(0, 1, sw_lr(41, 0x80, kPending));
    f.set_lr(0, 2, sw_lr(42, 0xC0, kPending));
    BOOST_TEST(!f.virq(0), "GICH_HCR.En=0: nothing yet");
    f.hyp_enable(0);
    BOOST_TEST(f.virq(0), "pending Group 0 LR with FIQEn=0 raises vIRQ");
    BOOST_TEST(!f.vfiq(0), "FIQEn=0: no vFIQ");
    BOOST_TEST(!f.irq(0), "the physical IRQ is not involved");
    BOOST_TEST(f.vrd(0, gicc::HPPIR) == 41u, "HPPIR names the highest-priority pending LR");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 41u, "IAR acknowledges priority 0x80 first");
    BOOST_TEST(f.lr(0, 1) == sw_lr(41, 0x80, kActive), "LR1 pending -> active, other fields unchanged");
    BOOST_TEST(f.hrd(0, gich::APR) == apr_bit(0x80), "GICH_APR bit 16 for priority 0x80");
    BOOST_TEST(f.vrd(0, gicc::RPR) == 0x80u, "running priority 0x80");
    BOOST_TEST(!f.virq(0), "0xA0 and 0xC0 cannot preempt 0x80");
    f.vwr(0, gicc::EOIR, 41);
    BOOST_TEST(lr_state(f.lr(0, 1)) == kInvalid, "EOIR (EOImode=0) deactivates LR1");
    BOOST_TEST(f.hrd(0, gich::APR) == 0u, "priority dropped");
    BOOST_TEST(f.elrsr0(0) == 0xAu, "LR1 empty again (EOI=0)");
    BOOST_TEST(f.virq(0), "0xA0 now signalled");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "then 0xA0");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 42u, "then 0xC0");
    f.vwr(0, gicc::EOIR, 42);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 1023u, "then spurious");
    BOOST_TEST(!f.virq(0), "nothing left");
    BOOST_TEST(f.eoicount(0) == 0u, "matched EOIs do not count in EOICount");
}

BOOST_AUTO_TEST_CASE(gicv_group_enables_and_ackctl) {
    // GICV_CTLR (ch. 5 GICV_CTLR / 4.4.1): EnableGrp0/1 gate each group; with AckCtl=0 an IAR read of a
    // Group 1 interrupt returns 1022 and acknowledges nothing.
    VirtFixture f(make_virt_config(1));
    f.hyp_enable(0);
    f.vwr(0, gicc::PMR, 0xFF);
    f.set_lr(0, 0, sw_lr(50, 0x80, kPending, /*grp1=*/true));
    f.vwr(0, gicc::CTLR, kGrp0);
    BOOST_TEST(!f.virq(0), "Group 1 LR with EnableGrp1=0 is not signalled");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 1023u, "nothing to acknowledge");
    f.vwr(0, gicc::CTLR, kGrp1);
    BOOST_TEST(f.virq(0), "Group 1 LR with EnableGrp1=1 raises vIRQ");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 1022u, "AckCtl=0: IAR returns 1022 for a Group 1 interrupt");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kPending, "and does not acknowledge it");
    BOOST_TEST(f.hrd(0, gich::APR) == 0u, "no active priority");
    BOOST_TEST(f.vrd(0, gicc::AIAR) == 50u, "GICV_AIAR acknowledges the Group 1 interrupt");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kActive, "AIAR made LR0 active");
    f.vwr(0, gicc::AEOIR, 50);
    BOOST_TEST(lr_state(f.lr(0, 0)) == kInvalid, "AEOIR deactivated LR0");
    BOOST_TEST(f.hrd(0, gich::APR) == 0u, "AEOIR dropped the priority");

    f.set_lr(0, 1, sw_lr(51, 0x80, kPending, /*grp1=*/true));
    f.vwr(0, gicc::CTLR, kGrp1 | kAckCtl);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 51u, "AckCtl=1: IAR acknowledges Group 1");
    BOOST_TEST(lr_state(f.lr(0, 1)) == kActive, "LR1 active");
    f.vwr(0, gicc::EOIR, 51);

    f.set_lr(0, 2, sw_lr(52, 0x80, kPending, /*grp1=*/false));
    f.vwr(0, gicc::CTLR, kGrp1 | kAckCtl);
    BOOST_TEST(!f.virq(0), "Group 0 LR with EnableGrp0=0 is not signalled");
    f.vwr(0, gicc::CTLR, kGrp0);
    BOOST_TEST(f.virq(0), "Group 0 LR with EnableGrp0=1 is signalled");
}

BOOST_AUTO_TEST_CASE(gicv_vfiq_for_group0_with_fiqen) {
    // 5.4 / reference 1.5: Group 0 with GICV_CTLR.FIQEn=1 is signalled as vFIQ; Group 1 is
    // always vIRQ.
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0, kGrp0 | kGrp1 | kAckCtl | kFIQEn);
    f.hyp_enable(0);
    f.observer.events.clear();
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.vfiq(0), "Group 0 + FIQEn -> vFIQ");
    BOOST_TEST(!f.virq(0), "and not vIRQ");
    BOOST_TEST(!f.fiq(0), "the physical FIQ is not involved");
    BOOST_TEST(f.observer.events.size() == 1u, "one line change reported");
    if (!f.observer.events.empty())
        BOOST_TEST((f.observer.events[0] == LineEvent{0, Line::VFiq, true}), "observer saw vFIQ rise");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "vFIQ acknowledged through GICV_IAR");
    BOOST_TEST(!f.vfiq(0), "vFIQ drops once active");
    f.vwr(0, gicc::EOIR, 40);
    f.set_lr(0, 1, sw_lr(41, 0x80, kPending, /*grp1=*/true));
    BOOST_TEST(f.virq(0), "Group 1 is vIRQ even with FIQEn=1");
    BOOST_TEST(!f.vfiq(0), "Group 1 never vFIQ");
    f.vwr(0, gicc::CTLR, kGrp0 | kAckCtl);  // Group 1 off, FIQEn off
    f.set_lr(0, 1, 0);
    f.set_lr(0, 2, sw_lr(42, 0x80, kPending));
    BOOST_TEST(f.virq(0), "Group 0 with FIQEn=0 -> vIRQ");
    BOOST_TEST(!f.vfiq(0), "no vFIQ with FIQEn=0");
}

BOOST_AUTO_TEST_CASE(gicv_silent_while_hcr_en_is_0) {
    // GICH_HCR.En=0 disables the virtual CPU interface: no vIRQ/vFIQ ("En must be 1 for any
    // virtual or maintenance interrupt to be asserted"). Section 3 item 28: gem5 got it wrong.
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(!f.virq(0), "En=0: no vIRQ");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 1023u, "En=0: nothing to acknowledge");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kPending, "En=0: the LR stays pending");
    f.hyp_enable(0);
    BOOST_TEST(f.virq(0), "En=1: vIRQ");
    f.hwr(0, gich::HCR, gich::HCR_UIE::mask | gich::HCR_NPIE::mask);  // enables without En
    BOOST_TEST(!f.virq(0), "En cleared again: vIRQ drops");
    f.vwr(0, gicc::CTLR, kGrp0 | kFIQEn);
    BOOST_TEST(!f.vfiq(0), "En=0: no vFIQ either");
    BOOST_TEST(!f.maint(0), "En=0: no maintenance interrupt either");
    f.hyp_enable(0);
    BOOST_TEST(f.vfiq(0), "En=1: vFIQ");
}

BOOST_AUTO_TEST_CASE(gicv_pmr_is_strict) {
    // 3.2.2 / section 3 item 17: signalled only if priority < PMR (strictly).
    VirtFixture f(make_virt_config(1));
    f.vwr(0, gicc::CTLR, kGrp0);
    f.hyp_enable(0);
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    f.vwr(0, gicc::PMR, 0x80);
    BOOST_TEST(!f.virq(0), "priority == PMR is masked");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 1023u, "IAR: nothing of sufficient priority");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kPending, "LR stays pending");
    f.vwr(0, gicc::PMR, 0x88);
    BOOST_TEST(f.virq(0), "priority < PMR is signalled");
    f.vwr(0, gicc::PMR, 0x00);
    BOOST_TEST(!f.virq(0), "PMR 0 masks everything");

    f.set_lr(0, 0, sw_lr(40, 0xF8, kPending));  // LR priority field 0x1F
    f.vwr(0, gicc::PMR, 0xFF);
    BOOST_TEST(f.vrd(0, gicc::PMR) == 0xF8u, "PMR maximum is 0xF8");
    BOOST_TEST(!f.virq(0), "LR priority 0xF8 is never signalled (PMR max 0xF8)");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 1023u, "and never acknowledged");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kPending, "LR stays pending");
}

BOOST_AUTO_TEST_CASE(gicv_iar_activates_lr_and_sets_apr) {
    // 5.4 / GICH_APR: IAR moves the LR pending -> active and sets the APR bit of its group
    // priority (5 preemption bits, BPR at its minimum 2: bit = priority >> 3).
    for (std::uint32_t prio : {0x00u, 0x08u, 0x48u, 0x80u, 0xF0u}) {
        VirtFixture f(make_virt_config(1));
        f.guest_enable(0);
        f.hyp_enable(0);
        const std::uint32_t lr = sw_lr(60, static_cast<std::uint8_t>(prio), kPending, false, true, 0);
        f.set_lr(0, 2, lr);
        BOOST_TEST(f.vrd(0, gicc::IAR) == 60u, "IAR, prio 0x" << std::hex << prio);
        BOOST_TEST(f.lr(0, 2) == gich::LR_State::set(lr, kActive), "only State changed, prio 0x" << std::hex << prio);
        BOOST_TEST(f.hrd(0, gich::APR) == apr_bit(prio), "GICH_APR bit " << (prio >> 3));
        BOOST_TEST(f.vrd(0, gicc::APR0) == apr_bit(prio), "GICV_APR0 bit " << (prio >> 3));
        BOOST_TEST(f.vrd(0, gicc::RPR) == prio, "running priority = 0x" << std::hex << prio);
        BOOST_TEST(f.eisr0(0) == 0u, "EOI maintenance only after deactivation");
    }
}

BOOST_AUTO_TEST_CASE(gicv_iar_reports_sgi_source_cpuid) {
    // GICH_LR.CPUID (HW=0) is reported in GICV_IAR[12:10] for an SGI vINTID (0-15).
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.hyp_enable(0);
    f.set_lr(0, 0, sw_lr(3, 0x80, kPending, false, false, /*cpuid=*/5));
    BOOST_TEST(f.vrd(0, gicc::HPPIR) == 0x1403u, "HPPIR = SGI 3 from CPU 5");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 0x1403u, "IAR = SGI 3 from CPU 5");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kActive, "SGI LR active");
    f.vwr(0, gicc::EOIR, 0x1403);
    BOOST_TEST(lr_state(f.lr(0, 0)) == kInvalid, "EOIR with the same CPUID deactivates it");
    BOOST_TEST(f.eoicount(0) == 0u, "matched: no EOICount");
}

BOOST_AUTO_TEST_CASE(gicv_preemption_by_group_priority) {
    // 3.3.3 / section 3 item 18: only the group priority (bits above the binary point)
    // decides preemption; Group 0 uses GICV_BPR, Group 1 with CBPR=0 uses GICV_ABPR.
    {
        VirtFixture f(make_virt_config(1));  // BPR = 2: group priority [7:3]
        f.guest_enable(0);
        f.hyp_enable(0);
        f.set_lr(0, 0, sw_lr(50, 0x48, kPending));
        BOOST_TEST(f.vrd(0, gicc::IAR) == 50u, "0x48 acknowledged");
        f.set_lr(0, 1, sw_lr(51, 0x40, kPending));
        BOOST_TEST(f.virq(0), "BPR=2: 0x40 preempts active 0x48");
        BOOST_TEST(f.vrd(0, gicc::IAR) == 51u, "nested acknowledge");
        BOOST_TEST(f.hrd(0, gich::APR) == (apr_bit(0x48) | apr_bit(0x40)), "two active priorities");
        BOOST_TEST(f.vrd(0, gicc::RPR) == 0x40u, "running priority = the higher one");
        f.vwr(0, gicc::EOIR, 51);
        BOOST_TEST(f.hrd(0, gich::APR) == apr_bit(0x48), "EOIR clears the highest active priority only");
        BOOST_TEST(f.vrd(0, gicc::RPR) == 0x48u, "running priority back to 0x48");
    }
    {
        VirtFixture f(make_virt_config(1));
        f.guest_enable(0);
        f.vwr(0, gicc::BPR, 4);  // group priority [7:5]
        f.hyp_enable(0);
        f.set_lr(0, 0, sw_lr(50, 0x48, kPending));
        BOOST_TEST(f.vrd(0, gicc::IAR) == 50u, "0x48 acknowledged");
        f.set_lr(0, 1, sw_lr(51, 0x40, kPending));
        BOOST_TEST(!f.virq(0), "BPR=4: 0x40 has the same group priority as 0x48: no preemption");
        BOOST_TEST(f.vrd(0, gicc::IAR) == 1023u, "IAR: nothing can preempt");
        BOOST_TEST(lr_state(f.lr(0, 1)) == kPending, "LR1 still pending");
        f.set_lr(0, 2, sw_lr(52, 0x38, kPending));
        BOOST_TEST(f.virq(0), "BPR=4: 0x38 (group 0x20) preempts");
        BOOST_TEST(f.vrd(0, gicc::IAR) == 52u, "0x38 acknowledged");
    }
    {
        VirtFixture f(make_virt_config(1));
        f.guest_enable(0, kGrp0 | kGrp1 | kAckCtl);  // CBPR=0: Group 1 uses ABPR
        f.vwr(0, gicc::ABPR, 5);                     // Group 1 group priority [7:5]
        f.hyp_enable(0);
        f.set_lr(0, 0, sw_lr(50, 0x48, kPending, true));
        BOOST_TEST(f.vrd(0, gicc::IAR) == 50u, "Group 1 0x48 acknowledged");
        f.set_lr(0, 1, sw_lr(51, 0x40, kPending, true));
        BOOST_TEST(!f.virq(0), "ABPR=5: Group 1 0x40 is in the same group as 0x48");
        f.set_lr(0, 2, sw_lr(52, 0x38, kPending, false));
        BOOST_TEST(f.virq(0), "Group 0 0x38 uses BPR=2 and preempts");
        BOOST_TEST(f.vrd(0, gicc::IAR) == 52u, "Group 0 0x38 acknowledged");
    }
}

BOOST_AUTO_TEST_CASE(gicv_eoimode1_eoir_drops_dir_deactivates) {
    // GICV_CTLR.EOImode (4.4.1, ch. 5 GICV_CTLR/GICV_DIR; section 3 item 8): EOIR only drops the priority,
    // GICV_DIR (offset 0x1000) deactivates.
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0, kGrp0 | kGrp1 | kAckCtl | kEOImode);
    f.hyp_enable(0);
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.hrd(0, gich::APR) == 0u, "EOIR dropped the priority");
    BOOST_TEST(f.vrd(0, gicc::RPR) == 0xFFu, "running priority idle");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kActive, "EOImode=1: EOIR does not deactivate");
    f.set_lr(0, 1, sw_lr(41, 0xA0, kPending));
    BOOST_TEST(f.virq(0), "after the drop a lower priority interrupt is signalled");
    f.vwr(0, gicc::DIR, 40);
    BOOST_TEST(lr_state(f.lr(0, 0)) == kInvalid, "GICV_DIR deactivates LR0");
    BOOST_TEST(f.eoicount(0) == 0u, "matched DIR: no EOICount");
    BOOST_TEST(lr_state(f.lr(0, 1)) == kPending, "DIR touched only its INTID");
}

BOOST_AUTO_TEST_CASE(gicv_special_vintids_in_lr) {
    // Section 3 item 16: a pending LR with vINTID 1020-1023 is returned by IAR and the LR
    // goes invalid without activation and without an active priority.
    for (std::uint32_t id = 1020; id <= 1023; ++id) {
        VirtFixture f(make_virt_config(1));
        f.guest_enable(0);
        f.hyp_enable(0);
        f.set_lr(0, 1, sw_lr(id, 0x80, kPending));
        BOOST_TEST(f.vrd(0, gicc::IAR) == id, "IAR returns vINTID " << id);
        BOOST_TEST(lr_state(f.lr(0, 1)) == kInvalid, "LR dropped to invalid, vINTID " << id);
        BOOST_TEST(f.hrd(0, gich::APR) == 0u, "no active priority, vINTID " << id);
        BOOST_TEST(f.vrd(0, gicc::RPR) == 0xFFu, "running priority idle, vINTID " << id);
        BOOST_TEST(f.elrsr0(0) == 0xFu, "LR1 empty, vINTID " << id);
        BOOST_TEST(!f.virq(0), "nothing left to signal, vINTID " << id);
    }
}

BOOST_AUTO_TEST_CASE(gicv_interfaces_are_per_cpu) {
    VirtFixture f(make_virt_config(2));
    for (unsigned cpu = 0; cpu < 2; ++cpu) {
        f.guest_enable(cpu);
        f.hyp_enable(cpu);
    }
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.virq(0), "CPU 0 signals its LR");
    BOOST_TEST(!f.virq(1), "CPU 1 does not see CPU 0's LR");
    BOOST_TEST(f.vrd(1, gicc::IAR) == 1023u, "CPU 1's GICV has nothing");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kPending, "CPU 1's IAR did not touch CPU 0's LR");
    BOOST_TEST(f.elrsr0(1) == 0xFu, "CPU 1's LRs are all empty");
}

// =====================================================================================
// Maintenance interrupt (IHI 0048B 5.3.4 GICH_MISR, reference 1.4): a level, asserted
// while GICH_HCR.En=1 and a MISR condition holds; drives PPI 25 of its CPU.
// =====================================================================================
BOOST_AUTO_TEST_CASE(maintenance_needs_en_and_a_misr_condition) {
    VirtFixture f(make_virt_config(2));
    f.observer.events.clear();
    f.hwr(0, gich::HCR, gich::HCR_UIE::mask);  // U condition holds (no valid LR), En=0
    BOOST_TEST(!f.maint(0), "En=0: no maintenance interrupt");
    BOOST_TEST(!f.maint_ppi_pending(0), "En=0: PPI 25 not pending");
    f.hyp_enable(0, gich::HCR_UIE::mask);
    BOOST_TEST(f.misr(0) == gich::MISR_U::mask, "MISR.U with every LR empty");
    BOOST_TEST(f.maint(0), "En=1 and U: maintenance asserted");
    BOOST_TEST(f.maint_ppi_pending(0), "PPI 25 pending in CPU 0's GICD_ISPENDR0");
    BOOST_TEST(!f.maint(1), "CPU 1 unaffected");
    BOOST_TEST(!f.maint_ppi_pending(1), "CPU 1's banked PPI 25 not pending");
    f.hyp_enable(0);
    BOOST_TEST(f.misr(0) == 0u, "no enable, no MISR condition");
    BOOST_TEST(!f.maint(0), "maintenance deasserted");
    BOOST_TEST(!f.maint_ppi_pending(0), "level PPI no longer pending");
    const std::vector<LineEvent> want = {{0, Line::Maintenance, true}, {0, Line::Maintenance, false}};
    BOOST_TEST(f.observer.events == want, "observer saw one rise and one fall");
}

BOOST_AUTO_TEST_CASE(maintenance_ppi_reaches_the_physical_cpu) {
    VirtFixture f(make_virt_config(2));
    f.enable_all(0);
    f.enable_irq(0, 25, 0x80);
    f.hyp_enable(0, gich::HCR_UIE::mask);
    BOOST_TEST(f.irq(0), "the maintenance PPI raises the physical IRQ of CPU 0");
    BOOST_TEST(!f.irq(1), "not CPU 1");
    BOOST_TEST(f.crd(0, gicc::IAR) == 25u, "the hypervisor acknowledges PPI 25");
    f.hyp_enable(0);  // the hypervisor handles the condition
    f.cwr(0, gicc::EOIR, 25);
    BOOST_TEST(!f.maint_ppi_pending(0), "level PPI not pending once the condition is gone");
    BOOST_TEST(!f.irq(0), "no physical IRQ left");
    BOOST_TEST(f.crd(0, gicc::IAR) == 1023u, "nothing pending");
}

BOOST_AUTO_TEST_CASE(maintenance_eoi_condition) {
    // MISR.EOI / EISR (5.3.4-5.3.5; section 3 item 1): a HW=0 EOI=1 LR deactivated by the
    // guest sets its EISR bit; ELRSR stays clear until the hypervisor rewrites the LR.
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.hyp_enable(0);
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending, false, /*eoi=*/true));
    BOOST_TEST(f.eisr0(0) == 0u, "pending EOI=1 LR: no EISR yet");
    BOOST_TEST(f.elrsr0(0) == 0xEu, "LR0 in use");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    BOOST_TEST(f.eisr0(0) == 0u, "active EOI=1 LR: no EISR yet");
    BOOST_TEST(!f.maint(0), "no maintenance before deactivation");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(lr_state(f.lr(0, 0)) == kInvalid, "LR0 deactivated");
    BOOST_TEST(f.eisr0(0) == 1u, "EISR0 bit 0 set");
    BOOST_TEST(f.elrsr0(0) == 0xEu, "ELRSR0 bit 0 NOT set while the EOI is owed (item 1)");
    BOOST_TEST(f.misr(0) == gich::MISR_EOI::mask, "MISR.EOI (no enable bit needed)");
    BOOST_TEST(f.maint(0), "maintenance asserted");
    BOOST_TEST(f.maint_ppi_pending(0), "PPI 25 pending");
    f.hwr(0, gich::HCR, 0);
    BOOST_TEST(!f.maint(0), "En=0 masks the maintenance interrupt");
    BOOST_TEST(f.eisr0(0) == 1u, "EISR unchanged by En");
    f.hyp_enable(0);
    BOOST_TEST(f.maint(0), "En=1 again: asserted again");
    f.set_lr(0, 0, 0);
    BOOST_TEST(f.eisr0(0) == 0u, "rewriting the LR consumes the EOI");
    BOOST_TEST(f.elrsr0(0) == 0xFu, "LR0 empty now");
    BOOST_TEST(f.misr(0) == 0u, "MISR clear");
    BOOST_TEST(!f.maint(0), "maintenance deasserted");
    BOOST_TEST(!f.maint_ppi_pending(0), "PPI 25 no longer pending");

    // Item 23: EOI=0 gives no EOI maintenance.
    f.set_lr(0, 1, sw_lr(41, 0x80, kPending, false, /*eoi=*/false));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 41u, "acknowledged");
    f.vwr(0, gicc::EOIR, 41);
    BOOST_TEST(f.eisr0(0) == 0u, "EOI=0: no EISR bit");
    BOOST_TEST(f.elrsr0(0) == 0xFu, "EOI=0: LR1 empty at once");
    BOOST_TEST(!f.maint(0), "EOI=0: no maintenance");
}

BOOST_AUTO_TEST_CASE(maintenance_eoi_waits_for_dir_with_eoimode1) {
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0, kGrp0 | kEOImode);
    f.hyp_enable(0);
    f.set_lr(0, 2, sw_lr(40, 0x80, kPending, false, /*eoi=*/true));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.eisr0(0) == 0u, "priority drop alone is not a deactivation");
    BOOST_TEST(!f.maint(0), "no EOI maintenance yet");
    f.vwr(0, gicc::DIR, 40);
    BOOST_TEST(f.eisr0(0) == 0x4u, "DIR deactivated LR2: EISR bit 2");
    BOOST_TEST(f.elrsr0(0) == 0xBu, "LR2 not empty while its EOI is owed");
    BOOST_TEST(f.maint(0), "EOI maintenance asserted");
}

BOOST_AUTO_TEST_CASE(maintenance_underflow) {
    // MISR.U (section 3 item 5): UIE and zero or one LR valid (State != invalid, active LRs
    // count); with all LRs empty it asserts at once.
    VirtFixture f(make_virt_config(1));
    f.hyp_enable(0, gich::HCR_UIE::mask);
    BOOST_TEST(f.misr(0) == gich::MISR_U::mask, "no valid LR: U");
    BOOST_TEST(f.maint(0), "asserted immediately with all LRs empty");
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.misr(0) == gich::MISR_U::mask, "one valid LR: U");
    f.set_lr(0, 1, sw_lr(41, 0x80, kActive));
    BOOST_TEST(f.misr(0) == 0u, "two valid LRs (one pending, one active): no U");
    BOOST_TEST(!f.maint(0), "deasserted");
    f.set_lr(0, 0, 0);
    BOOST_TEST(f.misr(0) == gich::MISR_U::mask, "one active LR counts as one valid: U");
    BOOST_TEST(f.maint(0), "asserted again");
    f.set_lr(0, 2, sw_lr(42, 0x80, kPendingActive));
    BOOST_TEST(f.misr(0) == 0u, "active + pending&active: two valid, no U");
    f.set_lr(0, 1, 0);
    f.set_lr(0, 2, 0);
    f.hyp_enable(0);
    BOOST_TEST(f.misr(0) == 0u, "UIE=0: never U");
    BOOST_TEST(!f.maint(0), "UIE=0: no maintenance");
}

BOOST_AUTO_TEST_CASE(maintenance_lrenp) {
    // MISR.LRENP (section 3 item 2): LRENPIE=1 AND EOICount != 0.
    VirtFixture f(make_virt_config(1));
    f.hyp_enable(0, gich::HCR_LRENPIE::mask);
    BOOST_TEST(f.misr(0) == 0u, "LRENPIE with EOICount=0: no LRENP");
    BOOST_TEST(!f.maint(0), "no maintenance");
    f.hwr(0, gich::HCR, gich::HCR_En::mask | gich::HCR_EOICount::make(3));
    BOOST_TEST(f.misr(0) == 0u, "EOICount=3 without LRENPIE: no LRENP");
    BOOST_TEST(!f.maint(0), "no maintenance");
    f.hwr(0, gich::HCR, gich::HCR_En::mask | gich::HCR_LRENPIE::mask | gich::HCR_EOICount::make(3));
    BOOST_TEST(f.misr(0) == gich::MISR_LRENP::mask, "LRENPIE and EOICount=3: LRENP");
    BOOST_TEST(f.maint(0), "maintenance asserted");
    f.hyp_enable(0, gich::HCR_LRENPIE::mask);  // the hypervisor consumed the count
    BOOST_TEST(!f.maint(0), "EOICount back to 0: deasserted");
    // A real count: a DIR (EOImode=1) of an INTID with no LR.
    f.guest_enable(0, kGrp0 | kEOImode);
    f.vwr(0, gicc::DIR, 99);
    BOOST_TEST(f.eoicount(0) == 1u, "unmatched DIR counted");
    BOOST_TEST(f.misr(0) == gich::MISR_LRENP::mask, "LRENP from the guest's EOI");
    BOOST_TEST(f.maint(0), "maintenance asserted by the count");
}

BOOST_AUTO_TEST_CASE(maintenance_no_pending) {
    // MISR.NP (5.3.4): NPIE and no LR in the pending state.
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.hyp_enable(0, gich::HCR_NPIE::mask);
    BOOST_TEST(f.misr(0) == gich::MISR_NP::mask, "no LR at all: NP");
    BOOST_TEST(f.maint(0), "asserted");
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.misr(0) == 0u, "a pending LR: no NP");
    BOOST_TEST(!f.maint(0), "deasserted");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    BOOST_TEST(f.misr(0) == gich::MISR_NP::mask, "only an active LR left: NP");
    BOOST_TEST(f.maint(0), "asserted again");
    f.set_lr(0, 3, sw_lr(43, 0x90, kPending));
    BOOST_TEST(f.misr(0) == 0u, "a new pending LR: no NP");
    f.hyp_enable(0);
    f.set_lr(0, 3, 0);
    BOOST_TEST(f.misr(0) == 0u, "NPIE=0: never NP");
}

BOOST_AUTO_TEST_CASE(maintenance_vgrp_enabled_disabled) {
    // MISR.VGrp0E/VGrp0D/VGrp1E/VGrp1D (5.3.4; section 3 item 4): VGrpxEIE with
    // GICV_CTLR.EnableGrpx (VMCR.VMGrpxEn) = 1, VGrpxDIE with it = 0. VGrp0D must test
    // EnableGrp0 (QEMU tested the Group 1 enable).
    struct Ie {
        std::uint32_t hcr_bit, misr_bit;
        unsigned group;
        bool when_enabled;
    };
    const Ie ies[] = {
        {gich::HCR_VGrp0EIE::mask, gich::MISR_VGrp0E::mask, 0, true},
        {gich::HCR_VGrp0DIE::mask, gich::MISR_VGrp0D::mask, 0, false},
        {gich::HCR_VGrp1EIE::mask, gich::MISR_VGrp1E::mask, 1, true},
        {gich::HCR_VGrp1DIE::mask, gich::MISR_VGrp1D::mask, 1, false},
    };
    VirtFixture f(make_virt_config(1));
    for (unsigned g0 = 0; g0 < 2; ++g0) {
        for (unsigned g1 = 0; g1 < 2; ++g1) {
            for (bool via_vmcr : {false, true}) {
                const std::uint32_t ctlr = (g0 ? kGrp0 : 0u) | (g1 ? kGrp1 : 0u);
                if (via_vmcr) f.hwr(0, gich::VMCR, ctlr);  // VMGrp0En/VMGrp1En
                else f.vwr(0, gicc::CTLR, ctlr);
                for (const Ie& ie : ies) {
                    f.hyp_enable(0, ie.hcr_bit);
                    const bool enabled = (ie.group == 0 ? g0 : g1) != 0;
                    const std::uint32_t want = (enabled == ie.when_enabled) ? ie.misr_bit : 0u;
                    BOOST_TEST(f.misr(0) == want, "Grp0En=" << g0 << " Grp1En=" << g1 << " HCR bit 0x" << std::hex
                                                            << ie.hcr_bit << (via_vmcr ? " (via VMCR)" : " (via GICV_CTLR)"));
                    BOOST_TEST(f.maint(0) == (want != 0), "maintenance line follows, Grp0En=" << g0 << " Grp1En=" << g1
                                                                                             << " HCR bit 0x" << std::hex << ie.hcr_bit);
                }
            }
        }
    }
    // All four enables at once: exactly the two matching conditions.
    f.vwr(0, gicc::CTLR, kGrp1);  // Grp0 disabled, Grp1 enabled
    f.hyp_enable(0, 0xF0u);
    BOOST_TEST(f.misr(0) == (gich::MISR_VGrp0D::mask | gich::MISR_VGrp1E::mask), "Grp0 disabled + Grp1 enabled");
    f.vwr(0, gicc::CTLR, kGrp0);
    BOOST_TEST(f.misr(0) == (gich::MISR_VGrp0E::mask | gich::MISR_VGrp1D::mask), "Grp0 enabled + Grp1 disabled");
}

BOOST_AUTO_TEST_CASE(maintenance_line_is_a_single_level) {
    // Section 3 item 3: the maintenance output is 0/1, not the MISR value; several
    // conditions give one assertion, and the line falls only when the last one clears.
    VirtFixture f(make_virt_config(1));
    f.observer.events.clear();
    f.hyp_enable(0, gich::HCR_UIE::mask | gich::HCR_NPIE::mask | gich::HCR_VGrp0DIE::mask | gich::HCR_VGrp1DIE::mask);
    BOOST_TEST(f.misr(0) == (gich::MISR_U::mask | gich::MISR_NP::mask | gich::MISR_VGrp0D::mask | gich::MISR_VGrp1D::mask),
               "four conditions at once");
    BOOST_TEST(f.maint(0), "maintenance asserted");
    BOOST_TEST(f.maint_events(0, true) == 1u, "exactly one rising event");
    BOOST_TEST(f.rd(0, gicd::ISPENDR) == (1u << 25), "GICD_ISPENDR0 shows PPI 25 only");
    f.hyp_enable(0, gich::HCR_UIE::mask | gich::HCR_NPIE::mask);
    BOOST_TEST(f.maint(0), "still asserted with two conditions");
    f.hyp_enable(0, gich::HCR_UIE::mask);
    BOOST_TEST(f.maint(0), "still asserted with one condition");
    BOOST_TEST(f.maint_events(0, true) == 1u, "no further rising events");
    BOOST_TEST(f.maint_events(0, false) == 0u, "no falling event while a condition holds");
    f.hyp_enable(0);
    BOOST_TEST(!f.maint(0), "deasserted");
    BOOST_TEST(f.maint_events(0, false) == 1u, "exactly one falling event");
    BOOST_TEST(f.rd(0, gicd::ISPENDR) == 0u, "nothing pending");
}

BOOST_AUTO_TEST_CASE(maintenance_intid_follows_config) {
    GicConfig c = make_virt_config(2);
    c.virt.maintenance_intid = 20;
    VirtFixture f(c);
    f.hyp_enable(1, gich::HCR_UIE::mask);
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == (1u << 20), "maintenance on PPI 20 of CPU 1");
    BOOST_TEST(f.rd(0, gicd::ISPENDR) == 0u, "not on CPU 0");
    BOOST_CHECK_THROW(f.gic.set_ppi_level(1, 20, true), std::out_of_range);
    f.gic.set_ppi_level(1, 25, true);  // an ordinary PPI now
    BOOST_TEST(f.rd(1, gicd::ISPENDR) == ((1u << 20) | (1u << 25)), "PPI 25 is an ordinary input now");
}

// =====================================================================================
// GICH_HCR.EOICount (5.3.1; reference 1.4; section 3 item 7): counts EOIs (EOImode=0:
// GICV_EOIR after a priority drop) and deactivations (EOImode=1: GICV_DIR) of INTIDs
// with no LR; "EOIs that do not clear a bit in GICH_APR do not cause an increment"; the
// 5-bit field wraps from 31 to 0.
// =====================================================================================
BOOST_AUTO_TEST_CASE(eoicount_eoir_of_an_evicted_lr) {
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.hyp_enable(0);
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    BOOST_TEST(f.hrd(0, gich::APR) == apr_bit(0x80), "active priority recorded");
    f.set_lr(0, 0, 0);  // the hypervisor evicts the active interrupt
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.hrd(0, gich::APR) == 0u, "the priority is still dropped");
    BOOST_TEST(f.vrd(0, gicc::RPR) == 0xFFu, "idle");
    BOOST_TEST(f.eoicount(0) == 1u, "EOIR with no LR counted");
    // A matched EOIR does not count.
    f.set_lr(0, 1, sw_lr(41, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 41u, "acknowledged");
    f.vwr(0, gicc::EOIR, 41);
    BOOST_TEST(f.eoicount(0) == 1u, "matched EOIR not counted");
    // Other HCR bits survive the increment.
    f.hwr(0, gich::HCR, gich::HCR_En::mask | gich::HCR_VGrp1EIE::mask);
    f.set_lr(0, 1, sw_lr(41, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 41u, "acknowledged");
    f.set_lr(0, 1, 0);
    f.vwr(0, gicc::EOIR, 41);
    BOOST_TEST(f.hcr(0) == (gich::HCR_En::mask | gich::HCR_VGrp1EIE::mask | gich::HCR_EOICount::make(1)),
               "increment changes EOICount only");
}

BOOST_AUTO_TEST_CASE(eoicount_dir_without_lr_in_eoimode1) {
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0, kGrp0 | kEOImode);
    f.hyp_enable(0);
    f.vwr(0, gicc::DIR, 77);
    BOOST_TEST(f.eoicount(0) == 1u, "DIR of an INTID with no LR counted");
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.eoicount(0) == 1u, "EOImode=1 EOIR (priority drop only) not counted");
    f.set_lr(0, 0, 0);  // evicted while active
    f.vwr(0, gicc::DIR, 40);
    BOOST_TEST(f.eoicount(0) == 2u, "DIR of the evicted interrupt counted");
    f.set_lr(0, 1, sw_lr(41, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 41u, "acknowledged");
    f.vwr(0, gicc::EOIR, 41);
    f.vwr(0, gicc::DIR, 41);
    BOOST_TEST(lr_state(f.lr(0, 1)) == kInvalid, "matched DIR deactivated LR1");
    BOOST_TEST(f.eoicount(0) == 2u, "matched DIR not counted");
}

BOOST_AUTO_TEST_CASE(eoicount_ignores_eoir_without_active_priority) {
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0);
    f.hyp_enable(0);
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.eoicount(0) == 0u, "EOIR with nothing active is ignored and not counted");
    f.vwr(0, gicc::EOIR, 1023);
    BOOST_TEST(f.eoicount(0) == 0u, "EOIR of spurious 1023 not counted");
    BOOST_TEST(f.hrd(0, gich::APR) == 0u, "APR untouched");
    f.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    f.set_lr(0, 0, 0);
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.eoicount(0) == 1u, "first EOIR clears the APR bit: counted");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(f.eoicount(0) == 1u, "a repeated EOIR clears no APR bit: not counted");
}

BOOST_AUTO_TEST_CASE(eoicount_wraps_from_31_to_0) {
    VirtFixture f(make_virt_config(1));
    f.guest_enable(0, kGrp0 | kEOImode);
    f.hwr(0, gich::HCR, gich::HCR_En::mask | gich::HCR_LRENPIE::mask | gich::HCR_EOICount::make(30));
    f.vwr(0, gicc::DIR, 99);
    BOOST_TEST(f.eoicount(0) == 31u, "30 -> 31");
    BOOST_TEST(f.maint(0), "LRENP with EOICount 31");
    f.vwr(0, gicc::DIR, 99);
    BOOST_TEST(f.eoicount(0) == 0u, "31 wraps to 0");
    BOOST_TEST(f.misr(0) == 0u, "EOICount 0: LRENP clear");
    BOOST_TEST(!f.maint(0), "maintenance deasserted after the wrap");
    BOOST_TEST(f.hcr(0) == (gich::HCR_En::mask | gich::HCR_LRENPIE::mask), "the wrap does not spill into other bits");

    // The EOIR path (EOImode=0) wraps the same way.
    VirtFixture g(make_virt_config(1));
    g.guest_enable(0);
    g.hwr(0, gich::HCR, gich::HCR_En::mask | gich::HCR_EOICount::make(31));
    g.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    BOOST_TEST(g.vrd(0, gicc::IAR) == 40u, "acknowledged");
    g.set_lr(0, 0, 0);
    g.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(g.eoicount(0) == 0u, "EOIR path: 31 wraps to 0");
    BOOST_TEST(g.hcr(0) == gich::HCR_En::mask, "HCR otherwise unchanged");
}

// =====================================================================================
// HW=1 list registers (IHI 0048B 5.3.8 GICH_LRn.HW, GICV_EOIR, GICV_DIR; reference 1.3): the
// guest's deactivation also deactivates PhysicalID in the distributor, and never causes
// an EOI maintenance interrupt. Section 3 item 9: the physical SPI may have been
// acknowledged on another CPU (migrated vCPU).
// =====================================================================================
namespace {
/// Makes SPI `spi` (edge, priority 0xA0) pending to `target_cpu` and acknowledges it there
/// through GICC with EOImode=1 and a priority drop, as a hypervisor forwarding it does.
void take_physical_spi(VirtFixture& f, std::uint32_t spi, unsigned target_cpu) {
    f.enable_all(target_cpu);
    f.cwr(target_cpu, gicc::CTLR, gicc::CTLR_EnableGrp0::mask | gicc::CTLR_EnableGrp1::mask |
                                      gicc::CTLR_AckCtl::mask | gicc::CTLR_EOImode::mask);
    f.enable_irq(0, spi, 0xA0);
    f.set_edge(0, spi);
    f.target(spi, static_cast<std::uint8_t>(1u << target_cpu));
    f.gic.set_spi_level(spi, true);
    f.gic.set_spi_level(spi, false);
    BOOST_TEST_REQUIRE(f.irq(target_cpu), "physical SPI " << spi << " signalled to CPU " << target_cpu);
    BOOST_TEST_REQUIRE(f.crd(target_cpu, gicc::IAR) == spi, "hypervisor acknowledged SPI " << spi);
    f.cwr(target_cpu, gicc::EOIR, spi);  // priority drop only
}
bool spi_active(VirtFixture& f, unsigned cpu, std::uint32_t spi) {
    return ((f.rd(cpu, gicd::ISACTIVER + (spi / 32) * 4) >> (spi % 32)) & 1u) != 0;
}
} // namespace

BOOST_AUTO_TEST_CASE(hw_lr_deactivates_the_physical_spi) {
    VirtFixture f(make_virt_config(2));
    take_physical_spi(f, 40, 0);
    BOOST_TEST(spi_active(f, 0, 40), "SPI 40 active after the physical acknowledge");
    f.set_lr(0, 0, hw_lr(40, 40, 0xA0, kPending));
    f.guest_enable(0);
    f.hyp_enable(0);
    BOOST_TEST(f.virq(0), "vIRQ for the HW LR");
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "guest acknowledges vINTID 40");
    BOOST_TEST(spi_active(f, 0, 40), "the guest's acknowledge does not touch the physical state");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(lr_state(f.lr(0, 0)) == kInvalid, "LR0 deactivated");
    BOOST_TEST(!spi_active(f, 0, 40), "GICD_ISACTIVER: physical SPI 40 deactivated");
    BOOST_TEST(!spi_active(f, 1, 40), "inactive as seen from CPU 1 too");
    BOOST_TEST(f.elrsr0(0) == 0xFu, "HW LR empty after deactivation");
    BOOST_TEST(f.eisr0(0) == 0u, "no EOI maintenance for HW LRs");
    BOOST_TEST(!f.maint(0), "no maintenance");
    // The physical interrupt can be taken again.
    f.gic.set_spi_level(40, true);
    BOOST_TEST(f.irq(0), "SPI 40 can fire again once deactivated");
}

BOOST_AUTO_TEST_CASE(hw_lr_with_a_different_vintid) {
    // VirtualID and PhysicalID are independent: the guest sees vINTID 27, SPI 45 is
    // deactivated.
    VirtFixture f(make_virt_config(1));
    take_physical_spi(f, 45, 0);
    f.set_lr(0, 3, hw_lr(27, 45, 0x60, kPending));
    f.guest_enable(0);
    f.hyp_enable(0);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 27u, "guest sees vINTID 27");
    f.vwr(0, gicc::EOIR, 27);
    BOOST_TEST(!spi_active(f, 0, 45), "physical SPI 45 deactivated");
}

BOOST_AUTO_TEST_CASE(hw_lr_deactivates_an_spi_acked_on_another_cpu) {
    // Section 3 item 9: the SPI was acknowledged on CPU 1, the vCPU now runs on CPU 0; the
    // SPI's single (unbanked) active state must be cleared.
    VirtFixture f(make_virt_config(2));
    take_physical_spi(f, 40, 1);
    BOOST_TEST(spi_active(f, 0, 40), "SPI active state is global: seen from CPU 0");
    BOOST_TEST(spi_active(f, 1, 40), "and from CPU 1");
    f.set_lr(0, 0, hw_lr(40, 40, 0xA0, kPending));
    f.guest_enable(0);
    f.hyp_enable(0);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "guest on CPU 0 acknowledges");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(!spi_active(f, 0, 40), "SPI 40 inactive (seen from CPU 0)");
    BOOST_TEST(!spi_active(f, 1, 40), "SPI 40 inactive (seen from CPU 1, where it was acknowledged)");
    f.gic.set_spi_level(40, true);
    BOOST_TEST(f.irq(1), "SPI 40 fires again on CPU 1");
}

BOOST_AUTO_TEST_CASE(hw_lr_eoimode1_dir_deactivates_the_physical_spi) {
    VirtFixture f(make_virt_config(1));
    take_physical_spi(f, 40, 0);
    f.set_lr(0, 0, hw_lr(40, 40, 0xA0, kPending));
    f.guest_enable(0, kGrp0 | kEOImode);
    f.hyp_enable(0);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 40u, "acknowledged");
    f.vwr(0, gicc::EOIR, 40);
    BOOST_TEST(spi_active(f, 0, 40), "EOImode=1: EOIR does not deactivate the physical SPI");
    BOOST_TEST(lr_state(f.lr(0, 0)) == kActive, "nor the LR");
    f.vwr(0, gicc::DIR, 40);
    BOOST_TEST(lr_state(f.lr(0, 0)) == kInvalid, "DIR deactivates the LR");
    BOOST_TEST(!spi_active(f, 0, 40), "and the physical SPI");
}

BOOST_AUTO_TEST_CASE(hw_lr_never_gives_eoi_maintenance) {
    // PhysicalID 600 = 0x258 has bit 9 set, which is LR bit 19 (the EOI bit when HW=0):
    // with HW=1 it must not request EOI maintenance.
    VirtFixture f(make_virt_config(1, 4, 5, 5, 960));
    take_physical_spi(f, 600, 0);
    f.set_lr(0, 1, hw_lr(44, 600, 0x80, kPending));
    BOOST_TEST((f.lr(0, 1) & (1u << 19)) != 0u, "LR bit 19 set by PhysicalID[9]");
    f.guest_enable(0);
    f.hyp_enable(0);
    BOOST_TEST(f.vrd(0, gicc::IAR) == 44u, "acknowledged");
    f.vwr(0, gicc::EOIR, 44);
    BOOST_TEST(!spi_active(f, 0, 600), "physical SPI 600 deactivated");
    BOOST_TEST(f.eisr0(0) == 0u, "no EISR bit for a HW LR");
    BOOST_TEST(f.misr(0) == 0u, "no MISR.EOI");
    BOOST_TEST(f.elrsr0(0) == 0xFu, "the HW LR is empty at once");
    BOOST_TEST(!f.maint(0), "no maintenance");
}

// =====================================================================================
// save()/restore() of VcpuInterfaceState (the hypervisor's world switch: HCR, VMCR, APR,
// LRs). Restoring into a fresh GIC of the same configuration must reproduce every GICH
// and GICV register; a state with another LR count is refused.
// =====================================================================================
BOOST_AUTO_TEST_CASE(save_restore_round_trip) {
    VirtFixture a(make_virt_config(2));
    a.vwr(0, gicc::CTLR, kGrp0 | kGrp1 | kAckCtl | kCBPR);
    a.vwr(0, gicc::PMR, 0xE0);
    a.vwr(0, gicc::BPR, 3);
    a.vwr(0, gicc::ABPR, 5);
    a.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    a.set_lr(0, 1, sw_lr(41, 0x60, kPending, true));
    a.set_lr(0, 2, hw_lr(42, 50, 0x90, kActive));
    a.set_lr(0, 3, sw_lr(43, 0x70, kInvalid, false, /*eoi=*/true));
    a.hwr(0, gich::HCR, gich::HCR_En::mask | gich::HCR_UIE::mask | gich::HCR_NPIE::mask | gich::HCR_EOICount::make(5));
    BOOST_TEST(a.vrd(0, gicc::IAR) == 41u, "guest acknowledged 0x60 before the switch");
    const VcpuInterfaceState s = a.gic.virtual_interface(0).save();
    BOOST_TEST(s.lrs.size() == 4u, "one saved value per LR");

    VirtFixture b(make_virt_config(2));
    b.gic.restore_virtual_interface(0, s);
    BOOST_TEST((b.gic.virtual_interface(0).save() == s), "saving the restored state gives the same state");

    const std::uint32_t gich_regs[] = {gich::HCR,   gich::VTR, gich::VMCR,       gich::MISR,       gich::EISR0,
                                       kEISR1,      gich::ELRSR0, kELRSR1,       gich::APR,        gich::LR0,
                                       gich::LR0 + 4, gich::LR0 + 8, gich::LR0 + 12};
    for (std::uint32_t off : gich_regs)
        BOOST_TEST(b.hrd(0, off) == a.hrd(0, off), "GICH register 0x" << std::hex << off << " restored");
    const std::uint32_t gicv_regs[] = {gicc::CTLR, gicc::PMR,    gicc::BPR,  gicc::ABPR, gicc::RPR,
                                       gicc::HPPIR, gicc::AHPPIR, gicc::APR0, gicc::IIDR};
    for (std::uint32_t off : gicv_regs)
        BOOST_TEST(b.vrd(0, off) == a.vrd(0, off), "GICV register 0x" << std::hex << off << " restored");
    BOOST_TEST(b.virq(0) == a.virq(0), "vIRQ level restored");
    BOOST_TEST(b.vfiq(0) == a.vfiq(0), "vFIQ level restored");
    BOOST_TEST(b.maint(0) == a.maint(0), "maintenance level restored");
    BOOST_TEST(b.maint(0), "the restored state has a maintenance condition (EISR, U)");
    BOOST_TEST(b.hrd(1, gich::HCR) == 0u, "CPU 1 of the new GIC untouched");

    // Both behave the same from here on.
    a.vwr(0, gicc::EOIR, 41);
    b.vwr(0, gicc::EOIR, 41);
    for (unsigned n = 0; n < 4; ++n) BOOST_TEST(b.lr(0, n) == a.lr(0, n), "LR" << n << " after the same EOIR");
    BOOST_TEST(b.vrd(0, gicc::IAR) == a.vrd(0, gicc::IAR), "same next acknowledge");
}

BOOST_AUTO_TEST_CASE(world_switch_through_gich_registers) {
    // The same switch done the architectural way (KVM/Xen): read HCR, VMCR, APR and the LRs
    // through GICH, write them into another CPU interface; the guest's view and the output
    // lines must follow at once.
    VirtFixture a(make_virt_config(2));
    a.vwr(0, gicc::CTLR, kGrp0 | kGrp1 | kAckCtl);
    a.vwr(0, gicc::PMR, 0xC0);
    a.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    a.set_lr(0, 1, sw_lr(41, 0x50, kPending, false, /*eoi=*/true));
    a.hyp_enable(0, gich::HCR_NPIE::mask);
    BOOST_TEST(a.vrd(0, gicc::IAR) == 41u, "guest took 0x50 before the switch");
    const std::uint32_t hcr = a.hcr(0), vmcr = a.hrd(0, gich::VMCR), apr = a.hrd(0, gich::APR);
    std::uint32_t lrs[4];
    for (unsigned n = 0; n < 4; ++n) lrs[n] = a.lr(0, n);

    VirtFixture b(make_virt_config(2));
    b.hwr(1, gich::VMCR, vmcr);  // restored onto the other physical CPU
    b.hwr(1, gich::APR, apr);
    for (unsigned n = 0; n < 4; ++n) b.set_lr(1, n, lrs[n]);
    b.hwr(1, gich::HCR, hcr);
    const std::uint32_t gicv_regs[] = {gicc::CTLR, gicc::PMR, gicc::BPR, gicc::ABPR, gicc::RPR, gicc::APR0};
    for (std::uint32_t off : gicv_regs)
        BOOST_TEST(b.vrd(1, off) == a.vrd(0, off), "GICV register 0x" << std::hex << off << " after the switch");
    BOOST_TEST(b.misr(1) == a.misr(0), "MISR after the switch");
    BOOST_TEST(b.elrsr0(1) == a.elrsr0(0), "ELRSR0 after the switch");
    BOOST_TEST(b.virq(1) == a.virq(0), "vIRQ level after the switch");
    BOOST_TEST(b.maint(1) == a.maint(0), "maintenance level after the switch");
    b.vwr(1, gicc::EOIR, 41);
    BOOST_TEST(b.eisr0(1) == 0x2u, "the restored EOI=1 LR requests EOI maintenance on the new CPU");
    BOOST_TEST(b.vrd(1, gicc::IAR) == 40u, "the restored pending LR is taken next");
}

BOOST_AUTO_TEST_CASE(restore_with_a_different_lr_count_throws) {
    VirtFixture a(make_virt_config(1));
    a.set_lr(0, 0, sw_lr(40, 0x80, kPending));
    a.hwr(0, gich::HCR, gich::HCR_En::mask);
    const VcpuInterfaceState s = a.gic.virtual_interface(0).save();

    VirtFixture b(make_virt_config(1, 8));
    b.hwr(0, gich::HCR, gich::HCR_UIE::mask);
    const VcpuInterfaceState before = b.gic.virtual_interface(0).save();
    BOOST_CHECK_THROW(b.gic.restore_virtual_interface(0, s), std::invalid_argument);
    BOOST_TEST((b.gic.virtual_interface(0).save() == before), "a refused restore changes nothing");
    VcpuInterfaceState shorter = before;
    shorter.lrs.resize(7);
    BOOST_CHECK_THROW(b.gic.restore_virtual_interface(0, shorter), std::invalid_argument);
    BOOST_TEST(b.hcr(0) == gich::HCR_UIE::mask, "HCR unchanged after the refused restores");
}

// =====================================================================================
// VirtConfig validation (config.hpp): ConfigError "<owner>.<field> = <value>: allowed
// <range>"; the maintenance PPI is driven by the GIC only.
// =====================================================================================
BOOST_AUTO_TEST_CASE(virt_config_validation) {
    VirtConfig ok;
    BOOST_TEST(virt_config_error(ok).empty(), "the GIC-400 defaults are valid");
    for (unsigned n : {1u, 64u}) {
        VirtConfig v;
        v.num_list_regs = n;
        BOOST_TEST(virt_config_error(v).empty(), "num_list_regs " << n << " is legal");
    }
    for (unsigned n : {0u, 65u}) {
        VirtConfig v;
        v.num_list_regs = n;
        BOOST_TEST(virt_config_error(v) == "VirtConfig.num_list_regs = " + std::to_string(n) + ": allowed 1..64 with version 2",
                   "num_list_regs " << n << " refused");
    }
    for (unsigned b : {3u, 6u, 8u}) {
        VirtConfig v;
        v.priority_bits = b;
        if (b > 5) v.preemption_bits = 5;
        const std::string e = virt_config_error(v);
        BOOST_TEST(starts_with(e, "VirtConfig.priority_bits = " + std::to_string(b) + ": allowed 4..5"),
                   "priority_bits " << b << " refused: " << e);
    }
    for (unsigned b : {3u, 6u}) {
        VirtConfig v;
        v.preemption_bits = b;
        const std::string e = virt_config_error(v);
        BOOST_TEST(starts_with(e, "VirtConfig.preemption_bits = " + std::to_string(b) + ": allowed 4.."),
                   "preemption_bits " << b << " refused: " << e);
    }
    {
        VirtConfig v;
        v.priority_bits = 4;
        v.preemption_bits = 5;  // more preemption than priority bits
        const std::string e = virt_config_error(v);
        BOOST_TEST(starts_with(e, "VirtConfig.preemption_bits = 5: allowed 4.."), "preemption > priority refused: " << e);
        v.preemption_bits = 4;
        BOOST_TEST(virt_config_error(v).empty(), "4/4 is legal");
    }
    for (unsigned id : {0u, 15u, 32u, 1020u}) {
        VirtConfig v;
        v.maintenance_intid = id;
        const std::string e = virt_config_error(v);
        BOOST_TEST(starts_with(e, "VirtConfig.maintenance_intid = " + std::to_string(id) + ": allowed 16..31"),
                   "maintenance_intid " << id << " refused: " << e);
    }
    for (unsigned id : {16u, 25u, 31u}) {
        VirtConfig v;
        v.maintenance_intid = id;
        BOOST_TEST(virt_config_error(v).empty(), "maintenance_intid " << id << " is a PPI");
    }
}

BOOST_AUTO_TEST_CASE(maintenance_ppi_cannot_be_driven_from_outside) {
    VirtFixture f(make_virt_config(2));
    BOOST_CHECK_THROW(f.gic.set_ppi_level(0, 25, true), std::out_of_range);
    BOOST_CHECK_THROW(f.gic.set_ppi_level(1, 25, false), std::out_of_range);
    BOOST_TEST(!f.maint_ppi_pending(0), "the refused call changed nothing");
    f.gic.set_ppi_level(0, 27, true);
    BOOST_TEST(f.rd(0, gicd::ISPENDR) == (1u << 27), "other PPIs remain inputs");
}

BOOST_AUTO_TEST_CASE(hyp_frames_need_the_virtualization_extensions) {
    GicConfig c = make_config(1);
    c.virt.enabled = false;
    Gic gic(c);
    BOOST_CHECK_THROW(gic.read_hyp_control(0, gich::HCR, 4), std::logic_error);
    BOOST_CHECK_THROW(gic.write_hyp_control(0, gich::HCR, 4, 1), std::logic_error);
    BOOST_CHECK_THROW(gic.read_hyp_control_alias(0, gich::HCR, 4), std::logic_error);
    BOOST_CHECK_THROW(gic.read_virtual_cpu_interface(0, gicc::IAR, 4), std::logic_error);
    BOOST_CHECK_THROW(gic.virtual_interface(0), std::logic_error);
    BOOST_TEST(!gic.has_virtualization(), "has_virtualization() reports the config");
}

BOOST_AUTO_TEST_SUITE_END()
