#include "engine/kernels/dequantize.h"

#include "engine/kernels/blocks.h"
#include "engine/tensor/half.h"

#include <cstring>

namespace edgeai::engine::kernels {
namespace {

void dequantize_q8_0(const BlockQ8_0* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        for (size_t i = 0; i < kBlock32; ++i)
            y[i] = d * static_cast<float>(x[b].qs[i]);
    }
}

void dequantize_q4_0(const BlockQ4_0* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        for (size_t i = 0; i < kBlock32 / 2; ++i) {
            y[i] = d * static_cast<float>((x[b].qs[i] & 0xF) - 8);
            y[i + 16] = d * static_cast<float>((x[b].qs[i] >> 4) - 8);
        }
    }
}

void dequantize_q4_1(const BlockQ4_1* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d), m = f16_to_f32(x[b].m);
        for (size_t i = 0; i < kBlock32 / 2; ++i) {
            y[i] = d * static_cast<float>(x[b].qs[i] & 0xF) + m;
            y[i + 16] = d * static_cast<float>(x[b].qs[i] >> 4) + m;
        }
    }
}

// Q5_0 and Q5_1's 5-bit values (0..31) of one block.
void unpack_q5(const uint8_t* qh_bytes, const uint8_t* qs, int* q) {
    const uint32_t qh = q5_high_bits(qh_bytes);
    for (size_t i = 0; i < kBlock32 / 2; ++i) {
        q[i] = (qs[i] & 0xF) | static_cast<int>(((qh >> i) & 1) << 4);
        q[i + 16] = (qs[i] >> 4) | static_cast<int>(((qh >> (i + 16)) & 1) << 4);
    }
}

void dequantize_q5_0(const BlockQ5_0* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        int q[kBlock32];
        unpack_q5(x[b].qh, x[b].qs, q);
        for (size_t i = 0; i < kBlock32; ++i)
            y[i] = d * static_cast<float>(q[i] - 16);
    }
}

void dequantize_q5_1(const BlockQ5_1* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d), m = f16_to_f32(x[b].m);
        int q[kBlock32];
        unpack_q5(x[b].qh, x[b].qs, q);
        for (size_t i = 0; i < kBlock32; ++i)
            y[i] = d * static_cast<float>(q[i]) + m;
    }
}

void dequantize_q8_1(const BlockQ8_1* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32) {
        const float d = f16_to_f32(x[b].d);
        for (size_t i = 0; i < kBlock32; ++i)
            y[i] = d * static_cast<float>(x[b].qs[i]);
    }
}

// 16 bytes of IQ4_NL-layout nibbles (as in Q4_0) scaled by d.
void dequantize_iq4_nibbles(const uint8_t* qs, float d, float* y) {
    for (size_t i = 0; i < kBlock32 / 2; ++i) {
        y[i] = d * static_cast<float>(kIq4nlValues[qs[i] & 0xF]);
        y[i + 16] = d * static_cast<float>(kIq4nlValues[qs[i] >> 4]);
    }
}

void dequantize_iq4_nl(const BlockIQ4_NL* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlock32; ++b, y += kBlock32)
        dequantize_iq4_nibbles(x[b].qs, f16_to_f32(x[b].d), y);
}

void dequantize_iq4_xs(const BlockIQ4_XS* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const float d = f16_to_f32(x[b].d);
        for (int j = 0; j < 8; ++j, y += kBlock32)
            dequantize_iq4_nibbles(x[b].qs + 16 * j, d * static_cast<float>(iq4_xs_scale(x[b], j)),
                                   y);
    }
}

// Value i (0..255) of a Q2_K / Q3_K super-block's 2-bit field.
inline int low_2_bits(const uint8_t* qs, int i) {
    const int half = i / 128, k = (i % 128) / 32, l = i % 32;
    return (qs[32 * half + l] >> (2 * k)) & 3;
}

void dequantize_q2_k(const BlockQ2_K* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
        for (int i = 0; i < static_cast<int>(kBlockK); ++i) {
            const uint8_t sc = x[b].scales[i / 16];
            y[i] = d * static_cast<float>(sc & 0xF) * static_cast<float>(low_2_bits(x[b].qs, i)) -
                   dmin * static_cast<float>(sc >> 4);
        }
    }
}

void dequantize_q3_k(const BlockQ3_K* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b, y += kBlockK) {
        const float d = f16_to_f32(x[b].d);
        for (int i = 0; i < static_cast<int>(kBlockK); ++i) {
            const bool high = (x[b].hmask[i % 32] >> (i / 32)) & 1;
            const int q = low_2_bits(x[b].qs, i) - (high ? 0 : 4);
            y[i] = d * static_cast<float>(q3_k_scale(x[b].scales, i / 16)) * static_cast<float>(q);
        }
    }
}

void dequantize_q4_k(const BlockQ4_K* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
        const uint8_t* q = x[b].qs;
        for (int chunk = 0; chunk < 4; ++chunk, q += 32, y += 64) {
            uint8_t s1, m1, s2, m2;
            unpack_scale_min_k4(x[b].scales, 2 * chunk, &s1, &m1);
            unpack_scale_min_k4(x[b].scales, 2 * chunk + 1, &s2, &m2);
            for (int l = 0; l < 32; ++l) {
                y[l] = d * s1 * static_cast<float>(q[l] & 0xF) - dmin * m1;
                y[l + 32] = d * s2 * static_cast<float>(q[l] >> 4) - dmin * m2;
            }
        }
    }
}

