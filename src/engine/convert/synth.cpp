#include "engine/convert/synth.h"

#include "core/hex.h"
#include "engine/convert/quantize_model.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"
#include "engine/tokenizer/byte_level.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_set>

namespace edgeai::engine::convert {
namespace {

// Published configurations (Hugging Face config.json of HuggingFaceTB/SmolLM-135M,
// Qwen/Qwen2.5-0.5B, TinyLlama/TinyLlama-1.1B-Chat-v1.0, Qwen/Qwen3-0.6B,
// google/gemma-3-1b-it, microsoft/Phi-4-mini-instruct, HuggingFaceTB/SmolLM3-3B,
// ibm-granite/granite-3.3-2b-instruct and meta-llama/Llama-3.2-1B). The
// vocabularies are synthetic ones of the real size and kind.
const SynthShape kPublished[] = {
    {.name = "smollm-135m",
     .arch = "llama",
     .n_layer = 30,
     .n_embd = 576,
     .n_head = 9,
     .n_head_kv = 3,
     .n_ff = 1536,
     .n_vocab = 49152,
     .n_ctx = 2048,
     .rope_base = 10000.0f,
     .rms_eps = 1e-5f,
     .tied_output = true,
     .qkv_bias = false,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "smollm",
     .specials_first = true,
     .n_unused = 0},
    {.name = "qwen2.5-0.5b",
     .arch = "qwen2",
     .n_layer = 24,
     .n_embd = 896,
     .n_head = 14,
     .n_head_kv = 2,
     .n_ff = 4864,
     .n_vocab = 151936,
     .n_ctx = 32768,
     .rope_base = 1000000.0f,
     .rms_eps = 1e-6f,
     .tied_output = true,
     .qkv_bias = true,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "qwen2",
     .specials_first = false,
     // 151643 byte-level tokens as Qwen's; its embedding is padded to 151936.
     .n_unused = 151936 - 151643 - 3},
    {.name = "tinyllama-1.1b",
     .arch = "llama",
     .n_layer = 22,
     .n_embd = 2048,
     .n_head = 32,
     .n_head_kv = 4,
     .n_ff = 5632,
     .n_vocab = 32000,
     .n_ctx = 2048,
     .rope_base = 10000.0f,
     .rms_eps = 1e-5f,
     .tied_output = false,
     .qkv_bias = false,
     .vocab = SynthVocab::kSentencePiece},
    {.name = "qwen3-0.6b",
     .arch = "qwen3",
     .n_layer = 28,
     .n_embd = 1024,
     .n_head = 16,
     .n_head_kv = 8,
     .n_ff = 3072,
     .n_vocab = 151936,
     .n_ctx = 40960,
     .rope_base = 1000000.0f,
     .rms_eps = 1e-6f,
     .tied_output = true,
     .head_dim = 128,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "qwen2",
     .specials_first = false,
     .n_unused = 151936 - 151643 - 3},
    {.name = "gemma3-1b",
     .arch = "gemma3",
     .n_layer = 26,
     .n_embd = 1152,
     .n_head = 4,
     .n_head_kv = 1,
     .n_ff = 6912,
     .n_vocab = 262144,
     .n_ctx = 32768,
     .rope_base = 1000000.0f,
     .rms_eps = 1e-6f,
     .tied_output = true,
     .head_dim = 256,
     .sliding_window = 512,
     .rope_base_swa = 10000.0f,
     .vocab = SynthVocab::kSentencePiece},
    {.name = "phi4-mini",
     .arch = "phi3",
     .n_layer = 32,
     .n_embd = 3072,
     .n_head = 24,
     .n_head_kv = 8,
     .n_ff = 8192,
     .n_vocab = 200064,
     .n_ctx = 131072,
     .rope_base = 10000.0f,
     .rms_eps = 1e-5f,
     .tied_output = true,
     .rope_dim = 96, // partial_rotary_factor 0.75
     .rope_orig_ctx = 4096,
     .longrope = true,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "gpt-2",
     .specials_first = false,
     .n_unused = 200064 - 199997 - 3},
    {.name = "smollm3-3b",
     .arch = "smollm3",
     .n_layer = 36,
     .n_embd = 2048,
     .n_head = 16,
     .n_head_kv = 4,
     .n_ff = 11008,
     .n_vocab = 128256,
     .n_ctx = 65536,
     .rope_base = 5000000.0f,
     .rms_eps = 1e-6f,
     .tied_output = true,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "llama-bpe",
     .specials_first = false,
     .n_unused = 128256 - 128000 - 3},
    {.name = "granite-3.3-2b",
     .arch = "granite",
     .n_layer = 40,
     .n_embd = 2048,
     .n_head = 32,
     .n_head_kv = 8,
     .n_ff = 8192,
     .n_vocab = 49159,
     .n_ctx = 131072,
     .rope_base = 10000000.0f,
     .rms_eps = 1e-5f,
     .tied_output = true,
     .embedding_scale = 12.0f,
     .residual_scale = 0.22f,
     .attention_scale = 0.015625f,
     .logit_scale = 8.0f,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "refact",
     .specials_first = true,
     .n_unused = 0},
    {.name = "llama3.2-1b",
     .arch = "llama",
     .n_layer = 16,
     .n_embd = 2048,
     .n_head = 32,
     .n_head_kv = 8,
     .n_ff = 8192,
     .n_vocab = 128256,
     .n_ctx = 131072,
     .rope_base = 500000.0f,
     .rms_eps = 1e-5f,
     .tied_output = true,
     .llama3_rope_factor = 32.0f,
     .vocab = SynthVocab::kByteLevelBpe,
     .pre = "llama-bpe",
     .specials_first = false,
     .n_unused = 128256 - 128000 - 3},
};

constexpr std::string_view kArchitectures[] = {"llama", "qwen2",   "qwen3",  "gemma3",
                                               "phi3",  "smollm3", "granite"};

constexpr TensorType kWeightTypes[] = {TensorType::kF32,    TensorType::kF16,  TensorType::kBF16,
                                       TensorType::kQ8_0,   TensorType::kQ5_1, TensorType::kQ5_0,
                                       TensorType::kQ4_1,   TensorType::kQ4_0, TensorType::kIQ4_NL,
                                       TensorType::kQ6_K,   TensorType::kQ5_K, TensorType::kQ4_K,
                                       TensorType::kIQ4_XS, TensorType::kQ3_K, TensorType::kQ2_K};

constexpr std::string_view kBpeSpecials[] = {"<|endoftext|>", "<|im_start|>", "<|im_end|>"};
constexpr uint32_t kNumBpeSpecials = 3;
constexpr uint32_t kSpmFixed = 3 + 256; // <unk> <s> </s> and the byte tokens
// Characters vocabulary tokens grow by, one per merge: mostly letters and space.
constexpr std::string_view kAlphabet =
    "etaoinshrdlucmfwypvbgkjqxz etaoinshrdlu ETAOINSHRDLUCMFWYPVBGKJQXZ"
    "0123456789.,;:'\"!?-()\n";
constexpr float kNormStd = 0.1f; // of kNearOne norms
constexpr size_t kChunkBytes = size_t{4} << 20;

uint64_t mix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ull;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
    return x ^ (x >> 31);
}

// SplitMix64 as a sequence: fixed seed, fixed numbers, on every platform.
class Rng {
  public:
    explicit Rng(uint64_t seed) : state_(seed) {}
    uint64_t next() { return mix64(state_++ * 0x9E3779B97F4A7C15ull); }
    uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }

  private:
    uint64_t state_;
};

// Value i of a tensor's stream: the sum of four 16-bit uniforms, centred and
// scaled to standard deviation `std` (Irwin-Hall; integer arithmetic, so every
// platform draws the same floats, and any row can be drawn on its own).
float normal_at(uint64_t key, uint64_t i, float std) {
    const uint64_t h = mix64(key ^ (i * 0xD1B54A32D192ED03ull));
    const auto sum = static_cast<int32_t>((h & 0xFFFF) + ((h >> 16) & 0xFFFF) +
                                          ((h >> 32) & 0xFFFF) + (h >> 48));
    // Four uniforms on [0, 65535] have mean 131070 and deviation 65535 / sqrt(3).
    constexpr float kUnit = 1.7320508f / 65535.0f;
    return static_cast<float>(sum - 131070) * (kUnit * std);
}

TensorType weight_type_for(TensorType wanted, uint64_t cols) {
    const TensorTypeInfo* info = find_tensor_type(static_cast<uint32_t>(wanted));
    if (cols % info->block_values == 0) return wanted;
    if (cols % 32 != 0) return TensorType::kF16;
    return fallback_type(wanted); // llama.cpp's: q4_K to q5_0, q5_K to q5_1, ...
}

// kNearOne: norms other than llama's, drawn around 1 so that tests of the
// architectures that have them see them do something. kValues: `values`.
enum class Fill : uint8_t { kOnes, kRandom, kNearOne, kValues };

