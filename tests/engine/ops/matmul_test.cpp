// Matrix multiplication over packed weights (kernels/packed.h) against the
// row-by-row dot products of the scalar table: every table's matrix kernel,
// every token count a tile can hold, matrices whose rows are not a multiple of
// the packing's four, and more tokens than one tile.
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/packed.h"
#include "engine/kernels/quantize.h"
#include "engine/model/model.h"
#include "engine/ops/matmul.h"
#include "engine/runtime/worker_pool.h"
#include "engine/testing_pool.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

namespace edgeai::engine::ops {
namespace {

constexpr TensorType kPackedTypes[] = {TensorType::kQ4_0, TensorType::kQ8_0, TensorType::kQ4_K,
                                       TensorType::kQ5_0, TensorType::kQ5_K, TensorType::kQ6_K};

struct Case {
    std::vector<uint8_t> weights;
    std::vector<uint8_t> packed;
    std::vector<float> x;
    model::Matrix matrix;
};

Case make_case(TensorType type, uint32_t rows, uint32_t cols, uint32_t batch, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Case c;
    const size_t row_bytes = kernels::row_bytes(type, cols);
    c.weights.resize(rows * row_bytes);
    std::vector<float> row(cols);
    for (uint32_t r = 0; r < rows; ++r) {
        for (float& v : row)
            v = normal(rng) * (1.0f + static_cast<float>(r % 5));
        EXPECT_TRUE(
            kernels::quantize_row(type, row.data(), c.weights.data() + r * row_bytes, cols));
    }
    c.x.resize(size_t{batch} * cols);
    for (float& v : c.x)
        v = normal(rng);
    c.matrix.data = c.weights.data();
    c.matrix.type = type;
    c.matrix.rows = rows;
    c.matrix.cols = cols;
    c.matrix.row_bytes = row_bytes;
    c.packed.resize(kernels::packed_bytes(type, rows, cols));
    kernels::pack_groups(type, c.weights.data(), row_bytes, rows, cols, 0,
                         (rows + kernels::kPackRows - 1) / kernels::kPackRows, c.packed.data());
    return c;
}

std::vector<float> multiply(WorkerPool& pool, const kernels::KernelTable& table,
                            const model::Matrix& m, const std::vector<float>& x, uint32_t batch,
                            const float* bias = nullptr) {
    std::vector<uint8_t> scratch(matmul_scratch_bytes(m.cols, batch));
    std::vector<float> out(size_t{batch} * m.rows, NAN);
    matmul(pool, table, m, x.data(), batch, out.data(), scratch.data(), bias);
    return out;
}

void expect_packed_matches_dot(WorkerPool& pool, const kernels::KernelTable& table, TensorType type,
                               uint32_t rows, uint32_t cols, uint32_t batch) {
    Case c = make_case(type, rows, cols, batch, rows * cols + batch);
    const auto want = multiply(pool, kernels::scalar_kernels(), c.matrix, c.x, batch);
    model::Matrix packed = c.matrix;
    packed.packed = c.packed.data();
    packed.group_bytes = kernels::packed_group_bytes(type, cols);
    const auto got = multiply(pool, table, packed, c.x, batch);
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i)
        ASSERT_NEAR(got[i], want[i],
                    1e-4f * std::sqrt(float(cols)) * 4 + 1e-5f * std::fabs(want[i]))
            << table.name << " " << find_tensor_type(static_cast<uint32_t>(type))->name
            << " rows=" << rows << " cols=" << cols << " batch=" << batch << " at " << i;
}

TEST(PackedMatmul, EveryTableMatchesTheScalarDotProducts) {
    SerialPool serial;
    int kernels_tested = 0;
    for (const kernels::KernelTable* table : kernels::usable_kernels()) {
        for (TensorType type : kPackedTypes) {
            if (kernels::gemm_for(*table, type) == nullptr) continue;
            ++kernels_tested;
            // 896 = 28 blocks of 32 (qwen2.5's rows); K-quants need multiples of 256.
            const bool k_quant = kernels::activation_type(type) == TensorType::kQ8_K;
            const uint32_t odd_cols = k_quant ? 1536 : 896;
            for (uint32_t rows : {4u, 7u, 13u, 64u})
                for (uint32_t cols : {256u, 512u, odd_cols})
                    for (uint32_t batch : {1u, 2u, 3u, 4u, 5u, 11u})
                        expect_packed_matches_dot(serial, *table, type, rows, cols, batch);
        }
    }
    EXPECT_GE(kernels_tested, 6); // the scalar table has every one
}

TEST(PackedMatmul, ThreadsAndBiasGiveTheSameResult) {
    Case c = make_case(TensorType::kQ4_0, 37, 256, 6, 3);
    model::Matrix packed = c.matrix;
    packed.packed = c.packed.data();
    packed.group_bytes = kernels::packed_group_bytes(TensorType::kQ4_0, 256);
    std::vector<float> bias(37);
    for (size_t i = 0; i < bias.size(); ++i)
        bias[i] = static_cast<float>(i) * 0.5f;
    SerialPool serial;
    const auto& table = kernels::best_kernels();
    const auto plain = multiply(serial, table, packed, c.x, 6);
    const auto biased = multiply(serial, table, packed, c.x, 6, bias.data());
    for (size_t i = 0; i < plain.size(); ++i)
        EXPECT_FLOAT_EQ(biased[i], plain[i] + bias[i % 37]);
#if !defined(__wasi__)
    testing::ThreadedPool threaded(3);
    EXPECT_EQ(multiply(threaded, table, packed, c.x, 6), plain);
#endif
}

// A tied output's packed copy also serves the token embedding's lookups.
TEST(PackedMatmul, RowsReadFromThePackedCopyEqualTheFilesRows) {
    for (TensorType type : kPackedTypes) {
        Case c = make_case(type, 7, 512, 1, 21);
        model::Matrix packed = c.matrix;
        packed.packed = c.packed.data();
        packed.group_bytes = kernels::packed_group_bytes(type, 512);
        std::vector<float> want(512), got(512);
        for (uint32_t r = 0; r < 7; ++r) {
            model::read_row(c.matrix, r, want.data());
            model::read_row(packed, r, got.data());
            EXPECT_EQ(got, want) << int(type) << " row " << r;
        }
    }
}

TEST(PackedMatmul, PaddingRowsOfTheLastGroupAreZero) {
    Case c = make_case(TensorType::kQ4_0, 5, 64, 1, 8);
    const auto* groups = reinterpret_cast<const kernels::PackedQ4_0x4*>(c.packed.data());
    // Group 1 holds row 4 and three padding rows: zero scale, nibbles of 8 (value 0).
    for (size_t b = 0; b < 2; ++b)
        for (uint32_t r = 1; r < kernels::kPackRows; ++r) {
            EXPECT_EQ(groups[2 + b].d[r], 0);
            for (uint8_t q : groups[2 + b].qs[r])
                EXPECT_EQ(q, 0x88);
        }
    // Row 4's second block is the file's block, moved.
    const auto* row4 =
        reinterpret_cast<const kernels::BlockQ4_0*>(c.weights.data() + 4 * c.matrix.row_bytes);
    EXPECT_EQ(groups[3].d[0], row4[1].d);
    EXPECT_EQ(0, std::memcmp(groups[3].qs[0], row4[1].qs, 16));
}

TEST(PackedMatmul, PackedLayoutsKeepTheFileSize) {
    EXPECT_TRUE(kernels::packable(TensorType::kQ4_0));
    EXPECT_TRUE(kernels::packable(TensorType::kQ8_0));
    EXPECT_TRUE(kernels::packable(TensorType::kQ4_K));
    EXPECT_TRUE(kernels::packable(TensorType::kQ5_0));
    EXPECT_TRUE(kernels::packable(TensorType::kQ6_K));
    EXPECT_TRUE(kernels::packable(TensorType::kQ5_K));
    // Q5_K, as Q4_K, unpacks its scales and mins to a byte each: 720 for 704.
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ5_K, 4, 256), 720u);
    // Q5_0 and Q6_K keep the file's bytes, rearranged.
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ5_0, 8, 64),
              kernels::row_bytes(TensorType::kQ5_0, 64) * 8);
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ6_K, 8, 512),
              kernels::row_bytes(TensorType::kQ6_K, 512) * 8);
    // Q4_K's scales and mins take a byte each: 592 bytes per 4 x 256 values, not 576.
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ4_K, 8, 512), 2u * 2 * 592);
    for (TensorType t : {TensorType::kF32, TensorType::kF16, TensorType::kQ2_K})
        EXPECT_FALSE(kernels::packable(t));
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ4_0, 8, 64),
              kernels::row_bytes(TensorType::kQ4_0, 64) * 8);
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ8_0, 8, 64),
              kernels::row_bytes(TensorType::kQ8_0, 64) * 8);
    EXPECT_EQ(kernels::packed_bytes(TensorType::kQ4_0, 5, 64), 2u * 2 * 72); // padded to 8 rows
}

} // namespace
} // namespace edgeai::engine::ops
