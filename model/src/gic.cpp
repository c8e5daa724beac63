// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/gic.hpp"

#include "no_frame.hpp"

#include <stdexcept>
#include <string>

namespace vgic {

namespace {
using detail::no_frame_v3;
constexpr const char* kNoGicc = "the GICC frame does not exist with GICv3: the ICC_ system registers replace it";
constexpr const char* kNoGich = "the GICH frame does not exist with GICv3: the ICH_ system registers replace it";
constexpr const char* kNoGicv = "the GICV frame does not exist with GICv3: the ICV_ system registers replace it";
} // namespace

/// Presents the distributor, as seen by one CPU, as that CPU interface's candidate source.
class Gic::DistributorPort final : public CandidateSource {
public:
    DistributorPort(Distributor& dist, unsigned cpu) : dist_(dist), cpu_(cpu) {}
    Candidate highest_pending(unsigned group_mask) const override { return dist_.highest_pending(cpu_, group_mask); }
    bool acknowledge(const Candidate& c) override {
        dist_.acknowledge(cpu_, c);
        return true;
    }
    // GICv2 keeps one active state per SGI and CPU, so the source CPU does not matter.
    bool deactivate(std::uint32_t intid, unsigned) override { return dist_.deactivate(cpu_, intid); }
    bool is_active(std::uint32_t intid) const override { return dist_.is_active(cpu_, intid); }
    unsigned group_of(std::uint32_t intid) const override { return dist_.group_of(cpu_, intid); }

private:
    Distributor& dist_;
    unsigned cpu_;
};

Gic::Gic(const GicConfig& config)
    : config_((config.validate(), config)), diag_(config_.bad_access), dist_(config_, diag_),
      levels_(config_.num_cpus) {
    // GICv3: ICC_ system registers (priority bits from GicConfig, preemption min(bits, 7)).
    const CpuInterfaceParams params = config_.is_v3()
                                          ? CpuInterfaceParams::physical_v3(config_.priority_bits)
                                          : CpuInterfaceParams::physical(config_.priority_bits, config_.ids.gicc_iidr);
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu) {
        ports_.push_back(std::make_unique<DistributorPort>(dist_, cpu));
        cpus_.push_back(std::make_unique<CpuInterface>(cpu, *ports_.back(), diag_, params));
        if (config_.virt.enabled) {
            // HW=1 list registers: the guest's deactivation deactivates the physical INTID
            // in the distributor as seen by this CPU (for an SPI, the single active state,
            // wherever it was acknowledged).
            vifs_.push_back(std::make_unique<VirtualCpuInterface>(
                cpu, config_.virt, diag_, [this, cpu](std::uint32_t, std::uint32_t pintid) { dist_.deactivate(cpu, pintid); },
                config_.version));
        }
    }
}

void Gic::set_interrupt_observer(InterruptObserver* observer) {
    dist_.set_interrupt_observer(observer);
    for (auto& c : cpus_) c->set_interrupt_observer(observer);
    for (auto& v : vifs_) v->set_interrupt_observer(observer);
}

VirtualCpuInterface& Gic::vif(unsigned cpu, const char* what) {
    check_cpu(cpu, what);
    if (vifs_.empty())
        throw std::logic_error(std::string(what) + ": the virtualization extensions are disabled (GicConfig.virt.enabled)");
    return *vifs_[cpu];
}

const VirtualCpuInterface& Gic::virtual_interface(unsigned cpu) const {
    return const_cast<Gic*>(this)->vif(cpu, "virtual_interface");
}

VcpuInterfaceState Gic::save_virtual_interface(unsigned cpu) const { return virtual_interface(cpu).save(); }

void Gic::restore_virtual_interface(unsigned cpu, const VcpuInterfaceState& state) {
    vif(cpu, "restore_virtual_interface").restore(state);
    settle(cpu);
}

AccessResult Gic::read_hyp_control(unsigned cpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICH", kNoGich, cpu, offset, size, false, 0);
    const AccessResult r = vif(cpu, "read_hyp_control").read_control(offset, size, mode);
    settle(cpu);
    return r;
}

