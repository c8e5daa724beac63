// SPDX-License-Identifier: Apache-2.0
// vgic-waves-check: the waveform of `vgic-sim run` survives a move of its folder and tells
// the story of an interrupt (CTest run.cli.waves_*; docs/SCENARIO.md "Waveforms").
//
//   vgic-waves-check VGIC_SIM SCENARIO OUT [--expect NAME]... [--absent NAME]... [--no-gtkwave]
//
//   1. `VGIC_SIM run SCENARIO --out OUT/run --no-plot --no-progress` must exit 0;
//   2. OUT/run is renamed OUT/moved/elsewhere/waves (another depth);
//   3. waves.gtkw is parsed there: [dumpfile] is relative and names waves.vcd beside it,
//      [savefile] names waves.gtkw, the file holds no absolute path of the run, every signal
//      it shows is declared in the VCD, and its window ([timestart], zoom) covers the first
//      device interrupt of latency.csv from its assertion to its EOI;
//   4. the VCD: the device's line `<vm>.intid<N>.line` rises at that interrupt's assertion,
//      `<vm>.intid<N>.pending` rises then too and `.active` at its acknowledgement (iar_ps);
//      every --expect NAME (dotted, without the top scope) is declared, no --absent NAME is;
//   5. with gtkwave and xvfb-run on the PATH (unless --no-gtkwave): GTKWave loads the moved
//      waves.gtkw headless from another working directory (a Tcl script lists what it
//      loaded): it must open the moved waves.vcd, start at [timestart], and have loaded every
//      signal of the save file. Without them it says so; the parser checks above still ran.
#include "run/report.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail(const std::string& why) {
    std::cerr << "FAIL: " << why << "\n";
    std::exit(1);
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) fail("cannot read " + p.string());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

