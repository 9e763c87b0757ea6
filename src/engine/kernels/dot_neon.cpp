// NEON kernels for aarch64 (Raspberry Pi 4/5, Jetson, Graviton, Apple). NEON
// is part of the aarch64 baseline, so the table is used whenever it is
// compiled in. With __ARM_FEATURE_DOTPROD (-march=armv8.2-a+dotprod and later:
// Pi 5, Jetson Orin, Graviton 2+) the byte dot products are SDOT; without it
// (Pi 4's Cortex-A72) they are widening multiplies and pairwise adds. That is a
// compile-time choice: the whole build shares one -march, so this file needs
// no target attributes, but it still defines its own helpers (see dot_avx2.cpp).
#include "engine/kernels/kernel_table.h"

#if defined(__aarch64__)

#include "engine/kernels/blocks.h"
#include "engine/kernels/quantize.h"

#include <arm_neon.h>

namespace edgeai::engine::kernels {
namespace {

inline float f16_to_f32(uint16_t h) {
    return vgetq_lane_f32(vcvt_f32_f16(vreinterpret_f16_u16(vdup_n_u16(h))), 0);
}
inline float bf16_to_f32(uint16_t h) {
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    __builtin_memcpy(&f, &bits, sizeof f);
    return f;
}

// acc + the products of 16 signed bytes, summed four at a time into the four
// lanes (SDOT). Without SDOT the lanes hold other partial sums; callers only
// use the total of a call's lanes, or scale them all by one factor.
inline int32x4_t dot16(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
    return vdotq_s32(acc, a, b);
#else
    acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
    return vpadalq_s16(acc, vmull_high_s8(a, b));
#endif
}

float dot_f32(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = vfmaq_f32(acc0, vld1q_f32(x + i), vld1q_f32(y + i));
        acc1 = vfmaq_f32(acc1, vld1q_f32(x + i + 4), vld1q_f32(y + i + 4));
        acc2 = vfmaq_f32(acc2, vld1q_f32(x + i + 8), vld1q_f32(y + i + 8));
        acc3 = vfmaq_f32(acc3, vld1q_f32(x + i + 12), vld1q_f32(y + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        acc0 = vfmaq_f32(acc0, vld1q_f32(x + i), vld1q_f32(y + i));
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
    for (; i < n; ++i)
        sum += x[i] * y[i];
    return sum;
}

// Eight half-precision values as two float vectors.
inline void load_f16(const uint16_t* p, float32x4_t* lo, float32x4_t* hi) {
    const float16x8_t h = vreinterpretq_f16_u16(vld1q_u16(p));
    *lo = vcvt_f32_f16(vget_low_f16(h));
    *hi = vcvt_high_f32_f16(h);
}
inline void load_bf16(const uint16_t* p, float32x4_t* lo, float32x4_t* hi) {
    const uint16x8_t h = vld1q_u16(p);
    *lo = vreinterpretq_f32_u32(vshll_n_u16(vget_low_u16(h), 16));
    *hi = vreinterpretq_f32_u32(vshll_high_n_u16(h, 16));
}

template <void (*Load)(const uint16_t*, float32x4_t*, float32x4_t*), float (*Scalar)(uint16_t)>
float dot_half(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t x0, x1, x2, x3;
        Load(x + i, &x0, &x1);
        Load(x + i + 8, &x2, &x3);
        acc0 = vfmaq_f32(acc0, x0, vld1q_f32(y + i));
        acc1 = vfmaq_f32(acc1, x1, vld1q_f32(y + i + 4));
        acc2 = vfmaq_f32(acc2, x2, vld1q_f32(y + i + 8));
        acc3 = vfmaq_f32(acc3, x3, vld1q_f32(y + i + 12));
    }
    for (; i + 8 <= n; i += 8) {
        float32x4_t x0, x1;
        Load(x + i, &x0, &x1);
        acc0 = vfmaq_f32(acc0, x0, vld1q_f32(y + i));
        acc1 = vfmaq_f32(acc1, x1, vld1q_f32(y + i + 4));
    }
    float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
    for (; i < n; ++i)
        sum += Scalar(x[i]) * y[i];
    return sum;
}

inline int8x16_t load_i8(const int8_t* p) {
    return vld1q_s8(p);
}

float dot_q8_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const size_t blocks = n / kBlock32;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
    size_t b = 0;
    // Two blocks per step, each into its own accumulator, so the two chains of
    // dependent multiply-adds overlap.
    for (; b + 2 <= blocks; b += 2) {
        int32x4_t p0 = dot16(vdupq_n_s32(0), load_i8(x[b].qs), load_i8(y[b].qs));
        p0 = dot16(p0, load_i8(x[b].qs + 16), load_i8(y[b].qs + 16));
        int32x4_t p1 = dot16(vdupq_n_s32(0), load_i8(x[b + 1].qs), load_i8(y[b + 1].qs));
        p1 = dot16(p1, load_i8(x[b + 1].qs + 16), load_i8(y[b + 1].qs + 16));
        acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(p0), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc1 =
            vfmaq_n_f32(acc1, vcvtq_f32_s32(p1), f16_to_f32(x[b + 1].d) * f16_to_f32(y[b + 1].d));
    }
    for (; b < blocks; ++b) {
        int32x4_t p = dot16(vdupq_n_s32(0), load_i8(x[b].qs), load_i8(y[b].qs));
        p = dot16(p, load_i8(x[b].qs + 16), load_i8(y[b].qs + 16));
        acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(p), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
    }
    return vaddvq_f32(vaddq_f32(acc0, acc1));
}

// Q4_0's 16 bytes as 32 signed values (nibble - 8): low nibbles, then high.
inline void unpack_q4_0(const uint8_t* qs, int8x16_t* lo, int8x16_t* hi) {
    const uint8x16_t bytes = vld1q_u8(qs);
    const int8x16_t eight = vdupq_n_s8(8);
    *lo = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(bytes, vdupq_n_u8(0xF))), eight);
    *hi = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(bytes, 4)), eight);
}

