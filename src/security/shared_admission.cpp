#include "security/shared_admission.h"

#include <algorithm>

namespace edgeai::security {

namespace {

int64_t share_of(int64_t limit, int64_t replicas) {
    if (limit <= 0) return limit;
    return std::max<int64_t>(1, (limit + replicas - 1) / replicas);
}

int64_t seconds_ceil(int64_t ms) {
    return std::max<int64_t>(1, (ms + 999) / 1000);
}

} // namespace

bool has_shared_limits(const ApiKey& key) {
    return key.limits.requests_per_minute > 0 || key.limits.tokens_per_minute > 0 ||
           key.limits.concurrent_requests > 0 || key.budget.tokens_per_day > 0 ||
           key.budget.cost_per_day > 0;
}

SharedAsk shared_ask(const ApiKey& key, int64_t estimated_tokens, bool rate_only) {
    SharedAsk ask;
    ask.key_id = key.id;
    ask.requests_per_minute = key.limits.requests_per_minute;
    ask.rate_only = rate_only;
    if (rate_only) return ask;
    ask.tokens_per_minute = key.limits.tokens_per_minute;
    ask.concurrent_requests = key.limits.concurrent_requests;
    ask.tokens_per_day = key.budget.tokens_per_day;
    ask.cost_per_day = key.budget.cost_per_day;
    ask.estimated_tokens = std::max<int64_t>(estimated_tokens, 0);
    return ask;
}

Admission admission_from(const ApiKey& key, const SharedAnswer& answer) {
    Admission a;
    if (key.limits.requests_per_minute > 0 && answer.remaining_requests >= 0) {
        a.view.limit_requests = key.limits.requests_per_minute;
        a.view.remaining_requests = answer.remaining_requests;
    }
    if (key.limits.tokens_per_minute > 0 && answer.remaining_tokens >= 0) {
        a.view.limit_tokens = key.limits.tokens_per_minute;
        a.view.remaining_tokens = answer.remaining_tokens;
    }
    if (answer.refusal == SharedRefusal::kNone) return a;
    const int64_t wait = std::max<int64_t>(answer.retry_after_ms, 0);
    a.admitted = false;
    a.retry_after_s = seconds_ceil(wait);
    switch (answer.refusal) {
    case SharedRefusal::kNone:
    case SharedRefusal::kRequests:
        a.code = "rate_limit_exceeded";
        a.message = "Rate limit reached for key '" + key.name +
                    "': " + std::to_string(key.limits.requests_per_minute) +
                    " requests per minute across all replicas. Try again in " + format_reset(wait);
        a.view.reset_requests_ms = wait;
        break;
    case SharedRefusal::kTokens:
        a.code = "tokens_exceeded";
        a.message = "Token rate limit reached for key '" + key.name +
                    "': " + std::to_string(key.limits.tokens_per_minute) +
                    " tokens per minute across all replicas. Try again in " + format_reset(wait);
        a.view.reset_tokens_ms = wait;
        break;
    case SharedRefusal::kConcurrency:
        a.code = "concurrency_limit_exceeded";
        a.message = "Too many requests in flight for key '" + key.name + "': its limit is " +
                    std::to_string(key.limits.concurrent_requests) +
                    " at once across all replicas; wait for one to finish";
        break;
    case SharedRefusal::kDayTokens:
        a.code = "budget_exceeded";
        a.message = "Key '" + key.name + "' has used its daily budget of " +
                    std::to_string(key.budget.tokens_per_day) + " tokens; it renews at 00:00 UTC";
        break;
    case SharedRefusal::kDayCost:
        a.code = "budget_exceeded";
        a.message = "Key '" + key.name + "' has spent its daily budget of " +
                    std::to_string(key.budget.cost_per_day) + "; it renews at 00:00 UTC";
        break;
    }
    return a;
}

ApiKey local_share(const ApiKey& key, int64_t replicas) {
    ApiKey share = key;
    if (replicas <= 1) return share;
    share.limits.requests_per_minute = share_of(key.limits.requests_per_minute, replicas);
    share.limits.tokens_per_minute = share_of(key.limits.tokens_per_minute, replicas);
    share.limits.concurrent_requests = share_of(key.limits.concurrent_requests, replicas);
    share.budget.tokens_per_day = share_of(key.budget.tokens_per_day, replicas);
    share.budget.tokens_per_month = share_of(key.budget.tokens_per_month, replicas);
    if (key.budget.cost_per_day > 0)
        share.budget.cost_per_day = key.budget.cost_per_day / static_cast<double>(replicas);
    if (key.budget.cost_per_month > 0)
        share.budget.cost_per_month = key.budget.cost_per_month / static_cast<double>(replicas);
    return share;
}

} // namespace edgeai::security
