// SPDX-License-Identifier: Apache-2.0
// Snapshots of a GICv3 model (docs/MODEL.md "Snapshots", format version 2): a Gic (hw mode)
// and a VmGic (vm mode) brought up the way Linux's irq-gic-v3.c does, with an SPI routed by
// GICD_IROUTER, an IRM=1 SPI chosen 1-of-N, an SGI pending, an active interrupt with its
// active-priority bit set and (vm mode) loaded list registers and a descheduled vCPU, are
// saved and restored into a fresh instance: identical register reads, identical later
// behaviour. Refusals: the other GIC version, values the registers cannot hold, a version 2
// document labelled version 1.
//
// Register offsets and layouts (GICD, GICR, GICD_IROUTER, ICH_LR<n>_EL2, ICC_SGI1R_EL1,
// GICR_WAKER) are written out here from Arm IHI 0069 rather than taken from the model's
// headers; only the system-register encodings (op0:op1:CRn:CRm:op2) come from gicv3_regs.hpp.
#include "vm_recorder.hpp"
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/model/snapshot.hpp"
#include "vgic/model/vm_gic.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

using namespace vgic;
namespace sr = vgic::gicv3::sysreg;

namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }
constexpr std::uint32_t kSpurious = 1023;
/// Trace entries of an acknowledge: kAck + cpu * 10000 + INTID (other entries are small).
constexpr std::uint64_t kAck = 1000000;

// GICD (IHI 0069 12.9), ARE = 1.
constexpr std::uint32_t GICD_CTLR = 0x0000, GICD_TYPER = 0x0004, GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100,
                        GICD_ISPENDR = 0x0200, GICD_ISACTIVER = 0x0300, GICD_IPRIORITYR = 0x0400,
                        GICD_ICFGR = 0x0C00, GICD_IROUTER = 0x6000;
constexpr std::uint64_t IROUTER_IRM = bit(31);
// GICR (12.10, 12.11): 128 KiB per redistributor, SGI_base at +64 KiB.
constexpr std::uint32_t kGicrStride = 0x20000, kSgiBase = 0x10000;
constexpr std::uint32_t GICR_CTLR = 0x0000, GICR_WAKER = 0x0014;
constexpr std::uint32_t GICR_IGROUPR0 = kSgiBase + 0x0080, GICR_ISENABLER0 = kSgiBase + 0x0100,
                        GICR_ICENABLER0 = kSgiBase + 0x0180, GICR_ISPENDR0 = kSgiBase + 0x0200,
                        GICR_ISACTIVER0 = kSgiBase + 0x0300, GICR_ICACTIVER0 = kSgiBase + 0x0380,
                        GICR_IPRIORITYR = kSgiBase + 0x0400, GICR_ICFGR1 = kSgiBase + 0x0C04;
constexpr std::uint32_t WAKER_ProcessorSleep = 1u << 1, WAKER_ChildrenAsleep = 1u << 2;
// ICH_LR<n>_EL2: vINTID [31:0], EOI [41], Priority [55:48], Group [60], HW [61], State [63:62].
constexpr unsigned kPending = 1, kActive = 2;
std::uint64_t lr3(std::uint32_t vintid, std::uint8_t prio, unsigned state) {
    return std::uint64_t{vintid} | (std::uint64_t{prio} << 48) | bit(60) | (std::uint64_t{state} << 62);
}
// ICH_HCR_EL2.En [0]; ICH_VMCR_EL2: VENG1 [1], VFIQEn [3] (RES1), VPMR [31:24].
constexpr std::uint32_t HCR_En = 1;
// ICC_SGI1R_EL1: TargetList [15:0], Aff1 [23:16], INTID [27:24].
std::uint64_t sgi1r(std::uint32_t intid, std::uint16_t targets) { return std::uint64_t{targets} | (std::uint64_t{intid} << 24); }

GicConfig v3_config(unsigned cpus) {
    GicConfig c;
    c.version = GicVersion::V3;
    c.num_cpus = cpus;
    c.num_spis = 64;
    c.priority_bits = 5;
    c.virt.enabled = true;
    c.virt.num_list_regs = 4;
    c.virt.priority_bits = 5;
    c.virt.preemption_bits = 5;
    // The same Linux bring-up for Gic and VmGic, with IHI 0069's GICR_WAKER (reset asleep, CPU 3
    // left asleep) in both: vm mode's KVM default (WAKER RAZ/WI) is set aside explicitly; Gic
    // ignores GicConfig.vm.
    c.vm.waker = VmWaker::Architectural;
    return c;
}

