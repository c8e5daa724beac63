// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/vgic.hpp"

#include "config_report.hpp"
#include "vgic/model/state.hpp"
#include "vgic/tlm/time.hpp"

#include <cstdio>

#include <cstring>
#include <stdexcept>

namespace vgic::tlm {

using sc_core::sc_time;
using sc_core::SC_ZERO_TIME;

namespace {
constexpr unsigned kLineCount = 5;
unsigned line_index(Line l) { return static_cast<unsigned>(l); }
} // namespace

// ---- model -> modules ------------------------------------------------------------------------

/// Receives the model's line changes, kicks and physical deactivations, and hands them to
/// the CPU-interface modules with the local time of the operation that caused them.
class VgicBase::Observer final : public VmObserver, public InterruptObserver {
public:
    explicit Observer(VgicBase& owner) : owner_(owner) {}
    void interrupt_event(InterruptEvent event, unsigned cpu, bool virtual_interface, std::uint32_t intid) override {
        // Kept until the access that caused it knows its completion time (VgicBase::transport).
        if (owner_.in_timed_access_) owner_.access_events_.push_back({event, cpu, virtual_interface, intid});
    }
    void line_changed(unsigned cpu, Line line, bool level) override {
        owner_.cpu_if(cpu).schedule(line, level, owner_.now_offset_, owner_.restoring_);
    }
    void kick(unsigned vcpu) override {
        // With a free engine (the zero preset) the exit and entry happen right after the
        // operation that asked for them (VgicBase::service_functional_kicks): purely functional.
        if (owner_.functional_engine_) {
            owner_.kick_requested_ = true;
            owner_.kicked_[vcpu] = true;
            return;
        }
        if (owner_.trap_vcpu_ >= 0 && vcpu != static_cast<unsigned>(owner_.trap_vcpu_)) {
            // A trapped access on one vCPU made an interrupt pending for another that is in
            // the guest, so on another physical CPU: the hypervisor tells that CPU (ipi_send,
            // one after the other per target), with a physical SGI whose store takes the
            // hardware's gicd_write; the target then traps as for any physical interrupt
            // (kick) and takes the message in its exit (ipi_receive).
            owner_.remote_send_ps_ += owner_.hyp_cost(&HypervisorProfile::ipi_send);
            VgicCpuIfBase& target = owner_.cpu_if(vcpu);
            target.kick_by_ipi_ = true;
            target.kick_event_.notify(owner_.now_offset_ +
                                      ps(owner_.remote_send_ps_ + owner_.hw_cost(&TimingProfile::gicd_write) +
                                         owner_.hyp_cost(&HypervisorProfile::kick)));
            return;
        }
        owner_.cpu_if(vcpu).kick_event_.notify(owner_.now_offset_ + ps(owner_.hyp_cost(&HypervisorProfile::kick)));
    }

    void pending_while_stopped(unsigned vcpu) override {
        if (!owner_.wake_callback_) return;
        // Inside a timed operation (a trapped access) the interrupt is pending from its
        // effect instant on: a scheduler woken before then could run the vCPU ahead of its
        // cause.
        if (owner_.now_offset_ == SC_ZERO_TIME) {
            owner_.wake_callback_(vcpu);
            return;
        }
        const sc_time when = sc_core::sc_time_stamp() + owner_.now_offset_;
        auto& q = owner_.wake_queue_;
        if (!q.empty() && when < q.back().first) q.emplace_back(q.back().first, vcpu);
        else q.emplace_back(when, vcpu);
        if (q.size() == 1) owner_.wake_event_.notify(owner_.now_offset_);
    }

    void physical_deactivate(unsigned vcpu, std::uint32_t vintid, std::uint32_t pintid) override {
        for (const auto& cb : owner_.deactivate_callbacks_) cb(vcpu, vintid, pintid);
    }

