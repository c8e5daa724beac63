#include "run/platform.hpp"

#include "guest/linux_gicv2_driver.hpp"
#include "guest/linux_gicv3_driver.hpp"
#include "vgic/model/generic_timer.hpp"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <unordered_map>
#include <utility>

namespace vgic::run {

using namespace sc_core;

namespace {

constexpr std::size_t kNoRecord = ~std::size_t{0};
constexpr std::uint64_t kNever = ~std::uint64_t{0};
constexpr std::uint32_t kMaintenanceIntid = 25;  // GICv2/GICv3 maintenance PPI (Linux DT: PPI 9)

std::uint64_t now_ps() { return sc_time_stamp().value(); }  // the resolution is 1 ps (checked below)
sc_time ps(std::uint64_t v) { return sc_time(static_cast<double>(v), SC_PS); }

// ---- interrupt bookkeeping ----------------------------------------------------------------

/// Which source generations an acknowledgement can belong to: the GIC keeps one pending
/// state per (INTID, target) — per source CPU too for GICv2 SGIs — so generations with the
/// same key that arrive while one is pending are merged by the GIC.
std::uint64_t record_key(unsigned vm, IrqClass cls, unsigned target, unsigned source, std::uint32_t intid) {
    return (std::uint64_t{vm} << 52) | (std::uint64_t(cls) << 48) | (std::uint64_t{target & 0xFFFF} << 32) |
           (std::uint64_t{source & 0xFFFF} << 16) | intid;
}
constexpr unsigned kAnyVcpu = 0xFFFF;  // SPIs: any vCPU may take them

class Recorder {
public:
    explicit Recorder(RunRecord& r) : r_(r) {}

    std::size_t open(std::uint64_t key, unsigned vm, unsigned vcpu, IrqClass cls, std::uint32_t intid) {
        if (closed) return kNoRecord;
        InterruptRecord rec;
        rec.vm = vm;
        rec.vcpu = vcpu;
        rec.cls = cls;
        rec.intid = intid;
        rec.asserted_ps = now_ps();
        r_.interrupts.push_back(rec);
        const std::size_t i = r_.interrupts.size() - 1;
        outstanding_[key].push_back(i);
        return i;
    }

    /// An IAR read issued at `issued_ps` returned the interrupt of `key` on `vcpu`: the oldest
    /// outstanding generation is the one handled. The others asserted before the read were
    /// merged into it by the GIC if the read left the interrupt not pending (`still_pending`
    /// false), or if a generation asserted after the read explains the pending state. They
    /// stay outstanding otherwise: in vm mode an edge that arrives while the interrupt waits
    /// in a list register latches anew in the virtual distributor and is delivered again
    /// after the EOI (KVM clears the latch when it fills the LR, vgic_v2_populate_lr).
    /// kNoRecord if nothing was outstanding (a spurious acknowledgement: the caller reports it).
    /// `sched_in_ps`: when `vcpu` was last scheduled in after being descheduled (-1: never);
    /// at or after the assertion means the interrupt waited for it.
    std::size_t acknowledge(std::uint64_t key, unsigned vcpu, std::uint64_t issued_ps, std::uint64_t done_ps,
                            std::int64_t sched_in_ps, bool still_pending) {
        auto it = outstanding_.find(key);
        if (it == outstanding_.end() || it->second.empty()) return kNoRecord;
        std::deque<std::size_t>& q = it->second;
        if (r_.interrupts[q.front()].asserted_ps > issued_ps) return kNoRecord;
        const std::size_t h = q.front();
        q.pop_front();
        InterruptRecord& rec = r_.interrupts[h];
        rec.outcome = InterruptRecord::Outcome::Handled;
        rec.vcpu = vcpu;
        rec.iar_ps = static_cast<std::int64_t>(done_ps);
        rec.waited_descheduled = sched_in_ps >= 0 && static_cast<std::uint64_t>(sched_in_ps) >= rec.asserted_ps;
        const bool later = !q.empty() && r_.interrupts[q.back()].asserted_ps > issued_ps;
        if (!still_pending || later) {
            while (!q.empty() && r_.interrupts[q.front()].asserted_ps <= issued_ps) {
                merge(q.front(), h);
                q.pop_front();
            }
        }
        return h;
    }

    /// Every generation of `key` still outstanding is merged into handled record `into`
    /// (a level source cleared by its handler consumed them all).
    void merge_outstanding(std::uint64_t key, std::size_t into) {
        auto it = outstanding_.find(key);
        if (it == outstanding_.end()) return;
        for (std::size_t i : it->second) merge(i, into);
        it->second.clear();
    }

    /// A generation that produced no new edge (its line was still high): merged into `into`.
    void merge_last_outstanding(std::uint64_t key, std::size_t into) {
        auto it = outstanding_.find(key);
        if (it == outstanding_.end() || it->second.empty()) return;
        merge(it->second.back(), into);
        it->second.pop_back();
    }

    void complete(std::size_t h) {
        const auto t = static_cast<std::int64_t>(now_ps());
        InterruptRecord& handled = r_.interrupts[h];
        handled.eoi_ps = t;
        auto g = groups_.find(h);
        if (g == groups_.end()) return;
        // Members merged while `h` was still pending got no IAR time then: they take its now.
        for (std::size_t m : g->second) {
            InterruptRecord& rec = r_.interrupts[m];
            rec.vcpu = handled.vcpu;
            rec.iar_ps = handled.iar_ps;
            rec.eoi_ps = t;
        }
        groups_.erase(g);
    }

    InterruptRecord& at(std::size_t i) { return r_.interrupts[i]; }
    bool closed = false;  // the run is over

private:
    void merge(std::size_t i, std::size_t into) {
        InterruptRecord& m = r_.interrupts[i];
        const InterruptRecord& h = r_.interrupts[into];
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
            InterruptRecord& rec = r_.interrupts[j];
            rec.vcpu = h.vcpu;
            rec.iar_ps = h.iar_ps;
            rec.eoi_ps = h.eoi_ps;
        }
        if (open) {
            std::vector<std::size_t>& g = groups_[into];
            g.push_back(i);
            g.insert(g.end(), members.begin(), members.end());
        }
    }

