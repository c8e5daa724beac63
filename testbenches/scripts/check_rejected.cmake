# SPDX-License-Identifier: Apache-2.0
# cmake -DVGIC_SIM=... -DSCRIPT=... -P check_rejected.cmake
# The script's first line is `# expect: MESSAGE`, where MESSAGE may use @FILE@ for the script
# path and @DIR@ for its folder. vgic-sim must exit 2 with exactly that line on stderr and
# print no result on stdout. (file(READ), not file(STRINGS): messages may contain ';'.)
cmake_minimum_required(VERSION 3.20)  # NEW policies: an expected message may hold backslashes (\xNN)
file(READ "${SCRIPT}" text)
string(REGEX MATCH "^# expect: [^\n]*" first "${text}")
string(REGEX REPLACE "^# expect: " "" expected "${first}")
get_filename_component(dir "${SCRIPT}" DIRECTORY)
string(REPLACE "@FILE@" "${SCRIPT}" expected "${expected}")
string(REPLACE "@DIR@" "${dir}" expected "${expected}")
execute_process(COMMAND "${VGIC_SIM}" script "${SCRIPT}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(STRIP "${err}" err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "exit status ${rc}, expected 2\nstderr: ${err}\nstdout: ${out}")
endif()
if(NOT err STREQUAL expected)
  message(FATAL_ERROR "stderr:\n  ${err}\nexpected:\n  ${expected}")
endif()
if(out MATCHES "passed")
  message(FATAL_ERROR "the script ran although it is malformed:\n${out}")
endif()
