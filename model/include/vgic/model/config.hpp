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

struct GicConfig {
    /// CPU interfaces, 1..8 (GICv2 TYPER.CPUNumber is 3 bits).
    unsigned num_cpus = 1;
    /// Shared peripheral interrupts: a multiple of 32 in 0..960, or 988 (INTIDs up to 1019).
    unsigned num_spis = 64;
    /// Implemented priority bits, 4..8; GIC-400 implements 5 (priorities in steps of 8).
    unsigned priority_bits = 5;
    IdRegisters ids{};
    BadAccessPolicy bad_access = BadAccessPolicy::RazWi;

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
