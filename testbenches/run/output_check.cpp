// SPDX-License-Identifier: Apache-2.0
// vgic-run-output-check: the outputs of `vgic-sim run` are all or nothing (CTest run.cli.*
// entries of testbenches/run/CMakeLists.txt; docs/RELIABILITY.md, round two: D02, D04, D05).
//
//   vgic-run-output-check unwritable VGIC_SIM OUT REASON [FLAGS...]
//       `vgic-sim run --out OUT --duration 3600s FLAGS` must exit 2 within 30 s (before
//       simulating: an hour of simulated time takes minutes) with exactly
//       "vgic-sim: --out 'OUT': cannot write OUT: REASON".
//   vgic-run-output-check complete VGIC_SIM DIR
//       a run over an earlier one's outputs: exit 0, "complete": true, every file listed with
//       its size and SHA-256 (waves.vcd included), nothing else in DIR, nothing stale.
//   vgic-run-output-check full VGIC_SIM DIR SHIM FILE
//       after a complete run in DIR, a run whose writes to FILE fail with ENOSPC after 4 KiB
//       (LD_PRELOAD=SHIM, fault_shim.cpp) must exit 2 naming DIR/FILE and "No space left on
//       device", and leave none of the outputs (new or earlier) and no temporary.
//   vgic-run-output-check signal VGIC_SIM DIR SIGNAL
//       after a complete run in DIR, a run is sent SIGNAL (INT or TERM) once its first progress
//       line is out: exit 128 + SIGNAL, report.json "complete": false, every listed file as
//       listed, nothing else (no temporary, nothing of the earlier run).
//   vgic-run-output-check signal-twice VGIC_SIM DIR SHIM SIGNAL
//       the same, and a second SIGNAL while the run is provably writing trace.json (the shim
//       stalls it): exit 128 + SIGNAL, only temporaries left and none of the earlier outputs;
//       the next run removes the temporaries.
// No sleeps: every step waits for a line the run prints, with a deadline.
#include "run/outputs.hpp"
#include "run/sha256.hpp"

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void fail(const std::string& why) {
    std::cerr << "FAIL: " << why << "\n";
    std::exit(1);
}

std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

/// A vgic-sim process with its stdout and stderr read through pipes.
class Child {
public:
    Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {}) {
        int out[2], err[2];
        if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) fail("pipe");
        pid_ = fork();
        if (pid_ < 0) fail("fork");
        if (pid_ == 0) {
            dup2(out[1], 1);
            dup2(err[1], 2);
            for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
            std::vector<char*> args;
            for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        close(out[1]);
        close(err[1]);
        out_ = out[0];
        err_ = err[0];
        command_ = argv[0];
        for (std::size_t i = 1; i < argv.size(); ++i) command_ += " " + argv[i];
    }
    ~Child() {
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        if (out_ >= 0) close(out_);
        if (err_ >= 0) close(err_);
    }

    /// Reads until stderr has a line containing `needle` (true) or the process closed its
    /// outputs or the deadline passed (false).
    /// Waits until stderr holds `needle` anywhere, in lines already looked at too.
    bool wait_for_stderr_text(const std::string& needle, double seconds) {
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        for (;;) {
            if (stderr_.find(needle) != std::string::npos) return true;
            if (!pump(deadline)) return false;
        }
    }

    bool wait_for_stderr_line(const std::string& needle, double seconds) {
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        for (;;) {
            for (auto nl = stderr_.find('\n', scanned_); nl != std::string::npos; nl = stderr_.find('\n', scanned_)) {
                const bool hit = stderr_.substr(scanned_, nl - scanned_).find(needle) != std::string::npos;
                scanned_ = nl + 1;
                if (hit) return true;
            }
            if (!pump(deadline)) return false;
        }
    }

    /// Waits for the exit (SIGKILL at the deadline: a failure). Returns the wait status.
    int wait_exit(double seconds) {
        const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
        while (pump(deadline)) {
        }
        if (Clock::now() >= deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status_, 0);
            reaped_ = true;
            fail("'" + command_ + "' still running after " + std::to_string(seconds) + " s\nstderr: " + stderr_);
        }
        waitpid(pid_, &status_, 0);
        reaped_ = true;
        return status_;
    }

    void signal(int sig) { kill(pid_, sig); }
    const std::string& out() const { return stdout_; }
    const std::string& err() const { return stderr_; }
    const std::string& command() const { return command_; }

