// Granite (and llama) files may carry attn_output and FFN biases, which
// llama.cpp's loader takes when present: edgeai runs them. Zero biases must
// leave the logits exactly as without them, real ones must move them, and a
// bias of the wrong length is refused with the tensor named. (llamacpp_model_test
// checks them against llama.cpp's forward pass.)
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/extra_tensors.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/model/tiny_architectures.h"
#include "engine/test_data.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace edgeai::engine::model {
namespace {

using testing::as_bytes;

convert::SynthShape tiny_granite() {
    for (const testing::TinyArchitecture& a : testing::tiny_architectures())
        if (std::string(a.label) == "granite") return a.shape;
    return {};
}

std::string with_biases(const std::string& bytes, const testing::ExtraTensors& biases) {
    return testing::with_extra_tensors(bytes, biases);
}

core::Result<std::vector<float>> logits_of(const std::string& bytes) {
    EDGEAI_ASSIGN_OR_RETURN(gguf::GgufFile file, gguf::GgufFile::parse(as_bytes(bytes)));
    EDGEAI_ASSIGN_OR_RETURN(Model m, Model::load(file));
    SerialPool pool;
    KvCache cache(m.config(), 8, KvType::kF32);
    Forward forward(m, pool, kernels::scalar_kernels(), 4, 8);
    std::vector<BatchToken> batch;
    for (uint32_t i = 0; i < 4; ++i)
        batch.push_back({&cache, static_cast<int32_t>(10 + i), i, true});
    std::vector<float> logits(4 * size_t{m.config().n_vocab});
    EDGEAI_TRY(forward.decode(batch, logits.data()));
    return logits;
}

testing::ExtraTensors biases_of(const convert::SynthShape& s, float value) {
    testing::ExtraTensors out;
    for (uint32_t l = 0; l < s.n_layer; ++l) {
        const std::string b = "blk." + std::to_string(l) + ".";
        out.push_back({b + "attn_output.bias", std::vector<float>(s.n_embd, value)});
        out.push_back({b + "ffn_gate.bias", std::vector<float>(s.n_ff, value)});
        out.push_back({b + "ffn_up.bias", std::vector<float>(s.n_ff, -value)});
        out.push_back({b + "ffn_down.bias", std::vector<float>(s.n_embd, value)});
    }
    return out;
}

TEST(OptionalBiases, GraniteRunsItsAttentionOutputAndFfnBiases) {
    const convert::SynthShape s = tiny_granite();
    ASSERT_EQ(s.arch, "granite");
    auto plain = convert::synth_model(s, TensorType::kF32, 3);
    ASSERT_TRUE(plain.ok()) << plain.status().message();
    auto want = logits_of(*plain);
    ASSERT_TRUE(want.ok()) << want.status().message();

    auto zero = logits_of(with_biases(*plain, biases_of(s, 0.0f)));
    ASSERT_TRUE(zero.ok()) << zero.status().message();
    EXPECT_EQ(*zero, *want) << "zero biases must change nothing";

    auto biased = logits_of(with_biases(*plain, biases_of(s, 0.5f)));
    ASSERT_TRUE(biased.ok()) << biased.status().message();
    float moved = 0;
    for (size_t i = 0; i < want->size(); ++i)
        moved = std::max(moved, std::fabs((*biased)[i] - (*want)[i]));
    EXPECT_GT(moved, 0.01f) << "biases of 0.5 must move the logits";
}

TEST(OptionalBiases, ABiasOfTheWrongLengthIsRefusedWithItsName) {
    const convert::SynthShape s = tiny_granite();
    auto plain = convert::synth_model(s, TensorType::kF32, 3);
    ASSERT_TRUE(plain.ok());
    auto bad = logits_of(
        with_biases(*plain, {{"blk.1.ffn_down.bias", std::vector<float>(s.n_embd - 1, 0.0f)}}));
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("blk.1.ffn_down.bias"), std::string::npos)
        << bad.status().message();
}

} // namespace
} // namespace edgeai::engine::model
