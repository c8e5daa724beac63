// SPDX-License-Identifier: Apache-2.0
// vm mode: what KVM guests expect (docs/MODEL.md "vm mode: what KVM guests expect"). Two
// places where KVM, which real guests are written against, presents something other than
// the architecture's hardware rule; GicConfig.vm chooses, KVM's being the default:
//   GicConfig.vm.waker   (GICv3)  VmWaker::Kvm: GICR_WAKER RAZ/WI, every redistributor awake
//                                 (arch/arm64/kvm/vgic/vgic-mmio-v3.c: vgic_mmio_read_raz /
//                                 vgic_mmio_write_wi); VmWaker::Architectural: IHI 0069
//                                 GICR_WAKER, reset asleep, nothing forwarded until woken.
//   GicConfig.vm.targets (GICv2)  VmTargets::Kvm: ITARGETSR implemented with any vCPU count,
//                                 written bytes masked to the vCPUs, ITARGETSR0-7 read the
//                                 reader's bit, an SPI whose byte is 0 goes to vCPU 0
//                                 (vgic-mmio-v2.c vgic_mmio_read_target / _write_target,
//                                 vgic-init.c); VmTargets::Architectural: IHI 0048B 4.3.12,
//                                 RAZ/WI with one CPU interface, an empty byte forwards nowhere.
// hw mode (Gic) keeps the architecture whatever GicConfig.vm says. The expected values are
// the specifications' and KVM's; the offsets and fields below are written out from IHI 0048B
// and IHI 0069 rather than taken from the model's headers.
#include "vgic/model/config.hpp"
#include "vgic/model/gic.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/model/snapshot.hpp"
#include "vgic/model/vm_gic.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace vgic;
namespace sr = vgic::gicv3::sysreg;  // encodings only (op0:op1:CRn:CRm:op2)

