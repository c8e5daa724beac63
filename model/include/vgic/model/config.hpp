// Configuration of a GICv2 model, validated at construction.
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

/// Identification register values. Defaults: an Arm CoreLink GIC-400 (r0p1).
struct IdRegisters {
    std::uint32_t gicd_iidr = 0x0200143B;  ///< GICD_IIDR: ProductID 0x02, implementer 0x43B (Arm)
    std::uint32_t gicc_iidr = 0x0202143B;  ///< GICC_IIDR: arch 2, ProductID 0x020
    /// GICD_PIDR4..7 then PIDR0..3 (offsets 0xFD0..0xFEC). PIDR2[7:4] = 2: GICv2.
    std::uint8_t gicd_pidr[8] = {0x04, 0x00, 0x00, 0x00, 0x90, 0xB4, 0x2B, 0x00};
    /// GICD_CIDR0..3 (offsets 0xFF0..0xFFC): the CoreSight component preamble.
    std::uint8_t gicd_cidr[4] = {0x0D, 0xF0, 0x05, 0xB1};
};

/// Virtualization extensions of one CPU interface (IHI 0048B chapter 5): the list registers,
/// GICH and GICV. Defaults: Arm GIC-400 (GICH_VTR = 0x90000003).
struct VirtConfig {
    /// hw mode: each CPU interface has GICH and GICV (GIC-400 has them).
    bool enabled = true;
    /// List registers per CPU interface, 1..64 (GICH_VTR.ListRegs + 1).
    unsigned num_list_regs = 4;
    /// Virtual priority bits, 4..5: a GICv2 list register holds priority[7:3] (VTR.PRIbits+1).
    unsigned priority_bits = 5;
    /// Virtual preemption bits, 4..priority_bits (VTR.PREbits+1); GICV_BPR minimum = 7 - this.
    unsigned preemption_bits = 5;
    /// PPI of the maintenance interrupt, 16..31 (recommended 25), level-sensitive.
    std::uint32_t maintenance_intid = 25;
    /// GICV_IIDR.
    std::uint32_t gicv_iidr = 0x0202143B;

    /// Throws ConfigError naming the first field out of range ("VirtConfig.<field> ...").
    void validate() const;
};

struct GicConfig {
    /// CPU interfaces, 1..8 (GICv2 TYPER.CPUNumber is 3 bits).
    unsigned num_cpus = 1;
    /// Shared peripheral interrupts: a multiple of 32 in 0..960, or 988 (INTIDs up to 1019).
    unsigned num_spis = 64;
    /// Implemented priority bits, 4..8; GIC-400 implements 5 (priorities in steps of 8).
    unsigned priority_bits = 5;
    IdRegisters ids{};
    BadAccessPolicy bad_access = BadAccessPolicy::RazWi;
    /// Virtualization extensions (list registers, GICH, GICV, maintenance interrupt).
    VirtConfig virt{};

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
