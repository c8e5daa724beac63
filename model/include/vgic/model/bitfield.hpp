// SPDX-License-Identifier: Apache-2.0
// Named register fields: every layout in model/ is declared once with these and used by
// name, so a reader finds "TYPER.ITLinesNumber" instead of "& 0x1f".
#pragma once

#include <cstdint>

namespace vgic {

/// A field of `Width` bits starting at bit `Lsb` of a register of type `T`.
template <unsigned Lsb, unsigned Width, typename T = std::uint32_t>
struct Field {
    static_assert(Width >= 1 && Lsb + Width <= sizeof(T) * 8, "field does not fit its register");
    static constexpr unsigned lsb = Lsb;
    static constexpr unsigned width = Width;
    static constexpr T max = (Width >= sizeof(T) * 8) ? static_cast<T>(~T{0})
                                                      : static_cast<T>((T{1} << Width) - 1);
    static constexpr T mask = static_cast<T>(max << Lsb);

    /// The field's value extracted from register value `reg`.
    static constexpr T get(T reg) { return static_cast<T>((reg & mask) >> Lsb); }
    /// Register value with this field alone set to `value` (excess bits dropped).
    static constexpr T make(T value) { return static_cast<T>((value << Lsb) & mask); }
    /// `reg` with this field replaced by `value`.
    static constexpr T set(T reg, T value) { return static_cast<T>((reg & ~mask) | make(value)); }
    static constexpr bool test(T reg) { return (reg & mask) != 0; }
};

/// A single-bit flag.
template <unsigned Bit, typename T = std::uint32_t>
using Flag = Field<Bit, 1, T>;

} // namespace vgic
