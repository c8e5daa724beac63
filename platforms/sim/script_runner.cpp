// SPDX-License-Identifier: Apache-2.0
#include "sim/script_runner.hpp"

#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vcd_trace.hpp"
#include "vgic/tlm/vgic.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <tlm_utils/simple_initiator_socket.h>

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>

namespace vgic::sim {

using namespace sc_core;
using script::Command;

namespace {

std::string hex(std::uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

/// A timing or hypervisor value given as a file is resolved against the script's folder.
std::string resolve_profile(const script::Script& s, const std::string& t) {
    auto ends_with = [&t](const std::string& suffix) {
        return t.size() > suffix.size() && t.compare(t.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    const bool is_file =
        t.find('/') != std::string::npos || ends_with(".json") || ends_with(".yaml") || ends_with(".yml");
    if (!is_file || t[0] == '/') return t;
    const auto slash = s.file.rfind('/');
    return slash == std::string::npos ? t : s.file.substr(0, slash + 1) + t;
}

tlm::VgicParams make_params(const script::Script& s) {
    const script::PlatformSpec& p = s.platform;
    tlm::VgicParams v;
    v.mode = p.mode == script::Mode::Vm ? tlm::Mode::Vm : tlm::Mode::Hw;
    v.gic.version = p.gic == script::GicVersion::V3 ? GicVersion::V3 : GicVersion::V2;
    v.gic.v3.cpus_per_cluster = p.cluster;
    v.gic.num_cpus = p.cpus;
    v.gic.num_spis = p.spis;
    v.gic.priority_bits = p.prio_bits;
    v.gic.bad_access = p.bad_access == script::BadAccess::Error ? BadAccessPolicy::Error : BadAccessPolicy::RazWi;
    v.gic.virt.num_list_regs = p.lrs;
    v.timing = tlm::load_timing_profile(resolve_profile(s, p.timing));
    if (!p.hypervisor.empty()) {
        try {
            v.hypervisor = tlm::load_hypervisor_profile(resolve_profile(s, p.hypervisor));
        } catch (const tlm::TimingProfileError& e) {
            throw script::ScriptError(s.file, p.line, std::string("hypervisor: ") + e.what());
        }
    }
    return v;
}

/// The script's initiator: a socket per frame and CPU, bound to the Vgic.
struct Initiator : sc_module {
    using Sock = tlm_utils::simple_initiator_socket<Initiator, 32>;
    sc_vector<Sock> gicd, gicc, gich, gicv, sysreg;
    Sock gicr;  // one GICR region; the accessing CPU travels in a CpuIdExtension
    Initiator(sc_module_name n, tlm::Vgic& g, tlm::VirtualTimer& timer)
        : sc_module(n), gicd("gicd", g.cpu.size()), gicc("gicc", g.cpu.size()), gich("gich", g.cpu.size()),
          gicv("gicv", g.cpu.size()), sysreg("sysreg", g.cpu.size()), gicr("gicr") {
        gicr.bind(g.redistributor.socket);
        for (unsigned i = 0; i < g.cpu.size(); ++i) {
            gicd[i].bind(g.distributor.socket[i]);
            gicc[i].bind(g.cpu[i].gicc);
            gich[i].bind(g.cpu[i].gich);
            gicv[i].bind(g.cpu[i].gicv);
            sysreg[i].bind(timer.sysreg[i]);
        }
    }
    Sock& socket(script::Frame f, unsigned cpu) {
        switch (f) {
        case script::Frame::Gicd: return gicd[cpu];
        case script::Frame::Gicc: return gicc[cpu];
        case script::Frame::Gich: return gich[cpu];
        case script::Frame::Gicv: return gicv[cpu];
        case script::Frame::Gicr: return gicr;
        }
        return gicd[cpu];
    }
};

class Runner {
public:
    Runner(const script::Script& s, tlm::Vgic& gic, Initiator& init, std::ostream& out)
        : s_(s), gic_(gic), init_(init), out_(out) {}

    void run() {
        for (const Command& c : s_.commands) step(c);
    }
    ScriptOutcome outcome() const { return o_; }

private:
    void check(const Command& c, bool ok, const std::string& expected, const std::string& got) {
        if (ok) {
            ++o_.passed;
            return;
        }
        ++o_.failed;
        out_ << script::printable(s_.file) << ':' << c.line << ": expected " << expected << ", got " << got << "   ["
             << shown(c) << "]\n";
    }

    /// A command's text for a report line: blanks between words (tabs, \v, \f) as spaces,
    /// any other byte outside printable ASCII as \xNN, like every message of the language.
    static std::string shown(const Command& c) {
        std::string text = c.text;
        for (char& ch : text)
            if (ch == '\t' || ch == '\v' || ch == '\f' || ch == '\r') ch = ' ';
        return script::printable(text);
    }

    struct Access {
        std::uint64_t value = 0;
        bool error = false;
    };

    Access access(script::Frame frame, unsigned cpu, bool write, std::uint64_t offset, unsigned bits,
                  std::uint64_t value, bool debug) {
        return access_on(init_.socket(frame, cpu), write, offset, bits, value, debug,
                         frame == script::Frame::Gicr ? &cpu : nullptr);
    }

    /// `cpu_ext`: the issuing CPU, for a socket shared by every CPU (the GICR region).
    Access access_on(Initiator::Sock& sock, bool write, std::uint64_t offset, unsigned bits, std::uint64_t value,
                     bool debug, const unsigned* cpu_ext = nullptr) {
        ::tlm::tlm_generic_payload tx;
        tlm::CpuIdExtension ext(cpu_ext ? *cpu_ext : 0);
        if (cpu_ext) tx.set_extension(&ext);
        unsigned char data[8] = {};
        const unsigned len = bits / 8;
        for (unsigned i = 0; i < len; ++i) data[i] = static_cast<unsigned char>(value >> (8 * i));
        tx.set_command(write ? ::tlm::TLM_WRITE_COMMAND : ::tlm::TLM_READ_COMMAND);
        tx.set_address(offset);
        tx.set_data_ptr(data);
        tx.set_data_length(len);
        tx.set_streaming_width(len);
        Access a;
        if (debug) {
            a.error = sock->transport_dbg(tx) != len;
        } else {
            sc_time delay = SC_ZERO_TIME;
            sock->b_transport(tx, delay);
            a.error = tx.get_response_status() != ::tlm::TLM_OK_RESPONSE;
            wait(delay);  // the access takes the time its latency says
        }
        for (unsigned i = 0; i < len; ++i) a.value |= std::uint64_t{data[i]} << (8 * i);
        if (cpu_ext) tx.clear_extension(&ext);
        return a;
    }

    static void settle() {
        // Line changes take delta cycles; let the current time step finish them.
        for (int i = 0; i < 64 && sc_pending_activity_at_current_time(); ++i) wait(SC_ZERO_TIME);
    }

    const sc_signal<bool>& line_signal(unsigned cpu, script::OutputLine l) {
        tlm::VgicCpuIf& c = gic_.cpu[cpu];
        switch (l) {
        case script::OutputLine::Irq: return c.irq_level;
        case script::OutputLine::Fiq: return c.fiq_level;
        case script::OutputLine::Virq: return c.virq_level;
        case script::OutputLine::Vfiq: return c.vfiq_level;
        case script::OutputLine::Maint: return c.maintenance_level;
        }
        return c.irq_level;
    }

    void step(const Command& c) {
        using namespace script;
        if (c.is<Read>()) {
            const Read& r = c.as<Read>();
            const Access a = access(r.frame, r.cpu, false, r.offset, r.bits, 0, false);
            const std::uint64_t v = a.value & r.compare_mask();
            if (r.check == ReadCheck::Error) check(c, a.error, "an error response", a.error ? "error" : "OK, " + hex(a.value));
            else if (r.check == ReadCheck::Value)
                check(c, !a.error && v == r.expected, hex(r.expected), a.error ? "an error response" : hex(v));
            else out_ << script::printable(s_.file) << ':' << c.line << ": " << shown(c) << " -> " << (a.error ? "error" : hex(v)) << '\n';
        } else if (c.is<Write>()) {
            const Write& w = c.as<Write>();
            const Access a = access(w.frame, w.cpu, true, w.offset, w.bits, w.value, false);
            if (w.expect_error) check(c, a.error, "an error response", "OK");
            else check(c, !a.error, "OK", "an error response");
        } else if (c.is<Peek>()) {
            const Peek& p = c.as<Peek>();
            const Access a = access(p.frame, p.cpu, false, p.offset, p.bits, 0, true);
            const std::uint64_t v = a.value & p.compare_mask();
            if (p.expected) check(c, !a.error && v == *p.expected, hex(*p.expected), a.error ? "an error" : hex(v));
            else out_ << script::printable(s_.file) << ':' << c.line << ": " << shown(c) << " -> " << (a.error ? "error" : hex(v)) << '\n';
        } else if (c.is<SpiLine>()) {
            const SpiLine& l = c.as<SpiLine>();
            gic_.set_spi_level(l.intid, l.high);
        } else if (c.is<PpiLine>()) {
            const PpiLine& l = c.as<PpiLine>();
            gic_.set_ppi_level(l.cpu, l.intid, l.high);
        } else if (c.is<script::Vcpu>()) {
            // The command returns when the switch is complete: after the save (stop) or the
            // flush and entry (run).
            const script::Vcpu& v = c.as<script::Vcpu>();
            tlm::VgicCpuIf& cpu = gic_.cpu[v.cpu];
            if (v.run && !cpu.scheduled()) {
                cpu.run();
                wait(cpu.flush_done);
            } else if (!v.run && cpu.scheduled()) {
                cpu.stop();
                wait(cpu.save_done);
            }
        } else if (c.is<Wait>()) {
            wait(tlm::ps_time(c.as<Wait>().ps));  // exact: from integer ps, no double
        } else if (c.is<ExpectLine>()) {
            const ExpectLine& e = c.as<ExpectLine>();
            settle();
            const bool level = line_signal(e.cpu, e.line).read();
            check(c, level == e.high, e.high ? "high" : "low", std::string(level ? "high" : "low") + " at " + sc_time_stamp().to_string());
        } else if (c.is<Echo>()) {
            out_ << c.as<Echo>().text << '\n';
        } else if (c.is<Mrs>()) {
            // One system-register socket per CPU, addressed by the MRS/MSR encoding: the timer
            // answers its CNT* registers and hands GICv3 ones to the GIC.
            const Mrs& m = c.as<Mrs>();
            const Access a = access_on(init_.sysreg[m.cpu], false, m.reg.encoding(), 64, 0, false);
            const std::uint64_t v = a.value & m.compare_mask();
            if (m.expected) check(c, !a.error && v == *m.expected, hex(*m.expected), a.error ? "an error response" : hex(v));
            else out_ << script::printable(s_.file) << ':' << c.line << ": " << shown(c) << " -> " << (a.error ? "error" : hex(v)) << '\n';
        } else if (c.is<Msr>()) {
            const Msr& m = c.as<Msr>();
            const Access a = access_on(init_.sysreg[m.cpu], true, m.reg.encoding(), 64, m.value, false);
            check(c, !a.error, "OK", "an error response");
        }
    }

    const script::Script& s_;
    tlm::Vgic& gic_;
    Initiator& init_;
    std::ostream& out_;
    ScriptOutcome o_;
};

} // namespace

std::string vcd_file(const std::string& path) {
    const bool has_extension = path.size() > 4 && path.compare(path.size() - 4, 4, ".vcd") == 0;
    return has_extension ? path : path + ".vcd";
}

std::string unwritable_reason(const std::string& file) {
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) return std::strerror(errno);
    ::close(fd);
    return {};
}

void validate_for_execution(const script::Script& s) {
    // System registers: the generic timer's are modelled, and with gic=v3 the ICC_/ICV_/ICH_
    // ones; any other encoding follows the bad-access policy at run time.
    try {
        (void)make_params(s);
    } catch (const tlm::TimingProfileError& e) {
        throw script::ScriptError(s.file, s.platform.line, std::string("timing: ") + e.what());
    } catch (const ConfigError& e) {
        throw script::ScriptError(s.file, s.platform.line, e.what());
    }
}

ScriptOutcome run_script(const script::Script& s, const ScriptOptions& options, std::ostream& out) {
    tlm::Vgic gic("gic", make_params(s));
    tlm::VirtualTimer timer("timer", gic);
    Initiator init("script", gic, timer);
    // The project's VCD writer (vgic/tlm/vcd_writer.hpp, 1 ps): every write checked; a failure
    // pauses the simulation and is reported instead of the checks' verdict.
    std::unique_ptr<tlm::VcdWriter> vcd;
    std::unique_ptr<tlm::VcdTrace> trace;
    ScriptOutcome o;
    if (!options.vcd_path.empty()) {
        try {
            vcd = std::make_unique<tlm::VcdWriter>(vcd_file(options.vcd_path));
        } catch (const tlm::OutputError& e) {
            o.output_error = e.what();
            return o;
        }
        trace = std::make_unique<tlm::VcdTrace>(*vcd);
        // One scope per CPU with its GIC lines that can change in the mode and its timer's.
        tlm::trace_cpus(*trace, gic, &timer);
    }
    Runner runner(s, gic, init, out);
    bool done = false;
    sc_spawn([&] {
        runner.run();
        done = true;
        sc_stop();
    });
    sc_start();
    if (vcd != nullptr && !vcd->close(tlm::time_ps(sc_time_stamp()))) {
        o.output_error = tlm::OutputError(vcd->file().name(), vcd->file().error_number()).what();
        return o;
    }
    if (!done) out << script::printable(s.file) << ": error: the simulation ended before the script did\n";
    o = runner.outcome();
    if (!done) ++o.failed;
    return o;
}

} // namespace vgic::sim
