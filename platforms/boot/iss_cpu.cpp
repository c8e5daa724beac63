// SPDX-License-Identifier: Apache-2.0
// IssCpu: see iss_cpu.hpp. Engine facts relied on here were each verified on Debian's
// Unicorn 2.0.1 (../shared/reference/iss-unicorn.md, and testbenches/boot for the ones the
// tests pin down):
//   - a hook on MRS/MSR sees PC on the instruction; returning 1 skips a register the engine
//     knows (timer, MPIDR) but leaves PC on one it does not (ICC_*): write PC + 4 for those;
//   - HVC and SMC reach the interrupt hook with PC after the instruction (HVC needs
//     SCR_EL3.HCE, set before the first slice), UNDEF (and HLT, semihosting) with PC on it;
//   - WFI makes uc_emu_start return with PC after it and no hook called;
//   - PC is not up to date inside an MMIO callback (only at block starts and in the hooks
//     above), so an MMIO access is timed at the start of its translation block.
#include "boot/iss_cpu.hpp"

#include "vgic/boot/board.h"
#include "vgic/model/generic_timer.hpp"

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <stdexcept>

namespace vgic::boot {

using namespace sc_core;

namespace {

constexpr std::uint32_t kWfi = 0xd503207f;
constexpr std::uint64_t kNeverReached = ~std::uint64_t{0};  // uc_emu_start's `until`
constexpr std::uint32_t kHltSemihosting = 0xd45e0000;  // HLT #0xF000 (AArch64 semihosting)

// PSTATE bits (ARM DDI 0487 C5.2.18 SPSR_EL1 layout, which uc PSTATE follows).
constexpr std::uint64_t kPstateSp = 1u << 0;  // M[0]: SP_ELx selected
constexpr std::uint64_t kPstateF = 1u << 6;
constexpr std::uint64_t kPstateI = 1u << 7;
constexpr std::uint64_t kPstateNzcv = 0xf0000000u;
constexpr std::uint64_t kPstateEl1hMasked = 0x3c5;  // D A I F set, EL1h

// Vector offsets (ARM DDI 0487, "Exception vectors", the vector offsets table): current EL with SP_EL0 at 0x000, with
// SP_ELx at 0x200; within each group synchronous +0, IRQ +0x80, FIQ +0x100.
constexpr std::uint64_t kVectorSync = 0x000, kVectorIrq = 0x080, kVectorFiq = 0x100;
constexpr std::uint64_t kVectorCurrentSpx = 0x200;

// ESR_ELx.EC values (ARM DDI 0487, ESR_ELx).
constexpr std::uint32_t kEcUnknown = 0x00, kEcSvc64 = 0x15, kEcBrk64 = 0x3c;

// QEMU exception numbers as the interrupt hook reports them (iss-unicorn.md, "Hooks").
enum : std::uint32_t { kExcpUdef = 1, kExcpSwi = 2, kExcpPrefetchAbort = 3, kExcpDataAbort = 4,
                       kExcpBkpt = 7, kExcpHvc = 11, kExcpSmc = 13 };

uc_arm64_cp_reg cp_reg(unsigned op0, unsigned op1, unsigned crn, unsigned crm, unsigned op2, std::uint64_t val = 0) {
    uc_arm64_cp_reg r{};
    r.op0 = op0;
    r.op1 = op1;
    r.crn = crn;
    r.crm = crm;
    r.op2 = op2;
    r.val = val;
    return r;
}

void check(uc_err e, const char* what) {
    if (e != UC_ERR_OK) throw std::runtime_error(std::string("unicorn: ") + what + ": " + uc_strerror(e));
}

bool is_timer_register(std::uint32_t enc) {
    using namespace vgic::timer_regs;
    switch (enc) {
    case CNTFRQ_EL0: case CNTPCT_EL0: case CNTVCT_EL0:
    case CNTP_TVAL_EL0: case CNTP_CTL_EL0: case CNTP_CVAL_EL0:
    case CNTV_TVAL_EL0: case CNTV_CTL_EL0: case CNTV_CVAL_EL0:
        return true;  // not CNTVOFF_EL2: an EL1 guest's access is UNDEFINED, the engine's to raise
    default:
        return false;
    }
}

// The GIC CPU interface system registers an EL1 guest may access (GIC v3 spec 12.1, Table
// 12-2): ICC_/ICV_ at op0=3 op1=0 CRn=12 CRm=8..15, and ICC_PMR_EL1 = 3,0,4,6,0. CRn=12 with
// CRm < 8 holds the engine's own VBAR_EL1, ISR_EL1, DISR_EL1. The EL2 ICH_ and ICC_SRE_EL2
// (op1=4) and the EL3 ones (op1=6) are UNDEFINED at EL1: left to the engine, which does not
// know them and raises the Undefined Instruction exception the CPU forwards.
bool is_gic_register(const uc_arm64_cp_reg& cp) {
    if (cp.op0 != 3) return false;
    if (cp.crn == 12 && cp.crm >= 8 && cp.op1 == 0) return true;
    return cp.op1 == 0 && cp.crn == 4 && cp.crm == 6 && cp.op2 == 0;
}

constexpr std::uint32_t kMpidrEl1 = vgic::sysreg_encoding(3, 0, 0, 0, 5);

} // namespace

IssCpu::IssCpu(const sc_module_name& name, const IssCpuParams& params, CpuHost& host)
    : sc_module(name), bus("bus"), sysreg("sysreg"), params_(params), host_(host) {
    if (params_.instruction_time == SC_ZERO_TIME)
        throw std::invalid_argument("IssCpu: instruction_time must be positive");
    configure_engine();
    sc_spawn_options opts;
    if (params_.stack_size) opts.set_stack_size(static_cast<int>(params_.stack_size));
    sc_spawn([this] { main(); }, "core", &opts);
}

IssCpu::~IssCpu() {
    if (uc_) uc_close(uc_);
}

void IssCpu::configure_engine() {
    check(uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_), "uc_open");
    int model = UC_CPU_ARM64_A57;
    check(uc_ctl_set_cpu_model(uc_, model), "cpu model Cortex-A57");
    check(uc_mem_map_ptr(uc_, params_.ram_base, params_.ram_size, UC_PROT_ALL, params_.ram), "map RAM");
    regions_.reserve(params_.mmio.size());  // the engine keeps pointers into it
    for (const MmioRegion& r : params_.mmio) {
        regions_.push_back(RegionContext{this, r.base});
        RegionContext* ctx = &regions_.back();
        check(uc_mmio_map(uc_, r.base, r.size, &IssCpu::on_mmio_read, ctx, &IssCpu::on_mmio_write, ctx),
              "map a device region");
    }
    // Every hook before the first uc_emu_start: hooks are compiled into translation blocks.
    uc_hook h;
    check(uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void*>(&IssCpu::on_block), this, 1, 0), "block hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void*>(&IssCpu::on_interrupt), this, 1, 0),
          "interrupt hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&IssCpu::on_unmapped), this, 1, 0),
          "unmapped-access hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&IssCpu::on_mrs), this, 1, 0,
                      UC_ARM64_INS_MRS),
          "MRS hook");
    check(uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void*>(&IssCpu::on_msr), this, 1, 0,
                      UC_ARM64_INS_MSR),
          "MSR hook");
    // SCR_EL3 resets Secure with HCE = 0, which makes HVC UNDEFINED: NS | RES1 (bits 4, 5) |
    // HCE | RW, as firmware leaves it for a non-secure EL1 OS (ARM DDI 0487, SCR_EL3).
    uc_arm64_cp_reg scr = cp_reg(3, 6, 1, 1, 0, 0x531);
    check(uc_reg_write(uc_, UC_ARM64_REG_CP_REG, &scr), "SCR_EL3");
    keeper_.reset();
}