namespace {

// IHI 0048B 4.3 (GICD, GICv2) and 4.4 (GICC, the GICV layout).
constexpr std::uint32_t GICD_CTLR = 0x000, GICD_ISENABLER = 0x100, GICD_ISPENDR = 0x200, GICD_IPRIORITYR = 0x400,
                        GICD_ITARGETSR = 0x800;
constexpr std::uint32_t GICC_CTLR = 0x000, GICC_PMR = 0x004, GICC_IAR = 0x00C;
constexpr std::uint32_t kSpurious = 1023;
// IHI 0069 12.9-12.11 (GICD, GICR RD_base and SGI_base, GICv3).
constexpr std::uint32_t GICD3_IGROUPR = 0x0080, GICD3_ISENABLER = 0x0100, GICD3_ISPENDR = 0x0200,
                        GICD3_IPRIORITYR = 0x0400, GICD3_IROUTER = 0x6000;
constexpr std::uint32_t GICR_WAKER = 0x0014, kGicrStride = 0x20000;
// GICR_WAKER: ProcessorSleep [1], ChildrenAsleep [2].
constexpr std::uint32_t WAKER_ProcessorSleep = 1u << 1, WAKER_ChildrenAsleep = 1u << 2;

constexpr std::uint32_t kSpi = 40;  // the SPI every scenario raises

// ---- GICv3: GICR_WAKER ------------------------------------------------------------------------

GicConfig v3_config(unsigned cpus, VmWaker waker) {
    GicConfig c;
    c.version = GicVersion::V3;
    c.num_cpus = cpus;
    c.num_spis = 64;
    c.virt.priority_bits = 5;
    c.virt.preemption_bits = 5;
    c.vm.waker = waker;
    return c;
}

/// GICv3 register access over Gic or VmGic (same signatures); every access must be OK.
template <class G>
struct V3Regs {
    G& g;
    std::uint32_t waker(unsigned cpu) {
        const AccessResult r = g.read_redistributor(cpu, cpu * kGicrStride + GICR_WAKER, 4);
        BOOST_TEST_REQUIRE(r.ok(), "GICR_WAKER read of CPU " << cpu);
        return static_cast<std::uint32_t>(r.value);
    }
    void set_waker(unsigned cpu, std::uint32_t value) {
        BOOST_TEST_REQUIRE(g.write_redistributor(cpu, cpu * kGicrStride + GICR_WAKER, 4, value).ok(),
                           "GICR_WAKER write of CPU " << cpu);
    }
    void gicd(std::uint32_t off, std::uint64_t value, unsigned size = 4) {
        BOOST_TEST_REQUIRE(g.write_distributor(0, off, size, value).ok(), "GICD write 0x" << std::hex << off);
    }
    /// Linux's irq-gic-v3.c distributor and CPU-interface set-up *without* the redistributor
    /// wake: SPI kSpi Group 1, priority 0xA0, routed to CPU 0 (IROUTER Aff 0.0.0.0, IRM 0),
    /// enabled; GICD_CTLR = ARE | EnableGrp1 | EnableGrp0 (0x13, DS = 1); every CPU's ICC_PMR
    /// 0xF0 and IGRPEN1 1.
    void setup_without_wake(unsigned cpus) {
        gicd(GICD3_IGROUPR + 4, 0xFFFFFFFF);
        gicd(GICD3_IPRIORITYR + kSpi, 0xA0, 1);
        gicd(GICD3_IROUTER + 8 * kSpi, 0, 8);
        gicd(GICD3_ISENABLER + 4, 1u << (kSpi - 32));
        gicd(0x0000, 0x13);
        for (unsigned c = 0; c < cpus; ++c) {
            BOOST_TEST_REQUIRE(g.write_sysreg(c, sr::ICC_PMR_EL1, 0xF0).ok());
            BOOST_TEST_REQUIRE(g.write_sysreg(c, sr::ICC_IGRPEN1_EL1, 1).ok());
        }
    }
    void pend_spi() { gicd(GICD3_ISPENDR + 4, 1u << (kSpi - 32)); }
    std::uint32_t iar1(unsigned cpu) {
        const AccessResult r = g.read_sysreg(cpu, sr::ICC_IAR1_EL1);
        BOOST_TEST_REQUIRE(r.ok());
        return static_cast<std::uint32_t>(r.value);
    }
};

/// A GICv3 VM whose vCPU 0 runs; the guest's ICC_ accesses are its ICV_ registers.
struct V3Vm {
    explicit V3Vm(VmWaker waker, unsigned cpus = 2) : vm(v3_config(cpus, waker)), r{vm} {}
    /// The SPI reaches vCPU 0: its list registers are flushed at entry, vIRQ rises and
    /// ICV_IAR1_EL1 acknowledges it.
    bool delivered_to_vcpu0() {
        vm.vcpu_exit(0);
        vm.vcpu_entry(0);
        if (!vm.line(0, Line::VIrq)) return false;
        return r.iar1(0) == kSpi;
    }
    VmGic vm;
    V3Regs<VmGic> r;
};

// ---- GICv2: GICD_ITARGETSR ----------------------------------------------------------------------

GicConfig v2_config(unsigned cpus, VmTargets targets) {
    GicConfig c;
    c.num_cpus = cpus;
    c.num_spis = 64;
    c.vm.targets = targets;
    return c;
}

/// GICv2 register access over Gic (GICC) or VmGic (GICV): the same calls, the CPU interface
/// frame being each mode's.
template <class G>
struct V2Regs {
    G& g;
    std::uint32_t rd(unsigned cpu, std::uint32_t off, unsigned size = 4) {
        const AccessResult r = g.read_distributor(cpu, off, size);
        BOOST_TEST_REQUIRE(r.ok(), "GICD read 0x" << std::hex << off);
        return static_cast<std::uint32_t>(r.value);
    }
    void wr(unsigned cpu, std::uint32_t off, std::uint32_t value, unsigned size = 4) {
        BOOST_TEST_REQUIRE(g.write_distributor(cpu, off, size, value).ok(), "GICD write 0x" << std::hex << off);
    }
    /// SPI kSpi enabled at priority 0xA0 (Group 0), its ITARGETSR byte left as reset (0),
    /// Group 0 forwarded, each CPU interface open (EnableGrp0, PMR 0xF0).
    void setup(unsigned cpus) {
        wr(0, GICD_IPRIORITYR + kSpi, 0xA0, 1);
        wr(0, GICD_ISENABLER + 4, 1u << (kSpi - 32));
        wr(0, GICD_CTLR, 1);
        for (unsigned c = 0; c < cpus; ++c) {
            BOOST_TEST_REQUIRE(g.write_cpu_interface(c, GICC_PMR, 4, 0xF0).ok());
            BOOST_TEST_REQUIRE(g.write_cpu_interface(c, GICC_CTLR, 4, 1).ok());
        }
    }
    void pend_spi() { wr(0, GICD_ISPENDR + 4, 1u << (kSpi - 32)); }
    std::uint32_t iar(unsigned cpu) {
        return static_cast<std::uint32_t>(g.read_cpu_interface(cpu, GICC_IAR, 4).value) & 0x3FF;
    }
};

/// vCPU `v` of `vm` enters (list registers flushed) and acknowledges through GICV_IAR.
std::uint32_t enter_and_ack(VmGic& vm, unsigned v) {
    vm.vcpu_exit(v);
    vm.vcpu_entry(v);
    return static_cast<std::uint32_t>(vm.read_cpu_interface(v, GICC_IAR, 4).value) & 0x3FF;
}

// kvm-unit-tests arm/gic.c test_targets writes this pattern to the first SPI's ITARGETSR
// (ITARGETSR8) and expects it back masked to the CPUs that exist: on one vCPU 0x01010001.
constexpr std::uint32_t kPattern = 0x0103020F;

} // namespace

