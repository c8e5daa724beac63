// SPDX-License-Identifier: Apache-2.0
// A GIC CPU interface over any CandidateSource: the GICv2 memory-mapped GICC/GICV frame
// (IHI 0048B 4.4, 5.6) or the GICv3 ICC_/ICV_ system registers (IHI 0069 12.2, 12.3).
//
// This one class holds the priority mask, binary points, active priorities, acknowledge and
// end-of-interrupt rules for both versions and both kinds. The physical interface reads
// candidates from the distributor; the virtual interface reads them from the list registers
// with the same code, as the architecture defines GICV / ICV_ to behave like GICC / ICC_.
// What differs is only the register encoding (frame offsets vs system-register encodings,
// CTLR layouts, IAR/AIAR vs IAR0/IAR1) and where the architecture says so: GICv2's virtual
// interface has one active-priority register for both groups, GICv3's has ICH_AP0R/AP1R.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/observer.hpp"

#include "vgic/model/access.hpp"
#include "vgic/model/candidate.hpp"
#include "vgic/model/config.hpp"
#include "vgic/model/register_frame.hpp"
#include "vgic/model/state.hpp"

#include <array>
#include <cstdint>
#include <vector>

namespace vgic {

/// Physical (GICC) or virtual (GICV) flavour of the same rules.
enum class CpuInterfaceKind : std::uint8_t { Physical, Virtual };

struct VGIC_MODEL_API CpuInterfaceParams {
    CpuInterfaceKind kind = CpuInterfaceKind::Physical;
    /// V2: the memory-mapped frame (read/write); V3: the system registers (read_sysreg /
    /// write_sysreg). The other access path reports every access as a bad access.
    GicVersion arch = GicVersion::V2;
    /// Diagnostics frame name: "GICC", "GICV", "ICC" or "ICV".
    const char* frame_name = "GICC";
    unsigned priority_bits = 5;    ///< implemented priority bits, 4..8
    unsigned preemption_bits = 5;  ///< preemption levels = 2^this; <= min(priority_bits, 7)
    std::uint32_t iidr = 0x0202143B;  ///< GICC_IIDR / GICV_IIDR (GICv2 only)

    /// GICC: preemption bits follow the priority bits (at most 7: BPR minimum is 0).
    static CpuInterfaceParams physical(unsigned priority_bits, std::uint32_t iidr);
    /// GICV: priority and preemption bits from GICH_VTR.
    static CpuInterfaceParams virtual_interface(unsigned priority_bits, unsigned preemption_bits,
                                                std::uint32_t iidr);
    /// ICC_: priority bits from GicConfig.priority_bits (ICC_CTLR_EL1.PRIbits + 1),
    /// preemption bits min(bits, 7).
    static CpuInterfaceParams physical_v3(unsigned priority_bits);
    /// ICV_: priority and preemption bits from ICH_VTR_EL2 (VirtConfig).
    static CpuInterfaceParams virtual_v3(unsigned priority_bits, unsigned preemption_bits);
};

/// Output line levels of one CPU interface.
struct VGIC_MODEL_API LineLevels {
    bool irq = false;
    bool fiq = false;
    bool operator==(const LineLevels& o) const { return irq == o.irq && fiq == o.fiq; }
    bool operator!=(const LineLevels& o) const { return !(*this == o); }
};

class VGIC_MODEL_API CpuInterface {
public:
    CpuInterface(unsigned cpu, CandidateSource& source, Diagnostics& diag, const CpuInterfaceParams& params);

    /// Architectural reset of this interface's registers (CTLR 0: disabled, PMR 0, BPR and
    /// ABPR at their minimum, every APR/NSAPR word 0), as constructed. The candidate source,
    /// the diagnostics and the interrupt observer stay attached; the source's state is its
    /// owner's to reset. The owner recomputes the output lines (lines() is low afterwards).
    void reset();

    /// GICv2 memory-mapped frame (GICC / GICV). With arch V3: a bad access (no frame).
    AccessResult read(std::uint32_t offset, unsigned size, AccessMode mode = AccessMode::Normal);
    AccessResult write(std::uint32_t offset, unsigned size, std::uint64_t value,
                       AccessMode mode = AccessMode::Normal);

    /// GICv3 EL1 CPU-interface system registers by MRS/MSR encoding (gicv3::sysreg, the
    /// ICC_ names; the ICV_ twin uses the same encodings): PMR, IAR0/1, EOIR0/1, HPPIR0/1,
    /// BPR0/1, AP0R0-3, AP1R0-3 (those the preemption bits implement), DIR, RPR, CTLR,
    /// IGRPEN0/1. SRE and the SGI registers belong to the Gic. An encoding not listed, an
    /// unimplemented AP register (UNDEFINED), a write to IAR/HPPIR/RPR or a read of
    /// EOIR/DIR is a bad access (frame "ICC"/"ICV", offset = encoding). With arch V2: every
    /// access is a bad access.
    AccessResult read_sysreg(std::uint32_t encoding, AccessMode mode = AccessMode::Normal);
    AccessResult write_sysreg(std::uint32_t encoding, std::uint64_t value, AccessMode mode = AccessMode::Normal);

    /// What this interface signals now (IHI 0048B 3.2.2 and 3.3): the highest-priority
    /// pending interrupt of a group enabled here, if its priority is higher than PMR and its
    /// group priority higher than the running priority; Group 0 goes to FIQ when FIQEn=1
    /// (GICv2), always in GICv3 (IHI 0069 4.6: Group 0 is FIQ, Group 1 IRQ with one
    /// Security state).
    LineLevels lines() const;

