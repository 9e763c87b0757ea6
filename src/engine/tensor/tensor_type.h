// Tensor element types as GGUF files number them (ggml's numbering), with the
// block layout each one has: how many values a block holds and how many bytes it
// takes. The reader uses this to check that every tensor's byte size is what its
// shape and type say before anything touches the data.
#pragma once

#include <cstdint>
#include <string_view>

namespace edgeai::engine {

enum class TensorType : uint32_t {
    kF32 = 0,
    kF16 = 1,
    kQ4_0 = 2,
    kQ4_1 = 3,
    kQ5_0 = 6,
    kQ5_1 = 7,
    kQ8_0 = 8,
    kQ8_1 = 9,
    kQ2_K = 10,
    kQ3_K = 11,
    kQ4_K = 12,
    kQ5_K = 13,
    kQ6_K = 14,
    kQ8_K = 15,
    kIQ4_NL = 20,
    kIQ4_XS = 23,
    kBF16 = 30,
};

struct TensorTypeInfo {
    TensorType type;
    std::string_view name; // "q4_K", as llama.cpp prints it
    uint32_t block_values; // values per block (1 for plain floats)
    uint32_t block_bytes;  // bytes per block
};

// The layout of a raw type number from a file, or null when it is not one we know.
const TensorTypeInfo* find_tensor_type(uint32_t raw);

} // namespace edgeai::engine
