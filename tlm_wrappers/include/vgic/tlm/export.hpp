// SPDX-License-Identifier: Apache-2.0
// The export marks of the three libraries whose headers live under vgic/tlm/ (docs/PACKAGING.md):
//   VGIC_TIMING_API  libvgic_timing (timing_profile.hpp, spread.hpp, duration.hpp, input.hpp)
//   VGIC_OUTPUT_API  libvgic_output (output_file.hpp, vcd_writer.hpp)
//   VGIC_TLM_API     libvgic_tlm    (vgic.hpp, virtual_timer.hpp, snapshot.hpp, time.hpp, vcd_trace.hpp)
// Each library is compiled with -fvisibility=hidden: only what carries its mark is exported
// from the shared library. A static library defines VGIC_<NAME>_STATIC for itself and its
// users (CMake's INTERFACE_COMPILE_DEFINITIONS, the .pc file's Cflags): the mark is then empty.
#pragma once

#if defined(_WIN32) || defined(__CYGWIN__)
#define VGIC_DETAIL_EXPORT __declspec(dllexport)
#define VGIC_DETAIL_IMPORT __declspec(dllimport)
#else
#define VGIC_DETAIL_EXPORT __attribute__((visibility("default")))
#define VGIC_DETAIL_IMPORT __attribute__((visibility("default")))
#endif

#if defined(VGIC_TIMING_STATIC)
#define VGIC_TIMING_API
#elif defined(VGIC_TIMING_BUILDING)
#define VGIC_TIMING_API VGIC_DETAIL_EXPORT
#else
#define VGIC_TIMING_API VGIC_DETAIL_IMPORT
#endif

#if defined(VGIC_OUTPUT_STATIC)
#define VGIC_OUTPUT_API
#elif defined(VGIC_OUTPUT_BUILDING)
#define VGIC_OUTPUT_API VGIC_DETAIL_EXPORT
#else
#define VGIC_OUTPUT_API VGIC_DETAIL_IMPORT
#endif

#if defined(VGIC_TLM_STATIC)
#define VGIC_TLM_API
#elif defined(VGIC_TLM_BUILDING)
#define VGIC_TLM_API VGIC_DETAIL_EXPORT
#else
#define VGIC_TLM_API VGIC_DETAIL_IMPORT
#endif
