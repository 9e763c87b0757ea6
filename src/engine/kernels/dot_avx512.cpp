// AVX-512 kernels (Skylake-X and later, Zen 4): two tables. "avx512" needs
// F/BW/VL/DQ (+ FMA, F16C); "avx512-vnni" also needs AVX512_VNNI and uses
// VPDPBUSD for the integer dot products. The file is compiled with the
// AVX-512 flags; VNNI is enabled per function (target attribute), never
// file-wide, so the plain table cannot pick up a VNNI instruction.
#include "engine/kernels/kernel_table.h"

#if defined(__x86_64__) && defined(EDGEAI_KERNELS_X86)

// GCC 12.2's AVX-512 headers make their "undefined" vectors as `__m512 __Y =
// __Y;`, which -Wuninitialized reports at -O2 wherever such an intrinsic is
// inlined (GCC bug 105593, fixed in 12.3). The warnings point into the header,
// so silencing them for the header alone is enough.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>
#pragma GCC diagnostic pop
#endif

#include "engine/kernels/blocks.h"
#include "engine/kernels/dot_avx2_k_low.h"
#include "engine/kernels/quantize.h"
#include "engine/kernels/simd_x86.h"

#include <cpuid.h>
#include <immintrin.h>

namespace edgeai::engine::kernels {
namespace {

// No shared inline helpers (half.h, <algorithm>, <cstring>) in this file: the
// linker keeps one copy of an inline function, and it could be this file's
// AVX-512 build. Everything here is file-local.
inline float f16_to_f32(uint16_t h) {
    return _cvtsh_ss(h);
}

using x86::hsum;
using x86::unpack_nibbles;

// Lanes [0, n) set, for the tail of a row shorter than a vector.
inline __mmask16 first_lanes(size_t n) {
    return static_cast<__mmask16>((1u << n) - 1);
}

inline __m512 load_f16(const uint16_t* p) {
    return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
inline __m512 load_f16(const uint16_t* p, __mmask16 m) {
    return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p));
}
inline __m512 load_bf16(const uint16_t* p) {
    const __m512i wide =
        _mm512_cvtepu16_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
    return _mm512_castsi512_ps(_mm512_slli_epi32(wide, 16));
}
inline __m512 load_bf16(const uint16_t* p, __mmask16 m) {
    return _mm512_castsi512_ps(
        _mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_maskz_loadu_epi16(m, p)), 16));
}
inline __m512 load_f32(const float* p) {
    return _mm512_loadu_ps(p);
}
inline __m512 load_f32(const float* p, __mmask16 m) {
    return _mm512_maskz_loadu_ps(m, p);
}

// Dot product of a float-like weight row with f32 activations; the tail is a
// masked load, so every length takes the vector path.
template <class T, __m512 (*Load)(const T*), __m512 (*LoadMasked)(const T*, __mmask16)>
float dot_float(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const T*>(w);
    const auto* y = static_cast<const float*>(a);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    __m512 acc2 = _mm512_setzero_ps(), acc3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        acc0 = _mm512_fmadd_ps(Load(x + i), _mm512_loadu_ps(y + i), acc0);
        acc1 = _mm512_fmadd_ps(Load(x + i + 16), _mm512_loadu_ps(y + i + 16), acc1);
        acc2 = _mm512_fmadd_ps(Load(x + i + 32), _mm512_loadu_ps(y + i + 32), acc2);
        acc3 = _mm512_fmadd_ps(Load(x + i + 48), _mm512_loadu_ps(y + i + 48), acc3);
    }
    for (; i + 16 <= n; i += 16)
        acc0 = _mm512_fmadd_ps(Load(x + i), _mm512_loadu_ps(y + i), acc0);
    if (i < n) {
        const __mmask16 m = first_lanes(n - i);
        acc1 = _mm512_fmadd_ps(LoadMasked(x + i, m), _mm512_maskz_loadu_ps(m, y + i), acc1);
    }
    return _mm512_reduce_add_ps(
        _mm512_add_ps(_mm512_add_ps(acc0, acc1), _mm512_add_ps(acc2, acc3)));
}

