// The element-wise pieces of a transformer layer, in f32. They are a small
// share of a forward pass next to the matmuls, so they stay portable code the
// compiler vectorises.
#pragma once

#include <cstddef>

namespace edgeai::engine::ops {

// out = x / rms(x) * weight
void rms_norm(const float* x, const float* weight, float* out, size_t n, float eps);
// In place: x = exp(x - max) / sum; returns nothing (the sum is always > 0).
void softmax(float* x, size_t n);
// gate = silu(gate) * up (SwiGLU)
void swiglu(float* gate, const float* up, size_t n);
// gate = gelu(gate) * up (GeGLU) with GELU's tanh approximation, computed as
// llama.cpp's CPU backend does: on the input rounded to f16, the result
// rounded to f16 (its 64K-entry table), 0 below -10 and identity above 10.
// Matching its roundings keeps greedy outputs identical to llama.cpp's.
void geglu_tanh(float* gate, const float* up, size_t n);
// y += x
void add(float* y, const float* x, size_t n);

} // namespace edgeai::engine::ops