class Lines final : public LineObserver {
public:
    void line_changed(unsigned cpu, Line line, bool level) override {
        events.push_back(std::to_string(cpu) + " " + to_string(line) + (level ? " high" : " low"));
    }
    std::vector<std::string> events;
};

/// Register access helpers over Gic or VmGic (same signatures); each access must be OK.
template <class G>
struct Regs {
    G& g;
    void gicd(std::uint32_t off, std::uint64_t v, unsigned size = 4) {
        BOOST_TEST_REQUIRE(g.write_distributor(0, off, size, v).ok(), "GICD write 0x" << std::hex << off);
    }
    std::uint64_t gicd_rd(unsigned cpu, std::uint32_t off, unsigned size = 4) {
        const AccessResult r = g.read_distributor(cpu, off, size, AccessMode::Debug);
        BOOST_TEST_REQUIRE(r.ok(), "GICD read 0x" << std::hex << off);
        return r.value;
    }
    void gicr(unsigned cpu, std::uint32_t off, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_redistributor(cpu, cpu * kGicrStride + off, 4, v).ok(), "GICR write 0x" << std::hex << off);
    }
    std::uint64_t gicr_rd(unsigned cpu, std::uint32_t off) {
        const AccessResult r = g.read_redistributor(cpu, cpu * kGicrStride + off, 4, AccessMode::Debug);
        BOOST_TEST_REQUIRE(r.ok(), "GICR read 0x" << std::hex << off);
        return r.value;
    }
    void msr(unsigned cpu, std::uint32_t enc, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_sysreg(cpu, enc, v).ok(), "MSR 0x" << std::hex << enc << " on CPU " << std::dec << cpu);
    }
    std::uint64_t mrs(unsigned cpu, std::uint32_t enc) {
        const AccessResult r = g.read_sysreg(cpu, enc);
        BOOST_TEST_REQUIRE(r.ok(), "MRS 0x" << std::hex << enc << " on CPU " << std::dec << cpu);
        return r.value;
    }

    /// Linux irq-gic-v3.c: GICD_CTLR off, every SPI Group 1, GICD_CTLR = ARE | EnableGrp1 |
    /// EnableGrp0 (0x13 with DS = 1); per CPU: wake the redistributor (unless `asleep`),
    /// SGIs/PPIs Group 1 at priority 0xA0, ICC_PMR 0xF0, BPR1 0, CTLR 0, IGRPEN1 1.
    void linux_init(unsigned cpus, unsigned asleep = ~0u) {
        gicd(GICD_CTLR, 0);
        for (std::uint32_t w = 1; w < 3; ++w) gicd(GICD_IGROUPR + 4 * w, 0xFFFFFFFF);
        gicd(GICD_CTLR, 0x13);
        for (unsigned c = 0; c < cpus; ++c) {
            BOOST_TEST_REQUIRE(gicr_rd(c, GICR_WAKER) == (WAKER_ProcessorSleep | WAKER_ChildrenAsleep));
            if (c != asleep) gicr(c, GICR_WAKER, 0);
            gicr(c, GICR_IGROUPR0, 0xFFFFFFFF);
            gicr(c, GICR_ICACTIVER0, 0xFFFFFFFF);
            gicr(c, GICR_ICENABLER0, 0xFFFFFFFF);
            for (std::uint32_t k = 0; k < 8; ++k) gicr(c, GICR_IPRIORITYR + 4 * k, 0xA0A0A0A0);
            gicr(c, GICR_ISENABLER0, 0xFFFF);  // SGIs enabled
            msr(c, sr::ICC_PMR_EL1, 0xF0);
            msr(c, sr::ICC_BPR1_EL1, 0);
            msr(c, sr::ICC_CTLR_EL1, 0);
            msr(c, sr::ICC_IGRPEN1_EL1, 1);
        }
    }
    /// SPI `id`: priority, edge or level, GICD_IROUTER = `irouter` (Aff0 = CPU number with
    /// one cluster), enabled.
    void spi(std::uint32_t id, std::uint8_t prio, std::uint64_t irouter, bool edge) {
        gicd(GICD_IPRIORITYR + id, prio, 1);
        const std::uint32_t cfg = GICD_ICFGR + (id / 16) * 4;
        const auto old = static_cast<std::uint32_t>(gicd_rd(0, cfg));
        const std::uint32_t edge_bit = 2u << (2 * (id % 16));
        gicd(cfg, edge ? (old | edge_bit) : (old & ~edge_bit));
        gicd(GICD_IROUTER + 8 * id, irouter, 8);
        gicd(GICD_ISENABLER + (id / 32) * 4, bit(id % 32));
    }
};

