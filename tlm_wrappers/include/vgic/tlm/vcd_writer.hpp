// SPDX-License-Identifier: Apache-2.0
// The project's VCD (IEEE 1364 value change dump) writer: a value-change API in plain C++17
// (no SystemC), streamed through an OutputFile (output_file.hpp), so that
//   - memory is bounded: a fixed 64 KiB buffer written out as it fills, plus a few words per
//     variable, however long the run;
//   - every write is checked: a full disk or an unwritable file is reported with the file and
//     the errno text (`failed()`, `check()`, OutputError), never ignored;
//   - the file is what GTKWave reads, with a 1 ps timescale and the scopes and names SystemC's
//     own tracer used (a top scope "SystemC", one scope per dot of a name, a vector's range
//     after its name), so that save files and readers written for those keep working.
//
// The SystemC side (vcd_trace.hpp) calls change() from processes sensitive to the signals.
#pragma once

#include "vgic/tlm/export.hpp"

#include "vgic/tlm/output_file.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace vgic::tlm {

class VGIC_OUTPUT_API VcdWriter {
public:
    using Id = std::size_t;

    /// Opens `path` (see OutputFile: `how`, and `name` for messages). Throws OutputError if the
    /// file cannot be opened. `top_scope` holds every variable ("SystemC", as SystemC named it).
    explicit VcdWriter(const std::string& path, OutputFile::Create how = OutputFile::Create::Truncate,
                       const std::string& name = "", std::string top_scope = "SystemC");
    VcdWriter(const VcdWriter&) = delete;
    VcdWriter& operator=(const VcdWriter&) = delete;

    /// Declares a variable of `width` bits (1..64) named `name`, whose dots open scopes
    /// ("vm0.vcpu0.virq": scope vm0, scope vcpu0, variable virq), with its value at time 0.
    /// Only before the first change(); throws std::logic_error otherwise or for a bad width.
    Id add(const std::string& name, unsigned width, std::uint64_t initial = 0);

    /// Variable `id` took `value` (masked to its width) at `time` (ps). Times never decrease
    /// (std::logic_error otherwise). The file holds each variable's value at the end of each
    /// time step, as SystemC's tracer did (it sampled after the last delta cycle): several
    /// changes at one time write the last one, and none if it is the value already written.
    /// After a failure nothing is written any more (see failed()).
    void change(Id id, std::uint64_t time, std::uint64_t value);

    /// Writes what is pending, then `#end` if it is later than the last time written (so that
    /// a viewer shows the whole run), and closes the file. False if any write failed.
    bool close(std::uint64_t end);

    bool failed() const { return file_.failed(); }
    /// Throws OutputError(file, errno) if a write failed.
    void check() const { file_.check(); }
    const OutputFile& file() const { return file_; }
    std::size_t variables() const { return vars_.size(); }

private:
    struct Var {
        std::string scope;  // dotted scope path inside the top scope ("" = the top scope)
        std::string leaf;   // the variable's own name
        std::string code;   // its identifier in the value changes
        unsigned width = 1;
        std::uint64_t written = 0;  // the value last written to the file
        std::uint64_t current = 0;  // its value in the time step being collected
        bool dirty = false;         // changed in that time step
    };
    void write_header();
    void commit();  // writes the time step being collected
    void write_value(const Var& v);

    OutputFile file_;
    std::string top_;
    std::vector<Var> vars_;
    std::vector<Id> dirty_;  // variables changed in the current time step
    std::uint64_t now_ = 0;  // the time step being collected
    std::uint64_t last_written_time_ = 0;
    bool started_ = false;   // the header and $dumpvars are written
    bool closed_ = false;
};

} // namespace vgic::tlm
