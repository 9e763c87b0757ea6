// Randomness from the OS: the kernel's CSPRNG, for ids and for what must be
// secret (key secrets, nonces, HMAC keys).
#pragma once

#include "core/random.h"
#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace edgeai::platform::native {

// The Random port from the kernel's CSPRNG (getrandom), for ids: each
// thread draws 256 bytes at a time, so one system call serves 16 ids.
class OsRandom final : public core::Random {
  public:
    void fill(uint8_t* out, size_t n) override;
};

// Bytes from the kernel's CSPRNG (getrandom): for key secrets, nonces and
// HMAC keys. Fails only when the kernel cannot give them.
core::Result<std::string> random_bytes(size_t count);

} // namespace edgeai::platform::native
