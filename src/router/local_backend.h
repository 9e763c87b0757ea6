// The local backend: serves OpenAI chat completions and completions from GGUF
// models on this device, in OpenAI's wire format (JSON, or SSE chunks token by
// token), through the same Backend port as an upstream, so the gateway relays
// it like any other.
#pragma once

#include "api/openai_requests.h"
#include "core/clock.h"
#include "core/executor.h"
#include "core/random.h"
#include "engine/chat/chat_format.h"
#include "engine/grammar/grammar_cache.h"
#include "engine/grammar/token_trie.h"
#include "engine/model/model.h"
#include "engine/tokenizer/tokenizer.h"
#include "router/backend.h"
#include "router/local_engine.h"
#include "router/model_residency.h"
#include "telemetry/metrics.h"

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace edgeai::router {

struct LocalModelEntry {
    std::string id;
    const engine::model::Model* model = nullptr;
    const engine::tokenizer::Tokenizer* tokenizer = nullptr;
    // The model's own Jinja template, an override, or a family formatter;
    // absent: chat requests get template_error.
    std::optional<engine::chat::ChatFormat> chat_format;
    std::string template_error;
    uint32_t n_ctx = 0;
    LocalEngine* engine = nullptr;
    int64_t created = 0;     // unix seconds, for /v1/models
    uint32_t parallel = 1;   // sequences the engine runs at once (its slots)
    double load_seconds = 0; // reading and checking the file, at start or on demand
    std::string description; // said in /v1/models (the demo model says what it is)
};

// One model's engine figures in /metrics (llama.cpp's server exports the
// same): tokens read and written, how long prompts and generation took, and
// how many of its slots are busy.
struct EngineMetrics {
    telemetry::Counter* prompt_tokens = nullptr;
    telemetry::Counter* generated_tokens = nullptr;
    telemetry::Histogram* time_to_first_token = nullptr;
    telemetry::Histogram* generation_seconds = nullptr;
    telemetry::Gauge* busy = nullptr;
    telemetry::Counter* loads = nullptr;
    double last_tokens_per_second = 0; // the last answer's generation speed
    // What the gauges read while the model is loaded; null engine: unloaded.
    const LocalEngine* engine = nullptr;
    double kv_capacity = 0; // slots times their context
    double load_seconds = 0;
};

class LocalBackend final : public Backend {
  public:
    // `random` seeds each request that sends no seed of its own.
    LocalBackend(std::vector<LocalModelEntry> models, core::Executor& executor,
                 const core::Clock& clock, core::Random& random);

    std::string_view name() const override { return "local"; }
    core::Result<std::unique_ptr<core::HttpCall>>
    start(BackendRequest request, core::HttpResponseObserver* observer) override;
    // Exact: the model's chat template over the request, tokenized.
    core::Result<int64_t> count_prompt_tokens(std::string_view model,
                                              const BackendRequest& request) override;

    // Every model, loaded or not (listings).
    const LocalModelEntry* find(std::string_view id) const;
    // The model only while it is loaded: what requests are served by.
    const LocalModelEntry* serving(std::string_view id) const;
    // Models loaded and unloaded while serving (models.dir on demand): the
    // entry named by `loaded.id` takes its model, engine and figures, and
    // gives them back; the caller owns what they point to.
    void attach(LocalModelEntry loaded);
    void detach(std::string_view id);
    // Where /v1/models reads memory and expiry of on-demand models; null: all
    // models stay loaded.
    void set_residency(const ModelResidency* residency) { residency_ = residency; }
    const std::vector<LocalModelEntry>& models() const { return models_; }
    // {"object":"list","data":[...]} of the local models.
    std::string models_json() const;
    std::string model_json(const LocalModelEntry& m) const;
    // Registers every model's engine metrics; before it, calls count nothing.
    void set_metrics(telemetry::MetricsRegistry& registry);

  private:
    // GET /models and /models/{id}: the local models, as an upstream answers.
    core::Result<std::unique_ptr<core::HttpCall>>
    answer_models(std::string_view path, core::HttpResponseObserver* observer);
    core::Result<std::unique_ptr<core::HttpCall>>
    start_embeddings(const BackendRequest& request, core::HttpResponseObserver* observer);

    // The grammar a request's response_format or `grammar` asks for (null:
    // none), compiled once per request shape; errors name the field.
    core::Result<std::shared_ptr<const engine::grammar::Grammar>>
    output_grammar(const api::OutputFormat& format);
    // `source` compiled, or the cached grammar of `key`; errors name `field`.
    core::Result<std::shared_ptr<const engine::grammar::Grammar>>
    cached_grammar(const std::string& key, std::string_view source, std::string_view field);
    // The model's vocabulary trie, built on first use.
    std::shared_ptr<const engine::grammar::TokenTrie> token_trie(const LocalModelEntry& entry);

    std::vector<LocalModelEntry> models_;
    std::unordered_map<std::string, std::shared_ptr<EngineMetrics>> metrics_; // by model id
    engine::grammar::GrammarCache grammars_;
    std::unordered_map<const engine::tokenizer::Tokenizer*,
                       std::shared_ptr<const engine::grammar::TokenTrie>>
        tries_;
    const ModelResidency* residency_ = nullptr;
    core::Executor& executor_;
    const core::Clock& clock_;
    core::Random& random_;
};

} // namespace edgeai::router
