# SPDX-License-Identifier: Apache-2.0
# Latency from real code equals the latency platform's path sums (issue 16 item 1):
# `vgic-sim boot latency.elf` at a 10 ns quantum, bare metal (hw mode), a53-gic400, must show
# for the timer PPI and the IPI exactly the to_iar that `vgic-sim run` gives for the same GIC
# and profile (latency_timer_<gic>.yaml, latency_ipi_<gic>.yaml: each path alone on the driver
# models), every sample alike in both: the receiver waits in WFI for each interrupt, so none
# waits for a quantum or meets another handler.
#   cmake -DSIM=vgic-sim -DIMAGE=latency.elf -DGIC=v2|v3 -DSCENARIOS=dir -DWORK_DIR=dir
#         -P check_latency.cmake
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

# "270.0" "ns" -> picoseconds (integer).
function(to_ps value unit out)
  string(REPLACE "." ";" parts "${value}")
  list(GET parts 0 whole)
  list(LENGTH parts n)
  set(frac "")
  if(n GREATER 1)
    list(GET parts 1 frac)
  endif()
  if(unit STREQUAL "ns")
    set(digits 3)
  elseif(unit STREQUAL "us")
    set(digits 6)
  else()
    message(FATAL_ERROR "unexpected unit '${unit}'")
  endif()
  string(SUBSTRING "${frac}000000" 0 ${digits} frac)
  # whole and fraction digits side by side are the value in ps; no leading zeros for math().
  string(REGEX REPLACE "^0+([0-9])" "\\1" ps "${whole}${frac}")
  set(${out} ${ps} PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${SIM} boot ${IMAGE} --cpus 2 --gic ${GIC} --mode hw --quantum 10ns --max-time 1s
                        --trace ${WORK_DIR}/boot_trace.json
                RESULT_VARIABLE boot_rc OUTPUT_VARIABLE boot_out ERROR_VARIABLE boot_err)
if(NOT boot_rc EQUAL 0)
  message(FATAL_ERROR "vgic-sim boot exited ${boot_rc}:\n${boot_out}\n${boot_err}")
endif()
foreach(cls timer ipi)
  execute_process(COMMAND ${SIM} run ${SCENARIOS}/latency_${cls}_${GIC}.yaml --out ${WORK_DIR}/run_${cls} --no-plot
                          --no-vcd
                  RESULT_VARIABLE run_rc OUTPUT_VARIABLE out ERROR_VARIABLE run_err)
  if(NOT run_rc EQUAL 0)
    message(FATAL_ERROR "vgic-sim run exited ${run_rc}:\n${out}\n${run_err}")
  endif()
  string(APPEND run_out "${out}")
endforeach()

# The times of a summary row, in order, as "value;unit" pairs flattened.
function(row_times text pattern out)
  if(NOT text MATCHES "${pattern}")
    set(${out} "" PARENT_SCOPE)
    return()
  endif()
  string(REGEX MATCHALL "[0-9.]+ (ns|us)" times "${CMAKE_MATCH_0}")
  set(${out} "${times}" PARENT_SCOPE)
endfunction()
function(time_at times index out)
  list(GET times ${index} item)
  string(REPLACE " " ";" item "${item}")
  list(GET item 0 value)
  list(GET item 1 unit)
  to_ps(${value} ${unit} ps)
  set(${out} ${ps} PARENT_SCOPE)
endfunction()

foreach(cls timer_ppi ipi)
  # boot's summary: class handled coalesced min mean max
  if(NOT boot_err MATCHES "\n  ${cls} +([0-9]+) +[0-9]+ +[0-9]")
    message(FATAL_ERROR "no '${cls}' latency row in vgic-sim boot's summary:\n${boot_err}")
  endif()
  set(n ${CMAKE_MATCH_1})
  row_times("${boot_err}" "\n  ${cls} +[0-9]+ +[0-9]+ +[^\n]*" times)
  time_at("${times}" 0 boot_min)
  time_at("${times}" 2 boot_max)
  if(NOT n EQUAL 16)
    message(FATAL_ERROR "${cls}: vgic-sim boot handled ${n} interrupts, the image sends 16")
  endif()
  # run's summary: class IAR min, mean, p50, p99, max, ...
  row_times("${run_out}" "\n  ${cls} +[0-9.]+ (ns|us)[^\n]*" times)
  if(times STREQUAL "")
    message(FATAL_ERROR "no '${cls}' latency row in vgic-sim run's summary:\n${run_out}")
  endif()
  time_at("${times}" 0 run_min)
  time_at("${times}" 4 run_max)
  if(NOT run_min EQUAL run_max)
    message(FATAL_ERROR "${cls}: vgic-sim run's samples differ (${run_min}..${run_max} ps): not one path\n${run_out}")
  endif()
  if(NOT boot_min EQUAL run_min OR NOT boot_max EQUAL run_max)
    message(FATAL_ERROR "${cls}: vgic-sim boot min/max ${boot_min}/${boot_max} ps, vgic-sim run ${run_min}/${run_max} ps"
                        "\n${boot_err}")
  endif()
  message(STATUS "${cls}: ${n} samples, ${boot_min} ps each, as expected")
endforeach()