void dequantize_q5_k(const BlockQ5_K* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const float d = f16_to_f32(x[b].d), dmin = f16_to_f32(x[b].dmin);
        const uint8_t* q = x[b].qs;
        for (int chunk = 0; chunk < 4; ++chunk, q += 32, y += 64) {
            uint8_t s1, m1, s2, m2;
            unpack_scale_min_k4(x[b].scales, 2 * chunk, &s1, &m1);
            unpack_scale_min_k4(x[b].scales, 2 * chunk + 1, &s2, &m2);
            const uint8_t bit_lo = static_cast<uint8_t>(1u << (2 * chunk));
            const uint8_t bit_hi = static_cast<uint8_t>(2u << (2 * chunk));
            for (int l = 0; l < 32; ++l) {
                const int lo = (q[l] & 0xF) + ((x[b].qh[l] & bit_lo) ? 16 : 0);
                const int hi = (q[l] >> 4) + ((x[b].qh[l] & bit_hi) ? 16 : 0);
                y[l] = d * s1 * static_cast<float>(lo) - dmin * m1;
                y[l + 32] = d * s2 * static_cast<float>(hi) - dmin * m2;
            }
        }
    }
}

void dequantize_q6_k(const BlockQ6_K* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const float d = f16_to_f32(x[b].d);
        const uint8_t* ql = x[b].ql;
        const uint8_t* qh = x[b].qh;
        const int8_t* sc = x[b].scales;
        for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, y += 128) {
            for (int l = 0; l < 32; ++l) {
                const int is = l / 16;
                const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * sc[is] * static_cast<float>(q1);
                y[l + 32] = d * sc[is + 2] * static_cast<float>(q2);
                y[l + 64] = d * sc[is + 4] * static_cast<float>(q3);
                y[l + 96] = d * sc[is + 6] * static_cast<float>(q4);
            }
        }
    }
}

void dequantize_q8_k(const BlockQ8_K* x, float* y, size_t n) {
    for (size_t b = 0; b < n / kBlockK; ++b, y += kBlockK)
        for (size_t i = 0; i < kBlockK; ++i)
            y[i] = x[b].d * static_cast<float>(x[b].qs[i]);
}

} // namespace

bool dequantize_row(TensorType type, const void* x, float* y, size_t n) {
    switch (type) {
    case TensorType::kF32:
        std::memcpy(y, x, n * sizeof(float));
        return true;
    case TensorType::kF16: {
        const auto* h = static_cast<const uint16_t*>(x);
        for (size_t i = 0; i < n; ++i)
            y[i] = f16_to_f32(h[i]);
        return true;
    }
    case TensorType::kBF16: {
        const auto* h = static_cast<const uint16_t*>(x);
        for (size_t i = 0; i < n; ++i)
            y[i] = bf16_to_f32(h[i]);
        return true;
    }
    case TensorType::kQ8_0:
        dequantize_q8_0(static_cast<const BlockQ8_0*>(x), y, n);
        return true;
    case TensorType::kQ4_0:
        dequantize_q4_0(static_cast<const BlockQ4_0*>(x), y, n);
        return true;
    case TensorType::kQ4_K:
        dequantize_q4_k(static_cast<const BlockQ4_K*>(x), y, n);
        return true;
    case TensorType::kQ5_K:
        dequantize_q5_k(static_cast<const BlockQ5_K*>(x), y, n);
        return true;
    case TensorType::kQ6_K:
        dequantize_q6_k(static_cast<const BlockQ6_K*>(x), y, n);
        return true;
    case TensorType::kQ8_K:
        dequantize_q8_k(static_cast<const BlockQ8_K*>(x), y, n);
        return true;
    case TensorType::kQ4_1:
        dequantize_q4_1(static_cast<const BlockQ4_1*>(x), y, n);
        return true;
    case TensorType::kQ5_0:
        dequantize_q5_0(static_cast<const BlockQ5_0*>(x), y, n);
        return true;
    case TensorType::kQ5_1:
        dequantize_q5_1(static_cast<const BlockQ5_1*>(x), y, n);
        return true;
    case TensorType::kQ8_1:
        dequantize_q8_1(static_cast<const BlockQ8_1*>(x), y, n);
        return true;
    case TensorType::kIQ4_NL:
        dequantize_iq4_nl(static_cast<const BlockIQ4_NL*>(x), y, n);
        return true;
    case TensorType::kIQ4_XS:
        dequantize_iq4_xs(static_cast<const BlockIQ4_XS*>(x), y, n);
        return true;
    case TensorType::kQ2_K:
        dequantize_q2_k(static_cast<const BlockQ2_K*>(x), y, n);
        return true;
    case TensorType::kQ3_K:
        dequantize_q3_k(static_cast<const BlockQ3_K*>(x), y, n);
        return true;
    default:
        return false;
    }
}

} // namespace edgeai::engine::kernels
