#include "engine/model/model.h"

#include "engine/kernels/dequantize.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/packed.h"

#include <algorithm>
#include <cstdlib>
#include <string>

namespace edgeai::engine::model {
namespace {

std::string shape_text(const gguf::TensorInfo& t) {
    std::string s = "[";
    for (uint32_t i = 0; i < t.n_dims; ++i) {
        if (i) s += ", ";
        s += std::to_string(t.dims[i]);
    }
    return s + "]";
}

// Kernels read f32 values and the f16 scales inside blocks (every block size
// is even) in place, so a tensor must start on a 4-byte boundary of the file
// (mapped at a page, or held in an aligned buffer). GGUF's default alignment
// is 32; only a file that sets general.alignment to 1 or 2 can break this.
constexpr uint64_t kTensorAlignment = 4;

core::Status check_aligned(const gguf::TensorInfo& t) {
    if (t.offset % kTensorAlignment == 0) return core::Status();
    return core::invalid_argument("tensor '" + std::string(t.name) + "' starts at byte " +
                                  std::to_string(t.offset) + ", which is not a multiple of " +
                                  std::to_string(kTensorAlignment) +
                                  " (the file's general.alignment is too small)");
}

bool engine_runs(TensorType type) {
    return kernels::dot_for(kernels::scalar_kernels(), type) != nullptr;
}

class Loader {
  public:
    explicit Loader(const gguf::GgufFile& file) : file_(file) {}

    // A 2-D weight of `cols` x `rows` (GGUF lists the inner dimension first).
    core::Result<Matrix> matrix(const std::string& name, uint32_t cols, uint32_t rows) {
        const gguf::TensorInfo* t = file_.find_tensor(name);
        if (t == nullptr) return core::invalid_argument("tensor '" + name + "' is missing");
        if (t->n_dims != 2 || t->dims[0] != cols || t->dims[1] != rows)
            return core::invalid_argument("tensor '" + name + "' has shape " + shape_text(*t) +
                                          ", expected [" + std::to_string(cols) + ", " +
                                          std::to_string(rows) + "]");
        if (!engine_runs(t->type->type))
            return core::Status(core::StatusCode::kUnimplemented,
                                "tensor '" + name + "' has type " + std::string(t->type->name) +
                                    ", which the engine does not run (supported: f32, f16, "
                                    "bf16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl, q6_K, "
                                    "q5_K, q4_K, iq4_xs, q3_K, q2_K)");
        EDGEAI_TRY(check_aligned(*t));
        Matrix m;
        m.data = file_.tensor_data(*t).data();
        m.type = t->type->type;
        m.rows = rows;
        m.cols = cols;
        m.row_bytes = static_cast<size_t>(t->size / rows);
        return m;
    }

    // A 1-D vector converted to f32 (norm weights and biases are tiny).
    core::Result<std::vector<float>> vector(const std::string& name, uint32_t n) {
        const gguf::TensorInfo* t = file_.find_tensor(name);
        if (t == nullptr) return core::invalid_argument("tensor '" + name + "' is missing");
        if (t->n_dims != 1 || t->dims[0] != n)
            return core::invalid_argument("tensor '" + name + "' has shape " + shape_text(*t) +
                                          ", expected [" + std::to_string(n) + "]");
        // llama.cpp's converters write norms, biases and RoPE factors as
        // floats, and its forward pass multiplies by them only as floats; a
        // quantized one is a damaged or hand-made file.
        const TensorType type = t->type->type;
        if (type != TensorType::kF32 && type != TensorType::kF16 && type != TensorType::kBF16)
            return core::invalid_argument("tensor '" + name + "' has type " +
                                          std::string(t->type->name) +
                                          ", but norms, biases and RoPE factors must be f32, f16 "
                                          "or bf16; the file is damaged, convert the model again");
        EDGEAI_TRY(check_aligned(*t));
        std::vector<float> out(n);
        if (!kernels::dequantize_row(t->type->type, file_.tensor_data(*t).data(), out.data(), n))
            return core::Status(core::StatusCode::kUnimplemented, "tensor '" + name +
                                                                      "' has unsupported type " +
                                                                      std::string(t->type->name));
        return out;
    }

