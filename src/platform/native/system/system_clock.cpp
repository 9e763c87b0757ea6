#include "platform/native/system/system_clock.h"

#include <chrono>

namespace edgeai::platform::native {

int64_t SystemClock::monotonic_ns() const {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

int64_t SystemClock::unix_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace edgeai::platform::native
