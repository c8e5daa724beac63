// SPDX-License-Identifier: Apache-2.0
#include "sim/run_command.hpp"

#include "run/outputs.hpp"
#include "run/platform.hpp"
#include "run/report.hpp"
#include "run/scenario.hpp"
#include "vgic/tlm/duration.hpp"
#include "vgic/tlm/input.hpp"

#include <systemc>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

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
                 "  --seed N           override the scenario's seed (Poisson sources, variation draws)\n"
                 "  --max-events N     the work limit (default 50000000): a run whose estimated\n"
                 "                     interrupts + 1000 x vCPUs exceed it is refused before it starts\n"
                 "  --max-trace-events N  trace.json keeps the first N vCPU-state and interrupt events\n"
                 "                     (default 2000000; report.json says how many were dropped)\n"
                 "  --variation        draw every parameter that has a spread (the scenario's\n"
                 "                     `variation: true`; docs/TIMING.md \"Spread\")\n"
                 "  --no-vcd           do not write the waveform (waves.vcd, waves.gtkw)\n"
                 "  --no-plot          do not plot latency distributions\n"
                 "  --progress         progress on stderr even when it is not a terminal (a line each)\n"
                 "  --no-progress      no progress bar (shown when stderr is a terminal)\n"
                 "  --quiet            no summary table on stdout\n"
                 "  --max-input-size SIZE  the most bytes the scenario and its profile files may hold,\n"
                 "                     e.g. 64MiB (default 16MiB, or VGIC_MAX_INPUT_SIZE)\n"
                 "writes: report.json, latency.csv, trace.json (Perfetto), waves.vcd + waves.gtkw,\n"
                 "latency.svg (gnuplot) into the output directory, all or nothing: under temporary\n"
                 "names, renamed when complete, report.json last (listing each file's size and SHA-256);\n"
                 "the earlier run's outputs there are removed first\n"
                 "SIGINT/SIGTERM: stop at the next event, write the outputs (report.json \"complete\":\n"
                 "false) and exit 130/143; a second one quits at once, leaving only temporaries\n"
                 "exit status: 0 ok, 1 calibration outside tolerance or guest errors, 2 bad input or an\n"
                 "output that cannot be written, 130/143 stopped by SIGINT/SIGTERM\n");
}

/// A one-line bar on stderr: "[#####.....] 50% 0.5 s / 1 s simulated", once the run has
/// taken half a second of wall time (short runs stay quiet). With --progress (g_progress_lines)
/// from the start, one line per update: a log or a test reads them as they come (the first one
/// is drawn at simulated time 0, once the simulation runs).
std::chrono::steady_clock::time_point g_run_start;
bool g_progress_shown = false;
bool g_progress_lines = false;
void draw_progress(std::uint64_t now, std::uint64_t end) {
    if (!g_progress_lines && !g_progress_shown &&
        std::chrono::steady_clock::now() - g_run_start < std::chrono::milliseconds(500))
        return;
    g_progress_shown = true;
    const int width = 40;
    const double f = end == 0 ? 1.0 : static_cast<double>(now) / static_cast<double>(end);
    const int filled = static_cast<int>(f * width + 0.5);
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.append(static_cast<std::size_t>(width - filled), '.');
    std::fprintf(stderr, g_progress_lines ? "[%s] %3d%% %s / %s simulated\n" : "\r[%s] %3d%% %s / %s simulated",
                 bar.c_str(), static_cast<int>(f * 100 + 0.5), tlm::format_time(now).c_str(),
                 tlm::format_time(end).c_str());
    std::fflush(stderr);
}

// ---- SIGINT / SIGTERM ------------------------------------------------------------------------
//
// The handler only does what is async-signal-safe: it records the signal, writes a fixed
// message and one byte into a pipe. A helper thread reads the byte and asks the platform to
// stop (StopRequest takes a lock and SystemC's async_request_update: not for a handler). The
// simulation pauses at its next delta cycle, the outputs are written as usual (report.json
// "complete": false) and the exit status is 128 + the signal. A second signal _exit()s at
// once with that status: what is on disk then are temporaries (`.vgic-tmp.*`), which the next
// run removes; the commit's renames hold the signals (outputs.cpp), so it never finds half a
// set of final names.

volatile std::sig_atomic_t g_stop_signal = 0;
volatile std::sig_atomic_t g_stop_pipe = -1;  // write end, -1 once closed

