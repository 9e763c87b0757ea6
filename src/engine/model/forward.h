// The forward pass of every architecture ModelConfig describes (llama, qwen2,
// qwen3, gemma3, phi3, smollm3, granite) over a batch of tokens. One batch may mix
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

    // RoPE's frequencies per rotated pair (scaling and per-dimension factors
    // folded in) and the magnitude cos and sin are multiplied by.
    struct RopeFreqs {
        std::vector<float> inv_freq;
        float mscale = 1.0f;
    };

    const Model& model() const { return model_; }
    uint32_t max_batch() const { return max_batch_; }

  private:
    core::Status run(std::span<const BatchToken> batch, float* out, bool hidden);
    void compute_rope_tables(std::span<const BatchToken> batch);
    void apply_rope(float* head, const float* cos_sin) const;
    // Q/K norms, RoPE and the query scale for the batch's rows of q_ and k_,
    // then each token's keys and values into its cache.
    void prepare_qkv(uint32_t layer, std::span<const BatchToken> batch);
    void attention(uint32_t layer, std::span<const BatchToken> batch);
    // A layer's attention or FFN output (n rows in `delta`) made ready to join
    // the residual: post-norm (gemma3) and residual multiplier (granite).
    void finish_branch(uint32_t n, float* delta, const std::vector<float>& post_norm) const;
    // For each of n rows: x += delta (when given), then out = rms_norm(x) *
    // weight. Rows are shared between the workers when there are several.
    void add_and_norm(uint32_t n, const float* delta, const float* weight, float* out);
    // Logit multiplier (granite) and final softcapping (gemma3), in place.
    void finish_logits(uint32_t rows, float* logits) const;

    const Model& model_;
    const ModelConfig& config_;
    WorkerPool& pool_;
    const kernels::KernelTable& kernels_;
    uint32_t max_batch_;
    uint32_t max_ctx_;
    RopeFreqs rope_freqs_;     // global layers
    RopeFreqs rope_freqs_swa_; // sliding-window layers (gemma3's local base)
    bool any_sliding_ = false;

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
    Rows x_, xn_, q_, k_, v_, attn_, gate_, up_, rope_, rope_swa_;
    std::vector<float> scores_;     // per worker, max_ctx each
    std::vector<uint8_t> query_q8_; // per worker, one head in q8_0
    std::unique_ptr<uint8_t[]> scratch_;
    std::vector<uint32_t> logit_rows_;
};

} // namespace edgeai::engine::model
