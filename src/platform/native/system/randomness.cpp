#include "platform/native/system/randomness.h"

#include "core/check.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>

namespace edgeai::platform::native {

namespace {

// 0, or the errno getrandom failed with.
int os_random(uint8_t* out, size_t count) {
    size_t filled = 0;
    while (filled < count) {
        const ssize_t n = ::getrandom(out + filled, count - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        filled += static_cast<size_t>(n);
    }
    return 0;
}

} // namespace

void OsRandom::fill(uint8_t* out, size_t n) {
    constexpr size_t kPool = 256;
    thread_local uint8_t pool[kPool];
    thread_local size_t left = 0;
    if (n > kPool / 4) {
        const int error = os_random(out, n);
        EDGEAI_CHECK_MSG(error == 0, "getrandom failed");
        return;
    }
    if (left < n) {
        const int error = os_random(pool, kPool);
        EDGEAI_CHECK_MSG(error == 0, "getrandom failed");
        left = kPool;
    }
    // Taken from the end and wiped, so no byte is handed out twice or kept.
    std::memcpy(out, pool + left - n, n);
    std::memset(pool + left - n, 0, n);
    left -= n;
}

core::Result<std::string> random_bytes(size_t count) {
    std::string out(count, '\0');
    if (const int error = os_random(reinterpret_cast<uint8_t*>(out.data()), count); error != 0) {
        return core::Status(core::StatusCode::kInternal,
                            std::string("getrandom failed: ") + std::strerror(error));
    }
    return out;
}

} // namespace edgeai::platform::native