extern "C" void on_stop_signal(int sig) {
    const int saved_errno = errno;
    if (g_stop_signal != 0) _exit(128 + sig);
    g_stop_signal = sig;
    static const char term[] =
        "vgic-sim: SIGTERM: stopping at the next event and writing the outputs (again: quit at once)\n";
    static const char intr[] =
        "vgic-sim: SIGINT: stopping at the next event and writing the outputs (again: quit at once)\n";
    const char* msg = sig == SIGTERM ? term : intr;
    const std::size_t len = sig == SIGTERM ? sizeof term - 1 : sizeof intr - 1;
    if (::write(STDERR_FILENO, msg, len) < 0) {
        // Nothing to do about it in a handler.
    }
    const unsigned char wake = 1;
    if (g_stop_pipe >= 0 && ::write(g_stop_pipe, &wake, 1) < 0) {
        // The pipe is non-blocking: a byte already waiting is enough.
    }
    errno = saved_errno;
}

/// Installs the handlers and the helper thread for the duration of a run.
class StopOnSignals {
public:
    explicit StopOnSignals(run::StopRequest& stop) {
        if (::pipe2(pipe_, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        ::fcntl(pipe_[1], F_SETFL, O_NONBLOCK);
        // The thread starts with the signals blocked, so that the handler always runs on the
        // main thread (the simulation's), never on the reader.
        sigset_t both, old;
        sigemptyset(&both);
        sigaddset(&both, SIGINT);
        sigaddset(&both, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &both, &old);
        reader_ = std::thread([this, &stop] {
            unsigned char b = 0;
            for (;;) {
                const ssize_t n = ::read(pipe_[0], &b, 1);
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0 || b == 0) return;  // closed, or the run is over
                stop.request();
            }
        });
        g_stop_pipe = pipe_[1];
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sa.sa_mask = both;          // one handler at a time: the second signal sees the first
        sa.sa_flags = SA_RESTART;   // writes and reads go on (OutputFile retries EINTR anyway)
        sigaction(SIGINT, &sa, nullptr);
        sigaction(SIGTERM, &sa, nullptr);
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
    /// Ends the helper thread; the handlers stay (a second signal still quits at once).
    ~StopOnSignals() {
        sigset_t both, old;
        sigemptyset(&both);
        sigaddset(&both, SIGINT);
        sigaddset(&both, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &both, &old);  // the handler must not use the pipe meanwhile
        g_stop_pipe = -1;
        const unsigned char quit = 0;
        if (::write(pipe_[1], &quit, 1) < 0) {
            // Cannot happen: the pipe holds at most one byte per signal, far below its capacity.
        }
        reader_.join();
        ::close(pipe_[0]);
        ::close(pipe_[1]);
        pthread_sigmask(SIG_SETMASK, &old, nullptr);
    }
    StopOnSignals(const StopOnSignals&) = delete;
    StopOnSignals& operator=(const StopOnSignals&) = delete;

private:
    int pipe_[2] = {-1, -1};
    std::thread reader_;
};

const char* signal_name(int sig) { return sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal"; }

} // namespace

int run_command(int argc, char** argv) {
    std::string file, out_dir;
    std::optional<std::string> duration;  // given, even if empty: '' is refused, not ignored
    bool vcd = true, plot = true, progress = isatty(STDERR_FILENO) != 0, quiet = false;
    bool out_given = false;
    std::optional<std::string> seed;
    std::optional<std::string> max_events_text;
    std::optional<std::string> max_trace_text;
    std::uint64_t max_trace_events = run::StreamingReports::kDefaultMaxTraceEvents;
    bool variation = false;
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
            out_given = !out_dir.empty();  // '' keeps the default (traces/<name>), as before
        } else if (a == "--duration") {
            const char* v = value("a time, e.g. 100ms");
            if (v == nullptr) return 2;
            duration = v;
        } else if (a == "--seed") {
            const char* v = value("a seed, a whole number from 0 to 18446744073709551615");
            if (v == nullptr) return 2;
            seed = v;
        } else if (a == "--max-events") {
            const char* v = value("a number of events, e.g. 200000000");
            if (v == nullptr) return 2;
            max_events_text = v;
        } else if (a == "--max-trace-events") {
            const char* v = value("a number of events, e.g. 10000000");
            if (v == nullptr) return 2;
            max_trace_text = v;
        } else if (a == "--variation") {
            variation = true;
        } else if (a == "--no-vcd") {
            vcd = false;
        } else if (a == "--no-plot") {
            plot = false;
        } else if (a == "--progress") {
            progress = true;
            g_progress_lines = isatty(STDERR_FILENO) == 0;
        } else if (a == "--no-progress") {
            progress = false;
            g_progress_lines = false;
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
        // Digits only (no sign, no space, no base prefix, no exponent), and no wrap-around.
        auto whole_number = [](const std::string& t, std::uint64_t& v) {
            v = 0;
            if (t.empty()) return false;
            for (char ch : t) {
                if (ch < '0' || ch > '9' || v > (~std::uint64_t{0} - static_cast<unsigned>(ch - '0')) / 10) return false;
                v = v * 10 + static_cast<unsigned>(ch - '0');
            }
            return true;
        };
        if (seed && !whole_number(*seed, s.seed)) {
            std::fprintf(stderr, "vgic-sim: --seed '%s': expected a whole number from 0 to 18446744073709551615\n",
                         tlm::printable(*seed).c_str());
            return 2;
        }
        if (variation) s.variation = true;
        std::uint64_t max_events = run::kDefaultMaxEvents;
        if (max_events_text && (!whole_number(*max_events_text, max_events) || max_events == 0)) {
            std::fprintf(stderr, "vgic-sim: --max-events '%s': expected a whole number from 1 to 18446744073709551615\n",
                         tlm::printable(*max_events_text).c_str());
            return 2;
        }
        if (max_trace_text && !whole_number(*max_trace_text, max_trace_events)) {
            std::fprintf(stderr, "vgic-sim: --max-trace-events '%s': expected a whole number from 0 to 18446744073709551615\n",
                         tlm::printable(*max_trace_text).c_str());
            return 2;
        }
        // The work limit after the overrides: --duration changes the estimate.
        try {
            run::check_work(s, max_events);
        } catch (const run::ScenarioError& e) {
            const std::string from =
                duration ? " (the duration of --duration '" + tlm::printable(*duration) + "')" : std::string();
            std::fprintf(stderr, "%s%s\n", e.what(), from.c_str());
            return 2;
        }
    } catch (const run::ScenarioError& e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 2;
    }
    for (const std::string& w : s.warnings) std::fprintf(stderr, "vgic-sim: warning: %s\n", w.c_str());
    if (out_dir.empty()) out_dir = "traces/" + s.name;

    // The output directory before anything runs: created, checked writable, and emptied of
    // the earlier run's outputs (outputs.hpp), so that a run that fails later leaves nothing
    // that looks like a result.
    const std::string out_flag = out_given ? "--out '" + out_dir + "': " : std::string();
    std::unique_ptr<run::OutputDir> out;
    try {
        out = std::make_unique<run::OutputDir>(out_dir);
        out->remove_previous();
    } catch (const run::OutputError& e) {
        std::fprintf(stderr, "vgic-sim: %s%s\n", out_flag.c_str(), e.what());
        return 2;
    }

    run::StopRequest stop;
    StopOnSignals signals(stop);
    run::PlatformOptions opt;
    if (vcd) {
        opt.vcd_path = out->temp_path("waves.vcd");
        opt.vcd_name = out->path("waves.vcd");
        opt.vcd_exclusive = true;
        out->track("waves.vcd");
    }
    opt.stop = &stop;
    if (progress) opt.progress = draw_progress;
    // latency.csv and trace.json are written as the run goes and the records freed: memory
    // does not grow with the run's length (docs/REPORTS.md "Memory").
    run::StreamingReports streamed(*out, s, max_trace_events);
    opt.sink = &streamed;
    run::RunRecord r;
    const auto t0 = std::chrono::steady_clock::now();
    g_run_start = t0;
    try {
        r = run::run_platform(s, opt);
    } catch (const std::exception& e) {
        if (g_progress_shown && !g_progress_lines) std::fprintf(stderr, "\n");
        std::fprintf(stderr, "vgic-sim: %s\n", e.what());
        return 2;  // `out` removes the temporaries
    }
    r.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!r.complete && g_stop_signal != 0) r.stopped_by = signal_name(g_stop_signal);
    if (progress && g_progress_shown && r.complete) {
        draw_progress(r.simulated_ps, s.duration_ps);
        if (!g_progress_lines) std::fprintf(stderr, "\n");
    } else if (g_progress_shown && !g_progress_lines) {
        std::fprintf(stderr, "\n");
    }
    const run::Summary sum = streamed.summary(r);
    r.trace_events = streamed.trace_events();
    r.trace_dropped = streamed.trace_dropped();
    r.trace_cap = streamed.max_trace_events();
    std::vector<std::string> files;
    run::PlotOutcome plot_outcome;
    try {
        files = run::write_reports(*out, r, sum, plot, &plot_outcome, &streamed);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vgic-sim: %s\n", e.what());
        return 2;
    }
    if (!quiet) run::print_summary(std::cout, r, sum);
    if (plot && !plot_outcome.written) std::cout << "plot: " << plot_outcome.message << std::endl;
    std::cout << "outputs in " << out_dir << "/:";
    for (const std::string& f : files) std::cout << ' ' << f.substr(f.rfind('/') + 1);
    std::cout << std::endl;
    if (g_stop_signal != 0) return 128 + g_stop_signal;
    bool guest_errors = false;
    for (const run::VmRecord& vm : r.vms) guest_errors |= !vm.guest_errors.empty() || vm.bad_accesses != 0;
    if (guest_errors) return 1;
    if (sum.calibration.present && !sum.calibration.passed()) return 1;
    return 0;
}

} // namespace vgic::sim
