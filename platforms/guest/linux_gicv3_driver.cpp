// SPDX-License-Identifier: Apache-2.0
#include "guest/linux_gicv3_driver.hpp"

#include "vgic/model/gicv3_regs.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace vgic::guest {

namespace gicd = vgic::gicv3::gicd;
namespace gicr = vgic::gicv3::gicr;
namespace icc = vgic::gicv3::icc;
namespace sr = vgic::gicv3::sysreg;

// ---- Gicv3ModelBus --------------------------------------------------------------------------

std::string Bus3Access::describe() const {
    static const char* const names[] = {"GICD", "GICR", "SYSREG"};
    char buf[160];
    if (frame == Frame3::Sysreg) {
        std::snprintf(buf, sizeof buf, "cpu%u %s S3_%u_C%u_C%u_%u %s 0x%llx%s", cpu, is_write ? "MSR" : "MRS",
                      (offset >> 11) & 7u, (offset >> 7) & 15u, (offset >> 3) & 15u, offset & 7u,
                      is_write ? "=" : "->", static_cast<unsigned long long>(value), ok ? "" : "  [bad access]");
    } else {
        std::snprintf(buf, sizeof buf, "cpu%u %s%u %s+0x%05x %s 0x%llx%s", cpu, is_write ? "W" : "R", size * 8,
                      names[static_cast<int>(frame)], offset, is_write ? "=" : "->",
                      static_cast<unsigned long long>(value), ok ? "" : "  [bad access]");
    }
    return buf;
}

void Gicv3ModelBus::record(const Bus3Access& a) {
    if (!a.ok) ++bad_;
    if (recording_) log_.push_back(a);
}

AccessResult Gicv3ModelBus::read(unsigned cpu, Frame3 frame, std::uint32_t offset, unsigned size) {
    AccessResult r;
    switch (frame) {
    case Frame3::Gicd: r = gic_.read_distributor(cpu, offset, size); break;
    case Frame3::Gicr: r = gic_.read_redistributor(cpu, offset, size); break;
    case Frame3::Sysreg: r = gic_.read_sysreg(cpu, offset); break;
    }
    record({cpu, frame, false, size, offset, r.value, r.ok()});
    return r;
}

AccessResult Gicv3ModelBus::write(unsigned cpu, Frame3 frame, std::uint32_t offset, unsigned size,
                                  std::uint64_t value) {
    AccessResult r;
    switch (frame) {
    case Frame3::Gicd: r = gic_.write_distributor(cpu, offset, size, value); break;
    case Frame3::Gicr: r = gic_.write_redistributor(cpu, offset, size, value); break;
    case Frame3::Sysreg: r = gic_.write_sysreg(cpu, offset, value); break;
    }
    record({cpu, frame, true, size, offset, value, r.ok()});
    return r;
}

std::uint32_t Gicv3ModelBus::read32(unsigned cpu, Frame3 frame, std::uint32_t offset) {
    return static_cast<std::uint32_t>(read(cpu, frame, offset, 4).value);
}
std::uint64_t Gicv3ModelBus::read64(unsigned cpu, Frame3 frame, std::uint32_t offset) {
    return read(cpu, frame, offset, 8).value;
}
void Gicv3ModelBus::write32(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint32_t value) {
    write(cpu, frame, offset, 4, value);
}
void Gicv3ModelBus::write64(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint64_t value) {
    write(cpu, frame, offset, 8, value);
}
void Gicv3ModelBus::write8(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint8_t value) {
    write(cpu, frame, offset, 1, value);
}
std::uint64_t Gicv3ModelBus::mrs(unsigned cpu, std::uint32_t encoding) { return read(cpu, Frame3::Sysreg, encoding, 8).value; }
void Gicv3ModelBus::msr(unsigned cpu, std::uint32_t encoding, std::uint64_t value) {
    write(cpu, Frame3::Sysreg, encoding, 8, value);
}
void Gicv3ModelBus::delay_1us(unsigned) {
    // Untimed: a microsecond is longer than any register-write completion the model holds.
    ++delays_;
    gic_.complete_register_writes();
}

// ---- the driver -----------------------------------------------------------------------------

namespace {
constexpr std::uint32_t kPidr2ArchMask = 0xF0;
bool is_gicv3_or_v4(std::uint32_t pidr2) {
    const std::uint32_t arch = pidr2 & kPidr2ArchMask;
    return arch == 0x30 || arch == 0x40;
}
// MPIDR_EL1 affinity levels.
unsigned aff(std::uint64_t mpidr, unsigned level) {
    return static_cast<unsigned>((mpidr >> (level == 3 ? 32 : 8 * level)) & 0xFFu);
}
} // namespace