void IssCpu::connect_lines(sc_signal<bool>& irq, sc_signal<bool>& fiq) {
    irq_ = &irq;
    fiq_ = &fiq;
    // A change of either line wakes a WFI: FIQ as much as IRQ (ARM DDI 0487, "Wait for
    // Interrupt"). One event for both, so that a waiting thread holds no event list of its
    // own on its stack (SystemC never unwinds a thread still waiting at the end of a run).
    sc_spawn_options o;
    o.spawn_method();
    o.dont_initialize();
    o.set_sensitivity(&irq.value_changed_event());
    o.set_sensitivity(&fiq.value_changed_event());
    sc_spawn([this] { line_changed_.notify(); }, sc_gen_unique_name("lines"), &o);
}

bool IssCpu::irq_pending() const {
    return (irq_ != nullptr && irq_->read()) || (fiq_ != nullptr && fiq_->read());
}

const sc_event& IssCpu::line_event() const { return line_changed_; }

void IssCpu::power_on(std::uint64_t entry, std::uint64_t x0, const sc_time& delay) {
    entry_ = entry;
    entry_x0_ = x0;
    power_on_pending_ = true;
    power_event_.notify(delay);
}

void IssCpu::power_off() {
    power_off_requested_ = true;
    request_stop(Stop::Sync);
}

