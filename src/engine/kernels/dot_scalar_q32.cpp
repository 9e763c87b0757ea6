// Reference dot products of the 32-value formats added beside Q4_0 and Q8_0:
// integer sums per block, then one float multiply-add per block, the shape
// every SIMD kernel of these types follows.
#include "engine/kernels/blocks.h"
#include "engine/kernels/dot_scalar.h"
#include "engine/tensor/half.h"

namespace edgeai::engine::kernels::scalar {
namespace {

// The 32 5-bit values (0..31) of a Q5_0 / Q5_1 block.
void unpack_q5(const uint8_t* qh_bytes, const uint8_t* qs, int* q) {
    const uint32_t qh = q5_high_bits(qh_bytes);
    for (size_t i = 0; i < kBlock32 / 2; ++i) {
        q[i] = (qs[i] & 0xF) | static_cast<int>(((qh >> i) & 1) << 4);
        q[i + 16] = (qs[i] >> 4) | static_cast<int>(((qh >> (i + 16)) & 1) << 4);
    }
}

} // namespace

// Q4_1 x Q8_1: sum(d_x q_x + m_x)(d_y q_y) = d_x d_y sum(q_x q_y) + m_x s_y,
// where s_y = d_y sum(q_y) comes with the activations.
float dot_q4_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int isum = 0;
        for (size_t i = 0; i < kBlock32 / 2; ++i) {
            isum += (x[b].qs[i] & 0xF) * y[b].qs[i];
            isum += (x[b].qs[i] >> 4) * y[b].qs[i + 16];
        }
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(isum) +
               f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return sum;
}

float dot_q5_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int q[kBlock32];
        unpack_q5(x[b].qh, x[b].qs, q);
        int isum = 0;
        for (size_t i = 0; i < kBlock32; ++i)
            isum += (q[i] - 16) * y[b].qs[i];
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(isum);
    }
    return sum;
}

float dot_q5_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int q[kBlock32];
        unpack_q5(x[b].qh, x[b].qs, q);
        int isum = 0;
        for (size_t i = 0; i < kBlock32; ++i)
            isum += q[i] * y[b].qs[i];
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(isum) +
               f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return sum;
}

float dot_iq4_nl(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_NL*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int isum = 0;
        for (size_t i = 0; i < kBlock32 / 2; ++i) {
            isum += kIq4nlValues[x[b].qs[i] & 0xF] * y[b].qs[i];
            isum += kIq4nlValues[x[b].qs[i] >> 4] * y[b].qs[i + 16];
        }
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(isum);
    }
    return sum;
}

} // namespace edgeai::engine::kernels::scalar
