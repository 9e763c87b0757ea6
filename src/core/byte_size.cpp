#include "core/byte_size.h"

#include <cstdio>
#include <cstdlib>

namespace edgeai::core {

Result<uint64_t> parse_byte_size(std::string_view text) {
    const std::string s(text);
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    const std::string_view unit(end, static_cast<size_t>(s.c_str() + s.size() - end));
    double scale = -1;
    if (unit.empty() || unit == "B") scale = 1;
    const std::string_view prefixes = "KMGT";
    for (size_t i = 0; i < prefixes.size(); ++i) {
        const char p = prefixes[i];
        if (unit.size() >= 1 && unit[0] == p &&
            (unit.size() == 1 || unit.substr(1) == "B" || unit.substr(1) == "iB"))
            scale = static_cast<double>(uint64_t{1} << (10 * (i + 1)));
    }
    const bool digits = end != s.c_str() && !s.empty() && s[0] >= '0' && s[0] <= '9';
    if (!digits || scale < 0 || !(value > 0) || value * scale >= 1.8e19)
        return invalid_argument("'" + s + "' is not a size: use bytes or K, M, G, T, e.g. " +
                                "512M or 2G");
    return static_cast<uint64_t>(value * scale);
}

std::string format_byte_size(uint64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = static_cast<double>(bytes);
    size_t unit = 0;
    while (v >= 1024 && unit + 1 < std::size(kUnits)) {
        v /= 1024;
        ++unit;
    }
    char out[32];
    if (unit == 0 || v >= 100)
        std::snprintf(out, sizeof out, "%.0f %s", v, kUnits[unit]);
    else
        std::snprintf(out, sizeof out, "%.1f %s", v, kUnits[unit]);
    return out;
}

} // namespace edgeai::core