BOOST_AUTO_TEST_SUITE(vm_kvm_behaviour)

// ==== configuration ===============================================================================

BOOST_AUTO_TEST_CASE(defaults_are_kvms) {
    const GicConfig c;
    BOOST_TEST((c.vm.waker == VmWaker::Kvm), "GicConfig.vm.waker defaults to KVM's RAZ/WI GICR_WAKER");
    BOOST_TEST((c.vm.targets == VmTargets::Kvm), "GicConfig.vm.targets defaults to KVM's GICD_ITARGETSR");
}

BOOST_AUTO_TEST_CASE(out_of_range_choices_are_refused_by_name) {
    GicConfig c;
    c.vm.waker = static_cast<VmWaker>(7);
    BOOST_CHECK_EXCEPTION(c.validate(), ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) == "GicConfig.vm.waker = 7: allowed 0 (VmWaker::Kvm) or 1 (VmWaker::Architectural)";
    });
    c.vm.waker = VmWaker::Architectural;
    c.vm.targets = static_cast<VmTargets>(2);
    BOOST_CHECK_EXCEPTION(VmGic{c}, ConfigError, [](const ConfigError& e) {
        return std::string(e.what()) ==
               "GicConfig.vm.targets = 2: allowed 0 (VmTargets::Kvm) or 1 (VmTargets::Architectural)";
    });
}

// ==== GICv3 GICR_WAKER ============================================================================

BOOST_AUTO_TEST_CASE(kvm_waker_reads_zero_and_ignores_writes) {
    // KVM vgic-mmio-v3.c: GICR_WAKER is vgic_mmio_read_raz / vgic_mmio_write_wi.
    V3Vm f(VmWaker::Kvm, 2);
    for (unsigned v = 0; v < 2; ++v) {
        BOOST_TEST(f.r.waker(v) == 0u, "vCPU " << v << ": awake from reset (ProcessorSleep = ChildrenAsleep = 0)");
        f.r.set_waker(v, WAKER_ProcessorSleep);
        BOOST_TEST(f.r.waker(v) == 0u, "vCPU " << v << ": setting ProcessorSleep is ignored");
        f.r.set_waker(v, 0xFFFFFFFF);
        BOOST_TEST(f.r.waker(v) == 0u, "vCPU " << v << ": every bit is WI");
    }
    BOOST_TEST(f.vm.diagnostics().bad_access_count() == 0u, "RAZ/WI accesses are not bad accesses");
}

BOOST_AUTO_TEST_CASE(kvm_waker_guest_without_handshake_gets_its_interrupts) {
    // The case found with third-party tests: a GICv3 guest that never touches GICR_WAKER.
    V3Vm f(VmWaker::Kvm);
    f.r.setup_without_wake(2);
    f.r.pend_spi();
    BOOST_TEST(f.delivered_to_vcpu0(), "the SPI reaches vCPU 0 with no wake handshake");
}

BOOST_AUTO_TEST_CASE(kvm_waker_guest_setting_processor_sleep_keeps_getting_interrupts) {
    // Linux's CPU-PM path sets ProcessorSleep; KVM ignores the write, so the redistributor keeps
    // forwarding (and ChildrenAsleep never reads 1).
    V3Vm f(VmWaker::Kvm);
    f.r.setup_without_wake(2);
    f.r.set_waker(0, WAKER_ProcessorSleep);
    BOOST_TEST((f.r.waker(0) & WAKER_ChildrenAsleep) == 0u);
    f.r.pend_spi();
    BOOST_TEST(f.delivered_to_vcpu0(), "still forwarded after the guest asked its redistributor to sleep");
}

