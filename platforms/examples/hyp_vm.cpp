// SPDX-License-Identifier: Apache-2.0
// Example: the hypervisor's view of a GICv2, and a VM's vGIC in vm mode (docs/INTEGRATION.md).
//
// (a) hw mode: a GIC-400-like GIC with the virtualization extensions. The hypervisor puts
//     virtual interrupts in list registers (GICH_LRn) and enables the virtual interface
//     (GICH_HCR); the guest takes them through GICV_IAR/GICV_EOIR on its virq line; the
//     underflow maintenance interrupt (GICH_HCR.UIE) tells the hypervisor to refill.
// (b) vm mode: one VM's vGIC with the built-in hypervisor engine (Mode::Vm) and nonzero
//     software costs. The guest vCPU follows the stall rule: before each GICV access it waits
//     until running_state is high. An SPI kicks the vCPU: its virq rises after the kick, the
//     exit and the entry. A scheduler switches the vCPU out and in (stop()/run()).
// Both run in one simulation. 32-bit per-CPU sockets. References: Arm IHI 0048B chapter 5.
#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vgic.hpp"

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdio>
#include <vector>

using namespace sc_core;
namespace vt = vgic::tlm;
namespace gicd = vgic::gicv2::gicd;
namespace gicc = vgic::gicv2::gicc;  // GICV has GICC's layout (IHI 0048B 5.5)
namespace gich = vgic::gicv2::gich;

const sc_time kSignalDelay(10, SC_NS);
static int g_failures = 0;
static void expect(bool ok, const char* what) {
    std::printf("  %s  %s\n", ok ? "ok  " : "FAIL", what);
    if (!ok) ++g_failures;
}
static const char* now() {
    static std::string s;
    s = sc_time_stamp().to_string();
    return s.c_str();
}

/// A CPU stub with a socket per frame it reaches (per-CPU sockets: no CpuIdExtension).
struct Cpu : sc_module {
    using Socket = tlm_utils::simple_initiator_socket_optional<Cpu, 32>;
    Socket gicd, gicc, gich;  // gicc: GICC or, for a guest, its GICV
    tlm_utils::tlm_quantumkeeper qk;
    explicit Cpu(sc_module_name n) : sc_module(n), gicd("gicd"), gicc("gicc"), gich("gich") { qk.reset(); }
    std::uint32_t access(Socket& s, bool write, std::uint32_t offset, std::uint32_t value) {
        tlm::tlm_generic_payload tx;
        std::uint32_t data = value;  // host little-endian, as the GIC's registers
        tx.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        tx.set_address(offset);
        tx.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
        tx.set_data_length(4);
        tx.set_streaming_width(4);
        sc_time delay = qk.get_local_time();
        s->b_transport(tx, delay);
        qk.set(delay);
        if (qk.need_sync()) qk.sync();
        if (!tx.is_response_ok()) ++g_failures;
        return data;
    }
    std::uint32_t rd(Socket& s, std::uint32_t off) { return access(s, false, off, 0); }
    void wr(Socket& s, std::uint32_t off, std::uint32_t v) { access(s, true, off, v); }
    void wait_high(const sc_signal<bool>& line) { qk.sync(); if (!line.read()) wait(line.posedge_event()); }
};

/// GICH_LRn with a pending, non-HW virtual interrupt (IHI 0048B 5.3.7): State [29:28] = 01,
/// Priority [27:23] = priority[7:3], VirtualID [9:0].
constexpr std::uint32_t pending_lr(std::uint32_t vintid, std::uint32_t priority) {
    return gich::LR_Pending::mask | (priority >> 3) << 23 | vintid;
}

// ---- (a) hw mode: the hypervisor programs list registers --------------------------------------
struct HwPart : sc_module {
    vt::Vgic gic;
    Cpu cpu;  // physical CPU 0: at EL2 it uses GICH, at EL1 (the guest) GICV
    sc_signal<bool> virq, maint;
    std::vector<std::uint32_t> taken;
    std::uint32_t misr = 0;
    sc_time maint_rise, maint_fall, eoi42_effect;

