# SPDX-License-Identifier: Apache-2.0
# The dtc round trip of one board variant (issue 16 item 2): the generated blob must decompile
# without a warning, and compile back to the same tree.
#   cmake -DTOOL=... -DDTC=... -DARGS="--gic;v2;--mode;hw;--cpus;4" -DWORK_DIR=... -P dtc_round_trip.cmake
# TOOL writes the blob (`vgic-sim boot ... --dump-dtb FILE`).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})
set(blob ${WORK_DIR}/board.dtb)

execute_process(COMMAND ${TOOL} ${ARGS} ${blob} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${TOOL} ${ARGS} exited ${rc}: ${err}")
endif()

# 1. Decompile: exit 0 and nothing on stderr. dtc runs its full set of checks on a blob too
#    (node names against reg, phandle references, interrupt providers, cpus, ...), so any
#    warning here is a defect of the generated tree.
execute_process(COMMAND ${DTC} -I dtb -O dts -o ${WORK_DIR}/board.dts ${blob}
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "dtc -I dtb -O dts exited ${rc} and printed:\n${err}")
endif()

# 2. Compile the source back. One kind of warning is expected and allowed: a dts decompiled
#    from a blob writes phandles as plain numbers (`clocks = <0x02 0x02>`), while dtc's
#    clocks_property check (checks.c, check_property_phandle_args) wants each phandle cell of
#    a typed property written as a &label reference. It says nothing about the blob: step 1
#    ran the same check on it and was silent. Every other line fails the test.
execute_process(COMMAND ${DTC} -I dts -O dtb -o ${WORK_DIR}/again.dtb ${WORK_DIR}/board.dts
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "dtc -I dts -O dtb exited ${rc}:\n${err}")
endif()
string(REGEX REPLACE "[^\n]*Warning \\(clocks_property\\): /pl011@[0-9a-f]+:clocks: cell [0-9]+ is not a phandle reference\n" "" rest "${err}")
if(NOT rest STREQUAL "")
  message(FATAL_ERROR "dtc -I dts -O dtb printed unexpected output:\n${rest}")
endif()

# 3. The same tree. Byte equality is not expected: libfdt's sequential writer puts the memory
#    reservation map at 48 (the header rounded up to 16) where dtc puts it at 40, and orders
#    the strings block by last first use where dtc orders it by first use. So equal bytes, or
#    else equal sources when dtc decompiles both.
file(SHA256 ${blob} original)
file(SHA256 ${WORK_DIR}/again.dtb recompiled)
if(original STREQUAL recompiled)
  message(STATUS "byte-for-byte identical")
  return()
endif()
execute_process(COMMAND ${DTC} -I dtb -O dts -o ${WORK_DIR}/again.dts ${WORK_DIR}/again.dtb
                RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "dtc -I dtb -O dts of the recompiled blob exited ${rc}:\n${err}")
endif()
file(READ ${WORK_DIR}/board.dts first)
file(READ ${WORK_DIR}/again.dts second)
if(NOT first STREQUAL second)
  message(FATAL_ERROR "the recompiled tree differs: compare ${WORK_DIR}/board.dts and ${WORK_DIR}/again.dts")
endif()
message(STATUS "the same tree (dts identical; blobs differ in layout only)")
