# SPDX-License-Identifier: Apache-2.0
# cmake -DVGIC_SIM=... -DSCRIPT=... -DVCD=... -DEXPECT=... [-DLINK_TO=...] -P check_cli.cmake
# `vgic-sim script SCRIPT --vcd VCD` must exit 2 with exactly EXPECT on stderr and run nothing
# (no "passed" on stdout). A waveform that cannot be written is a bad command line, found
# before the simulation (D12). CI runs as root, so "unwritable" is made without permission
# bits: a path under a regular file (ENOTDIR) or a new file in /proc (ENOENT).
# LINK_TO: VCD is first made a symbolic link to it. With /dev/full every write fails with
# ENOSPC: the file opens, so the error comes from the writes (D04), and must still be
# reported. (A file the user names is followed through a link, as any program does; only
# `vgic-sim run`'s own outputs never are.)
if(LINK_TO)
  file(REMOVE "${VCD}")
  file(CREATE_LINK "${LINK_TO}" "${VCD}" SYMBOLIC)
endif()
execute_process(COMMAND "${VGIC_SIM}" script "${SCRIPT}" --vcd "${VCD}" RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE err)
string(STRIP "${err}" err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "exit status ${rc}, expected 2\nstderr: ${err}\nstdout: ${out}")
endif()
if(NOT err STREQUAL EXPECT)
  message(FATAL_ERROR "stderr:\n  ${err}\nexpected:\n  ${EXPECT}")
endif()
if(out MATCHES "passed")
  message(FATAL_ERROR "the script ran although its output cannot be written:\n${out}")
endif()
