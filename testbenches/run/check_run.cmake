# SPDX-License-Identifier: Apache-2.0
# cmake -DVGIC_SIM=... -DMODE=rejected|default|runs|calibration|storm [-DSCENARIO=...] [-DARGS=...] -DOUT=... -P check_run.cmake
#   rejected:    `vgic-sim run SCENARIO ARGS` must exit 2 with "FILE:LINE: key '...': ..."
#                (or, without SCENARIO, "vgic-sim: ..." for a bad flag) and write nothing.
#                Input files (D06) also take:
#                  -DSUBCOMMAND=script  `vgic-sim script SCENARIO ARGS` instead (no --out; nothing
#                                    may have run: no "passed" on stdout);
#                  -DEXPECT=TEXT     the first line of stderr must start with "SCENARIO:" and
#                                    contain TEXT (for errors of the whole file, which have no
#                                    line, and for scripts' messages);
#                  -DINPUT=fifo-endless|fifo-once:TEXT|big
#                                    the test makes SCENARIO first: a FIFO (mkfifo) fed with
#                                    endless lines of "# filler" or once with TEXT while
#                                    vgic-sim reads it, or a 20 MiB regular file of comment
#                                    lines (more than the default input size limit, 16 MiB),
#                                    removed afterwards. Big inputs are never committed.
#   default:     `vgic-sim run --out OUT --no-progress` (the built-in scenario, one simulated
#                second) must exit 0 and write every output file, non-empty.
#   calibration: `vgic-sim run SCENARIO --out OUT` must exit 0 (model mean within tolerance)
#                and print the calibration verdict.
#   runs:        `vgic-sim run SCENARIO --out OUT --no-vcd --no-plot` must exit 0 and print
#                "guest errors     none" (a scenario that must simply run to its end).
#   reproducible: SCENARIO (with variation) runs with --seed 7 twice and --seed 8: the two seed-7
#                runs' outputs must be byte-identical (report.json but for wall_seconds), seed
#                8's latency.csv must differ, report.json must name the seed and variation.
#   storm:       `vgic-sim run SCENARIO --out OUT --no-vcd --no-plot` must exit 0 (no guest
#                error, no spurious acknowledge), then `CHECK OUT 1000000 2000` must pass
#                (testbenches/run/storm_check.cpp).
# A trailing '' in ARGS is an empty argument (`--duration ''`): a CMake list cannot carry one,
# so it is passed to execute_process literally.
set(trailing_empty FALSE)
if(ARGS MATCHES "(^| )''$")
  string(REGEX REPLACE "(^| )''$" "" ARGS "${ARGS}")
  set(trailing_empty TRUE)
endif()
separate_arguments(args UNIX_COMMAND "${ARGS}")

# `vgic-sim run SCENARIO --out OUT` with the reports only (no VCD, no plot); it must exit 0.
# Sets `out` in the caller's scope; `why` explains a failing status in the message.
macro(run_scenario_reports_only why)
  file(REMOVE_RECURSE "${OUT}")
  execute_process(COMMAND "${VGIC_SIM}" run "${SCENARIO}" --out "${OUT}" --no-vcd --no-plot --no-progress
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "exit status ${rc}${why}\nstderr: ${err}\nstdout: ${out}")
  endif()