float dot_q4_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const size_t blocks = n / kBlock32;
    float32x4_t acc0 = vdupq_n_f32(0.0f), acc1 = acc0;
    size_t b = 0;
    for (; b + 2 <= blocks; b += 2) {
        int8x16_t lo0, hi0, lo1, hi1;
        unpack_q4_0(x[b].qs, &lo0, &hi0);
        unpack_q4_0(x[b + 1].qs, &lo1, &hi1);
        const int32x4_t p0 =
            dot16(dot16(vdupq_n_s32(0), lo0, load_i8(y[b].qs)), hi0, load_i8(y[b].qs + 16));
        const int32x4_t p1 =
            dot16(dot16(vdupq_n_s32(0), lo1, load_i8(y[b + 1].qs)), hi1, load_i8(y[b + 1].qs + 16));
        acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(p0), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc1 =
            vfmaq_n_f32(acc1, vcvtq_f32_s32(p1), f16_to_f32(x[b + 1].d) * f16_to_f32(y[b + 1].d));
    }
    for (; b < blocks; ++b) {
        int8x16_t lo, hi;
        unpack_q4_0(x[b].qs, &lo, &hi);
        const int32x4_t p =
            dot16(dot16(vdupq_n_s32(0), lo, load_i8(y[b].qs)), hi, load_i8(y[b].qs + 16));
        acc0 = vfmaq_n_f32(acc0, vcvtq_f32_s32(p), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
    }
    return vaddvq_f32(vaddq_f32(acc0, acc1));
}

