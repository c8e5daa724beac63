// SPDX-License-Identifier: Apache-2.0
// VGIC_MODEL_API marks what libvgic_model exports (docs/PACKAGING.md). The library is compiled
// with -fvisibility=hidden and -fvisibility-inlines-hidden: a symbol without the mark stays
// inside a shared libvgic_model.so. Every class and free function declared in the installed
// headers carries it; classes carry it whole, so that their typeinfo and vtables (exceptions
// such as ConfigError, observers such as LineObserver) are one object across the library
// boundary and `catch (const vgic::ConfigError&)` in a program works.
// A static libvgic_model defines VGIC_MODEL_STATIC for itself and, through CMake's
// INTERFACE_COMPILE_DEFINITIONS and vgic-model.pc, for its users: the mark is then empty.
#pragma once

#if defined(VGIC_MODEL_STATIC)
#define VGIC_MODEL_API
#elif defined(_WIN32) || defined(__CYGWIN__)
#if defined(VGIC_MODEL_BUILDING)
#define VGIC_MODEL_API __declspec(dllexport)
#else
#define VGIC_MODEL_API __declspec(dllimport)
#endif
#else
#define VGIC_MODEL_API __attribute__((visibility("default")))
#endif