    void list_registers_changed(unsigned vcpu) override { owner_.cpu_if(vcpu).update_lr_count(); }

private:
    VgicBase& owner_;
};

sc_time VgicBase::ps(std::uint64_t picoseconds) {
    // From integer ticks, never through double (exact only to 2^53 ps).
    return ps_time(picoseconds);
}

VgicParams VgicBase::checked(const VgicParams& p) const {
    try {
        p.gic.validate();
        if (p.mode == Mode::Vm && !p.gic.virt.enabled)
            throw ConfigError("GicConfig.virt.enabled = 0: allowed 1 (vm mode runs on the virtualization extensions)");
    } catch (const ConfigError& e) {
        detail::report_config_error(name(), e);  // the sc_module base exists: its name does
    }
    return p;
}

VgicBase::VgicBase(const sc_core::sc_module_name& name, const VgicParams& params)
    : sc_module(name),
      params_(checked(params)),
      hw_(params_.mode == Mode::Hw ? std::make_unique<Gic>(params_.gic) : nullptr),
      vm_(params_.mode == Mode::Vm ? std::make_unique<VmGic>(params_.gic) : nullptr),
      reset("reset", *this),
      observer_(std::make_unique<Observer>(*this)) {
    spi_levels_.assign(params_.gic.num_spis, false);
    ppi_levels_.assign(std::size_t{params_.gic.num_cpus} * 16, false);
    kicked_.assign(params_.gic.num_cpus, false);
    last_effect_.assign(params_.gic.num_cpus, SC_ZERO_TIME);
    hyp_ = params_.effective_hypervisor();
    // Two streams: the hardware's and the hypervisor's draws never shift each other.
    const auto stream = [&](std::uint64_t n) -> std::optional<std::uint64_t> {
        if (!params_.variation_seed) return std::nullopt;
        return derive_seed(*params_.variation_seed, n);
    };
    hw_draw_ = ParameterDraw<TimingProfile>(params_.timing, stream(1));
    hyp_draw_ = ParameterDraw<HypervisorProfile>(hyp_, stream(2));
    varies_ = hw_draw_.varies() || hyp_draw_.varies();
    precompute_latencies();
    const TimingProfile& t = params_.timing;
    const HypervisorProfile& h = hyp_;
    functional_engine_ = h.kick == 0 && h.exit == 0 && h.entry == 0 && h.flush_per_lr == 0 && h.sync_per_lr == 0;
    if (vm_) {
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.set_sensitivity(&wake_event_);
        opts.dont_initialize();
        sc_core::sc_spawn([this] { deliver_wakes(); }, "wake", &opts);
    }
    if (hw_) hw_->set_observer(observer_.get());
    if (hw_) hw_->set_interrupt_observer(observer_.get());
    if (hw_ && params_.gic.is_v3() && t.rwp_complete != 0) {
        // GICD_CTLR.RWP / GICR_CTLR.RWP stay set for rwp_complete after a tracked write.
        hw_->set_rwp_tracking(true);
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.set_sensitivity(&rwp_event_);
        opts.dont_initialize();
        sc_core::sc_spawn([this] { complete_rwp(); }, "rwp", &opts);
    }
    if (vm_) vm_->set_observer(observer_.get());
    if (vm_) vm_->set_interrupt_observer(observer_.get());
    diagnostics().set_sink([this](const BadAccess& b) { report_diagnostic(b); });
}

VgicBase::~VgicBase() = default;

Diagnostics& VgicBase::diagnostics() { return hw_ ? hw_->diagnostics() : vm_->diagnostics(); }

void VgicBase::report_diagnostic(const BadAccess& b) {
    // Every report names the instance: a platform may hold several GICs.
    const std::string text = std::string(name()) + ": " + b.describe();
    SC_REPORT_WARNING(b.kind == BadAccessKind::GuestError ? kMsgGuest : kMsgAccess, text.c_str());
}

sc_time VgicBase::latency(Frame frame) const { return latency_[static_cast<unsigned>(frame)]; }

void VgicBase::deliver_wakes() {
    const sc_time now = sc_core::sc_time_stamp();
    while (!wake_queue_.empty() && wake_queue_.front().first <= now) {
        const unsigned v = wake_queue_.front().second;
        wake_queue_.pop_front();
        if (wake_callback_) wake_callback_(v);
    }
    if (!wake_queue_.empty()) wake_event_.notify(wake_queue_.front().first - now);
}

std::uint64_t TimingProfile::*VgicBase::read_parameter(Frame frame) const {
    const bool vm = params_.mode == Mode::Vm;
    switch (frame) {
    case Frame::Gicd: return &TimingProfile::gicd_access;
    case Frame::Gicc: return vm ? &TimingProfile::gicv_access : &TimingProfile::gicc_access;
    case Frame::Gich:
    case Frame::GichAlias: return &TimingProfile::gich_access;
    case Frame::Gicv: return &TimingProfile::gicv_access;
    case Frame::Gicr: return &TimingProfile::gicr_access;
    case Frame::Sysreg: break;
    }
    return &TimingProfile::sysreg_access;
}

std::uint64_t TimingProfile::*VgicBase::write_parameter(Frame frame) const {
    const bool vm = params_.mode == Mode::Vm;
    switch (frame) {
    case Frame::Gicd: return &TimingProfile::gicd_write;
    case Frame::Gicc: return vm ? &TimingProfile::gicv_write : &TimingProfile::gicc_write;
    case Frame::Gich:
    case Frame::GichAlias: return &TimingProfile::gich_write;
    case Frame::Gicv: return &TimingProfile::gicv_write;
    case Frame::Gicr: return &TimingProfile::gicr_write;
    case Frame::Sysreg: break;
    }
    return &TimingProfile::sysreg_access;  // an MSR is an instruction: its access time
}

bool VgicBase::called_from_thread() {
    const sc_core::sc_process_handle h = sc_core::sc_get_current_process_handle();
    return h.valid() && (h.proc_kind() == sc_core::SC_THREAD_PROC_ || h.proc_kind() == sc_core::SC_CTHREAD_PROC_);
}

void VgicBase::precompute_latencies() {
    // sc_time construction converts through the time resolution: do it once, not per access.
    const TimingProfile& t = params_.timing;
    // vm mode: every guest GICD or GICR access is a trap (VgicBase::transport times it from the
    // hypervisor profile); gicd_access and gicr_access are the bus accesses of hw mode.
    const bool vm = params_.mode == Mode::Vm;
    const std::uint64_t trap = hyp_.trap_round_trip();
    struct Row {
        Frame frame;
        std::uint64_t read, write;
    };
    // The guest's CPU-interface window in vm mode is its GICV.
    const Row rows[] = {{Frame::Gicd, vm ? trap : t.gicd_access, vm ? trap : t.gicd_write},
                        {Frame::Gicc, vm ? t.gicv_access : t.gicc_access, vm ? t.gicv_write : t.gicc_write},
                        {Frame::Gich, t.gich_access, t.gich_write},
                        {Frame::GichAlias, t.gich_access, t.gich_write},
                        {Frame::Gicv, t.gicv_access, t.gicv_write},
                        {Frame::Gicr, vm ? trap : t.gicr_access, vm ? trap : t.gicr_write},
                        {Frame::Sysreg, t.sysreg_access, t.sysreg_access}};
    for (const Row& r : rows) {
        const auto i = static_cast<unsigned>(r.frame);
        latency_[i] = ps(r.read);
        write_effect_[i] = ps(r.write);
        // System-register writes are instructions, not stores: never posted.
        write_seen_[i] = ps(r.frame == Frame::Sysreg ? r.write : t.write_seen(r.write));
    }
    signal_delay_ = ps(t.signal_delay);
}

// ---- register access -------------------------------------------------------------------------

AccessResult VgicBase::access(Frame frame, unsigned c, std::uint32_t offset, unsigned size, bool w, std::uint64_t value,
                          AccessMode mode, const sc_time& offset_time) {
    now_offset_ = offset_time;
    AccessResult r;
    if (hw_) {
        switch (frame) {
        case Frame::Gicd: r = w ? hw_->write_distributor(c, offset, size, value, mode) : hw_->read_distributor(c, offset, size, mode); break;
        case Frame::Gicc: r = w ? hw_->write_cpu_interface(c, offset, size, value, mode) : hw_->read_cpu_interface(c, offset, size, mode); break;
        case Frame::Gich: r = w ? hw_->write_hyp_control(c, offset, size, value, mode) : hw_->read_hyp_control(c, offset, size, mode); break;
        case Frame::GichAlias: r = w ? hw_->write_hyp_control_alias(c, offset, size, value, mode) : hw_->read_hyp_control_alias(c, offset, size, mode); break;
        case Frame::Gicv: r = w ? hw_->write_virtual_cpu_interface(c, offset, size, value, mode) : hw_->read_virtual_cpu_interface(c, offset, size, mode); break;
        case Frame::Gicr: r = w ? hw_->write_redistributor(c, offset, size, value, mode) : hw_->read_redistributor(c, offset, size, mode); break;
        case Frame::Sysreg: r = w ? hw_->write_sysreg(c, offset, value, mode) : hw_->read_sysreg(c, offset, mode); break;
        }
        if (w && (frame == Frame::Gicd || frame == Frame::Gicr) && hw_->register_write_pending())
            schedule_rwp_completion(offset_time);
    } else {
        switch (frame) {
        case Frame::Gicd: r = w ? vm_->write_distributor(c, offset, size, value, mode) : vm_->read_distributor(c, offset, size, mode); break;
        case Frame::Gicc:  // the guest's CPU interface window is its vCPU's GICV
        case Frame::Gicv: r = w ? vm_->write_cpu_interface(c, offset, size, value, mode) : vm_->read_cpu_interface(c, offset, size, mode); break;
        case Frame::Gich:
        case Frame::GichAlias: {
            // The engine owns GICH in vm mode: reads show its state, writes are refused.
            if (!w && frame == Frame::Gich) {
                r = const_cast<VirtualCpuInterface&>(vm_->vcpu_interface(c)).read_control(offset, size, AccessMode::Debug);
                break;
            }
            const BadAccess b = BadAccess::make(
                frame == Frame::Gich ? "GICH" : "GICH alias", nullptr,
                "vm mode: the list-register engine owns GICH (read-only view; no alias region)", c, offset, size, w,
                value, w ? BadAccessKind::WriteToReadOnly : BadAccessKind::Reserved);
            r = {0, diagnostics().bad_access(b), b.kind};
            break;
        }
        case Frame::Gicr: r = w ? vm_->write_redistributor(c, offset, size, value, mode) : vm_->read_redistributor(c, offset, size, mode); break;
        case Frame::Sysreg: r = w ? vm_->write_sysreg(c, offset, value, mode) : vm_->read_sysreg(c, offset, mode); break;
        }
    }
    after_access(frame, c, offset);
    service_functional_kicks();
    now_offset_ = SC_ZERO_TIME;
    return r;
}

void VgicBase::service_functional_kicks() {
    if (!kick_requested_) return;
    kick_requested_ = false;
    vm_->service_kicks();
    for (unsigned i = 0; i < cpus_.size(); ++i) {
        if (!kicked_[i]) continue;
        kicked_[i] = false;
        cpus_[i]->update_lr_count();
        cpus_[i]->sync_done.notify(SC_ZERO_TIME);
        cpus_[i]->flush_done.notify(SC_ZERO_TIME);
    }
}

void VgicBase::after_access(Frame frame, unsigned c, std::uint32_t offset) {
    if (frame == Frame::GichAlias) {
        const unsigned target = offset / gicv2::gich::kAliasStride;
        if (target < params_.gic.num_cpus) cpus_[target]->update_lr_count();
    } else if (vm_) {
        // The guest's own ICV_/GICV accesses change its LRs' states; a trap that synced or
        // flushed any vCPU (this one or others) already reported it through the observer's
        // list_registers_changed. Updating every vCPU here made each trapped access and each
        // ICV_ system-register access O(vCPUs) (the 512-vCPU platform profile).
        if (frame != Frame::Gicd && frame != Frame::Gicr) cpus_[c]->update_lr_count();
    } else if (frame != Frame::Gicd && frame != Frame::Gicr) {
        cpus_[c]->update_lr_count();
    }
}

void VgicBase::schedule_rwp_completion(const sc_time& offset) {
    // One completion for everything pending: a later write restarts the wait, since RWP
    // reports that *some* write is still in flight (IHI 0069 12.9.4).
    rwp_event_.cancel();
    rwp_event_.notify(offset + ps(hw_cost(&TimingProfile::rwp_complete)));
}

void VgicBase::complete_rwp() {
    if (hw_) hw_->complete_register_writes();
}

namespace {
// The bus is little-endian (the Arm GIC's registers are, and TLM's data array holds the
// bytes in address order). On a little-endian host that is a plain copy, which the compiler
// turns into one load or store: the byte loop it replaces was a tenth of an MMIO access.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr bool kHostLittleEndian = true;
#else
constexpr bool kHostLittleEndian = false;
#endif
template <class Word>
std::uint64_t load_word(const unsigned char* data) {
    Word w;
    std::memcpy(&w, data, sizeof w);
    return w;
}
template <class Word>
void store_word(std::uint64_t value, unsigned char* data) {
    const auto w = static_cast<Word>(value);
    std::memcpy(data, &w, sizeof w);
}
/// `len` is 1, 2, 4 or 8 (transport checked it).
void load_little_endian(const unsigned char* data, unsigned len, std::uint64_t& value) {
    if constexpr (kHostLittleEndian) {
        switch (len) {
        case 1: value = data[0]; return;
        case 2: value = load_word<std::uint16_t>(data); return;
        case 4: value = load_word<std::uint32_t>(data); return;
        default: value = load_word<std::uint64_t>(data); return;
        }
    }
    for (unsigned i = 0; i < len; ++i) value |= std::uint64_t{data[i]} << (8 * i);
}
void store_little_endian(std::uint64_t value, unsigned len, unsigned char* data) {
    if constexpr (kHostLittleEndian) {
        switch (len) {
        case 1: data[0] = static_cast<unsigned char>(value); return;
        case 2: store_word<std::uint16_t>(value, data); return;
        case 4: store_word<std::uint32_t>(value, data); return;
        default: store_word<std::uint64_t>(value, data); return;
        }
    }
    for (unsigned i = 0; i < len; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
}
} // namespace

bool VgicBase::traps(Frame frame, const ::tlm::tlm_generic_payload& tx) const {
    if (!vm_) return false;
    if (frame == Frame::Gicd || frame == Frame::Gicr) return true;
    return frame == Frame::Sysreg && tx.is_write() &&
           VmGic::sysreg_write_traps(static_cast<std::uint32_t>(tx.get_address()));
}

namespace {
const char* frame_name(Frame f) {
    switch (f) {
    case Frame::Gicd: return "GICD";
    case Frame::Gicc: return "GICC";
    case Frame::Gich: return "GICH";
    case Frame::GichAlias: return "GICH alias";
    case Frame::Gicv: return "GICV";
    case Frame::Gicr: return "GICR";
    case Frame::Sysreg: return "system register";
    }
    return "?";
}
} // namespace

std::uint64_t VgicBase::frame_span(Frame frame) const {
    // The size of the region a socket stands for: an offset at or beyond it cannot be the
    // frame's (a router that passes absolute addresses, or maps the wrong size).
    switch (frame) {
    case Frame::Gicd: return gicv3::gicd::kFrameSize;      // 64 KiB (IHI 0069 12.8; GICv2 uses 4 KiB of it)
    case Frame::Gicc:                                      // GICC_DIR at 0x1000 (IHI 0048B 4.1.3)
    case Frame::Gicv: return gicv2::gicc::kFrameSize;      // GICV_DIR likewise
    case Frame::Gich: return gicv2::gich::kFrameSize;      // one 4 KiB page (IHI 0048B 5.3)
    case Frame::GichAlias: return std::uint64_t{gicv2::gich::kAliasStride} * 8;  // CPU n's GICH at n * 0x200, 8 CPUs
    case Frame::Gicr: return std::uint64_t{gicv3::gicr::kStride} * num_cpus();   // 128 KiB per redistributor
    case Frame::Sysreg: return 0x10000;                    // the 16-bit op0:op1:CRn:CRm:op2 encoding
    }
    return 0;
}

void VgicBase::refuse(const detail::SocketTarget& target, int c, ::tlm::tlm_generic_payload& tx,
                      ::tlm::tlm_response_status status, const std::string& why) {
    tx.set_response_status(status);
    const std::string who = c < 0 ? std::string("an unknown CPU") : "CPU " + std::to_string(c);
    const std::string text = std::string(name()) + ": " + frame_name(target.frame) + (tx.is_write() ? " write" : " read") +
                             " of " + std::to_string(tx.get_data_length()) + " byte(s) at offset " +
                             hex_string(tx.get_address(), 3) + " from " + who + ": " + why;
    SC_REPORT_WARNING(kMsgAccess, text.c_str());
}

int VgicBase::issuing_cpu(const detail::SocketTarget& t, ::tlm::tlm_generic_payload& tx, bool debug) {
    const auto* ext = tx.get_extension<CpuIdExtension>();
    auto fail = [&](int c, const std::string& why) {
        if (!debug) refuse(t, c, tx, ::tlm::TLM_GENERIC_ERROR_RESPONSE, why);
        return -1;
    };
    const unsigned n = num_cpus();
    if (ext != nullptr && ext->cpu >= n)
        return fail(-1, "its CpuIdExtension names CPU " + std::to_string(ext->cpu) + ", but the GIC has " +
                            std::to_string(n) + " CPU(s)");
    switch (t.kind) {
    case SocketKind::PerCpu:
        // The socket is the CPU: an extension naming another one means the platform's wiring
        // and its idea of the issuer disagree; the model must not pick one of them.
        if (ext != nullptr && ext->cpu != t.cpu)
            return fail(static_cast<int>(t.cpu), "its CpuIdExtension names CPU " + std::to_string(ext->cpu) +
                                                     " on CPU " + std::to_string(t.cpu) +
                                                     "'s socket (a per-CPU socket; bind the shared.* sockets for a "
                                                     "bus shared by several CPUs)");
        return static_cast<int>(t.cpu);
    case SocketKind::Shared:
        if (ext == nullptr)
            return fail(-1, "an access to a shared socket must carry a CpuIdExtension naming its CPU "
                            "(docs/INTEGRATION.md, \"Which CPU an access comes from\")");
        return static_cast<int>(ext->cpu);
    case SocketKind::AddressDecoded:
        if (ext != nullptr) return static_cast<int>(ext->cpu);
        {
            // The accessed redistributor's / GICH's own CPU.
            const std::uint64_t stride = t.frame == Frame::Gicr ? gicv3::gicr::kStride : gicv2::gich::kAliasStride;
            const std::uint64_t owner = tx.get_address() / stride;
            return owner < n ? static_cast<int>(owner) : 0;
        }
    }
    return -1;
}

void VgicBase::transport(const detail::SocketTarget& target, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    tx.set_dmi_allowed(false);
    const Frame frame = target.frame;
    const unsigned len = tx.get_data_length();
    const int issuer = issuing_cpu(target, tx, false);
    if (issuer < 0) return;  // refused and reported
    const auto c = static_cast<unsigned>(issuer);
    if (in_reset_)
        return refuse(target, issuer, tx, ::tlm::TLM_GENERIC_ERROR_RESPONSE, "the GIC is held in reset");
    if (tx.get_byte_enable_ptr() != nullptr)
        return refuse(target, issuer, tx, ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
                      "byte enables are not supported (GIC registers are accessed whole)");
    if (tx.get_streaming_width() < len)
        return refuse(target, issuer, tx, ::tlm::TLM_BURST_ERROR_RESPONSE,
                      "streaming width " + std::to_string(tx.get_streaming_width()) + " below the data length");
    if (len != 1 && len != 2 && len != 4 && len != 8)
        return refuse(target, issuer, tx, ::tlm::TLM_GENERIC_ERROR_RESPONSE,
                      "data length " + std::to_string(len) + " (1, 2, 4 or 8 bytes)");
    if (tx.get_address() >= frame_span(frame))
        return refuse(target, issuer, tx, ::tlm::TLM_ADDRESS_ERROR_RESPONSE,
                      "beyond the frame's " + hex_string(frame_span(frame)) +
                          " bytes: sockets take offsets from the frame's base (does the router pass absolute "
                          "addresses?)");
    if (vm_ && !vm_->running(c) && (frame == Frame::Gicc || frame == Frame::Gicv ||
                                    (frame == Frame::Sysreg && !traps(frame, tx)))) {
        // A vCPU executes only between its entry and its exit: an access while it is switched
        // out means the initiator did not stall its vCPU (docs/INTEGRATION.md, vm mode). Served
        // (the saved or live state, as a debugger would see it), and said.
        char text[256];
        std::snprintf(text, sizeof text,
                      "%s: %s %s of %u byte(s) at offset 0x%llx from vCPU %u while it is not in the guest "
                      "(running_state low): the initiator must stall the vCPU until running_state rises",
                      name(), frame == Frame::Sysreg ? "ICV_ system register" : "GICV", tx.is_write() ? "write" : "read",
                      len, static_cast<unsigned long long>(tx.get_address()), c);
        SC_REPORT_WARNING(kMsgGuest, text);
    }
    if (tx.is_read() || tx.is_write()) {
        unsigned char* data = tx.get_data_ptr();
        std::uint64_t value = 0;
        if (tx.is_write()) load_little_endian(data, len, value);
        const auto f = static_cast<unsigned>(frame);
        const sc_time issue = sc_core::sc_time_stamp() + delay;
        sc_time effect, done;
        if (traps(frame, tx)) {
            // A trap: the effect at the emulation instant; the guest goes on after the return,
            // and after telling the physical CPU of every other running vCPU it kicked.
            effect = delay + ps(hyp_cost(&HypervisorProfile::trap_entry) + hyp_cost(&HypervisorProfile::emulate));
            if (sync_traps_ && effect != SC_ZERO_TIME && called_from_thread()) {
                // The emulation happens at its instant, not when the initiator issued the
                // access: the model's state changes then, so a vCPU entering meanwhile (its
                // flush reads the distributor) cannot take an interrupt that is not pending
                // yet. b_transport may wait (IEEE 1666-2011, 11.1.2.4); a trap is a
                // synchronisation point on a real CPU too.
                const std::uint64_t resets = resets_;
                sc_core::wait(effect);
                if (resets_ != resets || in_reset_)  // the VM was reset before the emulation
                    return refuse(target, issuer, tx, ::tlm::TLM_GENERIC_ERROR_RESPONSE,
                                  "the GIC was reset while the trapped access was in flight");
                delay = SC_ZERO_TIME;
                effect = SC_ZERO_TIME;
            }
            trap_vcpu_ = static_cast<int>(c);
            remote_send_ps_ = 0;
        } else if (tx.is_write()) {
            // A store takes effect after its way to the GIC; the CPU goes on when the store is
            // acknowledged, earlier if it is posted (Device-nGnRE early write acknowledgement).
            if (varies_) {
                const std::uint64_t way = hw_cost(write_parameter(frame));
                const bool posted = frame != Frame::Sysreg && params_.timing.posted_writes();
                effect = delay + ps(way);
                done = delay + ps(posted ? std::min(hw_cost(&TimingProfile::posted_write_ack), way) : way);
            } else {
                effect = delay + write_effect_[f];
                done = delay + write_seen_[f];
            }
        } else {
            effect = done = delay + (varies_ ? ps(hw_cost(read_parameter(frame))) : latency_[f]);
        }
        last_effect_[c] = sc_core::sc_time_stamp() + effect;
        in_timed_access_ = !event_callbacks_.empty();
        const AccessResult r = access(frame, c, static_cast<std::uint32_t>(tx.get_address()), len, tx.is_write(),
                                      value, AccessMode::Normal, effect);
        in_timed_access_ = false;
        if (trap_vcpu_ >= 0) {
            done = effect + ps(remote_send_ps_ + hyp_cost(&HypervisorProfile::trap_return));
            trap_vcpu_ = -1;
            remote_send_ps_ = 0;
        }
        if (!access_events_.empty()) {
            // The access was issued at `issue`; its effect (the event) happened at `effect`;
            // the initiator had the result (the read's value, the store's acknowledgement, the
            // trap's return) at `done`.
            InterruptEventTimes times{issue, sc_core::sc_time_stamp() + effect, sc_core::sc_time_stamp() + done};
            std::vector<PendingEvent> events;
            events.swap(access_events_);
            for (const PendingEvent& e : events)
                for (const auto& cb : event_callbacks_) cb(e.event, e.cpu, e.virtual_interface, e.intid, times);
        }
        if (r.status == AccessStatus::Error) {
            tx.set_response_status(r.kind == BadAccessKind::Reserved ? ::tlm::TLM_ADDRESS_ERROR_RESPONSE
                                                                      : ::tlm::TLM_GENERIC_ERROR_RESPONSE);
            delay = done;
            return;
        }
        if (tx.is_read()) store_little_endian(r.value, len, data);
        delay = done;
    }
    tx.set_response_status(::tlm::TLM_OK_RESPONSE);
}

unsigned VgicBase::transport_dbg(const detail::SocketTarget& target, ::tlm::tlm_generic_payload& tx) {
    const Frame frame = target.frame;
    const int issuer = issuing_cpu(target, tx, true);
    const unsigned len = tx.get_data_length();
    if (issuer < 0 || in_reset_ || (len != 1 && len != 2 && len != 4 && len != 8) ||
        tx.get_address() >= frame_span(frame) || !(tx.is_read() || tx.is_write()))
        return 0;
    const auto c = static_cast<unsigned>(issuer);
    unsigned char* data = tx.get_data_ptr();
    std::uint64_t value = 0;
    if (tx.is_write())
        load_little_endian(data, len, value);
    const AccessResult r = access(frame, c, static_cast<std::uint32_t>(tx.get_address()), len, tx.is_write(), value,
                                  AccessMode::Debug, SC_ZERO_TIME);
    if (r.status == AccessStatus::Error) return 0;
    if (tx.is_read())
        store_little_endian(r.value, len, data);
    return len;
}

void VgicBase::alias_b_transport(int, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    // The offset selects the CPU whose GICH is accessed; the accessing CPU only matters for
    // reports (CpuIdExtension, else taken as that CPU).
    transport({Frame::GichAlias, SocketKind::AddressDecoded, 0}, tx, delay);
}
unsigned VgicBase::alias_transport_dbg(int, ::tlm::tlm_generic_payload& tx) {
    return transport_dbg({Frame::GichAlias, SocketKind::AddressDecoded, 0}, tx);
}
bool VgicBase::alias_dmi(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi&) {
    tx.set_dmi_allowed(false);
    return false;  // register files are never DMI
}

void VgicBase::set_spi_level(std::uint32_t intid, bool level, const sc_time& offset) {
    // Remembered through a reset, and all that happens while held in it: the devices' wires
    // do not change with the GIC's reset; they are sampled again when it ends.
    if (intid >= 32 && intid - 32 < spi_levels_.size()) spi_levels_[intid - 32] = level;
    if (in_reset_) return;
    now_offset_ = offset;
    if (hw_) hw_->set_spi_level(intid, level);
    else vm_->set_spi_level(intid, level);
    service_functional_kicks();
    now_offset_ = SC_ZERO_TIME;
}

void VgicBase::set_ppi_level(unsigned c, std::uint32_t intid, bool level, const sc_time& offset) {
    if (c < num_cpus() && intid >= 16 && intid < 32) ppi_levels_[std::size_t{c} * 16 + intid - 16] = level;
    if (in_reset_) return;
    now_offset_ = offset;
    if (hw_) hw_->set_ppi_level(c, intid, level);
    else vm_->set_ppi_level(c, intid, level);
    service_functional_kicks();
    now_offset_ = SC_ZERO_TIME;
}

// ---- reset -------------------------------------------------------------------------------------

void VgicBase::end_of_elaboration() {
    if (reset.size() == 0) return;
    // Initialized: a reset input that is high when the simulation starts holds the GIC from
    // the first instant.
    sc_core::sc_spawn_options opts;
    opts.spawn_method();
    opts.set_sensitivity(&reset->value_changed_event());
    sc_core::sc_spawn([this] { reset_changed(); }, "reset_input", &opts);
}

void VgicBase::reset_changed() {
    const bool level = reset->read();
    if (level && !in_reset_) enter_reset();
    else if (!level && in_reset_) leave_reset();
}

void VgicBase::reset_pulse() {
    if (in_reset_) return;  // held by the input: its falling edge ends the reset
    enter_reset();
    leave_reset();
}

void VgicBase::enter_reset() {
    in_reset_ = true;
    ++resets_;
    // The model back to its state at construction. Lines it reports falling apply at once.
    restoring_ = true;
    if (hw_) hw_->reset();  // observers, RWP tracking and the diagnostics counters stay
    else vm_->reset();
    restoring_ = false;
    // Everything in flight is void: line changes, RWP completion, wake-ups, kicks, switches.
    for (VgicCpuIfBase* c : cpus_) c->reset_state();
    rwp_event_.cancel();
    wake_event_.cancel();
    wake_queue_.clear();
    access_events_.clear();
    kicked_.assign(num_cpus(), false);
    kick_requested_ = false;
    trap_vcpu_ = -1;
    remote_send_ps_ = 0;
    last_effect_.assign(num_cpus(), SC_ZERO_TIME);
    for (const auto& listener : reset_listeners_) listener();
}

void VgicBase::leave_reset() {
    in_reset_ = false;
    // The wires that are still high (or went high during the reset) are sampled now, as by a
    // GIC leaving reset with its interrupt sources asserted.
    for (std::size_t k = 0; k < spi_levels_.size(); ++k)
        if (spi_levels_[k]) set_spi_level(static_cast<std::uint32_t>(32 + k), true);
    for (std::size_t i = 0; i < ppi_levels_.size(); ++i)
        if (ppi_levels_[i]) set_ppi_level(static_cast<unsigned>(i / 16), static_cast<std::uint32_t>(16 + i % 16), true);
}

void VgicCpuIfBase::reset_state() {
    // Every signal has one writer (sc_signal's SC_ONE_WRITER policy): the lines fall through
    // their own method (fire), in the next delta at the same instant; running_state through the
    // engine's thread, lrs_in_use through its method.
    const sc_time now = sc_core::sc_time_stamp();
    for (unsigned i = 0; i < kLineCount; ++i) {
        TimedLine& l = lines_[i];
        const bool was_high = l.level->read() || !l.queue.empty();
        l.queue.clear();
        l.wake.cancel();
        l.queue.emplace_back(now, false);
        l.wake.notify(SC_ZERO_TIME);
        if (was_high)
            for (const auto& cb : line_callbacks_) cb(static_cast<Line>(i), false, now);
    }
    kick_event_.cancel();
    stop_event_.cancel();
    run_event_.cancel();
    lr_count_ = 0;
    lr_count_event_.cancel();
    lr_count_event_.notify(SC_ZERO_TIME);
    want_running_ = true;
    kick_by_ipi_ = false;
    saved_ = VcpuInterfaceState{};
    // The engine's thread starts over (VgicCpuIfBase::hypervisor): it is waiting for some
    // event or time; this wakes it, it sees the new generation and unwinds to its start.
    ++reset_generation_;
    reset_event_.notify(SC_ZERO_TIME);
}

// ---- VgicDistributor ---------------------------------------------------------------------------

VgicDistributorBase::VgicDistributorBase(const sc_core::sc_module_name& name, VgicBase& owner)
    : sc_module(name), spi_in("spi_in", owner.params_.gic.num_spis), owner_(owner) {}

unsigned VgicDistributorBase::num_cpus() const { return owner_.num_cpus(); }

void VgicDistributorBase::b_transport(int c, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    owner_.transport({Frame::Gicd, SocketKind::PerCpu, static_cast<unsigned>(c)}, tx, delay);
}
unsigned VgicDistributorBase::transport_dbg(int c, ::tlm::tlm_generic_payload& tx) {
    return owner_.transport_dbg({Frame::Gicd, SocketKind::PerCpu, static_cast<unsigned>(c)}, tx);
}
bool VgicDistributorBase::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi&) {
    tx.set_dmi_allowed(false);
    return false;
}

void VgicDistributorBase::end_of_elaboration() {
    // One method per bound SPI input; unbound inputs cost nothing.
    for (unsigned k = 0; k < spi_in.size(); ++k) {
        if (spi_in[k].size() == 0) continue;
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.set_sensitivity(&spi_in[k]->value_changed_event());
        const std::uint32_t intid = 32 + k;
        InputPort* port = &spi_in[k];
        sc_core::sc_spawn([this, intid, port] { owner_.set_spi_level(intid, (*port)->read()); },
                          sc_core::sc_gen_unique_name("spi_input"), &opts);
    }
}

// ---- VgicRedistributor -------------------------------------------------------------------------

void VgicRegionBase::b_transport(int target, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    owner_.transport(targets_[static_cast<unsigned>(target)], tx, delay);
}
unsigned VgicRegionBase::transport_dbg(int target, ::tlm::tlm_generic_payload& tx) {
    return owner_.transport_dbg(targets_[static_cast<unsigned>(target)], tx);
}
bool VgicRegionBase::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi&) {
    tx.set_dmi_allowed(false);
    return false;  // register files are never DMI
}

