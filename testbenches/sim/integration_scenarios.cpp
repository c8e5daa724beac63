// SPDX-License-Identifier: Apache-2.0
// Integration scenarios (issue 17, docs/INTEGRATION.md): the module as a virtual-platform
// engineer binds it. Bus widths (a loosely-timed initiator of 32 and of 64 bits), per-CPU and
// shared sockets, errors that name what was wrong, the stall rule of vm mode, reset. One
// simulation per process (`integration_scenarios NAME`, CTest sim.integration.NAME). Expected
// values come from the architecture (IHI 0048B, IHI 0069) and the documented contract.
#include "scenario_main.hpp"
#include "vgic/tlm/snapshot.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <nlohmann/json.hpp>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

using namespace sc_core;
using namespace vgic;
using namespace vgic::tlm;
namespace v2d = vgic::gicv2::gicd;
namespace v2c = vgic::gicv2::gicc;
namespace v3d = vgic::gicv3::gicd;
namespace v3r = vgic::gicv3::gicr;
namespace v3s = vgic::gicv3::sysreg;

namespace {

using vgic::testing::check;

// ---- reports ---------------------------------------------------------------------------------

/// Every report of the library, recorded (type, severity, message); warnings are not printed
/// twice, errors and fatals still go to the default handler.
struct Reports {
    struct Entry {
        std::string type, message;
        sc_severity severity;
    };
    static std::vector<Entry>& all() {
        static std::vector<Entry> v;
        return v;
    }
    static void handler(const sc_report& r, const sc_actions& actions) {
        all().push_back({r.get_msg_type(), r.get_msg(), r.get_severity()});
        if (r.get_severity() >= SC_ERROR) sc_report_handler::default_handler(r, actions);
    }
    static void install() { sc_report_handler::set_handler(&Reports::handler); }
    /// The reports of `type` since `from`, whose message contains every one of `parts`.
    static unsigned count(const std::string& type, std::size_t from, const std::vector<std::string>& parts) {
        unsigned n = 0;
        for (std::size_t i = from; i < all().size(); ++i) {
            const Entry& e = all()[i];
            if (e.type != type) continue;
            bool ok = true;
            for (const auto& p : parts) ok = ok && e.message.find(p) != std::string::npos;
            if (ok) ++n;
        }
        return n;
    }
    static std::string last() { return all().empty() ? std::string() : all().back().message; }
};

// ---- a loosely-timed CPU stub, as VP engineers write them --------------------------------------

/// One CPU's bus master: a socket of `W` bits per target it reaches, a quantum keeper, and
/// accesses that carry the local time as annotated delay (IEEE 1666-2011 16.2).
template <unsigned W>
struct LtCpu : sc_module {
    // Optional: a stub binds the targets its scenario uses.
    using Socket = tlm_utils::simple_initiator_socket_optional<LtCpu, W>;
    Socket gicd, gicc, gich, gicr, sysreg;
    tlm_utils::tlm_quantumkeeper qk;
    unsigned id;
    std::function<void(LtCpu&)> program;
    ::tlm::tlm_response_status last_status = ::tlm::TLM_INCOMPLETE_RESPONSE;

