# SPDX-License-Identifier: Apache-2.0
# Every source, script and CMake file of the repository carries an SPDX license line (LICENSE:
# Apache-2.0) in its first two lines (the second after a #! line), so a file copied out of the
# tree still says under which terms. Fuzz corpora and test inputs are data, not sources.
# cmake -DSOURCE_DIR=... -P check_spdx.cmake
file(GLOB_RECURSE candidates RELATIVE "${SOURCE_DIR}"
     "${SOURCE_DIR}/*.cpp" "${SOURCE_DIR}/*.hpp" "${SOURCE_DIR}/*.h" "${SOURCE_DIR}/*.c"
     "${SOURCE_DIR}/*.S" "${SOURCE_DIR}/*.ld" "${SOURCE_DIR}/*.cmake" "${SOURCE_DIR}/*.in"
     "${SOURCE_DIR}/*.sh" "${SOURCE_DIR}/*.py" "${SOURCE_DIR}/CMakeLists.txt"
     "${SOURCE_DIR}/scripts/*" "${SOURCE_DIR}/.ci/*")
set(missing "")
set(checked 0)
foreach(f IN LISTS candidates)
  # Build trees (build/, build-*/), git's own files and fuzz inputs are not the project's sources.
  if(f MATCHES "^(build[^/]*|\\.git|testbenches/fuzz/(corpus|known))/" OR f MATCHES "/CMakeFiles/")
    continue()
  endif()
  file(STRINGS "${SOURCE_DIR}/${f}" head LIMIT_COUNT 2)
  math(EXPR checked "${checked} + 1")
  if(NOT head MATCHES "SPDX-License-Identifier: Apache-2\\.0")
    string(APPEND missing "\n  ${f}")
  endif()
endforeach()
if(NOT EXISTS "${SOURCE_DIR}/LICENSE")
  message(FATAL_ERROR "LICENSE is missing")
endif()
if(checked LESS 100)
  message(FATAL_ERROR "only ${checked} files matched: the patterns no longer find the sources")
endif()
if(missing)
  message(FATAL_ERROR "files without an SPDX-License-Identifier line in their first two lines:${missing}")
endif()
message(STATUS "${checked} files carry the SPDX line")
