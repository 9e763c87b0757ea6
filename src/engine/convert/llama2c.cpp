#include "engine/convert/llama2c.h"

#include "engine/gguf/gguf_writer.h"

#include <cstring>
#include <vector>

namespace edgeai::engine::convert {
namespace {

constexpr size_t kHeaderBytes = 7 * sizeof(int32_t);
constexpr uint32_t kMaxDimension = 1u << 16;

int32_t read_i32(std::span<const uint8_t> bytes, size_t at) {
    int32_t v;
    std::memcpy(&v, bytes.data() + at, sizeof v);
    return v;
}

// Counts of floats in the checkpoint, in file order (run.c's memory_map_weights).
struct Layout {
    uint64_t embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis,
        classifier;
    uint64_t total() const {
        return embedding + rms_att + wq + wk + wv + wo + rms_ffn + w1 + w2 + w3 + rms_final +
               freq_cis + classifier;
    }
};

Layout layout_of(const Llama2cShape& s) {
    const uint64_t head = s.dim / s.n_heads;
    const uint64_t kv = uint64_t{s.n_kv_heads} * head;
    const uint64_t L = s.n_layers, d = s.dim, h = s.hidden_dim, v = s.vocab_size;
    return Layout{v * d,
                  L * d,
                  L * d * d,
                  L * d * kv,
                  L * d * kv,
                  L * d * d,
                  L * d,
                  L * d * h,
                  L * h * d,
                  L * d * h,
                  d,
                  uint64_t{s.seq_len} * head, // real and imaginary halves of freq_cis
                  s.shared_classifier ? 0 : v * d};
}

// A tensor of `rows` rows of `cols` floats taken from the checkpoint at `offset`.
std::string_view floats_at(std::span<const uint8_t> bytes, uint64_t offset_floats, uint64_t count) {
    return {reinterpret_cast<const char*>(bytes.data()) + kHeaderBytes + offset_floats * 4,
            static_cast<size_t>(count * 4)};
}

struct Vocabulary {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
};

// tokenizer.bin: int32 max_token_length, then per token a float score, an int32
// length and the bytes. llama2.c's exporter replaced SentencePiece's "▁" with a
// space and wrapped BOS/EOS in newlines; both are undone here.
core::Result<Vocabulary> read_tokenizer(std::span<const uint8_t> bytes, uint32_t vocab_size) {
    if (bytes.size() < 4)
        return core::invalid_argument("tokenizer file is shorter than its header");
    size_t at = 4;
    Vocabulary v;
    v.tokens.reserve(vocab_size);
    for (uint32_t i = 0; i < vocab_size; ++i) {
        if (bytes.size() - at < 8)
            return core::invalid_argument("tokenizer file ends at token " + std::to_string(i) +
                                          " of the model's " + std::to_string(vocab_size));
        float score;
        std::memcpy(&score, bytes.data() + at, 4);
        const int32_t len = read_i32(bytes, at + 4);
        at += 8;
        if (len < 0 || static_cast<size_t>(len) > bytes.size() - at || len > 1024)
            return core::invalid_argument("tokenizer token " + std::to_string(i) +
                                          " has an invalid length " + std::to_string(len));
        std::string piece(reinterpret_cast<const char*>(bytes.data() + at),
                          static_cast<size_t>(len));
        at += static_cast<size_t>(len);
        int32_t type = 1; // normal
        if (i == 0) {
            type = 2; // unknown
            piece = "<unk>";
        } else if (i == 1 || i == 2) {
            type = 3; // control
            piece = i == 1 ? "<s>" : "</s>";
        } else if (piece.size() == 6 && piece.compare(0, 3, "<0x") == 0 && piece[5] == '>') {
            type = 6; // byte
        } else {
            std::string spm;
            for (char c : piece) {
                if (c == ' ')
                    spm += "\xe2\x96\x81"; // U+2581, SentencePiece's space
                else
                    spm += c;
            }
            piece = std::move(spm);
        }
        v.tokens.push_back(std::move(piece));
        v.scores.push_back(score);
        v.types.push_back(type);
    }
    if (at != bytes.size())
        return core::invalid_argument("tokenizer file has " + std::to_string(bytes.size() - at) +
                                      " bytes after its " + std::to_string(vocab_size) +
                                      " tokens (does it belong to this model?)");
    return v;
}

} // namespace

core::Result<Llama2cShape> read_llama2c_shape(std::span<const uint8_t> checkpoint) {
    if (checkpoint.size() < kHeaderBytes)
        return core::invalid_argument("checkpoint is shorter than llama2.c's 28-byte header");
    int32_t h[7];
    for (size_t i = 0; i < 7; ++i)
        h[i] = read_i32(checkpoint, i * 4);
    Llama2cShape s;
    s.shared_classifier = h[5] > 0;
    const int32_t vocab = h[5] < 0 ? -h[5] : h[5];
    const char* names[] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                           "n_kv_heads", "vocab_size", "seq_len"};
    const int32_t values[] = {h[0], h[1], h[2], h[3], h[4], vocab, h[6]};
    for (size_t i = 0; i < 7; ++i)
        if (values[i] <= 0 || static_cast<uint32_t>(values[i]) > kMaxDimension * 16 ||
            (i != 5 && static_cast<uint32_t>(values[i]) > kMaxDimension))
            return core::invalid_argument(std::string("checkpoint header ") + names[i] + " = " +
                                          std::to_string(values[i]) + " is out of range");
    s.dim = static_cast<uint32_t>(h[0]);
    s.hidden_dim = static_cast<uint32_t>(h[1]);
    s.n_layers = static_cast<uint32_t>(h[2]);
    s.n_heads = static_cast<uint32_t>(h[3]);
    s.n_kv_heads = static_cast<uint32_t>(h[4]);
    s.vocab_size = static_cast<uint32_t>(vocab);
    s.seq_len = static_cast<uint32_t>(h[6]);
    if (s.dim % s.n_heads != 0 || s.n_heads % s.n_kv_heads != 0 || (s.dim / s.n_heads) % 2 != 0)
        return core::invalid_argument("checkpoint header: dim " + std::to_string(s.dim) +
                                      ", n_heads " + std::to_string(s.n_heads) + ", n_kv_heads " +
                                      std::to_string(s.n_kv_heads) +
                                      " do not divide into even-sized heads");
    const uint64_t want = kHeaderBytes + layout_of(s).total() * 4;
    if (checkpoint.size() != want)
        return core::invalid_argument("checkpoint is " + std::to_string(checkpoint.size()) +
                                      " bytes; its header describes " + std::to_string(want) +
                                      " (not a llama2.c legacy checkpoint, or cut short)");
    return s;
}

