// SPDX-License-Identifier: Apache-2.0
// Whole-model snapshots (docs/MODEL.md "Snapshots"): a busy GIC (hw mode) or VM (vm mode) is
// saved mid-run and restored into a fresh instance; every register, every line and all later
// behaviour must be identical. Every kind of bad document is refused with its own message
// and leaves the target exactly as it was.
#include "virt_fixture.hpp"

#include "vgic/model/snapshot.hpp"
#include "vgic/model/vm_gic.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace vgic;
using namespace vgic::test;

namespace {

using gich::kStateActive;
using gich::kStateInvalid;
using gich::kStatePending;
using gich::kStatePendingActive;

constexpr std::uint32_t kGrp01Ack =
    gicc::CTLR_EnableGrp0::mask | gicc::CTLR_EnableGrp1::mask | gicc::CTLR_AckCtl::mask;
constexpr Line kAllLines[] = {Line::Irq, Line::Fiq, Line::VIrq, Line::VFiq, Line::Maintenance};

// ---- observation: everything a user of the model can read ------------------------------------

struct Reading {
    std::string name;
    std::uint64_t value;
};
using Readings = std::vector<Reading>;

std::string hex_name(const char* frame, std::uint32_t offset) { return std::string(frame) + "+" + hex_string(offset, 3); }

/// Every readable GICD word (all of them, also beyond the implemented INTIDs).
std::vector<std::uint32_t> gicd_offsets() {
    std::vector<std::uint32_t> o = {gicd::CTLR, gicd::TYPER, gicd::IIDR};
    for (std::uint32_t base : {gicd::IGROUPR, gicd::ISENABLER, gicd::ICENABLER, gicd::ISPENDR, gicd::ICPENDR,
                               gicd::ISACTIVER, gicd::ICACTIVER})
        for (std::uint32_t w = 0; w < 32; ++w) o.push_back(base + 4 * w);
    for (std::uint32_t w = 0; w < 255; ++w) o.push_back(gicd::IPRIORITYR + 4 * w);
    for (std::uint32_t w = 0; w < 255; ++w) o.push_back(gicd::ITARGETSR + 4 * w);
    for (std::uint32_t w = 0; w < 64; ++w) o.push_back(gicd::ICFGR + 4 * w);
    for (std::uint32_t w = 0; w < 4; ++w) o.push_back(gicd::CPENDSGIR + 4 * w);
    for (std::uint32_t w = 0; w < 4; ++w) o.push_back(gicd::SPENDSGIR + 4 * w);
    for (std::uint32_t w = 0; w < 12; ++w) o.push_back(gicd::PIDR4 + 4 * w);
    return o;
}

/// Readable GICC (physical) or GICV (virtual: APR0 only, no NSAPR) words.
std::vector<std::uint32_t> cpu_if_offsets(bool is_virtual) {
    std::vector<std::uint32_t> o = {gicc::CTLR, gicc::PMR,  gicc::BPR,    gicc::IAR,  gicc::RPR,
                                    gicc::HPPIR, gicc::ABPR, gicc::AIAR, gicc::AHPPIR, gicc::IIDR};
    for (std::uint32_t w = 0; w < (is_virtual ? 1u : 4u); ++w) o.push_back(gicc::APR0 + 4 * w);
    if (!is_virtual)
        for (std::uint32_t w = 0; w < 4; ++w) o.push_back(gicc::NSAPR0 + 4 * w);
    return o;
}

std::uint64_t checked(const AccessResult& r, const std::string& what) {
    if (!r.ok()) BOOST_ERROR("debug read of " << what << " was refused");
    return r.value;
}

/// hw mode: GICD, GICC, GICH and GICV of every CPU (debug reads: IAR does not acknowledge),
/// every output line, the diagnostics counters.
Readings observe(Gic& g) {
    Readings out;
    const GicConfig& c = g.config();
    // Lines first: register reads settle the model, which would hide a stale line level.
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu)
        for (Line l : kAllLines) out.push_back({"cpu" + std::to_string(cpu) + " " + to_string(l), g.line(cpu, l)});
    for (unsigned cpu = 0; cpu < c.num_cpus; ++cpu) {
        const std::string p = "cpu" + std::to_string(cpu) + " ";
        for (std::uint32_t off : gicd_offsets()) {
            const std::string n = p + hex_name("GICD", off);
            out.push_back({n, checked(g.read_distributor(cpu, off, 4, AccessMode::Debug), n)});
        }
        for (std::uint32_t off : cpu_if_offsets(false)) {
            const std::string n = p + hex_name("GICC", off);
            out.push_back({n, checked(g.read_cpu_interface(cpu, off, 4, AccessMode::Debug), n)});
        }
        if (c.virt.enabled) {
            std::vector<std::uint32_t> gich_offsets = {gich::HCR,    gich::VTR,        gich::VMCR,   gich::MISR,
                                                       gich::EISR0,  gich::EISR0 + 4,  gich::ELRSR0, gich::ELRSR0 + 4,
                                                       gich::APR};
            for (unsigned i = 0; i < c.virt.num_list_regs; ++i) gich_offsets.push_back(gich::LR0 + 4 * i);
            for (std::uint32_t off : gich_offsets) {
                const std::string n = p + hex_name("GICH", off);
                out.push_back({n, checked(g.read_hyp_control(cpu, off, 4, AccessMode::Debug), n)});
            }
            for (std::uint32_t off : cpu_if_offsets(true)) {
                const std::string n = p + hex_name("GICV", off);
                out.push_back({n, checked(g.read_virtual_cpu_interface(cpu, off, 4, AccessMode::Debug), n)});
            }
        }
    }
    out.push_back({"bad_access_count", g.diagnostics().bad_access_count()});
    out.push_back({"guest_error_count", g.diagnostics().guest_error_count()});
    return out;
}

/// vm mode: the guest's GICD and GICV, the hypervisor's GICH view, the engine's per-vCPU
/// state and counters, the distributor's parking and mappings, lines, diagnostics.
Readings observe(VmGic& vm) {
    Readings out;
    const GicConfig& c = vm.config();
    const Distributor& d = vm.distributor();
    for (unsigned v = 0; v < c.num_cpus; ++v)  // lines first, as above
        for (Line l : {Line::VIrq, Line::VFiq, Line::Maintenance})
            out.push_back({"vcpu" + std::to_string(v) + " " + to_string(l), vm.line(v, l)});
    for (unsigned v = 0; v < c.num_cpus; ++v) {
        const std::string p = "vcpu" + std::to_string(v) + " ";
        for (std::uint32_t off : gicd_offsets()) {
            const std::string n = p + hex_name("GICD", off);
            out.push_back({n, checked(vm.read_distributor(v, off, 4, AccessMode::Debug), n)});
        }
        for (std::uint32_t off : cpu_if_offsets(true)) {
            const std::string n = p + hex_name("GICV", off);
            out.push_back({n, checked(vm.read_cpu_interface(v, off, 4, AccessMode::Debug), n)});
        }
        const VirtualCpuInterface& vif = vm.vcpu_interface(v);
        out.push_back({p + "GICH_HCR", vif.hcr()});
        out.push_back({p + "GICH_VTR", vif.vtr()});
        out.push_back({p + "GICH_VMCR", vif.vmcr()});
        out.push_back({p + "GICH_MISR", vif.misr()});
        out.push_back({p + "GICH_EISR", vif.eisr()});
        out.push_back({p + "GICH_ELRSR", vif.elrsr()});
        out.push_back({p + "GICH_APR", vif.apr()});
        for (unsigned i = 0; i < vif.num_list_regs(); ++i) out.push_back({p + "GICH_LR" + std::to_string(i), vif.lr(i)});
        out.push_back({p + "running", vm.running(v)});
        out.push_back({p + "kick_pending", vm.kick_pending(v)});
        out.push_back({p + "lrs_to_flush", vm.lrs_to_flush(v)});
        for (std::uint32_t intid = 0; intid < c.num_intids(); ++intid) {
            out.push_back({p + "parked " + std::to_string(intid), d.is_parked(v, intid)});
            out.push_back({p + "hw_mapping " + std::to_string(intid), d.hw_mapping(v, intid)});
        }
        const Candidate a = d.highest_active_unloaded(v);
        out.push_back({p + "active_unloaded.intid", a.intid});
        out.push_back({p + "active_unloaded.priority", a.priority});
        out.push_back({p + "active_unloaded.source", a.source_cpu});
        out.push_back({p + "in_flight", d.in_flight(v)});
    }
    const LrEngineStats& s = vm.stats();
    for (auto [name, value] : {std::pair<const char*, std::uint64_t>{"flushes", s.flushes}, {"syncs", s.syncs},
                               {"lr_writes", s.lr_writes}, {"lr_reads", s.lr_reads}, {"overflows", s.overflows},
                               {"evictions", s.evictions}, {"kicks", s.kicks}, {"maintenance_kicks", s.maintenance_kicks},
                               {"eoicount_deactivations", s.eoicount_deactivations}, {"trap_syncs", s.trap_syncs}})
        out.push_back({std::string("stats.") + name, value});
    out.push_back({"bad_access_count", vm.diagnostics().bad_access_count()});
    out.push_back({"guest_error_count", vm.diagnostics().guest_error_count()});
    return out;
}

