// IQ4_NL and IQ4_XS: 4-bit indices into the non-linear levels kIq4nlValues.
// The search follows llama.cpp's quantizer without an importance matrix (what
// llama-quantize runs by default), step for step, so `model quantize` writes
// the same bytes: per block of 32, a scale from the largest magnitude, then 15
// trial scales around it, keeping the weighted least-squares fit (weights x^2)
// that explains the most; IQ4_XS then stores each block's scale in 6 bits
// against the super-block's, and re-picks the levels for the stored scale.
#include "engine/kernels/blocks.h"
#include "engine/kernels/quant_rounding.h"
#include "engine/kernels/quantize.h"
#include "engine/tensor/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeai::engine::kernels {
namespace {

constexpr int kTrials = 7; // trial scales on each side of the first guess
// Blocks whose values are all below this are stored as zeros (ggml's GROUP_MAX_EPS).
constexpr float kZeroBlock = 1e-15f;

// The index of the level nearest v (levels ascending); a tie goes up.
int nearest_level(float v) {
    if (v <= kIq4nlValues[0]) return 0;
    if (v >= kIq4nlValues[15]) return 15;
    int lo = 0, hi = 15;
    while (hi - lo > 1) {
        const int mid = (lo + hi) / 2;
        if (v < kIq4nlValues[mid])
            hi = mid;
        else
            lo = mid;
    }
    return v - kIq4nlValues[hi - 1] < kIq4nlValues[hi] - v ? hi - 1 : hi;
}

// The best scale for one block of 32 (0 for an all-zero block); its levels go
// to q when the caller keeps them.
float fit_block(const float* x, uint8_t* q) {
    float amax = 0.0f, max = 0.0f;
    for (size_t i = 0; i < kBlock32; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < kZeroBlock) {
        std::memset(q, 0, kBlock32);
        return 0.0f;
    }
    // The largest magnitude on the -127 level first: the levels reach further
    // below zero than above it.
    float d = -max / kIq4nlValues[0];
    float id = 1.0f / d;
    float sum_qx = 0.0f, sum_q2 = 0.0f;
    for (size_t i = 0; i < kBlock32; ++i) {
        const int l = nearest_level(id * x[i]);
        q[i] = static_cast<uint8_t>(l);
        const float level = kIq4nlValues[l];
        const float w = x[i] * x[i];
        sum_qx += w * level * x[i];
        sum_q2 += w * level * level;
    }
    d = sum_qx / sum_q2;
    float best = d * sum_qx;
    for (int t = -kTrials; t <= kTrials; ++t) {
        id = static_cast<float>(t + kIq4nlValues[0]) / max;
        sum_qx = sum_q2 = 0.0f;
        for (size_t i = 0; i < kBlock32; ++i) {
            const float level = kIq4nlValues[nearest_level(id * x[i])];
            const float w = x[i] * x[i];
            sum_qx += w * level * x[i];
            sum_q2 += w * level * level;
        }
        // sum_qx^2 / sum_q2 is the squared error the fit removes.
        if (sum_q2 > 0.0f && sum_qx * sum_qx > best * sum_q2) {
            d = sum_qx / sum_q2;
            best = d * sum_qx;
        }
    }
    return d;
}

void levels_for_scale(const float* x, float d, uint8_t* q) {
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (size_t i = 0; i < kBlock32; ++i)
        q[i] = static_cast<uint8_t>(nearest_level(id * x[i]));
}

// 32 levels into IQ4_NL's nibble layout (value j low, j + 16 high).
void pack_nibbles(const uint8_t* q, uint8_t* qs) {
    for (size_t i = 0; i < kBlock32 / 2; ++i)
        qs[i] = static_cast<uint8_t>(q[i] | (q[i + 16] << 4));
}

} // namespace

void quantize_row_iq4_nl(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockIQ4_NL*>(out);
    uint8_t q[kBlock32];
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        const float d = fit_block(x, q);
        y[b].d = f32_to_f16(d);
        // The levels are picked again for the unrounded scale, as llama.cpp
        // does; a zero block gets the level nearest 0 (index 8), as there.
        levels_for_scale(x, d, q);
        pack_nibbles(q, y[b].qs);
    }
}

void quantize_row_iq4_xs(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockIQ4_XS*>(out);
    uint8_t q[kBlock32];
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        float scales[8];
        float max_scale = 0.0f, amax_scale = 0.0f;
        for (int j = 0; j < 8; ++j) {
            scales[j] = fit_block(x + kBlock32 * j, q);
            if (std::fabs(scales[j]) > amax_scale) {
                amax_scale = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        // Block scales as 6-bit signed multiples of d; -32 takes the largest.
        const float d = -max_scale / 32.0f;
        y[b].d = f32_to_f16(d);
        y[b].scales_h = 0;
        std::memset(y[b].scales_l, 0, sizeof(y[b].scales_l));
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        for (int j = 0; j < 8; ++j) {
            const int l = std::clamp(nearest_int(id * scales[j]), -32, 31);
            // Unlike IQ4_NL, the levels follow the scale as stored (before
            // d's rounding to half precision, as llama.cpp does).
            levels_for_scale(x + kBlock32 * j, d * static_cast<float>(l), q);
            pack_nibbles(q, y[b].qs + 16 * j);
            const auto u = static_cast<unsigned>(l + 32);
            y[b].scales_l[j / 2] =
                static_cast<uint8_t>(y[b].scales_l[j / 2] | ((u & 0xF) << (4 * (j % 2))));
            y[b].scales_h = static_cast<uint16_t>(y[b].scales_h | ((u >> 4) << (2 * j)));
        }
    }
}

} // namespace edgeai::engine::kernels
