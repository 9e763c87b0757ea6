// The integer dot products of the AVX-512 tables, written once and compiled
// twice by dot_avx512.cpp: into namespace avx512_plain with EDGEAI_AVX512_VNNI
// 0 (VPMADDUBSW + VPMADDWD, any AVX-512BW CPU), and into avx512_vnni with
// EDGEAI_AVX512_VNNI 1 and EDGEAI_AVX512_TARGET = target("avx512vnni") on every
// function, so VNNI instructions appear in those functions only. No include
// guard on purpose, and no includes: the including file brings <immintrin.h>,
// blocks.h and the helpers (f16_to_f32, hsum, four_scales, ...).
//
// Byte products are summed four at a time into int32 lanes (VPDPBUSD's layout;
// VPMADDWD against ones gives the plain path the same lanes), so the block code
// is the same for both and only the helpers below differ.

// 64 unsigned bytes times 64 signed bytes; lane i of the result holds the sum of
// bytes 4i..4i+3. Without VNNI the pair sums pass through int16, which cannot
// overflow for the values used here (|u| <= 128, |s| <= 127).
EDGEAI_AVX512_TARGET inline __m512i dot4(__m512i u, __m512i s) {
#if EDGEAI_AVX512_VNNI
    return _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, s);
#else
    return _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), _mm512_set1_epi16(1));
#endif
}

EDGEAI_AVX512_TARGET inline __m256i dot4(__m256i u, __m256i s) {
#if EDGEAI_AVX512_VNNI
    return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
#else
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
#endif
}

// dot4(u, s) + dot4(v, t); without VNNI the sum is taken on the int16 pair
// sums (callers keep |u|, |v| <= 15 so they cannot overflow).
EDGEAI_AVX512_TARGET inline __m512i dot4_plus(__m512i u, __m512i s, __m512i v, __m512i t) {
#if EDGEAI_AVX512_VNNI
    return _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u, s), v, t);
#else
    return _mm512_madd_epi16(
        _mm512_add_epi16(_mm512_maddubs_epi16(u, s), _mm512_maddubs_epi16(v, t)),
        _mm512_set1_epi16(1));
#endif
}

// dot4(u, s) - dot4(v, s); without VNNI the difference is taken on the int16
// pair sums, one VPMADDWD fewer.
EDGEAI_AVX512_TARGET inline __m512i dot4_minus(__m512i u, __m512i v, __m512i s) {
#if EDGEAI_AVX512_VNNI
    return _mm512_sub_epi32(dot4(u, s), dot4(v, s));
#else
    return _mm512_madd_epi16(
        _mm512_sub_epi16(_mm512_maddubs_epi16(u, s), _mm512_maddubs_epi16(v, s)),
        _mm512_set1_epi16(1));
#endif
}

// Per-lane weight scales for the K-quants. Sub-blocks are 32 (Q4_K, Q5_K) or 16
// (Q6_K) values, so one 64-byte product vector spans 2 or 4 of them. The VNNI
// path multiplies its int32 lanes (4 values each) by int32 scales; the plain
// path multiplies the int16 pair sums (2 values each) by int16 scales inside
// VPMADDWD, which saves an instruction there.
struct Scales {
    __m512i lanes; // sub-block j's scale in lane j: int32 with VNNI, else int16
};

EDGEAI_AVX512_TARGET inline Scales scales_from_u8(__m128i bytes) {
#if EDGEAI_AVX512_VNNI
    return {_mm512_cvtepu8_epi32(bytes)};
#else
    return {_mm512_castsi256_si512(_mm256_cvtepu8_epi16(bytes))};
#endif
}

EDGEAI_AVX512_TARGET inline Scales scales_from_i8(__m128i bytes) {
#if EDGEAI_AVX512_VNNI
    return {_mm512_cvtepi8_epi32(bytes)};
#else
    return {_mm512_castsi256_si512(_mm256_cvtepi8_epi16(bytes))};
#endif
}

// For each lane of a product vector whose first value starts sub-block kFirst,
// the sub-block it belongs to (a VPERMD / VPERMW index).
template <class T, int kLanes, int kFirst, int kPerSub> struct SubBlockIndex {
    T lane[kLanes];
    constexpr SubBlockIndex() : lane() {
        for (int i = 0; i < kLanes; ++i)
            lane[i] = static_cast<T>(kFirst + i * (64 / kLanes) / kPerSub);
    }
};

// acc += scale of its sub-block * (u · s), in each int32 lane; the vector's
// values start sub-block kFirst and sub-blocks are kPerSub values long.
template <int kFirst, int kPerSub>
EDGEAI_AVX512_TARGET inline __m512i scaled_dot4(__m512i acc, __m512i u, __m512i s,
                                                const Scales& sc) {
#if EDGEAI_AVX512_VNNI
    static constexpr SubBlockIndex<int32_t, 16, kFirst, kPerSub> kIndex;
    const __m512i scale = _mm512_permutexvar_epi32(_mm512_loadu_si512(kIndex.lane), sc.lanes);
    return _mm512_add_epi32(
        acc, _mm512_mullo_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), u, s), scale));
#else
    static constexpr SubBlockIndex<int16_t, 32, kFirst, kPerSub> kIndex;
    const __m512i scale = _mm512_permutexvar_epi16(_mm512_loadu_si512(kIndex.lane), sc.lanes);
    return _mm512_add_epi32(acc, _mm512_madd_epi16(_mm512_maddubs_epi16(u, s), scale));
#endif
}

// Q8_0 x Q8_0, four blocks (two vectors) at a time. VPDPBUSD wants its first
// operand unsigned: |x| goes there and x's sign moves onto y.
EDGEAI_AVX512_TARGET float dot_q8_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ8_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const size_t blocks = n / kBlock32;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t b = 0;
    for (; b + 4 <= blocks; b += 4) {
        const __m128 d = _mm_mul_ps(four_scales<sizeof(BlockQ8_0)>(x + b),
                                    four_scales<sizeof(BlockQ8_0)>(y + b));
        const __m512i x01 = load2x256(x[b].qs, x[b + 1].qs);
        const __m512i x23 = load2x256(x[b + 2].qs, x[b + 3].qs);
        const __m512i y01 = load2x256(y[b].qs, y[b + 1].qs);
        const __m512i y23 = load2x256(y[b + 2].qs, y[b + 3].qs);
        const __m512i zero = _mm512_setzero_si512();
        const __m512i p01 = dot4(_mm512_abs_epi8(x01),
                                 _mm512_mask_sub_epi8(y01, _mm512_movepi8_mask(x01), zero, y01));
        const __m512i p23 = dot4(_mm512_abs_epi8(x23),
                                 _mm512_mask_sub_epi8(y23, _mm512_movepi8_mask(x23), zero, y23));
        acc0 = _mm512_fmadd_ps(spread_pair<0>(d), _mm512_cvtepi32_ps(p01), acc0);
        acc1 = _mm512_fmadd_ps(spread_pair<2>(d), _mm512_cvtepi32_ps(p23), acc1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    for (; b < blocks; ++b) {
        const __m256i xv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qs));
        const __m256i yv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i p = dot4(_mm256_abs_epi8(xv), _mm256_sign_epi8(yv, xv));
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(hsum(p));
    }
    return sum;
}

