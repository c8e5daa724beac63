// SPDX-License-Identifier: Apache-2.0
// The one reader of input files (vgic/tlm/input.hpp, D06 in docs/RELIABILITY.md): what it
// accepts (regular files, FIFOs), what it refuses by kind before reading (directories,
// devices, sockets), the size limit (exact, also for a FIFO that never ends), how the limit
// is set (default, environment variable, the program) and the size grammar.
#include <vgic/tlm/input.hpp>

#include "../input_files.hpp"

#include <boost/test/unit_test.hpp>

#include <string>

using namespace vgic::tlm;
using vgic::testing::FifoWriter;
using vgic::testing::ScopedEnv;
using vgic::testing::ScratchDir;

namespace {

/// The InputError reading `path` throws (a failed check if none).
InputError read_error(const std::string& path) {
    try {
        read_input_file(path);
    } catch (const InputError& e) {
        return e;
    }
    BOOST_ERROR("reading '" << path << "' should have failed");
    return InputError(InputError::Kind::Read, "none");
}

InputError size_error(const std::string& text) {
    try {
        parse_input_size(text);
    } catch (const InputError& e) {
        return e;
    }
    BOOST_ERROR("the size '" << text << "' should be refused");
    return InputError(InputError::Kind::Read, "none");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// Sets the program's limit for one scope.
struct ScopedLimit {
    explicit ScopedLimit(std::uint64_t bytes) { set_max_input_size(bytes); }
    ~ScopedLimit() { set_max_input_size(0); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(input)

BOOST_AUTO_TEST_CASE(regular_files_and_fifos_are_read) {
    ScratchDir dir("input");
    const std::string text = std::string("a: 1\n\0b: \xff\n", 11);
    BOOST_TEST(read_input_file(dir.write("f.yaml", text)) == text);
    BOOST_TEST(read_input_file(dir.write("empty.yaml", "")) == "");
    FifoWriter writer(dir / "in.fifo", text, false);
    BOOST_TEST(read_input_file(dir / "in.fifo") == text);
    BOOST_TEST(writer.finish() == text.size());
    // A symbolic link is followed: what counts is what it points at.
    std::filesystem::create_symlink(dir / "f.yaml", dir / "link.yaml");
    BOOST_TEST(read_input_file(dir / "link.yaml") == text);
}

BOOST_AUTO_TEST_CASE(special_files_are_refused_by_kind) {
    ScratchDir dir("input");
    const auto check = [](const std::string& path, const std::string& reason) {
        const InputError e = read_error(path);
        BOOST_TEST_INFO("path " << path);
        BOOST_TEST((e.kind() == InputError::Kind::NotAFile));
        BOOST_TEST(std::string(e.what()) == reason);
    };
    check("/dev/zero", "it is a character device, not a regular file or a FIFO");
    check("/dev/null", "it is a character device, not a regular file or a FIFO");
    check(dir.path().string(), "it is a directory");
    check(dir.socket("s.yaml"), "it is a socket, not a regular file or a FIFO");
    std::filesystem::create_symlink("/dev/zero", dir / "zero.yaml");
    check(dir / "zero.yaml", "it is a character device, not a regular file or a FIFO");
    const InputError missing = read_error(dir / "missing.yaml");
    BOOST_TEST((missing.kind() == InputError::Kind::Open));
    BOOST_TEST(std::string(missing.what()) == "No such file or directory");
}

BOOST_AUTO_TEST_CASE(the_size_limit_is_exact) {
    ScratchDir dir("input");
    const ScopedLimit limit(1000);
    BOOST_TEST(read_input_file(dir.write_sized("at.yaml", "a: 1\n", 1000)).size() == 1000u);
    const InputError e = read_error(dir.write_sized("over.yaml", "a: 1\n", 1001));
    BOOST_TEST((e.kind() == InputError::Kind::TooLarge));
    BOOST_TEST(std::string(e.what()) ==
               "it holds more than the input size limit of 1000 bytes; raise it with vgic-sim --max-input-size "
               "SIZE or the environment variable VGIC_MAX_INPUT_SIZE");
}

BOOST_AUTO_TEST_CASE(a_fifo_without_end_is_read_to_the_limit_only) {
    ScratchDir dir("input");
    const ScopedLimit limit(std::uint64_t{1} << 20);
    FifoWriter writer(dir / "endless.fifo", "# a line without end\n", true);
    const InputError e = read_error(dir / "endless.fifo");
    BOOST_TEST((e.kind() == InputError::Kind::TooLarge));
    BOOST_TEST(contains(e.what(), "input size limit of 1 MiB (1048576 bytes)"));
    // The writer ends when the reader closes: it got at most the limit, the byte past it and
    // what the pipe buffers (64 KiB on Linux, up to 1 MiB when raised).
    BOOST_TEST(writer.finish() <= (std::uint64_t{1} << 20) + 1 + (std::uint64_t{1} << 20));
}

BOOST_AUTO_TEST_CASE(the_default_limit_and_the_environment_variable) {
    ScratchDir dir("input");
    {
        const ScopedEnv unset(kMaxInputSizeVariable, "");
        ::unsetenv(kMaxInputSizeVariable);
        BOOST_TEST(max_input_size() == kDefaultMaxInputSize);
        BOOST_TEST(kDefaultMaxInputSize == 16u * 1024 * 1024);
        const InputError e = read_error(dir.write_sized("big.yaml", "a: 1\n", (20u << 20)));
        BOOST_TEST(contains(e.what(), "input size limit of 16 MiB (16777216 bytes)"));
    }
    {
        const ScopedEnv env(kMaxInputSizeVariable, "1KiB");
        BOOST_TEST(max_input_size() == 1024u);
        BOOST_TEST(contains(read_error(dir.write_sized("k.yaml", "", 1025)).what(), "1 KiB (1024 bytes)"));
        // The program's setting (vgic-sim --max-input-size) wins over the variable.
        const ScopedLimit limit(2048);
        BOOST_TEST(read_input_file(dir / "k.yaml").size() == 1025u);
    }
    {
        const ScopedEnv env(kMaxInputSizeVariable, "lots");
        const InputError e = read_error(dir.write("small.yaml", "a: 1\n"));
        BOOST_TEST((e.kind() == InputError::Kind::Setting));
        BOOST_TEST(std::string(e.what()) ==
                   "the environment variable VGIC_MAX_INPUT_SIZE: malformed size \"lots\"; expected a whole number of "
                   "bytes, optionally with the unit B, KiB, MiB or GiB, e.g. \"16MiB\"");
    }
}

BOOST_AUTO_TEST_CASE(size_grammar) {
    BOOST_TEST(parse_input_size("16MiB") == 16u << 20);
    BOOST_TEST(parse_input_size(" 16 MiB ") == 16u << 20);
    BOOST_TEST(parse_input_size("1048576") == 1u << 20);
    BOOST_TEST(parse_input_size("1 B") == 1u);
    BOOST_TEST(parse_input_size("3KiB") == 3u * 1024);
    BOOST_TEST(parse_input_size("1GiB") == kMaxInputSizeLimit);
    BOOST_TEST(parse_input_size("1073741824") == kMaxInputSizeLimit);
    BOOST_TEST(contains(size_error("").what(), "malformed size \"\""));
    BOOST_TEST(contains(size_error("0").what(), "zero size \"0\""));
    BOOST_TEST(contains(size_error("0MiB").what(), "zero size"));
    BOOST_TEST(contains(size_error("-1").what(), "malformed size"));
    BOOST_TEST(contains(size_error("+1").what(), "malformed size"));
    BOOST_TEST(contains(size_error("1.5MiB").what(), "unknown unit '.5MiB'"));
    BOOST_TEST(contains(size_error("16MB").what(), "unknown unit 'MB'"));
    BOOST_TEST(contains(size_error("16 mib").what(), "unknown unit 'mib'"));
    BOOST_TEST(contains(size_error("1073741825").what(), "more than the largest input size limit, 1 GiB"));
    BOOST_TEST(contains(size_error("2GiB").what(), "more than the largest input size limit"));
    BOOST_TEST(contains(size_error("99999999999999999999999999").what(), "more than the largest input size limit"));
    BOOST_TEST((size_error("x").kind() == InputError::Kind::Setting));
    BOOST_TEST(format_input_size(16u << 20) == "16 MiB (16777216 bytes)");
    BOOST_TEST(format_input_size(1024) == "1 KiB (1024 bytes)");
    BOOST_TEST(format_input_size(1000) == "1000 bytes");
    BOOST_TEST(format_input_size(1) == "1 byte");
}

// D08: what YAML::Load would silently take the first document of.
BOOST_AUTO_TEST_CASE(yaml_text_is_one_document_yaml_cpp_can_read) {
    const auto error_of = [](const std::string& text) -> std::string {
        try {
            check_yaml_text(text);
        } catch (const InputError& e) {
            BOOST_TEST((e.kind() == InputError::Kind::Text));
            return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.what();
        }
        return "accepted";
    };
    BOOST_TEST(error_of("") == "accepted");
    BOOST_TEST(error_of("# only a comment\n") == "accepted");
    BOOST_TEST(error_of("a: 1\n") == "accepted");
    BOOST_TEST(error_of("---\na: 1\n...\n") == "accepted");
    BOOST_TEST(error_of("%YAML 1.2\n---\na: 1\n") == "accepted");
    BOOST_TEST(error_of(",\n") == "1:1: YAML syntax error: unexpected ',' (the parser cannot read past it)");
    BOOST_TEST(error_of("a: 1\n...\n,\n") ==
               "3:1: a second YAML document (after '---' or '...'); the file holds one document");
    BOOST_TEST(error_of("a: 1\n---\n") == "2:1: a second YAML document (after '---' or '...'); the file holds one document");
    BOOST_TEST(error_of("a: 1\n,\n") == "2:1: YAML syntax error: end of map not found");
    BOOST_TEST(error_of("a: [1\n") == "2:1: YAML syntax error: end of sequence flow not found");
}

// Item 2: the nesting bound, on YAML events and on JSON brackets.
BOOST_AUTO_TEST_CASE(nesting_is_bounded) {
    const auto nested = [](std::size_t n) { return std::string(n, '[') + std::string(n, ']'); };
    const auto yaml = [](const std::string& text) -> std::string {
        try {
            check_yaml_text(text);
        } catch (const InputError& e) {
            return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.what();
        }
        return "accepted";
    };
    const auto json = [](const std::string& text) -> std::string {
        try {
            check_json_nesting(text);
        } catch (const InputError& e) {
            BOOST_TEST((e.kind() == InputError::Kind::Text));
            return std::to_string(e.line()) + ":" + std::to_string(e.column()) + ": " + e.what();
        }
        return "accepted";
    };
    BOOST_TEST(kMaxInputNesting == 64u);
    BOOST_TEST(yaml(nested(64)) == "accepted");
    BOOST_TEST(yaml(nested(65)) == "1:65: nesting deeper than 64 levels: a file nests at most 64 mappings and sequences");
    BOOST_TEST(yaml("{a: " + nested(63) + "}") == "accepted");
    BOOST_TEST(yaml("{a: " + nested(64) + "}").rfind("1:68: nesting deeper", 0) == 0u);
    // Brackets in a quoted scalar or a comment are text, not nesting.
    BOOST_TEST(yaml("'" + nested(100) + "' # " + nested(100) + "\n") == "accepted");
    BOOST_TEST(json(nested(64)) == "accepted");
    BOOST_TEST(json("\n  " + nested(65)) == "2:67: nesting deeper than 64 levels: a file nests at most 64 arrays and objects");
    BOOST_TEST(json("{\"a\": \"[[[\\\"[[[\", \"b\": " + nested(64) + "}") == "1:87: nesting deeper than 64 levels: a file "
                                                                           "nests at most 64 arrays and objects");
    BOOST_TEST(json("/* \" */ // \"\n" + nested(64)) == "accepted");
    BOOST_TEST(json("/* " + nested(100) + " */ " + nested(64)) == "accepted");
}

BOOST_AUTO_TEST_SUITE_END()
