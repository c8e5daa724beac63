// Configuration of a GICv2 or GICv3 model, validated at construction.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vgic {

/// Thrown for a configuration value out of range. The message names the field, the value
/// and the allowed range, e.g. "GicConfig.num_cpus = 9: allowed 1..8".
class ConfigError : public std::invalid_argument {
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
struct IdRegisters {
    std::uint32_t gicd_iidr = 0x0200143B;  ///< GICD_IIDR: ProductID 0x02, implementer 0x43B (Arm)
    std::uint32_t gicc_iidr = 0x0202143B;  ///< GICC_IIDR: arch 2, ProductID 0x020
    /// GICD_PIDR4..7 then PIDR0..3 (offsets 0xFD0..0xFEC). PIDR2[7:4] = 2: GICv2.
    std::uint8_t gicd_pidr[8] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00};
    /// GICD_CIDR0..3 (offsets 0xFF0..0xFFC): the CoreSight component preamble.
    std::uint8_t gicd_cidr[4] = {0x0D, 0xF0, 0x05, 0xB1};
};

/// GICv3 identification registers. Defaults: an Arm CoreLink GIC-600 (r1p6) as far as a
/// guest can tell; PIDR2.ArchRev = 3 is what Linux checks.
struct Gicv3Ids {
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
struct Gicv3Config {
    /// CPUs per cluster (distinct Aff0 values), 1..256. Above 16 an SGI needs
    /// ICC_SGI1R_EL1.RS (GICD_TYPER.RSS = 1 is always reported).
    unsigned cpus_per_cluster = 16;
    Gicv3Ids ids{};
};

/// Virtualization extensions of one CPU interface (IHI 0048B chapter 5): the list registers,
/// GICH and GICV. Defaults: Arm GIC-400 (GICH_VTR = 0x90000003).
struct VirtConfig {
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

struct GicConfig {
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
std::string config_error_message(const std::string& field, long long value,
                                 const std::string& allowed);

} // namespace vgic
