// SPDX-License-Identifier: Apache-2.0
#include "vgic/tlm/spread.hpp"

#include "vgic/tlm/timing_profile.hpp"

#include <cmath>
#include <stdexcept>

namespace vgic::tlm {

namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/// An approximately standard normal value: the sum of twelve uniforms minus six.
double standard_normal(SpreadRandom& random) {
    double sum = 0;
    for (int i = 0; i < 12; ++i) sum += random.unit();
    return sum - 6.0;
}

} // namespace

const char* shape_name(Spread::Shape shape) { return shape == Spread::Shape::Normal ? "normal" : "uniform"; }

SpreadRandom::SpreadRandom(std::uint64_t seed) {
    // xoshiro's state must not be all zero; splitmix64 never yields four zeros in a row.
    for (auto& word : s_) word = splitmix64(seed);
}

std::uint64_t SpreadRandom::next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

double SpreadRandom::unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

std::uint64_t SpreadRandom::between(std::uint64_t lo, std::uint64_t hi) {
    const std::uint64_t span = hi - lo;
    if (span == ~std::uint64_t{0}) return next();
    const std::uint64_t n = span + 1;
    // Reject the top partial block so every value is equally likely.
    const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
    for (;;) {
        const std::uint64_t x = next();
        if (x < limit) return lo + x % n;
    }
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t state = seed ^ rotl(stream * 0xD1B54A32D192ED03ull + 0x8CB92BA72F3D8DD7ull, 23);
    splitmix64(state);
    return splitmix64(state);
}

std::uint64_t draw(const Spread& spread, SpreadRandom& random) {
    if (spread.min >= spread.max) return spread.min;
    if (spread.shape == Spread::Shape::Uniform) return random.between(spread.min, spread.max);
    const double lo = static_cast<double>(spread.min);
    const double hi = static_cast<double>(spread.max);
    for (int attempt = 0; attempt < 64; ++attempt) {
        const double x = std::nearbyint(static_cast<double>(spread.mean) +
                                        static_cast<double>(spread.sd) * standard_normal(random));
        if (x >= lo && x <= hi) return static_cast<std::uint64_t>(x);
    }
    // Bounds far out in a tail (checked specs keep the mean inside them, so this is rare).
    return spread.mean < spread.min ? spread.min : spread.mean > spread.max ? spread.max : spread.mean;
}

double spread_mean(const Spread& spread) {
    if (spread.min >= spread.max) return static_cast<double>(spread.min);
    if (spread.shape == Spread::Shape::Uniform)
        return (static_cast<double>(spread.min) + static_cast<double>(spread.max)) / 2.0;
    // The mean of the normal density restricted to [min, max], by the midpoint rule.
    const double lo = static_cast<double>(spread.min), hi = static_cast<double>(spread.max);
    const double mu = static_cast<double>(spread.mean), sd = static_cast<double>(spread.sd);
    constexpr int kSteps = 4096;
    const double step = (hi - lo) / kSteps;
    double weight = 0, moment = 0;
    for (int i = 0; i < kSteps; ++i) {
        const double x = lo + (i + 0.5) * step;
        const double z = (x - mu) / sd;
        const double w = std::exp(-0.5 * z * z);
        weight += w;
        moment += w * x;
    }
    return weight > 0 ? moment / weight : mu;
}

void check_spread(const Spread& spread, std::uint64_t value) {
    if (spread.min > spread.max)
        throw std::invalid_argument("min " + format_time(spread.min) + " is above max " + format_time(spread.max));
    if (value < spread.min || value > spread.max)
        throw std::invalid_argument("the value " + format_time(value) + " is outside min..max (" +
                                    format_time(spread.min) + ".." + format_time(spread.max) +
                                    "): a run without variation must use a value the spread can draw");
    if (spread.shape == Spread::Shape::Normal) {
        if (spread.sd == 0) throw std::invalid_argument("a normal spread needs sd above 0 ps");
        if (spread.mean < spread.min || spread.mean > spread.max)
            throw std::invalid_argument("mean " + format_time(spread.mean) + " is outside min..max (" +
                                        format_time(spread.min) + ".." + format_time(spread.max) + ")");
    } else if (spread.sd != 0 || spread.mean != 0) {
        throw std::invalid_argument("a uniform spread has no mean or sd (only min and max)");
    }
}

std::string describe_spread(const Spread& spread) {
    const std::string range = format_time(spread.min) + ".." + format_time(spread.max);
    if (spread.shape == Spread::Shape::Uniform) return "uniform " + range;
    return "normal mean " + format_time(spread.mean) + " sd " + format_time(spread.sd) + " in " + range;
}

} // namespace vgic::tlm
