// SPDX-License-Identifier: Apache-2.0
// `vgic-sim boot IMAGE [options]` (boot_command.hpp, docs/BOOT.md): parses the command line,
// loads the image and the device tree into the board's RAM, runs the simulation and prints
// the summary (stderr; stdout carries the guest's UART unless --uart names a file).
#include "sim/boot_command.hpp"

#include "boot/board.hpp"
#include "boot/device_tree.hpp"
#include "boot/gdb_stub.hpp"
#include "boot/image.hpp"
#include "run/report.hpp"
#include "sim/script_runner.hpp"
#include "vgic/boot/board.h"
#include "vgic/tlm/duration.hpp"
#include "vgic/tlm/input.hpp"
#include "vgic/tlm/output_file.hpp"
#include "vgic/tlm/timing_profile.hpp"
#include "vgic/tlm/time.hpp"
#include "vgic/tlm/vcd_trace.hpp"
#include "vgic/tlm/virtual_timer.hpp"

#include <systemc>

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vgic::sim {

namespace {

void usage(std::FILE* f) {
    std::fprintf(
        f,
        "usage: vgic-sim boot IMAGE [options]\n"
        "Runs an AArch64 image on a board with this GIC (docs/BOOT.md): Unicorn CPUs at EL1, RAM at\n"
        "0x40000000, GICD 0x08000000, GICC 0x08010000 (v2) or GICR 0x08020000 (v3), PL011 UART\n"
        "0x09000000, interrupt generator 0x09010000, exit register 0x09020000, PSCI over HVC.\n"
        "IMAGE: an arm64 Linux Image (header honoured), an ELF, or a flat binary loaded at RAM +\n"
        "0x80000; CPU 0 starts at its entry with x0 = the device tree's address.\n"
        "options:\n"
        "  --cpus N          CPUs, 1..%d (default 1); CPU 0 boots, the others wait for PSCI CPU_ON\n"
        "  --gic v2|v3       GIC architecture (default v2)\n"
        "  --mode hw|vm      hw: the image is the OS of a machine with this GIC (default);\n"
        "                    vm: the image is a VM on the model's built-in hypervisor engine\n"
        "  --wfi trap|run    vm mode: WFI traps and blocks the vCPU until a wake-up (default, as KVM)\n"
        "                    or runs in the guest\n"
        "  --append ARGS     /chosen/bootargs of the generated device tree\n"
        "  --mem SIZE        RAM size, a multiple of 2 MiB, e.g. 256MiB (default 128MiB)\n"
        "  --timing PROFILE  the hardware's timing: a preset (%s) or a file\n"
        "                    (default a53-gic400); its `instruction` gives each guest instruction's time\n"
        "  --hypervisor PROFILE  vm mode: the hypervisor's costs, preset or file (default kvm)\n"
        "  --quantum T       how far a CPU may run ahead of simulated time (default 1us)\n"
        "  --max-time T      simulated time limit (default 10s); exit 124 when it runs out\n"
        "  --dtb FILE        use this device tree instead of the generated one\n"
        "  --dump-dtb FILE   write the generated device tree to FILE and exit\n"
        "  --uart FILE       write the UART's output to FILE (default: stdout)\n"
        "  --vcd FILE        write the GIC and timer lines as a VCD waveform\n"
        "  --trace FILE      write the Perfetto/Chrome timeline of `vgic-sim run` (per CPU: guest,\n"
        "                    handler, hypervisor, idle, blocked; one slice per interrupt from its\n"
        "                    assertion to the IAR read and the EOI) and add a latency table to the summary\n"
        "  --gdb PORT        serve GDB's remote protocol on 127.0.0.1:PORT (0: any free port, printed):\n"
        "                    the run waits for the client and stops before the first instruction\n"
        "                    (gdb-multiarch: target remote :PORT; docs/BOOT.md, \"Debugging\")\n"
        "  --quiet           no summary\n"
        "exit status: the guest's (PSCI SYSTEM_OFF: 0; the exit register or semihosting SYS_EXIT: its\n"
        "value), 124 --max-time ran out, 2 bad command line or image, 3 the guest cannot go on (an\n"
        "abort, an instruction the engine cannot run, every CPU waiting with nothing to wake it)\n",
        VGIC_BOARD_MAX_CPUS, [] {
            static std::string names;
            names.clear();
            for (const auto& n : tlm::timing_preset_names()) names += (names.empty() ? "" : ", ") + n;
            return names.c_str();
        }());
}

struct BootArgs {
    std::string image;
    unsigned cpus = 1;
    GicVersion gic = GicVersion::V2;
    tlm::Mode mode = tlm::Mode::Hw;
    bool wfi_traps = true;
    std::string append;
    std::uint64_t mem = VGIC_BOARD_RAM_DEFAULT_SIZE;
    std::string timing = "a53-gic400";
    std::string hypervisor = "kvm";
    std::uint64_t quantum_ps = 1'000'000;
    std::uint64_t max_time_ps = 10'000'000'000'000ull;
    std::string dtb, dump_dtb, uart, vcd, trace;
    bool quiet = false;
    long gdb_port = -1;  // --gdb PORT; -1: no debugger
};

class ArgError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// "128MiB", "1GiB", "64M", "2097152": bytes.
std::uint64_t parse_size(const std::string& flag, const std::string& text) {
    std::size_t i = 0;
    std::uint64_t v = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (v > (~std::uint64_t{0} - 9) / 10) throw ArgError(flag + " '" + tlm::printable(text) + "': too large");
        v = v * 10 + static_cast<unsigned>(text[i++] - '0');
    }
    if (i == 0) throw ArgError(flag + " '" + tlm::printable(text) + "': expected a size such as 128MiB");
    std::string unit = text.substr(i);
    std::uint64_t mul = 1;
    if (unit == "" || unit == "B") mul = 1;
    else if (unit == "K" || unit == "KiB") mul = 1ull << 10;
    else if (unit == "M" || unit == "MiB") mul = 1ull << 20;
    else if (unit == "G" || unit == "GiB") mul = 1ull << 30;
    else throw ArgError(flag + " '" + tlm::printable(text) + "': unknown unit '" + tlm::printable(unit) + "' (B, KiB, MiB, GiB)");
    if (v > (~std::uint64_t{0}) / mul) throw ArgError(flag + " '" + tlm::printable(text) + "': too large");
    return v * mul;
}

std::uint64_t parse_time_flag(const std::string& flag, const std::string& text) {
    try {
        return tlm::parse_duration_ps(text);
    } catch (const std::invalid_argument& e) {
        throw ArgError(flag + ": " + e.what());
    }
}

BootArgs parse_args(int argc, char** argv) {
    BootArgs a;
    auto value = [&](int& i, const std::string& flag) -> std::string {
        if (i + 1 >= argc) throw ArgError(flag + " needs a value");
        return argv[++i];
    };
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--cpus") {
            const std::string v = value(i, arg);
            char* end = nullptr;
            errno = 0;
            const unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || errno != 0 || v[0] == '-' || n < 1 || n > VGIC_BOARD_MAX_CPUS)
                throw ArgError("--cpus '" + tlm::printable(v) + "': expected 1.." + std::to_string(VGIC_BOARD_MAX_CPUS));
            a.cpus = static_cast<unsigned>(n);
        } else if (arg == "--gic") {
            const std::string v = value(i, arg);
            if (v == "v2") a.gic = GicVersion::V2;
            else if (v == "v3") a.gic = GicVersion::V3;
            else throw ArgError("--gic '" + tlm::printable(v) + "': expected v2 or v3");
        } else if (arg == "--mode") {
            const std::string v = value(i, arg);
            if (v == "hw") a.mode = tlm::Mode::Hw;
            else if (v == "vm") a.mode = tlm::Mode::Vm;
            else throw ArgError("--mode '" + tlm::printable(v) + "': expected hw or vm");
        } else if (arg == "--wfi") {
            const std::string v = value(i, arg);
            if (v == "trap") a.wfi_traps = true;
            else if (v == "run") a.wfi_traps = false;
            else throw ArgError("--wfi '" + tlm::printable(v) + "': expected trap or run");
        } else if (arg == "--append") {
            a.append = value(i, arg);
        } else if (arg == "--mem") {
            a.mem = parse_size(arg, value(i, arg));
            if (a.mem == 0 || a.mem % (2u << 20) != 0 || a.mem > (8ull << 30))
                throw ArgError("--mem " + std::to_string(a.mem) + " bytes: expected a multiple of 2 MiB, at most 8 GiB");
        } else if (arg == "--timing") {
            a.timing = value(i, arg);
        } else if (arg == "--hypervisor") {
            a.hypervisor = value(i, arg);
        } else if (arg == "--quantum") {
            a.quantum_ps = parse_time_flag(arg, value(i, arg));
        } else if (arg == "--max-time") {
            a.max_time_ps = parse_time_flag(arg, value(i, arg));
        } else if (arg == "--dtb") {
            a.dtb = value(i, arg);
        } else if (arg == "--dump-dtb") {
            a.dump_dtb = value(i, arg);
        } else if (arg == "--uart") {
            a.uart = value(i, arg);
        } else if (arg == "--vcd") {
            a.vcd = value(i, arg);
        } else if (arg == "--gdb") {
            const std::string v = value(i, arg);
            char* end = nullptr;
            errno = 0;
            const unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0' || errno != 0 || v[0] == '-' || v[0] == '+' || n > 65535)
                throw ArgError("--gdb '" + tlm::printable(v) + "': expected a TCP port, 0..65535 (0: any free port)");
            a.gdb_port = static_cast<long>(n);
        } else if (arg == "--trace") {
            a.trace = value(i, arg);
        } else if (arg == "--quiet") {
            a.quiet = true;
        } else if (!arg.empty() && arg[0] == '-') {
            throw ArgError("unknown option '" + tlm::printable(arg) + "' for 'boot' (vgic-sim boot --help)");
        } else if (a.image.empty()) {
            a.image = arg;
        } else {
            throw ArgError("unexpected argument '" + tlm::printable(arg) + "' (one image per run)");
        }
    }
    if (a.image.empty() && a.dump_dtb.empty()) throw ArgError("'boot' needs an IMAGE (vgic-sim boot --help)");
    if (!a.dtb.empty() && !a.dump_dtb.empty()) throw ArgError("--dtb and --dump-dtb exclude each other");
    return a;
}

