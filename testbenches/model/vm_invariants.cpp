// SPDX-License-Identifier: Apache-2.0
// The vm-mode engine's invariants on list registers (VmGic::check_state, numbered in
// vm_gic.hpp), which every snapshot restore enforces and the model fuzzer asserts after every
// operation: one test per invariant, each on a state built field by field from the
// architecture's register layouts, written out here (not taken from the model's headers):
//   GICH_LRn (IHI 0048B 5.3.8): VirtualID [9:0], PhysicalID [19:10] (HW=1), EOI [19] (HW=0),
//     Priority [27:23] (priority[7:3]), State [29:28], Grp1 [30], HW [31];
//   ICH_LR<n>_EL2 (IHI 0069): vINTID [31:0], pINTID [44:32] (HW=1), EOI [41] (HW=0),
//     Priority [55:48], Group [60], HW [61], State [63:62].
// State: 01 pending, 10 active, 11 pending and active. With HW=1 the guest's deactivation
// deactivates the physical INTID, which must be a PPI or SPI (PhysicalID 0-15 or 1020-1023
// is UNPREDICTABLE).
#include "vm_recorder.hpp"

#include "vgic/model/snapshot.hpp"
#include "vgic/model/vm_gic.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>

using namespace vgic;

namespace {

constexpr unsigned kPending = 1, kActive = 2, kPendingActive = 3;

std::uint64_t lr_v2(std::uint32_t vintid, std::uint8_t priority, unsigned state, bool group1 = false, bool eoi = false) {
    return vintid | (eoi ? 1u << 19 : 0u) | (std::uint32_t{priority} >> 3) << 23 | state << 28 | (group1 ? 1u << 30 : 0u);
}
std::uint64_t hw_lr_v2(std::uint32_t vintid, std::uint32_t pintid, std::uint8_t priority, unsigned state) {
    return vintid | pintid << 10 | (std::uint32_t{priority} >> 3) << 23 | state << 28 | 1u << 31;
}
std::uint64_t lr_v3(std::uint32_t vintid, std::uint8_t priority, unsigned state, bool group1 = true) {
    return std::uint64_t{vintid} | std::uint64_t{priority} << 48 | (group1 ? std::uint64_t{1} << 60 : 0) |
           std::uint64_t{state} << 62;
}
std::uint64_t hw_lr_v3(std::uint32_t vintid, std::uint32_t pintid, std::uint8_t priority, unsigned state) {
    return std::uint64_t{vintid} | std::uint64_t{pintid} << 32 | std::uint64_t{priority} << 48 | std::uint64_t{1} << 60 |
           std::uint64_t{1} << 61 | std::uint64_t{state} << 62;
}

GicConfig vm_config(GicVersion version) {
    GicConfig c;
    c.version = version;
    c.num_cpus = 2;
    c.num_spis = 64;
    c.priority_bits = 5;
    c.virt.enabled = true;
    c.virt.num_list_regs = 4;
    return c;
}

/// The distributor's record of `intid` as vCPU `vcpu` sees it.
Distributor::IrqState& record(VmGic::State& st, unsigned vcpu, std::uint32_t intid) {
    return intid < 32 ? st.distributor.private_irqs[vcpu * 32 + intid] : st.distributor.spis[intid - 32];
}

/// A fresh VM's state in which vCPU 0 runs with LR0 loaded with `lr`, holding `intid`: the
/// distributor shows it parked there (an SPI owned by vCPU 0), enabled, with priority 0xA0,
/// `edge` triggered and HW-mapped to `mapped_to` (0: not mapped). Everything else is reset.
VmGic::State one_loaded_lr(const VmGic& vm, std::uint32_t intid, std::uint64_t lr, bool edge, std::uint16_t mapped_to) {
    VmGic::State st = vm.export_state();
    st.vcpus[0].running = true;
    st.vcpus[0].loaded_lrs = 1;  // LR0
    st.vcpus[0].gich.lrs[0] = lr;
    Distributor::IrqState& r = record(st, 0, intid);
    r.parked = true;
    r.owner = 0;
    r.enabled = true;
    r.priority = 0xA0;
    if (intid >= 16) r.edge = edge;
    r.hw_pintid = mapped_to;
    return st;
}

/// check_state refuses `st` at `where` with exactly `what`, and import_state changes nothing.
void expect_refused(VmGic& vm, const VmGic::State& st, const std::string& where, const std::string& what) {
    const StateCheck p = vm.check_state(st);
    BOOST_TEST_REQUIRE(p.has_value(), "accepted; expected " << where << ": " << what);
    BOOST_TEST(p->where == where);
    BOOST_TEST(p->what == what);
    const std::string before = save_snapshot(vm);
    BOOST_CHECK_THROW(vm.import_state(st), StateError);
    BOOST_TEST(save_snapshot(vm) == before, "a refused import changed the VM");
}

} // namespace

