// SPDX-License-Identifier: Apache-2.0
// The GDB remote serial protocol layer of `vgic-sim boot --gdb` (platforms/boot/gdb_rsp.hpp),
// against a fake two-CPU machine: framing (checksums, acknowledgements, escapes, hostile
// input) and the commands GDB sends (GDB manual, "Remote Protocol", "Packets").
#include "boot/gdb_rsp.hpp"

#include <boost/test/unit_test.hpp>

#include <cstring>
#include <map>

using namespace vgic::boot::gdb;

namespace {

struct FakeMachine : Target {
    Registers regs[2];
    std::map<std::uint64_t, std::uint8_t> ram;  // 0x1000..0x10ff readable and writable
    std::vector<std::pair<char, std::uint64_t>> breakpoint_calls;  // '+' insert, '-' remove

    FakeMachine() {
        for (unsigned c = 0; c < 2; ++c) {
            for (unsigned i = 0; i < 31; ++i) regs[c].x[i] = 0x100 * (c + 1) + i;
            regs[c].sp = 0x40001000 + c;
            regs[c].pc = 0x40080000 + 4 * c;
            regs[c].cpsr = 0x3c5;
        }
        for (unsigned a = 0; a < 0x100; ++a) ram[0x1000 + a] = static_cast<std::uint8_t>(a);
    }
    unsigned cpu_count() const override { return 2; }
    Registers registers(unsigned cpu) const override { return regs[cpu]; }
    void set_registers(unsigned cpu, const Registers& r) override { regs[cpu] = r; }
    bool read_memory(unsigned, std::uint64_t a, std::uint8_t* out, std::size_t n) override {
        for (std::size_t i = 0; i < n; ++i) {
            auto it = ram.find(a + i);
            if (it == ram.end()) return false;
            out[i] = it->second;
        }
        return true;
    }
    bool write_memory(unsigned, std::uint64_t a, const std::uint8_t* data, std::size_t n) override {
        for (std::size_t i = 0; i < n; ++i)
            if (ram.count(a + i) == 0) return false;
        for (std::size_t i = 0; i < n; ++i) ram[a + i] = data[i];
        return true;
    }
    void insert_breakpoint(std::uint64_t a) override { breakpoint_calls.push_back({'+', a}); }
    void remove_breakpoint(std::uint64_t a) override { breakpoint_calls.push_back({'-', a}); }
    std::string describe(unsigned cpu) const override { return "cpu" + std::to_string(cpu); }
};

std::vector<PacketReader::Event> feed(PacketReader& r, const std::string& bytes) {
    std::vector<PacketReader::Event> out;
    r.feed(bytes.data(), bytes.size(), out);
    return out;
}

std::string reply(Session& s, const std::string& packet) {
    const Action a = s.handle(packet);
    BOOST_TEST_REQUIRE((a.kind == Action::Kind::Reply), packet << " does not answer at once");
    return a.reply;
}

} // namespace

BOOST_AUTO_TEST_SUITE(gdb_rsp)

BOOST_AUTO_TEST_CASE(frame_has_checksum_and_escapes) {
    BOOST_TEST(frame("OK") == "$OK#9a");
    BOOST_TEST(frame("") == "$#00");
    // '$', '#', '}' and '*' are sent as '}' and the byte XOR 0x20; the sum covers the escapes.
    BOOST_TEST(frame("a$b") == "$a}\x04" "b#" + checksum("a}\x04" "b"));
    BOOST_TEST(frame("*") == "$}\x0a#" + checksum("}\x0a"));
    std::string raw;
    BOOST_TEST(unescape("a}\x04" "b}]", raw));
    BOOST_TEST(raw == "a$b}");
    BOOST_TEST(!unescape("abc}", raw));  // an escape cut off
}

