#include "gateway/local_gateway.h"

#include "engine/runtime/worker_pool.h"
#include "engine/session/scheduler.h"
#include "router/local_backend.h"
#include "router/router.h"
#include "router/stepped_engine.h"
#include "telemetry/metrics.h"

#include <algorithm>
#include <optional>

namespace edgeai::gateway {

// Declared in the order things are built: each member refers only to those
// above it, and they are destroyed in reverse.
struct LocalGateway::State {
    engine::SerialPool pool;
    std::vector<LocalModel> models;
    std::vector<std::unique_ptr<router::SteppedEngine>> engines;
    std::optional<router::LocalBackend> local;
    core::Settings settings;
    core::Settings routing;
    std::optional<router::Router> router;
    telemetry::MetricsRegistry metrics;
    std::optional<Gateway> gateway;
};

LocalGateway::LocalGateway(std::unique_ptr<State> state) : state_(std::move(state)) {}
LocalGateway::~LocalGateway() = default;

core::Result<std::unique_ptr<LocalGateway>> LocalGateway::create(std::vector<LocalModel> models,
                                                                 const LocalGatewayOptions& o,
                                                                 const LocalGatewayPorts& ports) {
    auto s = std::make_unique<State>();
    s->models = std::move(models);
    const auto parallel = static_cast<uint32_t>(std::max(1, o.parallel));
    std::vector<router::LocalModelEntry> entries;
    for (LocalModel& lm : s->models) {
        engine::model::LoadedModel& m = *lm.loaded;
        if (!m.tokenizer)
            return core::invalid_argument("the model '" + lm.id +
                                          "' has no usable tokenizer: " + m.tokenizer_error);
        const auto& c = m.model.config();
        if (core::Status st = engine::model::KvCache::check(c, o.kv_type); !st.ok())
            return core::invalid_argument("the model '" + lm.id +
                                          "' cannot use this KV cache type: " + st.message());
        router::LocalModelEntry e;
        e.id = lm.id;
        e.model = &m.model;
        e.tokenizer = &*m.tokenizer;
        e.n_ctx = engine::session::context_per_sequence(o.ctx_size, parallel, c.n_ctx_train);
        if (e.n_ctx == 0)
            return core::invalid_argument(
                "the context size (" + std::to_string(o.ctx_size) +
                ") is that of all sequences together and is smaller than the parallel "
                "sequences (" +
                std::to_string(parallel) + ")");
        e.created = ports.clock->unix_ms() / 1000;
        if (auto chat = engine::chat::chat_format_for(m.gguf, *m.tokenizer, o.chat_template);
            chat.ok())
            e.chat_format = std::move(*chat);
        else
            e.template_error = "the model '" + e.id + "': " + chat.status().message();
        engine::session::SchedulerConfig config;
        config.parallel = parallel;
        config.n_ctx = e.n_ctx;
        config.kv_type = o.kv_type;
        s->engines.push_back(std::make_unique<router::SteppedEngine>(m.model, *m.tokenizer, s->pool,
                                                                     config, *ports.executor));
        e.engine = s->engines.back().get();
        ports.logger->info(
            "local model ready",
            {{"model", e.id},
             {"context", static_cast<int64_t>(e.n_ctx)},
             {"parallel", static_cast<int64_t>(config.parallel)},
             {"chat_template", e.chat_format ? e.chat_format->describe() : std::string("none")}});
        entries.push_back(std::move(e));
    }
    std::vector<std::string> local_ids;
    for (const router::LocalModelEntry& e : entries)
        local_ids.push_back(e.id);
    s->local.emplace(std::move(entries), *ports.executor, *ports.clock, *ports.random);

    // The native serve's routing without [[backends]]: the local models, one
    // attempt, no breaker; no upstream exists in these builds.
    s->routing = router::routing_for_legacy(s->settings, local_ids);
    std::vector<router::Backend*> routed;
    for (const core::BackendSettings& b : s->routing.backends)
        routed.push_back(b.kind == core::BackendKind::kLocal ? &*s->local : nullptr);
    router::BreakerConfig breaker;
    breaker.failure_threshold = UINT32_MAX;
    router::RetryPolicy retry;
    retry.max_attempts = 1;
    s->router.emplace(s->routing, routed, *ports.clock, breaker, retry);
    for (size_t i = 0; i < s->routing.backends.size(); ++i) {
        if (s->routing.backends[i].kind != core::BackendKind::kLocal) continue;
        router::RoutedBackend& r = s->router->at(i);
        for (const router::LocalModelEntry& m : s->local->models()) {
            r.slots += parallel;
            r.context_tokens =
                r.context_tokens == 0 ? m.n_ctx : std::min(r.context_tokens, m.n_ctx);
        }
    }

    GatewayDeps deps;
    deps.settings = &s->settings;
    deps.clock = ports.clock;
    deps.logger = ports.logger;
    deps.metrics = &s->metrics;
    deps.router = &*s->router;
    deps.executor = ports.executor;
    deps.random = ports.random;
    deps.version = o.version;
    s->gateway.emplace(deps);
    return std::unique_ptr<LocalGateway>(new LocalGateway(std::move(s)));
}

Gateway& LocalGateway::gateway() {
    return *state_->gateway;
}

bool LocalGateway::has_work() const {
    return std::any_of(state_->engines.begin(), state_->engines.end(),
                       [](const auto& engine) { return engine->has_work(); });
}

void LocalGateway::step() {
    for (auto& engine : state_->engines)
        if (engine->has_work()) engine->step();
}

size_t LocalGateway::model_count() const {
    return state_->models.size();
}

const core::Settings& LocalGateway::settings() const {
    return state_->settings;
}

} // namespace edgeai::gateway
