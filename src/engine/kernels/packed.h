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

// The activation rows the matrix kernels read, one per token, `stride` bytes
// apart. Each row is the token's Q8_0 blocks (made by the table's
// quantize_q8_0, so they equal what the dot products get), then per block its
// scale as a float and the scale times the sum of its 32 values: the weights
// go into the integer products unsigned, and that sum takes the offset back
// out once per block instead of once per row.
struct PackedActivations {
    const BlockQ8_0* blocks;
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

// Bytes of one activation row for n columns, and writing it from n floats.
size_t packed_activation_bytes(size_t n);
struct KernelTable;
void quantize_packed_activations(const KernelTable& table, const float* x, uint8_t* row, size_t n);
// The view of `count` rows written at `rows`, each packed_activation_bytes(n).
PackedActivations packed_activations_view(const uint8_t* rows, size_t n);

} // namespace edgeai::engine::kernels