BOOST_AUTO_TEST_CASE(reader_splits_packets_and_controls) {
    PacketReader r;
    auto ev = feed(r, "+$g#67-\x03junk$m1000,4#");
    BOOST_TEST_REQUIRE(ev.size() == 4u);
    BOOST_TEST((ev[0].kind == PacketReader::Event::Kind::Ack));
    BOOST_TEST((ev[1].kind == PacketReader::Event::Kind::Packet));
    BOOST_TEST(ev[1].payload == "g");
    BOOST_TEST((ev[2].kind == PacketReader::Event::Kind::Nack));
    BOOST_TEST((ev[3].kind == PacketReader::Event::Kind::Interrupt));
    BOOST_TEST(r.in_packet());
    // The rest of the packet in another read, the checksum split too.
    ev = feed(r, "8");
    BOOST_TEST(ev.empty());
    ev = feed(r, "e");
    BOOST_TEST_REQUIRE(ev.size() == 1u);
    BOOST_TEST(ev[0].payload == "m1000,4");
    BOOST_TEST(checksum("m1000,4") == "8e");
    BOOST_TEST(!r.in_packet());
}

BOOST_AUTO_TEST_CASE(reader_refuses_bad_checksums_and_cut_packets) {
    PacketReader r;
    auto ev = feed(r, "$g#00$g#zz$OK#9A");
    BOOST_TEST_REQUIRE(ev.size() == 3u);
    BOOST_TEST((ev[0].kind == PacketReader::Event::Kind::Bad));  // wrong sum
    BOOST_TEST((ev[1].kind == PacketReader::Event::Kind::Bad));  // not hex
    BOOST_TEST((ev[2].kind == PacketReader::Event::Kind::Packet));  // upper-case hex is fine
    // A '$' inside a packet: the first one was cut off; the second is read.
    ev = feed(r, "$abc$g#67");
    BOOST_TEST_REQUIRE(ev.size() == 2u);
    BOOST_TEST((ev[0].kind == PacketReader::Event::Kind::Bad));
    BOOST_TEST(ev[1].payload == "g");
}

BOOST_AUTO_TEST_CASE(reader_refuses_oversized_packets) {
    PacketReader r;
    const std::string big(kMaxPacket + 10, 'a');
    auto ev = feed(r, "$" + big + "#" + checksum(big) + "$?#3f");
    BOOST_TEST_REQUIRE(ev.size() == 2u);
    BOOST_TEST((ev[0].kind == PacketReader::Event::Kind::Bad));
    BOOST_TEST(ev[1].payload == "?");
}

BOOST_AUTO_TEST_CASE(registers_in_gdb_aarch64_layout) {
    FakeMachine m;
    Session s(m);
    s.stopped(1, 5);
    BOOST_TEST(reply(s, "?") == "T05thread:2;");
    const std::string g = reply(s, "g");
    BOOST_TEST(g.size() == 33u * 16 + 8);
    BOOST_TEST(g.substr(0, 16) == "0002000000000000");             // x0 of cpu1 = 0x200, little-endian
    BOOST_TEST(g.substr(31 * 16, 16) == "0110004000000000");       // sp
    BOOST_TEST(g.substr(32 * 16, 16) == "0400084000000000");       // pc
    BOOST_TEST(g.substr(33 * 16) == "c5030000");                   // cpsr, 32 bits
    BOOST_TEST(reply(s, "p20") == "0400084000000000");
    BOOST_TEST(reply(s, "p21") == "c5030000");
    BOOST_TEST(reply(s, "p22") == "E16");  // no such register
    // Hg selects the thread of g/p.
    BOOST_TEST(reply(s, "Hg1") == "OK");
    BOOST_TEST(reply(s, "p0") == "0001000000000000");
    BOOST_TEST(reply(s, "P1e=efbeadde00000000") == "OK");
    BOOST_TEST(m.regs[0].x[30] == 0xdeadbeefu);
    BOOST_TEST(reply(s, "P21=00000060") == "OK");
    BOOST_TEST(m.regs[0].cpsr == 0x60000000u);
    BOOST_TEST(reply(s, "P21=0000006000") == "E16");  // wrong width
    // G writes back what g read, changed.
    std::string g0 = reply(s, "g");
    g0.replace(32 * 16, 16, "0010000000000000");
    BOOST_TEST(reply(s, "G" + g0) == "OK");
    BOOST_TEST(m.regs[0].pc == 0x1000u);
    BOOST_TEST(reply(s, "G" + g0.substr(2)) == "E16");
    BOOST_TEST(reply(s, "Gzz" + g0.substr(2)) == "E16");
}