// The 8 6-bit scales (bytes 0..7) and mins (bytes 8..15) of a Q4_K / Q5_K
// super-block, all at once: sub-blocks 0-3 keep 6 bits in scales[0..3] (scale)
// and [4..7] (min); sub-blocks 4-7 take their low 4 bits from scales[8..11] and
// their top 2 bits from the top of bytes 0-3 (scale) or 4-7 (min).
inline void unpack_scales_mins(const uint8_t* scales, uint8_t out[16]) {
    uint32_t word[3];
    __builtin_memcpy(word, scales, sizeof word);
    const uint32_t low6 = 0x3f3f3f3f, low4 = 0x0f0f0f0f, bits45 = 0x30303030;
    const uint32_t unpacked[4] = {
        word[0] & low6,
        (word[2] & low4) | ((word[0] >> 2) & bits45),
        word[1] & low6,
        ((word[2] >> 4) & low4) | ((word[1] >> 2) & bits45),
    };
    __builtin_memcpy(out, unpacked, sizeof unpacked);
}

// Q4_K and Q5_K: per super-block, the integer sum of scale_j * (q·y)_j and of
// min_j * bsum_j, combined in float as the scalar code does.
template <bool kFifthBit> float dot_k_affine(size_t n, const void* w, const void* a) {
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const uint8x16_t low_mask = vdupq_n_u8(0xF);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        uint8x16_t qh0 = vdupq_n_u8(0), qh1 = qh0;
        float d, dmin;
        if constexpr (kFifthBit) {
            const auto& x = static_cast<const BlockQ5_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            qh0 = vld1q_u8(x.qh);
            qh1 = vld1q_u8(x.qh + 16);
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        } else {
            const auto& x = static_cast<const BlockQ4_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        }
        uint8_t sm[16];
        unpack_scales_mins(scales, sm);
        const int8_t* yq = y[b].qs;
        int32x4_t acc = vdupq_n_s32(0);
        for (int chunk = 0; chunk < 4; ++chunk) {
            const uint8x16_t b0 = vld1q_u8(qs + 32 * chunk);
            const uint8x16_t b1 = vld1q_u8(qs + 32 * chunk + 16);
            uint8x16_t lo0 = vandq_u8(b0, low_mask), lo1 = vandq_u8(b1, low_mask);
            uint8x16_t hi0 = vshrq_n_u8(b0, 4), hi1 = vshrq_n_u8(b1, 4);
            if constexpr (kFifthBit) {
                // Chunk c's low nibbles take bit 2c of qh, its high ones bit 2c+1.
                const uint8x16_t bit_lo = vdupq_n_u8(static_cast<uint8_t>(1u << (2 * chunk)));
                const uint8x16_t bit_hi = vdupq_n_u8(static_cast<uint8_t>(2u << (2 * chunk)));
                const uint8x16_t sixteen = vdupq_n_u8(16);
                lo0 = vorrq_u8(lo0, vandq_u8(vtstq_u8(qh0, bit_lo), sixteen));
                lo1 = vorrq_u8(lo1, vandq_u8(vtstq_u8(qh1, bit_lo), sixteen));
                hi0 = vorrq_u8(hi0, vandq_u8(vtstq_u8(qh0, bit_hi), sixteen));
                hi1 = vorrq_u8(hi1, vandq_u8(vtstq_u8(qh1, bit_hi), sixteen));
            }
            // Values are at most 31, so they are also valid signed bytes.
            int32x4_t p_lo = dot16(vdupq_n_s32(0), vreinterpretq_s8_u8(lo0), load_i8(yq));
            p_lo = dot16(p_lo, vreinterpretq_s8_u8(lo1), load_i8(yq + 16));
            int32x4_t p_hi = dot16(vdupq_n_s32(0), vreinterpretq_s8_u8(hi0), load_i8(yq + 32));
            p_hi = dot16(p_hi, vreinterpretq_s8_u8(hi1), load_i8(yq + 48));
            acc = vmlaq_n_s32(acc, p_lo, sm[2 * chunk]);
            acc = vmlaq_n_s32(acc, p_hi, sm[2 * chunk + 1]);
            yq += 64;
        }
        // bsums come in pairs per sub-block of 32: add the pairs, then weight by the mins.
        const int16x8_t pair_sums = vpaddq_s16(vld1q_s16(y[b].bsums), vld1q_s16(y[b].bsums + 8));
        const int16x8_t mins = vreinterpretq_s16_u16(vmovl_u8(vld1_u8(sm + 8)));
        int32x4_t min_acc = vmull_s16(vget_low_s16(pair_sums), vget_low_s16(mins));
        min_acc = vmlal_high_s16(min_acc, pair_sums, mins);
        const int scaled_sum = vaddvq_s32(acc);
        const int min_sum = vaddvq_s32(min_acc);
        sum += y[b].d * (d * static_cast<float>(scaled_sum) - dmin * static_cast<float>(min_sum));
    }
    return sum;
}