BOOST_AUTO_TEST_SUITE(vm_invariants)

BOOST_AUTO_TEST_CASE(the_base_states_are_legal) {
    // Each test below changes one field of one of these; unchanged, they are accepted.
    for (GicVersion version : {GicVersion::V2, GicVersion::V3}) {
        VmGic vm(vm_config(version));
        const bool v3 = version == GicVersion::V3;
        BOOST_TEST(!vm.check_state(one_loaded_lr(vm, 40, v3 ? lr_v3(40, 0xA0, kPending) : lr_v2(40, 0xA0, kPending), true, 0)));
        BOOST_TEST(!vm.check_state(one_loaded_lr(vm, 27, v3 ? hw_lr_v3(27, 27, 0xA0, kPending) : hw_lr_v2(27, 27, 0xA0, kPending),
                                                 false, 27)));
        // An edge interrupt with HW=0 may be pending and active (a new edge while active).
        BOOST_TEST(!vm.check_state(one_loaded_lr(vm, 40, v3 ? lr_v3(40, 0xA0, kPendingActive) : lr_v2(40, 0xA0, kPendingActive),
                                                 true, 0)));
        // An SGI is edge-triggered: pending and active is legal.
        BOOST_TEST(!vm.check_state(one_loaded_lr(vm, 3, v3 ? lr_v3(3, 0xA0, kPendingActive) : lr_v2(3, 0xA0, kPendingActive),
                                                 true, 0)));
    }
}

BOOST_AUTO_TEST_CASE(hw_lr_for_an_intid_that_is_not_hw_mapped_is_refused) {
    // D09: its deactivation would deactivate physical INTID 40, which this VM does not own.
    VmGic vm(vm_config(GicVersion::V2));
    expect_refused(vm, one_loaded_lr(vm, 40, hw_lr_v2(40, 40, 0xA0, kPending), true, 0), "/vcpus/0/gich/lrs/0",
                   "HW=1 for vINTID 40, which is not HW-mapped: its deactivation would deactivate physical INTID 40");
    VmGic v3(vm_config(GicVersion::V3));
    expect_refused(v3, one_loaded_lr(v3, 40, hw_lr_v3(40, 40, 0xA0, kActive), true, 0), "/vcpus/0/gich/lrs/0",
                   "HW=1 for vINTID 40, which is not HW-mapped: its deactivation would deactivate physical INTID 40");
}

BOOST_AUTO_TEST_CASE(hw_lr_with_an_sgi_as_physical_id_is_refused) {
    // PhysicalID 0-15 is UNPREDICTABLE (IHI 0048B 5.3.8): an SGI is never the physical side.
    VmGic vm(vm_config(GicVersion::V2));
    expect_refused(vm, one_loaded_lr(vm, 27, hw_lr_v2(27, 5, 0xA0, kPending), false, 27), "/vcpus/0/gich/lrs/0",
                   "HW=1 with physical INTID 5, an SGI: a physical ID of 0-15 or 1020-1023 is UNPREDICTABLE (IHI 0048B "
                   "5.3.8), only a PPI or SPI can be HW-mapped");
    VmGic v3(vm_config(GicVersion::V3));
    expect_refused(v3, one_loaded_lr(v3, 27, hw_lr_v3(27, 0, 0xA0, kPending), false, 27), "/vcpus/0/gich/lrs/0",
                   "HW=1 with physical INTID 0, an SGI: a physical ID of 0-15 or 1020-1023 is UNPREDICTABLE (IHI 0048B "
                   "5.3.8), only a PPI or SPI can be HW-mapped");
}