    HwPart(sc_module_name n, const vt::VgicParams& p) : sc_module(n), gic("gic", p), cpu("cpu"), virq("virq"), maint("maint") {
        cpu.gich.bind(gic.cpu[0].gich);
        cpu.gicc.bind(gic.cpu[0].gicv);  // the guest's CPU interface is the GICV frame
        gic.cpu[0].virq.bind(virq);
        gic.cpu[0].maintenance.bind(maint);
        gic.on_interrupt_event([this](vgic::InterruptEvent e, unsigned, bool virt, std::uint32_t intid,
                                      const vt::InterruptEventTimes& t) {
            if (virt && intid == 42 && e == vgic::InterruptEvent::PriorityDropped) eoi42_effect = t.effect;
        });
        gic.cpu[0].on_line_change([this](vgic::Line line, bool level, const sc_time& when) {
            if (line == vgic::Line::Maintenance) (level ? maint_rise : maint_fall) = when;
        });
        SC_THREAD(run);
    }
    SC_HAS_PROCESS(HwPart);
    void run() {
        Cpu& c = cpu;
        // EL2: two virtual interrupts for the guest, then the virtual interface on, with the
        // underflow maintenance interrupt (GICH_HCR.UIE: at most one LR valid; 5.3.1).
        c.wr(c.gich, gich::LR0, pending_lr(42, 0xA0));
        c.wr(c.gich, gich::LR0 + 4, pending_lr(43, 0xB0));
        c.wr(c.gich, gich::HCR, gich::HCR_En::mask | gich::HCR_UIE::mask);
        // EL1, the guest: its virtual CPU interface on; takes what virq signals.
        c.wr(c.gicc, gicc::PMR, 0xF0);
        c.wr(c.gicc, gicc::CTLR, 1);
        c.wait_high(virq);
        for (std::uint32_t iar; ((iar = c.rd(c.gicc, gicc::IAR)) & 0x3FF) < 1020;) {
            std::printf("%10s  (a) guest: GICV_IAR = %u\n", c.qk.get_current_time().to_string().c_str(), iar);
            taken.push_back(iar);
            c.wr(c.gicc, gicc::EOIR, iar);  // the LR goes invalid: GICH_ELRSR shows it free
        }
        // EL2 again, on the maintenance interrupt: GICH_MISR says why; refill or stop asking.
        c.wait_high(maint);
        misr = c.rd(c.gich, gich::MISR);
        std::printf("%10s  (a) hypervisor: maintenance interrupt, GICH_MISR = 0x%x (U)\n", now(), misr);
        c.wr(c.gich, gich::HCR, gich::HCR_En::mask);  // nothing to refill: UIE off
        c.qk.sync();
    }
};

// ---- (b) vm mode: a VM's vGIC and its hypervisor engine ---------------------------------------
struct VmPart : sc_module {
    vt::Vgic vm;
    Cpu vcpu;  // the guest's vCPU 0: GICD (trapped) and its GICV
    sc_signal<bool> virq, spi;
    std::vector<std::uint32_t> taken;
    std::vector<sc_time> spi_at, virq_at;
    sc_time stop_at, save_done_at, run_at, restore_done_at;
    bool low_while_out = false;
    sc_event device_ack;

    VmPart(sc_module_name n, const vt::VgicParams& p) : sc_module(n), vm("vm", p), vcpu("vcpu0"), virq("virq"), spi("spi") {
        vcpu.gicd.bind(vm.distributor.socket[0]);
        vcpu.gicc.bind(vm.cpu[0].gicc);  // vm mode: gicc is the guest's GICV
        vm.cpu[0].virq.bind(virq);
        vm.distributor.spi_in[8].bind(spi);  // INTID 40
        // When virq rises: the line-change callback gives the instant (no delta cycles).
        vm.cpu[0].on_line_change([this](vgic::Line line, bool level, const sc_time& when) {
            if (line == vgic::Line::VIrq && level) virq_at.push_back(when);
        });
        SC_THREAD(guest);
        SC_THREAD(device);
        SC_THREAD(scheduler);
    }
    SC_HAS_PROCESS(VmPart);
    /// The stall rule (docs/INTEGRATION.md): a vCPU executes only while it is in the guest.
    void stall() {
        vcpu.qk.sync();
        while (!vm.cpu[0].running_state.read()) wait(vm.cpu[0].running_state.posedge_event());
    }
    void guest() {
        Cpu& c = vcpu;
        stall();
        // GICD accesses trap to the hypervisor (b_transport returns after the emulation).
        c.wr(c.gicd, gicd::IPRIORITYR + 40, 0xA0);
        c.wr(c.gicd, gicd::ISENABLER + 4, 1u << 8);
        c.wr(c.gicd, gicd::CTLR, 1);
        stall();
        c.wr(c.gicc, gicc::PMR, 0xF0);
        stall();
        c.wr(c.gicc, gicc::CTLR, 1);
        while (taken.size() < 2) {
            c.wait_high(virq);
            for (;;) {  // the IRQ handler: acknowledge until spurious
                stall();
                const std::uint32_t iar = c.rd(c.gicc, gicc::IAR);
                if ((iar & 0x3FF) >= 1020) break;
                std::printf("%10s  (b) guest: GICV_IAR = %u\n", c.qk.get_current_time().to_string().c_str(), iar);
                taken.push_back(iar);
                device_ack.notify();  // the driver clears the device: its level-sensitive line falls
                stall();
                c.wr(c.gicc, gicc::EOIR, iar);
            }
        }
    }
    void device() {
        for (sc_time t : {sc_time(10, SC_US), sc_time(22, SC_US)}) {
            wait(t - sc_time_stamp());
            std::printf("%10s  (b) device: raises INTID 40 (vCPU %s)\n", now(),
                        vm.cpu[0].running_state.read() ? "in the guest" : "switched out");
            spi_at.push_back(sc_time_stamp());
            spi.write(true);
            wait(device_ack);
            spi.write(false);
        }
    }
    void scheduler() {
        wait(20, SC_US);  // the host deschedules vCPU 0: exit, sync, save
        stop_at = sc_time_stamp();
        vm.cpu[0].stop();
        wait(vm.cpu[0].save_done);
        save_done_at = sc_time_stamp();
        std::printf("%10s  (b) scheduler: vCPU 0 saved (stop() at %s)\n", now(), stop_at.to_string().c_str());
        wait(5, SC_US);
        low_while_out = !vm.cpu[0].running_state.read() && !virq.read();
        run_at = sc_time_stamp();
        vm.cpu[0].run();  // restore, flush, entry
        wait(vm.cpu[0].restore_done);
        restore_done_at = sc_time_stamp();
        std::printf("%10s  (b) scheduler: vCPU 0 restored (run() at %s)\n", now(), run_at.to_string().c_str());
    }
};

