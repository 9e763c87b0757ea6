// AVX2 + FMA + F16C kernels (Haswell and later, Zen). Compiled with those
// target flags; chosen at run time only when the CPU has them.
#include "engine/kernels/kernel_table.h"

#if defined(__x86_64__) && defined(EDGEAI_KERNELS_X86)

#include "engine/kernels/blocks.h"
#include "engine/kernels/dot_avx2_k_low.h"
#include "engine/kernels/packed.h"
#include "engine/kernels/quantize.h"
#include "engine/kernels/simd_x86.h"

#include <cpuid.h>

namespace edgeai::engine::kernels {
namespace {

// No shared inline helpers (half.h, <algorithm>) in this file: the linker keeps
// one copy of an inline function, and it could be this file's AVX2 build.
inline float f16_to_f32(uint16_t h) {
    return _cvtsh_ss(h);
}
inline float bf16_to_f32(uint16_t h) {
    const uint32_t bits = uint32_t{h} << 16;
    float f;
    __builtin_memcpy(&f, &bits, sizeof f);
    return f;
}

using x86::dot_i8_pairs;
using x86::dot_u8_i8;
using x86::hsum;

float dot_f32(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const float*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 16), _mm256_loadu_ps(y + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 24), _mm256_loadu_ps(y + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
    float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i)
        sum += x[i] * y[i];
    return sum;
}

inline __m256 load_f16(const uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

inline __m256 load_bf16(const uint16_t* p) {
    const __m256i wide =
        _mm256_cvtepu16_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
    return _mm256_castsi256_ps(_mm256_slli_epi32(wide, 16));
}

template <__m256 (*Load)(const uint16_t*), float (*Scalar)(uint16_t)>
float dot_half(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const uint16_t*>(w);
    const auto* y = static_cast<const float*>(a);
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    __m256 acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        acc0 = _mm256_fmadd_ps(Load(x + i), _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(Load(x + i + 8), _mm256_loadu_ps(y + i + 8), acc1);
        acc2 = _mm256_fmadd_ps(Load(x + i + 16), _mm256_loadu_ps(y + i + 16), acc2);
        acc3 = _mm256_fmadd_ps(Load(x + i + 24), _mm256_loadu_ps(y + i + 24), acc3);
    }
    for (; i + 8 <= n; i += 8)
        acc0 = _mm256_fmadd_ps(Load(x + i), _mm256_loadu_ps(y + i), acc0);
    float sum = hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3)));
    for (; i < n; ++i)
        sum += Scalar(x[i]) * y[i];
    return sum;
}

inline __m256i load_i8(const int8_t* p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

float dot_q8_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    __m256 acc = _mm256_setzero_ps();
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i p = dot_i8_pairs(load_i8(x[b].qs), load_i8(y[b].qs));
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum(acc);
}

float dot_q4_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    __m256 acc = _mm256_setzero_ps();
    const __m256i eight = _mm256_set1_epi8(8);
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i q = _mm256_sub_epi8(x86::unpack_nibbles(x[b].qs), eight);
        const __m256i p = dot_i8_pairs(q, load_i8(y[b].qs));
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum(acc);
}

template <bool kFifthBit> float dot_k_affine(size_t n, const void* w, const void* a) {
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i low_mask = _mm256_set1_epi8(0xF);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        __m256i qh = _mm256_setzero_si256();
        float d, dmin;
        if constexpr (kFifthBit) {
            const auto& x = static_cast<const BlockQ5_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qh));
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        } else {
            const auto& x = static_cast<const BlockQ4_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        }
        uint8_t sc[8], mn[8];
        for (int j = 0; j < 8; ++j)
            unpack_scale_min_k4(scales, j, &sc[j], &mn[j]);
        __m256i acc = _mm256_setzero_si256();
        for (int chunk = 0; chunk < 4; ++chunk) {
            const __m256i bytes =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * chunk));
            __m256i lo = _mm256_and_si256(bytes, low_mask);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(bytes, 4), low_mask);
            if constexpr (kFifthBit) {
                const __m256i bit_lo = _mm256_set1_epi8(static_cast<char>(1 << (2 * chunk)));
                const __m256i bit_hi = _mm256_set1_epi8(static_cast<char>(2 << (2 * chunk)));
                const __m256i sixteen = _mm256_set1_epi8(16);
                lo = _mm256_or_si256(
                    lo, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_lo), bit_lo),
                                         sixteen));
                hi = _mm256_or_si256(
                    hi, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(qh, bit_hi), bit_hi),
                                         sixteen));
            }
            const __m256i p_lo = dot_u8_i8(lo, load_i8(y[b].qs + 64 * chunk));
            const __m256i p_hi = dot_u8_i8(hi, load_i8(y[b].qs + 64 * chunk + 32));
            acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(p_lo, _mm256_set1_epi32(sc[2 * chunk])));
            acc = _mm256_add_epi32(acc,
                                   _mm256_mullo_epi32(p_hi, _mm256_set1_epi32(sc[2 * chunk + 1])));
        }
        int min_sum = 0;
        for (int j = 0; j < 8; ++j)
            min_sum += mn[j] * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
        sum += y[b].d * (d * static_cast<float>(hsum(acc)) - dmin * static_cast<float>(min_sum));
    }
    return sum;
}

