#include "engine/ops/vector_ops.h"

#include "engine/tensor/half.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace edgeai::engine::ops {
namespace {

// x = exp(x) in place, within about 2e-7 relative, in loops without calls or
// branches that vectorise (libm's expf is a call per value, a tenth of a
// prompt pass in SwiGLU alone). x = k ln2 + r with |r| <= ln2 / 2 (ln2 split
// in two so k ln2 is exact), then 2^k * a degree-6 polynomial for exp(r).
// Inputs are first clamped to where 2^k is a normal float, in a loop of their
// own: GCC turns a clamp inside the arithmetic into two copies of it, one of
// which makes denormals (and a slow assist per vector) on every value. A NaN
// (from a file whose weights hold one) clamps to the bottom too: converting it
// to an integer below would be undefined.
void exp_in_place(float* x, size_t n) {
    for (size_t i = 0; i < n; ++i)
        x[i] = x[i] >= -87.0f ? (x[i] > 88.0f ? 88.0f : x[i]) : -87.0f;
    constexpr float kRound = 12582912.0f; // 1.5 * 2^23: adding it rounds to an integer
    for (size_t i = 0; i < n; ++i) {
        const float k = (x[i] * 1.44269504f + kRound) - kRound;
        const float r = (x[i] - k * 0.693359375f) - k * -2.12194440e-4f;
        float p = 1.0f / 720.0f;
        p = p * r + 1.0f / 120.0f;
        p = p * r + 1.0f / 24.0f;
        p = p * r + 1.0f / 6.0f;
        p = p * r + 0.5f;
        p = p * r + 1.0f;
        p = p * r + 1.0f;
        const uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(k) + 127) << 23;
        float scale;
        std::memcpy(&scale, &bits, sizeof scale);
        x[i] = p * scale;
    }
}

} // namespace

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
    for (size_t i = 0; i < n; ++i)
        x[i] -= max;
    exp_in_place(x, n);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i)
        sum += x[i];
    const float inv = 1.0f / sum;
    for (size_t i = 0; i < n; ++i)
        x[i] *= inv;
}

void swiglu(float* gate, const float* up, size_t n) {
    constexpr size_t kChunk = 256; // exp(-gate) of a chunk on the stack
    float e[kChunk];
    for (size_t i0 = 0; i0 < n; i0 += kChunk) {
        const size_t m = n - i0 < kChunk ? n - i0 : kChunk;
        float* g = gate + i0;
        for (size_t i = 0; i < m; ++i)
            e[i] = -g[i];
        exp_in_place(e, m);
        for (size_t i = 0; i < m; ++i)
            g[i] = g[i] / (1.0f + e[i]) * up[i0 + i];
    }
}

namespace {

// GELU (tanh approximation) of every half-precision input, as half bits: the
// inputs are rounded to f16 and so are the results (as llama.cpp's CPU table,
// ggml_table_gelu_f16, does), so a 128 KB table indexed by the input's bits
// gives exactly what computing each value would. Built once, on first use;
// libm's tanhf per value was a quarter of a gemma3 prompt pass.
struct GeluF16Table {
    uint16_t values[65536];
    GeluF16Table() {
        constexpr float kSqrt2OverPi = 0.79788456080286535587989211986876f;
        constexpr float kCoefA = 0.044715f;
        for (uint32_t bits = 0; bits < 65536; ++bits) {
            const float h = f16_to_f32(static_cast<uint16_t>(bits));
            const float gelu =
                0.5f * h * (1.0f + std::tanh(kSqrt2OverPi * h * (1.0f + kCoefA * h * h)));
            values[bits] = f32_to_f16(gelu);
        }
    }
};

const uint16_t* gelu_f16_table() {
    static const GeluF16Table table;
    return table.values;
}

} // namespace

void geglu_tanh(float* gate, const float* up, size_t n) {
    const uint16_t* gelu = gelu_f16_table();
    for (size_t i = 0; i < n; ++i) {
        const float x = gate[i];
        float g;
        if (x <= -10.0f)
            g = 0.0f;
        else if (x >= 10.0f)
            g = x;
        else
            g = f16_to_f32(gelu[f32_to_f16(x)]);
        gate[i] = g * up[i];
    }
}

void add(float* y, const float* x, size_t n) {
    for (size_t i = 0; i < n; ++i)
        y[i] += x[i];
}

} // namespace edgeai::engine::ops