void IssCpu::halt() {
    halted_ = true;
    request_stop(Stop::Halt);
    power_event_.notify(SC_ZERO_TIME);
}

std::uint64_t IssCpu::reg(uc_arm64_reg r) const {
    std::uint64_t v = 0;
    uc_reg_read(uc_, r, &v);
    return v;
}

void IssCpu::set_reg(uc_arm64_reg r, std::uint64_t value) { uc_reg_write(uc_, r, &value); }

std::uint64_t IssCpu::x(unsigned n) const {
    return n == 29 ? reg(UC_ARM64_REG_X29) : n == 30 ? reg(UC_ARM64_REG_X30)
                                                     : reg(static_cast<uc_arm64_reg>(UC_ARM64_REG_X0 + n));
}

void IssCpu::set_x(unsigned n, std::uint64_t value) {
    set_reg(n == 29 ? UC_ARM64_REG_X29 : n == 30 ? UC_ARM64_REG_X30 : static_cast<uc_arm64_reg>(UC_ARM64_REG_X0 + n),
            value);
}

bool IssCpu::read_memory(std::uint64_t address, void* out, std::size_t size) const {
    if (address < params_.ram_base) return false;
    const std::uint64_t off = address - params_.ram_base;
    if (off > params_.ram_size || size > params_.ram_size - off) return false;
    std::memcpy(out, params_.ram + off, size);
    return true;
}

std::uint32_t IssCpu::instruction_at(std::uint64_t pc) const {
    std::uint32_t word = 0;
    if (!read_memory(pc, &word, sizeof word)) return 0;
    return word;  // little-endian host and guest
}

std::string IssCpu::register_dump() const {
    std::ostringstream os;
    char buf[96];
    const std::uint64_t pc = reg(UC_ARM64_REG_PC);
    std::uint32_t insn = 0;
    const bool have_insn = read_memory(pc, &insn, sizeof insn);
    std::snprintf(buf, sizeof buf, "cpu%u: PC 0x%016" PRIx64 "  instruction ", params_.index, pc);
    os << buf;
    if (have_insn) {
        std::snprintf(buf, sizeof buf, "0x%08" PRIx32 "\n", insn);
        os << buf;
    } else {
        os << "(not in RAM)\n";
    }
    for (unsigned i = 0; i < 31; ++i) {
        std::snprintf(buf, sizeof buf, "  x%-2u 0x%016" PRIx64 "%s", i, x(i), (i % 4 == 3 || i == 30) ? "\n" : "");
        os << buf;
    }
    uc_arm64_cp_reg spsr = cp_reg(3, 0, 4, 0, 0);
    uc_reg_read(uc_, UC_ARM64_REG_CP_REG, &spsr);
    std::snprintf(buf, sizeof buf, "  SP  0x%016" PRIx64 "  PSTATE 0x%08" PRIx64 "  VBAR_EL1 0x%016" PRIx64 "\n",
                  reg(UC_ARM64_REG_SP), reg(UC_ARM64_REG_PSTATE), reg(UC_ARM64_REG_VBAR_EL1));
    os << buf;
    std::snprintf(buf, sizeof buf, "  ELR_EL1 0x%016" PRIx64 "  SPSR_EL1 0x%08" PRIx64 "\n",
                  reg(UC_ARM64_REG_ELR_EL1), static_cast<std::uint64_t>(spsr.val));
    os << buf;
    return os.str();
}

void IssCpu::reset_registers(std::uint64_t entry, std::uint64_t x0) {
    for (unsigned i = 0; i < 31; ++i) set_x(i, 0);
    set_x(0, x0);
    set_reg(UC_ARM64_REG_SP, 0);
    set_reg(UC_ARM64_REG_PSTATE, kPstateEl1hMasked);
    // SCTLR_EL1 at its reset value with the MMU and caches off (the state PSCI CPU_ON and
    // the arm64 boot protocol promise; a CPU turned off and on again may have had them on).
    uc_arm64_cp_reg sctlr = cp_reg(3, 0, 1, 0, 0, 0x30d00800);
    uc_reg_write(uc_, UC_ARM64_REG_CP_REG, &sctlr);
    set_reg(UC_ARM64_REG_PC, entry);
}

void IssCpu::request_stop(Stop why) {
    if (stop_ == Stop::None || why == Stop::Fatal || why == Stop::Halt) stop_ = why;
}

