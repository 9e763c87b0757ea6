#include "engine/model/architecture.h"

#include "engine/model/metadata_read.h"

#include <cmath>
#include <string>

namespace edgeai::engine::model {
namespace {

struct ArchitectureName {
    std::string_view name;
    Architecture arch;
};

constexpr ArchitectureName kArchitectures[] = {
    {"llama", Architecture::kLlama},     {"qwen2", Architecture::kQwen2},
    {"qwen3", Architecture::kQwen3},     {"gemma3", Architecture::kGemma3},
    {"phi3", Architecture::kPhi3},       {"smollm3", Architecture::kSmolLM3},
    {"granite", Architecture::kGranite},
};

// SmolLM3 leaves RoPE out of every 4th layer (its config's
// no_rope_layer_interval); llama.cpp fixes the step at 4 and no GGUF key
// carries it, so neither does this.
constexpr uint32_t kSmolLM3NoRopeStep = 4;
// Gemma 3's default: five sliding-window layers, then one global one.
constexpr uint32_t kGemma3SwaPattern = 6;
// Gemma 3 27B (62 layers) scales queries by 1/sqrt(n_embd / n_head) (its
// query_pre_attn_scalar), the others by 1/sqrt(head_dim); no GGUF key says
// which, so llama.cpp tells them by the layer count, and so does this.
constexpr uint32_t kGemma3_27BLayers = 62;

// Which layers slide: an array of one flag per layer, or a period n where
// layer i slides unless i % n == n - 1 (0: every layer), as llama.cpp reads
// <arch>.attention.sliding_window_pattern.
core::Status read_swa_pattern(const gguf::GgufFile& file, const std::string& key,
                              uint32_t default_period, ModelConfig& c) {
    const gguf::KeyValue* kv = file.find(key);
    if (kv != nullptr && kv->type == gguf::ValueType::kArray) {
        if (kv->count != c.n_layer)
            return core::invalid_argument(key + " has " + std::to_string(kv->count) +
                                          " entries, expected one per layer (" +
                                          std::to_string(c.n_layer) + ")");
        std::vector<int64_t> flags;
        if (kv->element_type == gguf::ValueType::kBool) {
            // Booleans are bytes; read them as such.
            for (uint64_t i = 0; i < kv->count; ++i)
                flags.push_back(file.bytes()[kv->offset + static_cast<size_t>(i)] != 0);
        } else {
            EDGEAI_ASSIGN_OR_RETURN(flags, file.get_int_array(key));
        }
        for (uint32_t i = 0; i < c.n_layer; ++i)
            c.layers[i].sliding = flags[i] != 0;
        return core::Status();
    }
    uint32_t period = default_period;
    if (kv != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(uint64_t v, file.get_uint(key));
        if (v > c.n_layer) return core::invalid_argument(key + " is larger than the layer count");
        period = static_cast<uint32_t>(v);
    }
    for (uint32_t i = 0; i < c.n_layer; ++i)
        c.layers[i].sliding = period == 0 || i % period < period - 1;
    return core::Status();
}

core::Status read_softcap(const gguf::GgufFile& file, const std::string& key, float& out) {
    EDGEAI_ASSIGN_OR_RETURN(out, read_float_or(file, key, 0.0f));
    if (out < 0.0f) return core::invalid_argument(key + " must not be negative");
    return core::Status();
}

core::Status read_gemma3(const gguf::GgufFile& file, const std::string& p, ModelConfig& c) {
    c.rope_layout = RopeLayout::kHalves;
    c.qk_norm = true;
    c.post_norms = true;
    c.ffn_act = FfnActivation::kGeluTanh;
    // In float, as llama.cpp multiplies (sqrtf of the width).
    c.embedding_scale = std::sqrt(static_cast<float>(c.n_embd));
    c.query_scale = c.n_layer == kGemma3_27BLayers
                        ? 1.0f / std::sqrt(static_cast<float>(c.n_embd / c.n_head))
                        : 1.0f / std::sqrt(static_cast<float>(c.head_dim));
    c.kq_scale = 1.0f;
    EDGEAI_TRY(read_softcap(file, p + "final_logit_softcapping", c.final_softcap));
    // Gemma 3's converter never writes this (Gemma 2 had it); a file that does
    // gets it as Hugging Face's Gemma3 applies it. llama.cpp ignores it here.
    EDGEAI_TRY(read_softcap(file, p + "attn_logit_softcapping", c.attn_softcap));
    uint64_t window = 0;
    if (file.find(p + "attention.sliding_window") != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(window, file.get_uint(p + "attention.sliding_window"));
    }
    if (window == 0) return core::Status(); // every layer global
    if (window > c.n_ctx_train)
        return core::invalid_argument(p + "attention.sliding_window (" + std::to_string(window) +
                                      ") is larger than the context length (" +
                                      std::to_string(c.n_ctx_train) + ")");
    c.sliding_window = static_cast<uint32_t>(window);
    EDGEAI_TRY(
        read_swa_pattern(file, p + "attention.sliding_window_pattern", kGemma3SwaPattern, c));
    EDGEAI_ASSIGN_OR_RETURN(c.rope_base_swa,
                            read_float_or(file, p + "rope.freq_base_swa", 10000.0f));
    if (!(c.rope_base_swa > 0.0f))
        return core::invalid_argument(p + "rope.freq_base_swa must be positive");
    return core::Status();
}

core::Status read_granite(const gguf::GgufFile& file, const std::string& p, ModelConfig& c) {
    EDGEAI_ASSIGN_OR_RETURN(float logit_scale, read_float_or(file, p + "logit_scale", 0.0f));
    if (!(logit_scale > 0.0f))
        return core::invalid_argument(p + "logit_scale is missing or not positive");
    c.logit_scale = 1.0f / logit_scale;
    // Zero or absent: no multiplier, as in llama.cpp.
    EDGEAI_ASSIGN_OR_RETURN(float residual, read_float_or(file, p + "residual_scale", 0.0f));
    EDGEAI_ASSIGN_OR_RETURN(float embedding, read_float_or(file, p + "embedding_scale", 0.0f));
    EDGEAI_ASSIGN_OR_RETURN(float attention, read_float_or(file, p + "attention.scale", 0.0f));
    if (residual != 0.0f) c.residual_scale = residual;
    if (embedding != 0.0f) c.embedding_scale = embedding;
    if (attention != 0.0f) c.kq_scale = attention;
    // Granite switches RoPE off with rope.scaling.finetuned = false.
    bool rope = true;
    if (file.find(p + "rope.scaling.finetuned") != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(rope, file.get_bool(p + "rope.scaling.finetuned"));
    }
    for (LayerAttention& l : c.layers)
        l.rope = rope;
    return core::Status();
}

} // namespace

std::optional<Architecture> find_architecture(std::string_view name) {
    for (const ArchitectureName& a : kArchitectures)
        if (a.name == name) return a.arch;
    return std::nullopt;
}

std::string_view supported_architectures() {
    return "llama, qwen2, qwen3, gemma3, phi3, smollm3, granite";
}

core::Status read_architecture(const gguf::GgufFile& file, ModelConfig& c) {
    const std::string p = c.arch_name + ".";
    switch (c.arch) {
    case Architecture::kLlama:
        return core::Status();
    case Architecture::kQwen2:
        c.rope_layout = RopeLayout::kHalves;
        return core::Status();
    case Architecture::kQwen3:
        c.rope_layout = RopeLayout::kHalves;
        c.qk_norm = true;
        return core::Status();
    case Architecture::kGemma3:
        return read_gemma3(file, p, c);
    case Architecture::kPhi3:
        // Phi-3.5 files carry a sliding window; llama.cpp runs them without
        // one (see its phi3 loader), so does this, for the same outputs.
        c.rope_layout = RopeLayout::kHalves;
        c.fused_gate_up = true;
        c.query_scale = 1.0f / std::sqrt(static_cast<float>(c.head_dim));
        c.kq_scale = 1.0f;
        return core::Status();
    case Architecture::kSmolLM3:
        for (uint32_t i = 0; i < c.n_layer; ++i)
            c.layers[i].rope = (i + 1) % kSmolLM3NoRopeStep != 0;
        return core::Status();
    case Architecture::kGranite:
        return read_granite(file, p, c);
    }
    return core::internal_error("unknown architecture");
}

} // namespace edgeai::engine::model