// Q4_0 x Q8_0, four blocks at a time. The nibbles (0..15) go in unsigned as
// they are; the -8 comes back as 8 * sum(y).
EDGEAI_AVX512_TARGET float dot_q4_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const size_t blocks = n / kBlock32;
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i eight = _mm512_set1_epi8(8);
    // 64-bit lanes of [lo0 lo1 lo2 lo3] and [hi0 hi1 hi2 hi3] (16 bytes each)
    // into [lo0 hi0 lo1 hi1] and [lo2 hi2 lo3 hi3], the order of the activations.
    const __m512i first_pair = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const __m512i second_pair = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t b = 0;
    for (; b + 4 <= blocks; b += 4) {
        const __m128 d = _mm_mul_ps(four_scales<sizeof(BlockQ4_0)>(x + b),
                                    four_scales<sizeof(BlockQ8_0)>(y + b));
        __m512i raw = _mm512_castsi128_si512(load128(x[b].qs));
        raw = _mm512_inserti32x4(raw, load128(x[b + 1].qs), 1);
        raw = _mm512_inserti32x4(raw, load128(x[b + 2].qs), 2);
        raw = _mm512_inserti32x4(raw, load128(x[b + 3].qs), 3);
        const __m512i lo = _mm512_and_si512(raw, low_mask);
        const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low_mask);
        const __m512i x01 = _mm512_permutex2var_epi64(lo, first_pair, hi);
        const __m512i x23 = _mm512_permutex2var_epi64(lo, second_pair, hi);
        const __m512i y01 = load2x256(y[b].qs, y[b + 1].qs);
        const __m512i y23 = load2x256(y[b + 2].qs, y[b + 3].qs);
        acc0 = _mm512_fmadd_ps(spread_pair<0>(d), _mm512_cvtepi32_ps(dot4_minus(x01, eight, y01)),
                               acc0);
        acc1 = _mm512_fmadd_ps(spread_pair<2>(d), _mm512_cvtepi32_ps(dot4_minus(x23, eight, y23)),
                               acc1);
    }
    float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    for (; b < blocks; ++b) {
        const __m256i q = unpack_nibbles(x[b].qs);
        const __m256i yv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].qs));
        const __m256i p = _mm256_sub_epi32(dot4(q, yv), dot4(_mm256_set1_epi8(8), yv));
        sum += f16_to_f32(x[b].d) * f16_to_f32(y[b].d) * static_cast<float>(hsum(p));
    }
    return sum;
}

// Q4_K and Q5_K x Q8_K: sum_j d*scale_j*(q·y)_j - dmin*min_j*sum(y)_j. A
// super-block is two 64-byte loads of nibbles; each splits into two vectors of
// two whole sub-blocks, in the order of the activations.
template <bool kFifthBit>
EDGEAI_AVX512_TARGET float dot_k_affine(size_t n, const void* w, const void* a) {
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    __m512 acc = _mm512_setzero_ps();
    __m256 acc_min = _mm256_setzero_ps();
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const uint8_t* scales;
        const uint8_t* qs;
        float d, dmin;
        __m512i high_bits = _mm512_setzero_si512();
        if constexpr (kFifthBit) {
            const auto& x = static_cast<const BlockQ5_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
            // Chunk c's low nibbles take bit 2c of qh, its high ones bit 2c+1.
            // Both halves of a vector hold chunks 2p and 2p+1: [qh | qh >> 2].
            const __m256i qh = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x.qh));
            high_bits = _mm512_inserti64x4(_mm512_castsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1);
        } else {
            const auto& x = static_cast<const BlockQ4_K*>(w)[b];
            scales = x.scales;
            qs = x.qs;
            d = f16_to_f32(x.d);
            dmin = f16_to_f32(x.dmin);
        }
        const __m128i scale_min = unpack_scales_mins(scales);
        const Scales sc = scales_from_u8(scale_min);
        const __m512i* yq = reinterpret_cast<const __m512i*>(y[b].qs);
        __m512i isum = _mm512_setzero_si512();
        for (int half = 0; half < 2; ++half) {
            // Bytes of chunks 2*half and 2*half+1: low nibbles are sub-blocks
            // 4*half and 4*half+2, high nibbles 4*half+1 and 4*half+3.
            const __m512i bytes = _mm512_loadu_si512(qs + 64 * half);
            __m512i lo = _mm512_and_si512(bytes, low_mask);
            __m512i hi = _mm512_and_si512(_mm512_srli_epi16(bytes, 4), low_mask);
            if constexpr (kFifthBit) {
                const __m512i bits = _mm512_srli_epi16(high_bits, 4 * half);
                const __m512i one = _mm512_set1_epi8(1), two = _mm512_set1_epi8(2);
                lo = _mm512_or_si512(lo, _mm512_slli_epi16(_mm512_and_si512(bits, one), 4));
                hi = _mm512_or_si512(hi, _mm512_slli_epi16(_mm512_and_si512(bits, two), 3));
            }
            const __m512i first = _mm512_shuffle_i64x2(lo, hi, 0x44);  // sub-blocks 4h, 4h+1
            const __m512i second = _mm512_shuffle_i64x2(lo, hi, 0xEE); // 4h+2, 4h+3
            if (half == 0) {
                isum = scaled_dot4<0, 32>(isum, first, _mm512_loadu_si512(yq), sc);
                isum = scaled_dot4<2, 32>(isum, second, _mm512_loadu_si512(yq + 1), sc);
            } else {
                isum = scaled_dot4<4, 32>(isum, first, _mm512_loadu_si512(yq + 2), sc);
                isum = scaled_dot4<6, 32>(isum, second, _mm512_loadu_si512(yq + 3), sc);
            }
        }
        // Mins: bsums pair up per sub-block of 32, so each min appears twice.
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_unpackhi_epi8(scale_min, scale_min));
        const __m256i min_prod = _mm256_madd_epi16(
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].bsums)), mins);
        acc = _mm512_fmadd_ps(_mm512_set1_ps(d * y[b].d), _mm512_cvtepi32_ps(isum), acc);
        acc_min =
            _mm256_fmadd_ps(_mm256_set1_ps(dmin * y[b].d), _mm256_cvtepi32_ps(min_prod), acc_min);
    }
    return _mm512_reduce_add_ps(acc) - hsum(acc_min);
}

