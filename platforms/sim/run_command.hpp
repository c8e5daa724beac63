// SPDX-License-Identifier: Apache-2.0
// `vgic-sim run [SCENARIO] [options]`: the latency-study platform (docs/SCENARIO.md).
#pragma once

namespace vgic::sim {

/// argv[1] == "run". Returns the exit status: 0 ran (and calibration, if any, within
/// tolerance), 1 calibration outside tolerance or guest errors, 2 bad command line or scenario.
int run_command(int argc, char** argv);

} // namespace vgic::sim
