// SPDX-License-Identifier: Apache-2.0
// vgic-sim: the project's simulator front end.
//   vgic-sim script FILE [--vcd FILE]   run a register-level testbench (docs/SCRIPT.md)
//   vgic-sim run [SCENARIO] [options]   the latency-study platform (docs/SCENARIO.md)
// Both take --max-input-size SIZE: the size limit of every file they read.
#include "sim/boot_command.hpp"
#include "sim/run_command.hpp"
#include "sim/script_runner.hpp"
#include "vgic/tlm/input.hpp"

#include <systemc>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>

namespace {

void usage(std::FILE* f) {
    std::fprintf(f,
                 "usage: vgic-sim run [SCENARIO.yaml] [options]   (vgic-sim run --help)\n"
                 "       vgic-sim script FILE [--vcd FILE]\n"
                 "       vgic-sim boot IMAGE [options]           (vgic-sim boot --help)\n"
                 "  run           the interrupt-latency platform; no scenario: the built-in default\n"
                 "  script FILE   run the register-level testbench FILE (see docs/SCRIPT.md)\n"
                 "  boot IMAGE    run an AArch64 image on a board with this GIC (see docs/BOOT.md)\n"
                 "  --vcd FILE    write the waveform of the run to FILE\n"
                 "  --max-input-size SIZE  (run and script) the most bytes an input file (scenario, script,\n"
                 "                timing or hypervisor profile) may hold, e.g. 64MiB; default 16MiB or\n"
                 "                the environment variable VGIC_MAX_INPUT_SIZE\n"
                 "exit status: 0 all checks passed, 1 a check failed, 2 bad command line, script or output file\n");
}

int script_command(int argc, char** argv) {
    std::string file, vcd;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--vcd") {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "vgic-sim: --vcd needs a file name\n");
                return 2;
            }
            vcd = argv[++i];
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "vgic-sim: unknown option '%s' for 'script'\n", a.c_str());
            return 2;
        } else if (file.empty()) {
            file = a;
        } else {
            std::fprintf(stderr, "vgic-sim: unexpected argument '%s' (one script per run)\n", a.c_str());
            return 2;
        }
    }
    if (file.empty()) {
        std::fprintf(stderr, "vgic-sim: 'script' needs a FILE\n");
        usage(stderr);
        return 2;
    }
    vgic::script::Script s;
    try {
        s = vgic::script::load_script(file);
        vgic::sim::validate_for_execution(s);
    } catch (const vgic::script::ScriptError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    // An output that cannot be written is a bad command line (exit 2), found before the run
    // rather than as SystemC's E701 after it.
    if (!vcd.empty()) {
        const std::string out = vgic::sim::vcd_file(vcd);
        if (const std::string why = vgic::sim::unwritable_reason(out); !why.empty()) {
            std::fprintf(stderr, "vgic-sim: --vcd '%s': cannot write %s: %s\n", vcd.c_str(), out.c_str(), why.c_str());
            return 2;
        }
    }
    // The library reports bad accesses as SystemC warnings; a testbench checks them itself.
    sc_core::sc_report_handler::set_actions("vgic/access", sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions("vgic/guest", sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    vgic::sim::ScriptOptions opt;
    opt.vcd_path = vcd;
    const vgic::sim::ScriptOutcome o = vgic::sim::run_script(s, opt, std::cout);
    if (!o.output_error.empty()) {
        std::fprintf(stderr, "vgic-sim: --vcd '%s': %s\n", vcd.c_str(), o.output_error.c_str());
        return 2;
    }
    std::cout << o.passed << " passed, " << o.failed << " failed" << std::endl;
    return o.failed == 0 ? 0 : 1;
}

/// `--max-input-size SIZE`, for every command: the limit of every input file the command reads
/// (vgic/tlm/input.hpp). Taken out of argv here, so the commands never see it. False (after
/// the message) when it is malformed.
bool take_max_input_size(int& argc, char** argv) {
    for (int i = 2; i < argc;) {
        if (std::string(argv[i]) != "--max-input-size") {
            ++i;
            continue;
        }
        if (i + 1 >= argc) {
            std::fprintf(stderr, "vgic-sim: --max-input-size needs a size, e.g. 64MiB\n");
            return false;
        }
        try {
            vgic::tlm::set_max_input_size(vgic::tlm::parse_input_size(argv[i + 1]));
        } catch (const vgic::tlm::InputError& e) {
            std::fprintf(stderr, "vgic-sim: --max-input-size '%s': %s\n", vgic::tlm::printable(argv[i + 1]).c_str(),
                         e.what());
            return false;
        }
        for (int j = i; j + 2 < argc; ++j) argv[j] = argv[j + 2];
        argc -= 2;
        argv[argc] = nullptr;
    }
    return true;
}

} // namespace

int main(int argc, char** argv) {
    // Keep stdout for the testbench's own output: no SystemC banner.
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
    return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char** argv) {
    if (argc < 2 || std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help") {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::string cmd = argv[1];
    if ((cmd == "script" || cmd == "run" || cmd == "boot") && !take_max_input_size(argc, argv)) return 2;
    if (cmd == "script") return script_command(argc, argv);
    if (cmd == "run") return vgic::sim::run_command(argc, argv);
    if (cmd == "boot") return vgic::sim::boot_command(argc, argv);
    std::fprintf(stderr, "vgic-sim: unknown command '%s'\n", cmd.c_str());
    usage(stderr);
    return 2;
}
