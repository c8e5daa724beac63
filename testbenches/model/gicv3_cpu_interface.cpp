// SPDX-License-Identifier: Apache-2.0
// The GICv3 CPU interface: ICC_*_EL1 (physical), ICV_*_EL1 (virtual) and ICH_*_EL2 (the
// hypervisor control interface), single Security state (DS=1), no LPIs.
//
// Expected values come from Arm IHI 0069 (GICv3/v4 architecture specification), cited per
// test by register name (chapter 12 "GIC system register descriptions") or rule, and from
// /work/shared/reference/gic-architecture.md section 3 ("item N") and real-clients.md 1.2.
// The CPU-interface rules are exercised against a fake CandidateSource where the
// distributor is not the point; the routing, ICH_ and end-to-end cases go through vgic::Gic.
#include "vgic/model/cpu_interface.hpp"
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/model/list_register.hpp"
#include "vgic/model/snapshot.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace vgic;
namespace sr = vgic::gicv3::sysreg;

namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }
constexpr std::uint32_t kSpurious = 1023;

// ---- a fake distributor: a handful of interrupts with priority, group and state ----------

class FakeSource final : public CandidateSource {
public:
    struct Irq {
        std::uint32_t intid;
        std::uint8_t priority;
        std::uint8_t group;
        bool pending;
        bool active;
    };
    void add(std::uint32_t intid, std::uint8_t priority, unsigned group) {
        irqs.push_back({intid, priority, static_cast<std::uint8_t>(group), true, false});
    }
    Irq* find(std::uint32_t intid) {
        for (Irq& i : irqs)
            if (i.intid == intid) return &i;
        return nullptr;
    }
    const Irq* find(std::uint32_t intid) const { return const_cast<FakeSource*>(this)->find(intid); }

    Candidate highest_pending(unsigned group_mask) const override {
        Candidate best;
        for (const Irq& i : irqs) {
            if (!i.pending || i.active || !((group_mask >> i.group) & 1u)) continue;
            if (best.valid() && (i.priority > best.priority || (i.priority == best.priority && i.intid > best.intid)))
                continue;
            best.intid = i.intid;
            best.priority = i.priority;
            best.group = i.group;
        }
        return best;
    }
    bool acknowledge(const Candidate& c) override {
        Irq* i = find(c.intid);
        i->pending = false;
        i->active = true;
        return true;
    }
    bool deactivate(std::uint32_t intid, unsigned) override {
        Irq* i = find(intid);
        if (i == nullptr || !i->active) return false;
        i->active = false;
        return true;
    }
    bool is_active(std::uint32_t intid) const override {
        const Irq* i = find(intid);
        return i != nullptr && i->active;
    }
    unsigned group_of(std::uint32_t intid) const override {
        const Irq* i = find(intid);
        return i != nullptr ? i->group : 0u;
    }

    std::vector<Irq> irqs;
};

/// One physical ICC_ interface over a FakeSource.
struct Icc {
    explicit Icc(unsigned priority_bits = 5, BadAccessPolicy policy = BadAccessPolicy::RazWi)
        : diag(policy), cif(0, src, diag, CpuInterfaceParams::physical_v3(priority_bits)) {}

    std::uint64_t rd(std::uint32_t enc, AccessMode mode = AccessMode::Normal) {
        const AccessResult r = cif.read_sysreg(enc, mode);
        BOOST_TEST_REQUIRE(r.ok(), "sysreg read 0x" << std::hex << enc << " reported a bad access");
        return r.value;
    }
    void wr(std::uint32_t enc, std::uint64_t v, AccessMode mode = AccessMode::Normal) {
        const AccessResult r = cif.write_sysreg(enc, v, mode);
        BOOST_TEST_REQUIRE(r.ok(), "sysreg write 0x" << std::hex << enc << " reported a bad access");
    }
    /// PMR fully open, both groups enabled (ICC_IGRPEN0/1_EL1.Enable).
    void enable() {
        wr(sr::ICC_PMR_EL1, 0xFF);
        wr(sr::ICC_IGRPEN0_EL1, 1);
        wr(sr::ICC_IGRPEN1_EL1, 1);
    }

    Diagnostics diag;
    FakeSource src;
    CpuInterface cif;
};

GicConfig v3_config(unsigned cpus = 1, unsigned prio_bits = 5, unsigned lrs = 4, unsigned vprio = 5,
                    unsigned vpre = 5) {
    GicConfig c;
    c.version = GicVersion::V3;
    c.num_cpus = cpus;
    c.num_spis = 64;
    c.priority_bits = prio_bits;
    c.virt.enabled = true;
    c.virt.num_list_regs = lrs;
    c.virt.priority_bits = vprio;
    c.virt.preemption_bits = vpre;
    return c;
}

class Recorder final : public LineObserver {
public:
    void line_changed(unsigned cpu, Line line, bool level) override { events.push_back({cpu, line, level}); }
    struct Event {
        unsigned cpu;
        Line line;
        bool level;
    };
    std::vector<Event> events;
};

/// A GICv3 Gic plus terse system-register and GICD/GICR accessors (each requires an
/// architecturally OK access).
struct V3 {
    explicit V3(const GicConfig& c = v3_config()) : gic(c) { gic.set_observer(&rec); }

    std::uint64_t rs(unsigned cpu, std::uint32_t enc) {
        const AccessResult r = gic.read_sysreg(cpu, enc);
        BOOST_TEST_REQUIRE(r.ok(), "MRS 0x" << std::hex << enc << " reported a bad access");
        return r.value;
    }
    void ws(unsigned cpu, std::uint32_t enc, std::uint64_t v) {
        const AccessResult r = gic.write_sysreg(cpu, enc, v);
        BOOST_TEST_REQUIRE(r.ok(), "MSR 0x" << std::hex << enc << " reported a bad access");
    }
    void gicd(std::uint32_t off, std::uint64_t v, unsigned size = 4) {
        BOOST_TEST_REQUIRE(gic.write_distributor(0, off, size, v).ok(), "GICD write 0x" << std::hex << off);
    }
    void gicr(unsigned cpu, std::uint32_t off, std::uint64_t v, unsigned size = 4) {
        const std::uint32_t at = cpu * gicv3::gicr::kStride + off;
        BOOST_TEST_REQUIRE(gic.write_redistributor(cpu, at, size, v).ok(), "GICR write 0x" << std::hex << at);
    }
    /// IHI 0069 GICR_WAKER: a redistributor resets asleep (ProcessorSleep = 1) and forwards
    /// nothing until software clears ProcessorSleep.
    void wake(unsigned cpu) { gicr(cpu, gicv3::gicr::WAKER, 0); }
    /// GICD_CTLR (DS=1): EnableGrp0 | EnableGrp1 | ARE.
    void enable_distributor() { gicd(gicv3::gicd::CTLR, 0x13); }
    /// SPI `id`: Group 1, priority, routed to CPU 0 (GICD_IROUTER = 0), enabled.
    void config_spi(std::uint32_t id, std::uint8_t prio, unsigned group = 1) {
        namespace d = gicv3::gicd;
        gicd(d::IGROUPR + 4 * (id / 32), group ? bit(id % 32) : 0);
        gicd(d::IPRIORITYR + id, prio, 1);
        gicd(d::IROUTER + 8 * id, 0, 8);
        gicd(d::ISENABLER + 4 * (id / 32), bit(id % 32));
    }
    /// Physical ICC_ of `cpu` open: PMR 0xFF, both groups enabled.
    void enable_icc(unsigned cpu) {
        ws(cpu, sr::ICC_PMR_EL1, 0xFF);
        ws(cpu, sr::ICC_IGRPEN0_EL1, 1);
        ws(cpu, sr::ICC_IGRPEN1_EL1, 1);
    }
    /// The hypervisor routes everything to ICV_ (HCR_EL2.IMO = FMO = 1), enables the virtual
    /// interface (ICH_HCR_EL2.En | extra) and the guest opens ICV_PMR and both groups.
    void guest_setup(unsigned cpu, std::uint32_t hcr_extra = 0) {
        gic.set_virtual_routing(cpu, true, true);
        ws(cpu, sr::ICH_HCR_EL2, gicv3::ich::HCR_En::mask | hcr_extra);
        ws(cpu, sr::ICC_PMR_EL1, 0xFF);       // ICV_PMR_EL1
        ws(cpu, sr::ICC_IGRPEN0_EL1, 1);      // ICV_IGRPEN0_EL1
        ws(cpu, sr::ICC_IGRPEN1_EL1, 1);      // ICV_IGRPEN1_EL1
    }
    std::uint32_t hcr(unsigned cpu) { return static_cast<std::uint32_t>(rs(cpu, sr::ICH_HCR_EL2)); }
    unsigned eoicount(unsigned cpu) { return hcr(cpu) >> 27; }  // ICH_HCR_EL2.EOIcount [31:27]
    std::uint32_t misr(unsigned cpu) { return static_cast<std::uint32_t>(rs(cpu, sr::ICH_MISR_EL2)); }

