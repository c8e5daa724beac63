// SPDX-License-Identifier: Apache-2.0
// The GDB remote serial protocol (RSP) for `vgic-sim boot --gdb PORT`, protocol layer only:
// plain C++17, no SystemC, no sockets, so the unit tests drive it byte by byte
// (testbenches/boot/gdb_rsp.cpp). gdb_stub.hpp puts it on a TCP socket and into the CPUs.
//
// What is served (GDB manual, "Remote Protocol"; docs/BOOT.md, "Debugging"):
//   framing   $payload#cs with '+'/'-' acknowledgements, 0x03 (interrupt) between packets;
//             a bad checksum or an oversized packet is answered '-', never acted upon
//   stop      ?  ->  T05thread:N;  (N = CPU index + 1, hex), W xx when the run ends
//   registers g G p P: GDB's org.gnu.gdb.aarch64.core layout, x0-x30, sp, pc (64-bit), cpsr
//             (32-bit), 34 registers, little-endian; qXfer:features:read:target.xml
//   memory    m M (X is answered empty: GDB falls back to M)
//   breaks    Z0/z0 (and Z1/z1 the same way): host-side, nothing is written into guest RAM
//   run       c s C S [addr], vCont? vCont;c vCont;s:N (others continue)
//   threads   H g/c, qfThreadInfo qsThreadInfo qC T qThreadExtraInfo: one thread per CPU
//   session   qSupported (PacketSize, qXfer:features:read+), qAttached (1), D (detach),
//             k (kill: the stub ends the run)
// Anything else is answered with the empty packet ("not supported").
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace vgic::boot::gdb {

/// The largest packet payload accepted or sent, in characters (qSupported PacketSize).
constexpr std::size_t kMaxPacket = 0x4000;

/// The AArch64 register file as GDB's aarch64 core feature numbers it.
struct Registers {
    std::uint64_t x[31] = {};
    std::uint64_t sp = 0;
    std::uint64_t pc = 0;
    std::uint32_t cpsr = 0;
};
constexpr unsigned kRegisterCount = 34;  ///< x0-x30 (0-30), sp (31), pc (32), cpsr (33)

/// `$payload#cs` with '$', '#', '}' and '*' escaped ('}' then the byte XOR 0x20).
std::string frame(const std::string& payload);
/// The modulo-256 sum of the payload's bytes as the two lower-case hex digits of the trailer.
std::string checksum(const std::string& payload);
/// Lower-case hex of bytes / of a value in target (little-endian) order.
std::string to_hex(const std::uint8_t* data, std::size_t size);
std::string to_hex_le(std::uint64_t value, unsigned bytes);
/// Binary data of a received packet ('}' escapes undone); false if an escape is cut off.
bool unescape(const std::string& in, std::string& out);

/// Splits a received byte stream into packets and control characters.
class PacketReader {
public:
    struct Event {
        enum class Kind {
            Packet,     ///< a well-formed packet (payload): acknowledge with '+'
            Bad,        ///< checksum mismatch, non-hex checksum or too long: answer '-'
            Ack,        ///< '+'
            Nack,       ///< '-': send the last packet again
            Interrupt,  ///< 0x03 outside a packet (GDB's Ctrl-C)
        };
        Kind kind;
        std::string payload;
    };

    /// Feeds received bytes; complete events are appended to `out`. Bytes outside packets
    /// other than '+', '-' and 0x03 are ignored (line noise).
    void feed(const char* data, std::size_t size, std::vector<Event>& out);
    /// Whether a packet has started and not yet ended.
    bool in_packet() const { return state_ != State::Idle; }

private:
    enum class State { Idle, Body, Check1, Check2 };
    State state_ = State::Idle;
    std::string body_;
    bool overflow_ = false;
    unsigned sum_ = 0;
    char check1_ = 0;
};

/// What the session needs from the machine (gdb_stub.cpp: the board's CPUs).
class Target {
public:
    virtual ~Target() = default;
    virtual unsigned cpu_count() const = 0;
    virtual Registers registers(unsigned cpu) const = 0;
    virtual void set_registers(unsigned cpu, const Registers& regs) = 0;
    /// Guest memory as `cpu` sees it; false where nothing readable (writable) is there.
    virtual bool read_memory(unsigned cpu, std::uint64_t address, std::uint8_t* out, std::size_t size) = 0;
    virtual bool write_memory(unsigned cpu, std::uint64_t address, const std::uint8_t* data, std::size_t size) = 0;
    /// Breakpoints apply to every CPU. Called once per address as the set changes.
    virtual void insert_breakpoint(std::uint64_t address) = 0;
    virtual void remove_breakpoint(std::uint64_t address) = 0;
    /// One line for `info threads` (qThreadExtraInfo), e.g. "cpu1, powered off".
    virtual std::string describe(unsigned cpu) const = 0;
};

/// What a packet asks of the stub.
struct Action {
    enum class Kind {
        Reply,     ///< send `reply` and read the next packet
        Continue,  ///< resume every CPU (no reply now: the next stop reply answers it)
        Step,      ///< CPU `cpu` executes one instruction, the others continue
        Detach,    ///< send `reply` ("OK"), drop the breakpoints, resume, stop serving
        Kill,      ///< end the run (no reply)
    };
    Kind kind = Kind::Reply;
    std::string reply;
    unsigned cpu = 0;
};

/// The command interpreter: one session with one client, all-stop.
class Session {
public:
    explicit Session(Target& target);

    /// The machine stopped: `cpu` (0-based) is the thread reported, `signal` GDB's number
    /// (5 SIGTRAP for breakpoints, steps and the initial stop; 2 SIGINT for an interrupt).
    void stopped(unsigned cpu, int signal);
    /// "T05thread:N;" for the last stop.
    std::string stop_reply() const;
    /// Handles one packet payload (already acknowledged).
    Action handle(const std::string& payload);
    /// The breakpoints set (for detach: the stub removes them).
    const std::set<std::uint64_t>& breakpoints() const { return breakpoints_; }
    /// Drops every breakpoint (detach, disconnect).
    void clear_breakpoints();
    /// The target description served as target.xml.
    static std::string target_xml();

private:
    Action reply(std::string text) const;
    Action read_registers() const;
    Action write_registers(const std::string& args);
    Action read_register(const std::string& args) const;
    Action write_register(const std::string& args);
    Action read_memory(const std::string& args);
    Action write_memory(const std::string& args);
    Action breakpoint(const std::string& payload);
    Action set_thread(const std::string& args);
    Action resume(bool step, const std::string& address);
    Action v_cont(const std::string& args);
    Action query(const std::string& payload);
    /// A thread id as sent ("-1" all, "0" any, else hex CPU index + 1): false if malformed
    /// or not a thread; `cpu` = -1 for all, -2 for any.
    bool parse_thread(const std::string& text, long& cpu) const;
    unsigned resolve(long cpu) const;

    Target& target_;
    unsigned stopped_cpu_ = 0;
    int signal_ = 5;
    long g_thread_ = -2;  // the thread of g/G/p/P/m/M (H g)
    long c_thread_ = -2;  // the thread of c/s (H c)
    std::set<std::uint64_t> breakpoints_;
};

} // namespace vgic::boot::gdb
