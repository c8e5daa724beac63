# SPDX-License-Identifier: Apache-2.0
# cmake -DVGIC_SIM=... -DWORK=DIR -P check_dash_out.cmake
# `vgic-sim run --out -x` in DIR: a relative output directory named like an option. The plot
# step ran `cd '-x' && gnuplot ...`, which cd takes for an option: no plot, yet exit 0. Now
# it must exit 0 with the plot written, or (no plotter installed) say so.
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
execute_process(COMMAND "${VGIC_SIM}" run --out -x --duration 20ms --no-progress --quiet WORKING_DIRECTORY "${WORK}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "exit status ${rc}\nstderr: ${err}\nstdout: ${out}")
endif()
if(out MATCHES "plot: no plotter")
  message("no plotter installed: only the exit status was checked")
elseif(NOT EXISTS "${WORK}/-x/latency.svg" AND NOT EXISTS "${WORK}/-x/latency.png")
  message(FATAL_ERROR "no plot in ${WORK}/-x\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT EXISTS "${WORK}/-x/report.json")
  message(FATAL_ERROR "no report.json in ${WORK}/-x")
endif()