// Q6_K: each 16 bytes of values is one sub-block of 16, with one signed scale.
float dot_q6_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const uint8x16_t low_mask = vdupq_n_u8(0xF), two_bits = vdupq_n_u8(3);
    const int8x16_t offset = vdupq_n_s8(32);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int32x4_t acc = vdupq_n_s32(0);
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const uint8_t* qh = x[b].qh + 32 * half;
            const int8_t* sc = x[b].scales + 8 * half;
            const int8_t* yq = y[b].qs + 128 * half;
            for (int part = 0; part < 2; ++part) { // values l = 16 * part .. + 15
                const uint8x16_t l0 = vld1q_u8(ql + 16 * part);
                const uint8x16_t l1 = vld1q_u8(ql + 32 + 16 * part);
                const uint8x16_t h = vld1q_u8(qh + 16 * part);
                // Values l, l+32, l+64, l+96 of the half: low or high nibble of
                // ql[l] / ql[l+32], with qh bit pairs 0-1, 2-3, 4-5, 6-7 on top.
                const uint8x16_t u[4] = {
                    vorrq_u8(vandq_u8(l0, low_mask), vshlq_n_u8(vandq_u8(h, two_bits), 4)),
                    vorrq_u8(vandq_u8(l1, low_mask),
                             vshlq_n_u8(vandq_u8(vshrq_n_u8(h, 2), two_bits), 4)),
                    vorrq_u8(vshrq_n_u8(l0, 4),
                             vshlq_n_u8(vandq_u8(vshrq_n_u8(h, 4), two_bits), 4)),
                    vorrq_u8(vshrq_n_u8(l1, 4), vshlq_n_u8(vshrq_n_u8(h, 6), 4)),
                };
                for (int k = 0; k < 4; ++k) {
                    // Values 32k + 16*part .. + 15: sub-block 2k + part.
                    const int8x16_t q = vsubq_s8(vreinterpretq_s8_u8(u[k]), offset);
                    const int32x4_t p = dot16(vdupq_n_s32(0), q, load_i8(yq + 32 * k + 16 * part));
                    acc = vmlaq_n_s32(acc, p, sc[2 * k + part]);
                }
            }
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(vaddvq_s32(acc));
    }
    return sum;
}

// The 32-value types Q4_1, Q5_0, Q5_1 and IQ4_NL: a block is two vectors of 16
// values (value j in the low nibble of byte j, j + 16 in the high one).

// 16 for each value of a Q5 block whose bit 4 (bit i of qh) is set, else 0.
inline void q5_high_bits(const uint8_t* qh, uint8x16_t* lo, uint8x16_t* hi) {
    uint32_t word;
    __builtin_memcpy(&word, qh, sizeof word);
    const uint8x16_t bytes = vreinterpretq_u8_u32(vdupq_n_u32(word));
    // Byte i takes byte i / 8 of qh, then tests its own bit.
    static constexpr uint8_t kLow[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1};
    static constexpr uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t index = vld1q_u8(kLow), bit = vld1q_u8(kBit);
    const uint8x16_t sixteen = vdupq_n_u8(16);
    *lo = vandq_u8(vtstq_u8(vqtbl1q_u8(bytes, index), bit), sixteen);
    *hi = vandq_u8(vtstq_u8(vqtbl1q_u8(bytes, vaddq_u8(index, vdupq_n_u8(2))), bit), sixteen);
}

