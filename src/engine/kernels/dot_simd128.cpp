// WebAssembly SIMD128 kernels (wasm32 built with -msimd128: node 16+, every
// current browser). A module either validates with these instructions or not
// at all, so there is no run-time check: the table exists when compiled in.
// SIMD128 has no FMA, no byte dot product and no half-float conversion: byte
// products widen to int16 and go through i32x4.dot_i16x8_s, and halves are
// converted with integer operations.
#include "engine/kernels/kernel_table.h"

#if defined(__wasm_simd128__)

#include "engine/kernels/blocks.h"
#include "engine/kernels/quantize.h"

#include <wasm_simd128.h>

namespace edgeai::engine::kernels {
namespace {

// Like every SIMD file, this one defines its own helpers rather than sharing
// inline ones (half.h, <algorithm>): see dot_avx2.cpp.

inline float hsum_f32(v128_t v) {
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

inline int hsum_i32(v128_t v) {
    return (wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1)) +
           (wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3));
}

// Four halves (in the low 16 bits of each lane) to floats, exactly: the
// exponent and mantissa bits moved into float position are the value times
// 2^-112 for normal and subnormal halves alike (the multiply is exact); all-ones
// exponents (inf, nan) keep a float all-ones exponent instead.
inline v128_t halves_to_f32(v128_t h) {
    const v128_t magnitude = wasm_v128_and(h, wasm_i32x4_splat(0x7fff));
    const v128_t shifted = wasm_i32x4_shl(magnitude, 13);
    const v128_t finite = wasm_f32x4_mul(shifted, wasm_f32x4_splat(0x1p112f));
    const v128_t special = wasm_v128_or(shifted, wasm_i32x4_splat(0x7f800000));
    const v128_t is_special = wasm_i32x4_ge(magnitude, wasm_i32x4_splat(0x7c00));
    const v128_t sign = wasm_i32x4_shl(wasm_v128_and(h, wasm_i32x4_splat(0x8000)), 16);
    return wasm_v128_or(wasm_v128_bitselect(special, finite, is_special), sign);
}

inline float f16_to_f32(uint16_t h) {
    return wasm_f32x4_extract_lane(halves_to_f32(wasm_i32x4_splat(h)), 0);
}
inline float bf16_to_f32(uint16_t h) {
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    __builtin_memcpy(&f, &bits, sizeof f);
    return f;
}

inline v128_t load(const void* p) {
    return wasm_v128_load(p);
}

float dot_f32(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(load(x + i), load(y + i)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(load(x + i + 4), load(y + i + 4)));
        acc2 = wasm_f32x4_add(acc2, wasm_f32x4_mul(load(x + i + 8), load(y + i + 8)));
        acc3 = wasm_f32x4_add(acc3, wasm_f32x4_mul(load(x + i + 12), load(y + i + 12)));
    }
    for (; i + 4 <= n; i += 4)
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(load(x + i), load(y + i)));
    float sum = hsum_f32(wasm_f32x4_add(wasm_f32x4_add(acc0, acc1), wasm_f32x4_add(acc2, acc3)));
    for (; i < n; ++i)
        sum += x[i] * y[i];
    return sum;
}

// Eight 16-bit floats as two float vectors.
inline void load_f16(const uint16_t* p, v128_t* lo, v128_t* hi) {
    const v128_t h = load(p);
    *lo = halves_to_f32(wasm_u32x4_extend_low_u16x8(h));
    *hi = halves_to_f32(wasm_u32x4_extend_high_u16x8(h));
}
inline void load_bf16(const uint16_t* p, v128_t* lo, v128_t* hi) {
    const v128_t h = load(p);
    *lo = wasm_i32x4_shl(wasm_u32x4_extend_low_u16x8(h), 16);
    *hi = wasm_i32x4_shl(wasm_u32x4_extend_high_u16x8(h), 16);
}

