// SPDX-License-Identifier: Apache-2.0
// `vgic-sim boot --gdb PORT` (gdb_stub.hpp): the socket and the glue between the protocol
// layer (gdb_rsp.hpp) and the board's CPUs (IssCpu's Debugger interface).
#include "boot/gdb_stub.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace vgic::boot {

namespace {

constexpr int kSigInt = 2, kSigTrap = 5;
/// Exit status of a run ended by GDB's kill, as a shell reports a process killed by SIGKILL.
constexpr int kKilledStatus = 137;
/// While the guest runs, the socket is polled once every this many slices (a poll costs
/// about a microsecond, a slice a quantum's worth of instructions).
constexpr unsigned kPollEvery = 64;

} // namespace

GdbStub::GdbStub(unsigned port) : session_(*this) {
    const std::string where = "127.0.0.1:" + std::to_string(port);
    if (port > 65535) throw std::runtime_error("--gdb " + std::to_string(port) + ": expected a TCP port, 0..65535");
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::runtime_error(std::string("--gdb: cannot create a socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 1) != 0) {
        const int e = errno;
        ::close(listen_fd_);
        listen_fd_ = -1;
        throw std::runtime_error("--gdb " + std::to_string(port) + ": cannot listen on " + where + ": " + std::strerror(e));
    }
    socklen_t len = sizeof addr;
    if (::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) port_ = ntohs(addr.sin_port);
}

GdbStub::~GdbStub() {
    if (fd_ >= 0) ::close(fd_);
    if (listen_fd_ >= 0) ::close(listen_fd_);
}

void GdbStub::attach(std::vector<IssCpu*> cpus, std::function<void(IssCpu&, int, const std::string&)> end_run) {
    cpus_ = std::move(cpus);
    end_run_ = std::move(end_run);
    for (IssCpu* c : cpus_) c->set_debugger(this);
}

bool GdbStub::accept_client(std::string& error) {
    for (;;) {
        fd_ = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd_ >= 0) break;
        if (errno == EINTR || errno == ECONNABORTED) continue;
        error = std::strerror(errno);
        return false;
    }
    // One client: nobody else may connect.
    ::close(listen_fd_);
    listen_fd_ = -1;
    // Every reply is one small packet that GDB waits for: no Nagle delay.
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return true;
}

// ---- socket ----------------------------------------------------------------------------------

bool GdbStub::receive(bool wait) {
    if (fd_ < 0) return false;
    if (!wait) {
        pollfd p{fd_, POLLIN, 0};
        int r;
        do r = ::poll(&p, 1, 0);
        while (r < 0 && errno == EINTR);
        if (r == 0) return true;  // nothing to read, still connected
        if (r < 0) return false;
    }
    char buf[4096];
    ssize_t n;
    do n = ::recv(fd_, buf, sizeof buf, 0);
    while (n < 0 && errno == EINTR);
    if (n <= 0) return false;  // EOF or an error: the client is gone
    if (next_event_ == events_.size()) {
        events_.clear();
        next_event_ = 0;
    }
    reader_.feed(buf, static_cast<std::size_t>(n), events_);
    return true;
}