AccessResult Gic::write_hyp_control(unsigned cpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                    AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICH", kNoGich, cpu, offset, size, true, value);
    const AccessResult r = vif(cpu, "write_hyp_control").write_control(offset, size, value, mode);
    settle(cpu);
    return r;
}

AccessResult Gic::alias_access(unsigned accessor, std::uint32_t offset, unsigned size, bool is_write,
                               std::uint64_t value, AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICH alias", kNoGich, accessor, offset, size, is_write, value);
    vif(accessor, is_write ? "write_hyp_control_alias" : "read_hyp_control_alias");
    // IHI 0048B 5.3: CPU n's GICH is at n * 0x200 in the alias region. The index is decoded
    // from the offset alone (QEMU and gem5 both got this decode wrong).
    const unsigned target = offset / gicv2::gich::kAliasStride;
    const std::uint32_t inner = offset % gicv2::gich::kAliasStride;
    if (target >= config_.num_cpus || offset >= gicv2::kMaxCpus * gicv2::gich::kAliasStride) {
        const BadAccess b = BadAccess::make("GICH alias", nullptr, "alias frame of a CPU interface that does not exist",
                                            accessor, offset, size, is_write, value, BadAccessKind::Reserved);
        return {0, diag_.bad_access(b), b.kind};
    }
    VirtualCpuInterface& v = *vifs_[target];
    const AccessResult r = is_write ? v.write_control(inner, size, value, mode) : v.read_control(inner, size, mode);
    settle(target);
    return r;
}

AccessResult Gic::read_hyp_control_alias(unsigned accessor, std::uint32_t offset, unsigned size, AccessMode mode) {
    return alias_access(accessor, offset, size, false, 0, mode);
}

AccessResult Gic::write_hyp_control_alias(unsigned accessor, std::uint32_t offset, unsigned size,
                                          std::uint64_t value, AccessMode mode) {
    return alias_access(accessor, offset, size, true, value, mode);
}

AccessResult Gic::read_virtual_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICV", kNoGicv, cpu, offset, size, false, 0);
    const AccessResult r = vif(cpu, "read_virtual_cpu_interface").read_vcpu(offset, size, mode);
    settle(cpu);
    return r;
}

AccessResult Gic::write_virtual_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                              std::uint64_t value, AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICV", kNoGicv, cpu, offset, size, true, value);
    const AccessResult r = vif(cpu, "write_virtual_cpu_interface").write_vcpu(offset, size, value, mode);
    settle(cpu);
    return r;
}

Gic::~Gic() = default;

void Gic::throw_bad_cpu(unsigned cpu, const char* what) const {
    throw std::out_of_range(std::string(what) + ": CPU " + std::to_string(cpu) + " out of range 0.." +
                            std::to_string(config_.num_cpus - 1));
}

AccessResult Gic::read_distributor(unsigned cpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    check_cpu(cpu, "read_distributor");
    const AccessResult r = dist_.read(cpu, offset, size, mode);
    settle_dirty();
    return r;
}

AccessResult Gic::write_distributor(unsigned cpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                    AccessMode mode) {
    check_cpu(cpu, "write_distributor");
    const AccessResult r = dist_.write(cpu, offset, size, value, mode);
    settle_dirty();
    return r;
}

AccessResult Gic::read_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size, AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICC", kNoGicc, cpu, offset, size, false, 0);
    check_cpu(cpu, "read_cpu_interface");
    const AccessResult r = cpus_[cpu]->read(offset, size, mode);
    settle(cpu);
    return r;
}

AccessResult Gic::write_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                      AccessMode mode) {
    if (config_.is_v3()) return no_frame_v3(diag_, "GICC", kNoGicc, cpu, offset, size, true, value);
    check_cpu(cpu, "write_cpu_interface");
    const AccessResult r = cpus_[cpu]->write(offset, size, value, mode);
    settle(cpu);
    return r;
}

