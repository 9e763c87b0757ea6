// llama.cpp's mixes by name, and their rules on a small model, without
// llama.cpp (llamacpp_mix_test checks every mix against llama.cpp itself).
#include "engine/convert/quant_mix.h"
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/test_data.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

namespace edgeai::engine::convert {
namespace {

using testing::as_bytes;

// Two llama layers of 256 with ffn_down rows of `n_ff` and an own output.
struct Small {
    std::string bytes;
    gguf::GgufFile file;
};

std::unique_ptr<Small> small_llama(uint32_t n_ff) {
    SynthShape s;
    s.name = "mix-small";
    s.arch = "llama";
    s.n_layer = 2;
    s.n_embd = 256;
    s.n_head = 4;
    s.n_head_kv = 2;
    s.n_ff = n_ff;
    s.n_vocab = 400;
    s.n_ctx = 64;
    s.tied_output = false;
    s.vocab = SynthVocab::kSentencePiece;
    auto bytes = synth_model(s, TensorType::kF32, 3);
    EXPECT_TRUE(bytes.ok()) << bytes.status().message();
    if (!bytes.ok()) return nullptr;
    auto out = std::make_unique<Small>();
    out->bytes = std::move(*bytes);
    auto file = gguf::GgufFile::parse(as_bytes(out->bytes));
    EXPECT_TRUE(file.ok());
    if (!file.ok()) return nullptr;
    out->file = std::move(*file);
    return out;
}

std::map<std::string, TensorType> by_name(const gguf::GgufFile& f,
                                          const std::vector<TensorType>& types) {
    std::map<std::string, TensorType> out;
    for (size_t i = 0; i < types.size(); ++i)
        out[std::string(f.tensors()[i].name)] = types[i];
    return out;
}

TEST(QuantMix, KnowsLlamaCppsNamesAndAliasesInAnyCase) {
    for (const char* name : {"Q4_K_M", "q4_k_m", "Q4_K_S", "Q5_K_M", "Q5_K_S", "Q3_K_M", "Q3_K_S",
                             "Q3_K_L", "Q2_K",   "IQ4_XS", "iq4_nl", "Q4_0",   "Q4_1",   "Q5_0",
                             "Q5_1",   "Q6_K",   "Q8_0",   "F16",    "bf16",   "F32"})
        EXPECT_NE(find_quant_mix(name), nullptr) << name;
    EXPECT_EQ(find_quant_mix("q4_K")->name, "Q4_K_M");
    EXPECT_EQ(find_quant_mix("Q5_K")->name, "Q5_K_M");
    EXPECT_EQ(find_quant_mix("Q3_K")->name, "Q3_K_M");
    EXPECT_EQ(find_quant_mix("Q4_K_M")->ftype, 15u);
    EXPECT_EQ(find_quant_mix("IQ4_XS")->ftype, 30u);
    EXPECT_EQ(find_quant_mix("IQ2_XXS"), nullptr); // needs an importance matrix
    EXPECT_NE(quant_mix_names().find("Q4_K_M"), std::string::npos);
}

TEST(QuantMix, Q4_K_MGivesMoreBitsWhereLlamaCppDoesAndFallsBackOnRowsOf288) {
    auto m = small_llama(288);
    ASSERT_NE(m, nullptr);
    std::vector<std::string> reports;
    auto types = choose_tensor_types(m->file, *find_quant_mix("Q4_K_M"), false,
                                     [&](const std::string& r) { reports.push_back(r); });
    ASSERT_TRUE(types.ok()) << types.status().message();
    auto t = by_name(m->file, *types);
    EXPECT_EQ(t["output.weight"], TensorType::kQ6_K);
    EXPECT_EQ(t["token_embd.weight"], TensorType::kQ4_K); // not tied: the base type
    EXPECT_EQ(t["blk.0.attn_q.weight"], TensorType::kQ4_K);
    // use_more_bits(layer, 2): the last eighth of two layers is layer 1.
    EXPECT_EQ(t["blk.0.attn_v.weight"], TensorType::kQ4_K);
    EXPECT_EQ(t["blk.1.attn_v.weight"], TensorType::kQ6_K);
    // 288 columns: q4_K falls back to q5_0, q6_K to q8_0.
    EXPECT_EQ(t["blk.0.ffn_down.weight"], TensorType::kQ5_0);
    EXPECT_EQ(t["blk.1.ffn_down.weight"], TensorType::kQ8_0);
    EXPECT_EQ(t["blk.0.attn_norm.weight"], TensorType::kF32);
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0],
              "blk.0.ffn_down.weight: 288 columns do not divide into blocks of 256 (q4_K) -> q5_0");

