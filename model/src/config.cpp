#include "vgic/model/config.hpp"

namespace vgic {

std::string config_error_message(const std::string& field, long long value, const std::string& allowed) {
    return field + " = " + std::to_string(value) + ": allowed " + allowed;
}

void GicConfig::validate() const {
    if (num_cpus < 1 || num_cpus > 8)
        throw ConfigError(config_error_message("GicConfig.num_cpus", num_cpus, "1..8"));
    // IHI 0048B 4.3.2: ITLinesNumber counts SPIs in blocks of 32; INTIDs stop at 1019.
    if (!((num_spis % 32 == 0 && num_spis <= 960) || num_spis == 988))
        throw ConfigError(config_error_message("GicConfig.num_spis", num_spis,
                                               "a multiple of 32 in 0..960, or 988"));
    if (priority_bits < 4 || priority_bits > 8)
        throw ConfigError(config_error_message("GicConfig.priority_bits", priority_bits, "4..8"));
    virt.validate();
}

void VirtConfig::validate() const {
    if (!enabled) return;
    if (num_list_regs < 1 || num_list_regs > 64)
        throw ConfigError(config_error_message("VirtConfig.num_list_regs", num_list_regs, "1..64"));
    if (priority_bits < 4 || priority_bits > 5)
        throw ConfigError(config_error_message("VirtConfig.priority_bits", priority_bits,
                                               "4..5 (a GICv2 list register holds priority[7:3])"));
    if (preemption_bits < 4 || preemption_bits > priority_bits)
        throw ConfigError(config_error_message("VirtConfig.preemption_bits", preemption_bits,
                                               "4..priority_bits (" + std::to_string(priority_bits) + ")"));
    if (maintenance_intid < 16 || maintenance_intid > 31)
        throw ConfigError(config_error_message("VirtConfig.maintenance_intid", maintenance_intid, "16..31 (a PPI)"));
}

} // namespace vgic
