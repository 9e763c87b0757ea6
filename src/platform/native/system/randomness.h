// Randomness from the OS: a seed for ids (unique, not secret) and bytes from
// the kernel's CSPRNG for what must be secret.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace edgeai::platform::native {

// Seed material for request ids.
uint64_t random_seed();

// Bytes from the kernel's CSPRNG (getrandom): for key secrets, nonces and
// HMAC keys. Fails only when the kernel cannot give them.
core::Result<std::string> random_bytes(size_t count);

} // namespace edgeai::platform::native
