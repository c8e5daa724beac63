// SPDX-License-Identifier: Apache-2.0
// Reset (issue 17 item 4, the model's part): Gic::reset(), VmGic::reset(), the components'
// reset() and GenericTimer::reset(). docs/MODEL.md "Reset".
//
// Every case brings a model into a busy state (realistic bring-up and traffic, or random
// register traffic), checks that this state differs from a freshly constructed model's, resets
// it in the middle of that traffic, and then checks:
//  - the snapshot (save_snapshot) equals a fresh model's with the same configuration (the
//    diagnostics counters and the engine's statistics, which reset() keeps, made equal first);
//  - every output line that was high fell, reported once through the observer, nothing else
//    was reported (no kick, no wake) and no line is high;
//  - the architectural reset values (IHI 0048B, IHI 0069) read back: GICD_CTLR 0 (GICv3 with
//    DS = 1: ARE and DS RAO, 0x50), GICC_CTLR 0, GICC_PMR 0, GICH_HCR 0, every LR 0, ELRSR all
//    free, IAR 1023 on every (v)CPU, nothing pending or active;
//  - the old interrupts are gone (after a new bring-up IAR still reads 1023) and a new one is
//    delivered normally; an input line still high must be re-applied (the model forgot it);
//  - what the snapshot does not show (eligibility queues, 1-of-N lists, LR summary masks, the
//    engine's flags) is right too: the reset model and the fresh one then run the same traffic
//    and must report the same line changes, kicks and register values, and end in the same
//    snapshot.
// For GICv2 and GICv3, hw mode (Gic) and vm mode (VmGic), 1 and 4 (v)CPUs.
//
// Register offsets and layouts are written out from Arm IHI 0048B (GICv2) and IHI 0069
// (GICv3) here; only the system-register encodings come from gicv3_regs.hpp.
#include "vgic/model/distributor.hpp"
#include "vgic/model/generic_timer.hpp"
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/model/snapshot.hpp"
#include "vgic/model/vm_gic.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

using namespace vgic;
namespace sr = vgic::gicv3::sysreg;

namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }
constexpr std::uint32_t kSpurious = 1023;

// ---- GICv2 (IHI 0048B 4.1, 5.3) -----------------------------------------------------------------
namespace v2 {
constexpr std::uint32_t GICD_CTLR = 0x000, GICD_IGROUPR = 0x080, GICD_ISENABLER = 0x100, GICD_ICENABLER = 0x180,
                        GICD_ISPENDR = 0x200, GICD_ICPENDR = 0x280, GICD_ISACTIVER = 0x300, GICD_ICACTIVER = 0x380,
                        GICD_IPRIORITYR = 0x400, GICD_ITARGETSR = 0x800, GICD_ICFGR = 0xC00, GICD_SGIR = 0xF00;
constexpr std::uint32_t GICC_CTLR = 0x00, GICC_PMR = 0x04, GICC_BPR = 0x08, GICC_IAR = 0x0C, GICC_EOIR = 0x10,
                        GICC_RPR = 0x14, GICC_HPPIR = 0x18, GICC_ABPR = 0x1C, GICC_AIAR = 0x20, GICC_AEOIR = 0x24,
                        GICC_APR0 = 0xD0, GICC_NSAPR0 = 0xE0, GICC_DIR = 0x1000;
// GICC_CTLR without the Security Extensions: EnableGrp0 [0], EnableGrp1 [1], AckCtl [2], FIQEn [3].
constexpr std::uint32_t CTLR_Grp0 = 1, CTLR_Grp1 = 2, CTLR_AckCtl = 4, CTLR_FIQEn = 8;
constexpr std::uint32_t GICH_HCR = 0x00, GICH_VMCR = 0x08, GICH_MISR = 0x10, GICH_EISR0 = 0x20,
                        GICH_ELRSR0 = 0x30, GICH_APR = 0xF0, GICH_LR0 = 0x100;
constexpr std::uint32_t HCR_En = 1;
// GICH_VMCR: VMGrp0En [0], VMGrp1En [1], VMPriMask [31:27].
constexpr std::uint32_t VMCR_Grp0 = 1, VMCR_PriMask_F8 = 0x1Fu << 27;
// GICH_LR: VirtualID [9:0], EOI [19] (HW = 0), Priority [27:23] (priority[7:3]), State [29:28],
// Grp1 [30], HW [31].
constexpr std::uint32_t LR_Pending = 1, LR_Active = 2;
std::uint32_t lr(std::uint32_t vintid, std::uint8_t prio, std::uint32_t state) {
    return vintid | (std::uint32_t{prio} >> 3 << 23) | (state << 28);
}
constexpr std::uint32_t LR_EOI = 1u << 19;
} // namespace v2

// ---- GICv3 (IHI 0069 12.9-12.11, ICH_LR<n>_EL2, ICC_SGI1R_EL1) -----------------------------------
namespace v3 {
constexpr std::uint32_t GICD_CTLR = 0x0000, GICD_IGROUPR = 0x0080, GICD_ISENABLER = 0x0100,
                        GICD_ICENABLER = 0x0180, GICD_ISPENDR = 0x0200, GICD_ICPENDR = 0x0280,
                        GICD_ISACTIVER = 0x0300, GICD_ICACTIVER = 0x0380, GICD_IPRIORITYR = 0x0400,
                        GICD_ICFGR = 0x0C00, GICD_IROUTER = 0x6000;
constexpr std::uint32_t GICD_CTLR_ARE_DS = (1u << 4) | (1u << 6);  // RAO/WI with DS = 1
constexpr std::uint64_t IROUTER_IRM = bit(31);
constexpr std::uint32_t kGicrStride = 0x20000, kSgiBase = 0x10000;
constexpr std::uint32_t GICR_CTLR = 0x0000, GICR_WAKER = 0x0014;
constexpr std::uint32_t GICR_IGROUPR0 = kSgiBase + 0x0080, GICR_ISENABLER0 = kSgiBase + 0x0100,
                        GICR_ICENABLER0 = kSgiBase + 0x0180, GICR_ISPENDR0 = kSgiBase + 0x0200,
                        GICR_ICPENDR0 = kSgiBase + 0x0280, GICR_ISACTIVER0 = kSgiBase + 0x0300,
                        GICR_ICACTIVER0 = kSgiBase + 0x0380, GICR_IPRIORITYR = kSgiBase + 0x0400,
                        GICR_ICFGR1 = kSgiBase + 0x0C04;
constexpr std::uint32_t WAKER_Asleep = (1u << 1) | (1u << 2);  // ProcessorSleep, ChildrenAsleep
// ICH_LR<n>_EL2: vINTID [31:0], EOI [41] (HW = 0), Priority [55:48], Group [60], State [63:62].
constexpr unsigned LR_Pending = 1, LR_Active = 2;
std::uint64_t lr(std::uint32_t vintid, std::uint8_t prio, unsigned state) {
    return std::uint64_t{vintid} | (std::uint64_t{prio} << 48) | bit(60) | (std::uint64_t{state} << 62);
}
constexpr std::uint64_t LR_EOI = bit(41);
// ICH_HCR_EL2.En [0]; ICH_VMCR_EL2: VENG1 [1], VFIQEn [3], VPMR [31:24].
constexpr std::uint64_t HCR_En = 1, VMCR_Eng1_Pmr_F0 = (0xF0ull << 24) | bit(3) | bit(1);
// ICC_SGI1R_EL1: TargetList [15:0], INTID [27:24], IRM [40].
std::uint64_t sgi1r(std::uint32_t intid, std::uint16_t targets) { return targets | (std::uint64_t{intid} << 24); }
constexpr std::uint64_t SGIR_IRM = bit(40);
} // namespace v3

// ---- configurations -------------------------------------------------------------------------------

GicConfig config(GicVersion version, unsigned cpus) {
    GicConfig c;
    c.version = version;
    c.num_cpus = cpus;
    c.num_spis = 64;
    c.priority_bits = 5;
    c.virt.enabled = true;
    c.virt.num_list_regs = 4;
    c.virt.priority_bits = 5;
    c.virt.preemption_bits = 5;
    return c;
}

// ---- recording observer -----------------------------------------------------------------------------

