// SPDX-License-Identifier: Apache-2.0
// An independent, deliberately simple reference of the GICv2 distributor and CPU interface
// (Arm IHI 0048B, no Security Extensions, no virtualization), written from the
// specification for differential testing of vgic::Gic. Plain per-INTID state arrays; every
// query scans everything. Shares no code or headers with model/.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace ref {

struct RefConfig {
    unsigned num_cpus = 4;
    unsigned num_spis = 64;
    unsigned priority_bits = 5;
    std::uint32_t gicd_iidr = 0x0200143B;
    std::uint32_t gicc_iidr = 0x0202143B;
};

class ReferenceGicv2 {
public:
    explicit ReferenceGicv2(const RefConfig& cfg);

    // Register accesses (size 1 or 4; the caller only issues architecturally valid ones).
    std::uint32_t read_gicd(unsigned cpu, std::uint32_t off, unsigned size);
    void write_gicd(unsigned cpu, std::uint32_t off, unsigned size, std::uint32_t value);
    std::uint32_t read_gicc(unsigned cpu, std::uint32_t off);
    void write_gicc(unsigned cpu, std::uint32_t off, std::uint32_t value);

    void set_ppi_level(unsigned cpu, unsigned intid, bool level);
    void set_spi_level(unsigned intid, bool level);

    bool irq(unsigned cpu) const;
    bool fiq(unsigned cpu) const;

private:
    static constexpr unsigned kNone = 1023;
    // State of one interrupt instance (an SGI/PPI of one CPU, or an SPI).
    struct Irq {
        bool group1 = false, enabled = false, active = false;
        bool latch = false;       // software / edge pending (not SGIs)
        bool line = false;        // input level
        bool edge = false;        // ICFGR: edge-triggered
        std::uint8_t prio = 0;
        std::uint8_t targets = 0; // SPIs only
        std::uint8_t sgi_src = 0; // SGIs: pending bit per source CPU
    };
    struct Cpu {
        std::uint32_t ctlr = 0, pmr = 0, bpr = 0, abpr = 0;
        std::uint32_t apr0 = 0, apr1 = 0;  // active preemption levels, Group 0 / Group 1
    };

    Irq& irq_of(unsigned cpu, unsigned intid);
    const Irq& irq_of(unsigned cpu, unsigned intid) const;
    bool exists(unsigned intid) const { return intid < 32 + cfg_.num_spis; }
    bool pending(const Irq& q) const;
    bool pending_active_view(unsigned cpu, unsigned intid) const;
    std::uint8_t prio_mask() const;
    unsigned pre_bits() const;
    std::uint32_t level_mask() const;
    std::uint8_t group_mask(const Cpu& c, bool group1) const;
    unsigned running_priority(const Cpu& c) const;
    /// Best pending, enabled, inactive interrupt targeting `cpu` among the groups enabled in
    /// GICD_CTLR (and in GICC_CTLR if `cpu_enables`), or kNone.
    unsigned best(unsigned cpu, bool cpu_enables) const;
    /// The interrupt that is signalled to `cpu` (best with PMR and preemption), or kNone.
    unsigned signalled(unsigned cpu) const;
    std::uint32_t with_source(unsigned cpu, unsigned intid) const;
    std::uint32_t acknowledge(unsigned cpu, bool alias);
    void end_of_interrupt(unsigned cpu, std::uint32_t value, bool alias);
    void deactivate(unsigned cpu, std::uint32_t value);

    RefConfig cfg_;
    std::uint32_t gicd_ctlr_ = 0;
    std::vector<std::array<Irq, 32>> priv_;
    std::vector<Irq> spi_;
    std::vector<Cpu> cpu_;
};

} // namespace ref
