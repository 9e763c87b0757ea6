// Scalar quantizers: the activation formats the dot products consume (Q8_0,
// Q8_1, Q8_K) and the weight formats `model quantize` and `model synth` write.
// Each takes n floats (a multiple of the type's block size) and writes n /
// block blocks. The activation quantizers are the reference SIMD versions must
// match; the weight quantizers write, byte for byte, what llama.cpp's
// quantizer writes without an importance matrix (llamacpp_quantize_test).
#pragma once

#include "engine/tensor/tensor_type.h"

#include <cstddef>

namespace edgeai::engine::kernels {

void quantize_row_q8_0(const float* x, void* y, size_t n);         // activations
void quantize_row_q8_1(const float* x, void* y, size_t n);         // activations
void quantize_row_q8_k(const float* x, void* y, size_t n);         // activations
void quantize_row_q8_0_weights(const float* x, void* y, size_t n); // files
void quantize_row_q4_0(const float* x, void* y, size_t n);
void quantize_row_q4_k(const float* x, void* y, size_t n);
void quantize_row_q5_k(const float* x, void* y, size_t n);
void quantize_row_q6_k(const float* x, void* y, size_t n);
void quantize_row_q4_1(const float* x, void* y, size_t n);
void quantize_row_q5_0(const float* x, void* y, size_t n);
void quantize_row_q5_1(const float* x, void* y, size_t n);
void quantize_row_iq4_nl(const float* x, void* y, size_t n);
void quantize_row_iq4_xs(const float* x, void* y, size_t n);
void quantize_row_q2_k(const float* x, void* y, size_t n);
void quantize_row_q3_k(const float* x, void* y, size_t n);
void quantize_row_f16(const float* x, void* y, size_t n);
void quantize_row_bf16(const float* x, void* y, size_t n);

// Writes x in `type` as a weight (F32 copies). False when the type has no
// quantizer.
bool quantize_row(TensorType type, const float* x, void* y, size_t n);

} // namespace edgeai::engine::kernels
