// SPDX-License-Identifier: Apache-2.0
// SystemC/TLM scenarios of the vgic-tlm modules. SystemC allows one simulation per process,
// so each scenario is one run of this program (`tlm_scenarios NAME`), registered with CTest
// as sim.NAME. Times are asserted exactly in simulated time, never wall-clock.
#include "scenario_main.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"
#include "vgic/tlm/snapshot.hpp"
#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vcd_trace.hpp"

#include <tlm_utils/simple_initiator_socket.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

using namespace sc_core;
using namespace vgic;
using namespace vgic::tlm;
namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;
namespace gich = vgic::gicv2::gich;

namespace {

using vgic::testing::check;

std::string t(const sc_time& x) { return x.to_string(); }

/// An initiator with one socket per frame it drives, and line signals bound to the GIC.
struct Harness : sc_module {
    using Sock = tlm_utils::simple_initiator_socket<Harness, 32>;
    sc_vector<Sock> gicd, gicc, gich, gicv;
    Sock alias;
    sc_vector<sc_signal<bool>> irq, fiq, virq, vfiq, maint;
    sc_vector<sc_signal<bool>> spi;  // spi[k] drives INTID 32 + k

    Harness(sc_module_name n, Vgic& g)
        : sc_module(n), gicd("gicd", g.cpu.size()), gicc("gicc", g.cpu.size()), gich("gich", g.cpu.size()),
          gicv("gicv", g.cpu.size()), alias("alias"), irq("irq", g.cpu.size()), fiq("fiq", g.cpu.size()),
          virq("virq", g.cpu.size()), vfiq("vfiq", g.cpu.size()), maint("maint", g.cpu.size()),
          spi("spi", 16) {
        for (unsigned i = 0; i < g.cpu.size(); ++i) {
            gicd[i].bind(g.distributor.socket[i]);
            gicc[i].bind(g.cpu[i].gicc);
            gich[i].bind(g.cpu[i].gich);
            gicv[i].bind(g.cpu[i].gicv);
            g.cpu[i].irq.bind(irq[i]);
            g.cpu[i].fiq.bind(fiq[i]);
            g.cpu[i].virq.bind(virq[i]);
            g.cpu[i].vfiq.bind(vfiq[i]);
            g.cpu[i].maintenance.bind(maint[i]);
        }
        alias.bind(g.gich_alias);
        for (unsigned k = 0; k < spi.size(); ++k) g.distributor.spi_in[k].bind(spi[k]);
    }

    struct Result {
        std::uint64_t value = 0;
        ::tlm::tlm_response_status status = ::tlm::TLM_INCOMPLETE_RESPONSE;
        sc_time delay;
    };

    /// One access; the latency is waited for (the initiator is not decoupled).
    Result access(Sock& s, bool write, std::uint32_t offset, std::uint64_t value = 0, unsigned size = 4,
                  const unsigned char* byte_enables = nullptr, unsigned streaming = 0,
                  CpuIdExtension* ext = nullptr) {
        ::tlm::tlm_generic_payload tx;
        unsigned char data[8] = {};
        for (unsigned i = 0; i < 8; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
        tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
        tx.set_address(offset);
        tx.set_data_ptr(data);
        tx.set_data_length(size);
        tx.set_streaming_width(streaming ? streaming : size);
        if (byte_enables) {
            tx.set_byte_enable_ptr(const_cast<unsigned char*>(byte_enables));
            tx.set_byte_enable_length(size);
        }
        if (ext) tx.set_extension(ext);
        sc_time delay = SC_ZERO_TIME;
        s->b_transport(tx, delay);
        if (ext) tx.clear_extension(ext);
        Result r;
        r.status = tx.get_response_status();
        r.delay = delay;
        for (unsigned i = 0; i < size; ++i) r.value |= std::uint64_t{data[i]} << (8 * i);
        wait(delay);
        return r;
    }
    std::uint64_t rd(Sock& s, std::uint32_t off) { return access(s, false, off).value; }
    void wr(Sock& s, std::uint32_t off, std::uint64_t v, unsigned size = 4) { access(s, true, off, v, size); }
    /// Let pending delta cycles settle (line writes take a delta).
    static void settle() {
        for (int i = 0; i < 10 && sc_pending_activity_at_current_time(); ++i) sc_core::wait(SC_ZERO_TIME);
    }
};

TimingProfile timing_ns(std::uint64_t signal_ns) {
    TimingProfile p;
    p.signal_delay = signal_ns * 1000;
    return p;
}

VgicParams params(Mode mode, unsigned cpus, const TimingProfile& timing = {},
                  const HypervisorProfile& hypervisor = {}) {
    VgicParams p;
    p.mode = mode;
    p.gic.num_cpus = cpus;
    p.gic.num_spis = 64;
    p.timing = timing;
    p.hypervisor = hypervisor;
    return p;
}

/// Records the time of every value change of a boolean signal.
struct Edges : sc_module {
    std::vector<std::pair<sc_time, bool>> seen;
    Edges(sc_module_name n, sc_signal<bool>& s) : sc_module(n), sig(s) {
        SC_METHOD(on_change);
        sensitive << s;
        dont_initialize();
    }
    SC_HAS_PROCESS(Edges);
    void on_change() { seen.emplace_back(sc_time_stamp(), sig.read()); }
    sc_signal<bool>& sig;
};

/// A minimal VCD reader: full hierarchical names -> identifier codes, and value changes.
struct Vcd {
    std::map<std::string, std::string> codes;                        // name -> code
    std::vector<std::tuple<std::uint64_t, std::string, std::string>> events;  // time, code, value
    static Vcd load(const std::string& path) {
        Vcd v;
        std::ifstream in(path);
        std::vector<std::string> scope;
        std::string tok;
        std::uint64_t now = 0;
        while (in >> tok) {
            if (tok == "$comment" || tok == "$date" || tok == "$version" || tok == "$timescale") {
                while (in >> tok && tok != "$end") {}  // text, not value changes
            } else if (tok == "$scope") {
                std::string kind, name;
                in >> kind >> name >> tok;
                scope.push_back(name);
            } else if (tok == "$upscope") {
                in >> tok;
                if (!scope.empty()) scope.pop_back();
            } else if (tok == "$var") {
                std::string kind, width, code, name, rest;
                in >> kind >> width >> code >> name;
                while (in >> rest && rest != "$end") {}
                std::string full;
                for (const auto& s : scope)
                    if (s != "SystemC") full += s + ".";  // SystemC wraps everything in its own scope
                v.codes[full + name] = code;
            } else if (tok[0] == '#') {
                now = std::stoull(tok.substr(1));
            } else if (tok[0] == '0' || tok[0] == '1') {
                v.events.emplace_back(now, tok.substr(1), tok.substr(0, 1));
            } else if (tok[0] == 'b') {
                std::string code;
                in >> code;
                v.events.emplace_back(now, code, tok.substr(1));
            }
        }
        return v;
    }
    std::vector<std::pair<std::uint64_t, std::string>> changes(const std::string& name) const {
        std::vector<std::pair<std::uint64_t, std::string>> out;
        auto it = codes.find(name);
        if (it == codes.end()) return out;
        for (const auto& e : events)
            if (std::get<1>(e) == it->second) out.emplace_back(std::get<0>(e), std::get<2>(e));
        return out;
    }
};

// ---- scenarios ---------------------------------------------------------------------------------

/// With a 10 ns signalling delay the IRQ line rises exactly 10 ns after the SPI input and
/// falls 10 ns after the IAR read completes; access latencies add to the delay.
void hw_spi_timing() {
    TimingProfile tp = timing_ns(10);
    tp.gicd_access = 20000;  // 20 ns
    tp.gicd_write = 20000;   // stores not posted: the CPU waits for their effect
    tp.gicc_access = 7000;   // 7 ns
    tp.gicc_write = 7000;
    Vgic g("gic", params(Mode::Hw, 2, tp));
    Harness h("h", g);
    Edges e("edges", h.irq[1]);
    sc_spawn([&] {
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);        // INTID 40
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 0x2, 1);         // CPU 1
        h.wr(h.gicc[1], gicc::PMR, 0xF0);
        h.wr(h.gicc[1], gicc::CTLR, 1);
        check(sc_time_stamp() == sc_time(5 * 20 - 40 + 14, SC_NS), "3 GICD + 2 GICC accesses took 3x20 + 2x7 ns (now " + t(sc_time_stamp()) + ")");
        wait(sc_time(1000, SC_NS) - sc_time_stamp());
        h.spi[8].write(true);  // INTID 40 rises at 1000 ns
        wait(sc_time(50, SC_NS));
        const auto r = h.access(h.gicc[1], false, gicc::IAR);
        check(r.value == 40, "IAR returns 40");
        check(r.delay == sc_time(7, SC_NS), "GICC access latency 7 ns added to the b_transport delay");
        wait(sc_time(100, SC_NS));
        h.spi[8].write(false);
        h.wr(h.gicc[1], gicc::EOIR, 40);
    });
    sc_start(sc_time(2, SC_US));
    check(e.seen.size() == 2, "irq[1] toggled twice (" + std::to_string(e.seen.size()) + ")");
    if (e.seen.size() == 2) {
        check(e.seen[0].second && e.seen[0].first == sc_time(1010, SC_NS), "irq rises at 1010 ns = input + 10 ns (" + t(e.seen[0].first) + ")");
        check(!e.seen[1].second && e.seen[1].first == sc_time(1067, SC_NS),
              "irq falls at 1067 ns = IAR read at 1050 + 7 ns access + 10 ns signal delay (" + t(e.seen[1].first) + ")");
    }
    check(!h.irq[0].read(), "CPU 0 never saw it");
}