void IssCpu::main() {
    for (;;) {
        if (halted_) return;
        if (!powered_) {
            if (!power_on_pending_) {
                sc_core::wait(power_event_);
                continue;
            }
            power_on_pending_ = false;
            keeper_.reset();
            reset_registers(entry_, entry_x0_);
            powered_ = true;
        }
        host_.before_slice(*this);
        if (halted_) return;
        if (take_interrupt()) {
            // irq_entry: the core takes the exception before the handler's first instruction.
            keeper_.inc(params_.irq_entry);
            host_.interrupt_entered(*this);
        }
        // ---- debugger (--gdb): it may hold the simulation before the slice ----
        bool step = debugger_ != nullptr && debugger_->before_slice(*this) == DebugMode::Step;
        if (halted_) return;
        if (debugger_ == nullptr) run_to_active_ = false;
        step = step || run_to_active_;  // up to a breakpoint inside a block (see insert_breakpoint)
        // ---- end debugger ----
        run_slice(step);
        if (stop_ == Stop::Fatal) {
            host_.fatal(*this, fatal_);
            return;
        }
        if (halted_) return;
        // ---- debugger (--gdb): a breakpoint or a completed step holds the simulation here ----
        if (debugger_ != nullptr && debug_event_ != DebugEvent::None) {
            debugger_->stopped(*this, debug_event_);
            if (halted_) return;
            resume_valid_ = true;
            resume_pc_ = reg(UC_ARM64_REG_PC);
        }
        // ---- end debugger ----
        if (power_off_requested_) {
            keeper_.sync();
            power_off_requested_ = false;
            powered_ = false;
            continue;
        }
        const std::uint64_t pc = reg(UC_ARM64_REG_PC);
        // WFI (ARM DDI 0487, "Wait for Interrupt"): the engine returned on it by itself, PC after it. An
        // access earlier in its block may have asked for a sync (stop_ set): the WFI ran
        // anyway, since it ends the block. A stop from the block hook leaves PC on a block's
        // start, which may follow a WFI that ran in an earlier slice: not a WFI now.
        if (!block_stopped_ && stop_ != Stop::Debug && instruction_at(pc - 4) == kWfi) {
            ++stats_.wfis;
            keeper_.sync();
            if (!irq_pending()) host_.wait_for_interrupt(*this);
            continue;
        }
        if (stop_ == Stop::None && !block_stopped_ && debug_event_ == DebugEvent::None) {
            // The engine returned with nothing asked of it, no error and no WFI: it cannot go
            // on (seen at PC 0 before `until` was made unreachable); never spin here.
            char buf[160];
            std::snprintf(buf, sizeof buf, "the engine returned at PC 0x%" PRIx64 " without a reason (no WFI, no stop, no "
                          "error): the CPU cannot go on", pc);
            host_.fatal(*this, buf);
            return;
        }
        if (keeper_.need_sync()) keeper_.sync();
    }
}