struct Event {
    char kind;  // 'L' line, 'K' kick, 'W' wake, 'R' list registers changed, 'D' physical deactivate
    unsigned cpu;
    unsigned what;  // Line, or the virtual INTID
    unsigned level;
    bool operator==(const Event& o) const { return std::tie(kind, cpu, what, level) == std::tie(o.kind, o.cpu, o.what, o.level); }
    bool operator<(const Event& o) const { return std::tie(kind, cpu, what, level) < std::tie(o.kind, o.cpu, o.what, o.level); }
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
    os << e.kind << " cpu" << e.cpu << ' ';
    if (e.kind == 'L') return os << to_string(static_cast<Line>(e.what)) << '=' << e.level;
    return os << e.what;
}

/// Serves as the LineObserver of a Gic and the VmObserver of a VmGic.
class Recorder final : public VmObserver {
public:
    void line_changed(unsigned cpu, Line line, bool level) override {
        events.push_back({'L', cpu, static_cast<unsigned>(line), level ? 1u : 0u});
    }
    void kick(unsigned vcpu) override { events.push_back({'K', vcpu, 0, 0}); }
    void pending_while_stopped(unsigned vcpu) override { events.push_back({'W', vcpu, 0, 0}); }
    void list_registers_changed(unsigned vcpu) override { events.push_back({'R', vcpu, 0, 0}); }
    void physical_deactivate(unsigned vcpu, std::uint32_t vintid, std::uint32_t) override {
        events.push_back({'D', vcpu, vintid, 0});
    }
    std::vector<Event> events;
};

template <class G>
constexpr bool kVm = std::is_same_v<G, VmGic>;

template <class G>
std::vector<Line> lines_of() {
    if constexpr (kVm<G>) return {Line::VIrq, Line::VFiq, Line::Maintenance};
    else return {Line::Irq, Line::Fiq, Line::VIrq, Line::VFiq, Line::Maintenance};
}

/// The (cpu, line) pairs that are high now.
template <class G>
std::vector<Event> high_lines(const G& g) {
    std::vector<Event> out;
    for (unsigned cpu = 0; cpu < g.config().num_cpus; ++cpu)
        for (Line l : lines_of<G>())
            if (g.line(cpu, l)) out.push_back({'L', cpu, static_cast<unsigned>(l), 1});
    return out;
}

// ---- register access over Gic or VmGic ----------------------------------------------------------------
//
// The same names for both: `gicd`/`gicr` go to the (virtual) distributor, `cpuif` to GICC (hw)
// or GICV (vm: the guest's CPU interface), `gicv` to GICV (both), `gich` to GICH (hw only),
// `msr`/`mrs` to the system registers (hw: ICC_/ICH_; vm: the guest's ICV_ view).

template <class G>
struct Regs {
    G& g;
    void gicd(unsigned cpu, std::uint32_t off, std::uint64_t v, unsigned size = 4) {
        BOOST_TEST_REQUIRE(g.write_distributor(cpu, off, size, v).ok(), "GICD write 0x" << std::hex << off);
    }
    std::uint64_t gicd_rd(unsigned cpu, std::uint32_t off, unsigned size = 4) {
        const AccessResult r = g.read_distributor(cpu, off, size, AccessMode::Debug);
        BOOST_TEST_REQUIRE(r.ok(), "GICD read 0x" << std::hex << off);
        return r.value;
    }
    void gicr(unsigned cpu, std::uint32_t off, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_redistributor(cpu, cpu * v3::kGicrStride + off, 4, v).ok(),
                           "GICR write 0x" << std::hex << off);
    }
    std::uint64_t gicr_rd(unsigned cpu, std::uint32_t off) {
        const AccessResult r = g.read_redistributor(cpu, cpu * v3::kGicrStride + off, 4, AccessMode::Debug);
        BOOST_TEST_REQUIRE(r.ok(), "GICR read 0x" << std::hex << off);
        return r.value;
    }
    void cpuif(unsigned cpu, std::uint32_t off, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_cpu_interface(cpu, off, 4, v).ok(), "CPU interface write 0x" << std::hex << off);
    }
    std::uint64_t cpuif_rd(unsigned cpu, std::uint32_t off, AccessMode mode = AccessMode::Debug) {
        const AccessResult r = g.read_cpu_interface(cpu, off, 4, mode);
        BOOST_TEST_REQUIRE(r.ok(), "CPU interface read 0x" << std::hex << off);
        return r.value;
    }
    void msr(unsigned cpu, std::uint32_t enc, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_sysreg(cpu, enc, v).ok(), "MSR 0x" << std::hex << enc << " on CPU " << std::dec << cpu);
    }
    std::uint64_t mrs(unsigned cpu, std::uint32_t enc, AccessMode mode = AccessMode::Normal) {
        const AccessResult r = g.read_sysreg(cpu, enc, mode);
        BOOST_TEST_REQUIRE(r.ok(), "MRS 0x" << std::hex << enc << " on CPU " << std::dec << cpu);
        return r.value;
    }
    // hw mode only
    void gich(unsigned cpu, std::uint32_t off, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_hyp_control(cpu, off, 4, v).ok(), "GICH write 0x" << std::hex << off);
    }
    std::uint64_t gich_rd(unsigned cpu, std::uint32_t off) {
        const AccessResult r = g.read_hyp_control(cpu, off, 4, AccessMode::Debug);
        BOOST_TEST_REQUIRE(r.ok(), "GICH read 0x" << std::hex << off);
        return r.value;
    }
    std::uint64_t gicv_rd(unsigned cpu, std::uint32_t off, AccessMode mode = AccessMode::Debug) {
        const AccessResult r = g.read_virtual_cpu_interface(cpu, off, 4, mode);
        BOOST_TEST_REQUIRE(r.ok(), "GICV read 0x" << std::hex << off);
        return r.value;
    }
    void gicv(unsigned cpu, std::uint32_t off, std::uint64_t v) {
        BOOST_TEST_REQUIRE(g.write_virtual_cpu_interface(cpu, off, 4, v).ok(), "GICV write 0x" << std::hex << off);
    }
    void pulse(std::uint32_t spi) {
        g.set_spi_level(spi, true);
        g.set_spi_level(spi, false);
    }
};

// ---- realistic traffic ----------------------------------------------------------------------------------
//
// Each returns a trace of what it observed (IAR values), so the reset model and a fresh one
// can be compared after the same traffic, and asserts what the architecture makes certain
// (which INTID an IAR returns): a new interrupt after a reset is delivered normally.

/// The hypervisor's wiring, made on the busy model before its traffic and on every fresh model
/// it is compared with: vm mode HW-maps each vCPU's virtual timer PPI 27 (as VirtualTimer does).
template <class G>
void wire(G& g) {
    if constexpr (kVm<G>)
        for (unsigned v = 0; v < g.config().num_cpus; ++v) g.map_hw(v, 27, 27);
    else (void)g;
}