template <class T, __m512 (*Load)(const T*), __m512 (*LoadMasked)(const T*, __mmask16)>
void axpy(size_t n, float a, const T* x, float* y) {
    const __m512 va = _mm512_set1_ps(a);
    size_t i = 0;
    for (; i + 16 <= n; i += 16)
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(va, Load(x + i), _mm512_loadu_ps(y + i)));
    if (i < n) {
        const __mmask16 m = first_lanes(n - i);
        _mm512_mask_storeu_ps(
            y + i, m, _mm512_fmadd_ps(va, LoadMasked(x + i, m), _mm512_maskz_loadu_ps(m, y + i)));
    }
}

void axpy_q8_0(size_t n, float a, const void* x, float* y) {
    const auto* b = static_cast<const BlockQ8_0*>(x);
    for (size_t k = 0; k < n / kBlock32; ++k, y += kBlock32) {
        const __m512 s = _mm512_set1_ps(a * f16_to_f32(b[k].d));
        for (size_t i = 0; i < kBlock32; i += 16) {
            const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b[k].qs + i));
            const __m512 v = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(q));
            _mm512_storeu_ps(y + i, _mm512_fmadd_ps(s, v, _mm512_loadu_ps(y + i)));
        }
    }
}

// Two 32-byte block payloads (blocks are 34 or 18 bytes apart) in one vector.
inline __m512i load2x256(const void* lo, const void* hi) {
    return _mm512_inserti64x4(
        _mm512_castsi256_si512(_mm256_loadu_si256(static_cast<const __m256i*>(lo))),
        _mm256_loadu_si256(static_cast<const __m256i*>(hi)), 1);
}

inline __m128i load128(const void* p) {
    return _mm_loadu_si128(static_cast<const __m128i*>(p));
}

// The f16 scales (first field) of four consecutive blocks of kStride bytes, as
// floats. Packed through a general register: small loads never split a cache
// line and leave the vector shuffle units alone; this measured faster than
// 64-byte loads with VPERMW, and than converting each scale by itself.
// kOffset picks a later half field (Q4_1's m, Q8_1's s).
template <size_t kStride, size_t kOffset = 0> inline __m128 four_scales(const void* blocks) {
    const auto* p = static_cast<const uint8_t*>(blocks) + kOffset;
    uint64_t packed = 0;
    for (size_t k = 0; k < 4; ++k) {
        uint16_t h;
        __builtin_memcpy(&h, p + k * kStride, sizeof h);
        packed |= uint64_t{h} << (16 * k);
    }
    return _mm_cvtph_ps(_mm_cvtsi64_si128(static_cast<long long>(packed)));
}

// Scales kFirst and kFirst+1 of four, each over the 8 int32 lanes of its block
// in a two-block vector.
template <int kFirst> inline __m512 spread_pair(__m128 scales) {
    const __m512i index =
        _mm512_mask_blend_epi32(0xFF00, _mm512_set1_epi32(kFirst), _mm512_set1_epi32(kFirst + 1));
    return _mm512_permutexvar_ps(index, _mm512_castps128_ps512(scales));
}

// The 8 6-bit scales (bytes 0..7) and 8 6-bit mins (bytes 8..15) of a Q4_K or
// Q5_K super-block, the layout unpack_scale_min_k4 reads one at a time, here as
// four 32-bit words: sub-blocks 0-3 keep their 6 bits in bytes 0-3 (scales) and
// 4-7 (mins); sub-blocks 4-7 take 4 bits from bytes 8-11 and their top 2 bits
// from the top of bytes 0-3 (scales) or 4-7 (mins).
inline __m128i unpack_scales_mins(const uint8_t* scales) {
    uint32_t word[3];
    __builtin_memcpy(word, scales, sizeof word);
    const uint32_t low6 = 0x3f3f3f3f, low4 = 0x0f0f0f0f, bits45 = 0x30303030;
    const uint32_t scale_lo = word[0] & low6;
    const uint32_t min_lo = word[1] & low6;
    const uint32_t scale_hi = (word[2] & low4) | ((word[0] >> 2) & bits45);
    const uint32_t min_hi = ((word[2] >> 4) & low4) | ((word[1] >> 2) & bits45);
    return _mm_setr_epi32(static_cast<int>(scale_lo), static_cast<int>(scale_hi),
                          static_cast<int>(min_lo), static_cast<int>(min_hi));
}

// Activation quantizers; they must write the scalar quantizers' bytes exactly.
// Rounding: VCVTPS2DQ rounds with MXCSR's mode, nearest-even unless changed,
// which is what std::nearbyint does too. Maxima: VMAXPS returns its second
// operand when either is NaN, so max(|x|, running) skips NaNs like the scalar
// std::max(running, |x|) does.