    RunRecord& r_;
    std::unordered_map<std::uint64_t, std::deque<std::size_t>> outstanding_;
    std::unordered_map<std::size_t, std::vector<std::size_t>> groups_;  // handled -> merged, until EOI
};

// ---- the platform -----------------------------------------------------------------------------

class Platform;
struct Vm;

/// What the guest is doing while it is in the guest.
enum class Activity { Guest, Idle, Handler };

struct Vcpu {
    Vm* vm = nullptr;
    unsigned index = 0;
    unsigned pcpu = 0;
    std::size_t record = 0;  // index into RunRecord::vcpus
    tlm::VgicCpuIf* cif = nullptr;
    bool vm_mode = true;
    Activity activity = Activity::Guest;
    bool on_pcpu = true;  // the scheduler has it on its physical CPU (hw mode: always)
    VcpuState shown = VcpuState::Hypervisor;
    std::uint64_t shown_since = 0;
    std::int64_t sched_in_ps = -1;  // last time it was scheduled in after being descheduled (-1: never)
    // WFI blocking (vm mode, wfi: block)
    bool blocked = false;
    bool wake_pending = false;
    bool queued = false;  // in its scheduler's run queue
    sc_event resumed;     // a blocked vCPU is back in the guest
    sc_event wake_timer;  // its next IPI falls due while it is blocked
    // virtual timer
    bool timer_armed = false;
    std::uint64_t cval = 0;
    std::uint64_t period_ticks = 0;
    // IPIs
    std::uint64_t next_ipi_ps = kNever;
    std::uint64_t ipi_period_ps = 0;
    sc_event ipi_event;
    // the handled record of the interrupt being handled
    std::size_t handling = kNoRecord;
    // The last read's issue and completion: in the handler callback that read is the IAR
    // (in split mode the EOIR write that follows it is not a read).
    std::uint64_t last_read_issue_ps = 0, last_read_done_ps = 0;
    // LR occupancy
    unsigned lr_count = 0;
    std::uint64_t lr_since = 0;
};

/// The guest's GIC driver, GICv2 or GICv3, behind one interface.
class GuestGic {
public:
    virtual ~GuestGic() = default;
    virtual void boot_distributor(unsigned cpu) = 0;
    virtual void boot_cpu(unsigned cpu) = 0;
    virtual void steer(unsigned cpu, std::uint32_t intid, bool edge, unsigned target) = 0;
    virtual void unmask(unsigned cpu, std::uint32_t intid) = 0;
    virtual void send_ipi(unsigned from, const std::vector<unsigned>& targets, std::uint32_t sgi) = 0;
    /// The IAR/EOIR loop; `handler(intid, source_cpu)` between acknowledge and completion.
    using Handler = std::function<void(std::uint32_t intid, unsigned source)>;
    virtual void handle(unsigned cpu, const Handler& handler, const std::function<void(std::uint32_t)>& done) = 0;
    virtual const std::vector<std::string>& errors() const = 0;
};

struct Device {
    const DeviceSpec* spec = nullptr;
    unsigned index = 0;
    Vm* vm = nullptr;
    bool high = false;
    std::uint64_t low_at = 0;  // edge: the pulse ends
    sc_event pulse_end;
    std::size_t last_record = kNoRecord;
};

struct Pcpu {
    unsigned index = 0;
    std::vector<Vcpu*> vcpus;  // the vm-mode vCPUs it runs
    std::deque<Vcpu*> queue;   // runnable, waiting for the CPU
    Vcpu* current = nullptr;
    sc_event event;  // a block request or a vCPU became runnable
};

using InitSocket = tlm_utils::simple_initiator_socket<sc_module, 32>;

/// One VM: its GIC, timer, the guest's sockets and driver, its vCPUs.
struct Vm : sc_module {
    Platform& platform;
    unsigned index;
    const VmSpec& spec;
    tlm::Vgic gic;
    tlm::VirtualTimer timer;
    sc_vector<InitSocket> gicd, gicc, sysreg;
    InitSocket gicr;
    std::unique_ptr<guest::Gicv2Bus> bus2;
    std::unique_ptr<guest::Gicv3Bus> bus3;
    std::unique_ptr<GuestGic> driver;
    std::vector<Vcpu*> vcpus;
    bool untimed = false;  // guest boot without access latencies (guest.boot: false)
    bool distributor_ready = false;
    sc_event distributor_ready_event;
    std::size_t vcpus_booted = 0;  // vCPUs past their per-CPU driver boot
    bool devices_ready = false;
    sc_event devices_ready_event;

    Vm(const sc_module_name& n, Platform& p, unsigned i, const VmSpec& s, const tlm::VgicParams& params,
       const TimerConfig& tc)
        : sc_module(n), platform(p), index(i), spec(s), gic("gic", params), timer("timer", gic, tc),
          gicd("gicd", s.vcpus), gicc("gicc", s.vcpus), sysreg("sysreg", s.vcpus), gicr("gicr") {
        for (unsigned c = 0; c < s.vcpus; ++c) {
            gicd[c].bind(gic.distributor.socket[c]);
            gicc[c].bind(gic.cpu[c].gicc);
            sysreg[c].bind(timer.sysreg[c]);
        }
        gicr.bind(gic.redistributor.socket);
    }