/// GICv2 hw mode: Linux-like bring-up; SPI 32 level held high and acknowledged (active and
/// pending), SPI 33 edge acknowledged on the last CPU, SPI 34 Group 1 pending, SGI 3 to every
/// CPU (FIQ on CPU 0, which has FIQEn), and on every CPU's virtual interface: a pending LR
/// (vIRQ), an active one, one acknowledged by the guest, and an invalid LR with EOI = 1 (EOI
/// maintenance interrupt); one bad access.
std::vector<std::uint64_t> busy_hw_v2(Gic& g) {
    using namespace v2;
    Regs<Gic> r{g};
    const unsigned n = g.config().num_cpus;
    const unsigned last = n - 1;
    std::vector<std::uint64_t> trace;
    r.gicd(0, GICD_CTLR, 3);
    for (unsigned c = 0; c < n; ++c) {
        r.cpuif(c, GICC_PMR, 0xF0);
        r.cpuif(c, GICC_BPR, 3);
        r.cpuif(c, GICC_CTLR, CTLR_Grp0 | CTLR_Grp1 | CTLR_AckCtl | (c == 0 ? CTLR_FIQEn : 0));
        r.gicd(c, GICD_ISENABLER, 0xFFFF);  // SGIs
    }
    r.gicd(0, GICD_IGROUPR + 4, bit(34 - 32));
    for (std::uint32_t id : {32u, 33u, 34u}) r.gicd(0, GICD_IPRIORITYR + id, id == 33 ? 0x40 : id == 32 ? 0x80 : 0x90, 1);
    r.gicd(0, GICD_ITARGETSR + 32, 1, 1);  // RAZ/WI with one CPU: architecturally OK
    r.gicd(0, GICD_ITARGETSR + 33, 1u << last, 1);
    r.gicd(0, GICD_ITARGETSR + 34, 1, 1);
    r.gicd(0, GICD_ICFGR + 8, (2u << 2) | (2u << 4));  // 33, 34 edge
    r.gicd(0, GICD_ISENABLER + 4, 0x7);
    g.set_spi_level(32, true);
    r.pulse(33);
    r.pulse(34);
    if (last != 0) trace.push_back(r.cpuif_rd(0, GICC_IAR, AccessMode::Normal));
    trace.push_back(r.cpuif_rd(last, GICC_IAR, AccessMode::Normal));
    BOOST_TEST_REQUIRE(trace.back() == 33u, "SPI 33 (0x40) is CPU " << last << "'s best");
    if (last != 0) {
        BOOST_TEST_REQUIRE(trace.front() == 32u);
    } else {
        trace.push_back(r.cpuif_rd(0, GICC_IAR, AccessMode::Normal));  // 32 preempts nothing: stays
    }
    // SGI 3 (priority 0) to every CPU: TargetListFilter 0, CPUTargetList [23:16], INTID [3:0].
    r.gicd(0, GICD_SGIR, (((1u << n) - 1) << 16) | 3);
    for (unsigned c = 0; c < n; ++c) {
        r.gich(c, GICH_VMCR, VMCR_Grp0 | VMCR_PriMask_F8);
        r.gich(c, GICH_HCR, HCR_En);
        r.gich(c, GICH_LR0, lr(77, 0x50, LR_Pending));
        r.gich(c, GICH_LR0 + 4, lr(78, 0x60, LR_Active));
        r.gich(c, GICH_LR0 + 8, lr(79, 0x30, LR_Pending));
        r.gich(c, GICH_LR0 + 12, lr(80, 0x70, 0) | LR_EOI);
    }
    trace.push_back(r.gicv_rd(0, GICC_IAR, AccessMode::Normal));
    BOOST_TEST_REQUIRE(trace.back() == 79u, "GICV_IAR: the best LR");
    BOOST_TEST(g.read_distributor(0, 0x010, 4).ok() == false);  // reserved: a bad access
    return trace;
}

/// GICv3 hw mode: Linux irq-gic-v3.c bring-up (redistributors woken), SPI 40 level held high
/// routed to the last CPU, SPI 41 1-of-N, SPI 42 acknowledged on CPU 0 (active, AP1R0 bit),
/// SGI 5 to every other CPU (IRM = 1) and to CPU 0, a pending / EOI-maintenance LR set on
/// every CPU, the last CPU's EL1 accesses routed to ICV_ (HCR_EL2.IMO/FMO) and its guest
/// acknowledging an LR; one bad access.
std::vector<std::uint64_t> busy_hw_v3(Gic& g) {
    using namespace v3;
    Regs<Gic> r{g};
    const unsigned n = g.config().num_cpus;
    const unsigned last = n - 1;
    std::vector<std::uint64_t> trace;
    r.gicd(0, GICD_CTLR, 0);
    for (std::uint32_t w = 1; w < 3; ++w) r.gicd(0, GICD_IGROUPR + 4 * w, 0xFFFFFFFF);
    r.gicd(0, GICD_CTLR, 0x13);
    for (unsigned c = 0; c < n; ++c) {
        r.gicr(c, GICR_WAKER, 0);
        r.gicr(c, GICR_IGROUPR0, 0xFFFFFFFF);
        for (std::uint32_t k = 0; k < 8; ++k) r.gicr(c, GICR_IPRIORITYR + 4 * k, 0xA0A0A0A0);
        r.gicr(c, GICR_ISENABLER0, 0xFFFF);
        r.msr(c, sr::ICC_PMR_EL1, 0xF0);
        r.msr(c, sr::ICC_BPR1_EL1, 0);
        r.msr(c, sr::ICC_IGRPEN1_EL1, 1);
    }
    const auto spi = [&](std::uint32_t id, std::uint8_t prio, std::uint64_t irouter, bool edge) {
        r.gicd(0, GICD_IPRIORITYR + id, prio, 1);
        const std::uint32_t cfg = GICD_ICFGR + (id / 16) * 4;
        const auto old = static_cast<std::uint32_t>(r.gicd_rd(0, cfg));
        const std::uint32_t e = 2u << (2 * (id % 16));
        r.gicd(0, cfg, edge ? (old | e) : (old & ~e));
        r.gicd(0, GICD_IROUTER + 8 * id, irouter, 8);
        r.gicd(0, GICD_ISENABLER + (id / 32) * 4, bit(id % 32));
    };
    spi(40, 0x80, last, false);
    g.set_spi_level(40, true);
    spi(41, 0xB0, IROUTER_IRM, true);
    r.pulse(41);
    spi(42, 0x60, 0, true);
    r.pulse(42);
    trace.push_back(r.mrs(0, sr::ICC_IAR1_EL1));
    BOOST_TEST_REQUIRE(trace.back() == 42u);
    r.msr(0, sr::ICC_SGI1R_EL1, sgi1r(5, 1) | (n > 1 ? SGIR_IRM : 0));  // IRM: all but CPU 0
    if (n > 1) r.msr(0, sr::ICC_SGI1R_EL1, sgi1r(5, 1));                 // and CPU 0 itself
    for (unsigned c = 0; c < n; ++c) {
        r.msr(c, sr::ICH_VMCR_EL2, VMCR_Eng1_Pmr_F0);
        r.msr(c, sr::ICH_HCR_EL2, HCR_En);
        r.msr(c, sr::ich_lr(0), lr(77, 0xA0, LR_Pending));
        r.msr(c, sr::ich_lr(1), lr(78, 0x90, LR_Pending));
        r.msr(c, sr::ich_lr(2), lr(79, 0x90, LR_Active));
        r.msr(c, sr::ich_lr(3), lr(80, 0xB0, 0) | LR_EOI);
    }
    g.set_virtual_routing(last, true, true);
    trace.push_back(r.mrs(last, sr::ICC_IAR1_EL1));  // ICV_IAR1_EL1
    BOOST_TEST_REQUIRE(trace.back() == 78u, "ICV_IAR1_EL1: the best LR");
    BOOST_TEST(g.read_sysreg(0, 0).ok() == false);  // no such register: a bad access
    return trace;
}

/// GICv2 vm mode: the guest's bring-up; 8 edge SPIs for vCPU 0 (more than its 4 LRs: overflow),
/// one acknowledged and left active; SGI 2 to every vCPU; the HW-mapped PPI 27 high on every
/// vCPU; the last vCPU (with several) descheduled and woken by an SPI; SPI 42's line held high;
/// a kick left pending on vCPU 0 (SPI 41, better than its LRs); one bad access.
std::vector<std::uint64_t> busy_vm_v2(VmGic& g) {
    using namespace v2;
    Regs<VmGic> r{g};
    const unsigned n = g.config().num_cpus;
    const unsigned last = n - 1;
    std::vector<std::uint64_t> trace;
    r.gicd(0, GICD_CTLR, 1);
    for (unsigned v = 0; v < n; ++v) {
        r.cpuif(v, GICC_PMR, 0xFF);
        r.cpuif(v, GICC_CTLR, CTLR_Grp0);
        r.gicd(v, GICD_ISENABLER, 0xFFFF | bit(27));
        r.gicd(v, GICD_IPRIORITYR + 24, 0x50505050);  // PPIs 24-27
    }
    for (std::uint32_t id = 32; id < 40; ++id) {
        r.gicd(0, GICD_IPRIORITYR + id, 0xA0 - 8 * (id - 32), 1);
        r.gicd(0, GICD_ITARGETSR + id, 1, 1);
    }
    r.gicd(0, GICD_IPRIORITYR + 40, 0x40, 1);
    r.gicd(0, GICD_ITARGETSR + 40, 1u << last, 1);
    r.gicd(0, GICD_IPRIORITYR + 41, 0x10, 1);
    r.gicd(0, GICD_ITARGETSR + 41, 1, 1);
    r.gicd(0, GICD_ICFGR + 8, 0xAAAAAAAA);  // SPIs 32-47 edge
    r.gicd(0, GICD_ISENABLER + 4, 0x3FF);
    for (unsigned v = 0; v < n; ++v) g.vcpu_entry(v);
    for (std::uint32_t id = 32; id < 40; ++id) r.pulse(id);
    g.service_kicks();
    BOOST_TEST_REQUIRE(g.distributor().in_flight(0) > 0, "more in flight than LRs");
    trace.push_back(r.cpuif_rd(0, GICC_IAR, AccessMode::Normal));
    BOOST_TEST_REQUIRE(trace.back() == 39u, "GICV_IAR: the highest-priority SPI");
    r.gicd(0, GICD_SGIR, (((1u << n) - 1) << 16) | 2);
    for (unsigned v = 0; v < n; ++v) g.set_ppi_level(v, 27, true);
    g.service_kicks();
    if (n > 1) {
        g.vcpu_exit(last);
        r.pulse(40);  // wakes the descheduled vCPU
    }
    g.set_spi_level(42, true);  // a line held high (not enabled): forgotten by the reset
    r.pulse(41);                // better than vCPU 0's LRs: a kick, left unserviced
    BOOST_TEST_REQUIRE(g.kick_pending(0));
    BOOST_TEST(g.read_distributor(0, 0x010, 4).ok() == false);
    return trace;
}

