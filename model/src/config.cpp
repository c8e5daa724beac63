// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/config.hpp"

namespace vgic {

std::string config_error_message(const std::string& field, long long value, const std::string& allowed) {
    return field + " = " + std::to_string(value) + ": allowed " + allowed;
}

void GicConfig::validate() const {
    if (version != GicVersion::V2 && version != GicVersion::V3)
        throw ConfigError(config_error_message("GicConfig.version", static_cast<int>(version), "2 or 3"));
    if (is_v3()) {
        // IHI 0069: GICR_TYPER.Processor_Number is 16 bits; this model's limit is 4096.
        if (num_cpus < 1 || num_cpus > 4096)
            throw ConfigError(config_error_message("GicConfig.num_cpus", num_cpus, "1..4096 with version 3"));
        if (v3.cpus_per_cluster < 1 || v3.cpus_per_cluster > 256)
            throw ConfigError(config_error_message("GicConfig.v3.cpus_per_cluster", v3.cpus_per_cluster,
                                                   "1..256 (Aff0 is 8 bits)"));
        // Aff1 and Aff2 are 8 bits each; Aff3 stays 0 (GICD_TYPER.A3V = 0).
        if ((num_cpus - 1) / v3.cpus_per_cluster >= 256u * 256u)
            throw ConfigError(config_error_message("GicConfig.num_cpus", num_cpus,
                                                   "at most 65536 clusters of v3.cpus_per_cluster CPUs"));
    } else if (num_cpus < 1 || num_cpus > 8) {
        throw ConfigError(config_error_message("GicConfig.num_cpus", num_cpus, "1..8 with version 2"));
    }
    // IHI 0048B 4.3.2: ITLinesNumber counts SPIs in blocks of 32; INTIDs stop at 1019.
    if (!((num_spis % 32 == 0 && num_spis <= 960) || num_spis == 988))
        throw ConfigError(config_error_message("GicConfig.num_spis", num_spis,
                                               "a multiple of 32 in 0..960, or 988"));
    if (priority_bits < 4 || priority_bits > 8)
        throw ConfigError(config_error_message("GicConfig.priority_bits", priority_bits, "4..8"));
    virt.validate(version);
    if (vm.waker != VmWaker::Kvm && vm.waker != VmWaker::Architectural)
        throw ConfigError(config_error_message("GicConfig.vm.waker", static_cast<int>(vm.waker),
                                               "0 (VmWaker::Kvm) or 1 (VmWaker::Architectural)"));
    if (vm.targets != VmTargets::Kvm && vm.targets != VmTargets::Architectural)
        throw ConfigError(config_error_message("GicConfig.vm.targets", static_cast<int>(vm.targets),
                                               "0 (VmTargets::Kvm) or 1 (VmTargets::Architectural)"));
}

std::uint32_t GicConfig::affinity_of(unsigned cpu) const {
    const unsigned per = v3.cpus_per_cluster;
    const unsigned aff0 = cpu % per;
    const unsigned cluster = cpu / per;
    return (((cluster / 256) & 0xFFu) << 16) | ((cluster % 256) << 8) | aff0;
}

std::uint64_t GicConfig::mpidr_of(unsigned cpu) const {
    const std::uint32_t a = affinity_of(cpu);
    return (std::uint64_t{a >> 24} << 32) | (a & 0xFFFFFFu);
}

int GicConfig::cpu_of_affinity(std::uint32_t affinity) const {
    if (affinity >> 24 != 0) return -1;  // Aff3 is always 0 here
    const unsigned aff0 = affinity & 0xFFu;
    const unsigned cluster = ((affinity >> 16) & 0xFFu) * 256 + ((affinity >> 8) & 0xFFu);
    if (aff0 >= v3.cpus_per_cluster) return -1;
    const unsigned long long cpu = static_cast<unsigned long long>(cluster) * v3.cpus_per_cluster + aff0;
    return cpu < num_cpus ? static_cast<int>(cpu) : -1;
}

void VirtConfig::validate(GicVersion version) const {
    if (!enabled) return;
    const bool v3 = version == GicVersion::V3;
    const unsigned max_lrs = v3 ? 16 : 64;
    if (num_list_regs < 1 || num_list_regs > max_lrs)
        throw ConfigError(config_error_message("VirtConfig.num_list_regs", num_list_regs,
                                               v3 ? "1..16 with version 3" : "1..64 with version 2"));
    if (v3) {
        // IHI 0069 ICH_VTR_EL2: PRIbits 5..8, PREbits 5..7 and not above PRIbits.
        if (priority_bits < 5 || priority_bits > 8)
            throw ConfigError(config_error_message("VirtConfig.priority_bits", priority_bits, "5..8 with version 3"));
        const unsigned max_pre = priority_bits < 7 ? priority_bits : 7;
        if (preemption_bits < 5 || preemption_bits > max_pre)
            throw ConfigError(config_error_message("VirtConfig.preemption_bits", preemption_bits,
                                                   "5.." + std::to_string(max_pre) + " with version 3"));
    } else {
        if (priority_bits < 4 || priority_bits > 5)
            throw ConfigError(config_error_message("VirtConfig.priority_bits", priority_bits,
                                                   "4..5 (a GICv2 list register holds priority[7:3])"));
        if (preemption_bits < 4 || preemption_bits > priority_bits)
            throw ConfigError(config_error_message("VirtConfig.preemption_bits", preemption_bits,
                                                   "4..priority_bits (" + std::to_string(priority_bits) + ")"));
    }
    if (maintenance_intid < 16 || maintenance_intid > 31)
        throw ConfigError(config_error_message("VirtConfig.maintenance_intid", maintenance_intid, "16..31 (a PPI)"));
}

} // namespace vgic
