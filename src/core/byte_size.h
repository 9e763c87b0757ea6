// Sizes as operators write them: "512M", "2G", "1.5GiB", "800000" (bytes).
// K, M, G and T (with or without "iB", or "B" alone) are powers of 1024, as
// for --max-memory, models.memory_budget and --memory-budget.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core {

// InvalidArgument naming the accepted forms for anything else (zero too).
Result<uint64_t> parse_byte_size(std::string_view text);

// "1.5 GiB", "300 MiB", "12 KiB", "800 B": for messages.
std::string format_byte_size(uint64_t bytes);

} // namespace edgeai::core