void expect_same(const Readings& original, const Readings& restored, const std::string& when) {
    BOOST_TEST_REQUIRE(original.size() == restored.size());
    unsigned differences = 0;
    for (std::size_t i = 0; i < original.size(); ++i) {
        if (original[i].value == restored[i].value) continue;
        if (++differences <= 10)
            BOOST_ERROR(when << ": " << original[i].name << " is 0x" << std::hex << original[i].value
                             << " in the original, 0x" << restored[i].value << " in the restored instance");
    }
    BOOST_TEST(differences == 0u, when << ": " << differences << " readings differ");
}

// ---- documents: small text edits -----------------------------------------------------------

/// `doc` with the first `from` after the anchors (each found after the previous one)
/// replaced by `to`; `from` must be on the line of the last anchor.
std::string edit_at(std::string doc, const std::vector<std::string>& anchors, const std::string& from,
                 const std::string& to) {
    std::size_t a = 0;
    for (const std::string& anchor : anchors) {
        a = doc.find(anchor, a);
        BOOST_TEST_REQUIRE(a != std::string::npos, "anchor " << anchor << " not in the document");
    }
    const std::size_t f = doc.find(from, a);
    BOOST_TEST_REQUIRE(f != std::string::npos, from << " not after " << anchors.back());
    BOOST_TEST_REQUIRE(doc.find('\n', a) > f, from << " is not on the line of " << anchors.back());
    return doc.replace(f, from.size(), to);
}
std::string edit(const std::string& doc, const std::string& anchor, const std::string& from, const std::string& to) {
    return edit_at(doc, {anchor}, from, to);
}

// ---- hw mode: a busy GIC -------------------------------------------------------------------

void spi(VirtFixture& f, std::uint32_t id, std::uint8_t prio, std::uint8_t targets, bool edge) {
    f.enable_irq(0, id, prio);
    f.target(id, targets);
    if (edge) f.set_edge(0, id);
}

void pulse(Gic& g, std::uint32_t id) {
    g.set_spi_level(id, true);
    g.set_spi_level(id, false);
}

/// Four CPUs, all interfaces on, pending and active interrupts everywhere: nested actives
/// with two APR bits, SGIs from three sources, level lines high, an EOImode=1 CPU with a
/// dropped-but-active interrupt, FIQ, CBPR; list registers in all four states including
/// HW=1 and an EOI-owing invalid one; maintenance asserted on three CPUs; diagnostics.
void make_busy_hw(VirtFixture& f) {
    Gic& g = f.gic;
    for (unsigned cpu = 0; cpu < 4; ++cpu) f.enable_all(cpu);
    f.cwr(1, gicc::CTLR, kGrp01Ack | gicc::CTLR_EOImode::mask);  // split priority drop / deactivation
    f.cwr(2, gicc::CTLR, kGrp01Ack | gicc::CTLR_FIQEn::mask);    // Group 0 as FIQ
    f.cwr(2, gicc::PMR, 0xE0);
    f.cwr(3, gicc::CTLR, kGrp01Ack | gicc::CTLR_CBPR::mask);
    f.cwr(3, gicc::BPR, 4);
    f.cwr(0, gicc::ABPR, 5);
    spi(f, 40, 0xA0, 0x1, true);
    spi(f, 41, 0x80, 0x1, false);
    spi(f, 42, 0x40, 0x1, true);
    spi(f, 43, 0x60, 0x6, false);
    spi(f, 44, 0x30, 0x2, true);
    spi(f, 45, 0x50, 0x8, false);
    spi(f, 46, 0x10, 0x1, true);
    spi(f, 47, 0x18, 0x2, true);
    spi(f, 50, 0xC0, 0x4, true);
    spi(f, 60, 0x20, 0x8, true);
    f.wr(0, gicd::ICENABLER + 4, 1u << (60 - 32));                    // 60: pending, not forwarded
    f.wr(0, gicd::IGROUPR + 4, (1u << (44 - 32)) | (1u << (45 - 32)));  // Group 1

    // CPU 0: 40 taken, then preempted by 42: two active priorities. Level 41 and SGI 3 from
    // three sources wait behind them; a level PPI is high.
    pulse(g, 40);
    BOOST_TEST_REQUIRE(f.crd(0, gicc::IAR) == 40u);
    pulse(g, 42);
    BOOST_TEST_REQUIRE(f.crd(0, gicc::IAR) == 42u);
    BOOST_TEST_REQUIRE(f.crd(0, gicc::APR0) == ((1u << (0x40 >> 3)) | (1u << (0xA0 >> 3))));
    g.set_spi_level(41, true);
    f.enable_irq(0, 3, 0x90);
    for (unsigned src : {1u, 2u, 3u}) f.wr(src, gicd::SGIR, gicd::SGIR_CPUTargetList::make(1) | 3);
    f.enable_irq(0, 21, 0x88);
    g.set_ppi_level(0, 21, true);

    // CPU 1 (EOImode=1): Group 1 44 acknowledged and EOId: active, priority dropped. SGI 5
    // from CPU 0 active, from CPU 2 still pending.
    pulse(g, 44);
    BOOST_TEST_REQUIRE(f.crd(1, gicc::IAR) == 44u);
    f.cwr(1, gicc::EOIR, 44);
    f.enable_irq(1, 5, 0x70);
    f.wr(0, gicd::SGIR, gicd::SGIR_CPUTargetList::make(2) | 5);
    f.wr(2, gicd::SGIR, gicd::SGIR_CPUTargetList::make(2) | 5);
    BOOST_TEST_REQUIRE(f.crd(1, gicc::IAR) == 5u);  // CPUID 0
    BOOST_TEST_REQUIRE(f.rd(1, gicd::SPENDSGIR + 4) == (0x04u << 8));

    // CPU 2: level 43 (also targeting CPU 1) as FIQ; an edge latched for 50.
    g.set_spi_level(43, true);
    pulse(g, 50);
    // CPU 3: level Group 1 45 taken while its line stays high; an edge PPI latched; 60.
    g.set_spi_level(45, true);
    BOOST_TEST_REQUIRE(f.crd(3, gicc::IAR) == 45u);
    f.set_edge(3, 20);
    f.enable_irq(3, 20, 0xB0);
    g.set_ppi_level(3, 20, true);
    g.set_ppi_level(3, 20, false);
    f.pend(0, 60);
    // Physical SPIs 46 and 47 active, for HW=1 list registers.
    f.wr(0, gicd::ISACTIVER + 4, (1u << (46 - 32)) | (1u << (47 - 32)));

    // CPU 0's virtual interface: LRs in all four states, one HW=1, one invalid owing an EOI
    // maintenance (EISR); the guest has taken LR0 (GICV APR bit).
    f.guest_enable(0);
    f.hyp_enable(0, gich::HCR_NPIE::mask);
    f.set_lr(0, 0, sw_lr(100, 0x40, kStatePending));
    f.set_lr(0, 1, sw_lr(101, 0x80, kStateActive, true));
    f.set_lr(0, 2, hw_lr(102, 46, 0x60, kStatePendingActive));
    f.set_lr(0, 3, sw_lr(103, 0x20, kStateInvalid, false, true));
    BOOST_TEST_REQUIRE(f.vrd(0, gicc::IAR) == 100u);
    // CPU 1: VEM=1, a HW=1 LR for 47 taken and EOId (waits for DIR); UIE with one valid LR.
    f.guest_enable(1, kGrp01Ack | gicc::CTLR_EOImode::mask);
    f.hyp_enable(1, gich::HCR_UIE::mask);
    f.set_lr(1, 0, hw_lr(110, 47, 0x30, kStatePending));
    BOOST_TEST_REQUIRE(f.vrd(1, gicc::IAR) == 110u);
    f.vwr(1, gicc::EOIR, 110);
    // CPU 2: a vSGI from vCPU 3 taken, then an EOI nobody holds: EOICount with LRENPIE.
    f.guest_enable(2);
    f.hyp_enable(2, gich::HCR_LRENPIE::mask);
    f.set_lr(2, 0, sw_lr(5, 0x50, kStatePending, false, true, 3));
    f.set_lr(2, 1, sw_lr(120, 0x58, kStatePending, true));
    BOOST_TEST_REQUIRE(f.vrd(2, gicc::IAR) == (5u | (3u << 10)));
    f.vwr(2, gicc::EOIR, 200);
    // CPU 3: the hypervisor's virtual interface is off (HCR.En=0) with a pending LR and a VMCR.
    f.set_lr(3, 2, sw_lr(121, 0x10, kStatePending));
    f.hwr(3, gich::VMCR, gich::VMCR_VMGrp0En::mask | gich::VMCR_VMPriMask::make(0x1E) | gich::VMCR_VMBP::make(3) |
                             gich::VMCR_VMABP::make(4));

    // Diagnostics: one bad access (read of the write-only EOIR), one guest error.
    BOOST_TEST_REQUIRE((g.read_cpu_interface(0, gicc::EOIR, 4).status == AccessStatus::Ignored));
    f.cwr(2, gicc::EOIR, 33);

    BOOST_TEST_REQUIRE((f.maint(0) && f.maint(1) && f.maint(2) && !f.maint(3)));
    BOOST_TEST_REQUIRE(f.fiq(2));
    BOOST_TEST_REQUIRE(f.eoicount(2) == 1u);
    BOOST_TEST_REQUIRE(g.diagnostics().bad_access_count() == 1u);
    BOOST_TEST_REQUIRE(g.diagnostics().guest_error_count() == 1u);
}