template <void (*Load)(const uint16_t*, v128_t*, v128_t*), float (*Scalar)(uint16_t)>
float dot_half(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    v128_t acc0 = wasm_f32x4_splat(0.0f), acc1 = acc0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v128_t x0, x1;
        Load(x + i, &x0, &x1);
        acc0 = wasm_f32x4_add(acc0, wasm_f32x4_mul(x0, load(y + i)));
        acc1 = wasm_f32x4_add(acc1, wasm_f32x4_mul(x1, load(y + i + 4)));
    }
    float sum = hsum_f32(wasm_f32x4_add(acc0, acc1));
    for (; i < n; ++i)
        sum += Scalar(x[i]) * y[i];
    return sum;
}

// acc + the products of 16 signed bytes, in four int32 lanes (partial sums:
// callers use the total of a call's lanes, or scale them all by one factor).
inline v128_t dot16(v128_t acc, v128_t a, v128_t b) {
    const v128_t lo =
        wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_i16x8_extend_low_i8x16(b));
    const v128_t hi =
        wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(a), wasm_i16x8_extend_high_i8x16(b));
    return wasm_i32x4_add(acc, wasm_i32x4_add(lo, hi));
}

float dot_q8_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        v128_t p = dot16(wasm_i32x4_splat(0), load(x[b].qs), load(y[b].qs));
        p = dot16(p, load(x[b].qs + 16), load(y[b].qs + 16));
        const v128_t d = wasm_f32x4_splat(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(p)));
    }
    return hsum_f32(acc);
}

float dot_q4_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const v128_t low_mask = wasm_i8x16_splat(0xF), eight = wasm_i8x16_splat(8);
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const v128_t bytes = load(x[b].qs);
        const v128_t lo = wasm_i8x16_sub(wasm_v128_and(bytes, low_mask), eight);
        const v128_t hi = wasm_i8x16_sub(wasm_u8x16_shr(bytes, 4), eight);
        v128_t p = dot16(wasm_i32x4_splat(0), lo, load(y[b].qs));
        p = dot16(p, hi, load(y[b].qs + 16));
        const v128_t d = wasm_f32x4_splat(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(p)));
    }
    return hsum_f32(acc);
}

// The 32-value types Q4_1, Q5_0, Q5_1 and IQ4_NL: a block is two vectors of 16
// values (value j in the low nibble of byte j, j + 16 in the high one).

// A Q5 block's 32 5-bit values (0..31) as two vectors: byte i takes byte i / 8
// of qh, tests its own bit, and adds 16 where it is set.
inline void q5_values(const uint8_t* qh, const uint8_t* qs, v128_t* lo, v128_t* hi) {
    uint32_t word;
    __builtin_memcpy(&word, qh, sizeof word);
    const v128_t bytes = wasm_i32x4_splat(static_cast<int32_t>(word));
    const v128_t bit = wasm_i8x16_const(1, 2, 4, 8, 16, 32, 64, -128, 1, 2, 4, 8, 16, 32, 64, -128);
    const v128_t sixteen = wasm_i8x16_splat(16);
    const v128_t spread_lo =
        wasm_i8x16_swizzle(bytes, wasm_i8x16_const(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
    const v128_t spread_hi =
        wasm_i8x16_swizzle(bytes, wasm_i8x16_const(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3));
    const v128_t h_lo = wasm_v128_and(wasm_i8x16_eq(wasm_v128_and(spread_lo, bit), bit), sixteen);
    const v128_t h_hi = wasm_v128_and(wasm_i8x16_eq(wasm_v128_and(spread_hi, bit), bit), sixteen);
    const v128_t raw = load(qs);
    *lo = wasm_v128_or(wasm_v128_and(raw, wasm_i8x16_splat(0xF)), h_lo);
    *hi = wasm_v128_or(wasm_u8x16_shr(raw, 4), h_hi);
}

// lo · y[0..15] + hi · y[16..31], as int32 lanes.
inline v128_t dot32(v128_t lo, v128_t hi, const int8_t* y) {
    return dot16(dot16(wasm_i32x4_splat(0), lo, load(y)), hi, load(y + 16));
}

// Q4_1 x Q8_1: d_x d_y (q · y) + m_x s_y.
float dot_q4_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    v128_t acc = wasm_f32x4_splat(0.0f);
    float offset = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const v128_t raw = load(x[b].qs);
        const v128_t p =
            dot32(wasm_v128_and(raw, wasm_i8x16_splat(0xF)), wasm_u8x16_shr(raw, 4), y[b].qs);
        const v128_t d = wasm_f32x4_splat(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(p)));
        offset += f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return hsum_f32(acc) + offset;
}