    Gic gic;
    Recorder rec;
};

/// ICH_LR<n>_EL2 from its fields at the positions IHI 0069 gives: vINTID [31:0], pINTID
/// [44:32] (HW=1), EOI [41] (HW=0), Priority [55:48], Group [60], HW [61], State [63:62].
std::uint64_t lr3(std::uint32_t vintid, std::uint8_t prio, unsigned state, bool group1 = true, bool eoi = false) {
    return std::uint64_t{vintid} | (eoi ? bit(41) : 0) | (std::uint64_t{prio} << 48) | (group1 ? bit(60) : 0) |
           (std::uint64_t{state} << 62);
}
std::uint64_t hw_lr3(std::uint32_t vintid, std::uint32_t pintid, std::uint8_t prio, unsigned state,
                     bool group1 = true) {
    return std::uint64_t{vintid} | (std::uint64_t{pintid} << 32) | (std::uint64_t{prio} << 48) |
           (group1 ? bit(60) : 0) | bit(61) | (std::uint64_t{state} << 62);
}
constexpr unsigned kPending = 1, kActive = 2;
unsigned lr_state(std::uint64_t lr) { return static_cast<unsigned>(lr >> 62); }

} // namespace

BOOST_AUTO_TEST_SUITE(gicv3_cpu_interface)

// IHI 0069 ICC_SRE_EL1 / ICC_SRE_EL2: with no legacy (memory-mapped) interface SRE is RAO/WI,
// with no IRQ/FIQ bypass DFB and DIB are RAO/WI; ICC_SRE_EL2.Enable RAO/WI.
BOOST_AUTO_TEST_CASE(icc_sre_rao_wi) {
    V3 f;
    BOOST_TEST(f.rs(0, sr::ICC_SRE_EL1) == 0x7u, "ICC_SRE_EL1 = SRE | DFB | DIB");
    f.ws(0, sr::ICC_SRE_EL1, 0);
    BOOST_TEST(f.rs(0, sr::ICC_SRE_EL1) == 0x7u, "writes ignored (RAO/WI, not a bad access)");
    BOOST_TEST(f.rs(0, sr::ICC_SRE_EL2) == 0xFu, "ICC_SRE_EL2 = SRE | DFB | DIB | Enable");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u);
}

// IHI 0069 ICC_CTLR_EL1 (single Security state): CBPR [0], EOImode [1] RW; PMHE [6] RAZ/WI;
// PRIbits [10:8] = priority bits - 1; IDbits [13:11] = 0 (16 bits); SEIS [14] 0; A3V [15] 0;
// RSS [18] 1; ExtRange [19] 0. Reset: CBPR = EOImode = 0.
BOOST_AUTO_TEST_CASE(icc_ctlr_reset_and_read_only_fields) {
    struct Case { unsigned bits; std::uint64_t reset; };
    for (const Case c : {Case{5, (4u << 8) | bit(18)}, Case{8, (7u << 8) | bit(18)}, Case{4, (3u << 8) | bit(18)}}) {
        V3 f(v3_config(1, c.bits));
        BOOST_TEST(f.rs(0, sr::ICC_CTLR_EL1) == c.reset, "ICC_CTLR_EL1 reset, " << c.bits << " priority bits");
        f.ws(0, sr::ICC_CTLR_EL1, ~std::uint64_t{0});
        BOOST_TEST(f.rs(0, sr::ICC_CTLR_EL1) == (c.reset | 0x3u),
                   "all-ones write sets only CBPR and EOImode; PMHE, PRIbits, IDbits, SEIS, A3V, RSS, ExtRange unchanged");
        f.ws(0, sr::ICC_CTLR_EL1, 0);
        BOOST_TEST(f.rs(0, sr::ICC_CTLR_EL1) == c.reset);
    }
}

// IHI 0069 ICC_PMR_EL1: unimplemented low-order priority bits are RAZ/WI.
BOOST_AUTO_TEST_CASE(pmr_masked_by_priority_bits) {
    for (unsigned bits = 4; bits <= 8; ++bits) {
        V3 f(v3_config(1, bits));
        f.ws(0, sr::ICC_PMR_EL1, 0x1FF);
        const std::uint64_t expect = (0xFFu << (8 - bits)) & 0xFFu;
        BOOST_TEST(f.rs(0, sr::ICC_PMR_EL1) == expect, bits << " priority bits: PMR keeps [7:" << 8 - bits << "]");
    }
}

// real-clients.md 1.2 steps 14-18 (Linux gic_cpu_sys_reg_init) on the physical interface and,
// with HCR_EL2.IMO/FMO set, on the virtual one (a Linux guest under KVM).
BOOST_AUTO_TEST_CASE(linux_per_cpu_init_sequence) {
    for (const bool guest : {false, true}) {
        for (const unsigned bits : {5u, 8u}) {
            // The physical interface has `bits` priority bits; a guest sees the virtual ones.
            V3 f(v3_config(1, bits, 4, bits, std::min(bits, 7u)));
            if (guest) f.gic.set_virtual_routing(0, true, true);
            const char* who = guest ? "ICV" : "ICC";
            // 14: SRE already set: no write needed.
            BOOST_TEST((f.rs(0, sr::ICC_SRE_EL1) & 1u) == 1u, who << ": SRE reads 1");
            // 15: PRIbits, then the Group-0 probe: PMR = 1 << (8 - PRIbits) reads back non-zero
            // with DS=1 (IHI 0069 ICC_PMR_EL1: one Security state, all implemented bits writable).
            const unsigned pribits = static_cast<unsigned>((f.rs(0, sr::ICC_CTLR_EL1) >> 8) & 7u) + 1;
            BOOST_TEST(pribits == bits, who << ": ICC_CTLR_EL1.PRIbits + 1");
            const std::uint64_t saved = f.rs(0, sr::ICC_PMR_EL1);
            f.ws(0, sr::ICC_PMR_EL1, 1u << (8 - pribits));
            BOOST_TEST(f.rs(0, sr::ICC_PMR_EL1) == (1u << (8 - pribits)), who << ": Group 0 is accessible (PMR probe)");
            f.ws(0, sr::ICC_PMR_EL1, saved);
            // 16: PMR 0xF0, BPR1 0 (clamped to its minimum), EOImode = 1.
            f.ws(0, sr::ICC_PMR_EL1, 0xF0);
            BOOST_TEST(f.rs(0, sr::ICC_PMR_EL1) == 0xF0u);
            f.ws(0, sr::ICC_BPR1_EL1, 0);
            // IHI 0069 ICC_BPR1_EL1: minimum = BPR0 minimum + 1 = 8 - preemption bits.
            BOOST_TEST(f.rs(0, sr::ICC_BPR1_EL1) == 8u - std::min(bits, 7u), who << ": BPR1 0 -> its minimum");
            f.ws(0, sr::ICC_CTLR_EL1, 0x2);
            BOOST_TEST((f.rs(0, sr::ICC_CTLR_EL1) & 0x3u) == 0x2u, who << ": EOImode = 1 (split)");
            // 17: clear the active priorities Linux knows exist: n = 0 for 5 bits, 0..3 for 8.
            const unsigned words = bits >= 7 ? 4 : bits == 6 ? 2 : 1;
            for (unsigned n = 0; n < words; ++n) {
                f.ws(0, sr::icc_ap0r(n), 0);
                f.ws(0, sr::icc_ap1r(n), 0);
            }
            // 18: enable Group 1, read RSS.
            f.ws(0, sr::ICC_IGRPEN1_EL1, 1);
            BOOST_TEST(f.rs(0, sr::ICC_IGRPEN1_EL1) == 1u);
            BOOST_TEST(((f.rs(0, sr::ICC_CTLR_EL1) >> 18) & 1u) == 1u, who << ": RSS = 1");
            BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u, who << ": the sequence makes no bad access");
            BOOST_TEST(f.gic.diagnostics().guest_error_count() == 0u);
            // The values landed in the interface the routing selects.
            const CpuInterface& target = guest ? f.gic.virtual_interface(0).gicv() : f.gic.cpu_interface(0);
            BOOST_TEST(target.pmr() == 0xF0u, who << " holds PMR");
        }
    }
}