// ---- VgicCpuIf ---------------------------------------------------------------------------------

VgicCpuIfBase::VgicCpuIfBase(const sc_core::sc_module_name& name, VgicBase& owner, unsigned index)
    : sc_module(name),
      irq("irq"),
      fiq("fiq"),
      virq("virq"),
      vfiq("vfiq"),
      maintenance("maintenance"),
      ppi_in("ppi_in", 16),
      irq_level("irq_level"),
      fiq_level("fiq_level"),
      virq_level("virq_level"),
      vfiq_level("vfiq_level"),
      maintenance_level("maintenance_level"),
      running_state("running_state", owner.mode() == Mode::Hw),
      lrs_in_use("lrs_in_use", 0),
      owner_(owner),
      index_(index) {
    sc_core::sc_signal<bool>* levels[kLineCount] = {&irq_level, &fiq_level, &virq_level, &vfiq_level, &maintenance_level};
    OutputPort* ports[kLineCount] = {&irq, &fiq, &virq, &vfiq, &maintenance};
    for (unsigned i = 0; i < kLineCount; ++i) {
        TimedLine& l = lines_[i];
        l.level = levels[i];
        l.port = ports[i];
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.set_sensitivity(&l.wake);
        opts.dont_initialize();
        sc_core::sc_spawn([this, &l] { fire(l); }, sc_core::sc_gen_unique_name("line"), &opts);
    }
    {
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.set_sensitivity(&lr_count_event_);
        opts.dont_initialize();
        sc_core::sc_spawn([this] { write_lr_count(); }, "lr_count", &opts);
    }
    if (owner.mode() == Mode::Vm) {
        sc_core::sc_spawn_options opts;  // a thread
        sc_core::sc_spawn([this] { hypervisor(); }, "hypervisor", &opts);
    }
}

