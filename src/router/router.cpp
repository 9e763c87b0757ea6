#include "router/router.h"

namespace edgeai::router {

Router::Router(const core::Settings& routing, std::vector<Backend*> backends,
               const core::Clock& clock, BreakerConfig breaker, RetryPolicy retry)
    : planner_(routing), clock_(clock), retry_(retry) {
    backends_.resize(routing.backends.size());
    for (size_t i = 0; i < backends_.size(); ++i) {
        backends_[i].settings = &routing.backends[i];
        backends_[i].backend = i < backends.size() ? backends[i] : nullptr;
        backends_[i].breaker = CircuitBreaker(breaker);
    }
}

Plan Router::plan(const RouteFacts& facts, uint64_t random) const {
    const int64_t now = clock_.monotonic_ns();
    std::vector<BackendView> views(backends_.size());
    for (size_t i = 0; i < backends_.size(); ++i) {
        const RoutedBackend& b = backends_[i];
        views[i].available = b.backend != nullptr && b.breaker.available(now) &&
                             (b.max_in_flight == 0 || b.in_flight < b.max_in_flight);
        views[i].ttft_ms = b.first_byte_ms.value();
        views[i].has_free_slot = b.slots == 0 || b.in_flight < b.slots;
        views[i].context_tokens = b.context_tokens;
    }
    RouteFacts with_state = facts;
    with_state.offline = facts.offline || offline_;
    return planner_.plan(with_state, views, random);
}

void Router::record_success(size_t index, double first_byte_ms) {
    backends_[index].breaker.record_success();
    backends_[index].first_byte_ms.add(first_byte_ms);
    // An answer from a remote backend is proof the uplink is up.
    if (backends_[index].settings->kind != core::BackendKind::kLocal) offline_ = false;
}

void Router::record_failure(size_t index) {
    backends_[index].breaker.record_failure(clock_.monotonic_ns());
}

core::Settings routing_for_legacy(const core::Settings& settings,
                                  const std::vector<std::string>& local_ids) {
    core::Settings out;
    if (!local_ids.empty()) {
        core::BackendSettings local;
        local.name = "local";
        local.kind = core::BackendKind::kLocal;
        local.models = local_ids;
        out.backends.push_back(std::move(local));
    }
    if (!settings.upstream.url.empty()) {
        core::BackendSettings up;
        up.name = "upstream";
        up.kind = core::BackendKind::kOpenAi;
        up.base_url = settings.upstream.url;
        up.models = {"*"};
        up.timeout_ms = settings.upstream.timeout_ms;
        up.connect_timeout_ms = settings.upstream.connect_timeout_ms;
        up.stream_idle_timeout_ms = settings.upstream.stream_idle_timeout_ms;
        out.backends.push_back(std::move(up));
    }
    return out;
}

} // namespace edgeai::router
