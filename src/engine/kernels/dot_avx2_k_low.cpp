// AVX2 + F16C kernels for the low-bit super-block types Q2_K, Q3_K and IQ4_XS
// (built with those target flags; called only through tables chosen when the
// CPU has them). Like every SIMD file, no shared inline helpers: see
// dot_avx2.cpp.
//
// Each 32 activations meet 32 weight values in one VPMADDUBSW (unsigned
// weights, signed activations) into 16 int16 pair sums; VPMADDWD then weighs
// the pairs by their sub-block's scale into int32 lanes. The sums stay exact
// in int16: |weight| <= 127 and |activation| <= 127 (Q8_K).
#include "engine/kernels/dot_avx2_k_low.h"

#if defined(__x86_64__) && defined(EDGEAI_KERNELS_X86)

#include "engine/kernels/blocks.h"
#include "engine/kernels/simd_x86.h"

namespace edgeai::engine::kernels::avx2 {
namespace {

inline float f16_to_f32(uint16_t h) {
    return _cvtsh_ss(h);
}

using x86::hsum;

inline __m256i load256(const void* p) {
    return _mm256_loadu_si256(static_cast<const __m256i*>(p));
}

// The 16 signed 6-bit scales of a Q3_K super-block (q3_k_scale) as bytes,
// from the three 32-bit words of `scales`: low 4 bits from words 0-1 (low
// nibbles for sub-blocks 0-7, high for 8-15), top 2 bits from word 2.
inline __m128i q3_k_scales(const uint8_t* scales) {
    uint32_t w[3];
    __builtin_memcpy(w, scales, sizeof w);
    const uint32_t low4 = 0x0F0F0F0F, low2 = 0x03030303;
    const __m128i six_bit =
        _mm_setr_epi32(static_cast<int>((w[0] & low4) | ((w[2] & low2) << 4)),
                       static_cast<int>((w[1] & low4) | (((w[2] >> 2) & low2) << 4)),
                       static_cast<int>(((w[0] >> 4) & low4) | (((w[2] >> 4) & low2) << 4)),
                       static_cast<int>(((w[1] >> 4) & low4) | (((w[2] >> 6) & low2) << 4)));
    return _mm_sub_epi8(six_bit, _mm_set1_epi8(32));
}

// Scales j and j + 1 (bytes of `scales`) as int16 over the low and the high 8
// lanes of a product.
inline __m256i scale_pair_of(__m128i scales, int j) {
    const __m128i index = _mm_unpacklo_epi64(_mm_set1_epi8(static_cast<char>(j)),
                                             _mm_set1_epi8(static_cast<char>(j + 1)));
    return _mm256_cvtepi8_epi16(_mm_shuffle_epi8(scales, index));
}

} // namespace

// Q2_K: sum_j d*s_j*(q·y)_j - dmin*m_j*bsum_j over sub-blocks of 16. The 2-bit
// fields of one 32-byte load, shifted by 0, 2, 4, 6, are the half's 4 runs of
// 32 values, each two sub-blocks.
float dot_q2_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ2_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i two_bits = _mm256_set1_epi8(3);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const __m128i sc = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales));
        const __m128i scales = _mm_and_si128(sc, _mm_set1_epi8(0xF));
        __m256i acc = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const __m256i bits = load256(x[b].qs + 32 * half);
            for (int k = 0; k < 4; ++k) {
                const __m256i q = _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), two_bits);
                const __m256i prod =
                    _mm256_maddubs_epi16(q, load256(y[b].qs + 128 * half + 32 * k));
                acc = _mm256_add_epi32(
                    acc, _mm256_madd_epi16(prod, scale_pair_of(scales, 8 * half + 2 * k)));
            }
        }
        // The mins: 16 bsums times the 16 high nibbles of the scales.
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_srli_epi16(sc, 4));
        const __m256i min_prod =
            _mm256_madd_epi16(load256(y[b].bsums), _mm256_and_si256(mins, _mm256_set1_epi16(0xF)));
        sum += y[b].d * (f16_to_f32(x[b].d) * static_cast<float>(hsum(acc)) -
                         f16_to_f32(x[b].dmin) * static_cast<float>(hsum(min_prod)));
    }
    return sum;
}

// Q3_K: values go in unsigned (q + 4: the low 2 bits plus 4 where the hmask
// bit is set); the 4 * s_j * bsum_j comes off at the end, exactly, in int32.
float dot_q3_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ3_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i two_bits = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const __m128i scales = q3_k_scales(x[b].scales);
        const __m256i hmask = load256(x[b].hmask);
        __m256i acc = _mm256_setzero_si256();
        for (int half = 0; half < 2; ++half) {
            const __m256i bits = load256(x[b].qs + 32 * half);
            for (int k = 0; k < 4; ++k) {
                // Value 32*(4*half + k) + l has its high bit at bit 4*half + k of hmask[l].
                const __m256i high = _mm256_slli_epi16(
                    _mm256_and_si256(_mm256_srli_epi16(hmask, 4 * half + k), one), 2);
                const __m256i q = _mm256_or_si256(
                    _mm256_and_si256(_mm256_srli_epi16(bits, 2 * k), two_bits), high);
                const __m256i prod =
                    _mm256_maddubs_epi16(q, load256(y[b].qs + 128 * half + 32 * k));
                acc = _mm256_add_epi32(
                    acc, _mm256_madd_epi16(prod, scale_pair_of(scales, 8 * half + 2 * k)));
            }
        }
        const __m256i offset = _mm256_madd_epi16(load256(y[b].bsums), _mm256_cvtepi8_epi16(scales));
        const int isum = hsum(acc) - 4 * hsum(offset);
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(isum);
    }
    return sum;
}

// IQ4_XS: VPSHUFB looks the signed levels up; |level| goes in unsigned and the
// level's sign moves onto the activations. A sub-block of 32 is one vector.
float dot_iq4_xs(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_XS*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m256i levels = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
    float sum = 0.0f;
    for (size_t b = 0; b < n / kBlockK; ++b) {
        __m256i acc = _mm256_setzero_si256();
        for (int j = 0; j < 8; ++j) {
            const __m256i v = _mm256_shuffle_epi8(levels, x86::unpack_nibbles(x[b].qs + 16 * j));
            const __m256i prod = _mm256_maddubs_epi16(
                _mm256_abs_epi8(v), _mm256_sign_epi8(load256(y[b].qs + 32 * j), v));
            acc = _mm256_add_epi32(
                acc, _mm256_madd_epi16(
                         prod, _mm256_set1_epi16(static_cast<short>(iq4_xs_scale(x[b], j)))));
        }
        sum += f16_to_f32(x[b].d) * y[b].d * static_cast<float>(hsum(acc));
    }
    return sum;
}

} // namespace edgeai::engine::kernels::avx2

#endif