// Q6_K x Q8_K. Each half super-block is 64 bytes of low nibbles and 32 of high
// bit pairs, which make two vectors of 64 values in the activations' order. The
// values go in unsigned (q + 32); the offset comes back as 32 * scale * bsum.
EDGEAI_AVX512_TARGET float dot_q6_k(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ6_K*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i bits45 = _mm512_set1_epi8(0x30);
    __m512 acc = _mm512_setzero_ps();
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const __m128i scale_bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales));
        const Scales sc = scales_from_i8(scale_bytes);
        const __m512i* yq = reinterpret_cast<const __m512i*>(y[b].qs);
        __m512i isum = _mm512_setzero_si512();
        for (int half = 0; half < 2; ++half) {
            const __m512i ql = _mm512_loadu_si512(x[b].ql + 64 * half);
            const __m256i qh =
                _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh + 32 * half));
            // Values l and l+32 take qh bits 0-1 and 2-3; l+64 and l+96 bits 4-5 and 6-7.
            const __m512i h =
                _mm512_inserti64x4(_mm512_castsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1);
            const __m512i q0 = _mm512_or_si512(_mm512_and_si512(ql, low_mask),
                                               _mm512_and_si512(_mm512_slli_epi16(h, 4), bits45));
            const __m512i q1 = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low_mask),
                                               _mm512_and_si512(h, bits45));
            if (half == 0) {
                isum = scaled_dot4<0, 16>(isum, q0, _mm512_loadu_si512(yq), sc);
                isum = scaled_dot4<4, 16>(isum, q1, _mm512_loadu_si512(yq + 1), sc);
            } else {
                isum = scaled_dot4<8, 16>(isum, q0, _mm512_loadu_si512(yq + 2), sc);
                isum = scaled_dot4<12, 16>(isum, q1, _mm512_loadu_si512(yq + 3), sc);
            }
        }
        // Removed in int32, exactly, before the one conversion to float.
        const __m256i offset =
            _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y[b].bsums)),
                              _mm256_cvtepi8_epi16(scale_bytes));
        isum = _mm512_sub_epi32(isum, _mm512_zextsi256_si512(_mm256_slli_epi32(offset, 5)));
        acc = _mm512_fmadd_ps(_mm512_set1_ps(f16_to_f32(x[b].d) * y[b].d), _mm512_cvtepi32_ps(isum),
                              acc);
    }
    return _mm512_reduce_add_ps(acc);
}

// The matrix kernels are templates on the token count (their accumulators
// live in registers); this picks the instance for 1 to kGemmTokens tokens.
using GemmTokensFn = void (*)(size_t, const void*, const PackedActivations&, float*, size_t);
template <GemmTokensFn k1, GemmTokensFn k2, GemmTokensFn k3, GemmTokensFn k4>
EDGEAI_AVX512_TARGET inline void for_token_count(size_t n, const void* group,
                                                 const PackedActivations& acts, uint32_t tokens,
                                                 float* out, size_t out_stride) {
    const GemmTokensFn kernel = tokens == 1 ? k1 : tokens == 2 ? k2 : tokens == 3 ? k3 : k4;
    kernel(n, group, acts, out, out_stride);
}

// [row 0, row 1, row 2, row 3] sums of two accumulators whose int32-derived
// lanes 8r..8r+7 belong to row r of their pair (rows 0-1, rows 2-3): each
// row's 8 lanes fold to 4, then one horizontal add per row.
EDGEAI_AVX512_TARGET inline __m128 row_pair_sums(__m512 acc01, __m512 acc23) {
    const __m256 lo01 = _mm512_castps512_ps256(acc01);
    const __m256 hi01 = _mm512_extractf32x8_ps(acc01, 1);
    const __m256 lo23 = _mm512_castps512_ps256(acc23);
    const __m256 hi23 = _mm512_extractf32x8_ps(acc23, 1);
    const __m128 r0 = _mm_add_ps(_mm256_castps256_ps128(lo01), _mm256_extractf128_ps(lo01, 1));
    const __m128 r1 = _mm_add_ps(_mm256_castps256_ps128(hi01), _mm256_extractf128_ps(hi01, 1));
    const __m128 r2 = _mm_add_ps(_mm256_castps256_ps128(lo23), _mm256_extractf128_ps(lo23, 1));
    const __m128 r3 = _mm_add_ps(_mm256_castps256_ps128(hi23), _mm256_extractf128_ps(hi23, 1));
    return _mm_hadd_ps(_mm_hadd_ps(r0, r1), _mm_hadd_ps(r2, r3));
}

// Four packed Q4_0 rows (PackedQ4_0x4) times kTokens tokens. A block's 64
// bytes are the rows' nibbles one after another, so int32 lane k of a product
// covers row k / 4; each token's 16 + 16 activations are broadcast to all four
// rows. The unpacked nibbles and the rows' scales serve every token.
template <int kTokens>
EDGEAI_AVX512_TARGET void gemm_q4_0_tokens(size_t n, const void* group,
                                           const PackedActivations& acts, float* out,
                                           size_t out_stride) {
    const auto* x = static_cast<const PackedQ4_0x4*>(group);
    const auto* act_bytes = reinterpret_cast<const uint8_t*>(acts.rows);
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i row_of_lane = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    __m512 acc[kTokens];
    __m128 offset[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        acc[t] = _mm512_setzero_ps();
        offset[t] = _mm_setzero_ps();
    }
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m512i raw = _mm512_loadu_si512(x[b].qs);
        const __m512i lo = _mm512_and_si512(raw, low_mask);
        const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low_mask);
        const __m128 dx = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d)));
        const __m512 dx_lanes = _mm512_permutexvar_ps(row_of_lane, _mm512_castps128_ps512(dx));
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const uint8_t* row = act_bytes + t * acts.stride;
            const auto* y = reinterpret_cast<const BlockQ8_0*>(row) + b;
            const auto* d = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d) + t * acts.stride);
            const auto* d_sum = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
            const __m512i y_lo = _mm512_broadcast_i32x4(load128(y->qs));
            const __m512i y_hi = _mm512_broadcast_i32x4(load128(y->qs + 16));
            const __m512i p = dot4_plus(lo, y_lo, hi, y_hi);
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dx_lanes, _mm512_set1_ps(d[b])),
                                     _mm512_cvtepi32_ps(p), acc[t]);
            offset[t] = _mm_fmadd_ps(dx, _mm_set1_ps(d_sum[b]), offset[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        // Lanes 4r..4r+3 belong to row r: one horizontal sum per 128-bit quarter.
        const __m128 r0 = _mm512_extractf32x4_ps(acc[t], 0);
        const __m128 r1 = _mm512_extractf32x4_ps(acc[t], 1);
        const __m128 r2 = _mm512_extractf32x4_ps(acc[t], 2);
        const __m128 r3 = _mm512_extractf32x4_ps(acc[t], 3);
        const __m128 sums = _mm_hadd_ps(_mm_hadd_ps(r0, r1), _mm_hadd_ps(r2, r3));
        _mm_storeu_ps(out + t * out_stride, _mm_fnmadd_ps(_mm_set1_ps(8.0f), offset[t], sums));
    }
}

