// SharedCounters: the port through which replicas behind one load balancer
// count a key's limits together (limits.backend = "redis"). The core asks and
// is answered later through a callback on the loop; the native adapter
// (platform/native/redis/) keeps the counters in Redis, where one Lua script
// checks and takes everything a request needs at once, on Redis's clock.
// The WASI and browser builds have no adapter and count locally.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace edgeai::security {

// What one request asks of its key's shared counters; a limit of 0 is none.
struct SharedAsk {
    std::string key_id;
    int64_t requests_per_minute = 0;
    int64_t tokens_per_minute = 0;
    int64_t concurrent_requests = 0;
    int64_t tokens_per_day = 0;
    double cost_per_day = 0;
    // Reserved against tokens per minute and per day until settle().
    int64_t estimated_tokens = 0;
    // Only the requests-per-minute bucket (a request that spends no tokens
    // and holds no slot).
    bool rate_only = false;
};

// Why the shared counters refused, in the order the script checks.
enum class SharedRefusal : uint8_t {
    kNone = 0,
    kRequests = 1,    // requests per minute
    kTokens = 2,      // tokens per minute
    kConcurrency = 3, // every slot is leased
    kDayTokens = 4,   // the day's token budget
    kDayCost = 5,     // the day's cost budget
};

struct SharedAnswer {
    // false: no answer in time (Redis away, slow, or its breaker open); the
    // caller applies limits.fail_mode.
    bool answered = false;
    SharedRefusal refusal = SharedRefusal::kNone;
    int64_t retry_after_ms = 0;
    int64_t remaining_requests = -1; // -1: not limited
    int64_t remaining_tokens = -1;
    // The slot taken (concurrent_requests > 0); give it back with settle().
    std::string lease;
    std::string error; // when not answered: why, for the log
};

using SharedAnswerFn = std::function<void(SharedAnswer)>;

class SharedCounters {
  public:
    virtual ~SharedCounters() = default;
    // Checks and takes what `ask` needs, all or nothing. `done` runs once,
    // later on the loop (never inside this call), within the adapter's
    // timeout.
    virtual void admit(const SharedAsk& ask, SharedAnswerFn done) = 0;
    // The request is over: frees its lease and charges `used_tokens` and
    // `cost` in place of the estimate. Fire and forget: a settle that does
    // not reach Redis leaves the lease to expire.
    virtual void settle(const SharedAsk& ask, const std::string& lease, int64_t used_tokens,
                        double cost) = 0;
    // False while the breaker is open: callers decide by the fail mode at
    // once instead of waiting for a timeout.
    virtual bool available() const = 0;
    // For /readyz and the log: "up", "down", "connecting".
    virtual std::string state() const = 0;
};

} // namespace edgeai::security
