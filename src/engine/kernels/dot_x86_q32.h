// 256-bit dot products of the 32-value types Q4_1, Q5_0, Q5_1 and IQ4_NL,
// written once and compiled three times: by dot_avx2.cpp, and by
// dot_avx512_int.h for the plain and the VNNI AVX-512 tables. No include
// guard on purpose, and no includes: the including file is inside its own
// anonymous namespace and brings <immintrin.h>, blocks.h, simd_x86.h,
// f16_to_f32, hsum(__m256), EDGEAI_X86_TARGET (its functions' target
// attribute, or nothing) and dot4(__m256i u, __m256i s): 32 unsigned bytes (at
// most 127) times 32 signed bytes, summed four at a time into 8 int32 lanes.
//
// One block per step, a float multiply-add per block: these types fill the
// matrices a K-quant cannot (rows of 896) and the smaller mixes, where the
// activations' conversion and the memory traffic weigh as much as the loop.

// 32 bytes, 0xFF where bit i of a Q5 block's qh is set, else 0.
EDGEAI_X86_TARGET inline __m256i q5_bit_mask(const uint8_t* qh) {
    uint32_t bits;
    __builtin_memcpy(&bits, qh, sizeof bits);
    // Byte i takes byte i / 8 of qh (VPSHUFB stays within 128-bit lanes, so
    // each lane gets the whole word first), then tests its own bit.
    const __m256i spread = _mm256_shuffle_epi8(
        _mm256_set1_epi32(static_cast<int>(bits)),
        _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303));
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ull));
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

// A Q5 block's 32 values, 0..31, in the activations' order.
EDGEAI_X86_TARGET inline __m256i q5_values(const uint8_t* qh, const uint8_t* qs) {
    return _mm256_or_si256(x86::unpack_nibbles(qs),
                           _mm256_and_si256(q5_bit_mask(qh), _mm256_set1_epi8(16)));
}

EDGEAI_X86_TARGET inline __m256i load_q8(const int8_t* qs) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs));
}

// Q4_1 x Q8_1: d_x d_y (q · y) + m_x s_y; the nibbles go in unsigned.
EDGEAI_X86_TARGET float dot_q4_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ4_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    __m256 acc = _mm256_setzero_ps();
    float offset = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i p = dot4(x86::unpack_nibbles(x[b].qs), load_q8(y[b].qs));
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
        offset += f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return hsum(acc) + offset;
}

// Q5_0 x Q8_0: the values go in unsigned (q + 16); 16 * sum(y) comes off in
// the same int32 lanes.
EDGEAI_X86_TARGET float dot_q5_0(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_0*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const __m256i sixteen = _mm256_set1_epi8(16);
    __m256 acc = _mm256_setzero_ps();
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i yv = load_q8(y[b].qs);
        const __m256i p =
            _mm256_sub_epi32(dot4(q5_values(x[b].qh, x[b].qs), yv), dot4(sixteen, yv));
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum(acc);
}

EDGEAI_X86_TARGET float dot_q5_1(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockQ5_1*>(w);
    const auto* y = static_cast<const BlockQ8_1*>(a);
    __m256 acc = _mm256_setzero_ps();
    float offset = 0.0f;
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i p = dot4(q5_values(x[b].qh, x[b].qs), load_q8(y[b].qs));
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
        offset += f16_to_f32(x[b].m) * f16_to_f32(y[b].s);
    }
    return hsum(acc) + offset;
}

// IQ4_NL x Q8_0: VPSHUFB looks the 16 levels up; they are signed, so |level|
// goes in unsigned and the level's sign moves onto the activations.
EDGEAI_X86_TARGET float dot_iq4_nl(size_t n, const void* w, const void* a) {
    const auto* x = static_cast<const BlockIQ4_NL*>(w);
    const auto* y = static_cast<const BlockQ8_0*>(a);
    const __m256i levels = _mm256_broadcastsi128_si256(
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(kIq4nlValues)));
    __m256 acc = _mm256_setzero_ps();
    for (size_t b = 0; b < n / kBlock32; ++b) {
        const __m256i v = _mm256_shuffle_epi8(levels, x86::unpack_nibbles(x[b].qs));
        const __m256i p = dot4(_mm256_abs_epi8(v), _mm256_sign_epi8(load_q8(y[b].qs), v));
        const __m256 d = _mm256_set1_ps(f16_to_f32(x[b].d) * f16_to_f32(y[b].d));
        acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(p), acc);
    }
    return hsum(acc);
}