float dot_q5_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const v128_t sixteen = wasm_i8x16_splat(16);
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        v128_t lo, hi;
        q5_values(x[b].qh, x[b].qs, &lo, &hi);
        const v128_t p = dot32(wasm_i8x16_sub(lo, sixteen), wasm_i8x16_sub(hi, sixteen), y[b].qs);
        const v128_t d = wasm_f32x4_splat(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(p)));
    }
    return hsum_f32(acc);
}

float dot_q5_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    v128_t acc = wasm_f32x4_splat(0.0f);
    float offset = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        v128_t lo, hi;
        q5_values(x[b].qh, x[b].qs, &lo, &hi);
        const v128_t p = dot32(lo, hi, y[b].qs);
        const v128_t d = wasm_f32x4_splat(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(p)));
        offset += f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return hsum_f32(acc) + offset;
}

// IQ4_NL x Q8_0: a swizzle looks the signed levels up from the nibbles.
float dot_iq4_nl(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_NL*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const v128_t levels = load(kIq4nlValues);
    v128_t acc = wasm_f32x4_splat(0.0f);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const v128_t raw = load(x[b].qs);
        const v128_t p =
            dot32(wasm_i8x16_swizzle(levels, wasm_v128_and(raw, wasm_i8x16_splat(0xF))),
                  wasm_i8x16_swizzle(levels, wasm_u8x16_shr(raw, 4)), y[b].qs);
        const v128_t d = wasm_f32x4_splat(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = wasm_f32x4_add(acc, wasm_f32x4_mul(d, wasm_f32x4_convert_i32x4(p)));
    }
    return hsum_f32(acc);
}

// The low-bit super-block types Q2_K, Q3_K and IQ4_XS with Q8_K activations:
// each 16 values (a Q2_K / Q3_K sub-block, or half an IQ4_XS one) are one
// dot16 whose lanes are then weighed by the sub-block's scale.

inline v128_t scaled(v128_t acc, v128_t p, int scale) {
    return wasm_i32x4_add(acc, wasm_i32x4_mul(p, wasm_i32x4_splat(scale)));
}

// Q2_K: the 2-bit fields of 16 bytes, shifted by 0, 2, 4, 6, are 16 values of
// four different sub-blocks.
float dot_q2_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const v128_t two_bits = wasm_i8x16_splat(3);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* sc = x[b].scales;
        v128_t acc = wasm_i32x4_splat(0);
        int min_sum = 0;
        for (int j = 0; j < 16; ++j)
            min_sum += (sc[j] >> 4) * y[b].bsums[j];
        for (int half = 0; half < 2; ++half) {
            const v128_t bits0 = load(x[b].qs + 32 * half);
            const v128_t bits1 = load(x[b].qs + 32 * half + 16);
            const int8_t* yq = y[b].qs + 128 * half;
            for (int k = 0; k < 4; ++k) {
                const int j = 8 * half + 2 * k;
                const auto shift = static_cast<uint32_t>(2 * k);
                const v128_t q0 = wasm_v128_and(wasm_u8x16_shr(bits0, shift), two_bits);
                const v128_t q1 = wasm_v128_and(wasm_u8x16_shr(bits1, shift), two_bits);
                acc = scaled(acc, dot16(wasm_i32x4_splat(0), q0, load(yq + 32 * k)), sc[j] & 0xF);
                acc = scaled(acc, dot16(wasm_i32x4_splat(0), q1, load(yq + 32 * k + 16)),
                             sc[j + 1] & 0xF);
            }
        }
        sum += y[b].d * (f16_to_f32(x[b].d) * static_cast<float>(hsum_i32(acc)) -
                         f16_to_f32(x[b].dmin) * static_cast<float>(min_sum));
    }
    return sum;
}

