// SPDX-License-Identifier: Apache-2.0
// The Arm generic timer of one (v)CPU as its system registers see it (Arm DDI 0487, chapter
// D12 "The Generic Timer in AArch64 state"): the EL1 physical timer (CNTP_*), the virtual timer
// (CNTV_*) and the virtual offset CNTVOFF_EL2. Plain arithmetic: the caller hands in the
// physical count (CNTPCT) at the moment of each access, derived exactly from simulated time by
// counter_at(); next_event() says when an output will next rise, so the TLM layer schedules
// one event instead of polling.
#pragma once

#include "vgic/model/export.hpp"

#include "vgic/model/access.hpp"
#include "vgic/model/bitfield.hpp"
#include "vgic/model/config.hpp"

#include <cstdint>
#include <optional>

namespace vgic {

/// System-register encodings as in MRS/MSR bits [20:5]: op0:op1:CRn:CRm:op2 packed into 16 bits.
constexpr std::uint32_t sysreg_encoding(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2) {
    return (op0 << 14) | (op1 << 11) | (crn << 7) | (crm << 3) | op2;
}

namespace timer_regs {
constexpr std::uint32_t CNTFRQ_EL0 = sysreg_encoding(3, 3, 14, 0, 0);
constexpr std::uint32_t CNTPCT_EL0 = sysreg_encoding(3, 3, 14, 0, 1);
constexpr std::uint32_t CNTVCT_EL0 = sysreg_encoding(3, 3, 14, 0, 2);
constexpr std::uint32_t CNTP_TVAL_EL0 = sysreg_encoding(3, 3, 14, 2, 0);
constexpr std::uint32_t CNTP_CTL_EL0 = sysreg_encoding(3, 3, 14, 2, 1);
constexpr std::uint32_t CNTP_CVAL_EL0 = sysreg_encoding(3, 3, 14, 2, 2);
constexpr std::uint32_t CNTV_TVAL_EL0 = sysreg_encoding(3, 3, 14, 3, 0);
constexpr std::uint32_t CNTV_CTL_EL0 = sysreg_encoding(3, 3, 14, 3, 1);
constexpr std::uint32_t CNTV_CVAL_EL0 = sysreg_encoding(3, 3, 14, 3, 2);
constexpr std::uint32_t CNTVOFF_EL2 = sysreg_encoding(3, 4, 14, 0, 3);

/// CNTx_CTL_EL0 (D13.8): ISTATUS is read-only.
using CTL_ENABLE = Flag<0, std::uint64_t>;
using CTL_IMASK = Flag<1, std::uint64_t>;
using CTL_ISTATUS = Flag<2, std::uint64_t>;
} // namespace timer_regs

/// The highest counter frequency the model accepts (TimerConfig::frequency_hz): CNTFRQ_EL0 is
/// 32 bits wide (at most 4,294,967,295 Hz); the model keeps to a round 4 GHz.
inline constexpr std::uint64_t kMaxCounterFrequencyHz = 4'000'000'000;

struct VGIC_MODEL_API TimerConfig {
    /// Counter frequency, CNTFRQ_EL0 (Hz), 1 Hz..4 GHz (kMaxCounterFrequencyHz); Arm
    /// recommends 1-50 MHz for v8.0, requires 1 GHz from v8.6; Linux warns below 1 MHz.
    /// Default 100 MHz.
    std::uint64_t frequency_hz = 100'000'000;
    /// PPI of the EL1 virtual timer (Linux DT: PPI 11 -> INTID 27).
    std::uint32_t virtual_intid = 27;
    /// PPI of the EL1 physical timer (Linux DT: PPI 14 -> INTID 30).
    std::uint32_t physical_intid = 30;
    /// Throws ConfigError naming the field.
    void validate() const;
};

/// Exact conversions between simulated time (ps) and counter ticks.
/// CNTPCT at time t: floor(t * f / 1e12).
VGIC_MODEL_API std::uint64_t counter_at(std::uint64_t time_ps, std::uint64_t frequency_hz);
/// The first time (ps) at which CNTPCT >= count: ceil(count * 1e12 / f), saturating.
VGIC_MODEL_API std::uint64_t time_of_count(std::uint64_t count, std::uint64_t frequency_hz);

class VGIC_MODEL_API GenericTimer {
public:
    enum Which : unsigned { Physical = 0, Virtual = 1 };

