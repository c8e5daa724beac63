// SPDX-License-Identifier: Apache-2.0
// The latency-study platform of `vgic-sim run` (platform.hpp): the SystemC module that builds
// the world a Scenario describes (world.hpp: per VM a Vgic, a VirtualTimer, the guest's
// sockets and Linux driver model, guest_bus.hpp), spawns its processes — per vCPU the guest
// workload (guest.cpp) and the observers' watches, per physical CPU the scheduler
// (scheduler.cpp), per device its source (devices.cpp), the progress bar and the reaper — in
// a fixed order (SystemC's scheduling order depends on it), traces the VCD, and at the end
// completes the RunRecord (finish) and unwinds the threads still waiting.
//
// The files of the platform (platforms/README.md lists them) include one another one way
// (testbenches/run/check_includes.cmake): the world (world, probe, guest_bus, guest,
// scheduler, devices) reports to a Probe and never includes the recorder, the observers or
// the reports; the observers implement the Probe on the recorder; this file puts them together.
#include "run/platform.hpp"

#include "run/guest_bus.hpp"
#include "run/observers.hpp"
#include "run/world.hpp"

#include "vgic/tlm/vcd_trace.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace vgic::run {

void StopRequest::request() {
    requested_ = true;
    std::lock_guard<std::mutex> lock(mutex_);
    if (wake_) wake_();
}

void StopRequest::attach(std::function<void()> wake) {
    std::lock_guard<std::mutex> lock(mutex_);
    wake_ = std::move(wake);
    if (wake_ && requested_) wake_();
}

namespace detail {

using namespace sc_core;

namespace {

/// Carries a StopRequest from another thread into the simulation: async_request_update is
/// SystemC's thread-safe entry (IEEE 1666-2011 5.15.6); the update phase that follows
/// notifies `stop`, whose method pauses the simulation.
class StopChannel : public sc_prim_channel {
public:
    StopChannel() : sc_prim_channel(sc_gen_unique_name("stop")) {}
    sc_event stop;

private:
    void update() override { stop.notify(SC_ZERO_TIME); }
};

class Platform : public sc_module, public World {
public:
    Platform(const sc_module_name& n, const Scenario& s, RunRecord& r, Observers& obs, const PlatformOptions& o);
    ~Platform() override;
    void finish();