// Q3_K: values go in as q + 4 (the low 2 bits, plus 4 where the hmask bit is
// set); 4 * s_j * bsum_j comes off at the end, in integers.
float dot_q3_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const v128_t two_bits = wasm_i8x16_splat(3), one = wasm_i8x16_splat(1);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        int scales[16];
        int offset = 0;
        for (int j = 0; j < 16; ++j) {
            scales[j] = q3_k_scale(x[b].scales, j);
            offset += scales[j] * y[b].bsums[j];
        }
        const v128_t hm0 = load(x[b].hmask), hm1 = load(x[b].hmask + 16);
        v128_t acc = wasm_i32x4_splat(0);
        for (int half = 0; half < 2; ++half) {
            const v128_t bits0 = load(x[b].qs + 32 * half);
            const v128_t bits1 = load(x[b].qs + 32 * half + 16);
            const int8_t* yq = y[b].qs + 128 * half;
            for (int k = 0; k < 4; ++k) {
                const int j = 8 * half + 2 * k;
                const auto shift = static_cast<uint32_t>(2 * k);
                // Value 32*(4*half + k) + l has its high bit at bit 4*half + k of hmask[l].
                const auto hshift = static_cast<uint32_t>(4 * half + k);
                const v128_t q0 = wasm_v128_or(
                    wasm_v128_and(wasm_u8x16_shr(bits0, shift), two_bits),
                    wasm_i8x16_shl(wasm_v128_and(wasm_u8x16_shr(hm0, hshift), one), 2));
                const v128_t q1 = wasm_v128_or(
                    wasm_v128_and(wasm_u8x16_shr(bits1, shift), two_bits),
                    wasm_i8x16_shl(wasm_v128_and(wasm_u8x16_shr(hm1, hshift), one), 2));
                acc = scaled(acc, dot16(wasm_i32x4_splat(0), q0, load(yq + 32 * k)), scales[j]);
                acc = scaled(acc, dot16(wasm_i32x4_splat(0), q1, load(yq + 32 * k + 16)),
                             scales[j + 1]);
            }
        }
        const int isum = hsum_i32(acc) - 4 * offset;
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(isum);
    }
    return sum;
}

// IQ4_XS: a swizzle looks the signed levels up from the nibbles.
float dot_iq4_xs(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_XS*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const v128_t levels = load(kIq4nlValues);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        v128_t acc = wasm_i32x4_splat(0);
        for (int j = 0; j < 8; ++j) {
            const v128_t raw = load(x[b].qs + 16 * j);
            const v128_t p =
                dot32(wasm_i8x16_swizzle(levels, wasm_v128_and(raw, wasm_i8x16_splat(0xF))),
                      wasm_i8x16_swizzle(levels, wasm_u8x16_shr(raw, 4)), y[b].qs + 32 * j);
            acc = scaled(acc, p, iq4_xs_scale(x[b], j));
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(hsum_i32(acc));
    }
    return sum;
}