void IssCpu::run_slice(bool step) {
    stop_ = Stop::None;
    fatal_.clear();
    counted_ = 0;
    block_begin_ = block_end_ = 0;
    const sc_time quantum = ::tlm::tlm_global_quantum::instance().get();
    const sc_time local = keeper_.get_local_time();
    const sc_time left = quantum > local ? quantum - local : SC_ZERO_TIME;
    budget_ = static_cast<std::uint64_t>(left / params_.instruction_time);
    if (budget_ == 0) budget_ = 1;
    charged_ = 0;
    ++stats_.slices;
    const std::uint64_t pc = reg(UC_ARM64_REG_PC);
    // ---- debugger (--gdb) ----
    debug_event_ = DebugEvent::None;
    // Resuming where the debugger stopped this CPU: the breakpoint there is passed once.
    skip_armed_ = resume_valid_ && resume_pc_ == pc;
    resume_valid_ = false;
    stepping_ = step;
    if (step) {
        // One instruction: `count` = 1. Unicorn 2.0.1 counts through a code hook compiled into
        // the translated blocks, so a block at PC translated earlier without it would run on
        // (measured): drop it first. The engine then stops before the next instruction (also
        // after a branch, an exception entry or at a block boundary), and flushes its whole
        // cache by itself at the next count = 0 run.
        uc_ctl_remove_cache(uc_, pc, pc + 4);
    }
    // ---- end debugger ----
    // `until` is an address no fetch can reach (unaligned): with 0, a guest jumping to address
    // 0 (a null function pointer) would make every slice return at once, running nothing.
    block_stopped_ = false;
    const uc_err err = uc_emu_start(uc_, pc, kNeverReached, 0, step ? 1 : 0);
    if (step) {
        // --gdb: the first count = 0 run after a count = 1 run retires the engine's count hook
        // and flushes every translated block, and runs up to ~500 times slower while it does
        // (measured: 3 M blocks in 5 s instead of 10 ms). An empty run (begin == until:
        // nothing executes, no hook is called) does that retirement here instead.
        const std::uint64_t at = reg(UC_ARM64_REG_PC);
        uc_emu_start(uc_, at, at, 0, 0);
    }
    const std::uint64_t end_pc = reg(UC_ARM64_REG_PC);
    correct_count(end_pc);
    // ---- debugger (--gdb) ----
    skip_armed_ = false;
    stepping_ = false;
    if (step && stop_ != Stop::Fatal && !halted_) {
        // The block hook counted the whole block; one instruction ran (or an exception entered).
        counted_ = 1;
        if (charged_ > counted_) charged_ = counted_;
        debug_event_ = DebugEvent::Step;
        if (run_to_active_) {
            // Stepping up to a breakpoint inside a block: report it when reached, give up
            // (run normally) when the flow left the straight line to it.
            debug_event_ = DebugEvent::None;
            if (end_pc == run_to_) {
                run_to_active_ = false;
                if (breakpoints_.count(end_pc) != 0) debug_event_ = DebugEvent::Breakpoint;
            } else if (end_pc < run_to_from_ || end_pc > run_to_) {
                run_to_active_ = false;
            }
        }
        // A stepped WFI is a WFI (the loop below waits); anything else is not.
        if (!(stop_ == Stop::None && end_pc == pc + 4 && instruction_at(pc) == kWfi)) request_stop(Stop::Debug);
    }
    // ---- end debugger ----
    stats_.instructions += counted_;
    charge_up_to(counted_);
    if (err != UC_ERR_OK && stop_ != Stop::Fatal) {
        std::string what = std::string("the engine stopped: ") + uc_strerror(err);
        if (err == UC_ERR_READ_UNMAPPED || err == UC_ERR_WRITE_UNMAPPED || err == UC_ERR_FETCH_UNMAPPED)
            what += ": " + (unmapped_.empty() ? std::string("an access") : unmapped_) +
                    " (outside RAM and the devices of docs/BOOT.md: a data or prefetch abort, which the engine "
                    "cannot forward to the guest; PC below is the start of the access's translation block)";
        unmapped_.clear();
        fatal_ = what;
        stop_ = Stop::Fatal;
    }
}

void IssCpu::correct_count(std::uint64_t pc) {
    // The block hook counted the whole block in which the slice (or an exception) ended.
    if (block_end_ > block_begin_ && pc >= block_begin_ && pc < block_end_) counted_ -= (block_end_ - pc) / 4;
    block_begin_ = block_end_ = 0;
}

void IssCpu::on_block(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* self) {
    auto* cpu = static_cast<IssCpu*>(self);
    // A stop requested from an MMIO callback or at the quantum end takes effect here, before
    // this block runs (iss-unicorn.md: stopping from the block hook is exact).
    if (cpu->stop_ == Stop::None && cpu->counted_ >= cpu->budget_) cpu->stop_ = Stop::Quantum;
    // --gdb: a breakpoint in this block (not in a step: it runs one instruction regardless).
    if (cpu->stop_ == Stop::None && !cpu->breakpoints_.empty() && cpu->debugger_ != nullptr && !cpu->stepping_ &&
        cpu->breakpoint_in_block(address, size))
        cpu->stop_ = Stop::Debug;
    if (cpu->stop_ != Stop::None) {
        uc_emu_stop(uc);
        cpu->block_begin_ = cpu->block_end_ = 0;
        cpu->block_stopped_ = true;  // PC is this block's start: not after a WFI that ran
        return;
    }
    cpu->counted_ += size / 4;
    cpu->block_begin_ = address;
    cpu->block_end_ = address + size;
}

// ---- debugger (--gdb) ------------------------------------------------------------------------
// Breakpoints live host-side (nothing is written into RAM) and are checked by the block hook,
// which every block already calls. Measured on Unicorn 2.0.1 (docs/BOOT.md, "Debugging"):
//   - a UC_HOOK_CODE hook limited to the breakpoint's address would be exact (uc_emu_stop in
//     it stops before that instruction, PC on it) but is unusable: while any code hook exists
//     a guest spin lock (LDAXR/STXR around UART MMIO writes) never gets the lock again, and
//     a deleted code hook breaks the callbacks of those added later;
//   - a stop from the block hook takes effect before the block runs (PC = its start);
//   - uc_emu_start(count = 1) executes one instruction (see run_slice).
// So a breakpoint at a block's start stops there; one inside a block stops the slice at the
// block's start and the CPU then steps (count = 1) up to it: run_to_.

