// SPDX-License-Identifier: Apache-2.0
// `vgic-sim boot IMAGE [options]`: real AArch64 software on the model (docs/BOOT.md).
#pragma once

namespace vgic::sim {

/// argv[1] == "boot". Returns the exit status: the guest's own (PSCI SYSTEM_OFF 0, the exit
/// register, semihosting SYS_EXIT), 124 when --max-time ran out, 2 for a bad command line or
/// image, 3 when the guest cannot go on (an exception the engine cannot forward, a deadlock).
int boot_command(int argc, char** argv);

} // namespace vgic::sim