private:
    /// Reads what is available; false once both pipes are closed or the deadline passed.
    bool pump(Clock::time_point deadline) {
        if (out_ < 0 && err_ < 0) return false;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return false;
        pollfd fds[2];
        int n = 0;
        if (out_ >= 0) fds[n++] = {out_, POLLIN, 0};
        if (err_ >= 0) fds[n++] = {err_, POLLIN, 0};
        const int r = poll(fds, static_cast<nfds_t>(n), static_cast<int>(left));
        if (r < 0 && errno == EINTR) return true;
        if (r <= 0) return false;  // the deadline, or poll failed
        for (int i = 0; i < n; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            char buf[4096];
            const ssize_t got = read(fds[i].fd, buf, sizeof buf);
            std::string& into = fds[i].fd == out_ ? stdout_ : stderr_;
            if (got > 0) {
                into.append(buf, static_cast<std::size_t>(got));
            } else {
                close(fds[i].fd);
                (fds[i].fd == out_ ? out_ : err_) = -1;
            }
        }
        return true;
    }

    pid_t pid_ = -1;
    int out_ = -1, err_ = -1;
    int status_ = 0;
    bool reaped_ = false;
    std::string stdout_, stderr_, command_;
    std::size_t scanned_ = 0;
};

std::string describe_status(int status) {
    if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
    return "status " + std::to_string(status);
}

void expect_exit(const Child& c, int status, int code) {
    if (!WIFEXITED(status) || WEXITSTATUS(status) != code)
        fail("'" + c.command() + "': " + describe_status(status) + ", expected exit status " + std::to_string(code) +
             "\nstderr: " + c.err() + "\nstdout: " + c.out());
}

std::set<std::string> entries(const std::string& dir) {
    std::set<std::string> names;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec)) names.insert(e.path().filename().string());
    return names;
}

std::string join(const std::set<std::string>& s) {
    std::string out;
    for (const auto& n : s) out += (out.empty() ? "" : " ") + n;
    return out.empty() ? "(nothing)" : out;
}

bool is_temporary(const std::string& name) { return name.rfind(vgic::run::kTempPrefix, 0) == 0; }

/// stderr holds `expected` as a line and no other line of vgic-sim's. Other lines are allowed:
/// under ASan a run that threw after SystemC switched stacks prints a warning about
/// __asan_handle_no_return (google/sanitizers#189) before the message.
void expect_message(const Child& c, const std::string& expected) {
    std::istringstream in(c.err());
    std::string line;
    bool found = false;
    while (std::getline(in, line)) {
        if (line == expected) found = true;
        else if (line.rfind("vgic-sim:", 0) == 0) fail("stderr has another message: " + line + "\nstderr: " + c.err());
    }
    if (!found) fail("stderr is\n  " + c.err() + "expected the line\n  " + expected);
}

