// The element-wise operations against their definitions in double precision:
// SwiGLU and softmax use a polynomial exp, which must stay within a few float
// roundings of the real one over the whole range activations take.
#include "engine/ops/vector_ops.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace edgeai::engine::ops {
namespace {

TEST(VectorOps, SwigluMatchesItsDefinition) {
    std::vector<float> gate, up;
    for (float x = -100.0f; x <= 100.0f; x += 0.0137f) {
        gate.push_back(x);
        up.push_back(1.0f + 0.01f * x);
    }
    std::vector<float> got = gate;
    swiglu(got.data(), up.data(), got.size());
    for (size_t i = 0; i < gate.size(); ++i) {
        const double g = gate[i];
        const double want = g / (1.0 + std::exp(-g)) * up[i];
        EXPECT_NEAR(got[i], want, 1e-6 * std::fabs(want) + 1e-30) << "gate " << g;
    }
}

TEST(VectorOps, SoftmaxMatchesItsDefinitionAndSumsToOne) {
    std::vector<float> x;
    for (int i = 0; i < 300; ++i)
        x.push_back(std::sin(0.37f * static_cast<float>(i)) * 40.0f);
    std::vector<float> got = x;
    softmax(got.data(), got.size());
    double max = x[0], sum = 0;
    for (float v : x)
        max = std::max<double>(max, v);
    for (float v : x)
        sum += std::exp(v - max);
    double total = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        const double want = std::exp(x[i] - max) / sum;
        // x - max is rounded to float first: that alone moves exp by up to
        // |x - max| float epsilons, relatively.
        const double tolerance = want * (1e-6 + 1.2e-7 * std::fabs(x[i] - max));
        EXPECT_NEAR(got[i], want, tolerance + 1e-38) << i;
        total += got[i];
    }
    EXPECT_NEAR(total, 1.0, 1e-5);
    // A value far below the rest underflows to (nearly) nothing, not NaN.
    std::vector<float> wide = {0.0f, -1000.0f, -INFINITY};
    softmax(wide.data(), wide.size());
    EXPECT_FLOAT_EQ(wide[0], 1.0f);
    EXPECT_LT(wide[1], 1e-30f);
    EXPECT_LT(wide[2], 1e-30f);
}

TEST(VectorOps, RmsNormScalesToUnitRootMeanSquare) {
    std::vector<float> x = {3.0f, -4.0f, 0.0f, 1.0f}, w = {1.0f, 1.0f, 1.0f, 2.0f}, out(4);
    rms_norm(x.data(), w.data(), out.data(), 4, 0.0f);
    const float rms = std::sqrt((9.0f + 16.0f + 0.0f + 1.0f) / 4.0f);
    for (size_t i = 0; i < 4; ++i)
        EXPECT_FLOAT_EQ(out[i], x[i] / rms * w[i]);
}

} // namespace
} // namespace edgeai::engine::ops
