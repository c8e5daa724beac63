// SPDX-License-Identifier: Apache-2.0
// SHA-256 (FIPS 180-4), for the sizes and digests report.json lists of the files written with
// it: small enough to keep here rather than add a crypto library as a dependency. Portable
// C++, and the x86 SHA extensions where the CPU has them. Tested against the standard's
// examples (CTest run.sha256), both ways.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace vgic::run {

class Sha256 {
public:
    Sha256();
    void update(const void* data, std::size_t n);
    void update(const std::string& s) { update(s.data(), s.size()); }
    /// The digest of everything given; the object is spent afterwards (construct a new one).
    std::array<std::uint8_t, 32> finish();
    /// finish() as 64 lowercase hex digits.
    std::string hex();

    /// The x86 SHA extensions are used when the CPU has them (same results, about ten times
    /// faster); tests switch them off to check the portable code too.
    static bool cpu_instructions_available();
    static void use_cpu_instructions(bool on);

private:
    void block(const std::uint8_t* p);
    std::array<std::uint32_t, 8> h_;
    std::array<std::uint8_t, 64> buf_{};
    std::size_t used_ = 0;       // bytes in buf_
    std::uint64_t length_ = 0;   // message length in bytes
};

/// The SHA-256 of `s` as 64 lowercase hex digits.
std::string sha256_hex(const std::string& s);

} // namespace vgic::run
