// The SHA-256 compression function, one implementation per instruction set:
// Sha256 hashes whole 64-byte blocks through the fastest one this CPU has
// (chosen once). Hashing is most of what the audit log's writer does per
// request (a line's HMAC and its chain hash), so on a CPU with the SHA
// extensions it runs several times faster than the portable loop.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeai::core {

// Runs `blocks` 64-byte blocks from `data` through `state` (h0..h7).
using Sha256BlocksFn = void (*)(uint32_t state[8], const uint8_t* data, size_t blocks);

void sha256_blocks_portable(uint32_t state[8], const uint8_t* data, size_t blocks);
// x86 SHA extensions (SHA-NI); nullptr where the build or the CPU has none.
Sha256BlocksFn sha256_blocks_x86();
// What Sha256 uses: the accelerated function when there is one.
Sha256BlocksFn sha256_blocks();

} // namespace edgeai::core
