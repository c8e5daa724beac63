// SPDX-License-Identifier: Apache-2.0
// Configuration of a GICv2 or GICv3 model, validated at construction.
#pragma once

#include "vgic/model/export.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vgic {

/// Thrown for a configuration value out of range. The message names the field, the value
/// and the allowed range, e.g. "GicConfig.num_cpus = 9: allowed 1..8".
class VGIC_MODEL_API ConfigError : public std::invalid_argument {
public:
    using std::invalid_argument::invalid_argument;
};

/// What the model does with an access the architecture does not define (unaligned, wrong
/// width, reserved offset, write to a read-only or read of a write-only register).
enum class BadAccessPolicy {
    RazWi,  ///< read as zero / write ignored, counted, reported to the diagnostics sink
    Error,  ///< counted and reported, and the access fails (the TLM layer answers an error)
};

/// Architecture version of the whole GIC: distributor layout, CPU interface (memory-mapped
/// GICC/GICV in v2, ICC_/ICV_/ICH_ system registers in v3), redistributors (v3 only).
enum class GicVersion : std::uint8_t { V2 = 2, V3 = 3 };

/// Identification register values. Defaults: an Arm CoreLink GIC-400 (r0p1).
struct VGIC_MODEL_API IdRegisters {
    std::uint32_t gicd_iidr = 0x0200143B;  ///< GICD_IIDR: ProductID 0x02, implementer 0x43B (Arm)
    std::uint32_t gicc_iidr = 0x0202143B;  ///< GICC_IIDR: arch 2, ProductID 0x020
    /// GICD_PIDR4..7 then PIDR0..3 (offsets 0xFD0..0xFEC). PIDR2[7:4] = 2: GICv2.
    std::uint8_t gicd_pidr[8] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00};
    /// GICD_CIDR0..3 (offsets 0xFF0..0xFFC): the CoreSight component preamble.
    std::uint8_t gicd_cidr[4] = {0x0D, 0xF0, 0x05, 0xB1};
};

/// GICv3 identification registers. Defaults: an Arm CoreLink GIC-600 (r1p6) as far as a
/// guest can tell; PIDR2.ArchRev = 3 is what Linux checks.
struct VGIC_MODEL_API Gicv3Ids {
    std::uint32_t gicd_iidr = 0x0201743B;  ///< GICD_IIDR: ProductID 0x02, r1p6, implementer 0x43B
    std::uint32_t gicr_iidr = 0x0201743B;  ///< GICR_IIDR
    /// PIDR4..7 then PIDR0..3 (GICD 0xFFD0..0xFFEC, GICR RD_base the same). PIDR2 = 0x3B: ArchRev 3.
    std::uint8_t pidr[8] = {0x44, 0x00, 0x00, 0x00, 0x92, 0xB4, 0x3B, 0x00};
    /// CIDR0..3 (0xFFF0..0xFFFC).
    std::uint8_t cidr[4] = {0x0D, 0xF0, 0x05, 0xB1};
};

/// GICv3 topology: how a CPU index becomes an affinity (MPIDR_EL1.Aff0-3, GICR_TYPER[63:32],
/// GICD_IROUTER, ICC_SGI1R_EL1). CPU i has Aff0 = i % cpus_per_cluster, Aff1 = (i /
/// cpus_per_cluster) % 256, Aff2 = i / (cpus_per_cluster * 256), Aff3 = 0 (KVM's layout with
/// the default 16).
struct VGIC_MODEL_API Gicv3Config {
    /// CPUs per cluster (distinct Aff0 values), 1..256. Above 16 an SGI needs
    /// ICC_SGI1R_EL1.RS (GICD_TYPER.RSS = 1 is always reported).
    unsigned cpus_per_cluster = 16;
    Gicv3Ids ids{};
};

/// Virtualization extensions of one CPU interface (IHI 0048B chapter 5): the list registers,
/// GICH and GICV. Defaults: Arm GIC-400 (GICH_VTR = 0x90000003).
struct VGIC_MODEL_API VirtConfig {
    /// hw mode: each CPU interface has GICH and GICV (GIC-400 has them).
    bool enabled = true;
    /// List registers per CPU interface, 1..64 with GICv2 (GICH_VTR.ListRegs + 1), 1..16
    /// with GICv3 (ICH_VTR_EL2.ListRegs + 1).
    unsigned num_list_regs = 4;
    /// Virtual priority bits (VTR.PRIbits+1): 4..5 with GICv2 (a GICv2 list register holds
    /// priority[7:3]), 5..8 with GICv3.
    unsigned priority_bits = 5;
    /// Virtual preemption bits (VTR.PREbits+1): 4..priority_bits with GICv2, 5..min(7,
    /// priority_bits) with GICv3; the virtual BPR0 minimum = 7 - this.
    unsigned preemption_bits = 5;
    /// PPI of the maintenance interrupt, 16..31 (recommended 25), level-sensitive.
    std::uint32_t maintenance_intid = 25;
    /// GICV_IIDR.
    std::uint32_t gicv_iidr = 0x0202143B;

    /// Throws ConfigError naming the first field out of range ("VirtConfig.<field> ...").
    void validate(GicVersion version = GicVersion::V2) const;
};

