// SPDX-License-Identifier: Apache-2.0
// One AArch64 CPU of the `vgic-sim boot` board: a Unicorn 2.0.1 engine driven by a SystemC
// thread, loosely timed (TLM-2.0 LT with a tlm_quantumkeeper).
//
// The thread runs the engine in slices: uc_emu_start until the quantum is used up (counted in
// a block hook), an access asked for synchronisation, WFI, or an exception the host handles.
// Nothing suspends the engine mid-block: MMIO callbacks call b_transport with the CPU's local
// time as annotated delay and only *request* a stop, which the next block hook carries out
// (a uc_emu_stop inside an MMIO callback re-executes the block, ../shared/reference/
// iss-unicorn.md); wait() happens only between slices, in the thread.
//
// Interrupts are taken between slices: if the CPU's IRQ (FIQ) line is high and PSTATE.I (F)
// is clear, the host performs the exception entry the engine cannot (SPSR_EL1, ELR_EL1,
// PSTATE, PC = VBAR_EL1 + offset). A line that rises while the CPU runs ahead of simulated
// time is therefore seen at the CPU's next synchronisation: at most one quantum plus one
// translation block late (docs/BOOT.md, "Latency bound").
#pragma once

#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#endif
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <unicorn/unicorn.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

namespace vgic::boot {

class IssCpu;

/// What a CPU asks of its board (PSCI, semihosting output, WFI policy, the end of the run).
class CpuHost {
public:
    virtual ~CpuHost() = default;
    /// HVC #imm / SMC #imm: the SMC calling convention (PSCI). Reads and writes x0-x3.
    virtual void hypercall(IssCpu& cpu) = 0;
    /// Semihosting call (HLT #0xF000): operation w0, parameter x1; result into x0.
    virtual void semihosting(IssCpu& cpu) = 0;
    /// WFI retired with the CPU synchronised to simulated time: returns when the CPU may go
    /// on (an interrupt pending at its interface, or the board ending the run).
    virtual void wait_for_interrupt(IssCpu& cpu) = 0;
    /// Before each slice, synchronised or not: vm mode waits while the vCPU is out of the
    /// guest (kick, exit, flush, entry take simulated time in which no guest code runs).
    virtual void before_slice(IssCpu& cpu) = 0;
    /// The CPU cannot go on (an abort, an instruction the engine cannot execute ...): ends
    /// the run with exit status 3 and `what` plus the CPU's register dump.
    virtual void fatal(IssCpu& cpu, const std::string& what) = 0;
    /// The host entered the guest's IRQ/FIQ vector (the handler's first instruction runs at
    /// sc_time_stamp() + cpu.local_time()). For tracing; default: nothing.
    virtual void interrupt_entered(IssCpu& cpu) { (void)cpu; }
};

// ---- debugger (--gdb: gdb_stub.hpp; docs/BOOT.md, "Debugging") ------------------------------
/// Why a slice ended for the debugger.
enum class DebugEvent { None, Breakpoint, Step };
/// How the next slice runs.
enum class DebugMode { Run, Step };

/// What a CPU asks of an attached debugger. Both calls come from the CPU's thread between
/// slices (the engine stopped, the registers consistent); the debugger may hold the whole
/// simulation there, serving its client (all-stop: every other CPU is suspended in its own
/// thread, which never waits inside the engine).
class Debugger {
public:
    virtual ~Debugger() = default;
    /// Before each slice: whether it runs freely or executes exactly one instruction.
    virtual DebugMode before_slice(IssCpu& cpu) = 0;
    /// After a slice that stopped before a breakpoint's instruction or completed a step.
    virtual void stopped(IssCpu& cpu, DebugEvent why) = 0;
};
// ---- end debugger ----------------------------------------------------------------------------

/// A memory-mapped region the CPU reaches through its TLM socket (everything but RAM).
struct MmioRegion {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
};

struct IssCpuParams {
    unsigned index = 0;
    std::uint64_t mpidr = 0;
    std::uint8_t* ram = nullptr;       ///< host buffer of guest RAM, shared by every CPU
    std::uint64_t ram_base = 0;
    std::uint64_t ram_size = 0;
    std::vector<MmioRegion> mmio;      ///< regions whose accesses become TLM transactions
    sc_core::sc_time instruction_time; ///< one guest instruction (the profile's `instruction`)
    sc_core::sc_time irq_entry;        ///< line high -> first handler instruction (`irq_entry`)
    bool gicv3_sysregs = false;        ///< forward ICC_ system registers (GICv3); else UNDEFINED
    std::size_t stack_size = 0;        ///< the SystemC thread's stack (the engine's JIT needs a lot)
};

/// Counters for the summary.
struct CpuStats {
    std::uint64_t instructions = 0;
    std::uint64_t irqs_taken = 0;
    std::uint64_t fiqs_taken = 0;
    std::uint64_t slices = 0;
    std::uint64_t mmio_accesses = 0;
    std::uint64_t sysreg_accesses = 0;
    std::uint64_t wfis = 0;
};

class IssCpu : public sc_core::sc_module {
public:
    /// GIC, timer and device accesses (address = physical address), through the router.
    tlm_utils::simple_initiator_socket<IssCpu> bus;
    /// MRS/MSR of the registers the model serves (generic timer, ICC_/ICV_): address = the
    /// encoding (vgic::sysreg_encoding), 8-byte data.
    tlm_utils::simple_initiator_socket<IssCpu> sysreg;

