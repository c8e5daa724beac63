// SPDX-License-Identifier: Apache-2.0
// The GDB remote serial protocol, protocol layer (gdb_rsp.hpp).
#include "boot/gdb_rsp.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace vgic::boot::gdb {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// A hex number of 1..16 digits filling `text` exactly.
bool parse_hex(const std::string& text, std::uint64_t& value) {
    if (text.empty() || text.size() > 16) return false;
    value = 0;
    for (char c : text) {
        const int d = hex_digit(c);
        if (d < 0) return false;
        value = (value << 4) | static_cast<unsigned>(d);
    }
    return true;
}

/// Hex pairs into bytes; false on an odd length or a non-hex digit.
bool parse_bytes(const std::string& text, std::vector<std::uint8_t>& out) {
    if (text.size() % 2 != 0) return false;
    out.resize(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_digit(text[2 * i]), lo = hex_digit(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return true;
}

/// Little-endian value of `bytes` bytes from hex text.
bool parse_le(const std::string& text, unsigned bytes, std::uint64_t& value) {
    std::vector<std::uint8_t> b;
    if (text.size() != 2u * bytes || !parse_bytes(text, b)) return false;
    value = 0;
    for (unsigned i = 0; i < bytes; ++i) value |= static_cast<std::uint64_t>(b[i]) << (8 * i);
    return true;
}

/// "addr,len" (both hex).
bool parse_address_length(const std::string& text, std::uint64_t& address, std::uint64_t& length) {
    const std::size_t comma = text.find(',');
    return comma != std::string::npos && parse_hex(text.substr(0, comma), address) &&
           parse_hex(text.substr(comma + 1), length);
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

constexpr const char* kErrorArgs = "E16";    // EINVAL: malformed arguments
constexpr const char* kErrorMemory = "E0e";  // EFAULT: nothing there
constexpr const char* kErrorThread = "E03";  // ESRCH: no such thread

} // namespace

std::string checksum(const std::string& payload) {
    unsigned sum = 0;
    for (unsigned char c : payload) sum += c;
    char buf[3];
    std::snprintf(buf, sizeof buf, "%02x", sum & 0xffu);
    return buf;
}

std::string frame(const std::string& payload) {
    std::string body;
    body.reserve(payload.size() + 8);
    for (char c : payload) {
        if (c == '$' || c == '#' || c == '}' || c == '*') {
            body += '}';
            body += static_cast<char>(c ^ 0x20);
        } else {
            body += c;
        }
    }
    return "$" + body + "#" + checksum(body);
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
    static const char digits[] = "0123456789abcdef";
    std::string s;
    s.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        s += digits[data[i] >> 4];
        s += digits[data[i] & 0xf];
    }
    return s;
}

std::string to_hex_le(std::uint64_t value, unsigned bytes) {
    std::uint8_t b[8] = {};
    for (unsigned i = 0; i < bytes && i < 8; ++i) b[i] = static_cast<std::uint8_t>(value >> (8 * i));
    return to_hex(b, bytes);
}

bool unescape(const std::string& in, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '}') {
            out += in[i];
            continue;
        }
        if (++i == in.size()) return false;
        out += static_cast<char>(in[i] ^ 0x20);
    }
    return true;
}

// ---- framing ---------------------------------------------------------------------------------

void PacketReader::feed(const char* data, std::size_t size, std::vector<Event>& out) {
    for (std::size_t i = 0; i < size; ++i) {
        const char c = data[i];
        switch (state_) {
        case State::Idle:
            if (c == '$') {
                state_ = State::Body;
                body_.clear();
                overflow_ = false;
                sum_ = 0;
            } else if (c == '+') {
                out.push_back({Event::Kind::Ack, {}});
            } else if (c == '-') {
                out.push_back({Event::Kind::Nack, {}});
            } else if (c == '\x03') {
                out.push_back({Event::Kind::Interrupt, {}});
            }
            break;
        case State::Body:
            if (c == '#') {
                state_ = State::Check1;
            } else if (c == '$') {
                // A new packet start inside a packet: the first one was cut off.
                out.push_back({Event::Kind::Bad, {}});
                body_.clear();
                overflow_ = false;
                sum_ = 0;
            } else {
                sum_ += static_cast<unsigned char>(c);
                if (body_.size() < kMaxPacket)
                    body_ += c;
                else
                    overflow_ = true;
            }
            break;
        case State::Check1:
            check1_ = c;
            state_ = State::Check2;
            break;
        case State::Check2: {
            state_ = State::Idle;
            const int hi = hex_digit(check1_), lo = hex_digit(c);
            const bool ok = hi >= 0 && lo >= 0 && static_cast<unsigned>(hi << 4 | lo) == (sum_ & 0xffu) && !overflow_;
            if (ok)
                out.push_back({Event::Kind::Packet, body_});
            else
                out.push_back({Event::Kind::Bad, {}});
            body_.clear();
            break;
        }
        }
    }
}