void IssCpu::insert_breakpoint(std::uint64_t address) { breakpoints_.insert(address); }

void IssCpu::remove_breakpoint(std::uint64_t address) { breakpoints_.erase(address); }

bool IssCpu::breakpoint_in_block(std::uint64_t address, std::uint32_t size) {
    // Resuming where the debugger stopped this CPU: the breakpoint there is passed once.
    const bool skip = skip_armed_ && address == resume_pc_;
    skip_armed_ = false;
    auto it = breakpoints_.lower_bound(address);
    if (skip && it != breakpoints_.end() && *it == address) ++it;
    if (it == breakpoints_.end() || *it >= address + size) return false;
    if (*it == address) {
        debug_event_ = DebugEvent::Breakpoint;
    } else {
        run_to_active_ = true;
        run_to_from_ = address;
        run_to_ = *it;
    }
    return true;
}

bool IssCpu::write_memory(std::uint64_t address, const void* data, std::size_t size) {
    if (address < params_.ram_base || size > params_.ram_size || address - params_.ram_base > params_.ram_size - size)
        return false;
    std::memcpy(params_.ram + (address - params_.ram_base), data, size);
    invalidate_code(address, size);
    return true;
}

void IssCpu::invalidate_code(std::uint64_t address, std::size_t size) {
    if (size != 0) uc_ctl_remove_cache(uc_, address, address + size);
}

// ---- end debugger ----------------------------------------------------------------------------

void IssCpu::enter_exception(std::uint64_t vector_offset, std::uint64_t return_address, std::uint64_t esr,
                             bool set_esr) {
    // Exception entry to EL1 (ARM DDI 0487, "Exception entry"): SPSR_EL1 = PSTATE, ELR_EL1 = the preferred
    // return address, PSTATE.{D,A,I,F} = 1, SP_EL1 selected, PC = VBAR_EL1 + offset. Writing
    // PSTATE does not switch the stack pointer in the engine: from EL1t the host saves SP as
    // SP_EL0 and loads SP_EL1 itself.
    const std::uint64_t pstate = reg(UC_ARM64_REG_PSTATE);
    uc_arm64_cp_reg spsr = cp_reg(3, 0, 4, 0, 0, pstate);
    uc_reg_write(uc_, UC_ARM64_REG_CP_REG, &spsr);
    set_reg(UC_ARM64_REG_ELR_EL1, return_address);
    if (set_esr) set_reg(UC_ARM64_REG_ESR_EL1, esr);
    const bool from_spx = (pstate & kPstateSp) != 0;
    if (!from_spx) {
        const std::uint64_t sp_el1 = reg(UC_ARM64_REG_SP_EL1);
        set_reg(UC_ARM64_REG_SP_EL0, reg(UC_ARM64_REG_SP));
        set_reg(UC_ARM64_REG_PSTATE, (pstate & kPstateNzcv) | kPstateEl1hMasked);
        set_reg(UC_ARM64_REG_SP, sp_el1);
    } else {
        set_reg(UC_ARM64_REG_PSTATE, (pstate & kPstateNzcv) | kPstateEl1hMasked);
    }
    const std::uint64_t base = reg(UC_ARM64_REG_VBAR_EL1) + (from_spx ? kVectorCurrentSpx : 0);
    set_reg(UC_ARM64_REG_PC, base + vector_offset);
}

bool IssCpu::take_interrupt() {
    if (irq_ == nullptr) return false;
    const std::uint64_t pstate = reg(UC_ARM64_REG_PSTATE);
    // FIQ first: it is the higher-priority exception (ARM DDI 0487, the prioritization of asynchronous exceptions).
    const bool fiq = fiq_->read() && (pstate & kPstateF) == 0;
    const bool irq = irq_->read() && (pstate & kPstateI) == 0;
    if (!fiq && !irq) return false;
    // The preferred return address of an asynchronous exception: the next instruction that
    // has not executed, here the PC where the slice ended.
    enter_exception(fiq ? kVectorFiq : kVectorIrq, reg(UC_ARM64_REG_PC), 0, false);
    if (fiq)
        ++stats_.fiqs_taken;
    else
        ++stats_.irqs_taken;
    return true;
}

