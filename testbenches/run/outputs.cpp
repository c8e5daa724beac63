// SPDX-License-Identifier: Apache-2.0
// The output directory of `vgic-sim run` (platforms/run/outputs.hpp): the writability probe,
// the removal of an earlier run's outputs and of temporaries, checked writes, the commit
// (renames, report.json last, each file's size and SHA-256) and the clean-up on failure.
#include "run/outputs.hpp"
#include "run/sha256.hpp"

#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

using namespace vgic::run;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("vgic-outputs-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

std::set<std::string> names(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.insert(e.path().filename().string());
    return out;
}

std::string read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream os;
    os << in.rdbuf();
    return os.str();
}

} // namespace

BOOST_AUTO_TEST_SUITE(outputs)

BOOST_AUTO_TEST_CASE(unwritable_directories_are_refused_with_the_reason) {
    TempDir t;
    fs::create_directories(t.path);
    std::ofstream(t.path / "file") << "x";
    // ENOTDIR: under a regular file (CI runs as root: no permission bits).
    try {
        OutputDir d((t.path / "file" / "sub").string());
        BOOST_ERROR("a directory under a regular file was accepted");
    } catch (const OutputError& e) {
        BOOST_TEST(std::string(e.what()) == "cannot write " + (t.path / "file" / "sub").string() +
                                                ": cannot create the directory: Not a directory");
        BOOST_TEST(e.error_number() == ENOTDIR);
    }
    // An existing directory in which no file can be created: /proc.
    try {
        OutputDir d("/proc");
        BOOST_ERROR("/proc was accepted");
    } catch (const OutputError& e) {
        BOOST_TEST(std::string(e.what()) == "cannot write /proc: cannot create a file in it: No such file or directory");
    }
    // The probe leaves nothing behind.
    OutputDir ok((t.path / "a" / "b").string());
    BOOST_TEST(names(t.path / "a" / "b").empty());
}

BOOST_AUTO_TEST_CASE(earlier_outputs_and_temporaries_are_removed_and_links_not_followed) {
    TempDir t;
    fs::create_directories(t.path);
    for (const std::string& n : run_output_names()) std::ofstream(t.path / n) << "stale";
    std::ofstream(t.path / ".vgic-tmp.trace.json") << "left by a killed run";
    std::ofstream(t.path / "mine.txt") << "the user's";
    std::ofstream(t.path / "target") << "must survive";
    fs::remove(t.path / "waves.vcd");
    fs::create_symlink(t.path / "target", t.path / "waves.vcd");  // removed, not followed
    OutputDir d(t.path.string());
    d.remove_previous();
    BOOST_TEST((names(t.path) == std::set<std::string>{"mine.txt", "target"}));
    BOOST_TEST(read(t.path / "target") == "must survive");
}

BOOST_AUTO_TEST_CASE(commit_renames_everything_and_lists_sizes_and_digests) {
    TempDir t;
    OutputDir d(t.path.string());
    d.write("a.txt", [](std::ostream& os) { os << "abc"; });
    d.write("b.txt", [](std::ostream& os) { os << std::string(200000, 'b'); });  // more than one buffer
    BOOST_TEST((names(t.path) == std::set<std::string>{".vgic-tmp.a.txt", ".vgic-tmp.b.txt"}));
    std::vector<OutputFileInfo> listed;
    d.commit([&](std::ostream& os, const std::vector<OutputFileInfo>& files) {
        listed = files;
        // While report.json is written the others are still temporaries.
        BOOST_TEST(!fs::exists(t.path / "a.txt"));
        os << "report";
    });
    BOOST_TEST((names(t.path) == std::set<std::string>{"a.txt", "b.txt", "report.json"}));
    BOOST_REQUIRE(listed.size() == 2u);
    BOOST_TEST(listed[0].name == "a.txt");
    BOOST_TEST(listed[0].bytes == 3u);
    BOOST_TEST(listed[0].sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    BOOST_TEST(listed[1].bytes == 200000u);
    BOOST_TEST(listed[1].sha256 == sha256_hex(std::string(200000, 'b')));
    const auto paths = d.paths();
    BOOST_TEST(paths.back() == (t.path / "report.json").string());
}

BOOST_AUTO_TEST_CASE(a_write_error_names_the_file_and_leaves_nothing) {
    TempDir t;
    fs::create_directories(t.path);
    {
        OutputDir d(t.path.string());
        d.write("a.txt", [](std::ostream& os) { os << "abc"; });
        // A temporary that cannot be created (one is in the way as a directory): the error
        // names the output, and what this run wrote goes.
        fs::create_directories(t.path / ".vgic-tmp.b.txt");
        try {
            d.write("b.txt", [](std::ostream& os) { os << "b"; });
            BOOST_ERROR("writing over a directory succeeded");
        } catch (const OutputError& e) {
            BOOST_TEST(std::string(e.what()) == "cannot write " + (t.path / "b.txt").string() + ": File exists");
        }
        d.discard();
    }
    BOOST_TEST((names(t.path) == std::set<std::string>{".vgic-tmp.b.txt"}));  // not ours: kept
}

BOOST_AUTO_TEST_CASE(uncommitted_temporaries_go_with_the_object) {
    TempDir t;
    {
        OutputDir d(t.path.string());
        d.write("a.txt", [](std::ostream& os) { os << "abc"; });
        std::ofstream(d.temp_path("waves.vcd")) << "written by the platform";
        d.track("waves.vcd");
    }
    BOOST_TEST(names(t.path).empty());
}

BOOST_AUTO_TEST_SUITE_END()