// IHI 0069 ICC_BPR0_EL1: minimum 7 - preemption bits, a smaller write sets the minimum.
// ICC_BPR1_EL1: minimum one more; with ICC_CTLR_EL1.CBPR = 1 reads return BPR0 + 1
// saturated at 7 and writes are ignored.
BOOST_AUTO_TEST_CASE(bpr_minimum_and_cbpr_aliasing) {
    for (const unsigned bits : {5u, 6u, 8u}) {
        Icc f(bits);
        const unsigned pre = std::min(bits, 7u);
        f.wr(sr::ICC_BPR0_EL1, 0);
        BOOST_TEST(f.rd(sr::ICC_BPR0_EL1) == 7u - pre, bits << " bits: BPR0 minimum");
        f.wr(sr::ICC_BPR1_EL1, 0);
        BOOST_TEST(f.rd(sr::ICC_BPR1_EL1) == 8u - pre, bits << " bits: BPR1 minimum");
        f.wr(sr::ICC_BPR1_EL1, 6);
        f.wr(sr::ICC_BPR0_EL1, 4);
        f.wr(sr::ICC_CTLR_EL1, 1);  // CBPR
        BOOST_TEST(f.rd(sr::ICC_BPR1_EL1) == 5u, "CBPR=1: BPR1 reads BPR0 + 1");
        f.wr(sr::ICC_BPR1_EL1, 7);
        BOOST_TEST(f.rd(sr::ICC_BPR1_EL1) == 5u, "CBPR=1: BPR1 writes ignored");
        f.wr(sr::ICC_BPR0_EL1, 7);
        BOOST_TEST(f.rd(sr::ICC_BPR1_EL1) == 7u, "BPR0 + 1 saturates at 7");
        f.wr(sr::ICC_CTLR_EL1, 0);
        BOOST_TEST(f.rd(sr::ICC_BPR1_EL1) == 6u, "CBPR=0: BPR1's own value again (the ignored write did not land)");
        BOOST_TEST(f.diag.bad_access_count() == 0u);
    }
}

// IHI 0069 ICC_IAR0_EL1 / ICC_IAR1_EL1: each acknowledges only an interrupt of its own
// group; when the highest-priority pending interrupt is of the other group the read returns
// 1023. ICC_HPPIR0/1_EL1 likewise, without the PMR and running-priority checks. Group 0 is
// signalled as FIQ and Group 1 as IRQ (IHI 0069 4.6, one Security state).
BOOST_AUTO_TEST_CASE(iar_per_group_and_spurious_for_the_other) {
    Icc f;
    f.enable();
    f.src.add(40, 0x40, 0);
    f.src.add(41, 0x80, 1);
    BOOST_TEST(f.cif.lines().fiq, "best is Group 0: FIQ");
    BOOST_TEST(!f.cif.lines().irq);
    BOOST_TEST(f.rd(sr::ICC_HPPIR1_EL1) == kSpurious, "HPPIR1: best pending is Group 0");
    BOOST_TEST(f.rd(sr::ICC_HPPIR0_EL1) == 40u);
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == kSpurious, "IAR1 does not take the Group 0 interrupt");
    BOOST_TEST(!f.src.find(40)->active, "and leaves it pending");
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == 40u, "IAR0 takes it (INTID, no CPUID field)");
    BOOST_TEST(f.src.find(40)->active);
    BOOST_TEST(!f.cif.lines().irq, "running priority 0x40 masks the Group 1 0x80");
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == kSpurious, "nothing signalled: 1023");
    BOOST_TEST(f.rd(sr::ICC_HPPIR1_EL1) == 41u, "HPPIR1 ignores the running priority");
    f.wr(sr::ICC_EOIR0_EL1, 40);
    BOOST_TEST(!f.src.find(40)->active, "EOImode=0: EOIR0 deactivates");
    BOOST_TEST(f.cif.lines().irq, "Group 1: IRQ");
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == kSpurious, "IAR0 does not take the Group 1 interrupt");
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == 41u);

    Icc g;
    g.enable();
    g.src.add(50, 0x20, 1);
    g.src.add(51, 0x60, 0);
    BOOST_TEST(g.rd(sr::ICC_HPPIR0_EL1) == kSpurious, "HPPIR0: best pending is Group 1");
    BOOST_TEST(g.rd(sr::ICC_IAR0_EL1) == kSpurious, "IAR0 with a Group 1 best: 1023");
    g.wr(sr::ICC_PMR_EL1, 0x00);
    BOOST_TEST(g.rd(sr::ICC_HPPIR1_EL1) == 50u, "HPPIR1 ignores PMR");
    BOOST_TEST(g.rd(sr::ICC_IAR1_EL1) == kSpurious, "IAR1 honours PMR");
    BOOST_TEST(!g.cif.lines().irq);
    g.wr(sr::ICC_PMR_EL1, 0xFF);
    g.wr(sr::ICC_IGRPEN1_EL1, 0);
    BOOST_TEST(g.rd(sr::ICC_IAR0_EL1) == 51u, "Group 1 disabled: the Group 0 interrupt is the signalled one");
}

// IHI 0069 ICC_CTLR_EL1.EOImode = 1: EOIR1 only drops the priority, ICC_DIR_EL1 deactivates;
// DIR with EOImode = 0 is UNPREDICTABLE (reported, ignored).
BOOST_AUTO_TEST_CASE(eoimode1_split_with_dir) {
    Icc f;
    f.enable();
    f.wr(sr::ICC_CTLR_EL1, 2);
    f.src.add(41, 0x80, 1);
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == 41u);
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0x80u);
    f.wr(sr::ICC_EOIR1_EL1, 41);
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0xFFu, "priority dropped: idle");
    BOOST_TEST(f.rd(sr::ICC_AP1R0_EL1) == 0u);
    BOOST_TEST(f.src.find(41)->active, "still active until DIR");
    f.wr(sr::ICC_DIR_EL1, 41);
    BOOST_TEST(!f.src.find(41)->active, "DIR deactivates");
    BOOST_TEST(f.diag.guest_error_count() == 0u);

    f.wr(sr::ICC_CTLR_EL1, 0);
    f.src.add(42, 0x80, 1);
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == 42u);
    f.wr(sr::ICC_DIR_EL1, 42);
    BOOST_TEST(f.diag.guest_error_count() == 1u, "DIR with EOImode=0: guest error");
    BOOST_TEST(f.src.find(42)->active, "and ignored");
    BOOST_TEST(std::string(f.diag.last().frame) == "ICC");
    BOOST_TEST(std::string(f.diag.last().reg) == "DIR_EL1");
}

// IHI 0069 ICC_AP0R<n>_EL1 / ICC_AP1R<n>_EL1: bit k set = preemption level k active in that
// group; level = group priority >> (8 - preemption bits). 5 bits: Group 0 prio 0x40 with
// BPR0 = 2 (group field [7:3]) is level 8; Group 1 prio 0x80 with BPR1 = 3 ([7:3]) level 16.
BOOST_AUTO_TEST_CASE(ap_bits_set_by_acknowledge_cleared_by_eoi) {
    Icc f;
    f.enable();
    f.src.add(41, 0x80, 1);
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == 41u);
    BOOST_TEST(f.rd(sr::ICC_AP1R0_EL1) == bit(16));
    BOOST_TEST(f.rd(sr::ICC_AP0R0_EL1) == 0u);
    f.src.add(40, 0x40, 0);
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == 40u, "0x40 preempts 0x80");
    BOOST_TEST(f.rd(sr::ICC_AP0R0_EL1) == bit(8));
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0x40u, "running priority from the lowest set bit over both groups");
    f.wr(sr::ICC_EOIR0_EL1, 40);
    BOOST_TEST(f.rd(sr::ICC_AP0R0_EL1) == 0u);
    BOOST_TEST(f.rd(sr::ICC_AP1R0_EL1) == bit(16));
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0x80u);
    f.wr(sr::ICC_EOIR1_EL1, 41);
    BOOST_TEST(f.rd(sr::ICC_AP1R0_EL1) == 0u);
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0xFFu);

    // 8 priority bits, 7 preemption bits: prio 0xC2 in Group 1 with BPR1 = 1 ([7:1]) is
    // group priority 0xC2, level 0x61 = 97: AP1R3 bit 1.
    Icc g(8);
    g.enable();
    g.wr(sr::ICC_BPR1_EL1, 0);
    g.src.add(60, 0xC2, 1);
    BOOST_TEST(g.rd(sr::ICC_IAR1_EL1) == 60u);
    BOOST_TEST(g.rd(sr::icc_ap1r(3)) == bit(1));
    BOOST_TEST(g.rd(sr::ICC_RPR_EL1) == 0xC2u);
    g.wr(sr::ICC_EOIR1_EL1, 60);
    BOOST_TEST(g.rd(sr::icc_ap1r(3)) == 0u);
}

