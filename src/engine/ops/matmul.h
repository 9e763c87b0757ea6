// out[b][r] = dot(weights row r, x[b]) (+ bias[r]) for a batch of activation
// rows: the activations are converted once into the weight type's partner
// type, then the weight rows are split between the pool's workers. Rows are
// walked in small blocks with the batch inside, so a block of weights is read
// from memory once per batch rather than once per token.
#pragma once

#include "engine/kernels/kernel_table.h"
#include "engine/model/model.h"
#include "engine/runtime/worker_pool.h"

#include <cstdint>

namespace edgeai::engine::ops {

// Bytes of scratch matmul needs for `batch` rows of `cols` activations.
size_t matmul_scratch_bytes(uint32_t cols, uint32_t batch);

void matmul(WorkerPool& pool, const kernels::KernelTable& kernels, const model::Matrix& w,
            const float* x, uint32_t batch, float* out, uint8_t* scratch,
            const float* bias = nullptr);

} // namespace edgeai::engine::ops
