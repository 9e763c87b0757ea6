// Sliding-window layers keep a ring of window + one pass of rows (gemma3's
// memory, as llama.cpp's SWA cache): its size, the logits it gives against a
// cache that keeps every row, and a sequence's prefix reused only while the
// ring still holds what the next token attends to.
#include "engine/convert/synth.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/kv_cache.h"
#include "engine/model/model.h"
#include "engine/model/model_config.h"
#include "engine/model/tiny_architectures.h"
#include "engine/session/runner.h"
#include "engine/test_data.h"
#include "engine/testing_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace edgeai::engine::model {
namespace {

using testing::as_bytes;

struct Gemma3 {
    std::string bytes;
    gguf::GgufFile file;
    Model model;
};

// The tiny gemma3: six layers, the first five sliding with a window of 8.
std::unique_ptr<Gemma3> tiny_gemma3() {
    auto g = std::make_unique<Gemma3>();
    for (const auto& a : testing::tiny_architectures())
        if (std::string(a.label) == "gemma3") {
            auto bytes = convert::synth_model(a.shape, TensorType::kF32, 5);
            EXPECT_TRUE(bytes.ok());
            g->bytes = std::move(*bytes);
        }
    auto file = gguf::GgufFile::parse(as_bytes(g->bytes));
    EXPECT_TRUE(file.ok());
    g->file = std::move(*file);
    auto m = Model::load(g->file);
    EXPECT_TRUE(m.ok()) << m.status().message();
    g->model = std::move(*m);
    return g;
}

std::vector<int32_t> ids(uint32_t n, uint32_t seed, uint32_t n_vocab) {
    std::vector<int32_t> out;
    for (uint32_t i = 0; i < n; ++i)
        out.push_back(static_cast<int32_t>((seed + 97 * i + 13 * i * i) % n_vocab));
    return out;
}

TEST(SlidingWindowCache, SlidingLayersKeepTheWindowAndOnePass) {
    auto g = tiny_gemma3();
    const ModelConfig& c = g->model.config();
    ASSERT_EQ(c.sliding_window, 8u);
    const uint64_t row = KvCache::bytes_needed(c, 1, KvType::kF32) / (2 * c.n_layer);
    // 5 sliding layers of 8 + 4 rows, 1 global layer of 256, keys and values.
    EXPECT_EQ(KvCache::bytes_needed(c, 256, KvType::kF32, 4), row * 2 * (5 * 12 + 256));
    EXPECT_EQ(KvCache::bytes_needed(c, 256, KvType::kF32), row * 2 * 6 * 256);
    // Never more rows than the context.
    EXPECT_EQ(KvCache::bytes_needed(c, 10, KvType::kF32, 4), row * 2 * 6 * 10);
    KvCache ring(c, 256, KvType::kF32, 4);
    EXPECT_EQ(ring.bytes(), row * 2 * (5 * 12 + 256));
    EXPECT_EQ(ring.key(0, 12), ring.key(0, 0)) << "position 12 takes row 0 of the ring";
    EXPECT_NE(ring.key(5, 12), ring.key(5, 0)) << "the global layer keeps every row";
}

TEST(SlidingWindowCache, TheRingGivesTheLogitsOfAWholeCacheWithEveryTable) {
    auto g = tiny_gemma3();
    const uint32_t n_vocab = g->model.config().n_vocab;
    const std::vector<int32_t> prompt = ids(60, 3, n_vocab); // wraps a 12-row ring 4 times
    for (const kernels::KernelTable* table : kernels::usable_kernels()) {
        SCOPED_TRACE(table->name);
        SerialPool pool;
        KvCache whole(g->model.config(), 64, KvType::kF16);
        KvCache ring(g->model.config(), 64, KvType::kF16, 4);
        Forward forward(g->model, pool, *table, 4, 64);
        std::vector<float> a(n_vocab), b(n_vocab);
        for (uint32_t start = 0; start < prompt.size(); start += 4) {
            std::vector<BatchToken> on_whole, on_ring;
            for (uint32_t i = start; i < start + 4; ++i) {
                on_whole.push_back({&whole, prompt[i], i, i == start + 3});
                on_ring.push_back({&ring, prompt[i], i, i == start + 3});
            }
            ASSERT_TRUE(forward.decode(on_whole, a.data()).ok());
            ASSERT_TRUE(forward.decode(on_ring, b.data()).ok());
            for (uint32_t v = 0; v < n_vocab; ++v)
                ASSERT_EQ(a[v], b[v]) << "position " << start + 3 << ", token " << v;
        }
        // A pass larger than the ring was sized for is refused, not wrapped.
        std::vector<BatchToken> five;
        for (uint32_t i = 0; i < 5; ++i)
            five.push_back({&ring, prompt[i], 60 + i, i == 4});
        Forward wide(g->model, pool, *table, 8, 64);
        const core::Status st = wide.decode(five, b.data());
        EXPECT_FALSE(st.ok());
        EXPECT_NE(st.message().find("step of 4"), std::string::npos) << st.message();
    }
}

// The runner keeps the common prefix of its last sequence when the ring
// still holds the positions the next token attends to, and starts again
// otherwise; either way the logits are a fresh sequence's.
TEST(SlidingWindowCache, APrefixIsReusedOnlyWhileTheRingHoldsItsWindow) {
    auto g = tiny_gemma3();
    const uint32_t n_vocab = g->model.config().n_vocab;
    SerialPool pool;
    const kernels::KernelTable& table = kernels::best_kernels();
    const std::vector<int32_t> first = ids(40, 7, n_vocab);
    auto fresh_logits = [&](const std::vector<int32_t>& prompt) {
        session::Runner fresh(g->model, pool, table, 64, KvType::kF32, 4);
        EXPECT_TRUE(fresh.prefill(prompt).ok());
        return std::vector<float>(fresh.logits().begin(), fresh.logits().end());
    };
    struct Case {
        uint32_t kept; // tokens of `first` the next prompt shares
        uint32_t reused;
    };
    // 40 positions written, ring of 12: rows hold positions 28..39. Going on
    // at 35 needs 28..34 (kept); at 34, 27..33 (27 is overwritten: start
    // again).
    for (Case c : {Case{38, 38}, Case{35, 35}, Case{34, 0}, Case{30, 0}, Case{5, 0}}) {
        SCOPED_TRACE(c.kept);
        session::Runner runner(g->model, pool, table, 64, KvType::kF32, 4);
        ASSERT_TRUE(runner.prefill(first).ok());
        std::vector<int32_t> next(first.begin(), first.begin() + c.kept);
        for (int32_t t : ids(6, 11, n_vocab))
            next.push_back(t);
        ASSERT_TRUE(runner.prefill(next).ok());
        EXPECT_EQ(runner.reused(), c.reused);
        const std::vector<float> want = fresh_logits(next);
        for (uint32_t v = 0; v < n_vocab; ++v)
            ASSERT_NEAR(runner.logits()[v], want[v], 1e-4f) << v;
    }
}

} // namespace
} // namespace edgeai::engine::model