int run_shell(const std::string& command) {
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool on_path(const std::string& tool) {
    return run_shell("command -v " + tool + " >/dev/null 2>&1") == 0;
}

struct Vcd {
    std::map<std::string, std::string> code_of;  // dotted name without the top scope -> code
    std::set<std::string> gtkwave_names;         // "SystemC.vm0.vcpu0.lrs_in_use[31:0]"
    std::map<std::string, std::vector<std::pair<std::uint64_t, std::string>>> changes;  // code -> (t, value)

    static Vcd load(const fs::path& p) {
        Vcd v;
        std::ifstream in(p);
        if (!in) fail("cannot read " + p.string());
        std::vector<std::string> scopes;
        std::string line;
        bool header = true;
        std::uint64_t t = 0;
        while (std::getline(in, line)) {
            std::istringstream w(line);
            std::string first;
            if (!(w >> first)) continue;
            if (header) {
                if (first == "$scope") {
                    std::string type, name;
                    w >> type >> name;
                    scopes.push_back(name);
                } else if (first == "$upscope") {
                    if (!scopes.empty()) scopes.pop_back();
                } else if (first == "$var") {
                    std::string type, width, code, ref, range;
                    w >> type >> width >> code >> ref >> range;
                    std::string dotted, full;
                    for (std::size_t k = 0; k < scopes.size(); ++k) {
                        full += scopes[k] + ".";
                        if (k > 0) dotted += scopes[k] + ".";
                    }
                    v.code_of[dotted + ref] = code;
                    v.gtkwave_names.insert(full + ref + (range != "$end" ? range : ""));
                } else if (first == "$enddefinitions") {
                    header = false;
                }
                continue;
            }
            if (first[0] == '#') {
                t = std::stoull(first.substr(1));
            } else if (first[0] == 'b') {
                std::string code;
                w >> code;
                v.changes[code].emplace_back(t, first.substr(1));
            } else if (first[0] == '0' || first[0] == '1' || first[0] == 'x' || first[0] == 'z') {
                v.changes[first.substr(1)].emplace_back(t, first.substr(0, 1));
            }
        }
        return v;
    }
    /// Whether `name` takes `value` at exactly `t`.
    bool changes_to(const std::string& name, std::uint64_t t, const std::string& value) const {
        const auto code = code_of.find(name);
        if (code == code_of.end()) fail("the VCD declares no " + name);
        const auto c = changes.find(code->second);
        if (c == changes.end()) return false;
        for (const auto& [time, val] : c->second)
            if (time == t && val == value) return true;
        return false;
    }
    std::string around(const std::string& name, std::uint64_t t) const {
        std::string out;
        const auto c = changes.find(code_of.at(name));
        if (c == changes.end()) return "no changes";
        for (const auto& [time, val] : c->second)
            if (time + 20'000'000 >= t && time <= t + 20'000'000) out += " " + std::to_string(time) + ":" + val;
        return out.empty() ? "no change within 20 us" : out;
    }
};

struct Gtkw {
    std::string dumpfile, savefile;
    std::uint64_t timestart = 0;
    double zoom = 0;
    bool has_zoom = false, has_timestart = false;
    std::vector<std::string> signals;

    static Gtkw load(const fs::path& p) {
        Gtkw g;
        std::istringstream in(read_file(p));
        std::string line;
        auto value_of = [](const std::string& l) {
            const auto a = l.find('"'), b = l.rfind('"');
            if (a == std::string::npos || b == a) fail("unquoted value in waves.gtkw: " + l);
            return l.substr(a + 1, b - a - 1);
        };
        while (std::getline(in, line)) {
            if (line.empty()) continue;
            if (line.rfind("[dumpfile]", 0) == 0) g.dumpfile = value_of(line);
            else if (line.rfind("[savefile]", 0) == 0) g.savefile = value_of(line);
            else if (line.rfind("[timestart]", 0) == 0) {
                g.timestart = std::stoull(line.substr(11));
                g.has_timestart = true;
            } else if (line[0] == '*') {
                g.zoom = std::stod(line.substr(1));
                g.has_zoom = true;
            } else if (line[0] != '[' && line[0] != '@' && line[0] != '-') {
                g.signals.push_back(line);
            }
        }
        return g;
    }
};

struct FirstDevice {
    std::string vm;
    std::uint32_t intid = 0;
    std::uint64_t asserted = 0, iar = 0, eoi = 0;
};

FirstDevice first_device(const fs::path& csv) {
    std::istringstream in(read_file(csv));
    std::string line;
    std::getline(in, line);  // header: vm,vcpu,class,intid,asserted_ps,iar_ps,eoi_ps,...
    while (std::getline(in, line)) {
        std::vector<std::string> f;
        std::stringstream s(line);
        std::string cell;
        while (std::getline(s, cell, ',')) f.push_back(cell);
        if (f.size() < 7 || f[2] != "device_spi") continue;
        if (f[5].empty() || f[6].empty()) fail("the first device interrupt was not handled: " + line);
        return {f[0], static_cast<std::uint32_t>(std::stoul(f[3])), std::stoull(f[4]), std::stoull(f[5]),
                std::stoull(f[6])};
    }
    fail("latency.csv holds no device interrupt");
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::cerr << "usage: vgic-waves-check VGIC_SIM SCENARIO OUT [--expect NAME]... [--absent NAME]... "
                     "[--no-gtkwave]\n";
        return 2;
    }
    const std::string sim = argv[1], scenario = argv[2];
    const fs::path out = fs::absolute(argv[3]);
    std::vector<std::string> expect, absent;
    bool use_gtkwave = true;
    for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--expect" && i + 1 < argc) expect.push_back(argv[++i]);
        else if (a == "--absent" && i + 1 < argc) absent.push_back(argv[++i]);
        else if (a == "--no-gtkwave") use_gtkwave = false;
        else fail("bad argument " + a);
    }

    // 1-2: run, then move the folder.
    fs::remove_all(out);
    fs::create_directories(out);
    const fs::path first = out / "run";
    const int rc = run_shell(quoted(sim) + " run " + quoted(scenario) + " --out " + quoted(first.string()) +
                             " --no-plot --no-progress > " + quoted((out / "run.log").string()) + " 2>&1");
    if (rc != 0) fail("vgic-sim run exited " + std::to_string(rc) + ":\n" + read_file(out / "run.log"));
    const fs::path dir = out / "moved" / "elsewhere" / "waves";
    fs::create_directories(dir.parent_path());
    fs::rename(first, dir);

    // 3: the save file, parsed.
    const std::string text = read_file(dir / "waves.gtkw");
    if (text.find(first.string()) != std::string::npos || text.find(out.string()) != std::string::npos)
        fail("waves.gtkw names the folder it was written in:\n" + text);
    const Gtkw g = Gtkw::load(dir / "waves.gtkw");
    if (g.dumpfile.empty() || fs::path(g.dumpfile).is_absolute())
        fail("[dumpfile] is not a relative path: \"" + g.dumpfile + "\"");
    if (!fs::exists(dir / g.dumpfile)) fail("[dumpfile] \"" + g.dumpfile + "\" does not resolve beside waves.gtkw");
    if (fs::canonical(dir / g.dumpfile) != fs::canonical(dir / "waves.vcd")) fail("[dumpfile] is not waves.vcd");
    if (g.savefile != "waves.gtkw") fail("[savefile] is \"" + g.savefile + "\", not \"waves.gtkw\"");
    if (!g.has_timestart || !g.has_zoom) fail("waves.gtkw has no [timestart] or no zoom line");
    const Vcd v = Vcd::load(dir / "waves.vcd");
    for (const std::string& s : g.signals)
        if (v.gtkwave_names.count(s) == 0) fail("waves.gtkw shows " + s + ", which the VCD does not declare");
    const FirstDevice d = first_device(dir / "latency.csv");
    const double shown = std::exp2(-g.zoom) * vgic::run::GtkwaveWindow::kWavePixels;
    const auto window_end = g.timestart + static_cast<std::uint64_t>(shown);
    if (g.timestart > d.asserted || window_end < d.eoi)
        fail("the window " + std::to_string(g.timestart) + ".." + std::to_string(window_end) +
             " ps does not show the first device interrupt, " + std::to_string(d.asserted) + ".." +
             std::to_string(d.eoi) + " ps");
    if (window_end - g.timestart > 100 * (d.eoi - d.asserted + 1'000'000))
        fail("the window " + std::to_string(g.timestart) + ".." + std::to_string(window_end) +
             " ps is far wider than the first device interrupt, " + std::to_string(d.asserted) + ".." +
             std::to_string(d.eoi) + " ps");

    // 4: the VCD tells that interrupt's story.
    const std::string scope = d.vm + ".intid" + std::to_string(d.intid) + ".";
    const std::pair<std::string, std::uint64_t> rises[] = {
        {scope + "line", d.asserted}, {scope + "pending", d.asserted}, {scope + "active", d.iar}};
    for (const auto& [name, t] : rises)
        if (!v.changes_to(name, t, "1"))
            fail(name + " does not rise at " + std::to_string(t) + " ps (asserted " + std::to_string(d.asserted) +
                 ", IAR " + std::to_string(d.iar) + "); it changes:" + v.around(name, t));
    for (const std::string& n : expect)
        if (v.code_of.count(n) == 0) fail("the VCD declares no " + n);
    for (const std::string& n : absent)
        if (v.code_of.count(n) != 0) fail("the VCD declares " + n + ", which cannot change in this mode");
    std::cout << "parser check: [dumpfile] \"" << g.dumpfile << "\" resolves after the move, " << g.signals.size()
              << " signals declared, window " << g.timestart << ".." << window_end << " ps covers "
              << d.asserted << ".." << d.eoi << " ps; " << scope << "line/pending/active at the right instants\n";

    // 5: GTKWave itself, headless, from another working directory.
    if (!use_gtkwave) return 0;
    if (!on_path("gtkwave") || !on_path("xvfb-run")) {
        std::cout << "gtkwave or xvfb-run is not installed: the parser check only\n";
        return 0;
    }
    const fs::path tcl = out / "query.tcl", log = out / "gtkwave.log";
    std::ofstream(tcl) << "puts \"DUMP [gtkwave::getDumpFileName]\"\n"
                          "puts \"START [gtkwave::getWindowStartTime]\"\n"
                          "puts \"ZOOM [gtkwave::getZoomFactor]\"\n"
                          "puts \"TRACES [gtkwave::getTotalNumTraces]\"\n"
                          "for {set i 0} {$i < [gtkwave::getNumFacs]} {incr i} { puts \"FAC [gtkwave::getFacName $i]\" }\n"
                          "gtkwave::/File/Quit\n";
    const int g_rc = run_shell("cd / && timeout 120 xvfb-run -a gtkwave -S " + quoted(tcl.string()) + " " +
                               quoted((dir / "waves.gtkw").string()) + " > " + quoted(log.string()) + " 2>&1");
    const std::string glog = read_file(log);
    std::istringstream in(glog);
    std::string line, dump;
    std::set<std::string> facs;
    long long start = -1, traces = -1;
    while (std::getline(in, line)) {
        if (line.rfind("DUMP ", 0) == 0) dump = line.substr(5);
        else if (line.rfind("START ", 0) == 0) start = std::stoll(line.substr(6));
        else if (line.rfind("TRACES ", 0) == 0) traces = std::stoll(line.substr(7));
        else if (line.rfind("FAC ", 0) == 0) facs.insert(line.substr(4));
    }
    if (dump.empty()) fail("GTKWave did not load the moved waves.gtkw (exit " + std::to_string(g_rc) + "):\n" + glog);
    if (fs::canonical(dump) != fs::canonical(dir / "waves.vcd"))
        fail("GTKWave opened " + dump + ", not the moved waves.vcd");
    if (start != static_cast<long long>(g.timestart))
        fail("GTKWave starts at " + std::to_string(start) + " ps, the save file says " + std::to_string(g.timestart));
    for (const std::string& s : g.signals)
        if (facs.count(s) == 0) fail("GTKWave does not know " + s);
    if (traces < static_cast<long long>(g.signals.size()))
        fail("GTKWave shows " + std::to_string(traces) + " traces, fewer than the save file's " +
             std::to_string(g.signals.size()) + " signals");
    std::cout << "gtkwave: opened " << dump << " from /, window from " << start << " ps, " << traces
              << " traces (" << g.signals.size() << " signals) loaded\n";
    return 0;
}
