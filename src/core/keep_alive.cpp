#include "core/keep_alive.h"

#include <cmath>
#include <cstdlib>

namespace edgeai::core {

namespace {

// A week of milliseconds caps a finite keep-alive: longer is "forever" in
// practice, and the cap keeps the arithmetic far from overflow.
constexpr double kMaxKeepAliveMs = 7.0 * 24 * 3600 * 1000;

Status bad_keep_alive(std::string_view text) {
    return invalid_argument("'" + std::string(text) +
                            "' is not a keep_alive: use a duration such as 30s, 5m, 1h30m, a "
                            "number of seconds, -1 (forever) or 0 (unload after the request)");
}

// The unit at the front of `rest` in milliseconds, and its length; 0 if none.
double unit_ms(std::string_view rest, size_t* length) {
    struct Unit {
        std::string_view name;
        double ms;
    };
    // "ms" before "m", so the longer name wins.
    static constexpr Unit kUnits[] = {
        {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
    for (const Unit& u : kUnits)
        if (rest.substr(0, u.name.size()) == u.name) {
            *length = u.name.size();
            return u.ms;
        }
    *length = 0;
    return 0;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// One "12.5" at the front of `rest`; its length in *length (0: none).
double leading_number(std::string_view rest, size_t* length) {
    size_t i = 0;
    bool digits = false, dot = false;
    while (i < rest.size() && (is_digit(rest[i]) || (rest[i] == '.' && !dot))) {
        dot |= rest[i] == '.';
        digits |= is_digit(rest[i]);
        ++i;
    }
    *length = digits ? i : 0;
    if (!digits) return 0;
    return std::strtod(std::string(rest.substr(0, i)).c_str(), nullptr);
}

} // namespace

Result<int64_t> parse_keep_alive(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (text.empty()) return bad_keep_alive(text);
    std::string_view rest = text;
    const bool negative = rest.front() == '-';
    if (negative || rest.front() == '+') rest.remove_prefix(1);
    double total_ms = 0;
    size_t used = 0;
    const double first = leading_number(rest, &used);
    if (used == 0) return bad_keep_alive(text);
    if (used == rest.size()) {
        total_ms = first * 1000; // a bare number counts seconds
    } else {
        double number = first;
        for (;;) {
            rest.remove_prefix(used);
            const double ms = unit_ms(rest, &used);
            if (used == 0) return bad_keep_alive(text);
            total_ms += number * ms;
            rest.remove_prefix(used);
            if (rest.empty()) break;
            number = leading_number(rest, &used);
            if (used == 0 || used == rest.size()) return bad_keep_alive(text);
        }
    }
    if (negative && total_ms > 0) return kKeepAliveForever;
    if (!(total_ms < kMaxKeepAliveMs)) return kKeepAliveForever;
    return static_cast<int64_t>(std::llround(total_ms));
}

std::string format_keep_alive(int64_t ms) {
    if (ms < 0) return "forever";
    if (ms % 1000 != 0) return std::to_string(ms) + "ms";
    int64_t s = ms / 1000;
    if (s == 0) return "0s";
    std::string out;
    if (s >= 3600) {
        out += std::to_string(s / 3600) + "h";
        s %= 3600;
    }
    if (s >= 60) {
        out += std::to_string(s / 60) + "m";
        s %= 60;
    }
    if (s > 0) out += std::to_string(s) + "s";
    return out;
}

} // namespace edgeai::core
