#include "router/retry_policy.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace edgeai::router {
namespace {

std::optional<int64_t> parse_int(std::string_view s) {
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

// Days from 1970-01-01 to a civil date (proleptic Gregorian).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 9110's IMF-fixdate) to Unix seconds.
std::optional<int64_t> parse_imf_fixdate(std::string_view s) {
    if (s.size() != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' ||
        s[16] != ' ' || s[19] != ':' || s[22] != ':' || s[25] != ' ' || s.substr(26) != "GMT")
        return std::nullopt;
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const auto month = std::find(kMonths.begin(), kMonths.end(), s.substr(8, 3));
    if (month == kMonths.end()) return std::nullopt;
    const auto day = parse_int(s.substr(5, 2)), year = parse_int(s.substr(12, 4));
    const auto h = parse_int(s.substr(17, 2)), mi = parse_int(s.substr(20, 2)),
               sec = parse_int(s.substr(23, 2));
    if (!day || !year || !h || !mi || !sec || *day < 1 || *day > 31 || *h > 23 || *mi > 59 ||
        *sec > 60)
        return std::nullopt;
    const int64_t m = month - kMonths.begin() + 1;
    return days_from_civil(*year, m, *day) * 86400 + *h * 3600 + *mi * 60 + *sec;
}

} // namespace

bool is_retryable_status(int http_status) {
    return http_status == 408 || http_status == 429 || (http_status >= 500 && http_status <= 599);
}

bool is_retryable_failure(core::StatusCode code) {
    return code == core::StatusCode::kUnavailable || code == core::StatusCode::kDeadlineExceeded ||
           code == core::StatusCode::kDataLoss;
}

std::optional<int64_t> backoff_delay_ms(const RetryPolicy& policy, uint32_t retry, uint64_t random,
                                        std::optional<int64_t> retry_after_ms) {
    int64_t step = policy.base_delay_ms;
    for (uint32_t i = 1; i < retry && step < policy.max_delay_ms; ++i)
        step *= 2;
    step = std::min(step, policy.max_delay_ms);
    // Half the step plus a random part of the other half.
    const int64_t half = step / 2;
    int64_t delay = half + (half > 0 ? static_cast<int64_t>(random % uint64_t(half + 1)) : 0);
    if (retry_after_ms) {
        if (*retry_after_ms > policy.max_retry_after_ms) return std::nullopt;
        delay = std::max(delay, *retry_after_ms);
    }
    return delay;
}

std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_unix_s) {
    while (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ')
        value.remove_suffix(1);
    if (value.empty()) return std::nullopt;
    if (value.front() >= '0' && value.front() <= '9') {
        const auto seconds = parse_int(value);
        if (!seconds || *seconds > int64_t{1} << 40) return std::nullopt;
        return *seconds * 1000;
    }
    const auto at = parse_imf_fixdate(value);
    if (!at) return std::nullopt;
    return std::max<int64_t>(0, *at - now_unix_s) * 1000;
}

} // namespace edgeai::router
