#include "security/key_limiter.h"

#include <algorithm>
#include <cmath>

namespace edgeai::security {

namespace {

constexpr int64_t kDayMs = 86400000;
constexpr double kNsPerMinute = 60e9;

struct Civil {
    int64_t year;
    int64_t month; // 1..12
};

// The proleptic Gregorian calendar from a day count (days since 1970-01-01),
// in 400-year eras of 146097 days.
Civil civil_from_days(int64_t z) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t m = mp < 10 ? mp + 3 : mp - 9;
    return {yoe + era * 400 + (m <= 2 ? 1 : 0), m};
}

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

// Milliseconds until a bucket of `capacity` per minute holds `wanted`.
int64_t ms_until(double level, double wanted, int64_t capacity) {
    if (level >= wanted || capacity <= 0) return 0;
    return static_cast<int64_t>(
        std::ceil((wanted - level) * 60000.0 / static_cast<double>(capacity)));
}

int64_t seconds_ceil(int64_t ms) {
    return std::max<int64_t>(1, (ms + 999) / 1000);
}

} // namespace

int64_t utc_day(int64_t unix_ms) {
    return unix_ms >= 0 ? unix_ms / kDayMs : (unix_ms - kDayMs + 1) / kDayMs;
}

int64_t utc_month(int64_t unix_ms) {
    const Civil c = civil_from_days(utc_day(unix_ms));
    return c.year * 12 + c.month - 1;
}

int64_t next_utc_day_ms(int64_t unix_ms) {
    return (utc_day(unix_ms) + 1) * kDayMs;
}

int64_t next_utc_month_ms(int64_t unix_ms) {
    const int64_t next = utc_month(unix_ms) + 1;
    return days_from_civil(next / 12, next % 12 + 1, 1) * kDayMs;
}

int64_t utc_month_start_ms(int64_t unix_ms) {
    const int64_t month = utc_month(unix_ms);
    return days_from_civil(month / 12, month % 12 + 1, 1) * kDayMs;
}

std::string format_reset(int64_t ms) {
    if (ms <= 0) return "0s";
    if (ms < 1000) return std::to_string(ms) + "ms";
    const int64_t minutes = ms / 60000;
    const int64_t rest_ms = ms % 60000;
    std::string seconds = std::to_string(rest_ms / 1000);
    if (rest_ms % 1000 != 0) {
        // One decimal, as OpenAI writes "1.5s"; rounded up so a client
        // waiting that long finds the bucket refilled.
        const int64_t tenths = (rest_ms % 1000 + 99) / 100;
        seconds = tenths == 10 ? std::to_string(rest_ms / 1000 + 1)
                               : seconds + "." + std::to_string(tenths);
    }
    return minutes > 0 ? std::to_string(minutes) + "m" + seconds + "s" : seconds + "s";
}

// A new bucket starts full; a used one refills at `capacity` per minute.
double KeyLimiter::refill(Bucket& b, int64_t capacity, int64_t now_ns) {
    if (!b.started) {
        b.started = true;
        b.level = static_cast<double>(capacity);
    } else {
        const double elapsed = static_cast<double>(std::max<int64_t>(0, now_ns - b.updated_ns));
        b.level = std::min(static_cast<double>(capacity),
                           b.level + elapsed * static_cast<double>(capacity) / kNsPerMinute);
    }
    b.updated_ns = now_ns;
    return b.level;
}

KeyLimiter::State& KeyLimiter::state(std::string_view key_id) {
    auto it = states_.find(std::string(key_id));
    if (it == states_.end()) it = states_.emplace(std::string(key_id), State{}).first;
    return it->second;
}

void KeyLimiter::roll(Spent& spent, int64_t now_unix_ms) {
    const int64_t day = utc_day(now_unix_ms);
    const int64_t month = utc_month(now_unix_ms);
    if (spent.day != day) {
        spent.day = day;
        spent.day_tokens = 0;
        spent.day_cost = 0;
    }
    if (spent.month != month) {
        spent.month = month;
        spent.month_tokens = 0;
        spent.month_cost = 0;
    }
}

RateView KeyLimiter::view(const ApiKey& key, int64_t now_ns) {
    State& s = state(key.id);
    RateView v;
    if (const int64_t rpm = key.limits.requests_per_minute; rpm > 0) {
        const double level = refill(s.requests, rpm, now_ns);
        v.limit_requests = rpm;
        v.remaining_requests = std::max<int64_t>(0, static_cast<int64_t>(std::floor(level)));
        v.reset_requests_ms = ms_until(level, static_cast<double>(rpm), rpm);
    }
    if (const int64_t tpm = key.limits.tokens_per_minute; tpm > 0) {
        const double level = refill(s.tokens, tpm, now_ns);
        v.limit_tokens = tpm;
        v.remaining_tokens = std::max<int64_t>(0, static_cast<int64_t>(std::floor(level)));
        v.reset_tokens_ms = ms_until(level, static_cast<double>(tpm), tpm);
    }
    return v;
}

Admission KeyLimiter::rate_refusal(const ApiKey& key, const State& s, Admission a) {
    const int64_t per_minute = key.limits.requests_per_minute;
    const int64_t wait = ms_until(s.requests.level, 1, per_minute);
    a.admitted = false;
    a.code = "rate_limit_exceeded";
    a.message = "Rate limit reached for key '" + key.name + "': " + std::to_string(per_minute) +
                " requests per minute. Try again in " + format_reset(wait);
    a.retry_after_s = seconds_ceil(wait);
    return a;
}