void VgicCpuIfBase::b_transport(int frame, ::tlm::tlm_generic_payload& tx, sc_time& delay) {
    owner_.transport({static_cast<Frame>(frame), SocketKind::PerCpu, index_}, tx, delay);
}
unsigned VgicCpuIfBase::transport_dbg(int frame, ::tlm::tlm_generic_payload& tx) {
    return owner_.transport_dbg({static_cast<Frame>(frame), SocketKind::PerCpu, index_}, tx);
}
bool VgicCpuIfBase::get_direct_mem_ptr(int, ::tlm::tlm_generic_payload& tx, ::tlm::tlm_dmi&) {
    tx.set_dmi_allowed(false);
    return false;
}

void VgicCpuIfBase::end_of_elaboration() {
    for (unsigned k = 0; k < ppi_in.size(); ++k) {
        if (ppi_in[k].size() == 0) continue;
        sc_core::sc_spawn_options opts;
        opts.spawn_method();
        opts.set_sensitivity(&ppi_in[k]->value_changed_event());
        const std::uint32_t intid = 16 + k;
        InputPort* port = &ppi_in[k];
        sc_core::sc_spawn([this, intid, port] { owner_.set_ppi_level(index_, intid, (*port)->read()); },
                          sc_core::sc_gen_unique_name("ppi_input"), &opts);
    }
}

