// The small ports the browser build needs, over what emscripten gives a
// worker: performance.now() and Date.now() behind the C clocks,
// crypto.getRandomValues() behind getentropy(), the console behind stderr.
#pragma once

#include "core/clock.h"
#include "core/log.h"
#include "core/random.h"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace edgeai::platform::browser {

class BrowserClock final : public core::Clock {
  public:
    int64_t monotonic_ns() const override;
    int64_t unix_ms() const override;
};

class BrowserRandom final : public core::Random {
  public:
    void fill(uint8_t* out, size_t n) override;
};

// Log lines on the worker's console.
class ConsoleLogSink final : public core::LogSink {
  public:
    void write_line(std::string_view line) override;
};

} // namespace edgeai::platform::browser
