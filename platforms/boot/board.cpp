// SPDX-License-Identifier: Apache-2.0
// The `vgic-sim boot` board (board.hpp; docs/BOOT.md).
#include "boot/board.hpp"

#include "vgic/boot/board.h"
#include "vgic/model/gicv3_regs.hpp"
#include "vgic/tlm/time.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace vgic::boot {

using namespace sc_core;

namespace {

// The engine's JIT (translation, helpers, sigsetjmp) runs on the SystemC thread's stack;
// AddressSanitizer's redzones and fake stacks need several times more.
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kIssStack = 64u << 20;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr std::size_t kIssStack = 64u << 20;
#else
constexpr std::size_t kIssStack = 16u << 20;
#endif
#else
constexpr std::size_t kIssStack = 16u << 20;
#endif

constexpr std::uint64_t kAffinityMask = 0xff00ffffffull;  // MPIDR Aff3, Aff2, Aff1, Aff0

// PSCI 1.0 (Arm DEN 0022D) function IDs beyond board.h's, and the return codes used.
constexpr std::uint32_t kPsciCpuOn32 = 0x84000003, kPsciAffinityInfo32 = 0x84000004;
constexpr std::uint32_t kPsciMigrateInfoType = 0x84000006;
constexpr std::int64_t kPsciInvalidAddress = -9, kPsciOnPending = -5;

std::int64_t psci_ret(long v) { return static_cast<std::int64_t>(v); }

constexpr int kSystemResetStatus = 125;  // docs/BOOT.md, "Command"
// A semihosting string is cut here: bounded host work per call (no simulated time passes).
constexpr std::uint64_t kMaxSemihostingString = 64 * 1024;

} // namespace

