// Q2_K and Q3_K as llama.cpp's reference quantizer writes them (what
// llama-quantize runs without an importance matrix), step for step, so
// `model quantize` writes the same bytes. Both fit each sub-block of 16 on its
// own, store the sub-block scales in 4 or 6 bits against the super-block's,
// and then pick every value's level again for the scale actually stored.
#include "engine/kernels/blocks.h"
#include "engine/kernels/quant_rounding.h"
#include "engine/kernels/quantize.h"
#include "engine/kernels/quantize_fit.h"
#include "engine/tensor/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeai::engine::kernels {
namespace {

constexpr int kSub = 16; // values per sub-block

// Fits x ≈ scale * l with l in -levels..levels-1 (stored as l + levels in L):
// the first largest magnitude sets the grid, then up to five rounds move single
// values to the level that most improves the x^2-weighted fit.
float fit_symmetric_refined(const float* x, int levels, int8_t* L) {
    float amax = 0, max = 0;
    for (int i = 0; i < kSub; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < kZeroGroup) {
        std::memset(L, 0, kSub);
        return 0.0f;
    }
    const float iscale = static_cast<float>(-levels) / max;
    float sum_lx = 0, sum_l2 = 0;
    for (int i = 0; i < kSub; ++i) {
        const int l = std::clamp(nearest_int(iscale * x[i]), -levels, levels - 1);
        L[i] = static_cast<int8_t>(l);
        const float w = x[i] * x[i];
        sum_lx += w * x[i] * static_cast<float>(l);
        sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
    }
    for (int round = 0; round < 5; ++round) {
        int changed = 0;
        for (int i = 0; i < kSub; ++i) {
            const float w = x[i] * x[i];
            float slx = sum_lx - w * x[i] * static_cast<float>(L[i]);
            if (!(slx > 0)) continue;
            float sl2 = sum_l2 - w * static_cast<float>(L[i]) * static_cast<float>(L[i]);
            const int l = std::clamp(nearest_int(x[i] * sl2 / slx), -levels, levels - 1);
            if (l == L[i]) continue;
            slx += w * x[i] * static_cast<float>(l);
            sl2 += w * static_cast<float>(l) * static_cast<float>(l);
            // Keep the move when it explains more: slx^2 / sl2 grows.
            if (sl2 > 0 && slx * slx * sum_l2 > sum_lx * sum_lx * sl2) {
                L[i] = static_cast<int8_t>(l);
                sum_lx = slx;
                sum_l2 = sl2;
                ++changed;
            }
        }
        if (changed == 0) break;
    }
    for (int i = 0; i < kSub; ++i)
        L[i] = static_cast<int8_t>(L[i] + levels);
    return sum_l2 > 0.0f ? sum_lx / sum_l2 : 0.0f;
}

// Packs 256 two-bit levels: values l, l+32, l+64, l+96 of each half share a byte.
void pack_2_bits(const uint8_t* L, uint8_t* qs) {
    for (int half = 0; half < 2; ++half) {
        const uint8_t* q = L + 128 * half;
        for (int l = 0; l < 32; ++l)
            qs[32 * half + l] =
                static_cast<uint8_t>(q[l] | (q[l + 32] << 2) | (q[l + 64] << 4) | (q[l + 96] << 6));
    }
}

} // namespace

void quantize_row_q2_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ2_K*>(out);
    constexpr float kScaleLevels = 15.0f; // scales and mins are 4 bits
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        uint8_t L[kBlockK];
        float scales[16], mins[16];
        float max_scale = 0, max_min = 0;
        for (int j = 0; j < 16; ++j) {
            float w[kSub];
            for (int i = 0; i < kSub; ++i)
                w[i] = std::fabs(x[kSub * j + i]);
            scales[j] = fit_affine_grid(kSub, 3, x + kSub * j, w, -0.5f, 0.1f, 15, /*use_mad=*/true,
                                        L + kSub * j, &mins[j]);
            max_scale = std::max(max_scale, scales[j]);
            max_min = std::max(max_min, mins[j]);
        }
        std::memset(y[b].scales, 0, sizeof(y[b].scales));
        y[b].d = 0;
        y[b].dmin = 0;
        if (max_scale > 0) {
            const float iscale = kScaleLevels / max_scale;
            for (int j = 0; j < 16; ++j)
                y[b].scales[j] = static_cast<uint8_t>(nearest_int(iscale * scales[j]));
            y[b].d = f32_to_f16(max_scale / kScaleLevels);
        }
        if (max_min > 0) {
            const float iscale = kScaleLevels / max_min;
            for (int j = 0; j < 16; ++j)
                y[b].scales[j] =
                    static_cast<uint8_t>(y[b].scales[j] | (nearest_int(iscale * mins[j]) << 4));
            y[b].dmin = f32_to_f16(max_min / kScaleLevels);
        }
        for (int j = 0; j < 16; ++j) {
            const float d = f16_to_f32(y[b].d) * static_cast<float>(y[b].scales[j] & 0xF);
            if (d == 0.0f) continue;
            const float dm = f16_to_f32(y[b].dmin) * static_cast<float>(y[b].scales[j] >> 4);
            for (int i = 0; i < kSub; ++i)
                L[kSub * j + i] =
                    static_cast<uint8_t>(std::clamp(nearest_int((x[kSub * j + i] + dm) / d), 0, 3));
        }
        pack_2_bits(L, y[b].qs);
    }
}

void quantize_row_q3_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ3_K*>(out);
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        int8_t L[kBlockK];
        float scales[16];
        float max_scale = 0, amax = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = fit_symmetric_refined(x + kSub * j, 4, L + kSub * j);
            if (std::fabs(scales[j]) > amax) {
                amax = std::fabs(scales[j]);
                max_scale = scales[j];
            }
        }
        std::memset(y[b].scales, 0, sizeof(y[b].scales));
        y[b].d = 0;
        if (max_scale != 0.0f) {
            const float iscale = -32.0f / max_scale;
            for (int j = 0; j < 16; ++j) {
                const int l = std::clamp(nearest_int(iscale * scales[j]), -32, 31) + 32;
                if (j < 8)
                    y[b].scales[j] = static_cast<uint8_t>(l & 0xF);
                else
                    y[b].scales[j - 8] =
                        static_cast<uint8_t>(y[b].scales[j - 8] | ((l & 0xF) << 4));
                y[b].scales[8 + j % 4] =
                    static_cast<uint8_t>(y[b].scales[8 + j % 4] | ((l >> 4) << (2 * (j / 4))));
            }
            y[b].d = f32_to_f16(1 / iscale);
        }
        for (int j = 0; j < 16; ++j) {
            const float d = f16_to_f32(y[b].d) * static_cast<float>(q3_k_scale(y[b].scales, j));
            if (d == 0.0f) continue;
            for (int i = 0; i < kSub; ++i)
                L[kSub * j + i] =
                    static_cast<int8_t>(std::clamp(nearest_int(x[kSub * j + i] / d), -4, 3) + 4);
        }
        // Bit 2 of value i goes to bit i / 32 of hmask[i % 32].
        std::memset(y[b].hmask, 0, sizeof(y[b].hmask));
        uint8_t low[kBlockK];
        for (int i = 0; i < static_cast<int>(kBlockK); ++i) {
            if (L[i] > 3)
                y[b].hmask[i % 32] = static_cast<uint8_t>(y[b].hmask[i % 32] | (1u << (i / 32)));
            low[i] = static_cast<uint8_t>(L[i] & 3);
        }
        pack_2_bits(low, y[b].qs);
    }
}

} // namespace edgeai::engine::kernels