endmacro()
if(MODE STREQUAL "rejected")
  if(NOT SUBCOMMAND)
    set(SUBCOMMAND run)
  endif()
  if(SUBCOMMAND STREQUAL "script")
    set(cmd "${VGIC_SIM}" script "${SCENARIO}" ${args})
  elseif(SCENARIO)
    set(cmd "${VGIC_SIM}" run "${SCENARIO}" --out "${OUT}" ${args})
  else()
    set(cmd "${VGIC_SIM}" run --out "${OUT}" ${args})
  endif()
  file(REMOVE_RECURSE "${OUT}")
  # The input the test makes (INPUT): SCENARIO is created here, in a scratch place.
  set(feeder "")
  if(INPUT)
    get_filename_component(input_dir "${SCENARIO}" DIRECTORY)
    file(REMOVE "${SCENARIO}")
    file(MAKE_DIRECTORY "${input_dir}")
    if(INPUT STREQUAL "big")
      # 20 MiB of comment lines: a valid YAML text, so only the size can refuse it.
      string(REPEAT "# filler: a line of a file larger than the input size limit.......\n" 16 block)
      string(REPEAT "${block}" 20480 content)  # 64 bytes x 16 x 20480 = 20 MiB
      file(WRITE "${SCENARIO}" "${content}")
      set(content "")
    elseif(INPUT MATCHES "^fifo-")
      execute_process(COMMAND mkfifo "${SCENARIO}" RESULT_VARIABLE mk)
      if(NOT mk EQUAL 0)
        message(FATAL_ERROR "mkfifo ${SCENARIO} failed")
      endif()
      # The writer runs beside vgic-sim (execute_process starts its commands together); its
      # own output goes into the FIFO, and it ends when vgic-sim closes the FIFO (SIGPIPE).
      if(INPUT STREQUAL "fifo-endless")
        # (No ';' in these commands: it would split the CMake list.)
        set(feeder COMMAND sh -c "exec yes '# filler' > '${SCENARIO}' 2>/dev/null")
      else()
        string(REGEX REPLACE "^fifo-once:" "" once "${INPUT}")
        set(feeder COMMAND sh -c "printf '${once}' > '${SCENARIO}'")
      endif()
    else()
      message(FATAL_ERROR "unknown INPUT '${INPUT}'")
    endif()
  endif()
  if(trailing_empty)
    execute_process(COMMAND ${cmd} "" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  elseif(feeder)
    execute_process(${feeder} COMMAND ${cmd} RESULTS_VARIABLE rcs OUTPUT_VARIABLE out ERROR_VARIABLE err)
    list(GET rcs 1 rc)
  else()
    execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  endif()
  if(INPUT)
    file(REMOVE "${SCENARIO}")
  endif()
  string(STRIP "${err}" err)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "exit status ${rc}, expected 2\nstderr: ${err}\nstdout: ${out}")
  endif()
  # A refused flag is named in the message.
  foreach(a ${args})
    if(a MATCHES "^--")
      string(FIND "${err}" "${a}" at)
      if(at EQUAL -1)
        message(FATAL_ERROR "stderr does not name the flag ${a}:\n  ${err}")
      endif()
    endif()
  endforeach()
  # A bad scenario may name the reason it must be refused for, in a comment line
  # "# expect: TEXT" (so that it cannot pass by failing for another reason).
  if(SCENARIO AND NOT EXPECT AND NOT INPUT AND EXISTS "${SCENARIO}" AND NOT IS_DIRECTORY "${SCENARIO}")
    file(STRINGS "${SCENARIO}" expect_lines REGEX "^# expect: " LIMIT_COUNT 1)
    if(expect_lines)
      string(REGEX REPLACE "^# expect: " "" file_expect "${expect_lines}")
      string(FIND "${err}" "${file_expect}" file_expect_at)
      if(file_expect_at EQUAL -1)
        message(FATAL_ERROR "stderr does not say '${file_expect}' (the scenario's '# expect:' line):\n  ${err}")
      endif()
    endif()
  endif()
  if(SCENARIO AND EXPECT)
    string(REGEX MATCH "^[^\n]*" first "${err}")
    string(FIND "${first}" "${SCENARIO}:" at)
    string(FIND "${first}" "${EXPECT}" expect_at)
    if(NOT at EQUAL 0 OR expect_at EQUAL -1)
      message(FATAL_ERROR "stderr does not start with '${SCENARIO}:' and say '${EXPECT}':\n  ${err}")
    endif()
  elseif(SCENARIO)
    string(REGEX MATCH "^[^\n]*" first "${err}")
    string(FIND "${first}" "${SCENARIO}:" at)
    # "FILE:LINE: key 'a.b': ..." (a YAML syntax error or too deep a nesting names no key:
    # "FILE:LINE: YAML ...", "FILE:LINE: nesting deeper ...").
    if(NOT at EQUAL 0 OR NOT first MATCHES "^[^:]+:[0-9]+: (key '[^']+': |YAML syntax error|nesting deeper than)")
      message(FATAL_ERROR "stderr does not start with '${SCENARIO}:LINE: key '...': ':\n  ${err}")
    endif()
  elseif(NOT err MATCHES "^vgic-sim: ")
    message(FATAL_ERROR "stderr does not name the program:\n  ${err}")
  elseif(EXPECT)
    # A refused flag's message says what was wrong, not only that the flag is unknown.
    string(FIND "${err}" "${EXPECT}" expect_at)
    if(expect_at EQUAL -1)
      message(FATAL_ERROR "stderr does not say '${EXPECT}':\n  ${err}")
    endif()
  endif()
  if(EXISTS "${OUT}/report.json" OR out MATCHES "outputs in" OR out MATCHES "passed")
    message(FATAL_ERROR "the run started although its input is bad:\n${out}")
  endif()