/// GICv3 vm mode: the same story through the guest's GICD/GICR and ICV_ system registers; SGI 3
/// to every other vCPU (IRM) and to vCPU 0.
std::vector<std::uint64_t> busy_vm_v3(VmGic& g) {
    using namespace v3;
    Regs<VmGic> r{g};
    const unsigned n = g.config().num_cpus;
    const unsigned last = n - 1;
    std::vector<std::uint64_t> trace;
    r.gicd(0, GICD_CTLR, 0x2);
    for (std::uint32_t w = 1; w < 3; ++w) r.gicd(0, GICD_IGROUPR + 4 * w, 0xFFFFFFFF);
    for (unsigned v = 0; v < n; ++v) {
        r.gicr(v, GICR_IGROUPR0, 0xFFFFFFFF);
        for (std::uint32_t k = 0; k < 8; ++k) r.gicr(v, GICR_IPRIORITYR + 4 * k, 0x50505050);
        r.gicr(v, GICR_ISENABLER0, 0xFFFF | bit(27));
        r.msr(v, sr::ICC_PMR_EL1, 0xF0);
        r.msr(v, sr::ICC_IGRPEN1_EL1, 1);
    }
    for (std::uint32_t id = 32; id < 40; ++id) {
        r.gicd(0, GICD_IPRIORITYR + id, 0xA0 - 8 * (id - 32), 1);
        r.gicd(0, GICD_IROUTER + 8 * id, 0, 8);
    }
    r.gicd(0, GICD_IPRIORITYR + 40, 0x40, 1);
    r.gicd(0, GICD_IROUTER + 8 * 40, last, 8);
    r.gicd(0, GICD_IPRIORITYR + 41, 0x10, 1);
    r.gicd(0, GICD_IROUTER + 8 * 41, 0, 8);
    r.gicd(0, GICD_ICFGR + 8, 0xAAAAAAAA);
    r.gicd(0, GICD_ISENABLER + 4, 0x3FF);
    for (unsigned v = 0; v < n; ++v) g.vcpu_entry(v);
    for (std::uint32_t id = 32; id < 40; ++id) r.pulse(id);
    g.service_kicks();
    BOOST_TEST_REQUIRE(g.distributor().in_flight(0) > 0, "more in flight than LRs");
    trace.push_back(r.mrs(0, sr::ICC_IAR1_EL1));
    BOOST_TEST_REQUIRE(trace.back() == 39u, "ICV_IAR1_EL1: the highest-priority SPI");
    r.msr(0, sr::ICC_SGI1R_EL1, sgi1r(3, 1) | (n > 1 ? SGIR_IRM : 0));
    if (n > 1) r.msr(0, sr::ICC_SGI1R_EL1, sgi1r(3, 1));
    for (unsigned v = 0; v < n; ++v) g.set_ppi_level(v, 27, true);
    g.service_kicks();
    if (n > 1) {
        g.vcpu_exit(last);
        r.pulse(40);
    }
    g.set_spi_level(42, true);
    r.pulse(41);
    BOOST_TEST_REQUIRE(g.kick_pending(0));
    BOOST_TEST(g.read_sysreg(0, 0).ok() == false);
    return trace;
}

template <class G>
std::vector<std::uint64_t> busy(G& g) {
    if constexpr (kVm<G>) return g.config().is_v3() ? busy_vm_v3(g) : busy_vm_v2(g);
    else return g.config().is_v3() ? busy_hw_v3(g) : busy_hw_v2(g);
}

// ---- random traffic -----------------------------------------------------------------------------------
//
// Legal-width accesses to the registers that hold state, with random values (bad accesses and
// guest errors included: they are counted), input lines, and in vm mode the world switch.

struct Rng {
    std::mt19937 gen;
    unsigned below(unsigned n) { return std::uniform_int_distribution<unsigned>(0, n - 1)(gen); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(gen()); }
    /// Mostly sparse values, so enables and pendings do not all flip on at once.
    std::uint32_t sparse() { return u32() & u32() & u32(); }
    template <class T, std::size_t N>
    T pick(const T (&a)[N]) { return a[below(N)]; }
};

void random_gicd_v2(Rng& x, const std::function<void(std::uint32_t, std::uint32_t, unsigned)>& wr, unsigned cpus) {
    using namespace v2;
    const std::uint32_t words[] = {GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR,
                                   GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER};
    switch (x.below(6)) {
    case 0: wr(GICD_CTLR, x.below(4), 4); break;
    case 1: wr(x.pick(words) + 4 * x.below(3), x.sparse(), 4); break;
    case 2: wr(GICD_IPRIORITYR + x.below(96), x.u32() & 0xFF, 1); break;
    case 3: wr(GICD_ITARGETSR + 32 + x.below(64), x.below(1u << cpus), 1); break;
    case 4: wr(GICD_ICFGR + 4 + 4 * x.below(5), x.sparse(), 4); break;
    default: wr(GICD_SGIR, (x.below(3) << 24) | (x.below(1u << cpus) << 16) | x.below(16), 4); break;
    }
}

void random_cpuif_v2(Rng& x, const std::function<void(std::uint32_t, std::uint32_t)>& wr,
                     const std::function<void(std::uint32_t)>& rd, unsigned cpus) {
    using namespace v2;
    const std::uint32_t eoi = x.below(100) | (x.below(cpus) << 10);
    switch (x.below(8)) {
    case 0: wr(GICC_CTLR, x.u32() & 0x21F); break;
    case 1: wr(GICC_PMR, x.u32() & 0xFF); break;
    case 2: wr(x.below(2) ? GICC_BPR : GICC_ABPR, x.below(8)); break;
    case 3: wr(x.below(2) ? GICC_EOIR : GICC_AEOIR, eoi); break;
    case 4: wr(GICC_DIR, eoi); break;
    case 5: rd(GICC_AIAR); break;
    default: rd(GICC_IAR); break;
    }
}

void random_hw_v2(Gic& g, Rng& x, unsigned ops) {
    const unsigned cpus = g.config().num_cpus;
    for (unsigned i = 0; i < ops; ++i) {
        const unsigned c = x.below(cpus);
        switch (x.below(8)) {
        case 0:
        case 1:
            random_gicd_v2(x, [&](std::uint32_t o, std::uint32_t v, unsigned s) { g.write_distributor(c, o, s, v); }, cpus);
            break;
        case 2:
            random_cpuif_v2(x, [&](std::uint32_t o, std::uint32_t v) { g.write_cpu_interface(c, o, 4, v); },
                            [&](std::uint32_t o) { g.read_cpu_interface(c, o, 4); }, cpus);
            break;
        case 3: g.set_spi_level(32 + x.below(64), x.below(2) != 0); break;
        case 4: {
            const std::uint32_t ppi = 16 + x.below(16);
            if (ppi != g.config().virt.maintenance_intid) g.set_ppi_level(c, ppi, x.below(2) != 0);
            break;
        }
        case 5: {
            const std::uint32_t regs[] = {v2::GICH_HCR, v2::GICH_VMCR, v2::GICH_APR, v2::GICH_LR0, v2::GICH_LR0 + 4,
                                          v2::GICH_LR0 + 8, v2::GICH_LR0 + 12};
            g.write_hyp_control(c, x.pick(regs), 4, x.u32());
            break;
        }
        default:
            random_cpuif_v2(x, [&](std::uint32_t o, std::uint32_t v) { g.write_virtual_cpu_interface(c, o, 4, v); },
                            [&](std::uint32_t o) { g.read_virtual_cpu_interface(c, o, 4); }, cpus);
            break;
        }
    }
}

