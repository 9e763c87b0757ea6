// Exactness against llama.cpp itself: the libggml-base that node-llama-cpp
// ships in bench/llamacpp is opened with dlopen, and its ggml_quantize_chunk
// (what llama_model_quantize calls for every tensor, here without an
// importance matrix) must write the same bytes as `model quantize` for every
// quantized weight type, and its dequantizers (type traits' to_float) must read
// them to the same floats as ours. Skipped
// with a message when the library is absent (`npm install --omit=optional
// --ignore-scripts` in bench/llamacpp installs it; scripts/setup.sh does).
#include "engine/kernels/dequantize.h"
#include "engine/kernels/kernel_table.h"
#include "engine/kernels/quantize.h"
#include "engine/tensor/tensor_type.h"

#include <gtest/gtest.h>

#include <dlfcn.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace edgeai::engine::kernels {
namespace {

constexpr const char* kLibrary =
    "/bench/llamacpp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so";

// The head of ggml's struct ggml_type_traits (ggml.h); checked at run time
// against what the library says about a known type before it is trusted.
struct GgmlTypeTraits {
    const char* type_name;
    int64_t blck_size;
    int64_t blck_size_interleave;
    size_t type_size;
    bool is_quantized;
    void (*to_float)(const void* x, float* y, int64_t k);
};

using QuantizeChunkFn = size_t (*)(int type, const float* src, void* dst, int64_t start,
                                   int64_t nrows, int64_t n_per_row, const float* imatrix);
using TypeTraitsFn = const GgmlTypeTraits* (*)(int type);

struct Ggml {
    void* handle = nullptr;
    QuantizeChunkFn quantize_chunk = nullptr;
    TypeTraitsFn type_traits = nullptr;
    std::string why_not; // empty when usable
};

const Ggml& ggml() {
    static const Ggml g = [] {
        Ggml out;
        const std::string path = std::string(EDGEAI_SOURCE_DIR) + kLibrary;
        out.handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (out.handle == nullptr) {
            out.why_not = "llama.cpp's libggml-base is absent (" + path +
                          "); run `npm install --omit=optional --ignore-scripts` in bench/llamacpp";
            return out;
        }
        out.quantize_chunk =
            reinterpret_cast<QuantizeChunkFn>(dlsym(out.handle, "ggml_quantize_chunk"));
        out.type_traits = reinterpret_cast<TypeTraitsFn>(dlsym(out.handle, "ggml_get_type_traits"));
        if (out.quantize_chunk == nullptr || out.type_traits == nullptr) {
            out.why_not = "libggml-base lacks ggml_quantize_chunk or ggml_get_type_traits";
            return out;
        }
        const GgmlTypeTraits* q5 = out.type_traits(static_cast<int>(TensorType::kQ5_0));
        if (q5 == nullptr || std::strcmp(q5->type_name, "q5_0") != 0 || q5->blck_size != 32 ||
            q5->type_size != 22 || q5->to_float == nullptr)
            out.why_not =
                "libggml-base's ggml_type_traits has another layout than this test expects";
        return out;
    }();
    return g;
}

// Rows that take every path of the quantizers: normal values, heavy tails
// (one block in eight has an outlier), a zero block, a block of tiny values,
// and a block where all values are equal.
std::vector<float> test_rows(size_t rows, size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::uniform_int_distribution<size_t> pick(0, 31);
    std::vector<float> x(rows * n);
    for (float& v : x)
        v = normal(rng) * 0.05f;
    for (size_t b = 0; b < x.size() / 32; ++b)
        if (b % 8 == 3) x[32 * b + pick(rng)] *= 40.0f;
    std::fill(x.begin() + 64, x.begin() + 96, 0.0f);
    for (size_t i = 128; i < 160; ++i)
        x[i] = 1e-9f * normal(rng);
    std::fill(x.begin() + 288, x.begin() + 320, 0.25f);
    return x;
}

class LlamaCpp : public ::testing::TestWithParam<TensorType> {};

TEST_P(LlamaCpp, QuantizesToTheSameBytesAndDequantizesToTheSameFloats) {
    const Ggml& g = ggml();
    if (!g.why_not.empty()) GTEST_SKIP() << g.why_not;
    const TensorType type = GetParam();
    const char* name = find_tensor_type(static_cast<uint32_t>(type))->name.data();
    constexpr size_t kRows = 6, kCols = 1024;
    const std::vector<float> x = test_rows(kRows, kCols, 5);
    const size_t row = row_bytes(type, kCols);
    std::vector<uint8_t> theirs(kRows * row), ours(kRows * row);
    ASSERT_EQ(
        g.quantize_chunk(static_cast<int>(type), x.data(), theirs.data(), 0, kRows, kCols, nullptr),
        theirs.size());
    for (size_t r = 0; r < kRows; ++r)
        ASSERT_TRUE(quantize_row(type, x.data() + r * kCols, ours.data() + r * row, kCols));

    const TensorTypeInfo* info = find_tensor_type(static_cast<uint32_t>(type));
    size_t differing = 0;
    for (size_t b = 0; b < theirs.size() / info->block_bytes; ++b)
        if (std::memcmp(&theirs[b * info->block_bytes], &ours[b * info->block_bytes],
                        info->block_bytes) != 0)
            ++differing;
    EXPECT_EQ(differing, 0u) << name << ": blocks that differ from llama.cpp's, of "
                             << theirs.size() / info->block_bytes;

    // Both dequantizers read llama.cpp's bytes to the same floats.
    const GgmlTypeTraits* traits = g.type_traits(static_cast<int>(type));
    ASSERT_NE(traits, nullptr);
    ASSERT_EQ(traits->type_size, info->block_bytes) << name;
    ASSERT_EQ(static_cast<uint64_t>(traits->blck_size), info->block_values) << name;
    std::vector<float> want(kRows * kCols), got(kRows * kCols);
    traits->to_float(theirs.data(), want.data(), static_cast<int64_t>(want.size()));
    ASSERT_TRUE(dequantize_row(type, theirs.data(), got.data(), got.size()));
    size_t mismatches = 0;
    for (size_t i = 0; i < want.size(); ++i)
        if (std::memcmp(&want[i], &got[i], sizeof(float)) != 0) ++mismatches;
    EXPECT_EQ(mismatches, 0u) << name << ": values read differently from llama.cpp";
}

INSTANTIATE_TEST_SUITE_P(
    Types, LlamaCpp,
    ::testing::Values(TensorType::kQ8_0, TensorType::kQ5_1, TensorType::kQ5_0, TensorType::kQ4_1,
                      TensorType::kQ4_0, TensorType::kIQ4_NL, TensorType::kQ6_K, TensorType::kQ5_K,
                      TensorType::kQ4_K, TensorType::kIQ4_XS, TensorType::kQ3_K, TensorType::kQ2_K),
    [](const auto& param_info) {
        return std::string(find_tensor_type(static_cast<uint32_t>(param_info.param))->name);
    });

} // namespace
} // namespace edgeai::engine::kernels
