// The forward pass of llama / qwen2 over a batch of tokens. One batch may mix
// sequences: each token names its sequence's KV cache and its position, so
// the same call serves prompt processing (many positions of one sequence) and
// the server's batched decode (one position of many sequences), reading the
// weights once for the whole batch either way. Within a layer all keys and
// values of the batch are stored before attention runs, so a prompt's tokens
// see each other causally through the cache.
#pragma once

#include "core/status.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/runtime/worker_pool.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace edgeai::engine::model {

struct BatchToken {
    KvCache* cache;
    int32_t token;
    uint32_t pos;
    bool logits; // whether this token's next-token logits are wanted
};

class Forward {
  public:
    // Scratch is sized for batches of up to `max_batch` tokens and caches of up
    // to `max_ctx` positions.
    Forward(const Model& model, WorkerPool& pool, const kernels::KernelTable& kernels,
            uint32_t max_batch, uint32_t max_ctx);

    // Runs the batch. `logits` receives n_vocab floats per token that asked for
    // them, in batch order. Errors (bad token id, position past the cache, too
    // big a batch) are found before anything is written.
    core::Status decode(std::span<const BatchToken> batch, float* logits) {
        return run(batch, logits, false);
    }
    // The same pass, but `hidden` receives each flagged token's final hidden
    // state (after the output norm, n_embd floats) instead of logits: what
    // embeddings are pooled from.
    core::Status decode_hidden(std::span<const BatchToken> batch, float* hidden) {
        return run(batch, hidden, true);
    }

    const Model& model() const { return model_; }
    uint32_t max_batch() const { return max_batch_; }

  private:
    core::Status run(std::span<const BatchToken> batch, float* out, bool hidden);
    void compute_rope_tables(std::span<const BatchToken> batch);
    void apply_rope(float* head, const float* cos_sin) const;
    void attention(uint32_t layer, std::span<const BatchToken> batch);
    // For each of n rows: x += delta (when given), then out = rms_norm(x) *
    // weight. Rows are shared between the workers when there are several.
    void add_and_norm(uint32_t n, const float* delta, const float* weight, float* out);

    const Model& model_;
    const ModelConfig& config_;
    WorkerPool& pool_;
    const kernels::KernelTable& kernels_;
    uint32_t max_batch_;
    uint32_t max_ctx_;
    std::vector<float> inv_freq_; // per rotated pair, including scaling
    float rope_mscale_ = 1.0f;    // YaRN's attention magnitude correction

    // Rows of activations for up to max_batch tokens. Allocated, not zeroed:
    // pages only become resident when a batch that large first writes them,
    // so a server that never sees one never pays for them.
    class Rows {
      public:
        void allocate(size_t n) { data_.reset(new float[n]); }
        float* data() const { return data_.get(); }

      private:
        std::unique_ptr<float[]> data_;
    };
    Rows x_, xn_, q_, k_, v_, attn_, gate_, up_, rope_;
    std::vector<float> scores_; // per worker, max_ctx each
    std::unique_ptr<uint8_t[]> scratch_;
    std::vector<uint32_t> logit_rows_;
};

} // namespace edgeai::engine::model
