// One sequence on one model: its KV cache, the tokens in it, and the logits
// of the last one fed. prefill() keeps the longest prefix the cache already
// holds and feeds only the rest, so a chat's earlier turns are not computed
// again. Used by the CLI (run, eval, bench) and by tests; the server's
// scheduler batches many sequences instead.
#pragma once

#include "core/status.h"
#include "engine/model/forward.h"

#include <cstdint>
#include <span>
#include <vector>

namespace edgeai::engine::session {

class Runner {
  public:
    Runner(const model::Model& model, WorkerPool& pool, const kernels::KernelTable& kernels,
           uint32_t n_ctx, model::KvType kv_type, uint32_t max_batch);

    // Makes the sequence `prompt` (reusing the cached prefix) and leaves the
    // logits after its last token. An empty prompt or one longer than the
    // context is refused.
    core::Status prefill(std::span<const int32_t> prompt);
    // Appends tokens; `all_logits` (n_vocab per token) when not null, else
    // only the last token's logits are kept.
    core::Status feed(std::span<const int32_t> tokens, float* all_logits = nullptr);

    std::span<float> logits() { return logits_; }
    const std::vector<int32_t>& tokens() const { return tokens_; }
    uint32_t n_ctx() const { return cache_.n_ctx(); }
    // Tokens of the last prefill() that came from the cache.
    uint32_t reused() const { return reused_; }

  private:
    const model::Model& model_;
    model::KvCache cache_;
    model::Forward forward_;
    std::vector<int32_t> tokens_;
    std::vector<float> logits_;
    std::vector<model::BatchToken> batch_;
    uint32_t reused_ = 0;
};

} // namespace edgeai::engine::session
