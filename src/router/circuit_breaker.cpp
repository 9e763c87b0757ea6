#include "router/circuit_breaker.h"

namespace edgeai::router {

CircuitBreaker::State CircuitBreaker::state(int64_t now_ns) const {
    if (state_ == State::kOpen && now_ns - opened_ns_ >= config_.cooldown_ms * 1000000)
        return State::kHalfOpen;
    return state_;
}

bool CircuitBreaker::available(int64_t now_ns) const {
    switch (state(now_ns)) {
    case State::kClosed:
        return true;
    case State::kHalfOpen:
        return !probe_out_;
    case State::kOpen:
        return false;
    }
    return false;
}

bool CircuitBreaker::acquire(int64_t now_ns) {
    if (!available(now_ns)) return false;
    if (state(now_ns) == State::kHalfOpen) {
        state_ = State::kHalfOpen;
        probe_out_ = true;
    }
    return true;
}

void CircuitBreaker::record_success() {
    state_ = State::kClosed;
    failures_ = 0;
    probe_out_ = false;
}

void CircuitBreaker::record_failure(int64_t now_ns) {
    ++failures_;
    if (state_ == State::kHalfOpen || failures_ >= config_.failure_threshold) {
        state_ = State::kOpen;
        opened_ns_ = now_ns;
    }
    probe_out_ = false;
}

void CircuitBreaker::record_abandoned() {
    probe_out_ = false;
}

std::string_view breaker_state_name(CircuitBreaker::State state) {
    switch (state) {
    case CircuitBreaker::State::kClosed:
        return "closed";
    case CircuitBreaker::State::kOpen:
        return "open";
    case CircuitBreaker::State::kHalfOpen:
        return "half_open";
    }
    return "closed";
}

} // namespace edgeai::router
