// The local backend as the router sees it when models come and go: models
// loaded at start (-m) stay; models from models.dir load on their first
// request, on a loader thread, while the loop goes on serving. Requests that
// arrive during a load wait for that one load; a failed load answers each of
// them and the next request tries again. Idle models unload after their
// keep-alive, and least recently used first when a load needs room in the
// memory budget (the policy is router::ModelResidency; this class runs it).
#pragma once

#include "api/api_error.h"
#include "core/clock.h"
#include "core/executor.h"
#include "platform/native/engine/serving_model.h"
#include "router/backend.h"
#include "router/local_backend.h"
#include "router/model_residency.h"
#include "telemetry/logger.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace edgeai::platform::native {

struct ModelHostOptions {
    uint64_t budget_bytes = 0;      // 0: no budget
    int64_t keep_alive_ms = 300000; // for models loaded on demand
    ServingModelSettings settings;  // how models loaded on demand are served
    // A progress callback for a load (may return empty); runs on the loader thread.
    std::function<std::function<void(uint64_t, uint64_t)>(const std::string& id)> progress;
};

class ModelHost final : public router::Backend {
  public:
    ModelHost(router::LocalBackend& local, core::Executor& loop, const core::Clock& clock,
              telemetry::Logger& logger, ModelHostOptions options);
    ~ModelHost() override;
    ModelHost(const ModelHost&) = delete;
    ModelHost& operator=(const ModelHost&) = delete;

    // A model loaded at start, whose entry `local` already has: kept loaded.
    void add_pinned(const std::string& id, ServingModel model);
    // A model of models.dir, whose (empty) entry `local` already has.
    void add_on_demand(const std::string& id, const std::string& path, uint64_t file_bytes);

    std::string_view name() const override { return local_.name(); }
    core::Result<std::unique_ptr<core::HttpCall>>
    start(router::BackendRequest request, core::HttpResponseObserver* observer) override;
    core::Result<int64_t> count_prompt_tokens(std::string_view model,
                                              const router::BackendRequest& request) override;

    // Shutting down: requests waiting for a slot or a load end with `why`.
    void refuse_waiting(const core::Status& why);

  private:
    class HostedCall;
    struct Hosted {
        std::string id;
        std::string path; // empty: pinned
        ServingModel serving;
        std::vector<HostedCall*> waiting; // for the load under way
        std::thread loader;               // joined when its load is handed over
    };

    Hosted* hosted(std::string_view id);
    // Why `id`, taking `bytes`, cannot be loaded now (plan: not kFits).
    api::ApiError room_error(const std::string& id, uint64_t bytes,
                             const router::RoomPlan& plan) const;
    int64_t now_ms() const { return clock_.monotonic_ns() / 1000000; }
    void begin_load(Hosted& h);
    void finish_load(const std::string& id, core::Result<ServingModel> loaded);
    void unload(Hosted& h, std::string_view why);
    void request_ended(const std::string& id, int64_t keep_alive_ms);
    void forget_waiter(HostedCall* call);
    // Unloads what expired and sets the timer for the next expiry.
    void sweep();

    router::LocalBackend& local_;
    core::Executor& loop_;
    const core::Clock& clock_;
    telemetry::Logger& logger_;
    ModelHostOptions options_;
    router::ModelResidency residency_;
    std::vector<std::unique_ptr<Hosted>> models_;
    std::unique_ptr<core::Timer> expiry_timer_;
    int64_t timer_at_ms_ = -1;
    std::optional<core::Status> refusing_;
    // Cleared on destruction: loads that finish later find nobody.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace edgeai::platform::native
