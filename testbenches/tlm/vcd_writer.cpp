// SPDX-License-Identifier: Apache-2.0
// The project's streaming VCD writer (vgic/tlm/vcd_writer.hpp) and the checked output file
// under it (output_file.hpp), without SystemC: the written file parsed back (header,
// timescale, $var lines, value changes in time order, one value per time step), bounded
// memory (written as the buffer fills), and every write error reported with the file and
// the errno text (/dev/full: "No space left on device").
#include <vgic/tlm/vcd_writer.hpp>

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

using namespace vgic::tlm;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() / ("vgic-vcd-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

/// A VCD read back: what a viewer needs, checked strictly.
struct Parsed {
    std::string timescale;
    struct Var {
        std::string type, code, name;  // name: dotted scopes + reference (+ range)
        unsigned width = 0;
    };
    std::vector<Var> vars;
    std::map<std::string, std::string> name_of;  // code -> name
    std::vector<std::string> changes;  // "TIME NAME VALUE"
    std::vector<std::uint64_t> stamps;  // every #time, in file order
    bool enddefinitions = false;
};

Parsed parse(const std::string& path) {
    std::ifstream in(path);
    BOOST_REQUIRE(in.good());
    Parsed p;
    std::vector<std::string> scopes;
    std::string tok;
    std::uint64_t now = 0;
    bool in_dump = false, header = true;
    auto until_end = [&in]() {
        std::vector<std::string> w;
        std::string t;
        while (in >> t && t != "$end") w.push_back(t);
        return w;
    };
    while (in >> tok) {
        if (header) {
            if (tok == "$timescale") {
                for (const auto& w : until_end()) p.timescale += (p.timescale.empty() ? "" : " ") + w;
            } else if (tok == "$scope") {
                const auto w = until_end();
                BOOST_REQUIRE(w.size() == 2u);
                BOOST_TEST(w[0] == "module");
                scopes.push_back(w[1]);
            } else if (tok == "$upscope") {
                until_end();
                BOOST_REQUIRE(!scopes.empty());
                scopes.pop_back();
            } else if (tok == "$var") {
                const auto w = until_end();
                BOOST_REQUIRE(w.size() >= 4u);
                Parsed::Var v;
                v.type = w[0];
                v.width = static_cast<unsigned>(std::stoul(w[1]));
                v.code = w[2];
                for (const auto& s : scopes) v.name += s + ".";
                v.name += w[3];
                if (w.size() == 5) v.name += w[4];
                BOOST_TEST(p.name_of.count(v.code) == 0u, "identifier " << v.code << " used twice");
                p.name_of[v.code] = v.name;
                p.vars.push_back(v);
            } else if (tok == "$enddefinitions") {
                until_end();
                BOOST_TEST(scopes.empty(), "every $scope closed");
                p.enddefinitions = true;
                header = false;
            } else if (tok[0] == '$') {
                until_end();
            }
            continue;
        }
        if (tok == "$dumpvars") {
            in_dump = true;
        } else if (tok == "$end") {
            BOOST_TEST(in_dump);
            in_dump = false;
        } else if (tok[0] == '#') {
            const std::uint64_t t = std::stoull(tok.substr(1));
            if (!p.stamps.empty()) BOOST_TEST(t > p.stamps.back(), "time stamps increase: " << t);
            p.stamps.push_back(t);
            now = t;
        } else if (tok[0] == 'b') {
            std::string code;
            in >> code;
            BOOST_REQUIRE(p.name_of.count(code) == 1u);
            p.changes.push_back(std::to_string(now) + " " + p.name_of[code] + " " + tok.substr(1));
        } else {
            BOOST_REQUIRE((tok[0] == '0' || tok[0] == '1'));
            const std::string code = tok.substr(1);
            BOOST_REQUIRE(p.name_of.count(code) == 1u);
            p.changes.push_back(std::to_string(now) + " " + p.name_of[code] + " " + tok.substr(0, 1));
        }
    }
    return p;
}

std::uint64_t file_size(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

} // namespace

BOOST_AUTO_TEST_SUITE(vcd_writer)

BOOST_AUTO_TEST_CASE(header_scopes_and_value_changes) {
    TempDir t;
    const std::string path = (t.path / "w.vcd").string();
    VcdWriter w(path);
    const auto virq = w.add("vm0.vcpu0.virq", 1);
    const auto lrs = w.add("vm0.vcpu0.lrs_in_use", 32);
    const auto top = w.add("top_level", 1, 1);
    const auto cntv = w.add("vm0.cpu0.cntv", 1);
    w.change(lrs, 0, 2);       // time step 0: part of the initial dump
    w.change(virq, 1000, 1);
    w.change(lrs, 1000, 3);
    w.change(lrs, 1000, 1);    // the last value of a time step counts
    w.change(cntv, 2500, 1);
    w.change(cntv, 2500, 0);   // a pulse within one time step: nothing (as SystemC sampled)
    w.change(top, 3000, 1);    // no change: nothing, no time stamp
    w.change(virq, 4000, 0);
    w.change(lrs, 4000, 0xFFFFFFFF);
    BOOST_TEST(w.close(5000));
    w.check();

    const Parsed p = parse(path);
    BOOST_TEST(p.timescale == "1 ps");
    BOOST_TEST(p.enddefinitions);
    BOOST_REQUIRE(p.vars.size() == 4u);
    // SystemC's naming: a top scope "SystemC", one scope per dot, the range after a vector's
    // name; sub-scopes sorted by name (cpu0 before vcpu0), variables in the order added.
    std::map<std::string, unsigned> width;
    for (const auto& v : p.vars) {
        BOOST_TEST(v.type == "wire");
        width[v.name] = v.width;
    }
    BOOST_TEST(width["SystemC.vm0.vcpu0.virq"] == 1u);
    BOOST_TEST(width["SystemC.vm0.vcpu0.lrs_in_use[31:0]"] == 32u);
    BOOST_TEST(width["SystemC.top_level"] == 1u);
    BOOST_TEST(width["SystemC.vm0.cpu0.cntv"] == 1u);
    BOOST_TEST(p.vars[0].name == "SystemC.top_level");
    BOOST_TEST(p.vars[1].name == "SystemC.vm0.cpu0.cntv");
    BOOST_TEST(p.vars[2].name == "SystemC.vm0.vcpu0.virq");

    const std::vector<std::string> expected = {
        // $dumpvars: every variable's value at the end of time step 0, in the order added
        "0 SystemC.vm0.vcpu0.virq 0",
        "0 SystemC.vm0.vcpu0.lrs_in_use[31:0] 10",
        "0 SystemC.top_level 1",
        "0 SystemC.vm0.cpu0.cntv 0",
        "1000 SystemC.vm0.vcpu0.virq 1",
        "1000 SystemC.vm0.vcpu0.lrs_in_use[31:0] 1",
        "4000 SystemC.vm0.vcpu0.virq 0",
        "4000 SystemC.vm0.vcpu0.lrs_in_use[31:0] 11111111111111111111111111111111",
    };
    BOOST_TEST(p.changes == expected, boost::test_tools::per_element());
    // Time stamps only where something changed, then the end of the run.
    BOOST_TEST(p.stamps == (std::vector<std::uint64_t>{1000, 4000, 5000}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(misuse_is_a_logic_error) {
    TempDir t;
    VcdWriter w((t.path / "w.vcd").string());
    const auto a = w.add("a", 1);
    BOOST_CHECK_THROW(w.add("b", 0), std::logic_error);
    BOOST_CHECK_THROW(w.add("has space", 1), std::logic_error);
    w.change(a, 10, 1);
    BOOST_CHECK_THROW(w.add("c", 1), std::logic_error);  // after the first change
    BOOST_CHECK_THROW(w.change(a, 5, 0), std::logic_error);  // back in time
    BOOST_CHECK_THROW(w.change(7, 10, 0), std::logic_error);
}

BOOST_AUTO_TEST_CASE(memory_is_bounded_the_file_grows_as_it_fills) {
    TempDir t;
    const std::string path = (t.path / "w.vcd").string();
    VcdWriter w(path);
    const auto a = w.add("x.a", 1);
    const auto b = w.add("x.b", 32);
    std::uint64_t time = 0;
    for (int i = 0; i < 200000; ++i) {  // about 5 MB
        time += 833;
        w.change(a, time, static_cast<std::uint64_t>(i & 1));
        w.change(b, time, static_cast<std::uint64_t>(i));
    }
    // Before close, all but at most one buffer is on disk already.
    const std::uint64_t before = file_size(path);
    BOOST_TEST(before > 4'000'000u);
    BOOST_TEST(w.file().bytes() - before <= OutputFile::kBufferSize);
    BOOST_TEST(w.close(time + 1));
    BOOST_TEST(file_size(path) == w.file().bytes());
    const Parsed p = parse(path);
    // The initial dump holds both; the first step's values equal it and are not repeated.
    BOOST_TEST(p.changes.size() == 2u * 200000u);
}

BOOST_AUTO_TEST_CASE(a_full_device_is_reported_with_the_file_and_errno) {
    // /dev/full: every write fails with ENOSPC. The error is seen as soon as the buffer is
    // written out, not only at close, and names the file.
    VcdWriter w("/dev/full");
    const auto a = w.add("a", 32);
    std::uint64_t time = 0;
    while (!w.failed() && time < 10'000'000) {
        ++time;
        w.change(a, time, time);
    }
    BOOST_TEST(w.failed());
    BOOST_TEST(time < 10'000'000u);
    BOOST_TEST(!w.close(time + 1));
    try {
        w.check();
        BOOST_ERROR("no error reported");
    } catch (const OutputError& e) {
        BOOST_TEST(std::string(e.what()) == "cannot write /dev/full: No space left on device");
        BOOST_TEST(e.file() == "/dev/full");
        BOOST_TEST(e.error_number() == ENOSPC);
    }
    // A small file fails at close, the last flush.
    VcdWriter small("/dev/full", OutputFile::Create::Truncate, "waves.vcd");
    small.add("a", 1);
    BOOST_TEST(!small.close(10));
    BOOST_CHECK_EXCEPTION(small.check(), OutputError, [](const OutputError& e) {
        return std::string(e.what()) == "cannot write waves.vcd: No space left on device";
    });
}

BOOST_AUTO_TEST_CASE(a_file_that_cannot_be_created_is_refused_at_once) {
    TempDir t;
    std::ofstream(t.path / "file") << "x";
    const std::string bad = (t.path / "file" / "w.vcd").string();
    BOOST_CHECK_EXCEPTION(VcdWriter{bad}, OutputError, [&](const OutputError& e) {
        return std::string(e.what()) == "cannot write " + bad + ": Not a directory";
    });
}

BOOST_AUTO_TEST_CASE(output_file_through_an_ostream) {
    TempDir t;
    {
        OutputFile f((t.path / "a.txt").string());
        std::ostream os(&f);
        os << "value " << 42 << '\n' << std::string(100000, 'z');
        os.flush();
        BOOST_TEST(f.close());
    }
    BOOST_TEST(file_size((t.path / "a.txt").string()) == 9u + 100000u);
    // /dev/full through the stream: the stream goes bad and the file keeps the errno.
    OutputFile full("/dev/full");
    std::ostream os(&full);
    os << std::string(200000, 'z');
    BOOST_TEST(!os.good());
    BOOST_TEST(full.error_number() == ENOSPC);
    BOOST_TEST(!full.close());
    // Exclusive: an existing file or a link is never reused.
    std::ofstream(t.path / "exists") << "x";
    fs::create_symlink(t.path / "elsewhere", t.path / "link");
    BOOST_CHECK_THROW(OutputFile((t.path / "exists").string(), OutputFile::Create::Exclusive), OutputError);
    BOOST_CHECK_THROW(OutputFile((t.path / "link").string(), OutputFile::Create::Exclusive), OutputError);
    BOOST_TEST(!fs::exists(t.path / "elsewhere"));
}

BOOST_AUTO_TEST_SUITE_END()