/// vm mode (VmGic) only, GICv3: what each virtual redistributor's GICR_WAKER does. Real
/// guests are written for KVM, which presents every redistributor awake; the architecture
/// resets them asleep and a guest that skips the wake handshake then gets no interrupts.
enum class VmWaker : std::uint8_t {
    /// KVM (arch/arm64/kvm/vgic/vgic-mmio-v3.c: GICR_WAKER is vgic_mmio_read_raz /
    /// vgic_mmio_write_wi). Every redistributor is awake from reset and stays awake: WAKER
    /// reads 0 (ProcessorSleep = ChildrenAsleep = 0) and every write is ignored. A guest's
    /// wake handshake (clear ProcessorSleep, poll ChildrenAsleep = 0) ends at its first read;
    /// a guest that sets ProcessorSleep to quiesce its redistributor (Linux's CPU-PM path)
    /// keeps getting interrupts and never sees ChildrenAsleep = 1.
    Kvm,
    /// IHI 0069 GICR_WAKER, as hw mode: resets with ProcessorSleep = 1 (ChildrenAsleep = 1,
    /// which follows at once); while ProcessorSleep is 1 nothing is forwarded to that
    /// vCPU's interface and it takes no part in 1-of-N; the guest wakes it by writing 0.
    Architectural,
};

/// vm mode (VmGic) only, GICv2: what GICD_ITARGETSR<n> do. They differ from the architecture
/// in what guests observe with one vCPU (read-back) and with any number (an SPI whose
/// targets byte is 0).
enum class VmTargets : std::uint8_t {
    /// KVM (arch/arm64/kvm/vgic/vgic-mmio-v2.c vgic_mmio_read_target / vgic_mmio_write_target,
    /// vgic-init.c), with any number of vCPUs, one included: an SPI's byte stores the value
    /// written masked to the vCPUs that exist (bits 0..num_cpus-1); ITARGETSR0-7 (SGIs, PPIs)
    /// are read-only and read the reading vCPU's own bit in every byte; an SPI whose byte is 0
    /// (its reset value) goes to vCPU 0 (KVM's target_vcpu is vCPU 0 at reset and whenever the
    /// byte is written 0). With one vCPU: 0x0103020f written to ITARGETSR8 reads back 0x01010001.
    Kvm,
    /// IHI 0048B 4.3.12, as hw mode: with one CPU interface the ITARGETSR are RAZ/WI and every
    /// SPI goes to it; with more, an SPI whose byte is 0 is forwarded to no CPU interface.
    Architectural,
};

/// Behaviour of the vm-mode virtual GIC (VmGic) where KVM, which real guests are written
/// against, departs from the architecture's hardware rule. Defaults: KVM's. hw mode (Gic)
/// ignores this and always follows the architecture. docs/MODEL.md "vm mode: what KVM
/// guests expect".
struct VGIC_MODEL_API VmConfig {
    VmWaker waker = VmWaker::Kvm;        ///< GICv3: GICR_WAKER, reset awake or asleep
    VmTargets targets = VmTargets::Kvm;  ///< GICv2: GICD_ITARGETSR read-back and untargeted SPIs
};

struct VGIC_MODEL_API GicConfig {
    /// Architecture version (v2: GIC-400 layout; v3: distributor + redistributors + system
    /// registers, single Security state).
    GicVersion version = GicVersion::V2;
    /// CPU interfaces, 1..8 with GICv2 (TYPER.CPUNumber is 3 bits), 1..4096 with GICv3.
    unsigned num_cpus = 1;
    /// Shared peripheral interrupts: a multiple of 32 in 0..960, or 988 (INTIDs up to 1019).
    unsigned num_spis = 64;
    /// Implemented priority bits, 4..8; GIC-400 implements 5 (priorities in steps of 8).
    unsigned priority_bits = 5;
    IdRegisters ids{};
    BadAccessPolicy bad_access = BadAccessPolicy::RazWi;
    /// Virtualization extensions (list registers, GICH, GICV, maintenance interrupt).
    VirtConfig virt{};
    /// GICv3 only: topology and identification.
    Gicv3Config v3{};
    /// vm mode (VmGic) only: KVM's behaviour or the architecture's where they differ.
    VmConfig vm{};

    bool is_v3() const { return version == GicVersion::V3; }
    /// GICv3 affinity of CPU `cpu` packed as Aff3.Aff2.Aff1.Aff0 (GICR_TYPER[63:32] layout).
    std::uint32_t affinity_of(unsigned cpu) const;
    /// MPIDR_EL1 of CPU `cpu`: Aff0-2 in [23:0], Aff3 in [39:32] (IROUTER layout).
    std::uint64_t mpidr_of(unsigned cpu) const;
    /// The CPU whose packed affinity is `affinity`, or -1 if none has it.
    int cpu_of_affinity(std::uint32_t affinity) const;

    /// Number of INTIDs: 32 private + the SPIs (at most 1020).
    unsigned num_intids() const { return 32 + num_spis; }
    /// GICD_TYPER.ITLinesNumber: 32 * (N + 1) INTIDs are decoded.
    unsigned it_lines_number() const { return (num_intids() + 31) / 32 - 1; }

    /// Throws ConfigError naming the first field out of range.
    void validate() const;
};

/// Formats "<owner>.<field> = <value>: allowed <range>" (used for every ConfigError).
VGIC_MODEL_API std::string config_error_message(const std::string& field, long long value,
                                 const std::string& allowed);

} // namespace vgic