// IHI 0069 4.8 (preemption): a pending interrupt preempts only if its group priority is
// higher than the running priority; ICC_RPR_EL1 reports the group priority of the highest
// active interrupt. BPR0 = 4: group field [7:5].
BOOST_AUTO_TEST_CASE(nested_preemption_by_group_priority) {
    Icc f;
    f.enable();
    f.wr(sr::ICC_BPR0_EL1, 4);
    f.src.add(40, 0x80, 0);
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == 40u);
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0x80u);
    f.src.add(41, 0x98, 0);  // group priority 0x80: not higher
    BOOST_TEST(!f.cif.lines().fiq, "same group priority does not preempt");
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == kSpurious);
    f.src.add(42, 0x78, 0);  // group priority 0x60
    BOOST_TEST(f.cif.lines().fiq, "higher group priority preempts");
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == 42u);
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0x60u, "RPR is the group priority, not 0x78");
    BOOST_TEST(f.rd(sr::ICC_AP0R0_EL1) == (bit(0x60 >> 3) | bit(0x80 >> 3)));
    f.wr(sr::ICC_EOIR0_EL1, 42);
    BOOST_TEST(f.rd(sr::ICC_RPR_EL1) == 0x80u, "back to the outer level");
    f.wr(sr::ICC_EOIR0_EL1, 40);
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == 41u, "idle: the 0x98 one is taken");
}

// IHI 0069 ICC_AP0R<n>_EL1: n = 1 exists only with >= 6 preemption bits, n = 2, 3 with 7;
// accessing one that is not implemented is UNDEFINED: a bad access (frame ICC, the mnemonic,
// offset = encoding). Same for AP1R<n>.
BOOST_AUTO_TEST_CASE(ap_register_beyond_implemented_is_bad_access) {
    struct Case { unsigned bits; unsigned words; };
    for (const Case c : {Case{5, 1}, Case{6, 2}, Case{7, 4}, Case{8, 4}}) {
        Icc f(c.bits);
        for (unsigned n = 0; n < 4; ++n) {
            for (unsigned g = 0; g < 2; ++g) {
                const std::uint32_t enc = g ? sr::icc_ap1r(n) : sr::icc_ap0r(n);
                const std::uint64_t before = f.diag.bad_access_count();
                const AccessResult r = f.cif.read_sysreg(enc);
                const AccessResult w = f.cif.write_sysreg(enc, 1);
                if (n < c.words) {
                    BOOST_TEST(r.ok(), c.bits << " bits: AP" << g << "R" << n << " exists");
                    BOOST_TEST(w.ok());
                } else {
                    BOOST_TEST((r.status == AccessStatus::Ignored), c.bits << " bits: AP" << g << "R" << n << " UNDEFINED");
                    BOOST_TEST((w.status == AccessStatus::Ignored));
                    BOOST_TEST(f.diag.bad_access_count() == before + 2);
                    BOOST_TEST(std::string(f.diag.last().frame) == "ICC");
                    BOOST_TEST(std::string(f.diag.last().reg) ==
                               std::string(g ? "AP1R" : "AP0R") + std::to_string(n) + "_EL1");
                    BOOST_TEST(f.diag.last().offset == enc);
                }
            }
        }
    }
    Icc e(5, BadAccessPolicy::Error);
    BOOST_TEST((e.cif.read_sysreg(sr::icc_ap0r(1)).status == AccessStatus::Error), "policy Error: an error response");
}

// Access rights: IAR, HPPIR and RPR are read-only, EOIR and DIR write-only; an encoding with
// no register is a bad access; GICv2 has no system registers; Debug reads do not
// acknowledge and debug EOIR/DIR writes do nothing.
BOOST_AUTO_TEST_CASE(access_rights_unknown_encodings_and_debug) {
    Icc f;
    f.enable();
    for (const std::uint32_t enc : {sr::ICC_IAR0_EL1, sr::ICC_IAR1_EL1, sr::ICC_HPPIR0_EL1, sr::ICC_HPPIR1_EL1,
                                    sr::ICC_RPR_EL1}) {
        const AccessResult r = f.cif.write_sysreg(enc, 0);
        BOOST_TEST((r.status == AccessStatus::Ignored));
        BOOST_TEST((r.kind == BadAccessKind::WriteToReadOnly));
    }
    for (const std::uint32_t enc : {sr::ICC_EOIR0_EL1, sr::ICC_EOIR1_EL1, sr::ICC_DIR_EL1}) {
        const AccessResult r = f.cif.read_sysreg(enc);
        BOOST_TEST((r.kind == BadAccessKind::ReadOfWriteOnly));
    }
    BOOST_TEST((f.cif.read_sysreg(sr::encode(3, 0, 12, 13, 0)).kind == BadAccessKind::Reserved));
    BOOST_TEST(f.diag.bad_access_count() == 9u);

    f.src.add(41, 0x80, 1);
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1, AccessMode::Debug) == 41u, "debug IAR1 shows the INTID");
    BOOST_TEST(!f.src.find(41)->active, "and does not acknowledge");
    BOOST_TEST(f.rd(sr::ICC_IAR1_EL1) == 41u);
    f.wr(sr::ICC_EOIR1_EL1, 41, AccessMode::Debug);
    BOOST_TEST(f.rd(sr::ICC_AP1R0_EL1) == bit(16), "debug EOIR1 does nothing");
    BOOST_TEST(f.src.find(41)->active);

    GicConfig v2;
    Gic gic2(v2);
    const AccessResult r = gic2.read_sysreg(0, sr::ICC_PMR_EL1);
    BOOST_TEST((r.status == AccessStatus::Ignored), "GICv2: every system register is a bad access");
    BOOST_TEST(std::string(gic2.diagnostics().last().frame) == "SYSREG");
    BOOST_TEST(!gic2.write_sysreg(0, sr::ICH_HCR_EL2, 1).ok());
    V3 g;
    BOOST_TEST((g.gic.read_sysreg(0, sr::encode(3, 0, 4, 6, 1)).kind == BadAccessKind::Reserved),
               "an encoding that is no GIC register");
    BOOST_TEST(std::string(g.gic.diagnostics().last().frame) == "SYSREG");
    BOOST_TEST(!g.gic.read_cpu_interface(0, 0x4, 4).ok(), "GICv3: no GICC frame");
}

// IHI 0069 ICC_EOIR1_EL1: completes a Group 1 interrupt; an EOIR1 for a Group 0 interrupt
// (physical) is UNPREDICTABLE: reported and ignored, priority and state unchanged.
BOOST_AUTO_TEST_CASE(eoir1_of_group0_is_guest_error) {
    Icc f;
    f.enable();
    f.src.add(40, 0x40, 0);
    BOOST_TEST(f.rd(sr::ICC_IAR0_EL1) == 40u);
    f.wr(sr::ICC_EOIR1_EL1, 40);
    BOOST_TEST(f.diag.guest_error_count() == 1u);
    BOOST_TEST(std::string(f.diag.last().reg) == "EOIR1_EL1");
    BOOST_TEST(f.rd(sr::ICC_AP0R0_EL1) == bit(8), "no priority drop");
    BOOST_TEST(f.src.find(40)->active, "no deactivation");
    f.wr(sr::ICC_EOIR1_EL1, 77);
    BOOST_TEST(f.diag.guest_error_count() == 2u, "EOI of an INTID that is not active");
    f.wr(sr::ICC_EOIR0_EL1, 1023);
    BOOST_TEST(f.diag.guest_error_count() == 2u, "EOI of a special INTID: no effect, no report");
    f.wr(sr::ICC_EOIR0_EL1, 40);
    BOOST_TEST(f.rd(sr::ICC_AP0R0_EL1) == 0u);
}

// IHI 0069 ICH_VTR_EL2: ListRegs [4:0] = LRs - 1, TDS [19] 0, nV4 [20] 1 (no direct
// injection), A3V [21] 0, SEIS [22] 0, IDbits [25:23] 0, PREbits [28:26] = preemption bits
// - 1, PRIbits [31:29] = priority bits - 1. Read-only.
BOOST_AUTO_TEST_CASE(ich_vtr_values) {
    {
        V3 f(v3_config(1, 5, 4, 5, 5));
        BOOST_TEST(f.rs(0, sr::ICH_VTR_EL2) == 0x90100003u, "4 LRs, 5/5 bits");
        const AccessResult w = f.gic.write_sysreg(0, sr::ICH_VTR_EL2, 0);
        BOOST_TEST((w.kind == BadAccessKind::WriteToReadOnly));
        BOOST_TEST(std::string(f.gic.diagnostics().last().frame) == "ICH");
    }
    {
        V3 f(v3_config(1, 8, 16, 8, 7));
        BOOST_TEST(f.rs(0, sr::ICH_VTR_EL2) == 0xF810000Fu, "16 LRs, 8 priority / 7 preemption bits");
    }
}

