// The forward pass against llama.cpp's logits for the ktiny reference models
// (../shared/data/ktiny: the same random-weight llama model in every weight
// type, 31 forced tokens), and the properties that make batching safe: a
// prompt fed as one batch, token by token, or interleaved with another
// sequence gives the same logits.
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/runtime/worker_pool.h"
#include "engine/test_data.h"
#include "engine/testing_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace edgeai::engine::model {
namespace {

using testing::as_bytes;
using testing::as_floats;
using testing::read_file;
using testing::shared_data;

const std::vector<int32_t> kForcedIds = {1,   403, 407, 261, 378, 432, 383, 286, 261, 376, 298,
                                         315, 421, 395, 317, 426, 338, 401, 396, 267, 337, 410,
                                         408, 419, 292, 411, 322, 265, 282, 295, 433};
constexpr uint32_t kVocab = 512;

struct Loaded {
    std::string bytes;
    gguf::GgufFile file;
    Model model;
};

// Null (and a skip message) when the reference data is absent.
std::unique_ptr<Loaded> load_ktiny(const std::string& type) {
    std::string bytes = read_file(shared_data("ktiny/ktiny-" + type + ".gguf"));
    if (bytes.empty()) return nullptr;
    auto holder = std::unique_ptr<Loaded>(new Loaded{std::move(bytes), {}, {}});
    auto file = gguf::GgufFile::parse(as_bytes(holder->bytes));
    EXPECT_TRUE(file.ok()) << file.status().message();
    if (!file.ok()) return nullptr;
    holder->file = std::move(*file);
    auto model = Model::load(holder->file);
    EXPECT_TRUE(model.ok()) << model.status().message();
    if (!model.ok()) return nullptr;
    holder->model = std::move(*model);
    return holder;
}

std::vector<float> run_batch(const Model& model, WorkerPool& pool,
                             const kernels::KernelTable& table, KvType kv_type) {
    KvCache cache(model.config(), 64, kv_type);
    Forward forward(model, pool, table, 64, 64);
    std::vector<BatchToken> batch;
    for (size_t i = 0; i < kForcedIds.size(); ++i)
        batch.push_back({&cache, kForcedIds[i], static_cast<uint32_t>(i), true});
    std::vector<float> logits(kForcedIds.size() * kVocab);
    core::Status st = forward.decode(batch, logits.data());
    EXPECT_TRUE(st.ok()) << st.message();
    return logits;
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    float worst = 0;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i)
        worst = std::max(worst, std::fabs(a[i] - b[i]));
    return worst;
}

struct RefCase {
    const char* type;
    float tolerance;
};

class KtinyLogits : public ::testing::TestWithParam<RefCase> {};

TEST_P(KtinyLogits, MatchLlamaCppWithEveryKernelTable) {
    const RefCase c = GetParam();
    auto loaded = load_ktiny(c.type);
    if (!loaded) GTEST_SKIP() << "../shared/data/ktiny is absent; reference logits not compared";
    const auto want = as_floats(
        read_file(shared_data(std::string("ktiny/ktiny-") + c.type + ".forced.logits.f32")));
    ASSERT_EQ(want.size(), kForcedIds.size() * kVocab);
    SerialPool pool;
    for (const kernels::KernelTable* table : kernels::usable_kernels()) {
        const auto got = run_batch(loaded->model, pool, *table, KvType::kF32);
        EXPECT_LE(max_abs_diff(got, want), c.tolerance) << c.type << " with " << table->name;
    }
}

// The same with the weights repacked for the matrix kernels: tables that have
// one read the packed copy, the others the file's rows.
TEST_P(KtinyLogits, MatchLlamaCppWithPackedWeights) {
    const RefCase c = GetParam();
    auto loaded = load_ktiny(c.type);
    if (!loaded) GTEST_SKIP() << "../shared/data/ktiny is absent; reference logits not compared";
    const auto want = as_floats(
        read_file(shared_data(std::string("ktiny/ktiny-") + c.type + ".forced.logits.f32")));
    auto packed = loaded->model.pack_weights(kernels::scalar_kernels());
    ASSERT_TRUE(packed.ok()) << packed.status().message();
    const std::string type = c.type;
    EXPECT_EQ(*packed > 0, type == "q4_0" || type == "q8_0" || type == "q4_k" || type == "q5_k" ||
                               type == "q6_k");
    SerialPool pool;
    for (const kernels::KernelTable* table : kernels::usable_kernels()) {
        const auto got = run_batch(loaded->model, pool, *table, KvType::kF32);
        EXPECT_LE(max_abs_diff(got, want), c.tolerance) << c.type << " with " << table->name;
    }
}

INSTANTIATE_TEST_SUITE_P(Types, KtinyLogits,
                         ::testing::Values(RefCase{"f32", 1e-3f}, RefCase{"f16", 0.15f},
                                           RefCase{"q8_0", 0.15f}, RefCase{"q4_0", 0.15f},
                                           RefCase{"q4_k", 0.15f}, RefCase{"q5_k", 0.15f},
                                           RefCase{"q6_k", 0.15f}),
                         [](const auto& param_info) { return std::string(param_info.param.type); });

