// Runs one local model's scheduler on its own thread (a forward pass takes
// milliseconds and must not block the I/O loop), with its own worker pool for
// the matmuls. Requests come in from the loop thread; results go back to it
// through the Executor, so sinks are only ever called on the loop thread.
#pragma once

#include "core/executor.h"
#include "engine/session/scheduler.h"
#include "platform/native/engine/worker_threads.h"
#include "router/local_engine.h"

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace edgeai::platform::native {

class EngineWorker final : public router::LocalEngine {
  public:
    // Tokens per forward pass when embedding (its own forward pass and cache).
    static constexpr uint32_t kEmbedBatch = 64;

    EngineWorker(const engine::model::Model& model, const engine::tokenizer::Tokenizer& tokenizer,
                 int threads, engine::session::SchedulerConfig config, core::Executor& loop);
    ~EngineWorker() override;

    uint64_t submit(std::vector<int32_t> prompt, engine::session::CompletionOptions options,
                    std::shared_ptr<engine::session::SequenceSink> sink) override;
    void cancel(uint64_t ticket) override;
    void embed(std::vector<std::vector<int32_t>> inputs,
               std::shared_ptr<router::EmbeddingSink> sink) override;
    // From now on, sequences waiting for a slot (and any submitted later) end
    // with `why`; those already generating go on.
    void refuse_waiting(core::Status why);

  private:
    class Relay;
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
    void run_embedding(EmbeddingJob& job);
    void take_requests(std::vector<Submission>& submits, std::vector<uint64_t>& cancels);

    core::Executor& loop_;
    WorkerThreads pool_;
    engine::session::Scheduler scheduler_;
    // Embeddings run between decode steps with their own pass and cache,
    // made on first use.
    const engine::model::Model& model_;
    engine::session::SchedulerConfig config_;
    std::unique_ptr<engine::model::Forward> embed_forward_;
    std::unique_ptr<engine::model::KvCache> embed_cache_;

    std::mutex mu_;
    std::condition_variable wake_;
    std::vector<Submission> submits_;
    std::vector<uint64_t> cancels_;
    std::vector<EmbeddingJob> embeddings_;
    bool stopping_ = false;
    std::optional<core::Status> refusing_;
    uint64_t next_ticket_ = 1;

    // Engine thread only.
    struct Live {
        engine::session::Scheduler::SequenceId id;
        std::unique_ptr<Relay> relay;
    };
    std::unordered_map<uint64_t, Live> live_;
    std::vector<uint64_t> finished_;
    std::thread thread_;
};

} // namespace edgeai::platform::native