/// Reads IAR and completes what it returned (EOIR, plus DIR under EOImode=1); the IAR value.
std::uint64_t ack_complete(VirtFixture& f, unsigned cpu) {
    const std::uint32_t iar = f.crd(cpu, gicc::IAR);
    if (gicc::IAR_InterruptID::get(iar) < 1020) {
        f.cwr(cpu, gicc::EOIR, iar);
        if (gicc::CTLR_EOImode::test(f.crd(cpu, gicc::CTLR))) f.cwr(cpu, gicc::DIR, iar);
    }
    return iar;
}

/// The same on GICV.
std::uint64_t guest_ack_complete(VirtFixture& f, unsigned cpu) {
    const std::uint32_t iar = f.vrd(cpu, gicc::IAR);
    if (gicc::IAR_InterruptID::get(iar) < 1020) {
        f.vwr(cpu, gicc::EOIR, iar);
        if (gicc::CTLR_EOImode::test(f.vrd(cpu, gicc::CTLR))) f.vwr(cpu, gicc::DIR, iar);
    }
    return iar;
}

using HwStep = std::pair<const char*, std::function<std::vector<std::uint64_t>(VirtFixture&)>>;

std::vector<HwStep> hw_later_steps() {
    return {
        {"CPU 0 completes the nested 42", [](VirtFixture& f) { f.cwr(0, gicc::EOIR, 42); return std::vector<std::uint64_t>{}; }},
        {"CPU 0 takes and completes the next two",
         [](VirtFixture& f) { return std::vector<std::uint64_t>{ack_complete(f, 0), ack_complete(f, 0)}; }},
        {"CPU 1 deactivates 44 (EOImode=1)", [](VirtFixture& f) { f.cwr(1, gicc::DIR, 44); return std::vector<std::uint64_t>{}; }},
        {"CPU 1 completes SGI 5 from CPU 0, takes the one from CPU 2",
         [](VirtFixture& f) {
             f.cwr(1, gicc::EOIR, 5);
             f.cwr(1, gicc::DIR, 5);
             return std::vector<std::uint64_t>{ack_complete(f, 1)};
         }},
        {"level lines 41 and 43 drop",
         [](VirtFixture& f) {
             f.gic.set_spi_level(41, false);
             f.gic.set_spi_level(43, false);
             return std::vector<std::uint64_t>{};
         }},
        {"guest CPU 0 completes vINTID 100 and deactivates HW 102 (physical 46)",
         [](VirtFixture& f) {
             f.vwr(0, gicc::EOIR, 100);
             const std::uint64_t next = f.vrd(0, gicc::IAR);
             f.vwr(0, gicc::EOIR, 102);
             return std::vector<std::uint64_t>{next};
         }},
        {"hypervisor CPU 0 refills LR3, drops NPIE",
         [](VirtFixture& f) {
             f.set_lr(0, 3, sw_lr(104, 0x30, kStatePending));
             f.hwr(0, gich::HCR, gich::HCR_En::mask);
             return std::vector<std::uint64_t>{f.vrd(0, gicc::HPPIR)};
         }},
        {"guest CPU 1 deactivates HW 110 (physical 47)", [](VirtFixture& f) { f.vwr(1, gicc::DIR, 110); return std::vector<std::uint64_t>{}; }},
        {"CPU 3 sends SGI 1 to all others",
         [](VirtFixture& f) {
             f.enable_irq(0, 1, 0x08);
             f.wr(3, gicd::SGIR, gicd::SGIR_TargetListFilter::make(gicd::kFilterAllOthers) | 1);
             return std::vector<std::uint64_t>{};
         }},
        {"new edge SPI 55 for CPU 3",
         [](VirtFixture& f) {
             spi(f, 55, 0x28, 0x8, true);
             pulse(f.gic, 55);
             return std::vector<std::uint64_t>{};
         }},
        {"guest CPU 2 unmatched EOI, hypervisor reads and clears EOICount",
         [](VirtFixture& f) {
             f.vwr(2, gicc::EOIR, 300);
             const std::uint64_t hcr = f.hcr(2);
             f.hwr(2, gich::HCR, gich::HCR_En::mask);
             return std::vector<std::uint64_t>{hcr};
         }},
        {"every CPU and every guest drains",
         [](VirtFixture& f) {
             std::vector<std::uint64_t> out;
             for (unsigned cpu = 0; cpu < 4; ++cpu) {
                 for (int k = 0; k < 16; ++k) {
                     out.push_back(ack_complete(f, cpu));
                     if (gicc::IAR_InterruptID::get(static_cast<std::uint32_t>(out.back())) >= 1020) break;
                 }
                 for (int k = 0; k < 8; ++k) {
                     out.push_back(guest_ack_complete(f, cpu));
                     if (gicc::IAR_InterruptID::get(static_cast<std::uint32_t>(out.back())) >= 1020) break;
                 }
             }
             return out;
         }},
    };
}

/// Lines that are high in `g`, as the rising events a fresh instance must report.
std::set<std::pair<unsigned, Line>> high_lines(const Gic& g) {
    std::set<std::pair<unsigned, Line>> s;
    for (unsigned cpu = 0; cpu < g.config().num_cpus; ++cpu)
        for (Line l : kAllLines)
            if (g.line(cpu, l)) s.insert({cpu, l});
    return s;
}

// ---- vm mode: a VM mid-run -------------------------------------------------------------------

class VmRecorder final : public VmObserver {
public:
    void line_changed(unsigned v, Line l, bool level) override {
        events.push_back("vcpu" + std::to_string(v) + " " + to_string(l) + "=" + (level ? "1" : "0"));
    }
    void kick(unsigned v) override { events.push_back("kick vcpu" + std::to_string(v)); }
    void physical_deactivate(unsigned v, std::uint32_t vintid, std::uint32_t pintid) override {
        events.push_back("deactivate vcpu" + std::to_string(v) + " " + std::to_string(vintid) + "->" +
                         std::to_string(pintid));
    }
    std::vector<std::string> events;
};

GicConfig vm_config(unsigned vcpus = 3, unsigned lrs = 4) {
    GicConfig c = make_config(vcpus);
    c.virt.num_list_regs = lrs;
    return c;
}