float dot_q6_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i low_mask = _mm256_set1_epi8(0xF);
    const __m256i two_bits = _mm256_set1_epi8(3);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        __m256i acc = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const uint8_t* ql = x[b].ql + 64 * half;
            const __m256i qh =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh + 32 * half));
            const __m256i l0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
            const __m256i l1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
            const __m256i h0 = _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4);
            const __m256i h1 =
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4);
            const __m256i h2 =
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4);
            const __m256i h3 =
                _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4);
            const __m256i q[4] = {
                _mm256_or_si256(_mm256_and_si256(l0, low_mask), h0),
                _mm256_or_si256(_mm256_and_si256(l1, low_mask), h1),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low_mask), h2),
                _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low_mask), h3),
            };
            const int8_t* sc = x[b].scales + 8 * half;
            for (int k = 0; k < 4; ++k) {
                // 16 int16 products; the low 8 belong to sub-block 2k, the high to 2k+1.
                const __m256i prod =
                    _mm256_maddubs_epi16(q[k], load_i8(y[b].qs + 128 * half + 32 * k));
                const __m256i scale =
                    _mm256_set_m128i(_mm_set1_epi16(sc[2 * k + 1]), _mm_set1_epi16(sc[2 * k]));
                acc = _mm256_add_epi32(acc, _mm256_madd_epi16(prod, scale));
            }
        }
        // The stored values are q + 32: remove 32 * scale * sum(activations).
        int offset = 0;
        for (int j = 0; j < 16; ++j)
            offset += x[b].scales[j] * y[b].bsums[j];
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(hsum(acc) - 32 * offset);
    }
    return sum;
}

inline __m256i dot4(__m256i u, __m256i s) {
    return dot_u8_i8(u, s);
}

#define EDGEAI_X86_TARGET
#include "engine/kernels/dot_x86_q32.h"
#undef EDGEAI_X86_TARGET

void axpy_f32(size_t n, float a, const float* x, float* y) {
    const __m256 va = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i,
                         _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += a * x[i];
}

void axpy_f16(size_t n, float a, const uint16_t* x, float* y) {
    const __m256 va = _mm256_set1_ps(a);
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, load_f16(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; ++i)
        y[i] += a * f16_to_f32(x[i]);
}

void axpy_q8_0(size_t n, float a, const void* x, float* y) {
    const auto* b = static_cast<const BlockQ8_0*>(x);
    for (size_t k = 0; k < n / kBlock32; ++k, y += kBlock32) {
        const __m256 s = _mm256_set1_ps(a * f16_to_f32(b[k].d));
        for (size_t i = 0; i < kBlock32; i += 8) {
            const __m128i q = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(b[k].qs + i));
            const __m256 v = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(q));
            _mm256_storeu_ps(y + i, _mm256_fmadd_ps(s, v, _mm256_loadu_ps(y + i)));
        }
    }
}

