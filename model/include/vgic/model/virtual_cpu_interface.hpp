// SPDX-License-Identifier: Apache-2.0
// The virtualization extensions of one CPU interface: the list registers, the hypervisor's
// control interface and the guest's virtual CPU interface, with the maintenance interrupt
// condition. GICv2 (IHI 0048B chapter 5): the GICH and GICV frames. GICv3 (IHI 0069
// chapter 6 and 12.4): the ICH_*_EL2 and ICV_*_EL1 system registers.
//
// The virtual CPU interface is a CpuInterface (the same priority, preemption and EOI code as
// the physical one) whose candidates come from the list registers: this class is its
// CandidateSource. The list registers are kept in their architectural layout (GICv2 values
// zero-extended to 64 bits) and read through ListRegister (list_register.hpp), so every
// rule below is written once for both versions. Per-LR summary masks (valid, pending,
// EOI-owed, empty) are kept up to date on every LR change so MISR, EISR, ELRSR and the
// maintenance level cost O(1), and the best pending LR is found by visiting only pending LRs.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/access.hpp"
#include "vgic/model/candidate.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/cpu_interface.hpp"
#include "vgic/model/list_register.hpp"
#include "vgic/model/register_frame.hpp"
#include "vgic/model/state.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

namespace vgic {

/// Everything a hypervisor saves and restores of one virtual CPU interface on a vCPU switch
/// (KVM: VMCR, APR(s), LRs; Xen also HCR). A plain value: copy it, compare it, store it.
/// Registers in the layout of the interface's version: GICH_HCR/VMCR/APR/LRn (GICv2), or
/// ICH_HCR_EL2/VMCR_EL2/AP0R<n>/AP1R<n>/LR<n> (GICv3).
struct VGIC_MODEL_API VcpuInterfaceState {
    std::uint32_t hcr = 0;
    std::uint32_t vmcr = 0;
    std::uint32_t apr = 0;                ///< GICv2 GICH_APR (0 with GICv3)
    std::vector<std::uint64_t> lrs;       ///< GICv2: the 32-bit GICH_LRn, zero-extended
    std::array<std::uint32_t, 4> ap0r{};  ///< GICv3 ICH_AP0R<n>_EL2 (0 with GICv2)
    std::array<std::uint32_t, 4> ap1r{};  ///< GICv3 ICH_AP1R<n>_EL2 (0 with GICv2)
    bool operator==(const VcpuInterfaceState& o) const {
        return hcr == o.hcr && vmcr == o.vmcr && apr == o.apr && lrs == o.lrs && ap0r == o.ap0r && ap1r == o.ap1r;
    }
    bool operator!=(const VcpuInterfaceState& o) const { return !(*this == o); }
};

class VGIC_MODEL_API VirtualCpuInterface final : private CandidateSource {
public:
    /// Called when the guest deactivates a HW=1 list register, with the LR's virtual INTID
    /// and the physical INTID to deactivate ("the GIC deactivates the physical interrupt").
    using PhysicalDeactivate = std::function<void(std::uint32_t virtual_id, std::uint32_t physical_id)>;

    /// `config` is validated for `version` (throws ConfigError).
    VirtualCpuInterface(unsigned cpu, const VirtConfig& config, Diagnostics& diag,
                        PhysicalDeactivate on_physical_deactivate = {}, GicVersion version = GicVersion::V2);
    VirtualCpuInterface(const VirtualCpuInterface&) = delete;
    VirtualCpuInterface& operator=(const VirtualCpuInterface&) = delete;

    /// Architectural reset, as constructed: GICH_HCR / ICH_HCR_EL2 0 (disabled, EOICount 0),
    /// every list register 0 (invalid: ELRSR all free, EISR and MISR 0, maintenance low),
    /// and the GICV / ICV_ interface reset (CpuInterface::reset: GICH_VMCR and the active
    /// priorities as constructed). The physical-deactivate callback, the diagnostics and the
    /// interrupt observer stay attached. virtual_lines() and maintenance() are low afterwards;
    /// the owner reports the lines that fell.
    void reset();

    /// Reports the guest's acknowledgements, priority drops and deactivations at this
    /// interface (nullptr: none).
    void set_interrupt_observer(InterruptObserver* observer) { gicv_.set_interrupt_observer(observer); }

    /// GICH frame ("this CPU" layout, 4 KiB; registers in 0x000-0x1FF). GICv3: bad access.
    AccessResult read_control(std::uint32_t offset, unsigned size, AccessMode mode = AccessMode::Normal);
    AccessResult write_control(std::uint32_t offset, unsigned size, std::uint64_t value,
                               AccessMode mode = AccessMode::Normal);
    /// GICV frame (GICC layout, 8 KiB, DIR at 0x1000). GICv3: bad access.
    AccessResult read_vcpu(std::uint32_t offset, unsigned size, AccessMode mode = AccessMode::Normal);
    AccessResult write_vcpu(std::uint32_t offset, unsigned size, std::uint64_t value,
                            AccessMode mode = AccessMode::Normal);