struct VmRig {
    explicit VmRig(const GicConfig& c = vm_config()) : vm(c) { vm.set_observer(&rec); }
    void wr(unsigned v, std::uint32_t off, std::uint32_t value, unsigned size = 4) {
        BOOST_TEST_REQUIRE(vm.write_distributor(v, off, size, value).ok());
    }
    std::uint32_t rd(unsigned v, std::uint32_t off) {
        const AccessResult r = vm.read_distributor(v, off, 4);
        BOOST_TEST_REQUIRE(r.ok());
        return static_cast<std::uint32_t>(r.value);
    }
    void cwr(unsigned v, std::uint32_t off, std::uint32_t value) {
        BOOST_TEST_REQUIRE(vm.write_cpu_interface(v, off, 4, value).ok());
    }
    std::uint32_t crd(unsigned v, std::uint32_t off) {
        const AccessResult r = vm.read_cpu_interface(v, off, 4);
        BOOST_TEST_REQUIRE(r.ok());
        return static_cast<std::uint32_t>(r.value);
    }
    void spi(std::uint32_t id, std::uint8_t prio, std::uint8_t targets, bool edge) {
        wr(0, gicd::IPRIORITYR + id, prio, 1);
        wr(0, gicd::ITARGETSR + id, targets, 1);
        const std::uint32_t off = gicd::ICFGR + (id / 16) * 4;
        const std::uint32_t bit = 2u << (2 * (id % 16));
        wr(0, off, edge ? (rd(0, off) | bit) : (rd(0, off) & ~bit));
        wr(0, gicd::ISENABLER + (id / 32) * 4, 1u << (id % 32));
    }
    void pulse(std::uint32_t id) {
        vm.set_spi_level(id, true);
        vm.set_spi_level(id, false);
    }

    VmRecorder rec;
    VmGic vm;
};

/// Three vCPUs with four LRs. vCPU 0 runs overflowed: four LRs loaded (one active), a
/// pending interrupt queued, an evicted active one, and a kick pending for a newer, better
/// interrupt. vCPU 1 runs with an SGI from two sources (one active in an LR with EOI=1) and
/// a HW-mapped level PPI, and has a kick pending too. vCPU 2 is out with a queued interrupt.
void make_busy_vm(VmRig& r) {
    VmGic& vm = r.vm;
    r.wr(0, gicd::CTLR, 1);
    for (unsigned v = 0; v < 3; ++v) {
        r.cwr(v, gicc::PMR, 0xFF);
        r.cwr(v, gicc::CTLR, gicc::CTLR_EnableGrp0::mask);
    }
    r.spi(40, 0xA0, 0x1, true);
    for (std::uint32_t id = 41; id <= 45; ++id) r.spi(id, static_cast<std::uint8_t>(0x10 * (id - 40)), 0x1, true);
    r.spi(46, 0x60, 0x4, true);
    r.spi(47, 0x08, 0x1, true);
    r.spi(50, 0x58, 0x2, false);

    // vCPU 1: SGI 2 from vCPUs 0 and 2, a HW-mapped level PPI 27, a remapped physical INTID.
    r.wr(1, gicd::IPRIORITYR + 2, 0x30, 1);
    r.wr(1, gicd::IPRIORITYR + 27, 0x38, 1);
    r.wr(1, gicd::ISENABLER, (1u << 2) | (1u << 27));
    vm.map_hw(1, 27, 27);
    vm.map_hw(1, 30, 60);
    vm.map_hw(1, 31, 60);
    r.wr(0, gicd::SGIR, gicd::SGIR_CPUTargetList::make(2) | 2);
    r.wr(2, gicd::SGIR, gicd::SGIR_CPUTargetList::make(2) | 2);
    vm.vcpu_entry(1);
    vm.set_ppi_level(1, 27, true);
    vm.service_kicks();
    BOOST_TEST_REQUIRE(r.crd(1, gicc::IAR) == 2u);  // from vCPU 0

    // vCPU 0: takes 40; five better interrupts overflow the four LRs and evict it.
    vm.vcpu_entry(0);
    r.pulse(40);
    vm.service_kicks();
    BOOST_TEST_REQUIRE(r.crd(0, gicc::IAR) == 40u);
    for (std::uint32_t id = 41; id <= 45; ++id) r.pulse(id);
    vm.service_kicks();
    BOOST_TEST_REQUIRE(vm.stats().evictions >= 1u);
    BOOST_TEST_REQUIRE(vm.distributor().highest_active_unloaded(0).intid == 40u);
    BOOST_TEST_REQUIRE(r.crd(0, gicc::IAR) == 41u);

    // vCPU 2 stays out with 46 queued; 47 and the level 50 make kicks pending.
    r.pulse(46);
    r.pulse(47);
    vm.set_spi_level(50, true);
    BOOST_TEST_REQUIRE(vm.kick_pending(0));
    BOOST_TEST_REQUIRE(vm.kick_pending(1));
    BOOST_TEST_REQUIRE(!vm.running(2));

    // Diagnostics: a bad access and a guest error.
    BOOST_TEST_REQUIRE((vm.read_cpu_interface(0, gicc::EOIR, 4).status == AccessStatus::Ignored));
    r.cwr(2, gicc::DIR, 5);
    BOOST_TEST_REQUIRE(vm.diagnostics().bad_access_count() == 1u);
    BOOST_TEST_REQUIRE(vm.diagnostics().guest_error_count() == 1u);
}

using VmStep = std::pair<const char*, std::function<std::vector<std::uint64_t>(VmRig&)>>;

std::vector<std::uint64_t> flush_result(const FlushReport& f) { return {f.lrs_written, f.overflow ? 1u : 0u}; }
std::vector<std::uint64_t> sync_result(const SyncReport& s) { return {s.lrs_read, s.eoi_count}; }

std::vector<VmStep> vm_later_steps() {
    return {
        {"service the pending kicks", [](VmRig& r) { return std::vector<std::uint64_t>{r.vm.service_kicks()}; }},
        {"guest vCPU 0 completes 41 and takes the next",
         [](VmRig& r) {
             r.cwr(0, gicc::EOIR, 41);
             return std::vector<std::uint64_t>{r.crd(0, gicc::IAR)};
         }},
        {"guest vCPU 0 completes the evicted 40 (EOICount), kicks serviced",
         [](VmRig& r) {
             r.cwr(0, gicc::EOIR, 40);
             return std::vector<std::uint64_t>{r.vm.vcpu_interface(0).hcr(), r.vm.service_kicks()};
         }},
        {"level 50 drops", [](VmRig& r) { r.vm.set_spi_level(50, false); return std::vector<std::uint64_t>{}; }},
        {"mapped PPI 27 drops; guest vCPU 1 completes SGI 2",
         [](VmRig& r) {
             r.vm.set_ppi_level(1, 27, false);
             r.cwr(1, gicc::EOIR, 2);
             return std::vector<std::uint64_t>{r.vm.kick_pending(1)};
         }},
        {"vCPU 2 enters", [](VmRig& r) { return flush_result(r.vm.vcpu_entry(2)); }},
        {"vCPU 1 exits and re-enters",
         [](VmRig& r) {
             std::vector<std::uint64_t> out = sync_result(r.vm.vcpu_exit(1));
             for (std::uint64_t x : flush_result(r.vm.vcpu_entry(1))) out.push_back(x);
             return out;
         }},
        {"trap: vCPU 2 pends 41 again through ISPENDR",
         [](VmRig& r) {
             r.wr(2, gicd::ISPENDR + 4, 1u << (41 - 32));
             return std::vector<std::uint64_t>{r.vm.stats().trap_syncs};
         }},
        {"the hypervisor unmaps 31", [](VmRig& r) { r.vm.map_hw(1, 31, 0); return std::vector<std::uint64_t>{}; }},
        {"every vCPU drains",
         [](VmRig& r) {
             std::vector<std::uint64_t> out;
             for (int round = 0; round < 12; ++round) {
                 out.push_back(r.vm.service_kicks());
                 for (unsigned v = 0; v < 3; ++v) {
                     const std::uint32_t iar = r.crd(v, gicc::IAR);
                     out.push_back(iar);
                     if (gicc::IAR_InterruptID::get(iar) < 1020) r.cwr(v, gicc::EOIR, iar);
                 }
             }
             return out;
         }},
        {"vCPU 0 exits", [](VmRig& r) { return sync_result(r.vm.vcpu_exit(0)); }},
    };
}

