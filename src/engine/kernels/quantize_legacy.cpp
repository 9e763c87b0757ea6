// The 32-value affine and 5-bit formats (Q4_1, Q5_0, Q5_1) as llama.cpp's
// reference quantizer writes them (llama-quantize uses it when no importance
// matrix is given), so `model quantize` writes the same bytes; and Q8_1, the
// activations Q4_1 and Q5_1 pair with.
#include "engine/kernels/blocks.h"
#include "engine/kernels/quant_rounding.h"
#include "engine/kernels/quantize.h"
#include "engine/tensor/half.h"

#include <algorithm>
#include <cfloat>
#include <cmath>

namespace edgeai::engine::kernels {
namespace {

// The block's smallest and largest values.
void min_max(const float* x, float* lo, float* hi) {
    *lo = FLT_MAX;
    *hi = -FLT_MAX;
    for (size_t i = 0; i < kBlock32; ++i) {
        *lo = std::min(*lo, x[i]);
        *hi = std::max(*hi, x[i]);
    }
}

// The first value of largest magnitude, with its sign.
float first_signed_absmax(const float* x) {
    float amax = 0.0f, max = 0.0f;
    for (size_t i = 0; i < kBlock32; ++i) {
        if (amax < std::fabs(x[i])) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    return max;
}

// Packs 32 values of 0..31 into a Q5 block's nibbles and high bits.
void pack_q5(const uint8_t* q, uint8_t* qh, uint8_t* qs) {
    uint32_t high = 0;
    for (size_t i = 0; i < kBlock32 / 2; ++i) {
        qs[i] = static_cast<uint8_t>((q[i] & 0xF) | ((q[i + 16] & 0xF) << 4));
        high |= uint32_t{(q[i] >> 4) & 1u} << i;
        high |= uint32_t{(q[i + 16] >> 4) & 1u} << (i + 16);
    }
    for (size_t k = 0; k < 4; ++k)
        qh[k] = static_cast<uint8_t>(high >> (8 * k));
}

// Levels of an affine block: (x - min) / d rounded half up, truncated as
// llama.cpp's reference does (x - min >= 0, so truncation is a floor).
void affine_levels(const float* x, float min, float id, int top, uint8_t* q) {
    for (size_t i = 0; i < kBlock32; ++i)
        q[i] = static_cast<uint8_t>(std::min(top, static_cast<int>((x[i] - min) * id + 0.5f)));
}

} // namespace

void quantize_row_q4_1(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ4_1*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        float min, max;
        min_max(x, &min, &max);
        const float d = (max - min) / 15.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        y[b].m = f32_to_f16(min);
        uint8_t q[kBlock32];
        affine_levels(x, min, id, 15, q);
        for (size_t i = 0; i < kBlock32 / 2; ++i)
            y[b].qs[i] = static_cast<uint8_t>(q[i] | (q[i + 16] << 4));
    }
}

void quantize_row_q5_0(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ5_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        // The largest magnitude maps to level 0 (-16), using the full range on
        // its side; d's sign carries the direction.
        const float d = first_signed_absmax(x) / -16.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        uint8_t q[kBlock32];
        for (size_t i = 0; i < kBlock32; ++i) // x * id + 16.5 >= 0: truncation floors
            q[i] = static_cast<uint8_t>(std::min(31, static_cast<int>(x[i] * id + 16.5f)));
        pack_q5(q, y[b].qh, y[b].qs);
    }
}

void quantize_row_q5_1(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ5_1*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        float min, max;
        min_max(x, &min, &max);
        const float d = (max - min) / 31.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        y[b].m = f32_to_f16(min);
        uint8_t q[kBlock32];
        affine_levels(x, min, id, 31, q);
        pack_q5(q, y[b].qh, y[b].qs);
    }
}

// As quantize_row_q8_0 (ties to even, like the SIMD rounding instructions),
// with s = d * sum(qs) in half precision, as llama.cpp keeps it.
void quantize_row_q8_1(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_1*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        float amax = 0.0f;
        for (size_t i = 0; i < kBlock32; ++i)
            amax = std::max(amax, std::fabs(x[i]));
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        int sum = 0;
        for (size_t i = 0; i < kBlock32; ++i) {
            y[b].qs[i] = static_cast<int8_t>(nearest_int(x[i] * id));
            sum += y[b].qs[i];
        }
        y[b].s = f32_to_f16(static_cast<float>(sum) * d);
    }
}

} // namespace edgeai::engine::kernels