struct Plan {
    SynthTensor tensor;
    Fill fill;
    std::vector<float> values = {};
};

uint32_t head_dim_of(const SynthShape& s) {
    return s.head_dim != 0 ? s.head_dim : s.n_embd / s.n_head;
}

uint32_t rope_dim_of(const SynthShape& s) {
    return s.rope_dim != 0 ? s.rope_dim : head_dim_of(s);
}

// llama 3's per-pair RoPE divisors, as llama.cpp's converter computes them
// from rope_scaling (factor, low_freq_factor 1, high_freq_factor 4,
// original_max_position_embeddings 8192).
std::vector<float> llama3_rope_factors(const SynthShape& s) {
    constexpr double kPi = 3.14159265358979323846;
    constexpr double kLow = 1.0, kHigh = 4.0, kOrigCtx = 8192.0;
    const uint32_t dim = rope_dim_of(s);
    std::vector<float> out;
    for (uint32_t i = 0; i < dim; i += 2) {
        const double freq = 1.0 / std::pow(double{s.rope_base}, double(i) / dim);
        const double wavelen = 2.0 * kPi / freq;
        if (wavelen < kOrigCtx / kHigh) {
            out.push_back(1.0f);
        } else if (wavelen > kOrigCtx / kLow) {
            out.push_back(s.llama3_rope_factor);
        } else {
            const double smooth = (kOrigCtx / wavelen - kLow) / (kHigh - kLow);
            out.push_back(
                static_cast<float>(1.0 / ((1.0 - smooth) / s.llama3_rope_factor + smooth)));
        }
    }
    return out;
}

// Synthetic LongRoPE factors with the published ones' form: short ones near
// 1, long ones growing from 1 to about the context ratio over the pairs.
std::vector<float> longrope_factors(const SynthShape& s, bool long_factors) {
    const uint32_t pairs = rope_dim_of(s) / 2;
    const double ratio = double(s.n_ctx) / s.rope_orig_ctx;
    std::vector<float> out(pairs);
    for (uint32_t i = 0; i < pairs; ++i) {
        const double t = pairs > 1 ? double(i) / (pairs - 1) : 0.0;
        out[i] = static_cast<float>(long_factors ? 1.0 + (ratio - 1.0) * t * t : 1.0 + 0.1 * t);
    }
    return out;
}

// The attention factor llama.cpp's phi3 converter writes for LongRoPE.
float longrope_attn_factor(const SynthShape& s) {
    const double scale = double(s.n_ctx) / s.rope_orig_ctx;
    if (scale <= 1.0) return 1.0f;
    return static_cast<float>(std::sqrt(1.0 + std::log(scale) / std::log(double(s.rope_orig_ctx))));
}

