#include "platform/wasi/serve_stdio.h"

#include "engine/chat/model_chat_format.h"
#include "engine/model/kv_cache.h"
#include "engine/session/scheduler.h"
#include "gateway/gateway.h"
#include "gateway/line_link.h"
#include "platform/wasi/model_file.h"
#include "platform/wasi/wasi_loop.h"
#include "platform/wasi/wasi_system.h"
#include "router/local_backend.h"
#include "router/router.h"
#include "router/stepped_engine.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>
#include <optional>

namespace edgeai::platform::wasi {

namespace {

// stdout, written through before send() returns: a pipe to the host, which
// reads it as it comes (there is no other thread to keep a queue moving).
class StdoutOutput final : public gateway::LinkOutput {
  public:
    bool send(std::string_view bytes) override {
        while (!bytes.empty() && !broken_) {
            const ssize_t n = ::write(1, bytes.data(), bytes.size());
            if (n > 0) {
                bytes.remove_prefix(static_cast<size_t>(n));
            } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
                broken_ = true; // the reader left; answers have nowhere to go
            }
        }
        return true;
    }
    bool broken() const { return broken_; }

  private:
    bool broken_ = false;
};

} // namespace

int run_serve_stdio(const ServeStdioOptions& o) {
    WasiClock clock;
    WasiRandom random;
    StderrLogSink sink;
    auto level = core::parse_log_level(o.log_level);
    telemetry::Logger logger(sink, clock, level.ok() ? *level : core::LogLevel::kInfo);
    WasiLoop loop(clock);
    engine::SerialPool pool;

    const auto kv_type = engine::model::parse_kv_type(o.kv_type);
    if (!kv_type) {
        logger.error("--kv-type must be f16, f32 or q8_0", {{"kv_type", o.kv_type}});
        return 1;
    }
    auto choice = engine::chat::chat_template_choice(o.chat_template, read_text_file);
    if (!choice.ok()) {
        logger.error("bad --chat-template", {{"error", choice.status().message()}});
        return 1;
    }
    std::vector<std::unique_ptr<engine::model::LoadedModel>> models;
    std::vector<std::unique_ptr<router::SteppedEngine>> engines;
    std::vector<router::LocalModelEntry> entries;
    for (const std::string& path : o.model_paths) {
        auto loaded = load_local_model(path, {});
        if (!loaded.ok()) {
            logger.error("cannot load model",
                         {{"path", path}, {"error", loaded.status().message()}});
            return 1;
        }
        std::unique_ptr<engine::model::LoadedModel> m = std::move(*loaded);
        if (!m->tokenizer) {
            logger.error("model has no usable tokenizer",
                         {{"path", path}, {"error", m->tokenizer_error}});
            return 1;
        }
        const auto& c = m->model.config();
        if (core::Status st = engine::model::KvCache::check(c, *kv_type); !st.ok()) {
            logger.error("the model cannot use this --kv-type",
                         {{"path", path}, {"error", st.message()}});
            return 1;
        }
        router::LocalModelEntry e;
        e.id = engine::model::model_id_from_path(path);
        e.model = &m->model;
        e.tokenizer = &*m->tokenizer;
        const auto parallel = static_cast<uint32_t>(std::max(1, o.parallel));
        e.n_ctx = engine::session::context_per_sequence(o.ctx_size, parallel, c.n_ctx_train);
        if (e.n_ctx == 0) {
            logger.error("--ctx-size is the context of all sequences together and is smaller "
                         "than --parallel",
                         {{"ctx_size", static_cast<int64_t>(o.ctx_size)},
                          {"parallel", static_cast<int64_t>(parallel)}});
            return 1;
        }
        e.created = clock.unix_ms() / 1000;
        if (auto chat = engine::chat::chat_format_for(m->gguf, *m->tokenizer, *choice); chat.ok())
            e.chat_format = std::move(*chat);
        else
            e.template_error = "the model '" + e.id + "': " + chat.status().message();
        engine::session::SchedulerConfig config;
        config.parallel = parallel;
        config.n_ctx = e.n_ctx;
        config.kv_type = *kv_type;
        engines.push_back(
            std::make_unique<router::SteppedEngine>(m->model, *m->tokenizer, pool, config, loop));
        e.engine = engines.back().get();
        logger.info(
            "local model ready",
            {{"model", e.id},
             {"path", path},
             {"context", static_cast<int64_t>(e.n_ctx)},
             {"parallel", static_cast<int64_t>(config.parallel)},
             {"chat_template", e.chat_format ? e.chat_format->describe() : std::string("none")}});
        entries.push_back(std::move(e));
        models.push_back(std::move(m));
    }
    std::vector<std::string> local_ids;
    for (const router::LocalModelEntry& e : entries)
        local_ids.push_back(e.id);
    router::LocalBackend local(std::move(entries), loop, clock, random);

    // The native serve's routing without [[backends]]: the local models, one
    // attempt, no breaker; no upstream exists in this build.
    core::Settings settings;
    const core::Settings routing = router::routing_for_legacy(settings, local_ids);
    std::vector<router::Backend*> routed;
    for (const core::BackendSettings& b : routing.backends)
        routed.push_back(b.kind == core::BackendKind::kLocal ? &local : nullptr);
    router::BreakerConfig breaker;
    breaker.failure_threshold = UINT32_MAX;
    router::RetryPolicy retry;
    retry.max_attempts = 1;
    router::Router router(routing, routed, clock, breaker, retry);
    for (size_t i = 0; i < routing.backends.size(); ++i) {
        if (routing.backends[i].kind != core::BackendKind::kLocal) continue;
        router::RoutedBackend& r = router.at(i);
        for (const router::LocalModelEntry& m : local.models()) {
            r.slots += static_cast<uint32_t>(std::max(1, o.parallel));
            r.context_tokens =
                r.context_tokens == 0 ? m.n_ctx : std::min(r.context_tokens, m.n_ctx);
        }
    }

    telemetry::MetricsRegistry metrics;
    gateway::GatewayDeps deps;
    deps.settings = &settings;
    deps.clock = &clock;
    deps.logger = &logger;
    deps.metrics = &metrics;
    deps.router = &router;
    deps.executor = &loop;
    deps.random = &random;
    deps.version = o.version;
    gateway::Gateway gateway(deps);

    StdoutOutput output;
    gateway::LineLinkOptions link_options;
    // A request line holds the largest body plus its head, as a frame does.
    link_options.max_line_bytes =
        static_cast<size_t>(settings.server.max_body_bytes + settings.server.max_header_bytes);
    gateway::LineLink link(gateway, loop, output, link_options);

    WasiLoop::Hooks hooks;
    hooks.on_input = [&](std::string_view bytes) { link.receive(bytes); };
    hooks.on_end_of_input = [&] { link.end_of_input(); };
    hooks.has_work = [&] {
        return std::any_of(engines.begin(), engines.end(),
                           [](const auto& engine) { return engine->has_work(); });
    };
    // Each model's engine takes one step in turn.
    hooks.step = [&] {
        for (auto& engine : engines)
            if (engine->has_work()) engine->step();
    };
    hooks.idle = [&] { return link.in_flight() == 0 || output.broken(); };
    logger.info("serving JSON lines on stdio",
                {{"version", o.version}, {"models", static_cast<int64_t>(local_ids.size())}});
    loop.run(hooks);
    logger.info("stopped");
    return 0;
}

} // namespace edgeai::platform::wasi