/// Seeded variation (docs/TIMING.md "Spread"): four GICs on a53-gic400 in one simulation, one
/// exact, two with the same seed, one with another, each driven through the same sequence. The
/// exact GIC takes the profile's values; the varied ones draw each access, store and signal
/// delay within its spread, the same seed giving the same draws, another seed other draws.
void varied_timing() {
    const TimingProfile a53 = load_timing_profile("a53-gic400");
    struct Gic {
        std::unique_ptr<Vgic> gic;
        std::unique_ptr<Harness> h;
        std::unique_ptr<Edges> irq;
        std::vector<sc_time> reads, stores, rises;
    };
    std::vector<Gic> gics(4);
    const std::optional<std::uint64_t> seeds[] = {std::nullopt, 5, 5, 6};
    for (unsigned i = 0; i < 4; ++i) {
        VgicParams p = params(Mode::Hw, 1, a53);
        p.variation_seed = seeds[i];
        const std::string n = std::to_string(i);
        gics[i].gic = std::make_unique<Vgic>(("gic" + n).c_str(), p);
        gics[i].h = std::make_unique<Harness>(("h" + n).c_str(), *gics[i].gic);
        gics[i].irq = std::make_unique<Edges>(("e" + n).c_str(), gics[i].h->irq[0]);
    }
    for (unsigned i = 0; i < 4; ++i) {
        sc_spawn([&, i] {
            Gic& g = gics[i];
            Harness& h = *g.h;
            h.wr(h.gicd[0], gicd::CTLR, 1);
            h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);  // INTID 40
            h.wr(h.gicd[0], gicd::ITARGETSR + 40, 0x1, 1);
            h.wr(h.gicc[0], gicc::PMR, 0xF0);
            h.wr(h.gicc[0], gicc::CTLR, 1);
            for (int k = 0; k < 60; ++k) {
                // Every GIC starts each round at the same instant: the rounds are 10 us apart.
                wait(sc_time(10.0 * (k + 1), SC_US) - sc_time_stamp());
                const sc_time raised = sc_time_stamp();
                h.spi[8].write(true);
                wait(sc_time(500, SC_NS));
                g.rises.push_back(g.irq->seen.empty() ? SC_ZERO_TIME : g.irq->seen.back().first - raised);
                const auto r = h.access(h.gicc[0], false, gicc::IAR);
                g.reads.push_back(r.delay);
                h.spi[8].write(false);
                g.stores.push_back(h.access(h.gicc[0], true, gicc::EOIR, r.value).delay);
            }
        });
    }
    sc_start(sc_time(700, SC_US));
    const Gic& exact = gics[0];
    check(exact.reads.size() == 60 && gics[1].reads.size() == 60, "60 rounds on every GIC");
    bool exact_ok = true;
    for (unsigned k = 0; k < exact.reads.size(); ++k)
        exact_ok = exact_ok && exact.reads[k] == sc_time(140, SC_NS) && exact.rises[k] == sc_time(30, SC_NS) &&
                   exact.stores[k] == sc_time(10, SC_NS);
    check(exact_ok, "without a seed: every IAR read 140 ns, every rise 30 ns, every posted store 10 ns");
    bool within = true;
    std::set<sc_time> read_values, rise_values;
    for (unsigned k = 0; k < gics[1].reads.size(); ++k) {
        const sc_time r = gics[1].reads[k], rise = gics[1].rises[k];
        within = within && r >= sc_time(120, SC_NS) && r <= sc_time(160, SC_NS) && rise >= sc_time(25, SC_NS) &&
                 rise <= sc_time(35, SC_NS) && gics[1].stores[k] == sc_time(10, SC_NS);
        read_values.insert(r);
        rise_values.insert(rise);
    }
    check(within, "with a seed: IAR reads within 120..160 ns, rises within 25..35 ns, the posted store's "
                  "acknowledgement (no spread) 10 ns");
    check(read_values.size() > 20 && rise_values.size() > 20,
          "the draws vary (" + std::to_string(read_values.size()) + " read and " + std::to_string(rise_values.size()) +
              " rise latencies of 60)");
    check(gics[1].reads == gics[2].reads && gics[1].rises == gics[2].rises, "the same seed draws the same latencies");
    check(gics[1].reads != gics[3].reads, "another seed draws other latencies");
}

/// TLM target contract: byte enables, streaming, lengths, debug transport, DMI, error policy,
/// the CPU-index extension.
void tlm_protocol() {
    VgicParams p = params(Mode::Hw, 2);
    p.gic.bad_access = BadAccessPolicy::Error;
    Vgic g("gic", p);
    Harness h("h", g);
    sc_report_handler::set_actions(kMsgAccess, SC_DO_NOTHING);
    sc_spawn([&] {
        const unsigned char be[4] = {0xFF, 0, 0xFF, 0};
        check(h.access(h.gicd[0], false, gicd::TYPER, 0, 4, be).status == ::tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE,
              "byte enables refused with TLM_BYTE_ENABLE_ERROR_RESPONSE");
        check(h.access(h.gicd[0], false, gicd::TYPER, 0, 8, nullptr, 4).status == ::tlm::TLM_BURST_ERROR_RESPONSE,
              "streaming width < length refused with TLM_BURST_ERROR_RESPONSE");
        check(h.access(h.gicd[0], false, gicd::TYPER, 0, 3).status == ::tlm::TLM_GENERIC_ERROR_RESPONSE,
              "a 3-byte access is refused");
        const auto typer = h.access(h.gicd[0], false, gicd::TYPER);
        check(typer.status == ::tlm::TLM_OK_RESPONSE && typer.value == 0x22, "TYPER = 0x22 (2 CPUs, 96 INTIDs)");
        check(h.access(h.gicd[0], false, 0x00C).status == ::tlm::TLM_ADDRESS_ERROR_RESPONSE,
              "reserved offset under the error policy: TLM_ADDRESS_ERROR_RESPONSE");
        check(h.access(h.gicd[0], true, gicd::TYPER, 0).status == ::tlm::TLM_GENERIC_ERROR_RESPONSE,
              "write to read-only TYPER under the error policy: TLM_GENERIC_ERROR_RESPONSE");
        check(h.access(h.gicd[0], false, gicd::CTLR, 0, 8).status == ::tlm::TLM_GENERIC_ERROR_RESPONSE,
              "64-bit access to a 32-bit GICv2 register is a bad access");
        check(h.access(h.gicd[0], false, gicd::IPRIORITYR + 41, 0, 1).status == ::tlm::TLM_OK_RESPONSE,
              "byte read of IPRIORITYR is legal");
        // Pending SPI 40 on CPU 0; a debug read of IAR must not acknowledge it.
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 0x1, 1);
        h.wr(h.gicc[0], gicc::PMR, 0xF0);
        h.wr(h.gicc[0], gicc::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISPENDR + 4, 1u << 8);
        ::tlm::tlm_generic_payload tx;
        unsigned char data[4] = {};
        tx.set_command(::tlm::TLM_READ_COMMAND);
        tx.set_address(gicc::IAR);
        tx.set_data_ptr(data);
        tx.set_data_length(4);
        const sc_time before = sc_time_stamp();
        const unsigned n = h.gicc[0]->transport_dbg(tx);
        check(n == 4 && data[0] == 40, "transport_dbg reads IAR = 40");
        check(sc_time_stamp() == before, "no time passes in transport_dbg");
        check(h.rd(h.gicd[0], gicd::ISACTIVER + 4) == 0, "the debug read acknowledged nothing");
        ::tlm::tlm_dmi dmi;
        tx.set_command(::tlm::TLM_READ_COMMAND);
        check(!h.gicd[0]->get_direct_mem_ptr(tx, dmi), "DMI refused");
        // CPU-index extension: an access through CPU 0's per-CPU socket that says CPU 1 is a
        // wiring error, refused (the shared sockets are for that: sim.integration_* tests).
        auto* ext = new CpuIdExtension(1);
        const auto r = h.access(h.gicd[0], false, gicd::ITARGETSR, 0, 4, nullptr, 0, ext);
        delete ext;
        check(r.status == ::tlm::TLM_GENERIC_ERROR_RESPONSE,
              "CpuIdExtension(1) on CPU 0's per-CPU socket: TLM_GENERIC_ERROR_RESPONSE");
        check(h.rd(h.gicc[0], gicc::IAR) == 40, "the normal IAR read acknowledges");
    });
    sc_start(sc_time(1, SC_US));
    // Byte enables, streaming and the 3-byte length are refused by the socket before the model:
    // the model counts the reserved offset, the TYPER write and the 64-bit CTLR read.
    check(g.diagnostics().bad_access_count() == 3, "3 bad accesses counted by the model (" + std::to_string(g.diagnostics().bad_access_count()) + ")");
}

