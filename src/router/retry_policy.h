// When and how soon a failed attempt is tried again. Only failures that say
// nothing about the request itself are retried: no connection, a timeout
// before the first byte, 408, 429 and 5xx. A 4xx other than those is the
// caller's mistake and goes back as it is. Delays grow exponentially with
// jitter (half to all of the step, so a crowd of clients does not retry in
// step), and a Retry-After the backend sent is honoured when it asks for more.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace edgeai::router {

struct RetryPolicy {
    uint32_t max_attempts = 3;          // attempts per request, over all targets
    int64_t base_delay_ms = 100;        // before the first retry, before jitter
    int64_t max_delay_ms = 5000;        // cap of the exponential step
    int64_t max_retry_after_ms = 30000; // a longer Retry-After is not waited for
    int64_t deadline_ms = 120000;       // no new attempt starts after this, per request
};

bool is_retryable_status(int http_status);
// A failure before the response head: could not connect, or no first byte in time.
bool is_retryable_failure(core::StatusCode code);

// The wait before retry number `retry` (1 for the first), from the policy's
// exponential step with jitter drawn from `random`; at least Retry-After when
// the backend sent one. nullopt: Retry-After asks for longer than the policy
// waits (try another target now, or give up).
std::optional<int64_t> backoff_delay_ms(const RetryPolicy& policy, uint32_t retry, uint64_t random,
                                        std::optional<int64_t> retry_after_ms);

// Retry-After's value in milliseconds from `now_unix_s`: delta-seconds or an
// HTTP-date (IMF-fixdate). nullopt when it is neither.
std::optional<int64_t> parse_retry_after_ms(std::string_view value, int64_t now_unix_s);

} // namespace edgeai::router
