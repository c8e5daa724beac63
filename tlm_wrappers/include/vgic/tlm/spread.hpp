// SPDX-License-Identifier: Apache-2.0
// Seeded variation of a timing parameter (docs/TIMING.md "Spread"): the distribution one
// cost is drawn from when a run asks for variation, and the random source that draws it.
//
// Plain C++17, no SystemC, no <random> distributions: std::normal_distribution and friends
// are implementation-defined, and a seed must give the same draws, hence byte-identical
// outputs, with every standard library. The generator is xoshiro256** seeded through
// splitmix64 (Blackman and Vigna); a normal draw is the Irwin-Hall sum of twelve uniforms
// (mean 0, variance 1, never beyond 6 standard deviations), which needs no libm.
#pragma once

#include "vgic/tlm/export.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace vgic::tlm {

/// How one parameter varies. Every bound is a time in ps; the parameter's exact value (what
/// a run without variation uses) lies within [min, max].
struct VGIC_TIMING_API Spread {
    enum class Shape : std::uint8_t {
        Uniform,  ///< every ps in [min, max] equally likely
        Normal,   ///< a normal of `mean` and `sd`, redrawn outside [min, max]
    };
    Shape shape = Shape::Uniform;
    std::uint64_t min = 0;
    std::uint64_t max = 0;
    std::uint64_t mean = 0;  ///< Normal only: the centre before truncation
    std::uint64_t sd = 0;    ///< Normal only: the standard deviation before truncation

    /// Every ps in [min, max] equally likely.
    static Spread uniform(std::uint64_t min, std::uint64_t max) {
        Spread s;
        s.min = min;
        s.max = max;
        return s;
    }
    /// A normal of `mean` and `sd`, truncated to [min, max].
    static Spread normal(std::uint64_t mean, std::uint64_t sd, std::uint64_t min, std::uint64_t max) {
        Spread s;
        s.shape = Shape::Normal;
        s.mean = mean;
        s.sd = sd;
        s.min = min;
        s.max = max;
        return s;
    }

    bool operator==(const Spread& o) const {
        return shape == o.shape && min == o.min && max == o.max && mean == o.mean && sd == o.sd;
    }
    bool operator!=(const Spread& o) const { return !(*this == o); }
};

/// The spread's shape as written in a profile file: "uniform" or "normal".
VGIC_TIMING_API const char* shape_name(Spread::Shape shape);

/// A reproducible stream of random numbers: the same seed gives the same sequence on every
/// platform and standard library.
class VGIC_TIMING_API SpreadRandom {
public:
    explicit SpreadRandom(std::uint64_t seed = 0);
    /// 64 uniformly distributed bits.
    std::uint64_t next();
    /// Uniform in [0, 1), 53 bits.
    double unit();
    /// Uniform integer in [lo, hi] (lo <= hi), without modulo bias.
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi);

private:
    std::uint64_t s_[4];
};

/// A seed for one independent stream: the run's `seed` mixed with a stream number (a VM's
/// index, a component) through splitmix64, so streams never share a sequence.
VGIC_TIMING_API std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream);

/// One draw, in ps. A Normal outside [min, max] is redrawn (up to 64 times; then the nearer
/// bound), so every draw lies within the bounds.
VGIC_TIMING_API std::uint64_t draw(const Spread& spread, SpreadRandom& random);

/// The mean of draw() (exact for Uniform; for Normal, computed numerically over the
/// truncated density), in ps.
VGIC_TIMING_API double spread_mean(const Spread& spread);

/// Throws std::invalid_argument naming the problem when the spread cannot describe a
/// parameter whose exact value is `value`: min > max, value outside [min, max], a Normal
/// with sd 0 or its mean outside [min, max], a Uniform carrying mean or sd.
VGIC_TIMING_API void check_spread(const Spread& spread, std::uint64_t value);

/// "normal mean 470 ns sd 25 ns in 380 ns..480 ns", "uniform 25 ns..50 ns".
VGIC_TIMING_API std::string describe_spread(const Spread& spread);

} // namespace vgic::tlm
