#include "engine/tensor/tensor_type.h"

namespace edgeai::engine {

namespace {

// Sizes from ggml's block structs: a Q4_0 block is an f16 scale and 32 4-bit
// values (2 + 16 bytes); K-quants hold 256 values in super-blocks.
constexpr TensorTypeInfo kTypes[] = {
    {TensorType::kF32, "f32", 1, 4},         {TensorType::kF16, "f16", 1, 2},
    {TensorType::kQ4_0, "q4_0", 32, 18},     {TensorType::kQ4_1, "q4_1", 32, 20},
    {TensorType::kQ5_0, "q5_0", 32, 22},     {TensorType::kQ5_1, "q5_1", 32, 24},
    {TensorType::kQ8_0, "q8_0", 32, 34},     {TensorType::kQ8_1, "q8_1", 32, 36},
    {TensorType::kQ2_K, "q2_K", 256, 84},    {TensorType::kQ3_K, "q3_K", 256, 110},
    {TensorType::kQ4_K, "q4_K", 256, 144},   {TensorType::kQ5_K, "q5_K", 256, 176},
    {TensorType::kQ6_K, "q6_K", 256, 210},   {TensorType::kQ8_K, "q8_K", 256, 292},
    {TensorType::kIQ4_NL, "iq4_nl", 32, 18}, {TensorType::kIQ4_XS, "iq4_xs", 256, 136},
    {TensorType::kBF16, "bf16", 1, 2},
};

} // namespace

const TensorTypeInfo* find_tensor_type(uint32_t raw) {
    for (const TensorTypeInfo& t : kTypes) {
        if (static_cast<uint32_t>(t.type) == raw) return &t;
    }
    return nullptr;
}

} // namespace edgeai::engine