LinuxGicv3Driver::LinuxGicv3Driver(Gicv3Bus& bus, std::vector<std::uint64_t> mpidr, bool split_eoi)
    : bus_(bus), mpidr_(std::move(mpidr)), split_eoi_(split_eoi), rd_base_(mpidr_.size(), ~0u) {}

std::uint32_t LinuxGicv3Driver::affinity32(unsigned cpu) const {
    // gic_populate_rdist(): Aff3 << 24 | Aff2 << 16 | Aff1 << 8 | Aff0, GICR_TYPER[63:32]'s layout.
    const std::uint64_t m = mpidr_.at(cpu);
    return aff(m, 3) << 24 | aff(m, 2) << 16 | aff(m, 1) << 8 | aff(m, 0);
}

std::uint64_t LinuxGicv3Driver::irouter_of(unsigned cpu) const {
    // gic_mpidr_to_affinity(): Aff3 << 32 | Aff2 << 16 | Aff1 << 8 | Aff0, IRM = 0.
    const std::uint64_t m = mpidr_.at(cpu);
    return std::uint64_t{aff(m, 3)} << 32 | aff(m, 2) << 16 | aff(m, 1) << 8 | aff(m, 0);
}

bool LinuxGicv3Driver::poll_clear(unsigned cpu, Frame3 frame, std::uint32_t offset, std::uint32_t mask,
                                  const char* what) {
    for (unsigned long n = 0; n < kPollLimit; ++n) {
        if ((bus_.read32(cpu, frame, offset) & mask) == 0) return true;
        bus_.delay_1us(cpu);
    }
    errors_.push_back(what);
    return false;
}

bool LinuxGicv3Driver::probe(unsigned boot_cpu) {
    if (!is_gicv3_or_v4(bus_.read32(boot_cpu, Frame3::Gicd, gicd::PIDR2))) {
        errors_.push_back("GIC: no distributor detected, giving up");
        return false;
    }
    const std::uint32_t typer = bus_.read32(boot_cpu, Frame3::Gicd, gicd::TYPER);
    num_irqs_ = std::min(32u * (gicd::TYPER_ITLinesNumber::get(typer) + 1), 1020u);
    (void)bus_.read32(boot_cpu, Frame3::Gicd, gicd::IIDR);    // quirk matching
    (void)bus_.read32(boot_cpu, Frame3::Gicd, gicd::TYPER2);  // nASSGIcap
    // gic_iterate_rdists(): one region; PIDR2 at its start, then TYPER of each frame until Last.
    rd_affinity_.clear();
    if (!is_gicv3_or_v4(bus_.read32(boot_cpu, Frame3::Gicr, gicr::PIDR2))) {
        errors_.push_back("GICv3: No redistributor present");
        return false;
    }
    std::uint32_t base = 0;
    for (;;) {
        const std::uint64_t t = bus_.read64(boot_cpu, Frame3::Gicr, base + gicr::TYPER);
        rd_affinity_.push_back(static_cast<std::uint32_t>(gicr::TYPER_Affinity::get(t)));
        (void)bus_.read32(boot_cpu, Frame3::Gicr, base + gicr::CTLR);
        if (gicr::TYPER_Last::test(t)) break;
        // Stride 128 KiB, 256 KiB with VLPIS (GICv4).
        base += gicr::TYPER_VLPIS::test(t) ? 2 * gicr::kStride : gicr::kStride;
        if (rd_affinity_.size() > 65536) {  // a GIC without Last would walk forever
            errors_.push_back("GICv3: redistributor walk found no GICR_TYPER.Last");
            return false;
        }
    }
    return true;
}

