// Which backends may serve a request, in the order to try them. The planner
// holds the checked [[backends]] and [[routes]] (routing_schema.h); the
// caller brings what changes from request to request: the request's facts and
// each backend's live state (breaker, recent latency, free local slots).
//
// Routes are considered in file order: the first whose model pattern matches
// and whose conditions all hold is the request's route. A model that no route
// names goes to the first backend serving it.
#pragma once

#include "core/config/settings.h"
#include "core/http_types.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::router {

struct RouteFacts {
    std::string_view model = {};
    uint32_t prompt_tokens = 0;   // estimated before the backend counts them
    uint32_t max_tokens = 0;      // what the completion may take (for prices)
    std::string_view key_id = {}; // the caller's key, when auth is on
    std::string_view key_name = {};
    const core::Headers* headers = nullptr;
    bool offline = false; // the uplink is down
};

// A backend's state as the planner needs it, index for index with the
// configuration's backends.
struct BackendView {
    bool available = true;       // its circuit breaker lets an attempt through
    double ttft_ms = -1;         // moving average of time to first byte; < 0: none yet
    bool has_free_slot = true;   // local backends: a sequence could start now
    uint32_t context_tokens = 0; // local backends: the context a request may fill (0: unknown)
};

struct Attempt {
    size_t backend; // index into the configuration's backends
    std::string model;
};

struct Plan {
    const core::RouteSettings* route = nullptr; // null: no route, the first serving backend
    std::vector<Attempt> attempts;              // in order; empty: nothing serves the model
    // Targets left out because their breaker is open (for the error message).
    std::vector<size_t> unavailable;
};

class RoutePlanner {
  public:
    // `settings` must outlive the planner and have passed check_routing().
    explicit RoutePlanner(const core::Settings& settings);

    const core::RouteSettings* match(const RouteFacts& facts) const;
    // `random` drives the weighted choice, so a test can fix it.
    Plan plan(const RouteFacts& facts, std::span<const BackendView> state, uint64_t random) const;

    // The index of the backend named `name`, or npos.
    size_t backend_index(std::string_view name) const;
    const std::vector<core::BackendSettings>& backends() const { return settings_.backends; }
    const std::vector<core::RouteSettings>& routes() const { return settings_.routes; }

    static constexpr size_t npos = static_cast<size_t>(-1);

  private:
    bool conditions_hold(const core::RouteSettings& route, const RouteFacts& facts) const;
    std::vector<Attempt> resolve(const std::vector<std::string>& targets) const;
    void order(const core::RouteSettings& route, const RouteFacts& facts,
               std::span<const BackendView> state, uint64_t random,
               std::vector<Attempt>& attempts) const;

    const core::Settings& settings_;
    // Each route's targets and offline targets as backend indexes, resolved
    // once: a request pays for no parsing or name lookups.
    std::vector<std::vector<Attempt>> targets_, offline_targets_;
};

// Exponential moving average of a latency, for least-latency routing.
class LatencyAverage {
  public:
    void add(double ms) { value_ = value_ < 0 ? ms : value_ + kWeight * (ms - value_); }
    double value() const { return value_; }

  private:
    static constexpr double kWeight = 0.2; // the last ~10 samples dominate
    double value_ = -1;
};

} // namespace edgeai::router
