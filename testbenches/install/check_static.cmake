# SPDX-License-Identifier: Apache-2.0
# install.static: this (static) build installed into a scratch prefix and consumed by a separate
# project with the model and tlm components (consumer, consumer_timing, consumer_tlm), and the
# tlm program built with pkg-config --static (vgic-tlm.pc, which brings yaml-cpp for the
# static libvgic_timing).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")
vgic_install("${BUILD_DIR}" "${prefix}")
file(GLOB shared "${prefix}/${LIBDIR}/libvgic_*.so*")
if(shared)
  message(FATAL_ERROR "a static build installed shared libraries: ${shared}")
endif()
vgic_consumer("${prefix}" "${WORK_DIR}/consumer" "model;tlm" -DVGIC_CONSUMER_VGIC=ON)
foreach(program consumer consumer_timing consumer_tlm)
  vgic_run("the ${program} program" "${WORK_DIR}/consumer/${program}")
  message(STATUS "${vgic_run_output}")
endforeach()

set(ENV{PKG_CONFIG_PATH} "${prefix}/${LIBDIR}/pkgconfig")
vgic_run("pkg-config --static vgic-tlm" pkg-config --static --cflags --libs vgic-tlm)
string(STRIP "${vgic_run_output}" flags)
separate_arguments(flags UNIX_COMMAND "${flags}")
separate_arguments(cxx_flags UNIX_COMMAND "${CXX_FLAGS}")
vgic_run("building consumer_timing with pkg-config --static"
         ${CXX_COMPILER} ${cxx_flags} -std=c++17 "${SOURCE_DIR}/testbenches/consumer/main_timing.cpp"
         ${flags} -o "${WORK_DIR}/consumer_timing-pkgconfig")
vgic_run("consumer_timing built with pkg-config" "${WORK_DIR}/consumer_timing-pkgconfig")
