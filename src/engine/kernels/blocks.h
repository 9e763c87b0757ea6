// The byte layouts of the quantized blocks, exactly as GGUF stores them (the
// sizes are checked against the tensor type table at compile time). Scales are
// IEEE half bits. Q8_K never appears in files: it is the activation format the
// K-quant dot products use.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeai::engine::kernels {

inline constexpr size_t kBlock32 = 32; // Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, IQ4_NL
inline constexpr size_t kBlockK = 256; // K-quants and IQ4_XS: super-blocks of 256

struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[kBlock32 / 2]; // value j in the low nibble of qs[j], j+16 in the high one
};
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kBlock32];
};
// x = d * q + m, q in 0..15; nibbles as in Q4_0. 5 bits per weight.
struct BlockQ4_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qs[kBlock32 / 2];
};
// x = d * (q - 16), q in 0..31: the low 4 bits as in Q4_0, bit 4 of value j in
// bit j of qh (a little-endian uint32). 5.5 bits per weight.
struct BlockQ5_0 {
    uint16_t d;
    uint8_t qh[4];
    uint8_t qs[kBlock32 / 2];
};
// x = d * q + m, q in 0..31, bits as in Q5_0. 6 bits per weight.
struct BlockQ5_1 {
    uint16_t d;
    uint16_t m;
    uint8_t qh[4];
    uint8_t qs[kBlock32 / 2];
};
// The activations Q4_1 and Q5_1 pair with: Q8_0 plus s = d * sum(qs), so the
// weights' m costs one multiply per block. Never in files.
struct BlockQ8_1 {
    uint16_t d;
    uint16_t s;
    int8_t qs[kBlock32];
};
// x = d * kIq4nlValues[q], q a nibble laid out as in Q4_0. 4.5 bits per weight.
struct BlockIQ4_NL {
    uint16_t d;
    uint8_t qs[kBlock32 / 2];
};
// 8 sub-blocks of 32; each has a 6-bit scale and a 6-bit min packed into scales[12].
struct BlockQ4_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qs[kBlockK / 2];
};
struct BlockQ5_K {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[kBlockK / 8];
    uint8_t qs[kBlockK / 2];
};
// 16 sub-blocks of 16 with signed 8-bit scales; 6-bit values split in ql/qh.
struct BlockQ6_K {
    uint8_t ql[kBlockK / 2];
    uint8_t qh[kBlockK / 4];
    int8_t scales[kBlockK / 16];
    uint16_t d;
};
// 16 sub-blocks of 16: x = d * (scales[j] & 15) * q - dmin * (scales[j] >> 4),
// q in 0..3. Values l, l+32, l+64, l+96 of each half (128 values) share byte
// qs[32 * half + l], at bits 0-1, 2-3, 4-5, 6-7. 2.625 bits per weight.
struct BlockQ2_K {
    uint8_t scales[kBlockK / 16];
    uint8_t qs[kBlockK / 4];
    uint16_t d;
    uint16_t dmin;
};
// 16 sub-blocks of 16: x = d * (s_j - 32) * (q - 4), q in 0..7. The low 2 bits
// are laid out as in Q2_K; bit 2 of value i is bit i / 32 of hmask[i % 32]. The
// 6-bit scales s_j: low 4 bits in scales[j % 8] (low nibble for j < 8), top 2
// bits in scales[8 + j % 4] at bit 2 * (j / 4). 3.4375 bits per weight.
struct BlockQ3_K {
    uint8_t hmask[kBlockK / 8];
    uint8_t qs[kBlockK / 4];
    uint8_t scales[12];
    uint16_t d;
};
// 8 sub-blocks of 32: x = d * (s_j - 32) * kIq4nlValues[q]. The 6-bit scale s_j
// has its low 4 bits in scales_l[j / 2] (low nibble for even j) and its top 2
// bits in scales_h at bit 2j; each sub-block's 16 bytes of qs are laid out as an
// IQ4_NL block's. 4.25 bits per weight.
struct BlockIQ4_XS {
    uint16_t d;
    uint16_t scales_h;
    uint8_t scales_l[kBlockK / 64];
    uint8_t qs[kBlockK / 2];
};
struct BlockQ8_K {
    float d;
    int8_t qs[kBlockK];
    int16_t bsums[kBlockK / 16]; // sums of each 16 values, for the K-quant mins
};

static_assert(sizeof(BlockQ4_0) == 18);
static_assert(sizeof(BlockQ8_0) == 34);
static_assert(sizeof(BlockQ4_K) == 144);
static_assert(sizeof(BlockQ5_K) == 176);
static_assert(sizeof(BlockQ6_K) == 210);
static_assert(sizeof(BlockQ8_K) == 292);
static_assert(sizeof(BlockQ4_1) == 20);
static_assert(sizeof(BlockQ5_0) == 22);
static_assert(sizeof(BlockQ5_1) == 24);
static_assert(sizeof(BlockQ8_1) == 36);
static_assert(sizeof(BlockIQ4_NL) == 18);
static_assert(sizeof(BlockQ2_K) == 84);
static_assert(sizeof(BlockQ3_K) == 110);
static_assert(sizeof(BlockIQ4_XS) == 136);

// The 16 levels of IQ4_NL and IQ4_XS (ggml's kvalues_iq4nl): denser near zero,
// where most weights are, and asymmetric around it.
inline constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                            1,    13,   25,  38,  53,  69,  89,  113};

// Unpacks the j-th (0..7) 6-bit scale and min of a Q4_K / Q5_K super-block.
// Static: the SIMD files include it too, and must not share a copy built for
// another instruction set.
static inline void unpack_scale_min_k4(const uint8_t* scales, int j, uint8_t* scale, uint8_t* min) {
    if (j < 4) {
        *scale = scales[j] & 63;
        *min = scales[j + 4] & 63;
    } else {
        *scale = static_cast<uint8_t>((scales[j + 4] & 0xF) | ((scales[j - 4] >> 6) << 4));
        *min = static_cast<uint8_t>((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
    }
}

// The signed scale (-32..31) of sub-block j (0..15) of a Q3_K super-block.
static inline int q3_k_scale(const uint8_t* scales, int j) {
    const int low = j < 8 ? scales[j] & 0xF : scales[j - 8] >> 4;
    const int high = (scales[8 + j % 4] >> (2 * (j / 4))) & 3;
    return (low | (high << 4)) - 32;
}

// The signed scale (-32..31) of sub-block j (0..7) of an IQ4_XS super-block.
static inline int iq4_xs_scale(const BlockIQ4_XS& x, int j) {
    const int low = (x.scales_l[j / 2] >> (4 * (j % 2))) & 0xF;
    const int high = (x.scales_h >> (2 * j)) & 3;
    return (low | (high << 4)) - 32;
}

// Bit 4 of the 32 values of a Q5_0 / Q5_1 block.
static inline uint32_t q5_high_bits(const uint8_t* qh) {
    return uint32_t{qh[0]} | uint32_t{qh[1]} << 8 | uint32_t{qh[2]} << 16 | uint32_t{qh[3]} << 24;
}

} // namespace edgeai::engine::kernels