void VgicCpuIfBase::schedule(Line line, bool level, const sc_time& offset, bool restore) {
    TimedLine& l = lines_[line_index(line)];
    const sc_time now = sc_core::sc_time_stamp();
    if (restore) {
        // A restored state's levels hold at once; changes scheduled before are void.
        l.queue.clear();
        l.wake.cancel();
    }
    const sc_time delay = restore          ? SC_ZERO_TIME
                          : owner_.varies_ ? VgicBase::ps(owner_.hw_cost(&TimingProfile::signal_delay))
                                           : owner_.signal_delay_;
    sc_time when = now + offset + delay;
    // Changes leave in the order they were made, even if an initiator's local time
    // (temporal decoupling) runs behind an earlier one's.
    if (!l.queue.empty() && when < l.queue.back().first) when = l.queue.back().first;
    l.queue.emplace_back(when, level);
    if (l.queue.size() == 1) l.wake.notify(when - now);
    for (const auto& cb : line_callbacks_) cb(line, level, when);
}

void VgicCpuIfBase::fire(TimedLine& l) {
    const sc_time now = sc_core::sc_time_stamp();
    bool changed = false;
    bool level = false;
    while (!l.queue.empty() && l.queue.front().first <= now) {
        level = l.queue.front().second;
        l.queue.pop_front();
        changed = true;
    }
    if (changed) {
        l.level->write(level);
        if (l.port->size() > 0) (*l.port)->write(level);
    }
    if (!l.queue.empty()) l.wake.notify(l.queue.front().first - now);
}

