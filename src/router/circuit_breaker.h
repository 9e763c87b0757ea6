// A circuit breaker per backend: after `failure_threshold` consecutive failed
// attempts it opens and the router stops sending there; after `cooldown_ms` it
// half-opens and lets exactly one probe through, whose outcome closes it again
// or reopens it for another cool-down. Time comes in from the caller (the
// core's Clock), so tests step it by hand.
#pragma once

#include <cstdint>
#include <string_view>

namespace edgeai::router {

struct BreakerConfig {
    uint32_t failure_threshold = 5;
    int64_t cooldown_ms = 30000;
};

class CircuitBreaker {
  public:
    enum class State { kClosed, kOpen, kHalfOpen };

    explicit CircuitBreaker(BreakerConfig config = {}) : config_(config) {}

    // The state at `now_ns`: an open breaker whose cool-down is over reads as
    // half-open (it would let a probe through).
    State state(int64_t now_ns) const;
    // Whether an attempt may be sent now, without taking the probe.
    bool available(int64_t now_ns) const;
    // Takes permission for one attempt: always when closed; when half-open only
    // if no probe is out yet (and the attempt becomes the probe).
    bool acquire(int64_t now_ns);

    void record_success();
    void record_failure(int64_t now_ns);
    // The attempt ended with no verdict (the client left): a probe is returned.
    void record_abandoned();

    uint32_t consecutive_failures() const { return failures_; }

  private:
    BreakerConfig config_;
    State state_ = State::kClosed;
    uint32_t failures_ = 0;
    int64_t opened_ns_ = 0;
    bool probe_out_ = false;
};

std::string_view breaker_state_name(CircuitBreaker::State state);

} // namespace edgeai::router