// IHI 0069 ICH_LR<n>_EL2: the 64-bit layout round trips; RES0 bits read back 0: vINTID
// [31:16] (16-bit INTIDs), [40:32] and [44:42] with HW=0 (only EOI [41]), [47:45], [58:56],
// NMI [59] (no FEAT_GICv3_NMI), unimplemented priority bits (item 19). LR<n> with n >=
// ListRegs + 1 does not exist (UNDEFINED), unlike GICv2's RAZ/WI GICH_LRn.
BOOST_AUTO_TEST_CASE(ich_lr_layout_round_trip) {
    V3 f(v3_config(1, 5, 4, 5, 5));
    const std::uint64_t sw = lr3(0x1234, 0xA0, kPending, true, true);
    f.ws(0, sr::ich_lr(0), sw);
    BOOST_TEST(f.rs(0, sr::ich_lr(0)) == sw, "HW=0 LR reads back as written");
    const std::uint64_t res0_sw = 0xABCD0000ull | (0x1FFull << 32) | (7ull << 42) | (7ull << 45) | (7ull << 56) | bit(59);
    f.ws(0, sr::ich_lr(1), sw | res0_sw);
    BOOST_TEST(f.rs(0, sr::ich_lr(1)) == sw, "RES0 bits dropped (HW=0)");
    const std::uint64_t hw = hw_lr3(0x40, 0x1FFF, 0xA0, kActive, false);
    f.ws(0, sr::ich_lr(2), hw | (7ull << 45) | bit(59));
    BOOST_TEST(f.rs(0, sr::ich_lr(2)) == hw, "HW=1: pINTID [44:32] kept whole, RES0 dropped");
    f.ws(0, sr::ich_lr(3), lr3(50, 0xFF, kPending));
    BOOST_TEST(((f.rs(0, sr::ich_lr(3)) >> 48) & 0xFFu) == 0xF8u, "5 priority bits: Priority[50:48] RES0");
    for (const std::uint64_t v : {sw, hw, lr3(1021, 0x08, 3, false)})
        BOOST_TEST(ListRegister::decode(GicVersion::V3, v).encode(GicVersion::V3) == v, "ListRegister round trip");
    const ListRegister d = ListRegister::decode(GicVersion::V3, hw);
    BOOST_TEST(d.vintid == 0x40u);
    BOOST_TEST(d.pintid == 0x1FFFu);
    BOOST_TEST(d.priority == 0xA0u);
    BOOST_TEST(d.hw);
    BOOST_TEST(!d.group1);
    BOOST_TEST(d.active());
    // A GICv2 LR value in the same helper: priority[7:3] at [27:23], HW=1 PhysicalID [19:10].
    // HW [31] | State [29:28] = pending | Priority 0x15 (0xA8) | PhysicalID 0x28 | VirtualID 0x28.
    const std::uint64_t v2 = (1u << 31) | (1u << 28) | (0x15u << 23) | (0x28u << 10) | 0x28u;
    const ListRegister d2 = ListRegister::decode(GicVersion::V2, v2);
    BOOST_TEST(d2.hw);
    BOOST_TEST(d2.vintid == 0x28u);
    BOOST_TEST(d2.pintid == 0x28u);
    BOOST_TEST(d2.priority == 0xA8u);
    BOOST_TEST(d2.state == 1u);
    BOOST_TEST(d2.encode(GicVersion::V2) == v2);

    const AccessResult r = f.gic.read_sysreg(0, sr::ich_lr(4));
    BOOST_TEST((r.status == AccessStatus::Ignored), "ICH_LR4_EL2 with 4 LRs: UNDEFINED");
    BOOST_TEST(std::string(f.gic.diagnostics().last().reg) == "LR4_EL2");
    BOOST_TEST(!f.gic.write_sysreg(0, sr::ich_lr(15), sw).ok());
    V3 big(v3_config(1, 8, 16, 8, 7));
    big.ws(0, sr::ich_lr(15), lr3(99, 0xFF, kPending));
    BOOST_TEST(((big.rs(0, sr::ich_lr(15)) >> 48) & 0xFFu) == 0xFFu, "8 priority bits: all kept");
}

// IHI 0069 ICV_IAR1_EL1: the highest-priority pending Group 1 LR goes pending -> active and
// its group priority's bit is set in ICH_AP1R<n>_EL2 (5 preemption bits, VBPR1 minimum 3:
// priority 0xA0 is level 20). ICV_EOIR1_EL1 drops it and (VEOIM = 0) deactivates the LR.
BOOST_AUTO_TEST_CASE(icv_iar1_activates_lr_with_ap1r_bit) {
    V3 f;
    f.guest_setup(0);
    f.ws(0, sr::ich_lr(0), lr3(77, 0xA0, kPending));
    BOOST_TEST(f.gic.line(0, Line::VIrq), "Group 1 LR: vIRQ");
    BOOST_TEST(!f.gic.line(0, Line::VFiq));
    BOOST_TEST(f.rs(0, sr::ICC_HPPIR1_EL1) == 77u, "ICV_HPPIR1");
    BOOST_TEST(f.rs(0, sr::ICC_IAR0_EL1) == kSpurious, "ICV_IAR0 does not take a Group 1 LR");
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 77u, "ICV_IAR1");
    BOOST_TEST(lr_state(f.rs(0, sr::ich_lr(0))) == kActive);
    BOOST_TEST(f.rs(0, sr::ich_ap1r(0)) == bit(20));
    BOOST_TEST(f.rs(0, sr::ich_ap0r(0)) == 0u, "separate Group 0 active priorities");
    BOOST_TEST(f.rs(0, sr::ICC_RPR_EL1) == 0xA0u, "ICV_RPR");
    BOOST_TEST(!f.gic.line(0, Line::VIrq));
    BOOST_TEST(f.gic.cpu_interface(0).apr(1, 0) == 0u, "the physical ICC_AP1R0 is untouched");
    f.ws(0, sr::ICC_EOIR1_EL1, 77);
    BOOST_TEST(f.rs(0, sr::ich_ap1r(0)) == 0u);
    BOOST_TEST(f.rs(0, sr::ich_lr(0)) == lr3(77, 0xA0, 0), "LR invalid, the rest kept");
    BOOST_TEST(f.rs(0, sr::ICH_ELRSR_EL2) == 0xFu, "all four LRs free");
    BOOST_TEST(f.eoicount(0) == 0u, "a matched EOI does not count");

    // Group 0 LR: vFIQ (ICH_VMCR_EL2.VFIQEn is RES1), ICH_AP0R0 (VBPR0 minimum 2: 0x40 is level 8).
    f.ws(0, sr::ich_lr(1), lr3(30, 0x40, kPending, false));
    BOOST_TEST(f.gic.line(0, Line::VFiq));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == kSpurious);
    BOOST_TEST(f.rs(0, sr::ICC_IAR0_EL1) == 30u);
    BOOST_TEST(f.rs(0, sr::ich_ap0r(0)) == bit(8));
    f.ws(0, sr::ICC_EOIR0_EL1, 30);
    BOOST_TEST(f.rs(0, sr::ich_ap0r(0)) == 0u);

    // ICV_EOIR1 of a vINTID whose LR is active in Group 0: the priority is dropped (the
    // register's group), the LR is not deactivated (UNPREDICTABLE: reported), nothing counted.
    f.ws(0, sr::ich_lr(1), lr3(31, 0x40, kPending, false));
    BOOST_TEST(f.rs(0, sr::ICC_IAR0_EL1) == 31u);
    f.ws(0, sr::ICC_EOIR1_EL1, 31);
    BOOST_TEST(f.rs(0, sr::ich_ap0r(0)) == 0u, "highest active priority dropped");
    BOOST_TEST(lr_state(f.rs(0, sr::ich_lr(1))) == kActive, "LR still active");
    BOOST_TEST(f.gic.diagnostics().guest_error_count() == 1u);
    BOOST_TEST(f.eoicount(0) == 0u);
}