void random_dist_v3(Rng& x, const std::function<void(std::uint32_t, std::uint64_t, unsigned)>& gicd,
                    const std::function<void(unsigned, std::uint32_t, std::uint64_t)>& gicr, unsigned cpus) {
    using namespace v3;
    const std::uint32_t words[] = {GICD_IGROUPR, GICD_ISENABLER, GICD_ICENABLER, GICD_ISPENDR,
                                   GICD_ICPENDR, GICD_ISACTIVER, GICD_ICACTIVER};
    const std::uint32_t rwords[] = {GICR_IGROUPR0, GICR_ISENABLER0, GICR_ICENABLER0, GICR_ISPENDR0,
                                    GICR_ICPENDR0, GICR_ISACTIVER0, GICR_ICACTIVER0, GICR_ICFGR1};
    const unsigned rd = x.below(cpus);
    switch (x.below(8)) {
    case 0: gicd(GICD_CTLR, x.below(4), 4); break;
    case 1: gicd(x.pick(words) + 4 * (1 + x.below(2)), x.sparse(), 4); break;
    case 2: gicd(GICD_IPRIORITYR + 32 + x.below(64), x.u32() & 0xFF, 1); break;
    case 3: gicd(GICD_ICFGR + 8 + 4 * x.below(4), x.sparse(), 4); break;
    case 4: gicd(GICD_IROUTER + 8 * (32 + x.below(64)), x.below(4) == 0 ? IROUTER_IRM : x.below(cpus + 1), 8); break;
    case 5: gicr(rd, x.pick(rwords), x.sparse()); break;
    case 6: gicr(rd, GICR_IPRIORITYR + 4 * x.below(8), x.u32()); break;
    default: gicr(rd, x.below(2) ? GICR_WAKER : GICR_CTLR, x.below(2) ? 0 : x.u32()); break;
    }
}

void random_icc_v3(Rng& x, const std::function<void(std::uint32_t, std::uint64_t)>& msr,
                   const std::function<void(std::uint32_t)>& mrs, unsigned cpus) {
    const std::uint64_t eoi = x.below(100);
    switch (x.below(10)) {
    case 0: msr(sr::ICC_PMR_EL1, x.u32() & 0xFF); break;
    case 1: msr(x.below(2) ? sr::ICC_BPR0_EL1 : sr::ICC_BPR1_EL1, x.below(8)); break;
    case 2: msr(sr::ICC_CTLR_EL1, x.u32() & 0x3); break;
    case 3: msr(x.below(2) ? sr::ICC_IGRPEN0_EL1 : sr::ICC_IGRPEN1_EL1, x.below(2)); break;
    case 4: msr(x.below(2) ? sr::ICC_EOIR0_EL1 : sr::ICC_EOIR1_EL1, eoi); break;
    case 5: msr(sr::ICC_DIR_EL1, eoi); break;
    case 6:
        msr(x.below(2) ? sr::ICC_SGI0R_EL1 : sr::ICC_SGI1R_EL1,
            v3::sgi1r(x.below(16), static_cast<std::uint16_t>(x.below(1u << std::min(cpus, 16u)))) |
                (x.below(3) == 0 ? v3::SGIR_IRM : 0));
        break;
    case 7: mrs(sr::ICC_IAR0_EL1); break;
    default: mrs(sr::ICC_IAR1_EL1); break;
    }
}

void random_hw_v3(Gic& g, Rng& x, unsigned ops) {
    const unsigned cpus = g.config().num_cpus;
    for (unsigned i = 0; i < ops; ++i) {
        const unsigned c = x.below(cpus);
        switch (x.below(9)) {
        case 0:
        case 1:
            random_dist_v3(
                x, [&](std::uint32_t o, std::uint64_t v, unsigned s) { g.write_distributor(c, o, s, v); },
                [&](unsigned rd, std::uint32_t o, std::uint64_t v) { g.write_redistributor(c, rd * v3::kGicrStride + o, 4, v); },
                cpus);
            break;
        case 2:
        case 3:
            random_icc_v3(x, [&](std::uint32_t e, std::uint64_t v) { g.write_sysreg(c, e, v); },
                          [&](std::uint32_t e) { g.read_sysreg(c, e); }, cpus);
            break;
        case 4: g.set_spi_level(32 + x.below(64), x.below(2) != 0); break;
        case 5: {
            const std::uint32_t ppi = 16 + x.below(16);
            if (ppi != g.config().virt.maintenance_intid) g.set_ppi_level(c, ppi, x.below(2) != 0);
            break;
        }
        case 6: {
            const std::uint32_t regs[] = {sr::ICH_HCR_EL2, sr::ICH_VMCR_EL2, sr::ich_ap0r(0), sr::ich_ap1r(0),
                                          sr::ich_lr(0),   sr::ich_lr(1),     sr::ich_lr(2),   sr::ich_lr(3)};
            std::uint64_t v = (std::uint64_t{x.u32()} << 32) | x.u32();
            g.write_sysreg(c, x.pick(regs), v);
            break;
        }
        case 7: g.set_virtual_routing(c, x.below(2) != 0, x.below(2) != 0); break;
        default:
            // ICC_ or, where routed, ICV_
            random_icc_v3(x, [&](std::uint32_t e, std::uint64_t v) { g.write_sysreg(c, e, v); },
                          [&](std::uint32_t e) { g.read_sysreg(c, e); }, cpus);
            break;
        }
    }
}

void random_vm(VmGic& g, Rng& x, unsigned ops) {
    const unsigned cpus = g.config().num_cpus;
    const bool is_v3 = g.config().is_v3();
    for (unsigned i = 0; i < ops; ++i) {
        const unsigned v = x.below(cpus);
        switch (x.below(10)) {
        case 0:
        case 1:
            if (is_v3)
                random_dist_v3(
                    x, [&](std::uint32_t o, std::uint64_t val, unsigned s) { g.write_distributor(v, o, s, val); },
                    [&](unsigned rd, std::uint32_t o, std::uint64_t val) {
                        g.write_redistributor(v, rd * v3::kGicrStride + o, 4, val);
                    },
                    cpus);
            else
                random_gicd_v2(x, [&](std::uint32_t o, std::uint32_t val, unsigned s) { g.write_distributor(v, o, s, val); },
                               cpus);
            break;
        case 2:
        case 3:
            if (is_v3)
                random_icc_v3(x, [&](std::uint32_t e, std::uint64_t val) { g.write_sysreg(v, e, val); },
                              [&](std::uint32_t e) { g.read_sysreg(v, e); }, cpus);
            else
                random_cpuif_v2(x, [&](std::uint32_t o, std::uint32_t val) { g.write_cpu_interface(v, o, 4, val); },
                                [&](std::uint32_t o) { g.read_cpu_interface(v, o, 4); }, cpus);
            break;
        case 4: g.set_spi_level(32 + x.below(64), x.below(2) != 0); break;
        case 5: g.set_ppi_level(v, 16 + x.below(16), x.below(2) != 0); break;
        case 6:
        case 7: g.vcpu_entry(v); break;
        case 8: g.vcpu_exit(v); break;
        default: g.service_kicks(); break;
        }
    }
}

template <class G>
void random_traffic(G& g, unsigned seed, unsigned ops) {
    Rng x{std::mt19937(seed)};
    if constexpr (kVm<G>) random_vm(g, x, ops);
    else if (g.config().is_v3()) random_hw_v3(g, x, ops);
    else random_hw_v2(g, x, ops);
}

// ---- the checks -------------------------------------------------------------------------------------------

/// `fresh`'s diagnostics counters (and vm mode: engine statistics) set to `kept`'s, which
/// reset() keeps, through the model's own import_state: the only fields allowed to differ.
template <class G>
void take_counters(G& fresh, const G& kept) {
    auto st = fresh.export_state();
    st.bad_access_count = kept.diagnostics().bad_access_count();
    st.guest_error_count = kept.diagnostics().guest_error_count();
    if constexpr (kVm<G>) st.stats = kept.stats();
    fresh.import_state(st);
}