/// Every register a user reads (non-destructive ones only), every line, diagnostics.
template <class G>
std::vector<std::pair<std::string, std::uint64_t>> observe(G& g, const std::vector<Line>& lines) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    Regs<G> r{g};
    const GicConfig& c = g.config();
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu)
        for (Line l : lines) out.emplace_back(std::to_string(cpu) + " " + to_string(l), g.line(cpu, l));
    for (std::uint32_t off : {GICD_CTLR, GICD_TYPER})
        out.emplace_back("GICD+" + hex_string(off), r.gicd_rd(0, off));
    for (std::uint32_t base : {GICD_IGROUPR, GICD_ISENABLER, GICD_ISPENDR, GICD_ISACTIVER, GICD_ICFGR})
        for (std::uint32_t w = 0; w < 6; ++w) out.emplace_back("GICD+" + hex_string(base + 4 * w), r.gicd_rd(0, base + 4 * w));
    for (std::uint32_t id = 32; id < c.num_intids(); ++id) {
        out.emplace_back("GICD_IPRIORITYR" + std::to_string(id), r.gicd_rd(0, GICD_IPRIORITYR + id, 1));
        out.emplace_back("GICD_IROUTER" + std::to_string(id), r.gicd_rd(0, GICD_IROUTER + 8 * id, 8));
    }
    const std::vector<std::uint32_t> icc = {sr::ICC_PMR_EL1,  sr::ICC_BPR0_EL1,   sr::ICC_BPR1_EL1,    sr::ICC_CTLR_EL1,
                                            sr::ICC_RPR_EL1,  sr::ICC_HPPIR0_EL1, sr::ICC_HPPIR1_EL1,  sr::ICC_IGRPEN0_EL1,
                                            sr::ICC_IGRPEN1_EL1, sr::icc_ap0r(0), sr::icc_ap1r(0),    sr::ICH_HCR_EL2,
                                            sr::ICH_VTR_EL2,  sr::ICH_MISR_EL2,   sr::ICH_EISR_EL2,    sr::ICH_ELRSR_EL2,
                                            sr::ICH_VMCR_EL2, sr::ich_ap0r(0),    sr::ich_ap1r(0)};
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
        const std::string p = std::to_string(cpu) + " ";
        for (std::uint32_t off : {GICR_CTLR, GICR_WAKER, GICR_IGROUPR0, GICR_ISENABLER0, GICR_ISPENDR0,
                                  GICR_ISACTIVER0, GICR_ICFGR1})
            out.emplace_back(p + "GICR+" + hex_string(off), r.gicr_rd(cpu, off));
        for (std::uint32_t k = 0; k < 8; ++k)
            out.emplace_back(p + "GICR_IPRIORITYR" + std::to_string(k), r.gicr_rd(cpu, GICR_IPRIORITYR + 4 * k));
        for (std::uint32_t enc : icc) out.emplace_back(p + "sysreg " + hex_string(enc), r.mrs(cpu, enc));
        for (unsigned n = 0; n < c.virt.num_list_regs; ++n)
            out.emplace_back(p + "ICH_LR" + std::to_string(n), r.mrs(cpu, sr::ich_lr(n)));
    }
    out.emplace_back("bad_access_count", g.diagnostics().bad_access_count());
    out.emplace_back("guest_error_count", g.diagnostics().guest_error_count());
    return out;
}