// ---- GICv3 redistributors and register-write-pending ----------------------------------------

AccessResult Gic::read_redistributor(unsigned accessor, std::uint32_t offset, unsigned size, AccessMode mode) {
    const AccessResult r = dist_.read_redistributor(accessor, offset, size, mode);
    settle_dirty();
    return r;
}

AccessResult Gic::write_redistributor(unsigned accessor, std::uint32_t offset, unsigned size, std::uint64_t value,
                                      AccessMode mode) {
    const AccessResult r = dist_.write_redistributor(accessor, offset, size, value, mode);
    settle_dirty();
    return r;
}

void Gic::set_rwp_tracking(bool on) { dist_.set_rwp_tracking(on); }
bool Gic::register_write_pending() const { return dist_.rwp_pending(); }
void Gic::complete_register_writes() { dist_.complete_rwp(); }

void Gic::set_ppi_level(unsigned cpu, std::uint32_t intid, bool level) {
    if (config_.virt.enabled && intid == config_.virt.maintenance_intid)
        throw std::out_of_range("set_ppi_level: INTID " + std::to_string(intid) +
                                " is the maintenance interrupt, driven by the GIC itself");
    dist_.set_ppi_level(cpu, intid, level);
    settle_dirty();
}

void Gic::set_spi_level(std::uint32_t intid, bool level) {
    dist_.set_spi_level(intid, level);
    settle_dirty();
}

bool Gic::line(unsigned cpu, Line which) const {
    check_cpu(cpu, "line");
    const CpuLines& l = levels_[cpu];
    switch (which) {
    case Line::Irq: return l.physical.irq;
    case Line::Fiq: return l.physical.fiq;
    case Line::VIrq: return l.virt.irq;
    case Line::VFiq: return l.virt.fiq;
    case Line::Maintenance: return l.maintenance;
    }
    return false;
}

void Gic::notify(unsigned cpu, Line line, bool level) {
    if (observer_ != nullptr) observer_->line_changed(cpu, line, level);
}

void Gic::update_lines(unsigned cpu) {
    const LineLevels now = cpus_[cpu]->lines();
    CpuLines& l = levels_[cpu];
    if (now == l.physical) return;
    const LineLevels before = l.physical;
    l.physical = now;
    if (now.irq != before.irq) notify(cpu, Line::Irq, now.irq);
    if (now.fiq != before.fiq) notify(cpu, Line::Fiq, now.fiq);
}

void Gic::settle_dirty() {
    dist_.drain_dirty([this](unsigned cpu) { update_lines(cpu); });
}

void Gic::update_virtual_lines(unsigned cpu) {
    // The virtual interface of this CPU may have changed: vIRQ/vFIQ, and the maintenance
    // level, which is also the maintenance PPI's input line.
    const VirtualCpuInterface& v = *vifs_[cpu];
    CpuLines& l = levels_[cpu];
    const LineLevels virt = v.virtual_lines();
    if (virt.irq != l.virt.irq) notify(cpu, Line::VIrq, virt.irq);
    if (virt.fiq != l.virt.fiq) notify(cpu, Line::VFiq, virt.fiq);
    l.virt = virt;
    const bool maintenance = v.maintenance();
    if (maintenance != l.maintenance) {
        l.maintenance = maintenance;
        notify(cpu, Line::Maintenance, maintenance);
        dist_.set_ppi_level(cpu, config_.virt.maintenance_intid, maintenance);
    }
}

void Gic::settle(unsigned cpu) {
    if (!vifs_.empty()) update_virtual_lines(cpu);
    // A CPU-interface access changes that interface's own masks, and an acknowledge or
    // deactivate can change other CPUs' candidates (a multi-target SPI).
    settle_dirty();
    update_lines(cpu);
}

// ---- reset ----------------------------------------------------------------------------------

