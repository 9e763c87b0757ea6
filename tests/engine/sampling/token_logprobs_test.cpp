#include "engine/sampling/token_logprobs.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace edgeai::engine::sampling {
namespace {

TEST(TokenLogprobs, LogSumExpIsStableAndIgnoresMaskedLogits) {
    const float inf = std::numeric_limits<float>::infinity();
    const std::vector<float> logits = {1000.0f, 1000.0f, -inf};
    EXPECT_NEAR(log_sum_exp(logits), 1000.0f + std::log(2.0f), 1e-3);
    const std::vector<float> masked = {-inf, -inf};
    EXPECT_EQ(log_sum_exp(masked), -inf);
}

TEST(TokenLogprobs, TopKAreMostLikelyFirstWithLowerIdsWinningTies) {
    const std::vector<float> logits = {0.5f, 3.0f, 1.0f, 3.0f, -2.0f, 2.0f};
    const float z = log_sum_exp(logits);
    const auto top = top_logprobs(logits, z, 4);
    ASSERT_EQ(top.size(), 4u);
    EXPECT_EQ(top[0].token, 1);
    EXPECT_EQ(top[1].token, 3);
    EXPECT_EQ(top[2].token, 5);
    EXPECT_EQ(top[3].token, 2);
    EXPECT_FLOAT_EQ(top[2].logprob, 2.0f - z);
    double total = 0;
    for (const float l : logits)
        total += std::exp(static_cast<double>(l - z));
    EXPECT_NEAR(total, 1.0, 1e-6);
    EXPECT_TRUE(top_logprobs(logits, z, 0).empty());
    EXPECT_EQ(top_logprobs(logits, z, 20).size(), logits.size());
}

} // namespace
} // namespace edgeai::engine::sampling