// A block's 32 5-bit values (0..31) as two vectors.
inline void q5_values(const uint8_t* qh, const uint8_t* qs, int8x16_t* lo, int8x16_t* hi) {
    uint8x16_t h_lo, h_hi;
    q5_high_bits(qh, &h_lo, &h_hi);
    const uint8x16_t bytes = vld1q_u8(qs);
    *lo = vreinterpretq_s8_u8(vorrq_u8(vandq_u8(bytes, vdupq_n_u8(0xF)), h_lo));
    *hi = vreinterpretq_s8_u8(vorrq_u8(vshrq_n_u8(bytes, 4), h_hi));
}

// lo · y[0..15] + hi · y[16..31], as int32 lanes.
inline int32x4_t dot32(int8x16_t lo, int8x16_t hi, const int8_t* y) {
    return dot16(dot16(vdupq_n_s32(0), lo, load_i8(y)), hi, load_i8(y + 16));
}

// Q4_1 x Q8_1: d_x d_y (q · y) + m_x s_y.
float dot_q4_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float32x4_t acc = vdupq_n_f32(0.0f);
    float offset = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const uint8x16_t bytes = vld1q_u8(x[b].qs);
        const int32x4_t p = dot32(vreinterpretq_s8_u8(vandq_u8(bytes, vdupq_n_u8(0xF))),
                                  vreinterpretq_s8_u8(vshrq_n_u8(bytes, 4)), y[b].qs);
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(p), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        offset += f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return vaddvq_f32(acc) + offset;
}

float dot_q5_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const int8x16_t sixteen = vdupq_n_s8(16);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int8x16_t lo, hi;
        q5_values(x[b].qh, x[b].qs, &lo, &hi);
        const int32x4_t p = dot32(vsubq_s8(lo, sixteen), vsubq_s8(hi, sixteen), y[b].qs);
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(p), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
    }
    return vaddvq_f32(acc);
}

float dot_q5_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    float32x4_t acc = vdupq_n_f32(0.0f);
    float offset = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        int8x16_t lo, hi;
        q5_values(x[b].qh, x[b].qs, &lo, &hi);
        const int32x4_t p = dot32(lo, hi, y[b].qs);
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(p), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        offset += f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return vaddvq_f32(acc) + offset;
}

// IQ4_NL x Q8_0: TBL looks the signed levels up from the nibbles.
float dot_iq4_nl(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_NL*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const int8x16_t levels = vld1q_s8(kIq4nlValues);
    float32x4_t acc = vdupq_n_f32(0.0f);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const uint8x16_t bytes = vld1q_u8(x[b].qs);
        const int32x4_t p = dot32(vqtbl1q_s8(levels, vandq_u8(bytes, vdupq_n_u8(0xF))),
                                  vqtbl1q_s8(levels, vshrq_n_u8(bytes, 4)), y[b].qs);
        acc = vfmaq_n_f32(acc, vcvtq_f32_s32(p), f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
    }
    return vaddvq_f32(acc);
}

// The low-bit super-block types Q2_K, Q3_K and IQ4_XS with Q8_K activations:
// each 16 values (a Q2_K / Q3_K sub-block, or half an IQ4_XS one) are one
// dot16 whose lanes are then weighed by the sub-block's scale.

