// SPDX-License-Identifier: Apache-2.0
// A model of the Linux GICv2 driver (drivers/irqchip/irq-gic.c and irq-gic-common.c) as a
// client of the GIC: the register sequences of probe, distributor init, per-CPU init,
// mask/unmask, set_type, set_affinity, IPIs and the acknowledge/EOI loop, in the order Linux
// issues them (../shared/reference/real-clients.md section 1.1). It is the guest workload's
// interrupt driver in the platform (step 6) and the conformance client of the model.
#pragma once

#include "guest/gicv2_bus.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vgic::guest {

class LinuxGicv2Driver {
public:
    static constexpr std::uint32_t kDefaultPriority = 0xA0;  // GICD_INT_DEF_PRI
    static constexpr std::uint32_t kPmr = 0xF0;              // GICC_INT_PRI_THRESHOLD

    /// `split_eoi`: EOImode=1 (kernel entered at HYP with an 8 KiB GICC region).
    LinuxGicv2Driver(Gicv2Bus& bus, unsigned num_cpus, bool split_eoi = false);

    /// Boot CPU: read TYPER, reset and configure every SPI, enable the distributor.
    void distributor_init(unsigned boot_cpu = 0);
    /// Every CPU (boot and secondaries): banked SGI/PPI config, PMR, APRs, CTLR.
    void cpu_init(unsigned cpu);
    /// request_percpu_irq for the 8 IPIs: enable SGIs 0-7 on `cpu`.
    void enable_ipis(unsigned cpu);

    void unmask(unsigned cpu, std::uint32_t intid);
    void mask(unsigned cpu, std::uint32_t intid);
    /// irq_set_type: RMW of ICFGR; false (as -EINVAL) for an SGI that is not edge.
    bool set_type(unsigned cpu, std::uint32_t intid, bool edge);
    /// irq_set_affinity: byte write of ITARGETSR with the target CPU's interface bit.
    void set_affinity(unsigned cpu, std::uint32_t intid, unsigned target_cpu);
    void set_priority(unsigned cpu, std::uint32_t intid, std::uint8_t priority);
    /// ipi_send_mask: SGIR with a CPU target list (logical CPUs mapped to interface bits).
    void send_ipi(unsigned from_cpu, std::uint32_t cpu_mask, std::uint32_t sgi);

    /// One taken IRQ exception on `cpu`: the IAR/EOIR loop until IAR reports no interrupt.
    /// `handler(intid, iar)` runs between acknowledge and completion. Returns the IAR values
    /// of the interrupts handled, in order.
    /// `completed(intid)` runs after the interrupt's last write (EOIR, or DIR in split mode).
    /// Stops (with an error) after 4096 interrupts in one exception, as a guest would hang.
    using Handler = std::function<void(std::uint32_t intid, std::uint32_t iar)>;
    using Completed = std::function<void(std::uint32_t intid)>;
    std::vector<std::uint32_t> handle_irq(unsigned cpu, const Handler& handler = {}, const Completed& completed = {});

    unsigned num_irqs() const { return num_irqs_; }
    /// The CPU-interface bit of each logical CPU, as found in ITARGETSR0-7.
    std::uint8_t cpu_interface_mask(unsigned cpu) const { return cpu_map_.at(cpu); }
    /// Messages the kernel would print at KERN_CRIT/ERR/WARN (e.g. "GIC CPU mask not found").
    const std::vector<std::string>& errors() const { return errors_; }

private:
    std::uint8_t read_cpu_mask(unsigned cpu);
    bool gicc_is_gicv2(unsigned cpu);

    Gicv2Bus& bus_;
    unsigned num_cpus_;
    bool split_eoi_;
    unsigned num_irqs_ = 0;
    std::vector<std::uint8_t> cpu_map_;
    std::vector<std::string> errors_;
};

} // namespace vgic::guest
