// Scalar dequantization of one row of any weight type we run: used for
// embedding lookups (one row per token), by tests as the ground truth of what a
// block means, and by `model quantize` to requantize.
#pragma once

#include "engine/tensor/tensor_type.h"

#include <cstddef>

namespace edgeai::engine::kernels {

// n values (a multiple of the type's block size) from `x` into `y`. False when
// the type is not one the engine runs.
bool dequantize_row(TensorType type, const void* x, float* y, size_t n);

} // namespace edgeai::engine::kernels
