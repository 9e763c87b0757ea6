// The sampler's random source: xoshiro256** seeded through splitmix64. It is
// written out here rather than taken from <random> because the engines and
// distributions there are free to differ between standard libraries, and a
// request's seed must give the same tokens on every build, wasm32 included.
#pragma once

#include <cstdint>

namespace edgeai::engine::sampling {

class Rng {
  public:
    explicit Rng(uint64_t seed) { reseed(seed); }

    // splitmix64 spreads any seed, 0 included, over the whole state; xoshiro
    // must never start from all zeros, which splitmix64 cannot produce for
    // four consecutive outputs.
    void reseed(uint64_t seed) {
        for (uint64_t& word : state_) {
            seed += 0x9E3779B97F4A7C15ull;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
            word = z ^ (z >> 31);
        }
    }

    uint64_t next() {
        const uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    // Uniform in [0, 1): the top 53 bits scaled by 2^-53, exact in a double, so
    // the value depends on the bits alone and never on the platform's rounding.
    double next_unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

    uint64_t state_[4];
};

} // namespace edgeai::engine::sampling