EDGEAI_AVX512_TARGET void gemm_q4_0(size_t n, const void* group, const PackedActivations& acts,
                                    uint32_t tokens, float* out, size_t out_stride) {
    for_token_count<gemm_q4_0_tokens<1>, gemm_q4_0_tokens<2>, gemm_q4_0_tokens<3>,
                    gemm_q4_0_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// Four packed Q8_0 rows (PackedQ8_0x4) times kTokens tokens: rows 0-1 and 2-3
// are one vector each, int32 lanes 8r..8r+7 belonging to row r of the pair;
// each token's 32 activations are broadcast to both rows. With VNNI the
// weights go in unsigned (x + 128, one XOR) and 128 * scale * sum(y) comes back
// out per block; without, |x| goes in and x's sign moves onto y.
template <int kTokens>
EDGEAI_AVX512_TARGET void gemm_q8_0_tokens(size_t n, const void* group,
                                           const PackedActivations& acts, float* out,
                                           size_t out_stride) {
    const auto* x = static_cast<const PackedQ8_0x4*>(group);
    const auto* act_bytes = reinterpret_cast<const uint8_t*>(acts.rows);
    const __m512i rows01 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    const __m512i rows23 = _mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    __m512 acc01[kTokens], acc23[kTokens];
    __m128 offset[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        acc01[t] = _mm512_setzero_ps();
        acc23[t] = _mm512_setzero_ps();
        offset[t] = _mm_setzero_ps();
    }
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m512i x01 = _mm512_loadu_si512(x[b].qs[0]);
        const __m512i x23 = _mm512_loadu_si512(x[b].qs[2]);
#if EDGEAI_AVX512_VNNI
        const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80));
        const __m512i u01 = _mm512_xor_si512(x01, bias);
        const __m512i u23 = _mm512_xor_si512(x23, bias);
#else
        const __m512i u01 = _mm512_abs_epi8(x01);
        const __m512i u23 = _mm512_abs_epi8(x23);
        const __mmask64 negative01 = _mm512_movepi8_mask(x01);
        const __mmask64 negative23 = _mm512_movepi8_mask(x23);
#endif
        const __m128 dx = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d)));
        const __m512 dx01 = _mm512_permutexvar_ps(rows01, _mm512_castps128_ps512(dx));
        const __m512 dx23 = _mm512_permutexvar_ps(rows23, _mm512_castps128_ps512(dx));
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const uint8_t* row = act_bytes + t * acts.stride;
            const auto* y = reinterpret_cast<const BlockQ8_0*>(row) + b;
            const auto* d = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d) + t * acts.stride);
            const __m512i yv =
                _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs)));
#if EDGEAI_AVX512_VNNI
            const auto* d_sum = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
            const __m512i p01 = dot4(u01, yv);
            const __m512i p23 = dot4(u23, yv);
            offset[t] = _mm_fmadd_ps(dx, _mm_set1_ps(d_sum[b]), offset[t]);
#else
            const __m512i zero = _mm512_setzero_si512();
            const __m512i p01 = dot4(u01, _mm512_mask_sub_epi8(yv, negative01, zero, yv));
            const __m512i p23 = dot4(u23, _mm512_mask_sub_epi8(yv, negative23, zero, yv));
#endif
            const __m512 dy = _mm512_set1_ps(d[b]);
            acc01[t] = _mm512_fmadd_ps(_mm512_mul_ps(dx01, dy), _mm512_cvtepi32_ps(p01), acc01[t]);
            acc23[t] = _mm512_fmadd_ps(_mm512_mul_ps(dx23, dy), _mm512_cvtepi32_ps(p23), acc23[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        _mm_storeu_ps(out + t * out_stride, _mm_fnmadd_ps(_mm_set1_ps(128.0f), offset[t],
                                                          row_pair_sums(acc01[t], acc23[t])));
    }
}

EDGEAI_AVX512_TARGET void gemm_q8_0(size_t n, const void* group, const PackedActivations& acts,
                                    uint32_t tokens, float* out, size_t out_stride) {
    for_token_count<gemm_q8_0_tokens<1>, gemm_q8_0_tokens<2>, gemm_q8_0_tokens<3>,
                    gemm_q8_0_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// Four packed Q4_K rows (PackedQ4_Kx4) times kTokens tokens. A chunk's rows 0-1
// and 2-3 are one vector each (int32 lanes 8r..8r+7 belong to row r of the
// pair); low nibbles are sub-block 2c, high ones 2c + 1, each token's 32
// activations of that sub-block broadcast to both rows. Products become floats
// per sub-block, scaled by d * scale of their row and sub-block; the mins come
// off once per super-block, with the Q8_K block's sums. The nibbles and the
// rows' float scales serve every token. Q5_K (kFifthBit, PackedQ5_Kx4) adds
// bit 4 to the nibbles from the chunk's four 64-bit masks, one masked byte add
// per vector.
template <bool kFifthBit> struct PackedK;
template <> struct PackedK<false> { using type = PackedQ4_Kx4; };
template <> struct PackedK<true> { using type = PackedQ5_Kx4; };

template <bool kFifthBit, int kTokens>
EDGEAI_AVX512_TARGET void gemm_k_affine_tokens(size_t n, const void* group,
                                               const PackedActivations& acts, float* out,
                                               size_t out_stride) {
    const auto* x = static_cast<const typename PackedK<kFifthBit>::type*>(group);
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i rows01 = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    const __m512i rows23 = _mm512_setr_epi32(2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    // Lane i of a [row-pair scale] vector holds row i / 8's sub-block i % 8;
    // sub_index + s picks sub-block s of each of the pair's rows.
    const __m512i sub_index = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 8, 8);
    __m512 acc01[kTokens], acc23[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        acc01[t] = _mm512_setzero_ps();
        acc23[t] = _mm512_setzero_ps();
    }
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const __m512 d = _mm512_castps128_ps512(
            _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d))));
        const __m512 dmin = _mm512_castps128_ps512(
            _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].dmin))));
        const __m512 scales01 =
            _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(load128(x[b].scales[0]))),
                          _mm512_permutexvar_ps(rows01, d));
        const __m512 scales23 =
            _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(load128(x[b].scales[2]))),
                          _mm512_permutexvar_ps(rows23, d));
        const __m512 mins01 =
            _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(load128(x[b].mins[0]))),
                          _mm512_permutexvar_ps(rows01, dmin));
        const __m512 mins23 =
            _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(load128(x[b].mins[2]))),
                          _mm512_permutexvar_ps(rows23, dmin));
        __m512 sum01[kTokens], sum23[kTokens];
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            sum01[t] = _mm512_setzero_ps();
            sum23[t] = _mm512_setzero_ps();
        }
