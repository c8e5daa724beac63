// SPDX-License-Identifier: Apache-2.0
// Bit helpers shared by the model's sources (internal header, not installed).
#pragma once

#include <cstdint>

namespace vgic::bits {

inline std::uint64_t bit64(unsigned i) { return std::uint64_t{1} << i; }
inline unsigned lowest_bit64(std::uint64_t v) { return static_cast<unsigned>(__builtin_ctzll(v)); }
/// Mask of the low `n` bits, n = 0..64.
inline std::uint64_t low_mask64(unsigned n) { return n >= 64 ? ~std::uint64_t{0} : bit64(n) - 1; }

} // namespace vgic::bits
