// Durations as operators write them ("90s", "30m", "24h", "7d", "2w"): the
// CLI's --since/--older-than/--expires, GET /v1/usage?since= and the admin API.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string_view>

namespace edgeai::core {

// The duration in milliseconds; InvalidArgument naming the accepted forms
// otherwise.
Result<int64_t> parse_duration_ms(std::string_view text);

} // namespace edgeai::core