Admission KeyLimiter::admit_request(const ApiKey& key, int64_t now_ns) {
    State& s = state(key.id);
    Admission a;
    a.view = view(key, now_ns);
    if (key.limits.requests_per_minute <= 0) return a;
    if (s.requests.level < 1) return rate_refusal(key, s, a);
    s.requests.level -= 1;
    a.view = view(key, now_ns);
    return a;
}

Admission KeyLimiter::admit(const ApiKey& key, int64_t now_ns, int64_t now_unix_ms,
                            int64_t estimated_tokens) {
    State& s = state(key.id);
    Admission a;
    a.view = view(key, now_ns);
    auto refuse = [&](std::string code, std::string message, int64_t retry_ms) {
        a.admitted = false;
        a.code = std::move(code);
        a.message = std::move(message);
        a.retry_after_s = seconds_ceil(retry_ms);
        return a;
    };
    const KeyLimits& limits = key.limits;
    if (limits.concurrent_requests > 0 && s.in_flight >= limits.concurrent_requests) {
        return refuse("concurrency_limit_exceeded",
                      "Too many requests in flight for key '" + key.name + "': its limit is " +
                          std::to_string(limits.concurrent_requests) +
                          " at once; wait for one to finish",
                      1000);
    }
    if (limits.requests_per_minute > 0 && s.requests.level < 1) return rate_refusal(key, s, a);
    // A request larger than the whole bucket waits for a full one instead of
    // never passing.
    const double wanted = static_cast<double>(
        std::min(std::max<int64_t>(estimated_tokens, 0), limits.tokens_per_minute));
    if (limits.tokens_per_minute > 0 && s.tokens.level < std::max(wanted, 1.0)) {
        const int64_t wait =
            ms_until(s.tokens.level, std::max(wanted, 1.0), limits.tokens_per_minute);
        return refuse("tokens_exceeded",
                      "Token rate limit reached for key '" + key.name +
                          "': " + std::to_string(limits.tokens_per_minute) +
                          " tokens per minute. Try again in " + format_reset(wait),
                      wait);
    }
    const KeyBudget& b = key.budget;
    if (b.any()) {
        roll(s.spent, now_unix_ms);
        const int64_t to_day = next_utc_day_ms(now_unix_ms) - now_unix_ms;
        const int64_t to_month = next_utc_month_ms(now_unix_ms) - now_unix_ms;
        if (b.tokens_per_day > 0 && s.spent.day_tokens + s.reserved_tokens >= b.tokens_per_day)
            return refuse("budget_exceeded",
                          "Key '" + key.name + "' has used its daily budget of " +
                              std::to_string(b.tokens_per_day) + " tokens; it renews at 00:00 UTC",
                          to_day);
        if (b.cost_per_day > 0 && s.spent.day_cost >= b.cost_per_day)
            return refuse("budget_exceeded",
                          "Key '" + key.name + "' has spent its daily budget of " +
                              std::to_string(b.cost_per_day) + "; it renews at 00:00 UTC",
                          to_day);
        if (b.tokens_per_month > 0 &&
            s.spent.month_tokens + s.reserved_tokens >= b.tokens_per_month)
            return refuse("budget_exceeded",
                          "Key '" + key.name + "' has used its monthly budget of " +
                              std::to_string(b.tokens_per_month) +
                              " tokens; it renews on the 1st (UTC)",
                          to_month);
        if (b.cost_per_month > 0 && s.spent.month_cost >= b.cost_per_month)
            return refuse("budget_exceeded",
                          "Key '" + key.name + "' has spent its monthly budget of " +
                              std::to_string(b.cost_per_month) + "; it renews on the 1st (UTC)",
                          to_month);
    }
    if (limits.requests_per_minute > 0) s.requests.level -= 1;
    if (limits.tokens_per_minute > 0) s.tokens.level -= wanted;
    ++s.in_flight;
    if (b.tokens_per_day > 0 || b.tokens_per_month > 0)
        s.reserved_tokens += std::max<int64_t>(estimated_tokens, 0);
    a.view = view(key, now_ns);
    return a;
}

void KeyLimiter::finish(const ApiKey& key, int64_t estimated_tokens, int64_t used_tokens,
                        double cost, int64_t now_unix_ms) {
    State& s = state(key.id);
    if (s.in_flight > 0) --s.in_flight;
    if (key.budget.tokens_per_day > 0 || key.budget.tokens_per_month > 0)
        s.reserved_tokens =
            std::max<int64_t>(s.reserved_tokens - std::max<int64_t>(estimated_tokens, 0), 0);
    if (key.limits.tokens_per_minute > 0) {
        const int64_t charged =
            std::min(std::max<int64_t>(estimated_tokens, 0), key.limits.tokens_per_minute);
        // May go below zero: a request that used more than estimated makes
        // the next ones wait for the difference.
        s.tokens.level -= static_cast<double>(used_tokens - charged);
        s.tokens.level =
            std::max(s.tokens.level, -static_cast<double>(key.limits.tokens_per_minute));
    }
    roll(s.spent, now_unix_ms);
    s.spent.day_tokens += used_tokens;
    s.spent.month_tokens += used_tokens;
    s.spent.day_cost += cost;
    s.spent.month_cost += cost;
}

void KeyLimiter::seed_spent(std::string_view key_id, int64_t now_unix_ms, int64_t day_tokens,
                            double day_cost, int64_t month_tokens, double month_cost) {
    State& s = state(key_id);
    roll(s.spent, now_unix_ms);
    s.spent.day_tokens += day_tokens;
    s.spent.day_cost += day_cost;
    s.spent.month_tokens += month_tokens;
    s.spent.month_cost += month_cost;
}

int64_t KeyLimiter::in_flight(std::string_view key_id) const {
    auto it = states_.find(std::string(key_id));
    return it == states_.end() ? 0 : it->second.in_flight;
}

} // namespace edgeai::security