BOOST_AUTO_TEST_CASE(architectural_waker_resets_asleep_and_forwards_only_once_woken) {
    // IHI 0069 GICR_WAKER: ProcessorSleep resets to 1 (ChildrenAsleep 1); while ProcessorSleep
    // is 1 the redistributor does not forward interrupts to the CPU interface.
    V3Vm f(VmWaker::Architectural);
    for (unsigned v = 0; v < 2; ++v)
        BOOST_TEST(f.r.waker(v) == (WAKER_ProcessorSleep | WAKER_ChildrenAsleep), "vCPU " << v << " resets asleep");
    f.r.setup_without_wake(2);
    f.r.pend_spi();
    BOOST_TEST(!f.delivered_to_vcpu0(), "held at the sleeping redistributor");
    BOOST_TEST(f.r.iar1(0) == kSpurious);
    f.r.set_waker(0, 0);
    BOOST_TEST(f.r.waker(0) == 0u, "woken: ChildrenAsleep follows ProcessorSleep");
    BOOST_TEST(f.delivered_to_vcpu0(), "forwarded once woken");
    f.r.set_waker(1, WAKER_ProcessorSleep);  // and a guest can put one back to sleep
    BOOST_TEST(f.r.waker(1) == (WAKER_ProcessorSleep | WAKER_ChildrenAsleep));
}

BOOST_AUTO_TEST_CASE(hw_mode_waker_stays_architectural_whatever_vm_says) {
    // hw mode is a GIC, not KVM: IHI 0069's reset and handshake, GicConfig.vm ignored.
    for (VmWaker w : {VmWaker::Kvm, VmWaker::Architectural}) {
        Gic gic(v3_config(2, w));
        V3Regs<Gic> r{gic};
        BOOST_TEST(r.waker(1) == (WAKER_ProcessorSleep | WAKER_ChildrenAsleep), "resets asleep");
        r.setup_without_wake(2);
        r.pend_spi();
        BOOST_TEST(!gic.line(0, Line::Irq), "nothing forwarded by a sleeping redistributor");
        r.set_waker(0, 0);
        BOOST_TEST(r.waker(0) == 0u);
        BOOST_TEST(gic.line(0, Line::Irq), "forwarded once woken");
        BOOST_TEST(r.iar1(0) == kSpi);
    }
}

BOOST_AUTO_TEST_CASE(kvm_waker_state_cannot_hold_a_sleeping_redistributor) {
    // The state check knows the choice: with VmWaker::Kvm no redistributor sleeps.
    V3Vm kvm(VmWaker::Kvm);
    VmGic::State st = kvm.vm.export_state();
    BOOST_TEST(st.distributor.redistributors.at(1).waker == 0u);
    st.distributor.redistributors.at(1).waker = WAKER_ProcessorSleep;
    const StateCheck p = kvm.vm.check_state(st);
    BOOST_TEST_REQUIRE(p.has_value(), "a sleeping redistributor refused with VmWaker::Kvm");
    BOOST_TEST(p->where == "/distributor/redistributors/1/waker");
    V3Vm arch(VmWaker::Architectural);
    BOOST_TEST(!arch.vm.check_state(st).has_value(), "the same state is fine with VmWaker::Architectural");
}

BOOST_AUTO_TEST_CASE(snapshot_records_the_waker_choice) {
    V3Vm kvm(VmWaker::Kvm);
    const std::string doc = save_snapshot(kvm.vm);
    BOOST_TEST(doc.find("\"vm\": {\"waker\": \"kvm\"}") != std::string::npos, "config.vm.waker written");
    V3Vm again(VmWaker::Kvm);
    BOOST_CHECK_NO_THROW(restore_snapshot(again.vm, doc));
    BOOST_TEST(save_snapshot(again.vm) == doc, "round trip");
    V3Vm arch(VmWaker::Architectural);
    BOOST_CHECK_EXCEPTION(restore_snapshot(arch.vm, doc), SnapshotError, [](const SnapshotError& e) {
        return std::string(e.what()) ==
               "snapshot: configuration differs: vm.waker is kvm in the document, architectural in this GIC";
    });
    // A document written before GicConfig.vm existed has no config.vm: vm mode was
    // architectural then.
    std::string old = doc;
    const std::string member = ",\n    \"vm\": {\"waker\": \"kvm\"}";
    BOOST_TEST_REQUIRE(old.find(member) != std::string::npos);
    old.erase(old.find(member), member.size());
    BOOST_CHECK_EXCEPTION(restore_snapshot(again.vm, old), SnapshotError, [](const SnapshotError& e) {
        return std::string(e.what()) == "snapshot: configuration differs: vm.waker is architectural (no config.vm: "
                                        "an older document) in the document, kvm in this GIC";
    });
}