void LinuxGicv3Driver::distributor_init(unsigned boot_cpu) {
    const unsigned cpu = boot_cpu;
    bus_.write32(cpu, Frame3::Gicd, gicd::CTLR, 0);
    poll_clear(cpu, Frame3::Gicd, gicd::CTLR, gicd::CTLR_RWP::mask, "GICv3: RWP timeout, gone fishing");
    for (std::uint32_t i = 32; i < num_irqs_; i += 32) bus_.write32(cpu, Frame3::Gicd, gicd::IGROUPR + i / 8, ~0u);
    // gic_dist_config(): level, default priority, deactivated and disabled.
    for (std::uint32_t i = 32; i < num_irqs_; i += 16) bus_.write32(cpu, Frame3::Gicd, gicd::ICFGR + i / 4, 0);
    for (std::uint32_t i = 32; i < num_irqs_; i += 4)
        bus_.write32(cpu, Frame3::Gicd, gicd::IPRIORITYR + i, kDefaultPriority * 0x01010101u);
    for (std::uint32_t i = 32; i < num_irqs_; i += 32) {
        bus_.write32(cpu, Frame3::Gicd, gicd::ICACTIVER + i / 8, ~0u);
        bus_.write32(cpu, Frame3::Gicd, gicd::ICENABLER + i / 8, ~0u);
    }
    poll_clear(cpu, Frame3::Gicd, gicd::CTLR, gicd::CTLR_RWP::mask, "GICv3: RWP timeout, gone fishing");
    // ARE_NS | ENABLE_G1A | ENABLE_G1: with DS=1 bits 0 and 1 are EnableGrp0 and EnableGrp1.
    bus_.write32(cpu, Frame3::Gicd, gicd::CTLR, 0x13);
    poll_clear(cpu, Frame3::Gicd, gicd::CTLR, gicd::CTLR_RWP::mask, "GICv3: RWP timeout, gone fishing");
    const std::uint64_t route = irouter_of(cpu);
    for (std::uint32_t i = 32; i < num_irqs_; ++i) bus_.write64(cpu, Frame3::Gicd, gicd::IROUTER + 8 * i, route);
}

void LinuxGicv3Driver::cpu_init(unsigned cpu) {
    // gic_populate_rdist(): find the redistributor whose TYPER affinity is ours.
    const std::uint32_t mine = affinity32(cpu);
    std::uint32_t base = 0;
    bool found = false;
    for (;;) {
        const std::uint64_t t = bus_.read64(cpu, Frame3::Gicr, base + gicr::TYPER);
        if (static_cast<std::uint32_t>(gicr::TYPER_Affinity::get(t)) == mine) {
            found = true;
            break;
        }
        if (gicr::TYPER_Last::test(t)) break;
        base += gicr::TYPER_VLPIS::test(t) ? 2 * gicr::kStride : gicr::kStride;
    }
    if (!found) {
        char msg[96];
        std::snprintf(msg, sizeof msg, "GICv3: CPU%u: mpidr %llx has no re-distributor!", cpu,
                      static_cast<unsigned long long>(mpidr_.at(cpu)));
        errors_.push_back(msg);
        return;
    }
    rd_base_.at(cpu) = base;
    // gic_enable_redist(true): clear ProcessorSleep, wait for ChildrenAsleep to clear.
    std::uint32_t waker = bus_.read32(cpu, Frame3::Gicr, base + gicr::WAKER);
    waker &= ~gicr::WAKER_ProcessorSleep::mask;
    bus_.write32(cpu, Frame3::Gicr, base + gicr::WAKER, waker);
    poll_clear(cpu, Frame3::Gicr, base + gicr::WAKER, gicr::WAKER_ChildrenAsleep::mask,
               "GICv3: redistributor failed to wakeup...");
    const std::uint32_t sgi = base + gicr::kSgiBase;
    bus_.write32(cpu, Frame3::Gicr, sgi + gicr::IGROUPR0, ~0u);  // SGIs/PPIs Group 1
    // gic_cpu_config(): deactivate and disable the private interrupts, default priority.
    bus_.write32(cpu, Frame3::Gicr, sgi + gicr::ICACTIVER0, ~0u);
    bus_.write32(cpu, Frame3::Gicr, sgi + gicr::ICENABLER0, ~0u);
    for (std::uint32_t i = 0; i < 32; i += 4)
        bus_.write32(cpu, Frame3::Gicr, sgi + gicr::IPRIORITYR0 + i, kDefaultPriority * 0x01010101u);
    poll_clear(cpu, Frame3::Gicr, base + gicr::CTLR, gicr::CTLR_RWP::mask, "GICv3: RWP timeout, gone fishing");

    // gic_cpu_sys_reg_init().
    std::uint64_t sre = bus_.mrs(cpu, sr::ICC_SRE_EL1);
    if (!icc::SRE_SRE::test(sre)) {
        bus_.msr(cpu, sr::ICC_SRE_EL1, sre | icc::SRE_SRE::mask);
        sre = bus_.mrs(cpu, sr::ICC_SRE_EL1);
        if (!icc::SRE_SRE::test(sre)) errors_.push_back("GIC: unable to set SRE (disabled at EL2), panic ahead");
    }
    pri_bits_ = static_cast<unsigned>(icc::CTLR_PRIbits::get(bus_.mrs(cpu, sr::ICC_CTLR_EL1))) + 1;
    // gic_has_group0(): a Group-0 PMR write sticks only if Group 0 is visible to us.
    const std::uint64_t old_pmr = bus_.mrs(cpu, sr::ICC_PMR_EL1);
    bus_.msr(cpu, sr::ICC_PMR_EL1, 1u << (8 - pri_bits_));
    group0_ = bus_.mrs(cpu, sr::ICC_PMR_EL1) != 0;
    bus_.msr(cpu, sr::ICC_PMR_EL1, old_pmr);
    bus_.msr(cpu, sr::ICC_PMR_EL1, kPmr);
    bus_.msr(cpu, sr::ICC_BPR1_EL1, 0);
    bus_.msr(cpu, sr::ICC_CTLR_EL1, split_eoi_ ? icc::CTLR_EOImode::mask : 0);
    // Clear the active priorities: n = 0 for 4-5 bits, <= 1 for 6, <= 3 for 7-8; Group 0 first.
    const unsigned aprs = pri_bits_ >= 7 ? 4 : pri_bits_ == 6 ? 2 : 1;
    if (group0_)
        for (unsigned n = aprs; n-- > 0;) bus_.msr(cpu, sr::icc_ap0r(n), 0);
    for (unsigned n = aprs; n-- > 0;) bus_.msr(cpu, sr::icc_ap1r(n), 0);
    bus_.msr(cpu, sr::ICC_IGRPEN1_EL1, 1);
    (void)bus_.mrs(cpu, sr::ICC_CTLR_EL1);  // RSS into per-CPU has_rss
}