    /// One access by vCPU `cpu` through `sock`, issued when the vCPU is in the guest; the
    /// calling thread (that vCPU's) waits out the access latency.
    std::uint64_t access(unsigned cpu, InitSocket& sock, std::uint64_t address, unsigned len, bool write,
                         std::uint64_t value, bool cpu_extension = false);
    /// Guest computation of `d` ps on vCPU `cpu`: time only passes while it is in the guest.
    void compute(unsigned cpu, std::uint64_t d);
    void wait_in_guest(unsigned cpu);
};

// ---- buses the driver models run on -----------------------------------------------------------

class TlmGicv2Bus final : public guest::Gicv2Bus {
public:
    explicit TlmGicv2Bus(Vm& vm) : vm_(vm) {}
    std::uint32_t read32(unsigned cpu, guest::Frame frame, std::uint32_t offset) override {
        return static_cast<std::uint32_t>(vm_.access(cpu, socket(cpu, frame), offset, 4, false, 0));
    }
    void write32(unsigned cpu, guest::Frame frame, std::uint32_t offset, std::uint32_t value) override {
        vm_.access(cpu, socket(cpu, frame), offset, 4, true, value);
    }
    void write8(unsigned cpu, guest::Frame frame, std::uint32_t offset, std::uint8_t value) override {
        vm_.access(cpu, socket(cpu, frame), offset, 1, true, value);
    }

private:
    InitSocket& socket(unsigned cpu, guest::Frame f) { return f == guest::Frame::Gicd ? vm_.gicd[cpu] : vm_.gicc[cpu]; }
    Vm& vm_;
};

class TlmGicv3Bus final : public guest::Gicv3Bus {
public:
    explicit TlmGicv3Bus(Vm& vm) : vm_(vm) {}
    std::uint32_t read32(unsigned cpu, guest::Frame3 frame, std::uint32_t offset) override {
        return static_cast<std::uint32_t>(mmio(cpu, frame, offset, 4, false, 0));
    }
    std::uint64_t read64(unsigned cpu, guest::Frame3 frame, std::uint32_t offset) override {
        return mmio(cpu, frame, offset, 8, false, 0);
    }
    void write32(unsigned cpu, guest::Frame3 frame, std::uint32_t offset, std::uint32_t value) override {
        mmio(cpu, frame, offset, 4, true, value);
    }
    void write64(unsigned cpu, guest::Frame3 frame, std::uint32_t offset, std::uint64_t value) override {
        mmio(cpu, frame, offset, 8, true, value);
    }
    void write8(unsigned cpu, guest::Frame3 frame, std::uint32_t offset, std::uint8_t value) override {
        mmio(cpu, frame, offset, 1, true, value);
    }
    std::uint64_t mrs(unsigned cpu, std::uint32_t encoding) override {
        return vm_.access(cpu, vm_.sysreg[cpu], encoding, 8, false, 0);
    }
    void msr(unsigned cpu, std::uint32_t encoding, std::uint64_t value) override {
        vm_.access(cpu, vm_.sysreg[cpu], encoding, 8, true, value);
    }
    // Linux's udelay(1): guest time passes (RWP completes), whatever the boot mode.
    void delay_1us(unsigned cpu) override { vm_.compute(cpu, 1'000'000); }

private:
    std::uint64_t mmio(unsigned cpu, guest::Frame3 f, std::uint32_t offset, unsigned len, bool write,
                       std::uint64_t value) {
        if (f == guest::Frame3::Gicr) return vm_.access(cpu, vm_.gicr, offset, len, write, value, true);
        if (f == guest::Frame3::Sysreg) return vm_.access(cpu, vm_.sysreg[cpu], offset, 8, write, value);
        return vm_.access(cpu, vm_.gicd[cpu], offset, len, write, value);
    }
    Vm& vm_;
};

/// What the two Linux drivers do alike: per-CPU boot, steering, unmasking, messages.
template <class Driver>
class LinuxGuest : public GuestGic {
public:
    template <class... Args>
    explicit LinuxGuest(Args&&... args) : d_(std::forward<Args>(args)...) {}
    void boot_cpu(unsigned cpu) override {
        d_.cpu_init(cpu);
        d_.enable_ipis(cpu);
    }
    void steer(unsigned cpu, std::uint32_t intid, bool edge, unsigned target) override {
        d_.set_type(cpu, intid, edge);
        d_.set_affinity(cpu, intid, target);
        d_.unmask(cpu, intid);
    }
    void unmask(unsigned cpu, std::uint32_t intid) override { d_.unmask(cpu, intid); }
    const std::vector<std::string>& errors() const override { return d_.errors(); }

protected:
    Driver d_;
};

class Gicv2Guest final : public LinuxGuest<guest::LinuxGicv2Driver> {
public:
    Gicv2Guest(guest::Gicv2Bus& bus, unsigned cpus, bool split) : LinuxGuest(bus, cpus, split) {}
    void boot_distributor(unsigned cpu) override { d_.distributor_init(cpu); }
    void send_ipi(unsigned from, const std::vector<unsigned>& targets, std::uint32_t sgi) override {
        std::uint32_t mask = 0;
        for (unsigned t : targets) mask |= 1u << t;
        d_.send_ipi(from, mask, sgi);
    }
    void handle(unsigned cpu, const Handler& h, const std::function<void(std::uint32_t)>& done) override {
        // GICC_IAR[12:10] names the requesting CPU of an SGI (its interface number; the
        // platform's vCPU i is interface i).
        d_.handle_irq(cpu, [&h](std::uint32_t intid, std::uint32_t iar) { h(intid, (iar >> 10) & 7u); }, done);
    }
};

class Gicv3Guest final : public LinuxGuest<guest::LinuxGicv3Driver> {
public:
    Gicv3Guest(guest::Gicv3Bus& bus, std::vector<std::uint64_t> mpidr, bool split)
        : LinuxGuest(bus, std::move(mpidr), split) {}
    void boot_distributor(unsigned cpu) override {
        if (d_.probe(cpu)) d_.distributor_init(cpu);
    }
    void send_ipi(unsigned from, const std::vector<unsigned>& targets, std::uint32_t sgi) override {
        d_.send_ipi(from, targets, sgi);
    }
    void handle(unsigned cpu, const Handler& h, const std::function<void(std::uint32_t)>& done) override {
        // GICv3 SGIs carry no source: one pending state per target.
        d_.handle_irq(cpu, [&h](std::uint32_t intid) { h(intid, 0); }, done);
    }
};

// ---- the platform module ----------------------------------------------------------------------

class Platform : public sc_module {
public:
    Platform(const sc_module_name& n, const Scenario& s, RunRecord& r, const PlatformOptions& o);
    ~Platform() override;
    void finish();

    Recorder recorder;
    const Scenario& scenario;
    RunRecord& record;

    // Guest side
    void guest_main(Vcpu& v);
    void take_irq(Vcpu& v);
    void on_ack(Vcpu& v, std::uint32_t intid, unsigned source);
    void send_ipis(Vcpu& v);
    void wfi(Vcpu& v);
    bool line_high(const Vcpu& v) const;
    bool model_line_high(const Vcpu& v) const;
    const sc_event& line_rise(const Vcpu& v) const;
    void set_activity(Vcpu& v, Activity a);
    void refresh_state(Vcpu& v);
    std::uint64_t irq_entry(const Vcpu& v) const;
    void arm_timer(Vcpu& v);

    // Scheduler
    void scheduler_main(Pcpu& p);
    void wake(Vcpu& v);
    void block(Vcpu& v);
    void make_runnable(Vcpu& v);

    // Sources and observers
    void device_main(Device& d);
    void device_fire(Device& d);
    void device_clear(Device& d);
    void maintenance_watch(Vcpu& v);
    void on_lr_count(Vcpu& v);
    void progress_main();
    void collect_driver_errors(Vm& vm);

