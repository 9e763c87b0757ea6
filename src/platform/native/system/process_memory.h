// What this process holds in memory, for /metrics and the idle budget.
#pragma once

#include <cstdint>

namespace edgeai::platform::native {

// Resident set size of this process in bytes (0 if unknown).
int64_t resident_memory_bytes();

// The machine's physical memory in bytes (0 if unknown): the default budget
// for models loaded together is derived from it.
uint64_t physical_memory_bytes();

} // namespace edgeai::platform::native