/// The directory holds exactly report.json and the files it lists, each of the listed size
/// and SHA-256 (so nothing of an earlier run and no temporary). Returns report.json.
nlohmann::json check_committed(const std::string& dir) {
    const std::string report = dir + "/report.json";
    if (!fs::exists(report)) fail(report + " missing; the directory holds: " + join(entries(dir)));
    const nlohmann::json j = nlohmann::json::parse(read_file(report));
    if (j.at("format") != "vgic-sim-report" || j.at("version") != 2) fail(report + ": not a version-2 report");
    std::set<std::string> expected = {"report.json"};
    for (const auto& o : j.at("outputs")) {
        const std::string name = o.at("file").get<std::string>();
        expected.insert(name);
        const std::string text = read_file(dir + "/" + name);
        if (text.size() != o.at("bytes").get<std::uint64_t>())
            fail(name + ": " + std::to_string(text.size()) + " bytes, report.json says " + o.at("bytes").dump());
        if (vgic::run::sha256_hex(text) != o.at("sha256").get<std::string>())
            fail(name + ": its SHA-256 is not the one report.json lists");
    }
    const std::set<std::string> present = entries(dir);
    if (present != expected)
        fail(dir + " holds " + join(present) + "; report.json accounts for " + join(expected));
    return j;
}

/// A complete run of the default scenario (every output: VCD and plot) into `dir`: the
/// earlier outputs that must not survive the next run. (Only its exit status is checked
/// here, so that the checks of the run after it are what fails on a version without them.)
void previous_run(const std::string& sim, const std::string& dir) {
    Child c({sim, "run", "--out", dir, "--duration", "20ms", "--no-progress", "--quiet"});
    expect_exit(c, c.wait_exit(60), 0);
    if (!fs::exists(dir + "/report.json")) fail("the earlier run wrote no report.json");
}

/// None of the outputs' names (new or earlier) in `dir`; temporaries allowed or not.
void check_no_outputs(const std::string& dir, bool temporaries_allowed) {
    for (const std::string& n : entries(dir)) {
        if (is_temporary(n) && temporaries_allowed) continue;
        fail(dir + " holds " + n + " (" + join(entries(dir)) + "): expected " +
             (temporaries_allowed ? "only temporaries" : "nothing"));
    }
}

int signal_number(const std::string& s) {
    if (s == "INT" || s == "SIGINT") return SIGINT;
    if (s == "TERM" || s == "SIGTERM") return SIGTERM;
    fail("unknown signal " + s);
}

/// Starts a long run with --progress and waits for its first progress line.
void start_and_wait_for_progress(Child& c) {
    if (!c.wait_for_stderr_line("simulated", 60)) {
        const int st = c.wait_exit(30);
        fail("no progress line from '" + c.command() + "' (" + describe_status(st) + ")\nstderr: " + c.err());
    }
}

std::vector<std::string> long_run(const std::string& sim, const std::string& dir) {
    // 100 simulated seconds (about 10 s of wall time): stopped long before.
    return {sim, "run", "--out", dir, "--duration", "100s", "--progress", "--no-plot", "--quiet"};
}