/// vm mode: an SPI for a running vCPU kicks it; exit, sync, flush and entry are timed by the
/// profile, and vIRQ rises when the entry completes plus the signalling delay.
void vm_kick_timing() {
    TimingProfile tp;
    tp.signal_delay = 5000;     // 5 ns
    HypervisorProfile hp;
    hp.kick = 100000;           // 100 ns
    hp.exit = 200000;           // 200 ns
    hp.sync_per_lr = 10000;     // 10 ns
    hp.flush_per_lr = 20000;    // 20 ns
    hp.entry = 300000;          // 300 ns
    Vgic g("vm", params(Mode::Vm, 1, tp, hp));
    Harness h("h", g);
    Edges e("edges", h.virq[0]);
    sc_time flushed, synced;
    sc_spawn([&] {
        for (;;) {
            wait(g.cpu[0].flush_done | g.cpu[0].sync_done);
            if (g.vm_model()->running(0)) flushed = sc_time_stamp();
            else synced = sc_time_stamp();
        }
    });
    sc_spawn([&] {
        wait(sc_time(400, SC_NS));  // the initial entry (no LR: 300 ns) is done
        check(g.vm_model()->running(0), "vCPU 0 entered at start");
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 1, 1);
        h.wr(h.gicc[0], gicc::PMR, 0xF8);
        h.wr(h.gicc[0], gicc::CTLR, 1);
        wait(sc_time(1000, SC_NS) - sc_time_stamp());
        h.spi[8].write(true);  // INTID 40 at 1000 ns
        h.spi[8].write(true);
    });
    sc_start(sc_time(3, SC_US));
    // kick at 1000+100, exit done 1300 (no LR read), flush 1 LR 20 + entry 300 -> 1620, +5.
    check(synced == sc_time(1300, SC_NS), "sync done at 1300 ns = SPI + kick 100 + exit 200 (" + t(synced) + ")");
    check(flushed == sc_time(1620, SC_NS), "flush done at 1620 ns = 1300 + 1 LR x 20 + entry 300 (" + t(flushed) + ")");
    check(!e.seen.empty() && e.seen[0].second && e.seen[0].first == sc_time(1625, SC_NS),
          "vIRQ rises at 1625 ns (" + (e.seen.empty() ? std::string("never") : t(e.seen[0].first)) + ")");
    check(g.vm_model()->stats().kicks == 1, "one kick");
}

/// vm mode: a descheduled vCPU keeps its interrupt until it runs again; save and restore are
/// timed and announced.
void vm_stop_run() {
    HypervisorProfile hp;
    hp.exit = 100000;
    hp.save_fixed = 50000;
    hp.save_per_lr = 10000;
    hp.restore_fixed = 60000;
    hp.restore_per_lr = 5000;
    hp.entry = 100000;
    Vgic g("vm", params(Mode::Vm, 2, {}, hp));
    Harness h("h", g);
    sc_time saved, restored;
    sc_spawn([&] { wait(g.cpu[1].save_done); saved = sc_time_stamp(); wait(g.cpu[1].restore_done); restored = sc_time_stamp(); });
    sc_spawn([&] {
        wait(sc_time(200, SC_NS));
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 2, 1);
        h.wr(h.gicc[1], gicc::PMR, 0xF8);
        h.wr(h.gicc[1], gicc::CTLR, 1);
        wait(sc_time(1000, SC_NS) - sc_time_stamp());
        g.cpu[1].stop();
        wait(sc_time(500, SC_NS));
        check(!g.vm_model()->running(1), "vCPU 1 descheduled");
        h.spi[8].write(true);
        wait(sc_time(500, SC_NS));
        Harness::settle();
        check(!h.virq[1].read(), "no vIRQ while descheduled");
        check(g.vm_model()->distributor().is_pending(1, 40), "SPI 40 stays pending in the virtual distributor");
        g.cpu[1].run();
        wait(sc_time(1000, SC_NS));
        check(h.virq[1].read(), "vIRQ after the vCPU runs again");
        check(h.rd(h.gicc[1], gicc::IAR) == 40, "the guest takes it");
    });
    sc_start(sc_time(4, SC_US));
    // stop at 1000: exit 100 -> 1100, save 50 + 4 x 10 -> 1190
    check(saved == sc_time(1190, SC_NS), "save done at 1190 ns = 1000 + exit 100 + 50 + 4 LRs x 10 (" + t(saved) + ")");
    // run at 2000: restore 60 + 4 x 5 -> 2080
    check(restored == sc_time(2080, SC_NS), "restore done at 2080 ns = 2000 + 60 + 4 LRs x 5 (" + t(restored) + ")");
}

/// vm mode: a trapped GICD access by one vCPU that rewrites another vCPU's list registers
/// (GICD_ICPENDR of an SPI pending in vCPU 1's LR stops vCPU 1, folds the LR back and
/// re-enters it without it) updates that vCPU's lrs_in_use too, not only the accessing one's.
void vm_trap_updates_other_vcpus_lrs() {
    Vgic g("vm", params(Mode::Vm, 2));
    Harness h("h", g);
    sc_spawn([&] {
        wait(sc_time(200, SC_NS));
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 2, 1);  // SPI 40 -> vCPU 1
        h.wr(h.gicc[1], gicc::PMR, 0xF8);
        h.wr(h.gicc[1], gicc::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISPENDR + 4, 1u << 8);  // pending, from vCPU 0
        wait(sc_time(2, SC_US));
        Harness::settle();
        check(h.virq[1].read() && g.cpu[1].lrs_in_use.read() == 1, "SPI 40 in one of vCPU 1's LRs, vIRQ 1 high");
        check(g.cpu[0].lrs_in_use.read() == 0, "vCPU 0 holds no LR");
        h.wr(h.gicd[0], gicd::ICPENDR + 4, 1u << 8);  // vCPU 0 clears it
        wait(sc_time(2, SC_US));
        Harness::settle();
        check(!g.vm_model()->distributor().is_pending(1, 40), "SPI 40 no longer pending");
        check(!h.virq[1].read(), "vIRQ 1 low");
        check(g.cpu[1].lrs_in_use.read() == 0, "vCPU 1's lrs_in_use follows the trap of vCPU 0 down to 0");
    });
    sc_start(sc_time(6, SC_US));
}

/// One initiator socket per frame a trap can hit (GICD, the CPU interface window, GICR, the
/// system registers), bound to CPU 0 of one Vgic; each access returns its b_transport delay.
struct FrameProbe : sc_module {
    using Sock = tlm_utils::simple_initiator_socket<FrameProbe, 32>;
    Sock gicd, gicc, gicr, sysreg;
    FrameProbe(sc_module_name n, Vgic& g) : sc_module(n), gicd("gicd"), gicc("gicc"), gicr("gicr"), sysreg("sysreg") {
        gicd.bind(g.distributor.socket[0]);
        gicc.bind(g.cpu[0].gicc);
        gicr.bind(g.redistributor.socket);
        sysreg.bind(g.cpu[0].sysreg);
    }
    /// One access starting from a zero delay: `delay` receives the latency it adds; true if
    /// the response is TLM_OK_RESPONSE.
    static bool access(Sock& s, bool write, std::uint32_t address, unsigned size, sc_time& delay) {
        ::tlm::tlm_generic_payload tx;
        unsigned char data[8] = {};
        tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
        tx.set_address(address);
        tx.set_data_ptr(data);
        tx.set_data_length(size);
        tx.set_streaming_width(size);
        delay = SC_ZERO_TIME;
        s->b_transport(tx, delay);
        return tx.get_response_status() == ::tlm::TLM_OK_RESPONSE;
    }
};

