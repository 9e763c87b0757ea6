#include "core/duration.h"

#include <limits>
#include <string>

namespace edgeai::core {

Result<int64_t> parse_duration_ms(std::string_view text) {
    auto bad = [&] {
        return invalid_argument("'" + std::string(text) +
                                "' is not a duration: use a positive whole number and "
                                "s, m, h, d or w, e.g. 90s, 30m, 24h, 7d, 2w");
    };
    if (text.size() < 2) return bad();
    int64_t unit_ms = 0;
    switch (text.back()) {
    case 's':
        unit_ms = 1000;
        break;
    case 'm':
        unit_ms = 60 * 1000;
        break;
    case 'h':
        unit_ms = 3600 * 1000;
        break;
    case 'd':
        unit_ms = 86400 * 1000;
        break;
    case 'w':
        unit_ms = 7 * 86400 * 1000;
        break;
    default:
        return bad();
    }
    int64_t count = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') return bad();
        if (count > (std::numeric_limits<int64_t>::max() / unit_ms - (c - '0')) / 10)
            return invalid_argument("duration '" + std::string(text) + "' is too long");
        count = count * 10 + (c - '0');
    }
    if (count == 0) return bad();
    return count * unit_ms;
}

} // namespace edgeai::core