std::vector<Plan> plan_tensors(const SynthShape& s, TensorType type) {
    const uint64_t head = head_dim_of(s);
    const uint64_t q = head * s.n_head, kv = head * s.n_head_kv, d = s.n_embd, ff = s.n_ff;
    const bool phi3 = s.arch == "phi3", gemma3 = s.arch == "gemma3";
    const bool qk_norm = gemma3 || s.arch == "qwen3";
    std::vector<Plan> out;
    auto vector = [&](std::string name, uint64_t n, Fill fill) {
        out.push_back({{std::move(name), {n}, TensorType::kF32, n * 4}, fill});
    };
    auto values = [&](std::string name, std::vector<float> v) {
        const uint64_t n = v.size();
        out.push_back(
            {{std::move(name), {n}, TensorType::kF32, n * 4}, Fill::kValues, std::move(v)});
    };
    auto matrix = [&](std::string name, uint64_t cols, uint64_t rows) {
        const TensorType t = weight_type_for(type, cols);
        out.push_back({{std::move(name),
                        {cols, rows},
                        t,
                        kernels::row_bytes(t, static_cast<size_t>(cols)) * rows},
                       Fill::kRandom});
    };
    matrix("token_embd.weight", d, s.n_vocab);
    if (s.llama3_rope_factor != 0.0f) values("rope_freqs.weight", llama3_rope_factors(s));
    if (s.longrope) {
        values("rope_factors_long.weight", longrope_factors(s, true));
        values("rope_factors_short.weight", longrope_factors(s, false));
    }
    for (uint32_t l = 0; l < s.n_layer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        vector(b + "attn_norm.weight", d, Fill::kOnes);
        if (phi3) {
            matrix(b + "attn_qkv.weight", d, q + 2 * kv);
        } else {
            matrix(b + "attn_q.weight", d, q);
            matrix(b + "attn_k.weight", d, kv);
            matrix(b + "attn_v.weight", d, kv);
        }
        if (s.qkv_bias) {
            vector(b + "attn_q.bias", q, Fill::kRandom);
            vector(b + "attn_k.bias", kv, Fill::kRandom);
            vector(b + "attn_v.bias", kv, Fill::kRandom);
        }
        if (qk_norm) {
            vector(b + "attn_q_norm.weight", head, Fill::kNearOne);
            vector(b + "attn_k_norm.weight", head, Fill::kNearOne);
        }
        matrix(b + "attn_output.weight", q, d);
        if (gemma3) vector(b + "post_attention_norm.weight", d, Fill::kNearOne);
        vector(b + "ffn_norm.weight", d, Fill::kOnes);
        if (phi3) {
            matrix(b + "ffn_up.weight", d, 2 * ff); // gate rows, then up rows
        } else {
            matrix(b + "ffn_gate.weight", d, ff);
            matrix(b + "ffn_up.weight", d, ff);
        }
        matrix(b + "ffn_down.weight", ff, d);
        if (gemma3) vector(b + "post_ffw_norm.weight", d, Fill::kNearOne);
    }
    vector("output_norm.weight", d, Fill::kOnes);
    if (!s.tied_output) matrix("output.weight", d, s.n_vocab);
    return out;
}

struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<int32_t> types;
    std::vector<float> scores;       // SentencePiece only
    std::vector<std::string> merges; // byte-level BPE only
    uint32_t bos = 0, eos = 0;
};

constexpr int32_t kNormal = 1, kUnknown = 2, kControl = 3, kUnused = 5, kByte = 6;

