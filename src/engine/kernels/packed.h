// Weights repacked at load time, four rows at a time, for the matrix kernels
// (GemmFn). A row group holds, block by block, the four rows' scales and then
// their quants, so one pass over a group's bytes feeds four outputs per token
// and a prompt's tokens share every unpacked block. This is where prompt
// processing wins most of its speed, and decode saves the per-block shuffles a
// single-row dot product needs. llama.cpp repacks for the same reason.
//
// Only layouts and declarations here: the SIMD files include this header, and
// must not share inline code built for another instruction set.
#pragma once

#include "engine/kernels/blocks.h"
#include "engine/tensor/tensor_type.h"

#include <cstddef>
#include <cstdint>

namespace edgeai::engine::kernels {

inline constexpr uint32_t kPackRows = 4;

// Block b of rows 4g..4g+3 of a Q4_0 matrix: the four scales, then each row's
// 16 bytes of nibbles exactly as in BlockQ4_0 (value j low, value j+16 high).
struct PackedQ4_0x4 {
    uint16_t d[kPackRows];
    uint8_t qs[kPackRows][kBlock32 / 2];
};
static_assert(sizeof(PackedQ4_0x4) == 72);

// The same for Q8_0: four scales, then each row's 32 values.
struct PackedQ8_0x4 {
    uint16_t d[kPackRows];
    int8_t qs[kPackRows][kBlock32];
};
static_assert(sizeof(PackedQ8_0x4) == 136);

// Super-block b of four Q4_K rows: the rows' scales and mins unpacked to a byte
// each (sub-block j of row r at [r][j]), then the nibbles chunk by chunk: chunk
// c of every row (32 bytes: sub-block 2c low, 2c + 1 high, as in BlockQ4_K),
// so rows 0-1 and 2-3 of a chunk are one 64-byte load each. 592 bytes for the
// file's 576: the unpacked scales spare every token the 6-bit unpacking.
struct PackedQ4_Kx4 {
    uint16_t d[kPackRows];
    uint16_t dmin[kPackRows];
    uint8_t scales[kPackRows][8];
    uint8_t mins[kPackRows][8];
    uint8_t qs[4][kPackRows][32];
};
static_assert(sizeof(PackedQ4_Kx4) == 592);

// Super-block b of four Q5_K rows: Q4_K's packing, plus bit 4 of every value
// as masks over the nibble vectors: qh[c] holds chunk c's four 64-bit masks
// (little-endian), for the low nibbles of rows 0-1 and of rows 2-3, then the
// high nibbles of rows 0-1 and of rows 2-3; bit 32r' + l of a mask is value l
// of row r' of the pair, byte 32r' + l of the pair's vector. 720 bytes for the
// file's 704.
struct PackedQ5_Kx4 {
    uint16_t d[kPackRows];
    uint16_t dmin[kPackRows];
    uint8_t scales[kPackRows][8];
    uint8_t mins[kPackRows][8];
    uint8_t qh[4][32];
    uint8_t qs[4][kPackRows][32];
};
static_assert(sizeof(PackedQ5_Kx4) == 720);

// Block b of four Q5_0 rows: the scales, then bit 4 of the rows' values as two
// 64-bit masks, then each row's nibbles as in BlockQ5_0 (= Q4_0's). Bit
// 16r + i of qh_lo (a little-endian uint64) is bit 4 of value i of row r, and
// of qh_hi of value 16 + i: byte 16r + i of the rows' low (high) nibbles
// loaded as one 64-byte vector. The file's 88 bytes, rearranged.
struct PackedQ5_0x4 {
    uint16_t d[kPackRows];
    uint8_t qh_lo[8];
    uint8_t qh_hi[8];
    uint8_t qs[kPackRows][kBlock32 / 2];
};
static_assert(sizeof(PackedQ5_0x4) == 88);

// Super-block b of four Q6_K rows: each row's ql (128 bytes, one 64-byte
// vector per half), then each row's qh (64 bytes), then the rows' scales and
// d, all as in BlockQ6_K. The file's 840 bytes, with each row's values
// contiguous and the four rows' small fields together.
struct PackedQ6_Kx4 {
    uint8_t ql[kPackRows][kBlockK / 2];
    uint8_t qh[kPackRows][kBlockK / 4];
    int8_t scales[kPackRows][kBlockK / 16];
    uint16_t d[kPackRows];
};
static_assert(sizeof(PackedQ6_Kx4) == 840);

// The activation rows the matrix kernels read, one per token, `stride` bytes
// apart, made by the table's quantizers (so they equal what the dot products
// get). For Q4_0, Q5_0 and Q8_0 weights each row is the token's Q8_0 blocks, then
// per block its scale as a float and the scale times the sum of its 32
// values: the weights go into the integer products unsigned, and that sum
// takes the offset back out once per block instead of once per row. For the
// K-quants a row is the token's Q8_K blocks (d and d_sum are null).
struct PackedActivations {
    const uint8_t* rows;
    const float* d;
    const float* d_sum;
    size_t stride;
};

// Rows 4g..4g+3 of an n-column packed matrix (`group` points at its first
// block) times `tokens` (1 to kGemmTokens) activation rows:
// out[t * out_stride + r] for r < 4.
inline constexpr uint32_t kGemmTokens = 4;
using GemmFn = void (*)(size_t n, const void* group, const PackedActivations& acts, uint32_t tokens,
                        float* out, size_t out_stride);

// Whether `type` has a packed layout; the bytes of one group and of a matrix.
bool packable(TensorType type);
size_t packed_group_bytes(TensorType type, uint32_t cols);
size_t packed_bytes(TensorType type, uint32_t rows, uint32_t cols);
// Packs groups [group_begin, group_end) of a matrix whose rows are row_bytes
// apart; a last group with fewer than four rows is padded with zero rows.
void pack_groups(TensorType type, const uint8_t* rows_data, size_t row_bytes, uint32_t rows,
                 uint32_t cols, uint32_t group_begin, uint32_t group_end, uint8_t* out);

// Block `block` of row `sub_row` (0-3) of a packed group, written back in the
// file's block layout (for looking up a row of a packed token embedding).
void unpack_block(TensorType type, const uint8_t* group, uint32_t sub_row, size_t block,
                  uint8_t* out);

// For weights of `type`: the bytes of one activation row of n columns, writing
// it from n floats, and the view of rows written one after another.
size_t packed_activation_bytes(TensorType type, size_t n);
struct KernelTable;
void quantize_packed_activations(const KernelTable& table, TensorType type, const float* x,
                                 uint8_t* row, size_t n);
PackedActivations packed_activations_view(TensorType type, const uint8_t* rows, size_t n);

} // namespace edgeai::engine::kernels
