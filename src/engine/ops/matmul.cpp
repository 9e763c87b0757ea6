#include "engine/ops/matmul.h"

#include <algorithm>

namespace edgeai::engine::ops {

size_t matmul_scratch_bytes(uint32_t cols, uint32_t batch) {
    // f32 is the widest activation type; quantized ones are smaller.
    return size_t{cols} * batch * sizeof(float);
}

void matmul(WorkerPool& pool, const kernels::KernelTable& kernels, const model::Matrix& w,
            const float* x, uint32_t batch, float* out, uint8_t* scratch, const float* bias) {
    const TensorType act_type = kernels::activation_type(w.type);
    const size_t act_row = kernels::row_bytes(act_type, w.cols);
    const kernels::DotFn dot = kernels::dot_for(kernels, w.type);
    for (uint32_t b = 0; b < batch; ++b)
        kernels::convert_activations(kernels, act_type, x + size_t{b} * w.cols,
                                     scratch + b * act_row, w.cols);
    constexpr uint32_t kRowBlock = 16;
    pool.parallel([&](int worker, int workers) {
        const Share share = share_of(w.rows, worker, workers);
        for (uint32_t r0 = share.begin; r0 < share.end; r0 += kRowBlock) {
            const uint32_t r1 = std::min(share.end, r0 + kRowBlock);
            for (uint32_t b = 0; b < batch; ++b) {
                const uint8_t* act = scratch + b * act_row;
                float* row_out = out + size_t{b} * w.rows;
                for (uint32_t r = r0; r < r1; ++r)
                    row_out[r] = dot(w.cols, w.row(r), act);
            }
        }
    });
    if (bias != nullptr)
        for (uint32_t b = 0; b < batch; ++b)
            for (uint32_t r = 0; r < w.rows; ++r)
                out[size_t{b} * w.rows + r] += bias[r];
}

} // namespace edgeai::engine::ops
