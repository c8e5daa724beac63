// SPDX-License-Identifier: Apache-2.0
// `vgic-sim boot --gdb PORT`: a GDB remote stub for the board's CPUs (docs/BOOT.md,
// "Debugging"). The protocol is gdb_rsp.hpp; this is the socket and the glue to IssCpu.
//
// One client on 127.0.0.1:PORT (PORT 0: any free port, reported by port()). The stub is an
// IssCpu Debugger, all-stop:
//   - the run stops for the debugger before CPU 0's first instruction, at every breakpoint
//     (before its instruction) and after every step;
//   - while stopped, the stub serves packets *blocking on the socket inside the stopped CPU's
//     SystemC thread*. This is the only place the simulation waits on I/O: the whole
//     simulation (every CPU, the GIC, simulated time) stands still until GDB resumes it,
//     because all of it runs on that one host thread;
//   - continue resumes every CPU; a step runs one instruction on the CPU asked for while the
//     others continue (GDB's default, scheduler-locking off) until it completes;
//   - while the guest runs, the socket is polled every few slices for GDB's interrupt
//     (Ctrl-C, 0x03) and for a disconnect;
//   - D (detach) and a client that goes away drop the breakpoints and let the run go on
//     without the debugger; k (kill) ends the run with status 137; when the run ends by
//     itself the client gets W with the exit status.
// Hostile input (bad checksums, malformed or oversized packets, garbage) is refused packet by
// packet ('-' or an error reply); nothing a client sends can crash or hang the simulator
// beyond holding it stopped, which is what a debugger is for.
#pragma once

#include "boot/gdb_rsp.hpp"
#include "boot/iss_cpu.hpp"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace vgic::boot {

class GdbStub final : public Debugger, private gdb::Target {
public:
    /// Listens on 127.0.0.1:`port` (0: any free port). Throws std::runtime_error with a precise
    /// message when it cannot (the port in use, no permission ...).
    explicit GdbStub(unsigned port);
    ~GdbStub() override;
    GdbStub(const GdbStub&) = delete;
    GdbStub& operator=(const GdbStub&) = delete;

    /// The port listened on.
    unsigned port() const { return port_; }
    /// The CPUs (thread N = cpus[N - 1]) and how to end the run (k): status and reason.
    void attach(std::vector<IssCpu*> cpus, std::function<void(IssCpu&, int, const std::string&)> end_run);
    /// Blocks until the client connects (before the simulation starts). False on an error.
    bool accept_client(std::string& error);
    /// The run is over with `status`: tells the client (W) and closes the connection.
    void run_ended(int status);

    // Debugger
    DebugMode before_slice(IssCpu& cpu) override;
    void stopped(IssCpu& cpu, DebugEvent why) override;

private:
    // gdb::Target
    unsigned cpu_count() const override { return static_cast<unsigned>(cpus_.size()); }
    gdb::Registers registers(unsigned cpu) const override;
    void set_registers(unsigned cpu, const gdb::Registers& regs) override;
    bool read_memory(unsigned cpu, std::uint64_t address, std::uint8_t* out, std::size_t size) override;
    bool write_memory(unsigned cpu, std::uint64_t address, const std::uint8_t* data, std::size_t size) override;
    void insert_breakpoint(std::uint64_t address) override;
    void remove_breakpoint(std::uint64_t address) override;
    std::string describe(unsigned cpu) const override;

    /// Serves the client until it resumes the run; `report`: send the stop reply first.
    void serve(IssCpu& cpu, int signal, bool report);
    /// Reads into the reader; false when the client is gone. `wait`: block, else poll.
    bool receive(bool wait);
    void send_packet(const std::string& payload);
    void send_raw(const std::string& bytes);
    /// The client is gone (or detached): no breakpoints, no debugger, the run goes on.
    void disconnect(const char* why);

    int listen_fd_ = -1;
    int fd_ = -1;
    unsigned port_ = 0;
    std::vector<IssCpu*> cpus_;
    std::function<void(IssCpu&, int, const std::string&)> end_run_;
    gdb::Session session_;
    gdb::PacketReader reader_;
    std::vector<gdb::PacketReader::Event> events_;
    std::size_t next_event_ = 0;
    std::string last_sent_;
    bool initial_stop_ = true;
    bool stepping_ = false;
    unsigned step_cpu_ = 0;
    bool interrupt_ = false;  // 0x03 seen while running
    unsigned poll_countdown_ = 0;
};

} // namespace vgic::boot