// Section 3 item 16 / IHI 0069 ICV_IAR1_EL1: an LR holding vINTID 1020-1023 is returned and
// goes invalid, with no active priority. Item 17: priority 0xFF is never signalled (it is not
// below any PMR).
BOOST_AUTO_TEST_CASE(icv_special_vintid_and_lowest_priority) {
    V3 f(v3_config(1, 5, 4, 8, 7));
    f.guest_setup(0);
    f.ws(0, sr::ich_lr(0), lr3(1021, 0x10, kPending));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 1021u);
    BOOST_TEST(lr_state(f.rs(0, sr::ich_lr(0))) == 0u, "LR invalid");
    BOOST_TEST(f.rs(0, sr::ich_ap1r(0)) == 0u, "no active priority");
    f.ws(0, sr::ich_lr(1), lr3(60, 0xFF, kPending));
    BOOST_TEST(f.rs(0, sr::ICC_PMR_EL1) == 0xFFu, "8 virtual priority bits: VPMR 0xFF");
    BOOST_TEST(!f.gic.line(0, Line::VIrq), "priority 0xFF is not signalled");
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == kSpurious);
    BOOST_TEST(f.rs(0, sr::ICC_HPPIR1_EL1) == 60u, "but it is the highest pending");
}

// ICH_HCR_EL2.EOIcount (IHI 0069; section 3 item 7): an ICV_EOIR (EOImode 0) or ICV_DIR
// (EOImode 1) with no matching active LR still drops the priority and increments EOIcount;
// KVM relies on it for interrupts it evicted. An EOI with nothing active does not count.
BOOST_AUTO_TEST_CASE(icv_eoi_without_lr_counts_eoicount) {
    V3 f;
    f.guest_setup(0);
    f.ws(0, sr::ich_lr(0), lr3(77, 0xA0, kPending));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 77u);
    f.ws(0, sr::ich_lr(0), 0);  // the hypervisor evicts the active interrupt
    f.ws(0, sr::ICC_EOIR1_EL1, 77);
    BOOST_TEST(f.rs(0, sr::ich_ap1r(0)) == 0u, "priority dropped");
    BOOST_TEST(f.eoicount(0) == 1u, "EOIcount 1");
    BOOST_TEST(f.gic.diagnostics().guest_error_count() == 0u, "not a guest error: architected");
    f.ws(0, sr::ICC_EOIR1_EL1, 77);
    BOOST_TEST(f.eoicount(0) == 1u, "nothing active: no drop, no count");

    // Split mode: EOIR1 only drops; the unmatched DIR counts.
    f.ws(0, sr::ICC_CTLR_EL1, 2);  // ICV_CTLR_EL1.EOImode = ICH_VMCR_EL2.VEOIM
    BOOST_TEST(((f.rs(0, sr::ICH_VMCR_EL2) >> 9) & 1u) == 1u, "VEOIM mirrors ICV_CTLR.EOImode");
    f.ws(0, sr::ich_lr(1), lr3(78, 0x90, kPending));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 78u);
    f.ws(0, sr::ich_lr(1), 0);
    f.ws(0, sr::ICC_EOIR1_EL1, 78);
    BOOST_TEST(f.eoicount(0) == 1u, "EOImode=1: EOIR does not deactivate, so no count");
    BOOST_TEST(f.rs(0, sr::ich_ap1r(0)) == 0u);
    f.ws(0, sr::ICC_DIR_EL1, 78);
    BOOST_TEST(f.eoicount(0) == 2u, "the unmatched DIR counts");
    // EOIcount wraps at 5 bits.
    f.ws(0, sr::ICH_HCR_EL2, gicv3::ich::HCR_En::mask | (31u << 27));
    f.ws(0, sr::ICC_DIR_EL1, 78);
    BOOST_TEST(f.eoicount(0) == 0u, "31 + 1 wraps to 0");
}

// IHI 0069 ICH_MISR_EL2 with the section 1.4 / section 3 rules: EOI [0] (EISR != 0), U [1]
// (UIE, at most one valid LR, active ones counted: item 5), LRENP [2] (LRENPIE and EOIcount
// != 0: item 2), NP [3] (NPIE, no LR in state pending), VGrp0E/D [4]/[5] against VENG0
// (item 4), VGrp1E/D [6]/[7] against VENG1.
BOOST_AUTO_TEST_CASE(misr_conditions) {
    namespace ich = gicv3::ich;
    V3 f;
    f.guest_setup(0);
    BOOST_TEST(f.misr(0) == 0u, "no enable, no EOI: nothing");

    // EOI: an LR with EOI=1 completed by the guest.
    f.ws(0, sr::ich_lr(0), lr3(77, 0xA0, kPending, true, true));
    BOOST_TEST(f.misr(0) == 0u);
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 77u);
    f.ws(0, sr::ICC_EOIR1_EL1, 77);
    BOOST_TEST(f.rs(0, sr::ICH_EISR_EL2) == 1u);
    BOOST_TEST(f.misr(0) == 1u, "MISR.EOI");
    f.ws(0, sr::ich_lr(0), 0);

    // U: 0 valid LRs, 1 active, then 2 valid.
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | ich::HCR_UIE::mask);
    BOOST_TEST(f.misr(0) == bit(1), "U with no valid LR");
    f.ws(0, sr::ich_lr(0), lr3(40, 0x80, kActive));
    BOOST_TEST(f.misr(0) == bit(1), "U with one (active) valid LR");
    f.ws(0, sr::ich_lr(1), lr3(41, 0x80, kPending));
    BOOST_TEST(f.misr(0) == 0u, "two valid LRs: no U");

    // NP: LR1 pending -> no NP; only active LRs -> NP.
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | ich::HCR_NPIE::mask);
    BOOST_TEST(f.misr(0) == 0u, "a pending LR: no NP");
    f.ws(0, sr::ich_lr(1), lr3(41, 0x80, kPending | kActive));
    BOOST_TEST(f.misr(0) == bit(3), "pending+active is not State==pending: NP");
    f.ws(0, sr::ich_lr(0), 0);
    f.ws(0, sr::ich_lr(1), 0);

    // LRENP needs both LRENPIE and a non-zero EOIcount.
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | ich::HCR_LRENPIE::mask);
    BOOST_TEST(f.misr(0) == 0u, "LRENPIE with EOIcount 0: no LRENP");
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | ich::HCR_LRENPIE::mask | (1u << 27));
    BOOST_TEST(f.misr(0) == bit(2), "LRENP");
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | (1u << 27));
    BOOST_TEST(f.misr(0) == 0u, "EOIcount without LRENPIE: no LRENP");

    // VGrp0D tests VENG0 (not VENG1): VENG0 = 0, VENG1 = 1.
    f.ws(0, sr::ICC_IGRPEN0_EL1, 0);
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | ich::HCR_VGrp0DIE::mask | ich::HCR_VGrp0EIE::mask |
                                 ich::HCR_VGrp1DIE::mask | ich::HCR_VGrp1EIE::mask);
    BOOST_TEST(f.misr(0) == (bit(5) | bit(6)), "VGrp0D (VENG0=0) and VGrp1E (VENG1=1)");
    f.ws(0, sr::ICC_IGRPEN0_EL1, 1);
    f.ws(0, sr::ICC_IGRPEN1_EL1, 0);
    BOOST_TEST(f.misr(0) == (bit(4) | bit(7)), "VGrp0E (VENG0=1) and VGrp1D (VENG1=0)");
}

// Section 1.4 / item 3: the maintenance interrupt is a 0/1 level, asserted while
// ICH_HCR_EL2.En = 1 and ICH_MISR_EL2 != 0.
BOOST_AUTO_TEST_CASE(maintenance_level) {
    namespace ich = gicv3::ich;
    V3 f;
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_UIE::mask | ich::HCR_NPIE::mask);
    BOOST_TEST(!f.gic.line(0, Line::Maintenance), "En=0: no maintenance interrupt");
    f.ws(0, sr::ICH_HCR_EL2, ich::HCR_En::mask | ich::HCR_UIE::mask | ich::HCR_NPIE::mask);
    BOOST_TEST(f.misr(0) == (bit(1) | bit(3)), "U and NP");
    BOOST_TEST(f.gic.line(0, Line::Maintenance), "level 1");
    unsigned rises = 0;
    for (const auto& e : f.rec.events)
        if (e.line == Line::Maintenance && e.level) ++rises;
    BOOST_TEST(rises == 1u, "one rising edge for two conditions");
    f.ws(0, sr::ich_lr(0), lr3(40, 0x80, kPending));
    f.ws(0, sr::ich_lr(1), lr3(41, 0x80, kPending));
    BOOST_TEST(!f.gic.line(0, Line::Maintenance), "two pending LRs: neither U nor NP");
}