// ==== GICv2 GICD_ITARGETSR ========================================================================

BOOST_AUTO_TEST_CASE(kvm_targets_one_vcpu_stores_the_value_masked_to_the_vcpu) {
    // KVM vgic_mmio_write_target: targets = value & GENMASK(online_vcpus - 1, 0) per byte;
    // kvm-unit-tests arm/gic.c expects 0x0103020f & 0x01010101 = 0x01010001.
    VmGic vm(v2_config(1, VmTargets::Kvm));
    V2Regs<VmGic> r{vm};
    r.wr(0, GICD_ITARGETSR + 32, kPattern);
    BOOST_TEST(r.rd(0, GICD_ITARGETSR + 32) == 0x01010001u);
    r.wr(0, GICD_ITARGETSR + 37, 0xFF, 1);  // a byte access: INTID 37
    BOOST_TEST(r.rd(0, GICD_ITARGETSR + 37, 1) == 0x01u);
    // ITARGETSR0-7: read-only, the reading vCPU's bit in every byte (KVM: targets = 1 << vcpu,
    // vgic-init.c vgic_init; IHI 0048B 4.3.12 for more than one CPU interface).
    for (std::uint32_t n = 0; n < 8; ++n) BOOST_TEST(r.rd(0, GICD_ITARGETSR + 4 * n) == 0x01010101u, "ITARGETSR" << n);
    r.wr(0, GICD_ITARGETSR + 4, 0);
    BOOST_TEST(r.rd(0, GICD_ITARGETSR + 4) == 0x01010101u, "ITARGETSR1 is read-only");
}

BOOST_AUTO_TEST_CASE(kvm_targets_one_vcpu_delivers_every_spi_to_it) {
    // KVM's target_vcpu of a 1-vCPU VM is vCPU 0 whatever the byte holds (0 at reset, or 0
    // written): the SPI is delivered.
    VmGic vm(v2_config(1, VmTargets::Kvm));
    V2Regs<VmGic> r{vm};
    r.setup(1);
    r.pend_spi();
    BOOST_TEST(enter_and_ack(vm, 0) == kSpi, "reset byte 0: delivered");
}

BOOST_AUTO_TEST_CASE(architectural_targets_one_vcpu_are_raz_wi_and_spis_still_go_to_it) {
    // IHI 0048B 4.3.12: in a uniprocessor implementation all interrupts target the one
    // processor and the GICD_ITARGETSRs are RAZ/WI.
    VmGic vm(v2_config(1, VmTargets::Architectural));
    V2Regs<VmGic> r{vm};
    r.wr(0, GICD_ITARGETSR + 32, kPattern);
    BOOST_TEST(r.rd(0, GICD_ITARGETSR + 32) == 0u, "RAZ/WI");
    BOOST_TEST(r.rd(0, GICD_ITARGETSR) == 0u, "ITARGETSR0 RAZ too");
    r.setup(1);
    r.pend_spi();
    BOOST_TEST(enter_and_ack(vm, 0) == kSpi, "the one vCPU is every SPI's target");
}

BOOST_AUTO_TEST_CASE(hw_mode_one_cpu_itargetsr_stay_raz_wi_whatever_vm_says) {
    for (VmTargets t : {VmTargets::Kvm, VmTargets::Architectural}) {
        Gic gic(v2_config(1, t));
        V2Regs<Gic> r{gic};
        r.wr(0, GICD_ITARGETSR + 32, kPattern);
        BOOST_TEST(r.rd(0, GICD_ITARGETSR + 32) == 0u, "IHI 0048B 4.3.12: RAZ/WI");
        BOOST_TEST(r.rd(0, GICD_ITARGETSR) == 0u);
        r.setup(1);
        r.pend_spi();
        BOOST_TEST(gic.line(0, Line::Irq));
        BOOST_TEST(r.iar(0) == kSpi);
    }
}

