// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the script parser (platforms/script) on arbitrary text. Contract: it
// returns a Script or throws ScriptError; nothing else escapes, nothing crashes.
#include "script/script.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 64 * 1024) return 0;  // scripts are small; keep runs fast
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)vgic::script::parse_script(text, "<fuzz>");
    } catch (const vgic::script::ScriptError&) {
        // the documented failure
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fuzz_script: unexpected exception: %s\n", e.what());
        std::abort();
    } catch (...) {
        std::fprintf(stderr, "fuzz_script: unexpected non-std exception\n");
        std::abort();
    }
    return 0;
}