// Grows `v` to `target` tokens, each new one a token of `pool` (which starts
// as the alphabet's characters and takes in every new token) plus one character
// of the alphabet (`piece_of` maps a character to its token). Lengths stay
// short: a new token is one character longer than an earlier one.
// Returns the (left, right) token pair of each addition.
template <typename PieceOf>
core::Status grow(Vocabulary& v, std::unordered_set<std::string>& seen, std::vector<uint32_t> pool,
                  size_t target, PieceOf piece_of,
                  std::vector<std::pair<uint32_t, uint32_t>>& pairs) {
    Rng rng(0x5eed0f0cab);
    size_t misses = 0;
    while (v.tokens.size() < target) {
        // Earlier (shorter) tokens are extended more often, as in a real
        // vocabulary, so common text does split into multi-character tokens.
        const double u = static_cast<double>(rng.next() >> 11) * 0x1p-53;
        const double pick = u * u * u * u * static_cast<double>(pool.size());
        const uint32_t left = pool[static_cast<size_t>(pick)];
        const uint32_t right =
            piece_of(kAlphabet[rng.below(static_cast<uint32_t>(kAlphabet.size()))]);
        std::string text = v.tokens[left] + v.tokens[right];
        if (!seen.insert(text).second) {
            if (++misses > target * 64)
                return core::internal_error("synth: cannot find enough distinct tokens");
            continue;
        }
        pool.push_back(static_cast<uint32_t>(v.tokens.size()));
        v.tokens.push_back(std::move(text));
        v.types.push_back(kNormal);
        pairs.emplace_back(left, right);
    }
    return core::Status();
}

// The distinct tokens of the alphabet's characters.
template <typename PieceOf> std::vector<uint32_t> alphabet_pool(PieceOf piece_of) {
    std::vector<uint32_t> pool;
    for (char c : kAlphabet) {
        const uint32_t id = piece_of(c);
        if (std::find(pool.begin(), pool.end(), id) == pool.end()) pool.push_back(id);
    }
    return pool;
}

core::Result<Vocabulary> byte_level_vocab(const SynthShape& s) {
    Vocabulary v;
    std::unordered_set<std::string> seen;
    for (std::string_view sp : kBpeSpecials)
        seen.insert(std::string(sp));
    auto add_specials = [&] {
        v.bos = v.eos = static_cast<uint32_t>(v.tokens.size());
        for (std::string_view sp : kBpeSpecials) {
            v.tokens.emplace_back(sp);
            v.types.push_back(kControl);
        }
    };
    if (s.specials_first) add_specials();
    const size_t first = v.tokens.size();
    for (int b = 0; b < 256; ++b) {
        std::string text;
        tokenizer::append_utf8(tokenizer::byte_to_code_point(static_cast<uint8_t>(b)), text);
        seen.insert(text);
        v.tokens.push_back(std::move(text));
        v.types.push_back(kNormal);
    }
    const size_t regular_end = s.n_vocab - s.n_unused - (s.specials_first ? 0 : kNumBpeSpecials);
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    auto piece_of = [&](char c) {
        return static_cast<uint32_t>(first + static_cast<unsigned char>(c));
    };
    EDGEAI_TRY(grow(v, seen, alphabet_pool(piece_of), regular_end, piece_of, pairs));
    v.merges.reserve(pairs.size());
    for (auto [left, right] : pairs)
        v.merges.push_back(v.tokens[left] + " " + v.tokens[right]);
    if (!s.specials_first) add_specials();
    while (v.tokens.size() < s.n_vocab) {
        std::string text = "[PAD" + std::to_string(v.tokens.size()) + "]";
        if (!seen.insert(text).second) return core::internal_error("synth: " + text + " twice");
        v.tokens.push_back(std::move(text));
        v.types.push_back(kUnused);
    }
    return v;
}