    core::Result<std::vector<float>> optional_vector(const std::string& name, uint32_t n) {
        if (file_.find_tensor(name) == nullptr) return std::vector<float>{};
        return vector(name, n);
    }

  private:
    const gguf::GgufFile& file_;
};

// Rows [first, first + n) of m: fused tensors are split this way, without a
// copy, since a weight row is contiguous whatever its type.
Matrix rows_of(const Matrix& m, uint32_t first, uint32_t n) {
    Matrix v = m;
    v.data = m.row(first);
    v.rows = n;
    return v;
}

uint64_t bytes_of(const Matrix& m) {
    return uint64_t{m.rows} * m.row_bytes;
}

} // namespace

core::Result<Model> Model::load(const gguf::GgufFile& file) {
    const gguf::TensorInfo* embd = file.find_tensor("token_embd.weight");
    if (embd == nullptr) return core::invalid_argument("tensor 'token_embd.weight' is missing");
    if (embd->n_dims != 2 || embd->dims[1] == 0 || embd->dims[1] > (uint64_t{1} << 24))
        return core::invalid_argument("tensor 'token_embd.weight' has shape " + shape_text(*embd) +
                                      ", expected [embedding_length, vocabulary size]");
    Model m;
    EDGEAI_ASSIGN_OR_RETURN(m.config_,
                            read_model_config(file, static_cast<uint32_t>(embd->dims[1])));
    const ModelConfig& c = m.config_;
    Loader load(file);
    EDGEAI_ASSIGN_OR_RETURN(m.token_embd_, load.matrix("token_embd.weight", c.n_embd, c.n_vocab));
    EDGEAI_ASSIGN_OR_RETURN(m.output_norm_, load.vector("output_norm.weight", c.n_embd));
    if (file.find_tensor("output.weight") != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(m.output_, load.matrix("output.weight", c.n_embd, c.n_vocab));
    } else {
        m.output_ = m.token_embd_; // tied embeddings
    }
    if (file.find_tensor("rope_freqs.weight") != nullptr) {
        EDGEAI_ASSIGN_OR_RETURN(m.rope_freq_factors_,
                                load.vector("rope_freqs.weight", c.rope_dim / 2));
    }
    EDGEAI_ASSIGN_OR_RETURN(m.rope_factors_long_,
                            load.optional_vector("rope_factors_long.weight", c.rope_dim / 2));
    EDGEAI_ASSIGN_OR_RETURN(m.rope_factors_short_,
                            load.optional_vector("rope_factors_short.weight", c.rope_dim / 2));
    m.layers_.resize(c.n_layer);
    for (uint32_t i = 0; i < c.n_layer; ++i) {
        const std::string b = "blk." + std::to_string(i) + ".";
        Layer& l = m.layers_[i];
        EDGEAI_ASSIGN_OR_RETURN(l.attn_norm, load.vector(b + "attn_norm.weight", c.n_embd));
        if (file.find_tensor(b + "attn_qkv.weight") != nullptr) {
            EDGEAI_ASSIGN_OR_RETURN(Matrix qkv, load.matrix(b + "attn_qkv.weight", c.n_embd,
                                                            c.q_dim() + 2 * c.kv_dim()));
            l.wq = rows_of(qkv, 0, c.q_dim());
            l.wk = rows_of(qkv, c.q_dim(), c.kv_dim());
            l.wv = rows_of(qkv, c.q_dim() + c.kv_dim(), c.kv_dim());
        } else {
            EDGEAI_ASSIGN_OR_RETURN(l.wq, load.matrix(b + "attn_q.weight", c.n_embd, c.q_dim()));
            EDGEAI_ASSIGN_OR_RETURN(l.wk, load.matrix(b + "attn_k.weight", c.n_embd, c.kv_dim()));
            EDGEAI_ASSIGN_OR_RETURN(l.wv, load.matrix(b + "attn_v.weight", c.n_embd, c.kv_dim()));
        }
        EDGEAI_ASSIGN_OR_RETURN(l.wo, load.matrix(b + "attn_output.weight", c.q_dim(), c.n_embd));
        EDGEAI_ASSIGN_OR_RETURN(l.bq, load.optional_vector(b + "attn_q.bias", c.q_dim()));
        EDGEAI_ASSIGN_OR_RETURN(l.bk, load.optional_vector(b + "attn_k.bias", c.kv_dim()));
        EDGEAI_ASSIGN_OR_RETURN(l.bv, load.optional_vector(b + "attn_v.bias", c.kv_dim()));
        if (c.arch == Architecture::kQwen2 && (l.bq.empty() || l.bk.empty() || l.bv.empty()))
            return core::invalid_argument("qwen2 layer " + std::to_string(i) +
                                          " lacks its attention q/k/v biases");
        if (c.qk_norm) {
            EDGEAI_ASSIGN_OR_RETURN(l.q_norm, load.vector(b + "attn_q_norm.weight", c.head_dim));
            EDGEAI_ASSIGN_OR_RETURN(l.k_norm, load.vector(b + "attn_k_norm.weight", c.head_dim));
        }
        if (c.post_norms) {
            EDGEAI_ASSIGN_OR_RETURN(l.post_attn_norm,
                                    load.vector(b + "post_attention_norm.weight", c.n_embd));
            EDGEAI_ASSIGN_OR_RETURN(l.post_ffn_norm,
                                    load.vector(b + "post_ffw_norm.weight", c.n_embd));
        }
        EDGEAI_ASSIGN_OR_RETURN(l.ffn_norm, load.vector(b + "ffn_norm.weight", c.n_embd));
        if (c.fused_gate_up) {
            EDGEAI_ASSIGN_OR_RETURN(Matrix gate_up,
                                    load.matrix(b + "ffn_up.weight", c.n_embd, 2 * c.n_ff));
            l.w_gate = rows_of(gate_up, 0, c.n_ff);
            l.w_up = rows_of(gate_up, c.n_ff, c.n_ff);
        } else {
            EDGEAI_ASSIGN_OR_RETURN(l.w_gate, load.matrix(b + "ffn_gate.weight", c.n_embd, c.n_ff));
            EDGEAI_ASSIGN_OR_RETURN(l.w_up, load.matrix(b + "ffn_up.weight", c.n_embd, c.n_ff));
        }
        EDGEAI_ASSIGN_OR_RETURN(l.w_down, load.matrix(b + "ffn_down.weight", c.n_ff, c.n_embd));
        // llama.cpp reads these for llama and granite only; other
        // architectures' loaders would not take them, so neither do we.
        if (c.arch == Architecture::kLlama || c.arch == Architecture::kGranite) {
            EDGEAI_ASSIGN_OR_RETURN(l.bo, load.optional_vector(b + "attn_output.bias", c.n_embd));
            EDGEAI_ASSIGN_OR_RETURN(l.b_gate, load.optional_vector(b + "ffn_gate.bias", c.n_ff));
            EDGEAI_ASSIGN_OR_RETURN(l.b_up, load.optional_vector(b + "ffn_up.bias", c.n_ff));
            EDGEAI_ASSIGN_OR_RETURN(l.b_down, load.optional_vector(b + "ffn_down.bias", c.n_embd));
        }
        m.weight_bytes_ += bytes_of(l.wq) + bytes_of(l.wk) + bytes_of(l.wv) + bytes_of(l.wo) +
                           bytes_of(l.w_gate) + bytes_of(l.w_up) + bytes_of(l.w_down);
    }
    m.weight_bytes_ += bytes_of(m.output_);
    return m;
}

void read_row(const Matrix& m, uint32_t r, float* out) {
    if (m.packed == nullptr) {
        kernels::dequantize_row(m.type, m.row(r), out, m.cols);
        return;
    }
    const TensorTypeInfo* info = find_tensor_type(static_cast<uint32_t>(m.type));
    const uint8_t* group = m.packed + size_t{r / kernels::kPackRows} * m.group_bytes;
    uint8_t block[sizeof(kernels::BlockQ6_K)]; // the largest packable block
    for (size_t b = 0; b < m.cols / info->block_values; ++b) {
        kernels::unpack_block(m.type, group, r % kernels::kPackRows, b, block);
        kernels::dequantize_row(m.type, block, out + b * info->block_values, info->block_values);
    }
}

void Model::FreeAligned::operator()(uint8_t* p) const {
    std::free(p);
}

core::Result<uint64_t> Model::pack_weights(const kernels::KernelTable& table,
                                           const PackHooks& hooks) {
    std::vector<Matrix*> matrices;
    for (Layer& l : layers_)
        for (Matrix* m : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w_gate, &l.w_up, &l.w_down})
            matrices.push_back(m);
    matrices.push_back(&output_);
    // The output matrix multiplies one token per pass (prompts want the last
    // token's logits only), so it is packed for decode's sake only, and Q6_K's
    // matrix kernel at one token measured slower than its dot product over the
    // file's rows (qwen3-0.6b Q4_K_M, a 127 MB Q6_K output: tg 52 -> 44 tok/s).
    auto wanted = [&](const Matrix* m) {
        if (m == &output_ && m->type == TensorType::kQ6_K) return false;
        return m->packed == nullptr && kernels::gemm_for(table, m->type) != nullptr;
    };
    uint64_t to_pack = 0;
    for (const Matrix* m : matrices)
        if (wanted(m)) to_pack += kernels::packed_bytes(m->type, m->rows, m->cols);
    uint64_t total = 0;
    for (Matrix* m : matrices) {
        if (!wanted(m)) continue;
        const size_t bytes = kernels::packed_bytes(m->type, m->rows, m->cols);
        constexpr size_t kAlign = 64; // a cache line: blocks never straddle two
        auto* buffer =
            static_cast<uint8_t*>(std::aligned_alloc(kAlign, (bytes + kAlign - 1) & ~(kAlign - 1)));
        if (buffer == nullptr)
            return core::Status(core::StatusCode::kResourceExhausted,
                                "cannot allocate " + std::to_string(bytes) +
                                    " bytes to repack the weights");
        packed_.emplace_back(buffer);
        const uint32_t groups = (m->rows + kernels::kPackRows - 1) / kernels::kPackRows;
        const size_t group_bytes = kernels::packed_group_bytes(m->type, m->cols);
        // A few MB at a time, giving each slice's file pages back once it is
        // copied: the peak stays near one copy of the weights even for a
        // vocabulary-sized output matrix.
        const size_t source_group_bytes = size_t{kernels::kPackRows} * m->row_bytes;
        const uint32_t slice =
            std::max<uint32_t>(1, static_cast<uint32_t>((size_t{4} << 20) / source_group_bytes));
        for (uint32_t g0 = 0; g0 < groups; g0 += slice) {
            const uint32_t g1 = std::min(groups, g0 + slice);
            kernels::pack_groups(m->type, m->data, m->row_bytes, m->rows, m->cols, g0, g1,
                                 buffer + g0 * group_bytes);
            if (hooks.progress != nullptr)
                hooks.progress(hooks.context, total + uint64_t{g1} * group_bytes, to_pack);
            if (hooks.release == nullptr) continue;
            const uint32_t row0 = g0 * kernels::kPackRows;
            const uint32_t row1 = std::min(m->rows, g1 * kernels::kPackRows);
            hooks.release(hooks.context, m->row(row0), size_t{row1 - row0} * m->row_bytes);
        }
        m->packed = buffer;
        m->group_bytes = group_bytes;
        total += bytes;
        // A tied output shares its bytes with the token embedding, whose rows
        // are then looked up in the packed copy too.
        if (m == &output_ && output_.data == token_embd_.data) {
            token_embd_.packed = output_.packed;
            token_embd_.group_bytes = output_.group_bytes;
        }
    }
    return total;
}

} // namespace edgeai::engine::model
