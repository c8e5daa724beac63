// SPDX-License-Identifier: Apache-2.0
// Reading and pre-checking input files: see vgic/tlm/input.hpp.
#include "vgic/tlm/input.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace vgic::tlm {

namespace {

std::uint64_t g_max_input_size = 0;  // 0: not set by the program (set_max_input_size)

constexpr const char* kSizeExpected =
    "a whole number of bytes, optionally with the unit B, KiB, MiB or GiB, e.g. \"16MiB\"";

[[noreturn]] void fail_setting(const std::string& what) { throw InputError(InputError::Kind::Setting, what); }

/// What a file of mode `mode` is, for "it is ...", or "" for the kinds that are read.
const char* refused_kind(mode_t mode) {
    if (S_ISREG(mode) || S_ISFIFO(mode)) return "";
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "neither a regular file nor a FIFO";
}

[[noreturn]] void refuse_kind(mode_t mode) {
    const std::string kind = refused_kind(mode);
    // A directory is the common mistake and needs no lecture; the rest say what is read.
    throw InputError(InputError::Kind::NotAFile,
                     "it is " + kind + (S_ISDIR(mode) ? "" : ", not a regular file or a FIFO"));
}

[[noreturn]] void refuse_size(std::uint64_t limit) {
    throw InputError(InputError::Kind::TooLarge,
                     "it holds more than the input size limit of " + format_input_size(limit) +
                         "; raise it with vgic-sim --max-input-size SIZE or the environment variable " +
                         kMaxInputSizeVariable);
}

/// Closes a descriptor on every path out.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

// ---- YAML: yaml-cpp's events, nothing built -------------------------------------------------

/// Counts the documents and the nesting of collections on yaml-cpp's events and throws
/// InputError from inside the parser (its frames are RAII, the exception unwinds them).
class YamlChecker final : public YAML::EventHandler {
public:
    explicit YamlChecker(std::string_view text) : text_(text) {}

    void OnDocumentStart(const YAML::Mark& mark) override {
        if (documents_ > 0 && mark.pos == last_start_.pos) {
            // yaml-cpp 0.7 does not consume some input (a ',' outside a flow collection):
            // it returns empty documents at the same place forever.
            const std::string at = mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text_.size()
                                       ? "'" + printable(text_.substr(static_cast<std::size_t>(mark.pos), 1)) + "'"
                                       : "the end of the text";
            fail(mark, "YAML syntax error: unexpected " + at + " (the parser cannot read past it)");
        }
        if (documents_ > 0)
            fail(mark, "a second YAML document (after '---' or '...'); the file holds one document");
        ++documents_;
        last_start_ = mark;
        depth_ = 0;
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    // Called before yaml-cpp handles the collection's contents, one recursion level deeper.
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        enter(mark);
    }
    void OnSequenceEnd() override { --depth_; }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
        enter(mark);
    }
    void OnMapEnd() override { --depth_; }

private:
    [[noreturn]] static void fail(const YAML::Mark& mark, const std::string& what) {
        throw InputError(InputError::Kind::Text, what, mark.line >= 0 ? mark.line + 1 : 0,
                         mark.column >= 0 ? mark.column + 1 : 0);
    }
    void enter(const YAML::Mark& mark) {
        if (++depth_ > kMaxInputNesting)
            fail(mark, "nesting deeper than " + std::to_string(kMaxInputNesting) + " levels: a file nests at most " +
                           std::to_string(kMaxInputNesting) + " mappings and sequences");
    }

    std::string_view text_;
    unsigned documents_ = 0;
    unsigned depth_ = 0;
    YAML::Mark last_start_;
};

} // namespace

