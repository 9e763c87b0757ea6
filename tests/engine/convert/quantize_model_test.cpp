// `model quantize` into the types added for llama.cpp's files (q4_1, q5_0,
// q5_1, iq4_nl, iq4_xs, q3_K, q2_K): the result loads, runs, and its logits
// stay near the f32 model's by a margin that follows the type's bits; rows that
// do not divide into 256 fall back as llama.cpp's quantizer does.
#include "engine/convert/quantize_model.h"
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/test_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

namespace edgeai::engine::convert {
namespace {

using testing::as_bytes;

// 256-wide rows for the K types, and a feed-forward width of 288 (9 blocks of
// 32) so ffn_down's rows take the fallback, as qwen2.5-0.5b's 896 do.
SynthShape tiny_mixed() {
    SynthShape s;
    s.name = "tiny-mixed";
    s.arch = "llama";
    s.n_layer = 2;
    s.n_embd = 256;
    s.n_head = 4;
    s.n_head_kv = 2;
    s.n_ff = 288;
    s.n_vocab = 400;
    s.n_ctx = 64;
    s.tied_output = false;
    s.vocab = SynthVocab::kSentencePiece;
    return s;
}

struct Loaded {
    std::string bytes;
    gguf::GgufFile file;
    model::Model model;
};

std::unique_ptr<Loaded> load(std::string bytes) {
    auto holder = std::unique_ptr<Loaded>(new Loaded{std::move(bytes), {}, {}});
    auto file = gguf::GgufFile::parse(as_bytes(holder->bytes));
    EXPECT_TRUE(file.ok()) << file.status().message();
    if (!file.ok()) return nullptr;
    holder->file = std::move(*file);
    auto m = model::Model::load(holder->file);
    EXPECT_TRUE(m.ok()) << m.status().message();
    if (!m.ok()) return nullptr;
    holder->model = std::move(*m);
    return holder;
}

std::vector<float> logits_of(const model::Model& m, const kernels::KernelTable& table) {
    SerialPool pool;
    model::KvCache cache(m.config(), 16, model::KvType::kF32);
    model::Forward forward(m, pool, table, 8, 16);
    const int32_t ids[] = {1, 200, 17, 42, 299, 5};
    std::vector<model::BatchToken> batch;
    for (uint32_t i = 0; i < 6; ++i)
        batch.push_back({&cache, ids[i], i, true});
    std::vector<float> logits(6 * m.config().n_vocab);
    const core::Status st = forward.decode(batch, logits.data());
    EXPECT_TRUE(st.ok()) << st.message();
    return logits;
}

double relative_rms(const std::vector<float>& got, const std::vector<float>& want) {
    double err = 0, ref = 0;
    for (size_t i = 0; i < want.size(); ++i) {
        err += (got[i] - want[i]) * double(got[i] - want[i]);
        ref += double(want[i]) * want[i];
    }
    return std::sqrt(err / ref);
}

struct TypeCase {
    TensorType type;
    TensorType fallback; // ffn_down's type (288-wide rows)
    // Relative RMS of the logits against the f32 model's: about 2.5 times the
    // weights' own round-trip error (each layer and the output matrix add
    // theirs), bounded here at 1.3 times what this shape and seed give.
    double max_error;
};

class QuantizeInto : public ::testing::TestWithParam<TypeCase> {};

TEST_P(QuantizeInto, LoadsRunsAndStaysNearF32) {
    const TypeCase c = GetParam();
    auto f32_bytes = synth_model(tiny_mixed(), TensorType::kF32, 3);
    ASSERT_TRUE(f32_bytes.ok()) << f32_bytes.status().message();
    auto f32 = load(std::move(*f32_bytes));
    ASSERT_NE(f32, nullptr);
    auto bytes = quantize_model(f32->file, c.type, /*pure=*/true);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    auto q = load(std::move(*bytes));
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(q->file.find_tensor("blk.0.attn_q.weight")->type->type, c.type);
    EXPECT_EQ(q->file.find_tensor("blk.1.ffn_down.weight")->type->type, c.fallback);
    EXPECT_EQ(q->file.find_tensor("blk.1.ffn_up.weight")->type->type, c.type);
    const auto want = logits_of(f32->model, kernels::scalar_kernels());
    for (const kernels::KernelTable* table : kernels::usable_kernels())
        EXPECT_LT(relative_rms(logits_of(q->model, *table), want), c.max_error) << table->name;
}

INSTANTIATE_TEST_SUITE_P(
    Types, QuantizeInto,
    ::testing::Values(TypeCase{TensorType::kQ4_1, TensorType::kQ4_1, 0.25},
                      TypeCase{TensorType::kQ5_0, TensorType::kQ5_0, 0.14},
                      TypeCase{TensorType::kQ5_1, TensorType::kQ5_1, 0.125},
                      TypeCase{TensorType::kIQ4_NL, TensorType::kIQ4_NL, 0.25},
                      TypeCase{TensorType::kIQ4_XS, TensorType::kIQ4_NL, 0.25},
                      TypeCase{TensorType::kQ3_K, TensorType::kQ4_0, 0.45},
                      TypeCase{TensorType::kQ2_K, TensorType::kQ4_0, 0.85},
                      TypeCase{TensorType::kQ4_K, TensorType::kQ5_0, 0.21}),
    [](const auto& param_info) {
        return std::string(find_tensor_type(static_cast<uint32_t>(param_info.param.type))->name);
    });

// A file type the loader knows but cannot run (q8_1 is only ever an
// activation type) is refused with the tensor, its type and what runs.
TEST(QuantizeModel, LoaderRefusesATypeItDoesNotRunAndSaysWhatRuns) {
    auto f32_bytes = synth_model(tiny_mixed(), TensorType::kF32, 3);
    ASSERT_TRUE(f32_bytes.ok());
    auto f32 = load(std::move(*f32_bytes));
    ASSERT_NE(f32, nullptr);
    auto bytes = quantize_model(f32->file, TensorType::kQ8_1, /*pure=*/true);
    ASSERT_TRUE(bytes.ok()) << bytes.status().message();
    auto file = gguf::GgufFile::parse(as_bytes(*bytes));
    ASSERT_TRUE(file.ok());
    auto m = model::Model::load(*file);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), core::StatusCode::kUnimplemented);
    EXPECT_NE(m.status().message().find("type q8_1, which the engine does not run"),
              std::string::npos)
        << m.status().message();
    EXPECT_NE(m.status().message().find("q5_0"), std::string::npos);
    EXPECT_NE(m.status().message().find("iq4_xs"), std::string::npos);
}

TEST(QuantizeModel, NamesTheNewTypesAsLlamaCppDoes) {
    for (const char* name : {"q4_1", "Q5_0", "q5_1", "IQ4_NL", "iq4_xs", "Q3_K", "q2_K"})
        EXPECT_TRUE(parse_weight_type(name).has_value()) << name;
    EXPECT_EQ(llama_file_type(TensorType::kQ5_0, true), 8u);
    EXPECT_EQ(llama_file_type(TensorType::kIQ4_XS, true), 30u);
    EXPECT_EQ(fallback_type(TensorType::kQ5_K), TensorType::kQ5_1);
    EXPECT_EQ(fallback_type(TensorType::kQ6_K), TensorType::kQ8_0);
}

} // namespace
} // namespace edgeai::engine::convert
