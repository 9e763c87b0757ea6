// Serves many sequences on one model: each step() is one forward pass whose
// batch holds the next token of every generating sequence plus chunks of the
// prompts still being read, so the weights are read once for all of them
// (decode is memory-bound: a batch of 4 costs little more than 1).
// Generating sequences go first, one token each; prompt chunks fill the rest
// of the batch, taking turns, so a long prompt cannot starve the others.
//
// Slots: `parallel` KV caches of n_ctx positions each, allocated up front and
// touched only as they fill. A finished sequence leaves its tokens in its
// slot; a new request takes the free slot sharing the longest prefix with
// its prompt and computes only the rest (a chat's earlier turns are reused).
//
// Single-threaded: the owner calls submit/cancel/step from one thread.
#pragma once

#include "core/result.h"
#include "engine/model/forward.h"
#include "engine/session/completion.h"
#include "engine/tokenizer/tokenizer.h"

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::engine::session {

struct SchedulerConfig {
    uint32_t parallel = 4;
    uint32_t n_ctx = 2048;
    model::KvType kv_type = model::KvType::kF16;
    uint32_t max_batch = 128;   // tokens per forward pass
    uint32_t prompt_chunk = 64; // prompt tokens a sequence may add per pass
    uint32_t max_queued = 64;   // waiting for a slot beyond this: refused
};

// The context each of `parallel` sequences gets from a total of `ctx_total`
// tokens (-c), split evenly as llama.cpp's server does; ctx_total 0: each
// gets the model's training context, at most 4096. 0 when the total is too
// small to give every sequence a token.
uint32_t context_per_sequence(int64_t ctx_total, uint32_t parallel, uint32_t n_ctx_train);

// Receives one sequence's output, on the thread that calls step().
class SequenceSink {
  public:
    virtual ~SequenceSink() = default;
    virtual void on_text(std::string_view text) = 0;
    // With CompletionOptions::logprobs: each sampled token's, before the
    // text it adds (which may come out later, once a character is whole).
    virtual void on_logprobs(const sampling::StepLogprobs& logprobs) { (void)logprobs; }
    virtual void on_finish(FinishReason reason, uint32_t prompt_tokens,
                           uint32_t completion_tokens) = 0;
    virtual void on_error(const core::Status& status) = 0;
};

class Scheduler {
  public:
    using SequenceId = uint64_t;

    Scheduler(const model::Model& model, const tokenizer::Tokenizer& tokenizer, WorkerPool& pool,
              const kernels::KernelTable& kernels, SchedulerConfig config);

    // Queues a sequence. Refused at once (and the sink not used) when the
    // prompt and max_tokens cannot fit the context or the queue is full.
    core::Result<SequenceId> submit(std::vector<int32_t> prompt, CompletionOptions options,
                                    SequenceSink* sink);
    // Drops a sequence (its client left): no more callbacks for it, and its
    // slot is free from the next step.
    void cancel(SequenceId id);
    // Ends every sequence still waiting for a slot with `why` (a shutdown:
    // what has not started is handed back rather than cut later).
    void refuse_waiting(const core::Status& why);

    bool has_work() const { return !active_.empty() || !waiting_.empty(); }
    // One forward pass over everything that can run now.
    void step();

    const SchedulerConfig& config() const { return config_; }
    size_t active() const { return active_.size(); }
    size_t waiting() const { return waiting_.size(); }
    // Positions the slots' KV caches hold (answers under way and prefixes
    // kept for reuse), as of the last step; safe to read from any thread.
    size_t cached_tokens() const { return cached_tokens_.load(std::memory_order_relaxed); }

  private:
    struct Slot {
        std::unique_ptr<model::KvCache> cache;
        std::vector<int32_t> tokens; // what the cache holds, position by position
        bool busy = false;
    };
    struct Sequence {
        SequenceId id;
        std::vector<int32_t> prompt;
        Completion completion;
        SequenceSink* sink;
        Slot* slot = nullptr;
        size_t fed = 0;          // prompt tokens in the cache
        bool generating = false; // prompt done, feeding generated tokens
        bool wants_logits = false;
        size_t logits_row = 0;
    };

    void admit_waiting();
    void finish(Sequence& seq, FinishReason reason);
    void publish_cached_tokens();

    const model::Model& model_;
    const tokenizer::Tokenizer& tokenizer_;
    SchedulerConfig config_;
    model::Forward forward_;
    std::vector<Slot> slots_;
    std::deque<std::unique_ptr<Sequence>> waiting_;
    std::vector<std::unique_ptr<Sequence>> active_;
    std::vector<model::BatchToken> batch_;
    std::vector<float> logits_;
    std::string text_;
    SequenceId next_id_ = 1;
    size_t turn_ = 0; // which sequence's prompt goes first this step
    std::atomic<size_t> cached_tokens_{0};
};

} // namespace edgeai::engine::session
