// The kernels the forward pass calls, one table per instruction set. Weights
// stay in their file type; activations are converted once per matmul into the
// type the weight's dot product pairs with (activation_type), as llama.cpp
// does, so the inner loops are integer dot products for quantized weights.
// Every SIMD table is tested against the scalar one.
#pragma once

#include "engine/kernels/packed.h"
#include "engine/tensor/tensor_type.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace edgeai::engine::kernels {

// Dot product of n values: one weight row in its type with one activation row
// in activation_type(weight type).
using DotFn = float (*)(size_t n, const void* weights, const void* activations);
using QuantizeFn = void (*)(const float* x, void* y, size_t n);
using AxpyF32Fn = void (*)(size_t n, float a, const float* x, float* y);
using AxpyF16Fn = void (*)(size_t n, float a, const uint16_t* x, float* y);
// y += a * x for n values (a multiple of 32) of q8_0 blocks: a q8_0 KV
// cache's values, without a float copy of each row.
using AxpyQ8_0Fn = void (*)(size_t n, float a, const void* x, float* y);

struct KernelTable {
    std::string_view name;
    DotFn dot_f32;    // activations f32
    DotFn dot_f16;    // activations f32
    DotFn dot_bf16;   // activations f32
    DotFn dot_q8_0;   // activations Q8_0
    DotFn dot_q4_0;   // activations Q8_0
    DotFn dot_q4_k;   // activations Q8_K
    DotFn dot_q5_k;   // activations Q8_K
    DotFn dot_q6_k;   // activations Q8_K
    DotFn dot_q4_1;   // activations Q8_1
    DotFn dot_q5_0;   // activations Q8_0
    DotFn dot_q5_1;   // activations Q8_1
    DotFn dot_iq4_nl; // activations Q8_0
    DotFn dot_q2_k;   // activations Q8_K
    DotFn dot_q3_k;   // activations Q8_K
    DotFn dot_iq4_xs; // activations Q8_K
    QuantizeFn quantize_q8_0;
    QuantizeFn quantize_q8_1;
    QuantizeFn quantize_q8_k;
    AxpyF32Fn axpy_f32; // y += a * x, attention's weighted sum of values
    AxpyF16Fn axpy_f16;
    AxpyQ8_0Fn axpy_q8_0;
    // Matrix kernels over packed weights (packed.h); null where a table has
    // none, and the matrix is then multiplied row by row with the dot products.
    GemmFn gemm_q4_0;
    GemmFn gemm_q8_0;
    GemmFn gemm_q4_k;
    GemmFn gemm_q5_0;
    GemmFn gemm_q5_k;
    GemmFn gemm_q6_k;
};

// The type activations take for a dot product with weights of `weight_type`.
TensorType activation_type(TensorType weight_type);
// The dot product for a weight type, or null when the engine cannot run it.
DotFn dot_for(const KernelTable& table, TensorType weight_type);
// The matrix kernel for packed weights of `weight_type`, or null.
GemmFn gemm_for(const KernelTable& table, TensorType weight_type);
// Converts n activations into `type` (F32 copies) with the table's quantizers.
void convert_activations(const KernelTable& table, TensorType type, const float* x, void* y,
                         size_t n);
// Bytes a row of n values takes in `type`.
size_t row_bytes(TensorType type, size_t n);

const KernelTable& scalar_kernels();
// Every table this build has and this CPU can run, scalar first; for tests.
std::span<const KernelTable* const> usable_kernels();
// The fastest usable table (chosen once, at first call). EDGEAI_KERNELS does not
// exist on purpose: the core reads no environment; tests pick tables directly.
const KernelTable& best_kernels();

// Per instruction set; null when not compiled in or not supported by this CPU.
const KernelTable* avx2_kernels();
const KernelTable* avx512_kernels();      // AVX-512 F/BW/VL/DQ
const KernelTable* avx512_vnni_kernels(); // the same with AVX512_VNNI dot products
const KernelTable* neon_kernels();
const KernelTable* simd128_kernels();

} // namespace edgeai::engine::kernels
