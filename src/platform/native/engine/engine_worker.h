// Runs one local model's scheduler on its own thread (a forward pass takes
// milliseconds and must not block the I/O loop), with its own worker pool for
// the matmuls. Requests come in from the loop thread and cross to the engine
// thread under a mutex; there a SteppedEngine (the portable LocalEngine that
// edgeai.wasm steps from its loop) runs them and posts results back through
// the Executor, so sinks are only ever called on the loop thread.
#pragma once

#include "core/executor.h"
#include "engine/session/scheduler.h"
#include "platform/native/engine/worker_threads.h"
#include "router/local_engine.h"
#include "router/stepped_engine.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace edgeai::platform::native {

class EngineWorker final : public router::LocalEngine {
  public:
    // Tokens per forward pass when embedding (its own forward pass and cache).
    static constexpr uint32_t kEmbedBatch = router::SteppedEngine::kEmbedBatch;

    EngineWorker(const engine::model::Model& model, const engine::tokenizer::Tokenizer& tokenizer,
                 int threads, engine::session::SchedulerConfig config, core::Executor& loop);
    ~EngineWorker() override;

    uint64_t submit(std::vector<int32_t> prompt, engine::session::CompletionOptions options,
                    std::shared_ptr<engine::session::SequenceSink> sink) override;
    void cancel(uint64_t ticket) override;
    void embed(std::vector<std::vector<int32_t>> inputs,
               std::shared_ptr<router::EmbeddingSink> sink) override;
    // The scheduler publishes it atomically after each step.
    size_t kv_cache_tokens() const override { return engine_.kv_cache_tokens(); }
    // From now on, sequences waiting for a slot (and any submitted later) end
    // with `why`; those already generating go on.
    void refuse_waiting(core::Status why);

  private:
    struct Submission {
        uint64_t ticket;
        std::vector<int32_t> prompt;
        engine::session::CompletionOptions options;
        std::shared_ptr<engine::session::SequenceSink> sink;
    };
    struct EmbeddingJob {
        std::vector<std::vector<int32_t>> inputs;
        std::shared_ptr<router::EmbeddingSink> sink;
    };
    void main();

    WorkerThreads pool_;
    // Engine thread only.
    router::SteppedEngine engine_;

    std::mutex mu_;
    std::condition_variable wake_;
    std::vector<Submission> submits_;
    std::vector<uint64_t> cancels_;
    std::vector<EmbeddingJob> embeddings_;
    bool stopping_ = false;
    std::optional<core::Status> refusing_;
    uint64_t next_ticket_ = 1;
    std::thread thread_;
};

} // namespace edgeai::platform::native
