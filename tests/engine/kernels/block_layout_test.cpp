// The block layouts of the newer weight types, pinned by hand-built blocks:
// which bit of which byte holds which value, as ggml's ggml-common.h lays them
// out. A file written by llama.cpp is read through these, so a layout slip
// would turn a model into noise while every round-trip test still passed.
#include "engine/kernels/blocks.h"
#include "engine/kernels/dequantize.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"
#include "engine/tensor/half.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace edgeai::engine::kernels {
namespace {

constexpr uint16_t kHalfOne = 0x3C00;

std::vector<float> dequantized(TensorType type, const void* block, size_t n) {
    std::vector<float> out(n);
    EXPECT_TRUE(dequantize_row(type, block, out.data(), n));
    return out;
}

// Values already on the grid come back as the levels the layout says: the
// quantizer and the dequantizer agree with each other and with the layout.
TEST(BlockLayout, Q5_0ValueJIsNibbleJAndBitJOfQh) {
    float x[32];
    for (int i = 0; i < 32; ++i)
        x[i] = static_cast<float>(i - 16); // the first largest magnitude, -16, sets d = 1
    BlockQ5_0 b;
    quantize_row_q5_0(x, &b, 32);
    EXPECT_EQ(b.d, kHalfOne);
    for (int j = 0; j < 16; ++j)
        EXPECT_EQ(b.qs[j], j | (j << 4)) << j;  // values j and j + 16 share byte j
    EXPECT_EQ(q5_high_bits(b.qh), 0xFFFF0000u); // values 16..31 have bit 4 set
    const auto back = dequantized(TensorType::kQ5_0, &b, 32);
    for (int i = 0; i < 32; ++i)
        EXPECT_EQ(back[i], x[i]);
}

TEST(BlockLayout, Q4_1StoresScaleAndMin) {
    float x[32];
    for (int i = 0; i < 32; ++i)
        x[i] = 0.5f * static_cast<float>(i % 16) - 2.0f;
    BlockQ4_1 b;
    quantize_row_q4_1(x, &b, 32);
    EXPECT_EQ(f16_to_f32(b.d), 0.5f);
    EXPECT_EQ(f16_to_f32(b.m), -2.0f);
    for (int j = 0; j < 16; ++j)
        EXPECT_EQ(b.qs[j], j | (j << 4)) << j;
    const auto back = dequantized(TensorType::kQ4_1, &b, 32);
    for (int i = 0; i < 32; ++i)
        EXPECT_EQ(back[i], x[i]);
}

TEST(BlockLayout, Q5_1StoresScaleMinAndHighBits) {
    float x[32];
    for (int i = 0; i < 32; ++i)
        x[i] = static_cast<float>(31 - i) + 3.0f; // levels 31..0 over min 3
    BlockQ5_1 b;
    quantize_row_q5_1(x, &b, 32);
    EXPECT_EQ(b.d, kHalfOne);
    EXPECT_EQ(f16_to_f32(b.m), 3.0f);
    EXPECT_EQ(q5_high_bits(b.qh), 0x0000FFFFu); // levels 31..16 are values 0..15
    EXPECT_EQ(b.qs[0], 0xF | (0xF << 4));       // value 0 is 31, value 16 is 15
    const auto back = dequantized(TensorType::kQ5_1, &b, 32);
    for (int i = 0; i < 32; ++i)
        EXPECT_EQ(back[i], x[i]);
}

TEST(BlockLayout, IQ4_NLIndexesTheNonLinearLevels) {
    float x[32];
    for (int i = 0; i < 32; ++i)
        x[i] = static_cast<float>(kIq4nlValues[(i * 7) % 16]);
    BlockIQ4_NL b;
    quantize_row_iq4_nl(x, &b, 32);
    EXPECT_EQ(b.d, kHalfOne); // the levels themselves fit with scale 1 exactly
    for (int j = 0; j < 16; ++j)
        EXPECT_EQ(b.qs[j], ((j * 7) % 16) | (((j + 16) * 7) % 16) << 4) << j;
    const auto back = dequantized(TensorType::kIQ4_NL, &b, 32);
    for (int i = 0; i < 32; ++i)
        EXPECT_EQ(back[i], x[i]);
}

TEST(BlockLayout, IQ4_NLZeroBlockUsesTheLevelNearestZero) {
    // llama.cpp writes index 8 (level 1) under a zero scale; same bytes here.
    const float x[32] = {};
    BlockIQ4_NL b;
    quantize_row_iq4_nl(x, &b, 32);
    EXPECT_EQ(b.d, 0);
    for (uint8_t q : b.qs)
        EXPECT_EQ(q, 0x88);
}

TEST(BlockLayout, Q2_KScalesMinsAndTwoBitFields) {
    BlockQ2_K b;
    std::memset(&b, 0, sizeof b);
    b.d = kHalfOne;
    b.dmin = f32_to_f16(0.5f);
    b.scales[1] = 0x13; // sub-block 1: scale 3, min 1
    b.scales[3] = 0x25; // sub-block 3: scale 5, min 2
    // Value 53 (sub-block 3) is value 21 of the second 32 of the first half:
    // byte 21, bits 2-3. Value 21 (sub-block 1) is bits 0-1 of the same byte.
    b.qs[21] = 0b00001110;
    const auto y = dequantized(TensorType::kQ2_K, &b, 256);
    EXPECT_EQ(y[53], 1.0f * 5 * 3 - 0.5f * 2);
    EXPECT_EQ(y[21], 1.0f * 3 * 2 - 0.5f * 1);
    EXPECT_EQ(y[20], -0.5f * 1); // level 0 of sub-block 1: only the min
    EXPECT_EQ(y[0], 0.0f);
}

TEST(BlockLayout, Q3_KSixBitScalesAndHighBitMask) {
    BlockQ3_K b;
    std::memset(&b, 0, sizeof b);
    b.d = f32_to_f16(0.5f);
    // Sub-block 9's scale 37 (37 - 32 = 5): low 4 bits in the high nibble of
    // scales[1], top 2 bits at bits 4-5 of scales[8 + 9 % 4].
    b.scales[1] = 0x50;
    b.scales[9] = 2 << 4;
    // Value 147 (sub-block 9): second half, first 32, position 19 -> qs[51]
    // bits 0-1; its high bit is bit 147 / 32 = 4 of hmask[147 % 32 = 19].
    b.qs[51] = 2;
    b.hmask[19] = 1 << 4;
    b.qs[52] = 1; // value 148: high bit clear, so 1 - 4
    const auto y = dequantized(TensorType::kQ3_K, &b, 256);
    EXPECT_EQ(y[147], 0.5f * 5 * 2);
    EXPECT_EQ(y[148], 0.5f * 5 * -3);
    EXPECT_EQ(q3_k_scale(b.scales, 0), -32);
}

TEST(BlockLayout, IQ4_XSSixBitScalesOverNonLinearLevels) {
    BlockIQ4_XS b;
    std::memset(&b, 0, sizeof b);
    b.d = f32_to_f16(0.25f);
    // Sub-block 5's scale 35 (35 - 32 = 3): low 4 bits in the high nibble of
    // scales_l[2], top 2 bits at bits 10-11 of scales_h.
    b.scales_l[2] = 0x30;
    b.scales_h = 2 << 10;
    b.qs[16 * 5 + 4] = 0xF0; // value 4 of the sub-block level 0, value 20 level 15
    const auto y = dequantized(TensorType::kIQ4_XS, &b, 256);
    EXPECT_EQ(y[5 * 32 + 4], 0.25f * 3 * -127);
    EXPECT_EQ(y[5 * 32 + 20], 0.25f * 3 * 113);
    EXPECT_EQ(iq4_xs_scale(b, 0), -32);
}

// Q8_1 keeps d * sum(qs) next to the values, in half precision.
TEST(BlockLayout, Q8_1CarriesTheScaledSum) {
    float x[32];
    for (int i = 0; i < 32; ++i)
        x[i] = static_cast<float>(i % 3) - 0.5f;
    BlockQ8_1 b;
    quantize_row_q8_1(x, &b, 32);
    int sum = 0;
    for (int8_t q : b.qs)
        sum += q;
    EXPECT_EQ(b.s, f32_to_f16(static_cast<float>(sum) * f16_to_f32(b.d)));
    EXPECT_EQ(activation_type(TensorType::kQ4_1), TensorType::kQ8_1);
    EXPECT_EQ(activation_type(TensorType::kQ5_1), TensorType::kQ8_1);
    EXPECT_EQ(activation_type(TensorType::kQ5_0), TensorType::kQ8_0);
    EXPECT_EQ(activation_type(TensorType::kIQ4_NL), TensorType::kQ8_0);
    EXPECT_EQ(activation_type(TensorType::kIQ4_XS), TensorType::kQ8_K);
}

} // namespace
} // namespace edgeai::engine::kernels
