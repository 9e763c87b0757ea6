#include "core/random.h"

#include "core/http_types.h"

namespace edgeai::core {

void SeededRandom::fill(uint8_t* out, size_t n) {
    while (n > 0) {
        uint64_t v = splitmix64(state_ += 0x9E3779B97F4A7C15ull);
        for (int i = 0; i < 8 && n > 0; ++i, --n, v >>= 8)
            *out++ = static_cast<uint8_t>(v);
    }
}

} // namespace edgeai::core