void VgicCpuIfBase::update_lr_count() {
    const VirtualCpuInterface* v = nullptr;
    if (owner_.hw_ && owner_.hw_->has_virtualization()) v = &owner_.hw_->virtual_interface(index_);
    if (owner_.vm_) v = &owner_.vm_->vcpu_interface(index_);
    if (v == nullptr) return;
    const unsigned n = v->num_list_regs();
    const std::uint64_t all = n == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
    const auto count = static_cast<unsigned>(__builtin_popcountll(~v->elrsr() & all));
    if (count == lr_count_) return;
    lr_count_ = count;
    lr_count_event_.notify(SC_ZERO_TIME);
}

void VgicCpuIfBase::write_lr_count() { lrs_in_use.write(lr_count_); }

// ---- vm mode: the vCPU's hypervisor side --------------------------------------------------------

bool VgicCpuIfBase::running() const { return owner_.vm_ ? owner_.vm_->running(index_) : true; }

void VgicCpuIfBase::stop() {
    want_running_ = false;
    stop_event_.notify(SC_ZERO_TIME);
}

void VgicCpuIfBase::run() {
    want_running_ = true;
    run_event_.notify(SC_ZERO_TIME);
}

namespace {
struct EngineReset {};  // thrown inside the engine's thread to unwind it to its start
} // namespace

