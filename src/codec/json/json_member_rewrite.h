// Replaces one member of a JSON object's top level and leaves every other byte
// as the client sent it (numbers keep their spelling, unknown fields survive).
// The router uses it to send a route's target model name upstream in place of
// the name the client asked for.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace edgeai::codec {

// `json` with the top-level member `key`'s value replaced by the string
// `value` (escaped here). nullopt when `json` is not an object or has no such
// member; the member is matched after unescaping its name.
std::optional<std::string> replace_top_level_string(std::string_view json, std::string_view key,
                                                    std::string_view value);

} // namespace edgeai::codec