core::Result<std::string> convert_llama2c(std::span<const uint8_t> checkpoint,
                                          std::span<const uint8_t> tokenizer,
                                          std::string_view name) {
    EDGEAI_ASSIGN_OR_RETURN(Llama2cShape s, read_llama2c_shape(checkpoint));
    EDGEAI_ASSIGN_OR_RETURN(Vocabulary vocab, read_tokenizer(tokenizer, s.vocab_size));
    const Layout l = layout_of(s);
    const uint32_t head = s.dim / s.n_heads;
    const uint32_t kv = s.n_kv_heads * head;

    gguf::GgufWriter w;
    w.add_string("general.architecture", "llama")
        .add_string("general.name", name)
        .add_u32("general.file_type", 0)
        .add_u32("llama.context_length", s.seq_len)
        .add_u32("llama.embedding_length", s.dim)
        .add_u32("llama.feed_forward_length", s.hidden_dim)
        .add_u32("llama.block_count", s.n_layers)
        .add_u32("llama.attention.head_count", s.n_heads)
        .add_u32("llama.attention.head_count_kv", s.n_kv_heads)
        .add_u32("llama.rope.dimension_count", head)
        .add_f32("llama.rope.freq_base", 10000.0f)
        .add_f32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
        .add_string("tokenizer.ggml.model", "llama")
        .add_string("tokenizer.ggml.pre", "default")
        .add_string_array("tokenizer.ggml.tokens", vocab.tokens)
        .add_f32_array("tokenizer.ggml.scores", vocab.scores)
        .add_i32_array("tokenizer.ggml.token_type", vocab.types)
        .add_u32("tokenizer.ggml.unknown_token_id", 0)
        .add_u32("tokenizer.ggml.bos_token_id", 1)
        .add_u32("tokenizer.ggml.eos_token_id", 2)
        .add_bool("tokenizer.ggml.add_bos_token", true)
        .add_bool("tokenizer.ggml.add_eos_token", false)
        .add_bool("tokenizer.ggml.add_space_prefix", true);

    const uint64_t d = s.dim, hd = s.hidden_dim;
    uint64_t at = 0;
    w.add_tensor("token_embd.weight", {d, s.vocab_size}, TensorType::kF32,
                 floats_at(checkpoint, at, l.embedding));
    at += l.embedding;
    // Per-kind blocks of all layers, in file order; a layer's slice is its index
    // times the per-layer count.
    struct Kind {
        const char* name;
        uint64_t per_layer;
        std::vector<uint64_t> dims;
    };
    const Kind kinds[] = {
        {"attn_norm.weight", d, {d}},          {"attn_q.weight", d * d, {d, d}},
        {"attn_k.weight", d * kv, {d, kv}},    {"attn_v.weight", d * kv, {d, kv}},
        {"attn_output.weight", d * d, {d, d}}, {"ffn_norm.weight", d, {d}},
        {"ffn_gate.weight", d * hd, {d, hd}},  {"ffn_down.weight", hd * d, {hd, d}},
        {"ffn_up.weight", d * hd, {d, hd}},
    };
    for (const Kind& k : kinds) {
        for (uint32_t layer = 0; layer < s.n_layers; ++layer)
            w.add_tensor("blk." + std::to_string(layer) + "." + k.name, k.dims, TensorType::kF32,
                         floats_at(checkpoint, at + layer * k.per_layer, k.per_layer));
        at += k.per_layer * s.n_layers;
    }
    w.add_tensor("output_norm.weight", {d}, TensorType::kF32, floats_at(checkpoint, at, d));
    at += l.rms_final + l.freq_cis; // run.c's precomputed RoPE table is not needed
    // A shared classifier is the embedding: the model ties them when
    // output.weight is absent, so it is not written twice.
    if (!s.shared_classifier)
        w.add_tensor("output.weight", {d, s.vocab_size}, TensorType::kF32,
                     floats_at(checkpoint, at, l.classifier));
    return w.finish();
}

} // namespace edgeai::engine::convert
