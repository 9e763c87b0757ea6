#include "platform/browser/browser_system.h"

#include <emscripten/emscripten.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace edgeai::platform::browser {

int64_t BrowserClock::monotonic_ns() const {
    // performance.now(): milliseconds with microsecond resolution.
    return static_cast<int64_t>(emscripten_get_now() * 1e6);
}

int64_t BrowserClock::unix_ms() const {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void BrowserRandom::fill(uint8_t* out, size_t n) {
    // getentropy() takes at most 256 bytes a call.
    constexpr size_t kMaxEntropyBytes = 256;
    while (n > 0) {
        const size_t chunk = std::min(n, kMaxEntropyBytes);
        if (getentropy(out, chunk) != 0) return;
        out += chunk;
        n -= chunk;
    }
}

void ConsoleLogSink::write_line(std::string_view line) {
    std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

} // namespace edgeai::platform::browser