// ---- refusals ------------------------------------------------------------------------------

/// restore_snapshot must throw SnapshotError with exactly `message` (or starting with it when
/// `prefix`), and leave `target` as it was: same snapshot, same readings, no line events.
template <class Target, class Events>
void expect_refused(Target& target, Events& events, const std::string& doc, const std::string& message,
                    bool prefix = false) {
    const std::string before = save_snapshot(target);
    const Readings readings = observe(target);
    const std::size_t n_events = events.size();
    try {
        restore_snapshot(target, doc);
        BOOST_ERROR("document accepted; expected: " << message);
    } catch (const SnapshotError& e) {
        const std::string what = e.what();
        if (prefix)
            BOOST_TEST(what.rfind(message, 0) == 0u, "message \"" << what << "\" does not start with \"" << message << "\"");
        else
            BOOST_TEST(what == message);
    }
    BOOST_TEST(save_snapshot(target) == before, "a refused document changed the target");
    expect_same(readings, observe(target), "after a refused restore");
    BOOST_TEST(events.size() == n_events);
}

} // namespace

BOOST_AUTO_TEST_SUITE(snapshot)

BOOST_AUTO_TEST_CASE(hw_round_trip_of_a_busy_gic_is_exact) {
    VirtFixture original(make_virt_config(4));
    make_busy_hw(original);
    const std::string doc = save_snapshot(original.gic);

    VirtFixture restored(make_virt_config(4));
    restore_snapshot(restored.gic, doc);

    BOOST_TEST(save_snapshot(restored.gic) == doc);
    expect_same(observe(original.gic), observe(restored.gic), "right after the restore");
    // The fresh instance had every line low: it reports exactly the lines that are high.
    std::set<std::pair<unsigned, Line>> reported;
    for (const LineEvent& e : restored.observer.events) {
        BOOST_TEST(e.level);
        BOOST_TEST(reported.insert({e.cpu, e.line}).second, "line reported twice: " << e);
    }
    BOOST_TEST((reported == high_lines(original.gic)));
    BOOST_TEST(reported.size() >= 6u);
}

BOOST_AUTO_TEST_CASE(hw_restored_gic_behaves_identically_afterwards) {
    VirtFixture original(make_virt_config(4));
    make_busy_hw(original);
    VirtFixture restored(make_virt_config(4));
    restore_snapshot(restored.gic, save_snapshot(original.gic));

    for (const HwStep& step : hw_later_steps()) {
        BOOST_TEST_CONTEXT("step: " << step.first) {
            original.observer.events.clear();
            restored.observer.events.clear();
            const std::vector<std::uint64_t> a = step.second(original);
            const std::vector<std::uint64_t> b = step.second(restored);
            BOOST_TEST(a == b, boost::test_tools::per_element());
            BOOST_TEST(original.observer.events == restored.observer.events, boost::test_tools::per_element());
            expect_same(observe(original.gic), observe(restored.gic), step.first);
        }
    }
    BOOST_TEST(save_snapshot(original.gic) == save_snapshot(restored.gic));
}

BOOST_AUTO_TEST_CASE(hw_restore_into_a_used_gic_reports_only_changed_lines) {
    VirtFixture original(make_virt_config(4));
    make_busy_hw(original);
    const std::string doc = save_snapshot(original.gic);

    // A target with other state: some of its lines are already high, others differ.
    VirtFixture target(make_virt_config(4));
    target.enable_all(0);
    target.enable_all(2);
    spi(target, 70, 0x10, 0x5, false);
    target.gic.set_spi_level(70, true);
    target.hyp_enable(1, gich::HCR_NPIE::mask);  // maintenance high on CPU 1
    const std::set<std::pair<unsigned, Line>> before = high_lines(target.gic);
    target.observer.events.clear();

    restore_snapshot(target.gic, doc);
    BOOST_TEST(save_snapshot(target.gic) == doc);
    expect_same(observe(original.gic), observe(target.gic), "after restoring over other state");
    const std::set<std::pair<unsigned, Line>> after = high_lines(target.gic);
    std::set<std::pair<unsigned, Line>> changed;
    for (const auto& l : before)
        if (!after.count(l)) changed.insert(l);
    for (const auto& l : after)
        if (!before.count(l)) changed.insert(l);
    std::set<std::pair<unsigned, Line>> reported;
    for (const LineEvent& e : target.observer.events) {
        BOOST_TEST(e.level == (after.count({e.cpu, e.line}) == 1), "event " << e << " does not match the new level");
        BOOST_TEST(reported.insert({e.cpu, e.line}).second, "line reported twice: " << e);
    }
    BOOST_TEST((reported == changed));
    BOOST_TEST(!changed.empty());
}

BOOST_AUTO_TEST_CASE(vm_round_trip_mid_run_is_exact) {
    VmRig original;
    make_busy_vm(original);
    const std::string doc = save_snapshot(original.vm);

    VmRig restored;
    restore_snapshot(restored.vm, doc);
    BOOST_TEST(save_snapshot(restored.vm) == doc);
    expect_same(observe(original.vm), observe(restored.vm), "right after the restore");
    // Running and kick state as saved; the fresh instance's observer hears of both kicks.
    BOOST_TEST(restored.vm.running(0));
    BOOST_TEST(restored.vm.running(1));
    BOOST_TEST(!restored.vm.running(2));
    const auto& ev = restored.rec.events;
    BOOST_TEST(std::count(ev.begin(), ev.end(), "kick vcpu0") == 1);
    BOOST_TEST(std::count(ev.begin(), ev.end(), "kick vcpu1") == 1);
    BOOST_TEST(restored.vm.stats().kicks == original.vm.stats().kicks);
}

BOOST_AUTO_TEST_CASE(vm_restored_vm_behaves_identically_afterwards) {
    VmRig original;
    make_busy_vm(original);
    VmRig restored;
    restore_snapshot(restored.vm, save_snapshot(original.vm));

    for (const VmStep& step : vm_later_steps()) {
        BOOST_TEST_CONTEXT("step: " << step.first) {
            original.rec.events.clear();
            restored.rec.events.clear();
            const std::vector<std::uint64_t> a = step.second(original);
            const std::vector<std::uint64_t> b = step.second(restored);
            BOOST_TEST(a == b, boost::test_tools::per_element());
            BOOST_TEST(original.rec.events == restored.rec.events, boost::test_tools::per_element());
            expect_same(observe(original.vm), observe(restored.vm), step.first);
        }
    }
    BOOST_TEST(original.vm.stats().eoicount_deactivations >= 1u);
    BOOST_TEST(save_snapshot(original.vm) == save_snapshot(restored.vm));
}

BOOST_AUTO_TEST_CASE(save_is_deterministic) {
    VirtFixture a(make_virt_config(4)), b(make_virt_config(4));
    make_busy_hw(a);
    make_busy_hw(b);
    const std::string doc = save_snapshot(a.gic);
    BOOST_TEST(save_snapshot(a.gic) == doc);
    BOOST_TEST(save_snapshot(b.gic) == doc);
    VmRig x, y;
    make_busy_vm(x);
    make_busy_vm(y);
    BOOST_TEST(save_snapshot(x.vm) == save_snapshot(x.vm));
    BOOST_TEST(save_snapshot(x.vm) == save_snapshot(y.vm));
    // A readable document: header first, named fields.
    BOOST_TEST(doc.rfind("{\n  \"format\": \"vgic-snapshot\",\n  \"version\": 1,\n  \"mode\": \"hw\",\n", 0) == 0u);
    BOOST_TEST(doc.find("{\"intid\": 44, \"group\": 1, \"priority\": \"0x30\", \"enabled\": true, \"trigger\": \"edge\"") !=
               std::string::npos);
}

BOOST_AUTO_TEST_CASE(integers_and_hex_strings_are_interchangeable_on_input) {
    VirtFixture original(make_virt_config(4));
    make_busy_hw(original);
    const std::string doc = save_snapshot(original.gic);
    std::string edited = edit(doc, "{\"intid\": 44,", "\"priority\": \"0x30\"", "\"priority\": 48");
    edited = edit(edited, "{\"intid\": 40,", "\"targets\": \"0x01\"", "\"targets\": \"0X1\"");
    edited = edit_at(edited, {"\"cpu\": 0,", "\"gicc\"", "\"bpr\""}, "2", "\"0x2\"");
    BOOST_TEST_REQUIRE(edited != doc);
    VirtFixture restored(make_virt_config(4));
    restore_snapshot(restored.gic, edited);
    BOOST_TEST(save_snapshot(restored.gic) == doc);
}

