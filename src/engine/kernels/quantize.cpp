#include "engine/kernels/quantize.h"

#include "engine/kernels/blocks.h"
#include "engine/kernels/quant_rounding.h"
#include "engine/kernels/quantize_fit.h"
#include "engine/tensor/half.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeai::engine::kernels {
namespace {

// The value of largest magnitude, with its sign.
float signed_absmax(const float* x, size_t n) {
    float best = 0.0f;
    for (size_t i = 0; i < n; ++i)
        if (std::fabs(x[i]) > std::fabs(best)) best = x[i];
    return best;
}

// Packs the 6-bit scale and min of sub-block j into a Q4_K/Q5_K scales array.
void pack_scale_min_k4(uint8_t* scales, int j, uint8_t scale, uint8_t min) {
    if (j < 4) {
        scales[j] = static_cast<uint8_t>((scales[j] & 0xC0) | scale);
        scales[j + 4] = static_cast<uint8_t>((scales[j + 4] & 0xC0) | min);
    } else {
        scales[j + 4] = static_cast<uint8_t>((scale & 0xF) | ((min & 0xF) << 4));
        scales[j - 4] = static_cast<uint8_t>((scales[j - 4] & 0x3F) | ((scale >> 4) << 6));
        scales[j] = static_cast<uint8_t>((scales[j] & 0x3F) | ((min >> 4) << 6));
    }
}

// The shared part of Q4_K and Q5_K, as llama.cpp's reference quantizer does
// it: per sub-block of 32 an affine fit weighted by rms + |x| (the grids
// differ: rmin, nstep), scales and mins quantized to 6 bits against the
// super-block's largest, then the values requantized with the scales actually
// stored. Writes levels into q[256].
void quantize_k_affine(const float* x, int levels, float rmin, int nstep, uint16_t* d_out,
                       uint16_t* dmin_out, uint8_t* scales, uint8_t* q) {
    float sub_scale[8], sub_min[8];
    float max_scale = 0.0f, max_min = 0.0f;
    for (int j = 0; j < 8; ++j) {
        const float* xs = x + 32 * j;
        float sum_x2 = 0;
        for (int i = 0; i < 32; ++i)
            sum_x2 += xs[i] * xs[i];
        const float av_x = std::sqrt(sum_x2 / 32);
        float w[32];
        for (int i = 0; i < 32; ++i)
            w[i] = av_x + std::fabs(xs[i]);
        sub_scale[j] = fit_affine_grid(32, levels, xs, w, rmin, 0.1f, nstep, /*use_mad=*/false,
                                       q + 32 * j, &sub_min[j]);
        if (sub_scale[j] > max_scale) max_scale = sub_scale[j];
        if (sub_min[j] > max_min) max_min = sub_min[j];
    }
    const float inv_scale = max_scale > 0 ? 63.0f / max_scale : 0.0f;
    const float inv_min = max_min > 0 ? 63.0f / max_min : 0.0f;
    std::memset(scales, 0, 12);
    for (int j = 0; j < 8; ++j) {
        // uint8_t first, as llama.cpp stores them, then clamped.
        const auto ls = static_cast<uint8_t>(nearest_int(inv_scale * sub_scale[j]));
        const auto lm = static_cast<uint8_t>(nearest_int(inv_min * sub_min[j]));
        pack_scale_min_k4(scales, j, std::min<uint8_t>(63, ls), std::min<uint8_t>(63, lm));
    }
    *d_out = f32_to_f16(max_scale / 63.0f);
    *dmin_out = f32_to_f16(max_min / 63.0f);
    for (int j = 0; j < 8; ++j) {
        uint8_t ls, lm;
        unpack_scale_min_k4(scales, j, &ls, &lm);
        const float d = f16_to_f32(*d_out) * static_cast<float>(ls);
        if (d == 0.0f) continue;
        const float dm = f16_to_f32(*dmin_out) * static_cast<float>(lm);
        for (int i = 0; i < 32; ++i)
            q[32 * j + i] =
                static_cast<uint8_t>(std::clamp(nearest_int((x[32 * j + i] + dm) / d), 0, levels));
    }
}

} // namespace

