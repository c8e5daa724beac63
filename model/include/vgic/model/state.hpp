// SPDX-License-Identifier: Apache-2.0
// Plain-value export and import of model state (whole-model snapshots, docs/MODEL.md
// "Snapshots"). Each stateful model class has a `State` struct holding only primary state,
// `export_state()`, `check_state()` (validates a state against this instance's configuration
// and changes nothing) and `import_state()` (checks, then replaces the state and rebuilds
// everything derived from it: priority queues, summary masks, line levels).
#pragma once

#include "vgic/model/export.hpp"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>

namespace vgic {

/// Why a state cannot be imported. `where` is a JSON-pointer-like path to the offending
/// value, relative to the component that checked it ("/spis/12/priority"); the snapshot
/// document uses the same names, so the path of a whole-GIC check locates the value in it.
struct VGIC_MODEL_API StateProblem {
    std::string where;
    std::string what;

    std::string describe() const { return where + ": " + what; }
    /// The same problem seen from one level further out.
    StateProblem within(const std::string& prefix) const { return {prefix + where, what}; }
};

/// The result of a check_state(): nothing, or the first problem found.
using StateCheck = std::optional<StateProblem>;

/// Thrown by import_state() for a state that check_state() refuses; nothing was changed.
class VGIC_MODEL_API StateError : public std::invalid_argument {
public:
    explicit StateError(const StateProblem& problem)
        : std::invalid_argument(problem.describe()), problem_(problem) {}
    const StateProblem& problem() const { return problem_; }

private:
    StateProblem problem_;
};

/// "0x" followed by at least `digits` lower-case hex digits.
inline std::string hex_string(std::uint64_t value, unsigned digits = 1) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%0*llx", static_cast<int>(digits), static_cast<unsigned long long>(value));
    return buf;
}

} // namespace vgic