/// vm mode: a guest GICD or GICR access and an ICC_SGI1R_EL1 write are traps and cost the
/// hypervisor's trap_entry + emulate + trap_return; in hw mode the same accesses are bus
/// accesses (gicd_access, gicr_access; stores not posted here: gicd_write, gicr_write) and a
/// system-register write (sysreg_access). Every parameter differs, so each latency shows
/// which one was charged.
void trapped_access_timing() {
    TimingProfile tp;
    tp.gicd_access = 20000;   // 20 ns: hw GICD bus access
    tp.gicd_write = 20000;
    tp.gicc_access = 7000;    // 7 ns
    tp.gicv_access = 3000;    // 3 ns
    tp.gicr_access = 11000;   // 11 ns: hw GICR bus access
    tp.gicr_write = 11000;
    tp.sysreg_access = 2000;  // 2 ns
    HypervisorProfile hp;
    hp.trap_entry = 100000;   // 100 + 150 + 50 = 300 ns: vm trap round trip
    hp.emulate = 150000;
    hp.trap_return = 50000;
    auto v3 = [](VgicParams p) {
        p.gic.version = GicVersion::V3;
        return p;
    };
    Vgic hw2("hw2", params(Mode::Hw, 1, tp, hp)), vm2("vm2", params(Mode::Vm, 1, tp, hp));
    Vgic hw3("hw3", v3(params(Mode::Hw, 1, tp, hp))), vm3("vm3", v3(params(Mode::Vm, 1, tp, hp)));
    FrameProbe phw2("phw2", hw2), pvm2("pvm2", vm2), phw3("phw3", hw3), pvm3("pvm3", vm3);
    namespace sr = gicv3::sysreg;
    // The access's time as the initiator sees it: the time b_transport waited (a trap in vm
    // mode waits until its emulation instant) plus the delay it returns.
    auto expect = [](FrameProbe::Sock& s, bool write, std::uint32_t address, unsigned size, const sc_time& want,
                     const std::string& what) {
        sc_time d;
        const sc_time start = sc_time_stamp();
        const bool ok = FrameProbe::access(s, write, address, size, d);
        const sc_time seen = sc_time_stamp() - start + d;
        check(ok && seen == want, what + " (" + (ok ? t(seen) : std::string("TLM error")) + ")");
        wait(d);
    };
    sc_spawn([&] {
        wait(sc_time(100, SC_NS));  // the vCPUs have entered
        const sc_time bus(20, SC_NS), trap(300, SC_NS), gicc_t(7, SC_NS), gicv_t(3, SC_NS), gicr_t(11, SC_NS),
            sys(2, SC_NS);
        // GICv2
        expect(phw2.gicd, false, gicd::TYPER, 4, bus, "hw v2: a GICD read costs gicd_access 20 ns");
        expect(phw2.gicd, true, gicd::CTLR, 4, bus, "hw v2: a GICD write costs gicd_access 20 ns");
        expect(phw2.gicc, false, gicc::PMR, 4, gicc_t, "hw v2: a GICC read costs gicc_access 7 ns");
        expect(pvm2.gicd, false, gicd::TYPER, 4, trap, "vm v2: a guest GICD read is a trap: trap_entry + emulate + trap_return 300 ns");
        expect(pvm2.gicd, true, gicd::CTLR, 4, trap, "vm v2: a guest GICD write is a trap: trap round trip 300 ns");
        expect(pvm2.gicc, false, gicc::PMR, 4, gicv_t, "vm v2: the guest's CPU interface is GICV, no trap: gicv_access 3 ns");
        // GICv3
        expect(phw3.gicd, false, gicv3::gicd::TYPER, 4, bus, "hw v3: a GICD read costs gicd_access 20 ns");
        expect(phw3.gicr, false, gicv3::gicr::IIDR, 4, gicr_t, "hw v3: a GICR read costs gicr_access 11 ns");
        expect(phw3.gicr, true, gicv3::gicr::WAKER, 4, gicr_t, "hw v3: a GICR write costs gicr_access 11 ns");
        expect(phw3.sysreg, true, sr::ICC_SGI1R_EL1, 8, sys, "hw v3: an ICC_SGI1R_EL1 write costs sysreg_access 2 ns");
        expect(pvm3.gicd, false, gicv3::gicd::TYPER, 4, trap, "vm v3: a guest GICD read is a trap: trap round trip 300 ns");
        expect(pvm3.gicr, false, gicv3::gicr::IIDR, 4, trap, "vm v3: a guest GICR read is a trap: trap round trip 300 ns");
        expect(pvm3.gicr, true, gicv3::gicr::WAKER, 4, trap, "vm v3: a guest GICR write is a trap: trap round trip 300 ns");
        expect(pvm3.sysreg, true, sr::ICC_SGI1R_EL1, 8, trap,
               "vm v3: a guest ICC_SGI1R_EL1 write traps: trap round trip 300 ns");
        expect(pvm3.sysreg, true, sr::ICC_PMR_EL1, 8, sys, "vm v3: ICC_PMR_EL1 is the vCPU's ICV_PMR, no trap: sysreg_access 2 ns");
        expect(pvm3.sysreg, false, sr::ICC_PMR_EL1, 8, sys, "vm v3: an ICV_PMR read: sysreg_access 2 ns");
    });
    sc_start(sc_time(10, SC_US));  // every access waited for: 8 traps of 300 ns and the rest
    check(hw2.latency(Frame::Gicd) == sc_time(20, SC_NS) && vm2.latency(Frame::Gicd) == sc_time(300, SC_NS),
          "Vgic::latency(Gicd): gicd_access in hw mode, the trap round trip in vm mode");
    check(hw3.latency(Frame::Gicr) == sc_time(11, SC_NS) && vm3.latency(Frame::Gicr) == sc_time(300, SC_NS),
          "Vgic::latency(Gicr): gicr_access in hw mode, the trap round trip in vm mode");
}

/// hw mode LRs through the TLM sockets: the hypervisor writes an LR through GICH, the guest
/// sees vIRQ and takes it through GICV; the maintenance line follows MISR.
void hw_list_registers() {
    Vgic g("gic", params(Mode::Hw, 2));
    Harness h("h", g);
    sc_spawn([&] {
        h.wr(h.gicv[1], gicc::PMR, 0xF8);
        h.wr(h.gicv[1], gicc::CTLR, 1);
        h.wr(h.gich[1], gich::HCR, gich::HCR_En::mask);
        check(h.rd(h.gich[1], gich::VTR) == 0x90000003u, "GICH_VTR of a GIC-400");
        h.wr(h.gich[1], gich::LR0, gich::LR_Pending::mask | gich::LR_EOI::mask | gich::LR_Priority::make(0xA0 >> 3) | 77);
        Harness::settle();
        check(h.virq[1].read() && !h.virq[0].read(), "vIRQ on CPU 1 only");
        check(g.cpu[1].lrs_in_use.read() == 1, "one LR in use");
        check(h.rd(h.gicv[1], gicc::IAR) == 77, "GICV_IAR = 77");
        h.wr(h.gicv[1], gicc::EOIR, 77);
        Harness::settle();
        check(h.maint[1].read(), "EOI maintenance asserted (LR had EOI=1)");
        check(h.rd(h.gicd[1], gicd::ISPENDR) & (1u << 25), "maintenance PPI 25 pending on CPU 1");
        // Through the alias region: CPU 1's GICH at 0x200.
        h.wr(h.alias, 0x200 + gich::LR0, 0);
        Harness::settle();
        check(!h.maint[1].read(), "rewriting the LR through the alias frame clears it");
        check(g.cpu[1].lrs_in_use.read() == 0, "no LR in use");
    });
    sc_start(sc_time(1, SC_US));
}

/// The VCD holds every line of every CPU interface with readable names, and the transitions.
void vcd() {
    const std::string base = "tlm_scenarios_vcd";
    Vgic g("gic", params(Mode::Hw, 2, timing_ns(10)));
    Harness h("h", g);
    sc_trace_file* tf = sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1, SC_NS);
    trace_vgic(tf, g);
    sc_spawn([&] {
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 1u << 8);
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 1, 1);
        h.wr(h.gicc[0], gicc::PMR, 0xF0);
        h.wr(h.gicc[0], gicc::CTLR, 1);
        wait(sc_time(100, SC_NS));
        h.spi[8].write(true);
        wait(sc_time(100, SC_NS));
        h.spi[8].write(false);
    });
    sc_start(sc_time(1, SC_US));
    sc_close_vcd_trace_file(tf);
    const Vcd v = Vcd::load(base + ".vcd");
    for (const char* cpu : {"cpu0", "cpu1"})
        for (const char* name : {"irq", "fiq", "virq", "vfiq", "maintenance", "running", "lrs_in_use"}) {
            const std::string full = std::string("gic.") + cpu + "." + name;
            check(v.codes.count(full) == 1, "VCD declares " + full);
        }
    const auto changes = v.changes("gic.cpu0.irq");
    check(changes.size() >= 2, "gic.cpu0.irq has transitions");
    bool rise = false, fall = false;
    for (const auto& c : changes) {
        rise = rise || (c.first == 110 && c.second == "1");
        fall = fall || (c.first == 210 && c.second == "0");
    }
    check(rise, "gic.cpu0.irq rises at 110 ns (SPI at 100 ns + 10 ns)");
    check(fall, "gic.cpu0.irq falls at 210 ns");
    check(v.changes("gic.cpu1.irq").size() <= 1, "gic.cpu1.irq never rises");
}