    IssCpu(const sc_core::sc_module_name& name, const IssCpuParams& params, CpuHost& host);
    ~IssCpu() override;

    /// The interrupt lines this CPU takes (hw: the GIC's IRQ/FIQ; vm: vIRQ/vFIQ).
    void connect_lines(sc_core::sc_signal<bool>& irq, sc_core::sc_signal<bool>& fiq);

    /// Power: starts the CPU at `entry` with x0 = `x0`, EL1h, MMU off, DAIF masked.
    /// `delay`: when, from now (the caller's local time: CPU_ON takes effect at its instant).
    void power_on(std::uint64_t entry, std::uint64_t x0, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME);
    /// The calling CPU powers itself off at the end of the current slice (PSCI CPU_OFF).
    void power_off();
    bool powered() const { return powered_; }
    bool power_on_pending() const { return power_on_pending_; }
    /// Ends the thread at the next slice boundary (the run is over).
    void halt();

    unsigned index() const { return params_.index; }
    std::uint64_t mpidr() const { return params_.mpidr; }
    const CpuStats& stats() const { return stats_; }
    /// Whether the interrupt line (or FIQ line) is high now.
    bool irq_pending() const;
    /// Notified when either line changes (what wakes a WFI).
    const sc_core::sc_event& line_event() const;
    /// Notified by power_on() and halt().
    const sc_core::sc_event& power_event() const { return power_event_; }

    // Register access for the host (PSCI, semihosting, dumps).
    std::uint64_t reg(uc_arm64_reg r) const;
    void set_reg(uc_arm64_reg r, std::uint64_t value);
    std::uint64_t x(unsigned n) const;
    void set_x(unsigned n, std::uint64_t value);
    /// Guest physical memory (RAM only): false if [address, address + size) is not RAM.
    bool read_memory(std::uint64_t address, void* out, std::size_t size) const;
    // ---- debugger (--gdb) ----
    /// Attaches a debugger (nullptr detaches); the CPU asks it before and after slices.
    void set_debugger(Debugger* debugger) { debugger_ = debugger; }
    /// A host-side breakpoint: the CPU stops before executing the instruction at `address`.
    /// Only between slices (no engine running).
    void insert_breakpoint(std::uint64_t address);
    void remove_breakpoint(std::uint64_t address);
    /// Writes guest RAM (false if not all RAM) and drops this engine's code translated from it.
    bool write_memory(std::uint64_t address, const void* data, std::size_t size);
    /// Drops this engine's translated code for [address, address + size) (RAM written by the host).
    void invalidate_code(std::uint64_t address, std::size_t size);
    // ---- end debugger ----
    /// x0-x30, SP, PC, PSTATE, VBAR_EL1, ELR/SPSR_EL1 and the instruction word at PC.
    std::string register_dump() const;
    /// The CPU's local time ahead of simulated time (the quantum keeper's).
    sc_core::sc_time local_time() const { return keeper_.get_local_time(); }
    /// Adds `t` to the local time (a host action that takes guest time).
    void consume(const sc_core::sc_time& t) { keeper_.inc(t); }
    /// Synchronises to simulated time (thread context, between slices only).
    void synchronize() { keeper_.sync(); }

private:
    enum class Stop { None, Quantum, Sync, Halt, Fatal, Debug };

