#include "engine/model/model_config.h"

#include <string_view>

namespace edgeai::engine::model {
namespace {

core::Result<uint32_t> read_u32(const gguf::GgufFile& file, const std::string& key) {
    EDGEAI_ASSIGN_OR_RETURN(uint64_t v, file.get_uint(key));
    if (v == 0 || v > (uint64_t{1} << 24))
        return core::invalid_argument(key + " = " + std::to_string(v) + " is out of range");
    return static_cast<uint32_t>(v);
}

core::Result<uint32_t> read_u32_or(const gguf::GgufFile& file, const std::string& key,
                                   uint32_t fallback) {
    if (file.find(key) == nullptr) return fallback;
    return read_u32(file, key);
}

core::Result<float> read_float_or(const gguf::GgufFile& file, const std::string& key,
                                  float fallback) {
    if (file.find(key) == nullptr) return fallback;
    EDGEAI_ASSIGN_OR_RETURN(double v, file.get_float(key));
    return static_cast<float>(v);
}

} // namespace

core::Result<ModelConfig> read_model_config(const gguf::GgufFile& file, uint32_t n_vocab) {
    ModelConfig c;
    EDGEAI_ASSIGN_OR_RETURN(std::string_view arch, file.get_string("general.architecture"));
    c.arch_name = std::string(arch);
    if (arch == "llama") {
        c.arch = Architecture::kLlama;
        c.rope_layout = RopeLayout::kAdjacent;
    } else if (arch == "qwen2") {
        c.arch = Architecture::kQwen2;
        c.rope_layout = RopeLayout::kHalves;
    } else {
        return core::Status(core::StatusCode::kUnimplemented,
                            "model architecture '" + c.arch_name +
                                "' is not supported (supported: llama, qwen2)");
    }
    const std::string p = c.arch_name + ".";
    EDGEAI_ASSIGN_OR_RETURN(c.n_embd, read_u32(file, p + "embedding_length"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_layer, read_u32(file, p + "block_count"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_head, read_u32(file, p + "attention.head_count"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_head_kv,
                            read_u32_or(file, p + "attention.head_count_kv", c.n_head));
    EDGEAI_ASSIGN_OR_RETURN(c.n_ff, read_u32(file, p + "feed_forward_length"));
    EDGEAI_ASSIGN_OR_RETURN(c.n_ctx_train, read_u32_or(file, p + "context_length", 2048));
    EDGEAI_ASSIGN_OR_RETURN(c.rms_eps,
                            read_float_or(file, p + "attention.layer_norm_rms_epsilon", 1e-5f));
    EDGEAI_ASSIGN_OR_RETURN(c.rope_base, read_float_or(file, p + "rope.freq_base", 10000.0f));
    if (c.n_layer > 1024) return core::invalid_argument(p + "block_count is out of range");
    if (c.n_embd % c.n_head != 0)
        return core::invalid_argument(p + "embedding_length (" + std::to_string(c.n_embd) +
                                      ") is not a multiple of the head count (" +
                                      std::to_string(c.n_head) + ")");
    if (c.n_head % c.n_head_kv != 0)
        return core::invalid_argument(p + "attention.head_count (" + std::to_string(c.n_head) +
                                      ") is not a multiple of attention.head_count_kv (" +
                                      std::to_string(c.n_head_kv) + ")");
    EDGEAI_ASSIGN_OR_RETURN(c.head_dim,
                            read_u32_or(file, p + "attention.key_length", c.n_embd / c.n_head));
    if (c.head_dim % 2 != 0) return core::invalid_argument("the head size must be even for RoPE");
    EDGEAI_ASSIGN_OR_RETURN(c.rope_dim, read_u32_or(file, p + "rope.dimension_count", c.head_dim));
    if (c.rope_dim > c.head_dim || c.rope_dim % 2 != 0)
        return core::invalid_argument(p + "rope.dimension_count (" + std::to_string(c.rope_dim) +
                                      ") must be even and at most the head size (" +
                                      std::to_string(c.head_dim) + ")");
    if (c.rms_eps <= 0.0f || c.rms_eps > 1.0f)
        return core::invalid_argument(p + "attention.layer_norm_rms_epsilon is out of range");
    if (!(c.rope_base > 0.0f)) return core::invalid_argument(p + "rope.freq_base must be positive");

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
    if (scaling == "none") {
        c.rope_scaling = RopeScaling::kNone;
    } else if (scaling == "linear" || scaling == "yarn") {
        if (!(factor >= 1.0f))
            return core::invalid_argument(p + "rope.scaling.factor must be at least 1 for " +
                                          std::string(scaling) + " scaling");
        c.rope_freq_scale = 1.0f / factor;
        c.rope_scaling = scaling == "linear" ? RopeScaling::kLinear : RopeScaling::kYarn;
        EDGEAI_ASSIGN_OR_RETURN(
            c.rope_orig_ctx,
            read_u32_or(file, p + "rope.scaling.original_context_length", c.n_ctx_train));
        EDGEAI_ASSIGN_OR_RETURN(c.yarn_beta_fast,
                                read_float_or(file, p + "rope.scaling.yarn_beta_fast", 32.0f));
        EDGEAI_ASSIGN_OR_RETURN(c.yarn_beta_slow,
                                read_float_or(file, p + "rope.scaling.yarn_beta_slow", 1.0f));
    } else {
        return core::Status(core::StatusCode::kUnimplemented,
                            p + "rope.scaling.type '" + std::string(scaling) +
                                "' is not supported (supported: none, linear, yarn)");
    }
    c.n_vocab = n_vocab;
    return c;
}

} // namespace edgeai::engine::model
