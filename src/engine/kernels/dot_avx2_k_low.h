// The AVX2 dot products of Q2_K, Q3_K and IQ4_XS with Q8_K activations. They
// use AVX2 instructions only (VPMADDUBSW + VPMADDWD), so the AVX-512 tables,
// whose CPUs all have AVX2, use them as they are.
#pragma once

#include <cstddef>

namespace edgeai::engine::kernels::avx2 {

float dot_q2_k(size_t n, const void* weights, const void* activations);
float dot_q3_k(size_t n, const void* weights, const void* activations);
float dot_iq4_xs(size_t n, const void* weights, const void* activations);

} // namespace edgeai::engine::kernels::avx2
