// SPDX-License-Identifier: Apache-2.0
// InterruptTrace: see interrupt_trace.hpp.
#include "boot/interrupt_trace.hpp"

#include "vgic/boot/board.h"

#include <algorithm>

namespace vgic::boot {

using run::InterruptRecord;
using run::IrqClass;
using run::VcpuState;

InterruptTrace::InterruptTrace(unsigned cpus, std::string name, bool vm_mode, std::string gic, std::string timing,
                               std::string hypervisor)
    : cpus_(cpus), name_(std::move(name)), gic_(std::move(gic)), timing_(std::move(timing)),
      hypervisor_(std::move(hypervisor)), vm_mode_(vm_mode) {
    for (Cpu& c : cpus_) c.timeline.push_back({0, VcpuState::Guest});
}

IrqClass InterruptTrace::class_of(std::uint32_t intid) {
    if (intid == VGIC_BOARD_TIMER_VIRT_INTID || intid == VGIC_BOARD_TIMER_PHYS_INTID) return IrqClass::TimerPpi;
    if (intid < 16) return IrqClass::Ipi;
    if (intid >= 32) return IrqClass::DeviceSpi;
    return IrqClass::Maintenance;
}

void InterruptTrace::asserted(unsigned cpu, std::uint32_t intid, std::uint64_t t_ps) {
    if (interrupts_.size() >= kMaxRecords) {
        truncated_ = true;
        return;
    }
    InterruptRecord r;
    r.vcpu = cpu == kAnyCpu ? 0 : cpu;
    r.cls = class_of(intid);
    r.intid = intid;
    r.asserted_ps = r.pending_ps = t_ps;
    interrupts_.push_back(r);
    open_[{intid >= 32 ? kAnyCpu : cpu, intid}].push_back(interrupts_.size() - 1);
}

void InterruptTrace::acknowledged(unsigned cpu, std::uint32_t intid, std::uint64_t t_ps) {
    if (cpu >= cpus_.size()) return;
    auto it = open_.find({intid >= 32 ? kAnyCpu : cpu, intid});
    std::size_t taken = run::kNoRecord;
    if (it != open_.end()) {
        // The queue is in the order the CPUs reported (each runs ahead by its own local
        // time), not in simulated time: of the assertions no later than the read, the
        // earliest is the one acknowledged, the others were merged into it (an edge while
        // pending, a second sender); later ones stay open.
        std::deque<std::size_t>& q = it->second;
        std::deque<std::size_t> later;
        for (const std::size_t k : q) {
            if (interrupts_[k].asserted_ps > t_ps) {
                later.push_back(k);
            } else if (taken == run::kNoRecord || interrupts_[k].asserted_ps < interrupts_[taken].asserted_ps) {
                if (taken != run::kNoRecord) later.push_front(taken);  // re-examined below
                taken = k;
            } else {
                later.push_front(k);
            }
        }
        q.clear();
        for (const std::size_t k : later) {
            if (interrupts_[k].asserted_ps > t_ps) {
                q.push_back(k);
            } else {
                interrupts_[k].outcome = InterruptRecord::Outcome::Coalesced;
                interrupts_[k].iar_ps = static_cast<std::int64_t>(t_ps);
                interrupts_[k].vcpu = cpu;
            }
        }
    }
    if (taken == run::kNoRecord) {
        ++unmatched_acks_;
        if (interrupts_.size() >= kMaxRecords) {
            truncated_ = true;
            return;
        }
        InterruptRecord r;
        r.cls = class_of(intid);
        r.intid = intid;
        r.asserted_ps = r.pending_ps = t_ps;
        interrupts_.push_back(r);
        taken = interrupts_.size() - 1;
    }
    InterruptRecord& r = interrupts_[taken];
    r.vcpu = cpu;
    r.outcome = InterruptRecord::Outcome::Handled;
    r.iar_ps = static_cast<std::int64_t>(t_ps);
    cpus_[cpu].in_service[intid] = taken;
}

void InterruptTrace::completed(unsigned cpu, std::uint32_t intid, std::uint64_t t_ps, bool deactivation) {
    if (cpu >= cpus_.size()) return;
    Cpu& c = cpus_[cpu];
    auto it = c.in_service.find(intid);
    if (it != c.in_service.end()) {
        InterruptRecord& r = interrupts_[it->second];
        if (r.eoi_ps < 0 || deactivation) r.eoi_ps = static_cast<std::int64_t>(t_ps);
        if (deactivation || r.eoi_ps >= 0) {
            // A DIR ends the record for good; an EOIR leaves it for a DIR that may follow.
            if (deactivation) c.in_service.erase(it);
        }
    }
    if (!deactivation && c.handler_depth > 0) {
        --c.handler_depth;
        set(cpu, t_ps);
    }
}

void InterruptTrace::interrupt_entry(unsigned cpu, std::uint64_t t_ps) {
    if (cpu >= cpus_.size()) return;
    ++cpus_[cpu].handler_depth;
    set(cpu, t_ps);
}

void InterruptTrace::state(unsigned cpu, VcpuState s, std::uint64_t t_ps) {
    if (cpu >= cpus_.size()) return;
    Cpu& c = cpus_[cpu];
    switch (s) {
    case VcpuState::Idle: c.idle = true; break;
    case VcpuState::Blocked: c.blocked = true; break;
    case VcpuState::Hypervisor:
        c.out = true;  // on its CPU, in the hypervisor (also: a blocked vCPU being woken)
        c.blocked = false;
        break;
    case VcpuState::Guest:
        // Back in the guest: out of WFI, out of the hypervisor, no longer blocked.
        c.idle = c.out = c.blocked = false;
        break;
    default: break;
    }
    if (s == VcpuState::Idle || s == VcpuState::Blocked) c.handler_depth = 0;  // WFI: not in a handler
    set(cpu, t_ps);
}

void InterruptTrace::set(unsigned cpu, std::uint64_t t_ps) {
    Cpu& c = cpus_[cpu];
    const VcpuState s = c.blocked ? VcpuState::Blocked
                        : c.out   ? VcpuState::Hypervisor
                        : c.idle  ? VcpuState::Idle
                        : c.handler_depth > 0 ? VcpuState::Handler
                                              : VcpuState::Guest;
    if (s == c.current) return;
    if (c.timeline.size() >= kMaxRecords) {
        truncated_ = true;
        return;
    }
    c.current = s;
    // Times from different CPUs' local clocks may arrive slightly out of order: never go back.
    if (!c.timeline.empty() && t_ps < c.timeline.back().t_ps) t_ps = c.timeline.back().t_ps;
    if (!c.timeline.empty() && c.timeline.back().t_ps == t_ps)
        c.timeline.back().state = s;
    else
        c.timeline.push_back({t_ps, s});
}

run::RunRecord InterruptTrace::record(std::uint64_t end_ps) const {
    run::RunRecord r;
    r.simulated_ps = end_ps;
    r.interrupts = interrupts_;
    run::VmRecord vm;
    vm.name = name_;
    vm.gic = gic_;
    vm.mode = vm_mode_ ? "vm" : "hw";
    vm.timing = timing_;
    vm.hypervisor = vm_mode_ ? hypervisor_ : "none";
    vm.vcpus = static_cast<unsigned>(cpus_.size());
    r.vms.push_back(vm);
    for (unsigned i = 0; i < cpus_.size(); ++i) {
        run::VcpuRecord v;
        v.vcpu = v.pcpu = i;
        v.timeline = cpus_[i].timeline;
        for (std::size_t k = 0; k < v.timeline.size(); ++k) {
            const std::uint64_t b = std::min(v.timeline[k].t_ps, end_ps);
            const std::uint64_t e = k + 1 < v.timeline.size() ? std::min(v.timeline[k + 1].t_ps, end_ps) : end_ps;
            if (e > b) v.state_time_ps[static_cast<unsigned>(v.timeline[k].state)] += e - b;
        }
        r.vcpus.push_back(std::move(v));
    }
    return r;
}

std::vector<InterruptTrace::ClassStats> InterruptTrace::stats() const {
    std::vector<ClassStats> s(run::kIrqClassCount);
    for (const InterruptRecord& i : interrupts_) {
        ClassStats& c = s[static_cast<unsigned>(i.cls)];
        if (i.outcome == InterruptRecord::Outcome::Coalesced) {
            ++c.coalesced;
        } else if (i.outcome == InterruptRecord::Outcome::Pending || i.iar_ps < 0) {
            ++c.pending;
        } else {
            const auto iar = static_cast<std::uint64_t>(i.iar_ps);
            const std::uint64_t d = iar > i.asserted_ps ? iar - i.asserted_ps : 0;  // never negative
            ++c.handled;
            c.min_ps = std::min(c.min_ps, d);
            c.max_ps = std::max(c.max_ps, d);
            c.sum_ps += d;
        }
    }
    return s;
}

} // namespace vgic::boot
