// The core's Clock port on the OS clocks: steady for intervals, system for dates.
#pragma once

#include "core/clock.h"

#include <cstdint>

namespace edgeai::platform::native {

class SystemClock final : public core::Clock {
  public:
    int64_t monotonic_ns() const override;
    int64_t unix_ms() const override;
};

} // namespace edgeai::platform::native
