#include "engine/model/model_config.h"

#include "engine/model/architecture.h"
#include "engine/model/metadata_read.h"

#include <cmath>
#include <string_view>

namespace edgeai::engine::model {
namespace {

// RoPE scaling as llama.cpp reads it: "none", "linear" and "yarn" change the
// frequencies; "longrope" (phi3) leaves them to the rope_factors tensors.
core::Status read_rope_scaling(const gguf::GgufFile& file, const std::string& p, ModelConfig& c) {
    std::string_view scaling = "none";
    if (file.find(p + "rope.scaling.type") != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(scaling, file.get_string(p + "rope.scaling.type"));
    }
    EDGEAI_ASSIGN_OR_RETURN(float factor, read_float_or(file, p + "rope.scaling.factor", 0.0f));
    if (file.find(p + "rope.scale_linear") != nullptr && factor == 0.0f) {
        // Older files spell linear scaling this way.
        EDGEAI_ASSIGN_OR_RETURN(factor, read_float_or(file, p + "rope.scale_linear", 1.0f));
        if (scaling == "none") scaling = "linear";
    }
    EDGEAI_ASSIGN_OR_RETURN(
        c.rope_orig_ctx,
        read_count_or(file, p + "rope.scaling.original_context_length", c.n_ctx_train));
    EDGEAI_ASSIGN_OR_RETURN(c.rope_attn_factor,
                            read_float_or(file, p + "rope.scaling.attn_factor", 1.0f));
    if (!(c.rope_attn_factor > 0.0f))
        return core::invalid_argument(p + "rope.scaling.attn_factor must be positive");
    if (scaling == "none" || scaling == "longrope") {
        c.rope_scaling = RopeScaling::kNone;
    } else if (scaling == "linear" || scaling == "yarn") {
        if (!(factor >= 1.0f))
            return core::invalid_argument(p + "rope.scaling.factor must be at least 1 for " +
                                          std::string(scaling) + " scaling");
        c.rope_freq_scale = 1.0f / factor;
        c.rope_scaling = scaling == "linear" ? RopeScaling::kLinear : RopeScaling::kYarn;
        EDGEAI_ASSIGN_OR_RETURN(c.yarn_beta_fast,
                                read_float_or(file, p + "rope.scaling.yarn_beta_fast", 32.0f));
        EDGEAI_ASSIGN_OR_RETURN(c.yarn_beta_slow,
                                read_float_or(file, p + "rope.scaling.yarn_beta_slow", 1.0f));
    } else {
        return core::Status(core::StatusCode::kUnimplemented,
                            p + "rope.scaling.type '" + std::string(scaling) +
                                "' is not supported (supported: none, linear, yarn, longrope)");
    }
    return core::Status();
}

} // namespace

core::Result<ModelConfig> read_model_config(const gguf::GgufFile& file, uint32_t n_vocab) {
    ModelConfig c;
    EDGEAI_ASSIGN_OR_RETURN(std::string_view arch, file.get_string("general.architecture"));
    c.arch_name = std::string(arch);
    const std::optional<Architecture> known = find_architecture(arch);
    if (!known)
        return core::Status(
            core::StatusCode::kUnimplemented,
            "model architecture '" + c.arch_name +
                "' is not supported (supported: " + std::string(supported_architectures()) + ")");
    c.arch = *known;
    const std::string p = c.arch_name + ".";
    EDGEAI_ASSIGN_OR_RETURN(c.n_embd, read_count(file, p + "embedding_length"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_layer, read_count(file, p + "block_count"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_head, read_count(file, p + "attention.head_count"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_head_kv,
                            read_count_or(file, p + "attention.head_count_kv", c.n_head));
    EDGEAI_ASSIGN_OR_RETURN(c.n_ff, read_count(file, p + "feed_forward_length"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_ctx_train, read_count_or(file, p + "context_length", 2048));
    EDGEAI_ASSIGN_OR_RETURN(c.rms_eps,
                            read_float_or(file, p + "attention.layer_norm_rms_epsilon", 1e-5f));
    EDGEAI_ASSIGN_OR_RETURN(c.rope_base, read_float_or(file, p + "rope.freq_base", 10000.0f));
    if (c.n_layer > 1024) return core::invalid_argument(p + "block_count is out of range");
    if (c.n_head % c.n_head_kv != 0)
        return core::invalid_argument(p + "attention.head_count (" + std::to_string(c.n_head) +
                                      ") is not a multiple of attention.head_count_kv (" +
                                      std::to_string(c.n_head_kv) + ")");
    if (file.find(p + "attention.key_length") == nullptr && c.n_embd % c.n_head != 0)
        return core::invalid_argument(p + "embedding_length (" + std::to_string(c.n_embd) +
                                      ") is not a multiple of the head count (" +
                                      std::to_string(c.n_head) + ")");
    EDGEAI_ASSIGN_OR_RETURN(c.head_dim,
                            read_count_or(file, p + "attention.key_length", c.n_embd / c.n_head));
    if (uint64_t{c.n_head} * c.head_dim > (uint64_t{1} << 24))
        return core::invalid_argument(p + "attention.head_count times the head size is too large");
    // Values as wide as keys: the KV cache and attention assume it.
    EDGEAI_ASSIGN_OR_RETURN(uint32_t value_dim,
                            read_count_or(file, p + "attention.value_length", c.head_dim));
    if (value_dim != c.head_dim)
        return core::invalid_argument(p + "attention.value_length (" + std::to_string(value_dim) +
                                      ") differs from attention.key_length (" +
                                      std::to_string(c.head_dim) + ")");
    if (c.head_dim % 2 != 0) return core::invalid_argument("the head size must be even for RoPE");
    EDGEAI_ASSIGN_OR_RETURN(c.rope_dim,
                            read_count_or(file, p + "rope.dimension_count", c.head_dim));
    if (c.rope_dim > c.head_dim || c.rope_dim % 2 != 0)
        return core::invalid_argument(p + "rope.dimension_count (" + std::to_string(c.rope_dim) +
                                      ") must be even and at most the head size (" +
                                      std::to_string(c.head_dim) + ")");
    if (c.rms_eps <= 0.0f || c.rms_eps > 1.0f)
        return core::invalid_argument(p + "attention.layer_norm_rms_epsilon is out of range");
    if (!(c.rope_base > 0.0f)) return core::invalid_argument(p + "rope.freq_base must be positive");
    EDGEAI_TRY(read_rope_scaling(file, p, c));
    c.n_vocab = n_vocab;
    c.kq_scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
    c.layers.assign(c.n_layer, LayerAttention{});
    EDGEAI_TRY(read_architecture(file, c));
    return c;
}

} // namespace edgeai::engine::model