    /// GICv3 ICH_*_EL2 by MRS/MSR encoding (gicv3::sysreg): HCR, VTR, VMCR, MISR, EISR,
    /// ELRSR, AP0R<n>/AP1R<n> (n < 2^preemption_bits / 32), LR<n> (n < num_list_regs).
    /// Other encodings, absent AP/LR registers (UNDEFINED), writes to VTR/MISR/EISR/ELRSR
    /// are bad accesses (frame "ICH", offset = encoding). GICv2: every access is one.
    AccessResult read_hyp_sysreg(std::uint32_t encoding, AccessMode mode = AccessMode::Normal);
    AccessResult write_hyp_sysreg(std::uint32_t encoding, std::uint64_t value, AccessMode mode = AccessMode::Normal);
    /// GICv3 ICV_*_EL1 (an EL1 ICC_ access that HCR_EL2.IMO/FMO route here): the virtual
    /// CpuInterface's read_sysreg / write_sysreg.
    AccessResult read_vcpu_sysreg(std::uint32_t encoding, AccessMode mode = AccessMode::Normal) {
        return gicv_.read_sysreg(encoding, mode);
    }
    AccessResult write_vcpu_sysreg(std::uint32_t encoding, std::uint64_t value, AccessMode mode = AccessMode::Normal) {
        return gicv_.write_sysreg(encoding, value, mode);
    }

    /// vIRQ / vFIQ as the GICV rules decide them (nothing while GICH_HCR.En=0).
    LineLevels virtual_lines() const { return gicv_.lines(); }
    /// Maintenance interrupt level: HCR.En and any MISR condition (IHI 0048B 5.3.?, IHI
    /// 0069 ICH_MISR_EL2); 0/1 only.
    bool maintenance() const;

    // ---- register values and direct control (the LR engine, snapshots, tests) ------------
    GicVersion version() const { return version_; }
    /// GICH_HCR / ICH_HCR_EL2 (same bit positions for everything both have).
    std::uint32_t hcr() const { return hcr_; }
    /// GICH_VTR / ICH_VTR_EL2.
    std::uint32_t vtr() const;
    /// GICH_VMCR / ICH_VMCR_EL2 (different layouts).
    std::uint32_t vmcr() const;
    /// GICH_MISR / ICH_MISR_EL2 (same bits).
    std::uint32_t misr() const;
    /// EISR / ELRSR as 64-bit masks (bit n = LR n).
    std::uint64_t eisr() const { return eisr_mask_; }
    std::uint64_t elrsr() const { return elrsr_mask_; }
    /// GICv2 GICH_APR.
    std::uint32_t apr() const { return gicv_.apr(0, 0); }
    /// GICv3 ICH_AP0R<n>_EL2 / ICH_AP1R<n>_EL2 (n 0..3; words beyond the levels read 0).
    std::uint32_t ap0r(unsigned n) const { return gicv_.apr(0, n); }
    std::uint32_t ap1r(unsigned n) const { return gicv_.apr(1, n); }
    /// List register `index` in its architectural layout (GICv2: zero-extended).
    std::uint64_t lr(unsigned index) const { return lrs_.at(index); }
    ListRegister list_register(unsigned index) const { return ListRegister::decode(version_, lrs_.at(index)); }
    unsigned num_list_regs() const { return static_cast<unsigned>(lrs_.size()); }
    std::uint64_t pending_lrs() const { return pending_mask_; }
    std::uint64_t valid_lrs() const { return valid_mask_; }
    unsigned eoi_count() const;

    /// The same effects as the GICH / ICH register writes.
    void set_hcr(std::uint32_t value);
    void set_vmcr(std::uint32_t value);
    void set_apr(std::uint32_t value) { gicv_.set_apr(0, 0, value); }
    void set_ap0r(unsigned n, std::uint32_t value) { gicv_.set_apr(0, n, value); }
    void set_ap1r(unsigned n, std::uint32_t value) { gicv_.set_apr(1, n, value); }
    /// RES0 bits are dropped; an index beyond num_list_regs is ignored.
    void set_lr(unsigned index, std::uint64_t value);
    void set_list_register(unsigned index, const ListRegister& lr) { set_lr(index, lr.encode(version_)); }

    VcpuInterfaceState save() const;
    /// Throws std::invalid_argument (and changes nothing) if the state has a different
    /// number of list registers.
    void restore(const VcpuInterfaceState& state);

    // ---- state export / import (snapshots, see state.hpp) -------------------------------
    // Unlike restore(), which takes values the way register writes do (RES0 bits dropped,
    // binary points clamped), import takes only values the registers can hold.

    using State = VcpuInterfaceState;
    State export_state() const { return save(); }
    /// Paths: "/hcr", "/vmcr", "/apr", "/ap0r/<n>", "/ap1r/<n>", "/lrs", "/lrs/<n>".
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

    static std::vector<RegisterDesc<VirtualCpuInterface>> gich_table(GicVersion version);
    int find_lr(std::uint32_t intid, bool active_only) const;
    std::uint64_t sanitize_lr(std::uint64_t value) const;
    void store_lr(unsigned index, std::uint64_t value);
    void count_eoi();
    void guest_error(const char* reg, const char* detail, std::uint64_t value);
    bool is_v3() const { return version_ == GicVersion::V3; }
    std::uint32_t hcr_writable() const;
    std::uint32_t vmcr_fields() const;
    AccessResult hyp_bad_access(std::uint32_t encoding, const char* reg, const char* detail, bool is_write,
                                std::uint64_t value, BadAccessKind kind);

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
    GicVersion version_;
    VirtConfig config_;
    Diagnostics& diag_;
    PhysicalDeactivate on_physical_deactivate_;
    RegisterFrame<VirtualCpuInterface> frame_;
    CpuInterface gicv_;
    std::uint32_t hcr_ = 0;
    std::uint64_t lr_priority_mask_;  // the implemented LR.Priority bits, in place
    std::vector<std::uint64_t> lrs_;
    std::uint64_t valid_mask_ = 0;    // State != invalid
    std::uint64_t pending_mask_ = 0;  // State == pending (not pending+active)
    std::uint64_t eisr_mask_ = 0;     // State invalid, HW=0, EOI=1: EOI maintenance owed
    std::uint64_t elrsr_mask_;        // State invalid and (HW=1 or EOI=0): free
};

} // namespace vgic