#pragma GCC unroll 4
        for (int c = 0; c < 4; ++c) {
            const __m512i raw01 = _mm512_loadu_si512(x[b].qs[c][0]);
            const __m512i raw23 = _mm512_loadu_si512(x[b].qs[c][2]);
            __m512i lo01 = _mm512_and_si512(raw01, low_mask);
            __m512i hi01 = _mm512_and_si512(_mm512_srli_epi16(raw01, 4), low_mask);
            __m512i lo23 = _mm512_and_si512(raw23, low_mask);
            __m512i hi23 = _mm512_and_si512(_mm512_srli_epi16(raw23, 4), low_mask);
            if constexpr (kFifthBit) {
                uint64_t high[4]; // lo01, lo23, hi01, hi23
                __builtin_memcpy(high, x[b].qh[c], sizeof high);
                const __m512i sixteen = _mm512_set1_epi8(16);
                lo01 = _mm512_mask_add_epi8(lo01, _cvtu64_mask64(high[0]), lo01, sixteen);
                lo23 = _mm512_mask_add_epi8(lo23, _cvtu64_mask64(high[1]), lo23, sixteen);
                hi01 = _mm512_mask_add_epi8(hi01, _cvtu64_mask64(high[2]), hi01, sixteen);
                hi23 = _mm512_mask_add_epi8(hi23, _cvtu64_mask64(high[3]), hi23, sixteen);
            }
            const __m512i lo_index = _mm512_add_epi32(sub_index, _mm512_set1_epi32(2 * c));
            const __m512i hi_index = _mm512_add_epi32(sub_index, _mm512_set1_epi32(2 * c + 1));
            const __m512 s_lo01 = _mm512_permutexvar_ps(lo_index, scales01);
            const __m512 s_hi01 = _mm512_permutexvar_ps(hi_index, scales01);
            const __m512 s_lo23 = _mm512_permutexvar_ps(lo_index, scales23);
            const __m512 s_hi23 = _mm512_permutexvar_ps(hi_index, scales23);
#pragma GCC unroll 4
            for (int t = 0; t < kTokens; ++t) {
                const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                const __m512i y_lo = _mm512_broadcast_i64x4(
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs + 64 * c)));
                const __m512i y_hi = _mm512_broadcast_i64x4(
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->qs + 64 * c + 32)));
                sum01[t] = _mm512_fmadd_ps(s_lo01, _mm512_cvtepi32_ps(dot4(lo01, y_lo)), sum01[t]);
                sum01[t] = _mm512_fmadd_ps(s_hi01, _mm512_cvtepi32_ps(dot4(hi01, y_hi)), sum01[t]);
                sum23[t] = _mm512_fmadd_ps(s_lo23, _mm512_cvtepi32_ps(dot4(lo23, y_lo)), sum23[t]);
                sum23[t] = _mm512_fmadd_ps(s_hi23, _mm512_cvtepi32_ps(dot4(hi23, y_hi)), sum23[t]);
            }
        }
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
            // Sub-block j's activation sum in lanes j and 8 + j, as the mins lie.
            const __m256 sub_sums = _mm256_cvtepi32_ps(
                _mm256_madd_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->bsums)),
                                  _mm256_set1_epi16(1)));
            const __m512 y_sums = _mm512_broadcast_f32x8(sub_sums);
            const __m512 dy = _mm512_set1_ps(y->d);
            acc01[t] = _mm512_fmadd_ps(_mm512_fnmadd_ps(mins01, y_sums, sum01[t]), dy, acc01[t]);
            acc23[t] = _mm512_fmadd_ps(_mm512_fnmadd_ps(mins23, y_sums, sum23[t]), dy, acc23[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        _mm_storeu_ps(out + t * out_stride, row_pair_sums(acc01[t], acc23[t]));
    }
}

EDGEAI_AVX512_TARGET void gemm_q4_k(size_t n, const void* group, const PackedActivations& acts,
                                    uint32_t tokens, float* out, size_t out_stride) {
    for_token_count<gemm_k_affine_tokens<false, 1>, gemm_k_affine_tokens<false, 2>,
                    gemm_k_affine_tokens<false, 3>, gemm_k_affine_tokens<false, 4>>(
        n, group, acts, tokens, out, out_stride);
}

EDGEAI_AVX512_TARGET void gemm_q5_k(size_t n, const void* group, const PackedActivations& acts,
                                    uint32_t tokens, float* out, size_t out_stride) {
    for_token_count<gemm_k_affine_tokens<true, 1>, gemm_k_affine_tokens<true, 2>,
                    gemm_k_affine_tokens<true, 3>, gemm_k_affine_tokens<true, 4>>(
        n, group, acts, tokens, out, out_stride);
}