    std::vector<std::unique_ptr<Vm>> vms;
    std::vector<std::unique_ptr<Vcpu>> vcpus;
    std::vector<std::unique_ptr<Device>> devices;
    std::vector<std::unique_ptr<Pcpu>> pcpus;
    /// Threads that hold heap memory on their stacks while they wait (drivers' vectors,
    /// std::function handlers): killed at the end so that SystemC unwinds them.
    std::vector<sc_process_handle> threads;
    bool stopped = false;  // the run is over: record nothing more
    sc_event reap;         // kills `threads`
    std::vector<Device*> device_of_intid_;  // [vm * 1020 + intid]
    sc_trace_file* vcd = nullptr;
    PlatformOptions options;
};

std::uint64_t Vm::access(unsigned cpu, InitSocket& sock, std::uint64_t address, unsigned len, bool write,
                         std::uint64_t value, bool cpu_extension) {
    Vcpu& v = *vcpus[cpu];
    if (!untimed) wait_in_guest(cpu);
    ::tlm::tlm_generic_payload tx;
    tlm::CpuIdExtension ext(cpu);
    if (cpu_extension) tx.set_extension(&ext);
    unsigned char data[8] = {};
    for (unsigned i = 0; i < len; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
    tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
    tx.set_address(address);
    tx.set_data_ptr(data);
    tx.set_data_length(len);
    tx.set_streaming_width(len);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    const std::uint64_t issued = now_ps();
    sock->b_transport(tx, delay);
    if (!write) {
        v.last_read_issue_ps = issued;
        v.last_read_done_ps = issued + (untimed ? 0 : delay.value());
    }
    if (cpu_extension) tx.clear_extension(&ext);
    if (!tx.is_response_ok()) {
        VmRecord& r = platform.record.vms[index];
        ++r.bad_accesses;
        if (r.guest_errors.size() < 20)
            r.guest_errors.push_back("vCPU " + std::to_string(cpu) + ": " + (write ? "write" : "read") + " of " +
                                     std::to_string(len) + " bytes at 0x" + [&] {
                                         char b[20];
                                         std::snprintf(b, sizeof b, "%llx", static_cast<unsigned long long>(address));
                                         return std::string(b);
                                     }() + " answered " + tx.get_response_string());
    }
    // Wait even a zero delay (one delta cycle): effects the target scheduled for "now", such
    // as the timer output falling after a CVAL write, must be visible to the next access;
    // with the zero profile a guest would otherwise acknowledge a level that already fell,
    // again and again, without time passing.
    if (!untimed) sc_core::wait(delay);
    std::uint64_t out = 0;
    for (unsigned i = 0; i < len; ++i) out |= std::uint64_t{data[i]} << (8 * i);
    return out;
}

void Vm::wait_in_guest(unsigned cpu) {
    Vcpu& v = *vcpus[cpu];
    if (!v.vm_mode) return;
    while (!v.cif->running()) sc_core::wait(v.cif->running_state.posedge_event());
}

void Vm::compute(unsigned cpu, std::uint64_t d) {
    Vcpu& v = *vcpus[cpu];
    if (!v.vm_mode) {
        if (d != 0) sc_core::wait(ps(d));
        return;
    }
    std::uint64_t remaining = d;
    while (remaining != 0) {
        wait_in_guest(cpu);
        const std::uint64_t t0 = now_ps();
        sc_core::wait(ps(remaining), v.cif->running_state.negedge_event());
        remaining -= std::min(remaining, now_ps() - t0);
    }
}

Platform::Platform(const sc_module_name& n, const Scenario& s, RunRecord& r, const PlatformOptions& o)
    : sc_module(n), recorder(r), scenario(s), record(r), options(o) {
    record.scenario = &s;
    TimerConfig tc;
    tc.frequency_hz = s.counter_hz;
    for (unsigned p = 0; p < s.pcpus; ++p) {
        pcpus.push_back(std::make_unique<Pcpu>());
        pcpus.back()->index = p;
    }
    device_of_intid_.assign(s.vms.size() * 1020, nullptr);
    for (unsigned i = 0; i < s.vms.size(); ++i) {
        const VmSpec& spec = s.vms[i];
        tlm::VgicParams params;
        params.gic = gic_config_of(s, i);
        params.mode = spec.mode == VmMode::Vm ? tlm::Mode::Vm : tlm::Mode::Hw;
        params.timing = spec.profile;
        params.hypervisor = spec.hyp;
        // Module names are SystemC hierarchy names (no dots): "vm<i>"; traces use the VM's name.
        vms.push_back(std::make_unique<Vm>(("vm" + std::to_string(i)).c_str(), *this, i, spec, params, tc));
        Vm& vm = *vms.back();
        vm.untimed = !spec.guest.boot;
        VmRecord vr;
        vr.name = spec.name;
        vr.gic = spec.gic == GicVersion::V3 ? "v3" : "v2";
        vr.mode = spec.mode == VmMode::Vm ? "vm" : "hw";
        vr.timing = spec.profile.name;
        vr.vcpus = spec.vcpus;
        vr.lrs = spec.lrs;
        record.vms.push_back(vr);
        if (spec.gic == GicVersion::V3) {
            vm.bus3 = std::make_unique<TlmGicv3Bus>(vm);
            std::vector<std::uint64_t> mpidr;
            for (unsigned c = 0; c < spec.vcpus; ++c) mpidr.push_back(params.gic.mpidr_of(c));
            vm.driver = std::make_unique<Gicv3Guest>(*vm.bus3, std::move(mpidr), spec.guest.split_eoi);
        } else {
            vm.bus2 = std::make_unique<TlmGicv2Bus>(vm);
            vm.driver = std::make_unique<Gicv2Guest>(*vm.bus2, spec.vcpus, spec.guest.split_eoi);
        }
        for (unsigned c = 0; c < spec.vcpus; ++c) {
            vcpus.push_back(std::make_unique<Vcpu>());
            Vcpu& v = *vcpus.back();
            v.vm = &vm;
            v.index = c;
            v.pcpu = spec.pcpus.empty() ? c % s.pcpus : spec.pcpus[c % spec.pcpus.size()];
            v.cif = &vm.gic.cpu[c];
            v.vm_mode = spec.mode == VmMode::Vm;
            v.record = record.vcpus.size();
            VcpuRecord vr2;
            vr2.vm = i;
            vr2.vcpu = c;
            vr2.pcpu = v.pcpu;
            vr2.lr_time_ps.assign(spec.lrs + 1, 0);
            vr2.timeline.push_back({0, v.vm_mode ? VcpuState::Hypervisor : VcpuState::Guest});
            v.shown = vr2.timeline.back().state;
            record.vcpus.push_back(vr2);
            vm.vcpus.push_back(&v);
            if (v.vm_mode) pcpus[v.pcpu]->vcpus.push_back(&v);
        }
        if (spec.mode == VmMode::Vm) {
            vm.gic.on_pending_while_stopped([this, &vm](unsigned c) { wake(*vm.vcpus[c]); });
            vm.timer.on_wake([this, &vm](unsigned c) { wake(*vm.vcpus[c]); });
        }
    }
    for (unsigned d = 0; d < s.devices.size(); ++d) {
        devices.push_back(std::make_unique<Device>());
        Device& dev = *devices.back();
        dev.spec = &s.devices[d];
        dev.index = d;
        dev.vm = vms[dev.spec->vm].get();
        device_of_intid_[dev.spec->vm * 1020 + dev.spec->intid] = &dev;
    }

    // Processes.
    for (auto& vp : vcpus) {
        Vcpu* v = vp.get();
        threads.push_back(sc_spawn([this, v] { guest_main(*v); }, sc_gen_unique_name("guest")));
        if (v->vm_mode) {
            threads.push_back(sc_spawn([this, v] { maintenance_watch(*v); }, sc_gen_unique_name("maintenance")));
            sc_spawn_options m;
            m.spawn_method();
            m.set_sensitivity(&v->cif->running_state.value_changed_event());
            m.dont_initialize();
            sc_spawn([this, v] { refresh_state(*v); }, sc_gen_unique_name("state"), &m);
            sc_spawn_options x;
            x.spawn_method();
            x.set_sensitivity(&v->cif->sync_done);
            x.dont_initialize();
            sc_spawn(
                [this, v] {
                    if (!stopped) ++record.vcpus[v->record].exits;
                },
                sc_gen_unique_name("exits"), &x);
            sc_spawn_options w;
            w.spawn_method();
            w.set_sensitivity(&v->wake_timer);
            w.dont_initialize();
            sc_spawn([this, v] { wake(*v); }, sc_gen_unique_name("ipi_wake"), &w);
        }
        sc_spawn_options l;
        l.spawn_method();
        l.set_sensitivity(&v->cif->lrs_in_use.value_changed_event());
        l.dont_initialize();
        sc_spawn([this, v] { on_lr_count(*v); }, sc_gen_unique_name("lrs"), &l);
        // Timer expiries: the rising output of the vCPU's virtual timer is the assertion.
        sc_spawn_options t;
        t.spawn_method();
        t.set_sensitivity(&v->vm->timer.cntv_level[v->index].posedge_event());
        t.dont_initialize();
        sc_spawn(
            [this, v] {
                recorder.open(record_key(v->vm->index, IrqClass::TimerPpi, v->index, 0, 27), v->vm->index, v->index,
                              IrqClass::TimerPpi, 27);
            },
            sc_gen_unique_name("timer_watch"), &t);
    }
    for (auto& p : pcpus) {
        Pcpu* pc = p.get();
        if (!pc->vcpus.empty())
            threads.push_back(sc_spawn([this, pc] { scheduler_main(*pc); }, sc_gen_unique_name("scheduler")));
    }
    for (auto& d : devices) {
        Device* dv = d.get();
        threads.push_back(sc_spawn([this, dv] { device_main(*dv); }, sc_gen_unique_name("device")));
        sc_spawn_options e;
        e.spawn_method();
        e.set_sensitivity(&dv->pulse_end);
        e.dont_initialize();
        sc_spawn(
            [dv] {
                if (!dv->high || !dv->spec->edge) return;
                // A later event stretched the pulse (sc_event keeps the earliest notification).
                if (now_ps() < dv->low_at) {
                    dv->pulse_end.notify(ps(dv->low_at - now_ps()));
                    return;
                }
                dv->high = false;
                dv->vm->gic.set_spi_level(dv->spec->intid, false);
            },
            sc_gen_unique_name("pulse"), &e);
    }
    if (options.progress) threads.push_back(sc_spawn([this] { progress_main(); }, sc_gen_unique_name("progress")));
    sc_spawn_options reaper;
    reaper.spawn_method();
    reaper.set_sensitivity(&reap);
    reaper.dont_initialize();
    sc_spawn(
        [this] {
            for (sc_process_handle& h : threads)
                if (!h.terminated()) h.kill();
        },
        sc_gen_unique_name("reaper"), &reaper);

    if (!options.vcd_path.empty()) {
        std::string base = options.vcd_path;
        if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
        vcd = sc_create_vcd_trace_file(base.c_str());
        if (vcd == nullptr) throw std::runtime_error("cannot create the VCD file " + options.vcd_path);
        vcd->set_time_unit(1, SC_PS);  // the model times events to the ps (cycles of 833 ps, Poisson arrivals)
        record.vcd_path = base + ".vcd";
        for (auto& vm : vms) {
            tlm::trace_vgic(vcd, vm->gic, vm->spec.name);
            tlm::trace_timer(vcd, vm->timer, vm->spec.name);
            const char* unit = vm->spec.mode == VmMode::Vm ? ".vcpu" : ".cpu";
            for (unsigned c = 0; c < vm->spec.vcpus; ++c) {
                const std::string g = vm->spec.name + unit + std::to_string(c);
                for (const char* sig : {"irq", "fiq", "virq", "vfiq", "maintenance", "running", "lrs_in_use"})
                    record.signals.push_back({g, g + "." + sig});
                const std::string tg = vm->spec.name + ".cpu" + std::to_string(c);
                record.signals.push_back({g, tg + ".cntv"});
                record.signals.push_back({g, tg + ".cntp"});
            }
        }
    }
}

Platform::~Platform() {
    if (vcd != nullptr) sc_close_vcd_trace_file(vcd);
}

// ---- guest ------------------------------------------------------------------------------------

std::uint64_t Platform::irq_entry(const Vcpu& v) const {
    const GuestSpec& g = v.vm->spec.guest;
    return g.irq_entry_ps >= 0 ? static_cast<std::uint64_t>(g.irq_entry_ps) : v.vm->spec.profile.irq_entry;
}

bool Platform::line_high(const Vcpu& v) const {
    return v.vm_mode ? v.cif->virq_level.read() : v.cif->irq_level.read();
}

bool Platform::model_line_high(const Vcpu& v) const {
    if (v.vm_mode) return v.vm->gic.vm_model()->line(v.index, Line::VIrq);
    return v.vm->gic.hw_model()->line(v.index, Line::Irq);
}

const sc_event& Platform::line_rise(const Vcpu& v) const {
    return v.vm_mode ? v.cif->virq_level.posedge_event() : v.cif->irq_level.posedge_event();
}

void Platform::set_activity(Vcpu& v, Activity a) {
    v.activity = a;
    refresh_state(v);
}

void Platform::refresh_state(Vcpu& v) {
    if (stopped) return;
    VcpuState s;
    const bool in_guest = !v.vm_mode || v.cif->running();
    if (!in_guest) s = v.on_pcpu ? VcpuState::Hypervisor : VcpuState::Descheduled;
    else if (v.activity == Activity::Handler) s = VcpuState::Handler;
    else if (v.activity == Activity::Idle) s = VcpuState::Idle;
    else s = VcpuState::Guest;
    if (s == v.shown) return;
    VcpuRecord& r = record.vcpus[v.record];
    const std::uint64_t t = now_ps();
    r.state_time_ps[static_cast<unsigned>(v.shown)] += t - v.shown_since;
    if (!r.timeline.empty() && r.timeline.back().t_ps == t) r.timeline.back().state = s;
    else r.timeline.push_back({t, s});
    v.shown = s;
    v.shown_since = t;
}

void Platform::arm_timer(Vcpu& v) {
    const TimerSpec& ts = v.vm->spec.guest.timer;
    if (ts.kind == TimerSpec::Kind::None) return;
    Vm& vm = *v.vm;
    const std::uint64_t hz = scenario.counter_hz;
    // The tick in counter ticks, rounded to the nearest tick (exact for the usual rates).
    auto ticks_of = [hz](std::uint64_t t_ps) {
        return static_cast<std::uint64_t>((static_cast<long double>(t_ps) * hz) / 1e12L + 0.5L);
    };
    const std::uint64_t cnt = vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTVCT_EL0, 8, false, 0);
    std::uint64_t first;
    if (ts.kind == TimerSpec::Kind::Periodic) {
        v.period_ticks = std::max<std::uint64_t>(1, ticks_of(ts.period_ps));
        first = ts.first_ps != 0 ? ticks_of(ts.first_ps) : v.period_ticks;
    } else {
        first = ticks_of(ts.first_ps);
    }
    v.cval = cnt + std::max<std::uint64_t>(first, 1);
    v.timer_armed = true;
    vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CVAL_EL0, 8, true, v.cval);
    vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CTL_EL0, 8, true, 1);  // ENABLE, IMASK clear
}

