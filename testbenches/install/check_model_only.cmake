# SPDX-License-Identifier: Apache-2.0
# install.model_only: this build installed into a scratch prefix; a separate project asks for
# find_package(vgic_tlm COMPONENTS model) with SystemC hidden from pkg-config and yaml-cpp not
# findable, builds, runs; its program needs no libsystemc; the same with pkg-config (vgic-model.pc).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
file(REMOVE_RECURSE "${WORK_DIR}")
vgic_install("${BUILD_DIR}" "${WORK_DIR}/prefix")
vgic_model_only("${WORK_DIR}/prefix" "${WORK_DIR}")
