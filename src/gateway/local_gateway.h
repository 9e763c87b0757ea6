// LocalGateway: the Gateway over models already in memory, for the shells
// that have no threads, no stores and no upstreams (edgeai.wasm's stdio shell,
// the browser's worker). It owns what sits between the models and the
// Gateway: one SteppedEngine per model, the LocalBackend, the router with the
// native serve's routing for local models alone. The shell's loop drives the
// engines through has_work()/step() and feeds requests to gateway(), so both
// shells answer through the one request path the native server uses.
#pragma once

#include "core/clock.h"
#include "core/executor.h"
#include "core/random.h"
#include "core/result.h"
#include "engine/chat/model_chat_format.h"
#include "engine/model/kv_cache.h"
#include "engine/model/loaded_model.h"
#include "gateway/gateway.h"
#include "telemetry/logger.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::gateway {

struct LocalGatewayOptions {
    int ctx_size = 0; // all sequences together; 0: the model's each, at most 4096
    int parallel = 4; // sequences decoded together
    engine::model::KvType kv_type = engine::model::KvType::kF16;
    engine::chat::ChatTemplateChoice chat_template;
    std::string version = "0.0.0";
};

// A model and the id it is served under.
struct LocalModel {
    std::string id;
    std::unique_ptr<engine::model::LoadedModel> loaded;
};

// The ports the gateway runs on; each must outlive the LocalGateway.
struct LocalGatewayPorts {
    const core::Clock* clock = nullptr;
    core::Random* random = nullptr;
    telemetry::Logger* logger = nullptr;
    core::Executor* executor = nullptr;
};

class LocalGateway {
  public:
    // Fails with a message naming the model and the option to change when a
    // model cannot be served (no tokenizer, a KV type it cannot use, a
    // context smaller than --parallel).
    static core::Result<std::unique_ptr<LocalGateway>> create(std::vector<LocalModel> models,
                                                              const LocalGatewayOptions& options,
                                                              const LocalGatewayPorts& ports);
    ~LocalGateway();
    LocalGateway(const LocalGateway&) = delete;
    LocalGateway& operator=(const LocalGateway&) = delete;

    Gateway& gateway();
    // True while an engine has a forward pass to run.
    bool has_work() const;
    // One forward pass of each engine that has work.
    void step();
    size_t model_count() const;
    // The defaults it serves with (body and header limits for a shell).
    const core::Settings& settings() const;

    struct State;

  private:
    explicit LocalGateway(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

} // namespace edgeai::gateway