// Q4_K and Q5_K: per super-block, the integer sums of scale_j * (q·y)_j and
// min_j * bsum_j, combined in float as the scalar code does.
template <bool kFifthBit> float dot_k_affine(size_t n, const void* w, const void* a) {
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const v128_t low_mask = wasm_i8x16_splat(0xF);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        v128_t qh0 = wasm_i8x16_splat(0), qh1 = qh0;
        float d, dmin;
        if constexpr (kFifthBit) {
            const auto& x = static_cast<const BlockQ5_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            qh0 = load(x.qh);
            qh1 = load(x.qh + 16);
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
        const int8_t* yq = y[b].qs;
        for (int chunk = 0; chunk < 4; ++chunk) {
            const v128_t b0 = load(qs + 32 * chunk), b1 = load(qs + 32 * chunk + 16);
            v128_t lo0 = wasm_v128_and(b0, low_mask), lo1 = wasm_v128_and(b1, low_mask);
            v128_t hi0 = wasm_u8x16_shr(b0, 4), hi1 = wasm_u8x16_shr(b1, 4);
            if constexpr (kFifthBit) {
                // Chunk c's low nibbles take bit 2c of qh, its high ones bit 2c+1.
                const auto shift = static_cast<uint32_t>(2 * chunk);
                const v128_t one = wasm_i8x16_splat(1), two = wasm_i8x16_splat(2);
                const v128_t s0 = wasm_u8x16_shr(qh0, shift), s1 = wasm_u8x16_shr(qh1, shift);
                lo0 = wasm_v128_or(lo0, wasm_i8x16_shl(wasm_v128_and(s0, one), 4));
                lo1 = wasm_v128_or(lo1, wasm_i8x16_shl(wasm_v128_and(s1, one), 4));
                hi0 = wasm_v128_or(hi0, wasm_i8x16_shl(wasm_v128_and(s0, two), 3));
                hi1 = wasm_v128_or(hi1, wasm_i8x16_shl(wasm_v128_and(s1, two), 3));
            }
            uint8_t scale_lo, min_lo, scale_hi, min_hi;
            unpack_scale_min_k4(scales, 2 * chunk, &scale_lo, &min_lo);
            unpack_scale_min_k4(scales, 2 * chunk + 1, &scale_hi, &min_hi);
            // Values are at most 31: also valid signed bytes.
            const v128_t p_lo =
                dot16(dot16(wasm_i32x4_splat(0), lo0, load(yq)), lo1, load(yq + 16));
            const v128_t p_hi =
                dot16(dot16(wasm_i32x4_splat(0), hi0, load(yq + 32)), hi1, load(yq + 48));
            scaled_sum += scale_lo * hsum_i32(p_lo) + scale_hi * hsum_i32(p_hi);
            min_sum += min_lo * (y[b].bsums[4 * chunk] + y[b].bsums[4 * chunk + 1]) +
                       min_hi * (y[b].bsums[4 * chunk + 2] + y[b].bsums[4 * chunk + 3]);
            yq += 64;
        }
        sum += y[b].d * (d * static_cast<float>(scaled_sum) - dmin * static_cast<float>(min_sum));
    }
    return sum;
}

// Q6_K: each 16 values is one sub-block with one signed scale.
float dot_q6_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const v128_t low_mask = wasm_i8x16_splat(0xF), bits45 = wasm_i8x16_splat(0x30);
    const v128_t offset = wasm_i8x16_splat(32);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        v128_t acc = wasm_i32x4_splat(0);
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const uint8_t* qh = x[b].qh + 32 * half;
            const int8_t* sc = x[b].scales + 8 * half;
            const int8_t* yq = y[b].qs + 128 * half;
            for (int part = 0; part < 2; ++part) { // values l = 16 * part .. + 15
                const v128_t l0 = load(ql + 16 * part), l1 = load(ql + 32 + 16 * part);
                const v128_t h = load(qh + 16 * part);
                // Values l, l+32, l+64, l+96 of the half: low or high nibble of
                // ql[l] / ql[l+32] with qh bit pairs 0-1, 2-3, 4-5, 6-7 as bits 4-5.
                const v128_t u[4] = {
                    wasm_v128_or(wasm_v128_and(l0, low_mask),
                                 wasm_v128_and(wasm_i8x16_shl(h, 4), bits45)),
                    wasm_v128_or(wasm_v128_and(l1, low_mask),
                                 wasm_v128_and(wasm_i8x16_shl(h, 2), bits45)),
                    wasm_v128_or(wasm_u8x16_shr(l0, 4), wasm_v128_and(h, bits45)),
                    wasm_v128_or(wasm_u8x16_shr(l1, 4),
                                 wasm_v128_and(wasm_u8x16_shr(h, 2), bits45)),
                };
                for (int k = 0; k < 4; ++k) {
                    // Values 32k + 16*part .. + 15: sub-block 2k + part.
                    const v128_t q = wasm_i8x16_sub(u[k], offset);
                    const v128_t p = dot16(wasm_i32x4_splat(0), q, load(yq + 32 * k + 16 * part));
                    acc =
                        wasm_i32x4_add(acc, wasm_i32x4_mul(p, wasm_i32x4_splat(sc[2 * k + part])));
                }
            }
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(hsum_i32(acc));
    }
    return sum;
}

