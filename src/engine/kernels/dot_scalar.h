// The scalar reference dot products of the newer weight types, by name, so a
// SIMD table without its own kernel for a type can use the reference (as
// ggml's arch-fallback.h maps a missing kernel to its _generic twin). They are
// built with the baseline flags only, so any table may call them.
#pragma once

#include <cstddef>

namespace edgeai::engine::kernels::scalar {

float dot_q4_1(size_t n, const void* weights, const void* activations);   // Q8_1
float dot_q5_0(size_t n, const void* weights, const void* activations);   // Q8_0
float dot_q5_1(size_t n, const void* weights, const void* activations);   // Q8_1
float dot_iq4_nl(size_t n, const void* weights, const void* activations); // Q8_0
float dot_q2_k(size_t n, const void* weights, const void* activations);   // Q8_K
float dot_q3_k(size_t n, const void* weights, const void* activations);   // Q8_K
float dot_iq4_xs(size_t n, const void* weights, const void* activations); // Q8_K

} // namespace edgeai::engine::kernels::scalar
