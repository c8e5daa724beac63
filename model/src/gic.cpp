#include "vgic/model/gic.hpp"

#include <stdexcept>
#include <string>

namespace vgic {

/// Presents the distributor, as seen by one CPU, as that CPU interface's candidate source.
class Gic::DistributorPort final : public CandidateSource {
public:
    DistributorPort(Distributor& dist, unsigned cpu) : dist_(dist), cpu_(cpu) {}
    Candidate highest_pending(unsigned group_mask) const override { return dist_.highest_pending(cpu_, group_mask); }
    void acknowledge(const Candidate& c) override { dist_.acknowledge(cpu_, c); }
    bool deactivate(std::uint32_t intid) override { return dist_.deactivate(cpu_, intid); }
    bool is_active(std::uint32_t intid) const override { return dist_.is_active(cpu_, intid); }
    unsigned group_of(std::uint32_t intid) const override { return dist_.group_of(cpu_, intid); }

private:
    Distributor& dist_;
    unsigned cpu_;
};

Gic::Gic(const GicConfig& config)
    : config_((config.validate(), config)), diag_(config_.bad_access), dist_(config_, diag_),
      levels_(config_.num_cpus) {
    CpuInterfaceParams params;
    params.frame_name = "GICC";
    params.priority_bits = config_.priority_bits;
    params.iidr = config_.ids.gicc_iidr;
    for (unsigned cpu = 0; cpu < config_.num_cpus; ++cpu) {
        ports_.push_back(std::make_unique<DistributorPort>(dist_, cpu));
        cpus_.push_back(std::make_unique<CpuInterface>(cpu, *ports_.back(), diag_, params));
    }
}

Gic::~Gic() = default;

void Gic::check_cpu(unsigned cpu, const char* what) const {
    if (cpu >= config_.num_cpus)
        throw std::out_of_range(std::string(what) + ": CPU " + std::to_string(cpu) +
                                " out of range 0.." + std::to_string(config_.num_cpus - 1));
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
    check_cpu(cpu, "read_cpu_interface");
    const AccessResult r = cpus_[cpu]->read(offset, size, mode);
    settle(cpu);
    return r;
}

AccessResult Gic::write_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size, std::uint64_t value,
                                      AccessMode mode) {
    check_cpu(cpu, "write_cpu_interface");
    const AccessResult r = cpus_[cpu]->write(offset, size, value, mode);
    settle(cpu);
    return r;
}

void Gic::set_ppi_level(unsigned cpu, std::uint32_t intid, bool level) {
    dist_.set_ppi_level(cpu, intid, level);
    settle_dirty();
}

void Gic::set_spi_level(std::uint32_t intid, bool level) {
    dist_.set_spi_level(intid, level);
    settle_dirty();
}

bool Gic::line(unsigned cpu, Line which) const {
    check_cpu(cpu, "line");
    return which == Line::Irq ? levels_[cpu].irq : levels_[cpu].fiq;
}

void Gic::update_lines(unsigned cpu) {
    const LineLevels now = cpus_[cpu]->lines();
    const LineLevels before = levels_[cpu];
    if (now == before) return;
    levels_[cpu] = now;
    if (observer_ == nullptr) return;
    if (now.irq != before.irq) observer_->line_changed(cpu, Line::Irq, now.irq);
    if (now.fiq != before.fiq) observer_->line_changed(cpu, Line::Fiq, now.fiq);
}

void Gic::settle_dirty() {
    dist_.drain_dirty([this](unsigned cpu) { update_lines(cpu); });
}

void Gic::settle(unsigned cpu) {
    // A CPU-interface access changes that interface's own masks, and an acknowledge or
    // deactivate can change other CPUs' candidates (a multi-target SPI).
    settle_dirty();
    update_lines(cpu);
}

} // namespace vgic
