// SPDX-License-Identifier: Apache-2.0
// A model of the Linux GICv3 driver (drivers/irqchip/irq-gic-v3.c) as a client of the GIC:
// probe (PIDR2, TYPER, the redistributor walk up to GICR_TYPER.Last), distributor init with
// RWP polling, per-CPU init (find the own redistributor by affinity, the WAKER handshake,
// SGI/PPI config, the ICC_ system-register setup), mask/unmask, set_type, set_affinity
// through IROUTER, IPIs through ICC_SGI1R_EL1 per cluster, and the IAR1/EOIR1(/DIR) loop,
// in the order Linux issues them (../shared/reference/real-clients.md section 1.2).
#pragma once

#include "guest/gicv3_bus.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vgic::guest {

class LinuxGicv3Driver {
public:
    static constexpr std::uint32_t kDefaultPriority = 0xA0;  // GICD_INT_DEF_PRI
    static constexpr std::uint32_t kPmr = 0xF0;              // DEFAULT_PMR_VALUE
    /// Linux polls RWP and ChildrenAsleep every 1 us for up to 1 s.
    static constexpr unsigned long kPollLimit = 1000000;

    /// `mpidr[cpu]` is what MPIDR_EL1 reads on that CPU (Aff0-2 in [23:0], Aff3 in [39:32]).
    /// `split_eoi`: EOImode=1 (kernel entered at EL2).
    LinuxGicv3Driver(Gicv3Bus& bus, std::vector<std::uint64_t> mpidr, bool split_eoi = false);

    /// gic_of_init / gic_init_bases on the boot CPU: PIDR2 check, TYPER/IIDR/TYPER2, the
    /// redistributor walk. False (with an error) if no GICv3 is found.
    bool probe(unsigned boot_cpu = 0);
    /// gic_dist_init: disable + RWP, SPIs Group 1, level, default priority, deactivated,
    /// disabled; enable with ARE + RWP; route every SPI to the boot CPU.
    void distributor_init(unsigned boot_cpu = 0);
    /// gic_cpu_init + gic_cpu_sys_reg_init on `cpu` (boot and secondaries).
    void cpu_init(unsigned cpu);
    /// request_percpu_irq for the 8 IPIs: enable SGIs 0-7 on `cpu`'s redistributor.
    void enable_ipis(unsigned cpu);

    void unmask(unsigned cpu, std::uint32_t intid);
    /// Mask, then wait for RWP (gic_mask_irq -> gic_poke_irq(..., true)).
    void mask(unsigned cpu, std::uint32_t intid);
    bool set_type(unsigned cpu, std::uint32_t intid, bool edge);
    /// gic_set_affinity: mask if enabled (+RWP), write IROUTER = target affinity, unmask.
    void set_affinity(unsigned cpu, std::uint32_t intid, unsigned target_cpu);
    /// IROUTER with IRM=1 (1-of-N), what irq_set_affinity does not do but firmware may.
    void set_one_of_n(unsigned cpu, std::uint32_t intid);
    void set_priority(unsigned cpu, std::uint32_t intid, std::uint8_t priority);
    /// gic_ipi_send_mask: one ICC_SGI1R_EL1 write per cluster (and RS range) of the mask.
    void send_ipi(unsigned from_cpu, const std::vector<unsigned>& targets, std::uint32_t sgi);
    /// The "all but self" broadcast (IRM=1), as firmware and some kernels use it.
    void send_ipi_all_but_self(unsigned from_cpu, std::uint32_t sgi);

    /// One taken IRQ exception: ICC_IAR1_EL1 until 1020-1023; `handler(intid)` between
    /// acknowledge and completion. Returns the INTIDs handled, in order.
    /// `completed(intid)` after its last write (EOIR1, or DIR in split mode).
    using Handler = std::function<void(std::uint32_t intid)>;
    using Completed = std::function<void(std::uint32_t intid)>;
    std::vector<std::uint32_t> handle_irq(unsigned cpu, const Handler& handler = {}, const Completed& completed = {});

    unsigned num_irqs() const { return num_irqs_; }
    unsigned priority_bits() const { return pri_bits_; }
    bool group0_accessible() const { return group0_; }
    /// Redistributors the probe walk visited (stopped at GICR_TYPER.Last).
    unsigned redistributors_found() const { return static_cast<unsigned>(rd_affinity_.size()); }
    /// The GICR region offset of `cpu`'s redistributor, found by affinity in cpu_init.
    std::uint32_t rd_base(unsigned cpu) const { return rd_base_.at(cpu); }
    /// Messages the kernel would print at KERN_CRIT/ERR/WARN.
    const std::vector<std::string>& errors() const { return errors_; }

private:
    std::uint32_t affinity32(unsigned cpu) const;
    std::uint64_t irouter_of(unsigned cpu) const;
    /// Polls until (read & mask) == 0; false (and an error message) after kPollLimit.
    bool poll_clear(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint32_t mask, const char* what);
    void wait_for_rwp(unsigned cpu, std::uint32_t intid);
    /// Frame and offset of the register bank holding `intid` (GICR SGI_base or GICD).
    std::uint32_t bank_offset(unsigned cpu, std::uint32_t intid, std::uint32_t gicd_reg, std::uint32_t gicr_reg,
                              Frame3& frame) const;

    Gicv3Bus& bus_;
    std::vector<std::uint64_t> mpidr_;
    bool split_eoi_;
    unsigned num_irqs_ = 0;
    unsigned pri_bits_ = 0;
    bool group0_ = false;
    std::vector<std::uint32_t> rd_affinity_;  // per redistributor visited: GICR_TYPER[63:32]
    std::vector<std::uint32_t> rd_base_;      // per CPU
    std::vector<std::string> errors_;
};

} // namespace vgic::guest