void IssCpu::forward_synchronous(std::uint32_t ec, std::uint32_t iss, std::uint64_t return_address) {
    // ESR_EL1: EC, IL = 1 (a 32-bit instruction), ISS (ARM DDI 0487, ESR_ELx).
    const std::uint64_t esr = (static_cast<std::uint64_t>(ec) << 26) | (1u << 25) | (iss & 0x1ffffffu);
    enter_exception(kVectorSync, return_address, esr, true);
}

void IssCpu::on_interrupt(uc_engine* uc, std::uint32_t intno, void* self) {
    auto* cpu = static_cast<IssCpu*>(self);
    const std::uint64_t pc = cpu->reg(UC_ARM64_REG_PC);
    // The instructions of this block after the one that raised the exception did not run.
    const std::uint64_t next = (intno == kExcpHvc || intno == kExcpSmc || intno == kExcpSwi) ? pc : pc + 4;
    cpu->correct_count(next);
    switch (intno) {
    case kExcpHvc:
    case kExcpSmc:
        cpu->host_.hypercall(*cpu);
        break;
    case kExcpSwi: {
        const std::uint32_t insn = cpu->instruction_at(pc - 4);
        cpu->forward_synchronous(kEcSvc64, (insn >> 5) & 0xffff, pc);
        break;
    }
    case kExcpBkpt: {
        const std::uint32_t insn = cpu->instruction_at(pc);
        cpu->forward_synchronous(kEcBrk64, (insn >> 5) & 0xffff, pc);
        break;
    }
    case kExcpUdef: {
        const std::uint32_t insn = cpu->instruction_at(pc);
        if (insn == kHltSemihosting) {
            cpu->host_.semihosting(*cpu);
            if (cpu->stop_ != Stop::Fatal) cpu->set_reg(UC_ARM64_REG_PC, pc + 4);
        } else {
            cpu->forward_synchronous(kEcUnknown, 0, pc);
        }
        break;
    }
    case kExcpPrefetchAbort:
    case kExcpDataAbort:
    default: {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "%s (engine exception %u): the engine exposes no syndrome or fault address, so it is "
                      "not forwarded to the guest",
                      intno == kExcpDataAbort ? "data abort" : intno == kExcpPrefetchAbort ? "prefetch abort"
                                                                                           : "an exception",
                      intno);
        cpu->fatal_ = buf;
        cpu->stop_ = Stop::Fatal;
        break;
    }
    }
    // Stopping from the interrupt hook is safe (iss-unicorn.md); the block hook repeats it
    // in case a PC write above cancelled it.
    if (cpu->stop_ != Stop::None) uc_emu_stop(uc);
}

bool IssCpu::on_unmapped(uc_engine*, uc_mem_type type, std::uint64_t address, int size, std::int64_t, void* self) {
    // The address is exact here; PC is not (the engine updates it only at block starts), so
    // the message names the access and the dump's PC is its translation block's start.
    auto* cpu = static_cast<IssCpu*>(self);
    char buf[200];
    std::snprintf(buf, sizeof buf, "%d-byte %s 0x%" PRIx64 ", where nothing is mapped", size,
                  type == UC_MEM_WRITE_UNMAPPED ? "store to" : type == UC_MEM_FETCH_UNMAPPED ? "instruction fetch from"
                                                                                           : "load from",
                  address);
    cpu->unmapped_ = buf;
    return false;  // the engine stops with UC_ERR_*_UNMAPPED
}

std::uint64_t IssCpu::on_mmio_read(uc_engine*, std::uint64_t offset, unsigned size, void* region) {
    auto* ctx = static_cast<RegionContext*>(region);
    return ctx->cpu->mmio(ctx->base + offset, size, false, 0);
}

void IssCpu::on_mmio_write(uc_engine*, std::uint64_t offset, unsigned size, std::uint64_t value, void* region) {
    auto* ctx = static_cast<RegionContext*>(region);
    ctx->cpu->mmio(ctx->base + offset, size, true, value);
}

