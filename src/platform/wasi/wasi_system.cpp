#include "platform/wasi/wasi_system.h"

#include "core/check.h"

#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace edgeai::platform::wasi {

namespace {

int64_t read_clock(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

} // namespace

int64_t WasiClock::monotonic_ns() const {
    return read_clock(CLOCK_MONOTONIC);
}

int64_t WasiClock::unix_ms() const {
    return read_clock(CLOCK_REALTIME) / 1000000;
}

void WasiRandom::fill(uint8_t* out, size_t n) {
    // getentropy is random_get, 256 bytes at most per call.
    while (n > 0) {
        const size_t chunk = n < 256 ? n : 256;
        EDGEAI_CHECK(getentropy(out, chunk) == 0);
        out += chunk;
        n -= chunk;
    }
}

void StderrLogSink::write_line(std::string_view line) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
}

} // namespace edgeai::platform::wasi