    void main();
    void configure_engine();
    void reset_registers(std::uint64_t entry, std::uint64_t x0);
    void run_slice(bool step);
    bool take_interrupt();
    void enter_exception(std::uint64_t vector_offset_from_current_spx, std::uint64_t return_address,
                         std::uint64_t esr, bool set_esr);
    void forward_synchronous(std::uint32_t ec, std::uint32_t iss, std::uint64_t return_address);
    void request_stop(Stop why);
    void correct_count(std::uint64_t pc);
    std::uint32_t instruction_at(std::uint64_t pc) const;

    // Engine callbacks (static trampolines, user data = this).
    static void on_block(uc_engine* uc, std::uint64_t address, std::uint32_t size, void* self);
    bool breakpoint_in_block(std::uint64_t address, std::uint32_t size);  // --gdb
    static void on_interrupt(uc_engine* uc, std::uint32_t intno, void* self);
    static bool on_unmapped(uc_engine* uc, uc_mem_type type, std::uint64_t address, int size, std::int64_t value,
                            void* self);
    static std::uint64_t on_mmio_read(uc_engine* uc, std::uint64_t offset, unsigned size, void* region);
    static void on_mmio_write(uc_engine* uc, std::uint64_t offset, unsigned size, std::uint64_t value, void* region);
    static std::uint32_t on_mrs(uc_engine* uc, uc_arm64_reg rt, const uc_arm64_cp_reg* cp, void* self);
    static std::uint32_t on_msr(uc_engine* uc, uc_arm64_reg rt, const uc_arm64_cp_reg* cp, void* self);
    std::uint32_t system_register(uc_arm64_reg rt, const uc_arm64_cp_reg& cp, bool is_write);

    std::uint64_t mmio(std::uint64_t address, unsigned size, bool is_write, std::uint64_t value);
    bool sysreg_access(std::uint32_t encoding, bool is_write, std::uint64_t& value);
    /// b_transport through `socket` at the local time; `value` in, and out on success.
    ::tlm::tlm_response_status transport(tlm_utils::simple_initiator_socket<IssCpu>& socket, std::uint64_t address,
                                         unsigned size, bool is_write, std::uint64_t& value);
    /// Adds the time of the slice's instructions up to `instructions` not yet charged.
    void charge_up_to(std::uint64_t instructions);

    struct RegionContext {
        IssCpu* cpu;
        std::uint64_t base;
    };

    IssCpuParams params_;
    CpuHost& host_;
    uc_engine* uc_ = nullptr;
    std::vector<RegionContext> regions_;
    tlm_utils::tlm_quantumkeeper keeper_;
    sc_core::sc_signal<bool>* irq_ = nullptr;
    sc_core::sc_signal<bool>* fiq_ = nullptr;
    sc_core::sc_event power_event_;
    sc_core::sc_event line_changed_;
    CpuStats stats_;

    bool powered_ = false;
    bool power_on_pending_ = false;
    bool power_off_requested_ = false;
    bool halted_ = false;
    std::uint64_t entry_ = 0, entry_x0_ = 0;

    // The current slice.
    Stop stop_ = Stop::None;
    std::uint64_t budget_ = 0;        // instructions allowed in this slice
    std::uint64_t counted_ = 0;       // instructions of the blocks started in this slice
    std::uint64_t charged_ = 0;       // of those, already added to the local time
    std::uint64_t block_begin_ = 0, block_end_ = 0;  // the block executing now
    std::string fatal_;
    std::string unmapped_;  // the last access to nothing (on_unmapped), for the message
    bool block_stopped_ = false;  // this slice was stopped by the block hook (PC: a block's start)

    // ---- debugger (--gdb) ----
    Debugger* debugger_ = nullptr;
    std::set<std::uint64_t> breakpoints_;  // checked by the block hook (no code hooks)
    bool stepping_ = false;           // this slice runs one instruction
    bool run_to_active_ = false;      // a breakpoint inside a block: step from run_to_from_ ...
    std::uint64_t run_to_from_ = 0, run_to_ = 0;  // ... up to run_to_
    DebugEvent debug_event_ = DebugEvent::None;     // why the current slice stopped for it
    bool resume_valid_ = false;       // the debugger let this CPU go at resume_pc_ ...
    std::uint64_t resume_pc_ = 0;
    bool skip_armed_ = false;         // ... so the breakpoint there does not stop it again
    // ---- end debugger ----
};

} // namespace vgic::boot