void GdbStub::send_raw(const std::string& bytes) {
    std::size_t done = 0;
    while (fd_ >= 0 && done < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            disconnect("the connection failed");
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

void GdbStub::send_packet(const std::string& payload) {
    last_sent_ = gdb::frame(payload);
    send_raw(last_sent_);
}

void GdbStub::disconnect(const char* why) {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    session_.clear_breakpoints();
    for (IssCpu* c : cpus_) c->set_debugger(nullptr);
    stepping_ = false;
    std::fprintf(stderr, "vgic-sim boot: --gdb: %s; the run goes on without the debugger\n", why);
}

void GdbStub::run_ended(int status) {
    if (fd_ < 0) return;
    // The client waits for a stop reply to its continue (or step): the process exited.
    char buf[8];
    std::snprintf(buf, sizeof buf, "W%02x", static_cast<unsigned>(status) & 0xffu);
    send_packet(buf);
    // Give GDB the chance to acknowledge before the connection closes (it reads the reply
    // first either way; a missing '+' changes nothing).
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, 200);
    ::close(fd_);
    fd_ = -1;
}

// ---- the Debugger side -----------------------------------------------------------------------

DebugMode GdbStub::before_slice(IssCpu& cpu) {
    if (fd_ < 0) return DebugMode::Run;
    if (initial_stop_) {
        // Before the first instruction: GDB asks '?' itself once connected.
        initial_stop_ = false;
        serve(cpu, kSigTrap, false);
    } else if (++poll_countdown_ >= kPollEvery) {
        poll_countdown_ = 0;
        if (!receive(false)) {
            disconnect("the client disconnected");
            return DebugMode::Run;
        }
        for (; next_event_ < events_.size(); ++next_event_)
            if (events_[next_event_].kind == gdb::PacketReader::Event::Kind::Interrupt) interrupt_ = true;
        if (interrupt_) {
            interrupt_ = false;
            serve(cpu, kSigInt, true);
        }
    }
    if (fd_ < 0) return DebugMode::Run;
    return stepping_ && step_cpu_ == cpu.index() ? DebugMode::Step : DebugMode::Run;
}

void GdbStub::stopped(IssCpu& cpu, DebugEvent why) {
    if (fd_ < 0) return;
    if (why == DebugEvent::Step) stepping_ = false;
    serve(cpu, kSigTrap, true);
}

void GdbStub::serve(IssCpu& cpu, int signal, bool report) {
    using Kind = gdb::PacketReader::Event::Kind;
    stepping_ = false;
    session_.stopped(cpu.index(), signal);
    if (report) send_packet(session_.stop_reply());
    while (fd_ >= 0) {
        if (next_event_ == events_.size() && !receive(true)) {
            disconnect("the client disconnected");
            return;
        }
        while (fd_ >= 0 && next_event_ < events_.size()) {
            const gdb::PacketReader::Event ev = events_[next_event_++];
            switch (ev.kind) {
            case Kind::Ack:
            case Kind::Interrupt:  // already stopped
                break;
            case Kind::Nack:
                if (!last_sent_.empty()) send_raw(last_sent_);
                break;
            case Kind::Bad:
                send_raw("-");
                break;
            case Kind::Packet: {
                send_raw("+");
                const gdb::Action a = session_.handle(ev.payload);
                switch (a.kind) {
                case gdb::Action::Kind::Reply:
                    send_packet(a.reply);
                    break;
                case gdb::Action::Kind::Continue:
                    return;
                case gdb::Action::Kind::Step:
                    stepping_ = true;
                    step_cpu_ = a.cpu;
                    return;
                case gdb::Action::Kind::Detach:
                    send_packet(a.reply);
                    disconnect("GDB detached");
                    return;
                case gdb::Action::Kind::Kill:
                    disconnect("GDB killed the run");
                    if (end_run_) end_run_(cpu, kKilledStatus, "killed by the debugger (GDB 'kill')");
                    return;
                }
                break;
            }
            }
        }
    }
}

// ---- the Target side -------------------------------------------------------------------------

gdb::Registers GdbStub::registers(unsigned cpu) const {
    const IssCpu& c = *cpus_.at(cpu);
    gdb::Registers r;
    for (unsigned i = 0; i < 31; ++i) r.x[i] = c.x(i);
    r.sp = c.reg(UC_ARM64_REG_SP);
    r.pc = c.reg(UC_ARM64_REG_PC);
    r.cpsr = static_cast<std::uint32_t>(c.reg(UC_ARM64_REG_PSTATE));
    return r;
}

void GdbStub::set_registers(unsigned cpu, const gdb::Registers& r) {
    IssCpu& c = *cpus_.at(cpu);
    for (unsigned i = 0; i < 31; ++i) c.set_x(i, r.x[i]);
    c.set_reg(UC_ARM64_REG_SP, r.sp);
    c.set_reg(UC_ARM64_REG_PC, r.pc);
    if (r.cpsr != static_cast<std::uint32_t>(c.reg(UC_ARM64_REG_PSTATE))) c.set_reg(UC_ARM64_REG_PSTATE, r.cpsr);
}

bool GdbStub::read_memory(unsigned cpu, std::uint64_t address, std::uint8_t* out, std::size_t size) {
    // Guest RAM by physical address (device registers are not read: reads have effects).
    return cpus_.at(cpu)->read_memory(address, out, size);
}

bool GdbStub::write_memory(unsigned cpu, std::uint64_t address, const std::uint8_t* data, std::size_t size) {
    if (!cpus_.at(cpu)->write_memory(address, data, size)) return false;
    // RAM is shared: every engine drops the code it translated from there.
    for (IssCpu* c : cpus_) c->invalidate_code(address, size);
    return true;
}

void GdbStub::insert_breakpoint(std::uint64_t address) {
    for (IssCpu* c : cpus_) c->insert_breakpoint(address);
}

void GdbStub::remove_breakpoint(std::uint64_t address) {
    for (IssCpu* c : cpus_) c->remove_breakpoint(address);
}

std::string GdbStub::describe(unsigned cpu) const {
    const IssCpu& c = *cpus_.at(cpu);
    char buf[64];
    std::snprintf(buf, sizeof buf, "cpu%u, MPIDR 0x%llx%s", c.index(), static_cast<unsigned long long>(c.mpidr()),
                  c.powered() ? "" : c.power_on_pending() ? ", starting (PSCI CPU_ON)" : ", powered off");
    return buf;
}

} // namespace vgic::boot
