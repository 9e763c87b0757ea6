// Reference dot products of Q2_K, Q3_K and IQ4_XS with Q8_K activations: per
// super-block an exact integer sum of scale * (weights · activations) over the
// sub-blocks (and of min * bsum for Q2_K), then one float multiply.
#include "engine/kernels/blocks.h"
#include "engine/kernels/dot_scalar.h"
#include "engine/tensor/half.h"

namespace edgeai::engine::kernels::scalar {
namespace {

// Value i (0..255) of a super-block's 2-bit field: values l, l+32, l+64, l+96
// of each half of 128 share byte l of the half's 32.
inline int low_2_bits(const uint8_t* qs, int i) {
    return (qs[32 * (i / 128) + i % 32] >> (2 * ((i % 128) / 32))) & 3;
}

} // namespace

float dot_q2_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int scaled_sum = 0, min_sum = 0;
        for (int j = 0; j < 16; ++j) {
            int isum = 0;
            for (int i = 16 * j; i < 16 * j + 16; ++i)
                isum += low_2_bits(x[b].qs, i) * y[b].qs[i];
            scaled_sum += (x[b].scales[j] & 0xF) * isum;
            min_sum += (x[b].scales[j] >> 4) * y[b].bsums[j];
        }
        sum += y[b].d * (f16_to_f32(x[b].d) * static_cast<float>(scaled_sum) -
                         f16_to_f32(x[b].dmin) * static_cast<float>(min_sum));
    }
    return sum;
}

float dot_q3_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int scaled_sum = 0;
        for (int j = 0; j < 16; ++j) {
            int isum = 0;
            for (int i = 16 * j; i < 16 * j + 16; ++i) {
                const bool high = (x[b].hmask[i % 32] >> (i / 32)) & 1;
                isum += (low_2_bits(x[b].qs, i) - (high ? 0 : 4)) * y[b].qs[i];
            }
            scaled_sum += q3_k_scale(x[b].scales, j) * isum;
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(scaled_sum);
    }
    return sum;
}

float dot_iq4_xs(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_XS*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int scaled_sum = 0;
        for (int j = 0; j < 8; ++j) {
            const uint8_t* qs = x[b].qs + 16 * j;
            const int8_t* yq = y[b].qs + 32 * j;
            int isum = 0;
            for (int i = 0; i < 16; ++i) {
                isum += kIq4nlValues[qs[i] & 0xF] * yq[i];
                isum += kIq4nlValues[qs[i] >> 4] * yq[i + 16];
            }
            scaled_sum += iq4_xs_scale(x[b], j) * isum;
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(scaled_sum);
    }
    return sum;
}

} // namespace edgeai::engine::kernels::scalar