// The matrix kernels are templates on the token count (their accumulators
// live in registers); this picks the instance for 1 to kGemmTokens tokens.
using GemmTokensFn = void (*)(size_t, const void*, const PackedActivations&, float*, size_t);
template <GemmTokensFn k1, GemmTokensFn k2, GemmTokensFn k3, GemmTokensFn k4>
inline void for_token_count(size_t n, const void* group, const PackedActivations& acts,
                            uint32_t tokens, float* out, size_t out_stride) {
    const GemmTokensFn kernel = tokens == 1 ? k1 : tokens == 2 ? k2 : tokens == 3 ? k3 : k4;
    kernel(n, group, acts, out, out_stride);
}

// Four packed Q4_0 rows (PackedQ4_0x4) times kTokens tokens: the 64 bytes of
// a block are two vectors, rows 0-1 and rows 2-3, int32 lanes 4r..4r+3 of a
// product belonging to row r of the pair. The unpacked nibbles and the rows'
// scales serve every token.
template <int kTokens>
void gemm_q4_0_tokens(size_t n, const void* group, const PackedActivations& acts, float* out,
                      size_t out_stride) {
    const auto* x = static_cast<const PackedQ4_0x4*>(group);
    const auto* act_bytes = reinterpret_cast<const uint8_t*>(acts.rows);
    const __m256i low_mask = _mm256_set1_epi8(0xF);
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i rows01 = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    const __m256i rows23 = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
    __m256 acc01[kTokens], acc23[kTokens];
    __m128 offset[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        acc01[t] = _mm256_setzero_ps();
        acc23[t] = _mm256_setzero_ps();
        offset[t] = _mm_setzero_ps();
    }
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i raw01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs[0]));
        const __m256i raw23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs[2]));
        const __m256i lo01 = _mm256_and_si256(raw01, low_mask);
        const __m256i hi01 = _mm256_and_si256(_mm256_srli_epi16(raw01, 4), low_mask);
        const __m256i lo23 = _mm256_and_si256(raw23, low_mask);
        const __m256i hi23 = _mm256_and_si256(_mm256_srli_epi16(raw23, 4), low_mask);
        const __m128 dx = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d)));
        const __m256 dx01 = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dx), rows01);
        const __m256 dx23 = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dx), rows23);
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const uint8_t* row = act_bytes + t * acts.stride;
            const auto* y = reinterpret_cast<const BlockQ8_0*>(row) + b;
            const auto* d = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d) + t * acts.stride);
            const auto* d_sum = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
            const __m256i y_lo = _mm256_broadcastsi128_si256(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(y->qs)));
            const __m256i y_hi = _mm256_broadcastsi128_si256(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(y->qs + 16)));
            // Pair sums of nibbles (<= 15) times int8 stay within int16 when
            // the low and high halves are added before widening.
            const __m256i p01 =
                _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo01, y_lo),
                                                   _mm256_maddubs_epi16(hi01, y_hi)),
                                  ones);
            const __m256i p23 =
                _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo23, y_lo),
                                                   _mm256_maddubs_epi16(hi23, y_hi)),
                                  ones);
            const __m256 dy = _mm256_set1_ps(d[b]);
            acc01[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx01, dy), _mm256_cvtepi32_ps(p01), acc01[t]);
            acc23[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx23, dy), _mm256_cvtepi32_ps(p23), acc23[t]);
            offset[t] = _mm_fmadd_ps(dx, _mm_set1_ps(d_sum[b]), offset[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        const __m128 r0 = _mm256_castps256_ps128(acc01[t]);
        const __m128 r1 = _mm256_extractf128_ps(acc01[t], 1);
        const __m128 r2 = _mm256_castps256_ps128(acc23[t]);
        const __m128 r3 = _mm256_extractf128_ps(acc23[t], 1);
        const __m128 sums = _mm_hadd_ps(_mm_hadd_ps(r0, r1), _mm_hadd_ps(r2, r3));
        _mm_storeu_ps(out + t * out_stride, _mm_fnmadd_ps(_mm_set1_ps(8.0f), offset[t], sums));
    }
}

