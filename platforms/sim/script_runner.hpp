// SPDX-License-Identifier: Apache-2.0
// Runs a parsed vgic-sim script (docs/SCRIPT.md) against the TLM platform: one Vgic with an
// initiator that owns a socket per frame and CPU. Each access takes the time its latency
// says; checks compare against the architecture's expected values written in the script.
#pragma once

#include "script/script.hpp"

#include <ostream>
#include <string>

namespace vgic::sim {

struct ScriptOptions {
    std::string vcd_path;  ///< empty: no waveform
};

struct ScriptOutcome {
    unsigned passed = 0;
    unsigned failed = 0;
    /// The waveform could not be written: "cannot write FILE: REASON" (then the checks'
    /// counts mean nothing: the simulation stopped at the failure).
    std::string output_error;
};

/// The file a waveform requested as `path` is written to: `path` itself if it ends in ".vcd",
/// otherwise `path` + ".vcd" (as with SystemC's VCD writer, which appended the extension).
std::string vcd_file(const std::string& path);

/// Why `file` cannot be written (strerror text, e.g. "Not a directory"), or "" if it can: it
/// is opened for writing, created if missing but not truncated, and closed again. Checked
/// before simulating, so that a run never ends in SystemC's E701 after doing all its work.
std::string unwritable_reason(const std::string& file);

/// Checks what the parser cannot (features not built yet, the timing profile) and throws
/// script::ScriptError naming the line; call before elaboration.
void validate_for_execution(const script::Script& script);

/// Elaborates the platform and runs the script to its end (one simulation per process).
/// Failed checks print `FILE:LINE: expected ..., got ...` to `out`.
ScriptOutcome run_script(const script::Script& script, const ScriptOptions& options, std::ostream& out);

} // namespace vgic::sim