BOOST_AUTO_TEST_CASE(both_choices_mask_to_the_vcpus_with_several) {
    // Two vCPUs: bits of absent CPU interfaces are RAZ/WI (IHI 0048B 4.3.12) and KVM masks to
    // the online vCPUs: 0x0103020f -> 0x01030203 either way; ITARGETSR0-7 read the reader's
    // bit (IHI 0048B 4.3.12; KVM: targets = 1 << vcpu).
    for (VmTargets t : {VmTargets::Kvm, VmTargets::Architectural}) {
        VmGic vm(v2_config(2, t));
        V2Regs<VmGic> r{vm};
        r.wr(0, GICD_ITARGETSR + 32, kPattern);
        BOOST_TEST(r.rd(1, GICD_ITARGETSR + 32) == 0x01030203u);
        BOOST_TEST(r.rd(0, GICD_ITARGETSR) == 0x01010101u);
        BOOST_TEST(r.rd(1, GICD_ITARGETSR + 28) == 0x02020202u);
    }
}

BOOST_AUTO_TEST_CASE(kvm_targets_spi_with_an_empty_byte_goes_to_vcpu0) {
    // KVM: target_vcpu = vCPU 0 at reset (vgic-init.c kvm_vgic_dist_init) and when a 0 byte is
    // written (vgic_mmio_write_target: targets ? __ffs(targets) : 0).
    VmGic vm(v2_config(2, VmTargets::Kvm));
    V2Regs<VmGic> r{vm};
    r.setup(2);
    r.pend_spi();
    BOOST_TEST(enter_and_ack(vm, 1) == kSpurious, "not vCPU 1's");
    BOOST_TEST(enter_and_ack(vm, 0) == kSpi, "reset byte 0: vCPU 0's");
    BOOST_TEST(r.rd(0, GICD_ITARGETSR + kSpi, 1) == 0u, "the byte still reads 0");
}

BOOST_AUTO_TEST_CASE(architectural_targets_spi_with_an_empty_byte_goes_nowhere) {
    // IHI 0048B 4.3.12: the targets byte lists the CPU interfaces the distributor forwards the
    // interrupt to; none listed, none gets it. Naming one delivers it.
    VmGic vm(v2_config(2, VmTargets::Architectural));
    V2Regs<VmGic> r{vm};
    r.setup(2);
    r.pend_spi();
    BOOST_TEST(enter_and_ack(vm, 0) == kSpurious);
    BOOST_TEST(enter_and_ack(vm, 1) == kSpurious);
    BOOST_TEST(vm.pending_for(0, kSpi), "still pending in the distributor");
    r.wr(0, GICD_ITARGETSR + kSpi, 0x02, 1);
    BOOST_TEST(enter_and_ack(vm, 1) == kSpi, "delivered to the vCPU named");
}

BOOST_AUTO_TEST_CASE(hw_mode_spi_with_an_empty_byte_goes_nowhere_whatever_vm_says) {
    Gic gic(v2_config(2, VmTargets::Kvm));
    V2Regs<Gic> r{gic};
    r.setup(2);
    r.pend_spi();
    BOOST_TEST(!gic.line(0, Line::Irq));
    BOOST_TEST(r.iar(0) == kSpurious);
    r.wr(0, GICD_ITARGETSR + kSpi, 0x01, 1);
    BOOST_TEST(r.iar(0) == kSpi);
}

BOOST_AUTO_TEST_CASE(targets_state_and_snapshot_follow_the_choice) {
    VmGic kvm(v2_config(1, VmTargets::Kvm));
    V2Regs<VmGic> r{kvm};
    r.wr(0, GICD_ITARGETSR + 32, kPattern);
    const std::string doc = save_snapshot(kvm);
    BOOST_TEST(doc.find("\"vm\": {\"targets\": \"kvm\"}") != std::string::npos, "config.vm.targets written");
    VmGic again(v2_config(1, VmTargets::Kvm));
    restore_snapshot(again, doc);
    BOOST_TEST(V2Regs<VmGic>{again}.rd(0, GICD_ITARGETSR + 32) == 0x01010001u, "the stored bytes survive");
    VmGic arch(v2_config(1, VmTargets::Architectural));
    BOOST_CHECK_EXCEPTION(restore_snapshot(arch, doc), SnapshotError, [](const SnapshotError& e) {
        return std::string(e.what()) ==
               "snapshot: configuration differs: vm.targets is kvm in the document, architectural in this GIC";
    });
    // A uniprocessor GIC with architectural ITARGETSR holds no targets byte.
    VmGic::State st = kvm.export_state();
    const StateCheck p = arch.check_state(st);
    BOOST_TEST_REQUIRE(p.has_value());
    BOOST_TEST(p->where == "/distributor/spis/0/targets");
    BOOST_TEST(!again.check_state(st).has_value());
}

BOOST_AUTO_TEST_SUITE_END()