void quantize_q8_0(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_0*>(out);
    for (size_t b = 0; b < n / kBlock32; ++b, x += kBlock32) {
        const __m512 v0 = _mm512_loadu_ps(x), v1 = _mm512_loadu_ps(x + 16);
        __m512 m = _mm512_max_ps(_mm512_abs_ps(v0), _mm512_setzero_ps());
        m = _mm512_max_ps(_mm512_abs_ps(v1), m);
        const float amax = _mm512_reduce_max_ps(m);
        const float d = amax / 127.0f;
        const float id = d != 0.0f ? 1.0f / d : 0.0f;
        y[b].d = _cvtss_sh(d, _MM_FROUND_TO_NEAREST_INT);
        const __m512 vid = _mm512_set1_ps(id);
        const __m128i q0 = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v0, vid)));
        const __m128i q1 = _mm512_cvtepi32_epi8(_mm512_cvtps_epi32(_mm512_mul_ps(v1, vid)));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs), q0);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs + 16), q1);
    }
}

void quantize_q8_k(const float* x, void* out, size_t n) {
    auto* y = static_cast<BlockQ8_K*>(out);
    constexpr size_t kVectors = kBlockK / 16;
    for (size_t b = 0; b < n / kBlockK; ++b, x += kBlockK) {
        __m512 m = _mm512_setzero_ps();
        for (size_t v = 0; v < kVectors; ++v)
            m = _mm512_max_ps(_mm512_abs_ps(_mm512_loadu_ps(x + 16 * v)), m);
        const float amax = _mm512_reduce_max_ps(m);
        if (amax == 0.0f) {
            __builtin_memset(&y[b], 0, sizeof(BlockQ8_K));
            continue;
        }
        // The scalar code keeps the first value of largest magnitude, with its sign.
        float max = 0.0f;
        for (size_t v = 0; v < kVectors; ++v) {
            const __mmask16 hit = _mm512_cmpeq_ps_mask(_mm512_abs_ps(_mm512_loadu_ps(x + 16 * v)),
                                                       _mm512_set1_ps(amax));
            if (hit != 0) {
                max = x[16 * v + static_cast<size_t>(__builtin_ctz(hit))];
                break;
            }
        }
        const float iscale = -127.0f / max;
        const __m512 vis = _mm512_set1_ps(iscale);
        const __m512i top = _mm512_set1_epi32(127);
        for (size_t v = 0; v < kVectors; ++v) {
            const __m512i q = _mm512_min_epi32(
                _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_loadu_ps(x + 16 * v), vis)), top);
            _mm_storeu_si128(reinterpret_cast<__m128i*>(y[b].qs + 16 * v), _mm512_cvtepi32_epi8(q));
            // A vector is one group of 16: its sum is the group's bsum.
            y[b].bsums[v] = static_cast<int16_t>(_mm512_reduce_add_epi32(q));
        }
        y[b].d = 1.0f / iscale;
    }
}

} // namespace

// The integer dot products, once without and once with VNNI.
namespace avx512_plain {
namespace {
#define EDGEAI_AVX512_TARGET
#define EDGEAI_AVX512_VNNI 0
#include "engine/kernels/dot_avx512_int.h"
#undef EDGEAI_AVX512_VNNI
#undef EDGEAI_AVX512_TARGET
} // namespace
} // namespace avx512_plain

namespace avx512_vnni {
namespace {
#define EDGEAI_AVX512_TARGET __attribute__((target("avx512vnni")))
#define EDGEAI_AVX512_VNNI 1
#include "engine/kernels/dot_avx512_int.h"
#undef EDGEAI_AVX512_VNNI
#undef EDGEAI_AVX512_TARGET
} // namespace
} // namespace avx512_vnni

