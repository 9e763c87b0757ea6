// The random source of everything a client must not guess: ids (requests,
// jobs, files, batches, responses), batch lines, jitter. Natively the OS's
// CSPRNG (platform/native/system/os_random.h), drawn in blocks so one
// getrandom call serves many ids; tests use a seeded one.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeai::core {

class Random {
  public:
    virtual ~Random() = default;
    // `n` bytes no one can predict from the ones seen before. Thread-safe.
    virtual void fill(uint8_t* out, size_t n) = 0;

    uint64_t next_u64() {
        uint64_t v = 0;
        uint8_t bytes[8];
        fill(bytes, sizeof bytes);
        for (uint8_t b : bytes)
            v = (v << 8) | b;
        return v;
    }
};

// Deterministic bytes from a seed (splitmix64): for tests and for builds
// without an OS source. Predictable by design; never for production ids.
class SeededRandom final : public Random {
  public:
    explicit SeededRandom(uint64_t seed) : state_(seed) {}
    void fill(uint8_t* out, size_t n) override;

  private:
    uint64_t state_;
};

} // namespace edgeai::core