/// The project's VCD writer (VcdTrace, vgic/tlm/vcd_trace.hpp) records what SystemC's tracer
/// records: both trace the same run (a Vgic and a VirtualTimer: SPIs, a list register with EOI
/// maintenance, a timer that fires), and the two files hold the same names and the same
/// (time, signal, value) changes, the initial dump included. Only the identifier codes and
/// the header's layout differ. (tlm.vcd_writer checks the rest: one value per time step.)
void vcd_writer_matches_systemc() {
    const std::string ours = "tlm_scenarios_vcd_writer.vcd", theirs = "tlm_scenarios_vcd_writer_systemc";
    Vgic g("gic", params(Mode::Hw, 2, timing_ns(10)));
    VirtualTimer timer("timer", g);
    Harness h("h", g);
    sc_trace_file* tf = sc_create_vcd_trace_file(theirs.c_str());
    tf->set_time_unit(1, SC_PS);
    trace_vgic(tf, g);
    trace_timer(tf, timer);
    VcdWriter writer(ours);
    VcdTrace trace(writer);
    trace_vgic(trace, g);
    trace_timer(trace, timer);
    sc_spawn([&] {
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER + 4, 3u << 8);
        h.wr(h.gicd[0], gicd::ITARGETSR + 40, 1, 1);  // SPI 40 to CPU 0
        h.wr(h.gicd[0], gicd::ITARGETSR + 41, 2, 1);  // SPI 41 to CPU 1
        for (unsigned c = 0; c < 2; ++c) {
            h.wr(h.gicc[c], gicc::PMR, 0xF0);
            h.wr(h.gicc[c], gicc::CTLR, 1);
        }
        wait(sc_time(100, SC_NS));
        h.spi[8].write(true);
        h.spi[9].write(true);
        wait(sc_time(50, SC_NS));
        check(h.rd(h.gicc[1], gicc::IAR) == 41, "CPU 1 acknowledges SPI 41");
        h.spi[8].write(false);
        h.spi[9].write(false);
        h.wr(h.gicc[1], gicc::EOIR, 41);
        // A list register with EOI maintenance (virq, lrs_in_use, maintenance).
        h.wr(h.gicv[1], gicc::PMR, 0xF8);
        h.wr(h.gicv[1], gicc::CTLR, 1);
        h.wr(h.gich[1], gich::HCR, gich::HCR_En::mask);
        h.wr(h.gich[1], gich::LR0, gich::LR_Pending::mask | gich::LR_EOI::mask | gich::LR_Priority::make(0xA0 >> 3) | 77);
        wait(sc_time(30, SC_NS));
        h.rd(h.gicv[1], gicc::IAR);
        h.wr(h.gicv[1], gicc::EOIR, 77);
        wait(sc_time(30, SC_NS));
        h.wr(h.alias, 0x200 + gich::LR0, 0);
        // The virtual timer of CPU 0 fires 50 counter ticks from now.
        timer.write(0, timer_regs::CNTV_CVAL_EL0, timer.counter(sc_time_stamp()) + 50);
        timer.write(0, timer_regs::CNTV_CTL_EL0, 1);  // ENABLE
        wait(sc_time(800, SC_NS));
        timer.write(0, timer_regs::CNTV_CTL_EL0, 0);
        wait(sc_time(100, SC_NS));
    });
    sc_start(sc_time(2, SC_US));
    writer.close(time_ps(sc_time_stamp()));
    check(!writer.failed(), "our VCD written without error");
    sc_close_vcd_trace_file(tf);
    const Vcd a = Vcd::load(ours), b = Vcd::load(theirs + ".vcd");
    std::set<std::string> names_a, names_b;
    for (const auto& c : a.codes) names_a.insert(c.first);
    for (const auto& c : b.codes) names_b.insert(c.first);
    check(names_a == names_b && names_a.size() == 2 * 7 + 2 * 2, "the same 18 signals under the same names");
    auto triples = [](const Vcd& v) {
        std::map<std::string, std::string> name_of;
        for (const auto& c : v.codes) name_of[c.second] = c.first;
        std::vector<std::tuple<std::uint64_t, std::string, std::string>> out;
        for (const auto& e : v.events) out.emplace_back(std::get<0>(e), name_of[std::get<1>(e)], std::get<2>(e));
        std::sort(out.begin(), out.end());
        return out;
    };
    const auto ta = triples(a), tb = triples(b);
    check(ta == tb, "the same " + std::to_string(tb.size()) + " (time, signal, value) changes (" +
                        std::to_string(ta.size()) + " in ours)");
    if (ta != tb) {
        for (const auto& e : ta)
            if (std::find(tb.begin(), tb.end(), e) == tb.end())
                std::printf("    only ours:    %llu %s %s\n", static_cast<unsigned long long>(std::get<0>(e)),
                            std::get<1>(e).c_str(), std::get<2>(e).c_str());
        for (const auto& e : tb)
            if (std::find(ta.begin(), ta.end(), e) == ta.end())
                std::printf("    only SystemC: %llu %s %s\n", static_cast<unsigned long long>(std::get<0>(e)),
                            std::get<1>(e).c_str(), std::get<2>(e).c_str());
    }
    std::size_t interesting = 0;
    for (const auto& e : ta) interesting += std::get<0>(e) > 0;
    check(interesting >= 8, "the run changed lines after time 0 (" + std::to_string(interesting) + ")");
    bool timer_fired = false, maintenance = false, lrs = false;
    for (const auto& e : ta) {
        timer_fired |= std::get<1>(e) == "timer.cpu0.cntv" && std::get<2>(e) == "1";
        maintenance |= std::get<1>(e) == "gic.cpu1.maintenance" && std::get<2>(e) == "1";
        lrs |= std::get<1>(e) == "gic.cpu1.lrs_in_use" && std::get<2>(e) == "1";
    }
    check(timer_fired && maintenance && lrs, "the timer, the maintenance line and the LR count changed");
}

/// A non-blocking (approximately-timed) initiator works through the simple target socket,
/// which turns nb_transport into b_transport; and the line callback reports each change with
/// the time it takes effect.
struct NbInitiator : sc_module {
    tlm_utils::simple_initiator_socket<NbInitiator, 32> socket;
    sc_event response;
    explicit NbInitiator(sc_module_name n) : sc_module(n), socket("socket") {
        socket.register_nb_transport_bw(this, &NbInitiator::nb_transport_bw);
    }
    ::tlm::tlm_sync_enum nb_transport_bw(::tlm::tlm_generic_payload&, ::tlm::tlm_phase& phase, sc_time& delay) {
        if (phase == ::tlm::BEGIN_RESP) {
            response.notify(delay);
            phase = ::tlm::END_RESP;
            return ::tlm::TLM_COMPLETED;
        }
        return ::tlm::TLM_ACCEPTED;
    }
};

struct NoopMm : ::tlm::tlm_mm_interface {
    void free(::tlm::tlm_generic_payload* p) override { p->free_all_extensions(); }
};

void nb_initiator_and_callback() {
    TimingProfile tp = timing_ns(10);
    tp.gicd_access = 20000;
    Vgic g("gic", params(Mode::Hw, 1, tp));
    NbInitiator init("init");
    init.socket.bind(g.distributor.socket[0]);
    std::vector<std::pair<sc_time, bool>> callbacks;
    g.cpu[0].on_line_change([&](Line l, bool level, const sc_time& when) {
        if (l == Line::Irq) callbacks.emplace_back(when, level);
    });
    NoopMm mm;
    sc_spawn([&] {
        auto nb_read = [&](std::uint32_t offset) {
            ::tlm::tlm_generic_payload tx;
            tx.set_mm(&mm);
            tx.acquire();
            unsigned char data[4] = {};
            tx.set_command(::tlm::TLM_READ_COMMAND);
            tx.set_address(offset);
            tx.set_data_ptr(data);
            tx.set_data_length(4);
            tx.set_streaming_width(4);
            ::tlm::tlm_phase phase = ::tlm::BEGIN_REQ;
            sc_time delay = SC_ZERO_TIME;
            const sc_time start = sc_time_stamp();
            const ::tlm::tlm_sync_enum st = init.socket->nb_transport_fw(tx, phase, delay);
            if (st != ::tlm::TLM_COMPLETED) wait(init.response);
            else wait(delay);
            const std::uint32_t v = data[0] | data[1] << 8 | data[2] << 16 | static_cast<std::uint32_t>(data[3]) << 24;
            check(tx.get_response_status() == ::tlm::TLM_OK_RESPONSE, "nb_transport read completes OK");
            check(sc_time_stamp() - start == sc_time(20, SC_NS), "and takes the 20 ns GICD latency (" + t(sc_time_stamp() - start) + ")");
            tx.release();
            return v;
        };
        check(nb_read(gicd::TYPER) == 0x2, "TYPER through nb_transport = 0x2 (64 SPIs, 1 CPU)");
        check(nb_read(gicd::IIDR) == 0x0200143B, "IIDR through nb_transport");
        wait(sc_time(500, SC_NS) - sc_time_stamp());
        g.hw_model()->write_distributor(0, gicd::CTLR, 4, 1);
        g.hw_model()->write_distributor(0, gicd::ISENABLER + 4, 4, 1u << 8);
        g.hw_model()->write_cpu_interface(0, gicc::PMR, 4, 0xF0);
        g.hw_model()->write_cpu_interface(0, gicc::CTLR, 4, 1);
        g.set_spi_level(40, true, sc_time(5, SC_NS));  // an input 5 ns into the caller's quantum
    });
    sc_start(sc_time(1, SC_US));
    check(callbacks.size() == 1 && callbacks[0].second && callbacks[0].first == sc_time(515, SC_NS),
          "the callback announces irq high at 515 ns = 500 + 5 ns offset + 10 ns delay");
    check(g.cpu[0].irq_level.read(), "and the line is high");
}

