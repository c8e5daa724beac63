# SPDX-License-Identifier: Apache-2.0
# How each of the four libraries (vgic_model, vgic_timing, vgic_output, vgic_tlm) is built and
# installed as a package component (docs/PACKAGING.md):
#   - static or shared as BUILD_SHARED_LIBS says; shared ones get VERSION ${PROJECT_VERSION} and
#     SOVERSION ${VGIC_SOVERSION} (libvgic_model.so.0.1: an 0.x release may break the ABI with
#     every minor version, the same rule as vgic_tlmConfigVersion.cmake's SameMinorVersion);
#   - compiled with -fvisibility=hidden -fvisibility-inlines-hidden: only what carries the
#     library's export mark (VGIC_MODEL_API ..., vgic/model/export.hpp, vgic/tlm/export.hpp) is
#     exported; VGIC_<NAME>_BUILDING while compiling it, VGIC_<NAME>_STATIC for a static library
#     and its users (the mark is then empty);
#   - installed in the `library` install component (cmake --install --component library), in
#     its own export set vgic_tlm-<component> (lib/cmake/vgic_tlm/vgic_tlm-<component>-targets.cmake)
#     so that find_package(vgic_tlm COMPONENTS model) loads nothing that names SystemC;
#   - with a pkg-config file vgic-<component>.pc;
#   - shared: with the RUNPATH $ORIGIN once installed, so that each finds the others.
set(VGIC_SOVERSION "${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}")

# vgic_package_library(<target> COMPONENT <name> MACRO <PREFIX> DESCRIPTION <text>
#                      [REQUIRES <pc modules>...] [REQUIRES_PRIVATE <pc modules>...])
function(vgic_package_library target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "COMPONENT;MACRO;DESCRIPTION" "REQUIRES;REQUIRES_PRIVATE")
  set_target_properties(${target} PROPERTIES
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    VERSION ${PROJECT_VERSION}
    SOVERSION ${VGIC_SOVERSION}
    DEFINE_SYMBOL ${arg_MACRO}_BUILDING)
  # An installed shared library finds its siblings (libvgic_tlm.so needs libvgic_model.so ...)
  # in its own directory, wherever the prefix is: a program's RUNPATH is not searched for its
  # libraries' dependencies.
  if(APPLE)
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "@loader_path")
  else()
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN")
  endif()
  get_target_property(type ${target} TYPE)
  set(VGIC_PC_CFLAGS "")
  if(type STREQUAL "STATIC_LIBRARY")
    target_compile_definitions(${target} PUBLIC ${arg_MACRO}_STATIC)
    set(VGIC_PC_CFLAGS " -D${arg_MACRO}_STATIC")
  endif()

  install(TARGETS ${target} EXPORT vgic_tlm-${arg_COMPONENT}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT library NAMELINK_COMPONENT library
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT library)
  install(EXPORT vgic_tlm-${arg_COMPONENT}
          NAMESPACE vgic::
          FILE vgic_tlm-${arg_COMPONENT}-targets.cmake
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/vgic_tlm
          COMPONENT library)

  # pkg-config: prefix relative to the .pc file, so `cmake --install --prefix ANY` is right.
  file(RELATIVE_PATH VGIC_PC_RELPREFIX "/p/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/p")
  string(REGEX REPLACE "/$" "" VGIC_PC_RELPREFIX "${VGIC_PC_RELPREFIX}")
  set(VGIC_PC_TARGET ${target})
  set(VGIC_PC_NAME vgic-${arg_COMPONENT})
  set(VGIC_PC_DESCRIPTION "${arg_DESCRIPTION}")
  set(VGIC_PC_REQUIRES_LINES "")
  if(arg_REQUIRES)
    list(JOIN arg_REQUIRES " " requires)
    string(APPEND VGIC_PC_REQUIRES_LINES "Requires: ${requires}\n")
  endif()
  if(arg_REQUIRES_PRIVATE)
    list(JOIN arg_REQUIRES_PRIVATE " " requires)
    string(APPEND VGIC_PC_REQUIRES_LINES "Requires.private: ${requires}\n")
  endif()
  get_target_property(VGIC_PC_LIB ${target} OUTPUT_NAME)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/vgic.pc.in
                 ${PROJECT_BINARY_DIR}/pkgconfig/vgic-${arg_COMPONENT}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/pkgconfig/vgic-${arg_COMPONENT}.pc
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT library)
endfunction()
