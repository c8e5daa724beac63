// SPDX-License-Identifier: Apache-2.0
// Review findings on the GICv3 model layer (single Security state, DS = 1, ARE = 1, no
// LPIs). Each case asserts the architecturally correct value, citing the Arm IHI 0069 rule
// (register descriptions of chapter 12, the same text as the Arm ARM system-register pages);
// each failed before its fix.
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>

using namespace vgic;
namespace sr = vgic::gicv3::sysreg;

namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }

GicConfig v3_config() {
    GicConfig c;
    c.version = GicVersion::V3;
    c.num_cpus = 1;
    c.num_spis = 64;
    c.virt.enabled = true;
    c.virt.num_list_regs = 4;
    c.virt.priority_bits = 5;
    c.virt.preemption_bits = 5;
    return c;
}

/// A one-CPU GICv3 Gic with the guest's EL1 accesses routed to ICV_ (HCR_EL2.IMO = FMO = 1),
/// the virtual interface enabled and ICV_PMR/IGRPEN open.
struct Guest {
    Guest() : gic(v3_config()) {
        gic.set_virtual_routing(0, true, true);
        ws(sr::ICH_HCR_EL2, gicv3::ich::HCR_En::mask);
        ws(sr::ICC_PMR_EL1, 0xFF);   // ICV_PMR_EL1
        ws(sr::ICC_IGRPEN1_EL1, 1);  // ICV_IGRPEN1_EL1
    }
    std::uint64_t rs(std::uint32_t enc) {
        const AccessResult r = gic.read_sysreg(0, enc);
        BOOST_TEST_REQUIRE(r.ok(), "MRS 0x" << std::hex << enc << " reported a bad access");
        return r.value;
    }
    void ws(std::uint32_t enc, std::uint64_t v) {
        const AccessResult r = gic.write_sysreg(0, enc, v);
        BOOST_TEST_REQUIRE(r.ok(), "MSR 0x" << std::hex << enc << " reported a bad access");
    }
    unsigned eoicount() { return static_cast<unsigned>(rs(sr::ICH_HCR_EL2) >> 27); }  // [31:27]
    /// A Group 1 LR0 pending with `vintid`, acknowledged by the guest (ICV_IAR1_EL1: an
    /// ICH_AP1R0_EL2 bit is set), then evicted by the hypervisor: an active priority with no
    /// list register behind it.
    void active_without_lr(std::uint32_t vintid) {
        // ICH_LR<n>_EL2: vINTID [31:0], Priority [55:48], Group [60], State [63:62] = 01.
        ws(sr::ich_lr(0), std::uint64_t{vintid} | (std::uint64_t{0xA0} << 48) | bit(60) | bit(62));
        BOOST_TEST_REQUIRE(rs(sr::ICC_IAR1_EL1) == vintid);
        BOOST_TEST_REQUIRE(rs(sr::ich_ap1r(0)) != 0u);
        ws(sr::ich_lr(0), 0);
    }

    Gic gic;
};

} // namespace

BOOST_AUTO_TEST_SUITE(gicv3_review)

// IHI 0069 ICH_HCR_EL2.EOIcount: "incremented whenever a successful write to a virtual EOIR
// or DIR register would have resulted in a virtual interrupt deactivation", i.e. a write
// "with a valid interrupt identifier that is not in the LPI range (that is < 8192)" and no
// list register found (section 3 item 7: never for LPIs). An INTID of the LPI range, or a
// reserved one (1024-8191: not a valid INTID without the extended ranges), drops the
// priority but must leave EOIcount alone.
BOOST_AUTO_TEST_CASE(eoicount_ignores_lpi_range_and_reserved_intids) {
    Guest g;
    // Control: an unmatched SPI EOI counts.
    g.active_without_lr(40);
    g.ws(sr::ICC_EOIR1_EL1, 40);
    BOOST_TEST(g.eoicount() == 1u);

    // EOImode = 0, ICV_EOIR1_EL1 of an LPI-range INTID with no LR: priority drop only.
    g.active_without_lr(41);
    g.ws(sr::ICC_EOIR1_EL1, 8192);
    BOOST_TEST(g.rs(sr::ich_ap1r(0)) == 0u, "the priority is still dropped");
    BOOST_TEST(g.eoicount() == 1u, "EOIR of INTID 8192 (LPI range) must not count");

    // A reserved INTID likewise.
    g.active_without_lr(42);
    g.ws(sr::ICC_EOIR1_EL1, 2000);
    BOOST_TEST(g.eoicount() == 1u, "EOIR of reserved INTID 2000 must not count");

    // EOImode = 1: an unmatched ICV_DIR_EL1 of an LPI-range INTID does not count either.
    g.ws(sr::ICC_CTLR_EL1, 2);  // ICV_CTLR_EL1.EOImode
    g.ws(sr::ICC_DIR_EL1, 8200);
    BOOST_TEST(g.eoicount() == 1u, "DIR of INTID 8200 (LPI range) must not count");
    g.ws(sr::ICC_DIR_EL1, 43);
    BOOST_TEST(g.eoicount() == 2u, "control: an unmatched SPI DIR counts");
}

// IHI 0069 ICH_VTR_EL2.TDS = 0: "Implementation does not support ICH_HCR_EL2.TDIR"; the
// TDIR bit [14] of ICH_HCR_EL2 then is RES0 (it exists only with FEAT_GICv3_TDIR, which
// ICH_VTR_EL2.TDS reports). The model reports TDS = 0, so TDIR must not read back as 1.
BOOST_AUTO_TEST_CASE(ich_hcr_tdir_is_res0_without_tds) {
    Guest g;
    const auto vtr = g.rs(sr::ICH_VTR_EL2);
    BOOST_TEST_REQUIRE(((vtr >> 19) & 1u) == 0u, "ICH_VTR_EL2.TDS = 0");
    g.ws(sr::ICH_HCR_EL2, gicv3::ich::HCR_En::mask | bit(14));
    BOOST_TEST(((g.rs(sr::ICH_HCR_EL2) >> 14) & 1u) == 0u, "ICH_HCR_EL2.TDIR reads 0 (RES0 with TDS = 0)");
    BOOST_TEST((g.rs(sr::ICH_HCR_EL2) & 1u) == 1u, "En still written");
}

BOOST_AUTO_TEST_SUITE_END()