void expect_same(const std::vector<std::pair<std::string, std::uint64_t>>& a,
                 const std::vector<std::pair<std::string, std::uint64_t>>& b) {
    BOOST_TEST_REQUIRE(a.size() == b.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        BOOST_TEST(a[i].second == b[i].second, a[i].first << ": " << hex_string(a[i].second) << " vs " << hex_string(b[i].second));
}

/// The number after `"chosen": ` in the record of `intid` (-1 for null).
int chosen_in(const std::string& doc, std::uint32_t intid) {
    const std::size_t rec = doc.find("{\"intid\": " + std::to_string(intid) + ",");
    BOOST_TEST_REQUIRE(rec != std::string::npos);
    const std::size_t at = doc.find("\"chosen\": ", rec);
    BOOST_TEST_REQUIRE(at != std::string::npos);
    const std::string v = doc.substr(at + 10, 4);
    return v.rfind("null", 0) == 0 ? -1 : std::stoi(v);
}

/// `doc` with the first `from` after `anchor` replaced by `to`.
std::string edit(const std::string& doc, const std::string& anchor, const std::string& from, const std::string& to) {
    const std::size_t a = doc.find(anchor);
    BOOST_TEST_REQUIRE(a != std::string::npos, "anchor " << anchor);
    const std::size_t f = doc.find(from, a);
    BOOST_TEST_REQUIRE(f != std::string::npos, "text " << from);
    return doc.substr(0, f) + to + doc.substr(f + from.size());
}

template <class G, class Events>
void expect_refused(G& target, const Events& events, const std::string& doc, const std::string& message) {
    const std::string before = save_snapshot(target);
    const std::size_t n = events.size();
    try {
        restore_snapshot(target, doc);
        BOOST_ERROR("document accepted; expected: " << message);
    } catch (const SnapshotError& e) {
        BOOST_TEST(std::string(e.what()) == message);
    }
    BOOST_TEST(save_snapshot(target) == before, "a refused document changed the target");
    BOOST_TEST(events.size() == n);
}

// ---- hw mode ------------------------------------------------------------------------------

/// 4 CPUs; CPU 3's redistributor stays asleep and its EL1 accesses go to ICV_ (HCR_EL2.IMO =
/// FMO = 1: the PE's routing, not GIC state, so set on every instance).
struct HwRig {
    HwRig() : gic(v3_config(4)) {
        gic.set_observer(&lines);
        gic.set_virtual_routing(3, true, true);
    }
    Gic gic;
    Lines lines;
    Regs<Gic> r{gic};
};

void make_busy_hw(HwRig& f) {
    f.r.linux_init(4, /*asleep=*/3);
    f.r.spi(40, 0x80, 2, false);            // level, IROUTER Aff0 = 2
    f.gic.set_spi_level(40, true);
    f.r.spi(41, 0xB0, IROUTER_IRM, true);   // 1-of-N among the awake CPUs 0..2
    f.gic.set_spi_level(41, true);
    f.gic.set_spi_level(41, false);
    f.r.spi(42, 0x60, 0, true);             // CPU 0 takes it: active, AP1R0 bit 0x60 >> 3 = 12
    f.gic.set_spi_level(42, true);
    f.gic.set_spi_level(42, false);
    BOOST_TEST_REQUIRE(f.r.mrs(0, sr::ICC_IAR1_EL1) == 42u);
    f.r.msr(0, sr::ICC_SGI1R_EL1, sgi1r(5, bit(1)));  // SGI 5 to CPU 1 (Aff0 = 1)
    // CPU 3: the hypervisor loads two LRs, the guest takes the 0x90 one (ICV_AP1R0 bit 18).
    f.r.msr(3, sr::ICH_VMCR_EL2, (0xF0ull << 24) | bit(3) | bit(1));  // VPMR 0xF0, VFIQEn, VENG1
    f.r.msr(3, sr::ICH_HCR_EL2, HCR_En);
    f.r.msr(3, sr::ich_lr(0), lr3(77, 0xA0, kPending));
    f.r.msr(3, sr::ich_lr(1), lr3(78, 0x90, kPending));
    BOOST_TEST_REQUIRE(f.r.mrs(3, sr::ICC_IAR1_EL1) == 78u, "ICV_IAR1_EL1: the higher-priority vINTID");
}

/// Acknowledge/EOI rounds over every CPU: the INTIDs in order and the IRQ/vIRQ levels.
std::vector<std::uint64_t> hw_later(HwRig& f) {
    std::vector<std::uint64_t> out;
    f.r.msr(0, sr::ICC_EOIR1_EL1, 42);
    f.r.msr(3, sr::ICC_EOIR1_EL1, 78);  // ICV_EOIR1_EL1
    for (int round = 0; round < 4; ++round)
        for (unsigned cpu = 0; cpu < 4; ++cpu) {
            const auto iar = static_cast<std::uint32_t>(f.r.mrs(cpu, sr::ICC_IAR1_EL1));
            out.push_back(kAck + cpu * 10000 + iar);
            if (iar == 40) f.gic.set_spi_level(40, false);
            if (iar != kSpurious) f.r.msr(cpu, sr::ICC_EOIR1_EL1, iar);
            out.push_back(f.gic.line(cpu, Line::Irq) | (f.gic.line(cpu, Line::VIrq) << 1));
        }
    return out;
}

const std::vector<Line> kHwLines = {Line::Irq, Line::Fiq, Line::VIrq, Line::VFiq, Line::Maintenance};

// ---- vm mode ------------------------------------------------------------------------------

struct VmRig {
    VmRig() : vm(v3_config(3)) { vm.set_observer(&rec); }
    VmGic vm;
    test::VmRecorder rec;
    Regs<VmGic> r{vm};
};

void make_busy_vm(VmRig& f) {
    f.r.linux_init(3);
    f.r.spi(40, 0x80, 1, false);  // level, routed to vCPU 1
    f.vm.set_spi_level(40, true);
    f.r.spi(41, 0xB0, IROUTER_IRM, true);
    f.vm.set_spi_level(41, true);
    f.vm.set_spi_level(41, false);
    f.r.spi(42, 0x60, 0, true);
    f.r.spi(43, 0x70, 0, true);
    for (std::uint32_t id : {42u, 43u}) {
        f.vm.set_spi_level(id, true);
        f.vm.set_spi_level(id, false);
    }
    f.r.msr(2, sr::ICC_SGI1R_EL1, sgi1r(5, bit(1)));  // trapped: SGI 5 pending for vCPU 1
    f.vm.vcpu_entry(0);
    BOOST_TEST_REQUIRE(f.r.mrs(0, sr::ICC_IAR1_EL1) == 42u);  // active in an LR, ICV_AP1R0 bit 12
    f.vm.vcpu_entry(1);
    f.vm.vcpu_exit(1);  // descheduled: 40 and SGI 5 back in the distributor
    f.vm.service_kicks();
}

std::vector<std::uint64_t> vm_later(VmRig& f) {
    std::vector<std::uint64_t> out;
    f.r.msr(0, sr::ICC_EOIR1_EL1, 42);
    f.vm.vcpu_entry(1);
    f.vm.vcpu_entry(2);
    for (int round = 0; round < 4; ++round) {
        out.push_back(f.vm.service_kicks());
        for (unsigned v = 0; v < 3; ++v) {
            const auto iar = static_cast<std::uint32_t>(f.r.mrs(v, sr::ICC_IAR1_EL1));
            out.push_back(kAck + v * 10000 + iar);
            if (iar == 40) f.vm.set_spi_level(40, false);
            if (iar != kSpurious) f.r.msr(v, sr::ICC_EOIR1_EL1, iar);
            out.push_back(f.vm.line(v, Line::VIrq));
        }
    }
    f.vm.vcpu_exit(0);
    return out;
}

const std::vector<Line> kVmLines = {Line::VIrq, Line::VFiq, Line::Maintenance};

/// Which CPUs acknowledged `intid` in a hw_later/vm_later trace.
std::vector<unsigned> takers(const std::vector<std::uint64_t>& trace, std::uint32_t intid) {
    std::vector<unsigned> out;
    for (std::uint64_t e : trace)
        if (e >= kAck && (e - kAck) % 10000 == intid) out.push_back(static_cast<unsigned>((e - kAck) / 10000));
    return out;
}

} // namespace

