// How long a model stays loaded after its last request, as Ollama reads its
// `keep_alive`: a Go-style duration ("5m", "1h30m", "300ms", "1.5h"), a
// number of seconds ("300", 300, 2.5), a negative value for "forever" and 0
// for "unload as soon as the request ends". Used by [models] keep_alive, the
// Ollama routes' body field and the OpenAI routes' x-edgeai-keep-alive header.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::core {

// Milliseconds to stay loaded once idle; kKeepAliveForever never unloads.
inline constexpr int64_t kKeepAliveForever = -1;

// The keep-alive in milliseconds (kKeepAliveForever for a negative value);
// InvalidArgument naming the accepted forms otherwise.
Result<int64_t> parse_keep_alive(std::string_view text);

// "forever", "0s", "5m", "1h30m", "1.5s": how `edgeai ps` and logs say it.
std::string format_keep_alive(int64_t ms);

} // namespace edgeai::core