int usage() {
    std::cerr << "usage: vgic-run-output-check unwritable|complete|full|signal|signal-twice VGIC_SIM ...\n";
    return 2;
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) return usage();
    const std::string mode = argv[1], sim = argv[2], dir = argv[3];
    if (mode == "unwritable") {
        if (argc < 5) return usage();
        std::vector<std::string> args = {sim, "run", "--out", dir, "--duration", "3600s", "--no-progress"};
        for (int i = 5; i < argc; ++i) args.push_back(argv[i]);
        Child c(args);
        expect_exit(c, c.wait_exit(30), 2);
        expect_message(c, "vgic-sim: --out '" + dir + "': cannot write " + dir + ": " + argv[4]);
        if (c.out().find("outputs in") != std::string::npos) fail("it wrote outputs:\n" + c.out());
    } else if (mode == "complete") {
        fs::remove_all(dir);
        previous_run(sim, dir);
        Child c({sim, "run", "--out", dir, "--duration", "50ms", "--no-progress", "--no-plot"});
        expect_exit(c, c.wait_exit(60), 0);
        const nlohmann::json j = check_committed(dir);  // the earlier plot files are gone
        if (j.at("complete") != true || !j.at("run").at("stopped_by").is_null()) fail("not marked complete");
        std::set<std::string> listed;
        for (const auto& o : j.at("outputs")) listed.insert(o.at("file").get<std::string>());
        if (listed != std::set<std::string>{"latency.csv", "trace.json", "waves.vcd", "waves.gtkw"})
            fail("report.json lists " + join(listed));
        const std::string line = "outputs in " + dir + "/: waves.vcd latency.csv trace.json waves.gtkw report.json\n";
        if (c.out().find(line) == std::string::npos) fail("stdout lacks '" + line + "':\n" + c.out());
    } else if (mode == "full") {
        if (argc < 6) return usage();
        const std::string shim = argv[4], file = argv[5];
        fs::remove_all(dir);
        previous_run(sim, dir);
        Child c({sim, "run", "--out", dir, "--duration", "50ms", "--no-progress", "--no-plot"},
                {{"LD_PRELOAD", shim}, {"VGIC_FAULT_PATH", file}, {"VGIC_FAULT_AFTER", "4096"}});
        expect_exit(c, c.wait_exit(60), 2);
        expect_message(c, "vgic-sim: cannot write " + dir + "/" + file + ": No space left on device");
        check_no_outputs(dir, false);
    } else if (mode == "signal") {
        if (argc < 5) return usage();
        const int sig = signal_number(argv[4]);
        fs::remove_all(dir);
        previous_run(sim, dir);
        Child c(long_run(sim, dir));
        start_and_wait_for_progress(c);
        c.signal(sig);
        expect_exit(c, c.wait_exit(60), 128 + sig);
        const nlohmann::json j = check_committed(dir);
        const std::string name = sig == SIGINT ? "SIGINT" : "SIGTERM";
        if (j.at("complete") != false) fail("report.json: \"complete\" is not false");
        if (j.at("run").at("stopped_by") != name) fail("report.json: run.stopped_by is " + j.at("run").at("stopped_by").dump());
        if (j.at("run").at("simulated_ps").get<std::uint64_t>() >= j.at("scenario").at("duration_ps").get<std::uint64_t>())
            fail("simulated the whole duration");
        // The waveform is complete too: its last line is the final time stamp.
        const std::string vcd = read_file(dir + "/waves.vcd");
        const auto last = vcd.rfind('\n', vcd.size() >= 2 ? vcd.size() - 2 : 0);
        if (vcd.empty() || vcd.back() != '\n' || vcd.compare(last + 1, 1, "#") != 0)
            fail("waves.vcd does not end with a time stamp");
    } else if (mode == "signal-twice") {
        if (argc < 6) return usage();
        const std::string shim = argv[4];
        const int sig = signal_number(argv[5]);
        fs::remove_all(dir);
        previous_run(sim, dir);
        Child c(long_run(sim, dir), {{"LD_PRELOAD", shim}, {"VGIC_FAULT_PATH", "trace.json"}, {"VGIC_FAULT_MODE", "stall"}});
        start_and_wait_for_progress(c);
        c.signal(sig);
        // Signals are not queued: a second one sent before the first was taken would merge
        // with it. trace.json is written as the run goes, so the stall may come first.
        if (!c.wait_for_stderr_text("stopping at the next event", 60))
            fail("the first signal was not taken\nstderr: " + c.err());
        if (!c.wait_for_stderr_text("vgic-fault: stalled writing", 60))
            fail("the run never reached trace.json after the first signal\nstderr: " + c.err());
        c.signal(sig);
        expect_exit(c, c.wait_exit(60), 128 + sig);
        check_no_outputs(dir, true);
        bool any = false;
        for (const auto& n : entries(dir)) any |= is_temporary(n);
        if (!any) fail("no temporary left: the second signal did not find the run writing");
        // The next run removes them.
        Child next({sim, "run", "--out", dir, "--duration", "10ms", "--no-progress", "--no-plot", "--quiet"});
        expect_exit(next, next.wait_exit(60), 0);
        check_committed(dir);
    } else {
        return usage();
    }
    std::cout << "ok: " << mode << "\n";
    return 0;
}
