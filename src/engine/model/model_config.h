// The hyperparameters of a decoder-only transformer, read from GGUF metadata
// ("<arch>.embedding_length" and friends) and checked for consistency before
// any tensor is looked at.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"

#include <cstdint>
#include <string>

namespace edgeai::engine::model {

enum class Architecture { kLlama, kQwen2 };

// How RoPE pairs dimensions: kAdjacent rotates (2i, 2i+1) (llama, as GGUF
// stores its Q/K weights), kHalves rotates (i, i + n/2) (qwen2, "neox").
enum class RopeLayout { kAdjacent, kHalves };

enum class RopeScaling { kNone, kLinear, kYarn };

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
    // YaRN parameters (used when rope_scaling is kYarn).
    uint32_t rope_orig_ctx = 0;
    float yarn_beta_fast = 32.0f;
    float yarn_beta_slow = 1.0f;

    uint32_t q_dim() const { return n_head * head_dim; }
    uint32_t kv_dim() const { return n_head_kv * head_dim; }
};

// n_vocab comes from the token embedding's shape, so the caller passes it.
core::Result<ModelConfig> read_model_config(const gguf::GgufFile& file, uint32_t n_vocab);

} // namespace edgeai::engine::model
