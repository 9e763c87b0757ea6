// What this process holds in memory, for /metrics and the idle budget.
#pragma once

#include <cstdint>

namespace edgeai::platform::native {

// Resident set size of this process in bytes (0 if unknown).
int64_t resident_memory_bytes();

} // namespace edgeai::platform::native
