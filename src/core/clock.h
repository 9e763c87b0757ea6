// Clock port: the core never reads the OS clock itself, so tests can drive time
// and the WASI/microcontroller shells can supply whatever clock they have.
#pragma once

#include <cstdint>

namespace edgeai::core {

class Clock {
  public:
    virtual ~Clock() = default;
    // Monotonic nanoseconds from an arbitrary origin; for durations and deadlines.
    virtual int64_t monotonic_ns() const = 0;
    // Wall-clock milliseconds since the Unix epoch; for timestamps users read.
    virtual int64_t unix_ms() const = 0;
};

// A clock tests set by hand.
class ManualClock final : public Clock {
  public:
    int64_t monotonic_ns() const override { return monotonic_ns_; }
    int64_t unix_ms() const override { return unix_ms_; }
    void advance_ns(int64_t ns) {
        monotonic_ns_ += ns;
        unix_ms_ += ns / 1000000;
    }
    void set_unix_ms(int64_t ms) { unix_ms_ = ms; }

  private:
    int64_t monotonic_ns_ = 1000000000;
    int64_t unix_ms_ = 1700000000000;
};

} // namespace edgeai::core