std::uint64_t IssCpu::mmio(std::uint64_t address, unsigned size, bool is_write, std::uint64_t value) {
    ++stats_.mmio_accesses;
    if (stop_ == Stop::Fatal || halted_) return 0;
    // Charge the instructions of the blocks before this one (PC is stale here, see the top).
    charge_up_to(counted_ - (block_end_ - block_begin_) / 4);
    const ::tlm::tlm_response_status status = transport(bus, address, size, is_write, value);
    if (status < 0) {  // an error response (TLM-2.0: the negative statuses)
        ::tlm::tlm_generic_payload answer;
        answer.set_response_status(status);
        char buf[200];
        std::snprintf(buf, sizeof buf, "%u-byte %s at 0x%08" PRIx64 " answered %s: an external abort, which the "
                      "engine cannot forward to the guest", size, is_write ? "store" : "load", address,
                      answer.get_response_string().c_str());
        fatal_ = buf;
        request_stop(Stop::Fatal);
        return 0;
    }
    return value;
}

void IssCpu::charge_up_to(std::uint64_t instructions) {
    if (instructions <= charged_) return;
    keeper_.inc(params_.instruction_time * static_cast<double>(instructions - charged_));
    charged_ = instructions;
}

::tlm::tlm_response_status IssCpu::transport(tlm_utils::simple_initiator_socket<IssCpu>& socket, std::uint64_t address,
                                             unsigned size, bool is_write, std::uint64_t& value) {
    // A timed access at the CPU's local time; the target's latency comes back in the delay,
    // and a delay past the quantum asks the next block hook for a synchronisation.
    std::uint8_t data[8] = {};
    std::memcpy(data, &value, sizeof data);
    ::tlm::tlm_generic_payload tx;
    tx.set_command(is_write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
    tx.set_address(address);
    tx.set_data_ptr(data);
    tx.set_data_length(size);
    tx.set_streaming_width(size);
    tx.set_byte_enable_ptr(nullptr);
    tx.set_dmi_allowed(false);
    tx.set_response_status(::tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = keeper_.get_local_time();
    socket->b_transport(tx, delay);
    keeper_.set(delay);
    if (keeper_.need_sync()) request_stop(Stop::Sync);
    if (!tx.is_response_error()) {
        value = 0;
        std::memcpy(&value, data, size <= 8 ? size : 8);
    }
    return tx.get_response_status();
}

bool IssCpu::sysreg_access(std::uint32_t encoding, bool is_write, std::uint64_t& value) {
    ++stats_.sysreg_accesses;
    return transport(sysreg, encoding, 8, is_write, value) >= 0;
}

std::uint32_t IssCpu::on_mrs(uc_engine*, uc_arm64_reg rt, const uc_arm64_cp_reg* cp, void* self) {
    return static_cast<IssCpu*>(self)->system_register(rt, *cp, false);
}

std::uint32_t IssCpu::on_msr(uc_engine*, uc_arm64_reg rt, const uc_arm64_cp_reg* cp, void* self) {
    return static_cast<IssCpu*>(self)->system_register(rt, *cp, true);
}

std::uint32_t IssCpu::system_register(uc_arm64_reg rt, const uc_arm64_cp_reg& cp, bool is_write) {
    const std::uint32_t enc = vgic::sysreg_encoding(cp.op0, cp.op1, cp.crn, cp.crm, cp.op2);
    const bool timer = is_timer_register(enc);
    const bool gic = !timer && is_gic_register(cp);
    const bool mpidr = enc == kMpidrEl1 && !is_write;
    if (!timer && !gic && !mpidr) return 0;  // the engine's own register
    if (stop_ == Stop::Fatal || halted_) return 1;
    const std::uint64_t pc = reg(UC_ARM64_REG_PC);
    // PC is up to date in this hook: charge exactly the instructions before this one.
    const std::uint64_t rest = block_end_ > pc ? (block_end_ - pc) / 4 : 0;
    charge_up_to(counted_ > rest ? counted_ - rest : 0);
    if (mpidr) {
        // Every engine reads 0x80000000: each CPU answers its own affinity.
        set_reg(rt, params_.mpidr);
        return 1;
    }
    std::uint64_t value = is_write ? cp.val : 0;
    if ((gic && !params_.gicv3_sysregs) || !sysreg_access(enc, is_write, value)) {
        // Without a GICv3 system-register interface the ICC_ registers are UNDEFINED (GIC v3
        // spec 12.1.5; ID_AA64PFR0_EL1.GIC = 0); so is an encoding the model refuses.
        correct_count(pc + 4);
        forward_synchronous(kEcUnknown, 0, pc);
        return 1;
    }
    if (!is_write && rt != UC_ARM64_REG_XZR) set_reg(rt, value);
    // The engine does not know the GIC registers: returning 1 would leave PC on the
    // instruction (it would run forever); step over it by hand.
    if (gic) set_reg(UC_ARM64_REG_PC, pc + 4);
    return 1;
}

} // namespace vgic::boot
