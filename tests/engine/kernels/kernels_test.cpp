// The kernels: what a block means (quantize then dequantize stays close to the
// input), that every dot product equals the sum over the dequantized values,
// and that every SIMD table this CPU can run agrees with the scalar reference.
#include "engine/kernels/blocks.h"
#include "engine/kernels/dequantize.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"
#include "engine/tensor/half.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

namespace edgeai::engine::kernels {
namespace {

std::vector<float> random_values(size_t n, uint32_t seed, float scale = 1.0f) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> dist(0.0f, scale);
    std::vector<float> v(n);
    for (float& x : v)
        x = dist(rng);
    return v;
}

std::vector<uint8_t> quantized(TensorType type, const std::vector<float>& x) {
    std::vector<uint8_t> out(row_bytes(type, x.size()));
    EXPECT_TRUE(quantize_row(type, x.data(), out.data(), x.size()));
    return out;
}

std::vector<float> dequantized(TensorType type, const std::vector<uint8_t>& q, size_t n) {
    std::vector<float> out(n);
    EXPECT_TRUE(dequantize_row(type, q.data(), out.data(), n));
    return out;
}

double relative_rms_error(const std::vector<float>& a, const std::vector<float>& b) {
    double err = 0, ref = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        err += (a[i] - b[i]) * double(a[i] - b[i]);
        ref += double(a[i]) * a[i];
    }
    return std::sqrt(err / ref);
}

TEST(Half, EveryF16ValueRoundTripsThroughF32) {
    for (uint32_t h = 0; h < 0x10000; ++h) {
        const auto bits = static_cast<uint16_t>(h);
        const float f = f16_to_f32(bits);
        if (std::isnan(f)) {
            EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f))));
            continue;
        }
        ASSERT_EQ(f32_to_f16(f), bits) << "half bits " << h;
    }
}