elseif(MODE STREQUAL "default")
  file(REMOVE_RECURSE "${OUT}")
  execute_process(COMMAND "${VGIC_SIM}" run --out "${OUT}" --no-progress RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "exit status ${rc}\nstderr: ${err}\nstdout: ${out}")
  endif()
  foreach(f report.json latency.csv trace.json waves.vcd waves.gtkw latency.svg)
    if(NOT EXISTS "${OUT}/${f}")
      message(FATAL_ERROR "${OUT}/${f} was not written\nstdout: ${out}")
    endif()
    file(SIZE "${OUT}/${f}" size)
    if(size EQUAL 0)
      message(FATAL_ERROR "${OUT}/${f} is empty")
    endif()
  endforeach()
  foreach(needle "scenario 'default'" "simulated 1.000 s" "device_spi" "timer_ppi" "ipi" "guest errors     none")
    string(FIND "${out}" "${needle}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "the summary lacks '${needle}':\n${out}")
    endif()
  endforeach()
elseif(MODE STREQUAL "storm")
  run_scenario_reports_only("")
  string(FIND "${out}" "guest errors     none" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the summary reports guest errors:\n${out}")
  endif()
  execute_process(COMMAND "${CHECK}" "${OUT}" 1000000 2000 RESULT_VARIABLE rc OUTPUT_VARIABLE cout ERROR_VARIABLE cerr)
  message("${cout}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${cerr}")
  endif()
elseif(MODE STREQUAL "runs")
  run_scenario_reports_only("")
  string(FIND "${out}" "guest errors     none" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the summary reports guest errors:\n${out}")
  endif()
elseif(MODE STREQUAL "calibration")
  run_scenario_reports_only(" (1 = outside tolerance)")
  if(NOT out MATCHES "calibration: model mean [^\n]* \\(within [0-9.]+% or a tick: yes\\)")
    message(FATAL_ERROR "no calibration verdict:\n${out}")
  endif()
  # A scenario with a spread tolerance also prints (and exit 0 above required) its verdict.
  file(READ "${SCENARIO}" scenario_text)
  if(scenario_text MATCHES "spread_tolerance:" AND
     NOT out MATCHES "calibration: min, p99 and max within [^\n]* of the measured: yes")
    message(FATAL_ERROR "no spread verdict:\n${out}")
  endif()
elseif(MODE STREQUAL "trace_cap")
  # The built-in scenario for 50 ms with a cap of 100 trace events: report.json counts what
  # was kept and dropped, trace.json is valid JSON and ends with the note.
  file(REMOVE_RECURSE "${OUT}")
  execute_process(COMMAND "${VGIC_SIM}" run --out "${OUT}" --duration 50ms --max-trace-events 100 --no-vcd --no-plot
                          --no-progress
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "exit status ${rc}\nstderr: ${err}")
  endif()
  file(READ "${OUT}/report.json" report)
  string(JSON events GET "${report}" trace events)
  string(JSON dropped GET "${report}" trace dropped)
  string(JSON cap GET "${report}" trace cap)
  if(NOT cap EQUAL 100 OR events GREATER 100 OR events LESS 99 OR NOT dropped GREATER 0)
    message(FATAL_ERROR "report.json trace: events ${events}, dropped ${dropped}, cap ${cap}")
  endif()
  if(NOT out MATCHES "trace.json holds the first ${events} events; ${dropped} more were dropped")
    message(FATAL_ERROR "the summary does not say the trace was cut:\n${out}")
  endif()
  file(READ "${OUT}/trace.json" trace)
  string(JSON n LENGTH "${trace}" traceEvents)  # fails on invalid JSON
  if(NOT trace MATCHES "trace truncated: ${events} events kept \\(cap 100\\), ${dropped} dropped")
    message(FATAL_ERROR "trace.json has no truncation note")
  endif()
elseif(MODE STREQUAL "reproducible")
  # The same seed twice: byte-identical outputs (report.json apart from its wall time); another
  # seed: other draws. report.json names the seed and that variation was on.
  function(run_seed dir seed)
    file(REMOVE_RECURSE "${dir}")
    execute_process(COMMAND "${VGIC_SIM}" run "${SCENARIO}" --out "${dir}" --seed ${seed} --no-plot --no-progress
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "seed ${seed}: exit status ${rc}\nstderr: ${err}\nstdout: ${out}")
    endif()
    if(NOT out MATCHES "; variation on, seed ${seed}\n")
      message(FATAL_ERROR "the summary's header does not say the run was drawn with seed ${seed}:\n${out}")
    endif()
  endfunction()
  # The same directory for both seed-7 runs: waves.gtkw names the VCD by its path.
  run_seed("${OUT}/run" 7)
  file(REMOVE_RECURSE "${OUT}/a")
  file(RENAME "${OUT}/run" "${OUT}/a")
  run_seed("${OUT}/run" 7)
  file(REMOVE_RECURSE "${OUT}/b")
  file(RENAME "${OUT}/run" "${OUT}/b")
  run_seed("${OUT}/c" 8)
  foreach(f latency.csv trace.json waves.vcd waves.gtkw)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${OUT}/a/${f}" "${OUT}/b/${f}" RESULT_VARIABLE same)
    if(NOT same EQUAL 0)
      message(FATAL_ERROR "seed 7 twice: ${f} differs")
    endif()
  endforeach()
  foreach(run a b)
    file(READ "${OUT}/${run}/report.json" report_${run})
    string(REGEX REPLACE "\"wall_seconds\": [0-9.e+-]+" "" report_${run} "${report_${run}}")
  endforeach()
  if(NOT report_a STREQUAL report_b)
    message(FATAL_ERROR "seed 7 twice: report.json differs beyond its wall time")
  endif()
  if(NOT report_a MATCHES "\"seed\": 7," OR NOT report_a MATCHES "\"variation\": true")
    message(FATAL_ERROR "report.json does not name the seed (7) and variation (true)")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${OUT}/a/latency.csv" "${OUT}/c/latency.csv"
                  RESULT_VARIABLE same)
  if(same EQUAL 0)
    message(FATAL_ERROR "seeds 7 and 8 gave the same latency.csv: the draws do not follow the seed")
  endif()
else()
  message(FATAL_ERROR "unknown MODE '${MODE}'")
endif()
