# SPDX-License-Identifier: Apache-2.0
# The classes of the hostile-input corpus and the tests of each (regular expressions over
# test names; README.md in this directory). testbenches/CMakeLists.txt includes this file
# before its suites; each suite's CMakeLists.txt ends with vgic_label_hostile_tests(), which
# labels its own tests (CMake 3.25 sets test properties only in the test's directory), and
# vgic_check_hostile_corpus() at the end fails the configuration for a class left empty.
set(vgic_hostile_classes
  "special_files|^(boot\\.image_files$|(boot|run|script)\\.cli\\.rejects_input_)"
  "huge_and_deep_files|^(run\\.cli\\.rejects_(nesting_too_deep|name_too_long|too_many_vcpus|intid_out_of_range|trace_intid_out_of_range|input_larger_than_the_limit|input_over_)|script\\.cli\\.rejects_input_larger|tlm\\.input$)"
  "malformed_files|^(boot\\.(image|dtb)_malformed$|run\\.cli\\.rejects_(syntax_error|unknown_key|rate_zero|timing_file_missing|hw_shared_pcpu|trace_intid_twice|trace_unknown_key)|script\\.malformed\\.|run\\.scenario$|tlm\\.timing_profile$|tlm\\.spread$)"
  "time_extremes|^(run\\.cli\\.rejects_flags__duration|run\\.duration$|sim\\.timer_never_deadline$|sim\\.timer_deadline_at_the_horizon$)"
  "bad_flags|^(boot|run)\\.cli\\.rejects_flags"
  "work_limits|^run\\.cli\\.rejects_work_"
  "unwritable_and_full_outputs|^((boot|run)\\.cli\\.(out_|full_disk_)|script\\.cli\\.vcd_)"
  "signals|^run\\.cli\\.(sig|second_sig)"
  "inconsistent_snapshots|^(model\\.(vm_invariants|snapshot|gicv3_snapshot)$|sim\\.(platform_snapshot|snapshot_nesting_depth)$)"
  "fuzz_corpora|^fuzz\\..*\\.corpus$")

# Labels the tests of the calling directory: `hostile` and `hostile.<class>`.
function(vgic_label_hostile_tests)
  get_property(tests DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR} PROPERTY TESTS)
  foreach(entry ${vgic_hostile_classes})
    string(FIND "${entry}" "|" bar)
    string(SUBSTRING "${entry}" 0 ${bar} class)
    math(EXPR start "${bar} + 1")
    string(SUBSTRING "${entry}" ${start} -1 pattern)
    foreach(t ${tests})
      if(t MATCHES "${pattern}")
        set_property(TEST ${t} APPEND PROPERTY LABELS hostile hostile.${class})
        set_property(GLOBAL APPEND PROPERTY vgic_hostile_${class} ${t})
      endif()
    endforeach()
  endforeach()
endfunction()

# Every class has a test (the fuzz corpora exist in clang builds only: libFuzzer).
function(vgic_check_hostile_corpus)
  foreach(entry ${vgic_hostile_classes})
    string(FIND "${entry}" "|" bar)
    string(SUBSTRING "${entry}" 0 ${bar} class)
    get_property(members GLOBAL PROPERTY vgic_hostile_${class})
    list(LENGTH members n)
    if(n EQUAL 0 AND NOT (class STREQUAL "fuzz_corpora" AND NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang"))
      message(FATAL_ERROR "hostile-input corpus: no test of class '${class}' (testbenches/hostile/corpus.cmake)")
    endif()
    message(STATUS "hostile-input corpus: ${class}: ${n} tests")
  endforeach()
endfunction()