/// vm mode: the virtual timer of a descheduled vCPU fires at exactly CVAL's time, marks the
/// PPI pending in the virtual distributor and raises the wake notification; the vCPU gets the
/// interrupt right after it runs again (section 3 item 26).
void vm_timer_wake() {
    HypervisorProfile hp;
    hp.exit = 100000;
    hp.entry = 100000;
    Vgic g("vm", params(Mode::Vm, 1, {}, hp));
    VirtualTimer timer("timer", g);
    Harness h("h", g);
    sc_time woke;
    unsigned callbacks = 0;
    timer.on_wake([&](unsigned) { ++callbacks; });
    sc_spawn([&] { wait(timer.wake_event(0)); woke = sc_time_stamp(); });
    sc_spawn([&] {
        wait(sc_time(200, SC_NS));
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER, 1u << 27);
        h.wr(h.gicc[0], gicc::PMR, 0xF8);
        h.wr(h.gicc[0], gicc::CTLR, 1);
        timer.write(0, timer_regs::CNTV_CVAL_EL0, 500);   // 5 us at 100 MHz
        timer.write(0, timer_regs::CNTV_CTL_EL0, 1);
        g.cpu[0].stop();
        wait(sc_time(10, SC_US) - sc_time_stamp());
        Harness::settle();
        check(!h.virq[0].read(), "no vIRQ while descheduled");
        check(g.vm_model()->distributor().is_pending(0, 27), "INTID 27 pending in the virtual distributor");
        g.cpu[0].run();
        wait(g.cpu[0].flush_done);
        Harness::settle();
        check(h.virq[0].read(), "vIRQ right after the vCPU runs");
        const std::uint32_t lr = g.vm_model()->vcpu_interface(0).lr(0);
        check(gich::LR_HW::test(lr) && gich::LR_PhysicalID::get(lr) == 27, "the timer's LR is HW-mapped to PPI 27");
    });
    sc_start(sc_time(20, SC_US));
    check(woke == sc_time(5, SC_US), "wake notified at exactly CVAL's time, 5 us (" + t(woke) + ")");
    check(callbacks == 1 && timer.wakes() == 1, "one wake");
}

/// Regression: a timer expiring between stop() and save_done (the exit, sync and save) must
/// still wake the vCPU once it is descheduled.
void vm_timer_wake_during_stop() {
    HypervisorProfile hp;
    hp.exit = 1000000;       // 1 us: the timer fires inside the stop window
    hp.save_fixed = 500000;
    Vgic g("vm", params(Mode::Vm, 1, {}, hp));
    VirtualTimer timer("timer", g);
    Harness h("h", g);
    sc_spawn([&] {
        wait(sc_time(100, SC_NS));
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER, 1u << 27);
        timer.write(0, timer_regs::CNTV_CVAL_EL0, 300);  // 3 us
        timer.write(0, timer_regs::CNTV_CTL_EL0, 1);
        wait(sc_time(2, SC_US) - sc_time_stamp());
        g.cpu[0].stop();  // exit until 3 us, save until 3.5 us
    });
    sc_start(sc_time(10, SC_US));
    check(timer.wakes() == 1, "one wake for the expiry during the stop (" + std::to_string(timer.wakes()) + ")");
}

/// Regression: with a time resolution coarser than a counter tick the expiry event must
/// still land at or after the tick (no endless re-arming at the same time).
void coarse_time_resolution() {
    sc_set_time_resolution(1, SC_NS);
    Vgic g("gic", params(Mode::Hw, 1));
    VirtualTimer timer("timer", g, [] {
        TimerConfig c;
        c.frequency_hz = 24'000'000;  // 41.67 ns per tick: never a whole number of ns
        return c;
    }());
    Harness h("h", g);
    sc_spawn([&] {
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER, 1u << 27);
        h.wr(h.gicc[0], gicc::PMR, 0xF0);
        h.wr(h.gicc[0], gicc::CTLR, 1);
        timer.write(0, timer_regs::CNTV_CVAL_EL0, 2);  // CNTPCT 2 at 83.33 ns
        timer.write(0, timer_regs::CNTV_CTL_EL0, 1);
    });
    sc_start(sc_time(1, SC_US));
    check(h.irq[0].read(), "the timer fired");
    check(timer.counter(sc_time(84, SC_NS)) == 2 && timer.counter(sc_time(83, SC_NS)) == 1,
          "the count reaches 2 between 83 and 84 ns");
}

/// The whole platform (model + timers) saved from A and restored into a fresh B at the same
/// simulated time: identical reads and identical later behaviour; corrupt or mismatched
/// documents are refused and leave B untouched.
void platform_snapshot() {
    TimingProfile tp = timing_ns(10);
    Vgic a("a", params(Mode::Hw, 2, tp)), b("b", params(Mode::Hw, 2, tp));
    VirtualTimer ta("ta", a), tb("tb", b);
    Harness ha("ha", a), hb("hb", b);
    Edges ea("ea", ha.irq[1]), eb("eb", hb.irq[1]);
    sc_spawn([&] {
        // A: SPI 40 pending for CPU 1, the virtual timer of CPU 1 armed for 5 us.
        ha.wr(ha.gicd[0], gicd::CTLR, 1);
        ha.wr(ha.gicd[0], gicd::ISENABLER + 4, 1u << 8);
        ha.wr(ha.gicd[1], gicd::ISENABLER, 1u << 27);
        ha.wr(ha.gicd[0], gicd::ITARGETSR + 40, 2, 1);
        ha.wr(ha.gicd[0], gicd::IPRIORITYR + 40, 0x80, 1);
        ha.wr(ha.gicd[0], gicd::ICFGR + 8, 2u << 16);  // INTID 40 edge-triggered
        ha.wr(ha.gicc[1], gicc::PMR, 0xF0);
        ha.wr(ha.gicc[1], gicc::CTLR, 1);
        wait(sc_time(200, SC_NS));                      // CNTPCT = 20 (100 MHz)
        ta.write(1, timer_regs::CNTVOFF_EL2, 10);       // CNTVCT = 10
        ta.write(1, timer_regs::CNTV_CVAL_EL0, 490);  // CNTVCT 490 = CNTPCT 500 = 5 us
        ta.write(1, timer_regs::CNTV_CTL_EL0, 1);
        a.set_spi_level(40, true);
        a.set_spi_level(40, false);
        wait(sc_time(1, SC_US) - sc_time_stamp());
        const std::string doc = save_snapshot(a, &ta);
        const std::string before = save_snapshot(b, &tb);
        // Refusals first: each leaves B as it was.
        auto refused = [&](const std::string& bad, const std::string& needle, const std::string& what) {
            try {
                restore_snapshot(b, &tb, bad);
                check(false, what + ": refused");
            } catch (const vgic::SnapshotError& e) {
                check(std::string(e.what()).find(needle) != std::string::npos, what + ": " + e.what());
            }
            check(save_snapshot(b, &tb) == before, what + ": target untouched");
        };
        refused(doc.substr(0, doc.size() / 2), "JSON syntax error", "truncated document");
        std::string v2 = doc;
        v2.replace(v2.find("\"version\": 1"), 12, "\"version\": 9");
        refused(v2, "not supported", "unknown version");
        std::string badctl = doc;
        badctl.replace(badctl.find("\"cntv_ctl\": 1"), 13, "\"cntv_ctl\": 9");
        refused(badctl, "ENABLE/IMASK", "corrupt timer control");
        refused(save_snapshot(a, nullptr), "document has no timers", "timer section missing");
        // A repeated member is refused (JSON leaves it to the reader; a tree keeps the last).
        refused("{\"version\": 1," + doc.substr(1), "snapshot: /: member \"version\" appears twice", "repeated member");
        restore_snapshot(b, &tb, doc);
        check(save_snapshot(b, &tb) == save_snapshot(a, &ta), "B saves exactly what A saved");
        for (std::uint32_t off : {gicd::CTLR, gicd::ISPENDR + 4, gicd::ISENABLER, gicd::ITARGETSR + 40})
            check(hb.rd(hb.gicd[1], off) == ha.rd(ha.gicd[1], off), "GICD " + std::to_string(off) + " equal");
        for (std::uint32_t reg : {timer_regs::CNTV_CVAL_EL0, timer_regs::CNTV_CTL_EL0, timer_regs::CNTVCT_EL0})
            check(tb.read(1, reg).value == ta.read(1, reg).value, std::string(timer_register_name(reg)) + " equal");
        // Identical later behaviour: both take SPI 40 now, then the timer at 5 us.
        const auto iar_b = hb.rd(hb.gicc[1], gicc::IAR);
        const auto iar_a = ha.rd(ha.gicc[1], gicc::IAR);
        check(iar_b == 40 && iar_a == 40, "both acknowledge 40 (A " + std::to_string(iar_a) + ", B " + std::to_string(iar_b) + ")");
        hb.wr(hb.gicc[1], gicc::EOIR, 40);
        ha.wr(ha.gicc[1], gicc::EOIR, 40);
    });
    sc_start(sc_time(8, SC_US));
    // From the restore on, B's line does what A's does, at the same times.
    auto after = [](const std::vector<std::pair<sc_time, bool>>& v) {
        std::vector<std::pair<sc_time, bool>> out;
        for (const auto& e : v)
            if (e.first > sc_time(1000, SC_NS)) out.push_back(e);
        return out;
    };
    check(after(ea.seen) == after(eb.seen) && after(ea.seen).size() == 2,
          "after the restore, irq[1] of B changes at the same times and levels as A's (2 changes)");
    check(!eb.seen.empty() && eb.seen.front() == std::make_pair(sc_time(1000, SC_NS), true),
          "B's irq[1] takes the restored level at the restore time, without signal delay");
    check(!ea.seen.empty() && ea.seen.back().first == sc_time(5010, SC_NS) && ea.seen.back().second,
          "the timer fires at 5 us + 10 ns in both");
}