// Section 3 item 1 / IHI 0069 ICH_ELRSR_EL2: an LR with State 00, HW=0, EOI=1 still owes an
// EOI maintenance interrupt and is not reported empty (it is in ICH_EISR_EL2 instead).
BOOST_AUTO_TEST_CASE(elrsr_does_not_flag_eoi_owing_lr) {
    V3 f;
    BOOST_TEST(f.rs(0, sr::ICH_ELRSR_EL2) == 0xFu, "reset: four empty LRs");
    f.ws(0, sr::ich_lr(0), lr3(77, 0xA0, 0, true, true));
    BOOST_TEST(f.rs(0, sr::ICH_ELRSR_EL2) == 0xEu, "LR0 owes an EOI: not empty");
    BOOST_TEST(f.rs(0, sr::ICH_EISR_EL2) == 0x1u);
    f.ws(0, sr::ich_lr(1), hw_lr3(78, 0x200, 0xA0, 0));  // bit 41 is pINTID[9] with HW=1
    BOOST_TEST(f.rs(0, sr::ICH_ELRSR_EL2) == 0xEu, "an invalid HW=1 LR is empty");
    BOOST_TEST(f.rs(0, sr::ICH_EISR_EL2) == 0x1u);
    f.ws(0, sr::ich_lr(2), lr3(79, 0xA0, kPending));
    BOOST_TEST(f.rs(0, sr::ICH_ELRSR_EL2) == 0xAu);
}

// IHI 0069 ICH_VMCR_EL2: VFIQEn RES1 and VAckCtl RES0 with SRE = 1; VPMR keeps the
// implemented priority bits; writes below the VBPR0 / VBPR1 minimum set the minimum
// (item 20); the fields are the ICV_ registers' state.
BOOST_AUTO_TEST_CASE(ich_vmcr_clamping_and_vfiqen) {
    {
        V3 f(v3_config(1, 5, 4, 5, 5));
        f.ws(0, sr::ICH_VMCR_EL2, 0);
        // VFIQEn [3], VBPR0 [23:21] = 2, VBPR1 [20:18] = 3.
        BOOST_TEST(f.rs(0, sr::ICH_VMCR_EL2) == (bit(3) | (2u << 21) | (3u << 18)));
        f.ws(0, sr::ICH_VMCR_EL2, 0xFFu << 24 | bit(9) | bit(4) | bit(2) | bit(1) | bit(0) | (5u << 21) | (7u << 18));
        BOOST_TEST(f.rs(0, sr::ICH_VMCR_EL2) ==
                       (0xF8ull << 24 | bit(9) | bit(4) | bit(3) | bit(1) | bit(0) | (5u << 21) | (7u << 18)),
                   "VPMR 0xF8 (5 bits), VAckCtl dropped, VFIQEn 1");
        f.gic.set_virtual_routing(0, true, true);
        BOOST_TEST(f.rs(0, sr::ICC_PMR_EL1) == 0xF8u, "ICV_PMR = VPMR");
        BOOST_TEST(f.rs(0, sr::ICC_BPR0_EL1) == 5u, "ICV_BPR0 = VBPR0");
        BOOST_TEST(f.rs(0, sr::ICC_BPR1_EL1) == 6u, "ICV_BPR1 reads VBPR0+1 with VCBPR=1 (6, not VBPR1's 7)");
        BOOST_TEST((f.rs(0, sr::ICC_CTLR_EL1) & 3u) == 3u, "ICV_CTLR.CBPR/EOImode = VCBPR/VEOIM");
        BOOST_TEST(f.rs(0, sr::ICC_IGRPEN0_EL1) == 1u);
        BOOST_TEST(f.rs(0, sr::ICC_IGRPEN1_EL1) == 1u);
        // ICV_CTLR_EL1: PRIbits from ICH_VTR_EL2 (5 bits -> 4), RSS 1.
        BOOST_TEST((f.rs(0, sr::ICC_CTLR_EL1) & ~std::uint64_t{3}) == ((4u << 8) | bit(18)));
    }
    {
        V3 f(v3_config(1, 5, 4, 8, 7));
        f.ws(0, sr::ICH_VMCR_EL2, 0xFFu << 24);
        BOOST_TEST(f.rs(0, sr::ICH_VMCR_EL2) == (0xFFull << 24 | bit(3) | (1u << 18)),
                   "8 bits: VPMR 0xFF, VBPR0 min 0, VBPR1 min 1");
    }
}

// gic.hpp / IHI 0069 "Virtual interrupt handling": HCR_EL2.IMO sends the Group 1 registers
// to ICV_, FMO the Group 0 ones, either sends CTLR, PMR, RPR and DIR; HCR_EL2 holds IMO [4]
// and FMO [3] here.
BOOST_AUTO_TEST_CASE(imo_fmo_routing) {
    V3 f;
    const CpuInterface& icc = f.gic.cpu_interface(0);
    const CpuInterface& icv = f.gic.virtual_interface(0).gicv();
    f.ws(0, sr::ICC_PMR_EL1, 0x80);
    f.ws(0, sr::ICC_BPR0_EL1, 4);
    f.ws(0, sr::ICC_BPR1_EL1, 5);
    BOOST_TEST(icc.pmr() == 0x80u);
    BOOST_TEST(icv.pmr() == 0u, "no routing: ICC_");

    f.ws(0, gicv3::sysreg::encode(3, 4, 1, 1, 0), bit(4));  // HCR_EL2.IMO
    BOOST_TEST(f.gic.virtual_routing_imo(0));
    BOOST_TEST(!f.gic.virtual_routing_fmo(0));
    BOOST_TEST(f.rs(0, gicv3::sysreg::encode(3, 4, 1, 1, 0)) == bit(4));
    f.ws(0, sr::ICC_PMR_EL1, 0x40);
    BOOST_TEST(icv.pmr() == 0x40u, "IMO: PMR is ICV_PMR");
    BOOST_TEST(icc.pmr() == 0x80u);
    BOOST_TEST(f.rs(0, sr::ICC_BPR0_EL1) == 4u, "IMO only: BPR0 is still ICC_");
    f.ws(0, sr::ICC_BPR1_EL1, 7);
    BOOST_TEST(icv.abpr() == 7u, "IMO: BPR1 is ICV_");
    BOOST_TEST(icc.abpr() == 5u);

    f.gic.set_virtual_routing(0, false, true);  // FMO only
    f.ws(0, sr::ICC_BPR0_EL1, 6);
    BOOST_TEST(icv.bpr() == 6u, "FMO: BPR0 is ICV_");
    BOOST_TEST(icc.bpr() == 4u);
    BOOST_TEST(f.rs(0, sr::ICC_BPR1_EL1) == 5u, "FMO only: BPR1 is ICC_");
    f.ws(0, sr::ICC_CTLR_EL1, 2);
    BOOST_TEST(gicv2::gicc::CTLR_EOImode::test(icv.ctlr()), "FMO: CTLR is ICV_");
    BOOST_TEST(!gicv2::gicc::CTLR_EOImode::test(icc.ctlr()));
    BOOST_TEST(f.rs(0, gicv3::sysreg::encode(3, 4, 1, 1, 0)) == bit(3));

    f.gic.set_virtual_routing(0, false, false);
    BOOST_TEST(f.rs(0, sr::ICC_PMR_EL1) == 0x80u, "routing off: ICC_ again");
    BOOST_TEST(f.gic.diagnostics().bad_access_count() == 0u);

    GicConfig nov = v3_config();
    nov.virt.enabled = false;
    Gic g(nov);
    BOOST_CHECK_THROW(g.set_virtual_routing(0, true, false), std::logic_error);
    BOOST_TEST(!g.read_sysreg(0, sr::ICH_HCR_EL2).ok(), "no virtualization: no ICH_");
}

// IHI 0069 ICH_LR<n>_EL2.HW = 1: the guest's deactivation of the virtual interrupt
// deactivates pINTID in the distributor. A physical SPI taken by the host with ICC_IAR1 and
// dropped with ICC_EOIR1 (EOImode = 1, as KVM runs), handed to the guest in a HW LR, and
// completed with ICV_EOIR1: the distributor shows it inactive.
BOOST_AUTO_TEST_CASE(hw_lr_deactivates_physical_spi) {
    V3 f;
    f.wake(0);
    f.enable_distributor();
    f.config_spi(40, 0xA0);
    f.enable_icc(0);
    f.ws(0, sr::ICC_CTLR_EL1, 2);
    f.gic.set_spi_level(40, true);
    BOOST_TEST(f.gic.line(0, Line::Irq), "the SPI reaches CPU 0 as IRQ");
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 40u);
    f.gic.set_spi_level(40, false);
    f.ws(0, sr::ICC_EOIR1_EL1, 40);
    BOOST_TEST(f.gic.distributor().is_active(0, 40), "host dropped the priority; still active");

    f.guest_setup(0);
    f.ws(0, sr::ich_lr(0), hw_lr3(40, 40, 0xA0, kPending));
    BOOST_TEST(f.gic.line(0, Line::VIrq));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 40u, "ICV_IAR1");
    f.ws(0, sr::ICC_EOIR1_EL1, 40);
    BOOST_TEST(!f.gic.distributor().is_active(0, 40), "the physical SPI is deactivated");
    BOOST_TEST(f.rs(0, sr::ICH_ELRSR_EL2) == 0xFu, "HW LR invalid, and HW=1 never owes an EOI maintenance");
    BOOST_TEST(f.rs(0, sr::ICH_EISR_EL2) == 0u);

    // pINTID 0-15 is UNPREDICTABLE: reported, nothing deactivated.
    f.ws(0, sr::ich_lr(1), hw_lr3(41, 5, 0xA0, kPending));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 41u);
    const std::uint64_t before = f.gic.diagnostics().guest_error_count();
    f.ws(0, sr::ICC_EOIR1_EL1, 41);
    BOOST_TEST(f.gic.diagnostics().guest_error_count() == before + 1);
    BOOST_TEST(std::string(f.gic.diagnostics().last().reg) == "LR1_EL2");
}