core::Result<Vocabulary> sentencepiece_vocab(const SynthShape& s) {
    Vocabulary v;
    v.tokens = {"<unk>", "<s>", "</s>"};
    v.types = {kUnknown, kControl, kControl};
    v.bos = 1;
    v.eos = 2;
    for (int b = 0; b < 256; ++b) {
        char piece[6] = {'<', '0', 'x', 0, 0, '>'};
        core::write_hex_byte_upper(static_cast<uint8_t>(b), piece + 3);
        v.tokens.emplace_back(piece, sizeof piece);
        v.types.push_back(kByte);
    }
    std::unordered_set<std::string> seen(v.tokens.begin(), v.tokens.end());
    // Single-character pieces first; SentencePiece spells a space U+2581.
    std::array<uint32_t, 256> piece_id{};
    const size_t first = v.tokens.size();
    for (char c : kAlphabet) {
        std::string text = c == ' ' ? std::string("\xe2\x96\x81") : std::string(1, c);
        if (!seen.insert(text).second) continue; // letters repeat in the alphabet
        piece_id[static_cast<unsigned char>(c)] = static_cast<uint32_t>(v.tokens.size());
        v.tokens.push_back(std::move(text));
        v.types.push_back(kNormal);
    }
    std::vector<std::pair<uint32_t, uint32_t>> pairs;
    auto piece_of = [&](char c) { return piece_id[static_cast<unsigned char>(c)]; };
    EDGEAI_TRY(grow(v, seen, alphabet_pool(piece_of), s.n_vocab, piece_of, pairs));
    // Higher scores merge first: older (shorter) pieces rank higher.
    v.scores.assign(v.tokens.size(), 0.0f);
    for (size_t i = first; i < v.tokens.size(); ++i)
        v.scores[i] = -static_cast<float>(i - first);
    return v;
}

core::Result<gguf::GgufWriter> metadata(const SynthShape& s, TensorType type) {
    EDGEAI_TRY(validate_synth(s, type));
    const std::string a = std::string(s.arch) + ".";
    gguf::GgufWriter w;
    w.add_string("general.architecture", s.arch)
        .add_string("general.name", std::string(s.name) + " (synthetic)")
        .add_string("general.description",
                    "random weights in the published shape, made by edgeai model synth")
        .add_u32("general.file_type", llama_file_type(type, true))
        .add_u32(a + "context_length", s.n_ctx)
        .add_u32(a + "embedding_length", s.n_embd)
        .add_u32(a + "block_count", s.n_layer)
        .add_u32(a + "feed_forward_length", s.n_ff)
        .add_u32(a + "attention.head_count", s.n_head)
        .add_u32(a + "attention.head_count_kv", s.n_head_kv)
        .add_u32(a + "rope.dimension_count", rope_dim_of(s))
        .add_f32(a + "rope.freq_base", s.rope_base)
        .add_f32(a + "attention.layer_norm_rms_epsilon", s.rms_eps)
        .add_u32(a + "vocab_size", s.n_vocab);
    if (s.head_dim != 0)
        w.add_u32(a + "attention.key_length", s.head_dim)
            .add_u32(a + "attention.value_length", s.head_dim);
    if (s.sliding_window != 0) w.add_u32(a + "attention.sliding_window", s.sliding_window);
    if (s.rope_base_swa != 0.0f) w.add_f32(a + "rope.freq_base_swa", s.rope_base_swa);
    if (s.final_softcap != 0.0f) w.add_f32(a + "final_logit_softcapping", s.final_softcap);
    if (s.attn_softcap != 0.0f) w.add_f32(a + "attn_logit_softcapping", s.attn_softcap);
    if (s.rope_orig_ctx != 0)
        w.add_u32(a + "rope.scaling.original_context_length", s.rope_orig_ctx);
    if (s.longrope) w.add_f32(a + "rope.scaling.attn_factor", longrope_attn_factor(s));
    if (s.arch == "granite") {
        w.add_f32(a + "logit_scale", s.logit_scale);
        if (s.embedding_scale != 0.0f) w.add_f32(a + "embedding_scale", s.embedding_scale);
        if (s.residual_scale != 0.0f) w.add_f32(a + "residual_scale", s.residual_scale);
        if (s.attention_scale != 0.0f) w.add_f32(a + "attention.scale", s.attention_scale);
    }
    if (s.vocab == SynthVocab::kByteLevelBpe) {
        EDGEAI_ASSIGN_OR_RETURN(Vocabulary v, byte_level_vocab(s));
        w.add_string("tokenizer.ggml.model", "gpt2")
            .add_string("tokenizer.ggml.pre", s.pre)
            .add_string_array("tokenizer.ggml.tokens", v.tokens)
            .add_i32_array("tokenizer.ggml.token_type", v.types)
            .add_string_array("tokenizer.ggml.merges", v.merges)
            .add_u32("tokenizer.ggml.bos_token_id", v.bos)
            .add_u32("tokenizer.ggml.eos_token_id", v.eos)
            .add_u32("tokenizer.ggml.padding_token_id", v.eos)
            .add_bool("tokenizer.ggml.add_bos_token", false);
    } else {
        EDGEAI_ASSIGN_OR_RETURN(Vocabulary v, sentencepiece_vocab(s));
        w.add_string("tokenizer.ggml.model", "llama")
            .add_string("tokenizer.ggml.pre", "default")
            .add_string_array("tokenizer.ggml.tokens", v.tokens)
            .add_f32_array("tokenizer.ggml.scores", v.scores)
            .add_i32_array("tokenizer.ggml.token_type", v.types)
            .add_u32("tokenizer.ggml.unknown_token_id", 0)
            .add_u32("tokenizer.ggml.bos_token_id", v.bos)
            .add_u32("tokenizer.ggml.eos_token_id", v.eos)
            .add_bool("tokenizer.ggml.add_bos_token", true)
            .add_bool("tokenizer.ggml.add_eos_token", false)
            .add_bool("tokenizer.ggml.add_space_prefix", true);
    }
    return w;
}