namespace {

constexpr KernelTable kAvx512{
    .name = "avx512",
    .dot_f32 = dot_float<float, load_f32, load_f32>,
    .dot_f16 = dot_float<uint16_t, load_f16, load_f16>,
    .dot_bf16 = dot_float<uint16_t, load_bf16, load_bf16>,
    .dot_q8_0 = avx512_plain::dot_q8_0,
    .dot_q4_0 = avx512_plain::dot_q4_0,
    .dot_q4_k = avx512_plain::dot_k_affine<false>,
    .dot_q5_k = avx512_plain::dot_k_affine<true>,
    .dot_q6_k = avx512_plain::dot_q6_k,
    .dot_q4_1 = avx512_plain::dot_q4_1,
    .dot_q5_0 = avx512_plain::dot_q5_0,
    .dot_q5_1 = avx512_plain::dot_q5_1,
    .dot_iq4_nl = avx512_plain::dot_iq4_nl,
    .dot_q2_k = avx2::dot_q2_k, // AVX2 kernels (dot_avx2_k_low.h)
    .dot_q3_k = avx2::dot_q3_k,
    .dot_iq4_xs = avx512_plain::dot_iq4_xs,
    .quantize_q8_0 = quantize_q8_0,
    .quantize_q8_1 = quantize_row_q8_1,
    .quantize_q8_k = quantize_q8_k,
    .axpy_f32 = axpy<float, load_f32, load_f32>,
    .axpy_f16 = axpy<uint16_t, load_f16, load_f16>,
    .axpy_q8_0 = axpy_q8_0,
    .gemm_q4_0 = avx512_plain::gemm_q4_0,
    .gemm_q8_0 = avx512_plain::gemm_q8_0,
    .gemm_q4_k = avx512_plain::gemm_q4_k,
    .gemm_q5_0 = avx512_plain::gemm_q5_0,
    .gemm_q5_k = avx512_plain::gemm_q5_k,
    .gemm_q6_k = avx512_plain::gemm_q6_k,
};

constexpr KernelTable kAvx512Vnni{
    .name = "avx512-vnni",
    .dot_f32 = kAvx512.dot_f32,
    .dot_f16 = kAvx512.dot_f16,
    .dot_bf16 = kAvx512.dot_bf16,
    .dot_q8_0 = avx512_vnni::dot_q8_0,
    .dot_q4_0 = avx512_vnni::dot_q4_0,
    .dot_q4_k = avx512_vnni::dot_k_affine<false>,
    .dot_q5_k = avx512_vnni::dot_k_affine<true>,
    .dot_q6_k = avx512_vnni::dot_q6_k,
    .dot_q4_1 = avx512_vnni::dot_q4_1,
    .dot_q5_0 = avx512_vnni::dot_q5_0,
    .dot_q5_1 = avx512_vnni::dot_q5_1,
    .dot_iq4_nl = avx512_vnni::dot_iq4_nl,
    .dot_q2_k = kAvx512.dot_q2_k,
    .dot_q3_k = kAvx512.dot_q3_k,
    .dot_iq4_xs = avx512_vnni::dot_iq4_xs,
    .quantize_q8_0 = kAvx512.quantize_q8_0,
    .quantize_q8_1 = kAvx512.quantize_q8_1,
    .quantize_q8_k = kAvx512.quantize_q8_k,
    .axpy_f32 = kAvx512.axpy_f32,
    .axpy_f16 = kAvx512.axpy_f16,
    .axpy_q8_0 = kAvx512.axpy_q8_0,
    .gemm_q4_0 = avx512_vnni::gemm_q4_0,
    .gemm_q8_0 = avx512_vnni::gemm_q8_0,
    .gemm_q4_k = avx512_vnni::gemm_q4_k,
    .gemm_q5_0 = avx512_vnni::gemm_q5_0,
    .gemm_q5_k = avx512_vnni::gemm_q5_k,
    .gemm_q6_k = avx512_vnni::gemm_q6_k,
};

// __builtin_cpu_supports reports an AVX-512 feature only when the OS also
// saves the ZMM and mask registers (XCR0 bits 5-7; libgcc and compiler-rt
// both check them). clang 14 cannot ask it about F16C: CPUID.1:ECX bit 29.
bool has_avx512() {
    __builtin_cpu_init();
    unsigned eax, ebx, ecx, edx;
    const bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 29)) != 0;
    return f16c && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
}

} // namespace

const KernelTable* avx512_kernels() {
    return has_avx512() ? &kAvx512 : nullptr;
}

const KernelTable* avx512_vnni_kernels() {
    return has_avx512() && __builtin_cpu_supports("avx512vnni") ? &kAvx512Vnni : nullptr;
}

} // namespace edgeai::engine::kernels

#else

namespace edgeai::engine::kernels {
const KernelTable* avx512_kernels() {
    return nullptr;
}
const KernelTable* avx512_vnni_kernels() {
    return nullptr;
}
} // namespace edgeai::engine::kernels

#endif