    /// Running priority: the priority of the highest active preemption level, 0xFF if idle.
    std::uint8_t running_priority() const;
    /// Group priority of `priority` for `group` under the current BPR/ABPR/CBPR (3.3.3).
    std::uint8_t group_priority(std::uint8_t priority, unsigned group) const;

    /// The control bits in the GICv2 GICC_CTLR (no Security Extensions) layout, whatever the
    /// version: EnableGrp0/1 (GICv3: ICC_IGRPEN0/1, ICH_VMCR.VENG0/1), CBPR, EOImode
    /// (GICv2 bit 9; GICv3 ICC_CTLR_EL1.EOImode, ICH_VMCR.VEOIM), GICv2 also AckCtl,
    /// FIQEn and the bypass disables.
    std::uint32_t ctlr() const { return ctlr_; }
    std::uint8_t pmr() const { return pmr_; }
    std::uint8_t bpr() const { return bpr_; }
    std::uint8_t abpr() const { return abpr_; }
    unsigned min_bpr() const { return 7 - preemption_bits_; }
    unsigned preemption_bits() const { return preemption_bits_; }
    /// Active-priority word `n` of `group` (GICC_APRn / ICC_AP0Rn for group 0, GICC_NSAPRn /
    /// ICC_AP1Rn for group 1). The GICv2 virtual interface has one set for both groups,
    /// reported as group 0; the GICv3 one has ICH_AP0Rn and ICH_AP1Rn.
    std::uint32_t apr(unsigned group, unsigned n) const { return apr_[group][n]; }
    /// GICv3: how many ICC_AP0R<n>/AP1R<n> exist: 2^preemption_bits / 32, at least 1.
    unsigned num_apr_words() const { return preemption_bits_ <= 5 ? 1u : 1u << (preemption_bits_ - 5); }
    /// The binary point Group 1 uses as ICC_BPR1 reads it: BPR0 + 1 saturated at 7 when CBPR=1.
    std::uint8_t bpr1_view() const;
    unsigned cpu() const { return cpu_; }
    GicVersion arch() const { return params_.arch; }

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

    /// Reports acknowledgements, priority drops and deactivations (nullptr: none).
    void set_interrupt_observer(InterruptObserver* observer) { events_ = observer; }

private:
    void report(InterruptEvent event, std::uint32_t intid) {
        if (events_ != nullptr) events_->interrupt_event(event, cpu_, is_virtual(), intid);
    }
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
    /// GICv2 IAR/AIAR: acknowledge the signalled interrupt (alias: Group 1 only).
    std::uint32_t acknowledge(bool alias, AccessMode mode);
    /// GICv3 IAR0/IAR1: acknowledge the signalled interrupt if it is of `group`.
    std::uint32_t acknowledge_group(unsigned group, AccessMode mode);
    /// Activation shared by both: the source's pending -> active, and the active-priority bit.
    void activate(const Candidate& c, AccessMode mode);
    static std::vector<RegisterDesc<CpuInterface>> register_table(const CpuInterfaceParams& params);
    bool is_virtual() const { return params_.kind == CpuInterfaceKind::Virtual; }
    bool is_v3() const { return params_.arch == GicVersion::V3; }
    /// The active-priority set an interrupt of `group` uses: GICv2's virtual interface has
    /// only one (GICH_APR / GICV_APR0), everything else one per group.
    unsigned apr_group(unsigned group) const { return (is_virtual() && !is_v3()) ? 0u : group; }
    /// EOIR/AEOIR/EOIR0/EOIR1: priority drop, and deactivation when EOImode=0.
    /// `reg_group`: -1 GICC_EOIR (any group), 1 GICC_AEOIR, 0/1 ICC_EOIR0/1.
    void end_of_interrupt(std::uint32_t intid, unsigned source_cpu, int reg_group, std::uint64_t value,
                          std::uint32_t offset, const char* reg);
    /// DIR (both versions).
    void deactivate_direct(std::uint32_t intid, unsigned source_cpu, std::uint64_t value, std::uint32_t offset,
                           const char* reg);
    /// Clears the highest active priority, in `group` if both groups hold it; false if none.
    bool drop_priority(unsigned group);
    std::uint32_t hppir(bool alias) const;
    std::uint32_t hppir_group(unsigned group) const;
    unsigned preemption_level(std::uint8_t group_prio) const { return group_prio >> (8 - preemption_bits_); }
    std::uint32_t apr_word_mask(unsigned n) const;
    void guest_error(std::uint32_t offset, const char* reg, const char* detail, std::uint64_t value);
    static std::uint32_t iar_value(const Candidate& c);
    AccessResult sysreg_bad_access(std::uint32_t encoding, const char* reg, const char* detail, bool is_write,
                                   std::uint64_t value, BadAccessKind kind);
    std::uint64_t ctlr_v3() const;

    unsigned cpu_;
    InterruptObserver* events_ = nullptr;
    CandidateSource& source_;
    Diagnostics& diag_;
    CpuInterfaceParams params_;
    RegisterFrame<CpuInterface> frame_;
    unsigned preemption_bits_;  // min(priority_bits, 7): active-priority levels are 2^this
    std::uint8_t priority_mask_;
    std::uint32_t ctlr_writable_;
    std::uint32_t ctlr_ = 0;
    std::uint8_t pmr_ = 0;
    std::uint8_t bpr_ = 0;   // set by reset()
    std::uint8_t abpr_ = 0;
    std::array<std::array<std::uint32_t, 4>, 2> apr_{};  // [group][word]
};

} // namespace vgic