    LtCpu(sc_module_name n, unsigned cpu) : sc_module(n), gicd("gicd"), gicc("gicc"), gich("gich"), gicr("gicr"), sysreg("sysreg"), id(cpu) {
        tlm_utils::tlm_quantumkeeper::set_global_quantum(sc_time(1, SC_US));
        qk.reset();
        SC_THREAD(run);
    }
    SC_HAS_PROCESS(LtCpu);
    void run() {
        if (program) program(*this);
    }
    std::uint64_t access(Socket& s, bool write, std::uint64_t address, std::uint64_t value, unsigned size,
                         bool with_id = false) {
        ::tlm::tlm_generic_payload tx;
        unsigned char data[8] = {};
        for (unsigned i = 0; i < size; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
        tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
        tx.set_address(address);
        tx.set_data_ptr(data);
        tx.set_data_length(size);
        tx.set_streaming_width(size);
        CpuIdExtension ext(id);
        if (with_id) tx.set_extension(&ext);
        sc_time delay = qk.get_local_time();
        s->b_transport(tx, delay);
        if (with_id) tx.clear_extension(&ext);
        qk.set(delay);
        if (qk.need_sync()) qk.sync();
        last_status = tx.get_response_status();
        std::uint64_t r = 0;
        for (unsigned i = 0; i < size; ++i) r |= std::uint64_t{data[i]} << (8 * i);
        return r;
    }
    std::uint64_t rd(Socket& s, std::uint64_t a, unsigned size = 4, bool with_id = false) {
        return access(s, false, a, 0, size, with_id);
    }
    void wr(Socket& s, std::uint64_t a, std::uint64_t v, unsigned size = 4, bool with_id = false) {
        access(s, true, a, v, size, with_id);
    }
    /// Lets the local time pass (a synchronisation point, as before waiting for an interrupt).
    void sync() { qk.sync(); }
};

VgicParams params(GicVersion version, Mode mode, unsigned cpus) {
    VgicParams p;
    p.gic.version = version;
    p.gic.num_cpus = cpus;
    p.gic.num_spis = 64;
    p.mode = mode;
    p.timing.signal_delay = 10'000;  // 10 ns
    p.timing.gicd_access = 20'000;
    p.timing.gicd_write = 20'000;
    p.timing.gicc_access = 5'000;
    p.timing.gicc_write = 5'000;
    p.timing.gicr_access = 20'000;
    p.timing.gicr_write = 20'000;
    p.timing.sysreg_access = 1'000;
    return p;
}

// ---- bus width ---------------------------------------------------------------------------------

/// The same GICv2 and GICv3 bring-up and SPI delivery through sockets of `W` bits: a 32-bit
/// initiator binds Vgic, a 64-bit one Vgic64 (a mismatch does not compile: TLM-2.0 checks
/// BUSWIDTH at the bind).
template <unsigned W>
void bus_width(GicVersion version) {
    const bool v3 = version == GicVersion::V3;
    BasicVgic<W> gic("gic", params(version, Mode::Hw, 1));
    LtCpu<W> cpu("cpu", 0);
    sc_signal<bool> irq("irq"), spi8("spi8");
    cpu.gicd.bind(gic.distributor.socket[0]);
    cpu.gicc.bind(gic.cpu[0].gicc);
    cpu.gicr.bind(gic.redistributor.socket);
    cpu.sysreg.bind(gic.cpu[0].sysreg);
    gic.cpu[0].irq.bind(irq);
    gic.distributor.spi_in[8].bind(spi8);  // INTID 40
    std::uint64_t iar = 0, eoi_ok = 0, typer = 0, irouter = 0;
    sc_time irq_seen;
    cpu.program = [&](LtCpu<W>& c) {
        if (!v3) {
            c.wr(c.gicd, v2d::ISENABLER + 4, 1u << 8);
            c.wr(c.gicd, v2d::IPRIORITYR + 40, 0xA0, 1);
            c.wr(c.gicd, v2d::ITARGETSR + 40, 0x01, 1);
            c.wr(c.gicd, v2d::CTLR, 1);
            c.wr(c.gicc, v2c::PMR, 0xF0);
            c.wr(c.gicc, v2c::CTLR, 1);
        } else {
            c.wr(c.gicr, v3r::WAKER, 0);  // ProcessorSleep = 0
            c.wr(c.gicd, v3d::CTLR, (1u << 4) | (1u << 1));  // ARE_NS... single security: ARE + EnableGrp1
            c.wr(c.gicd, v3d::IGROUPR + 4, 1u << 8);
            c.wr(c.gicd, v3d::IPRIORITYR + 40, 0xA0, 1);
            c.wr(c.gicd, v3d::IROUTER + 8 * 40, 0, 8);  // a 64-bit store: Aff = CPU 0
            irouter = c.rd(c.gicd, v3d::IROUTER + 8 * 40, 8);
            typer = c.rd(c.gicr, v3r::TYPER, 8);         // a 64-bit load
            c.wr(c.gicd, v3d::ISENABLER + 4, 1u << 8);
            c.wr(c.sysreg, v3s::ICC_SRE_EL1, 7, 8);
            c.wr(c.sysreg, v3s::ICC_PMR_EL1, 0xF0, 8);
            c.wr(c.sysreg, v3s::ICC_IGRPEN1_EL1, 1, 8);
        }
        c.sync();
        spi8.write(true);
        wait(irq.posedge_event());
        irq_seen = sc_time_stamp();
        iar = v3 ? c.rd(c.sysreg, v3s::ICC_IAR1_EL1, 8) : c.rd(c.gicc, v2c::IAR);
        spi8.write(false);
        if (v3) c.wr(c.sysreg, v3s::ICC_EOIR1_EL1, iar, 8);
        else c.wr(c.gicc, v2c::EOIR, iar);
        eoi_ok = c.last_status == ::tlm::TLM_OK_RESPONSE;
        c.sync();
    };
    sc_start(sc_time(10, SC_US));
    const std::string tag = std::string(v3 ? "GICv3" : "GICv2") + ", " + std::to_string(W) + "-bit sockets: ";
    check(gic.distributor.socket[0].get_bus_width() == W, tag + "the target sockets are " + std::to_string(W) + " bits wide");
    check((iar & 0x3FF) == 40, tag + "the SPI is acknowledged as INTID 40 (got " + std::to_string(iar) + ")");
    check(eoi_ok == 1, tag + "the EOI completes OK");
    check(irq.read() == false, tag + "the IRQ line is low after the acknowledge");
    if (v3) {
        check(irouter == 0, tag + "GICD_IROUTER40 reads back its 64-bit value");
        check((typer >> 32) == gic.params().gic.affinity_of(0) && (typer & (1u << 4)) != 0,
              tag + "GICR_TYPER read as one 64-bit access: Affinity_Value of CPU 0 and Last = 1");
    }
}

// ---- which CPU ---------------------------------------------------------------------------------

/// The platform's bus: every CPU's initiator binds one of its inputs, its output binds one
/// target socket (a TLM target socket takes one initiator).
struct Bus : sc_module {
    tlm_utils::multi_passthrough_target_socket<Bus, 32> in;
    tlm_utils::simple_initiator_socket<Bus, 32> out;
    explicit Bus(sc_module_name n) : sc_module(n), in("in"), out("out") {
        in.register_b_transport(this, &Bus::b_transport);
        in.register_transport_dbg(this, &Bus::transport_dbg);
    }
    void b_transport(int, ::tlm::tlm_generic_payload& tx, sc_time& delay) { out->b_transport(tx, delay); }
    unsigned transport_dbg(int, ::tlm::tlm_generic_payload& tx) { return out->transport_dbg(tx); }
};

/// Two CPUs reach the GIC through one bus: the shared sockets, with a CpuIdExtension per access.
/// CPU 1's GICC set-up lands on CPU 1, CPU 0's SGI reaches CPU 1; an access without the
/// extension, or naming a CPU the GIC lacks, is refused and reported; on a per-CPU socket an
/// extension naming another CPU is refused.
void shared_sockets() {
    Reports::install();
    Vgic gic("gic", params(GicVersion::V2, Mode::Hw, 2));
    LtCpu<32> cpu0("cpu0", 0), cpu1("cpu1", 1);
    Bus gicc_bus("gicc_bus");
    cpu0.gicd.bind(gic.shared.gicd);
    cpu0.gicc.bind(gicc_bus.in);
    cpu1.gicc.bind(gicc_bus.in);
    gicc_bus.out.bind(gic.shared.gicc);
    cpu1.gicd.bind(gic.distributor.socket[1]);  // CPU 1 also has its own path to GICD
    sc_signal<bool> irq0("irq0"), irq1("irq1");
    gic.cpu[0].irq.bind(irq0);
    gic.cpu[1].irq.bind(irq1);
    std::uint64_t iar1 = 0, ctlr0_after_refusal = 0, pmr1 = 0;
    ::tlm::tlm_response_status status_missing{}, status_bad_cpu{}, status_wrong_socket{};
    std::size_t mark_missing = 0, mark_bad = 0, mark_wrong = 0;
    cpu1.program = [&](LtCpu<32>& c) {
        c.wr(c.gicc, v2c::PMR, 0xF0, 4, true);
        c.wr(c.gicc, v2c::CTLR, 1, 4, true);
        pmr1 = c.rd(c.gicc, v2c::PMR, 4, true);
        c.sync();
        wait(irq1.posedge_event());
        iar1 = c.rd(c.gicc, v2c::IAR, 4, true);
        c.wr(c.gicc, v2c::EOIR, iar1, 4, true);
        // A per-CPU socket carrying an extension that names another CPU.
        mark_wrong = Reports::all().size();
        ::tlm::tlm_generic_payload tx;
        CpuIdExtension ext(0);
        unsigned char data[4] = {};
        tx.set_command(::tlm::TLM_READ_COMMAND);
        tx.set_address(v2d::CTLR);
        tx.set_data_ptr(data);
        tx.set_data_length(4);
        tx.set_streaming_width(4);
        tx.set_extension(&ext);
        sc_time d = SC_ZERO_TIME;
        c.gicd->b_transport(tx, d);
        tx.clear_extension(&ext);
        status_wrong_socket = tx.get_response_status();
        c.sync();
    };
    cpu0.program = [&](LtCpu<32>& c) {
        c.wr(c.gicd, v2d::CTLR, 1, 4, true);
        c.wr(c.gicd, v2d::ISENABLER, 1u << 5, 4, true);  // SGI 5, for every CPU (banked: CPU 1's)
        c.sync();
        wait(sc_time(100, SC_NS));  // CPU 1 has enabled its interface
        // ISENABLER0 is banked: CPU 1 enables its own SGI 5 through the shared socket.
        c.id = 1;
        c.wr(c.gicd, v2d::ISENABLER, 1u << 5, 4, true);
        c.id = 0;
        c.wr(c.gicd, v2d::SGIR, (0b10u << 16) | 5, 4, true);  // CPUTargetList = CPU 1, SGI 5
        c.sync();
        // No extension on a shared socket.
        mark_missing = Reports::all().size();
        c.wr(c.gicc, v2c::CTLR, 1, 4, false);
        status_missing = c.last_status;
        ctlr0_after_refusal = 0;
        {
            ::tlm::tlm_generic_payload tx;  // debug read of CPU 0's GICC_CTLR: still 0
            CpuIdExtension ext(0);
            unsigned char data[4] = {};
            tx.set_command(::tlm::TLM_READ_COMMAND);
            tx.set_address(v2c::CTLR);
            tx.set_data_ptr(data);
            tx.set_data_length(4);
            tx.set_extension(&ext);
            c.gicc->transport_dbg(tx);
            tx.clear_extension(&ext);
            ctlr0_after_refusal = data[0];
        }
        // An extension naming a CPU the GIC does not have.
        mark_bad = Reports::all().size();
        c.id = 7;
        c.rd(c.gicd, v2d::CTLR, 4, true);
        status_bad_cpu = c.last_status;
        c.id = 0;
    };
    sc_start(sc_time(10, SC_US));
    check(pmr1 == 0xF0, "CPU 1's GICC_PMR, written through the shared socket with CpuIdExtension(1), reads 0xF0");
    check((iar1 & 0x3FF) == 5 && ((iar1 >> 10) & 7) == 0,
          "CPU 0's SGI 5 reaches CPU 1: GICC_IAR = 5 with CPUID 0 (IHI 0048B 4.4.4)");
    check(status_missing == ::tlm::TLM_GENERIC_ERROR_RESPONSE,
          "a shared-socket access without CpuIdExtension: TLM_GENERIC_ERROR_RESPONSE");
    check(ctlr0_after_refusal == 0, "the refused write changed nothing (CPU 0's GICC_CTLR still 0)");
    check(Reports::count(kMsgAccess, mark_missing, {"gic: ", "GICC write of 4 byte(s) at offset 0x0", "unknown CPU",
                                                   "CpuIdExtension"}) == 1,
          "reported once, naming the instance, frame, offset, width and that the CPU is unknown: " + Reports::last());
    check(status_bad_cpu == ::tlm::TLM_GENERIC_ERROR_RESPONSE &&
              Reports::count(kMsgAccess, mark_bad, {"gic: ", "GICD read", "names CPU 7", "2 CPU(s)"}) == 1,
          "CpuIdExtension(7) on a 2-CPU GIC: refused and reported");
    check(status_wrong_socket == ::tlm::TLM_GENERIC_ERROR_RESPONSE &&
              Reports::count(kMsgAccess, mark_wrong, {"gic: ", "GICD read", "from CPU 1", "names CPU 0",
                                                      "per-CPU socket"}) == 1,
          "CpuIdExtension(0) on CPU 1's per-CPU socket: refused and reported");
}

// ---- errors ------------------------------------------------------------------------------------

/// A bad configuration reaches the caller as vgic::ConfigError whatever the report handler
/// does: the default one, one that only logs, one that throws on warnings.
void config_error(const std::string& handler) {
    if (handler == "logging") {
        Reports::install();
        sc_report_handler::set_actions(SC_WARNING, SC_LOG);
    } else if (handler == "throwing") {
        sc_report_handler::set_actions(SC_WARNING, SC_THROW);
    }
    VgicParams p = params(GicVersion::V2, Mode::Hw, 9);  // GICv2: 1..8 CPU interfaces
    bool config_error = false, other = false;
    std::string what;
    try {
        Vgic gic("broken_gic", p);
    } catch (const ConfigError& e) {
        config_error = true;
        what = e.what();
    } catch (...) {
        other = true;
    }
    check(config_error && !other, "handler '" + handler + "': the constructor throws vgic::ConfigError");
    check(what.find("broken_gic") != std::string::npos && what.find("num_cpus") != std::string::npos,
          "its message names the instance and the field: " + what);
    if (handler == "logging")
        check(Reports::count(kMsgConfig, 0, {"broken_gic", "num_cpus"}) == 1 &&
                  Reports::all().back().severity == SC_WARNING,
              "reported once as vgic/config at SC_WARNING");
    // The timer's configuration likewise.
    VgicParams ok = params(GicVersion::V2, Mode::Hw, 1);
    Vgic gic("gic", ok);
    TimerConfig bad;
    bad.frequency_hz = 0;
    bool timer_error = false;
    try {
        VirtualTimer timer("broken_timer", gic, bad);
    } catch (const ConfigError& e) {
        timer_error = std::string(e.what()).find("broken_timer") != std::string::npos;
    } catch (...) {
    }
    check(timer_error, "a bad TimerConfig: ConfigError naming the timer instance");
}

/// A bad guest access is reported with instance, frame, offset, width and CPU; an absolute
/// address (a router that does not subtract the frame's base) is an address error that says so.
void reports_name_the_access() {
    Reports::install();
    Vgic gic("soc_gic", params(GicVersion::V2, Mode::Hw, 2));
    LtCpu<32> cpu("cpu1", 1);
    cpu.gicd.bind(gic.distributor.socket[1]);
    cpu.gicc.bind(gic.cpu[1].gicc);
    ::tlm::tlm_response_status status_absolute{}, typer_status{};
    cpu.program = [&](LtCpu<32>& c) {
        c.wr(c.gicd, v2d::TYPER, 0xFF);  // read-only
        typer_status = c.last_status;
        c.rd(c.gicd, 0x0800'0000 + v2d::CTLR);  // the seed's GICD base, not an offset
        status_absolute = c.last_status;
    };
    sc_start(sc_time(1, SC_US));
    check(typer_status == ::tlm::TLM_OK_RESPONSE, "a write to GICD_TYPER is ignored (default policy RAZ/WI)");
    check(Reports::count(kMsgAccess, 0, {"soc_gic: ", "GICD write of 4 byte(s)", "0x004", "GICD_TYPER", "from CPU 1"}) == 1,
          "its report names the instance, frame, width, offset, register and CPU");
    check(status_absolute == ::tlm::TLM_ADDRESS_ERROR_RESPONSE,
          "an offset beyond the 64 KiB GICD frame: TLM_ADDRESS_ERROR_RESPONSE");
    check(Reports::count(kMsgAccess, 0, {"soc_gic: ", "GICD read", "0x8000000", "from CPU 1", "absolute"}) == 1,
          "reported, suggesting the router passes absolute addresses: " + Reports::last());
}

/// vm mode: a GICV access while the vCPU is switched out (running_state low) is a vgic/guest
/// report: the initiator should have stalled. While it runs, nothing is reported.
void vm_access_while_switched_out(GicVersion version) {
    Reports::install();
    const bool v3 = version == GicVersion::V3;
    VgicParams p = params(version, Mode::Vm, 1);
    p.hypervisor = HypervisorProfile{};
    p.hypervisor->entry = 100'000;
    p.hypervisor->exit = 100'000;
    Vgic gic("vm0", p);
    LtCpu<32> cpu("vcpu0", 0);
    cpu.gicc.bind(gic.cpu[0].gicc);
    cpu.sysreg.bind(gic.cpu[0].sysreg);
    std::size_t in_guest_reports = 99, out_reports = 0;
    std::uint64_t iar_out = 0;
    cpu.program = [&](LtCpu<32>& c) {
        wait(gic.cpu[0].flush_done);  // entered
        const std::size_t m = Reports::all().size();
        if (v3) c.rd(c.sysreg, v3s::ICC_PMR_EL1, 8);
        else c.rd(c.gicc, v2c::PMR);
        c.sync();
        in_guest_reports = Reports::count(kMsgGuest, m, {});
        gic.cpu[0].stop();
        wait(gic.cpu[0].save_done);
        const std::size_t m2 = Reports::all().size();
        iar_out = v3 ? c.rd(c.sysreg, v3s::ICC_IAR1_EL1, 8) : c.rd(c.gicc, v2c::IAR);
        out_reports = Reports::count(kMsgGuest, m2, {"vm0: ", v3 ? "ICV_" : "GICV", "vCPU 0", "not in the guest",
                                                     "stall"});
    };
    sc_start(sc_time(10, SC_US));
    const std::string tag = v3 ? "GICv3: " : "GICv2: ";
    check(in_guest_reports == 0, tag + "an access while the vCPU is in the guest is not reported");
    check(out_reports == 1, tag + "an access while it is switched out is reported once as vgic/guest: " + Reports::last());
    check(iar_out == 1023, tag + "and still served (nothing pending: the spurious INTID 1023)");
}

// ---- reset -------------------------------------------------------------------------------------

/// A platform snapshot without the vm-mode engine's run statistics ("stats": flushes, kicks...),
/// which a reset keeps on purpose (docs/MODEL.md "Reset"): what is left is the state.
std::string state_of(VgicBase& gic, const VirtualTimerBase* timer) {
    nlohmann::json doc = nlohmann::json::parse(save_snapshot(gic, timer));
    std::function<void(nlohmann::json&)> strip = [&](nlohmann::json& j) {
        if (j.is_object()) {
            j.erase("stats");
            j.erase("engine_stats");
            for (auto& [key, value] : j.items()) strip(value);
        } else if (j.is_array()) {
            for (auto& value : j) strip(value);
        }
    };
    strip(doc);
    return doc.dump(1);
}

/// In the middle of traffic: an SPI active, another pending, a third's line change in flight
/// (signal_delay not over), list registers programmed (hw) or a vCPU being descheduled (vm), a
/// timer armed (vm). reset() (a pulse) brings the module to a freshly constructed one's state
/// (compared by snapshot), lines fall at once and the change in flight never arrives. Then the
/// port, held high: outputs low, accesses refused, inputs only remembered; after the falling
/// edge the lines still high are pending again.
void reset_scenario(GicVersion version, Mode mode) {
    Reports::install();
    const bool v3 = version == GicVersion::V3;
    const bool vm = mode == Mode::Vm;
    VgicParams p = params(version, mode, 2);
    if (vm) {
        p.hypervisor = HypervisorProfile{};
        p.hypervisor->entry = 50'000;
        p.hypervisor->exit = 50'000;
        p.hypervisor->kick = 20'000;
        p.hypervisor->save_fixed = 200'000;
        p.hypervisor->restore_fixed = 200'000;
        p.hypervisor->trap_entry = 30'000;
        p.hypervisor->emulate = 30'000;
        p.hypervisor->trap_return = 30'000;
    }
    Vgic gic("gic", p);
    Vgic fresh("fresh", p);  // never touched: the state reset must reach
    std::unique_ptr<VirtualTimer> timer, fresh_timer;
    if (vm) {
        timer = std::make_unique<VirtualTimer>("timer", gic);
        fresh_timer = std::make_unique<VirtualTimer>("fresh_timer", fresh);
    }
    LtCpu<32> cpu("cpu", 0);
    cpu.gicd.bind(gic.distributor.socket[0]);
    cpu.gicc.bind(gic.cpu[0].gicc);
    cpu.gicr.bind(gic.redistributor.socket);
    if (!vm) cpu.gich.bind(gic.cpu[0].gich);
    if (vm) cpu.sysreg.bind(timer->sysreg[0]);  // the timer forwards ICC_/ICV_ to the GIC
    else cpu.sysreg.bind(gic.cpu[0].sysreg);
    sc_signal<bool> irq("irq"), virq("virq"), rst("rst");
    sc_signal<bool> spi[4];  // INTIDs 40..43
    gic.cpu[0].irq.bind(irq);
    gic.cpu[0].virq.bind(virq);
    gic.reset.bind(rst);
    for (unsigned k = 0; k < 4; ++k) gic.distributor.spi_in[8 + k].bind(spi[k]);
    sc_signal<bool>& line = vm ? virq : irq;

    bool line_high_before = false, line_low_at_once = false, late_rise = false, equal_after_pulse = false;
    bool differs_before = false, held_low = false, access_refused = false, resampled = false, running_again = true;
    std::uint64_t cntv_ctl_after = 99, ctlr_after = 99;
    std::string snap_diff;
    auto bring_up = [&](LtCpu<32>& c) {
        // INTID 41 has the highest priority: taken while 40 is active, it preempts (line high).
        c.wr(c.gicd, (v3 ? v3d::IPRIORITYR : v2d::IPRIORITYR) + 40, 0xA0A040A0);
        if (!v3) {
            c.wr(c.gicd, v2d::ISENABLER + 4, 0xFu << 8);
            c.wr(c.gicd, v2d::ITARGETSR + 40, 0x01010101);
            c.wr(c.gicd, v2d::CTLR, 1);
            c.wr(c.gicc, v2c::PMR, 0xF0);
            c.wr(c.gicc, v2c::CTLR, 1);
        } else {
            c.wr(c.gicr, v3r::WAKER, 0);
            c.wr(c.gicd, v3d::CTLR, (1u << 4) | (1u << 1));
            c.wr(c.gicd, v3d::IGROUPR + 4, 0xFu << 8);
            for (unsigned i = 40; i < 44; ++i) c.wr(c.gicd, v3d::IROUTER + 8 * i, 0, 8);
            c.wr(c.gicd, v3d::ISENABLER + 4, 0xFu << 8);
            c.wr(c.sysreg, v3s::ICC_SRE_EL1, 7, 8);
            c.wr(c.sysreg, v3s::ICC_PMR_EL1, 0xF0, 8);
            c.wr(c.sysreg, v3s::ICC_IGRPEN1_EL1, 1, 8);
        }
        c.sync();
    };
    auto ack = [&](LtCpu<32>& c) { return v3 ? c.rd(c.sysreg, v3s::ICC_IAR1_EL1, 8) : c.rd(c.gicc, v2c::IAR); };
    cpu.program = [&](LtCpu<32>& c) {
        if (vm) wait(gic.cpu[0].flush_done);
        bring_up(c);
        spi[0].write(true);  // INTID 40: taken, left active
        wait(line.posedge_event());
        ack(c);
        spi[0].write(false);
        spi[1].write(true);  // INTID 41: pending, preempting the active 40
        if (!vm) {
            // hw mode: the hypervisor's view too: a virtual interrupt (vINTID 50, pending)
            // in list register 0 and the virtual interface enabled.
            if (!v3) {
                c.wr(c.gich, gicv2::gich::LR0, (1u << 28) | (0x10u << 23) | 50);  // State = pending
                c.wr(c.gich, gicv2::gich::HCR, 1);                                // En
            } else {
                c.wr(c.sysreg, v3s::ich_lr(0), (std::uint64_t{1} << 62) | (std::uint64_t{1} << 60) |
                                                     (std::uint64_t{0x80} << 48) | 50, 8);  // pending, Group 1
                c.wr(c.sysreg, v3s::ICH_HCR_EL2, 1, 8);
            }
        } else {
            // The virtual timer armed far ahead, then vCPU 1 being descheduled.
            c.wr(c.sysreg, timer_regs::CNTV_CVAL_EL0, ~std::uint64_t{0} >> 8, 8);
            c.wr(c.sysreg, timer_regs::CNTV_CTL_EL0, 1, 8);
            gic.cpu[1].stop();
        }
        c.sync();
        wait(vm ? sc_time(1, SC_US) : sc_time(20, SC_NS));  // vm: 41's kick, exit and entry
        line_high_before = line.read();
        differs_before = state_of(gic, timer.get()) != state_of(fresh, fresh_timer.get());
        // The line is high and falls at once: not after signal_delay (10 ns), not through the
        // engine (vm: an exit); and 41's input falls, a change the reset must overtake.
        spi[1].write(false);
        wait(SC_ZERO_TIME);
        gic.reset();  // the pulse
        const sc_time pulsed = sc_time_stamp();
        for (int i = 0; i < 10 && sc_pending_activity_at_current_time(); ++i) wait(SC_ZERO_TIME);
        line_low_at_once = sc_time_stamp() == pulsed && !line.read();
        if (vm) wait(sc_time(2, SC_US));  // the engines' entries after the reset
        const std::string a = state_of(gic, timer.get()), b = state_of(fresh, fresh_timer.get());
        equal_after_pulse = a == b;
        if (!equal_after_pulse) {
            std::size_t i = 0;
            while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
            snap_diff = "first difference at byte " + std::to_string(i) + ": ..." + a.substr(i > 80 ? i - 80 : 0, 160) +
                        " | fresh: ..." + b.substr(i > 80 ? i - 80 : 0, 160);
        }
        if (vm) {
            running_again = gic.cpu[0].running_state.read() && gic.cpu[1].running_state.read();
            cntv_ctl_after = c.rd(c.sysreg, timer_regs::CNTV_CTL_EL0, 8);
        }
        // A rise in flight: brought up again, INTID 42 (priority 0x40) asserted; 5 ns later,
        // before signal_delay (hw) or the kick, exit and entry (vm) have passed, a reset pulse.
        // The line must never rise (the change was cancelled, the distributor is off again).
        bring_up(c);
        spi[2].write(true);
        wait(sc_time(5, SC_NS));
        spi[2].write(false);
        wait(SC_ZERO_TIME);
        gic.reset();
        {
            const sc_time second = sc_time_stamp();
            wait(sc_time(2, SC_US), line.posedge_event());
            late_rise = line.read() || sc_time_stamp() < second + sc_time(2, SC_US);
        }
        // The port, held: the interface brought up again and an interrupt taken.
        bring_up(c);
        spi[3].write(true);  // INTID 43
        wait(line.posedge_event());
        rst.write(true);
        const sc_time asserted = sc_time_stamp();
        for (int i = 0; i < 10 && sc_pending_activity_at_current_time(); ++i) wait(SC_ZERO_TIME);
        held_low = sc_time_stamp() == asserted && !line.read() && gic.in_reset();
        const std::size_t m = Reports::all().size();
        ctlr_after = c.rd(c.gicd, v3 ? v3d::CTLR : v2d::CTLR);
        access_refused = c.last_status == ::tlm::TLM_GENERIC_ERROR_RESPONSE &&
                         Reports::count(kMsgAccess, m, {"gic: ", "held in reset"}) == 1;
        spi[0].write(true);  // rises during the reset: remembered
        wait(sc_time(100, SC_NS));
        held_low = held_low && !line.read();
        rst.write(false);
        wait(sc_time(100, SC_NS));
        // After the reset: 40 and 43 are high, so pending (level-sensitive, GICD_ISPENDR1 bits 8
        // and 11); the distributor is disabled (reset), so no line.
        const std::uint64_t ispendr = c.rd(c.gicd, (v3 ? v3d::ISPENDR : v2d::ISPENDR) + 4);
        resampled = (ispendr & (0xFu << 8)) == ((1u << 8) | (1u << 11)) && !line.read();
        c.sync();
    };
    sc_start(sc_time(20, SC_US));
    const std::string tag = std::string(v3 ? "GICv3 " : "GICv2 ") + (vm ? "vm: " : "hw: ");
    check(line_high_before, tag + "before the reset: the line is high (41 preempts the active 40)");
    check(differs_before, tag + "before the reset: the state is not a fresh one's");
    check(line_low_at_once, tag + "reset(): the line falls at once (the next delta, not after signal_delay)");
    check(!late_rise, tag + "the line change in flight at the reset never arrives");
    check(equal_after_pulse, tag + "after reset() the snapshot equals a freshly constructed module's " + snap_diff);
    if (vm) {
        check(running_again, tag + "every vCPU is in the guest again (vCPU 1 was being descheduled)");
        check(cntv_ctl_after == 0, tag + "the VM's reset reset its virtual timer (CNTV_CTL_EL0 = 0)");
    }
    check(held_low, tag + "reset held high: the line falls and stays low while an input rises");
    check(access_refused && ctlr_after == 0, tag + "accesses while held: TLM_GENERIC_ERROR_RESPONSE, reported");
    check(resampled, tag + "after the falling edge the lines still high (40, 43) are pending; no line (GICD_CTLR = 0)");
}

} // namespace

int sc_main(int argc, char** argv) {
    const std::map<std::string, std::function<void()>> scenarios = {
        {"bus_width_32_v2", [] { bus_width<32>(GicVersion::V2); }},
        {"bus_width_64_v2", [] { bus_width<64>(GicVersion::V2); }},
        {"bus_width_32_v3", [] { bus_width<32>(GicVersion::V3); }},
        {"bus_width_64_v3", [] { bus_width<64>(GicVersion::V3); }},
        {"shared_sockets", shared_sockets},
        {"config_error_default_handler", [] { config_error("default"); }},
        {"config_error_logging_handler", [] { config_error("logging"); }},
        {"config_error_throwing_handler", [] { config_error("throwing"); }},
        {"reports_name_the_access", reports_name_the_access},
        {"vm_access_while_switched_out_v2", [] { vm_access_while_switched_out(GicVersion::V2); }},
        {"vm_access_while_switched_out_v3", [] { vm_access_while_switched_out(GicVersion::V3); }},
        {"reset_hw_v2", [] { reset_scenario(GicVersion::V2, Mode::Hw); }},
        {"reset_hw_v3", [] { reset_scenario(GicVersion::V3, Mode::Hw); }},
        {"reset_vm_v2", [] { reset_scenario(GicVersion::V2, Mode::Vm); }},
        {"reset_vm_v3", [] { reset_scenario(GicVersion::V3, Mode::Vm); }},
    };
    return vgic::testing::run_scenario("integration_scenarios", argc, argv, scenarios);
}