void quantize_row_q8_0(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        float amax = 0.0f;
        for (size_t i = 0; i < kBlock32; ++i)
            amax = std::max(amax, std::fabs(x[i]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        for (size_t i = 0; i < kBlock32; ++i)
            y[b].qs[i] = static_cast<int8_t>(nearest_int(x[i] * id));
    }
}

// Weights written to files round half away from zero, as llama-quantize does,
// so `model quantize` writes the same blocks; activations (above) round half
// to even like the SIMD rounding instructions.
void quantize_row_q8_0_weights(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        float amax = 0.0f;
        for (size_t i = 0; i < kBlock32; ++i)
            amax = std::max(amax, std::fabs(x[i]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        for (size_t i = 0; i < kBlock32; ++i)
            y[b].qs[i] = static_cast<int8_t>(std::lround(x[i] * id));
    }
}

void quantize_row_q8_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        const float max = signed_absmax(x, kBlockK);
        if (max == 0.0f) {
            std::memset(&y[b], 0, sizeof(BlockQ8_K));
            continue;
        }
        // -127/max rather than -128/max, as llama.cpp does: values stay in
        // [-127, 127], which keeps our activations (and so our logits) the
        // same as llama.cpp's reference outputs.
        const float iscale = -127.0f / max;
        for (size_t i = 0; i < kBlockK; ++i)
            y[b].qs[i] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[i])));
        for (size_t g = 0; g < kBlockK / 16; ++g) {
            int sum = 0;
            for (size_t i = 0; i < 16; ++i)
                sum += y[b].qs[16 * g + i];
            y[b].bsums[g] = static_cast<int16_t>(sum);
        }
        y[b].d = 1.0f / iscale;
    }
}

void quantize_row_q4_0(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ4_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        const float max = signed_absmax(x, kBlock32);
        const float d = max / -8.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        for (size_t i = 0; i < kBlock32 / 2; ++i) {
            const int lo = std::min(15, static_cast<int>(x[i] * id + 8.5f));
            const int hi = std::min(15, static_cast<int>(x[i + 16] * id + 8.5f));
            y[b].qs[i] = static_cast<uint8_t>(lo | (hi << 4));
        }
    }
}

void quantize_row_q4_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ4_K*>(out);
    uint8_t q[kBlockK];
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        quantize_k_affine(x, 15, -1.0f, 20, &y[b].d, &y[b].dmin, y[b].scales, q);
        for (size_t chunk = 0; chunk < 4; ++chunk)
            for (size_t l = 0; l < 32; ++l)
                y[b].qs[32 * chunk + l] =
                    static_cast<uint8_t>(q[64 * chunk + l] | (q[64 * chunk + 32 + l] << 4));
    }
}

void quantize_row_q5_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ5_K*>(out);
    uint8_t q[kBlockK];
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        quantize_k_affine(x, 31, -0.5f, 15, &y[b].d, &y[b].dmin, y[b].scales, q);
        std::memset(y[b].qh, 0, sizeof(y[b].qh));
        for (size_t chunk = 0; chunk < 4; ++chunk) {
            for (size_t l = 0; l < 32; ++l) {
                const uint8_t lo = q[64 * chunk + l], hi = q[64 * chunk + 32 + l];
                y[b].qs[32 * chunk + l] = static_cast<uint8_t>((lo & 0xF) | ((hi & 0xF) << 4));
                if (lo & 16) y[b].qh[l] = static_cast<uint8_t>(y[b].qh[l] | (1u << (2 * chunk)));
                if (hi & 16) y[b].qh[l] = static_cast<uint8_t>(y[b].qh[l] | (2u << (2 * chunk)));
            }
        }
    }
}