// Four packed Q5_0 rows (PackedQ5_0x4) times kTokens tokens: Q4_0's kernel
// with bit 4 added where the block's masks say (a masked byte add), and the
// offset of 16 taken out with the activations' d * sum. Without VNNI the
// two halves' pair sums (5-bit values times int8) still fit in int16.
template <int kTokens>
EDGEAI_AVX512_TARGET void gemm_q5_0_tokens(size_t n, const void* group,
                                           const PackedActivations& acts, float* out,
                                           size_t out_stride) {
    const auto* x = static_cast<const PackedQ5_0x4*>(group);
    const auto* act_bytes = reinterpret_cast<const uint8_t*>(acts.rows);
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i sixteen = _mm512_set1_epi8(16);
    const __m512i row_of_lane = _mm512_setr_epi32(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3);
    __m512 acc[kTokens];
    __m128 offset[kTokens];
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        acc[t] = _mm512_setzero_ps();
        offset[t] = _mm_setzero_ps();
    }
    for (size_t b = 0; b < n / kBlock32; ++b) {
        uint64_t high_lo, high_hi;
        __builtin_memcpy(&high_lo, x[b].qh_lo, sizeof high_lo);
        __builtin_memcpy(&high_hi, x[b].qh_hi, sizeof high_hi);
        const __m512i raw = _mm512_loadu_si512(x[b].qs);
        __m512i lo = _mm512_and_si512(raw, low_mask);
        __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low_mask);
        lo = _mm512_mask_add_epi8(lo, _cvtu64_mask64(high_lo), lo, sixteen);
        hi = _mm512_mask_add_epi8(hi, _cvtu64_mask64(high_hi), hi, sixteen);
        const __m128 dx = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(x[b].d)));
        const __m512 dx_lanes = _mm512_permutexvar_ps(row_of_lane, _mm512_castps128_ps512(dx));
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t) {
            const uint8_t* row = act_bytes + t * acts.stride;
            const auto* y = reinterpret_cast<const BlockQ8_0*>(row) + b;
            const auto* d = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d) + t * acts.stride);
            const auto* d_sum = reinterpret_cast<const float*>(
                reinterpret_cast<const uint8_t*>(acts.d_sum) + t * acts.stride);
            const __m512i y_lo = _mm512_broadcast_i32x4(load128(y->qs));
            const __m512i y_hi = _mm512_broadcast_i32x4(load128(y->qs + 16));
            const __m512i p = dot4_plus(lo, y_lo, hi, y_hi);
            acc[t] = _mm512_fmadd_ps(_mm512_mul_ps(dx_lanes, _mm512_set1_ps(d[b])),
                                     _mm512_cvtepi32_ps(p), acc[t]);
            offset[t] = _mm_fmadd_ps(dx, _mm_set1_ps(d_sum[b]), offset[t]);
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t) {
        const __m128 r0 = _mm512_extractf32x4_ps(acc[t], 0);
        const __m128 r1 = _mm512_extractf32x4_ps(acc[t], 1);
        const __m128 r2 = _mm512_extractf32x4_ps(acc[t], 2);
        const __m128 r3 = _mm512_extractf32x4_ps(acc[t], 3);
        const __m128 sums = _mm_hadd_ps(_mm_hadd_ps(r0, r1), _mm_hadd_ps(r2, r3));
        _mm_storeu_ps(out + t * out_stride, _mm_fnmadd_ps(_mm_set1_ps(16.0f), offset[t], sums));
    }
}

EDGEAI_AVX512_TARGET void gemm_q5_0(size_t n, const void* group, const PackedActivations& acts,
                                    uint32_t tokens, float* out, size_t out_stride) {
    for_token_count<gemm_q5_0_tokens<1>, gemm_q5_0_tokens<2>, gemm_q5_0_tokens<3>,
                    gemm_q5_0_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// int32 acc + the int16 pair sums p times int16 scales (VPDPWSSD with VNNI).
EDGEAI_AVX512_TARGET inline __m512i add_scaled_pairs(__m512i acc, __m512i p, __m512i scale) {
#if EDGEAI_AVX512_VNNI
    return _mm512_dpwssd_epi32(acc, p, scale);
#else
    return _mm512_add_epi32(acc, _mm512_madd_epi16(p, scale));
#endif
}

// Four packed Q6_K rows (PackedQ6_Kx4) times kTokens tokens, a row at a time:
// a row's super-block unpacks (as dot_q6_k does) into four vectors of 64
// unsigned values (q + 32) in the activations' order, and its 16 scales into
// four int16 vectors matching VPMADDUBSW's pair sums (lane i of vector k is
// sub-block 4k + i / 8). Both serve every token: per token and vector one
// VPMADDUBSW (pairs of 6-bit values times int8 fit in int16) and one scaled
// add. The offset, 32 * sum_j scale_j * bsum_j, starts the int32 sum, which
// becomes a float once per super-block.
template <int kTokens>
EDGEAI_AVX512_TARGET void gemm_q6_k_tokens(size_t n, const void* group,
                                           const PackedActivations& acts, float* out,
                                           size_t out_stride) {
    const auto* x = static_cast<const PackedQ6_Kx4*>(group);
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i bits45 = _mm512_set1_epi8(0x30);
    static constexpr SubBlockIndex<int16_t, 32, 0, 16> kIndex0;
    static constexpr SubBlockIndex<int16_t, 32, 4, 16> kIndex1;
    static constexpr SubBlockIndex<int16_t, 32, 8, 16> kIndex2;
    static constexpr SubBlockIndex<int16_t, 32, 12, 16> kIndex3;
    __m512 acc[kPackRows][kTokens];
#pragma GCC unroll 4
    for (uint32_t r = 0; r < kPackRows; ++r)
#pragma GCC unroll 4
        for (int t = 0; t < kTokens; ++t)
            acc[r][t] = _mm512_setzero_ps();
    for (size_t b = 0; b < n / kBlockK; ++b) {
#pragma GCC unroll 4
        for (uint32_t r = 0; r < kPackRows; ++r) {
            __m512i q[4];
#pragma GCC unroll 2
            for (int half = 0; half < 2; ++half) {
                const __m512i ql = _mm512_loadu_si512(x[b].ql[r] + 64 * half);
                const __m256i qh =
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(x[b].qh[r] + 32 * half));
                const __m512i h =
                    _mm512_inserti64x4(_mm512_castsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1);
                q[2 * half] = _mm512_or_si512(_mm512_and_si512(ql, low_mask),
                                              _mm512_and_si512(_mm512_slli_epi16(h, 4), bits45));
                q[2 * half + 1] =
                    _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), low_mask),
                                    _mm512_and_si512(h, bits45));
            }
            const __m256i sc16 = _mm256_cvtepi8_epi16(load128(x[b].scales[r]));
            const __m512i sc512 = _mm512_castsi256_si512(sc16);
            const __m512i scale0 =
                _mm512_permutexvar_epi16(_mm512_loadu_si512(kIndex0.lane), sc512);
            const __m512i scale1 =
                _mm512_permutexvar_epi16(_mm512_loadu_si512(kIndex1.lane), sc512);
            const __m512i scale2 =
                _mm512_permutexvar_epi16(_mm512_loadu_si512(kIndex2.lane), sc512);
            const __m512i scale3 =
                _mm512_permutexvar_epi16(_mm512_loadu_si512(kIndex3.lane), sc512);
            const float dx = f16_to_f32(x[b].d[r]);
