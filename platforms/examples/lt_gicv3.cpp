// SPDX-License-Identifier: Apache-2.0
// Example: a loosely-timed GICv3 platform whose CPUs reach the CPU interface by system
// registers, as an AArch64 instruction-set simulator does (docs/INTEGRATION.md).
//
//   cpu0 ─┬─ mmio ─ router ─┬─ gic.shared.gicd         GICD 0x0800_0000 (64 KiB, +CpuIdExtension)
//   cpu1 ─┘                 └─ gic.redistributor.socket GICR 0x0802_0000 (128 KiB per CPU)
//   cpu i ── sysreg ── gic.cpu[i].sysreg    MRS/MSR: address = the system-register encoding
//   uart ── spi_in[8] (INTID 40)            gic.cpu[i].irq ── cpu i
//
// 64-bit sockets (vgic::tlm::Vgic64); lt_gicv2.cpp shows the 32-bit variant. Register
// references are to Arm IHI 0069 (GICv3/v4 architecture specification) by register name.
#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vgic.hpp"

#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdio>
#include <functional>
#include <vector>

using namespace sc_core;
namespace vt = vgic::tlm;
namespace gicd = vgic::gicv3::gicd;
namespace gicr = vgic::gicv3::gicr;
namespace sr = vgic::gicv3::sysreg;

constexpr std::uint64_t kGicdBase = 0x0800'0000, kGicdSize = 0x1'0000;
constexpr std::uint64_t kGicrBase = 0x0802'0000, kGicrStride = 0x2'0000;  // RD_base + SGI_base
constexpr unsigned kCpus = 2;
const sc_time kSignalDelay(10, SC_NS);

