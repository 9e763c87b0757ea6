// The architectures without llama.cpp: every tiny shape loads with its
// switches set from the metadata and runs (a batch, token by token and
// threaded alike); files whose metadata is hostile (head counts that do not
// divide, a sliding window past the context, a missing norm, a zero logit
// scale, a NaN) are refused with an error naming the key or tensor.
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/model/tiny_architectures.h"
#include "engine/test_data.h"
#include "engine/testing_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>

namespace edgeai::engine::model {
namespace {

using testing::as_bytes;

std::string synth_bytes(const convert::SynthShape& s, TensorType type = TensorType::kF32) {
    auto bytes = convert::synth_model(s, type, 3);
    EXPECT_TRUE(bytes.ok()) << bytes.status().message();
    return bytes.ok() ? *bytes : std::string();
}

const testing::TinyArchitecture& tiny(const char* label) {
    static const std::vector<testing::TinyArchitecture> all = testing::tiny_architectures();
    for (const auto& a : all)
        if (std::string(a.label) == label) return a;
    std::abort();
}

// Overwrites a scalar value of the same size in place.
template <typename T> void patch(std::string& bytes, const std::string& key, T value) {
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(file.ok());
    const gguf::KeyValue* kv = file->find(key);
    ASSERT_NE(kv, nullptr) << key;
    ASSERT_EQ(gguf::value_type_size(kv->type), sizeof(T)) << key;
    std::memcpy(bytes.data() + kv->offset, &value, sizeof(T));
}

// Renames every occurrence of `from` (same length) in the tensor table.
void rename(std::string& bytes, const std::string& from, const std::string& to) {
    ASSERT_EQ(from.size(), to.size());
    for (size_t at = bytes.find(from); at != std::string::npos; at = bytes.find(from, at + 1))
        bytes.replace(at, from.size(), to);
}

// Gives tensor `name` another type number in the tensor table (its data
// stays where it was: a type with larger rows then overruns it).
void retype(std::string& bytes, const std::string& name, uint32_t type) {
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(file.ok());
    const gguf::TensorInfo* t = file->find_tensor(name);
    ASSERT_NE(t, nullptr) << name;
    const size_t at = bytes.find(name);
    ASSERT_NE(at, std::string::npos);
    std::memcpy(bytes.data() + at + name.size() + 4 + 8 * t->n_dims, &type, 4);
}

core::Status load_status(const std::string& bytes) {
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    if (!file.ok()) return file.status();
    auto m = Model::load(*file);
    return m.ok() ? core::Status() : m.status();
}

std::vector<float> run(const Model& m, WorkerPool& pool, bool one_batch) {
    constexpr uint32_t kTokens = 20; // past the tiny gemma3's window of 8
    // Token by token, the sliding layers keep a ring of 8 + 1 rows, which
    // wraps twice; in one batch they keep 8 + 20 (no wrap).
    KvCache cache(m.config(), 32, KvType::kF32, one_batch ? kTokens : 1);
    Forward forward(m, pool, kernels::best_kernels(), kTokens, 32);
    std::vector<float> logits(size_t{kTokens} * m.config().n_vocab);
    std::vector<BatchToken> batch;
    for (uint32_t i = 0; i < kTokens; ++i) {
        const BatchToken t{&cache, static_cast<int32_t>((5 + 37 * i) % m.config().n_vocab), i,
                           true};
        if (one_batch) {
            batch.push_back(t);
            continue;
        }
        EXPECT_TRUE(forward.decode({&t, 1}, logits.data() + size_t{i} * m.config().n_vocab).ok());
    }
    if (one_batch) {
        EXPECT_TRUE(forward.decode(batch, logits.data()).ok());
    }
    return logits;
}

class TinyArchitectures : public ::testing::TestWithParam<testing::TinyArchitecture> {};

TEST_P(TinyArchitectures, LoadAndRunAlikeInBatchesTokensAndThreads) {
    const std::string bytes = synth_bytes(GetParam().shape);
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(file.ok());
    auto m = Model::load(*file);
    ASSERT_TRUE(m.ok()) << m.status().message();
    SerialPool serial;
    const std::vector<float> batch = run(*m, serial, true);
    const std::vector<float> tokens = run(*m, serial, false);
    for (size_t i = 0; i < batch.size(); ++i) {
        ASSERT_TRUE(std::isfinite(batch[i]));
        ASSERT_NEAR(batch[i], tokens[i], 1e-4f) << i;
    }
#if !defined(__wasi__) // WASI has no threads
    testing::ThreadedPool threaded(3);
    const std::vector<float> threads = run(*m, threaded, true);
    for (size_t i = 0; i < batch.size(); ++i)
        ASSERT_NEAR(batch[i], threads[i], 1e-4f) << i;
#endif
}

INSTANTIATE_TEST_SUITE_P(All, TinyArchitectures, ::testing::ValuesIn(testing::tiny_architectures()),
                         [](const auto& param_info) {
                             std::string s = param_info.param.label;
                             for (char& c : s)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return s;
                         });

TEST(Architectures, SwitchesComeFromTheMetadata) {
    auto config = [](const char* label) {
        const std::string bytes = synth_bytes(tiny(label).shape);
        auto file = gguf::GgufFile::parse(as_bytes(bytes));
        EXPECT_TRUE(file.ok());
        auto c = read_model_config(*file, tiny(label).shape.n_vocab);
        EXPECT_TRUE(c.ok()) << c.status().message();
        return *c;
    };
    const ModelConfig qwen3 = config("qwen3");
    EXPECT_TRUE(qwen3.qk_norm);
    EXPECT_EQ(qwen3.head_dim, 32u);
    EXPECT_EQ(qwen3.rope_layout, RopeLayout::kHalves);

    const ModelConfig gemma3 = config("gemma3");
    EXPECT_TRUE(gemma3.qk_norm && gemma3.post_norms);
    EXPECT_EQ(gemma3.ffn_act, FfnActivation::kGeluTanh);
    EXPECT_FLOAT_EQ(gemma3.embedding_scale, 8.0f); // sqrt(64)
    EXPECT_FLOAT_EQ(gemma3.query_scale, 1.0f / std::sqrt(32.0f));
    EXPECT_EQ(gemma3.sliding_window, 8u);
    for (uint32_t i = 0; i < 6; ++i)
        EXPECT_EQ(gemma3.layers[i].sliding, i != 5) << i;
    EXPECT_FLOAT_EQ(config("gemma3 softcap").final_softcap, 2.0f);

    const ModelConfig phi = config("phi4-mini long");
    EXPECT_TRUE(phi.fused_gate_up);
    EXPECT_EQ(phi.rope_dim, 12u);
    EXPECT_EQ(phi.rope_orig_ctx, 64u);
    EXPECT_GT(phi.rope_attn_factor, 1.0f);

    const ModelConfig smollm3 = config("smollm3");
    EXPECT_EQ(smollm3.rope_layout, RopeLayout::kAdjacent);
    for (uint32_t i = 0; i < 4; ++i)
        EXPECT_EQ(smollm3.layers[i].rope, i != 3) << i;

    const ModelConfig granite = config("granite");
    EXPECT_FLOAT_EQ(granite.embedding_scale, 12.0f);
    EXPECT_FLOAT_EQ(granite.residual_scale, 0.22f);
    EXPECT_FLOAT_EQ(granite.kq_scale, 0.015625f);
    EXPECT_FLOAT_EQ(granite.logit_scale, 1.0f / 8.0f);
}

// llama.cpp ignores gemma3's attention softcapping (its converter never
// writes it), so it is checked here alone: a cap far above every score
// changes nothing, a tight one changes the logits.
TEST(Architectures, Gemma3AttentionSoftcappingWhenTheFileHasIt) {
    auto logits = [](float cap) {
        convert::SynthShape s = tiny("gemma3").shape;
        s.attn_softcap = cap;
        const std::string bytes = synth_bytes(s);
        auto file = gguf::GgufFile::parse(as_bytes(bytes));
        EXPECT_TRUE(file.ok());
        auto m = Model::load(*file);
        EXPECT_TRUE(m.ok()) << m.status().message();
        EXPECT_FLOAT_EQ(m->config().attn_softcap, cap);
        SerialPool pool;
        return run(*m, pool, true);
    };
    const std::vector<float> none = logits(0.0f), loose = logits(1e4f), tight = logits(0.05f);
    float loose_diff = 0, tight_diff = 0;
    for (size_t i = 0; i < none.size(); ++i) {
        loose_diff = std::max(loose_diff, std::fabs(none[i] - loose[i]));
        tight_diff = std::max(tight_diff, std::fabs(none[i] - tight[i]));
    }
    // The cap is applied as cap * tanh(score / cap): with a cap of 1e4 the
    // vector tanh's own rounding, scaled by the cap, shows (about 1e-3 under
    // WASI's SIMD128 table), so "changes nothing" is judged against the tight
    // cap's effect.
    EXPECT_LT(loose_diff, 5e-3f);
    EXPECT_GT(tight_diff, 1e-2f);
    EXPECT_GT(tight_diff, 4 * loose_diff);
}

TEST(Architectures, Phi3FusedTensorsAreViewsOfTheirRows) {
    const std::string bytes = synth_bytes(tiny("phi3").shape);
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(file.ok());
    auto m = Model::load(*file);
    ASSERT_TRUE(m.ok()) << m.status().message();
    const Layer& l = m->layers()[0];
    const gguf::TensorInfo* qkv = file->find_tensor("blk.0.attn_qkv.weight");
    ASSERT_NE(qkv, nullptr);
    EXPECT_EQ(l.wq.data, file->tensor_data(*qkv).data());
    EXPECT_EQ(l.wk.data, l.wq.row(l.wq.rows));
    EXPECT_EQ(l.wv.data, l.wk.row(l.wk.rows));
    EXPECT_EQ(l.w_up.data, l.w_gate.row(l.w_gate.rows));
}

struct Hostile {
    const char* name;
    void (*spoil)(std::string& bytes);
    const char* error; // a piece of the message
};

const Hostile kHostile[] = {
    {"sliding window past the context",
     [](std::string& b) { patch<uint32_t>(b, "gemma3.attention.sliding_window", 100000); },
     "sliding_window (100000) is larger than the context length"},
    {"kv heads that do not divide the heads",
     [](std::string& b) { patch<uint32_t>(b, "gemma3.attention.head_count_kv", 3); },
     "not a multiple of attention.head_count_kv"},
    {"more kv heads than heads",
     [](std::string& b) { patch<uint32_t>(b, "gemma3.attention.head_count_kv", 8); },
     "not a multiple of attention.head_count_kv"},
    {"zero heads", [](std::string& b) { patch<uint32_t>(b, "gemma3.attention.head_count", 0); },
     "attention.head_count = 0 is out of range"},
    {"a head size narrower than the rotated dimensions",
     [](std::string& b) {
         patch<uint32_t>(b, "gemma3.attention.key_length", 16);
         patch<uint32_t>(b, "gemma3.attention.value_length", 16);
     },
     "rope.dimension_count (32) must be even and at most the head size (16)"},
    {"a head size that does not match the tensors",
     [](std::string& b) {
         patch<uint32_t>(b, "gemma3.attention.key_length", 16);
         patch<uint32_t>(b, "gemma3.attention.value_length", 16);
         patch<uint32_t>(b, "gemma3.rope.dimension_count", 16);
     },
     "'blk.0.attn_q.weight' has shape"},
    {"values narrower than keys",
     [](std::string& b) { patch<uint32_t>(b, "gemma3.attention.value_length", 16); },
     "value_length (16) differs"},
    {"a missing Q norm", [](std::string& b) { rename(b, "attn_q_norm", "attn_q_nxrm"); },
     "'blk.0.attn_q_norm.weight' is missing"},
    {"a missing post-FFN norm", [](std::string& b) { rename(b, "post_ffw_norm", "post_ffw_nxrm"); },
     "post_ffw_norm.weight' is missing"},
    {"a NaN softcap",
     [](std::string& b) {
         patch<float>(b, "gemma3.final_logit_softcapping", std::numeric_limits<float>::quiet_NaN());
     },
     "final_logit_softcapping is not a finite number"},
    {"a negative softcap",
     [](std::string& b) { patch<float>(b, "gemma3.final_logit_softcapping", -1.0f); },
     "must not be negative"},
    {"a norm in a block type its 32 values cannot fill",
     [](std::string& b) { retype(b, "blk.0.attn_q_norm.weight", 12); }, // q4_K
     "'blk.0.attn_q_norm.weight' rows have 32 values, not a multiple of the q4_K block"},
    {"a matrix in a type the engine does not run",
     [](std::string& b) { retype(b, "blk.1.attn_k.weight", 9); }, // q8_1
     "'blk.1.attn_k.weight' has type q8_1, which the engine does not run"},
    {"embeddings in a type whose blocks do not fit their rows",
     [](std::string& b) { retype(b, "token_embd.weight", 14); }, // q6_K on rows of 64
     "'token_embd.weight' rows have 64 values, not a multiple of the q6_K block"},
    {"a norm in a quantized type", [](std::string& b) { retype(b, "output_norm.weight", 8); },
     "'output_norm.weight' has type q8_0, but norms, biases and RoPE factors must be"},
    {"an unknown architecture", [](std::string& b) { rename(b, "gemma3", "gemma9"); },
     "supported: llama, qwen2, qwen3, gemma3, phi3, smollm3, granite"},
};

TEST(Architectures, HostileGemma3MetadataIsRefusedClearly) {
    convert::SynthShape s = tiny("gemma3 softcap").shape;
    for (const Hostile& h : kHostile) {
        SCOPED_TRACE(h.name);
        std::string bytes = synth_bytes(s);
        h.spoil(bytes);
        const core::Status st = load_status(bytes);
        EXPECT_FALSE(st.ok());
        EXPECT_NE(st.message().find(h.error), std::string::npos) << st.message();
    }
}

TEST(Architectures, OtherHostileMetadataIsRefusedClearly) {
    std::string granite = synth_bytes(tiny("granite").shape);
    patch<float>(granite, "granite.logit_scale", 0.0f);
    EXPECT_NE(load_status(granite).message().find("logit_scale is missing or not positive"),
              std::string::npos);

    std::string phi = synth_bytes(tiny("phi4-mini long").shape);
    patch<uint32_t>(phi, "phi3.attention.head_count_kv", 4); // the fused rows no longer add up
    EXPECT_NE(load_status(phi).message().find("'blk.0.attn_qkv.weight' has shape"),
              std::string::npos);

    std::string qwen3 = synth_bytes(tiny("qwen3").shape);
    patch<uint32_t>(qwen3, "qwen3.attention.key_length", 1u << 23); // 4 heads of 2^23
    EXPECT_NE(load_status(qwen3).message().find("head size is too large"), std::string::npos);

    std::string rope = synth_bytes(tiny("phi4-mini long").shape);
    patch<float>(rope, "phi3.rope.scaling.attn_factor", -2.0f);
    EXPECT_NE(load_status(rope).message().find("attn_factor must be positive"), std::string::npos);
}

} // namespace
} // namespace edgeai::engine::model
