// SHA-256 blocks with the x86 SHA extensions (SHA256RNDS2, SHA256MSG1/2).
// Built with -msha -msse4.1 -mssse3 on x86 only (src/CMakeLists.txt) and used
// only when CPUID reports those features.
#include "core/sha256_blocks.h"

#ifdef EDGEAI_SHA256_X86

#include <cpuid.h>
#include <immintrin.h>

namespace edgeai::core {
namespace {

bool cpu_has_sha_extensions() {
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
    const bool ssse3 = (ecx & (1u << 9)) != 0;
    const bool sse41 = (ecx & (1u << 19)) != 0;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
    const bool sha = (ebx & (1u << 29)) != 0;
    return ssse3 && sse41 && sha;
}

void sha256_blocks_sha_ni(uint32_t state[8], const uint8_t* data, size_t blocks) {
    // Message words are big-endian: swap the bytes of each 32-bit lane.
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    // SHA256RNDS2 keeps the eight working variables as two registers,
    // ABEF and CDGH (A in the top lane).
    __m128i abcd = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
    __m128i efgh = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
    abcd = _mm_shuffle_epi32(abcd, 0xB1);             // b a d c
    efgh = _mm_shuffle_epi32(efgh, 0x1B);             // h g f e
    __m128i abef = _mm_alignr_epi8(abcd, efgh, 8);    // f e b a
    __m128i cdgh = _mm_blend_epi16(efgh, abcd, 0xF0); // h g d c

    for (; blocks > 0; --blocks, data += 64) {
        const __m128i abef_before = abef;
        const __m128i cdgh_before = cdgh;
        __m128i w[4]; // a ring of the last 16 message words, four per register
        for (int group = 0; group < 16; ++group) {
            __m128i& current = w[group & 3];
            if (group < 4) {
                current = _mm_shuffle_epi8(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * group)),
                    byte_swap);
            } else {
                // W[t..t+3] from W[t-16..t-1]: MSG1 adds sigma0 of the words
                // 15 back, the add brings in the words 7 back, MSG2 adds
                // sigma1 of the words 2 back (the group's own first two).
                const __m128i& back1 = w[(group - 1) & 3];
                const __m128i& back2 = w[(group - 2) & 3];
                const __m128i& back3 = w[(group - 3) & 3];
                __m128i t = _mm_sha256msg1_epu32(current, back3);
                t = _mm_add_epi32(t, _mm_alignr_epi8(back1, back2, 4));
                current = _mm_sha256msg2_epu32(t, back1);
            }
            __m128i wk = _mm_add_epi32(current, _mm_load_si128(reinterpret_cast<const __m128i*>(
                                                    kSha256Round + 4 * group)));
            // Two rounds return the new ABEF; the old ABEF is the new CDGH.
            // So the registers swap roles, and swap back after two more.
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk);
            wk = _mm_shuffle_epi32(wk, 0x0E);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, wk);
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }

    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B); // a b e f (low lane first)
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1); // g h c d
    abcd = _mm_blend_epi16(feba, dchg, 0xF0);           // a b c d
    efgh = _mm_alignr_epi8(dchg, feba, 8);              // e f g h
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), abcd);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), efgh);
}

} // namespace

Sha256BlocksFn sha256_blocks_x86() {
    static const bool available = cpu_has_sha_extensions();
    return available ? &sha256_blocks_sha_ni : nullptr;
}

} // namespace edgeai::core

#else

namespace edgeai::core {
Sha256BlocksFn sha256_blocks_x86() {
    return nullptr;
}
} // namespace edgeai::core

#endif
