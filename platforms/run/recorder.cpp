// SPDX-License-Identifier: Apache-2.0
// Interrupt bookkeeping of the latency platform: see recorder.hpp.
#include "run/recorder.hpp"

#include <algorithm>

#include <utility>

namespace vgic::run {

std::uint64_t record_key(unsigned vm, IrqClass cls, unsigned target, unsigned source, std::uint32_t intid) {
    return (std::uint64_t{vm} << 52) | (std::uint64_t(cls) << 48) | (std::uint64_t{target & 0xFFFF} << 32) |
           (std::uint64_t{source & 0xFFFF} << 16) | intid;
}

std::size_t Recorder::open(std::uint64_t key, unsigned vm, unsigned vcpu, IrqClass cls, std::uint32_t intid,
                           std::uint64_t asserted_ps) {
    if (closed) return kNoRecord;
    InterruptRecord rec;
    rec.vm = vm;
    rec.vcpu = vcpu;
    rec.cls = cls;
    rec.intid = intid;
    rec.asserted_ps = asserted_ps;
    rec.pending_ps = asserted_ps;
    const std::size_t i = base_ + live_.size();
    live_.push_back(rec);
    final_.push_back(false);
    outstanding_[key].push_back(i);
    return i;
}

InterruptRecord& Recorder::at(std::size_t i) {
    if (i < base_) {
        const auto p = parked_.find(i);
        if (p != parked_.end()) return p->second;
    }
    // A record handed over already (never asked for by a correct caller): a scratch one.
    if (i < base_ || i - base_ >= live_.size()) {
        scratch_ = InterruptRecord{};
        return scratch_;
    }
    return live_[i - base_];
}

void Recorder::mark_final(std::size_t i) {
    if (i >= base_ && i - base_ < final_.size()) {
        final_[i - base_] = true;
        return;
    }
    const auto p = parked_.find(i);
    if (p == parked_.end()) return;
    if (held_.count(i) != 0) {
        parked_final_.insert(i);
        return;
    }
    emit(p->second, i);
    parked_.erase(p);
}

void Recorder::release(std::size_t i) {
    held_.erase(i);
    if (parked_final_.erase(i) != 0) mark_final(i);
    hand_over();
}

void Recorder::emit(const InterruptRecord& rec, std::size_t id) {
    if (!wave_closed_ && rec.cls != IrqClass::Maintenance) {
        const std::int64_t done = rec.eoi_ps >= 0 ? rec.eoi_ps : rec.iar_ps;
        const std::uint64_t end = done >= 0 ? static_cast<std::uint64_t>(done) : rec.asserted_ps;
        const bool devices = r_.scenario != nullptr && !r_.scenario->devices.empty();
        if (r_.wave_interrupts == 0) {
            if (!devices || rec.cls == IrqClass::DeviceSpi) {
                r_.wave_begin_ps = rec.asserted_ps;
                r_.wave_end_ps = end;
                wave_first_end_ = end;
                r_.wave_interrupts = 1;
            }
        } else if (rec.asserted_ps <= wave_first_end_) {
            r_.wave_begin_ps = std::min(r_.wave_begin_ps, rec.asserted_ps);
            r_.wave_end_ps = std::max(r_.wave_end_ps, end);
            ++r_.wave_interrupts;
        } else {
            wave_closed_ = true;  // generation order: every later one is asserted later still
        }
    }
    if (sink_ != nullptr) sink_->interrupt(r_, rec, id + 1);
    else r_.interrupts.push_back(rec);
}

void Recorder::hand_over() {
    // Generation order: the oldest first, once it and everything before it is final.
    while (!live_.empty()) {
        const bool ready = final_.front() && held_.count(base_) == 0;
        if (!ready && live_.size() <= max_window_) break;
        if (ready) emit(live_.front(), base_);
        else parked_.emplace(base_, std::move(live_.front()));  // a blocker: out of the way
        live_.pop_front();
        final_.pop_front();
        ++base_;
    }
}

void Recorder::finish() {
    // The run is over: a record not yet final (pending, or acknowledged without its EOI) is
    // as it is now.
    for (std::size_t k = 0; k < final_.size(); ++k) final_[k] = true;
    held_.clear();
    hand_over();
    std::vector<std::size_t> ids;
    for (const auto& p : parked_) ids.push_back(p.first);
    std::sort(ids.begin(), ids.end());
    for (std::size_t id : ids) emit(parked_.at(id), id);
    parked_.clear();
    parked_final_.clear();
}

std::size_t Recorder::acknowledge(std::uint64_t key, unsigned vcpu, std::uint64_t issued_ps, std::uint64_t done_ps,
                                  std::int64_t sched_in_ps, bool still_pending, std::uint64_t waiting_end_ps) {
    auto it = outstanding_.find(key);
    if (it == outstanding_.end() || it->second.empty()) return kNoRecord;
    std::deque<std::size_t>& q = it->second;
    // The oldest generation already pending when the IAR read was issued. A trapped SGI write
    // is pending from its emulation instant only: one issued before the read but emulated
    // after it is a later interrupt, not this one (nor merged into it).
    auto pending_by = [&](std::size_t i) { return at(i).pending_ps <= issued_ps; };
    const auto first = std::find_if(q.begin(), q.end(), pending_by);
    if (first == q.end()) return kNoRecord;
    const std::size_t h = *first;
    q.erase(first);
    InterruptRecord& rec = at(h);
    rec.outcome = InterruptRecord::Outcome::Handled;
    rec.vcpu = vcpu;
    rec.iar_ps = static_cast<std::int64_t>(done_ps);
    rec.waited_descheduled = sched_in_ps >= 0 && static_cast<std::uint64_t>(sched_in_ps) >= rec.asserted_ps;
    // The vCPU's acknowledgements come one after the other: the last one before this is the
    // latest; if it ended after the assertion, another interrupt was taken first.
    const std::uint64_t who = (std::uint64_t{rec.vm} << 32) | vcpu;
    const auto last = last_ack_.find(who);
    rec.acknowledged_first = last == last_ack_.end() || last->second <= rec.asserted_ps || last->second >= done_ps;
    last_ack_[who] = done_ps;
    rec.waited_for_pcpu = waiting_end_ps > rec.asserted_ps;
    const bool later = std::any_of(q.begin(), q.end(), [&](std::size_t i) { return !pending_by(i); });
    if (!still_pending || later) {
        for (auto i = q.begin(); i != q.end();) {
            if (pending_by(*i)) {
                merge(*i, h);
                i = q.erase(i);
            } else {
                ++i;
            }
        }
    }
    return h;
}

void Recorder::merge_outstanding(std::uint64_t key, std::size_t into) {
    auto it = outstanding_.find(key);
    if (it == outstanding_.end()) return;
    for (std::size_t i : it->second) merge(i, into);
    it->second.clear();
}

void Recorder::merge_last_outstanding(std::uint64_t key, std::size_t into) {
    auto it = outstanding_.find(key);
    if (it == outstanding_.end() || it->second.empty()) return;
    merge(it->second.back(), into);
    it->second.pop_back();
}

void Recorder::complete(std::size_t h, std::uint64_t eoi_ps) {
    const auto t = static_cast<std::int64_t>(eoi_ps);
    InterruptRecord& handled = at(h);
    handled.eoi_ps = t;
    // Members merged while `h` was still pending got no IAR time then: they take its now.
    // `h` is marked final last: a parked record is handed over (and freed) when marked.
    auto g = groups_.find(h);
    if (g != groups_.end()) {
        for (std::size_t m : g->second) {
            InterruptRecord& rec = at(m);
            rec.vcpu = handled.vcpu;
            rec.iar_ps = handled.iar_ps;
            rec.eoi_ps = t;
            mark_final(m);
        }
        groups_.erase(g);
    }
    mark_final(h);
    hand_over();
}

void Recorder::merge(std::size_t i, std::size_t into) {
    InterruptRecord& m = at(i);
    const InterruptRecord& h = at(into);
    m.outcome = InterruptRecord::Outcome::Coalesced;
    m.vcpu = h.vcpu;
    m.iar_ps = h.iar_ps;
    m.eoi_ps = h.eoi_ps;
    const bool open = h.outcome == InterruptRecord::Outcome::Pending || h.eoi_ps < 0;
    // Generations already merged into `i` (a pulse that found the line still high merges
    // into the previous one, which may itself be merged later) follow it into `into`:
    // otherwise they would never learn their IAR and EOI times (the storm scenario's check
    // found such records).
    auto own = groups_.find(i);
    std::vector<std::size_t> members;
    if (own != groups_.end()) {
        members = std::move(own->second);
        groups_.erase(own);
    }
    for (std::size_t j : members) {
        InterruptRecord& rec = at(j);
        rec.vcpu = h.vcpu;
        rec.iar_ps = h.iar_ps;
        rec.eoi_ps = h.eoi_ps;
    }
    if (open) {
        std::vector<std::size_t>& g = groups_[into];
        g.push_back(i);
        g.insert(g.end(), members.begin(), members.end());
    } else {
        // Merged into one already completed: nothing will change them any more.
        mark_final(i);
        for (std::size_t j : members) mark_final(j);
        hand_over();
    }
}

} // namespace vgic::run