BOOST_AUTO_TEST_SUITE(gicv3_snapshot)

BOOST_AUTO_TEST_CASE(hw_round_trip_is_exact_and_behaves_identically) {
    HwRig a;
    make_busy_hw(a);
    const std::string doc = save_snapshot(a.gic);
    // Format version 2, with the GICv3 parts in their documented layout.
    BOOST_TEST(doc.rfind("{\n  \"format\": \"vgic-snapshot\",\n  \"version\": 2,\n  \"mode\": \"hw\",\n", 0) == 0u);
    BOOST_TEST(doc.find("\"config\": {\n    \"version\": \"v3\",") != std::string::npos);
    BOOST_TEST(doc.find("\"v3\": {\n      \"cpus_per_cluster\": 16,") != std::string::npos);
    BOOST_TEST(edit(doc, "{\"intid\": 40,", "\"irouter\": \"0x0000000000000002\", \"chosen\": null", "") != doc);
    BOOST_TEST(edit(doc, "{\"intid\": 41,", "\"irouter\": \"0x0000000080000000\"", "") != doc);
    BOOST_TEST(doc.find("\"targets\"") == std::string::npos, "no ITARGETSR with ARE = 1");
    BOOST_TEST(doc.find("{\"ctlr\": \"0x00000000\", \"waker\": \"0x00000002\"}") != std::string::npos,
               "CPU 3 asleep: ProcessorSleep (ChildrenAsleep is derived)");
    BOOST_TEST(doc.find(hex_string(lr3(78, 0x90, kActive), 16)) != std::string::npos, "64-bit LRs");
    BOOST_TEST(doc.find("\"ap1r\": [\"0x00040000\", \"0x00000000\", \"0x00000000\", \"0x00000000\"]") != std::string::npos);
    const int chosen = chosen_in(doc, 41);
    BOOST_TEST((chosen >= 0 && chosen <= 2), "an awake CPU was chosen for the IRM=1 SPI");

    HwRig b;
    restore_snapshot(b.gic, doc);
    BOOST_TEST(save_snapshot(b.gic) == doc);
    expect_same(observe(a.gic, kHwLines), observe(b.gic, kHwLines));
    // The architecture's view of the restored state.
    BOOST_TEST(b.r.gicd_rd(0, GICD_IROUTER + 8 * 40, 8) == 2u);
    BOOST_TEST(b.r.gicd_rd(0, GICD_IROUTER + 8 * 41, 8) == IROUTER_IRM);
    BOOST_TEST(b.r.gicr_rd(3, GICR_WAKER) == (WAKER_ProcessorSleep | WAKER_ChildrenAsleep));
    BOOST_TEST(b.r.gicr_rd(0, GICR_WAKER) == 0u);
    BOOST_TEST(b.r.gicr_rd(1, GICR_ISPENDR0) == bit(5), "SGI 5 pending on CPU 1");
    BOOST_TEST(b.r.mrs(0, sr::icc_ap1r(0)) == bit(12));
    BOOST_TEST(b.r.mrs(0, sr::ICC_RPR_EL1) == 0x60u);
    BOOST_TEST(b.r.mrs(2, sr::ICC_HPPIR1_EL1) == 40u);
    BOOST_TEST(b.r.mrs(3, sr::ich_lr(1)) == lr3(78, 0x90, kActive));
    BOOST_TEST(b.r.mrs(3, sr::ich_ap1r(0)) == bit(18));
    BOOST_TEST(b.gic.line(2, Line::Irq));
    BOOST_TEST(b.gic.line(1, Line::Irq));
    BOOST_TEST(!b.gic.line(0, Line::Irq), "0x60 running: nothing better pending");
    BOOST_TEST(!b.gic.line(3, Line::VIrq), "vINTID 77 (0xA0) does not preempt 78 (0x90)");
    BOOST_TEST(a.lines.events.size() != 0u);

    a.lines.events.clear();
    b.lines.events.clear();
    const std::vector<std::uint64_t> ta = hw_later(a), tb = hw_later(b);
    BOOST_TEST(ta == tb, boost::test_tools::per_element());
    BOOST_TEST(a.lines.events == b.lines.events, boost::test_tools::per_element());
    expect_same(observe(a.gic, kHwLines), observe(b.gic, kHwLines));
    // IROUTER, 1-of-N and SGI routing as the architecture gives them.
    BOOST_TEST(takers(tb, 40) == std::vector<unsigned>{2});
    BOOST_TEST(takers(tb, 5) == std::vector<unsigned>{1});
    BOOST_TEST(takers(tb, 41) == std::vector<unsigned>{static_cast<unsigned>(chosen)}, "the chosen CPU takes it");
    BOOST_TEST(takers(tb, 77) == std::vector<unsigned>{3});
    BOOST_TEST(save_snapshot(a.gic) == save_snapshot(b.gic));
}

