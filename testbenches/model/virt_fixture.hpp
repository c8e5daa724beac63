// SPDX-License-Identifier: Apache-2.0
// Helpers for the GICv2 virtualization-extension tests (IHI 0048B chapter 5): short GICH and
// GICV accessors, list-register encoders and the maintenance-interrupt probes. Builds on
// GicFixture (gic_fixture.hpp) without changing it.
#pragma once

#include "gic_fixture.hpp"

#include <cstdint>

namespace vgic::test {

namespace gich = vgic::gicv2::gich;

/// GicConfig with the virtualization extensions configured as given (others: GIC-400).
inline GicConfig make_virt_config(unsigned cpus, unsigned num_lrs = 4, unsigned prio_bits = 5,
                                  unsigned preempt_bits = 5, unsigned spis = 64) {
    GicConfig c = make_config(cpus, spis);
    c.virt.enabled = true;
    c.virt.num_list_regs = num_lrs;
    c.virt.priority_bits = prio_bits;
    c.virt.preemption_bits = preempt_bits;
    return c;
}

/// A GICH_LRn value with HW=0 (IHI 0048B 5.3.8 GICH_LRn): VirtualID[9:0], CPUID[12:10],
/// EOI[19], Priority[27:23] = priority[7:3], State[29:28], Grp1[30].
inline std::uint32_t sw_lr(std::uint32_t vintid, std::uint8_t priority, std::uint32_t state, bool grp1 = false,
                           bool eoi = false, unsigned cpuid = 0) {
    return gich::LR_VirtualID::make(vintid) | gich::LR_CPUID::make(cpuid) | gich::LR_EOI::make(eoi ? 1u : 0u) |
           gich::LR_Priority::make(static_cast<std::uint32_t>(priority) >> 3) | gich::LR_State::make(state) |
           gich::LR_Grp1::make(grp1 ? 1u : 0u);
}

/// A GICH_LRn value with HW=1: PhysicalID[19:10] instead of EOI/CPUID.
inline std::uint32_t hw_lr(std::uint32_t vintid, std::uint32_t pintid, std::uint8_t priority, std::uint32_t state,
                           bool grp1 = false) {
    return gich::LR_VirtualID::make(vintid) | gich::LR_PhysicalID::make(pintid) |
           gich::LR_Priority::make(static_cast<std::uint32_t>(priority) >> 3) | gich::LR_State::make(state) |
           gich::LR_Grp1::make(grp1 ? 1u : 0u) | gich::LR_HW::mask;
}

/// GicFixture plus GICH / GICV accessors; every accessor requires an architecturally OK access.
struct VirtFixture : GicFixture {
    explicit VirtFixture(const GicConfig& cfg = make_virt_config(2)) : GicFixture(cfg) {}

    // ---- GICH ("this CPU" frame) ----
    std::uint32_t hrd(unsigned cpu, std::uint32_t off) {
        const AccessResult r = gic.read_hyp_control(cpu, off, 4);
        BOOST_TEST_REQUIRE(r.ok(), "GICH read at 0x" << std::hex << off << " reported a bad access");
        return static_cast<std::uint32_t>(r.value);
    }
    void hwr(unsigned cpu, std::uint32_t off, std::uint32_t value) {
        const AccessResult r = gic.write_hyp_control(cpu, off, 4, value);
        BOOST_TEST_REQUIRE(r.ok(), "GICH write at 0x" << std::hex << off << " reported a bad access");
    }
    std::uint32_t lr(unsigned cpu, unsigned n) { return hrd(cpu, gich::LR0 + 4 * n); }
    void set_lr(unsigned cpu, unsigned n, std::uint32_t value) { hwr(cpu, gich::LR0 + 4 * n, value); }
    std::uint32_t hcr(unsigned cpu) { return hrd(cpu, gich::HCR); }
    std::uint32_t misr(unsigned cpu) { return hrd(cpu, gich::MISR); }
    std::uint32_t eisr0(unsigned cpu) { return hrd(cpu, gich::EISR0); }
    std::uint32_t elrsr0(unsigned cpu) { return hrd(cpu, gich::ELRSR0); }
    unsigned eoicount(unsigned cpu) { return gich::HCR_EOICount::get(hcr(cpu)); }

    // ---- GICV ----
    std::uint32_t vrd(unsigned cpu, std::uint32_t off) {
        const AccessResult r = gic.read_virtual_cpu_interface(cpu, off, 4);
        BOOST_TEST_REQUIRE(r.ok(), "GICV read at 0x" << std::hex << off << " reported a bad access");
        return static_cast<std::uint32_t>(r.value);
    }
    void vwr(unsigned cpu, std::uint32_t off, std::uint32_t value) {
        const AccessResult r = gic.write_virtual_cpu_interface(cpu, off, 4, value);
        BOOST_TEST_REQUIRE(r.ok(), "GICV write at 0x" << std::hex << off << " reported a bad access");
    }

    /// The guest enables its virtual CPU interface: GICV_CTLR = `ctlr`, GICV_PMR fully open.
    void guest_enable(unsigned cpu, std::uint32_t ctlr = gicc::CTLR_EnableGrp0::mask | gicc::CTLR_EnableGrp1::mask |
                                                          gicc::CTLR_AckCtl::mask) {
        vwr(cpu, gicc::CTLR, ctlr);
        vwr(cpu, gicc::PMR, 0xFF);
    }
    /// The hypervisor enables the virtual CPU interface (GICH_HCR.En) plus `extra` HCR bits.
    void hyp_enable(unsigned cpu, std::uint32_t extra = 0) { hwr(cpu, gich::HCR, gich::HCR_En::mask | extra); }

    // ---- lines ----
    bool virq(unsigned cpu) const { return gic.line(cpu, Line::VIrq); }
    bool vfiq(unsigned cpu) const { return gic.line(cpu, Line::VFiq); }
    bool maint(unsigned cpu) const { return gic.line(cpu, Line::Maintenance); }
    /// The maintenance PPI's pending bit in GICD_ISPENDR0 as banked for `cpu`.
    bool maint_ppi_pending(unsigned cpu) {
        const std::uint32_t id = gic.config().virt.maintenance_intid;
        return ((rd(cpu, gicd::ISPENDR) >> id) & 1u) != 0;
    }
    /// Number of recorded Maintenance line events of `cpu` with `level`.
    unsigned maint_events(unsigned cpu, bool level) const {
        unsigned n = 0;
        for (const LineEvent& e : observer.events)
            if (e.cpu == cpu && e.line == Line::Maintenance && e.level == level) ++n;
        return n;
    }
};

} // namespace vgic::test