std::uint64_t parse_input_size(std::string_view raw) {
    std::size_t b = 0, e = raw.size();
    while (b < e && std::isspace(static_cast<unsigned char>(raw[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(raw[e - 1]))) --e;
    const std::string_view text = raw.substr(b, e - b);
    const std::string shown = "\"" + printable(raw) + "\"";
    std::size_t i = 0;
    std::uint64_t value = 0;
    bool overflow = false;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
        const unsigned digit = static_cast<unsigned>(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10) overflow = true;
        else value = value * 10 + digit;
    }
    if (i == 0) fail_setting("malformed size " + shown + "; expected " + kSizeExpected);
    std::size_t u = i;
    while (u < text.size() && text[u] == ' ') ++u;
    const std::string_view unit = text.substr(u);
    std::uint64_t scale = 0;
    if (unit.empty() || unit == "B") scale = 1;
    else if (unit == "KiB") scale = std::uint64_t{1} << 10;
    else if (unit == "MiB") scale = std::uint64_t{1} << 20;
    else if (unit == "GiB") scale = std::uint64_t{1} << 30;
    else fail_setting("unknown unit '" + printable(unit) + "' in " + shown + "; expected " + kSizeExpected);
    if (value == 0) fail_setting("zero size " + shown + "; expected at least 1 byte");
    if (overflow || value > kMaxInputSizeLimit / scale)
        fail_setting(shown + " is more than the largest input size limit, " + format_input_size(kMaxInputSizeLimit));
    return value * scale;
}

std::string format_input_size(std::uint64_t bytes) {
    static const std::pair<std::uint64_t, const char*> units[] = {
        {std::uint64_t{1} << 30, "GiB"}, {std::uint64_t{1} << 20, "MiB"}, {std::uint64_t{1} << 10, "KiB"}};
    const std::string exact = std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
    for (const auto& [scale, name] : units)
        if (bytes >= scale && bytes % scale == 0) return std::to_string(bytes / scale) + " " + name + " (" + exact + ")";
    return exact;
}

std::uint64_t max_input_size() {
    if (g_max_input_size != 0) return g_max_input_size;
    const char* env = std::getenv(kMaxInputSizeVariable);
    if (env == nullptr) return kDefaultMaxInputSize;
    try {
        return parse_input_size(env);
    } catch (const InputError& e) {
        fail_setting(std::string("the environment variable ") + kMaxInputSizeVariable + ": " + e.what());
    }
}

void set_max_input_size(std::uint64_t bytes) { g_max_input_size = bytes; }

std::string read_input_file(const std::string& path) {
    const std::uint64_t limit = max_input_size();
    // The kind first, from the name: a device or a socket is never opened (opening one can
    // have effects, and /dev/zero or /dev/urandom never end).
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw InputError(InputError::Kind::Open, std::strerror(errno));
    if (*refused_kind(st.st_mode) != '\0') refuse_kind(st.st_mode);
    if (S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) > limit) refuse_size(limit);
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
    if (in.fd < 0) throw InputError(InputError::Kind::Open, std::strerror(errno));
    // Again on what was opened: the name may have been replaced in between.
    if (::fstat(in.fd, &st) != 0) throw InputError(InputError::Kind::Read, std::strerror(errno));
    if (*refused_kind(st.st_mode) != '\0') refuse_kind(st.st_mode);
    // Read to the end or to the first byte past the limit, whichever comes first (a FIFO or a
    // growing file has no size to check beforehand).
    std::string text;
    char buffer[65536];
    for (;;) {
        const std::uint64_t room = limit + 1 - text.size();
        const std::size_t want = room < sizeof buffer ? static_cast<std::size_t>(room) : sizeof buffer;
        const ssize_t n = ::read(in.fd, buffer, want);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw InputError(InputError::Kind::Read, std::strerror(errno));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > limit) refuse_size(limit);
    }
    return text;
}

void check_yaml_text(std::string_view text) {
    // One pass over the events, up to the second document at most (the checker throws there).
    std::istringstream stream{std::string(text)};
    YamlChecker checker(text);
    try {
        YAML::Parser parser(stream);
        while (parser.HandleNextDocument(checker)) {
        }
    } catch (const YAML::Exception& e) {
        throw InputError(InputError::Kind::Text, "YAML syntax error: " + e.msg,
                         e.mark.line >= 0 ? e.mark.line + 1 : 0, e.mark.column >= 0 ? e.mark.column + 1 : 0);
    }
}

void check_json_nesting(std::string_view text) {
    unsigned depth = 0;
    bool in_string = false, escaped = false;
    enum class Comment { None, Line, Block } comment = Comment::None;
    int line = 1, column = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        ++column;
        if (c == '\n') {
            ++line;
            column = 0;
        }
        // Comments (the profile loader lets nlohmann::json skip // and /* */): a quote in one
        // must not start a string, or the brackets after it would go uncounted.
        if (comment == Comment::Line) {
            if (c == '\n') comment = Comment::None;
            continue;
        }
        if (comment == Comment::Block) {
            if (c == '*' && i + 1 < text.size() && text[i + 1] == '/') {
                comment = Comment::None;
                ++i;
                ++column;
            }
            continue;
        }
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
            continue;
        }
        if (c == '/' && i + 1 < text.size() && (text[i + 1] == '/' || text[i + 1] == '*')) {
            comment = text[i + 1] == '/' ? Comment::Line : Comment::Block;
            ++i;
            ++column;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > kMaxInputNesting)
                throw InputError(InputError::Kind::Text,
                                 "nesting deeper than " + std::to_string(kMaxInputNesting) +
                                     " levels: a file nests at most " + std::to_string(kMaxInputNesting) +
                                     " arrays and objects",
                                 line, column);
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
}

std::string printable(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char ch : text) {
        const auto b = static_cast<unsigned char>(ch);
        if (b >= 0x20 && b < 0x7F) {
            out += ch;
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", b);
            out += buf;
        }
    }
    return out;
}

} // namespace vgic::tlm