void quantize_row_q6_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ6_K*>(out);
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        int8_t L[kBlockK];
        float sub_scale[16];
        float max_scale = 0.0f, amax_scale = 0.0f;
        for (int j = 0; j < 16; ++j) {
            sub_scale[j] = fit_symmetric_grid(16, 32, x + 16 * j, L + 16 * j);
            if (std::fabs(sub_scale[j]) > amax_scale) {
                amax_scale = std::fabs(sub_scale[j]);
                max_scale = sub_scale[j];
            }
        }
        std::memset(&y[b], 0, sizeof(BlockQ6_K));
        if (amax_scale < kZeroGroup) continue;
        // The largest scale on -128: 8-bit signed scales against one d.
        const float iscale = -128.0f / max_scale;
        y[b].d = f32_to_f16(1 / iscale);
        for (int j = 0; j < 16; ++j)
            y[b].scales[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * sub_scale[j])));
        for (int j = 0; j < 16; ++j) {
            const float d = f16_to_f32(y[b].d) * static_cast<float>(y[b].scales[j]);
            if (d == 0.0f) continue;
            for (int i = 0; i < 16; ++i)
                L[16 * j + i] =
                    static_cast<int8_t>(std::clamp(nearest_int(x[16 * j + i] / d), -32, 31) + 32);
        }
        for (size_t half = 0; half < 2; ++half) {
            uint8_t* ql = y[b].ql + 64 * half;
            uint8_t* qh = y[b].qh + 32 * half;
            const int8_t* qq = L + 128 * half;
            for (size_t l = 0; l < 32; ++l) {
                const int q1 = qq[l], q2 = qq[l + 32], q3 = qq[l + 64], q4 = qq[l + 96];
                ql[l] = static_cast<uint8_t>((q1 & 0xF) | ((q3 & 0xF) << 4));
                ql[l + 32] = static_cast<uint8_t>((q2 & 0xF) | ((q4 & 0xF) << 4));
                qh[l] = static_cast<uint8_t>((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) |
                                             ((q4 >> 4) << 6));
            }
        }
    }
}

void quantize_row_f16(const float* x, void* out, size_t n) {
    auto* y = static_cast<uint16_t*>(out);
    for (size_t i = 0; i < n; ++i)
        y[i] = f32_to_f16(x[i]);
}

void quantize_row_bf16(const float* x, void* out, size_t n) {
    auto* y = static_cast<uint16_t*>(out);
    for (size_t i = 0; i < n; ++i)
        y[i] = f32_to_bf16(x[i]);
}

bool quantize_row(TensorType type, const float* x, void* y, size_t n) {
    switch (type) {
    case TensorType::kF32:
        std::memcpy(y, x, n * sizeof(float));
        return true;
    case TensorType::kF16:
        quantize_row_f16(x, y, n);
        return true;
    case TensorType::kBF16:
        quantize_row_bf16(x, y, n);
        return true;
    case TensorType::kQ8_0:
        quantize_row_q8_0_weights(x, y, n);
        return true;
    case TensorType::kQ4_0:
        quantize_row_q4_0(x, y, n);
        return true;
    case TensorType::kQ4_K:
        quantize_row_q4_k(x, y, n);
        return true;
    case TensorType::kQ5_K:
        quantize_row_q5_k(x, y, n);
        return true;
    case TensorType::kQ6_K:
        quantize_row_q6_k(x, y, n);
        return true;
    case TensorType::kQ8_K:
        quantize_row_q8_k(x, y, n);
        return true;
    case TensorType::kQ8_1:
        quantize_row_q8_1(x, y, n);
        return true;
    case TensorType::kQ4_1:
        quantize_row_q4_1(x, y, n);
        return true;
    case TensorType::kQ5_0:
        quantize_row_q5_0(x, y, n);
        return true;
    case TensorType::kQ5_1:
        quantize_row_q5_1(x, y, n);
        return true;
    case TensorType::kIQ4_NL:
        quantize_row_iq4_nl(x, y, n);
        return true;
    case TensorType::kIQ4_XS:
        quantize_row_iq4_xs(x, y, n);
        return true;
    case TensorType::kQ2_K:
        quantize_row_q2_k(x, y, n);
        return true;
    case TensorType::kQ3_K:
        quantize_row_q3_k(x, y, n);
        return true;
    default:
        return false;
    }
}

} // namespace edgeai::engine::kernels