    Observers& observers;
    RunRecord& record;
    /// Threads that hold heap memory on their stacks while they wait (drivers' vectors,
    /// std::function handlers): killed at the end so that SystemC unwinds them.
    std::vector<sc_process_handle> threads;
    sc_event reap;  // kills `threads`
    std::unique_ptr<tlm::VcdWriter> vcd;
    std::unique_ptr<tlm::VcdTrace> trace;
    std::vector<std::unique_ptr<tlm::InterruptStateTrace>> states;  // per VM, with the trace
    StopChannel stop_channel;
    bool stopped_early = false;
    PlatformOptions options;
};

Platform::Platform(const sc_module_name& n, const Scenario& s, RunRecord& r, Observers& obs, const PlatformOptions& o)
    : sc_module(n), World(s, obs), observers(obs), record(r), options(o) {
    record.scenario = &s;
    if (!options.vcd_path.empty()) {
        // The project's writer (vgic/tlm/vcd_writer.hpp), at 1 ps: the model times events to
        // the ps (cycles of 833 ps, Poisson arrivals). Opened first, so that a file that
        // cannot be created is refused before any process exists; its write errors pause the
        // simulation (VcdTrace).
        const std::string name = options.vcd_name.empty() ? options.vcd_path : options.vcd_name;
        vcd = std::make_unique<tlm::VcdWriter>(
            options.vcd_path, options.vcd_exclusive ? tlm::OutputFile::Create::Exclusive : tlm::OutputFile::Create::Truncate,
            name);
        trace = std::make_unique<tlm::VcdTrace>(*vcd);
        record.vcd_path = name;
    }
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
        // One seed per VM and component: a VM's draws do not depend on how many the others
        // make, and the Poisson sources (devices.cpp) keep their own generators.
        if (s.variation) params.variation_seed = tlm::derive_seed(s.seed, 0x100 + i);
        // Module names are SystemC hierarchy names (no dots): "vm<i>"; traces use the VM's name.
        vms.push_back(std::make_unique<Vm>(("vm" + std::to_string(i)).c_str(), probe, i, spec, params, tc));
        Vm& vm = *vms.back();
        vm.untimed = !spec.guest.boot;
        vm.gic.synchronize_traps(!vm.untimed);  // an untimed boot ignores every delay
        vm.cpu_costs = tlm::ParameterDraw<tlm::TimingProfile>(
            spec.profile, s.variation ? std::optional<std::uint64_t>(tlm::derive_seed(s.seed, 0x200 + i)) : std::nullopt);
        VmRecord vr;
        vr.name = spec.name;
        vr.gic = spec.gic == GicVersion::V3 ? "v3" : "v2";
        vr.mode = spec.mode == VmMode::Vm ? "vm" : "hw";
        vr.timing = spec.profile.name;
        vr.hypervisor = spec.mode == VmMode::Vm ? spec.hyp.name : "none";
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
            threads.push_back(
                sc_spawn([this, v] { observers.maintenance_watch(*v); }, sc_gen_unique_name("maintenance")));
            sc_spawn_options m;
            m.spawn_method();
            m.set_sensitivity(&v->cif->running_state.value_changed_event());
            m.dont_initialize();
            sc_spawn([this, v] { observers.state_changed(*v); }, sc_gen_unique_name("state"), &m);
            sc_spawn_options x;
            x.spawn_method();
            x.set_sensitivity(&v->cif->sync_done);
            x.dont_initialize();
            sc_spawn([this, v] { observers.exited(*v); }, sc_gen_unique_name("exits"), &x);
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
        sc_spawn([this, v] { observers.on_lr_count(*v); }, sc_gen_unique_name("lrs"), &l);
        // Timer expiries: the vCPU's virtual timer output rising, or the guest programming a
        // deadline that has already passed (the output stays high: no edge).
        sc_spawn_options t;
        t.spawn_method();
        t.set_sensitivity(&v->vm->timer.cntv_level[v->index].posedge_event());
        t.set_sensitivity(&v->timer_programmed);
        t.dont_initialize();
        sc_spawn([this, v] { observers.timer_expired(*v, idle_target(*v)); }, sc_gen_unique_name("timer_watch"), &t);
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
        sc_spawn([this, dv] { pulse_ended(*dv); }, sc_gen_unique_name("pulse"), &e);
    }
    if (options.progress)
        threads.push_back(sc_spawn([this] { observers.progress_main(scenario.duration_ps, options.progress); },
                                   sc_gen_unique_name("progress")));
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

    if (options.stop != nullptr) {
        sc_spawn_options st;
        st.spawn_method();
        st.set_sensitivity(&stop_channel.stop);
        st.dont_initialize();
        sc_spawn(
            [this] {
                stopped_early = true;
                sc_pause();  // not sc_stop: the reaper still has to run (run_platform)
            },
            sc_gen_unique_name("stop"), &st);
    }

