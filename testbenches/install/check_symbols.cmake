# SPDX-License-Identifier: Apache-2.0
# install.shared_symbols: what the shared libraries of install.shared_build export (nm -D
# --defined-only -C). They are compiled with -fvisibility=hidden: only declarations marked
# VGIC_*_API are exported. Must be there: the public API (vgic::Gic::Gic, the typeinfo of
# vgic::ConfigError, vgic::save_snapshot, vgic::tlm::load_timing_profile). Must not: anything of
# an anonymous namespace, the model's internal helpers (vgic::bits, vgic::detail, the
# RegisterFrame<> instantiations behind the register tables) and the private dependencies'
# template instantiations (nlohmann::, YAML::) - all of which a default-visibility build exports.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
set(lib "${WORK_DIR}/prefix/${LIBDIR}")
set(forbidden "\\(anonymous namespace\\)" "nlohmann::" "YAML::" "vgic::bits::" "vgic::detail::"
              "vgic::RegisterFrame<")
set(required_model "vgic::Gic::Gic\\(" "vgic::VmGic::VmGic\\(" "typeinfo for vgic::ConfigError"
                   "vgic::save_snapshot(\\[abi:cxx11\\])?\\(vgic::Gic const&\\)")
set(required_timing "vgic::tlm::load_timing_profile\\(" "typeinfo for vgic::tlm::TimingProfileError")
set(required_output "vgic::tlm::OutputFile::")
set(required_tlm "vgic::tlm::ps_time\\(")
set(problems "")
foreach(name model timing output tlm)
  vgic_run("nm -D libvgic_${name}.so" nm -D --defined-only -C "${lib}/libvgic_${name}.so")
  set(symbols "${vgic_run_output}")
  string(REGEX MATCHALL "[^\n]+" lines "${symbols}")
  list(LENGTH lines count)
  message(STATUS "libvgic_${name}.so exports ${count} symbols")
  foreach(pattern IN LISTS forbidden)
    string(REGEX MATCHALL "[^\n]*${pattern}[^\n]*" hits "${symbols}")
    if(hits)
      list(LENGTH hits n)
      list(GET hits 0 first)
      string(APPEND problems "\n  libvgic_${name}.so exports ${n} symbol(s) matching ${pattern}, e.g. ${first}")
    endif()
  endforeach()
  foreach(pattern IN LISTS required_${name})
    if(NOT symbols MATCHES "${pattern}")
      string(APPEND problems "\n  libvgic_${name}.so does not export ${pattern}")
    endif()
  endforeach()
endforeach()
if(problems)
  message(FATAL_ERROR "exported symbols:${problems}")
endif()