void gemm_q4_0(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    for_token_count<gemm_q4_0_tokens<1>, gemm_q4_0_tokens<2>, gemm_q4_0_tokens<3>,
                    gemm_q4_0_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// Four packed Q8_0 rows (PackedQ8_0x4) times kTokens tokens, a row per vector:
// |x| and x's sign serve every token; the four rows' int32 lanes fold into one
// vector (two rounds of horizontal adds) before the one conversion to float.
template <int kTokens>
void gemm_q8_0_tokens(size_t n, const void* group, const PackedActivations& acts, float* out,
                      size_t out_stride) {
    const auto* x = static_cast<const PackedQ8_0x4*>(group);
    const auto* act_bytes = reinterpret_cast<const uint8_t*>(acts.rows);
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t)
        acc[t] = _mm256_setzero_ps();
    for (size_t b = 0; b < n / kBlock32; ++b) {
        __m256i xs[kPackRows], ax[kPackRows];
        for (uint32_t r = 0; r < kPackRows; ++r) {
            xs[r] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs[r]));
            ax[r] = _mm256_sign_epi8(xs[r], xs[r]);
        }
        const __m128 dx = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d)));
        const __m256 dx2 = _mm256_set_m128(dx, dx);
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const uint8_t* row = act_bytes + t * acts.stride;
            const auto* y = reinterpret_cast<const BlockQ8_0*>(row) + b;
            const auto* d = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d) + t * acts.stride);
            const __m256i yv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs));
            __m256i p[kPackRows];
            for (uint32_t r = 0; r < kPackRows; ++r)
                p[r] = _mm256_madd_epi16(_mm256_maddubs_epi16(ax[r], _mm256_sign_epi8(yv, xs[r])),
                                         ones);
            // [r0 r1 r2 r3] sums of the low 16 values, then of the high 16.
            const __m256i rows =
                _mm256_hadd_epi32(_mm256_hadd_epi32(p[0], p[1]), _mm256_hadd_epi32(p[2], p[3]));
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx2, _mm256_set1_ps(d[b])),
                                     _mm256_cvtepi32_ps(rows), acc[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t)
        _mm_storeu_ps(out + t * out_stride,
                      _mm_add_ps(_mm256_castps256_ps128(acc[t]), _mm256_extractf128_ps(acc[t], 1)));
}

void gemm_q8_0(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    for_token_count<gemm_q8_0_tokens<1>, gemm_q8_0_tokens<2>, gemm_q8_0_tokens<3>,
                    gemm_q8_0_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// 32 bits of a Q5_0 packed mask (bit i: byte i) as a vector of 16 where the
// bit is set, else 0.
inline __m256i q5_high_bytes(uint32_t mask) {
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(mask)),
        _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201));
    return _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit),
                            _mm256_set1_epi8(16));
}

