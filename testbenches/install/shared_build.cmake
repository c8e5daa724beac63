# SPDX-License-Identifier: Apache-2.0
# install.shared_build (the fixture of install.shared_*): the project configured again with
# -DBUILD_SHARED_LIBS=ON -DVGIC_BUILD_TESTS=OFF in a scratch directory, only its four libraries
# built (vgic_model vgic_timing vgic_output vgic_tlm; through ccache when there is one), and
# installed into a scratch prefix. Extra variables: WERROR (VGIC_WERROR of this build).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
file(REMOVE_RECURSE "${WORK_DIR}/prefix")
set(build "${WORK_DIR}/build")
set(args -S "${SOURCE_DIR}" -B "${build}" -G "${GENERATOR}" -DBUILD_SHARED_LIBS=ON -DVGIC_BUILD_TESTS=OFF
         -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DVGIC_WERROR=${WERROR}")
if(CXX_COMPILER)
  list(APPEND args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
find_program(ccache ccache)
if(ccache)
  list(APPEND args "-DCMAKE_CXX_COMPILER_LAUNCHER=${ccache}")
endif()
vgic_run("configuring a shared build" ${CMAKE_COMMAND} ${args})
vgic_run("building the shared libraries"
         ${CMAKE_COMMAND} --build "${build}" --target vgic_model vgic_timing vgic_output vgic_tlm)
vgic_install("${build}" "${WORK_DIR}/prefix")