#pragma GCC unroll 4
            for (int t = 0; t < kTokens; ++t) {
                const auto* y = reinterpret_cast<const BlockQ8_K*>(acts.rows + t * acts.stride) + b;
                const __m256i offset = _mm256_madd_epi16(
                    _mm256_loadu_si256(reinterpret_cast<const __m256i*>(y->bsums)), sc16);
                __m512i isum = _mm512_zextsi256_si512(
                    _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_slli_epi32(offset, 5)));
                const __m512i* yq = reinterpret_cast<const __m512i*>(y->qs);
                isum = add_scaled_pairs(isum, _mm512_maddubs_epi16(q[0], _mm512_loadu_si512(yq)),
                                        scale0);
                isum = add_scaled_pairs(
                    isum, _mm512_maddubs_epi16(q[1], _mm512_loadu_si512(yq + 1)), scale1);
                isum = add_scaled_pairs(
                    isum, _mm512_maddubs_epi16(q[2], _mm512_loadu_si512(yq + 2)), scale2);
                isum = add_scaled_pairs(
                    isum, _mm512_maddubs_epi16(q[3], _mm512_loadu_si512(yq + 3)), scale3);
                acc[r][t] =
                    _mm512_fmadd_ps(_mm512_cvtepi32_ps(isum), _mm512_set1_ps(dx * y->d), acc[r][t]);
            }
        }
    }
#pragma GCC unroll 4
    for (int t = 0; t < kTokens; ++t)
#pragma GCC unroll 4
        for (uint32_t r = 0; r < kPackRows; ++r)
            out[t * out_stride + r] = _mm512_reduce_add_ps(acc[r][t]);
}

EDGEAI_AVX512_TARGET void gemm_q6_k(size_t n, const void* group, const PackedActivations& acts,
                                    uint32_t tokens, float* out, size_t out_stride) {
    for_token_count<gemm_q6_k_tokens<1>, gemm_q6_k_tokens<2>, gemm_q6_k_tokens<3>,
                    gemm_q6_k_tokens<4>>(n, group, acts, tokens, out, out_stride);
}

// The 32-value types Q4_1, Q5_0, Q5_1 and IQ4_NL. Four blocks at a time in
// two vectors, as Q4_0 above; the remaining blocks (fewer than four) go
// through the 256-bit kernels of dot_x86_q32.h, compiled here into `ymm`.
namespace ymm {
#define EDGEAI_X86_TARGET EDGEAI_AVX512_TARGET
#include "engine/kernels/dot_x86_q32.h"
#undef EDGEAI_X86_TARGET
} // namespace ymm

// The nibbles of four blocks' 16 bytes (at kStride apart from `qs`) as two
// vectors of two blocks each, in the activations' order: the Q4_0 layout.
template <size_t kStride>
EDGEAI_AVX512_TARGET inline void nibbles_x4(const uint8_t* qs, __m512i* x01, __m512i* x23) {
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    __m512i raw = _mm512_castsi128_si512(load128(qs));
    raw = _mm512_inserti32x4(raw, load128(qs + kStride), 1);
    raw = _mm512_inserti32x4(raw, load128(qs + 2 * kStride), 2);
    raw = _mm512_inserti32x4(raw, load128(qs + 3 * kStride), 3);
    const __m512i lo = _mm512_and_si512(raw, low_mask);
    const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low_mask);
    *x01 = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11), hi);
    *x23 = _mm512_permutex2var_epi64(lo, _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15), hi);
}

// Bit 4 of two Q5 blocks' values as a byte mask over a two-block vector: qh's
// bit i is value i, so the two words side by side are the 64 lanes.
EDGEAI_AVX512_TARGET inline __mmask64 q5_high_mask(const uint8_t* qh0, const uint8_t* qh1) {
    uint32_t a, b;
    __builtin_memcpy(&a, qh0, sizeof a);
    __builtin_memcpy(&b, qh1, sizeof b);
    return static_cast<__mmask64>(uint64_t{a} | uint64_t{b} << 32);
}

EDGEAI_AVX512_TARGET inline __m512i with_high_bits(__m512i x, __mmask64 m) {
    return _mm512_mask_add_epi8(x, m, x, _mm512_set1_epi8(16));
}

// Q5_0 x Q8_0: values go in unsigned (q + 16); 16 * sum(y) comes off in the
// int16 pair sums (dot4_minus).
EDGEAI_AVX512_TARGET float dot_q5_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const size_t blocks = n / kBlock32;
    const __m512i sixteen = _mm512_set1_epi8(16);
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t b = 0;
    for (; b + 4 <= blocks; b += 4) {
        const __m128 d = _mm_mul_ps(four_scales<sizeof(BlockQ5_0)>(x + b),
                                    four_scales<sizeof(BlockQ8_0)>(y + b));
        __m512i x01, x23;
        nibbles_x4<sizeof(BlockQ5_0)>(x[b].qs, &x01, &x23);
        x01 = with_high_bits(x01, q5_high_mask(x[b].qh, x[b + 1].qh));
        x23 = with_high_bits(x23, q5_high_mask(x[b + 2].qh, x[b + 3].qh));
        const __m512i y01 = load2x256(y[b].qs, y[b + 1].qs);
        const __m512i y23 = load2x256(y[b + 2].qs, y[b + 3].qs);
        acc0 = _mm512_fmadd_ps(spread_pair<0>(d), _mm512_cvtepi32_ps(dot4_minus(x01, sixteen, y01)),
                               acc0);
        acc1 = _mm512_fmadd_ps(spread_pair<2>(d), _mm512_cvtepi32_ps(dot4_minus(x23, sixteen, y23)),
                               acc1);
    }
    const float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    return b < blocks ? sum + ymm::dot_q5_0(n - b * kBlock32, x + b, y + b) : sum;
}

// Q4_1 and Q5_1 x Q8_1: d_x d_y (q · y) + m_x s_y, the m_x s_y of four blocks
// in one 128-bit multiply-add.
template <class Block, bool kFifthBit>
EDGEAI_AVX512_TARGET float dot_affine_q32(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const Block*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    const size_t blocks = n / kBlock32;
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    __m128 acc_m = _mm_setzero_ps();
    size_t b = 0;
    for (; b + 4 <= blocks; b += 4) {
        const __m128 d =
            _mm_mul_ps(four_scales<sizeof(Block)>(x + b), four_scales<sizeof(BlockQ8_1)>(y + b));
        acc_m = _mm_fmadd_ps(four_scales<sizeof(Block), 2>(x + b),
                             four_scales<sizeof(BlockQ8_1), 2>(y + b), acc_m);
        __m512i x01, x23;
        nibbles_x4<sizeof(Block)>(x[b].qs, &x01, &x23);
        if constexpr (kFifthBit) {
            x01 = with_high_bits(x01, q5_high_mask(x[b].qh, x[b + 1].qh));
            x23 = with_high_bits(x23, q5_high_mask(x[b + 2].qh, x[b + 3].qh));
        }
        const __m512i y01 = load2x256(y[b].qs, y[b + 1].qs);
        const __m512i y23 = load2x256(y[b + 2].qs, y[b + 3].qs);
        acc0 = _mm512_fmadd_ps(spread_pair<0>(d), _mm512_cvtepi32_ps(dot4(x01, y01)), acc0);
        acc1 = _mm512_fmadd_ps(spread_pair<2>(d), _mm512_cvtepi32_ps(dot4(x23, y23)), acc1);
    }
    __m128 m = _mm_add_ps(acc_m, _mm_movehl_ps(acc_m, acc_m));
    m = _mm_add_ss(m, _mm_movehdup_ps(m));
    const float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1)) + _mm_cvtss_f32(m);
    if (b == blocks) return sum;
    if constexpr (kFifthBit)
        return sum + ymm::dot_q5_1(n - b * kBlock32, x + b, y + b);
    else
        return sum + ymm::dot_q4_1(n - b * kBlock32, x + b, y + b);
}