// IHI 0069 ICC_SGI1R_EL1: INTID [27:24], TargetList [15:0] (Aff0 of the targets), Aff1
// [23:16]; Group 1 SGI made pending in the target's redistributor. An EL1 write while
// HCR_EL2.IMO = 1 traps to EL2 (not modelled: reported, nothing sent); ICC_ASGI1R_EL1 has
// no other Security state to target with DS = 1.
BOOST_AUTO_TEST_CASE(sgi1r_reaches_the_target) {
    V3 f(v3_config(2));
    f.wake(0);
    f.wake(1);
    f.enable_distributor();
    const std::uint32_t sgi = gicv3::gicr::kSgiBase;
    f.gicr(1, sgi + gicv3::gicr::IGROUPR0, bit(3));
    f.gicr(1, sgi + gicv3::gicr::IPRIORITYR0 + 3, 0x80, 1);
    f.gicr(1, sgi + gicv3::gicr::ISENABLER0, bit(3));
    f.enable_icc(1);
    const std::uint64_t to_cpu1 = (3ull << 24) | bit(1);  // INTID 3, Aff1 0, TargetList Aff0 = 1
    f.gic.set_virtual_routing(0, true, false);
    f.ws(0, sr::ICC_SGI1R_EL1, to_cpu1);
    BOOST_TEST(!f.gic.line(1, Line::Irq), "IMO=1: the write traps, nothing sent");
    BOOST_TEST(f.gic.diagnostics().guest_error_count() == 1u);
    f.ws(0, sr::ICC_ASGI1R_EL1, to_cpu1);
    BOOST_TEST(!f.gic.line(1, Line::Irq), "ASGI1R: no other Security state");
    BOOST_TEST(f.gic.diagnostics().guest_error_count() == 2u);
    f.gic.set_virtual_routing(0, false, false);
    f.ws(0, sr::ICC_SGI1R_EL1, to_cpu1);
    BOOST_TEST(f.gic.line(1, Line::Irq), "CPU 1 signals the SGI");
    BOOST_TEST(!f.gic.line(0, Line::Irq), "not the sender");
    BOOST_TEST(f.rs(1, sr::ICC_IAR1_EL1) == 3u, "IAR1: INTID 3, no source CPU in GICv3");
    f.ws(1, sr::ICC_EOIR1_EL1, 3);
    BOOST_TEST(!f.gic.distributor().is_active(1, 3));
    BOOST_TEST((f.gic.read_sysreg(0, sr::ICC_SGI1R_EL1).kind == BadAccessKind::ReadOfWriteOnly));
}

// The value helpers for software that targets one PE by its affinity (IHI 0069 12.9.22
// GICD_IROUTER: Aff0-2 [23:0], Aff3 [39:32]; 12.2.23 ICC_SGI1R_EL1: TargetList [15:0],
// Aff1 [23:16], INTID [27:24], Aff2 [39:32], RS [47:44] (Aff0 / 16), Aff3 [55:48]). Values by
// hand from those layouts; then an SGI to a PE whose Aff0 needs RS = 1 reaches it alone.
BOOST_AUTO_TEST_CASE(irouter_for_and_sgir_for_pack_affinities) {
    BOOST_TEST(gicv3::gicd::irouter_for(0x01020304u) == 0x0000000100020304ull);
    BOOST_TEST(gicv3::icc::sgir_for(5, 0x00000312u) == 0x0000100005030004ull,
               "Aff1 3, Aff0 0x12: RS 1, TargetList bit 2, INTID 5");
    BOOST_TEST(gicv3::icc::sgir_for(15, 0x04030201u) == 0x000400030F020002ull, "Aff3 4, Aff2 3, Aff1 2, Aff0 1: TargetList bit 1, INTID 15");
    GicConfig c = v3_config(40);
    c.v3.cpus_per_cluster = 32;  // CPU 20: Aff1 0, Aff0 20
    V3 f(c);
    f.wake(0);
    f.wake(20);
    f.enable_distributor();
    const std::uint32_t sgi = gicv3::gicr::kSgiBase;
    f.gicr(20, sgi + gicv3::gicr::IGROUPR0, bit(3));
    f.gicr(20, sgi + gicv3::gicr::ISENABLER0, bit(3));
    f.enable_icc(20);
    f.ws(0, sr::ICC_SGI1R_EL1, gicv3::icc::sgir_for(3, c.affinity_of(20)));
    BOOST_TEST(f.gic.line(20, Line::Irq), "CPU 20 signals the SGI");
    for (unsigned cpu = 0; cpu < 40; ++cpu)
        if (cpu != 20) BOOST_TEST(!f.gic.distributor().is_pending(cpu, 3), "not pending for CPU " << cpu);
    BOOST_TEST(f.rs(20, sr::ICC_IAR1_EL1) == 3u);
}

// Save / restore of the v3 virtual interface: HCR, VMCR, AP0R/AP1R, 64-bit LRs; import
// refuses values the registers cannot hold; a whole-GIC snapshot restores the same state.
BOOST_AUTO_TEST_CASE(save_restore_and_snapshot) {
    V3 f;
    f.guest_setup(0);
    f.ws(0, sr::ich_lr(0), lr3(77, 0xA0, kPending));
    BOOST_TEST(f.rs(0, sr::ICC_IAR1_EL1) == 77u);
    f.ws(0, sr::ich_lr(1), hw_lr3(40, 40, 0x50, kPending, false));
    BOOST_TEST(f.gic.line(0, Line::VFiq), "Group 0 0x50 preempts the active 0xA0: vFIQ");
    const VcpuInterfaceState s = f.gic.save_virtual_interface(0);
    BOOST_TEST(s.lrs.size() == 4u);
    BOOST_TEST(s.lrs[0] == lr3(77, 0xA0, kActive));
    BOOST_TEST(s.lrs[1] == hw_lr3(40, 40, 0x50, kPending, false));
    BOOST_TEST(s.ap1r[0] == bit(20));
    BOOST_TEST(s.apr == 0u);
    V3 g;
    g.gic.restore_virtual_interface(0, s);
    BOOST_TEST((g.gic.save_virtual_interface(0) == s));
    BOOST_TEST(g.gic.line(0, Line::VFiq), "the restored Group 0 LR (0x50) preempts 0xA0: vFIQ");

    const VirtualCpuInterface& vif = f.gic.virtual_interface(0);
    BOOST_TEST(!vif.check_state(s).has_value());
    VcpuInterfaceState bad = s;
    bad.apr = 1;
    BOOST_TEST(vif.check_state(bad)->where == "/apr");
    bad = s;
    bad.lrs[2] = bit(59);
    BOOST_TEST(vif.check_state(bad)->where == "/lrs/2", "NMI is RES0");
    bad = s;
    bad.vmcr &= ~static_cast<std::uint32_t>(bit(3));
    BOOST_TEST(vif.check_state(bad)->where == "/vmcr", "VFIQEn is RES1");
    bad = s;
    bad.ap0r[1] = 1;
    BOOST_TEST(vif.check_state(bad)->where == "/ap0r/1", "5 preemption bits: 32 levels, AP0R0 only");

    // The whole-GIC snapshot (format version 2) carries the same registers.
    const std::string doc = save_snapshot(f.gic);
    V3 h;
    restore_snapshot(h.gic, doc);
    BOOST_TEST(save_snapshot(h.gic) == doc);
    BOOST_TEST((h.gic.save_virtual_interface(0) == s));
    BOOST_TEST(h.gic.line(0, Line::VFiq));
    BOOST_CHECK_THROW(restore_snapshot(g.gic, "{}"), SnapshotError);
}

BOOST_AUTO_TEST_SUITE_END()