BOOST_AUTO_TEST_CASE(vm_round_trip_is_exact_and_behaves_identically) {
    VmRig a;
    make_busy_vm(a);
    const std::string doc = save_snapshot(a.vm);
    BOOST_TEST(doc.rfind("{\n  \"format\": \"vgic-snapshot\",\n  \"version\": 2,\n  \"mode\": \"vm\",\n", 0) == 0u);
    BOOST_TEST(doc.find("\"active_source\"") == std::string::npos, "GICv3 SGIs have no source CPU");
    BOOST_TEST(doc.find(hex_string(lr3(42, 0x60, kActive), 16)) != std::string::npos);
    BOOST_TEST(a.vm.running(0));
    BOOST_TEST(!a.vm.running(1));

    VmRig b;
    restore_snapshot(b.vm, doc);
    BOOST_TEST(save_snapshot(b.vm) == doc);
    expect_same(observe(a.vm, kVmLines), observe(b.vm, kVmLines));
    BOOST_TEST(b.vm.running(0));
    BOOST_TEST(!b.vm.running(1));
    BOOST_TEST(b.r.mrs(0, sr::ICC_RPR_EL1) == 0x60u, "ICV_RPR_EL1");
    BOOST_TEST(b.r.mrs(0, sr::ich_ap1r(0)) == bit(12));
    BOOST_TEST(b.r.gicr_rd(1, GICR_ISPENDR0) == bit(5), "vCPU 1's SGI 5 pending in the virtual redistributor");
    BOOST_TEST(b.r.gicd_rd(0, GICD_IROUTER + 8 * 40, 8) == 1u);

    a.rec.kicks.clear();
    b.rec.kicks.clear();
    const std::vector<std::uint64_t> ta = vm_later(a), tb = vm_later(b);
    BOOST_TEST(ta == tb, boost::test_tools::per_element());
    BOOST_TEST(a.rec.kicks == b.rec.kicks, boost::test_tools::per_element());
    expect_same(observe(a.vm, kVmLines), observe(b.vm, kVmLines));
    BOOST_TEST(takers(tb, 43) == std::vector<unsigned>{0});
    BOOST_TEST(takers(tb, 40) == std::vector<unsigned>{1});
    BOOST_TEST(takers(tb, 5) == std::vector<unsigned>{1});
    BOOST_TEST(takers(tb, 41).size() == 1u);
    BOOST_TEST(save_snapshot(a.vm) == save_snapshot(b.vm));
}