/// The architectural reset values, and IAR 1023 on every (v)CPU. Reads only (IAR of nothing
/// pending changes nothing), so it can run on both models being compared.
template <class G>
void expect_reset_values(G& g) {
    const GicConfig& c = g.config();
    Regs<G> r{g};
    const std::uint64_t all_lrs = bit(c.virt.num_list_regs) - 1;
    BOOST_TEST(high_lines(g).empty());
    if (!c.is_v3()) {
        using namespace v2;
        BOOST_TEST(r.gicd_rd(0, GICD_CTLR) == 0u);
        for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
            // Group 0, disabled (SGI enables are programmable here: reset 0), not pending, inactive.
            for (std::uint32_t w = 0; w < 3; ++w)
                for (std::uint32_t reg : {GICD_IGROUPR, GICD_ISENABLER, GICD_ISPENDR, GICD_ISACTIVER})
                    BOOST_TEST(r.gicd_rd(cpu, reg + 4 * w) == 0u, "CPU " << cpu << " GICD+0x" << std::hex << reg + 4 * w);
            BOOST_TEST(r.gicd_rd(cpu, GICD_IPRIORITYR + 32) == 0u);
            BOOST_TEST(r.gicd_rd(cpu, GICD_ICFGR + 4) == 0u, "PPIs reset level-sensitive (GICD_ICFGR1)");
            // GICC (hw) or the guest's GICV (vm): disabled, PMR 0, BPR at its minimum with 5
            // (virtual) priority bits (GIC-400: 2; ABPR 3), idle, no active priority.
            BOOST_TEST(r.cpuif_rd(cpu, GICC_IAR, AccessMode::Normal) == kSpurious);
            BOOST_TEST(r.cpuif_rd(cpu, GICC_CTLR) == 0u);
            BOOST_TEST(r.cpuif_rd(cpu, GICC_PMR) == 0u);
            BOOST_TEST(r.cpuif_rd(cpu, GICC_BPR) == 2u);
            BOOST_TEST(r.cpuif_rd(cpu, GICC_ABPR) == 3u);
            BOOST_TEST(r.cpuif_rd(cpu, GICC_RPR) == 0xFFu, "idle");
            BOOST_TEST(r.cpuif_rd(cpu, GICC_HPPIR) == kSpurious);
            BOOST_TEST(r.cpuif_rd(cpu, GICC_APR0) == 0u);
            if constexpr (!kVm<G>) {
                BOOST_TEST(r.cpuif_rd(cpu, GICC_NSAPR0) == 0u);
                BOOST_TEST(r.gich_rd(cpu, GICH_HCR) == 0u);
                BOOST_TEST(r.gich_rd(cpu, GICH_MISR) == 0u);
                BOOST_TEST(r.gich_rd(cpu, GICH_EISR0) == 0u);
                BOOST_TEST(r.gich_rd(cpu, GICH_ELRSR0) == all_lrs, "every LR free");
                BOOST_TEST(r.gich_rd(cpu, GICH_APR) == 0u);
                for (unsigned i = 0; i < c.virt.num_list_regs; ++i) BOOST_TEST(r.gich_rd(cpu, GICH_LR0 + 4 * i) == 0u);
                BOOST_TEST(r.gicv_rd(cpu, GICC_IAR, AccessMode::Normal) == kSpurious);
            }
        }
    } else {
        using namespace v3;
        BOOST_TEST(r.gicd_rd(0, GICD_CTLR) == GICD_CTLR_ARE_DS, "EnableGrp0/1 0; ARE, DS RAO");
        for (std::uint32_t w = 1; w < 3; ++w)
            for (std::uint32_t reg : {GICD_IGROUPR, GICD_ISENABLER, GICD_ISPENDR, GICD_ISACTIVER})
                BOOST_TEST(r.gicd_rd(0, reg + 4 * w) == 0u, "GICD+0x" << std::hex << reg + 4 * w);
        for (std::uint32_t id = 32; id < 96; id += 7) BOOST_TEST(r.gicd_rd(0, GICD_IROUTER + 8 * id, 8) == 0u);
        for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
            for (std::uint32_t reg : {GICR_IGROUPR0, GICR_ISENABLER0, GICR_ISPENDR0, GICR_ISACTIVER0, GICR_ICFGR1})
                BOOST_TEST(r.gicr_rd(cpu, reg) == 0u, "CPU " << cpu << " GICR+0x" << std::hex << reg);
            BOOST_TEST(r.gicr_rd(cpu, GICR_CTLR) == 0u);
            // hw: reset asleep (IHI 0069 GICR_WAKER); vm mode: KVM's RAZ/WI WAKER.
            BOOST_TEST(r.gicr_rd(cpu, GICR_WAKER) == (kVm<G> ? 0u : WAKER_Asleep));
            BOOST_TEST(r.mrs(cpu, sr::ICC_PMR_EL1) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ICC_IGRPEN0_EL1) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ICC_IGRPEN1_EL1) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::icc_ap0r(0)) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::icc_ap1r(0)) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ICC_RPR_EL1) == 0xFFu);
            BOOST_TEST(r.mrs(cpu, sr::ICC_IAR0_EL1) == kSpurious);
            BOOST_TEST(r.mrs(cpu, sr::ICC_IAR1_EL1) == kSpurious);
            if constexpr (!kVm<G>) {
                BOOST_TEST(!g.virtual_routing_imo(cpu));
                BOOST_TEST(!g.virtual_routing_fmo(cpu));
            }
            BOOST_TEST(r.mrs(cpu, sr::ICH_HCR_EL2) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ICH_MISR_EL2) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ICH_EISR_EL2) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ICH_ELRSR_EL2) == all_lrs);
            BOOST_TEST(r.mrs(cpu, sr::ich_ap0r(0)) == 0u);
            BOOST_TEST(r.mrs(cpu, sr::ich_ap1r(0)) == 0u);
            for (unsigned i = 0; i < c.virt.num_list_regs; ++i) BOOST_TEST(r.mrs(cpu, sr::ich_lr(i)) == 0u);
        }
    }
    if constexpr (kVm<G>) {
        for (unsigned v = 0; v < c.num_cpus; ++v) {
            BOOST_TEST(!g.running(v), "vCPU " << v << " not running, as constructed");
            BOOST_TEST(!g.kick_pending(v));
            BOOST_TEST(g.distributor().in_flight(v) == 0u);
            BOOST_TEST(g.vcpu_interface(v).valid_lrs() == 0u);
        }
        BOOST_TEST(g.distributor().hw_mapping(0, 27) == 27u, "map_hw is the hypervisor's wiring: kept");
    }
}

/// After a reset: the distributor and every (v)CPU interface enabled again, nothing made
/// pending: the old interrupts must not come back (IAR 1023 everywhere, every line low).
template <class G>
void bring_up_only(G& g) {
    const GicConfig& c = g.config();
    Regs<G> r{g};
    if constexpr (kVm<G>)
        for (unsigned v = 0; v < c.num_cpus; ++v) g.vcpu_entry(v);
    if (!c.is_v3()) {
        using namespace v2;
        r.gicd(0, GICD_CTLR, 3);
        for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
            r.gicd(cpu, GICD_ISENABLER, 0xFFFF);
            r.cpuif(cpu, GICC_PMR, 0xFF);
            r.cpuif(cpu, GICC_CTLR, CTLR_Grp0 | CTLR_Grp1);
            if constexpr (!kVm<G>) {
                r.gich(cpu, GICH_HCR, HCR_En);
                r.gich(cpu, GICH_VMCR, VMCR_Grp0 | VMCR_PriMask_F8);
                BOOST_TEST(r.gicv_rd(cpu, GICC_IAR, AccessMode::Normal) == kSpurious);
            }
            BOOST_TEST(r.cpuif_rd(cpu, GICC_IAR, AccessMode::Normal) == kSpurious, "CPU " << cpu << ": nothing old comes back");
        }
    } else {
        using namespace v3;
        r.gicd(0, GICD_CTLR, 0x3);
        for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
            if constexpr (!kVm<G>) r.gicr(cpu, GICR_WAKER, 0);
            r.gicr(cpu, GICR_ISENABLER0, 0xFFFF);
            r.msr(cpu, sr::ICC_PMR_EL1, 0xFF);
            r.msr(cpu, sr::ICC_IGRPEN0_EL1, 1);
            r.msr(cpu, sr::ICC_IGRPEN1_EL1, 1);
            if constexpr (!kVm<G>) {
                r.msr(cpu, sr::ICH_HCR_EL2, HCR_En);
                r.msr(cpu, sr::ICH_VMCR_EL2, VMCR_Eng1_Pmr_F0);
            }
            BOOST_TEST(r.mrs(cpu, sr::ICC_IAR0_EL1) == kSpurious);
            BOOST_TEST(r.mrs(cpu, sr::ICC_IAR1_EL1) == kSpurious, "CPU " << cpu << ": nothing old comes back");
        }
    }
    if constexpr (kVm<G>) g.service_kicks();
    BOOST_TEST(high_lines(g).empty());
}

