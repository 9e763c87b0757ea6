// The reference kernels: plain loops that say what each block means. SIMD
// tables are tested against these.
#include "engine/kernels/dot_scalar.h"
#include "engine/kernels/blocks.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/packed.h"
#include "engine/kernels/quantize.h"
#include "engine/tensor/half.h"

namespace edgeai::engine::kernels {
namespace {

float dot_f32(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i)
        sum += x[i] * y[i];
    return sum;
}

float dot_f16(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i)
        sum += f16_to_f32(x[i]) * y[i];
    return sum;
}

float dot_bf16(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float sum = 0.0f;
    for (size_t i = 0; i < n; ++i)
        sum += bf16_to_f32(x[i]) * y[i];
    return sum;
}

float dot_q8_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int isum = 0;
        for (size_t i = 0; i < kBlock32; ++i)
            isum += x[b].qs[i] * y[b].qs[i];
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(isum);
    }
    return sum;
}

float dot_q4_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int isum = 0;
        for (size_t i = 0; i < kBlock32 / 2; ++i) {
            isum += ((x[b].qs[i] & 0xF) - 8) * y[b].qs[i];
            isum += ((x[b].qs[i] >> 4) - 8) * y[b].qs[i + 16];
        }
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(isum);
    }
    return sum;
}

// Q4_K and Q5_K: sum_j d*scale_j*sum(q*a) - dmin*min_j*sum(a), where the sums of
// the activations come precomputed in the Q8_K block's bsums.
template <bool kFifthBit> float dot_k_affine(size_t n, const void* w, const void* a) {
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        const uint8_t* qh = nullptr;
        float d, dmin;
        if constexpr (kFifthBit) {
            const auto& x = static_cast<const BlockQ5_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            qh = x.qh;
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        } else {
            const auto& x = static_cast<const BlockQ4_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        }
        int scaled_sum = 0, min_sum = 0;
        for (int j = 0; j < 8; ++j) {
            uint8_t scale, min;
            unpack_scale_min_k4(scales, j, &scale, &min);
            const int chunk = j / 2;
            const bool high = (j & 1) != 0;
            int isum = 0;
            for (int l = 0; l < 32; ++l) {
                const uint8_t byte = qs[32 * chunk + l];
                int q = high ? (byte >> 4) : (byte & 0xF);
                if constexpr (kFifthBit)
                    if (qh[l] & (1u << j)) q += 16;
                isum += q * y[b].qs[32 * j + l];
            }
            scaled_sum += scale * isum;
            min_sum += min * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
        }
        sum += y[b].d * (d * static_cast<float>(scaled_sum) - dmin * static_cast<float>(min_sum));
    }
    return sum;
}