TEST(Half, RoundsToNearestEven) {
    EXPECT_EQ(f16_to_f32(0x3c00), 1.0f);
    EXPECT_EQ(f16_to_f32(0x0001), std::ldexp(1.0f, -24)); // smallest subnormal
    EXPECT_EQ(f32_to_f16(65504.0f), 0x7bff);
    EXPECT_EQ(f32_to_f16(65520.0f), 0x7c00); // halfway past the max rounds to inf
    // 1 + 2^-11 lies halfway between 1 and the next half: ties go to even (1).
    EXPECT_EQ(f32_to_f16(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
    EXPECT_EQ(f32_to_f16(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
    EXPECT_EQ(f32_to_f16(std::ldexp(1.0f, -25)), 0x0000); // halfway to the min subnormal
    EXPECT_EQ(f32_to_f16(std::ldexp(1.5f, -25)), 0x0001);
    EXPECT_EQ(f32_to_bf16(1.0f), 0x3f80);
    EXPECT_EQ(bf16_to_f32(0x3f80), 1.0f);
    EXPECT_EQ(f32_to_bf16(1.0f + std::ldexp(1.0f, -8)), 0x3f80); // tie to even
    EXPECT_EQ(f32_to_bf16(1.0f + 3 * std::ldexp(1.0f, -8)), 0x3f82);
}

struct TypeCase {
    TensorType type;
    double max_error; // relative RMS error of a quantize/dequantize round trip
};

class Quantization : public ::testing::TestWithParam<TypeCase> {};

TEST_P(Quantization, RoundTripStaysClose) {
    const TypeCase c = GetParam();
    const auto x = random_values(4096, 11);
    const double err = relative_rms_error(x, dequantized(c.type, quantized(c.type, x), x.size()));
    EXPECT_LT(err, c.max_error);
}

TEST_P(Quantization, ZerosStayZero) {
    const TypeCase c = GetParam();
    const std::vector<float> x(512, 0.0f);
    for (float v : dequantized(c.type, quantized(c.type, x), x.size()))
        EXPECT_EQ(v, 0.0f);
}

INSTANTIATE_TEST_SUITE_P(
    Types, Quantization,
    ::testing::Values(TypeCase{TensorType::kF16, 1e-3}, TypeCase{TensorType::kBF16, 5e-3},
                      TypeCase{TensorType::kQ8_0, 0.01}, TypeCase{TensorType::kQ8_K, 0.01},
                      TypeCase{TensorType::kQ6_K, 0.03}, TypeCase{TensorType::kQ5_K, 0.05},
                      TypeCase{TensorType::kQ4_K, 0.10}, TypeCase{TensorType::kQ4_0, 0.12},
                      TypeCase{TensorType::kQ8_1, 0.01}, TypeCase{TensorType::kQ5_1, 0.045},
                      TypeCase{TensorType::kQ5_0, 0.05}, TypeCase{TensorType::kQ4_1, 0.09},
                      TypeCase{TensorType::kIQ4_NL, 0.085}, TypeCase{TensorType::kIQ4_XS, 0.085},
                      TypeCase{TensorType::kQ3_K, 0.17}, TypeCase{TensorType::kQ2_K, 0.33}),
    [](const auto& param_info) {
        return std::string(find_tensor_type(static_cast<uint32_t>(param_info.param.type))->name);
    });

TEST(Quantization, Q8KKeepsTheLargestMagnitudeExactly) {
    std::vector<float> x(256, 0.5f);
    x[7] = -3.0f;
    std::vector<uint8_t> q = quantized(TensorType::kQ8_K, x);
    const auto back = dequantized(TensorType::kQ8_K, q, x.size());
    EXPECT_FLOAT_EQ(back[7], -3.0f);
}

// A row drawn from integers only (<random>'s distributions differ between
// standard libraries), with an outlier every 37 values.
std::vector<float> portable_row(size_t n) {
    std::vector<float> x(n);
    uint32_t state = 12345;
    for (size_t i = 0; i < n; ++i) {
        state = state * 1664525u + 1013904223u;
        const auto v = static_cast<float>(static_cast<int>((state >> 8) % 2001) - 1000) / 1000.0f;
        x[i] = i % 37 == 5 ? 8.0f * v : v;
    }
    return x;
}

uint64_t fnv1a(const std::vector<uint8_t>& bytes) {
    uint64_t h = 14695981039346656037ull;
    for (uint8_t b : bytes)
        h = (h ^ b) * 1099511628211ull;
    return h;
}

// Every weight quantizer writes the same bytes on every target: hashes
// recorded on x86-64, where llamacpp_quantize_test checks the bytes against
// llama.cpp's. A fused multiply-add the compiler chose on one target (the
// quantizers are built with -ffp-contract=off) would change a level here.
TEST(Quantization, WeightBytesAreTheSameOnEveryTarget) {
    const auto x = portable_row(1024);
    const std::pair<TensorType, uint64_t> want[] = {
        {TensorType::kQ8_0, 16802728180225611623ull}, {TensorType::kQ5_1, 11718731365847001759ull},
        {TensorType::kQ5_0, 16191413675446116472ull}, {TensorType::kQ4_1, 3520160407973915378ull},
        {TensorType::kQ4_0, 4076902350695550914ull},  {TensorType::kIQ4_NL, 3409864124774462682ull},
        {TensorType::kQ6_K, 6647680000546114144ull},  {TensorType::kQ5_K, 17928805379648222032ull},
        {TensorType::kQ4_K, 11236364827499276958ull}, {TensorType::kIQ4_XS, 5532114932672248283ull},
        {TensorType::kQ3_K, 11494982571316613911ull}, {TensorType::kQ2_K, 4532722067914191400ull},
    };
    for (const auto& [type, hash] : want)
        EXPECT_EQ(fnv1a(quantized(type, x)), hash)
            << find_tensor_type(static_cast<uint32_t>(type))->name;
}

constexpr TensorType kWeightTypes[] = {TensorType::kF32,  TensorType::kF16,  TensorType::kBF16,
                                       TensorType::kQ8_0, TensorType::kQ4_0, TensorType::kQ4_K,
                                       TensorType::kQ5_K, TensorType::kQ6_K, TensorType::kQ4_1,
                                       TensorType::kQ5_0, TensorType::kQ5_1, TensorType::kIQ4_NL,
                                       TensorType::kQ2_K, TensorType::kQ3_K, TensorType::kIQ4_XS};

// Weights and activations as the forward pass sees them: weights in their
// type, activations converted to the partner type.
struct DotCase {
    std::vector<uint8_t> weights;
    std::vector<uint8_t> activations;
    double exact; // sum over the dequantized values, in double
};

DotCase make_dot_case(TensorType type, size_t n, uint32_t seed) {
    const auto w = random_values(n, seed);
    const auto a = random_values(n, seed + 1000, 2.0f);
    DotCase c;
    c.weights = quantized(type, w);
    const TensorType at = activation_type(type);
    c.activations = quantized(at, a);
    const auto wd = dequantized(type, c.weights, n);
    const auto ad = dequantized(at, c.activations, n);
    c.exact = 0;
    for (size_t i = 0; i < n; ++i)
        c.exact += double(wd[i]) * ad[i];
    if (at == TensorType::kQ8_1) {
        // The weights' m multiplies the activations' stored sum s, which is
        // d * sum(qs) rounded to half precision: the exact value uses it too.
        const auto* y = reinterpret_cast<const BlockQ8_1*>(c.activations.data());
        for (size_t b = 0; b < n / kBlock32; ++b) {
            const uint16_t m_bits = type == TensorType::kQ4_1
                                        ? reinterpret_cast<const BlockQ4_1*>(c.weights.data())[b].m
                                        : reinterpret_cast<const BlockQ5_1*>(c.weights.data())[b].m;
            double block_sum = 0;
            for (size_t i = 0; i < kBlock32; ++i)
                block_sum += ad[b * kBlock32 + i];
            c.exact += double(f16_to_f32(m_bits)) * (f16_to_f32(y[b].s) - block_sum);
        }
    }
    return c;
}

TEST(Dot, ScalarEqualsTheSumOverDequantizedValues) {
    for (TensorType type : kWeightTypes) {
        for (size_t n : {256u, 512u, 2048u}) {
            const DotCase c = make_dot_case(type, n, static_cast<uint32_t>(n));
            const float got =
                dot_for(scalar_kernels(), type)(n, c.weights.data(), c.activations.data());
            EXPECT_NEAR(got, c.exact, 1e-4 * std::sqrt(double(n)) * 4)
                << find_tensor_type(static_cast<uint32_t>(type))->name << " n=" << n;
        }
    }
}

TEST(Dot, EverySimdTableAgreesWithScalar) {
    ASSERT_GE(usable_kernels().size(), 1u);
    EXPECT_EQ(usable_kernels()[0], &scalar_kernels());
    for (const KernelTable* table : usable_kernels()) {
        for (TensorType type : kWeightTypes) {
            for (size_t n : {256u, 768u, 4096u}) {
                const DotCase c = make_dot_case(type, n, static_cast<uint32_t>(n) + 5);
                const float want =
                    dot_for(scalar_kernels(), type)(n, c.weights.data(), c.activations.data());
                const float got = dot_for(*table, type)(n, c.weights.data(), c.activations.data());
                EXPECT_NEAR(got, want, 1e-5 * std::sqrt(double(n)) * 8 + 1e-5 * std::fabs(want))
                    << table->name << " " << find_tensor_type(static_cast<uint32_t>(type))->name
                    << " n=" << n;
            }
        }
        // Float types also take row lengths that are not a multiple of the vector width.
        for (TensorType type : {TensorType::kF32, TensorType::kF16, TensorType::kBF16}) {
            for (size_t n : {1u, 7u, 33u, 100u}) {
                const DotCase c = make_dot_case(type, n, 9);
                const float want =
                    dot_for(scalar_kernels(), type)(n, c.weights.data(), c.activations.data());
                EXPECT_NEAR(dot_for(*table, type)(n, c.weights.data(), c.activations.data()), want,
                            1e-4)
                    << table->name << " n=" << n;
            }
        }
    }
}

// Lengths the loops above do not reach: an odd number of 32-value blocks (the
// SIMD loops take 2 or 4 at a time and finish one by one) and an odd number of
// super-blocks, at qwen2.5-0.5b's row sizes.
TEST(Dot, EverySimdTableHandlesOddBlockCounts) {
    for (const KernelTable* table : usable_kernels()) {
        for (TensorType type : kWeightTypes) {
            const bool k_quant = activation_type(type) == TensorType::kQ8_K;
            for (size_t n : {32u, 96u, 224u, 864u, 896u, 4864u}) {
                if (k_quant && n % 256 != 0) continue;
                const DotCase c = make_dot_case(type, n, static_cast<uint32_t>(n) + 11);
                const float want =
                    dot_for(scalar_kernels(), type)(n, c.weights.data(), c.activations.data());
                const float got = dot_for(*table, type)(n, c.weights.data(), c.activations.data());
                EXPECT_NEAR(got, want, 1e-5 * std::sqrt(double(n)) * 8 + 1e-5 * std::fabs(want))
                    << table->name << " " << find_tensor_type(static_cast<uint32_t>(type))->name
                    << " n=" << n;
            }
        }
    }
}

// The tables this build must have: a SIMD file that silently compiled to its
// null stub (a lost -msimd128 or -march) would leave only scalar to test.
TEST(Dot, TheBuildsSimdTableIsUsable) {
#if defined(__aarch64__)
    ASSERT_NE(neon_kernels(), nullptr);
    EXPECT_EQ(&best_kernels(), neon_kernels());
#endif
#if defined(__wasm_simd128__)
    ASSERT_NE(simd128_kernels(), nullptr);
    EXPECT_EQ(&best_kernels(), simd128_kernels());
#endif
    // Names tell the tables apart in failure messages.
    for (size_t i = 0; i < usable_kernels().size(); ++i)
        for (size_t j = 0; j < i; ++j)
            EXPECT_NE(usable_kernels()[i]->name, usable_kernels()[j]->name);
    EXPECT_EQ(&best_kernels(), usable_kernels().back());
}

TEST(Dot, SimdQuantizersProduceTheScalarBlocks) {
    const auto x = random_values(1024, 77, 3.0f);
    for (const KernelTable* table : usable_kernels()) {
        std::vector<uint8_t> want(row_bytes(TensorType::kQ8_0, x.size())), got(want.size());
        quantize_row_q8_0(x.data(), want.data(), x.size());
        table->quantize_q8_0(x.data(), got.data(), x.size());
        EXPECT_EQ(want, got) << table->name;
        want.assign(row_bytes(TensorType::kQ8_K, x.size()), 0);
        got.assign(want.size(), 0);
        quantize_row_q8_k(x.data(), want.data(), x.size());
        table->quantize_q8_k(x.data(), got.data(), x.size());
        EXPECT_EQ(want, got) << table->name;
        want.assign(row_bytes(TensorType::kQ8_1, x.size()), 0);
        got.assign(want.size(), 0);
        quantize_row_q8_1(x.data(), want.data(), x.size());
        table->quantize_q8_1(x.data(), got.data(), x.size());
        EXPECT_EQ(want, got) << table->name;
    }
}

// Inputs where a quantizer could go its own way: values exactly halfway between
// two levels (ties go to even), a largest magnitude shared by a negative and a
// positive value (Q8_K keeps the first, with its sign), zero blocks, and
// values far smaller and larger than the usual activations.
TEST(Dot, SimdQuantizersAgreeOnTiesAndEdges) {
    std::vector<std::vector<float>> cases;
    std::vector<float> x(512);
    for (size_t i = 0; i < x.size(); ++i) // multiples of d/2 with amax 127 * 0.5
        x[i] = 0.5f * (static_cast<float>(i % 255) - 127.0f) * (i % 3 == 0 ? 0.5f : 1.0f);
    cases.push_back(x);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = (i % 2 == 0 ? -3.0f : 3.0f) * (i % 5 == 4 ? 1.0f : 0.25f);
    cases.push_back(x);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = (i % 7 == 3 ? 2.0f : (i % 7 == 5 ? -2.0f : 0.0f));
    cases.push_back(x);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = i < 300 ? 0.0f : 1e-30f * static_cast<float>(i);
    cases.push_back(x);
    for (size_t i = 0; i < x.size(); ++i)
        x[i] = 1e30f / static_cast<float>(1 + i % 37) * (i % 2 ? 1.0f : -1.0f);
    cases.push_back(x);
    for (const KernelTable* table : usable_kernels()) {
        for (size_t c = 0; c < cases.size(); ++c) {
            for (TensorType type : {TensorType::kQ8_0, TensorType::kQ8_1, TensorType::kQ8_K}) {
                std::vector<uint8_t> want(row_bytes(type, x.size())), got(want.size());
                convert_activations(scalar_kernels(), type, cases[c].data(), want.data(), x.size());
                convert_activations(*table, type, cases[c].data(), got.data(), x.size());
                EXPECT_EQ(want, got) << table->name << " case " << c << " "
                                     << find_tensor_type(static_cast<uint32_t>(type))->name;
            }
        }
    }
}

TEST(Axpy, EveryTableAddsScaledRows) {
    for (const KernelTable* table : usable_kernels()) {
        for (size_t n : {1u, 8u, 64u, 67u}) {
            const auto x = random_values(n, 3);
            std::vector<uint16_t> xh(n);
            quantize_row_f16(x.data(), xh.data(), n);
            std::vector<float> y(n, 1.0f), yh(n, 1.0f);
            table->axpy_f32(n, 0.5f, x.data(), y.data());
            table->axpy_f16(n, 0.5f, xh.data(), yh.data());
            for (size_t i = 0; i < n; ++i) {
                EXPECT_NEAR(y[i], 1.0f + 0.5f * x[i], 1e-6) << table->name;
                EXPECT_NEAR(yh[i], 1.0f + 0.5f * f16_to_f32(xh[i]), 1e-6) << table->name;
            }
        }
    }
}

// A q8_0 cache's values: y += a * (d * q) block by block, every table within
// float rounding of the scalar reference (fused multiply-adds round once).
TEST(Axpy, EveryTableAddsScaledQ8_0Rows) {
    for (size_t n : {32u, 64u, 96u, 256u}) {
        const auto x = random_values(n, 5);
        std::vector<uint8_t> xq(row_bytes(TensorType::kQ8_0, n));
        quantize_row_q8_0(x.data(), xq.data(), n);
        std::vector<float> dq(n);
        ASSERT_TRUE(dequantize_row(TensorType::kQ8_0, xq.data(), dq.data(), n));
        for (const KernelTable* table : usable_kernels()) {
            ASSERT_NE(table->axpy_q8_0, nullptr) << table->name;
            std::vector<float> y(n, 1.0f);
            table->axpy_q8_0(n, -0.75f, xq.data(), y.data());
            for (size_t i = 0; i < n; ++i)
                EXPECT_NEAR(y[i], 1.0f - 0.75f * dq[i], 1e-6f) << table->name << " n " << n;
        }
    }
}

} // namespace
} // namespace edgeai::engine::kernels