BOOST_AUTO_TEST_CASE(extreme_configurations_round_trip) {
    // 8 CPUs, 988 SPIs, 8 priority bits (128 preemption levels: all four APR words), 64 LRs.
    GicConfig c = make_virt_config(8, 64, 5, 4, 988);
    c.priority_bits = 8;
    c.bad_access = BadAccessPolicy::Error;
    VirtFixture a(c);
    a.enable_all(7);
    a.cwr(7, gicc::BPR, 0);
    spi(a, 1019, 0xFF, 0x80, true);
    spi(a, 1018, 0x03, 0x80, false);
    a.gic.set_spi_level(1018, true);
    BOOST_TEST_REQUIRE(a.crd(7, gicc::IAR) == 1018u);
    a.cwr(7, gicc::NSAPR0 + 12, 0x80000000u);
    a.set_lr(7, 63, sw_lr(1019, 0xF0, kStatePendingActive, true, false, 7));
    a.hyp_enable(7, gich::HCR_VGrp1DIE::mask);
    const std::string doc = save_snapshot(a.gic);
    VirtFixture b(c);
    restore_snapshot(b.gic, doc);
    BOOST_TEST(save_snapshot(b.gic) == doc);
    expect_same(observe(a.gic), observe(b.gic), "extreme configuration");

    // Without the virtualization extensions there is no GICH state at all.
    GicConfig plain = make_config(2);
    plain.virt.enabled = false;
    GicFixture p(plain), q(plain);
    p.enable_all(1);
    p.enable_irq(1, 17, 0x20);
    p.gic.set_ppi_level(1, 17, true);
    const std::string pdoc = save_snapshot(p.gic);
    BOOST_TEST(pdoc.find("\"gich\"") == std::string::npos);
    restore_snapshot(q.gic, pdoc);
    BOOST_TEST(save_snapshot(q.gic) == pdoc);
    BOOST_TEST(q.irq(1));

    // vm mode with a single list register (the NPIE / EOI overflow scheme).
    VmRig one(vm_config(1, 1)), two(vm_config(1, 1));
    one.wr(0, gicd::CTLR, 1);
    one.cwr(0, gicc::PMR, 0xFF);
    one.cwr(0, gicc::CTLR, gicc::CTLR_EnableGrp0::mask);
    one.spi(33, 0x20, 1, true);
    one.spi(34, 0x30, 1, true);
    one.vm.vcpu_entry(0);
    one.pulse(33);
    one.pulse(34);
    one.vm.service_kicks();
    const std::string vdoc = save_snapshot(one.vm);
    restore_snapshot(two.vm, vdoc);
    BOOST_TEST(save_snapshot(two.vm) == vdoc);
    expect_same(observe(one.vm), observe(two.vm), "one list register");
}

BOOST_AUTO_TEST_CASE(a_different_configuration_is_refused) {
    VirtFixture source(make_virt_config(4));
    make_busy_hw(source);
    const std::string doc = save_snapshot(source.gic);
    VmRig vsource(vm_config(4, 4));
    const std::string vdoc = save_snapshot(vsource.vm);

    struct Case {
        GicConfig config;
        const char* message;
    };
    GicConfig prio6 = make_virt_config(4);
    prio6.priority_bits = 6;
    GicConfig other_ids = make_virt_config(4);
    other_ids.ids.gicd_iidr = 0x12345678;
    GicConfig other_policy = make_virt_config(4);
    other_policy.bad_access = BadAccessPolicy::Error;
    GicConfig no_virt = make_virt_config(4);
    no_virt.virt.enabled = false;
    const Case cases[] = {
        {make_virt_config(2), "snapshot: configuration differs: num_cpus is 4 in the document, 2 in this GIC"},
        {make_virt_config(4, 4, 5, 5, 96), "snapshot: configuration differs: num_spis is 64 in the document, 96 in this GIC"},
        {prio6, "snapshot: configuration differs: priority_bits is 5 in the document, 6 in this GIC"},
        {make_virt_config(4, 8), "snapshot: configuration differs: virt.num_list_regs is 4 in the document, 8 in this GIC"},
        {make_virt_config(4, 4, 5, 4),
         "snapshot: configuration differs: virt.preemption_bits is 5 in the document, 4 in this GIC"},
        {other_ids, "snapshot: configuration differs: ids.gicd_iidr is 0x0200143b in the document, 0x12345678 in this GIC"},
        {other_policy, "snapshot: configuration differs: bad_access is raz_wi in the document, error in this GIC"},
        {no_virt, "snapshot: configuration differs: virt.enabled is true in the document, false in this GIC"},
    };
    for (const Case& c : cases) {
        BOOST_TEST_CONTEXT(c.message) {
            VirtFixture target(c.config);
            target.enable_all(1);
            target.enable_irq(1, 20, 0x10);
            target.pend(1, 20);
            expect_refused(target.gic, target.observer.events, doc, c.message);
        }
    }
    // The mode is part of the configuration: hw documents do not restore into a VM, and back.
    VmRig vtarget(vm_config(4, 4));
    make_busy_vm(vtarget);
    expect_refused(vtarget.vm, vtarget.rec.events, doc,
                   "snapshot: configuration differs: mode is 'hw' in the document, 'vm' in this GIC");
    VirtFixture htarget(make_virt_config(4));
    make_busy_hw(htarget);
    expect_refused(htarget.gic, htarget.observer.events, vdoc,
                   "snapshot: configuration differs: mode is 'vm' in the document, 'hw' in this GIC");
    VmRig vsmall(vm_config(2, 4));
    expect_refused(vsmall.vm, vsmall.rec.events, vdoc,
                   "snapshot: configuration differs: num_cpus is 4 in the document, 2 in this GIC");
}

