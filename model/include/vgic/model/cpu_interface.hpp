// A GICv2 CPU interface (GICC layout, IHI 0048B 4.4) over any CandidateSource.
//
// This one class holds the priority mask, binary points, active priorities, acknowledge and
// end-of-interrupt rules. The physical interface (GICC) reads candidates from the
// distributor; the virtual interface (GICV, step 2) will read them from the list registers
// with the same code, as the architecture defines GICV to behave like GICC.
#pragma once

#include "vgic/model/access.hpp"
#include "vgic/model/candidate.hpp"
#include "vgic/model/register_frame.hpp"
#include "vgic/model/state.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace vgic {

/// Physical (GICC) or virtual (GICV) flavour of the same rules.
enum class CpuInterfaceKind : std::uint8_t { Physical, Virtual };

struct CpuInterfaceParams {
    CpuInterfaceKind kind = CpuInterfaceKind::Physical;
    const char* frame_name = "GICC";
    unsigned priority_bits = 5;    ///< implemented priority bits, 4..8
    unsigned preemption_bits = 5;  ///< preemption levels = 2^this; <= min(priority_bits, 7)
    std::uint32_t iidr = 0x0202143B;

    /// GICC: preemption bits follow the priority bits (at most 7: BPR minimum is 0).
    static CpuInterfaceParams physical(unsigned priority_bits, std::uint32_t iidr);
    /// GICV: priority and preemption bits from GICH_VTR.
    static CpuInterfaceParams virtual_interface(unsigned priority_bits, unsigned preemption_bits,
                                                std::uint32_t iidr);
};

/// Output line levels of one CPU interface.
struct LineLevels {
    bool irq = false;
    bool fiq = false;
    bool operator==(const LineLevels& o) const { return irq == o.irq && fiq == o.fiq; }
    bool operator!=(const LineLevels& o) const { return !(*this == o); }
};

class CpuInterface {
public:
    CpuInterface(unsigned cpu, CandidateSource& source, Diagnostics& diag, const CpuInterfaceParams& params);

    AccessResult read(std::uint32_t offset, unsigned size, AccessMode mode = AccessMode::Normal);
    AccessResult write(std::uint32_t offset, unsigned size, std::uint64_t value,
                       AccessMode mode = AccessMode::Normal);

    /// What this interface signals now (IHI 0048B 3.2.2 and 3.3): the highest-priority
    /// pending interrupt of a group enabled here, if its priority is higher than PMR and its
    /// group priority higher than the running priority; Group 0 goes to FIQ when FIQEn=1.
    LineLevels lines() const;

    /// Running priority: the priority of the highest active preemption level, 0xFF if idle.
    std::uint8_t running_priority() const;
    /// Group priority of `priority` for `group` under the current BPR/ABPR/CBPR (3.3.3).
    std::uint8_t group_priority(std::uint8_t priority, unsigned group) const;

    std::uint32_t ctlr() const { return ctlr_; }
    std::uint8_t pmr() const { return pmr_; }
    std::uint8_t bpr() const { return bpr_; }
    std::uint8_t abpr() const { return abpr_; }
    unsigned min_bpr() const { return 7 - preemption_bits_; }
    unsigned preemption_bits() const { return preemption_bits_; }
    /// Active-priority word `n` of `group` (GICC_APRn for group 0, GICC_NSAPRn for group 1).
    /// The virtual interface has one set for both groups, reported as group 0.
    std::uint32_t apr(unsigned group, unsigned n) const { return apr_[group][n]; }
    unsigned cpu() const { return cpu_; }

    /// Loads CTLR, PMR, BPR and ABPR with the same masking and clamping as register writes
    /// (the hypervisor's GICH_VMCR view of GICV, and snapshot restore).
    void load_control(std::uint32_t ctlr, std::uint32_t pmr, std::uint32_t bpr, std::uint32_t abpr);
    /// Writes active-priority word `n` of `group` (unimplemented levels RAZ/WI).
    void set_apr(unsigned group, unsigned n, std::uint32_t value);

    // ---- state export / import (snapshots, see state.hpp) -------------------------------

