// A JSON Schema `pattern` (the regex subset json_schema.h documents) as a
// GBNF expression for a JSON string's contents: the characters it matches,
// written as JSON spells them inside quotes.
#pragma once

#include "core/result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::engine::grammar {

struct RegexLimits {
    size_t max_pattern_bytes = 1024;
    uint32_t max_count = 1000; // m and n of {m,n}
    uint32_t max_nesting = 32; // groups inside groups
};

// `any_char` names the grammar rule for one JSON string character, used for
// `.` and for the unanchored ends.
core::Result<std::string> regex_to_gbnf(std::string_view pattern, std::string_view any_char,
                                        const RegexLimits& limits = {});

} // namespace edgeai::engine::grammar