BOOST_AUTO_TEST_CASE(corrupt_hw_documents_are_refused_and_change_nothing) {
    VirtFixture source(make_virt_config(4));
    make_busy_hw(source);
    const std::string doc = save_snapshot(source.gic);
    // The target is busy with other state, so "unchanged" means something.
    VirtFixture target(make_virt_config(4));
    target.enable_all(2);
    spi(target, 44, 0x20, 0x4, false);
    target.gic.set_spi_level(44, true);
    target.hyp_enable(3, gich::HCR_NPIE::mask);
    auto& ev = target.observer.events;
    const std::string spi44 = "{\"intid\": 44,";  // /distributor/spis/12

    expect_refused(target.gic, ev, doc.substr(0, doc.size() / 2), "snapshot: JSON syntax error at byte ", true);
    expect_refused(target.gic, ev, "", "snapshot: JSON syntax error at byte ", true);
    expect_refused(target.gic, ev, "[1, 2]", "snapshot: not a vgic snapshot: expected a JSON object, got [1,2]");
    expect_refused(target.gic, ev, "{\"version\": 1}", "snapshot: not a vgic snapshot: no \"format\" member");
    expect_refused(target.gic, ev, edit(doc, "\"format\"", "vgic-snapshot", "vgic-snapshat"),
                   "snapshot: not a vgic snapshot: /format is \"vgic-snapshat\", expected \"vgic-snapshot\"");
    expect_refused(target.gic, ev, edit(doc, "\"version\"", "1", "7"),
                   "snapshot: format 'vgic-snapshot' version 7 not supported (this build reads versions 1 and 2)");
    expect_refused(target.gic, ev, edit(doc, "\"version\"", "1", "\"1\""),
                   "snapshot: /version: expected an integer, got \"1\"");
    expect_refused(target.gic, ev, edit(doc, "\"mode\"", "\"hw\"", "\"hv\""),
                   "snapshot: /mode: expected \"hw\" or \"vm\", got \"hv\"");
    // Missing, mistyped, out-of-range and unknown fields.
    expect_refused(target.gic, ev, edit(doc, spi44, "\"pending_latch\": false, ", ""),
                   "snapshot: /distributor/spis/12: missing field 'pending_latch'");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"enabled\": true", "\"enabled\": \"yes\""),
                   "snapshot: /distributor/spis/12/enabled: expected true or false, got \"yes\"");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"priority\": \"0x30\"", "\"priority\": \"x\""),
                   "snapshot: /distributor/spis/12/priority: expected an integer 0..255, got \"x\"");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"priority\": \"0x30\"", "\"priority\": 300"),
                   "snapshot: /distributor/spis/12/priority: expected an integer 0..255, got 300");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"priority\": \"0x30\"", "\"priority\": -1"),
                   "snapshot: /distributor/spis/12/priority: expected an integer 0..255, got -1");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"trigger\": \"edge\"", "\"trigger\": \"rising\""),
                   "snapshot: /distributor/spis/12/trigger: expected \"level\" or \"edge\", got \"rising\"");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"intid\": 44", "\"intid\": 45"),
                   "snapshot: /distributor/spis/12/intid: expected 44, got 45");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"group\": 1, ", "\"group\": 1, \"colour\": \"red\", "),
                   "snapshot: /distributor/spis/12: unknown field \"colour\"");
    expect_refused(target.gic, ev, edit(doc, "\"format\"", "\"format\"", "\"comment\": \"hi\", \"format\""),
                   "snapshot: /: unknown field \"comment\"");
    expect_refused(target.gic, ev, edit(doc, "\"diagnostics\"", "\"guest_error_count\": 1", "\"guest_error_count\": 1.5"),
                   "snapshot: /diagnostics/guest_error_count: expected an integer 0..18446744073709551615, got 1.5");
    // Values of the right type that this GIC cannot hold (the model's own checks).
    expect_refused(target.gic, ev, edit(doc, spi44, "\"priority\": \"0x30\"", "\"priority\": \"0x31\""),
                   "snapshot: /distributor/spis/12/priority: INTID 44: 0x31 has unimplemented bits: this GIC "
                   "implements 5 priority bits (mask 0xf8)");
    expect_refused(target.gic, ev, edit(doc, spi44, "\"targets\": \"0x02\"", "\"targets\": \"0x12\""),
                   "snapshot: /distributor/spis/12/targets: INTID 44: 0x12 names CPUs that do not exist (num_cpus 4: "
                   "mask 0x0f)");
    expect_refused(target.gic, ev, edit(doc, "{\"intid\": 3,", "\"sgi_sources\": \"0x0e\"", "\"sgi_sources\": \"0x1e\""),
                   "snapshot: /distributor/private/0/3/sgi_sources: INTID 3: 0x1e names CPUs that do not exist "
                   "(num_cpus 4: mask 0x0f)");
    expect_refused(target.gic, ev, edit_at(doc, {"\"distributor\"", "\"ctlr\""}, "\"0x00000003\"", "\"0x00000007\""),
                   "snapshot: /distributor/ctlr: 0x00000007 sets bits other than EnableGrp0 and EnableGrp1");
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 0,", "\"ctlr\""}, "\"0x00000007\"", "\"0x00000407\""),
                   "snapshot: /cpus/0/gicc/ctlr: 0x00000407 sets bits this interface does not implement (0x000003ff)");
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 0,", "\"bpr\""}, "\"bpr\": 2", "\"bpr\": 1"),
                   "snapshot: /cpus/0/gicc/bpr: 1 is outside 2..7 (the minimum follows from 5 preemption bits)");
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 1,", "\"pmr\""}, "\"0xf8\"", "\"0xf9\""),
                   "snapshot: /cpus/1/gicc/pmr: 0xf9 has unimplemented bits (5 priority bits: mask 0xf8)");
    expect_refused(target.gic, ev, edit(doc, "\"apr\": [\"0x00100100\"", "\"0x00000000\"", "\"0x00000001\""),
                   "snapshot: /cpus/0/gicc/apr/1: 0x00000001 sets bits beyond the 32 preemption levels (mask 0x00000000)");
    // GICH: HCR, VMCR, LRs (count and RES0 bits).
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 0,", "\"hcr\""}, "\"0x00000009\"", "\"0x00000109\""),
                   "snapshot: /cpus/0/gich/hcr: 0x00000109 sets reserved bits (GICH_HCR holds 0xf80000ff: the enables "
                   "and the 5-bit EOICount)");
    const std::uint32_t vmcr3 = gich::VMCR_VMGrp0En::mask | gich::VMCR_VMPriMask::make(0x1E) |
                                gich::VMCR_VMBP::make(3) | gich::VMCR_VMABP::make(4);
    const std::uint32_t vmcr3_bad = gich::VMCR_VMBP::set(vmcr3, 1);
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 3,", "\"vmcr\""}, hex_string(vmcr3, 8), hex_string(vmcr3_bad, 8)),
                   "snapshot: /cpus/3/gich/vmcr: " + hex_string(vmcr3_bad, 8) +
                       ": GICV_BPR 1 is outside 2..7 (the minimum follows from 5 preemption bits)");
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 1,", "\"lrs\""}, ", \"0x00000000\"]", "]"),
                   "snapshot: /cpus/1/gich/lrs: expected 4 entries (config.virt.num_list_regs), got 3");
    const std::uint32_t lr10 = hw_lr(110, 47, 0x30, kStateActive);
    expect_refused(target.gic, ev, edit_at(doc, {"\"cpu\": 1,", "\"lrs\""}, hex_string(lr10, 8), hex_string(lr10 | (1u << 21), 8)),
                   "snapshot: /cpus/1/gich/lrs/0: " + hex_string(lr10 | (1u << 21), 8) +
                       " sets RES0 bits 0x00200000 (with HW=1)");
    // The maintenance PPI's input must agree with the GICH state that drives it.
    expect_refused(target.gic, ev, edit(doc, "{\"intid\": 25,", "\"line\": true", "\"line\": false"),
                   "snapshot: /distributor/private/0/25/line: the maintenance interrupt's input is low but CPU 0's "
                   "GICH state gives maintenance level 1 (the GIC drives this line)");
    // And the same document, intact, is accepted.
    restore_snapshot(target.gic, doc);
    BOOST_TEST(save_snapshot(target.gic) == doc);
}

BOOST_AUTO_TEST_CASE(corrupt_vm_documents_are_refused_and_change_nothing) {
    VmRig source;
    make_busy_vm(source);
    const std::string doc = save_snapshot(source.vm);
    VmRig target;
    target.wr(0, gicd::CTLR, 1);
    target.spi(33, 0x20, 0x2, false);
    target.vm.set_spi_level(33, true);
    target.vm.vcpu_entry(1);
    auto& ev = target.rec.events;

    expect_refused(target.vm, ev, doc.substr(0, doc.size() - 20), "snapshot: JSON syntax error at byte ", true);
    expect_refused(target.vm, ev, edit(doc, "\"version\"", "1", "3"),
                   "snapshot: format 'vgic-snapshot' version 3 not supported (this build reads versions 1 and 2)");
    // Version 2 documents carry config.version; a version 1 layout relabelled 2 lacks it.
    expect_refused(target.vm, ev, edit(doc, "\"version\"", "1", "2"), "snapshot: /config: missing field 'version'");
    expect_refused(target.vm, ev, edit(doc, "{\"intid\": 46,", "\"parked\": false, ", ""),
                   "snapshot: /distributor/spis/14: missing field 'parked'");
    expect_refused(target.vm, ev, edit(doc, "\"engine_stats\"", "engine_stats", "engine_statz"),
                   "snapshot: /: missing field 'engine_stats'");
    expect_refused(target.vm, ev, edit_at(doc, {"\"vcpu\": 0,", "\"running\""}, "true", "1"),
                   "snapshot: /vcpus/0/running: expected true or false, got 1");
    expect_refused(target.vm, ev, edit_at(doc, {"\"vcpu\": 0,", "\"lrs\": ["}, "\"lrs\": [", "\"lrs\": [\"0x00000000\", "),
                   "snapshot: /vcpus/0/gich/lrs: expected 4 entries (config.virt.num_list_regs), got 5");
    expect_refused(target.vm, ev, edit(doc, "{\"intid\": 46,", "\"owner\": 0", "\"owner\": 3"),
                   "snapshot: /distributor/spis/14/owner: INTID 46: 3 is not a CPU (num_cpus 3: mask 0x07)");
    expect_refused(target.vm, ev, edit(doc, "{\"intid\": 46,", "\"hw_physical_id\": 0", "\"hw_physical_id\": 7"),
                   "snapshot: /distributor/spis/14/hw_physical_id: INTID 46: 7 is not a physical PPI or SPI (16..1019, 0 "
                   "= not mapped)");
    // The engine's invariants.
    expect_refused(target.vm, ev, edit_at(doc, {"\"vcpu\": 2,", "\"loaded_lrs\""}, "0x0000000000000000", "0x0000000000000001"),
                   "snapshot: /vcpus/2/loaded_lrs: a vCPU that is not running has no loaded list registers (its exit "
                   "synced them)");
    expect_refused(target.vm, ev, edit_at(doc, {"\"vcpu\": 2,", "\"kick_pending\""}, "false", "true"),
                   "snapshot: /vcpus/2/kick_pending: only a running vCPU can have a kick pending");
    expect_refused(target.vm, ev, edit_at(doc, {"\"vcpu\": 0,", "\"loaded_lrs\""}, "0x000000000000000f", "0x000000000000001f"),
                   "snapshot: /vcpus/0/loaded_lrs: 0x000000000000001f names list registers that do not exist (4)");
    expect_refused(target.vm, ev, edit(doc, "{\"intid\": 46,", "\"parked\": false", "\"parked\": true"),
                   "snapshot: /distributor/spis/14/parked: INTID 46 is parked for vCPU 0, but no loaded list register "
                   "of it holds it");
    expect_refused(target.vm, ev, edit(doc, "{\"intid\": 42,", "\"parked\": true", "\"parked\": false"),
                   "snapshot: /vcpus/0/gich/lrs/1: holds INTID 42, which the distributor does not show parked in a "
                   "list register");
    restore_snapshot(target.vm, doc);
    BOOST_TEST(save_snapshot(target.vm) == doc);
}

