// SteppedEngine: the LocalEngine port over one model's scheduler, stepped by
// its owner: on a platform without threads (WASI) the shell's loop calls
// step() between its reads; natively the EngineWorker's thread does. One
// forward pass per step(), so a stream advances one
// token per step while the loop keeps reading new requests; the scheduler
// batches every generating sequence into each step, so one long stream does
// not starve the others. Results reach sinks through the Executor, as the
// native engine thread's do: never inside submit() or step().
#pragma once

#include "core/executor.h"
#include "engine/model/model.h"
#include "engine/runtime/worker_pool.h"
#include "engine/session/scheduler.h"
#include "engine/tokenizer/tokenizer.h"
#include "router/local_engine.h"

#include <cstdint>
#include <deque>
#include <memory>
#include <unordered_map>
#include <vector>

namespace edgeai::router {

class SteppedEngine final : public LocalEngine {
  public:
    // Tokens per forward pass when embedding (its own forward pass and cache).
    static constexpr uint32_t kEmbedBatch = 64;

    SteppedEngine(const engine::model::Model& model, const engine::tokenizer::Tokenizer& tokenizer,
                  engine::WorkerPool& pool, engine::session::SchedulerConfig config,
                  core::Executor& loop);
    ~SteppedEngine() override;

    uint64_t submit(std::vector<int32_t> prompt, engine::session::CompletionOptions options,
                    std::shared_ptr<engine::session::SequenceSink> sink) override;
    void cancel(uint64_t ticket) override;
    void embed(std::vector<std::vector<int32_t>> inputs,
               std::shared_ptr<EmbeddingSink> sink) override;
    size_t kv_cache_tokens() const override { return scheduler_.cached_tokens(); }

    // submit() with a ticket the caller chose (the native engine thread's,
    // numbered on the loop before the request crossed to it).
    void start(uint64_t ticket, std::vector<int32_t> prompt,
               engine::session::CompletionOptions options,
               std::shared_ptr<engine::session::SequenceSink> sink);
    // Sequences still waiting for a slot end with `why` (a shutdown).
    void refuse_waiting(const core::Status& why);

    bool has_work() const { return !embeddings_.empty() || scheduler_.has_work(); }
    // One embeddings request, or one forward pass of the scheduler.
    void step();

  private:
    class Relay;
    struct EmbeddingJob {
        std::vector<std::vector<int32_t>> inputs;
        std::shared_ptr<EmbeddingSink> sink;
    };
    void run_embedding(EmbeddingJob& job);
    void forget_finished();

    core::Executor& loop_;
    engine::WorkerPool& pool_;
    const engine::model::Model& model_;
    engine::session::SchedulerConfig config_;
    engine::session::Scheduler scheduler_;
    std::unique_ptr<engine::model::Forward> embed_forward_;
    std::unique_ptr<engine::model::KvCache> embed_cache_;
    std::deque<EmbeddingJob> embeddings_;
    struct Live {
        engine::session::Scheduler::SequenceId id;
        std::unique_ptr<Relay> relay;
    };
    std::unordered_map<uint64_t, Live> live_;
    std::vector<uint64_t> finished_;
    uint64_t next_ticket_ = 1;
};

} // namespace edgeai::router
