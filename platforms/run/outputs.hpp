// SPDX-License-Identifier: Apache-2.0
// The output directory of `vgic-sim run`, written all or nothing.
//
//   - Before simulating: the directory is created and checked writable (a probe file is
//     created and removed; the error names the directory and the errno text), and the earlier
//     run's outputs (every name vgic-sim run writes) and any temporaries are removed.
//   - Each output is written under a temporary name in the directory (`.vgic-tmp.<name>`,
//     created exclusively, never through a link) with every write checked (OutputFile).
//   - Commit: the temporaries are renamed to their names, report.json last; it lists every
//     other file with its size and SHA-256. SIGINT and SIGTERM are held during the renames,
//     so that a signal finds either only temporaries or the complete set.
//   - A failure or a destructor before the commit removes the temporaries written so far;
//     temporaries left by a killed run are removed by the next run.
//
// A reader can therefore trust a directory with a report.json: every file it lists is from
// the same run, complete, and can be checked against its digest.
#pragma once

#include "vgic/tlm/output_file.hpp"

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace vgic::run {

using tlm::OutputError;

/// The prefix of every temporary: recognisable, and hidden from `ls`.
inline constexpr const char* kTempPrefix = ".vgic-tmp.";

/// Every name `vgic-sim run` writes into its output directory.
const std::vector<std::string>& run_output_names();

/// One output as report.json lists it.
struct OutputFileInfo {
    std::string name;  ///< file name in the directory
    std::uint64_t bytes = 0;
    std::string sha256;  ///< 64 lowercase hex digits
};

class OutputDir {
public:
    /// Creates `dir` (with its parents) and checks that a file can be created and removed in
    /// it; throws OutputError ("cannot write DIR: cannot create a file in it: REASON").
    explicit OutputDir(const std::string& dir);
    /// Removes the temporaries not committed.
    ~OutputDir();
    OutputDir(const OutputDir&) = delete;
    OutputDir& operator=(const OutputDir&) = delete;

    const std::string& dir() const { return dir_; }
    /// DIR/name: where `name` ends up.
    std::string path(const std::string& name) const;
    /// DIR/.vgic-tmp.name: where it is written.
    std::string temp_path(const std::string& name) const;

    /// Removes the earlier run's outputs (report.json first, so that no report outlives the
    /// files it lists) and every temporary in the directory, except the paths in `keep`.
    /// Throws OutputError naming the file that could not be removed.
    void remove_previous(const std::vector<std::string>& keep = {});

    /// Writes `name` under its temporary name through a checked stream; throws OutputError
    /// naming DIR/name and the reason (the first failed write's errno).
    void write(const std::string& name, const std::function<void(std::ostream&)>& writer);
    /// temp_path(name) is being written by someone else (the VCD writer during the
    /// simulation): removed with the other temporaries if the run fails, not listed yet.
    void track(const std::string& name);
    /// Takes temp_path(name), written by someone else (the VCD writer, a plotter), as a
    /// complete output.
    void adopt(const std::string& name);
    /// Lists DIR/name, already under its final name (written by a caller that did not use
    /// a temporary), without renaming it.
    void adopt_in_place(const std::string& name);
    bool has(const std::string& name) const;

    /// Size and SHA-256 of each output so far, in the order written (read back from the
    /// files: what is listed is what is on disk). Throws OutputError if one cannot be read.
    std::vector<OutputFileInfo> describe() const;

    /// Writes report.json with `writer` (given describe()'s list), then renames every
    /// temporary to its name and report.json last, with SIGINT/SIGTERM held. Throws
    /// OutputError on a failure (the temporaries not yet renamed are removed).
    void commit(const std::function<void(std::ostream&, const std::vector<OutputFileInfo>&)>& report_writer);

    /// Removes the temporaries written so far (after a failure); never throws.
    void discard() noexcept;

    /// The final paths of the outputs, report.json last once committed.
    std::vector<std::string> paths() const;

private:
    struct Entry {
        std::string name;
        bool in_place = false;
    };
    std::string dir_;
    std::vector<Entry> entries_;
    std::vector<std::string> temporaries_;  // written by this object and not yet renamed
};

} // namespace vgic::run
