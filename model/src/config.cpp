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
}

} // namespace vgic
