// One local model made ready to serve: the file mapped and checked, its KV
// caches sized, its engine thread started. The same steps for the models
// loaded at start (-m) and those loaded on demand from models.dir, so both
// are checked alike; callable from any thread (on demand: a loader thread).
#pragma once

#include "core/clock.h"
#include "core/executor.h"
#include "core/result.h"
#include "engine/model/kv_cache.h"
#include "platform/native/engine/engine_worker.h"
#include "platform/native/engine/local_model.h"
#include "router/local_backend.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace edgeai::platform::native {

struct ServingModelSettings {
    int threads = 1;
    engine::model::KvType kv_type = engine::model::KvType::kF16;
    int ctx_size = 0;           // all sequences together; 0: the model's each
    int parallel = 4;           // sequences decoded together
    std::string chat_template;  // a format name or a Jinja file; empty: the model's
    std::string description;    // for /v1/models
    std::string template_field; // names the setting in errors: "--chat-template", ...
};

struct ServingModel {
    std::unique_ptr<LocalModel> model;
    std::unique_ptr<EngineWorker> worker;
    router::LocalModelEntry entry; // points into model and worker
    uint64_t bytes = 0;            // the file plus every KV cache
};

// Bytes the weights (the file) and KV caches of `m` take with these settings
// and `n_ctx` positions per sequence.
uint64_t serving_bytes(const LocalModel& m, uint32_t n_ctx, uint32_t parallel,
                       engine::model::KvType kv_type);

// Loads `path` as the model `id`; errors name the file and what to change.
// `progress` (may be empty) sees the weights repacked so far and in all.
core::Result<ServingModel>
load_serving_model(const std::string& id, const std::string& path,
                   const ServingModelSettings& settings, core::Executor& loop,
                   const core::Clock& clock,
                   const std::function<void(uint64_t done, uint64_t total)>& progress);

} // namespace edgeai::platform::native
