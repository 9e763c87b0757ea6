// A loaded model: its configuration and views of its weights inside the GGUF
// bytes (nothing is copied except the small 1-D norm and bias vectors, which
// are converted to f32 once). Loading checks that every tensor the
// architecture needs is there with the shape the configuration implies and a
// type the engine runs, so the forward pass never meets a surprise.
#pragma once

#include "core/result.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model_config.h"
#include "engine/tensor/tensor_type.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace edgeai::engine::kernels {
struct KernelTable;
}

namespace edgeai::engine::model {

// A 2-D weight: `rows` rows of `cols` values, each row `row_bytes` long.
struct Matrix {
    const uint8_t* data = nullptr;
    TensorType type = TensorType::kF32;
    uint32_t rows = 0;
    uint32_t cols = 0;
    size_t row_bytes = 0;
    // The same weights repacked for the matrix kernels (kernels/packed.h),
    // group after group, or null when they were not packed.
    const uint8_t* packed = nullptr;
    size_t group_bytes = 0;

    const uint8_t* row(uint32_t r) const { return data + size_t{r} * row_bytes; }
};

// Row r of m as floats, from the packed copy when there is one (the file's
// pages under a packed matrix may have been given back).
void read_row(const Matrix& m, uint32_t r, float* out);

// Optional vectors are empty when the architecture has none.
struct Layer {
    std::vector<float> attn_norm;
    // Views of one attn_qkv tensor's rows when the file fuses them (phi3).
    Matrix wq, wk, wv, wo;
    std::vector<float> bq, bk, bv; // QKV biases (qwen2)
    // Optional output and FFN biases (llama and granite files may carry them,
    // as llama.cpp's loader allows); empty when absent.
    std::vector<float> bo, b_gate, b_up, b_down;
    std::vector<float> q_norm, k_norm; // per-head, head_dim long (qwen3, gemma3)
    std::vector<float> post_attn_norm; // (gemma3)
    std::vector<float> ffn_norm;
    // Views of one ffn_up tensor's two halves when the file fuses them (phi3).
    Matrix w_gate, w_up, w_down;
    std::vector<float> post_ffn_norm; // (gemma3)
};

// What Model::pack_weights tells its caller as it goes.
struct PackHooks {
    void* context = nullptr;
    void (*release)(void* context, const uint8_t* data, size_t size) = nullptr;
    void (*progress)(void* context, uint64_t done, uint64_t total) = nullptr;
};

class Model {
  public:
    // `file` (and the bytes under it) must outlive the model.
    static core::Result<Model> load(const gguf::GgufFile& file);

    const ModelConfig& config() const { return config_; }
    const Matrix& token_embedding() const { return token_embd_; }
    const std::vector<float>& output_norm() const { return output_norm_; }
    const Matrix& output() const { return output_; }
    const std::vector<Layer>& layers() const { return layers_; }
    // Per-dimension RoPE divisors (llama 3's rope_freqs), empty when absent.
    const std::vector<float>& rope_freq_factors() const { return rope_freq_factors_; }
    // Phi-3's LongRoPE divisors for contexts past rope_orig_ctx (long) and
    // within it (short); empty when absent.
    const std::vector<float>& rope_factors_long() const { return rope_factors_long_; }
    const std::vector<float>& rope_factors_short() const { return rope_factors_short_; }
    // Bytes of weights a forward pass reads per token (for bandwidth figures).
    uint64_t weight_bytes() const { return weight_bytes_; }

    // Repacks every layer and output matrix that `table` has a matrix kernel
    // for (kernels/packed.h) into memory the model owns; the forward pass then
    // reads the packed copy. After each matrix, `release` (when given) hears
    // which file bytes nothing reads any more, so a mapping can give their
    // pages back and resident memory stays at one copy of the weights.
    // `progress` (when given) hears the bytes packed so far and in all.
    // Returns the bytes packed; fails only when the memory cannot be had.
    core::Result<uint64_t> pack_weights(const kernels::KernelTable& table,
                                        const PackHooks& hooks = {});

  private:
    ModelConfig config_;
    Matrix token_embd_;
    std::vector<float> output_norm_;
    Matrix output_;
    std::vector<Layer> layers_;
    std::vector<float> rope_freq_factors_;
    std::vector<float> rope_factors_long_, rope_factors_short_;
    uint64_t weight_bytes_ = 0;
    struct FreeAligned {
        void operator()(uint8_t* p) const;
    };
    std::vector<std::unique_ptr<uint8_t[], FreeAligned>> packed_;
};

} // namespace edgeai::engine::model
