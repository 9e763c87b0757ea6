// The byte layouts of the quantized blocks, exactly as GGUF stores them (the
// sizes are checked against the tensor type table at compile time). Scales are
// IEEE half bits. Q8_K never appears in files: it is the activation format the
// K-quant dot products use.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edgeai::engine::kernels {

inline constexpr size_t kBlock32 = 32; // Q4_0, Q8_0
inline constexpr size_t kBlockK = 256; // K-quants: super-blocks of 256

struct BlockQ4_0 {
    uint16_t d;
    uint8_t qs[kBlock32 / 2]; // value j in the low nibble of qs[j], j+16 in the high one
};
struct BlockQ8_0 {
    uint16_t d;
    int8_t qs[kBlock32];
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

} // namespace edgeai::engine::kernels