int sc_main(int, char*[]) {
    tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));
    // A vgic/guest report means the guest touched its GICV while not in the guest: a broken
    // stall rule. The example counts it as a failure.
    sc_report_handler::set_handler([](const sc_report& r, const sc_actions& a) {
        if (std::string(r.get_msg_type()) == vt::kMsgGuest) ++g_failures;
        sc_report_handler::default_handler(r, a);
    });

    vt::VgicParams hw;
    hw.gic.version = vgic::GicVersion::V2;
    hw.gic.num_cpus = 1;
    hw.timing.gich_access = hw.timing.gich_write = 5'000;  // ps
    hw.timing.gicv_access = hw.timing.gicv_write = 5'000;
    hw.timing.signal_delay = vt::time_ps(kSignalDelay);
    HwPart a("hw", hw);

    vt::VgicParams vmp = hw;
    vmp.mode = vt::Mode::Vm;
    vt::HypervisorProfile hyp;  // ps; a made-up but plausible KVM-like host
    hyp.trap_entry = hyp.trap_return = 200'000;
    hyp.emulate = 300'000;
    hyp.kick = 100'000;
    hyp.exit = 500'000;
    hyp.entry = 400'000;
    hyp.flush_per_lr = hyp.sync_per_lr = 20'000;
    hyp.save_fixed = hyp.restore_fixed = 1'000'000;
    vmp.hypervisor = hyp;
    VmPart b("vm0", vmp);

    sc_start(sc_time(40, SC_US));

    std::printf("checks:\n");
    expect(a.taken == std::vector<std::uint32_t>{42, 43}, "(a) the guest took vINTIDs 42 and 43 from GICH_LR0/1 by priority");
    expect((a.misr & gich::MISR_U::mask) != 0, "(a) GICH_MISR.U: underflow (at most one LR valid)");
    std::printf("  (a) EOI of 42 took effect at %s, maintenance rose at %s\n", a.eoi42_effect.to_string().c_str(),
                a.maint_rise.to_string().c_str());
    expect(a.maint_rise == a.eoi42_effect + kSignalDelay,
           "(a) maintenance rose signal_delay after the EOI that left one LR valid");
    expect(a.maint_fall > a.maint_rise, "(a) maintenance fell after GICH_HCR.UIE was cleared");
    expect(b.taken == std::vector<std::uint32_t>{40, 40}, "(b) the guest took INTID 40 twice through its GICV");
    // While in the guest: the kick (an IPI to the vCPU's physical CPU), the exit, the flush of
    // one list register, the entry, then the line's own signal_delay.
    const sc_time kick_path = vt::VgicBase::ps(hyp.kick + hyp.exit + hyp.flush_per_lr + hyp.entry) + kSignalDelay;
    if (b.virq_at.size() == 2 && b.spi_at.size() == 2) {
        const sc_time l0 = b.virq_at[0] - b.spi_at[0];
        std::printf("  (b) SPI -> virq while in the guest: %s (kick + exit + flush + entry + signal_delay = %s)\n", l0.to_string().c_str(),
                    kick_path.to_string().c_str());
        expect(l0 == kick_path, "(b) virq rose kick + exit + flush + entry + signal_delay after the SPI");
        expect(b.virq_at[1] > b.restore_done_at, "(b) the SPI raised while switched out reached virq after the restore");
    } else {
        expect(false, "(b) virq rose twice");
    }
    expect(b.save_done_at - b.stop_at >= vt::VgicBase::ps(hyp.exit + hyp.save_fixed),
           "(b) save_done came at least exit + save_fixed after stop()");
    expect(b.restore_done_at - b.run_at >= vt::VgicBase::ps(hyp.restore_fixed),
           "(b) restore_done came at least restore_fixed after run()");
    expect(b.low_while_out, "(b) running_state and virq low while the vCPU was switched out");
    std::printf("%s\n", g_failures == 0 ? "hyp_vm: all checks passed" : "hyp_vm: FAILED");
    return g_failures == 0 ? 0 : 1;
}