BOOST_AUTO_TEST_CASE(other_gic_version_is_refused) {
    HwRig src;
    make_busy_hw(src);
    const std::string v3doc = save_snapshot(src.gic);
    GicConfig v2c = v3_config(4);
    v2c.version = GicVersion::V2;
    Gic v2(v2c);
    Lines v2lines;
    v2.set_observer(&v2lines);
    BOOST_TEST_REQUIRE(v2.write_distributor(0, GICD_CTLR, 4, 1).ok());
    const std::string v2doc = save_snapshot(v2);
    BOOST_TEST(v2doc.rfind("{\n  \"format\": \"vgic-snapshot\",\n  \"version\": 1,\n", 0) == 0u, "GICv2: still version 1");
    BOOST_TEST(v2doc.find("\"irouter\"") == std::string::npos);
    expect_refused(v2, v2lines.events, v3doc, "snapshot: configuration differs: version is v3 in the document, v2 in this GIC");
    HwRig target;
    target.r.linux_init(4);
    expect_refused(target.gic, target.lines.events, v2doc,
                   "snapshot: configuration differs: version is v2 in the document, v3 in this GIC");
    // Version 2 also carries GICv2 content: config.version "v2", otherwise the version 1 layout.
    std::string v2as2 = edit(v2doc, "\"version\"", "1", "2");
    expect_refused(v2, v2lines.events, v2as2, "snapshot: /config: missing field 'version'");
    v2as2 = edit(v2as2, "\"config\": {", "\"num_cpus\"", "\"version\": \"v2\", \"num_cpus\"");
    Gic fresh(v2c);
    restore_snapshot(fresh, v2as2);
    BOOST_TEST(save_snapshot(fresh) == v2doc, "read as version 2, written back as version 1");

    VmRig vsrc;
    make_busy_vm(vsrc);
    GicConfig v2vc = v3_config(3);
    v2vc.version = GicVersion::V2;
    VmGic v2vm(v2vc);
    test::VmRecorder rec;
    v2vm.set_observer(&rec);
    expect_refused(v2vm, rec.kicks, save_snapshot(vsrc.vm),
                   "snapshot: configuration differs: version is v3 in the document, v2 in this GIC");
}