// Activation quantizers; they must write the scalar quantizers' bytes exactly.
// f32x4.nearest rounds half to even, as std::nearbyint does (wasm has no other
// rounding mode); f32x4.pmax(m, v) is m < v ? v : m, std::max's definition, so
// NaNs are skipped the same way.

// Saturating narrows, which for values within int8 (all that rounding x * id
// gives) are static_cast<int8_t>. Only a block of subnormal inputs, whose 1/d
// overflows to inf, leaves that range; the scalar float-to-int conversion is
// undefined there (clang lowers it differently at -Os and -O2), so no table can
// promise its bytes.
inline v128_t narrow_to_i8(v128_t a, v128_t b, v128_t c, v128_t d) {
    return wasm_i8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(a, b), wasm_i16x8_narrow_i32x4(c, d));
}

inline v128_t round_to_int(v128_t v) {
    return wasm_i32x4_trunc_sat_f32x4(wasm_f32x4_nearest(v));
}

inline float hmax(v128_t v) {
    float m = wasm_f32x4_extract_lane(v, 0);
    for (float lane : {wasm_f32x4_extract_lane(v, 1), wasm_f32x4_extract_lane(v, 2),
                       wasm_f32x4_extract_lane(v, 3)})
        m = m < lane ? lane : m;
    return m;
}

// f32 to IEEE half bits with ties to even, bit for bit half.h's f32_to_f16 (the
// scalar quantizer's), for one block scale per call.
inline uint16_t f32_to_f16(float f) {
    uint32_t x;
    __builtin_memcpy(&x, &f, sizeof x);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u)
        return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);
    if (abs < 0x38800000u) {
        if (abs < 0x33000000u) return static_cast<uint16_t>(sign);
        const uint32_t e = abs >> 23;
        const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126 - e;
        uint32_t half = m >> shift;
        const uint32_t rest = m & ((1u << shift) - 1);
        const uint32_t midpoint = 1u << (shift - 1);
        if (rest > midpoint || (rest == midpoint && (half & 1u))) ++half;
        return static_cast<uint16_t>(sign | half);
    }
    uint32_t half = ((abs >> 13) - (112u << 10));
    const uint32_t rest = abs & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u))) ++half;
    return static_cast<uint16_t>(sign | half);
}

void quantize_q8_0(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        v128_t v[8];
        v128_t m = wasm_f32x4_splat(0.0f);
        for (int k = 0; k < 8; ++k) {
            v[k] = load(x + 4 * k);
            m = wasm_f32x4_pmax(m, wasm_f32x4_abs(v[k]));
        }
        const float amax = hmax(m);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = f32_to_f16(d);
        const v128_t vid = wasm_f32x4_splat(id);
        for (int k = 0; k < 8; k += 4)
            wasm_v128_store(y[b].qs + 4 * k,
                            narrow_to_i8(round_to_int(wasm_f32x4_mul(v[k], vid)),
                                         round_to_int(wasm_f32x4_mul(v[k + 1], vid)),
                                         round_to_int(wasm_f32x4_mul(v[k + 2], vid)),
                                         round_to_int(wasm_f32x4_mul(v[k + 3], vid))));
    }
}

void quantize_q8_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        v128_t m = wasm_f32x4_splat(0.0f);
        for (size_t i = 0; i < kBlockK; i += 4)
            m = wasm_f32x4_pmax(m, wasm_f32x4_abs(load(x + i)));
        const float amax = hmax(m);
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
        const v128_t vis = wasm_f32x4_splat(iscale);
        const v128_t top = wasm_i32x4_splat(127);
        for (size_t g = 0; g < kBlockK / 16; ++g) {
            v128_t q[4];
            for (int k = 0; k < 4; ++k)
                q[k] = wasm_i32x4_min(round_to_int(wasm_f32x4_mul(load(x + 16 * g + 4 * k), vis)),
                                      top);
            wasm_v128_store(y[b].qs + 16 * g, narrow_to_i8(q[0], q[1], q[2], q[3]));
            const v128_t total =
                wasm_i32x4_add(wasm_i32x4_add(q[0], q[1]), wasm_i32x4_add(q[2], q[3]));
            y[b].bsums[g] = static_cast<int16_t>(hsum_i32(total));
        }
        y[b].d = 1.0f / iscale;
    }
}

