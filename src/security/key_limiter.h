// Per-key limits, checked before any work: token buckets for requests and
// tokens per minute (tokens estimated on admission, settled with the real
// count when the answer is over), a cap on requests in flight, and budgets
// over UTC days and months fed by usage accounting. Every answer to a keyed
// request carries OpenAI's x-ratelimit-* headers from RateView.
#pragma once

#include "security/api_key.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace edgeai::security {

// What x-ratelimit-* shows: limits, what is left, and when the bucket is
// full again (ms). A limit of 0 means the header is left out.
struct RateView {
    int64_t limit_requests = 0;
    int64_t remaining_requests = 0;
    int64_t reset_requests_ms = 0;
    int64_t limit_tokens = 0;
    int64_t remaining_tokens = 0;
    int64_t reset_tokens_ms = 0;
};

struct Admission {
    bool admitted = true;
    // When refused: OpenAI's error code (rate_limit_exceeded,
    // tokens_exceeded, concurrency_limit_exceeded, budget_exceeded), a
    // message naming the limit, and when to come back.
    std::string code;
    std::string message;
    int64_t retry_after_s = 0;
    RateView view;
};

class KeyLimiter {
  public:
    // Checks every limit of `key` and, when all pass, takes one request,
    // `estimated_tokens` and a concurrency slot (give it back with finish()).
    Admission admit(const ApiKey& key, int64_t now_ns, int64_t now_unix_ms,
                    int64_t estimated_tokens);
    // A request that spends no tokens (files, jobs, models, keys): only the
    // requests-per-minute bucket, which every route draws from.
    Admission admit_request(const ApiKey& key, int64_t now_ns);
    // The request is over: the slot is freed and the token bucket and budget
    // are charged the real tokens instead of the estimate.
    void finish(const ApiKey& key, int64_t estimated_tokens, int64_t used_tokens, double cost,
                int64_t now_unix_ms);
    // Spending recorded before this process started (from usage.db).
    void seed_spent(std::string_view key_id, int64_t now_unix_ms, int64_t day_tokens,
                    double day_cost, int64_t month_tokens, double month_cost);
    RateView view(const ApiKey& key, int64_t now_ns);
    int64_t in_flight(std::string_view key_id) const;

  private:
    struct Bucket {
        bool started = false;
        double level = 0;
        int64_t updated_ns = 0;
    };
    struct Spent {
        int64_t day = -1; // UTC day number the day counters are for
        int64_t month = -1;
        int64_t day_tokens = 0;
        int64_t month_tokens = 0;
        double day_cost = 0;
        double month_cost = 0;
    };
    struct State {
        Bucket requests;
        Bucket tokens;
        int64_t in_flight = 0;
        // The estimates of requests in flight: counted against token
        // budgets, so requests admitted together cannot all spend the last
        // of a budget (a batch's lines run several at once).
        int64_t reserved_tokens = 0;
        Spent spent;
    };
    State& state(std::string_view key_id);
    static Admission rate_refusal(const ApiKey& key, const State& s, Admission a);
    static void roll(Spent& spent, int64_t now_unix_ms);
    static double refill(Bucket& b, int64_t capacity, int64_t now_ns);

    std::unordered_map<std::string, State> states_;
};

// Days since 1970-01-01 (UTC) and a month number (year * 12 + month - 1)
// for a unix time, and when the next UTC day and month begin.
int64_t utc_day(int64_t unix_ms);
int64_t utc_month(int64_t unix_ms);
int64_t next_utc_day_ms(int64_t unix_ms);
int64_t next_utc_month_ms(int64_t unix_ms);
int64_t utc_month_start_ms(int64_t unix_ms);

// "6m0s", "1.5s", "250ms": how OpenAI writes x-ratelimit-reset-*.
std::string format_reset(int64_t ms);

} // namespace edgeai::security