BOOST_AUTO_TEST_CASE(corrupt_gicv3_documents_are_refused_and_change_nothing) {
    HwRig src;
    make_busy_hw(src);
    const std::string doc = save_snapshot(src.gic);
    HwRig t;  // a target with other state
    t.r.linux_init(4);
    t.r.spi(50, 0x40, 1, false);
    t.gic.set_spi_level(50, true);
    auto& ev = t.lines.events;
    const std::string spi40 = "{\"intid\": 40,", spi41 = "{\"intid\": 41,";  // /distributor/spis/8, /9

    // A version 2 document labelled version 1: version 1 has no config.version.
    expect_refused(t.gic, ev, edit(doc, "\"version\"", "2", "1"),
                   "snapshot: /config/version: format version 1 has no config.version (it holds GICv2 state only; a "
                   "document with config.version is version 2)");
    expect_refused(t.gic, ev, edit(doc, "\"version\"", "2", "3"),
                   "snapshot: format 'vgic-snapshot' version 3 not supported (this build reads versions 1 and 2)");
    expect_refused(t.gic, ev, edit(doc, "\"config\"", "\"v3\"", "\"v4\""),
                   "snapshot: /config/version: expected \"v2\" or \"v3\", got \"v4\"");
    // IHI 0069 GICD_IROUTER<n>: bits [30:24] and [63:40] are RES0.
    expect_refused(t.gic, ev, edit(doc, spi40, "\"0x0000000000000002\"", "\"0x0000000001000002\""),
                   "snapshot: /distributor/spis/8/irouter: INTID 40: 0x0000000001000002 sets RES0 bits 0x0000000001000000");
    expect_refused(t.gic, ev, edit(doc, spi40, "\"0x0000000000000002\"", "\"0x0000010000000002\""),
                   "snapshot: /distributor/spis/8/irouter: INTID 40: 0x0000010000000002 sets RES0 bits 0x0000010000000000");
    // 1-of-N: a CPU that does not exist, a CPU number out of the field's range, IRM = 0.
    const std::string chosen41 = "\"chosen\": " + std::to_string(chosen_in(doc, 41));
    expect_refused(t.gic, ev, edit(doc, spi41, chosen41, "\"chosen\": 9"),
                   "snapshot: /distributor/spis/9/chosen: INTID 41: 9 is not a CPU (num_cpus 4)");
    expect_refused(t.gic, ev, edit(doc, spi41, chosen41, "\"chosen\": 70000"),
                   "snapshot: /distributor/spis/9/chosen: expected null or an integer 0..65534, got 70000");
    expect_refused(t.gic, ev, edit(doc, spi40, "\"chosen\": null", "\"chosen\": 2"),
                   "snapshot: /distributor/spis/8/chosen: INTID 40: only an SPI with GICD_IROUTER.IRM = 1 is chosen 1-of-N");
    expect_refused(t.gic, ev, edit(doc, spi41, chosen41, "\"chosen\": 3"),
                   "snapshot: /distributor/spis/9/chosen: INTID 41: CPU 3 does not participate in 1-of-N for its group "
                   "(asleep, or GICR_CTLR.DPG set)");
    // ITARGETSR does not exist in a GICv3 document.
    expect_refused(t.gic, ev, edit(doc, spi40, "\"irouter\"", "\"targets\": \"0x01\", \"irouter\""),
                   "snapshot: /distributor/spis/8: unknown field \"targets\"");
    // IHI 0069 ICH_LR<n>_EL2: bits [58:56] are RES0.
    const std::uint64_t lr = lr3(77, 0xA0, kPending);
    expect_refused(t.gic, ev, edit(doc, "\"cpu\": 3,", hex_string(lr, 16), hex_string(lr | bit(56), 16)),
                   "snapshot: /cpus/3/gich/lrs/0: " + hex_string(lr | bit(56), 16) +
                       " sets RES0 bits 0x0100000000000000 (with HW=0)");
    expect_refused(t.gic, ev, edit(doc, "\"cpu\": 3,", "\"ap1r\": [\"0x00040000\"", "\"ap1r\": [\"0x00040000\", \"0x0\""),
                   "snapshot: /cpus/3/gich/ap1r: expected 4 entries (ICH_AP1R0-3_EL2), got 5");
    expect_refused(t.gic, ev, edit(doc, "\"cpu\": 3,", "\"ap1r\"", "\"apr\": \"0x0\", \"ap1r\""),
                   "snapshot: /cpus/3/gich: unknown field \"apr\"");
    // GICR_WAKER: only ProcessorSleep is state.
    expect_refused(t.gic, ev, edit(doc, "\"redistributors\"", "\"waker\": \"0x00000002\"", "\"waker\": \"0x00000001\""),
                   "snapshot: /distributor/redistributors/3/waker: 0x00000001 sets bits other than ProcessorSleep");
    const std::size_t irm = doc.find("\"irm_next\": ") + 12;
    expect_refused(t.gic, ev, doc.substr(0, irm) + "4" + doc.substr(doc.find(',', irm)),
                   "snapshot: /distributor/irm_next: 4 is not a CPU (num_cpus 4)");
    expect_refused(t.gic, ev, doc.substr(0, irm) + "65536" + doc.substr(doc.find(',', irm)),
                   "snapshot: /distributor/irm_next: expected an integer 0..65535, got 65536");
    // The intact document is accepted.
    restore_snapshot(t.gic, doc);
    BOOST_TEST(save_snapshot(t.gic) == doc);
}

BOOST_AUTO_TEST_SUITE_END()
