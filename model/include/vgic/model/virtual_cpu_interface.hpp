// The virtualization extensions of one CPU interface (IHI 0048B chapter 5): the list
// registers, the hypervisor's control frame GICH, the guest's virtual CPU interface GICV and
// the maintenance interrupt condition.
//
// GICV is a CpuInterface (the same priority, preemption and EOI code as GICC) whose
// candidates come from the list registers: this class is its CandidateSource. Per-LR
// summary masks (valid, pending, EOI-owed, empty) are kept up to date on every LR change so
// MISR, EISR, ELRSR and the maintenance level cost O(1), and the best pending LR is found
// by visiting only pending LRs.
#pragma once

#include "vgic/model/access.hpp"
#include "vgic/model/candidate.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/cpu_interface.hpp"
#include "vgic/model/register_frame.hpp"
#include "vgic/model/state.hpp"

#include <cstdint>
#include <functional>
#include <vector>

namespace vgic {

/// Everything a hypervisor saves and restores of one virtual CPU interface on a vCPU switch
/// (KVM: VMCR, APR, LRs; Xen also HCR). A plain value: copy it, compare it, store it.
struct VcpuInterfaceState {
    std::uint32_t hcr = 0;
    std::uint32_t vmcr = 0;
    std::uint32_t apr = 0;
    std::vector<std::uint32_t> lrs;
    bool operator==(const VcpuInterfaceState& o) const {
        return hcr == o.hcr && vmcr == o.vmcr && apr == o.apr && lrs == o.lrs;
    }
    bool operator!=(const VcpuInterfaceState& o) const { return !(*this == o); }
};

class VirtualCpuInterface final : private CandidateSource {
public:
    /// Called when the guest deactivates a HW=1 list register, with the LR's virtual INTID
    /// and the physical INTID to deactivate ("the GIC deactivates the physical interrupt").
    using PhysicalDeactivate = std::function<void(std::uint32_t virtual_id, std::uint32_t physical_id)>;

    VirtualCpuInterface(unsigned cpu, const VirtConfig& config, Diagnostics& diag,
                        PhysicalDeactivate on_physical_deactivate = {});
    VirtualCpuInterface(const VirtualCpuInterface&) = delete;
    VirtualCpuInterface& operator=(const VirtualCpuInterface&) = delete;

    /// GICH frame ("this CPU" layout, 4 KiB; registers in 0x000-0x1FF).
    AccessResult read_control(std::uint32_t offset, unsigned size, AccessMode mode = AccessMode::Normal);
    AccessResult write_control(std::uint32_t offset, unsigned size, std::uint64_t value,
                               AccessMode mode = AccessMode::Normal);
    /// GICV frame (GICC layout, 8 KiB, DIR at 0x1000).
    AccessResult read_vcpu(std::uint32_t offset, unsigned size, AccessMode mode = AccessMode::Normal);
    AccessResult write_vcpu(std::uint32_t offset, unsigned size, std::uint64_t value,
                            AccessMode mode = AccessMode::Normal);

    /// vIRQ / vFIQ as the GICV rules decide them (nothing while GICH_HCR.En=0).
    LineLevels virtual_lines() const { return gicv_.lines(); }
    /// Maintenance interrupt level: GICH_HCR.En and any MISR condition (5.3.?); 0/1 only.
    bool maintenance() const;

    // ---- register values and direct control (the LR engine, snapshots, tests) ------------
    std::uint32_t hcr() const { return hcr_; }
    std::uint32_t vtr() const;
    std::uint32_t vmcr() const;
    std::uint32_t misr() const;
    /// EISR / ELRSR as 64-bit masks (bit n = LR n).
    std::uint64_t eisr() const { return eisr_mask_; }
    std::uint64_t elrsr() const { return elrsr_mask_; }
    std::uint32_t apr() const { return gicv_.apr(0, 0); }
    std::uint32_t lr(unsigned index) const { return lrs_.at(index); }
    unsigned num_list_regs() const { return static_cast<unsigned>(lrs_.size()); }
    std::uint64_t pending_lrs() const { return pending_mask_; }
    std::uint64_t valid_lrs() const { return valid_mask_; }
    unsigned eoi_count() const;

    /// The same effects as the GICH register writes.
    void set_hcr(std::uint32_t value);
    void set_vmcr(std::uint32_t value);
    void set_apr(std::uint32_t value) { gicv_.set_apr(0, 0, value); }
    void set_lr(unsigned index, std::uint32_t value);

    VcpuInterfaceState save() const;
    /// Throws std::invalid_argument (and changes nothing) if the state has a different
    /// number of list registers.
    void restore(const VcpuInterfaceState& state);

    // ---- state export / import (snapshots, see state.hpp) -------------------------------
    // Unlike restore(), which takes values the way register writes do (RES0 bits dropped,
    // binary points clamped), import takes only values the registers can hold.

    using State = VcpuInterfaceState;
    State export_state() const { return save(); }
    /// Paths: "/hcr", "/vmcr", "/apr", "/lrs", "/lrs/<n>".
    StateCheck check_state(const State& state) const;
    /// Throws StateError (nothing changes) if check_state() refuses.
    void import_state(const State& state);

    const CpuInterface& gicv() const { return gicv_; }
    unsigned cpu() const { return cpu_; }

private:
    // CandidateSource: the list registers seen by GICV.
    Candidate highest_pending(unsigned group_mask) const override;
    bool acknowledge(const Candidate& c) override;
    bool deactivate(std::uint32_t intid, unsigned source_cpu) override;
    bool is_active(std::uint32_t intid) const override;
    unsigned group_of(std::uint32_t intid) const override;

    int find_lr(std::uint32_t intid, bool active_only) const;
    std::uint32_t sanitize_lr(std::uint32_t value) const;
    void store_lr(unsigned index, std::uint32_t value);
    void count_eoi();
    void guest_error(const char* reg, const char* detail, std::uint64_t value);

    // GICH handlers (IHI 0048B 5.3).
    std::uint32_t rd_hcr(unsigned, std::uint32_t, AccessMode);
    void wr_hcr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_vtr(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_vmcr(unsigned, std::uint32_t, AccessMode);
    void wr_vmcr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_misr(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_eisr(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_elrsr(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_apr(unsigned, std::uint32_t, AccessMode);
    void wr_apr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_lr(unsigned, std::uint32_t, AccessMode);
    void wr_lr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);

    unsigned cpu_;
    VirtConfig config_;
    Diagnostics& diag_;
    PhysicalDeactivate on_physical_deactivate_;
    RegisterFrame<VirtualCpuInterface> frame_;
    CpuInterface gicv_;
    std::uint32_t hcr_ = 0;
    std::uint32_t lr_priority_mask_;
    std::vector<std::uint32_t> lrs_;
    std::uint64_t valid_mask_ = 0;    // State != invalid
    std::uint64_t pending_mask_ = 0;  // State == pending (not pending+active)
    std::uint64_t eisr_mask_ = 0;     // State invalid, HW=0, EOI=1: EOI maintenance owed
    std::uint64_t elrsr_mask_;        // State invalid and (HW=1 or EOI=0): free
};

} // namespace vgic
