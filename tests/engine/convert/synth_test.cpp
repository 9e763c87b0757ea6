// `model synth`: tiny synthesized models load as models and tokenizers and run
// a forward pass; the bytes depend on the seed and nothing else; the published
// shapes carry their configurations (checked on the metadata alone, without
// generating hundreds of MB of weights).
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/test_data.h"
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

namespace edgeai::engine::convert {
namespace {

using testing::as_bytes;

SynthShape tiny_qwen() {
    SynthShape s;
    s.name = "tiny-qwen";
    s.arch = "qwen2";
    s.n_layer = 2;
    s.n_embd = 64;
    s.n_head = 4;
    s.n_head_kv = 2;
    s.n_ff = 128;
    s.n_vocab = 700;
    s.n_ctx = 256;
    s.rope_base = 1000000.0f;
    s.rms_eps = 1e-6f;
    s.tied_output = true;
    s.qkv_bias = true;
    s.vocab = SynthVocab::kByteLevelBpe;
    s.pre = "qwen2";
    s.specials_first = false;
    s.n_unused = 7;
    return s;
}

SynthShape tiny_smollm() {
    SynthShape s = tiny_qwen();
    s.name = "tiny-smollm";
    s.arch = "llama";
    s.n_head_kv = 1;
    s.qkv_bias = false;
    s.rope_base = 10000.0f;
    s.rms_eps = 1e-5f;
    s.pre = "smollm";
    s.specials_first = true;
    s.n_unused = 0;
    return s;
}

// K blocks hold 256 values, so this one is wide enough for q4_K everywhere.
SynthShape tiny_llama_spm() {
    SynthShape s;
    s.name = "tiny-llama";
    s.arch = "llama";
    s.n_layer = 2;
    s.n_embd = 256;
    s.n_head = 4;
    s.n_head_kv = 1;
    s.n_ff = 256;
    s.n_vocab = 400;
    s.n_ctx = 128;
    s.tied_output = false;
    s.vocab = SynthVocab::kSentencePiece;
    return s;
}

struct Loaded {
    std::string bytes;
    gguf::GgufFile file;
};

std::unique_ptr<Loaded> parse(std::string bytes) {
    auto holder = std::unique_ptr<Loaded>(new Loaded{std::move(bytes), {}});
    auto file = gguf::GgufFile::parse(as_bytes(holder->bytes));
    EXPECT_TRUE(file.ok()) << file.status().message();
    if (!file.ok()) return nullptr;
    holder->file = std::move(*file);
    return holder;
}

std::unique_ptr<Loaded> synth(const SynthShape& s, TensorType type, uint64_t seed) {
    auto bytes = synth_model(s, type, seed);
    EXPECT_TRUE(bytes.ok()) << bytes.status().message();
    if (!bytes.ok()) return nullptr;
    return parse(std::move(*bytes));
}

void expect_runs(const model::Model& m) {
    SerialPool pool;
    model::KvCache cache(m.config(), 16, model::KvType::kF32);
    model::Forward forward(m, pool, kernels::best_kernels(), 8, 16);
    const int32_t ids[] = {3, 300, 17, 42, 299};
    std::vector<model::BatchToken> batch;
    for (uint32_t i = 0; i < 5; ++i)
        batch.push_back({&cache, ids[i], i, i == 4});
    std::vector<float> logits(m.config().n_vocab);
    core::Status st = forward.decode(batch, logits.data());
    ASSERT_TRUE(st.ok()) << st.message();
    float lo = logits[0], hi = logits[0];
    for (float v : logits) {
        ASSERT_TRUE(std::isfinite(v));
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    EXPECT_GT(hi - lo, 1e-3f) << "random weights should not give flat logits";
}

struct TypeCase {
    SynthShape (*shape)();
    TensorType type;
};

class SynthLoads : public ::testing::TestWithParam<TypeCase> {};

TEST_P(SynthLoads, AsModelAndTokenizerAndRunsForward) {
    const SynthShape s = GetParam().shape();
    auto loaded = synth(s, GetParam().type, 7);
    ASSERT_NE(loaded, nullptr);
    auto m = model::Model::load(loaded->file);
    ASSERT_TRUE(m.ok()) << m.status().message();
    const model::ModelConfig& c = m->config();
    EXPECT_EQ(c.arch_name, s.arch);
    EXPECT_EQ(c.n_layer, s.n_layer);
    EXPECT_EQ(c.n_vocab, s.n_vocab);
    EXPECT_EQ(c.n_head_kv, s.n_head_kv);
    EXPECT_EQ(loaded->file.find_tensor("output.weight") == nullptr, s.tied_output);
    expect_runs(*m);

    auto tok = tokenizer::Tokenizer::from_gguf(loaded->file);
    ASSERT_TRUE(tok.ok()) << tok.status().message();
    EXPECT_EQ(tok->n_vocab(), static_cast<int32_t>(s.n_vocab));
    const std::string text = "Hello, world! the rain in Spain\n";
    const auto ids = tok->encode(text, false, false);
    EXPECT_FALSE(ids.empty());
    EXPECT_EQ(tok->decode(ids), text);
    if (s.vocab == SynthVocab::kByteLevelBpe) {
        EXPECT_EQ(tok->model(), tokenizer::TokenizerModel::kByteLevelBpe);
        const int32_t eot = s.specials_first ? 0 : static_cast<int32_t>(s.n_vocab - s.n_unused - 3);
        EXPECT_EQ(tok->eos(), eot);
        EXPECT_TRUE(tok->is_end_of_generation(eot));
        EXPECT_EQ(tok->encode("<|im_start|>", false, true).size(), 1u);
    } else {
        EXPECT_EQ(tok->model(), tokenizer::TokenizerModel::kSentencePiece);
        EXPECT_EQ(tok->bos(), 1);
        EXPECT_EQ(tok->eos(), 2);
        // A character outside the pieces falls back to its bytes.
        EXPECT_EQ(tok->decode(tok->encode("\xc3\xa9t\xc3\xa9", false, false)), "\xc3\xa9t\xc3\xa9");
    }
}

INSTANTIATE_TEST_SUITE_P(
    Shapes, SynthLoads,
    ::testing::Values(
        TypeCase{tiny_qwen, TensorType::kQ8_0}, TypeCase{tiny_qwen, TensorType::kQ4_0},
        TypeCase{tiny_qwen, TensorType::kF16}, TypeCase{tiny_qwen, TensorType::kQ4_K},
        TypeCase{tiny_smollm, TensorType::kQ8_0}, TypeCase{tiny_smollm, TensorType::kBF16},
        TypeCase{tiny_llama_spm, TensorType::kQ4_K}, TypeCase{tiny_llama_spm, TensorType::kQ5_K},
        TypeCase{tiny_llama_spm, TensorType::kQ6_K}, TypeCase{tiny_llama_spm, TensorType::kF32},
        TypeCase{tiny_qwen, TensorType::kQ4_1}, TypeCase{tiny_qwen, TensorType::kQ5_0},
        TypeCase{tiny_qwen, TensorType::kQ5_1}, TypeCase{tiny_qwen, TensorType::kIQ4_NL},
        TypeCase{tiny_qwen, TensorType::kIQ4_XS}, TypeCase{tiny_llama_spm, TensorType::kIQ4_XS},
        TypeCase{tiny_llama_spm, TensorType::kQ3_K}, TypeCase{tiny_llama_spm, TensorType::kQ2_K}));

TEST(Synth, SameSeedSameBytesOtherSeedOtherWeights) {
    const SynthShape s = tiny_qwen();
    auto a = synth_model(s, TensorType::kQ4_0, 1);
    auto b = synth_model(s, TensorType::kQ4_0, 1);
    auto c = synth_model(s, TensorType::kQ4_0, 2);
    ASSERT_TRUE(a.ok() && b.ok() && c.ok());
    EXPECT_EQ(*a, *b);
    ASSERT_EQ(a->size(), c->size());
    EXPECT_NE(*a, *c);
    // Only the weights differ: the vocabulary does not depend on the seed.
    auto meta = synth_metadata(s, TensorType::kQ4_0);
    ASSERT_TRUE(meta.ok());
    auto fa = parse(*a), fc = parse(*c);
    ASSERT_TRUE(fa && fc);
    EXPECT_EQ(*fa->file.get_string_array("tokenizer.ggml.merges"),
              *fc->file.get_string_array("tokenizer.ggml.merges"));
    const gguf::TensorInfo* ta = fa->file.find_tensor("blk.1.ffn_down.weight");
    const gguf::TensorInfo* tc = fc->file.find_tensor("blk.1.ffn_down.weight");
    ASSERT_TRUE(ta && tc);
    const auto da = fa->file.tensor_data(*ta), dc = fc->file.tensor_data(*tc);
    EXPECT_FALSE(std::equal(da.begin(), da.end(), dc.begin(), dc.end()));
}

TEST(Synth, WeightsLookNormalAndNormsAreOne) {
    auto loaded = synth(tiny_llama_spm(), TensorType::kF32, 3);
    ASSERT_NE(loaded, nullptr);
    const gguf::TensorInfo* t = loaded->file.find_tensor("blk.0.ffn_gate.weight");
    ASSERT_NE(t, nullptr);
    const auto bytes = loaded->file.tensor_data(*t);
    std::vector<float> w(bytes.size() / 4);
    std::memcpy(w.data(), bytes.data(), bytes.size());
    double sum = 0, sq = 0;
    for (float v : w) {
        sum += v;
        sq += double{v} * v;
    }
    const double mean = sum / static_cast<double>(w.size());
    const double std = std::sqrt(sq / static_cast<double>(w.size()) - mean * mean);
    EXPECT_NEAR(mean, 0.0, 1e-3);
    EXPECT_NEAR(std, 0.02, 1e-3);
    const gguf::TensorInfo* norm = loaded->file.find_tensor("blk.1.attn_norm.weight");
    ASSERT_NE(norm, nullptr);
    float first;
    std::memcpy(&first, loaded->file.tensor_data(*norm).data(), 4);
    EXPECT_EQ(first, 1.0f);
}

TEST(Synth, KTypesFallBackWhereRowsDoNotDivideIntoBlocks) {
    // 64 columns: no 256-value K block fits, so each K type falls back as
    // llama.cpp's quantizer does: q4_K to q5_0, q5_K to q5_1, q6_K to q8_0.
    const struct {
        TensorType wanted, made;
    } kFallbacks[] = {{TensorType::kQ4_K, TensorType::kQ5_0},
                      {TensorType::kQ5_K, TensorType::kQ5_1},
                      {TensorType::kQ6_K, TensorType::kQ8_0}};
    for (const auto& f : kFallbacks)
        for (const SynthTensor& t : synth_tensors(tiny_qwen(), f.wanted))
            EXPECT_EQ(t.type, t.dims.size() == 1 ? TensorType::kF32 : f.made) << t.name;
    // The types added for llama.cpp's files fall back as its quantizer does:
    // iq4_xs to iq4_nl, q2_K and q3_K to q4_0 (tensor_type_fallback).
    for (TensorType type : {TensorType::kQ2_K, TensorType::kQ3_K, TensorType::kIQ4_XS})
        for (const SynthTensor& t : synth_tensors(tiny_qwen(), type))
            if (t.dims.size() == 2) {
                EXPECT_EQ(t.type,
                          type == TensorType::kIQ4_XS ? TensorType::kIQ4_NL : TensorType::kQ4_0)
                    << t.name;
            }
    // 256 columns divide: q4_K stays.
    for (const SynthTensor& t : synth_tensors(tiny_llama_spm(), TensorType::kQ4_K)) {
        if (t.dims.size() == 2) {
            EXPECT_EQ(t.type, TensorType::kQ4_K) << t.name;
        }
    }
}

TEST(Synth, RefusesShapesThatCannotWork) {
    SynthShape s = tiny_qwen();
    s.n_head = 5; // 64 is not a multiple of 5
    EXPECT_FALSE(synth_model(s, TensorType::kQ8_0, 0).ok());
    s = tiny_qwen();
    s.n_vocab = 200; // fewer than the byte tokens
    EXPECT_FALSE(synth_model(s, TensorType::kQ8_0, 0).ok());
    s = tiny_qwen();
    s.qkv_bias = false;
    EXPECT_FALSE(synth_model(s, TensorType::kQ8_0, 0).ok());
    EXPECT_FALSE(synth_model(tiny_qwen(), TensorType::kQ8_K, 0).ok()); // activations only
}

class ChunkCounter final : public ByteSink {
  public:
    core::Status write(std::string_view bytes) override {
        ++chunks;
        largest = std::max(largest, bytes.size());
        out.append(bytes);
        return core::Status();
    }
    int chunks = 0;
    size_t largest = 0;
    std::string out;
};

TEST(Synth, StreamsInBoundedPieces) {
    SynthShape s = tiny_llama_spm();
    s.n_vocab = 8000; // two 8 MB f32 matrices: the writer must not hold them whole
    ChunkCounter sink;
    ASSERT_TRUE(write_synth_model(s, TensorType::kF32, 5, sink).ok());
    EXPECT_GT(sink.chunks, 2);
    EXPECT_LT(sink.largest, size_t{5} << 20);
    auto loaded = parse(sink.out);
    ASSERT_NE(loaded, nullptr);
    EXPECT_TRUE(model::Model::load(loaded->file).ok());
}

TEST(Synth, PublishedShapesCarryTheirConfigurations) {
    struct Want {
        const char* name;
        const char* arch;
        uint32_t layers, embd, heads, kv_heads, head_dim, ff, vocab, ctx;
        float rope_base, eps;
        bool tied;
        int32_t eos;
        uint64_t q4_0_min_mb, q4_0_max_mb;
    };
    const Want wants[] = {
        {"smollm-135m", "llama", 30, 576, 9, 3, 64, 1536, 49152, 2048, 10000.0f, 1e-5f, true, 0, 70,
         90},
        {"qwen2.5-0.5b", "qwen2", 24, 896, 14, 2, 64, 4864, 151936, 32768, 1000000.0f, 1e-6f, true,
         151643, 250, 290},
        {"tinyllama-1.1b", "llama", 22, 2048, 32, 4, 64, 5632, 32000, 2048, 10000.0f, 1e-5f, false,
         2, 580, 650},
        {"qwen3-0.6b", "qwen3", 28, 1024, 16, 8, 128, 3072, 151936, 40960, 1000000.0f, 1e-6f, true,
         151643, 300, 350},
        {"gemma3-1b", "gemma3", 26, 1152, 4, 1, 256, 6912, 262144, 32768, 1000000.0f, 1e-6f, true,
         2, 510, 560},
        {"phi4-mini", "phi3", 32, 3072, 24, 8, 128, 8192, 200064, 131072, 10000.0f, 1e-5f, true,
         199997, 1950, 2150},
        {"smollm3-3b", "smollm3", 36, 2048, 16, 4, 128, 11008, 128256, 65536, 5000000.0f, 1e-6f,
         true, 128000, 1550, 1750},
        {"granite-3.3-2b", "granite", 40, 2048, 32, 8, 64, 8192, 49159, 131072, 10000000.0f, 1e-5f,
         true, 0, 1280, 1440},
        {"llama3.2-1b", "llama", 16, 2048, 32, 8, 64, 8192, 128256, 131072, 500000.0f, 1e-5f, true,
         128000, 620, 700},
    };
    ASSERT_EQ(published_shapes().size(), std::size(wants));
    EXPECT_EQ(find_shape("no-such-model"), nullptr);
    for (const Want& w : wants) {
        SCOPED_TRACE(w.name);
        const SynthShape* s = find_shape(w.name);
        ASSERT_NE(s, nullptr);
        auto meta = synth_metadata(*s, TensorType::kQ4_0);
        ASSERT_TRUE(meta.ok()) << meta.status().message();
        auto loaded = parse(std::move(*meta));
        ASSERT_NE(loaded, nullptr);
        auto c = model::read_model_config(loaded->file, s->n_vocab);
        ASSERT_TRUE(c.ok()) << c.status().message();
        EXPECT_EQ(c->arch_name, w.arch);
        EXPECT_EQ(c->n_layer, w.layers);
        EXPECT_EQ(c->n_embd, w.embd);
        EXPECT_EQ(c->n_head, w.heads);
        EXPECT_EQ(c->n_head_kv, w.kv_heads);
        EXPECT_EQ(c->n_ff, w.ff);
        EXPECT_EQ(c->n_ctx_train, w.ctx);
        EXPECT_EQ(c->head_dim, w.head_dim);
        EXPECT_FLOAT_EQ(c->rope_base, w.rope_base);
        EXPECT_FLOAT_EQ(c->rms_eps, w.eps);
        EXPECT_EQ(s->tied_output, w.tied);
        EXPECT_EQ(s->qkv_bias, std::string(w.arch) == "qwen2");

        auto tok = tokenizer::Tokenizer::from_gguf(loaded->file);
        ASSERT_TRUE(tok.ok()) << tok.status().message();
        EXPECT_EQ(tok->n_vocab(), static_cast<int32_t>(w.vocab));
        EXPECT_EQ(tok->eos(), w.eos);
        const std::string text = "The quick brown fox jumps over the lazy dog, 42 times.";
        const auto ids = tok->encode(text, false, false);
        EXPECT_EQ(tok->decode(ids), text);
        EXPECT_LT(ids.size(), text.size() * 3 / 4) << "pieces should join characters";

        const auto tensors = synth_tensors(*s, TensorType::kQ4_0);
        uint64_t bytes = 0;
        std::set<std::string> names;
        for (const SynthTensor& t : tensors) {
            bytes += t.bytes;
            names.insert(t.name);
        }
        EXPECT_EQ(names.size(), tensors.size());
        EXPECT_EQ(names.count("output.weight") == 0, w.tied);
        EXPECT_EQ(names.count("blk.0.attn_q.bias") == 1, s->qkv_bias);
        EXPECT_GE(bytes >> 20, w.q4_0_min_mb);
        EXPECT_LE(bytes >> 20, w.q4_0_max_mb);
    }
}

} // namespace
} // namespace edgeai::engine::convert