// Q2_K: the 2-bit fields of 16 bytes, shifted by 0, 2, 4, 6, are 16 values of
// four different sub-blocks.
float dot_q2_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const uint8x16_t two_bits = vdupq_n_u8(3);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* sc = x[b].scales;
        int32x4_t acc = vdupq_n_s32(0);
        for (int half = 0; half < 2; ++half) {
            const uint8x16_t bits0 = vld1q_u8(x[b].qs + 32 * half);
            const uint8x16_t bits1 = vld1q_u8(x[b].qs + 32 * half + 16);
            const int8_t* yq = y[b].qs + 128 * half;
            for (int k = 0; k < 4; ++k) {
                const int j = 8 * half + 2 * k;
                const int8x16_t shift = vdupq_n_s8(static_cast<int8_t>(-2 * k));
                const uint8x16_t q0 = vandq_u8(vshlq_u8(bits0, shift), two_bits);
                const uint8x16_t q1 = vandq_u8(vshlq_u8(bits1, shift), two_bits);
                acc = vmlaq_n_s32(
                    acc, dot16(vdupq_n_s32(0), vreinterpretq_s8_u8(q0), load_i8(yq + 32 * k)),
                    sc[j] & 0xF);
                acc = vmlaq_n_s32(
                    acc, dot16(vdupq_n_s32(0), vreinterpretq_s8_u8(q1), load_i8(yq + 32 * k + 16)),
                    sc[j + 1] & 0xF);
            }
        }
        const uint8x16_t mins = vshrq_n_u8(vld1q_u8(sc), 4);
        const int16x8_t min_lo = vreinterpretq_s16_u16(vmovl_u8(vget_low_u8(mins)));
        const int16x8_t min_hi = vreinterpretq_s16_u16(vmovl_high_u8(mins));
        const int16x8_t bs_lo = vld1q_s16(y[b].bsums), bs_hi = vld1q_s16(y[b].bsums + 8);
        int32x4_t min_acc = vmull_s16(vget_low_s16(bs_lo), vget_low_s16(min_lo));
        min_acc = vmlal_high_s16(min_acc, bs_lo, min_lo);
        min_acc = vmlal_s16(min_acc, vget_low_s16(bs_hi), vget_low_s16(min_hi));
        min_acc = vmlal_high_s16(min_acc, bs_hi, min_hi);
        sum += y[b].d * (f16_to_f32(x[b].d) * static_cast<float>(vaddvq_s32(acc)) -
                         f16_to_f32(x[b].dmin) * static_cast<float>(vaddvq_s32(min_acc)));
    }
    return sum;
}

// Q3_K: values go in as q + 4 (the low 2 bits, plus 4 where the hmask bit is
// set); 4 * s_j * bsum_j comes off at the end, in integers.
float dot_q3_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const uint8x16_t two_bits = vdupq_n_u8(3), one = vdupq_n_u8(1);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int scales[16];
        int offset = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = q3_k_scale(x[b].scales, j);
            offset += scales[j] * y[b].bsums[j];
        }
        const uint8x16_t hm0 = vld1q_u8(x[b].hmask), hm1 = vld1q_u8(x[b].hmask + 16);
        int32x4_t acc = vdupq_n_s32(0);
        for (int half = 0; half < 2; ++half) {
            const uint8x16_t bits0 = vld1q_u8(x[b].qs + 32 * half);
            const uint8x16_t bits1 = vld1q_u8(x[b].qs + 32 * half + 16);
            const int8_t* yq = y[b].qs + 128 * half;
            for (int k = 0; k < 4; ++k) {
                const int j = 8 * half + 2 * k;
                const int8x16_t shift = vdupq_n_s8(static_cast<int8_t>(-2 * k));
                // Value 32*(4*half + k) + l has its high bit at bit 4*half + k of hmask[l].
                const int8x16_t hshift = vdupq_n_s8(static_cast<int8_t>(-(4 * half + k)));
                const uint8x16_t q0 = vorrq_u8(vandq_u8(vshlq_u8(bits0, shift), two_bits),
                                               vshlq_n_u8(vandq_u8(vshlq_u8(hm0, hshift), one), 2));
                const uint8x16_t q1 = vorrq_u8(vandq_u8(vshlq_u8(bits1, shift), two_bits),
                                               vshlq_n_u8(vandq_u8(vshlq_u8(hm1, hshift), one), 2));
                acc = vmlaq_n_s32(
                    acc, dot16(vdupq_n_s32(0), vreinterpretq_s8_u8(q0), load_i8(yq + 32 * k)),
                    scales[j]);
                acc = vmlaq_n_s32(
                    acc, dot16(vdupq_n_s32(0), vreinterpretq_s8_u8(q1), load_i8(yq + 32 * k + 16)),
                    scales[j + 1]);
            }
        }
        const int isum = vaddvq_s32(acc) - 4 * offset;
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(isum);
    }
    return sum;
}

