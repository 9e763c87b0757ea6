// Decimal digits appended to a string in place, the one place for it: the
// hot writers (response heads, audit lines) format numbers without making a
// temporary string per number as std::to_string does.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

// A finite double in the fewest significant digits that read back as the
// same value ("0.15", not "0.14999999999999999"): what people read in JSON
// answers and in `config show`.
inline void append_shortest(std::string& out, double value) {
    char buf[32];
    for (int precision = 6; precision < 17; ++precision) {
        const int n = std::snprintf(buf, sizeof buf, "%.*g", precision, value);
        if (std::strtod(buf, nullptr) == value) {
            out.append(buf, static_cast<size_t>(n));
            return;
        }
    }
    const int n = std::snprintf(buf, sizeof buf, "%.17g", value);
    out.append(buf, static_cast<size_t>(n));
}

} // namespace edgeai::core