void Gic::reset() {
    dist_.reset();  // marks every CPU dirty; input levels forgotten
    for (auto& c : cpus_) c->reset();
    for (auto& v : vifs_) v->reset();
    for (CpuLines& l : levels_) {
        // HCR_EL2.IMO/FMO: as constructed (see reset() in gic.hpp).
        l.imo = false;
        l.fmo = false;
    }
    // Every line is low now (GICC/ICC_ and GICH disabled); report each one that was high.
    // The maintenance PPI's input is already low in the reset distributor, so
    // update_virtual_lines changes no interrupt state.
    for (unsigned cpu = 0; cpu < vifs_.size(); ++cpu) update_virtual_lines(cpu);
    settle_dirty();
}

// ---- state export / import ------------------------------------------------------------------

Gic::State Gic::export_state() const {
    State st;
    st.bad_access_count = diag_.bad_access_count();
    st.guest_error_count = diag_.guest_error_count();
    st.distributor = dist_.export_state();
    for (const auto& c : cpus_) st.cpus.push_back(c->export_state());
    for (const auto& v : vifs_) st.virtual_interfaces.push_back(v->export_state());
    return st;
}

StateCheck Gic::check_state(const State& st) const {
    const unsigned n = config_.num_cpus;
    if (StateCheck p = dist_.check_state(st.distributor)) return p->within("/distributor");
    if (st.cpus.size() != n)
        return StateProblem{"/cpus", "expected " + std::to_string(n) + " CPU interfaces (num_cpus), got " +
                                         std::to_string(st.cpus.size())};
    if (st.virtual_interfaces.size() != vifs_.size())
        return StateProblem{"/cpus", "expected GICH state for " + std::to_string(vifs_.size()) + " CPUs (" +
                                         (vifs_.empty() ? "no virtualization extensions" : "one per CPU") +
                                         "), got " + std::to_string(st.virtual_interfaces.size())};
    for (unsigned cpu = 0; cpu < n; ++cpu) {
        const std::string at = "/cpus/" + std::to_string(cpu);
        if (StateCheck p = cpus_[cpu]->check_state(st.cpus[cpu])) return p->within(at + "/gicc");
        if (vifs_.empty()) continue;
        const VcpuInterfaceState& vs = st.virtual_interfaces[cpu];
        if (StateCheck p = vifs_[cpu]->check_state(vs)) return p->within(at + "/gich");
        // The maintenance PPI's input is driven by the GIC from this GICH state: they must agree.
        Diagnostics scratch_diag(config_.bad_access);
        VirtualCpuInterface scratch(cpu, config_.virt, scratch_diag, {}, config_.version);
        scratch.restore(vs);
        const std::uint32_t m = config_.virt.maintenance_intid;
        const bool input = st.distributor.private_irqs[cpu * gicv2::kNumPrivate + m].line;
        if (input != scratch.maintenance())
            return StateProblem{"/distributor/private/" + std::to_string(cpu) + "/" + std::to_string(m) + "/line",
                                std::string("the maintenance interrupt's input is ") + (input ? "high" : "low") +
                                    " but CPU " + std::to_string(cpu) + "'s GICH state gives maintenance level " +
                                    (input ? "0" : "1") + " (the GIC drives this line)"};
    }
    return std::nullopt;
}

void Gic::import_state(const State& st) {
    if (StateCheck p = check_state(st)) throw StateError(*p);
    dist_.import_state(st.distributor);  // marks every CPU dirty
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu) cpus_[cpu]->import_state(st.cpus[cpu]);
    for (unsigned cpu = 0; cpu < vifs_.size(); ++cpu) vifs_[cpu]->import_state(st.virtual_interfaces[cpu]);
    diag_.set_counts(st.bad_access_count, st.guest_error_count);
    // Every output line follows the new state; the observer hears of each change. The
    // maintenance PPI's input already agrees (checked), so no interrupt state moves here.
    for (unsigned cpu = 0; cpu < vifs_.size(); ++cpu) update_virtual_lines(cpu);
    settle_dirty();
}

} // namespace vgic