TEST(Forward, BatchTokenByTokenAndThreadedRunsAgree) {
    auto loaded = load_ktiny("q4_k");
    if (!loaded) GTEST_SKIP() << "../shared/data/ktiny is absent";
    const Model& model = loaded->model;
    SerialPool serial;
    const auto& table = kernels::best_kernels();
    const auto batched = run_batch(model, serial, table, KvType::kF32);

    KvCache cache(model.config(), 64, KvType::kF32);
    Forward forward(model, serial, table, 1, 64);
    std::vector<float> stepwise;
    std::vector<float> row(kVocab);
    for (size_t i = 0; i < kForcedIds.size(); ++i) {
        BatchToken t{&cache, kForcedIds[i], static_cast<uint32_t>(i), true};
        ASSERT_TRUE(forward.decode({&t, 1}, row.data()).ok());
        stepwise.insert(stepwise.end(), row.begin(), row.end());
    }
    EXPECT_LE(max_abs_diff(batched, stepwise), 1e-4f);

#if !defined(__wasi__)
    testing::ThreadedPool threaded(3);
    EXPECT_LE(max_abs_diff(batched, run_batch(model, threaded, table, KvType::kF32)), 1e-5f);
#endif
    // An f16 cache stays within the band the quantized types keep (this random
    // model amplifies rounding: f16 keys move logits of ~4 by up to 0.1).
    EXPECT_LE(max_abs_diff(batched, run_batch(model, serial, table, KvType::kF16)), 0.15f);
}

TEST(Forward, SequencesInOneBatchDoNotSeeEachOther) {
    auto loaded = load_ktiny("q8_0");
    if (!loaded) GTEST_SKIP() << "../shared/data/ktiny is absent";
    const Model& model = loaded->model;
    SerialPool pool;
    const auto& table = kernels::best_kernels();
    const auto alone = run_batch(model, pool, table, KvType::kF32);

    // Sequence A is the forced ids, B the same ids reversed; fed interleaved.
    KvCache a(model.config(), 64, KvType::kF32), b(model.config(), 64, KvType::kF32);
    Forward forward(model, pool, table, 8, 64);
    std::vector<float> from_a;
    std::vector<float> logits(2 * kVocab);
    for (size_t i = 0; i < kForcedIds.size(); ++i) {
        const BatchToken batch[2] = {
            {&a, kForcedIds[i], static_cast<uint32_t>(i), true},
            {&b, kForcedIds[kForcedIds.size() - 1 - i], static_cast<uint32_t>(i), true}};
        ASSERT_TRUE(forward.decode(batch, logits.data()).ok());
        from_a.insert(from_a.end(), logits.begin(), logits.begin() + kVocab);
    }
    EXPECT_LE(max_abs_diff(alone, from_a), 1e-4f);
}

TEST(Forward, RefusesBadTokensPositionsAndBatches) {
    auto loaded = load_ktiny("q8_0");
    if (!loaded) GTEST_SKIP() << "../shared/data/ktiny is absent";
    SerialPool pool;
    KvCache cache(loaded->model.config(), 4, KvType::kF32);
    Forward forward(loaded->model, pool, kernels::best_kernels(), 2, 4);
    std::vector<float> logits(3 * kVocab);
    BatchToken bad_token{&cache, 512, 0, true};
    EXPECT_NE(
        forward.decode({&bad_token, 1}, logits.data()).message().find("outside the vocabulary"),
        std::string::npos);
    BatchToken negative{&cache, -1, 0, true};
    EXPECT_FALSE(forward.decode({&negative, 1}, logits.data()).ok());
    BatchToken past{&cache, 1, 4, true};
    EXPECT_NE(forward.decode({&past, 1}, logits.data()).message().find("past the context"),
              std::string::npos);
    BatchToken three[3] = {{&cache, 1, 0, true}, {&cache, 1, 1, true}, {&cache, 1, 2, true}};
    EXPECT_NE(forward.decode(three, logits.data()).message().find("exceeds"), std::string::npos);
}

TEST(Model, ReadsTheReferenceConfiguration) {
    auto loaded = load_ktiny("f32");
    if (!loaded) GTEST_SKIP() << "../shared/data/ktiny is absent";
    const ModelConfig& c = loaded->model.config();
    EXPECT_EQ(c.n_embd, 256u);
    EXPECT_EQ(c.n_layer, 2u);
    EXPECT_EQ(c.n_head, 4u);
    EXPECT_EQ(c.n_head_kv, 2u);
    EXPECT_EQ(c.n_ff, 768u);
    EXPECT_EQ(c.n_vocab, 512u);
    EXPECT_EQ(c.head_dim, 64u);
}

} // namespace
} // namespace edgeai::engine::model
