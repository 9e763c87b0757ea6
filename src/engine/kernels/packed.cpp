#include "engine/kernels/packed.h"

#include "engine/kernels/kernel_table.h"
#include "engine/tensor/half.h"

#include <cstring>

namespace edgeai::engine::kernels {
namespace {

size_t blocks_in(size_t n) {
    return n / kBlock32;
}

// Where the float arrays start: after the blocks, rounded up to a float.
size_t scales_offset(size_t n) {
    return (blocks_in(n) * sizeof(BlockQ8_0) + 3) & ~size_t{3};
}

// Moves block b of each of a group's rows into the packed block: the scales
// first, then the rows' quants one after another. Rows past the matrix's end
// get a zero scale and quants that mean 0.
template <class Block, class Packed>
void pack_blocks(const uint8_t* rows_data, size_t row_bytes, uint32_t rows, size_t blocks,
                 uint32_t group_begin, uint32_t group_end, uint8_t zero_quant, uint8_t* out) {
    auto* dst = reinterpret_cast<Packed*>(out);
    for (uint32_t g = group_begin; g < group_end; ++g) {
        for (size_t b = 0; b < blocks; ++b) {
            Packed& p = dst[(g - group_begin) * blocks + b];
            for (uint32_t r = 0; r < kPackRows; ++r) {
                const uint32_t row = g * kPackRows + r;
                if (row >= rows) {
                    p.d[r] = 0;
                    std::memset(p.qs[r], zero_quant, sizeof p.qs[r]);
                    continue;
                }
                Block block;
                std::memcpy(&block, rows_data + row * row_bytes + b * sizeof(Block), sizeof block);
                p.d[r] = block.d;
                std::memcpy(p.qs[r], block.qs, sizeof block.qs);
            }
        }
    }
}

void pack_q4_k(const uint8_t* rows_data, size_t row_bytes, uint32_t rows, size_t blocks,
               uint32_t group_begin, uint32_t group_end, uint8_t* out) {
    auto* dst = reinterpret_cast<PackedQ4_Kx4*>(out);
    for (uint32_t g = group_begin; g < group_end; ++g) {
        for (size_t b = 0; b < blocks; ++b) {
            PackedQ4_Kx4& p = dst[(g - group_begin) * blocks + b];
            for (uint32_t r = 0; r < kPackRows; ++r) {
                const uint32_t row = g * kPackRows + r;
                BlockQ4_K block;
                if (row < rows)
                    std::memcpy(&block, rows_data + row * row_bytes + b * sizeof(BlockQ4_K),
                                sizeof block);
                else
                    std::memset(&block, 0, sizeof block); // d = dmin = 0: the row is zero
                p.d[r] = block.d;
                p.dmin[r] = block.dmin;
                for (int j = 0; j < 8; ++j)
                    unpack_scale_min_k4(block.scales, j, &p.scales[r][j], &p.mins[r][j]);
                for (int c = 0; c < 4; ++c)
                    std::memcpy(p.qs[c][r], block.qs + 32 * c, 32);
            }
        }
    }
}

void pack_q5_0(const uint8_t* rows_data, size_t row_bytes, uint32_t rows, size_t blocks,
               uint32_t group_begin, uint32_t group_end, uint8_t* out) {
    auto* dst = reinterpret_cast<PackedQ5_0x4*>(out);
    for (uint32_t g = group_begin; g < group_end; ++g) {
        for (size_t b = 0; b < blocks; ++b) {
            PackedQ5_0x4& p = dst[(g - group_begin) * blocks + b];
            for (uint32_t r = 0; r < kPackRows; ++r) {
                const uint32_t row = g * kPackRows + r;
                BlockQ5_0 block;
                if (row < rows) {
                    std::memcpy(&block, rows_data + row * row_bytes + b * sizeof(BlockQ5_0),
                                sizeof block);
                } else { // a zero scale; values of 16 (0x10 = 0), as a quantizer writes 0
                    block.d = 0;
                    std::memset(block.qh, 0xFF, sizeof block.qh);
                    std::memset(block.qs, 0, sizeof block.qs);
                }
                p.d[r] = block.d;
                p.qh_lo[2 * r] = block.qh[0];
                p.qh_lo[2 * r + 1] = block.qh[1];
                p.qh_hi[2 * r] = block.qh[2];
                p.qh_hi[2 * r + 1] = block.qh[3];
                std::memcpy(p.qs[r], block.qs, sizeof block.qs);
            }
        }
    }
}

void pack_q6_k(const uint8_t* rows_data, size_t row_bytes, uint32_t rows, size_t blocks,
               uint32_t group_begin, uint32_t group_end, uint8_t* out) {
    auto* dst = reinterpret_cast<PackedQ6_Kx4*>(out);
    for (uint32_t g = group_begin; g < group_end; ++g) {
        for (size_t b = 0; b < blocks; ++b) {
            PackedQ6_Kx4& p = dst[(g - group_begin) * blocks + b];
            for (uint32_t r = 0; r < kPackRows; ++r) {
                const uint32_t row = g * kPackRows + r;
                BlockQ6_K block;
                if (row < rows)
                    std::memcpy(&block, rows_data + row * row_bytes + b * sizeof(BlockQ6_K),
                                sizeof block);
                else
                    std::memset(&block, 0, sizeof block); // d = 0: the row is zero
                std::memcpy(p.ql[r], block.ql, sizeof block.ql);
                std::memcpy(p.qh[r], block.qh, sizeof block.qh);
                std::memcpy(p.scales[r], block.scales, sizeof block.scales);
                p.d[r] = block.d;
            }
        }
    }
}

void pack_q5_k(const uint8_t* rows_data, size_t row_bytes, uint32_t rows, size_t blocks,
               uint32_t group_begin, uint32_t group_end, uint8_t* out) {
    auto* dst = reinterpret_cast<PackedQ5_Kx4*>(out);
    for (uint32_t g = group_begin; g < group_end; ++g) {
        for (size_t b = 0; b < blocks; ++b) {
            PackedQ5_Kx4& p = dst[(g - group_begin) * blocks + b];
            std::memset(p.qh, 0, sizeof p.qh);
            for (uint32_t r = 0; r < kPackRows; ++r) {
                const uint32_t row = g * kPackRows + r;
                BlockQ5_K block;
                if (row < rows)
                    std::memcpy(&block, rows_data + row * row_bytes + b * sizeof(BlockQ5_K),
                                sizeof block);
                else
                    std::memset(&block, 0, sizeof block); // d = dmin = 0: the row is zero
                p.d[r] = block.d;
                p.dmin[r] = block.dmin;
                for (int j = 0; j < 8; ++j)
                    unpack_scale_min_k4(block.scales, j, &p.scales[r][j], &p.mins[r][j]);
                for (int c = 0; c < 4; ++c) {
                    std::memcpy(p.qs[c][r], block.qs + 32 * c, 32);
                    for (int l = 0; l < 32; ++l) {
                        const int bit = 32 * (r % 2) + l;
                        const uint8_t lo = (block.qh[l] >> (2 * c)) & 1;
                        const uint8_t hi = (block.qh[l] >> (2 * c + 1)) & 1;
                        p.qh[c][8 * (r / 2) + bit / 8] |= static_cast<uint8_t>(lo << (bit % 8));
                        p.qh[c][8 * (2 + r / 2) + bit / 8] |= static_cast<uint8_t>(hi << (bit % 8));
                    }
                }
            }
        }
    }
}

// The inverse of unpack_scale_min_k4 for a super-block's 8 scales and mins:
// sub-blocks 4-7 keep their low 4 bits in bytes 8-11 and their top 2 bits
// atop bytes 0-7.
void repack_scales_k4(const uint8_t* sc, const uint8_t* m, uint8_t* scales) {
    for (int j = 0; j < 4; ++j) {
        scales[j] = static_cast<uint8_t>(sc[j] | ((sc[j + 4] >> 4) << 6));
        scales[j + 4] = static_cast<uint8_t>(m[j] | ((m[j + 4] >> 4) << 6));
        scales[j + 8] = static_cast<uint8_t>((sc[j + 4] & 0xF) | ((m[j + 4] & 0xF) << 4));
    }
}

// Weights whose packed kernels read Q8_K activations.
bool k_activations(TensorType type) {
    return type == TensorType::kQ4_K || type == TensorType::kQ5_K || type == TensorType::kQ6_K;
}

} // namespace

bool packable(TensorType type) {
    return type == TensorType::kQ4_0 || type == TensorType::kQ8_0 || type == TensorType::kQ4_K ||
           type == TensorType::kQ5_0 || type == TensorType::kQ5_K || type == TensorType::kQ6_K;
}

size_t packed_group_bytes(TensorType type, uint32_t cols) {
    switch (type) {
    case TensorType::kQ4_0:
        return blocks_in(cols) * sizeof(PackedQ4_0x4);
    case TensorType::kQ8_0:
        return blocks_in(cols) * sizeof(PackedQ8_0x4);
    case TensorType::kQ4_K:
        return cols / kBlockK * sizeof(PackedQ4_Kx4);
    case TensorType::kQ5_0:
        return blocks_in(cols) * sizeof(PackedQ5_0x4);
    case TensorType::kQ5_K:
        return cols / kBlockK * sizeof(PackedQ5_Kx4);
    case TensorType::kQ6_K:
        return cols / kBlockK * sizeof(PackedQ6_Kx4);
    default:
        return 0;
    }
}

size_t packed_bytes(TensorType type, uint32_t rows, uint32_t cols) {
    const size_t groups = (size_t{rows} + kPackRows - 1) / kPackRows;
    return groups * packed_group_bytes(type, cols);
}

void pack_groups(TensorType type, const uint8_t* rows_data, size_t row_bytes, uint32_t rows,
                 uint32_t cols, uint32_t group_begin, uint32_t group_end, uint8_t* out) {
    const size_t nb = blocks_in(cols);
    if (type == TensorType::kQ4_0)
        pack_blocks<BlockQ4_0, PackedQ4_0x4>(rows_data, row_bytes, rows, nb, group_begin, group_end,
                                             0x88, out);
    else if (type == TensorType::kQ8_0)
        pack_blocks<BlockQ8_0, PackedQ8_0x4>(rows_data, row_bytes, rows, nb, group_begin, group_end,
                                             0, out);
    else if (type == TensorType::kQ4_K)
        pack_q4_k(rows_data, row_bytes, rows, cols / kBlockK, group_begin, group_end, out);
    else if (type == TensorType::kQ5_0)
        pack_q5_0(rows_data, row_bytes, rows, nb, group_begin, group_end, out);
    else if (type == TensorType::kQ5_K)
        pack_q5_k(rows_data, row_bytes, rows, cols / kBlockK, group_begin, group_end, out);
    else if (type == TensorType::kQ6_K)
        pack_q6_k(rows_data, row_bytes, rows, cols / kBlockK, group_begin, group_end, out);
}

void unpack_block(TensorType type, const uint8_t* group, uint32_t sub_row, size_t block,
                  uint8_t* out) {
    if (type == TensorType::kQ4_0) {
        const auto& p = reinterpret_cast<const PackedQ4_0x4*>(group)[block];
        BlockQ4_0 b;
        b.d = p.d[sub_row];
        std::memcpy(b.qs, p.qs[sub_row], sizeof b.qs);
        std::memcpy(out, &b, sizeof b);
    } else if (type == TensorType::kQ8_0) {
        const auto& p = reinterpret_cast<const PackedQ8_0x4*>(group)[block];
        BlockQ8_0 b;
        b.d = p.d[sub_row];
        std::memcpy(b.qs, p.qs[sub_row], sizeof b.qs);
        std::memcpy(out, &b, sizeof b);
    } else if (type == TensorType::kQ4_K) {
        const auto& p = reinterpret_cast<const PackedQ4_Kx4*>(group)[block];
        BlockQ4_K b;
        b.d = p.d[sub_row];
        b.dmin = p.dmin[sub_row];
        repack_scales_k4(p.scales[sub_row], p.mins[sub_row], b.scales);
        for (int c = 0; c < 4; ++c)
            std::memcpy(b.qs + 32 * c, p.qs[c][sub_row], 32);
        std::memcpy(out, &b, sizeof b);
    } else if (type == TensorType::kQ5_K) {
        const auto& p = reinterpret_cast<const PackedQ5_Kx4*>(group)[block];
        BlockQ5_K b;
        b.d = p.d[sub_row];
        b.dmin = p.dmin[sub_row];
        repack_scales_k4(p.scales[sub_row], p.mins[sub_row], b.scales);
        std::memset(b.qh, 0, sizeof b.qh);
        for (int c = 0; c < 4; ++c) {
            std::memcpy(b.qs + 32 * c, p.qs[c][sub_row], 32);
            for (int l = 0; l < 32; ++l) {
                const uint32_t bit = 32 * (sub_row % 2) + l;
                const int lo = (p.qh[c][8 * (sub_row / 2) + bit / 8] >> (bit % 8)) & 1;
                const int hi = (p.qh[c][8 * (2 + sub_row / 2) + bit / 8] >> (bit % 8)) & 1;
                b.qh[l] = static_cast<uint8_t>(b.qh[l] | lo << (2 * c) | hi << (2 * c + 1));
            }
        }
        std::memcpy(out, &b, sizeof b);
    } else if (type == TensorType::kQ5_0) {
        const auto& p = reinterpret_cast<const PackedQ5_0x4*>(group)[block];
        BlockQ5_0 b;
        b.d = p.d[sub_row];
        b.qh[0] = p.qh_lo[2 * sub_row];
        b.qh[1] = p.qh_lo[2 * sub_row + 1];
        b.qh[2] = p.qh_hi[2 * sub_row];
        b.qh[3] = p.qh_hi[2 * sub_row + 1];
        std::memcpy(b.qs, p.qs[sub_row], sizeof b.qs);
        std::memcpy(out, &b, sizeof b);
    } else if (type == TensorType::kQ6_K) {
        const auto& p = reinterpret_cast<const PackedQ6_Kx4*>(group)[block];
        BlockQ6_K b;
        std::memcpy(b.ql, p.ql[sub_row], sizeof b.ql);
        std::memcpy(b.qh, p.qh[sub_row], sizeof b.qh);
        std::memcpy(b.scales, p.scales[sub_row], sizeof b.scales);
        b.d = p.d[sub_row];
        std::memcpy(out, &b, sizeof b);
    }
}

size_t packed_activation_bytes(TensorType type, size_t n) {
    if (k_activations(type)) return row_bytes(TensorType::kQ8_K, n);
    return scales_offset(n) + 2 * blocks_in(n) * sizeof(float);
}

void quantize_packed_activations(const KernelTable& table, TensorType type, const float* x,
                                 uint8_t* row, size_t n) {
    if (k_activations(type)) {
        table.quantize_q8_k(x, row, n);
        return;
    }
    table.quantize_q8_0(x, row, n);
    const size_t nb = blocks_in(n);
    const auto* blocks = reinterpret_cast<const BlockQ8_0*>(row);
    auto* d = reinterpret_cast<float*>(row + scales_offset(n));
    float* d_sum = d + nb;
    for (size_t b = 0; b < nb; ++b) {
        int sum = 0;
        for (int8_t q : blocks[b].qs)
            sum += q;
        d[b] = f16_to_f32(blocks[b].d);
        d_sum[b] = d[b] * static_cast<float>(sum);
    }
}

PackedActivations packed_activations_view(TensorType type, const uint8_t* rows, size_t n) {
    if (k_activations(type)) return {rows, nullptr, nullptr, packed_activation_bytes(type, n)};
    const auto* d = reinterpret_cast<const float*>(rows + scales_offset(n));
    return {rows, d, d + blocks_in(n), packed_activation_bytes(type, n)};
}

} // namespace edgeai::engine::kernels
