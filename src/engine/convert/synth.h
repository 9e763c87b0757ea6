// `model synth`: a model with the published shape of a real one (architecture,
// layers, widths, heads, vocabulary size, RoPE base and factors, tied output,
// QKV biases, sliding window, multipliers) and
// random weights, so speed and memory can be measured without downloading
// anything. Weights are normal-ish values (std 0.02; norms 1.0) drawn from a
// counter-based PRNG keyed by the seed and the tensor, then quantized with the
// engine's quantizers: the same shape, type and seed always give the same bytes.
//
// The file carries a complete, valid vocabulary of exactly the model's size, so
// llama.cpp and our Tokenizer both load it: byte-level BPE ("gpt2": the 256
// byte characters, then tokens made by merging a token with one more character,
// each with its merge) or SentencePiece ("llama": <unk> <s> </s>, the 256 <0xXX>
// byte tokens, then scored pieces). The vocabulary does not depend on the seed.
//
// Weights stream out through a ByteSink row by row: no float copy of a tensor is
// held, so a 350 MB model costs little more than one row of memory.
#pragma once

#include "core/result.h"
#include "engine/tensor/tensor_type.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::convert {

enum class SynthVocab : uint8_t {
    kByteLevelBpe,  // tokenizer.ggml.model "gpt2"
    kSentencePiece, // tokenizer.ggml.model "llama"
};

struct SynthShape {
    std::string_view name;
    // llama, qwen2, qwen3, gemma3, phi3, smollm3 or granite: which tensors the
    // file has (Q/K norms, post-norms, fused QKV and gate/up) follows from it.
    std::string_view arch;
    uint32_t n_layer = 0;
    uint32_t n_embd = 0;
    uint32_t n_head = 0;
    uint32_t n_head_kv = 0;
    uint32_t n_ff = 0;
    uint32_t n_vocab = 0;
    uint32_t n_ctx = 0;
    float rope_base = 10000.0f;
    float rms_eps = 1e-5f;
    bool tied_output = true; // no output.weight: the embedding is reused
    bool qkv_bias = false;
    uint32_t head_dim = 0; // 0: n_embd / n_head; else written as attention.key_length
    uint32_t rope_dim = 0; // 0: the head size (phi4-mini rotates 96 of 128)
    // gemma3: the sliding window (0: none), the sliding layers' RoPE base (0:
    // not written, llama.cpp's default 10000) and final logit softcapping.
    uint32_t sliding_window = 0;
    float rope_base_swa = 0.0f;
    float final_softcap = 0.0f;
    float attn_softcap = 0.0f; // written as attn_logit_softcapping when nonzero
    // llama 3's rope_freqs tensor, made as the converter makes it from
    // factor, low 1, high 4 and an original context of 8192 (0: none).
    float llama3_rope_factor = 0.0f;
    // phi3 LongRoPE: the original context (written when nonzero); with
    // longrope, rope_factors_long/short tensors (synthetic values) and the
    // attention factor the converter derives from the two contexts.
    uint32_t rope_orig_ctx = 0;
    bool longrope = false;
    // granite's multipliers (written when nonzero; logit_scale is required).
    float embedding_scale = 0.0f;
    float residual_scale = 0.0f;
    float attention_scale = 0.0f;
    float logit_scale = 0.0f;
    // Standard deviation of the random weights.
    float weight_std = 0.02f;
    SynthVocab vocab = SynthVocab::kByteLevelBpe;
    // Byte-level BPE only: tokenizer.ggml.pre; whether <|endoftext|>
    // <|im_start|> <|im_end|> come first (ids 0..2, SmolLM) or after the merged
    // tokens (Qwen); and how many unused [PADn] tokens fill the vocabulary's end.
    std::string_view pre = "gpt-2";
    bool specials_first = false;
    uint32_t n_unused = 0;
};

// smollm-135m, qwen2.5-0.5b, tinyllama-1.1b, qwen3-0.6b, gemma3-1b, phi4-mini,
// smollm3-3b, granite-3.3-2b and llama3.2-1b, as their published configs say.
std::span<const SynthShape> published_shapes();
// Null when no published shape has that name.
const SynthShape* find_shape(std::string_view name);

struct SynthTensor {
    std::string name;
    std::vector<uint64_t> dims; // innermost first, as GGUF lists them
    TensorType type;
    uint64_t bytes;
};

// The tensors a synthesized model has, in file order, with the type each gets:
// 1-D tensors are f32; 2-D weights are `type` unless their rows do not divide
// into its blocks (576 and 896 columns for the 256-value K blocks), where q4_K
// falls back to q4_0 and the other K types to q8_0 (f16 when not even 32 divides).
std::vector<SynthTensor> synth_tensors(const SynthShape& shape, TensorType type);

// Receives the file in order, in pieces of at most a few MiB.
class ByteSink {
  public:
    virtual ~ByteSink() = default;
    virtual core::Status write(std::string_view bytes) = 0;
};

// Checks the shape (dimensions that divide, a vocabulary big enough to hold
// its special and byte tokens) and the type (one the engine runs).
core::Status validate_synth(const SynthShape& shape, TensorType type);

// Streams the whole GGUF file into `sink`.
core::Status write_synth_model(const SynthShape& shape, TensorType type, uint64_t seed,
                               ByteSink& sink);
// The same, in memory.
core::Result<std::string> synth_model(const SynthShape& shape, TensorType type, uint64_t seed);
// A GGUF with the metadata (configuration and vocabulary) and no tensors: for
// checking a shape without generating its weights.
core::Result<std::string> synth_metadata(const SynthShape& shape, TensorType type);

} // namespace edgeai::engine::convert