/// The whole story for one configuration: busy traffic (realistic, then `random_ops` random
/// operations), reset in the middle of it, then the checks listed at the top of this file.
template <class G>
void reset_mid_traffic(GicVersion version, unsigned cpus, unsigned seed, unsigned random_ops) {
    const GicConfig cfg = config(version, cpus);
    Recorder rec;
    G g(cfg);
    g.set_observer(&rec);
    wire(g);
    const std::vector<std::uint64_t> first = busy(g);
    random_traffic(g, seed, random_ops);

    G fresh(cfg);
    wire(fresh);
    const std::string fresh_doc = save_snapshot(fresh);
    BOOST_TEST_REQUIRE(save_snapshot(g) != fresh_doc, "the traffic left the reset state: a reset has work to do");
    const std::vector<Event> high = high_lines(g);
    if (random_ops == 0) BOOST_TEST_REQUIRE(!high.empty(), "the realistic traffic left lines high");
    const std::uint64_t bad = g.diagnostics().bad_access_count();
    const std::uint64_t guest = g.diagnostics().guest_error_count();
    BOOST_TEST_REQUIRE(bad > 0u);
    LrEngineStats stats;
    if constexpr (kVm<G>) {
        stats = g.stats();
        BOOST_TEST_REQUIRE(stats.flushes > 0u);
    }

    rec.events.clear();
    g.reset();

    // Lines: each high one fell, once; nothing else (vm: the LR-change notes, no kick or wake).
    std::vector<Event> fell;
    for (Event e : high) fell.push_back({'L', e.cpu, e.what, 0});
    std::vector<Event> got;
    for (const Event& e : rec.events)
        if (e.kind != 'R') got.push_back(e);
    std::sort(fell.begin(), fell.end());
    std::sort(got.begin(), got.end());
    BOOST_TEST(got == fell, boost::test_tools::per_element());
    if constexpr (kVm<G>) BOOST_TEST(rec.events.size() - got.size() == cpus, "list_registers_changed once per vCPU");
    BOOST_TEST(high_lines(g).empty());

    // Kept: the diagnostics counters and (vm) the engine statistics.
    BOOST_TEST(g.diagnostics().bad_access_count() == bad);
    BOOST_TEST(g.diagnostics().guest_error_count() == guest);
    if constexpr (kVm<G>) {
        BOOST_TEST(g.stats().flushes == stats.flushes);
        BOOST_TEST(g.stats().kicks == stats.kicks);
    }

    // State: a fresh model's, counters aside.
    take_counters(fresh, g);
    BOOST_TEST(save_snapshot(g) == save_snapshot(fresh));
    {
        G plain(cfg);  // and, counters aside, the same document as a model never used
        wire(plain);
        take_counters(plain, g);
        BOOST_TEST(save_snapshot(plain) == save_snapshot(g));
    }

    // Behaviour: the reset model and the fresh one are indistinguishable from here on.
    Recorder fresh_rec;
    fresh.set_observer(&fresh_rec);
    rec.events.clear();
    expect_reset_values(g);
    expect_reset_values(fresh);
    bring_up_only(g);
    bring_up_only(fresh);
    const std::vector<std::uint64_t> again = busy(g);  // new interrupts delivered normally
    BOOST_TEST(again == busy(fresh), boost::test_tools::per_element());
    BOOST_TEST(again == first, boost::test_tools::per_element());
    random_traffic(g, seed + 1, 400);
    random_traffic(fresh, seed + 1, 400);
    BOOST_TEST(rec.events == fresh_rec.events);
    BOOST_TEST(save_snapshot(g) == save_snapshot(fresh));
    for (unsigned cpu = 0; cpu < cpus; ++cpu)
        for (Line l : lines_of<G>()) BOOST_TEST(g.line(cpu, l) == fresh.line(cpu, l));
}

} // namespace

BOOST_AUTO_TEST_SUITE(reset)