/// Writes what `fill` puts into a stream to `path` through the project's checked output file
/// (every write and the close checked, errno kept); on failure removes the file, so no output
/// looks complete that is not, and returns the reason ("" when written).
template <class Fill>
std::string write_output(const std::string& path, Fill fill) {
    try {
        tlm::OutputFile file(path);
        std::ostream os(&file);
        fill(os);
        os.flush();
        if (file.close()) return "";
        const std::string why = std::strerror(file.error_number());
        // Only a regular file is removed: `--trace /dev/full` must never unlink the device.
        struct stat st {};
        if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) std::remove(path.c_str());
        return why;
    } catch (const tlm::OutputError& e) {
        return e.what();
    }
}

std::string format_ps(std::uint64_t ps) { return tlm::format_time(ps); }

} // namespace

int boot_command(int argc, char** argv) {
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            usage(stdout);
            return 0;
        }
    }
    BootArgs args;
    tlm::TimingProfile timing;
    tlm::HypervisorProfile hypervisor;
    try {
        args = parse_args(argc, argv);
        timing = tlm::load_timing_profile(args.timing);
        if (args.mode == tlm::Mode::Vm) hypervisor = tlm::load_hypervisor_profile(args.hypervisor);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vgic-sim boot: %s\n", e.what());
        return 2;
    }

    boot::BoardDescription desc;
    desc.cpus = args.cpus;
    desc.gic = args.gic;
    desc.vm_mode = args.mode == tlm::Mode::Vm;
    desc.ram_base = VGIC_BOARD_RAM_BASE;
    desc.ram_size = args.mem;
    desc.bootargs = args.append;
    std::vector<std::uint8_t> dtb;
    try {
        if (!args.dtb.empty()) {
            dtb = boot::read_image_file(args.dtb, boot::kMaxDeviceTreeSize, "DTB");
            boot::check_device_tree(dtb.data(), dtb.size(), args.dtb);
        } else {
            dtb = boot::make_device_tree(desc);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vgic-sim boot: %s\n", e.what());
        return 2;
    }
    if (!args.dump_dtb.empty()) {
        const std::string why = write_output(args.dump_dtb, [&](std::ostream& os) {
            os.write(reinterpret_cast<const char*>(dtb.data()), static_cast<std::streamsize>(dtb.size()));
        });
        if (!why.empty()) {
            std::fprintf(stderr, "vgic-sim boot: --dump-dtb '%s': cannot write: %s\n", tlm::printable(args.dump_dtb).c_str(),
                         why.c_str());
            return 2;
        }
        return 0;
    }

    std::vector<std::uint8_t> image;
    try {
        image = boot::read_image_file(args.image, args.mem);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vgic-sim boot: %s\n", e.what());
        return 2;
    }

    // --gdb: listen before anything else is set up, so a port in use fails fast (status 2).
    std::unique_ptr<boot::GdbStub> gdb;
    if (args.gdb_port >= 0) {
        try {
            gdb = std::make_unique<boot::GdbStub>(static_cast<unsigned>(args.gdb_port));
        } catch (const std::exception& e) {
            std::fprintf(stderr, "vgic-sim boot: %s\n", e.what());
            return 2;
        }
    }

    std::FILE* uart = stdout;
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> uart_file(nullptr, &std::fclose);
    if (!args.uart.empty()) {
        uart_file.reset(std::fopen(args.uart.c_str(), "w"));
        if (!uart_file) {
            std::fprintf(stderr, "vgic-sim boot: --uart '%s': cannot write: %s\n", tlm::printable(args.uart).c_str(),
                         std::strerror(errno));
            return 2;
        }
        uart = uart_file.get();
    }
    if (!args.vcd.empty()) {
        const std::string out = vcd_file(args.vcd);
        if (const std::string why = unwritable_reason(out); !why.empty()) {
            std::fprintf(stderr, "vgic-sim boot: --vcd '%s': cannot write %s: %s\n", tlm::printable(args.vcd).c_str(),
                         out.c_str(), why.c_str());
            return 2;
        }
    }

    // Guest mistakes the model reports (bad accesses, UNPREDICTABLE writes) are counted in its
    // diagnostics, not printed one by one.
    sc_core::sc_report_handler::set_actions("vgic/access", sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions("vgic/guest", sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);

    boot::BoardConfig cfg;
    cfg.cpus = args.cpus;
    cfg.gic = args.gic;
    cfg.mode = args.mode;
    cfg.ram_size = args.mem;
    cfg.timing = timing;
    cfg.hypervisor = hypervisor;
    cfg.quantum = tlm::Vgic::ps(args.quantum_ps);
    cfg.wfi_traps = args.wfi_traps;
    cfg.uart = uart;
    std::unique_ptr<boot::Board> board;
    boot::LoadedImage loaded{};
    std::uint64_t dtb_address = 0;
    try {
        board = std::make_unique<boot::Board>("board", cfg);
        loaded = boot::load_image(image.data(), image.size(), args.image, board->ram(), board->ram_base(), board->ram_size());
        dtb_address = boot::device_tree_address(board->ram_base(), board->ram_size(), dtb.size(), loaded.load_begin,
                                                loaded.load_end);
        std::memcpy(board->ram() + (dtb_address - board->ram_base()), dtb.data(), dtb.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vgic-sim boot: %s\n", e.what());
        return 2;
    }
    board->boot(loaded.entry, dtb_address);

    // The project's VCD writer: every write checked, a failure pauses the run and is reported.
    std::unique_ptr<tlm::VcdWriter> vcd;
    std::unique_ptr<tlm::VcdTrace> trace;
    if (!args.vcd.empty()) {
        try {
            vcd = std::make_unique<tlm::VcdWriter>(vcd_file(args.vcd));
        } catch (const tlm::OutputError& e) {
            std::fprintf(stderr, "vgic-sim boot: --vcd: %s\n", e.what());
            return 2;
        }
        trace = std::make_unique<tlm::VcdTrace>(*vcd);
        // One scope per (v)CPU, `gic.cpu<i>` (hw) or `gic.vcpu<i>` (vm), holding its GIC lines
        // that can change in the mode and its timer's (vgic/tlm/vcd_trace.hpp, trace_cpus).
        tlm::trace_cpus(*trace, board->gic(), &board->timer(), "gic");
    }

    if (gdb) {
        // The stub holds the simulation (all-stop) inside CPU threads; `k` ends the run.
        std::vector<boot::IssCpu*> cpus;
        for (const auto& c : board->cpus()) cpus.push_back(c.get());
        boot::Board* b = board.get();
        gdb->attach(std::move(cpus), [b](boot::IssCpu& cpu, int status, const std::string& why) {
            b->finish(status, why, sc_core::sc_time_stamp() + cpu.local_time());
        });
        std::fprintf(stderr, "vgic-sim boot: waiting for GDB on 127.0.0.1:%u (gdb-multiarch -ex 'target remote :%u')\n",
                     gdb->port(), gdb->port());
        std::fflush(stderr);
        std::string why;
        if (!gdb->accept_client(why)) {
            std::fprintf(stderr, "vgic-sim boot: --gdb: cannot accept a connection: %s\n", why.c_str());
            return 2;
        }
    }

    if (!args.trace.empty()) {
        if (const std::string why = unwritable_reason(args.trace); !why.empty()) {
            std::fprintf(stderr, "vgic-sim boot: --trace '%s': cannot write: %s\n", tlm::printable(args.trace).c_str(),
                         why.c_str());
            return 2;
        }
        board->enable_trace(args.image);
    }

    const auto wall_start = std::chrono::steady_clock::now();
    sc_core::sc_start(tlm::Vgic::ps(args.max_time_ps), sc_core::SC_EXIT_ON_STARVATION);
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    std::uint64_t now_ps = tlm::time_ps(sc_core::sc_time_stamp());

    int status = 0;
    std::string reason, detail;
    const boot::BoardOutcome& out = board->outcome();
    if (out.ended) {
        status = out.status;
        reason = out.reason;
        now_ps = tlm::time_ps(out.at);
        detail = out.detail;
    } else if (now_ps >= args.max_time_ps || sc_core::sc_pending_activity()) {
        status = 124;
        reason = "--max-time " + format_ps(args.max_time_ps) + " ran out";
    } else {
        status = 3;
        reason = board->all_cpus_waiting()
                     ? "deadlock: every CPU waits (WFI or off) and nothing is left that could wake one"
                     : "the simulation ran out of events while a CPU was neither waiting nor off (a platform error)";
        for (const auto& c : board->cpus())
            if (c->powered()) detail += c->register_dump();
    }
    if (gdb) gdb->run_ended(status);
    if (vcd != nullptr && !vcd->close(tlm::time_ps(sc_core::sc_time_stamp()))) {
        std::fprintf(stderr, "vgic-sim boot: --vcd: %s\n",
                     tlm::OutputError(vcd->file().name(), vcd->file().error_number()).what());
        status = 2;
    }
    if (const boot::InterruptTrace* t = board->interrupt_trace()) {
        // All or nothing: a trace that could not be written completely is removed.
        const std::string why =
            write_output(args.trace, [&](std::ostream& os) { run::write_chrome_trace(os, t->record(now_ps)); });
        if (!why.empty()) {
            std::fprintf(stderr, "vgic-sim boot: --trace '%s': cannot write: %s\n", tlm::printable(args.trace).c_str(),
                         why.c_str());
            if (status == 0) status = 2;
        }
    }
    if (uart_file && std::fflush(uart_file.get()) != 0) {
        std::fprintf(stderr, "vgic-sim boot: --uart '%s': %s\n", tlm::printable(args.uart).c_str(), std::strerror(errno));
        if (status == 0) status = 2;
    }
    std::fflush(stdout);

    if (status == 3 || !args.quiet) {
        std::fprintf(stderr, "vgic-sim boot: %s\n", reason.c_str());
        if (!detail.empty()) std::fprintf(stderr, "%s", detail.c_str());
    }
    if (!args.quiet) {
        std::uint64_t total = 0;
        for (const auto& c : board->cpus()) total += c->stats().instructions;
        std::fprintf(stderr, "summary: %s, GIC%s %s mode, %u CPU%s, quantum %s, timing %s%s\n",
                     boot::to_string(loaded.kind), args.gic == GicVersion::V3 ? "v3" : "v2",
                     args.mode == tlm::Mode::Vm ? "vm" : "hw", args.cpus, args.cpus == 1 ? "" : "s",
                     format_ps(args.quantum_ps).c_str(), timing.name.c_str(),
                     args.mode == tlm::Mode::Vm ? (", hypervisor " + hypervisor.name).c_str() : "");
        std::fprintf(stderr, "  simulated time %s, guest instructions %" PRIu64 ", wall %.3f s, %.1f M instructions/s\n",
                     format_ps(now_ps).c_str(), total, wall, wall > 0 ? static_cast<double>(total) / wall / 1e6 : 0.0);
        std::fprintf(stderr, "  %-5s %14s %8s %8s %8s %10s %10s\n", "cpu", "instructions", "irqs", "fiqs", "wfis",
                     "mmio", "sysregs");
        for (const auto& c : board->cpus()) {
            const boot::CpuStats& s = c->stats();
            std::fprintf(stderr, "  cpu%-2u %14" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
                         c->index(), s.instructions, s.irqs_taken, s.fiqs_taken, s.wfis, s.mmio_accesses,
                         s.sysreg_accesses);
        }
        // Interrupts are taken at synchronisation points (docs/BOOT.md, "Latency bound").
        std::fprintf(stderr, "  interrupt entry: at most one quantum (%s) plus one translation block after the line rises\n",
                     format_ps(args.quantum_ps).c_str());
        if (const boot::InterruptTrace* t = board->interrupt_trace()) {
            // Assertion -> the IAR read's completion (docs/REPORTS.md's to_iar), per class.
            std::fprintf(stderr, "  %-11s %8s %9s %10s %10s %10s\n", "latency", "handled", "coalesced", "min", "mean",
                         "max");
            const auto stats = t->stats();
            for (unsigned k = 0; k < stats.size(); ++k) {
                const auto& s = stats[k];
                if (s.handled == 0 && s.coalesced == 0 && s.pending == 0) continue;
                const std::string mean = s.handled ? format_ps(s.sum_ps / s.handled) : "-";
                std::fprintf(stderr, "  %-11s %8" PRIu64 " %9" PRIu64 " %10s %10s %10s%s\n",
                             run::irq_class_name(static_cast<run::IrqClass>(k)), s.handled, s.coalesced,
                             s.handled ? format_ps(s.min_ps).c_str() : "-", mean.c_str(),
                             s.handled ? format_ps(s.max_ps).c_str() : "-",
                             s.pending ? (", " + std::to_string(s.pending) + " never acknowledged").c_str() : "");
            }
            if (t->unmatched_acks() != 0)
                std::fprintf(stderr, "  %" PRIu64 " acknowledgements without a traced assertion (e.g. ISPENDR, a level "
                             "re-taken after EOI): their latency counts from the IAR\n", t->unmatched_acks());
            if (t->truncated())
                std::fprintf(stderr, "  the trace stopped recording after %zu records\n", boot::InterruptTrace::kMaxRecords);
        }
        if (board->intgen_bad_intids() != 0)
            std::fprintf(stderr, "  interrupt generator: %" PRIu64 " stores named an INTID that is not an SPI (ignored)\n",
                         board->intgen_bad_intids());
        for (std::uint32_t op : board->unsupported_semihosting())
            std::fprintf(stderr, "  semihosting operation 0x%02x is not implemented (returned -1)\n", op);
    }
    return status;
}

} // namespace vgic::sim