BOOST_AUTO_TEST_CASE(hw_lr_with_another_physical_id_than_the_mapping_is_refused) {
    VmGic vm(vm_config(GicVersion::V2));
    expect_refused(vm, one_loaded_lr(vm, 27, hw_lr_v2(27, 30, 0xA0, kActive), false, 27), "/vcpus/0/gich/lrs/0",
                   "HW=1 with physical INTID 30, but vINTID 27 is mapped to physical INTID 27");
    // GICv3's pINTID has 13 bits: a value beyond the 1020 INTIDs is no mapping either.
    VmGic v3(vm_config(GicVersion::V3));
    expect_refused(v3, one_loaded_lr(v3, 40, hw_lr_v3(40, 5000, 0xA0, kPending), true, 60), "/vcpus/0/gich/lrs/0",
                   "HW=1 with physical INTID 5000, but vINTID 40 is mapped to physical INTID 60");
}

BOOST_AUTO_TEST_CASE(hw0_lr_for_a_hw_mapped_intid_is_refused) {
    // The guest's deactivation of a HW=0 LR stays virtual: the physical timer would stay
    // active for ever, and its interrupt would never fire again.
    VmGic vm(vm_config(GicVersion::V2));
    expect_refused(vm, one_loaded_lr(vm, 27, lr_v2(27, 0xA0, kActive, false, true), false, 27), "/vcpus/0/gich/lrs/0",
                   "HW=0 for vINTID 27, which is HW-mapped to physical INTID 27: its deactivation would not reach the "
                   "physical interrupt");
}

BOOST_AUTO_TEST_CASE(hw_lr_pending_and_active_is_refused) {
    // An edge SPI mapped to physical 60: HW=1 has no pending-and-active state (the physical
    // interrupt is active until the guest deactivates the virtual one; fuzz finding 3).
    const std::string what = "HW=1 and pending and active: a hardware interrupt is never both (the physical one stays "
                             "active until the guest deactivates the virtual one)";
    VmGic vm(vm_config(GicVersion::V2));
    expect_refused(vm, one_loaded_lr(vm, 40, hw_lr_v2(40, 60, 0xA0, kPendingActive), true, 60), "/vcpus/0/gich/lrs/0", what);
    VmGic v3(vm_config(GicVersion::V3));
    expect_refused(v3, one_loaded_lr(v3, 40, hw_lr_v3(40, 60, 0xA0, kPendingActive), true, 60), "/vcpus/0/gich/lrs/0", what);
}

BOOST_AUTO_TEST_CASE(level_interrupt_pending_and_active_in_an_lr_is_refused) {
    // A level interrupt's pending state is its line, resampled when the guest deactivates it
    // (EOI=1): it is never loaded pending and active.
    VmGic vm(vm_config(GicVersion::V2));
    VmGic::State st = one_loaded_lr(vm, 41, lr_v2(41, 0xA0, kPendingActive, false, true), false, 0);
    record(st, 0, 41).line = true;
    expect_refused(vm, st, "/vcpus/0/gich/lrs/0",
                   "pending and active, but INTID 41 is level-sensitive: a level interrupt is never loaded pending and "
                   "active (its pending state is resampled at deactivation)");
    VmGic v3(vm_config(GicVersion::V3));
    expect_refused(v3, one_loaded_lr(v3, 20, lr_v3(20, 0xA0, kPendingActive), false, 0), "/vcpus/0/gich/lrs/0",
                   "pending and active, but INTID 20 is level-sensitive: a level interrupt is never loaded pending and "
                   "active (its pending state is resampled at deactivation)");
}

BOOST_AUTO_TEST_CASE(lr_priority_and_group_may_differ_from_the_distributor) {
    // The engine copies priority and group into the LR at flush time; another vCPU may
    // change the distributor's afterwards (its trapped IPRIORITYR/IGROUPR write reloads only
    // its own LRs), so a difference is a legal state, not an inconsistency (docs/MODEL.md).
    for (GicVersion version : {GicVersion::V2, GicVersion::V3}) {
        VmGic vm(vm_config(version));
        const bool v3 = version == GicVersion::V3;
        VmGic::State st = one_loaded_lr(vm, 40, v3 ? lr_v3(40, 0x10, kActive, false) : lr_v2(40, 0x10, kActive, true), true, 0);
        record(st, 0, 40).group1 = v3;  // the LR says the other group
        BOOST_TEST(!vm.check_state(st), "priority 0x10 in the LR, 0xA0 in the distributor; groups differ");
        vm.import_state(st);
        BOOST_TEST(vm.vcpu_interface(0).list_register(0).priority == 0x10u);
    }
    // The engine reaches such a state itself: vCPU 1 reprioritizes SPI 40 while vCPU 0 holds it.
    VmGic vm(vm_config(GicVersion::V2));
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x000, 4, 1).ok());          // GICD_CTLR.EnableGrp0
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x400 + 40, 1, 0xA0).ok());  // IPRIORITYR
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x800 + 40, 1, 0x01).ok());  // ITARGETSR: vCPU 0
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x104, 4, 1u << 8).ok());    // ISENABLER1: INTID 40
    vm.vcpu_entry(0);
    vm.vcpu_entry(1);
    vm.set_spi_level(40, true);
    vm.service_kicks();
    // Level-sensitive (the reset configuration): EOI=1, so the engine resamples at deactivation.
    BOOST_TEST_REQUIRE(vm.vcpu_interface(0).lr(0) == lr_v2(40, 0xA0, kPending, false, true));
    BOOST_TEST_REQUIRE(vm.write_distributor(1, 0x400 + 40, 1, 0x10).ok());
    BOOST_TEST(vm.vcpu_interface(0).lr(0) == lr_v2(40, 0xA0, kPending, false, true),
               "vCPU 0's LR keeps the priority it was loaded with");
    BOOST_TEST(vm.distributor().priority_of(0, 40) == 0x10u);
    BOOST_TEST(!vm.check_state(vm.export_state()));
}