class StringSink final : public ByteSink {
  public:
    explicit StringSink(std::string& out) : out_(out) {}
    core::Status write(std::string_view bytes) override {
        out_.append(bytes);
        return core::Status();
    }

  private:
    std::string& out_;
};

} // namespace

std::span<const SynthShape> published_shapes() {
    return kPublished;
}

const SynthShape* find_shape(std::string_view name) {
    for (const SynthShape& s : kPublished)
        if (s.name == name) return &s;
    return nullptr;
}

std::vector<SynthTensor> synth_tensors(const SynthShape& shape, TensorType type) {
    std::vector<SynthTensor> out;
    for (Plan& p : plan_tensors(shape, type))
        out.push_back(std::move(p.tensor));
    return out;
}

core::Status validate_synth(const SynthShape& s, TensorType type) {
    if (std::find(std::begin(kWeightTypes), std::end(kWeightTypes), type) == std::end(kWeightTypes))
        return core::invalid_argument("synth: weights cannot be written in this type");
    if (std::find(std::begin(kArchitectures), std::end(kArchitectures), s.arch) ==
        std::end(kArchitectures))
        return core::invalid_argument("synth: architecture '" + std::string(s.arch) +
                                      "' is not one the engine runs");
    constexpr uint32_t kMax = 1u << 20;
    const uint32_t dims[] = {s.n_layer, s.n_embd, s.n_head, s.n_head_kv, s.n_ff, s.n_ctx};
    for (uint32_t d : dims)
        if (d == 0 || d > kMax) return core::invalid_argument("synth: a dimension is out of range");
    if (s.n_vocab > (1u << 24)) return core::invalid_argument("synth: vocabulary too large");
    if ((s.head_dim == 0 && s.n_embd % s.n_head != 0) || head_dim_of(s) % 2 != 0 ||
        head_dim_of(s) > kMax || s.n_head % s.n_head_kv != 0)
        return core::invalid_argument(
            "synth: embedding, head and KV head counts do not divide into even heads");
    if (rope_dim_of(s) > head_dim_of(s) || rope_dim_of(s) % 2 != 0)
        return core::invalid_argument("synth: the rotated dimensions must be even and fit a head");
    if (s.sliding_window > s.n_ctx)
        return core::invalid_argument("synth: the sliding window is larger than the context");
    if (s.longrope && (s.rope_orig_ctx == 0 || s.arch != "phi3"))
        return core::invalid_argument("synth: LongRoPE factors need phi3 and an original context");
    if (s.arch == "granite" && !(s.logit_scale > 0.0f))
        return core::invalid_argument("synth: granite models have a logit scale");
    if (!(s.weight_std > 0.0f && s.weight_std < 1.0f))
        return core::invalid_argument("synth: the weights' deviation is out of range");
    const uint64_t fixed = s.vocab == SynthVocab::kByteLevelBpe
                               ? uint64_t{kNumBpeSpecials} + 256 + s.n_unused
                               : uint64_t{kSpmFixed} + kAlphabet.size();
    if (s.n_vocab < fixed)
        return core::invalid_argument("synth: a vocabulary of " + std::to_string(s.n_vocab) +
                                      " cannot hold the " + std::to_string(fixed) +
                                      " special, byte and unused tokens");
    if (s.arch == "qwen2" && !s.qkv_bias)
        return core::invalid_argument("synth: qwen2 models have QKV biases");
    return core::Status();
}

