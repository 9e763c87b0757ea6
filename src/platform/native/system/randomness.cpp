#include "platform/native/system/randomness.h"

#include "platform/native/system/system_clock.h"

#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <random>

namespace edgeai::platform::native {

uint64_t random_seed() {
    std::random_device rd;
    uint64_t seed = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    return seed ^ static_cast<uint64_t>(SystemClock().monotonic_ns());
}

core::Result<std::string> random_bytes(size_t count) {
    std::string out(count, '\0');
    size_t filled = 0;
    while (filled < count) {
        const ssize_t n = ::getrandom(out.data() + filled, count - filled, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return core::Status(core::StatusCode::kInternal,
                                std::string("getrandom failed: ") + std::strerror(errno));
        }
        filled += static_cast<size_t>(n);
    }
    return out;
}

} // namespace edgeai::platform::native
