// Decimal digits appended to a string in place, the one place for it: the
// hot writers (response heads, audit lines) format numbers without making a
// temporary string per number as std::to_string does.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace edgeai::core {

inline void append_decimal(std::string& out, int64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, static_cast<size_t>(end - digits));
}

inline void append_decimal(std::string& out, uint64_t value) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
    out.append(digits, static_cast<size_t>(end - digits));
}

} // namespace edgeai::core