// IQ4_XS: TBL looks the signed levels up from the nibbles.
float dot_iq4_xs(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_XS*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const int8x16_t levels = vld1q_s8(kIq4nlValues);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int32x4_t acc = vdupq_n_s32(0);
        for (int j = 0; j < 8; ++j) {
            const uint8x16_t bytes = vld1q_u8(x[b].qs + 16 * j);
            const int32x4_t p = dot32(vqtbl1q_s8(levels, vandq_u8(bytes, vdupq_n_u8(0xF))),
                                      vqtbl1q_s8(levels, vshrq_n_u8(bytes, 4)), y[b].qs + 32 * j);
            acc = vmlaq_n_s32(acc, p, iq4_xs_scale(x[b], j));
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(vaddvq_s32(acc));
    }
    return sum;
}

// Activation quantizers; they must write the scalar quantizers' bytes exactly.
// FRINTI rounds in the current mode, as std::nearbyint does; FMAXNM ignores a
// NaN operand, as the scalar std::max(running, |x|) does.

inline int8x16_t narrow_to_i8(int32x4_t a, int32x4_t b, int32x4_t c, int32x4_t d) {
    const int16x8_t ab = vcombine_s16(vmovn_s32(a), vmovn_s32(b));
    const int16x8_t cd = vcombine_s16(vmovn_s32(c), vmovn_s32(d));
    return vcombine_s8(vmovn_s16(ab), vmovn_s16(cd));
}

inline int32x4_t round_to_int(float32x4_t v) {
    return vcvtq_s32_f32(vrndiq_f32(v));
}

void quantize_q8_0(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        float32x4_t v[8];
        float32x4_t m = vdupq_n_f32(0.0f);
        for (int k = 0; k < 8; ++k) {
            v[k] = vld1q_f32(x + 4 * k);
            m = vmaxnmq_f32(m, vabsq_f32(v[k]));
        }
        const float amax = vmaxvq_f32(m);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = vget_lane_u16(vreinterpret_u16_f16(vcvt_f16_f32(vdupq_n_f32(d))), 0);
        for (int k = 0; k < 8; k += 4)
            vst1q_s8(y[b].qs + 4 * k, narrow_to_i8(round_to_int(vmulq_n_f32(v[k], id)),
                                                   round_to_int(vmulq_n_f32(v[k + 1], id)),
                                                   round_to_int(vmulq_n_f32(v[k + 2], id)),
                                                   round_to_int(vmulq_n_f32(v[k + 3], id))));
    }
}

void quantize_q8_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        float32x4_t m = vdupq_n_f32(0.0f);
        for (size_t i = 0; i < kBlockK; i += 4)
            m = vmaxnmq_f32(m, vabsq_f32(vld1q_f32(x + i)));
        const float amax = vmaxvq_f32(m);
        if (amax == 0.0f) {
            __builtin_memset(&y[b], 0, sizeof(BlockQ8_K));
            continue;
        }
        // The scalar code keeps the first value of largest magnitude, with its sign.
        float max = 0.0f;
        for (size_t i = 0; i < kBlockK; ++i) {
            if (__builtin_fabsf(x[i]) == amax) {
                max = x[i];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const int32x4_t top = vdupq_n_s32(127);
        for (size_t g = 0; g < kBlockK / 16; ++g) {
            int32x4_t q[4];
            for (int k = 0; k < 4; ++k)
                q[k] = vminq_s32(round_to_int(vmulq_n_f32(vld1q_f32(x + 16 * g + 4 * k), iscale)),
                                 top);
            vst1q_s8(y[b].qs + 16 * g, narrow_to_i8(q[0], q[1], q[2], q[3]));
            const int32x4_t total = vaddq_s32(vaddq_s32(q[0], q[1]), vaddq_s32(q[2], q[3]));
            y[b].bsums[g] = static_cast<int16_t>(vaddvq_s32(total));
        }
        y[b].d = 1.0f / iscale;
    }
}