BOOST_AUTO_TEST_CASE(snapshot_restore_refuses_an_hw_lr_for_an_unmapped_intid) {
    // The reported document: LR0 of vCPU 0 edited to HW=1, PhysicalID 40, for unmapped SPI 40.
    VmGic source(vm_config(GicVersion::V2));
    source.import_state(one_loaded_lr(source, 40, lr_v2(40, 0xA0, kPending), true, 0));
    std::string doc = save_snapshot(source);
    // LR0 = 0x1a000028: Priority 0xA0 >> 3, pending, vINTID 40.
    const std::size_t at = doc.find("\"lrs\": [\"0x1a000028\"");
    BOOST_TEST_REQUIRE(at != std::string::npos);
    doc.replace(doc.find("0x1a000028", at), 10, "0x9a00a028");  // HW=1, PhysicalID 40
    VmGic target(vm_config(GicVersion::V2));
    const std::string before = save_snapshot(target);
    try {
        restore_snapshot(target, doc);
        BOOST_ERROR("restored an HW=1 LR for an unmapped INTID");
    } catch (const SnapshotError& e) {
        BOOST_TEST(std::string(e.what()) == "snapshot: /vcpus/0/gich/lrs/0: HW=1 for vINTID 40, which is not HW-mapped: "
                                            "its deactivation would deactivate physical INTID 40");
    }
    BOOST_TEST(save_snapshot(target) == before);
}

BOOST_AUTO_TEST_CASE(map_hw_of_an_interrupt_in_a_list_register_reloads_it) {
    // The engine keeps invariant 4 itself: an interrupt held in an LR when the hypervisor
    // maps or unmaps it is synced out and flushed back with the new mapping.
    VmGic vm(vm_config(GicVersion::V2));
    test::VmRecorder rec;
    vm.set_observer(&rec);
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x000, 4, 1).ok());            // GICD_CTLR.EnableGrp0
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x400 + 40, 1, 0xA0).ok());    // IPRIORITYR
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x800 + 40, 1, 0x01).ok());    // ITARGETSR: vCPU 0
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0xC08, 4, 2u << 16).ok());     // ICFGR2: INTID 40 edge
    BOOST_TEST_REQUIRE(vm.write_distributor(0, 0x104, 4, 1u << 8).ok());      // ISENABLER1: INTID 40
    vm.vcpu_entry(0);
    vm.set_spi_level(40, true);
    vm.set_spi_level(40, false);
    vm.service_kicks();
    BOOST_TEST_REQUIRE(vm.vcpu_interface(0).lr(0) == lr_v2(40, 0xA0, kPending));
    vm.map_hw(0, 40, 60);
    BOOST_TEST(vm.vcpu_interface(0).lr(0) == hw_lr_v2(40, 60, 0xA0, kPending), "reloaded with HW=1, PhysicalID 60");
    BOOST_TEST(!vm.check_state(vm.export_state()));
    vm.map_hw(0, 40, 0);
    BOOST_TEST(vm.vcpu_interface(0).lr(0) == lr_v2(40, 0xA0, kPending), "reloaded with HW=0");
    BOOST_TEST(!vm.check_state(vm.export_state()));
    BOOST_TEST(rec.deactivations.empty(), "nothing was deactivated on the way");
}

BOOST_AUTO_TEST_SUITE_END()