void Platform::guest_main(Vcpu& v) {
    Vm& vm = *v.vm;
    const GuestSpec& g = vm.spec.guest;
    vm.wait_in_guest(v.index);
    // Linux brings the boot CPU's distributor up before the secondaries start.
    if (v.index == 0) {
        vm.driver->boot_distributor(0);
        vm.distributor_ready = true;
        vm.distributor_ready_event.notify(SC_ZERO_TIME);
    } else {
        while (!vm.distributor_ready) sc_core::wait(vm.distributor_ready_event);
    }
    vm.driver->boot_cpu(v.index);
    // Devices are set up once every vCPU is online, as Linux requests and steers device
    // interrupts after SMP bring-up: the GICv2 driver's ITARGETSR byte for a CPU is that CPU's
    // own mask, learnt in its cpu_init (gic_cpu_map, 0xFF until then). Steering from vCPU 0
    // right after its own boot wrote 0xFF for a secondary not yet up, and the SPI then went to
    // the lowest target, vCPU 0, whatever the scenario's `target`.
    if (++vm.vcpus_booted == vm.vcpus.size()) {
        for (auto& d : devices)
            if (d->vm == &vm) vm.driver->steer(v.index, d->spec->intid, d->spec->edge, d->spec->target_vcpu);
        vm.devices_ready = true;
        vm.devices_ready_event.notify(SC_ZERO_TIME);
    }
    if (g.timer.kind != TimerSpec::Kind::None) vm.driver->unmask(v.index, 27);
    collect_driver_errors(vm);
    vm.untimed = false;
    arm_timer(v);
    const bool sends = g.ipi.rate_hz > 0 && (g.ipi.senders.empty() ||
                                             std::find(g.ipi.senders.begin(), g.ipi.senders.end(), v.index) !=
                                                 g.ipi.senders.end());
    if (sends) {
        v.ipi_period_ps = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e12 / g.ipi.rate_hz + 0.5));
        v.next_ipi_ps = now_ps() + v.ipi_period_ps;
        v.ipi_event.notify(ps(v.ipi_period_ps));
    }
    for (;;) {
        if (line_high(v)) {
            take_irq(v);
            continue;
        }
        if (v.next_ipi_ps <= now_ps()) {
            send_ipis(v);
            continue;
        }
        wfi(v);
    }
}