BOOST_AUTO_TEST_CASE(memory) {
    FakeMachine m;
    Session s(m);
    BOOST_TEST(reply(s, "m1000,4") == "00010203");
    BOOST_TEST(reply(s, "m10fe,4") == "E0e");  // runs off the end
    BOOST_TEST(reply(s, "m2000,4") == "E0e");
    BOOST_TEST(reply(s, "m1000") == "E16");
    BOOST_TEST(reply(s, "mxyz,4") == "E16");
    BOOST_TEST(reply(s, "mffffffffffffffff,2") == "E0e");  // wraps around
    BOOST_TEST(reply(s, "m11111111111111111,2") == "E16");  // 17 digits
    BOOST_TEST(reply(s, "M1010,2:abcd") == "OK");
    BOOST_TEST(m.ram[0x1010] == 0xab);
    BOOST_TEST(m.ram[0x1011] == 0xcd);
    BOOST_TEST(reply(s, "M1010,2:abc") == "E16");     // odd
    BOOST_TEST(reply(s, "M1010,3:abcd") == "E16");    // length mismatch
    BOOST_TEST(reply(s, "M1010,2abcd") == "E16");     // no colon
    BOOST_TEST(reply(s, "M20ff,2:abcd") == "E0e");
    BOOST_TEST(reply(s, "X1010,0:").empty());         // X not served: GDB uses M
    // A huge length is capped to what fits a packet, not allocated.
    BOOST_TEST(reply(s, "m1000,ffffffffffff") == "E0e");
}

BOOST_AUTO_TEST_CASE(breakpoints_are_host_side_and_counted_once) {
    FakeMachine m;
    Session s(m);
    BOOST_TEST(reply(s, "Z0,40080010,4") == "OK");
    BOOST_TEST(reply(s, "Z0,40080010,4") == "OK");  // again: no second insertion
    BOOST_TEST(reply(s, "Z1,40080020,4") == "OK");
    BOOST_TEST(reply(s, "Z2,1000,4").empty());       // watchpoints: not served
    BOOST_TEST(reply(s, "Z0,zz,4") == "E16");
    BOOST_TEST(reply(s, "Z0") == "E16");
    BOOST_TEST(reply(s, "z0,40080010,4") == "OK");
    BOOST_TEST(reply(s, "z0,40080010,4") == "OK");
    BOOST_TEST_REQUIRE(m.breakpoint_calls.size() == 3u);
    BOOST_TEST(m.breakpoint_calls[0].first == '+');
    BOOST_TEST(m.breakpoint_calls[0].second == 0x40080010u);
    BOOST_TEST(m.breakpoint_calls[2].first == '-');
    BOOST_TEST(s.breakpoints().size() == 1u);
    s.clear_breakpoints();
    BOOST_TEST(s.breakpoints().empty());
    BOOST_TEST(m.breakpoint_calls.back().second == 0x40080020u);
    // RAM was never written.
    BOOST_TEST(m.ram[0x1000] == 0);
}

BOOST_AUTO_TEST_CASE(threads_one_per_cpu) {
    FakeMachine m;
    Session s(m);
    s.stopped(0, 5);
    BOOST_TEST(reply(s, "qfThreadInfo") == "m1,2");
    BOOST_TEST(reply(s, "qsThreadInfo") == "l");
    BOOST_TEST(reply(s, "qC") == "QC1");
    BOOST_TEST(reply(s, "T1") == "OK");
    BOOST_TEST(reply(s, "T2") == "OK");
    BOOST_TEST(reply(s, "T3") == "E03");
    BOOST_TEST(reply(s, "Tx") == "E03");
    BOOST_TEST(reply(s, "Hg0") == "OK");
    BOOST_TEST(reply(s, "Hc-1") == "OK");
    BOOST_TEST(reply(s, "Hg-1") == "E03");
    BOOST_TEST(reply(s, "Hg3") == "E03");
    BOOST_TEST(reply(s, "Hq1") == "E03");
    BOOST_TEST(reply(s, "qThreadExtraInfo,2") == "63707531");  // "cpu1"
    BOOST_TEST(reply(s, "qAttached") == "1");
}