void axpy_f32(size_t n, float a, const float* x, float* y) {
    const v128_t va = wasm_f32x4_splat(a);
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        wasm_v128_store(y + i, wasm_f32x4_add(load(y + i), wasm_f32x4_mul(va, load(x + i))));
    for (; i < n; ++i)
        y[i] += a * x[i];
}

void axpy_q8_0(size_t n, float a, const void* x, float* y) {
    const auto* b = static_cast<const BlockQ8_0*>(x);
    for (size_t k = 0; k < n / kBlock32; ++k, y += kBlock32) {
        const v128_t s = wasm_f32x4_splat(a * f16_to_f32(b[k].d));
        for (size_t i = 0; i < kBlock32; i += 16) {
            const v128_t q = wasm_v128_load(b[k].qs + i);
            const v128_t q16[2] = {wasm_i16x8_extend_low_i8x16(q), wasm_i16x8_extend_high_i8x16(q)};
            for (int h = 0; h < 2; ++h) {
                const v128_t lo = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_low_i16x8(q16[h]));
                const v128_t hi = wasm_f32x4_convert_i32x4(wasm_i32x4_extend_high_i16x8(q16[h]));
                float* o = y + i + 8 * static_cast<size_t>(h);
                wasm_v128_store(o, wasm_f32x4_add(load(o), wasm_f32x4_mul(s, lo)));
                wasm_v128_store(o + 4, wasm_f32x4_add(load(o + 4), wasm_f32x4_mul(s, hi)));
            }
        }
    }
}

void axpy_f16(size_t n, float a, const uint16_t* x, float* y) {
    const v128_t va = wasm_f32x4_splat(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v128_t lo, hi;
        load_f16(x + i, &lo, &hi);
        wasm_v128_store(y + i, wasm_f32x4_add(load(y + i), wasm_f32x4_mul(va, lo)));
        wasm_v128_store(y + i + 4, wasm_f32x4_add(load(y + i + 4), wasm_f32x4_mul(va, hi)));
    }
    for (; i < n; ++i)
        y[i] += a * f16_to_f32(x[i]);
}

constexpr KernelTable kSimd128{
    .name = "simd128",
    .dot_f32 = dot_f32,
    .dot_f16 = dot_half<load_f16, f16_to_f32>,
    .dot_bf16 = dot_half<load_bf16, bf16_to_f32>,
    .dot_q8_0 = dot_q8_0,
    .dot_q4_0 = dot_q4_0,
    .dot_q4_k = dot_k_affine<false>,
    .dot_q5_k = dot_k_affine<true>,
    .dot_q6_k = dot_q6_k,
    .dot_q4_1 = dot_q4_1,
    .dot_q5_0 = dot_q5_0,
    .dot_q5_1 = dot_q5_1,
    .dot_iq4_nl = dot_iq4_nl,
    .dot_q2_k = dot_q2_k,
    .dot_q3_k = dot_q3_k,
    .dot_iq4_xs = dot_iq4_xs,
    .quantize_q8_0 = quantize_q8_0,
    .quantize_q8_1 = quantize_row_q8_1,
    .quantize_q8_k = quantize_q8_k,
    .axpy_f32 = axpy_f32,
    .axpy_f16 = axpy_f16,
    .axpy_q8_0 = axpy_q8_0,
    .gemm_q4_0 = nullptr,
    .gemm_q8_0 = nullptr,
    .gemm_q4_k = nullptr,
    .gemm_q5_0 = nullptr,
    .gemm_q5_k = nullptr,
    .gemm_q6_k = nullptr,
};

} // namespace

const KernelTable* simd128_kernels() {
    return &kSimd128;
}

} // namespace edgeai::engine::kernels

#else

namespace edgeai::engine::kernels {
const KernelTable* simd128_kernels() {
    return nullptr;
}
} // namespace edgeai::engine::kernels

#endif