void Platform::wfi(Vcpu& v) {
    const sc_time settle = ps(v.vm->spec.profile.signal_delay + 1000);
    if (model_line_high(v)) {
        // Pending but not yet signalled: WFI completes; the exception follows the line. The
        // timeout re-evaluates if the interrupt went away before the line rose.
        sc_core::wait(settle, line_rise(v));
        return;
    }
    const bool blocks = v.vm_mode && scenario.scheduler.wfi == SchedulerSpec::Wfi::Block;
    set_activity(v, Activity::Idle);
    if (!blocks) {
        if (v.next_ipi_ps != kNever) sc_core::wait(line_rise(v) | v.ipi_event);
        else sc_core::wait(line_rise(v));
    } else {
        block(v);
        sc_core::wait(v.resumed);
    }
    set_activity(v, Activity::Guest);
}

void Platform::take_irq(Vcpu& v) {
    Vm& vm = *v.vm;
    set_activity(v, Activity::Handler);
    vm.compute(v.index, irq_entry(v));
    unsigned taken = 0;
    vm.driver->handle(
        v.index,
        [this, &v, &taken](std::uint32_t intid, unsigned source) {
            ++taken;
            on_ack(v, intid, source);
        },
        [this, &v](std::uint32_t) {
            if (v.handling != kNoRecord) recorder.complete(v.handling);
            v.handling = kNoRecord;
        });
    set_activity(v, Activity::Guest);
    if (taken == 0 && line_high(v)) {
        // A spurious exception (IAR said 1023 while the line is still high: it falls a
        // signal_delay after the state that raised it went away). Wait for it to fall, or a
        // little while, so the loop never spins in zero time (the zero profile has no costs).
        sc_core::wait(ps(v.vm->spec.profile.signal_delay + 1000), v.vm_mode ? v.cif->virq_level.negedge_event()
                                                                           : v.cif->irq_level.negedge_event());
    }
}

void Platform::on_ack(Vcpu& v, std::uint32_t intid, unsigned source) {
    Vm& vm = *v.vm;
    const GuestSpec& g = vm.spec.guest;
    IrqClass cls;
    std::uint64_t key;
    if (intid < 16) {
        cls = IrqClass::Ipi;
        key = record_key(vm.index, cls, v.index, vm.spec.gic == GicVersion::V2 ? source : 0, intid);
    } else if (intid == 27) {
        cls = IrqClass::TimerPpi;
        key = record_key(vm.index, cls, v.index, 0, intid);
    } else {
        cls = IrqClass::DeviceSpi;
        key = record_key(vm.index, cls, kAnyVcpu, 0, intid);
    }
    // vm mode: the pending state may sit in the virtual distributor or in a list register (a
    // flush can move a new edge's latch into the LR, pending and active, during this IAR);
    // asking the distributor alone merged such a generation into this one, and the GIC's later
    // delivery of it found nothing outstanding (docs/RELIABILITY.md finding 6).
    const unsigned ack_source = cls == IrqClass::Ipi && vm.spec.gic == GicVersion::V2 ? source : 0;
    bool still_pending;
    if (v.vm_mode) {
        still_pending = vm.gic.vm_model()->pending_for(v.index, intid, ack_source);
    } else {
        const Distributor& dist = vm.gic.hw_model()->distributor();
        still_pending = cls == IrqClass::Ipi && vm.spec.gic == GicVersion::V2
                            ? ((dist.sgi_sources(v.index, intid) >> source) & 1u) != 0
                            : dist.is_pending(v.index, intid);
    }
    const std::size_t h =
        recorder.acknowledge(key, v.index, v.last_read_issue_ps, v.last_read_done_ps, v.sched_in_ps, still_pending);
    v.handling = h;
    if (h == kNoRecord) {
        std::vector<std::string>& errs = record.vms[vm.index].guest_errors;
        if (errs.size() < 20)
            errs.push_back("vCPU " + std::to_string(v.index) + " acknowledged INTID " + std::to_string(intid) + " at " +
                           tlm::format_time(now_ps()) + " with no generation of it outstanding");
    }
    switch (cls) {
    case IrqClass::TimerPpi: {
        // arch_timer_handler_virt: the measurement reads CNTVCT first; then the tick
        // programs the next deadline (the output falls before the EOI, which matters for
        // the HW-mapped vtimer: the deactivation must not re-trigger it).
        const std::uint64_t cnt = vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTVCT_EL0, 8, false, 0);
        if (h != kNoRecord && v.timer_armed) recorder.at(h).counter_latency_ticks = static_cast<std::int64_t>(cnt - v.cval);
        if (g.timer.kind == TimerSpec::Kind::Periodic) {
            std::uint64_t next = v.cval + v.period_ticks;
            while (next <= cnt) next += v.period_ticks;  // ticks missed while descheduled are skipped, as Linux does
            v.cval = next;
            vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CVAL_EL0, 8, true, next);
        } else {
            v.timer_armed = false;
            vm.access(v.index, vm.sysreg[v.index], timer_regs::CNTV_CTL_EL0, 8, true, 0);
        }
        vm.compute(v.index, g.handler.timer_ps);
        break;
    }
    case IrqClass::DeviceSpi: {
        vm.compute(v.index, g.handler.device_ps);
        if (Device* d = device_of_intid_[vm.index * 1020 + intid]) {
            if (!d->spec->edge) device_clear(*d);
        }
        break;
    }
    case IrqClass::Ipi: vm.compute(v.index, g.handler.ipi_ps); break;
    case IrqClass::Maintenance: break;
    }
}