BOOST_AUTO_TEST_CASE(resume_commands) {
    FakeMachine m;
    Session s(m);
    s.stopped(1, 5);
    Action a = s.handle("c");
    BOOST_TEST((a.kind == Action::Kind::Continue));
    a = s.handle("s");
    BOOST_TEST((a.kind == Action::Kind::Step));
    BOOST_TEST(a.cpu == 1u);  // the stopped thread
    BOOST_TEST(reply(s, "Hc1") == "OK");
    a = s.handle("s40080100");
    BOOST_TEST((a.kind == Action::Kind::Step));
    BOOST_TEST(a.cpu == 0u);
    BOOST_TEST(m.regs[0].pc == 0x40080100u);
    a = s.handle("C05;40080200");
    BOOST_TEST((a.kind == Action::Kind::Continue));
    BOOST_TEST(m.regs[0].pc == 0x40080200u);
    BOOST_TEST(reply(s, "cxyz") == "E16");
    BOOST_TEST(reply(s, "vCont?") == "vCont;c;C;s;S");
    a = s.handle("vCont;s:2;c");
    BOOST_TEST((a.kind == Action::Kind::Step));
    BOOST_TEST(a.cpu == 1u);
    a = s.handle("vCont;c");
    BOOST_TEST((a.kind == Action::Kind::Continue));
    a = s.handle("vCont;S05:1");
    BOOST_TEST((a.kind == Action::Kind::Step));
    BOOST_TEST(a.cpu == 0u);
    BOOST_TEST(reply(s, "vCont;s:9") == "E03");
    BOOST_TEST(reply(s, "vCont;") == "E16");
    BOOST_TEST(reply(s, "vCont;;c") == "E16");
    BOOST_TEST(reply(s, "vCont;t:1").empty());
    a = s.handle("vCont;s");  // no thread: H c's (thread 1)
    BOOST_TEST((a.kind == Action::Kind::Step));
    BOOST_TEST(a.cpu == 0u);
    BOOST_TEST((s.handle("D").kind == Action::Kind::Detach));
    BOOST_TEST((s.handle("D;1").kind == Action::Kind::Detach));
    BOOST_TEST((s.handle("k").kind == Action::Kind::Kill));
}

BOOST_AUTO_TEST_CASE(queries_and_target_description) {
    FakeMachine m;
    Session s(m);
    const std::string sup = reply(s, "qSupported:multiprocess+;swbreak+;xmlRegisters=i386");
    BOOST_TEST(sup.find("PacketSize=4000") != std::string::npos);
    BOOST_TEST(sup.find("qXfer:features:read+") != std::string::npos);
    const std::string xml = Session::target_xml();
    BOOST_TEST(xml.find("org.gnu.gdb.aarch64.core") != std::string::npos);
    BOOST_TEST(xml.find("name=\"cpsr\" bitsize=\"32\"") != std::string::npos);
    // Read in pieces: m while more follows, l for the last one.
    std::string got;
    for (std::size_t off = 0;;) {
        char req[64];
        std::snprintf(req, sizeof req, "qXfer:features:read:target.xml:%zx,%x", off, 100);
        const std::string r = reply(s, req);
        BOOST_TEST_REQUIRE(!r.empty());
        got += r.substr(1);
        off += r.size() - 1;
        if (r[0] == 'l') break;
        BOOST_TEST_REQUIRE(r[0] == 'm');
    }
    BOOST_TEST(got == xml);
    BOOST_TEST(reply(s, "qXfer:features:read:other.xml:0,100") == "E00");
    BOOST_TEST(reply(s, "qXfer:features:read:target.xml") == "E16");
    BOOST_TEST(reply(s, "qTStatus").empty());
    BOOST_TEST(reply(s, "vMustReplyEmpty").empty());
    BOOST_TEST(reply(s, "qSymbol::") == "OK");
    BOOST_TEST(reply(s, "").empty());
    BOOST_TEST(reply(s, "\x01\xff").empty());
}

BOOST_AUTO_TEST_SUITE_END()
