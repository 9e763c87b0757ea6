#include "engine/ops/vector_ops.h"

#include <cmath>

namespace edgeai::engine::ops {

void rms_norm(const float* x, const float* weight, float* out, size_t n, float eps) {
    // Accumulate in double: the sum of squares of a few thousand activations
    // loses digits in float, and this runs once per row, not per weight.
    double sum = 0.0;
    for (size_t i = 0; i < n; ++i)
        sum += static_cast<double>(x[i]) * x[i];
    const auto scale = static_cast<float>(1.0 / std::sqrt(sum / static_cast<double>(n) + eps));
    for (size_t i = 0; i < n; ++i)
        out[i] = x[i] * scale * weight[i];
}

void softmax(float* x, size_t n) {
    float max = x[0];
    for (size_t i = 1; i < n; ++i)
        max = x[i] > max ? x[i] : max;
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i) {
        x[i] = std::exp(x[i] - max);
        sum += x[i];
    }
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < n; ++i)
        x[i] *= inv;
}

void swiglu(float* gate, const float* up, size_t n) {
    for (size_t i = 0; i < n; ++i)
        gate[i] = gate[i] / (1.0f + std::exp(-gate[i])) * up[i];
}

void add(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i)
        y[i] += x[i];
}

} // namespace edgeai::engine::ops
