// SPDX-License-Identifier: Apache-2.0
// Whole-model snapshots: the complete state of a Gic (hw mode) or a VmGic (vm mode) as a
// versioned, human-readable JSON document, and its restore into an instance of the same
// configuration. docs/MODEL.md "Snapshots" describes the document and its error messages.
//
//   std::string doc = vgic::save_snapshot(gic);   // deterministic: same state, same text
//   vgic::Gic copy(gic.config());
//   vgic::restore_snapshot(copy, doc);            // or throws SnapshotError, copy unchanged
//
// A restore checks the whole document first (syntax, format and version, configuration,
// every field's type and range, the model's own consistency rules) and changes nothing
// when it refuses; then it replaces the state, rebuilds what is derived from it and reports
// every output line whose level changed to the observer.
#pragma once

#include "vgic/model/export.hpp"

#include <stdexcept>
#include <string>
#include <string_view>

namespace vgic {

class Gic;
class VmGic;

/// A document that cannot be restored. The message starts with "snapshot: " and says what
/// is wrong and where, e.g.
/// "snapshot: /distributor/spis/12/priority: expected an integer 0..255, got \"x\"".
class VGIC_MODEL_API SnapshotError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// The "format" member of every snapshot document.
inline constexpr const char* kSnapshotFormat = "vgic-snapshot";
/// The document version a GICv2 model writes: GICv2 state only (the first layout, unchanged).
inline constexpr unsigned kSnapshotVersionGicv2 = 1;
/// The document version a GICv3 model writes: adds config.version and, for GICv3 content,
/// config.v3, IROUTER, 1-of-N choices, redistributors, ICH_AP0R/AP1R and 64-bit LRs.
inline constexpr unsigned kSnapshotVersionGicv3 = 2;
/// The newest document version; this build reads versions 1 and 2 (and writes both).
inline constexpr unsigned kSnapshotVersion = kSnapshotVersionGicv3;

/// The deepest nesting of arrays and objects a snapshot document may have. A model snapshot
/// nests 5 levels (document, distributor, private, a CPU's bank, one interrupt), a platform
/// snapshot (vgic::tlm) one more; nothing legitimate comes near 64. The limit is checked on
/// the text before anything builds a tree, so a hostile document cannot exhaust the stack
/// (a SystemC thread has a small one).
inline constexpr unsigned kSnapshotMaxDepth = 64;

/// What every snapshot document must be before its contents are read, checked without
/// building a tree: arrays and objects nested no deeper than kSnapshotMaxDepth ("snapshot:
/// nesting deeper than 64 levels at byte N (line L, column C): ..."), valid JSON ("snapshot:
/// JSON syntax error at byte N ..."), and no object with the same member twice ("snapshot:
/// /distributor/spis/12: member \"priority\" appears twice ...": JSON leaves duplicates to
/// the reader, and a reader that keeps the last one silently ignores what the first says).
/// Throws SnapshotError. restore_snapshot (here and in vgic::tlm) calls it first.
VGIC_MODEL_API void check_snapshot_document(std::string_view json);

VGIC_MODEL_API std::string save_snapshot(const Gic& gic);
VGIC_MODEL_API std::string save_snapshot(const VmGic& vm);

/// Throws SnapshotError, leaving the target untouched, for a document that is not valid
/// JSON, not a vgic snapshot, of an unknown version, of another mode, GIC version or
/// configuration, or
/// whose state is incomplete, mistyped, out of range or inconsistent.
VGIC_MODEL_API void restore_snapshot(Gic& gic, std::string_view json);
VGIC_MODEL_API void restore_snapshot(VmGic& vm, std::string_view json);

} // namespace vgic