void axpy_f32(size_t n, float a, const float* x, float* y) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), vld1q_f32(x + i), a));
    for (; i < n; ++i)
        y[i] += a * x[i];
}

void axpy_q8_0(size_t n, float a, const void* x, float* y) {
    const auto* b = static_cast<const BlockQ8_0*>(x);
    for (size_t k = 0; k < n / kBlock32; ++k, y += kBlock32) {
        const float s = a * f16_to_f32(b[k].d);
        for (size_t i = 0; i < kBlock32; i += 8) {
            const int16x8_t q = vmovl_s8(vld1_s8(b[k].qs + i));
            const float32x4_t lo = vcvtq_f32_s32(vmovl_s16(vget_low_s16(q)));
            const float32x4_t hi = vcvtq_f32_s32(vmovl_s16(vget_high_s16(q)));
            vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), lo, s));
            vst1q_f32(y + i + 4, vfmaq_n_f32(vld1q_f32(y + i + 4), hi, s));
        }
    }
}

void axpy_f16(size_t n, float a, const uint16_t* x, float* y) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        float32x4_t lo, hi;
        load_f16(x + i, &lo, &hi);
        vst1q_f32(y + i, vfmaq_n_f32(vld1q_f32(y + i), lo, a));
        vst1q_f32(y + i + 4, vfmaq_n_f32(vld1q_f32(y + i + 4), hi, a));
    }
    for (; i < n; ++i)
        y[i] += a * f16_to_f32(x[i]);
}

constexpr KernelTable kNeon {
#if defined(__ARM_FEATURE_DOTPROD)
    .name = "neon-dotprod",
#else
    .name = "neon",
#endif
    .dot_f32 = dot_f32, .dot_f16 = dot_half<load_f16, f16_to_f32>,
    .dot_bf16 = dot_half<load_bf16, bf16_to_f32>, .dot_q8_0 = dot_q8_0, .dot_q4_0 = dot_q4_0,
    .dot_q4_k = dot_k_affine<false>, .dot_q5_k = dot_k_affine<true>, .dot_q6_k = dot_q6_k,
    .dot_q4_1 = dot_q4_1, .dot_q5_0 = dot_q5_0, .dot_q5_1 = dot_q5_1, .dot_iq4_nl = dot_iq4_nl,
    .dot_q2_k = dot_q2_k, .dot_q3_k = dot_q3_k, .dot_iq4_xs = dot_iq4_xs,
    .quantize_q8_0 = quantize_q8_0, .quantize_q8_1 = quantize_row_q8_1,
    .quantize_q8_k = quantize_q8_k, .axpy_f32 = axpy_f32, .axpy_f16 = axpy_f16,
    .axpy_q8_0 = axpy_q8_0, .gemm_q4_0 = nullptr, .gemm_q8_0 = nullptr, .gemm_q4_k = nullptr,
    .gemm_q5_0 = nullptr, .gemm_q5_k = nullptr, .gemm_q6_k = nullptr,
};

} // namespace

const KernelTable* neon_kernels() {
    return &kNeon;
}

} // namespace edgeai::engine::kernels

#else

namespace edgeai::engine::kernels {
const KernelTable* neon_kernels() {
    return nullptr;
}
} // namespace edgeai::engine::kernels

#endif