core::Status write_synth_model(const SynthShape& shape, TensorType type, uint64_t seed,
                               ByteSink& sink) {
    EDGEAI_ASSIGN_OR_RETURN(gguf::GgufWriter w, metadata(shape, type));
    const std::vector<Plan> plan = plan_tensors(shape, type);
    for (const Plan& p : plan)
        w.add_tensor_info(p.tensor.name, p.tensor.dims, p.tensor.type, p.tensor.bytes);
    std::string chunk = w.header(); // a multiple of the alignment long
    uint64_t total = 0;             // bytes handed to the sink
    std::vector<float> row;
    for (size_t ti = 0; ti < plan.size(); ++ti) {
        const SynthTensor& t = plan[ti].tensor;
        const Fill fill = plan[ti].fill;
        const auto cols = static_cast<size_t>(t.dims[0]);
        const uint64_t rows = t.dims.size() > 1 ? t.dims[1] : 1;
        const size_t row_bytes = kernels::row_bytes(t.type, cols);
        const uint64_t key = mix64(seed ^ mix64(ti));
        row.resize(cols);
        for (uint64_t r = 0; r < rows; ++r) {
            for (size_t c = 0; c < cols; ++c) {
                switch (fill) {
                case Fill::kOnes:
                    row[c] = 1.0f;
                    break;
                case Fill::kRandom:
                    row[c] = normal_at(key, r * cols + c, shape.weight_std);
                    break;
                case Fill::kNearOne:
                    row[c] = 1.0f + normal_at(key, c, kNormStd);
                    break;
                case Fill::kValues:
                    row[c] = plan[ti].values[c];
                    break;
                }
            }
            const size_t at = chunk.size();
            chunk.resize(at + row_bytes);
            if (!kernels::quantize_row(t.type, row.data(), chunk.data() + at, cols))
                return core::internal_error("synth: no quantizer for " + t.name);
            if (chunk.size() >= kChunkBytes) {
                EDGEAI_TRY(sink.write(chunk));
                total += chunk.size();
                chunk.clear();
            }
        }
        const uint64_t end = total + chunk.size();
        const uint64_t pad =
            (gguf::kDefaultAlignment - end % gguf::kDefaultAlignment) % gguf::kDefaultAlignment;
        chunk.append(static_cast<size_t>(pad), '\0');
    }
    return sink.write(chunk);
}

core::Result<std::string> synth_model(const SynthShape& shape, TensorType type, uint64_t seed) {
    std::string out;
    StringSink sink(out);
    EDGEAI_TRY(write_synth_model(shape, type, seed, sink));
    return out;
}

core::Result<std::string> synth_metadata(const SynthShape& shape, TensorType type) {
    EDGEAI_ASSIGN_OR_RETURN(gguf::GgufWriter w, metadata(shape, type));
    return w.finish();
}

} // namespace edgeai::engine::convert
