// SPDX-License-Identifier: Apache-2.0
// Example: a loosely-timed GICv2 platform with two CPUs on one bus (docs/INTEGRATION.md).
//
//   cpu0 ─┐                ┌─ gic.shared.gicd   GICD 0x0800_0000 (64 KiB window)
//         ├─ router ───────┤
//   cpu1 ─┘  (+CpuIdExt)   └─ gic.shared.gicc   GICC 0x0801_0000 (8 KiB)
//   uart ── spi_in[8] (INTID 40)          gic.cpu[i].irq ── cpu i
//
// The CPUs are stubs running "firmware" in an SC_THREAD with a quantum keeper; the router
// turns addresses into frame offsets and tells the GIC which CPU issued the access
// (CpuIdExtension), as the banked registers (GICC_*, GICD_ISENABLER0, ...) need it. The
// example checks itself: the acknowledged INTIDs and the times the IRQ lines rose.
// 32-bit sockets (vgic::tlm::Vgic); lt_gicv3.cpp shows the 64-bit variant.
#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vcd_trace.hpp"
#include "vgic/tlm/vgic.hpp"

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdio>
#include <functional>
#include <vector>

using namespace sc_core;
namespace vt = vgic::tlm;
namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;

constexpr std::uint64_t kGicdBase = 0x0800'0000, kGicdSize = 0x1'0000;
constexpr std::uint64_t kGiccBase = 0x0801'0000, kGiccSize = 0x2000;
const sc_time kSignalDelay(10, SC_NS);  // the GIC's output propagation (TimingProfile::signal_delay)

