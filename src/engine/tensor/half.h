// IEEE half (F16) and bfloat16 (BF16) conversions in portable code: the scalar
// reference for kernels and the fallback where the CPU has no conversion
// instructions. Rounding is to nearest, ties to even, as the hardware does, so
// the scalar and SIMD paths store identical bits.
#pragma once

#include <cstdint>

namespace edgeai::engine {

// std::bit_cast through the builtin it is made of: emscripten 3.1.6's libc++
// (the browser build's) has no <bit> bit_cast, gcc 12 and clang 14 have the builtin.
template <typename To, typename From> constexpr To bits_as(const From& from) {
    static_assert(sizeof(To) == sizeof(From));
    return __builtin_bit_cast(To, from);
}

inline float f16_to_f32(uint16_t h) {
    const uint32_t sign = uint32_t{h & 0x8000u} << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    uint32_t bits;
    if (exponent == 0x1f) {
        bits = sign | 0x7f800000u | (mantissa << 13); // inf or nan
    } else if (exponent != 0) {
        bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        bits = sign;
    } else {
        // Subnormal half: normalise into a float exponent.
        uint32_t e = 113;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --e;
        }
        bits = sign | (e << 23) | ((mantissa & 0x3ffu) << 13);
    }
    return bits_as<float>(bits);
}

inline uint16_t f32_to_f16(float f) {
    const uint32_t x = bits_as<uint32_t>(f);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t abs = x & 0x7fffffffu;
    if (abs >= 0x7f800000u) // inf stays inf, nan stays a quiet nan
        return static_cast<uint16_t>(sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u));
    if (abs >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u); // rounds past max half
    if (abs < 0x38800000u) {
        // Result is subnormal (or zero): shift the full mantissa into place and
        // round to nearest even on the bits shifted out.
        if (abs < 0x33000000u) return static_cast<uint16_t>(sign);
        const uint32_t e = abs >> 23;
        const uint32_t m = (abs & 0x7fffffu) | 0x800000u;
        const uint32_t shift = 126 - e; // 14..24
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

inline float bf16_to_f32(uint16_t h) {
    return bits_as<float>(uint32_t{h} << 16);
}

inline uint16_t f32_to_bf16(float f) {
    const uint32_t x = bits_as<uint32_t>(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u); // nan
    return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1u)) >> 16);
}

} // namespace edgeai::engine