// ---- commands --------------------------------------------------------------------------------

Session::Session(Target& target) : target_(target) {}

void Session::stopped(unsigned cpu, int signal) {
    stopped_cpu_ = cpu;
    signal_ = signal;
    // GDB selects threads again after each stop; until it does, they are the stopped one.
    g_thread_ = c_thread_ = -2;
}

std::string Session::stop_reply() const {
    char buf[48];
    std::snprintf(buf, sizeof buf, "T%02xthread:%x;", static_cast<unsigned>(signal_) & 0xffu, stopped_cpu_ + 1);
    return buf;
}

void Session::clear_breakpoints() {
    for (std::uint64_t a : breakpoints_) target_.remove_breakpoint(a);
    breakpoints_.clear();
}

std::string Session::target_xml() {
    std::string x =
        "<?xml version=\"1.0\"?>\n"
        "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
        "<target version=\"1.0\">\n"
        "  <architecture>aarch64</architecture>\n"
        "  <feature name=\"org.gnu.gdb.aarch64.core\">\n";
    for (unsigned i = 0; i < 31; ++i)
        x += "    <reg name=\"x" + std::to_string(i) + "\" bitsize=\"64\" type=\"int\" regnum=\"" + std::to_string(i) +
             "\"/>\n";
    x += "    <reg name=\"sp\" bitsize=\"64\" type=\"data_ptr\" regnum=\"31\"/>\n"
         "    <reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"32\"/>\n"
         "    <reg name=\"cpsr\" bitsize=\"32\" type=\"int\" regnum=\"33\"/>\n"
         "  </feature>\n"
         "</target>\n";
    return x;
}

Action Session::reply(std::string text) const {
    Action a;
    a.kind = Action::Kind::Reply;
    a.reply = std::move(text);
    return a;
}

bool Session::parse_thread(const std::string& text, long& cpu) const {
    if (text == "-1") {
        cpu = -1;
        return true;
    }
    std::uint64_t id = 0;
    if (!parse_hex(text, id)) return false;
    if (id == 0) {
        cpu = -2;
        return true;
    }
    if (id > target_.cpu_count()) return false;
    cpu = static_cast<long>(id - 1);
    return true;
}

unsigned Session::resolve(long cpu) const { return cpu >= 0 ? static_cast<unsigned>(cpu) : stopped_cpu_; }

Action Session::handle(const std::string& p) {
    if (p.empty()) return reply("");
    const std::string args = p.substr(1);
    switch (p[0]) {
    case '?':
        return reply(stop_reply());
    case 'g':
        return read_registers();
    case 'G':
        return write_registers(args);
    case 'p':
        return read_register(args);
    case 'P':
        return write_register(args);
    case 'm':
        return read_memory(args);
    case 'M':
        return write_memory(args);
    case 'Z':
    case 'z':
        return breakpoint(p);
    case 'H':
        return set_thread(args);
    case 'T': {
        long cpu = 0;
        return reply(parse_thread(args, cpu) && cpu >= 0 ? "OK" : kErrorThread);
    }
    case 'c':
    case 's':
        return resume(p[0] == 's', args);
    case 'C':
    case 'S': {
        // C sig[;addr]: the signal means nothing to a bare machine.
        const std::size_t semi = args.find(';');
        return resume(p[0] == 'S', semi == std::string::npos ? "" : args.substr(semi + 1));
    }
    case 'v':
        if (p == "vCont?") return reply("vCont;c;C;s;S");
        if (starts_with(p, "vCont;")) return v_cont(p.substr(6));
        return reply("");
    case 'q':
    case 'Q':
        return query(p);
    case 'D': {
        Action a;
        a.kind = Action::Kind::Detach;
        a.reply = "OK";
        return a;
    }
    case 'k': {
        Action a;
        a.kind = Action::Kind::Kill;
        return a;
    }
    default:
        return reply("");  // X, !, R, vFile ...: not supported
    }
}

