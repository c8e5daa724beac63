// SPDX-License-Identifier: Apache-2.0
// The generic timer of every (v)CPU as a SystemC module: CNTP_* / CNTV_* / CNTVOFF_EL2 per
// CPU (model/generic_timer.hpp does the arithmetic), the counter derived exactly from
// simulated time, the outputs driven as level PPIs (virtual 27, physical 30 by default)
// into a Vgic. Expiry is one timed event per timer, rescheduled when CVAL, CTL or CNTVOFF
// change: no polling.
//
// Access: a target socket per CPU whose *address is the system-register encoding*
// (op0:op1:CRn:CRm:op2 packed as in bits [20:5] of MRS/MSR, vgic::sysreg_encoding), so an
// instruction-set simulator forwards MRS/MSR as 8-byte TLM reads/writes; or read()/write().
// Unknown registers follow the Vgic's bad-access policy.
//
// vm mode: the virtual timer PPI of each vCPU is HW-mapped in its list register (HW=1,
// PhysicalID = the PPI), so the guest's deactivation reaches the timer; the timer listens to
// the vCPU's save/restore events and, when it expires while its vCPU is descheduled, marks
// the PPI pending in the virtual distributor and raises a wake notification: a vCPU blocked
// in WFI must be woken (a lost timer is a bug, section 3 item 26).
#pragma once

#include "vgic/model/generic_timer.hpp"
#include "vgic/tlm/export.hpp"
#include "vgic/tlm/vgic.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace vgic::tlm {

/// The timer without its sockets (BasicVirtualTimer adds sysreg[cpu] at a bus width). In vm
/// mode a reset of the GIC is the VM's reset: the timers return to their reset state too.
class VGIC_TLM_API VirtualTimerBase : public sc_core::sc_module {
public:
    /// Output levels (for tracing): [cpu] virtual and physical timer.
    sc_core::sc_vector<sc_core::sc_signal<bool>> cntv_level, cntp_level;

    /// MRS / MSR at the current simulated time plus `offset`.
    AccessResult read(unsigned cpu, std::uint32_t encoding, const sc_core::sc_time& offset = sc_core::SC_ZERO_TIME,
                      AccessMode mode = AccessMode::Normal);
    AccessResult write(unsigned cpu, std::uint32_t encoding, std::uint64_t value,
                       const sc_core::sc_time& offset = sc_core::SC_ZERO_TIME);

    /// CNTPCT at simulated time `t`.
    std::uint64_t counter(const sc_core::sc_time& t) const;
    const GenericTimer& timer(unsigned cpu) const { return *timers_.at(cpu); }
    /// Replaces CPU `cpu`'s timer registers (snapshot restore): the output is re-evaluated
    /// now and the expiry rescheduled.
    void load_state(unsigned cpu, const GenericTimer::State& state);
    /// Notified when a timer fires while its vCPU is descheduled (vm mode).
    sc_core::sc_event& wake_event(unsigned cpu) { return *wake_.at(cpu); }
    using WakeCallback = std::function<void(unsigned cpu)>;
    void on_wake(WakeCallback cb) { wake_callback_ = std::move(cb); }
    std::uint64_t wakes() const { return wakes_; }

protected:
    /// Throws ConfigError for a bad TimerConfig (reported first as vgic/config, SC_WARNING).
    VirtualTimerBase(const sc_core::sc_module_name& name, VgicBase& gic, const TimerConfig& config);
    void b_transport(int cpu, ::tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
    unsigned transport_dbg(int cpu, ::tlm::tlm_generic_payload& tx);
    bool get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi&);

private:
    struct Channel {
        sc_core::sc_event check;  // evaluate the output at this time
        bool level = false;
    };
    TimerConfig checked(const TimerConfig& config) const;
    void evaluate(unsigned cpu, GenericTimer::Which which);
    void reschedule(unsigned cpu, const sc_core::sc_time& offset);
    void on_physical_deactivate(unsigned cpu, std::uint32_t vintid);
    void watch_switches(unsigned cpu);  // thread: save_done / restore_done
    void reset_timers();                 // vm mode: the GIC's (the VM's) reset

    VgicBase& gic_;
    TimerConfig config_;
    std::vector<std::unique_ptr<GenericTimer>> timers_;
    std::vector<Channel> channels_;  // [cpu * 2 + which]
    std::vector<std::unique_ptr<sc_core::sc_event>> wake_;
    std::vector<bool> descheduled_;
    WakeCallback wake_callback_;
    std::uint64_t wakes_ = 0;
    sc_core::sc_event reset_event_;  // wakes watch_switches after a reset
    unsigned reset_generation_ = 0;
};

template <unsigned BusWidth>
class VGIC_TLM_API BasicVirtualTimer : public VirtualTimerBase {
public:
    using Socket = tlm_utils::simple_target_socket_tagged_optional<BasicVirtualTimer, BusWidth>;
    sc_core::sc_vector<Socket> sysreg;  ///< sysreg[cpu]: address = encoding, 8-byte data (per-CPU)

    /// Throws ConfigError for a bad TimerConfig (reported first as vgic/config, SC_WARNING).
    BasicVirtualTimer(const sc_core::sc_module_name& name, VgicBase& gic, const TimerConfig& config = {})
        : VirtualTimerBase(name, gic, config), sysreg("sysreg", gic.num_cpus()) {
        for (unsigned cpu = 0; cpu < sysreg.size(); ++cpu) {
            const int id = static_cast<int>(cpu);
            sysreg[cpu].register_b_transport(this, &BasicVirtualTimer::b_transport, id);
            sysreg[cpu].register_transport_dbg(this, &BasicVirtualTimer::transport_dbg, id);
            sysreg[cpu].register_get_direct_mem_ptr(this, &BasicVirtualTimer::get_direct_mem_ptr, id);
        }
    }
};

using VirtualTimer = BasicVirtualTimer<32>;
using VirtualTimer64 = BasicVirtualTimer<64>;

/// Adds each CPU's timer output levels to `tf` as `<prefix>.cpu<i>.cntv` / `.cntp`.
VGIC_TLM_API void trace_timer(sc_core::sc_trace_file* tf, VirtualTimerBase& timer, const std::string& prefix = "");

} // namespace vgic::tlm