    struct State {
        std::uint32_t ctlr = 0;
        std::uint8_t pmr = 0;
        std::uint8_t bpr = 0;
        std::uint8_t abpr = 0;
        /// [group][word]: GICC_APRn (group 0) and GICC_NSAPRn (group 1). The virtual
        /// interface uses word 0 of group 0 only (GICV_APR0 = GICH_APR).
        std::array<std::array<std::uint32_t, 4>, 2> apr{};
    };
    State export_state() const;
    /// Paths: "/ctlr", "/pmr", "/bpr", "/abpr", "/apr/<n>", "/nsapr/<n>".
    StateCheck check_state(const State& state) const;
    /// Throws StateError (nothing changes) if check_state() refuses.
    void import_state(const State& state);
    /// Whether CTLR, PMR, BPR and ABPR are values this interface can hold (as read back, not
    /// as written: no bits beyond the implemented ones, binary points not below their
    /// minimum). `where` of a problem is the register's mnemonic ("CTLR", "PMR", ...).
    StateCheck check_control(std::uint32_t ctlr, std::uint32_t pmr, std::uint32_t bpr, std::uint32_t abpr) const;
    /// Whether `value` fits active-priority word `n` of `group`; `where` is empty.
    StateCheck check_apr(unsigned group, unsigned n, std::uint32_t value) const;

private:
    std::uint32_t rd_ctlr(unsigned, std::uint32_t, AccessMode);
    void wr_ctlr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_pmr(unsigned, std::uint32_t, AccessMode);
    void wr_pmr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_bpr(unsigned, std::uint32_t, AccessMode);
    void wr_bpr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_abpr(unsigned, std::uint32_t, AccessMode);
    void wr_abpr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_iar(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_aiar(unsigned, std::uint32_t, AccessMode);
    void wr_eoir(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    void wr_aeoir(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_rpr(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_hppir(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_ahppir(unsigned, std::uint32_t, AccessMode);
    std::uint32_t rd_apr(unsigned, std::uint32_t, AccessMode);
    void wr_apr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_nsapr(unsigned, std::uint32_t, AccessMode);
    void wr_nsapr(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);
    std::uint32_t rd_iidr(unsigned, std::uint32_t, AccessMode);
    void wr_dir(unsigned, std::uint32_t, std::uint32_t, std::uint32_t, AccessMode);

    /// Candidate that passes the group enables, PMR and preemption checks, else invalid.
    Candidate signalled() const;
    /// IAR/AIAR: acknowledge the signalled interrupt (alias: Group 1 only).
    std::uint32_t acknowledge(bool alias, AccessMode mode);
    static std::vector<RegisterDesc<CpuInterface>> register_table(const CpuInterfaceParams& params);
    bool is_virtual() const { return params_.kind == CpuInterfaceKind::Virtual; }
    /// EOIR/AEOIR: priority drop, and deactivation when EOImode=0.
    void end_of_interrupt(std::uint32_t value, bool alias, std::uint32_t offset, const char* reg);
    std::uint32_t hppir(bool alias) const;
    unsigned preemption_level(std::uint8_t group_prio) const { return group_prio >> (8 - preemption_bits_); }
    std::uint32_t apr_word_mask(unsigned n) const;
    void guest_error(std::uint32_t offset, const char* reg, const char* detail, std::uint64_t value);
    static std::uint32_t iar_value(const Candidate& c);

    unsigned cpu_;
    CandidateSource& source_;
    Diagnostics& diag_;
    CpuInterfaceParams params_;
    RegisterFrame<CpuInterface> frame_;
    unsigned preemption_bits_;  // min(priority_bits, 7): active-priority levels are 2^this
    std::uint8_t priority_mask_;
    std::uint32_t ctlr_writable_;
    std::uint32_t ctlr_ = 0;
    std::uint8_t pmr_ = 0;
    std::uint8_t bpr_;
    std::uint8_t abpr_;
    std::array<std::array<std::uint32_t, 4>, 2> apr_{};  // [group][word]
};

} // namespace vgic