// ---- hw mode (Gic) ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reset_hw_v2_mid_traffic) {
    for (unsigned cpus : {1u, 4u}) {
        BOOST_TEST_CONTEXT("num_cpus " << cpus) {
            reset_mid_traffic<Gic>(GicVersion::V2, cpus, 1, 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(reset_hw_v3_mid_traffic) {
    for (unsigned cpus : {1u, 4u}) {
        BOOST_TEST_CONTEXT("num_cpus " << cpus) {
            reset_mid_traffic<Gic>(GicVersion::V3, cpus, 1, 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(reset_hw_v2_random_traffic) {
    for (unsigned cpus : {1u, 4u})
        for (unsigned seed = 10; seed < 16; ++seed) {
            BOOST_TEST_CONTEXT("num_cpus " << cpus << ", seed " << seed) {
                reset_mid_traffic<Gic>(GicVersion::V2, cpus, seed, 600);
            }
        }
}

BOOST_AUTO_TEST_CASE(reset_hw_v3_random_traffic) {
    for (unsigned cpus : {1u, 4u})
        for (unsigned seed = 20; seed < 26; ++seed) {
            BOOST_TEST_CONTEXT("num_cpus " << cpus << ", seed " << seed) {
                reset_mid_traffic<Gic>(GicVersion::V3, cpus, seed, 600);
            }
        }
}

// ---- vm mode (VmGic) --------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(reset_vm_v2_mid_traffic) {
    for (unsigned cpus : {1u, 4u}) {
        BOOST_TEST_CONTEXT("num_cpus " << cpus) {
            reset_mid_traffic<VmGic>(GicVersion::V2, cpus, 1, 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(reset_vm_v3_mid_traffic) {
    for (unsigned cpus : {1u, 4u}) {
        BOOST_TEST_CONTEXT("num_cpus " << cpus) {
            reset_mid_traffic<VmGic>(GicVersion::V3, cpus, 1, 0);
        }
    }
}

BOOST_AUTO_TEST_CASE(reset_vm_v2_random_traffic) {
    for (unsigned cpus : {1u, 4u})
        for (unsigned seed = 30; seed < 36; ++seed) {
            BOOST_TEST_CONTEXT("num_cpus " << cpus << ", seed " << seed) {
                reset_mid_traffic<VmGic>(GicVersion::V2, cpus, seed, 600);
            }
        }
}

BOOST_AUTO_TEST_CASE(reset_vm_v3_random_traffic) {
    for (unsigned cpus : {1u, 4u})
        for (unsigned seed = 40; seed < 46; ++seed) {
            BOOST_TEST_CONTEXT("num_cpus " << cpus << ", seed " << seed) {
                reset_mid_traffic<VmGic>(GicVersion::V3, cpus, seed, 600);
            }
        }
}

// ---- input lines ------------------------------------------------------------------------------------------

// The model forgets input levels; the caller re-applies the lines its devices still drive. A
// level-sensitive SPI whose line stayed high is then pending again (GICD_ISPENDR), but
// disabled by the reset until software enables it, and then delivered.
BOOST_AUTO_TEST_CASE(reset_forgets_input_levels_until_reapplied) {
    using namespace v2;
    Recorder rec;
    Gic g(config(GicVersion::V2, 2));
    g.set_observer(&rec);
    Regs<Gic> r{g};
    r.gicd(0, GICD_CTLR, 1);
    r.cpuif(0, GICC_PMR, 0xFF);
    r.cpuif(0, GICC_CTLR, CTLR_Grp0);
    r.gicd(0, GICD_ITARGETSR + 40, 1, 1);
    r.gicd(0, GICD_ISENABLER + 4, bit(40 - 32));
    g.set_spi_level(40, true);
    g.set_ppi_level(1, 20, true);
    BOOST_TEST_REQUIRE(g.line(0, Line::Irq));
    BOOST_TEST_REQUIRE(g.distributor().is_pending(0, 40));

    g.reset();
    BOOST_TEST(!g.line(0, Line::Irq));
    BOOST_TEST(!g.distributor().is_pending(0, 40), "the level was forgotten");
    BOOST_TEST(!g.distributor().is_pending(1, 20));
    BOOST_TEST(r.gicd_rd(0, GICD_ISPENDR + 4) == 0u);

    rec.events.clear();
    g.set_spi_level(40, true);  // the caller re-applies the device's line
    g.set_ppi_level(1, 20, true);
    BOOST_TEST(r.gicd_rd(0, GICD_ISPENDR + 4) == bit(40 - 32), "pending again: the line is high");
    BOOST_TEST(r.gicd_rd(1, GICD_ISPENDR) == bit(20));
    BOOST_TEST(r.gicd_rd(0, GICD_ISENABLER + 4) == 0u, "but disabled by the reset");
    BOOST_TEST(rec.events.empty(), "nothing is signalled");
    r.gicd(0, GICD_CTLR, 1);
    r.cpuif(0, GICC_PMR, 0xFF);
    r.cpuif(0, GICC_CTLR, CTLR_Grp0);
    r.gicd(0, GICD_ISENABLER + 4, bit(40 - 32));  // ITARGETSR reset 0: forwarded to no CPU
    BOOST_TEST(!g.line(0, Line::Irq));
    r.gicd(0, GICD_ITARGETSR + 40, 1, 1);
    BOOST_TEST(g.line(0, Line::Irq));
    BOOST_TEST(r.cpuif_rd(0, GICC_IAR, AccessMode::Normal) == 40u);
}

// A reset of a model in its reset state changes nothing and reports nothing; two resets in a
// row are one (reset() is a pulse, not a level).
BOOST_AUTO_TEST_CASE(reset_of_a_fresh_model_reports_nothing) {
    for (GicVersion version : {GicVersion::V2, GicVersion::V3}) {
        Recorder rec;
        Gic g(config(version, 2));
        VmGic vm(config(version, 2));
        g.set_observer(&rec);
        vm.set_observer(&rec);
        const std::string gdoc = save_snapshot(g);
        const std::string vdoc = save_snapshot(vm);
        g.reset();
        g.reset();
        BOOST_TEST(rec.events.empty());
        vm.reset();
        for (const Event& e : rec.events) BOOST_TEST(e.kind == 'R', "only the LR-change notes, got " << e);
        BOOST_TEST(save_snapshot(g) == gdoc);
        BOOST_TEST(save_snapshot(vm) == vdoc);
    }
}

// HW mappings are the hypervisor's wiring: a VM reset keeps them (a fresh VmGic would need the
// same map_hw calls), while everything a loaded HW LR held is gone.
BOOST_AUTO_TEST_CASE(reset_vm_keeps_hw_mappings) {
    VmGic vm(config(GicVersion::V2, 1));
    Recorder rec;
    vm.set_observer(&rec);
    vm.map_hw(0, 27, 27);
    vm.map_hw(0, 40, 50);
    Regs<VmGic> r{vm};
    r.gicd(0, v2::GICD_CTLR, 1);
    r.gicd(0, v2::GICD_ISENABLER, bit(27));
    r.cpuif(0, v2::GICC_PMR, 0xFF);
    r.cpuif(0, v2::GICC_CTLR, v2::CTLR_Grp0);
    vm.vcpu_entry(0);
    vm.set_ppi_level(0, 27, true);
    vm.service_kicks();
    BOOST_TEST_REQUIRE(vm.line(0, Line::VIrq));
    BOOST_TEST_REQUIRE(vm.vcpu_interface(0).valid_lrs() != 0u);
    vm.reset();
    BOOST_TEST(vm.distributor().hw_mapping(0, 27) == 27u);
    BOOST_TEST(vm.distributor().hw_mapping(0, 40) == 50u);
    BOOST_TEST(vm.vcpu_interface(0).valid_lrs() == 0u);
    BOOST_TEST(!vm.line(0, Line::VIrq));
    VmGic fresh(config(GicVersion::V2, 1));
    BOOST_TEST(save_snapshot(fresh) != save_snapshot(vm), "only with the same wiring");
    fresh.map_hw(0, 27, 27);
    fresh.map_hw(0, 40, 50);
    take_counters(fresh, vm);
    BOOST_TEST(save_snapshot(fresh) == save_snapshot(vm));
}

// ---- the components ---------------------------------------------------------------------------------------

static bool same_irqs(const std::vector<Distributor::IrqState>& a, const std::vector<Distributor::IrqState>& b) {
    const auto fields = [](const Distributor::IrqState& s) {
        return std::make_tuple(s.priority, s.targets, s.sgi_sources, s.enabled, s.latch, s.active, s.line, s.group1,
                               s.edge, s.parked, s.owner, s.active_source, s.hw_pintid, s.lr_pending, s.irouter,
                               s.chosen);
    };
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [&](const auto& x, const auto& y) { return fields(x) == fields(y); });
}

BOOST_AUTO_TEST_CASE(reset_distributor_alone) {
    for (GicVersion version : {GicVersion::V2, GicVersion::V3}) {
        const GicConfig cfg = config(version, 3);
        Diagnostics diag(cfg.bad_access);
        Distributor d(cfg, diag);
        Diagnostics fresh_diag(cfg.bad_access);
        const Distributor fresh(cfg, fresh_diag);
        Rng x{std::mt19937(7)};
        for (unsigned i = 0; i < 500; ++i) {
            if (version == GicVersion::V2)
                random_gicd_v2(x, [&](std::uint32_t o, std::uint32_t v, unsigned s) { d.write(x.below(3), o, s, v); }, 3);
            else
                random_dist_v3(
                    x, [&](std::uint32_t o, std::uint64_t v, unsigned s) { d.write(0, o, s, v); },
                    [&](unsigned rd, std::uint32_t o, std::uint64_t v) { d.write_redistributor(0, rd * v3::kGicrStride + o, 4, v); },
                    3);
            d.set_spi_level(32 + x.below(64), x.below(2) != 0);
        }
        d.set_rwp_tracking(true);
        if (version == GicVersion::V3) {
            d.write(0, v3::GICD_CTLR, 4, 0x3);
            d.write(0, v3::GICD_CTLR, 4, 0x0);
            BOOST_TEST_REQUIRE(d.rwp_pending());
        }
        BOOST_TEST_REQUIRE(!same_irqs(d.export_state().spis, fresh.export_state().spis));
        d.reset();
        d.drain_dirty([](unsigned) {});
        BOOST_TEST(!d.rwp_pending(), "register writes complete");
        const Distributor::State a = d.export_state();
        const Distributor::State b = fresh.export_state();
        BOOST_TEST(a.ctlr == b.ctlr);
        BOOST_TEST(a.irm_next == b.irm_next);
        BOOST_TEST(same_irqs(a.private_irqs, b.private_irqs));
        BOOST_TEST(same_irqs(a.spis, b.spis));
        BOOST_TEST_REQUIRE(a.redistributors.size() == b.redistributors.size());
        for (std::size_t i = 0; i < a.redistributors.size(); ++i) {
            BOOST_TEST(a.redistributors[i].ctlr == b.redistributors[i].ctlr);
            BOOST_TEST(a.redistributors[i].waker == b.redistributors[i].waker);
        }
        for (unsigned cpu = 0; cpu < 3; ++cpu) BOOST_TEST(!d.highest_pending(cpu, 3).valid());
    }
}

BOOST_AUTO_TEST_CASE(reset_generic_timer) {
    Diagnostics diag(BadAccessPolicy::RazWi);
    GenericTimer t(0, TimerConfig{}, diag);
    const GenericTimer fresh(0, TimerConfig{}, diag);
    using namespace timer_regs;
    BOOST_TEST_REQUIRE(t.write(CNTV_CVAL_EL0, 100, 50).ok());
    BOOST_TEST_REQUIRE(t.write(CNTV_CTL_EL0, 1, 50).ok());
    BOOST_TEST_REQUIRE(t.write(CNTP_CVAL_EL0, 10, 50).ok());
    BOOST_TEST_REQUIRE(t.write(CNTP_CTL_EL0, 3, 50).ok());
    BOOST_TEST_REQUIRE(t.write(CNTVOFF_EL2, 7, 50).ok());
    BOOST_TEST_REQUIRE(t.output(GenericTimer::Virtual, 200));
    BOOST_TEST_REQUIRE(!(t.state() == fresh.state()));
    t.reset();
    BOOST_TEST((t.state() == fresh.state()));
    BOOST_TEST(t.read(CNTV_CTL_EL0, 200).value == 0u);
    BOOST_TEST(t.read(CNTP_CTL_EL0, 200).value == 0u);
    BOOST_TEST(t.read(CNTV_CVAL_EL0, 200).value == 0u);
    BOOST_TEST(t.read(CNTVOFF_EL2, 200).value == 0u);
    BOOST_TEST(!t.output(GenericTimer::Virtual, 200));
    BOOST_TEST(!t.output(GenericTimer::Physical, 200));
    BOOST_TEST(!t.next_rise(GenericTimer::Virtual, 200).has_value(), "disabled: never rises");
}

BOOST_AUTO_TEST_SUITE_END()