std::uint32_t LinuxGicv3Driver::bank_offset(unsigned cpu, std::uint32_t intid, std::uint32_t gicd_reg,
                                            std::uint32_t gicr_reg, Frame3& frame) const {
    if (intid < 32) {
        frame = Frame3::Gicr;
        return rd_base_.at(cpu) + gicr::kSgiBase + gicr_reg;
    }
    frame = Frame3::Gicd;
    return gicd_reg + (intid / 32) * 4;
}

void LinuxGicv3Driver::enable_ipis(unsigned cpu) {
    bus_.write32(cpu, Frame3::Gicr, rd_base_.at(cpu) + gicr::kSgiBase + gicr::ISENABLER0, 0xFFu);
}

void LinuxGicv3Driver::unmask(unsigned cpu, std::uint32_t intid) {
    Frame3 f;
    const std::uint32_t off = bank_offset(cpu, intid, gicd::ISENABLER, gicr::ISENABLER0, f);
    bus_.write32(cpu, f, off, 1u << (intid % 32));
}

void LinuxGicv3Driver::wait_for_rwp(unsigned cpu, std::uint32_t intid) {
    if (intid < 32)
        poll_clear(cpu, Frame3::Gicr, rd_base_.at(cpu) + gicr::CTLR, gicr::CTLR_RWP::mask,
                   "GICv3: RWP timeout, gone fishing");
    else
        poll_clear(cpu, Frame3::Gicd, gicd::CTLR, gicd::CTLR_RWP::mask, "GICv3: RWP timeout, gone fishing");
}

void LinuxGicv3Driver::mask(unsigned cpu, std::uint32_t intid) {
    Frame3 f;
    const std::uint32_t off = bank_offset(cpu, intid, gicd::ICENABLER, gicr::ICENABLER0, f);
    bus_.write32(cpu, f, off, 1u << (intid % 32));
    wait_for_rwp(cpu, intid);
}

bool LinuxGicv3Driver::set_type(unsigned cpu, std::uint32_t intid, bool edge) {
    if (intid < 16) return edge;  // SGIs are edge only
    Frame3 f;
    std::uint32_t off;
    if (intid < 32) {
        f = Frame3::Gicr;
        off = rd_base_.at(cpu) + gicr::kSgiBase + gicr::ICFGR1;
    } else {
        f = Frame3::Gicd;
        off = gicd::ICFGR + (intid / 16) * 4;
    }
    const std::uint32_t bit = 2u << (2 * (intid % 16));
    const std::uint32_t old = bus_.read32(cpu, f, off);
    const std::uint32_t val = edge ? (old | bit) : (old & ~bit);
    if (val == old) return true;
    bus_.write32(cpu, f, off, val);
    if (bus_.read32(cpu, f, off) != val) {
        errors_.push_back("GIC: failed to set type of INTID " + std::to_string(intid));
        return intid < 32;
    }
    return true;
}

