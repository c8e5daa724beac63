# SPDX-License-Identifier: Apache-2.0
# Helpers of the install.* tests (testbenches/install/CMakeLists.txt). Each test script is run
# with cmake -P and these variables: SOURCE_DIR (the project), WORK_DIR (its scratch directory,
# emptied first by the scripts that create it), LIBDIR (CMAKE_INSTALL_LIBDIR), CXX_COMPILER,
# CXX_FLAGS, GENERATOR; some also BUILD_DIR (the build to install).
cmake_minimum_required(VERSION 3.20)  # policies of cmake -P scripts (IN_LIST ...)

# vgic_run(<what> <command>...): run a command; a failure ends the test with its output.
# The command's output is left in vgic_run_output.
function(vgic_run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}): ${ARGN}\n${out}")
  endif()
  set(vgic_run_output "${out}" PARENT_SCOPE)
endfunction()

# vgic_install(<build dir> <prefix>): the `library` install component (headers, libraries,
# CMake package, pkg-config files) into a scratch prefix.
function(vgic_install build prefix)
  file(REMOVE_RECURSE "${prefix}")
  vgic_run("cmake --install" ${CMAKE_COMMAND} --install "${build}" --prefix "${prefix}" --component library)
  foreach(f include/vgic/version.hpp include/vgic/model/gic.hpp include/vgic/model/export.hpp
            include/vgic/tlm/export.hpp include/vgic/tlm/vgic.hpp
            ${LIBDIR}/cmake/vgic_tlm/vgic_tlmConfig.cmake ${LIBDIR}/cmake/vgic_tlm/vgic_tlmConfigVersion.cmake
            ${LIBDIR}/pkgconfig/vgic-model.pc ${LIBDIR}/pkgconfig/vgic-timing.pc
            ${LIBDIR}/pkgconfig/vgic-output.pc ${LIBDIR}/pkgconfig/vgic-tlm.pc)
    if(NOT EXISTS "${prefix}/${f}")
      message(FATAL_ERROR "the installed tree lacks ${f}")
    endif()
  endforeach()
  foreach(c model timing output tlm)
    if(NOT EXISTS "${prefix}/${LIBDIR}/cmake/vgic_tlm/vgic_tlm-${c}-targets.cmake")
      message(FATAL_ERROR "the installed tree lacks the targets file of component ${c}")
    endif()
  endforeach()
endfunction()

# vgic_consumer(<prefix> <build dir> <components> [extra cmake -D arguments...]): configure and
# build testbenches/consumer against the installed package, with this build's compiler and flags.
function(vgic_consumer prefix build components)
  file(REMOVE_RECURSE "${build}")
  string(REPLACE ";" "," components_arg "${components}")  # a ; would split the -D argument
  set(args -S "${SOURCE_DIR}/testbenches/consumer" -B "${build}" -G "${GENERATOR}"
           "-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
           "-DVGIC_CONSUMER_COMPONENTS=${components_arg}" ${ARGN})
  if(CXX_COMPILER)
    list(APPEND args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
  endif()
  vgic_run("configuring the consumer project (components ${components}) against the installed package"
           ${CMAKE_COMMAND} ${args})
  vgic_run("building the consumer project (components ${components})" ${CMAKE_COMMAND} --build "${build}")
endfunction()

# vgic_needed(<binary> <out var>): the NEEDED entries of an ELF file (readelf -d).
function(vgic_needed binary out)
  vgic_run("readelf -d ${binary}" readelf -d "${binary}")
  string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*" lines "${vgic_run_output}")
  set(names "")
  foreach(l IN LISTS lines)
    string(REGEX REPLACE ".*\\[(.*)\\]" "\\1" n "${l}")
    list(APPEND names "${n}")
  endforeach()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# vgic_check_no_systemc_needed(<binary>): no libsystemc (nor yaml-cpp) among its NEEDED entries.
function(vgic_check_no_systemc_needed binary)
  vgic_needed("${binary}" needed)
  foreach(n IN LISTS needed)
    if(n MATCHES "systemc|yaml-cpp")
      message(FATAL_ERROR "${binary} needs ${n} (NEEDED: ${needed})")
    endif()
  endforeach()
  message(STATUS "${binary}: NEEDED ${needed}")
endfunction()

# vgic_model_only(<prefix> <work dir>): the model component with SystemC and yaml-cpp out of
# reach. pkg-config sees an empty directory (no systemc.pc, no yaml-cpp.pc), find_package()
# may not find yaml-cpp nor PkgConfig; the consumer configures, builds and runs, its cache
# names neither dependency, its program needs no libsystemc. Then the same program built with
# pkg-config from vgic-model.pc alone.
function(vgic_model_only prefix work)
  file(MAKE_DIRECTORY "${work}/empty-pkgconfig")
  set(ENV{PKG_CONFIG_LIBDIR} "${work}/empty-pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
  vgic_consumer("${prefix}" "${work}/model-only" model
                -DCMAKE_DISABLE_FIND_PACKAGE_yaml-cpp=ON -DCMAKE_DISABLE_FIND_PACKAGE_PkgConfig=ON
                -DCMAKE_DISABLE_FIND_PACKAGE_SystemCLanguage=ON)
  file(STRINGS "${work}/model-only/CMakeCache.txt" cache REGEX "yaml-cpp_DIR|SYSTEMC|PKG_CONFIG_EXECUTABLE")
  if(cache)
    message(FATAL_ERROR "find_package(vgic_tlm COMPONENTS model) looked for a dependency: ${cache}")
  endif()
  vgic_run("the model-only consumer" "${work}/model-only/consumer")
  message(STATUS "${vgic_run_output}")
  vgic_check_no_systemc_needed("${work}/model-only/consumer")

  # pkg-config: only the package's own .pc directory is visible.
  set(ENV{PKG_CONFIG_LIBDIR} "${prefix}/${LIBDIR}/pkgconfig")
  vgic_run("pkg-config vgic-model" pkg-config --cflags --libs vgic-model)
  string(STRIP "${vgic_run_output}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS}")
  file(READ "${prefix}/${LIBDIR}/cmake/vgic_tlm/vgic_tlmConfigVersion.cmake" version_file)
  string(REGEX MATCH "set\\(PACKAGE_VERSION \"([^\"]*)\"\\)" _ "${version_file}")
  set(version "${CMAKE_MATCH_1}")
  vgic_run("building the model consumer with pkg-config"
           ${CXX_COMPILER} ${cxx_flags} -std=c++17 "-DVGIC_EXPECTED_VERSION=\"${version}\""
           "${SOURCE_DIR}/testbenches/consumer/main.cpp" ${flags} "-Wl,-rpath,${prefix}/${LIBDIR}"
           -o "${work}/consumer-pkgconfig")
  vgic_run("the model consumer built with pkg-config" "${work}/consumer-pkgconfig")
  vgic_check_no_systemc_needed("${work}/consumer-pkgconfig")
  unset(ENV{PKG_CONFIG_LIBDIR})
  unset(ENV{PKG_CONFIG_PATH})
endfunction()