void Platform::send_ipis(Vcpu& v) {
    Vm& vm = *v.vm;
    const IpiSpec& ipi = vm.spec.guest.ipi;
    const unsigned n = vm.spec.vcpus;
    std::vector<unsigned> targets;
    switch (ipi.targets) {
    case IpiSpec::Targets::Next: targets.push_back((v.index + 1) % n); break;
    case IpiSpec::Targets::All:
        for (unsigned t = 0; t < n; ++t) targets.push_back(t);
        break;
    case IpiSpec::Targets::AllButSelf:
        for (unsigned t = 0; t < n; ++t)
            if (t != v.index) targets.push_back(t);
        break;
    }
    // An IPI that fell due while its sender could not run goes out once, now (Linux sends
    // it from the code that wanted it, not as a queue of missed ones).
    const std::uint64_t now = now_ps();
    while (v.next_ipi_ps <= now) v.next_ipi_ps += v.ipi_period_ps;
    v.ipi_event.notify(ps(v.next_ipi_ps - now));
    if (targets.empty()) return;
    vm.wait_in_guest(v.index);
    // The generation is the SGI register write: opened as it is issued.
    const unsigned source = vm.spec.gic == GicVersion::V2 ? v.index : 0;
    for (unsigned t : targets)
        recorder.open(record_key(vm.index, IrqClass::Ipi, t, source, ipi.sgi), vm.index, t, IrqClass::Ipi, ipi.sgi);
    vm.driver->send_ipi(v.index, targets, ipi.sgi);
}

// ---- scheduler --------------------------------------------------------------------------------

void Platform::make_runnable(Vcpu& v) {
    if (v.queued) return;
    Pcpu& p = *pcpus[v.pcpu];
    v.queued = true;
    p.queue.push_back(&v);
    p.event.notify(SC_ZERO_TIME);
}

void Platform::wake(Vcpu& v) {
    // Only a blocked vCPU that is already off its CPU needs the scheduler; one still being
    // switched out, or in the guest, notes the wake and the scheduler finds it.
    if (!v.blocked) return;
    if (v.on_pcpu) {
        v.wake_pending = true;
        return;
    }
    make_runnable(v);
}

void Platform::block(Vcpu& v) {
    v.blocked = true;
    v.wake_pending = false;
    if (v.next_ipi_ps != kNever) v.wake_timer.notify(ps(v.next_ipi_ps - now_ps()));
    pcpus[v.pcpu]->event.notify(SC_ZERO_TIME);
}

void Platform::scheduler_main(Pcpu& p) {
    const sc_time slice = ps(scenario.scheduler.slice_ps);
    // Time 0: the first vCPU of each physical CPU stays in; the others are switched out.
    for (std::size_t i = 1; i < p.vcpus.size(); ++i) {
        Vcpu& v = *p.vcpus[i];
        v.cif->stop();
        v.queued = true;
        p.queue.push_back(&v);
    }
    for (std::size_t i = 1; i < p.vcpus.size(); ++i) {
        Vcpu& v = *p.vcpus[i];
        while (v.cif->running() || v.cif->running_state.read()) sc_core::wait(v.cif->save_done);
        v.on_pcpu = false;
        refresh_state(v);
    }
    p.current = p.vcpus.front();
    sc_time slice_end = sc_time_stamp() + slice;
    auto switch_out = [&](Vcpu& v) {
        v.cif->stop();
        sc_core::wait(v.cif->save_done);
        v.on_pcpu = false;
        refresh_state(v);
    };
    for (;;) {
        if (p.current == nullptr) {
            if (p.queue.empty()) {
                sc_core::wait(p.event);
                continue;
            }
            Vcpu& v = *p.queue.front();
            p.queue.pop_front();
            v.queued = false;
            p.current = &v;
            v.on_pcpu = true;
            v.sched_in_ps = static_cast<std::int64_t>(now_ps());
            ++record.vcpus[v.record].world_switches;
            refresh_state(v);
            v.cif->run();
            sc_core::wait(v.cif->flush_done);
            if (v.blocked) {
                v.blocked = false;
                v.resumed.notify(SC_ZERO_TIME);
            }
            slice_end = sc_time_stamp() + slice;
            continue;
        }
        Vcpu& v = *p.current;
        if (v.blocked) {
            switch_out(v);
            p.current = nullptr;
            // Woken during the switch (or an interrupt was in flight): runnable at once.
            if (v.wake_pending) {
                v.wake_pending = false;
                make_runnable(v);
            }
            continue;
        }
        if (sc_time_stamp() >= slice_end) {
            if (!p.queue.empty()) {
                switch_out(v);
                p.current = nullptr;
                make_runnable(v);
                continue;
            }
            slice_end = sc_time_stamp() + slice;
        }
        sc_core::wait(slice_end - sc_time_stamp(), p.event);
    }
}

// ---- devices ----------------------------------------------------------------------------------

void Platform::device_main(Device& d) {
    const DeviceSpec& s = *d.spec;
    Vm& vm = *d.vm;
    while (!vm.devices_ready) sc_core::wait(vm.devices_ready_event);
    // One generator per device, seeded from the scenario's seed and the device's position:
    // a run is reproducible and adding a device does not change the others' sequences.
    std::mt19937_64 rng(scenario.seed * 0x9E3779B97F4A7C15ull + d.index + 1);
    const std::uint64_t period = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(1e12 / s.rate_hz + 0.5));
    std::uint64_t next = now_ps() + s.start_ps;
    auto wait_until = [](std::uint64_t t) {
        const std::uint64_t now = now_ps();
        if (t > now) sc_core::wait(ps(t - now));
    };
    for (;;) {
        switch (s.pattern) {
        case DeviceSpec::Pattern::Periodic:
            next += period;
            wait_until(next);
            device_fire(d);
            break;
        case DeviceSpec::Pattern::Poisson: {
            // Exponential inter-arrival times by inversion (portable: the standard
            // distributions' algorithms differ between libraries).
            const double u = std::generate_canonical<double, 53>(rng);
            const double gap_s = -std::log1p(-u) / s.rate_hz;
            next += std::max<std::uint64_t>(1, static_cast<std::uint64_t>(gap_s * 1e12 + 0.5));
            wait_until(next);
            device_fire(d);
            break;
        }
        case DeviceSpec::Pattern::Burst:
            next += period;
            wait_until(next);
            for (unsigned k = 0; k < s.burst_count; ++k) {
                if (k != 0) sc_core::wait(ps(s.burst_spacing_ps));
                device_fire(d);
            }
            break;
        }
    }
}