Action Session::read_registers() const {
    const Registers r = target_.registers(resolve(g_thread_));
    std::string s;
    s.reserve(31 * 16 + 16 + 16 + 8);
    for (std::uint64_t x : r.x) s += to_hex_le(x, 8);
    s += to_hex_le(r.sp, 8);
    s += to_hex_le(r.pc, 8);
    s += to_hex_le(r.cpsr, 4);
    return reply(s);
}

Action Session::write_registers(const std::string& args) {
    if (args.size() != 33 * 16 + 8) return reply(kErrorArgs);
    Registers r;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < 33; ++i) {
        if (!parse_le(args.substr(16 * i, 16), 8, v)) return reply(kErrorArgs);
        if (i < 31) r.x[i] = v;
        else if (i == 31) r.sp = v;
        else r.pc = v;
    }
    if (!parse_le(args.substr(33 * 16), 4, v)) return reply(kErrorArgs);
    r.cpsr = static_cast<std::uint32_t>(v);
    target_.set_registers(resolve(g_thread_), r);
    return reply("OK");
}

Action Session::read_register(const std::string& args) const {
    std::uint64_t n = 0;
    if (!parse_hex(args, n)) return reply(kErrorArgs);
    const Registers r = target_.registers(resolve(g_thread_));
    if (n < 31) return reply(to_hex_le(r.x[n], 8));
    if (n == 31) return reply(to_hex_le(r.sp, 8));
    if (n == 32) return reply(to_hex_le(r.pc, 8));
    if (n == 33) return reply(to_hex_le(r.cpsr, 4));
    return reply(kErrorArgs);
}

Action Session::write_register(const std::string& args) {
    const std::size_t eq = args.find('=');
    std::uint64_t n = 0, v = 0;
    if (eq == std::string::npos || !parse_hex(args.substr(0, eq), n) || n >= kRegisterCount ||
        !parse_le(args.substr(eq + 1), n == 33 ? 4 : 8, v))
        return reply(kErrorArgs);
    const unsigned cpu = resolve(g_thread_);
    Registers r = target_.registers(cpu);
    if (n < 31) r.x[n] = v;
    else if (n == 31) r.sp = v;
    else if (n == 32) r.pc = v;
    else r.cpsr = static_cast<std::uint32_t>(v);
    target_.set_registers(cpu, r);
    return reply("OK");
}

Action Session::read_memory(const std::string& args) {
    std::uint64_t address = 0, length = 0;
    if (!parse_address_length(args, address, length)) return reply(kErrorArgs);
    if (length > kMaxPacket / 2) length = kMaxPacket / 2;  // GDB asks again for the rest
    if (length == 0) return reply("");
    if (address + length < address) return reply(kErrorMemory);
    std::vector<std::uint8_t> data(length);
    if (!target_.read_memory(resolve(g_thread_), address, data.data(), data.size())) return reply(kErrorMemory);
    return reply(to_hex(data.data(), data.size()));
}

Action Session::write_memory(const std::string& args) {
    const std::size_t colon = args.find(':');
    std::uint64_t address = 0, length = 0;
    std::vector<std::uint8_t> data;
    if (colon == std::string::npos || !parse_address_length(args.substr(0, colon), address, length) ||
        !parse_bytes(args.substr(colon + 1), data) || data.size() != length)
        return reply(kErrorArgs);
    if (length == 0) return reply("OK");
    if (address + length < address) return reply(kErrorMemory);
    if (!target_.write_memory(resolve(g_thread_), address, data.data(), data.size())) return reply(kErrorMemory);
    return reply("OK");
}

Action Session::breakpoint(const std::string& p) {
    // Z type,addr,kind / z type,addr,kind (kind 4: an A64 instruction). Software (0) and
    // hardware (1) breakpoints are the same host-side check; watchpoints are not served.
    if (p.size() < 2 || (p[1] != '0' && p[1] != '1')) return reply("");
    if (p.size() < 3 || p[2] != ',') return reply(kErrorArgs);
    const std::string rest = p.substr(3);
    const std::size_t comma = rest.find(',');
    std::uint64_t address = 0, kind = 0;
    // Conditions and commands after ';' (target-side breakpoint conditions) are not advertised.
    if (comma == std::string::npos || !parse_hex(rest.substr(0, comma), address) ||
        !parse_hex(rest.substr(comma + 1, rest.find(';', comma) - comma - 1), kind))
        return reply(kErrorArgs);
    if (p[0] == 'Z') {
        if (breakpoints_.insert(address).second) target_.insert_breakpoint(address);
    } else {
        if (breakpoints_.erase(address) != 0) target_.remove_breakpoint(address);
    }
    return reply("OK");
}

