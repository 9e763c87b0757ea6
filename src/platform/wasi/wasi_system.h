// The small ports every WASI program here needs, over WASI preview1's clocks,
// random_get and stderr.
#pragma once

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edgeai::platform::wasi {

class WasiClock final : public core::Clock {
  public:
    int64_t monotonic_ns() const override;
    int64_t unix_ms() const override;
};

// The host's random_get (node: the OS's CSPRNG).
class WasiRandom final : public core::Random {
  public:
    void fill(uint8_t* out, size_t n) override;
};

// Log lines on stderr: stdout carries the protocol only.
class StderrLogSink final : public core::LogSink {
  public:
    void write_line(std::string_view line) override;
};

} // namespace edgeai::platform::wasi
