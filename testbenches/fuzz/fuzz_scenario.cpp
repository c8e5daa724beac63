// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the scenario loader (platforms/run/scenario.hpp) on arbitrary YAML text.
// Contract: parse_scenario returns a Scenario or throws ScenarioError; nothing else escapes,
// nothing crashes, nothing hangs. Inputs are capped (yaml-cpp recursion on deep nesting
// and alias expansion are the pathological cases); the base directory is the seed corpus
// directory so that relative `timing` paths resolve to nothing interesting.
#include "run/scenario.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <algorithm>
#include <cstdlib>
#include <exception>
#include <string>

namespace {
/// Deeply nested flow collections make yaml-cpp recurse once per level; a real scenario
/// nests a handful of levels. Skip inputs that could only exercise stack depth.
bool too_deep(const std::uint8_t* data, std::size_t size) {
    int depth = 0, max_depth = 0;
    for (std::size_t i = 0; i < size; ++i) {
        if (data[i] == '[' || data[i] == '{') max_depth = std::max(max_depth, ++depth);
        else if ((data[i] == ']' || data[i] == '}') && depth > 0) --depth;
    }
    return max_depth > 64;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16 * 1024 || too_deep(data, size)) return 0;
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)vgic::run::parse_scenario(text, "<fuzz>", "/nonexistent-fuzz-dir");
    } catch (const vgic::run::ScenarioError&) {
        // the documented failure
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_scenario: unexpected exception: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "fuzz_scenario: unexpected non-std exception\n");
        std::abort();
    }
    return 0;
}
