// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/vm_gic.hpp"
#include "vgic/model/gicv3_regs.hpp"

#include <algorithm>
#include "bits.hpp"

#include <stdexcept>
#include <string>

namespace vgic {

using namespace gicv2;
using namespace gicv2::gich;

namespace {
using bits::bit64;
using bits::lowest_bit64;

const GicConfig& checked(const GicConfig& config) {
    config.validate();
    if (!config.virt.enabled)
        throw ConfigError("GicConfig.virt.enabled = 0: allowed 1 (vm mode runs on the virtualization extensions)");
    return config;
}

/// GICD registers whose state lives partly in running vCPUs' list registers.
bool is_state_register(std::uint32_t offset) { return offset >= gicd::ISPENDR && offset < gicd::IPRIORITYR; }
} // namespace

VmGic::VmGic(const GicConfig& config)
    : config_(checked(config)),
      diag_(config_.bad_access),
      dist_(config_, diag_),
      running_(config_.num_cpus, 0),
      kick_pending_(config_.num_cpus, 0),
      loaded_(config_.num_cpus, 0),
      levels_(config_.num_cpus),
      touched_flag_(config_.num_cpus, 0) {
    touched_list_.reserve(config_.num_cpus);
    dist_.enable_vm_mode();
    for (unsigned v = 0; v < config_.num_cpus; ++v)
        vifs_.push_back(std::make_unique<VirtualCpuInterface>(
            v, config_.virt, diag_,
            [this, v](std::uint32_t vintid, std::uint32_t pintid) { on_hw_deactivate(v, vintid, pintid); },
            config_.version));
}

VmGic::~VmGic() = default;

void VmGic::reset() {
    // The virtual distributor (vm mode kept, HW mappings kept, parking and owners cleared,
    // input levels forgotten). Nothing runs after a reset, so nothing is kicked or woken:
    // the dirty marks it leaves are dropped as import_state drops them.
    dist_.reset();
    dist_.drain_dirty([](unsigned) {});
    for (unsigned v = 0; v < config_.num_cpus; ++v) {
        vifs_[v]->reset();
        running_[v] = 0;
        kick_pending_[v] = 0;
        loaded_[v] = 0;
        touched_flag_[v] = 0;
    }
    touched_list_.clear();
    // Report every line that was high (all are low now), and that each vCPU's list
    // registers were rewritten (emptied).
    for (unsigned v = 0; v < config_.num_cpus; ++v) relevel(v);
    if (observer_ != nullptr)
        for (unsigned v = 0; v < config_.num_cpus; ++v) observer_->list_registers_changed(v);
}

void VmGic::set_interrupt_observer(InterruptObserver* observer) {
    dist_.set_interrupt_observer(observer);
    for (auto& v : vifs_) v->set_interrupt_observer(observer);
}

void VmGic::check_vcpu(unsigned vcpu, const char* what) const {
    if (vcpu >= config_.num_cpus)
        throw std::out_of_range(std::string(what) + ": vCPU " + std::to_string(vcpu) + " out of range 0.." +
                                std::to_string(config_.num_cpus - 1));
}

bool VmGic::running(unsigned vcpu) const {
    check_vcpu(vcpu, "running");
    return running_[vcpu] != 0;
}

unsigned VmGic::lrs_to_flush(unsigned vcpu) const {
    check_vcpu(vcpu, "lrs_to_flush");
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    const unsigned n = vif.num_list_regs();
    const std::uint64_t all = bits::low_mask64(n);
    const auto free = static_cast<std::size_t>(__builtin_popcountll(vif.elrsr() & all & ~loaded_[vcpu]));
    return static_cast<unsigned>(std::min(free, dist_.in_flight(vcpu)));
}

bool VmGic::kick_pending(unsigned vcpu) const {
    check_vcpu(vcpu, "kick_pending");
    return kick_pending_[vcpu] != 0;
}

bool VmGic::pending_for(unsigned vcpu, std::uint32_t intid, unsigned source_cpu) const {
    check_vcpu(vcpu, "pending_for");
    if (intid >= config_.num_intids()) return false;
    // GICv2 SGIs are pending per source (IHI 0048B 4.3.?: GICD_SPENDSGIR); GICv3 ones are not.
    const bool per_source = intid < kNumSgis && !config_.is_v3();
    const bool in_distributor = per_source ? ((dist_.sgi_sources(vcpu, intid) >> source_cpu) & 1u) != 0
                                           : dist_.is_pending(vcpu, intid);
    if (in_distributor) return true;
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    for (std::uint64_t m = loaded_[vcpu]; m != 0; m &= m - 1) {
        const ListRegister lr = vif.list_register(lowest_bit64(m));
        if (lr.pending() && lr.vintid == intid && (!per_source || lr.cpuid == source_cpu)) return true;
    }
    return false;
}

bool VmGic::active_for(unsigned vcpu, std::uint32_t intid) const {
    check_vcpu(vcpu, "active_for");
    if (intid >= config_.num_intids()) return false;
    if (!dist_.is_parked(vcpu, intid)) return dist_.is_active(vcpu, intid);
    if (intid >= kNumPrivate && dist_.spi_holder(intid) != vcpu) return false;  // another vCPU's LR holds it
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    for (std::uint64_t m = loaded_[vcpu]; m != 0; m &= m - 1) {
        const ListRegister lr = vif.list_register(lowest_bit64(m));
        if (lr.vintid == intid && lr.active()) return true;
    }
    return false;
}

bool VmGic::wake_pending(unsigned vcpu) const {
    check_vcpu(vcpu, "wake_pending");
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    // An interrupt is signalled only when its priority is higher (numerically lower) than
    // the priority mask (IHI 0048B 3.3.2, IHI 0069 4.8.1): KVM applies the virtual PMR too.
    const std::uint8_t pmr = vif.gicv().pmr();
    const Candidate c = dist_.highest_pending(vcpu, 0b11);
    if (c.valid() && c.priority < pmr) return true;
    for (std::uint64_t m = loaded_[vcpu]; m != 0; m &= m - 1) {
        const ListRegister lr = vif.list_register(lowest_bit64(m));
        if (lr.pending() && lr.priority < pmr) return true;
        // An interrupt parked in a loaded LR is out of the distributor's queues until the next
        // sync, but a new edge latches in the distributor meanwhile (the LR may even be
        // invalid already: completed by the guest, not yet folded back). That edge is pending
        // for the vCPU too.
        if (lr.vintid < config_.num_intids() && dist_.is_pending(vcpu, lr.vintid) &&
            dist_.is_enabled(vcpu, lr.vintid) && dist_.group_enabled(dist_.group_of(vcpu, lr.vintid)) &&
            dist_.priority_of(vcpu, lr.vintid) < pmr)
            return true;
    }
    return false;
}

bool VmGic::line(unsigned vcpu, Line which) const {
    check_vcpu(vcpu, "line");
    switch (which) {
    case Line::VIrq: return levels_[vcpu].virt.irq;
    case Line::VFiq: return levels_[vcpu].virt.fiq;
    case Line::Maintenance: return levels_[vcpu].maintenance;
    default: return false;  // a VM has no physical lines
    }
}

// ---- guest accesses ------------------------------------------------------------------------

AccessResult VmGic::trapped_access(unsigned vcpu, TrapFrame frame, std::uint32_t offset, unsigned size,
                                   bool is_write, std::uint64_t value, AccessMode mode) {
    const bool gicr = frame == TrapFrame::Gicr;
    check_vcpu(vcpu, gicr ? (is_write ? "write_redistributor" : "read_redistributor")
                          : (is_write ? "write_distributor" : "read_distributor"));
    // Which pending/active word the access touches, and whose private interrupts it shows:
    // GICv2 GICD word 0 is banked for the accessor, GICv3 GICD has no private state (ARE),
    // a GICv3 GICR SGI_base frame holds its own vCPU's.
    bool state = false;
    int private_vcpu = -1;
    std::uint32_t word = 0;
    if (gicr) {
        const std::uint32_t rd = offset / gicv3::gicr::kStride;
        const std::uint32_t inner = offset % gicv3::gicr::kStride;
        state = rd < config_.num_cpus && inner >= gicv3::gicr::kSgiBase + gicv3::gicr::ISPENDR0 &&
                inner < gicv3::gicr::kSgiBase + gicv3::gicr::IPRIORITYR0;
        private_vcpu = static_cast<int>(rd);
    } else {
        state = is_state_register(offset);
        word = (offset % 0x80) / 4;
        if (!config_.is_v3()) private_vcpu = static_cast<int>(vcpu);
    }
    const bool want_pending = (offset % gicv3::gicr::kStride % 0x10000) < gicd::ISACTIVER;
    const auto frame_access = [&](AccessMode m) {
        if (gicr) return is_write ? dist_.write_redistributor(vcpu, offset, size, value, m)
                                  : dist_.read_redistributor(vcpu, offset, size, m);
        return is_write ? dist_.write(vcpu, offset, size, value, m) : dist_.read(vcpu, offset, size, m);
    };
    if (mode == AccessMode::Debug) {
        // A debugger's view: no exit. The pending and active state of interrupts held in
        // running vCPUs' list registers is read from those LRs.
        AccessResult r = frame_access(mode);
        if (is_write) {
            settle();
            return r;
        }
        if (r.ok() && size == 4 && state) r.value |= lr_state_bits(word, want_pending, private_vcpu);
        return r;
    }
    // The access is a trap: the accessing vCPU has exited. For pending/active state, stop
    // every other running vCPU that holds such interrupts in its LRs as well (any vCPU for
    // an SPI word, the redistributor's own vCPU for a GICR word).
    std::vector<unsigned> stopped;
    const auto stop = [&](unsigned w) {
        if (w != vcpu) ++stats_.trap_syncs;
        vcpu_exit(w);
        stopped.push_back(w);
    };
    if (running_[vcpu]) stop(vcpu);
    if (state) {
        if (gicr) {
            const auto rd = static_cast<unsigned>(private_vcpu);
            if (rd != vcpu && running_[rd] && loaded_[rd] != 0) stop(rd);
        } else {
            for (unsigned w = 0; w < config_.num_cpus; ++w)
                if (w != vcpu && running_[w] && loaded_[w] != 0) stop(w);
        }
    }
    const AccessResult r = frame_access(mode);
    for (unsigned w : stopped) vcpu_entry(w);
    settle();
    return r;
}

std::uint32_t VmGic::lr_state_bits(std::uint32_t word, bool want_pending, int private_vcpu) const {
    std::uint32_t bits = 0;
    for (unsigned w = 0; w < config_.num_cpus; ++w) {
        for (std::uint64_t m = loaded_[w]; m != 0; m &= m - 1) {
            const ListRegister lr = vifs_[w]->list_register(lowest_bit64(m));
            const std::uint32_t id = lr.vintid;
            if (id / 32 != word) continue;
            if (id < kNumPrivate && static_cast<int>(w) != private_vcpu) continue;  // banked
            if (want_pending ? lr.pending() : lr.active()) bits |= 1u << (id % 32);
        }
    }
    return bits;
}

AccessResult VmGic::read_distributor(unsigned vcpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    return trapped_access(vcpu, TrapFrame::Gicd, offset, size, false, 0, mode);
}

AccessResult VmGic::write_distributor(unsigned vcpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                      AccessMode mode) {
    return trapped_access(vcpu, TrapFrame::Gicd, offset, size, true, value, mode);
}

AccessResult VmGic::read_redistributor(unsigned vcpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    return trapped_access(vcpu, TrapFrame::Gicr, offset, size, false, 0, mode);
}

AccessResult VmGic::write_redistributor(unsigned vcpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                        AccessMode mode) {
    return trapped_access(vcpu, TrapFrame::Gicr, offset, size, true, value, mode);
}

AccessResult VmGic::read_sysreg(unsigned vcpu, std::uint32_t encoding, AccessMode mode) {
    return sysreg_access(vcpu, encoding, false, 0, mode);
}

AccessResult VmGic::write_sysreg(unsigned vcpu, std::uint32_t encoding, std::uint64_t value, AccessMode mode) {
    return sysreg_access(vcpu, encoding, true, value, mode);
}

bool VmGic::sysreg_write_traps(std::uint32_t enc) {
    namespace sr = gicv3::sysreg;
    return enc == sr::ICC_SGI0R_EL1 || enc == sr::ICC_SGI1R_EL1 || enc == sr::ICC_ASGI1R_EL1;
}

AccessResult VmGic::sysreg_access(unsigned vcpu, std::uint32_t enc, bool is_write, std::uint64_t value,
                                  AccessMode mode) {
    namespace sr = gicv3::sysreg;
    check_vcpu(vcpu, is_write ? "write_sysreg" : "read_sysreg");
    const auto bad = [&](const char* frame, const char* detail, BadAccessKind kind) {
        const BadAccess b = BadAccess::make(frame, nullptr, detail, vcpu, enc, 8, is_write, value, kind);
        return AccessResult{0, diag_.bad_access(b), kind};
    };
    if (!config_.is_v3())
        return bad("SYSREG", "GICv2: the CPU interface has no system registers (GICV is memory-mapped)",
                   BadAccessKind::Reserved);
    VirtualCpuInterface& vif = *vifs_[vcpu];
    switch (enc) {
    case sr::ICC_SRE_EL1:
        return {is_write ? 0 : gicv3::icc::kSreEl1, AccessStatus::Ok};  // RAO/WI
    case sr::ICC_SGI0R_EL1:
    case sr::ICC_SGI1R_EL1:
    case sr::ICC_ASGI1R_EL1: {
        if (!is_write) return bad("ICC", "SGI generation registers are write-only", BadAccessKind::ReadOfWriteOnly);
        if (mode != AccessMode::Normal) return {};
        if (enc == sr::ICC_ASGI1R_EL1) {
            diag_.guest_error(BadAccess::make("ICC", "ASGI1R_EL1",
                                              "ASGI1R targets the other Security state, which does not exist (DS=1): nothing sent",
                                              vcpu, enc, 8, true, value, BadAccessKind::GuestError));
            return {};
        }
        // With IMO/FMO set the write traps to the hypervisor (KVM vgic_v3_dispatch_sgi): the
        // vCPU exits, the engine sets the SGIs pending in the virtual distributor, the vCPU
        // re-enters; running targets that gain a better interrupt are kicked by settle().
        const bool was_running = running_[vcpu] != 0;
        if (was_running) vcpu_exit(vcpu);
        dist_.generate_sgi_v3(vcpu, value, enc == sr::ICC_SGI0R_EL1 ? 0u : 1u);
        if (was_running) vcpu_entry(vcpu);
        settle();
        return {};
    }
    default: break;
    }
    if (sr::is_ich(enc)) {
        // The engine owns the hypervisor interface: show its state, refuse changes.
        if (is_write)
            return bad("ICH", "vm mode: the list-register engine owns the ICH_ registers (read-only view)",
                       BadAccessKind::WriteToReadOnly);
        return vif.read_hyp_sysreg(enc, AccessMode::Debug);
    }
    if (sr::el1_route_of(enc) == sr::El1Route::None)
        return bad("SYSREG", "no GIC system register a guest can reach with this encoding", BadAccessKind::Reserved);
    const AccessResult r = is_write ? vif.write_vcpu_sysreg(enc, value, mode) : vif.read_vcpu_sysreg(enc, mode);
    touch(vcpu);
    settle();
    return r;
}

AccessResult VmGic::read_cpu_interface(unsigned vcpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    check_vcpu(vcpu, "read_cpu_interface");
    const AccessResult r = vifs_[vcpu]->read_vcpu(offset, size, mode);
    touch(vcpu);
    settle();
    return r;
}

AccessResult VmGic::write_cpu_interface(unsigned vcpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                        AccessMode mode) {
    check_vcpu(vcpu, "write_cpu_interface");
    const AccessResult r = vifs_[vcpu]->write_vcpu(offset, size, value, mode);
    touch(vcpu);
    settle();
    return r;
}

// ---- devices -------------------------------------------------------------------------------

void VmGic::set_spi_level(std::uint32_t intid, bool level) {
    dist_.set_spi_level(intid, level);
    settle();
}

void VmGic::set_ppi_level(unsigned vcpu, std::uint32_t intid, bool level) {
    dist_.set_ppi_level(vcpu, intid, level);
    settle();
}

void VmGic::map_hw(unsigned vcpu, std::uint32_t intid, std::uint32_t physical_id) {
    check_vcpu(vcpu, "map_hw");
    if (intid < kNumSgis || intid >= config_.num_intids())
        throw std::out_of_range("map_hw: INTID " + std::to_string(intid) + " is not a PPI or implemented SPI (allowed 16.." +
                                std::to_string(config_.num_intids() - 1) + ")");
    if (physical_id != 0 && (physical_id < kNumSgis || physical_id >= kMaxIntids))
        throw std::out_of_range("map_hw: physical INTID " + std::to_string(physical_id) +
                                " not allowed (16..1019, or 0 to unmap)");
    // A list register carries the mapping its interrupt was loaded with (HW, PhysicalID).
    // An interrupt held in one is taken out (the holder's sync) before the mapping changes
    // and put back (a flush) after, so every LR agrees with the mapping (check_state) and
    // the guest's deactivation reaches the physical interrupt the mapping names.
    const unsigned holder = intid < kNumPrivate ? vcpu : dist_.spi_holder(intid);
    const bool reload =
        dist_.is_parked(vcpu, intid) && running_[holder] && dist_.hw_mapping(vcpu, intid) != physical_id;
    if (reload) vcpu_exit(holder);
    dist_.set_hw_mapping(vcpu, intid, static_cast<std::uint16_t>(physical_id));
    if (reload) vcpu_entry(holder);
}

void VmGic::on_hw_deactivate(unsigned vcpu, std::uint32_t virtual_id, std::uint32_t physical_id) {
    if (observer_ != nullptr) observer_->physical_deactivate(vcpu, virtual_id, physical_id);
    // A level source still asserted would make the physical interrupt fire again at once,
    // and an HW LR raises no maintenance interrupt: if anything is still in flight for this
    // vCPU (the source itself, or interrupts queued behind the only LR), it must exit.
    if (dist_.is_pending(vcpu, virtual_id) || dist_.in_flight(vcpu) != 0) request_kick(vcpu);
}

// ---- world switch --------------------------------------------------------------------------

FlushReport VmGic::vcpu_entry(unsigned vcpu) {
    check_vcpu(vcpu, "vcpu_entry");
    if (running_[vcpu]) return {};
    const FlushReport r = flush(vcpu);
    running_[vcpu] = 1;
    kick_pending_[vcpu] = 0;
    settle();
    return r;
}

SyncReport VmGic::vcpu_exit(unsigned vcpu) {
    check_vcpu(vcpu, "vcpu_exit");
    if (!running_[vcpu]) return {};
    running_[vcpu] = 0;
    kick_pending_[vcpu] = 0;
    const SyncReport r = sync(vcpu);
    settle();
    return r;
}

unsigned VmGic::service_kicks() {
    unsigned serviced = 0;
    const unsigned limit = 64 * config_.num_cpus;
    for (;;) {
        bool any = false;
        for (unsigned v = 0; v < config_.num_cpus; ++v) {
            if (!kick_pending_[v] || !running_[v]) continue;
            any = true;
            if (++serviced > limit)
                throw std::runtime_error("service_kicks: vCPU " + std::to_string(v) + " still kicked after " +
                                         std::to_string(limit) + " exits: live-lock in the list-register engine");
            vcpu_exit(v);
            vcpu_entry(v);
        }
        if (!any) return serviced;
    }
}

FlushReport VmGic::flush(unsigned vcpu) {
    touch(vcpu);
    VirtualCpuInterface& vif = *vifs_[vcpu];
    const unsigned n = vif.num_list_regs();
    const std::uint64_t all = bits::low_mask64(n);
    std::uint64_t free = vif.elrsr() & all & ~loaded_[vcpu];
    FlushReport report;
    bool placed_pending = false;
    ++stats_.flushes;
    while (free != 0) {
        // The best in-flight interrupt: active ones not in an LR and pending ones, by
        // priority, active first on a tie (KVM vgic_irq_cmp).
        const Candidate pend = dist_.highest_pending(vcpu, 0b11);
        const Candidate act = dist_.highest_active_unloaded(vcpu);
        const Candidate* pick = nullptr;
        if (act.valid() && (!pend.valid() || act.priority <= pend.priority)) pick = &act;
        else if (pend.valid()) pick = &pend;
        if (pick == nullptr) break;
        const unsigned i = lowest_bit64(free);
        free &= free - 1;
        const Distributor::LrLoad load = dist_.load_into_lr(vcpu, pick->intid);
        // The 8-bit priority goes in as is: a GICv2 LR keeps priority[7:3] (KVM writes
        // priority >> 3), a GICv3 one the implemented bits (section 3 item 19).
        ListRegister lr;
        lr.vintid = pick->intid;
        lr.priority = pick->priority;
        lr.group1 = pick->group != 0;
        lr.state = static_cast<std::uint8_t>((load.pending ? ListRegister::kPending : 0) |
                                             (load.active ? ListRegister::kActive : 0));
        if (load.physical_id != 0) {
            lr.hw = true;
            lr.pintid = load.physical_id;
        } else {
            lr.cpuid = load.source_cpu;  // GICv2 SGI source (GICv3 LRs have no CPUID)
            lr.eoi = load.request_eoi;
        }
        vif.set_list_register(i, lr);
        loaded_[vcpu] |= bit64(i);
        placed_pending = placed_pending || (load.pending && !load.active);  // NP counts State==01 only
        ++report.lrs_written;
    }
    stats_.lr_writes += report.lrs_written;
    const bool evicted = dist_.highest_active_unloaded(vcpu).valid();
    report.overflow = evicted || dist_.highest_pending(vcpu, 0b11).valid();
    // GICH_HCR and ICH_HCR_EL2 have En, UIE, NPIE and LRENPIE at the same bits.
    std::uint32_t hcr = HCR_En::mask;
    if (report.overflow) {
        ++stats_.overflows;
        if (n >= 2) {
            // Underflow: control comes back when at most one LR is still in use.
            hcr |= HCR_UIE::mask;
        } else {
            // One LR: U would assert at once. Ask for NP while it is pending, and for an
            // EOI maintenance when it is deactivated.
            if (placed_pending) hcr |= HCR_NPIE::mask;
            ListRegister lr = vif.list_register(0);
            if (lr.valid() && !lr.hw) {
                lr.eoi = true;
                vif.set_list_register(0, lr);
            }
        }
    }
    if (evicted) {
        ++stats_.evictions;
        hcr |= HCR_LRENPIE::mask;  // the guest's EOIs of evicted interrupts count in EOICount
    }
    vif.set_hcr(hcr);
    dist_.take_retrigger(vcpu);  // parking our own loads is no re-trigger
    if (observer_ != nullptr) observer_->list_registers_changed(vcpu);
    return report;
}

SyncReport VmGic::sync(unsigned vcpu) {
    touch(vcpu);
    VirtualCpuInterface& vif = *vifs_[vcpu];
    SyncReport report;
    ++stats_.syncs;
    report.eoi_count = vif.eoi_count();
    // EOIs the guest performed on interrupts that had no LR: the evicted actives, completed
    // in nesting order (highest priority first). This must happen before the LRs are folded
    // back: EOIcount counts EOIs that matched no list register (IHI 0069 ICH_HCR_EL2.EOIcount,
    // ICV_EOIR1_EL1; section 3 item 7), so it can only stand for interrupts that were outside
    // the LRs during this run. Folded first, an interrupt still active in an LR (e.g. the outer
    // handler of one that another vCPU deactivated through GICD_ICACTIVER, whose EOI then
    // found no LR) would join the candidates and be deactivated while its handler runs.
    for (unsigned k = 0; k < report.eoi_count; ++k) {
        const Candidate c = dist_.highest_active_unloaded(vcpu);
        if (!c.valid()) break;
        dist_.deactivate(vcpu, c.intid);
        ++stats_.eoicount_deactivations;
        const std::uint16_t pintid = dist_.hw_mapping(vcpu, c.intid);
        if (pintid != 0 && observer_ != nullptr) observer_->physical_deactivate(vcpu, c.intid, pintid);
    }
    const std::uint64_t empty = vif.elrsr();
    for (std::uint64_t m = loaded_[vcpu]; m != 0; m &= m - 1) {
        const unsigned i = lowest_bit64(m);
        const ListRegister lr = vif.list_register(i);
        bool pending = false, active = false;
        if (!(empty & bit64(i))) {  // KVM reads back only LRs that ELRSR does not report empty
            ++report.lrs_read;
            pending = lr.pending();
            active = lr.active();
        }
        const std::uint32_t vintid = lr.vintid;
        dist_.fold_from_lr(vcpu, vintid, pending, active, lr.hw ? 0u : lr.cpuid);
        // Section 3 item 12: a mapped level interrupt the guest never took, whose source has
        // dropped meanwhile, must not leave the physical interrupt active (KVM resamples).
        if (lr.hw && pending && !active && !dist_.is_pending(vcpu, vintid) && observer_ != nullptr)
            observer_->physical_deactivate(vcpu, vintid, lr.pintid);
        vif.set_lr(i, 0);
    }
    loaded_[vcpu] = 0;
    stats_.lr_reads += report.lrs_read;
    vif.set_hcr(0);
    if (observer_ != nullptr) observer_->list_registers_changed(vcpu);
    return report;
}

// ---- kicks and lines -----------------------------------------------------------------------

void VmGic::request_kick(unsigned vcpu) {
    if (!running_[vcpu] || kick_pending_[vcpu]) return;
    kick_pending_[vcpu] = 1;
    ++stats_.kicks;
    if (observer_ != nullptr) observer_->kick(vcpu);
}

bool VmGic::would_improve(unsigned vcpu, const Candidate& c) const {
    // Worth an exit if a list register is free or holds something of lower priority.
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    const unsigned n = vif.num_list_regs();
    const std::uint64_t all = bits::low_mask64(n);
    if ((vif.elrsr() & all & ~loaded_[vcpu]) != 0) return true;
    for (std::uint64_t m = loaded_[vcpu]; m != 0; m &= m - 1) {
        const ListRegister lr = vif.list_register(lowest_bit64(m));
        if (!lr.valid()) return true;  // freed, waiting for maintenance
        if (lr.priority > c.priority) return true;
    }
    return false;
}

bool VmGic::return_armed(unsigned vcpu) const {
    // Whether the running vCPU's list registers already promise the engine control back
    // when they drain: UIE with two or more LRs (U asserts at <= 1 valid LR, section 3 item
    // 5); with one LR, NPIE, an EOI=1 LR (EOI maintenance at its deactivation) or an HW=1 LR
    // (on_hw_deactivate kicks while anything is in flight).
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    const std::uint32_t hcr = vif.hcr();
    if (vif.num_list_regs() >= 2) return HCR_UIE::test(hcr);
    if (HCR_NPIE::test(hcr)) return true;
    const ListRegister lr = vif.list_register(0);
    return lr.valid() && (lr.hw || lr.eoi);
}

void VmGic::settle() {
    dist_.drain_dirty([this](unsigned w) {
        const bool retrigger = dist_.take_retrigger(w);
        const Candidate c = dist_.highest_pending(w, 0b11);
        if (!running_[w]) {
            if (c.valid() && observer_ != nullptr) observer_->pending_while_stopped(w);
            return;
        }
        // A new in-flight interrupt that would not improve the LRs still needs a kick unless
        // a maintenance interrupt is already armed: a flush without overflow set no UIE, so
        // once the guest drained the LRs nothing would give control back and the interrupt
        // would wait for an unrelated exit (KVM kicks on every queueing, vgic_queue_irq_unlock;
        // section 3 item 13). The kick's flush overflows and arms UIE, so this kicks once.
        if (retrigger || (c.valid() && (would_improve(w, c) || !return_armed(w)))) request_kick(w);
    });
    // update_lines may kick, which touches nothing; the list is stable while we walk it.
    for (std::size_t i = 0; i < touched_list_.size(); ++i) {
        const unsigned v = touched_list_[i];
        touched_flag_[v] = 0;
        update_lines(v);
    }
    touched_list_.clear();
}

void VmGic::touch(unsigned vcpu) {
    if (touched_flag_[vcpu]) return;
    touched_flag_[vcpu] = 1;
    touched_list_.push_back(vcpu);
}

bool VmGic::relevel(unsigned vcpu) {
    const VirtualCpuInterface& vif = *vifs_[vcpu];
    VcpuLines& l = levels_[vcpu];
    const LineLevels virt = vif.virtual_lines();
    const bool maintenance = vif.maintenance();
    if (observer_ != nullptr) {
        if (virt.irq != l.virt.irq) observer_->line_changed(vcpu, Line::VIrq, virt.irq);
        if (virt.fiq != l.virt.fiq) observer_->line_changed(vcpu, Line::VFiq, virt.fiq);
        if (maintenance != l.maintenance) observer_->line_changed(vcpu, Line::Maintenance, maintenance);
    }
    l.virt = virt;
    l.maintenance = maintenance;
    return maintenance;
}

void VmGic::update_lines(unsigned vcpu) {
    const bool maintenance = relevel(vcpu);
    // The maintenance interrupt is taken by the hypervisor (this engine): an exit.
    if (maintenance && running_[vcpu] && !kick_pending_[vcpu]) {
        ++stats_.maintenance_kicks;
        request_kick(vcpu);
    }
}

// ---- save / restore --------------------------------------------------------------------------

VcpuInterfaceState VmGic::save_vcpu(unsigned vcpu) const {
    check_vcpu(vcpu, "save_vcpu");
    return vifs_[vcpu]->save();
}

void VmGic::restore_vcpu(unsigned vcpu, const VcpuInterfaceState& state) {
    check_vcpu(vcpu, "restore_vcpu");
    if (running_[vcpu]) throw std::invalid_argument("restore_vcpu: vCPU " + std::to_string(vcpu) + " is running");
    for (std::size_t i = 0; i < state.lrs.size(); ++i) {
        // Empty as ELRSR defines it: invalid and owing no EOI maintenance interrupt. An invalid
        // HW=0 LR with EOI=1 sets EISR and so MISR.EOI (IHI 0048B 5.3.?, ICH_EISR_EL2): a
        // maintenance interrupt the engine never asked for and cannot clear, since it owns
        // only the LRs it loaded (fuzz_model found the exit loop this caused).
        const ListRegister r = ListRegister::decode(config_.version, state.lrs[i]);
        if (r.valid() || (!r.hw && r.eoi))
            throw std::invalid_argument("restore_vcpu: vm mode restores only empty list registers (the engine owns "
                                        "them): LR" + std::to_string(i) + (r.valid() ? " is valid" :
                                        " has EOI=1, which asks for a maintenance interrupt"));
    }
    vifs_[vcpu]->restore(state);
    touch(vcpu);
    settle();
    if (observer_ != nullptr) observer_->list_registers_changed(vcpu);
}

// ---- whole-VM state ----------------------------------------------------------------------------

VmGic::State VmGic::export_state() const {
    State st;
    st.bad_access_count = diag_.bad_access_count();
    st.guest_error_count = diag_.guest_error_count();
    st.distributor = dist_.export_state();
    for (unsigned v = 0; v < config_.num_cpus; ++v) {
        VcpuState vs;
        vs.gich = vifs_[v]->export_state();
        vs.running = running_[v] != 0;
        vs.kick_pending = kick_pending_[v] != 0;
        vs.loaded_lrs = loaded_[v];
        st.vcpus.push_back(std::move(vs));
    }
    st.stats = stats_;
    return st;
}

StateCheck VmGic::check_state(const State& st) const {
    const unsigned n = config_.num_cpus;
    if (StateCheck p = dist_.check_state(st.distributor)) return p->within("/distributor");
    if (st.vcpus.size() != n)
        return StateProblem{"/vcpus", "expected " + std::to_string(n) + " vCPUs (num_cpus), got " +
                                          std::to_string(st.vcpus.size())};
    const Distributor::State& d = st.distributor;
    // Which parked interrupts a loaded list register accounts for.
    std::vector<std::uint8_t> claimed_private(d.private_irqs.size(), 0);
    std::vector<std::uint8_t> claimed_spi(d.spis.size(), 0);
    for (unsigned v = 0; v < n; ++v) {
        const std::string at = "/vcpus/" + std::to_string(v);
        const VcpuState& vs = st.vcpus[v];
        const VirtualCpuInterface& vif = *vifs_[v];
        if (StateCheck p = vif.check_state(vs.gich)) return p->within(at + "/gich");
        const unsigned nlr = vif.num_list_regs();
        const std::uint64_t all = bits::low_mask64(nlr);
        if (vs.loaded_lrs & ~all)
            return StateProblem{at + "/loaded_lrs", hex_string(vs.loaded_lrs, 16) + " names list registers that do not exist (" +
                                                        std::to_string(nlr) + ")"};
        if (!vs.running && vs.loaded_lrs != 0)
            return StateProblem{at + "/loaded_lrs", "a vCPU that is not running has no loaded list registers (its exit synced them)"};
        if (!vs.running && vs.kick_pending)
            return StateProblem{at + "/kick_pending", "only a running vCPU can have a kick pending"};
        for (unsigned i = 0; i < nlr; ++i) {
            const ListRegister lr = ListRegister::decode(config_.version, vs.gich.lrs[i]);
            const std::string lat = at + "/gich/lrs/" + std::to_string(i);
            if (!(vs.loaded_lrs & bit64(i))) {
                if (lr.valid())
                    return StateProblem{lat, "valid, but not loaded by the engine (bit " + std::to_string(i) +
                                                 " of loaded_lrs is clear)"};
                continue;
            }
            const std::uint32_t vintid = lr.vintid;
            if (vintid >= config_.num_intids())
                return StateProblem{lat, "loaded with vINTID " + std::to_string(vintid) +
                                             ", which is not an implemented interrupt"};
            const bool priv = vintid < kNumPrivate;
            const Distributor::IrqState& r = priv ? d.private_irqs[v * kNumPrivate + vintid] : d.spis[vintid - kNumPrivate];
            std::uint8_t& claim = priv ? claimed_private[v * kNumPrivate + vintid] : claimed_spi[vintid - kNumPrivate];
            if (!r.parked)
                return StateProblem{lat, "holds INTID " + std::to_string(vintid) +
                                             ", which the distributor does not show parked in a list register"};
            if (!priv && r.owner != v)
                return StateProblem{lat, "holds SPI " + std::to_string(vintid) + ", which is parked for vCPU " +
                                             std::to_string(r.owner)};
            if (claim)
                return StateProblem{lat, "holds INTID " + std::to_string(vintid) + ", which another loaded list register holds"};
            claim = 1;
            if (StateCheck p = check_loaded_lr(lr, r, vintid)) return p->within(lat);
        }
        if (vs.running && !vs.kick_pending) {
            Diagnostics scratch_diag(config_.bad_access);
            VirtualCpuInterface scratch(v, config_.virt, scratch_diag, {}, config_.version);
            scratch.restore(vs.gich);
            if (scratch.maintenance())
                return StateProblem{at + "/kick_pending", "vCPU " + std::to_string(v) +
                                                              " runs with its maintenance interrupt asserted, so the engine has kicked it"};
        }
    }
    for (unsigned v = 0; v < n; ++v)
        for (std::uint32_t intid = 0; intid < kNumPrivate; ++intid)
            if (d.private_irqs[v * kNumPrivate + intid].parked && !claimed_private[v * kNumPrivate + intid])
                return StateProblem{"/distributor/private/" + std::to_string(v) + "/" + std::to_string(intid) + "/parked",
                                    "INTID " + std::to_string(intid) + " is parked, but no loaded list register of vCPU " +
                                        std::to_string(v) + " holds it"};
    for (std::size_t k = 0; k < d.spis.size(); ++k)
        if (d.spis[k].parked && !claimed_spi[k])
            return StateProblem{"/distributor/spis/" + std::to_string(k) + "/parked",
                                "INTID " + std::to_string(kNumPrivate + k) + " is parked for vCPU " +
                                    std::to_string(d.spis[k].owner) + ", but no loaded list register of it holds it"};
    return std::nullopt;
}

StateCheck VmGic::check_loaded_lr(const ListRegister& lr, const Distributor::IrqState& r, std::uint32_t vintid) {
    const std::string id = std::to_string(vintid);
    // The LR's hardware link is the distributor's mapping, copied at flush time (map_hw
    // reloads an interrupt held in an LR when it changes). With HW=1 the guest's
    // deactivation deactivates the physical INTID (IHI 0048B 5.3.8 GICH_LR.HW, IHI 0069
    // ICH_LR<n>_EL2.HW): a link the mapping does not make would deactivate a physical
    // interrupt this VM does not own, and a missing one would leave the physical interrupt
    // active for ever.
    if (lr.hw && lr.pintid < kNumSgis)
        return StateProblem{"", "HW=1 with physical INTID " + std::to_string(lr.pintid) +
                                    ", an SGI: a physical ID of 0-15 or 1020-1023 is UNPREDICTABLE (IHI 0048B 5.3.8), "
                                    "only a PPI or SPI can be HW-mapped"};
    if (lr.hw && r.hw_pintid == 0)
        return StateProblem{"", "HW=1 for vINTID " + id + ", which is not HW-mapped: its deactivation would "
                                    "deactivate physical INTID " + std::to_string(lr.pintid)};
    if (lr.hw && lr.pintid != r.hw_pintid)
        return StateProblem{"", "HW=1 with physical INTID " + std::to_string(lr.pintid) + ", but vINTID " + id +
                                    " is mapped to physical INTID " + std::to_string(r.hw_pintid)};
    if (!lr.hw && r.hw_pintid != 0)
        return StateProblem{"", "HW=0 for vINTID " + id + ", which is HW-mapped to physical INTID " +
                                    std::to_string(r.hw_pintid) + ": its deactivation would not reach the physical interrupt"};
    if (lr.state == ListRegister::kPendingActive) {
        // HW=1 has no pending-and-active state: the physical interrupt is active until the
        // virtual one is deactivated, so it cannot be pending again meanwhile (KVM never sets
        // pending on an active HW LR; the engine keeps a new edge in the distributor).
        if (lr.hw)
            return StateProblem{"", "HW=1 and pending and active: a hardware interrupt is never both (the physical "
                                    "one stays active until the guest deactivates the virtual one)"};
        // A level interrupt's pending state is its line, resampled at deactivation (EOI=1);
        // the engine never loads it pending and active (KVM vgic_v2_populate_lr).
        if (vintid >= kNumSgis && !r.edge)
            return StateProblem{"", "pending and active, but INTID " + id + " is level-sensitive: a level interrupt is "
                                    "never loaded pending and active (its pending state is resampled at deactivation)"};
    }
    return std::nullopt;
}

void VmGic::import_state(const State& st) {
    if (StateCheck p = check_state(st)) throw StateError(*p);
    const std::vector<std::uint8_t> kicked_before = kick_pending_;
    dist_.import_state(st.distributor);
    // Kicks are restored as saved rather than re-derived; lines are recomputed below.
    dist_.drain_dirty([](unsigned) {});
    for (unsigned v = 0; v < config_.num_cpus; ++v) {
        const VcpuState& vs = st.vcpus[v];
        vifs_[v]->import_state(vs.gich);
        running_[v] = vs.running ? 1 : 0;
        kick_pending_[v] = vs.kick_pending ? 1 : 0;
        loaded_[v] = vs.loaded_lrs;
    }
    stats_ = st.stats;
    diag_.set_counts(st.bad_access_count, st.guest_error_count);
    for (unsigned v = 0; v < config_.num_cpus; ++v) relevel(v);
    if (observer_ != nullptr)
        for (unsigned v = 0; v < config_.num_cpus; ++v) {
            observer_->list_registers_changed(v);
            if (kick_pending_[v] && !kicked_before[v]) observer_->kick(v);
        }
}

} // namespace vgic
