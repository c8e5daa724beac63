// SPDX-License-Identifier: Apache-2.0
#include "guest/linux_gicv2_driver.hpp"

#include "vgic/model/gicv2_regs.hpp"

#include <algorithm>
#include <cstdio>

namespace vgic::guest {

namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;

// ---- ModelBus -----------------------------------------------------------------------------

std::string BusAccess::describe() const {
    char buf[128];
    std::snprintf(buf, sizeof buf, "cpu%u %s%u %s+0x%03x %s 0x%08x%s", cpu, is_write ? "W" : "R", size * 8,
                  frame == Frame::Gicd ? "GICD" : "GICC", offset, is_write ? "=" : "->", value,
                  ok ? "" : "  [bad access]");
    return buf;
}

void ModelBus::record(const BusAccess& a) {
    if (!a.ok) ++bad_;
    if (recording_) log_.push_back(a);
}

std::uint32_t ModelBus::read32(unsigned cpu, Frame frame, std::uint32_t offset) {
    const AccessResult r = frame == Frame::Gicd ? gic_.read_distributor(cpu, offset, 4)
                                                : gic_.read_cpu_interface(cpu, offset, 4);
    record({cpu, frame, false, 4, offset, static_cast<std::uint32_t>(r.value), r.ok()});
    return static_cast<std::uint32_t>(r.value);
}

void ModelBus::write32(unsigned cpu, Frame frame, std::uint32_t offset, std::uint32_t value) {
    const AccessResult r = frame == Frame::Gicd ? gic_.write_distributor(cpu, offset, 4, value)
                                                : gic_.write_cpu_interface(cpu, offset, 4, value);
    record({cpu, frame, true, 4, offset, value, r.ok()});
}

void ModelBus::write8(unsigned cpu, Frame frame, std::uint32_t offset, std::uint8_t value) {
    const AccessResult r = frame == Frame::Gicd ? gic_.write_distributor(cpu, offset, 1, value)
                                                : gic_.write_cpu_interface(cpu, offset, 1, value);
    record({cpu, frame, true, 1, offset, value, r.ok()});
}

// ---- the driver -----------------------------------------------------------------------------

LinuxGicv2Driver::LinuxGicv2Driver(Gicv2Bus& bus, unsigned num_cpus, bool split_eoi)
    : bus_(bus), num_cpus_(num_cpus), split_eoi_(split_eoi), cpu_map_(num_cpus, 0xFF) {}

std::uint8_t LinuxGicv2Driver::read_cpu_mask(unsigned cpu) {
    // gic_get_cpumask(): the first non-zero banked ITARGETSR0-7 word, bytes folded together.
    std::uint32_t mask = 0;
    for (std::uint32_t i = 0; i < 32; i += 4) {
        mask = bus_.read32(cpu, Frame::Gicd, gicd::ITARGETSR + i);
        mask |= mask >> 16;
        mask |= mask >> 8;
        if (mask != 0) break;
    }
    if (mask == 0 && num_cpus_ > 1) errors_.push_back("GIC CPU mask not found - kernel will fail to boot.");
    return static_cast<std::uint8_t>(mask);
}

bool LinuxGicv2Driver::gicc_is_gicv2(unsigned cpu) {
    // gic_check_gicv2(): GICC_IIDR arch 2, implementer Arm.
    return (bus_.read32(cpu, Frame::Gicc, gicc::IIDR) & 0x00FF0FFF) == 0x0002043B;
}

void LinuxGicv2Driver::distributor_init(unsigned boot_cpu) {
    const std::uint32_t typer = bus_.read32(boot_cpu, Frame::Gicd, gicd::TYPER);
    num_irqs_ = std::min(32u * (gicd::TYPER_ITLinesNumber::get(typer) + 1), 1020u);

    bus_.write32(boot_cpu, Frame::Gicd, gicd::CTLR, 0);
    // Route every SPI to the boot CPU.
    std::uint32_t mask = read_cpu_mask(boot_cpu);
    mask |= mask << 8;
    mask |= mask << 16;
    for (std::uint32_t i = 32; i < num_irqs_; i += 4) bus_.write32(boot_cpu, Frame::Gicd, gicd::ITARGETSR + i, mask);
    // gic_dist_config(): all SPIs level-triggered, default priority, deactivated, disabled.
    for (std::uint32_t i = 32; i < num_irqs_; i += 16) bus_.write32(boot_cpu, Frame::Gicd, gicd::ICFGR + i / 4, 0);
    for (std::uint32_t i = 32; i < num_irqs_; i += 4)
        bus_.write32(boot_cpu, Frame::Gicd, gicd::IPRIORITYR + i, kDefaultPriority * 0x01010101u);
    for (std::uint32_t i = 32; i < num_irqs_; i += 32) {
        bus_.write32(boot_cpu, Frame::Gicd, gicd::ICACTIVER + i / 8, 0xFFFFFFFF);
        bus_.write32(boot_cpu, Frame::Gicd, gicd::ICENABLER + i / 8, 0xFFFFFFFF);
    }
    bus_.write32(boot_cpu, Frame::Gicd, gicd::CTLR, gicd::CTLR_EnableGrp0::mask);
}

void LinuxGicv2Driver::cpu_init(unsigned cpu) {
    // gic_cpu_init(): record this CPU's interface bit, then gic_cpu_config().
    cpu_map_.at(cpu) = read_cpu_mask(cpu);
    bus_.write32(cpu, Frame::Gicd, gicd::ICACTIVER, 0xFFFFFFFF);
    bus_.write32(cpu, Frame::Gicd, gicd::ICENABLER, 0xFFFFFFFF);
    for (std::uint32_t i = 0; i < 32; i += 4)
        bus_.write32(cpu, Frame::Gicd, gicd::IPRIORITYR + i, kDefaultPriority * 0x01010101u);
    bus_.write32(cpu, Frame::Gicc, gicc::PMR, kPmr);
    // gic_cpu_if_up(): clear the active priorities (only if the interface is GICv2), keep the
    // bypass-disable bits, enable the interface (Group 0, as Linux does without security).
    if (gicc_is_gicv2(cpu))
        for (std::uint32_t i = 0; i < 4; ++i) bus_.write32(cpu, Frame::Gicc, gicc::APR0 + 4 * i, 0);
    const std::uint32_t bypass = bus_.read32(cpu, Frame::Gicc, gicc::CTLR) & 0x1E0u;
    bus_.write32(cpu, Frame::Gicc, gicc::CTLR,
                 bypass | (split_eoi_ ? gicc::CTLR_EOImode::mask : 0u) | gicc::CTLR_EnableGrp0::mask);
}

void LinuxGicv2Driver::enable_ipis(unsigned cpu) { bus_.write32(cpu, Frame::Gicd, gicd::ISENABLER, 0xFFu); }

void LinuxGicv2Driver::unmask(unsigned cpu, std::uint32_t intid) {
    bus_.write32(cpu, Frame::Gicd, gicd::ISENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

void LinuxGicv2Driver::mask(unsigned cpu, std::uint32_t intid) {
    bus_.write32(cpu, Frame::Gicd, gicd::ICENABLER + (intid / 32) * 4, 1u << (intid % 32));
}

bool LinuxGicv2Driver::set_type(unsigned cpu, std::uint32_t intid, bool edge) {
    if (intid < 16) return edge;  // SGIs are edge only; anything else is -EINVAL
    const std::uint32_t off = gicd::ICFGR + (intid / 16) * 4;
    const std::uint32_t bit = 2u << (2 * (intid % 16));
    const std::uint32_t old = bus_.read32(cpu, Frame::Gicd, off);
    const std::uint32_t val = edge ? (old | bit) : (old & ~bit);
    if (val == old) return true;
    bus_.write32(cpu, Frame::Gicd, off, val);
    if (bus_.read32(cpu, Frame::Gicd, off) != val) {
        // gic_configure_irq(): an SPI that does not take the type is an error, a PPI a warning.
        errors_.push_back("GIC: failed to set type of INTID " + std::to_string(intid));
        return intid < 32;
    }
    return true;
}

void LinuxGicv2Driver::set_affinity(unsigned cpu, std::uint32_t intid, unsigned target_cpu) {
    bus_.write8(cpu, Frame::Gicd, gicd::ITARGETSR + intid, cpu_map_.at(target_cpu));
}

void LinuxGicv2Driver::set_priority(unsigned cpu, std::uint32_t intid, std::uint8_t priority) {
    bus_.write8(cpu, Frame::Gicd, gicd::IPRIORITYR + intid, priority);
}

void LinuxGicv2Driver::send_ipi(unsigned from_cpu, std::uint32_t cpu_mask, std::uint32_t sgi) {
    std::uint32_t targets = 0;
    for (unsigned c = 0; c < num_cpus_; ++c)
        if ((cpu_mask >> c) & 1u) targets |= cpu_map_.at(c);
    // A uniprocessor GIC has no target list to speak of: Linux uses the "self" filter.
    const std::uint32_t value = num_cpus_ == 1 ? (0x02000000u | sgi) : ((targets << 16) | sgi);
    bus_.write32(from_cpu, Frame::Gicd, gicd::SGIR, value);
}

std::vector<std::uint32_t> LinuxGicv2Driver::handle_irq(unsigned cpu, const Handler& handler,
                                                      const Completed& completed) {
    // gic_handle_irq(): loop until IAR reports 1020-1023.
    std::vector<std::uint32_t> handled;
    for (;;) {
        const std::uint32_t iar = bus_.read32(cpu, Frame::Gicc, gicc::IAR);
        const std::uint32_t intid = gicc::IAR_InterruptID::get(iar);
        if (intid >= 1020) break;
        handled.push_back(iar);
        if (split_eoi_) bus_.write32(cpu, Frame::Gicc, gicc::EOIR, iar);  // priority drop first
        if (handler) handler(intid, iar);
        bus_.write32(cpu, Frame::Gicc, split_eoi_ ? gicc::DIR : gicc::EOIR, iar);
        if (completed) completed(intid);
        if (handled.size() > 4096) {  // a GIC that never runs dry would hang the kernel
            errors_.push_back("GICv2: IAR never returned a spurious INTID");
            break;
        }
    }
    return handled;
}

} // namespace vgic::guest