void LinuxGicv3Driver::set_affinity(unsigned cpu, std::uint32_t intid, unsigned target_cpu) {
    if (intid < 32) return;  // private interrupts have no routing
    const std::uint32_t enabler = gicd::ISENABLER + (intid / 32) * 4;
    const bool enabled = (bus_.read32(cpu, Frame3::Gicd, enabler) >> (intid % 32)) & 1u;
    if (enabled) mask(cpu, intid);
    bus_.write64(cpu, Frame3::Gicd, gicd::IROUTER + 8 * intid, irouter_of(target_cpu));
    if (enabled) unmask(cpu, intid);
}

void LinuxGicv3Driver::set_one_of_n(unsigned cpu, std::uint32_t intid) {
    bus_.write64(cpu, Frame3::Gicd, gicd::IROUTER + 8 * intid, gicd::IROUTER_IRM::mask);
}

void LinuxGicv3Driver::set_priority(unsigned cpu, std::uint32_t intid, std::uint8_t priority) {
    if (intid < 32)
        bus_.write8(cpu, Frame3::Gicr, rd_base_.at(cpu) + gicr::kSgiBase + gicr::IPRIORITYR0 + intid, priority);
    else
        bus_.write8(cpu, Frame3::Gicd, gicd::IPRIORITYR + intid, priority);
}

void LinuxGicv3Driver::send_ipi(unsigned from_cpu, const std::vector<unsigned>& targets, std::uint32_t sgi) {
    // gic_ipi_send_mask(): CPUs sharing MPIDR[..:4] (cluster id with Aff0[7:4] as RS) go in
    // one write; TargetList bit = Aff0[3:0].
    std::vector<unsigned> left = targets;
    std::sort(left.begin(), left.end());
    std::size_t i = 0;
    while (i < left.size()) {
        const std::uint64_t cluster = mpidr_.at(left[i]) & ~std::uint64_t{0xF};
        std::uint64_t tlist = 0;
        while (i < left.size() && (mpidr_.at(left[i]) & ~std::uint64_t{0xF}) == cluster) {
            tlist |= std::uint64_t{1} << (mpidr_.at(left[i]) & 0xF);
            ++i;
        }
        const std::uint64_t value = icc::SGIR_Aff3::make(aff(cluster, 3)) | icc::SGIR_Aff2::make(aff(cluster, 2)) |
                                    icc::SGIR_INTID::make(sgi) | icc::SGIR_Aff1::make(aff(cluster, 1)) |
                                    icc::SGIR_RS::make(aff(cluster, 0) >> 4) | icc::SGIR_TargetList::make(tlist);
        bus_.msr(from_cpu, sr::ICC_SGI1R_EL1, value);
    }
}

void LinuxGicv3Driver::send_ipi_all_but_self(unsigned from_cpu, std::uint32_t sgi) {
    bus_.msr(from_cpu, sr::ICC_SGI1R_EL1, icc::SGIR_IRM::mask | icc::SGIR_INTID::make(sgi));
}

std::vector<std::uint32_t> LinuxGicv3Driver::handle_irq(unsigned cpu, const Handler& handler,
                                                      const Completed& completed) {
    // gic_handle_irq(): ICC_IAR1_EL1; 1020-1023 ends it. Split: EOIR1 at once (priority
    // drop), handle, then DIR; otherwise handle then EOIR1.
    std::vector<std::uint32_t> handled;
    for (;;) {
        const auto intid = static_cast<std::uint32_t>(icc::IAR_INTID::get(bus_.mrs(cpu, sr::ICC_IAR1_EL1)));
        if (intid >= 1020 && intid <= 1023) break;
        handled.push_back(intid);
        if (split_eoi_) bus_.msr(cpu, sr::ICC_EOIR1_EL1, intid);
        if (handler) handler(intid);
        bus_.msr(cpu, split_eoi_ ? sr::ICC_DIR_EL1 : sr::ICC_EOIR1_EL1, intid);
        if (completed) completed(intid);
        if (handled.size() > 4096) {  // a GIC that never runs dry would hang the kernel
            errors_.push_back("GICv3: IAR1 never returned a spurious INTID");
            break;
        }
    }
    return handled;
}

} // namespace vgic::guest
