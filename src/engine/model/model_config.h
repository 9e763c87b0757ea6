// The hyperparameters of a decoder-only transformer, read from GGUF metadata
// ("<arch>.embedding_length" and friends) and checked for consistency before
// any tensor is looked at. The architectures differ in a handful of switches
// (norms of Q and K, post-norms, the FFN's activation, multipliers, sliding
// windows, layers without RoPE); they are all data here, so the forward pass
// has one shape and no per-architecture branches.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgeai::engine::model {

enum class Architecture { kLlama, kQwen2, kQwen3, kGemma3, kPhi3, kSmolLM3, kGranite };

// How RoPE pairs dimensions: kAdjacent rotates (2i, 2i+1) (llama, as GGUF
// stores its Q/K weights), kHalves rotates (i, i + n/2) (qwen2, "neox").
enum class RopeLayout { kAdjacent, kHalves };

enum class RopeScaling { kNone, kLinear, kYarn };

// The gated FFN's activation: silu(gate) * up (SwiGLU), or gelu(gate) * up
// with GELU's tanh approximation (GeGLU, gemma3).
enum class FfnActivation { kSilu, kGeluTanh };

// How one layer attends.
struct LayerAttention {
    bool rope = true;     // false: no rotary embedding (smollm3's every 4th layer)
    bool sliding = false; // true: only the last `sliding_window` positions (gemma3)
};

struct ModelConfig {
    Architecture arch = Architecture::kLlama;
    std::string arch_name;
    uint32_t n_embd = 0;
    uint32_t n_layer = 0;
    uint32_t n_head = 0;
    uint32_t n_head_kv = 0;
    uint32_t head_dim = 0;
    uint32_t n_ff = 0;
    uint32_t n_vocab = 0;
    uint32_t n_ctx_train = 0;
    float rms_eps = 1e-5f;
    RopeLayout rope_layout = RopeLayout::kAdjacent;
    uint32_t rope_dim = 0; // dimensions rotated per head (<= head_dim)
    float rope_base = 10000.0f;
    RopeScaling rope_scaling = RopeScaling::kNone;
    float rope_freq_scale = 1.0f; // 1 / scaling factor
    // YaRN parameters (used when rope_scaling is kYarn); rope_orig_ctx also
    // picks phi3's long or short RoPE factors.
    uint32_t rope_orig_ctx = 0;
    float yarn_beta_fast = 32.0f;
    float yarn_beta_slow = 1.0f;
    // rope.scaling.attn_factor: cos and sin are multiplied by it (phi3's
    // LongRoPE magnitude correction).
    float rope_attn_factor = 1.0f;

    // Architecture switches (ModelConfig's defaults are llama's).
    FfnActivation ffn_act = FfnActivation::kSilu;
    bool qk_norm = false;       // per-head RMS norm of Q and K before RoPE (qwen3, gemma3)
    bool post_norms = false;    // RMS norm of the attention and FFN outputs (gemma3)
    bool fused_qkv = false;     // one attn_qkv tensor (phi3); split into views at load
    bool fused_gate_up = false; // one ffn_up of 2 * n_ff rows, gate first (phi3)
    // Multipliers: token embeddings (gemma3 sqrt(n_embd), granite), each
    // attention and FFN output before it joins the residual (granite), and the
    // logits (granite: 1 / logit_scale).
    float embedding_scale = 1.0f;
    float residual_scale = 1.0f;
    float logit_scale = 1.0f;
    // Queries are multiplied by query_scale as they are made (gemma3, phi3 do
    // it there), and q.k by kq_scale in attention (1/sqrt(head_dim) elsewhere).
    float query_scale = 1.0f;
    float kq_scale = 1.0f;
    // cap * tanh(x / cap) on attention scores and on logits; 0 when absent.
    float attn_softcap = 0.0f;
    float final_softcap = 0.0f;
    // Sliding-window attention (gemma3): the window in positions, the RoPE
    // base of the sliding layers, and which layers slide (in `layers`).
    uint32_t sliding_window = 0;
    float rope_base_swa = 10000.0f;
    std::vector<LayerAttention> layers; // n_layer entries

    uint32_t q_dim() const { return n_head * head_dim; }
    uint32_t kv_dim() const { return n_head_kv * head_dim; }
    bool any_sliding() const {
        for (const LayerAttention& l : layers)
            if (l.sliding) return true;
        return false;
    }
};

// n_vocab comes from the token embedding's shape, so the caller passes it.
core::Result<ModelConfig> read_model_config(const gguf::GgufFile& file, uint32_t n_vocab);

} // namespace edgeai::engine::model