    // --pure: every quantized tensor in q4_K, still with the fallbacks.
    auto pure = choose_tensor_types(m->file, *find_quant_mix("Q4_K_M"), true);
    ASSERT_TRUE(pure.ok());
    auto p = by_name(m->file, *pure);
    EXPECT_EQ(p["output.weight"], TensorType::kQ4_K);
    EXPECT_EQ(p["blk.1.attn_v.weight"], TensorType::kQ4_K);
    EXPECT_EQ(p["blk.1.ffn_down.weight"], TensorType::kQ5_0);
}

TEST(QuantMix, Q2_KAndQ3_KFallBackToQ4_0AndF16WhenNot32Wide) {
    auto m = small_llama(80); // 80 = 2.5 blocks of 32
    ASSERT_NE(m, nullptr);
    std::vector<std::string> reports;
    auto types = choose_tensor_types(m->file, *find_quant_mix("Q3_K_S"), false,
                                     [&](const std::string& r) { reports.push_back(r); });
    ASSERT_TRUE(types.ok()) << types.status().message();
    auto t = by_name(m->file, *types);
    EXPECT_EQ(t["blk.0.ffn_down.weight"], TensorType::kF16);
    EXPECT_EQ(t["blk.0.ffn_up.weight"], TensorType::kQ3_K);
    ASSERT_FALSE(reports.empty());
    EXPECT_NE(reports[0].find("nor of 32"), std::string::npos) << reports[0];

    auto m96 = small_llama(96);
    ASSERT_NE(m96, nullptr);
    auto q2 = choose_tensor_types(m96->file, *find_quant_mix("Q2_K"), false);
    ASSERT_TRUE(q2.ok());
    // Q2_K's ffn_down is q3_K, which on rows of 96 becomes q4_0.
    EXPECT_EQ(by_name(m96->file, *q2)["blk.0.ffn_down.weight"], TensorType::kQ4_0);
}

TEST(QuantMix, A32ValueTypeOnRowsItCannotHoldBecomesF16) {
    auto m = small_llama(80);
    ASSERT_NE(m, nullptr);
    std::vector<std::string> reports;
    auto types = choose_tensor_types(m->file, *find_quant_mix("Q4_0"), false,
                                     [&](const std::string& r) { reports.push_back(r); });
    ASSERT_TRUE(types.ok()) << types.status().message();
    auto t = by_name(m->file, *types);
    EXPECT_EQ(t["blk.0.ffn_down.weight"], TensorType::kF16);
    EXPECT_EQ(t["blk.0.ffn_up.weight"], TensorType::kQ4_0);
    EXPECT_EQ(t["output.weight"], TensorType::kQ6_K); // Q4_0 keeps llama.cpp's q6_K output
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[0],
              "blk.0.ffn_down.weight: 80 columns do not divide into blocks of 32 (q4_0) -> f16");
    // F16 has no blocks: every matrix, whatever its width.
    auto f16 = choose_tensor_types(m->file, *find_quant_mix("F16"), false);
    ASSERT_TRUE(f16.ok());
    EXPECT_EQ(by_name(m->file, *f16)["blk.0.ffn_down.weight"], TensorType::kF16);
}

} // namespace
} // namespace edgeai::engine::convert