/// hw mode: a store to a GIC frame is acknowledged to the CPU after posted_write_ack
/// (Device-nGnRE early write acknowledgement) and takes effect in the GIC after the frame's
/// write latency; with "none" (kNotPosted) the CPU waits for the effect. An SGI written
/// through GICD_SGIR raises the target's IRQ at gicd_write + signal_delay after the store
/// whatever the CPU saw; a read is never posted.
void posted_store_timing() {
    TimingProfile posted;
    posted.gicd_access = 140000;
    posted.gicd_write = 70000;
    posted.gicc_access = 140000;
    posted.gicc_write = 70000;
    posted.posted_write_ack = 10000;
    posted.signal_delay = 30000;
    TimingProfile strict = posted;
    strict.posted_write_ack = kNotPosted;
    Vgic a("a", params(Mode::Hw, 2, posted)), b("b", params(Mode::Hw, 2, strict));
    Harness ha("ha", a), hb("hb", b);
    Edges ea("ea", ha.irq[1]), eb("eb", hb.irq[1]);
    sc_time seen_a, seen_b, read_a;
    sc_spawn([&] {
        for (Harness* h : {&ha, &hb}) {
            h->wr(h->gicd[0], gicd::CTLR, 1);
            h->wr(h->gicd[1], gicd::ISENABLER, 1u << 5);
            h->wr(h->gicc[1], gicc::PMR, 0xF0);
            h->wr(h->gicc[1], gicc::CTLR, 1);
        }
        wait(sc_time(10, SC_US) - sc_time_stamp());
        seen_a = ha.access(ha.gicd[0], true, gicd::SGIR, (2u << 16) | 5).delay;  // SGI 5 to CPU 1
        seen_b = hb.access(hb.gicd[0], true, gicd::SGIR, (2u << 16) | 5).delay;
        read_a = ha.access(ha.gicd[0], false, gicd::TYPER).delay;
    });
    sc_start(sc_time(20, SC_US));
    check(seen_a == sc_time(10, SC_NS), "posted: the SGIR store costs the CPU posted_write_ack 10 ns (" + t(seen_a) + ")");
    check(seen_b == sc_time(70, SC_NS), "not posted: the CPU waits for the effect, gicd_write 70 ns (" + t(seen_b) + ")");
    check(read_a == sc_time(140, SC_NS), "a read is never posted: gicd_access 140 ns (" + t(read_a) + ")");
    const sc_time want(10'000 + 70 + 30, SC_NS);
    check(!ea.seen.empty() && ea.seen[0] == std::make_pair(want, true),
          "posted: CPU 1's IRQ rises gicd_write + signal_delay after the store, at 10.1 us (" +
              (ea.seen.empty() ? std::string("never") : t(ea.seen[0].first)) + ")");
    // b's store was issued 10 ns later than a's would have been had the CPU not waited: at
    // 10.010 us (after a's posted 10 ns), its effect at +70 and the line at +30.
    const sc_time want_b(10'010 + 70 + 30, SC_NS);
    check(!eb.seen.empty() && eb.seen[0] == std::make_pair(want_b, true),
          "not posted: the same path from its own issue, 10.11 us (" +
              (eb.seen.empty() ? std::string("never") : t(eb.seen[0].first)) + ")");
}

/// vm mode, the cross-core IPI path: vCPU 0's GICD_SGIR write traps (trap_entry), is emulated
/// (emulate: the SGI is pending from then on), the hypervisor tells vCPU 1's physical CPU
/// (ipi_send) and returns (trap_return); the physical SGI reaches that CPU after the
/// hardware's gicd_write and traps it (kick); its exit takes the message too (exit +
/// ipi_receive), then flush + entry, and vIRQ rises signal_delay later. A trapped write that
/// concerns only the writer (SGI to itself) tells no other CPU.
void vm_cross_core_ipi_timing() {
    TimingProfile tp;
    tp.signal_delay = 30000;
    tp.gicd_write = 70000;
    HypervisorProfile hp;
    hp.trap_entry = 180000;
    hp.emulate = 480000;
    hp.trap_return = 80000;
    hp.ipi_send = 486000;
    hp.ipi_receive = 593000;
    hp.kick = 60000;
    hp.exit = 460000;
    hp.entry = 80000;
    hp.flush_per_lr = 80000;
    hp.sync_per_lr = 140000;
    Vgic g("vm", params(Mode::Vm, 2, tp, hp));
    Harness h("h", g);
    Edges e1("e1", h.virq[1]), e0("e0", h.virq[0]);
    sc_time seen, seen_self, synced, issued, issued_self;
    sc_spawn([&] {
        wait(g.cpu[1].sync_done);
        synced = sc_time_stamp();
    });
    sc_spawn([&] {
        wait(sc_time(1, SC_US));  // both vCPUs entered (no LR: entry 80 ns)
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[0], gicd::ISENABLER, 1u << 1);
        h.wr(h.gicd[1], gicd::ISENABLER, 1u << 1);
        for (unsigned c = 0; c < 2; ++c) {
            h.wr(h.gicc[c], gicc::PMR, 0xF8);
            h.wr(h.gicc[c], gicc::CTLR, 1);
        }
        wait(sc_time(20, SC_US) - sc_time_stamp());
        // What the sender sees: the time b_transport waited (to the emulation instant) plus
        // the delay it returned; Harness::access waits for both.
        issued = sc_time_stamp();
        h.access(h.gicd[0], true, gicd::SGIR, (2u << 16) | 1);  // SGI 1 to vCPU 1
        seen = sc_time_stamp() - issued;
        wait(sc_time(40, SC_US) - sc_time_stamp());
        issued_self = sc_time_stamp();
        h.access(h.gicd[0], true, gicd::SGIR, (2u << 24) | 1);  // TargetListFilter: self
        seen_self = sc_time_stamp() - issued_self;
    });
    sc_start(sc_time(60, SC_US));
    check(issued == sc_time(20, SC_US), "the SGIR write issued at 20 us");
    check(seen == sc_time(180 + 480 + 486 + 80, SC_NS),
          "the sender sees trap_entry + emulate + ipi_send + trap_return = 1226 ns (" + t(seen) + ")");
    check(seen_self == sc_time(180 + 480 + 80, SC_NS),
          "an SGI to itself tells no other CPU: 740 ns (" + t(seen_self) + ")");
    const std::uint64_t kicked = 20'000 + 180 + 480 + 486 + 70 + 60;  // ns
    check(synced == sc_time(kicked + 460 + 593, SC_NS),
          "vCPU 1 syncs after its exit and the message: " + std::to_string(kicked + 460 + 593) + " ns (" + t(synced) + ")");
    const std::uint64_t rise = kicked + 460 + 593 + 80 + 80 + 30;
    check(!e1.seen.empty() && e1.seen[0] == std::make_pair(sc_time(rise, SC_NS), true),
          "vCPU 1's vIRQ rises at " + std::to_string(rise) + " ns (" +
              (e1.seen.empty() ? std::string("never") : t(e1.seen[0].first)) + ")");
    check(g.vm_model()->stats().kicks >= 1, "vCPU 1 was kicked");
    (void)issued_self;
}

/// vm mode: a wake-up reported during a trapped access (the target is descheduled) reaches
/// the listener at the access's emulation instant, not when the trap begins: a scheduler must
/// not run the vCPU before the interrupt that wakes it exists.
void vm_wake_at_emulation_instant() {
    HypervisorProfile hp;
    hp.trap_entry = 100000;
    hp.emulate = 200000;
    hp.trap_return = 50000;
    hp.exit = 10000;
    hp.entry = 10000;
    Vgic g("vm", params(Mode::Vm, 2, {}, hp));
    Harness h("h", g);
    std::vector<std::pair<unsigned, sc_time>> wakes;
    g.on_pending_while_stopped([&](unsigned v) { wakes.emplace_back(v, sc_time_stamp()); });
    sc_spawn([&] {
        wait(sc_time(1, SC_US));
        h.wr(h.gicd[0], gicd::CTLR, 1);
        h.wr(h.gicd[1], gicd::ISENABLER, 1u << 2);
        g.cpu[1].stop();
        wait(g.cpu[1].save_done);
        wait(sc_time(10, SC_US) - sc_time_stamp());
        h.wr(h.gicd[0], gicd::SGIR, (2u << 16) | 2);  // SGI 2 to the descheduled vCPU 1
    });
    sc_start(sc_time(20, SC_US));
    check(wakes.size() == 1 && wakes[0].first == 1 && wakes[0].second == sc_time(10'300, SC_NS),
          "vCPU 1 woken once, at the emulation instant 10 us + 100 + 200 ns (" +
              (wakes.empty() ? std::string("never") : t(wakes[0].second)) + ")");
}

/// D01: a deadline the simulation never reaches is "never". A guest writing all ones to CVAL
/// (CNTV, and CNTP) arms nothing: the simulation goes on at once (it used to spin forever,
/// stepping 1 ps from 2^63 ps, after sc_time(double) overflowed). The same for a platform
/// snapshot restored with that CVAL. Then a real deadline still fires on time.
void timer_never_deadline() {
    TimingProfile tp = timing_ns(10);
    Vgic a("a", params(Mode::Hw, 1, tp)), b("b", params(Mode::Hw, 1, tp));
    VirtualTimer ta("ta", a), tb("tb", b);
    Edges va("va", ta.cntv_level[0]), pa("pa", ta.cntp_level[0]), vb("vb", tb.cntv_level[0]);
    const std::uint64_t never = ~std::uint64_t{0};
    sc_spawn([&] {
        ta.write(0, timer_regs::CNTV_CVAL_EL0, never);
        ta.write(0, timer_regs::CNTV_CTL_EL0, 1);
        ta.write(0, timer_regs::CNTP_CVAL_EL0, never);
        ta.write(0, timer_regs::CNTP_CTL_EL0, 1);
        // CNTVOFF moves the virtual count ahead of the physical one: CVAL is still unreachable.
        ta.write(0, timer_regs::CNTVOFF_EL2, 0x8000000000000000ull);
        wait(sc_time(1, SC_US));
        check(ta.read(0, timer_regs::CNTV_CTL_EL0).value == 1 && ta.read(0, timer_regs::CNTP_CTL_EL0).value == 1,
              "both timers enabled, ISTATUS 0 after 1 us");
        // The snapshot of that state restored into B (its restore re-arms the timer).
        restore_snapshot(b, &tb, save_snapshot(a, &ta));
        check(tb.timer(0).state().cval[GenericTimer::Virtual] == never, "B restored CNTV_CVAL = all ones");
        wait(sc_time(1, SC_US));
        // A real deadline after "never": 100 ticks (1 us at 100 MHz) from now.
        ta.write(0, timer_regs::CNTVOFF_EL2, 0);
        ta.write(0, timer_regs::CNTV_TVAL_EL0, 100);
    });
    sc_start(sc_time(10, SC_US));
    check(sc_time_stamp() == sc_time(10, SC_US), "the simulation reached 10 us (" + t(sc_time_stamp()) + ")");
    check(pa.seen.empty() && vb.seen.empty(), "no output rose for a deadline of all ones");
    check(va.seen.size() == 1 && va.seen[0] == std::make_pair(sc_time(3, SC_US), true),
          "a later real deadline fires at exactly 3 us");
}

/// D01: deadlines at the horizon are exact, from integer picoseconds (no double, which is
/// exact only to 2^53 ps). At 1 GHz one count is 1000 ps:
///  - CVAL 9000000000000001 is 9000000000000001000 ps, which a double rounds to ...1024;
///  - CVAL 18446744073709551 is 18446744073709551000 ps, the last count before
///    max_time_ps() = 18446744073709551615 ps (2^64 - 1 ps at the default 1 ps resolution);
///  - CVAL 18446744073709552 is beyond it: never.
void timer_deadline_at_the_horizon() {
    Vgic g("gic", params(Mode::Hw, 1));
    TimerConfig tc;
    tc.frequency_hz = 1'000'000'000;
    VirtualTimer timer("timer", g, tc);
    Edges v("v", timer.cntv_level[0]), p("p", timer.cntp_level[0]);
    check(max_time_ps() == 18446744073709551615ull, "the documented horizon: 2^64 - 1 ps at 1 ps resolution");
    check(ps_time(18446744073709551615ull).value() == 18446744073709551615ull && time_ps(sc_max_time()) == max_time_ps(),
          "ps_time and time_ps are exact at the horizon");
    sc_spawn([&] {
        timer.write(0, timer_regs::CNTV_CVAL_EL0, 9'000'000'000'000'001ull);
        timer.write(0, timer_regs::CNTV_CTL_EL0, 1);
        timer.write(0, timer_regs::CNTP_CVAL_EL0, 18'446'744'073'709'552ull);
        timer.write(0, timer_regs::CNTP_CTL_EL0, 1);
        wait(timer.cntv_level[0].posedge_event());
        timer.write(0, timer_regs::CNTV_CVAL_EL0, 18'446'744'073'709'551ull);  // lowers the output
    });
    sc_start();  // until nothing is left to do
    const std::vector<std::pair<std::uint64_t, bool>> expected = {
        {9'000'000'000'000'001'000ull, true}, {9'000'000'000'000'001'000ull, false}, {18'446'744'073'709'551'000ull, true}};
    std::vector<std::pair<std::uint64_t, bool>> seen;
    for (const auto& e : v.seen) seen.emplace_back(e.first.value(), e.second);
    std::string shown;
    for (const auto& e : seen) shown += " " + std::to_string(e.first) + (e.second ? "^" : "v");
    check(seen == expected, "CNTV rises at exactly 9000000000000001000 ps and 18446744073709551000 ps (" + shown + " )");
    check(p.seen.empty(), "CNTP with a deadline beyond the horizon never rises");
    check(sc_time_stamp().value() == 18'446'744'073'709'551'000ull, "and nothing is scheduled after the last deadline");
}

/// D03: a deeply nested document restored from inside a SystemC thread (whose stack is
/// small: 2,000 levels, 4 KB, overflowed it) is refused before it is parsed, through both
/// entry points, naming the depth limit and the byte where it is exceeded; nothing changes.
void snapshot_nesting_depth() {
    Vgic g("gic", params(Mode::Hw, 1));
    VirtualTimer timer("timer", g);
    bool ran = false;
    sc_spawn([&] {
        const std::string before = save_snapshot(g, &timer);
        const std::string deep = "{\"x\": " + std::string(2000, '[') + std::string(2000, ']') + ", \"y\": 0}";
        const std::string expected = "snapshot: nesting deeper than 64 levels at byte 70 (line 1, column 70): a snapshot "
                                     "document nests at most 64 arrays and objects";
        for (int entry = 0; entry < 2; ++entry) {
            const char* name = entry == 0 ? "vgic::tlm::restore_snapshot" : "vgic::restore_snapshot";
            try {
                if (entry == 0) restore_snapshot(g, &timer, deep);
                else vgic::restore_snapshot(*g.hw_model(), deep);
                check(false, std::string(name) + " refuses 2,000 levels");
            } catch (const vgic::SnapshotError& e) {
                check(e.what() == expected, std::string(name) + ": " + e.what());
            }
        }
        check(save_snapshot(g, &timer) == before, "nothing changed");
        ran = true;
    });
    sc_start(sc_time(1, SC_US));
    check(ran, "the thread ran to its end");
}

} // namespace

int sc_main(int argc, char** argv) {
    const std::map<std::string, std::function<void()>> scenarios = {
        {"hw_spi_timing", hw_spi_timing}, {"tlm_protocol", tlm_protocol}, {"vm_kick_timing", vm_kick_timing},
        {"vm_stop_run", vm_stop_run},     {"hw_list_registers", hw_list_registers}, {"vcd", vcd},
        {"vcd_writer_matches_systemc", vcd_writer_matches_systemc},
        {"nb_initiator_and_callback", nb_initiator_and_callback}, {"vm_timer_wake", vm_timer_wake},
        {"vm_timer_wake_during_stop", vm_timer_wake_during_stop}, {"coarse_time_resolution", coarse_time_resolution},
        {"platform_snapshot", platform_snapshot}, {"trapped_access_timing", trapped_access_timing},
        {"vm_trap_updates_other_vcpus_lrs", vm_trap_updates_other_vcpus_lrs},
        {"posted_store_timing", posted_store_timing}, {"vm_cross_core_ipi_timing", vm_cross_core_ipi_timing},
        {"vm_wake_at_emulation_instant", vm_wake_at_emulation_instant},
        {"timer_never_deadline", timer_never_deadline}, {"timer_deadline_at_the_horizon", timer_deadline_at_the_horizon},
        {"snapshot_nesting_depth", snapshot_nesting_depth}, {"varied_timing", varied_timing},
    };
    return vgic::testing::run_scenario("tlm_scenarios", argc, argv, scenarios);
}