void Platform::device_fire(Device& d) {
    const DeviceSpec& s = *d.spec;
    Vm& vm = *d.vm;
    const std::uint64_t key = record_key(vm.index, IrqClass::DeviceSpi, kAnyVcpu, 0, s.intid);
    const std::size_t i = recorder.open(key, vm.index, s.target_vcpu, IrqClass::DeviceSpi, s.intid);
    if (d.high) {
        // The line is still high (an edge pulse not over, or an uncleared level): no new edge
        // reaches the GIC; this generation rides on the previous one.
        if (d.last_record != kNoRecord) recorder.merge_last_outstanding(key, d.last_record);
    } else {
        d.last_record = i;
        d.high = true;
        vm.gic.set_spi_level(s.intid, true);
    }
    if (s.edge) {  // the pulse lasts pulse_ps from the latest event
        d.low_at = now_ps() + s.pulse_ps;
        d.pulse_end.notify(ps(s.pulse_ps));
    }
}

void Platform::device_clear(Device& d) {
    // The handler's write to the device's status register: the level falls, and every
    // event the device collected up to now is served by this handling.
    Vm& vm = *d.vm;
    const std::uint64_t key = record_key(vm.index, IrqClass::DeviceSpi, kAnyVcpu, 0, d.spec->intid);
    Vcpu* handler = nullptr;
    for (Vcpu* v : vm.vcpus)
        if (v->handling != kNoRecord && recorder.at(v->handling).intid == d.spec->intid &&
            recorder.at(v->handling).cls == IrqClass::DeviceSpi)
            handler = v;
    if (handler != nullptr) recorder.merge_outstanding(key, handler->handling);
    d.high = false;
    d.last_record = kNoRecord;
    vm.gic.set_spi_level(d.spec->intid, false);
}

// ---- observers --------------------------------------------------------------------------------

void Platform::maintenance_watch(Vcpu& v) {
    // The maintenance interrupt is the hypervisor's: it is "handled" by the exit that syncs
    // the list registers and completed by the entry after it.
    const std::uint64_t key = record_key(v.vm->index, IrqClass::Maintenance, v.index, 0, kMaintenanceIntid);
    for (;;) {
        sc_core::wait(v.cif->maintenance_level.posedge_event());
        recorder.open(key, v.vm->index, v.index, IrqClass::Maintenance, kMaintenanceIntid);
        ++record.vcpus[v.record].maintenance;
        sc_core::wait(v.cif->sync_done);
        const std::size_t h = recorder.acknowledge(key, v.index, now_ps(), now_ps(), v.sched_in_ps, false);
        sc_core::wait(v.cif->flush_done | v.cif->save_done);
        if (h != kNoRecord) recorder.complete(h);
    }
}

void Platform::on_lr_count(Vcpu& v) {
    if (stopped) return;
    VcpuRecord& r = record.vcpus[v.record];
    const std::uint64_t t = now_ps();
    if (v.lr_count < r.lr_time_ps.size()) r.lr_time_ps[v.lr_count] += t - v.lr_since;
    v.lr_count = v.cif->lrs_in_use.read();
    v.lr_since = t;
}

void Platform::progress_main() {
    const std::uint64_t end = scenario.duration_ps;
    const std::uint64_t step = std::max<std::uint64_t>(1, end / 100);
    for (std::uint64_t t = step; t < end; t += step) {
        sc_core::wait(ps(step));
        options.progress(now_ps(), end);
    }
}

void Platform::collect_driver_errors(Vm& vm) {
    // The driver keeps its messages for the whole run: add the ones not recorded yet.
    std::vector<std::string>& errs = record.vms[vm.index].guest_errors;
    for (const std::string& e : vm.driver->errors())
        if (std::find(errs.begin(), errs.end(), e) == errs.end()) errs.push_back(e);
}

void Platform::finish() {
    const std::uint64_t end = now_ps();
    for (auto& vp : vcpus) {
        Vcpu& v = *vp;
        VcpuRecord& r = record.vcpus[v.record];
        r.state_time_ps[static_cast<unsigned>(v.shown)] += end - v.shown_since;
        v.shown_since = end;
        if (v.lr_count < r.lr_time_ps.size()) r.lr_time_ps[v.lr_count] += end - v.lr_since;
        v.lr_since = end;
    }
    for (auto& vm : vms) {
        VmRecord& r = record.vms[vm->index];
        if (VmGic* m = vm->gic.vm_model()) {
            const LrEngineStats& st = m->stats();
            r.flushes = st.flushes;
            r.syncs = st.syncs;
            r.lr_writes = st.lr_writes;
            r.overflows = st.overflows;
            r.evictions = st.evictions;
            r.kicks = st.kicks;
            r.maintenance_kicks = st.maintenance_kicks;
        }
        // Accesses the model answered RAZ/WI as reserved: Linux's GICv2 driver writes
        // GICC_APR1-3, which a GICV with 5 priority bits does not have (GICV_APR0 only).
        r.ignored_accesses = vm->gic.diagnostics().bad_access_count();
        collect_driver_errors(*vm);
    }
}

} // namespace

RunRecord run_platform(const Scenario& s, const PlatformOptions& options) {
    if (sc_get_time_resolution() != sc_time(1, SC_PS))
        throw std::runtime_error("the platform needs SystemC's default time resolution of 1 ps");
    RunRecord record;
    record.scenario = &s;
    // Bad guest accesses are counted and reported, not printed one by one.
    sc_report_handler::set_actions(tlm::kMsgAccess, SC_DO_NOTHING);
    sc_report_handler::set_actions(tlm::kMsgGuest, SC_DO_NOTHING);
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    std::unique_ptr<Platform> p;
    try {
        p = std::make_unique<Platform>("platform", s, record, options);
    } catch (const sc_report& e) {
        throw std::runtime_error(e.what());
    }
    sc_start(ps(s.duration_ps));
    record.simulated_ps = now_ps();
    p->finish();
    // Unwind the threads still waiting (their stacks own memory: the drivers' vectors, the
    // handlers' std::function objects): kill() must come from a process, so the simulation
    // runs 1 ps more (sc_start(SC_ZERO_TIME) does not run the reaper's delta here); nothing
    // is recorded any more.
    p->stopped = true;
    p->recorder.closed = true;
    p->reap.notify(SC_ZERO_TIME);
    sc_start(ps(1));
    return record;
}

} // namespace vgic::run
