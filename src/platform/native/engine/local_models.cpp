#include "platform/native/engine/local_models.h"

#include "core/byte_size.h"
#include "core/keep_alive.h"
#include "platform/native/engine/serving_model.h"
#include "platform/native/engine/worker_threads.h"
#include "platform/native/hub/model_store.h"
#include "platform/native/system/process_memory.h"

#include <algorithm>

namespace edgeai::platform::native {

namespace {

// The settings a model is served with: the flags, and a local backend's
// own values over them.
ServingModelSettings serving_settings(const LocalServeOptions& o, const LocalModelOverrides& own,
                                      engine::model::KvType kv_type, int threads) {
    ServingModelSettings s;
    s.threads = threads;
    s.kv_type = kv_type;
    s.ctx_size = own.ctx_size != 0 ? own.ctx_size : o.ctx_size;
    s.parallel = own.parallel != 0 ? own.parallel : o.parallel;
    s.chat_template = own.chat_template.empty() ? o.chat_template : own.chat_template;
    s.template_field =
        own.chat_template.empty() ? "--chat-template" : "chat_template in a local backend";
    s.description = own.description;
    return s;
}

// Loads the models, checks the memory budget, starts one engine thread per
// model. Returns false (after logging why) when something does not fit.
bool start_local_models(const LocalServeOptions& o, engine::model::KvType kv_type, int threads,
                        core::Executor& loop, const core::Clock& clock, telemetry::Logger& logger,
                        std::vector<ServingModel>& started) {
    uint64_t total = 0;
    for (size_t i = 0; i < o.model_paths.size(); ++i) {
        const std::string& path = o.model_paths[i];
        const LocalModelOverrides own =
            i < o.overrides.size() ? o.overrides[i] : LocalModelOverrides{};
        const std::string id =
            i < o.aliases.size() && !o.aliases[i].empty() ? o.aliases[i] : model_id_from_path(path);
        auto loaded = load_serving_model(id, path, serving_settings(o, own, kv_type, threads), loop,
                                         clock, o.load_progress ? o.load_progress(id) : nullptr);
        if (!loaded.ok()) {
            logger.error("cannot load model",
                         {{"path", path}, {"error", loaded.status().message()}});
            return false;
        }
        total += loaded->bytes;
        if (o.max_memory_bytes != 0 && total > o.max_memory_bytes) {
            logger.error("the models do not fit in --max-memory",
                         {{"path", path},
                          {"needed_mib", static_cast<int64_t>(total >> 20)},
                          {"max_memory_mib", static_cast<int64_t>(o.max_memory_bytes >> 20)},
                          {"hint", "lower --ctx-size or --parallel, or use a smaller model"}});
            return false;
        }
        const router::LocalModelEntry& e = loaded->entry;
        logger.info("local model ready",
                    {{"model", e.id},
                     {"path", path},
                     {"context", static_cast<int64_t>(e.n_ctx)},
                     {"parallel", static_cast<int64_t>(e.parallel)},
                     {"threads", static_cast<int64_t>(threads)},
                     {"chat_template", e.chat_format ? e.chat_format->describe() : "none"}});
        started.push_back(std::move(loaded).value());
    }
    return true;
}

// The memory models loaded together may take: --memory-budget, else
// models.memory_budget, else three quarters of the physical memory (the rest
// is the system's and the gateway's own).
uint64_t memory_budget(const LocalServeOptions& o, const core::Settings& settings) {
    if (o.memory_budget_bytes != 0) return o.memory_budget_bytes;
    if (!settings.models.memory_budget.empty())
        if (auto parsed = core::parse_byte_size(settings.models.memory_budget); parsed.ok())
            return *parsed;
    return physical_memory_bytes() / 4 * 3;
}

} // namespace

bool start_models(const LocalServeOptions& o, const core::Settings& settings, core::Executor& loop,
                  const core::Clock& clock, core::Random& random, telemetry::Logger& logger,
                  std::optional<router::LocalBackend>& backend, std::optional<ModelHost>& host) {
    const auto kv_type = engine::model::parse_kv_type(o.kv_type);
    if (!kv_type) {
        logger.error("--kv-type must be f16, f32 or q8_0", {{"kv_type", o.kv_type}});
        return false;
    }
    auto keep_alive = core::parse_keep_alive(settings.models.keep_alive);
    if (!keep_alive.ok()) {
        logger.error("bad models.keep_alive", {{"error", keep_alive.status().message()}});
        return false;
    }
    const int threads = o.threads > 0 ? o.threads : WorkerThreads::default_threads();
    std::vector<ServingModel> started;
    if (!start_local_models(o, *kv_type, threads, loop, clock, logger, started)) return false;
    std::vector<StoredModel> on_demand;
    if (!o.models_dir.empty())
        for (StoredModel& m : list_stored_models(o.models_dir)) {
            const bool given =
                std::find(o.model_paths.begin(), o.model_paths.end(), m.paths.front()) !=
                    o.model_paths.end() ||
                std::any_of(started.begin(), started.end(),
                            [&](const ServingModel& s) { return s.entry.id == m.name; });
            if (!given) on_demand.push_back(std::move(m));
        }
    if (started.empty() && on_demand.empty()) return true;
    const ServingModelSettings serving = serving_settings(o, {}, *kv_type, threads);
    std::vector<router::LocalModelEntry> entries;
    for (ServingModel& s : started)
        entries.push_back(std::move(s.entry));
    for (const StoredModel& m : on_demand) {
        router::LocalModelEntry e;
        e.id = m.name;
        e.parallel = static_cast<uint32_t>(std::max(1, serving.parallel));
        e.created = m.modified_unix;
        entries.push_back(std::move(e));
    }
    backend.emplace(std::move(entries), loop, clock, random);
    ModelHostOptions options;
    options.budget_bytes = memory_budget(o, settings);
    options.keep_alive_ms = *keep_alive;
    options.settings = serving;
    options.progress = o.load_progress;
    host.emplace(*backend, loop, clock, logger, std::move(options));
    for (size_t i = 0; i < started.size(); ++i)
        host->add_pinned(backend->models()[i].id, std::move(started[i]));
    for (const StoredModel& m : on_demand)
        host->add_on_demand(m.name, m.paths.front(), m.bytes);
    if (!on_demand.empty())
        logger.info("models in models.dir load on their first request",
                    {{"models", static_cast<int64_t>(on_demand.size())},
                     {"models_dir", o.models_dir},
                     {"memory_budget", core::format_byte_size(memory_budget(o, settings))},
                     {"keep_alive", core::format_keep_alive(*keep_alive)}});
    return true;
}

} // namespace edgeai::platform::native