// ---- how an ISS turns MRS/MSR into a TLM access ------------------------------------------------
// MRS Xt, <sysreg> is 0xD5300000 | op0[0]:op1:CRn:CRm:op2 << 5 | Rt, MSR the same with L
// (bit 21) clear (Arm ARM C6.2 "MRS", "MSR (register)"). Bits [20:5] of the instruction are
// op0:op1:CRn:CRm:op2 (op0 = 2 + o0 at bit 19): exactly the 16-bit encoding the GIC's sysreg
// socket takes as address (sr::encode packs the same fields the same way).
constexpr std::uint32_t mrs(unsigned rt, std::uint32_t encoding) { return 0xD530'0000u | encoding << 5 | rt; }
constexpr std::uint32_t msr(std::uint32_t encoding, unsigned rt) { return 0xD510'0000u | encoding << 5 | rt; }
// "mrs x0, ICC_IAR1_EL1" assembles to 0xd538cc00 (S3_0_C12_C12_0).
static_assert(mrs(0, sr::ICC_IAR1_EL1) == 0xD538CC00 && sr::ICC_IAR1_EL1 == sr::encode(3, 0, 12, 12, 0));

static int g_failures = 0;
static void expect(bool ok, const char* what) {
    std::printf("  %s  %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++g_failures;
}

/// The MMIO bus: GICD (banked state needs the issuing CPU: CpuIdExtension) and the GICR
/// region (address-decoded: the offset selects the redistributor, no extension needed).
struct Router : sc_module {
    tlm_utils::multi_passthrough_target_socket<Router, 64> cpu_side;
    tlm_utils::simple_initiator_socket<Router, 64> gicd, gicr;
    explicit Router(sc_module_name n) : sc_module(n), cpu_side("cpu_side"), gicd("gicd"), gicr("gicr") {
        cpu_side.register_b_transport(this, &Router::b_transport);
    }
    void b_transport(int cpu, tlm::tlm_generic_payload& tx, sc_time& delay) {
        const std::uint64_t a = tx.get_address(), end = a + tx.get_data_length();
        vt::CpuIdExtension id(static_cast<unsigned>(cpu));
        tx.set_extension(&id);  // required by gic.shared.gicd, names the CPU in GICR reports
        if (a >= kGicdBase && end <= kGicdBase + kGicdSize) {
            tx.set_address(a - kGicdBase);
            gicd->b_transport(tx, delay);
        } else if (a >= kGicrBase && end <= kGicrBase + kCpus * kGicrStride) {
            tx.set_address(a - kGicrBase);
            gicr->b_transport(tx, delay);
        } else {
            tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        }
        tx.clear_extension(&id);
        tx.set_address(a);
    }
};

/// An ISS-like CPU stub: general registers x[0..30], MMIO loads/stores, and execute() for the
/// MRS/MSR instructions, which become 8-byte accesses on the per-CPU sysreg socket.
struct Cpu : sc_module {
    tlm_utils::simple_initiator_socket<Cpu, 64> mmio, sysreg;
    sc_in<bool> irq;
    tlm_utils::tlm_quantumkeeper qk;
    std::uint64_t x[31] = {};
    std::function<void(Cpu&)> firmware;

    explicit Cpu(sc_module_name n) : sc_module(n), mmio("mmio"), sysreg("sysreg"), irq("irq") { SC_THREAD(run); }
    SC_HAS_PROCESS(Cpu);
    void run() { qk.reset(); firmware(*this); }

    std::uint64_t access(tlm_utils::simple_initiator_socket<Cpu, 64>& s, bool write, std::uint64_t addr,
                         std::uint64_t value, unsigned size) {
        tlm::tlm_generic_payload tx;
        unsigned char data[8];
        for (unsigned i = 0; i < 8; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));  // little-endian
        tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx.set_address(addr);
        tx.set_data_ptr(data);
        tx.set_data_length(size);
        tx.set_streaming_width(size);
        sc_time delay = qk.get_local_time();
        s->b_transport(tx, delay);
        qk.set(delay);
        if (qk.need_sync()) qk.sync();
        if (!tx.is_response_ok()) {
            std::printf("%s: %s error at 0x%llx\n", name(), s.basename(), static_cast<unsigned long long>(addr));
            ++g_failures;
        }
        std::uint64_t r = 0;
        for (unsigned i = 0; i < size; ++i) r |= std::uint64_t{data[i]} << (8 * i);
        return r;
    }
    std::uint64_t ldr(std::uint64_t a, unsigned size = 4) { return access(mmio, false, a, 0, size); }
    void str(std::uint64_t a, std::uint64_t v, unsigned size = 4) { access(mmio, true, a, v, size); }

    /// Executes one MRS or MSR instruction word.
    void execute(std::uint32_t insn) {
        if ((insn & 0xFFD0'0000u) != 0xD510'0000u) {  // not MRS/MSR (system register, op0 = 2 or 3)
            std::printf("%s: undefined instruction 0x%08x\n", name(), insn);
            ++g_failures;
            return;
        }
        const bool is_read = (insn >> 21) & 1;          // L: 1 = MRS
        const std::uint32_t encoding = (insn >> 5) & 0xFFFF;  // op0:op1:CRn:CRm:op2
        const unsigned rt = insn & 31;
        const std::uint64_t value = access(sysreg, !is_read, encoding, rt == 31 ? 0 : x[rt], 8);  // XZR
        if (is_read && rt != 31) x[rt] = value;
    }
    /// Helpers for the firmware below: put the value in x1 / read into x0, then execute.
    void msr_(std::uint32_t enc, std::uint64_t v) { x[1] = v; execute(msr(enc, 1)); }
    std::uint64_t mrs_(std::uint32_t enc) { execute(mrs(0, enc)); return x[0]; }

    void wfi() { qk.sync(); if (!irq.read()) wait(irq.posedge_event()); }
    /// IRQ handler: ICC_IAR1_EL1 until spurious (1023), ICC_EOIR1_EL1 each (ICC_CTLR_EL1.EOImode 0).
    void irq_handler(std::vector<std::uint64_t>& taken, const std::function<void(std::uint64_t)>& device_ack) {
        wfi();
        for (std::uint64_t iar; (iar = mrs_(sr::ICC_IAR1_EL1)) < 1020;) {
            std::printf("%10s  %s: took INTID %llu\n", qk.get_current_time().to_string().c_str(), name(),
                        static_cast<unsigned long long>(iar));
            taken.push_back(iar);
            if (device_ack) device_ack(iar);
            msr_(sr::ICC_EOIR1_EL1, iar);
        }
    }
    /// Per-CPU bring-up (Linux's gic_cpu_init order): wake the redistributor, SGIs to Group 1,
    /// then the CPU interface.
    void cpu_init(unsigned me) {
        const std::uint64_t rd = kGicrBase + me * kGicrStride, sgi = rd + gicr::kSgiBase;
        str(rd + gicr::WAKER, 0);  // GICR_WAKER.ProcessorSleep = 0 ...
        do qk.sync(); while (ldr(rd + gicr::WAKER) & gicr::WAKER_ChildrenAsleep::mask);  // ... and wait
        std::printf("%10s  %s: GICR_WAKER.ChildrenAsleep = 0: redistributor %u awake\n",
                    qk.get_current_time().to_string().c_str(), name(), me);
        str(sgi + gicr::IGROUPR0, 0xFFFF);          // SGIs Group 1 (non-secure with DS = 1)
        str(sgi + gicr::IPRIORITYR0, 0x80808080);   // SGIs 0-3 at priority 0x80
        str(sgi + gicr::ISENABLER0, 0xF);           // enable SGIs 0-3
        msr_(sr::ICC_SRE_EL1, 1);                   // SRE: use the system registers
        msr_(sr::ICC_PMR_EL1, 0xF0);                // priority mask
        msr_(sr::ICC_IGRPEN1_EL1, 1);               // take Group 1 interrupts
    }
};

/// A level-sensitive interrupt source: raises its line at `at`, lowers it when acknowledged
/// (on a real platform: the handler's store to the device's status register).
struct Uart : sc_module {
    sc_out<bool> line;
    sc_time at;
    sc_event ack_event;
    Uart(sc_module_name n, sc_time when) : sc_module(n), line("line"), at(when) { SC_THREAD(run); }
    SC_HAS_PROCESS(Uart);
    void run() {
        wait(at);
        std::printf("%10s  uart: raises its line (INTID 40)\n", sc_time_stamp().to_string().c_str());
        line.write(true);
        wait(ack_event);
        line.write(false);
    }
};

int sc_main(int, char*[]) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));
    vt::VgicParams p;
    p.gic.version = vgic::GicVersion::V3;
    p.gic.num_cpus = kCpus;
    p.gic.num_spis = 64;
    p.timing.gicd_access = p.timing.gicd_write = 20'000;  // ps
    p.timing.gicr_access = p.timing.gicr_write = 20'000;
    p.timing.sysreg_access = 1'000;
    p.timing.rwp_complete = 50'000;  // GICD_CTLR.RWP stays set 50 ns after a write
    p.timing.signal_delay = vt::time_ps(kSignalDelay);
    vt::Vgic64 gic("gic", p);

    Router router("router");
    Cpu cpu0("cpu0"), cpu1("cpu1");
    Uart uart("uart", sc_time(2, SC_US));
    sc_signal<bool> irq0("irq0"), irq1("irq1"), uart_irq("uart_irq");
    cpu0.mmio.bind(router.cpu_side);
    cpu1.mmio.bind(router.cpu_side);
    router.gicd.bind(gic.shared.gicd);
    router.gicr.bind(gic.redistributor.socket);
    cpu0.sysreg.bind(gic.cpu[0].sysreg);  // per-CPU: the socket says which CPU
    cpu1.sysreg.bind(gic.cpu[1].sysreg);
    gic.cpu[0].irq.bind(irq0);
    gic.cpu[1].irq.bind(irq1);
    cpu0.irq.bind(irq0);
    cpu1.irq.bind(irq1);
    uart.line.bind(uart_irq);
    gic.distributor.spi_in[8].bind(uart_irq);  // INTID 40

    // The line-change callback tells when irq1 will rise, so it can be checked against the cause.
    std::vector<sc_time> irq1_rises;
    unsigned irq0_rises = 0;
    gic.cpu_if(0).on_line_change([&](vgic::Line line, bool level, const sc_time&) {
        irq0_rises += line == vgic::Line::Irq && level;
    });
    gic.cpu_if(1).on_line_change([&](vgic::Line line, bool level, const sc_time& when) {
        if (line == vgic::Line::Irq && level) irq1_rises.push_back(when);
    });
    sc_time sgi_effect;
    gic.on_interrupt_event([&](vgic::InterruptEvent e, unsigned, bool, std::uint32_t, const vt::InterruptEventTimes& t) {
        if (e == vgic::InterruptEvent::SgiGenerated) sgi_effect = t.effect;
    });

    // Affinity of CPU 1 (MPIDR_EL1 Aff3.Aff2.Aff1.Aff0), as GICR_TYPER[63:32] reports it.
    const std::uint32_t aff1 = p.gic.affinity_of(1);
    std::uint64_t irouter = 0, typer1 = 0;
    std::vector<std::uint64_t> taken1;
    bool cpu1_ready = false;
    sc_event cpu1_ready_event;

    cpu0.firmware = [&](Cpu& c) {
        c.cpu_init(0);
        // Distributor (Linux's gic_dist_init): affinity routing and Group 1, then wait for
        // GICD_CTLR.RWP to clear (the write has taken effect everywhere).
        c.str(kGicdBase + gicd::CTLR, gicd::CTLR_ARE::mask | gicd::CTLR_EnableGrp1::mask);
        do c.qk.sync(); while (c.ldr(kGicdBase + gicd::CTLR) & gicd::CTLR_RWP::mask);
        std::printf("%10s  cpu0: GICD_CTLR.RWP = 0: ARE and EnableGrp1 in effect\n", c.qk.get_current_time().to_string().c_str());
        // INTID 40: Group 1, priority 0xA0, routed to CPU 1 by GICD_IROUTER40 (a 64-bit store:
        // Aff3 in [39:32], Aff2.Aff1.Aff0 in [23:0], IRM = 0), enabled.
        c.str(kGicdBase + gicd::IGROUPR + 4, 1u << 8);
        c.str(kGicdBase + gicd::IPRIORITYR + 40, 0xA0, 1);
        c.str(kGicdBase + gicd::IROUTER + 8 * 40, gicd::irouter_for(aff1), 8);
        irouter = c.ldr(kGicdBase + gicd::IROUTER + 8 * 40, 8);
        c.str(kGicdBase + gicd::ISENABLER + 4, 1u << 8);
        typer1 = c.ldr(kGicrBase + kGicrStride + gicr::TYPER, 8);  // CPU 1's GICR_TYPER, one 64-bit load
        c.qk.sync();
        while (!cpu1_ready) wait(cpu1_ready_event);
        // SGI 3 to CPU 1 through ICC_SGI1R_EL1: INTID [27:24], Aff3 [55:48], Aff2 [39:32],
        // RS [47:44] (Aff0 / 16), Aff1 [23:16], TargetList [15:0] (bit Aff0 % 16), IRM = 0.
        const std::uint64_t sgi1r = vgic::gicv3::icc::sgir_for(3, aff1);
        std::printf("%10s  cpu0: MSR ICC_SGI1R_EL1, x1 (0x%08x; x1 = 0x%llx): SGI 3 to CPU 1\n",
                    c.qk.get_current_time().to_string().c_str(), msr(sr::ICC_SGI1R_EL1, 1),
                    static_cast<unsigned long long>(sgi1r));
        c.msr_(sr::ICC_SGI1R_EL1, sgi1r);
        c.qk.sync();
    };
    cpu1.firmware = [&](Cpu& c) {
        c.cpu_init(1);
        c.qk.sync();
        cpu1_ready = true;
        cpu1_ready_event.notify();
        // Handling INTID 40 ends with the driver's store to the UART's interrupt-clear register:
        // the UART lowers its line. That store changes an interrupt line, so the LT CPU
        // synchronizes after it: the GIC must see the line low before the handler reads
        // ICC_IAR1_EL1 again, or it would take the still-asserted INTID 40 once more.
        const auto uart_clear = [&](std::uint64_t intid) {
            if (intid != 40) return;
            uart.ack_event.notify();
            c.qk.sync();
        };
        while (taken1.size() < 2) c.irq_handler(taken1, uart_clear);
    };

    sc_start(sc_time(10, SC_US));

    std::printf("checks:\n");
    expect(taken1 == std::vector<std::uint64_t>{3, 40}, "CPU 1 took SGI 3 (ICC_IAR1_EL1 = 3), then the UART's INTID 40");
    expect(irq0_rises == 0, "irq0 never rose (INTID 40 is routed to CPU 1)");
    expect(irouter == gicd::irouter_for(aff1), "GICD_IROUTER40 reads back its 64-bit value");
    expect((typer1 >> 32) == aff1 && (typer1 & gicr::TYPER_Last::mask) != 0,
           "CPU 1's GICR_TYPER: Affinity_Value = its affinity, Last = 1 (the last redistributor)");
    expect(irq1_rises.size() == 2, "irq1 rose twice");
    if (irq1_rises.size() == 2) {
        expect(irq1_rises[0] == sgi_effect + kSignalDelay, "irq1 rose signal_delay after the SGI1R write took effect");
        expect(irq1_rises[1] == uart.at + kSignalDelay, "irq1 rose signal_delay after the UART raised INTID 40");
    }
    expect(!irq0.read() && !irq1.read() && !uart_irq.read(), "every line is low at the end");
    std::printf("%s\n", g_failures == 0 ? "lt_gicv3: all checks passed" : "lt_gicv3: FAILED");
    return g_failures == 0 ? 0 : 1;
}