static int g_failures = 0;
static void expect(bool ok, const char* what) {
    std::printf("  %s  %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++g_failures;
}

/// One bus for every CPU: decodes the memory map, forwards offsets, tags the issuing CPU.
struct Router : sc_module {
    tlm_utils::multi_passthrough_target_socket<Router, 32> cpu_side;  // CPU i binds it i-th
    tlm_utils::simple_initiator_socket<Router, 32> gicd, gicc;

    explicit Router(sc_module_name n) : sc_module(n), cpu_side("cpu_side"), gicd("gicd"), gicc("gicc") {
        cpu_side.register_b_transport(this, &Router::b_transport);
    }
    void b_transport(int cpu, tlm::tlm_generic_payload& tx, sc_time& delay) {
        const std::uint64_t a = tx.get_address(), end = a + tx.get_data_length();
        tlm_utils::simple_initiator_socket<Router, 32>* target = nullptr;
        if (a >= kGicdBase && end <= kGicdBase + kGicdSize) target = &gicd, tx.set_address(a - kGicdBase);
        else if (a >= kGiccBase && end <= kGiccBase + kGiccSize) target = &gicc, tx.set_address(a - kGiccBase);
        if (target == nullptr) {
            tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
            return;
        }
        // The GIC's shared sockets require the issuing CPU: the index of the port it came in on.
        vt::CpuIdExtension id(static_cast<unsigned>(cpu));
        tx.set_extension(&id);
        (*target)->b_transport(tx, delay);
        tx.clear_extension(&id);
        tx.set_address(a);
    }
};

/// A CPU stub: runs `firmware` in a thread; accesses carry the quantum keeper's local time.
struct Cpu : sc_module {
    tlm_utils::simple_initiator_socket<Cpu, 32> bus;
    sc_in<bool> irq;
    tlm_utils::tlm_quantumkeeper qk;
    std::function<void(Cpu&)> firmware;

    explicit Cpu(sc_module_name n) : sc_module(n), bus("bus"), irq("irq") { SC_THREAD(run); }
    SC_HAS_PROCESS(Cpu);
    void run() { qk.reset(); firmware(*this); }

    std::uint32_t access(bool write, std::uint64_t addr, std::uint32_t value, unsigned size = 4) {
        tlm::tlm_generic_payload tx;
        unsigned char data[4] = {static_cast<unsigned char>(value), static_cast<unsigned char>(value >> 8),
                                 static_cast<unsigned char>(value >> 16), static_cast<unsigned char>(value >> 24)};
        tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx.set_address(addr);
        tx.set_data_ptr(data);
        tx.set_data_length(size);
        tx.set_streaming_width(size);
        sc_time delay = qk.get_local_time();
        bus->b_transport(tx, delay);
        qk.set(delay);
        if (qk.need_sync()) qk.sync();
        if (!tx.is_response_ok()) {
            std::printf("%s: bus error at 0x%llx\n", name(), static_cast<unsigned long long>(addr));
            ++g_failures;
        }
        return data[0] | data[1] << 8 | data[2] << 16 | std::uint32_t{data[3]} << 24;
    }
    std::uint32_t read(std::uint64_t a) { return access(false, a, 0); }
    void write(std::uint64_t a, std::uint32_t v, unsigned size = 4) { access(true, a, v, size); }
    /// WFI: catch up with simulated time, then sleep until the IRQ line is high.
    void wfi() {
        qk.sync();
        if (!irq.read()) wait(irq.posedge_event());
    }
    /// The IRQ exception handler, as Linux's gic_handle_irq: acknowledge (GICC_IAR), handle,
    /// end (GICC_EOIR), until the IAR says spurious (1023; IHI 0048B 3.2.4, 4.4.4). The line
    /// falls signal_delay after the acknowledge, so a CPU that comes back sooner than that
    /// finds it still high and reads 1023 at once: that is normal, not an error.
    void irq_handler(std::vector<std::uint32_t>& taken) {
        wfi();
        for (;;) {
            const std::uint32_t iar = read(kGiccBase + gicc::IAR);
            if ((iar & 0x3FF) >= 1020) break;
            std::printf("%10s  %s: took INTID %u (GICC_IAR 0x%03x, source CPU %u)\n",
                        qk.get_current_time().to_string().c_str(), name(), iar & 0x3FF, iar, (iar >> 10) & 7);
            taken.push_back(iar);
            write(kGiccBase + gicc::EOIR, iar);  // priority drop + deactivate (GICC_CTLR.EOImode = 0)
        }
    }
    /// Enables this CPU's interface: accept every priority above 0xF0 (IHI 0048B 4.4.2, 4.4.1).
    void enable_cpu_interface() {
        write(kGiccBase + gicc::PMR, 0xF0);
        write(kGiccBase + gicc::CTLR, 1);  // EnableGrp0 (no Security Extensions: all Group 0)
    }
};

/// An interrupt source: pulses its line (edge-triggered) at the given times.
struct PulseSource : sc_module {
    sc_out<bool> line;
    std::vector<sc_time> at;
    PulseSource(sc_module_name n, std::vector<sc_time> times) : sc_module(n), line("line"), at(std::move(times)) {
        SC_THREAD(run);
    }
    SC_HAS_PROCESS(PulseSource);
    void run() {
        for (const sc_time& t : at) {
            wait(t - sc_time_stamp());
            std::printf("%10s  %s: pulses its line (INTID 40)\n", sc_time_stamp().to_string().c_str(), name());
            line.write(true);
            wait(50, SC_NS);
            line.write(false);
        }
    }
};

/// Records when a line rose.
struct Monitor : sc_module {
    sc_in<bool> line;
    std::vector<sc_time> rises;
    const char* label;
    Monitor(sc_module_name n, const char* what) : sc_module(n), line("line"), label(what) {
        SC_METHOD(sample);
        sensitive << line.pos();
        dont_initialize();
    }
    SC_HAS_PROCESS(Monitor);
    void sample() {
        std::printf("%10s  %s rises\n", sc_time_stamp().to_string().c_str(), label);
        rises.push_back(sc_time_stamp());
    }
};

int sc_main(int, char*[]) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));

    vt::VgicParams p;
    p.gic.version = vgic::GicVersion::V2;
    p.gic.num_cpus = 2;
    p.gic.num_spis = 64;
    p.timing.gicd_access = p.timing.gicd_write = 20'000;  // ps: 20 ns per GICD access
    p.timing.gicc_access = p.timing.gicc_write = 5'000;
    p.timing.signal_delay = vt::time_ps(kSignalDelay);
    vt::Vgic gic("gic", p);

    Router router("router");
    Cpu cpu0("cpu0"), cpu1("cpu1");
    const std::vector<sc_time> uart_pulses = {sc_time(1, SC_US), sc_time(3, SC_US)};
    PulseSource uart("uart", uart_pulses);
    sc_signal<bool> irq0("irq0"), irq1("irq1"), uart_irq("uart_irq");
    Monitor mon0("mon0", "irq0"), mon1("mon1", "irq1");

    cpu0.bus.bind(router.cpu_side);  // port 0 = CPU 0
    cpu1.bus.bind(router.cpu_side);  // port 1 = CPU 1
    router.gicd.bind(gic.shared.gicd);
    router.gicc.bind(gic.shared.gicc);
    gic.cpu[0].irq.bind(irq0);
    gic.cpu[1].irq.bind(irq1);
    cpu0.irq.bind(irq0);
    cpu1.irq.bind(irq1);
    mon0.line.bind(irq0);
    mon1.line.bind(irq1);
    uart.line.bind(uart_irq);
    gic.distributor.spi_in[8].bind(uart_irq);  // spi_in[k] is INTID 32 + k

    // When each SGI write took effect in the GIC: its target's IRQ rises signal_delay later.
    sc_time sgi_effect[2];
    gic.on_interrupt_event([&](vgic::InterruptEvent e, unsigned cpu, bool, std::uint32_t, const vt::InterruptEventTimes& t) {
        if (e == vgic::InterruptEvent::SgiGenerated) sgi_effect[cpu] = t.effect;
    });

    std::vector<std::uint32_t> iars0, iars1;
    bool cpu1_ready = false;
    sc_event cpu1_ready_event;

    cpu0.firmware = [&](Cpu& c) {
        // Distributor set-up (IHI 0048B 4.3): the UART's INTID 40, edge-triggered
        // (GICD_ICFGR2 bit 17, 4.3.13), priority 0xA0, routed to CPU 0 (GICD_ITARGETSR10
        // byte 0, 4.3.12), enabled; SGI 6 enabled for this CPU (GICD_ISENABLER0 is banked).
        c.write(kGicdBase + gicd::ICFGR + 8, 1u << 17);
        c.write(kGicdBase + gicd::IPRIORITYR + 40, 0xA0, 1);
        c.write(kGicdBase + gicd::ITARGETSR + 40, 0x01, 1);
        c.write(kGicdBase + gicd::ISENABLER + 4, 1u << 8);
        c.write(kGicdBase + gicd::ISENABLER, 1u << 6);
        c.write(kGicdBase + gicd::CTLR, 1);  // forward interrupts to the CPU interfaces
        c.enable_cpu_interface();
        c.qk.sync();
        while (!cpu1_ready) wait(cpu1_ready_event);
        // SGI 5 to CPU 1 (GICD_SGIR, 4.3.15: TargetListFilter 0 = the list, CPUTargetList bit 1).
        std::printf("%10s  cpu0: GICD_SGIR <- SGI 5 to CPU 1\n", c.qk.get_current_time().to_string().c_str());
        c.write(kGicdBase + gicd::SGIR, (0b10u << 16) | 5);
        while (iars0.size() < 3) c.irq_handler(iars0);  // CPU 1's reply, 2 UART pulses
    };
    cpu1.firmware = [&](Cpu& c) {
        c.write(kGicdBase + gicd::ISENABLER, 1u << 5);  // its own SGI 5 (banked)
        c.enable_cpu_interface();
        c.qk.sync();
        cpu1_ready = true;
        cpu1_ready_event.notify();
        c.irq_handler(iars1);
        c.write(kGicdBase + gicd::SGIR, (0b01u << 16) | 6);  // reply: SGI 6 to CPU 0
    };

    vt::VcdWriter vcd("lt_gicv2.vcd");
    vt::VcdTrace trace(vcd);
    vt::trace_vgic(trace, gic);  // gic.cpu0.irq, ... as the model drives them
    trace.add(uart_irq, "platform.uart_irq");

    sc_start(sc_time(10, SC_US));
    const bool vcd_ok = vcd.close(vt::time_ps(sc_time_stamp()));

    std::printf("checks:\n");
    // IAR: INTID in [9:0], for an SGI the sending CPU in [12:10] (IHI 0048B 4.4.4).
    expect(iars1 == std::vector<std::uint32_t>{5}, "CPU 1 took SGI 5 from CPU 0 (GICC_IAR = 0x005)");
    expect(iars0 == std::vector<std::uint32_t>{(1u << 10) | 6, 40, 40},
           "CPU 0 took SGI 6 from CPU 1 (GICC_IAR = 0x406), then INTID 40 twice");
    expect(mon0.rises.size() == 3 && mon1.rises.size() == 1, "irq0 rose 3 times, irq1 once");
    if (mon0.rises.size() == 3 && mon1.rises.size() == 1) {
        expect(mon1.rises[0] == sgi_effect[1] + kSignalDelay, "irq1 rose signal_delay after the GICD_SGIR write took effect");
        expect(mon0.rises[0] == sgi_effect[0] + kSignalDelay, "irq0 rose signal_delay after CPU 1's reply took effect");
        expect(mon0.rises[1] == uart_pulses[0] + kSignalDelay && mon0.rises[2] == uart_pulses[1] + kSignalDelay,
               "irq0 rose signal_delay (10 ns) after each UART pulse");
    }
    expect(!irq0.read() && !irq1.read(), "both lines are low at the end");
    expect(vcd_ok, "lt_gicv2.vcd written");
    std::printf("%s\n", g_failures == 0 ? "lt_gicv2: all checks passed" : "lt_gicv2: FAILED");
    return g_failures == 0 ? 0 : 1;
}