Action Session::set_thread(const std::string& args) {
    long cpu = 0;
    if (args.size() < 2 || (args[0] != 'g' && args[0] != 'c') || !parse_thread(args.substr(1), cpu))
        return reply(kErrorThread);
    if (args[0] == 'g') {
        if (cpu == -1) return reply(kErrorThread);  // registers of "all threads" mean nothing
        g_thread_ = cpu;
    } else {
        c_thread_ = cpu;
    }
    return reply("OK");
}

Action Session::resume(bool step, const std::string& address) {
    const unsigned cpu = resolve(c_thread_);
    if (!address.empty()) {
        std::uint64_t pc = 0;
        if (!parse_hex(address, pc)) return reply(kErrorArgs);
        Registers r = target_.registers(cpu);
        r.pc = pc;
        target_.set_registers(cpu, r);
    }
    Action a;
    a.kind = step ? Action::Kind::Step : Action::Kind::Continue;
    a.cpu = cpu;
    return a;
}

Action Session::v_cont(const std::string& args) {
    // vCont;action[:thread];action...: the first action naming a thread (or none) applies to
    // it. The only distinction made: is one CPU to step (s/S)? Everything else continues.
    Action a;
    a.kind = Action::Kind::Continue;
    bool step = false;
    std::size_t start = 0;
    while (start <= args.size()) {
        const std::size_t end = std::min(args.find(';', start), args.size());
        const std::string action = args.substr(start, end - start);
        start = end + 1;
        if (action.empty()) return reply(kErrorArgs);
        const std::size_t colon = action.find(':');
        const std::string verb = action.substr(0, colon);
        long cpu = c_thread_;
        if (colon != std::string::npos && !parse_thread(action.substr(colon + 1), cpu)) return reply(kErrorThread);
        const char v = verb[0];
        const bool has_signal = v == 'C' || v == 'S';
        if ((v != 'c' && v != 's' && !has_signal) || (has_signal ? verb.size() != 3 : verb.size() != 1))
            return reply("");  // t, r, ...: not advertised by vCont?
        if ((v == 's' || v == 'S') && !step) {
            if (cpu == -1) return reply(kErrorArgs);  // "step every thread" cannot be done in lock step
            step = true;
            a.kind = Action::Kind::Step;
            a.cpu = resolve(cpu);
        }
    }
    return a;
}

Action Session::query(const std::string& p) {
    if (starts_with(p, "qSupported")) return reply("PacketSize=4000;qXfer:features:read+");
    if (p == "qAttached" || starts_with(p, "qAttached:")) return reply("1");
    if (p == "qC") {
        char buf[24];
        std::snprintf(buf, sizeof buf, "QC%x", stopped_cpu_ + 1);
        return reply(buf);
    }
    if (p == "qfThreadInfo") {
        std::string s = "m";
        char buf[16];
        for (unsigned c = 0; c < target_.cpu_count(); ++c) {
            std::snprintf(buf, sizeof buf, "%s%x", c ? "," : "", c + 1);
            s += buf;
        }
        return reply(s);
    }
    if (p == "qsThreadInfo") return reply("l");
    if (starts_with(p, "qThreadExtraInfo,")) {
        long cpu = 0;
        if (!parse_thread(p.substr(17), cpu) || cpu < 0) return reply(kErrorThread);
        const std::string text = target_.describe(static_cast<unsigned>(cpu));
        return reply(to_hex(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
    }
    if (starts_with(p, "qSymbol")) return reply("OK");
    if (starts_with(p, "qXfer:features:read:")) {
        // qXfer:features:read:ANNEX:offset,length -> m<data> (more) or l<data> (last).
        const std::string rest = p.substr(20);
        const std::size_t colon = rest.find(':');
        std::uint64_t offset = 0, length = 0;
        if (colon == std::string::npos || !parse_address_length(rest.substr(colon + 1), offset, length))
            return reply(kErrorArgs);
        if (rest.substr(0, colon) != "target.xml") return reply("E00");
        const std::string xml = target_xml();
        if (offset >= xml.size()) return reply("l");
        if (length > kMaxPacket / 2) length = kMaxPacket / 2;  // room for escapes
        const std::string part = xml.substr(offset, length);
        return reply((offset + part.size() < xml.size() ? "m" : "l") + part);
    }
    return reply("");  // qTStatus, qOffsets, QStartNoAckMode, ...: not supported
}

} // namespace vgic::boot::gdb
