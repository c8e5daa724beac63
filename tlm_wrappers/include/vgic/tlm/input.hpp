// SPDX-License-Identifier: Apache-2.0
// The files a user hands the project (scenarios, scripts, timing and hypervisor profiles) are
// hostile until checked. This header is the one way they are read and pre-checked:
//
//   std::string text = vgic::tlm::read_input_file(path);  // a regular file or a FIFO, at most
//                                                          // max_input_size() bytes
//   vgic::tlm::check_yaml_text(text);                      // one document yaml-cpp can read,
//                                                          // nested at most 64 deep
//   vgic::tlm::check_json_nesting(text);                   // the same bound for JSON
//   std::cerr << vgic::tlm::printable(name);               // no raw control or non-ASCII byte
//
// It lives in vgic_timing (library vgic::timing): the lowest library every file reader links
// without a new dependency edge: the profile loader is in it, the scenario loader (vgic_run)
// and the script parser (vgic_script) link it, and it needs neither SystemC nor the model.
// The model reads no file (a snapshot is restored from text the caller read), so nothing
// below it needs the reader; its snapshot documents keep their own nesting check
// (vgic::check_snapshot_document, the same bound on the same bracket scan as
// check_json_nesting: vgic_model and vgic_timing are independent libraries, and a new edge
// between them for twenty lines would couple the installed packages' link lines).
//
// Every function throws InputError; its message names no file: the callers put the file (and
// for problems of the text the line and column) in front, in their own error type.
#pragma once

#include "vgic/tlm/export.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vgic::tlm {

/// The most bytes an input file may hold unless the user says otherwise.
inline constexpr std::uint64_t kDefaultMaxInputSize = std::uint64_t{16} << 20;  // 16 MiB
/// The deepest nesting of mappings/sequences (objects/arrays) an input document may have.
/// A scenario nests 5 (top, vms, a VM, guest, timer), a profile 1. yaml-cpp recurses once
/// per level (its own guard stops at 500 levels with the message "bad file"), and so do the
/// walks over its tree: the bound keeps any document far from the end of the stack, also the
/// small one of a SystemC thread. The same number as kSnapshotMaxDepth.
inline constexpr unsigned kMaxInputNesting = 64;
/// The largest limit a user may set (the whole file is held in memory, and the parsers'
/// trees take several times that).
inline constexpr std::uint64_t kMaxInputSizeLimit = std::uint64_t{1} << 30;  // 1 GiB
/// The environment variable that sets the limit (a size as parse_input_size accepts).
inline constexpr const char* kMaxInputSizeVariable = "VGIC_MAX_INPUT_SIZE";

class VGIC_TIMING_API InputError : public std::runtime_error {
public:
    enum class Kind {
        Open,      ///< the file cannot be opened (missing, no permission): reason is strerror
        NotAFile,  ///< a directory, a device, a socket: not a regular file or a FIFO
        TooLarge,  ///< more than max_input_size() bytes
        Read,      ///< a read failed
        Setting,   ///< a malformed size (the flag or the environment variable)
        Text,      ///< the text: nesting too deep, a YAML syntax error, a second document
    };
    /// `line` and `column` are 1-based (0 = unknown); what() is `reason`.
    InputError(Kind kind, const std::string& reason, int line = 0, int column = 0)
        : std::runtime_error(reason), kind_(kind), line_(line), column_(column) {}
    Kind kind() const { return kind_; }
    int line() const { return line_; }
    int column() const { return column_; }

private:
    Kind kind_;
    int line_, column_;
};

/// A size: a whole number of bytes, optionally followed by a unit `B`, `KiB`, `MiB` or `GiB`
/// (powers of 1024; a space before the unit is allowed): "16MiB", "16 MiB", "1048576".
/// 1 byte .. kMaxInputSizeLimit. Throws InputError (Setting) naming the text.
VGIC_TIMING_API std::uint64_t parse_input_size(std::string_view text);
/// "16 MiB (16777216 bytes)", "1000 bytes".
VGIC_TIMING_API std::string format_input_size(std::uint64_t bytes);

/// The limit in force: the one set_max_input_size set, else kMaxInputSizeVariable's value
/// when that variable is set, else kDefaultMaxInputSize. A malformed variable throws
/// InputError (Setting) naming the variable.
VGIC_TIMING_API std::uint64_t max_input_size();
/// Sets the limit for this process (vgic-sim --max-input-size); 0 goes back to the
/// environment variable or the default. Not thread-safe: set it before reading.
VGIC_TIMING_API void set_max_input_size(std::uint64_t bytes);

/// The whole content of `path`, which must be a regular file or a FIFO (symbolic links are
/// followed) and hold at most max_input_size() bytes: reading stops at the byte past the
/// limit. Throws InputError whose reason says what the file is or what failed, e.g.
/// "it is a character device, not a regular file or a FIFO", "it holds more than the input
/// size limit of 16 MiB (16777216 bytes); raise it with ...", "No such file or directory".
VGIC_TIMING_API std::string read_input_file(const std::string& path);

/// A YAML text fit to hand to yaml-cpp's YAML::Load, which reads the first document only: no
/// syntax error (as yaml-cpp reports it), at most one document (a second one, also after
/// `...`, is refused: a loader reading the first would drop its keys), and no input on which
/// yaml-cpp 0.7 makes no progress (a ',' starting a line: it returns empty documents at the
/// same place forever, yaml-cpp issue 1040), and mappings and sequences nested at most
/// kMaxInputNesting deep. Runs yaml-cpp's parser on events only (nothing is built); the
/// nesting is counted on those events, which yaml-cpp emits before it goes a level deeper,
/// so a deep document is refused with the recursion at the bound. Throws InputError (Text)
/// with the line and column ("nesting deeper than 64 levels: ...").
VGIC_TIMING_API void check_yaml_text(std::string_view text);

/// Arrays and objects nested at most kMaxInputNesting deep, counted on the raw text
/// (brackets outside strings and outside // and /* */ comments) before any parser sees it;
/// the syntax is the parser's business. Throws InputError (Text) with the line and column of
/// the bracket past the bound.
VGIC_TIMING_API void check_json_nesting(std::string_view text);

/// `text` with every byte outside printable ASCII (control bytes such as NUL, ESC and DEL,
/// and every byte >= 0x80) written as `\xNN`: what a message quotes from a file never puts
/// raw bytes on the user's terminal.
VGIC_TIMING_API std::string printable(std::string_view text);

} // namespace vgic::tlm
