# SPDX-License-Identifier: Apache-2.0
# Runs `vgic-sim boot` and checks its exit status and what it printed:
#   cmake -DSIM=vgic-sim "-DARGS=boot;image.elf;--cpus;2" -DRC=3
#         "-DEXPECT=regex1;regex2" [-DFORBID=regex] -P check_boot.cmake
# Each EXPECT regular expression must match stdout + stderr; FORBID must not.
execute_process(COMMAND ${SIM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
set(all "${out}${err}")
if(NOT rc STREQUAL RC)
  message(FATAL_ERROR "vgic-sim ${ARGS}: exit status ${rc}, expected ${RC}\n${all}")
endif()
foreach(re IN LISTS EXPECT)
  if(NOT all MATCHES "${re}")
    message(FATAL_ERROR "vgic-sim ${ARGS}: the output does not match '${re}':\n${all}")
  endif()
endforeach()
if(DEFINED FORBID AND all MATCHES "${FORBID}")
  message(FATAL_ERROR "vgic-sim ${ARGS}: the output matches '${FORBID}', which it must not:\n${all}")
endif()
message(STATUS "exit ${rc} as expected")