// Four packed Q5_0 rows (PackedQ5_0x4) times kTokens tokens: Q4_0's kernel
// with bit 4 added from the block's masks (bits 0-31 cover rows 0-1's vector,
// 32-63 rows 2-3's), the offset of 16 taken out with the activations' sums.
template <int kTokens>
void gemm_q5_0_tokens(size_t n, const void* group, const PackedActivations& acts, float* out,
                      size_t out_stride) {
    const auto* x = static_cast<const PackedQ5_0x4*>(group);
    const auto* act_bytes = reinterpret_cast<const uint8_t*>(acts.rows);
    const __m256i low_mask = _mm256_set1_epi8(0xF);
    const __m256i ones = _mm256_set1_epi16(1);
    const __m256i rows01 = _mm256_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1);
    const __m256i rows23 = _mm256_setr_epi32(2, 2, 2, 2, 3, 3, 3, 3);
    __m256 acc01[kTokens], acc23[kTokens];
    __m128 offset[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        acc01[t] = _mm256_setzero_ps();
        acc23[t] = _mm256_setzero_ps();
        offset[t] = _mm_setzero_ps();
    }
    for (size_t b = 0; b < n / kBlock32; ++b) {
        uint32_t high[4]; // qh_lo rows 0-1, 2-3; qh_hi rows 0-1, 2-3
        __builtin_memcpy(high, x[b].qh_lo, sizeof high);
        const __m256i raw01 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs[0]));
        const __m256i raw23 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs[2]));
        const __m256i lo01 =
            _mm256_or_si256(_mm256_and_si256(raw01, low_mask), q5_high_bytes(high[0]));
        const __m256i hi01 = _mm256_or_si256(
            _mm256_and_si256(_mm256_srli_epi16(raw01, 4), low_mask), q5_high_bytes(high[2]));
        const __m256i lo23 =
            _mm256_or_si256(_mm256_and_si256(raw23, low_mask), q5_high_bytes(high[1]));
        const __m256i hi23 = _mm256_or_si256(
            _mm256_and_si256(_mm256_srli_epi16(raw23, 4), low_mask), q5_high_bytes(high[3]));
        const __m128 dx = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d)));
        const __m256 dx01 = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dx), rows01);
        const __m256 dx23 = _mm256_permutevar8x32_ps(_mm256_castps128_ps256(dx), rows23);
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const uint8_t* row = act_bytes + t * acts.stride;
            const auto* y = reinterpret_cast<const BlockQ8_0*>(row) + b;
            const auto* d = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d) + t * acts.stride);
            const auto* d_sum = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
            const __m256i y_lo = _mm256_broadcastsi128_si256(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(y->qs)));
            const __m256i y_hi = _mm256_broadcastsi128_si256(
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(y->qs + 16)));
            // 5-bit values times int8: the two halves' pair sums stay in int16.
            const __m256i p01 =
                _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo01, y_lo),
                                                   _mm256_maddubs_epi16(hi01, y_hi)),
                                  ones);
            const __m256i p23 =
                _mm256_madd_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(lo23, y_lo),
                                                   _mm256_maddubs_epi16(hi23, y_hi)),
                                  ones);
            const __m256 dy = _mm256_set1_ps(d[b]);
            acc01[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx01, dy), _mm256_cvtepi32_ps(p01), acc01[t]);
            acc23[t] = _mm256_fmadd_ps(_mm256_mul_ps(dx23, dy), _mm256_cvtepi32_ps(p23), acc23[t]);
            offset[t] = _mm_fmadd_ps(dx, _mm_set1_ps(d_sum[b]), offset[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        const __m128 r0 = _mm256_castps256_ps128(acc01[t]);
        const __m128 r1 = _mm256_extractf128_ps(acc01[t], 1);
        const __m128 r2 = _mm256_castps256_ps128(acc23[t]);
        const __m128 r3 = _mm256_extractf128_ps(acc23[t], 1);
        const __m128 sums = _mm_hadd_ps(_mm_hadd_ps(r0, r1), _mm_hadd_ps(r2, r3));
        _mm_storeu_ps(out + t * out_stride, _mm_fnmadd_ps(_mm_set1_ps(16.0f), offset[t], sums));
    }
}

void gemm_q5_0(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    for_token_count<gemm_q5_0_tokens<1>, gemm_q5_0_tokens<2>, gemm_q5_0_tokens<3>,
                    gemm_q5_0_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// Four packed Q6_K rows (PackedQ6_Kx4) times kTokens tokens, one row after
// the other (sixteen registers hold one row's sums, not four rows'): a row's
// super-block unpacks into eight vectors of 32 unsigned values (q + 32), each
// with its two sub-blocks' scales as int16 lanes, and serves every token. The
// offset, 32 * sum_j scale_j * bsum_j, starts each token's int32 sum.
template <int kTokens>
void gemm_q6_k_tokens(size_t n, const void* group, const PackedActivations& acts, float* out,
                      size_t out_stride) {
    const auto* x = static_cast<const PackedQ6_Kx4*>(group);
    const __m256i low_mask = _mm256_set1_epi8(0xF);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    for (uint32_t r = 0; r < kPackRows; ++r) {
        __m256 acc[kTokens];
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t)
            acc[t] = _mm256_setzero_ps();
        for (size_t b = 0; b < n / kBlockK; ++b) {
            const __m128i scale_bytes =
                _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales[r]));
            const __m256i sc16 = _mm256_cvtepi8_epi16(scale_bytes);
            __m256i isum[kTokens];
#pragma GCC unroll 4
            for (int t = 0; t < kTokens; ++t) {
                const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                const __m256i offset = _mm256_madd_epi16(
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->bsums)), sc16);
                isum[t] = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5));
            }
#pragma GCC unroll 2
            for (int half = 0; half < 2; ++half) {
                const uint8_t* ql = x[b].ql[r] + 64 * half;
                const __m256i ql0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql));
                const __m256i ql1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 32));
                const __m256i qh =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh[r] + 32 * half));