    struct State {
        std::uint64_t ctl[2] = {0, 0};   ///< ENABLE and IMASK of [Physical], [Virtual]
        std::uint64_t cval[2] = {0, 0};
        std::uint64_t cntvoff = 0;
        bool operator==(const State& o) const {
            return ctl[0] == o.ctl[0] && ctl[1] == o.ctl[1] && cval[0] == o.cval[0] && cval[1] == o.cval[1] &&
                   cntvoff == o.cntvoff;
        }
    };

    GenericTimer(unsigned cpu, const TimerConfig& config, Diagnostics& diag);

    /// MRS of `encoding` at physical count `cntpct`. Unknown encodings and reads the
    /// architecture does not allow are bad accesses (frame "SYSREG").
    AccessResult read(std::uint32_t encoding, std::uint64_t cntpct, AccessMode mode = AccessMode::Normal);
    /// MSR. Writes to CNTFRQ/CNTPCT/CNTVCT (read-only here) are bad accesses.
    AccessResult write(std::uint32_t encoding, std::uint64_t value, std::uint64_t cntpct,
                       AccessMode mode = AccessMode::Normal);

    /// CNTVCT = CNTPCT - CNTVOFF (D12.1.2).
    std::uint64_t virtual_count(std::uint64_t cntpct) const { return cntpct - state_.cntvoff; }
    /// ISTATUS: ENABLE and count >= CVAL (UNKNOWN when disabled: this model says 0).
    bool istatus(Which which, std::uint64_t cntpct) const;
    /// The interrupt output: ISTATUS and not IMASK (D12.2.4), a level.
    bool output(Which which, std::uint64_t cntpct) const;
    /// The physical count at which `which`'s output rises next, given the registers now:
    /// `cntpct` itself if it is already high, nothing if it cannot rise (disabled, masked,
    /// or the condition is beyond the 64-bit count).
    std::optional<std::uint64_t> next_rise(Which which, std::uint64_t cntpct) const;

    /// Reset of the registers this class holds, as constructed: CNTP_CTL_EL0 and CNTV_CTL_EL0
    /// 0 (ENABLE = 0: no output, IMASK 0), CNTP_CVAL_EL0 / CNTV_CVAL_EL0 0, CNTVOFF_EL2 0
    /// (where DDI 0487 leaves a reset value UNKNOWN the model uses 0, as it constructs).
    /// The counter is handed in by the caller, so nothing else changes; the caller reschedules
    /// (next_rise) and lowers the timer PPIs, whose outputs are low now.
    void reset();
    const State& state() const { return state_; }
    void set_state(const State& s) { state_ = s; }
    const TimerConfig& config() const { return config_; }
    unsigned cpu() const { return cpu_; }
    /// PPI of `which`.
    std::uint32_t intid(Which which) const { return which == Virtual ? config_.virtual_intid : config_.physical_intid; }

private:
    std::uint64_t count(Which which, std::uint64_t cntpct) const {
        return which == Virtual ? virtual_count(cntpct) : cntpct;
    }
    AccessResult bad(std::uint32_t encoding, bool is_write, std::uint64_t value, BadAccessKind kind, const char* detail);

    unsigned cpu_;
    TimerConfig config_;
    Diagnostics& diag_;
    State state_;
};

/// The spec name of a timer register encoding, or nullptr.
VGIC_MODEL_API const char* timer_register_name(std::uint32_t encoding);

} // namespace vgic
