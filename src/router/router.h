// The backends a gateway sends to and the live state routing reads: a circuit
// breaker and a latency average per backend, and the local engine's room.
// Built once at start; with no [[backends]] configured, the legacy settings
// become backends (routing_for_legacy), so one code path serves both.
#pragma once

#include "core/clock.h"
#include "core/config/settings.h"
#include "router/backend.h"
#include "router/circuit_breaker.h"
#include "router/retry_policy.h"
#include "router/route_planner.h"

#include <memory>
#include <string>
#include <vector>

namespace edgeai::router {

struct RoutedBackend {
    const core::BackendSettings* settings = nullptr;
    Backend* backend = nullptr; // not owned; null: configured but not started
    CircuitBreaker breaker;
    LatencyAverage first_byte_ms;
    uint32_t in_flight = 0;     // attempts running on it now
    uint32_t max_in_flight = 0; // remote: max_concurrency, a full backend is skipped; 0: none
    // Local: sequences it runs at once (beyond them requests queue) and the
    // context a request may fill, for local-first routing; 0: unknown.
    uint32_t slots = 0;
    uint32_t context_tokens = 0;
};

class Router {
  public:
    // `routing` (its backends and routes) must outlive the router; `backends`
    // holds, index for index, what serves each configured backend.
    Router(const core::Settings& routing, std::vector<Backend*> backends, const core::Clock& clock,
           BreakerConfig breaker = {}, RetryPolicy retry = {});

    Plan plan(const RouteFacts& facts, uint64_t random) const;

    RoutedBackend& at(size_t index) { return backends_[index]; }
    const RoutedBackend& at(size_t index) const { return backends_[index]; }
    size_t size() const { return backends_.size(); }
    const RetryPolicy& retry() const { return retry_; }
    const RoutePlanner& planner() const { return planner_; }
    const core::Clock& clock() const { return clock_; }
    // Whether the uplink is up; the connectivity monitor sets it.
    bool offline() const { return offline_; }
    void set_offline(bool offline) { offline_ = offline; }

    // The attempt's outcome, for the breaker and the latency average.
    void record_success(size_t index, double first_byte_ms);
    void record_failure(size_t index);

  private:
    RoutePlanner planner_;
    std::vector<RoutedBackend> backends_;
    const core::Clock& clock_;
    RetryPolicy retry_;
    bool offline_ = false;
};

// The backends and routes of a configuration with no [[backends]]: the local
// models (served first, as before routes existed) and the [upstream], which
// serves any other model name. `local_ids` are the loaded models' ids.
core::Settings routing_for_legacy(const core::Settings& settings,
                                  const std::vector<std::string>& local_ids);

} // namespace edgeai::router