Board::Board(const sc_module_name& name, const BoardConfig& config) : sc_module(name), config_(config) {
    if (config_.cpus < 1 || config_.cpus > VGIC_BOARD_MAX_CPUS)
        throw std::invalid_argument("Board: cpus = " + std::to_string(config_.cpus) + ": allowed 1.." +
                                    std::to_string(VGIC_BOARD_MAX_CPUS));
    if (config_.ram_size == 0 || config_.ram_size % (2u << 20) != 0)
        throw std::invalid_argument("Board: RAM size " + std::to_string(config_.ram_size) +
                                    " bytes is not a positive multiple of 2 MiB");
    if (config_.quantum <= SC_ZERO_TIME) throw std::invalid_argument("Board: the quantum must be positive");
    // Anonymous mapping: pages are committed only when the guest touches them.
    void* mem = mmap(nullptr, config_.ram_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        throw std::runtime_error("cannot reserve " + std::to_string(config_.ram_size >> 20) + " MiB of guest RAM: " +
                                 std::strerror(errno));
    ram_ = static_cast<std::uint8_t*>(mem);

    ::tlm::tlm_global_quantum::instance().set(config_.quantum);

    tlm::VgicParams params;
    params.gic.version = config_.gic;
    params.gic.num_cpus = config_.cpus;
    params.gic.num_spis = config_.spis;
    params.gic.virt.enabled = true;  // hw: GICH/GICV exist (GIC-400); vm: the engine needs them
    params.mode = config_.mode;
    params.timing = config_.timing;
    params.hypervisor = config_.hypervisor;
    gic_ = std::make_unique<tlm::Vgic>("gic", params);
    // Accesses arrive from inside the engine's callbacks, where the CPU thread must not
    // wait: a trapped access returns its emulation instant as annotated delay instead.
    gic_->synchronize_traps(false);
    TimerConfig tc;
    tc.frequency_hz = VGIC_BOARD_TIMER_FREQUENCY_HZ;
    tc.virtual_intid = VGIC_BOARD_TIMER_VIRT_INTID;
    tc.physical_intid = VGIC_BOARD_TIMER_PHYS_INTID;
    timer_ = std::make_unique<tlm::VirtualTimer>("timer", *gic_, tc);

    std::vector<Router::RouteSpec> routes;
    const bool v3 = config_.gic == GicVersion::V3;
    routes.push_back({"gicd", VGIC_BOARD_GICD_BASE, VGIC_BOARD_GICD_SIZE, true});
    if (v3) {
        routes.push_back({"gicr", VGIC_BOARD_GICR_BASE, VGIC_BOARD_GICR_STRIDE * config_.cpus, false});
    } else {
        routes.push_back({"gicc", VGIC_BOARD_GICC_BASE, VGIC_BOARD_GICC_SIZE, true});
        if (!vm()) {
            routes.push_back({"gich", VGIC_BOARD_GICH_BASE, VGIC_BOARD_GICH_SIZE, true});
            routes.push_back({"gicv", VGIC_BOARD_GICV_BASE, VGIC_BOARD_GICV_SIZE, true});
        }
    }
    routes.push_back({"uart", VGIC_BOARD_UART_BASE, VGIC_BOARD_UART_SIZE, false});
    routes.push_back({"intgen", VGIC_BOARD_INTGEN_BASE, VGIC_BOARD_INTGEN_SIZE, false});
    routes.push_back({"exit", VGIC_BOARD_EXIT_BASE, VGIC_BOARD_EXIT_SIZE, false});
    router_ = std::make_unique<Router>("router", config_.cpus, routes);

    uart_ = std::make_unique<Pl011Uart>("uart", [this](char c) { uart_output(c); });
    // 10 ns: wide enough for the GIC's edge detection at any signal_delay, far below any
    // interrupt handler's length.
    intgen_ = std::make_unique<InterruptGenerator>("intgen", *gic_, config_.spis, sc_time(10, SC_NS));
    exit_ = std::make_unique<TestExit>("exit", [this](std::uint32_t v, const sc_time& when) {
        finish(static_cast<int>(v & 0xff), "the guest wrote " + std::to_string(v) + " to the exit register", when);
    });

    for (std::size_t r = 0; r < routes.size(); ++r) {
        const std::string& n = routes[r].name;
        for (unsigned c = 0; c < (routes[r].per_cpu ? config_.cpus : 1u); ++c) {
            auto& port = router_->port(r, c);
            if (n == "gicd") port.bind(gic_->distributor.socket[c]);
            else if (n == "gicc") port.bind(gic_->cpu[c].gicc);
            else if (n == "gich") port.bind(gic_->cpu[c].gich);
            else if (n == "gicv") port.bind(gic_->cpu[c].gicv);
            else if (n == "gicr") port.bind(gic_->redistributor.socket);
            else if (n == "uart") port.bind(uart_->socket);
            else if (n == "intgen") port.bind(intgen_->socket);
            else if (n == "exit") port.bind(exit_->socket);
        }
    }

    const std::uint64_t instruction = config_.timing.instruction ? config_.timing.instruction : 1000;
    waiting_.assign(config_.cpus, false);
    wake_pending_.assign(config_.cpus, false);
    for (unsigned c = 0; c < config_.cpus; ++c) {
        IssCpuParams p;
        p.index = c;
        p.mpidr = VGIC_BOARD_MPIDR(c);
        p.ram = ram_;
        p.ram_base = VGIC_BOARD_RAM_BASE;
        p.ram_size = config_.ram_size;
        for (const auto& r : routes) p.mmio.push_back({r.base, r.size});
        p.instruction_time = tlm::Vgic::ps(instruction);
        p.irq_entry = tlm::Vgic::ps(config_.timing.irq_entry);
        p.gicv3_sysregs = v3;
        p.stack_size = kIssStack;
        cpus_.push_back(std::make_unique<IssCpu>(("cpu" + std::to_string(c)).c_str(), p, *this));
        IssCpu& cpu = *cpus_.back();
        cpu.bus.bind(router_->cpu[c]);
        cpu.sysreg.bind(timer_->sysreg[c]);
        tlm::VgicCpuIf& cif = gic_->cpu[c];
        if (vm())
            cpu.connect_lines(cif.virq_level, cif.vfiq_level);
        else
            cpu.connect_lines(cif.irq_level, cif.fiq_level);
        wake_.push_back(std::make_unique<sc_event>());
    }
    if (vm()) {
        gic_->on_pending_while_stopped([this](unsigned v) {
            wake_pending_.at(v) = true;
            wake_[v]->notify(SC_ZERO_TIME);
        });
        timer_->on_wake([this](unsigned v) {
            wake_pending_.at(v) = true;
            wake_[v]->notify(SC_ZERO_TIME);
        });
    }
    sc_spawn([this] { startup(); }, "startup");
    sc_spawn_options end;
    end.spawn_method();
    end.dont_initialize();
    end.set_sensitivity(&end_event_);
    sc_spawn([this] { conclude(); }, "end", &end);
}

Board::~Board() {
    cpus_.clear();  // the engines map ram_: close them first
    if (ram_) munmap(ram_, config_.ram_size);
}

std::uint64_t Board::ram_base() const { return VGIC_BOARD_RAM_BASE; }

void Board::boot(std::uint64_t entry, std::uint64_t x0) {
    boot_entry_ = entry;
    boot_x0_ = x0;
    booted_ = true;
}

void Board::startup() {
    if (vm()) {
        // Powered-off vCPUs are not in the guest: their interrupts wait in the virtual
        // distributor until PSCI CPU_ON schedules them.
        for (unsigned c = 1; c < config_.cpus; ++c) gic_->cpu[c].stop();
    } else if (config_.gic == GicVersion::V3) {
        wake_redistributor(0);
    }
    if (booted_) cpus_[0]->power_on(boot_entry_, boot_x0_);
}

void Board::wake_redistributor(unsigned c) {
    // Firmware's part of the GICv3 power sequence (TF-A gicv3_rdistif_on): clear
    // GICR_WAKER.ProcessorSleep before the CPU runs. A guest that does the handshake itself
    // finds it done (ChildrenAsleep reads 0).
    gic_->hw_model()->write_redistributor(c, c * VGIC_BOARD_GICR_STRIDE + gicv3::gicr::WAKER, 4, 0);
}

void Board::uart_output(char c) {
    if (config_.uart == nullptr) return;
    if (std::fputc(c, config_.uart) == EOF) {
        finish(2, std::string("cannot write the UART output: ") + std::strerror(errno), sc_time_stamp());
        return;
    }
    if (c == '\n') std::fflush(config_.uart);
}

bool Board::all_cpus_waiting() const {
    for (unsigned c = 0; c < config_.cpus; ++c) {
        const IssCpu& cpu = *cpus_[c];
        if (cpu.power_on_pending()) return false;
        if (cpu.powered() && !waiting_[c]) return false;
    }
    return true;
}

void Board::finish(int status, const std::string& reason, const sc_time& at, const std::string& detail) {
    if (outcome_.ended) return;
    // CPUs run ahead of simulated time by up to a quantum, each by its own amount: the end
    // that comes first in simulated time wins, whatever order the CPUs' threads reported
    // them in, so the status does not depend on --quantum. It takes effect at its instant.
    if (pending_end_ && pending_end_->at <= at) return;
    BoardOutcome o;
    o.ended = true;
    o.at = at < sc_time_stamp() ? sc_time_stamp() : at;
    o.status = status;
    o.reason = reason;
    o.detail = detail;
    pending_end_ = o;
    end_event_.notify(o.at - sc_time_stamp());
}

void Board::conclude() {
    if (!pending_end_ || outcome_.ended) return;
    outcome_ = *pending_end_;
    for (auto& cpu : cpus_) cpu->halt();
    finish_event_.notify(SC_ZERO_TIME);
    sc_stop();
}

// ---- tracing -------------------------------------------------------------------------------

std::uint64_t Board::cpu_now_ps(const IssCpu& c) const { return tlm::time_ps(sc_time_stamp() + c.local_time()); }

void Board::interrupt_entered(IssCpu& cpu) {
    if (trace_) trace_->interrupt_entry(cpu.index(), cpu_now_ps(cpu));
}

void Board::enable_trace(const std::string& name) {
    trace_ = std::make_unique<InterruptTrace>(config_.cpus, name, vm(), config_.gic == GicVersion::V3 ? "v3" : "v2",
                                              config_.timing.name, config_.hypervisor.name);
    const std::uint64_t now = 0;
    for (unsigned c = 1; c < config_.cpus; ++c) trace_->state(c, run::VcpuState::Idle, now);  // off until CPU_ON
    // The timer's assertion: its output rising, the instant the counter reaches CVAL.
    for (unsigned c = 0; c < config_.cpus; ++c) {
        const std::pair<sc_signal<bool>*, std::uint32_t> outputs[] = {
            {&timer_->cntv_level[c], VGIC_BOARD_TIMER_VIRT_INTID}, {&timer_->cntp_level[c], VGIC_BOARD_TIMER_PHYS_INTID}};
        for (const auto& [sig, intid] : outputs) {
            sc_spawn_options o;
            o.spawn_method();
            o.dont_initialize();
            o.set_sensitivity(&sig->value_changed_event());
            sc_spawn(
                [this, c, sig = sig, intid = intid] {
                    if (sig->read()) trace_->asserted(c, intid, tlm::time_ps(sc_time_stamp()));
                },
                sc_gen_unique_name("trace_timer"), &o);
        }
        if (vm()) {
            // Out of the guest: the hypervisor (a blocked vCPU is marked by block_vcpu).
            sc_signal<bool>& running = gic_->cpu[c].running_state;
            sc_spawn_options o;
            o.spawn_method();
            o.dont_initialize();
            o.set_sensitivity(&running.value_changed_event());
            sc_spawn(
                [this, c, &running] {
                    trace_->state(c, running.read() ? run::VcpuState::Guest : run::VcpuState::Hypervisor,
                                  tlm::time_ps(sc_time_stamp()));
                },
                sc_gen_unique_name("trace_running"), &o);
        }
    }
    intgen_->on_assert([this](std::uint32_t intid, const sc_time& when) {
        trace_->asserted(InterruptTrace::kAnyCpu, intid, tlm::time_ps(when));
    });
    gic_->on_interrupt_event([this](InterruptEvent e, unsigned cpu, bool, std::uint32_t intid,
                                    const tlm::InterruptEventTimes& t) {
        switch (e) {
        case InterruptEvent::Acknowledged: trace_->acknowledged(cpu, intid, tlm::time_ps(t.completed)); break;
        case InterruptEvent::PriorityDropped: trace_->completed(cpu, intid, tlm::time_ps(t.completed), false); break;
        case InterruptEvent::Deactivated: trace_->completed(cpu, intid, tlm::time_ps(t.completed), true); break;
        // An IPI's assertion is the sender's write (docs/REPORTS.md), issued at `issued`.
        case InterruptEvent::SgiGenerated: trace_->asserted(cpu, intid, tlm::time_ps(t.issued)); break;
        }
    });
}

void Board::fatal(IssCpu& cpu, const std::string& what) {
    finish(3, "cpu" + std::to_string(cpu.index()) + ": " + what, sc_time_stamp() + cpu.local_time(),
           cpu.register_dump());
}

// ---- PSCI ----------------------------------------------------------------------------------

void Board::hypercall(IssCpu& cpu) {
    const auto fid = static_cast<std::uint32_t>(cpu.x(0));
    std::int64_t ret = VGIC_PSCI_NOT_SUPPORTED;
    switch (fid) {
    case VGIC_PSCI_VERSION:
        ret = 0x00010000;  // PSCI 1.0
        break;
    case VGIC_PSCI_FEATURES: {
        const auto q = static_cast<std::uint32_t>(cpu.x(1));
        const bool known = q == VGIC_PSCI_VERSION || q == VGIC_PSCI_CPU_OFF || q == VGIC_PSCI_CPU_ON_64 ||
                           q == kPsciCpuOn32 || q == VGIC_PSCI_AFFINITY_INFO_64 || q == kPsciAffinityInfo32 ||
                           q == VGIC_PSCI_SYSTEM_OFF || q == VGIC_PSCI_SYSTEM_RESET || q == VGIC_PSCI_FEATURES ||
                           q == kPsciMigrateInfoType;
        ret = known ? 0 : VGIC_PSCI_NOT_SUPPORTED;
        break;
    }
    case VGIC_PSCI_CPU_ON_64:
    case kPsciCpuOn32:
        psci_cpu_on(cpu);
        return;
    case VGIC_PSCI_CPU_OFF:
        // Does not return on success (DEN 0022D 5.5): the caller's core stops at once.
        if (vm()) gic_->cpu[cpu.index()].stop();
        cpu.power_off();
        trace_state(cpu.index(), run::VcpuState::Idle, cpu_now_ps(cpu));
        return;
    case VGIC_PSCI_AFFINITY_INFO_64:
    case kPsciAffinityInfo32: {
        const std::uint64_t w = fid == kPsciAffinityInfo32 ? 0xffffffffull : ~std::uint64_t{0};  // SMC32: W registers
        const std::uint64_t target = cpu.x(1) & w & kAffinityMask;
        if ((cpu.x(2) & w) != 0) {
            ret = VGIC_PSCI_INVALID_PARAMETERS;  // only level 0 (a single core) is answered
            break;
        }
        ret = VGIC_PSCI_INVALID_PARAMETERS;
        for (const auto& c : cpus_)
            if ((c->mpidr() & kAffinityMask) == target) ret = c->powered() ? 0 : c->power_on_pending() ? 2 : 1;
        break;
    }
    case kPsciMigrateInfoType:
        ret = 2;  // no Trusted OS that needs migrating
        break;
    case VGIC_PSCI_SYSTEM_OFF:
        finish(0, "PSCI SYSTEM_OFF", sc_time_stamp() + cpu.local_time());
        return;
    case VGIC_PSCI_SYSTEM_RESET:
        // Not 0: a guest that resets (Linux after a panic) must not read as a clean power-off.
        finish(kSystemResetStatus, "PSCI SYSTEM_RESET (the board ends the run instead of restarting)",
               sc_time_stamp() + cpu.local_time());
        return;
    default:
        break;
    }
    cpu.set_x(0, static_cast<std::uint64_t>(ret));
}

void Board::psci_cpu_on(IssCpu& caller) {
    // SMC32 (CPU_ON 0x84000003) passes W registers: the upper halves are ignored (SMCCC 2.x).
    const bool smc32 = static_cast<std::uint32_t>(caller.x(0)) == kPsciCpuOn32;
    const std::uint64_t w = smc32 ? 0xffffffffull : ~std::uint64_t{0};
    const std::uint64_t target = caller.x(1) & w & kAffinityMask;
    const std::uint64_t entry = caller.x(2) & w;
    const std::uint64_t context = caller.x(3) & w;
    IssCpu* t = nullptr;
    for (const auto& c : cpus_)
        if ((c->mpidr() & kAffinityMask) == target) t = c.get();
    std::int64_t ret = VGIC_PSCI_SUCCESS;
    std::uint32_t probe = 0;
    if (t == nullptr)
        ret = VGIC_PSCI_INVALID_PARAMETERS;
    else if (t->powered())
        ret = VGIC_PSCI_ALREADY_ON;
    else if (t->power_on_pending())
        ret = kPsciOnPending;
    else if (entry % 4 != 0 || !caller.read_memory(entry, &probe, sizeof probe))
        ret = kPsciInvalidAddress;
    if (ret == VGIC_PSCI_SUCCESS) {
        if (vm())
            gic_->cpu[t->index()].run();
        else if (config_.gic == GicVersion::V3)
            wake_redistributor(t->index());
        t->power_on(entry, context, caller.local_time());
        trace_state(t->index(), run::VcpuState::Guest, cpu_now_ps(caller));
    }
    caller.set_x(0, static_cast<std::uint64_t>(psci_ret(static_cast<long>(ret))));
}

// ---- semihosting ---------------------------------------------------------------------------

void Board::semihosting(IssCpu& cpu) {
    const auto op = static_cast<std::uint32_t>(cpu.x(0));
    const std::uint64_t param = cpu.x(1);
    switch (op) {
    case VGIC_SEMIHOST_SYS_WRITEC: {
        char c = 0;
        if (cpu.read_memory(param, &c, 1)) uart_output(c);
        return;
    }
    case VGIC_SEMIHOST_SYS_WRITE0: {
        // A string that runs to the end of RAM stops there, a very long one at 64 KiB.
        for (std::uint64_t a = param; a - param < kMaxSemihostingString; ++a) {
            char c = 0;
            if (!cpu.read_memory(a, &c, 1) || c == 0) break;
            uart_output(c);
        }
        return;
    }
    case VGIC_SEMIHOST_SYS_EXIT:
    case VGIC_SEMIHOST_SYS_EXIT_EXTENDED: {
        // AArch64: x1 points to {reason, subcode} (Arm semihosting 2.0, SYS_EXIT).
        std::uint64_t block[2] = {};
        if (!cpu.read_memory(param, block, sizeof block)) {
            fatal(cpu, "semihosting SYS_EXIT with its parameter block outside RAM");
            return;
        }
        const bool ok = block[0] == VGIC_SEMIHOST_ADP_STOPPED_APPLICATION_EXIT;
        finish(ok ? static_cast<int>(block[1] & 0xff) : 1,
               ok ? "semihosting SYS_EXIT, status " + std::to_string(block[1] & 0xff)
                  : "semihosting SYS_EXIT, reason " + std::to_string(block[0]) + " (not ApplicationExit)",
               sc_time_stamp() + cpu.local_time());
        return;
    }
    default:
        bool seen = false;
        for (std::uint32_t u : unsupported_semihosting_) seen |= u == op;
        if (!seen) unsupported_semihosting_.push_back(op);
        cpu.set_x(0, ~std::uint64_t{0});  // -1: the operation failed
        return;
    }
}

// ---- WFI and vCPU blocking -----------------------------------------------------------------

void Board::before_slice(IssCpu& cpu) {
    if (!vm()) return;
    tlm::VgicCpuIf& cif = gic_->cpu[cpu.index()];
    if (cif.running()) return;
    // Out of the guest (a kick's exit, flush and entry, or a switch): no guest instruction
    // runs until the entry completes.
    cpu.synchronize();
    while (!cif.running() && !outcome_.ended) sc_core::wait(cif.running_state.value_changed_event() | finish_event_);
}

void Board::wait_for_interrupt(IssCpu& cpu) {
    const unsigned c = cpu.index();
    if (vm() && config_.wfi_traps) {
        block_vcpu(cpu);
        return;
    }
    // WFI wakes on an interrupt pending at the interface whether or not PSTATE masks it
    // (ARM DDI 0487, "Wait for Interrupt"): the line level is exactly that.
    waiting_[c] = true;
    trace_state(c, run::VcpuState::Idle, tlm::time_ps(sc_time_stamp()));
    while (!cpu.irq_pending() && !outcome_.ended) sc_core::wait(cpu.line_event() | finish_event_);
    waiting_[c] = false;
    trace_state(c, run::VcpuState::Guest, tlm::time_ps(sc_time_stamp()));
}

void Board::block_vcpu(IssCpu& cpu) {
    // KVM's kvm_vcpu_block: the trapped WFI takes the vCPU off its CPU (exit, sync, save),
    // then it sleeps until an interrupt is pending for it; the model is asked once the
    // state is saved, because an interrupt that arrived on the way out kicked a vCPU that
    // was leaving anyway and reported no wake (docs/SCENARIO.md, "WFI and wake-ups").
    const unsigned c = cpu.index();
    tlm::VgicCpuIf& cif = gic_->cpu[c];
    waiting_[c] = true;
    wake_pending_[c] = false;
    // The vCPU is scheduled (it just ran its WFI in the guest), so this stop() ends in a save
    // (after a kick's entry under way, if any): wait for that save_done, not for the running
    // state, which is also false during a kick's exit and entry.
    cif.stop();
    if (!outcome_.ended) sc_core::wait(cif.save_done | finish_event_);
    trace_state(c, run::VcpuState::Blocked, tlm::time_ps(sc_time_stamp()));
    while (!wake_pending_[c] && !gic_->vm_model()->wake_pending(c) && !outcome_.ended)
        sc_core::wait(*wake_[c] | finish_event_);
    waiting_[c] = false;
    if (outcome_.ended) return;
    trace_state(c, run::VcpuState::Hypervisor, tlm::time_ps(sc_time_stamp()));  // woken: restore, flush, entry
    cif.run();
    while (!cif.running() && !outcome_.ended) sc_core::wait(cif.running_state.value_changed_event() | finish_event_);
    // The flush put the interrupt in a list register; the vIRQ line follows signal_delay
    // later. Resuming before it would run the guest's WFI again and block for nothing.
    if (!cpu.irq_pending() && !outcome_.ended)
        sc_core::wait(tlm::Vgic::ps(config_.timing.signal_delay) + sc_time(1, SC_NS), cpu.line_event() | finish_event_);
}

} // namespace vgic::boot
