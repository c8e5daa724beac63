# cmake -DVGIC_SIM=... -DSCRIPT=... -DVCD=... -DEXPECT=... -P check_cli.cmake
# `vgic-sim script SCRIPT --vcd VCD` must exit 2 with exactly EXPECT on stderr and run nothing
# (no "passed" on stdout). A waveform that cannot be written is a bad command line, found
# before the simulation (D12). CI runs as root, so "unwritable" is made without permission
# bits: a path under a regular file (ENOTDIR) or a new file in /proc (ENOENT).
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
