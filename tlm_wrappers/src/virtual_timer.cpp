// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/virtual_timer.hpp"

#include "config_report.hpp"
#include "vgic/tlm/time.hpp"

namespace vgic::tlm {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

TimerConfig VirtualTimerBase::checked(const TimerConfig& config) const {
    try {
        config.validate();
    } catch (const ConfigError& e) {
        detail::report_config_error(name(), e);  // as VgicBase's
    }
    return config;
}

VirtualTimerBase::VirtualTimerBase(const sc_core::sc_module_name& name, VgicBase& gic, const TimerConfig& config)
    : sc_module(name),
      cntv_level("cntv_level", gic.params().gic.num_cpus),
      cntp_level("cntp_level", gic.params().gic.num_cpus),
      gic_(gic),
      config_(checked(config)),
      channels_(2 * gic.params().gic.num_cpus),
      descheduled_(gic.params().gic.num_cpus, false) {
    const unsigned n = gic.params().gic.num_cpus;
    for (unsigned cpu = 0; cpu < n; ++cpu) {
        timers_.push_back(std::make_unique<GenericTimer>(cpu, config_, gic.diagnostics()));
        wake_.push_back(std::make_unique<sc_core::sc_event>(sc_core::sc_gen_unique_name("wake")));
        for (unsigned w = 0; w < 2; ++w) {
            sc_core::sc_spawn_options opts;
            opts.spawn_method();
            opts.set_sensitivity(&channels_[cpu * 2 + w].check);
            opts.dont_initialize();
            const auto which = static_cast<GenericTimer::Which>(w);
            sc_core::sc_spawn([this, cpu, which] { evaluate(cpu, which); }, sc_core::sc_gen_unique_name("timer"), &opts);
        }
        if (VmGic* vm = gic.vm_model()) {
            // KVM maps the virtual timer: the guest's deactivation of the HW list register is
            // what lets the physical timer interrupt fire again.
            vm->map_hw(cpu, config_.virtual_intid, config_.virtual_intid);
            sc_core::sc_spawn([this, cpu] { watch_switches(cpu); }, sc_core::sc_gen_unique_name("switches"));
        }
    }
    if (gic.vm_model() != nullptr) {
        gic.on_physical_deactivate([this](unsigned cpu, std::uint32_t vintid, std::uint32_t) { on_physical_deactivate(cpu, vintid); });
        gic.reset_listeners_.push_back([this] { reset_timers(); });
    }
}

void VirtualTimerBase::reset_timers() {
    // The VM's reset (vm mode): every timer register at its reset value (CTL.ENABLE = 0, so no
    // output, D11.2.4), outputs low at once, nothing armed, the vCPUs scheduled. The GIC is
    // held in reset meanwhile: the falling PPIs only update the levels it samples afterwards.
    for (unsigned cpu = 0; cpu < timers_.size(); ++cpu) {
        timers_[cpu]->reset();
        for (unsigned w = 0; w < 2; ++w) {
            Channel& ch = channels_[cpu * 2 + w];
            if (ch.level) {
                // Now, not from evaluate() a delta later: a reset pulse samples the PPI levels
                // the moment it ends.
                ch.level = false;
                gic_.set_ppi_level(cpu, timers_[cpu]->intid(static_cast<GenericTimer::Which>(w)), false);
            }
            // evaluate() (the signals' writer) brings cntv_level/cntp_level down.
            ch.check.cancel();
            ch.check.notify(SC_ZERO_TIME);
        }
        descheduled_[cpu] = false;
    }
    ++reset_generation_;
    reset_event_.notify(SC_ZERO_TIME);
}

std::uint64_t VirtualTimerBase::counter(const sc_time& t) const { return counter_at(time_ps(t), config_.frequency_hz); }

void VirtualTimerBase::evaluate(unsigned cpu, GenericTimer::Which which) {
    const GenericTimer& t = *timers_[cpu];
    const std::uint64_t now = counter(sc_core::sc_time_stamp());
    const bool level = t.output(which, now);
    Channel& ch = channels_[cpu * 2 + which];
    auto& signal = (which == GenericTimer::Virtual ? cntv_level : cntp_level)[cpu];
    if (signal.read() != level) signal.write(level);  // (reset_timers changes ch.level alone)
    if (level != ch.level) {
        ch.level = level;
        gic_.set_ppi_level(cpu, t.intid(which), level);
        // Fired while the vCPU is descheduled: the PPI is pending in the (virtual)
        // distributor now; whoever blocked the vCPU must wake it.
        if (level && descheduled_[cpu]) {
            ++wakes_;
            wake_[cpu]->notify(SC_ZERO_TIME);
            if (wake_callback_) wake_callback_(cpu);
        }
    }
    // The output can next rise only at the count where the condition becomes true.
    if (!level) {
        if (const auto rise = t.next_rise(which, now); rise && *rise > now) {
            ch.check.cancel();  // a later notify() may not override an earlier pending one
            // A count the simulation never reaches (its time is beyond max_time_ps(), the
            // last time an sc_time holds: 2^64 - 1 ps at 1 ps resolution) is "never", which
            // is what a guest means by CVAL = all ones: nothing is armed. Decided in O(1)
            // from the count at that horizon (time_of_count saturates, so it alone cannot
            // tell a deadline at the horizon from one beyond it).
            if (counter_at(max_time_ps(), config_.frequency_hz) < *rise) return;
            // The first time at which CNTPCT >= rise, from integer ps (no double: exact at
            // every time up to the horizon). ps_time rounds up to a tick at a coarse time
            // resolution, so the event is never before the tick, and never at or before now
            // (the count at now is below rise).
            const sc_time at = ps_time(time_of_count(*rise, config_.frequency_hz));
            ch.check.notify(at - sc_core::sc_time_stamp());
        }
    }
}

void VirtualTimerBase::load_state(unsigned cpu, const GenericTimer::State& state) {
    timers_.at(cpu)->set_state(state);
    reschedule(cpu, SC_ZERO_TIME);
}

void VirtualTimerBase::reschedule(unsigned cpu, const sc_time& offset) {
    for (unsigned w = 0; w < 2; ++w) {
        Channel& ch = channels_[cpu * 2 + w];
        ch.check.cancel();  // a later notify() may not override an earlier pending one
        ch.check.notify(offset);
    }
}

AccessResult VirtualTimerBase::read(unsigned cpu, std::uint32_t encoding, const sc_time& offset, AccessMode mode) {
    return timers_.at(cpu)->read(encoding, counter(sc_core::sc_time_stamp() + offset), mode);
}

AccessResult VirtualTimerBase::write(unsigned cpu, std::uint32_t encoding, std::uint64_t value, const sc_time& offset) {
    const AccessResult r = timers_.at(cpu)->write(encoding, value, counter(sc_core::sc_time_stamp() + offset));
    reschedule(cpu, offset);  // CVAL, CTL or CNTVOFF may have moved the expiry
    return r;
}

void VirtualTimerBase::b_transport(int cpu, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    tx.set_dmi_allowed(false);
    const unsigned len = tx.get_data_length();
    if (tx.get_byte_enable_ptr() != nullptr) {
        tx.set_response_status(::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if ((len != 4 && len != 8) || tx.get_streaming_width() < len || tx.get_address() > 0xFFFF) {
        tx.set_response_status(len != 4 && len != 8 ? ::tlm::TLM_GENERIC_ERROR_RESPONSE
                               : tx.get_streaming_width() < len ? ::tlm::TLM_BURST_ERROR_RESPONSE
                                                                : ::tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const auto encoding = static_cast<std::uint32_t>(tx.get_address());
    if (gic_.params().gic.is_v3() && timer_register_name(encoding) == nullptr) {
        // One system-register path per CPU: the GIC's ICC_/ICV_/ICH_ registers (and any other
        // encoding, which the GIC reports) go to the Vgic, as on a core with a GICv3.
        gic_.transport({Frame::Sysreg, SocketKind::PerCpu, static_cast<unsigned>(cpu)}, tx, delay);
        return;
    }
    const sc_time at = delay + ps_time(gic_.hw_cost(&TimingProfile::sysreg_access));
    unsigned char* data = tx.get_data_ptr();
    AccessResult r;
    if (tx.is_write()) {
        std::uint64_t value = 0;
        for (unsigned i = 0; i < len; ++i) value |= std::uint64_t{data[i]} << (8 * i);
        r = write(static_cast<unsigned>(cpu), encoding, value, at);
    } else if (tx.is_read()) {
        r = read(static_cast<unsigned>(cpu), encoding, at);
        for (unsigned i = 0; i < len; ++i) data[i] = static_cast<unsigned char>(r.value >> (8 * i));
    }
    delay = at;
    tx.set_response_status(r.status == AccessStatus::Error
                               ? (r.kind == BadAccessKind::Reserved ? ::tlm::TLM_ADDRESS_ERROR_RESPONSE
                                                                    : ::tlm::TLM_GENERIC_ERROR_RESPONSE)
                               : ::tlm::TLM_OK_RESPONSE);
}

unsigned VirtualTimerBase::transport_dbg(int cpu, ::tlm::tlm_generic_payload& tx) {
    const unsigned len = tx.get_data_length();
    if (gic_.params().gic.is_v3() && timer_register_name(static_cast<std::uint32_t>(tx.get_address())) == nullptr &&
        tx.get_address() <= 0xFFFF)
        return gic_.transport_dbg({Frame::Sysreg, SocketKind::PerCpu, static_cast<unsigned>(cpu)}, tx);
    if ((len != 4 && len != 8) || !tx.is_read() || tx.get_address() > 0xFFFF) return 0;  // debug writes: no
    const AccessResult r = read(static_cast<unsigned>(cpu), static_cast<std::uint32_t>(tx.get_address()), SC_ZERO_TIME,
                                AccessMode::Debug);
    if (r.status == AccessStatus::Error) return 0;
    for (unsigned i = 0; i < len; ++i) tx.get_data_ptr()[i] = static_cast<unsigned char>(r.value >> (8 * i));
    return len;
}

bool VirtualTimerBase::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi&) {
    tx.set_dmi_allowed(false);
    return false;
}

void VirtualTimerBase::on_physical_deactivate(unsigned cpu, std::uint32_t vintid) {
    // The guest completed the mapped timer interrupt: resample (KVM kvm_timer_sync/resample).
    if (vintid == config_.virtual_intid) channels_[cpu * 2 + GenericTimer::Virtual].check.notify(SC_ZERO_TIME);
}

void VirtualTimerBase::watch_switches(unsigned cpu) {
    VgicCpuIfBase& c = gic_.cpu_if(cpu);
    for (;;) {
        // vcpu_put: the timer keeps running in the background (its events stay armed) and
        // an expiry while out wakes the vCPU. vcpu_load: recompute the level. A reset
        // (reset_timers) brings the loop back here with the vCPU scheduled.
        sc_core::wait(c.save_done | reset_event_);
        if (!c.save_done.triggered()) continue;
        const unsigned generation = reset_generation_;
        descheduled_[cpu] = true;
        // KVM's check at vcpu_put: a timer that fired during the exit and save (or was
        // already pending) must wake the now descheduled vCPU, or it is lost (item 26).
        if (channels_[cpu * 2].level || channels_[cpu * 2 + 1].level) {
            ++wakes_;
            wake_[cpu]->notify(SC_ZERO_TIME);
            if (wake_callback_) wake_callback_(cpu);
        }
        sc_core::wait(c.restore_done | reset_event_);
        if (reset_generation_ != generation) continue;
        descheduled_[cpu] = false;
        reschedule(cpu, SC_ZERO_TIME);
    }
}

void trace_timer(sc_core::sc_trace_file* tf, VirtualTimerBase& timer, const std::string& prefix) {
    const std::string top = prefix.empty() ? std::string(timer.basename()) : prefix;
    for (unsigned i = 0; i < timer.cntv_level.size(); ++i) {
        sc_core::sc_trace(tf, timer.cntv_level[i], top + ".cpu" + std::to_string(i) + ".cntv");
        sc_core::sc_trace(tf, timer.cntp_level[i], top + ".cpu" + std::to_string(i) + ".cntp");
    }
}

} // namespace vgic::tlm
