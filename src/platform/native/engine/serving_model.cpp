#include "platform/native/engine/serving_model.h"

#include "engine/session/scheduler.h"
#include "platform/native/engine/chat_template_flag.h"

#include <algorithm>

namespace edgeai::platform::native {

uint64_t serving_bytes(const LocalModel& m, uint32_t n_ctx, uint32_t parallel,
                       engine::model::KvType kv_type) {
    const auto& c = m.model.config();
    // One cache per parallel sequence, plus an f32 one for embeddings.
    const uint64_t kv = engine::model::KvCache::bytes_needed(
                            c, n_ctx, kv_type, engine::session::SchedulerConfig{}.max_batch) *
                            parallel +
                        engine::model::KvCache::bytes_needed(c, n_ctx, engine::model::KvType::kF32,
                                                             EngineWorker::kEmbedBatch);
    return m.file->bytes().size() + kv;
}

// Not inlined into its two callers: it is long and runs once per load.
[[gnu::noinline]] core::Result<ServingModel>
load_serving_model(const std::string& id, const std::string& path, const ServingModelSettings& s,
                   core::Executor& loop, const core::Clock& clock,
                   const std::function<void(uint64_t done, uint64_t total)>& progress) {
    auto choice = read_chat_template_flag(s.chat_template);
    if (!choice.ok())
        return core::invalid_argument("bad " + s.template_field + ": " + choice.status().message());
    const int64_t load_start_ns = clock.monotonic_ns();
    LocalModel::LoadOptions load_options;
    load_options.progress = progress;
    auto loaded = load_local_model(path, load_options);
    if (!loaded.ok()) return loaded.status();
    ServingModel out;
    out.model = std::move(loaded).value();
    LocalModel& m = *out.model;
    if (!m.tokenizer)
        return core::failed_precondition(
            path + ": the model has no usable tokenizer: " + m.tokenizer_error);
    const auto& c = m.model.config();
    if (core::Status st = engine::model::KvCache::check(c, s.kv_type); !st.ok())
        return core::failed_precondition(path +
                                         ": the model cannot use this --kv-type: " + st.message());
    const auto parallel = static_cast<uint32_t>(std::max(1, s.parallel));
    const uint32_t n_ctx =
        engine::session::context_per_sequence(s.ctx_size, parallel, c.n_ctx_train);
    if (n_ctx == 0)
        return core::invalid_argument("--ctx-size (" + std::to_string(s.ctx_size) +
                                      ") is the context of all sequences together and is "
                                      "smaller than --parallel (" +
                                      std::to_string(parallel) + ")");
    out.bytes = serving_bytes(m, n_ctx, parallel, s.kv_type);
    router::LocalModelEntry& e = out.entry;
    e.id = id;
    e.model = &m.model;
    e.tokenizer = &*m.tokenizer;
    e.n_ctx = n_ctx;
    e.parallel = parallel;
    e.load_seconds = static_cast<double>(clock.monotonic_ns() - load_start_ns) / 1e9;
    e.description = s.description;
    e.created = clock.unix_ms() / 1000;
    if (auto chat = chat_format_for(m.gguf, *m.tokenizer, *choice); chat.ok()) {
        e.chat_format = std::move(*chat);
    } else {
        e.template_error = "the model '" + e.id + "': " + chat.status().message();
    }
    engine::session::SchedulerConfig config;
    config.parallel = parallel;
    config.n_ctx = n_ctx;
    config.kv_type = s.kv_type;
    out.worker = std::make_unique<EngineWorker>(m.model, *m.tokenizer, s.threads, config, loop);
    e.engine = out.worker.get();
    return out;
}

} // namespace edgeai::platform::native
