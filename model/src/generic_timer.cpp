// SPDX-License-Identifier: Apache-2.0
#include "vgic/model/generic_timer.hpp"

#include <limits>

namespace vgic {

using namespace timer_regs;

namespace {
using u128 = unsigned __int128;
constexpr std::uint64_t kPsPerSecond = 1'000'000'000'000ull;
constexpr std::uint64_t kCtlWritable = CTL_ENABLE::mask | CTL_IMASK::mask;
} // namespace

void TimerConfig::validate() const {
    if (frequency_hz < 1 || frequency_hz > kMaxCounterFrequencyHz)
        throw ConfigError(config_error_message("TimerConfig.frequency_hz", static_cast<long long>(frequency_hz),
                                               "1..4000000000"));
    if (virtual_intid < 16 || virtual_intid > 31)
        throw ConfigError(config_error_message("TimerConfig.virtual_intid", virtual_intid, "16..31 (a PPI)"));
    if (physical_intid < 16 || physical_intid > 31 || physical_intid == virtual_intid)
        throw ConfigError(config_error_message("TimerConfig.physical_intid", physical_intid,
                                               "16..31 (a PPI), different from virtual_intid"));
}

std::uint64_t counter_at(std::uint64_t time_ps, std::uint64_t frequency_hz) {
    return static_cast<std::uint64_t>(static_cast<u128>(time_ps) * frequency_hz / kPsPerSecond);
}

std::uint64_t time_of_count(std::uint64_t count, std::uint64_t frequency_hz) {
    const u128 t = (static_cast<u128>(count) * kPsPerSecond + frequency_hz - 1) / frequency_hz;
    return t > std::numeric_limits<std::uint64_t>::max() ? std::numeric_limits<std::uint64_t>::max()
                                                         : static_cast<std::uint64_t>(t);
}

void GenericTimer::reset() { state_ = State{}; }

const char* timer_register_name(std::uint32_t encoding) {
    switch (encoding) {
    case CNTFRQ_EL0: return "CNTFRQ_EL0";
    case CNTPCT_EL0: return "CNTPCT_EL0";
    case CNTVCT_EL0: return "CNTVCT_EL0";
    case CNTP_TVAL_EL0: return "CNTP_TVAL_EL0";
    case CNTP_CTL_EL0: return "CNTP_CTL_EL0";
    case CNTP_CVAL_EL0: return "CNTP_CVAL_EL0";
    case CNTV_TVAL_EL0: return "CNTV_TVAL_EL0";
    case CNTV_CTL_EL0: return "CNTV_CTL_EL0";
    case CNTV_CVAL_EL0: return "CNTV_CVAL_EL0";
    case CNTVOFF_EL2: return "CNTVOFF_EL2";
    default: return nullptr;
    }
}

GenericTimer::GenericTimer(unsigned cpu, const TimerConfig& config, Diagnostics& diag)
    : cpu_(cpu), config_((config.validate(), config)), diag_(diag) {}

bool GenericTimer::istatus(Which which, std::uint64_t cntpct) const {
    // D12.2.4: the condition is met when CVAL <= count; ISTATUS reports it while enabled.
    return CTL_ENABLE::test(state_.ctl[which]) && count(which, cntpct) >= state_.cval[which];
}

bool GenericTimer::output(Which which, std::uint64_t cntpct) const {
    return istatus(which, cntpct) && !CTL_IMASK::test(state_.ctl[which]);
}

std::optional<std::uint64_t> GenericTimer::next_rise(Which which, std::uint64_t cntpct) const {
    const std::uint64_t ctl = state_.ctl[which];
    if (!CTL_ENABLE::test(ctl) || CTL_IMASK::test(ctl)) return std::nullopt;
    if (output(which, cntpct)) return cntpct;
    // Not met now, so CVAL > count(which): the condition holds after `delta` more ticks of
    // the physical count (the virtual count advances with it, whatever CNTVOFF is: a
    // "negative" offset, a virtual count ahead of the physical one, is how KVM restores a
    // guest). Only a rise beyond the 64-bit physical count is never.
    const std::uint64_t delta = state_.cval[which] - count(which, cntpct);
    if (delta > std::numeric_limits<std::uint64_t>::max() - cntpct) return std::nullopt;
    return cntpct + delta;
}

AccessResult GenericTimer::bad(std::uint32_t encoding, bool is_write, std::uint64_t value, BadAccessKind kind,
                               const char* detail) {
    const BadAccess b =
        BadAccess::make("SYSREG", timer_register_name(encoding), detail, cpu_, encoding, 8, is_write, value, kind);
    return {0, diag_.bad_access(b), kind};
}

AccessResult GenericTimer::read(std::uint32_t encoding, std::uint64_t cntpct, AccessMode) {
    switch (encoding) {
    case CNTFRQ_EL0: return {config_.frequency_hz};
    case CNTPCT_EL0: return {cntpct};
    case CNTVCT_EL0: return {virtual_count(cntpct)};
    case CNTVOFF_EL2: return {state_.cntvoff};
    case CNTP_CTL_EL0:
    case CNTV_CTL_EL0: {
        const Which w = encoding == CNTV_CTL_EL0 ? Virtual : Physical;
        return {state_.ctl[w] | CTL_ISTATUS::make(istatus(w, cntpct))};
    }
    case CNTP_CVAL_EL0: return {state_.cval[Physical]};
    case CNTV_CVAL_EL0: return {state_.cval[Virtual]};
    case CNTP_TVAL_EL0:
    case CNTV_TVAL_EL0: {
        // D13.8: TimerValue = (CVAL - count)[31:0], a signed 32-bit value (negative once the
        // condition is met); bits [63:32] RES0.
        const Which w = encoding == CNTV_TVAL_EL0 ? Virtual : Physical;
        return {static_cast<std::uint32_t>(state_.cval[w] - count(w, cntpct))};
    }
    default:
        return bad(encoding, false, 0, BadAccessKind::Reserved, "system register not modelled");
    }
}

AccessResult GenericTimer::write(std::uint32_t encoding, std::uint64_t value, std::uint64_t cntpct, AccessMode) {
    switch (encoding) {
    case CNTP_CTL_EL0: state_.ctl[Physical] = value & kCtlWritable; return {};
    case CNTV_CTL_EL0: state_.ctl[Virtual] = value & kCtlWritable; return {};
    case CNTP_CVAL_EL0: state_.cval[Physical] = value; return {};
    case CNTV_CVAL_EL0: state_.cval[Virtual] = value; return {};
    case CNTP_TVAL_EL0:
    case CNTV_TVAL_EL0: {
        // D13.8: CVAL = count + SignExtend(TimerValue[31:0]).
        const Which w = encoding == CNTV_TVAL_EL0 ? Virtual : Physical;
        const auto delta = static_cast<std::int64_t>(static_cast<std::int32_t>(static_cast<std::uint32_t>(value)));
        state_.cval[w] = count(w, cntpct) + static_cast<std::uint64_t>(delta);
        return {};
    }
    case CNTVOFF_EL2: state_.cntvoff = value; return {};
    case CNTFRQ_EL0:
    case CNTPCT_EL0:
    case CNTVCT_EL0:
        return bad(encoding, true, value, BadAccessKind::WriteToReadOnly, "read-only counter register");
    default:
        return bad(encoding, true, value, BadAccessKind::Reserved, "system register not modelled");
    }
}

} // namespace vgic