/// `levels` nested arrays: "[[[...]]]".
std::string nested_arrays(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

BOOST_AUTO_TEST_CASE(nesting_deeper_than_the_limit_is_refused_before_parsing) {
    // D03: a 600 KB document nested 300,000 deep overflowed the stack. Snapshots nest 5
    // levels (6 in a platform snapshot); the limit, 64, is checked on the text before any
    // tree is built, and the message names it and the byte where the 65th level opens.
    BOOST_TEST(kSnapshotMaxDepth == 64u);
    VirtFixture target(make_virt_config(4));
    target.enable_all(2);
    auto& ev = target.observer.events;
    const std::string deep = "{\"x\": " + nested_arrays(300000) + ", \"y\": 0}";
    // '{' is level 1 at byte 1; the k-th '[' opens level k + 1 at byte 6 + k: level 65 at 70.
    const std::string message = "snapshot: nesting deeper than 64 levels at byte 70 (line 1, column 70): a snapshot "
                                "document nests at most 64 arrays and objects";
    expect_refused(target.gic, ev, deep, message);
    VmRig vm;
    make_busy_vm(vm);
    expect_refused(vm.vm, vm.rec.events, deep, message);
    BOOST_CHECK_THROW(check_snapshot_document(deep), SnapshotError);
    // The limit is exact: 64 levels pass the depth check (and fail as what they are), 65 do not.
    expect_refused(target.gic, ev, nested_arrays(64),
                   "snapshot: not a vgic snapshot: expected a JSON object, got " + std::string(45, '[') + "...");
    expect_refused(target.gic, ev, nested_arrays(65),
                   "snapshot: nesting deeper than 64 levels at byte 65 (line 1, column 65): a snapshot document nests "
                   "at most 64 arrays and objects");
    // The line and column count from the start of the line that opens the level.
    expect_refused(target.gic, ev, "{\n \"x\":\n" + nested_arrays(100) + "}",
                   "snapshot: nesting deeper than 64 levels at byte 72 (line 3, column 64): a snapshot document nests "
                   "at most 64 arrays and objects");
    // Brackets inside strings (escaped quotes included) are text, not nesting.
    expect_refused(target.gic, ev, "{\"x\": \"\\\"" + std::string(100, '[') + "\"}",
                   "snapshot: not a vgic snapshot: no \"format\" member");
}

BOOST_AUTO_TEST_CASE(duplicate_members_are_refused) {
    // D09: JSON leaves a repeated member to the reader; nlohmann keeps the last one, so the
    // first was silently ignored although unknown members are refused. Refused wherever it
    // is, with the path of the object that repeats it.
    VirtFixture source(make_virt_config(4));
    make_busy_hw(source);
    const std::string doc = save_snapshot(source.gic);
    VirtFixture target(make_virt_config(4));
    target.enable_all(2);
    auto& ev = target.observer.events;
    const std::string spi44 = "{\"intid\": 44,";  // /distributor/spis/12
    expect_refused(target.gic, ev, edit(doc, spi44, "\"priority\": \"0x30\"", "\"priority\": \"0x30\", \"priority\": \"0x40\""),
                   "snapshot: /distributor/spis/12: member \"priority\" appears twice (each member may appear once: a "
                   "reader would keep only one of them)");
    expect_refused(target.gic, ev, edit(doc, "\"mode\"", "\"mode\": \"hw\"", "\"mode\": \"hw\", \"mode\": \"hw\""),
                   "snapshot: /: member \"mode\" appears twice (each member may appear once: a reader would keep only "
                   "one of them)");
    // The same name in different objects is no repetition; escapes are decoded before
    // comparing ("\u0061" is "a"), and names are shown without raw control bytes.
    expect_refused(target.gic, ev, "{\"a\": {\"b\": 1}, \"c\": {\"b\": 2}, \"\\u0061\": 0}",
                   "snapshot: /: member \"a\" appears twice (each member may appear once: a reader would keep only one "
                   "of them)");
    expect_refused(target.gic, ev, "{\"x\": [{}, {\"\\u0001\\u00ff\": 1, \"\\u0001\\u00ff\": 2}]}",
                   "snapshot: /x/1: member \"\\x01\\xC3\\xBF\" appears twice (each member may appear once: a reader "
                   "would keep only one of them)");
    VmRig vsource;
    make_busy_vm(vsource);
    const std::string vdoc = save_snapshot(vsource.vm);
    VmRig vtarget;
    std::string repeated = vdoc;
    const std::size_t running = repeated.find("\"running\": ", repeated.find("\"vcpu\": 1,"));
    BOOST_TEST_REQUIRE(running != std::string::npos);
    repeated.insert(running, "\"running\": false, ");
    expect_refused(vtarget.vm, vtarget.rec.events, repeated,
                   "snapshot: /vcpus/1: member \"running\" appears twice (each member may appear once: a reader would "
                   "keep only one of them)");
}

BOOST_AUTO_TEST_CASE(state_api_checks_everything_before_applying) {
    VirtFixture f(make_virt_config(4));
    make_busy_hw(f);
    const std::string before = save_snapshot(f.gic);
    Gic::State st = f.gic.export_state();
    st.cpus[1].apr[1][3] = 1;  // beyond 32 preemption levels
    BOOST_TEST(f.gic.check_state(st).has_value());
    try {
        f.gic.import_state(st);
        BOOST_ERROR("import_state accepted an impossible NSAPR3");
    } catch (const StateError& e) {
        BOOST_TEST(e.problem().where == "/cpus/1/gicc/nsapr/3");
    }
    st = f.gic.export_state();
    st.virtual_interfaces[2].lrs.pop_back();
    BOOST_TEST(f.gic.check_state(st)->where == "/cpus/2/gich/lrs");
    BOOST_CHECK_THROW(f.gic.import_state(st), StateError);
    BOOST_TEST(save_snapshot(f.gic) == before);
    // The unchanged state imports and changes nothing.
    f.observer.events.clear();
    f.gic.import_state(f.gic.export_state());
    BOOST_TEST(save_snapshot(f.gic) == before);
    BOOST_TEST(f.observer.events.empty());

    VmRig r;
    make_busy_vm(r);
    const std::string vbefore = save_snapshot(r.vm);
    VmGic::State vs = r.vm.export_state();
    vs.vcpus[0].running = false;  // but it has loaded LRs
    BOOST_TEST(r.vm.check_state(vs)->where == "/vcpus/0/loaded_lrs");
    BOOST_CHECK_THROW(r.vm.import_state(vs), StateError);
    BOOST_TEST(save_snapshot(r.vm) == vbefore);
}

BOOST_AUTO_TEST_SUITE_END()
