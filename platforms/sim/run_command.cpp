#include "sim/run_command.hpp"

#include "run/platform.hpp"
#include "run/report.hpp"
#include "run/scenario.hpp"
#include "vgic/tlm/duration.hpp"

#include <systemc>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

namespace vgic::sim {

namespace {

void run_usage(std::FILE* f) {
    std::fprintf(f,
                 "usage: vgic-sim run [SCENARIO.yaml] [options]\n"
                 "  SCENARIO.yaml      the scenario (docs/SCENARIO.md); none: the built-in default\n"
                 "                     (platforms/scenarios/default.yaml)\n"
                 "  --out DIR          output directory (default traces/<scenario name>)\n"
                 "  --duration TIME    override the scenario's duration, e.g. 100ms (what the scenario's\n"
                 "                     duration key accepts: ps, ns, us, ms or s, > 0, at most 1 hour)\n"
                 "  --no-vcd           do not write the waveform (waves.vcd, waves.gtkw)\n"
                 "  --no-plot          do not plot latency distributions\n"
                 "  --no-progress      no progress bar (shown when stderr is a terminal)\n"
                 "  --quiet            no summary table on stdout\n"
                 "  --max-input-size SIZE  the most bytes the scenario and its profile files may hold,\n"
                 "                     e.g. 64MiB (default 16MiB, or VGIC_MAX_INPUT_SIZE)\n"
                 "writes: report.json, latency.csv, trace.json (Perfetto), waves.vcd + waves.gtkw,\n"
                 "latency.svg (gnuplot) into the output directory\n"
                 "exit status: 0 ok, 1 calibration outside tolerance or guest errors, 2 bad input\n");
}

/// A one-line bar on stderr: "[#####.....] 50% 0.5 s / 1 s simulated", once the run has
/// taken half a second of wall time (short runs stay quiet).
std::chrono::steady_clock::time_point g_run_start;
bool g_progress_shown = false;
void draw_progress(std::uint64_t now, std::uint64_t end) {
    if (!g_progress_shown && std::chrono::steady_clock::now() - g_run_start < std::chrono::milliseconds(500)) return;
    g_progress_shown = true;
    const int width = 40;
    const double f = end == 0 ? 1.0 : static_cast<double>(now) / static_cast<double>(end);
    const int filled = static_cast<int>(f * width + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    std::fprintf(stderr, "\r[%s] %3d%% %s / %s simulated", bar.c_str(), static_cast<int>(f * 100 + 0.5),
                 tlm::format_time(now).c_str(), tlm::format_time(end).c_str());
    std::fflush(stderr);
}

} // namespace

int run_command(int argc, char** argv) {
    std::string file, out_dir;
    std::optional<std::string> duration;  // given, even if empty: '' is refused, not ignored
    bool vcd = true, plot = true, progress = isatty(STDERR_FILENO) != 0, quiet = false;
    for (int i = 2; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&](const char* what) -> const char* {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "vgic-sim: %s needs %s\n", a.c_str(), what);
                return nullptr;
            }
            return argv[++i];
        };
        if (a == "--out") {
            const char* v = value("a directory");
            if (v == nullptr) return 2;
            out_dir = v;
        } else if (a == "--duration") {
            const char* v = value("a time, e.g. 100ms");
            if (v == nullptr) return 2;
            duration = v;
        } else if (a == "--no-vcd") {
            vcd = false;
        } else if (a == "--no-plot") {
            plot = false;
        } else if (a == "--no-progress") {
            progress = false;
        } else if (a == "--quiet") {
            quiet = true;
        } else if (a == "-h" || a == "--help") {
            run_usage(stdout);
            return 0;
        } else if (!a.empty() && a[0] == '-') {
            std::fprintf(stderr, "vgic-sim: unknown option '%s' for 'run'\n", a.c_str());
            run_usage(stderr);
            return 2;
        } else if (file.empty()) {
            file = a;
        } else {
            std::fprintf(stderr, "vgic-sim: unexpected argument '%s' (one scenario per run)\n", a.c_str());
            return 2;
        }
    }
    run::Scenario s;
    try {
        s = file.empty() ? run::default_scenario() : run::load_scenario(file);
        if (duration) {
            // Exactly what the scenario's `duration` key accepts (test run.duration).
            try {
                s.duration_ps = tlm::parse_duration_ps(*duration);
            } catch (const std::invalid_argument& e) {
                std::fprintf(stderr, "vgic-sim: --duration '%s': %s\n", duration->c_str(), e.what());
                return 2;
            }
        }
    } catch (const run::ScenarioError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    for (const std::string& w : s.warnings) std::fprintf(stderr, "vgic-sim: warning: %s\n", w.c_str());
    if (out_dir.empty()) out_dir = "traces/" + s.name;

    run::PlatformOptions opt;
    if (vcd) opt.vcd_path = out_dir + "/waves.vcd";
    if (progress) opt.progress = draw_progress;
    run::RunRecord r;
    const auto t0 = std::chrono::steady_clock::now();
    g_run_start = t0;
    try {
        std::error_code ec;
        std::filesystem::create_directories(out_dir, ec);
        if (ec) throw std::runtime_error("cannot create the output directory " + out_dir + ": " + ec.message());
        r = run::run_platform(s, opt);
    } catch (const std::exception& e) {
        if (g_progress_shown) std::fprintf(stderr, "\n");
        std::fprintf(stderr, "vgic-sim: %s\n", e.what());
        return 2;
    }
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (progress && g_progress_shown) {
        draw_progress(r.simulated_ps, s.duration_ps);
        std::fprintf(stderr, "\n");
    }
    const run::Summary sum = run::summarize(r);
    std::vector<std::string> files;
    run::PlotOutcome plot_outcome;
    try {
        files = run::write_reports(out_dir, r, sum, plot, &plot_outcome);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vgic-sim: %s\n", e.what());
        return 2;
    }
    if (!quiet) run::print_summary(std::cout, r, sum);
    if (plot && !plot_outcome.written) std::cout << "plot: " << plot_outcome.message << std::endl;
    std::cout << "outputs in " << out_dir << "/:";
    for (const std::string& f : files) std::cout << ' ' << f.substr(f.rfind('/') + 1);
    std::cout << std::endl;
    bool guest_errors = false;
    for (const run::VmRecord& vm : r.vms) guest_errors |= !vm.guest_errors.empty() || vm.bad_accesses != 0;
    if (guest_errors) return 1;
    if (sum.calibration.present && !sum.calibration.within_tolerance) return 1;
    return 0;
}

} // namespace vgic::sim