EDGEAI_AVX512_TARGET float dot_q4_1(size_t n, const void* w, const void* a) {
    return dot_affine_q32<BlockQ4_1, false>(n, w, a);
}
EDGEAI_AVX512_TARGET float dot_q5_1(size_t n, const void* w, const void* a) {
    return dot_affine_q32<BlockQ5_1, true>(n, w, a);
}

// IQ4_NL x Q8_0: VPSHUFB looks the levels up in every 128-bit lane; |level|
// goes in unsigned and its sign moves onto the activations.
EDGEAI_AVX512_TARGET float dot_iq4_nl(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_NL*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const size_t blocks = n / kBlock32;
    const __m512i levels =
        _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
    const __m512i zero = _mm512_setzero_si512();
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    size_t b = 0;
    for (; b + 4 <= blocks; b += 4) {
        const __m128 d = _mm_mul_ps(four_scales<sizeof(BlockIQ4_NL)>(x + b),
                                    four_scales<sizeof(BlockQ8_0)>(y + b));
        __m512i x01, x23;
        nibbles_x4<sizeof(BlockIQ4_NL)>(x[b].qs, &x01, &x23);
        const __m512i v01 = _mm512_shuffle_epi8(levels, x01);
        const __m512i v23 = _mm512_shuffle_epi8(levels, x23);
        const __m512i y01 = load2x256(y[b].qs, y[b + 1].qs);
        const __m512i y23 = load2x256(y[b + 2].qs, y[b + 3].qs);
        const __m512i p01 = dot4(_mm512_abs_epi8(v01),
                                 _mm512_mask_sub_epi8(y01, _mm512_movepi8_mask(v01), zero, y01));
        const __m512i p23 = dot4(_mm512_abs_epi8(v23),
                                 _mm512_mask_sub_epi8(y23, _mm512_movepi8_mask(v23), zero, y23));
        acc0 = _mm512_fmadd_ps(spread_pair<0>(d), _mm512_cvtepi32_ps(p01), acc0);
        acc1 = _mm512_fmadd_ps(spread_pair<2>(d), _mm512_cvtepi32_ps(p23), acc1);
    }
    const float sum = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    return b < blocks ? sum + ymm::dot_iq4_nl(n - b * kBlock32, x + b, y + b) : sum;
}

// The 8 signed 6-bit scales of an IQ4_XS super-block as bytes 0..7, built in a
// general register (no byte stores to reload): low nibbles of scales_l
// interleaved even/odd, the scales_h bit pairs on top, minus 32.
EDGEAI_AVX512_TARGET inline __m128i iq4_xs_scales(const BlockIQ4_XS& x) {
    uint32_t low;
    __builtin_memcpy(&low, x.scales_l, sizeof low);
    const __m128i lo = _mm_cvtsi32_si128(static_cast<int>(low & 0x0F0F0F0F)); // j = 0, 2, 4, 6
    const __m128i hi =
        _mm_cvtsi32_si128(static_cast<int>((low >> 4) & 0x0F0F0F0F)); // j = 1, 3, 5, 7
    uint64_t high = 0;
    for (int j = 0; j < 8; ++j)
        high |= uint64_t{(x.scales_h >> (2 * j)) & 3u} << (8 * j + 4);
    const __m128i sixbit =
        _mm_or_si128(_mm_unpacklo_epi8(lo, hi), _mm_cvtsi64_si128(static_cast<long long>(high)));
    return _mm_sub_epi8(sixbit, _mm_set1_epi8(32));
}

// IQ4_XS x Q8_K: a super-block's 128 bytes of nibbles are two groups of four
// sub-blocks, unpacked like four Q4_0 blocks each; the levels come from VPSHUFB
// and each pair of sub-blocks is weighed by its 6-bit scales (scaled_dot4).
EDGEAI_AVX512_TARGET float dot_iq4_xs(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_XS*>(w);
    const auto* y = static_cast<const BlockQ8_K*>(a);
    const __m512i levels =
        _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
    const __m512i zero = _mm512_setzero_si512();
    const __m512i low_mask = _mm512_set1_epi8(0xF);
    const __m512i first_pair = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const __m512i second_pair = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    __m512 acc = _mm512_setzero_ps();
    for (size_t b = 0; b < n / kBlockK; ++b) {
        const Scales sc = scales_from_i8(iq4_xs_scales(x[b]));
        const __m512i* yq = reinterpret_cast<const __m512i*>(y[b].qs);
        __m512i v[4];
        for (int g = 0; g < 2; ++g) {
            // Four sub-blocks' bytes are contiguous: one load, then the Q4_0
            // order (low nibbles then high, per sub-block).
            const __m512i raw = _mm512_loadu_si512(x[b].qs + 64 * g);
            const __m512i lo = _mm512_and_si512(raw, low_mask);
            const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), low_mask);
            v[2 * g] = _mm512_permutex2var_epi64(lo, first_pair, hi);
            v[2 * g + 1] = _mm512_permutex2var_epi64(lo, second_pair, hi);
        }
        __m512i isum = _mm512_setzero_si512();
        __m512i u[4], s[4];
        for (int k = 0; k < 4; ++k) {
            const __m512i level = _mm512_shuffle_epi8(levels, v[k]);
            const __m512i yv = _mm512_loadu_si512(yq + k);
            u[k] = _mm512_abs_epi8(level);
            s[k] = _mm512_mask_sub_epi8(yv, _mm512_movepi8_mask(level), zero, yv);
        }
        isum = scaled_dot4<0, 32>(isum, u[0], s[0], sc);
        isum = scaled_dot4<2, 32>(isum, u[1], s[1], sc);
        isum = scaled_dot4<4, 32>(isum, u[2], s[2], sc);
        isum = scaled_dot4<6, 32>(isum, u[3], s[3], sc);
        acc = _mm512_fmadd_ps(_mm512_set1_ps(f16_to_f32(x[b].d) * y[b].d), _mm512_cvtepi32_ps(isum),
                              acc);
    }
    return _mm512_reduce_add_ps(acc);
}