float dot_q6_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int8_t q[kBlockK];
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const uint8_t* qh = x[b].qh + 32 * half;
            int8_t* out = q + 128 * half;
            for (int l = 0; l < 32; ++l) {
                out[l] = static_cast<int8_t>(((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32);
                out[l + 32] =
                    static_cast<int8_t>(((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32);
                out[l + 64] = static_cast<int8_t>(((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32);
                out[l + 96] =
                    static_cast<int8_t>(((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32);
            }
        }
        int isum = 0;
        for (int j = 0; j < 16; ++j) {
            int sub = 0;
            for (int l = 0; l < 16; ++l)
                sub += q[16 * j + l] * y[b].qs[16 * j + l];
            isum += x[b].scales[j] * sub;
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(isum);
    }
    return sum;
}

// Four packed Q4_0 rows times up to four tokens, summed the way the SIMD
// kernels sum: unsigned nibbles, then the offset of 8 taken out per block.
void gemm_q4_0(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    const auto* x = static_cast<const PackedQ4_0x4*>(group);
    for (uint32_t t = 0; t < tokens; ++t) {
        const auto* row = acts.rows + t * acts.stride;
        const auto* y = reinterpret_cast<const BlockQ8_0*>(row);
        const auto* d = reinterpret_cast<const float*>(reinterpret_cast<const uint8_t*>(acts.d) +
                                                       t * acts.stride);
        const auto* d_sum = reinterpret_cast<const float*>(
            reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
        for (uint32_t r = 0; r < kPackRows; ++r) {
            float sum = 0.0f, offset = 0.0f;
            for (size_t b = 0; b < n / kBlock32; ++b) {
                int isum = 0;
                for (size_t i = 0; i < kBlock32 / 2; ++i) {
                    isum += (x[b].qs[r][i] & 0xF) * y[b].qs[i];
                    isum += (x[b].qs[r][i] >> 4) * y[b].qs[i + 16];
                }
                const float dx = f16_to_f32(x[b].d[r]);
                sum += dx * d[b] * static_cast<float>(isum);
                offset += dx * d_sum[b];
            }
            out[t * out_stride + r] = sum - 8.0f * offset;
        }
    }
}

void gemm_q8_0(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    const auto* x = static_cast<const PackedQ8_0x4*>(group);
    for (uint32_t t = 0; t < tokens; ++t) {
        const auto* y = reinterpret_cast<const BlockQ8_0*>(acts.rows + t * acts.stride);
        for (uint32_t r = 0; r < kPackRows; ++r) {
            float sum = 0.0f;
            for (size_t b = 0; b < n / kBlock32; ++b) {
                int isum = 0;
                for (size_t i = 0; i < kBlock32; ++i)
                    isum += x[b].qs[r][i] * y[b].qs[i];
                sum += f16_to_f32(x[b].d[r]) * f16_to_f32(y[b].d) * static_cast<float>(isum);
            }
            out[t * out_stride + r] = sum;
        }
    }
}

// Q4_K and Q5_K (with bit 4 from the packed masks, packed.h).
template <class Packed, bool kFifthBit>
void gemm_k_affine(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
                   float* out, size_t out_stride) {
    const auto* x = static_cast<const Packed*>(group);
    for (uint32_t t = 0; t < tokens; ++t) {
        const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride);
        for (uint32_t r = 0; r < kPackRows; ++r) {
            float sum = 0.0f;
            for (size_t b = 0; b < n / kBlockK; ++b) {
                int scaled_sum = 0, min_sum = 0;
                for (int j = 0; j < 8; ++j) {
                    int isum = 0;
                    for (int l = 0; l < 32; ++l) {
                        const uint8_t byte = x[b].qs[j / 2][r][l];
                        int q = (j & 1) ? byte >> 4 : byte & 0xF;
                        if constexpr (kFifthBit) {
                            // Mask (j & 1) * 2 + r / 2 of chunk j / 2, bit 32 (r % 2) + l.
                            const uint32_t bit = 32 * (r % 2) + l;
                            const uint8_t* mask = x[b].qh[j / 2] + 8 * ((j & 1) * 2 + r / 2);
                            q |= ((mask[bit / 8] >> (bit % 8)) & 1) << 4;
                        }
                        isum += q * y[b].qs[32 * j + l];
                    }
                    scaled_sum += x[b].scales[r][j] * isum;
                    min_sum += x[b].mins[r][j] * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
                }
                sum += y[b].d * (f16_to_f32(x[b].d[r]) * static_cast<float>(scaled_sum) -
                                 f16_to_f32(x[b].dmin[r]) * static_cast<float>(min_sum));
            }
            out[t * out_stride + r] = sum;
        }
    }
}

// Q5_0 as the SIMD kernels sum it: unsigned values (0..31), then the offset
// of 16 taken out per block with the activations' d * sum.
void gemm_q5_0(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    const auto* x = static_cast<const PackedQ5_0x4*>(group);
    for (uint32_t t = 0; t < tokens; ++t) {
        const auto* row = acts.rows + t * acts.stride;
        const auto* y = reinterpret_cast<const BlockQ8_0*>(row);
        const auto* d = reinterpret_cast<const float*>(reinterpret_cast<const uint8_t*>(acts.d) +
                                                       t * acts.stride);
        const auto* d_sum = reinterpret_cast<const float*>(
            reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
        for (uint32_t r = 0; r < kPackRows; ++r) {
            float sum = 0.0f, offset = 0.0f;
            for (size_t b = 0; b < n / kBlock32; ++b) {
                int isum = 0;
                for (size_t i = 0; i < kBlock32 / 2; ++i) {
                    const size_t bit = 16 * r + i;
                    const int lo_high = (x[b].qh_lo[bit / 8] >> (bit % 8)) & 1;
                    const int hi_high = (x[b].qh_hi[bit / 8] >> (bit % 8)) & 1;
                    isum += ((x[b].qs[r][i] & 0xF) | lo_high << 4) * y[b].qs[i];
                    isum += ((x[b].qs[r][i] >> 4) | hi_high << 4) * y[b].qs[i + 16];
                }
                const float dx = f16_to_f32(x[b].d[r]);
                sum += dx * d[b] * static_cast<float>(isum);
                offset += dx * d_sum[b];
            }
            out[t * out_stride + r] = sum - 16.0f * offset;
        }
    }
}

// Q6_K: value i of a row's super-block, 0..63 (the stored value; 32 is zero).
int q6_k_value(const uint8_t* ql, const uint8_t* qh, int i) {
    const int half = i / 128, k = i % 128, l = k % 32, quarter = k / 32;
    const uint8_t low = ql[64 * half + l + 32 * (quarter & 1)];
    const int nibble = quarter < 2 ? low & 0xF : low >> 4;
    return nibble | ((qh[32 * half + l] >> (2 * quarter)) & 3) << 4;
}

void gemm_q6_k(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    const auto* x = static_cast<const PackedQ6_Kx4*>(group);
    for (uint32_t t = 0; t < tokens; ++t) {
        const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride);
        for (uint32_t r = 0; r < kPackRows; ++r) {
            float sum = 0.0f;
            for (size_t b = 0; b < n / kBlockK; ++b) {
                int isum = 0;
                for (int j = 0; j < 16; ++j) {
                    int sub = 0;
                    for (int l = 0; l < 16; ++l)
                        sub += (q6_k_value(x[b].ql[r], x[b].qh[r], 16 * j + l) - 32) *
                               y[b].qs[16 * j + l];
                    isum += x[b].scales[r][j] * sub;
                }
                sum += f16_to_f32(x[b].d[r]) * y[b].d * static_cast<float>(isum);
            }
            out[t * out_stride + r] = sum;
        }
    }
}

void axpy_f32(size_t n, float a, const float* x, float* y) {
    for (size_t i = 0; i < n; ++i)
        y[i] += a * x[i];
}

void axpy_f16(size_t n, float a, const uint16_t* x, float* y) {
    for (size_t i = 0; i < n; ++i)
        y[i] += a * f16_to_f32(x[i]);
}

void axpy_q8_0(size_t n, float a, const void* x, float* y) {
    const auto* b = static_cast<const BlockQ8_0*>(x);
    for (size_t k = 0; k < n / kBlock32; ++k, y += kBlock32) {
        const float s = a * f16_to_f32(b[k].d);
        for (size_t i = 0; i < kBlock32; ++i)
            y[i] += s * static_cast<float>(b[k].qs[i]);
    }
}

constexpr KernelTable kScalar{
    .name = "scalar",
    .dot_f32 = dot_f32,
    .dot_f16 = dot_f16,
    .dot_bf16 = dot_bf16,
    .dot_q8_0 = dot_q8_0,
    .dot_q4_0 = dot_q4_0,
    .dot_q4_k = dot_k_affine<false>,
    .dot_q5_k = dot_k_affine<true>,
    .dot_q6_k = dot_q6_k,
    .dot_q4_1 = scalar::dot_q4_1,
    .dot_q5_0 = scalar::dot_q5_0,
    .dot_q5_1 = scalar::dot_q5_1,
    .dot_iq4_nl = scalar::dot_iq4_nl,
    .dot_q2_k = scalar::dot_q2_k,
    .dot_q3_k = scalar::dot_q3_k,
    .dot_iq4_xs = scalar::dot_iq4_xs,
    .quantize_q8_0 = quantize_row_q8_0,
    .quantize_q8_1 = quantize_row_q8_1,
    .quantize_q8_k = quantize_row_q8_k,
    .axpy_f32 = axpy_f32,
    .axpy_f16 = axpy_f16,
    .axpy_q8_0 = axpy_q8_0,
    .gemm_q4_0 = gemm_q4_0,
    .gemm_q8_0 = gemm_q8_0,
    .gemm_q4_k = gemm_k_affine<PackedQ4_Kx4, false>,
    .gemm_q5_0 = gemm_q5_0,
    .gemm_q5_k = gemm_k_affine<PackedQ5_Kx4, true>,
    .gemm_q6_k = gemm_q6_k,
};

} // namespace

const KernelTable& scalar_kernels() {
    return kScalar;
}

} // namespace edgeai::engine::kernels