#pragma GCC unroll 4
                for (int k = 0; k < 4; ++k) {
                    // Values 32k..32k+31 of the half: ql0 or ql1, low or high
                    // nibbles, qh bits 2k..2k+1.
                    const __m256i low = k % 2 == 0 ? ql0 : ql1;
                    const __m256i nib = k < 2
                                            ? _mm256_and_si256(low, low_mask)
                                            : _mm256_and_si256(_mm256_srli_epi16(low, 4), low_mask);
                    const __m256i top = k == 0   ? _mm256_slli_epi16(qh, 4)
                                        : k == 1 ? _mm256_slli_epi16(qh, 2)
                                        : k == 2 ? qh
                                                 : _mm256_srli_epi16(qh, 2);
                    const __m256i q = _mm256_or_si256(nib, _mm256_and_si256(top, bits45));
                    // Sub-blocks 8 half + 2k and + 1: eight int16 lanes each.
                    const int j = 8 * half + 2 * k;
                    const __m128i pick =
                        _mm_add_epi8(_mm_set1_epi8(static_cast<char>(j)),
                                     _mm_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1));
                    const __m256i scale = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scale_bytes, pick));
#pragma GCC unroll 4
                    for (int t = 0; t < kTokens; ++t) {
                        const auto* y =
                            reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                        const __m256i yv = _mm256_loadu_si256(
                            reinterpret_cast<const __m256i*>(y->qs + 128 * half + 32 * k));
                        isum[t] = _mm256_add_epi32(
                            isum[t], _mm256_madd_epi16(_mm256_maddubs_epi16(q, yv), scale));
                    }
                }
            }
            const float dx = f16_to_f32(x[b].d[r]);
#pragma GCC unroll 4
            for (int t = 0; t < kTokens; ++t) {
                const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                acc[t] =
                    _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_set1_ps(dx * y->d), acc[t]);
            }
        }
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t)
            out[t * out_stride + r] = hsum(acc[t]);
    }
}

void gemm_q6_k(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    for_token_count<gemm_q6_k_tokens<1>, gemm_q6_k_tokens<2>, gemm_q6_k_tokens<3>,
                    gemm_q6_k_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// Four packed Q4_K rows (PackedQ4_Kx4), or Q5_K rows (PackedQ5_Kx4) with bit
// 4 from their masks, times kTokens tokens, one row after the other as Q6_K
// above: a chunk's 32 bytes are a sub-block of low nibbles and one of high
// ones; VPMADDWD against the sub-block's scale (int16) weighs the pair sums,
// so each token's super-block is one int32 sum, and the mins come off with
// the activations' bsums (each min twice, as bsums are per 16 values).
template <bool kFifthBit, int kTokens>
void gemm_k_affine_tokens(size_t n, const void* group, const PackedActivations& acts, float* out,
                          size_t out_stride) {
    using Packed = PackedQ4_Kx4;
    using Packed5 = PackedQ5_Kx4;
    const auto* x4 = static_cast<const Packed*>(group);
    const auto* x5 = static_cast<const Packed5*>(group);
    const __m256i low_mask = _mm256_set1_epi8(0xF);
    for (uint32_t r = 0; r < kPackRows; ++r) {
        __m256 acc[kTokens];
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t)
            acc[t] = _mm256_setzero_ps();
        for (size_t b = 0; b < n / kBlockK; ++b) {
            const uint8_t* scales = kFifthBit ? x5[b].scales[r] : x4[b].scales[r];
            const uint8_t* mins = kFifthBit ? x5[b].mins[r] : x4[b].mins[r];
            __m256i isum[kTokens];
#pragma GCC unroll 4
            for (int t = 0; t < kTokens; ++t)
                isum[t] = _mm256_setzero_si256();
#pragma GCC unroll 4
            for (int c = 0; c < 4; ++c) {
                const uint8_t* qs = kFifthBit ? x5[b].qs[c][r] : x4[b].qs[c][r];
                const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs));
                __m256i lo = _mm256_and_si256(raw, low_mask);
                __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low_mask);
                if constexpr (kFifthBit) {
                    // This row's 32 bits of its pair's low and high masks.
                    uint32_t lo_bits, hi_bits;
                    const uint8_t* masks = x5[b].qh[c];
                    __builtin_memcpy(&lo_bits, masks + 8 * (r / 2) + 4 * (r % 2), 4);
                    __builtin_memcpy(&hi_bits, masks + 8 * (2 + r / 2) + 4 * (r % 2), 4);
                    lo = _mm256_or_si256(lo, q5_high_bytes(lo_bits));
                    hi = _mm256_or_si256(hi, q5_high_bytes(hi_bits));
                }
                const __m256i scale_lo = _mm256_set1_epi16(scales[2 * c]);
                const __m256i scale_hi = _mm256_set1_epi16(scales[2 * c + 1]);
#pragma GCC unroll 4
                for (int t = 0; t < kTokens; ++t) {
                    const auto* y =
                        reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                    const __m256i y_lo =
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs + 64 * c));
                    const __m256i y_hi =
                        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs + 64 * c + 32));
                    isum[t] = _mm256_add_epi32(
                        isum[t], _mm256_madd_epi16(_mm256_maddubs_epi16(lo, y_lo), scale_lo));
                    isum[t] = _mm256_add_epi32(
                        isum[t], _mm256_madd_epi16(_mm256_maddubs_epi16(hi, y_hi), scale_hi));
                }
            }
            // Each min twice, in the order of the bsums (two per sub-block).
            const __m128i min_bytes = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(mins));
            const __m256i mins16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(min_bytes, min_bytes));
            const uint16_t d_bits = kFifthBit ? x5[b].d[r] : x4[b].d[r];
            const uint16_t dmin_bits = kFifthBit ? x5[b].dmin[r] : x4[b].dmin[r];
            const float dx = f16_to_f32(d_bits), dmin = f16_to_f32(dmin_bits);
