// Small AVX2 helpers shared by the x86 kernel files (each compiled with its own
// target flags, so this header must only be included from those files).
#pragma once

#include <immintrin.h>

#include <cstdint>

// The anonymous namespace keeps each including file's copy private, so code
// built for one instruction set is never linked into another's callers.
namespace edgeai::engine::kernels::x86 {
namespace {

inline float hsum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

inline int hsum(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// 32 signed bytes times 32 signed bytes, summed in pairs into 8 int32 lanes.
// maddubs wants its first operand unsigned, so the sign moves onto the second.
inline __m256i dot_i8_pairs(__m256i x, __m256i y) {
    const __m256i ax = _mm256_sign_epi8(x, x);
    const __m256i sy = _mm256_sign_epi8(y, x);
    return _mm256_madd_epi16(_mm256_maddubs_epi16(ax, sy), _mm256_set1_epi16(1));
}

// 32 unsigned bytes (< 128) times 32 signed bytes into 8 int32 lanes.
inline __m256i dot_u8_i8(__m256i u, __m256i y) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, y), _mm256_set1_epi16(1));
}

// The 16 bytes of a Q4_0 block as 32 nibbles: low nibbles first, then high.
inline __m256i unpack_nibbles(const uint8_t* qs) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
    const __m128i lo = _mm_and_si128(bytes, _mm_set1_epi8(0xF));
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(bytes, 4), _mm_set1_epi8(0xF));
    return _mm256_set_m128i(hi, lo);
}

} // namespace
} // namespace edgeai::engine::kernels::x86
