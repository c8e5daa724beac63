// A complete GICv2 interrupt controller without virtualization (step 1): one distributor
// and one physical CPU interface per CPU, wired together, with output lines reported to a
// LineObserver. Plain C++17; time does not exist at this layer.
#pragma once

#include "vgic/model/access.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/cpu_interface.hpp"
#include "vgic/model/distributor.hpp"
#include "vgic/model/observer.hpp"

#include <memory>
#include <vector>

namespace vgic {

class Gic {
public:
    /// Validates `config` (throws ConfigError) and builds the GIC in its reset state.
    explicit Gic(const GicConfig& config);
    Gic(const Gic&) = delete;
    Gic& operator=(const Gic&) = delete;
    ~Gic();

    /// Distributor (GICD) access from CPU `cpu` (the CPU selects the banked registers).
    AccessResult read_distributor(unsigned cpu, std::uint32_t offset, unsigned size,
                                  AccessMode mode = AccessMode::Normal);
    AccessResult write_distributor(unsigned cpu, std::uint32_t offset, unsigned size,
                                   std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// CPU interface (GICC, 8 KiB frame) access by CPU `cpu`.
    AccessResult read_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                    AccessMode mode = AccessMode::Normal);
    AccessResult write_cpu_interface(unsigned cpu, std::uint32_t offset, unsigned size,
                                     std::uint64_t value, AccessMode mode = AccessMode::Normal);

    /// Input lines. Throw std::out_of_range for a CPU or INTID that does not exist.
    void set_ppi_level(unsigned cpu, std::uint32_t intid, bool level);
    void set_spi_level(std::uint32_t intid, bool level);

    /// Current level of an output line.
    bool line(unsigned cpu, Line line) const;
    /// Receives every later line change (nullptr to detach). Not owned.
    void set_observer(LineObserver* observer) { observer_ = observer; }

    const GicConfig& config() const { return config_; }
    Diagnostics& diagnostics() { return diag_; }
    const Diagnostics& diagnostics() const { return diag_; }
    const Distributor& distributor() const { return dist_; }
    const CpuInterface& cpu_interface(unsigned cpu) const { return *cpus_.at(cpu); }

private:
    class DistributorPort;

    void check_cpu(unsigned cpu, const char* what) const;
    /// Recomputes the output lines of `cpu` and of every CPU the distributor marked dirty,
    /// and tells the observer about each change.
    void settle(unsigned cpu);
    void settle_dirty();
    void update_lines(unsigned cpu);

    GicConfig config_;
    Diagnostics diag_;
    Distributor dist_;
    std::vector<std::unique_ptr<DistributorPort>> ports_;
    std::vector<std::unique_ptr<CpuInterface>> cpus_;
    std::vector<LineLevels> levels_;
    LineObserver* observer_ = nullptr;
};

} // namespace vgic