    if (trace != nullptr) {
        // The waveform (docs/SCENARIO.md "Waveforms"): per VM, a scope per traced SPI (the
        // device's input line, the INTID's pending and active state), then one scope per
        // vCPU with its GIC lines that can change in the VM's mode, its timer lines and the
        // state of the traced SGIs and PPIs for that vCPU.
        for (auto& vm : vms) {
            const std::string& name = vm->spec.name;
            const std::vector<std::uint32_t> ids = traced_intids(s, vm->index);
            std::vector<std::uint32_t> spis;  // in ascending order: the traced ones and the devices'
            for (std::uint32_t id : ids)
                if (id >= 32) spis.push_back(id);
            for (auto& d : devices)
                if (d->vm == vm.get()) spis.push_back(d->spec->intid);
            std::sort(spis.begin(), spis.end());
            spis.erase(std::unique(spis.begin(), spis.end()), spis.end());
            for (std::uint32_t id : spis) {
                const std::string scope = name + ".intid" + std::to_string(id);
                std::string group = scope;
                for (auto& d : devices) {
                    if (d->vm != vm.get() || d->spec->intid != id) continue;
                    group += " (device " + d->spec->name + ")";
                    const tlm::VcdWriter::Id line = trace->add_value(scope + ".line", 1, 0);
                    d->on_line = [this, line](bool level) { trace->set(line, level ? 1 : 0); };
                    record.signals.push_back({group, scope + ".line"});
                }
                if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
                    record.signals.push_back({group, scope + ".pending"});
                    record.signals.push_back({group, scope + ".active"});
                }
            }
            tlm::trace_cpus(*trace, vm->gic, &vm->timer, name);
            states.push_back(std::make_unique<tlm::InterruptStateTrace>(*trace, vm->gic, ids, name, &vm->timer));
            tlm::InterruptStateTrace* st = states.back().get();
            for (auto& d : devices) {
                if (d->vm != vm.get()) continue;
                auto line = std::move(d->on_line);
                d->on_line = [line, st](bool level) {
                    if (line) line(level);
                    st->input_changed();
                };
            }
            const std::vector<std::string> signals = tlm::cpu_signal_names(vm->gic, true);
            for (unsigned c = 0; c < vm->spec.vcpus; ++c) {
                const std::string g = name + "." + tlm::cpu_scope(vm->gic, c);
                for (const std::string& sig : signals) record.signals.push_back({g, g + "." + sig});
                for (std::uint32_t id : st->intids()) {
                    if (id >= 32) continue;
                    record.signals.push_back({g, g + ".intid" + std::to_string(id) + ".pending"});
                    record.signals.push_back({g, g + ".intid" + std::to_string(id) + ".active"});
                }
            }
        }
    }
}

Platform::~Platform() {
    if (options.stop != nullptr) options.stop->attach({});
}

void Platform::finish() {
    const std::uint64_t end = now_ps();
    for (auto& vp : vcpus) observers.finish(*vp, end);
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
        observers.driver_errors(vm->index, vm->driver->errors());
    }
}

} // namespace
} // namespace detail

RunRecord run_platform(const Scenario& s, const PlatformOptions& options) {
    using namespace detail;
    if (sc_get_time_resolution() != sc_time(1, SC_PS))
        throw std::runtime_error("the platform needs SystemC's default time resolution of 1 ps");
    RunRecord record;
    record.scenario = &s;
    // Bad guest accesses are counted and reported, not printed one by one.
    sc_report_handler::set_actions(tlm::kMsgAccess, SC_DO_NOTHING);
    sc_report_handler::set_actions(tlm::kMsgGuest, SC_DO_NOTHING);
    sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
    Observers observers(record, options.sink);  // outlives the platform and its processes
    std::unique_ptr<Platform> p;
    try {
        p = std::make_unique<Platform>("platform", s, record, observers, options);
    } catch (const sc_report& e) {
        throw std::runtime_error(e.what());
    }
    if (options.sink != nullptr) options.sink->begin(record);
    if (options.stop != nullptr) options.stop->attach([ch = &p->stop_channel] { ch->async_request_update(); });
    sc_start(ps(s.duration_ps));
    if (options.stop != nullptr) options.stop->attach({});
    record.simulated_ps = now_ps();
    record.complete = !p->stopped_early && record.simulated_ps >= s.duration_ps;
    p->finish();
    // Unwind the threads still waiting (their stacks own memory: the drivers' vectors, the
    // handlers' std::function objects): kill() must come from a process, so the simulation
    // runs 1 ps more (sc_start(SC_ZERO_TIME) does not run the reaper's delta here); nothing
    // is recorded any more.
    observers.close();
    if (options.sink != nullptr) options.sink->end(record);
    p->reap.notify(SC_ZERO_TIME);
    sc_start(ps(1));
    if (p->vcd != nullptr) {
        // Ends at the time simulated, as SystemC's tracer did when closed after the reaper.
        p->vcd->close(now_ps());
        p->vcd->check();
    }
    return record;
}

} // namespace vgic::run