void VgicCpuIfBase::hypervisor() {
    for (;;) {
        try {
            engine(reset_generation_);
        } catch (const EngineReset&) {
            // VgicBase::enter_reset: start over from the state at construction (the vCPU not
            // yet entered; this thread is running_state's writer).
            running_state.write(false);
        }
    }
}

void VgicCpuIfBase::engine(unsigned generation) {
    VmGic& vm = *owner_.vm_;
    VgicBase& o = owner_;
    using H = HypervisorProfile;
    const unsigned lrs = vm.vcpu_interface(index_).num_list_regs();
    // SystemC never unwinds a thread that is still waiting when the simulation ends, so
    // nothing owning memory may live on this stack: the saved state is a member.
    // Every wait also ends on a reset, which unwinds the engine (EngineReset).
    auto wait_for = [&](const sc_time& t) {
        sc_core::wait(t, reset_event_);
        if (reset_generation_ != generation) throw EngineReset{};
    };
    auto enter = [&] {
        // Entry: flush (per LR written) then the return to the guest.
        const unsigned n = vm.lrs_to_flush(index_);
        wait_for(VgicBase::ps(o.hyp_draw_.sum(&H::flush_per_lr, n) + o.hyp_cost(&H::entry)));
        vm.vcpu_entry(index_);
        owner_.service_functional_kicks();
        running_state.write(true);
        update_lr_count();
        flush_done.notify(SC_ZERO_TIME);
    };
    auto leave = [&] {
        // Exit: the trap, then the sync (per LR read back). A kick sent by another physical
        // CPU's hypervisor also has its message to take.
        const bool by_ipi = kick_by_ipi_;
        kick_by_ipi_ = false;
        wait_for(VgicBase::ps(o.hyp_cost(&H::exit) + (by_ipi ? o.hyp_cost(&H::ipi_receive) : 0)));
        const SyncReport r = vm.vcpu_exit(index_);
        owner_.service_functional_kicks();
        running_state.write(false);
        update_lr_count();
        wait_for(VgicBase::ps(o.hyp_draw_.sum(&H::sync_per_lr, r.lrs_read)));
        sync_done.notify(SC_ZERO_TIME);
    };
    bool saved_state = false;
    // The scheduler's intent (want_running_) against the vCPU's state: each pass brings the
    // one closer to the other, or waits for something to happen.
    for (;;) {
        const bool in_guest = vm.running(index_);
        if (want_running_ && !in_guest) {
            if (saved_state) {
                wait_for(VgicBase::ps(o.hyp_cost(&H::restore_fixed) + o.hyp_draw_.sum(&H::restore_per_lr, lrs)));
                vm.restore_vcpu(index_, saved_);
                saved_state = false;
                restore_done.notify(SC_ZERO_TIME);
            }
            enter();
            continue;
        }
        if (!want_running_ && (in_guest || !saved_state)) {
            if (in_guest) leave();
            wait_for(VgicBase::ps(o.hyp_cost(&H::save_fixed) + o.hyp_draw_.sum(&H::save_per_lr, lrs)));
            saved_ = vm.save_vcpu(index_);
            saved_state = true;
            save_done.notify(SC_ZERO_TIME);
            continue;
        }
        if (in_guest) {
            sc_core::wait(kick_event_ | stop_event_ | reset_event_);
            if (reset_generation_ != generation) throw EngineReset{};
            if (want_running_ && vm.kick_pending(index_)) {  // a kick: exit and enter again
                leave();
                enter();
            }
        } else {
            sc_core::wait(run_event_ | reset_event_);
            if (reset_generation_ != generation) throw EngineReset{};
        }
    }
}

// ---- waveforms ---------------------------------------------------------------------------------

void trace_vgic(sc_core::sc_trace_file* tf, VgicBase& gic, const std::string& prefix) {
    const std::string top = prefix.empty() ? std::string(gic.basename()) : prefix;
    const char* unit = gic.mode() == Mode::Vm ? ".vcpu" : ".cpu";
    for (unsigned i = 0; i < gic.num_cpus(); ++i) {
        VgicCpuIfBase& c = gic.cpu_if(i);
        const std::string p = top + unit + std::to_string(i) + ".";
        sc_core::sc_trace(tf, c.irq_level, p + "irq");
        sc_core::sc_trace(tf, c.fiq_level, p + "fiq");
        sc_core::sc_trace(tf, c.virq_level, p + "virq");
        sc_core::sc_trace(tf, c.vfiq_level, p + "vfiq");
        sc_core::sc_trace(tf, c.maintenance_level, p + "maintenance");
        sc_core::sc_trace(tf, c.running_state, p + "running");
        sc_core::sc_trace(tf, c.lrs_in_use, p + "lrs_in_use");
    }
}

} // namespace vgic::tlm