#pragma GCC unroll 4
            for (int t = 0; t < kTokens; ++t) {
                const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                const __m256i min_prod = _mm256_madd_epi16(
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->bsums)), mins16);
                acc[t] =
                    _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum[t]), _mm256_set1_ps(dx * y->d), acc[t]);
                acc[t] = _mm256_fnmadd_ps(_mm256_cvtepi32_ps(min_prod), _mm256_set1_ps(dmin * y->d),
                                          acc[t]);
            }
        }
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t)
            out[t * out_stride + r] = hsum(acc[t]);
    }
}

void gemm_q4_k(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    for_token_count<gemm_k_affine_tokens<false, 1>, gemm_k_affine_tokens<false, 2>,
                    gemm_k_affine_tokens<false, 3>, gemm_k_affine_tokens<false, 4>>(
        n, group, acts, tokens, out, out_stride);
}

void gemm_q5_k(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
               float* out, size_t out_stride) {
    for_token_count<gemm_k_affine_tokens<true, 1>, gemm_k_affine_tokens<true, 2>,
                    gemm_k_affine_tokens<true, 3>, gemm_k_affine_tokens<true, 4>>(
        n, group, acts, tokens, out, out_stride);
}

constexpr KernelTable kAvx2{
    .name = "avx2",
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
    .dot_q2_k = avx2::dot_q2_k,
    .dot_q3_k = avx2::dot_q3_k,
    .dot_iq4_xs = avx2::dot_iq4_xs,
    .quantize_q8_0 = quantize_row_q8_0,
    .quantize_q8_1 = quantize_row_q8_1,
    .quantize_q8_k = quantize_row_q8_k,
    .axpy_f32 = axpy_f32,
    .axpy_f16 = axpy_f16,
    .axpy_q8_0 = axpy_q8_0,
    .gemm_q4_0 = gemm_q4_0,
    .gemm_q8_0 = gemm_q8_0,
    .gemm_q4_k = gemm_q4_k,
    .gemm_q5_0 = gemm_q5_0,
    .gemm_q5_k = gemm_q5_k,
    .gemm_q6_k = gemm_q6_k,
};

} // namespace

const KernelTable* avx2_kernels() {
    __builtin_cpu_init();
    // clang 14 cannot ask __builtin_cpu_supports about F16C; CPUID leaf 1
    // reports it in ECX bit 29.
    unsigned eax, ebx, ecx, edx;
    const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
    const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
    return ok ? &kAvx2 : nullptr;
}

} // namespace edgeai::engine::kernels

#else

namespace edgeai::engine::kernels {
const KernelTable* avx2_kernels() {
    return nullptr;
}
} // namespace edgeai::engine::kernels

#endif
