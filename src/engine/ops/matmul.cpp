#include "engine/ops/matmul.h"

#include "engine/kernels/packed.h"

#include <algorithm>

namespace edgeai::engine::ops {
namespace {

// Packed weights: the kernel multiplies a group of four rows by up to four
// tokens at once. Workers split the groups; each walks its groups with the
// tokens inside, so a group's bytes come from memory once per batch.
void matmul_packed(WorkerPool& pool, kernels::GemmFn gemm, const kernels::KernelTable& table,
                   const model::Matrix& w, const float* x, uint32_t batch, float* out,
                   uint8_t* scratch) {
    const size_t act_row = kernels::packed_activation_bytes(w.type, w.cols);
    auto quantize = [&](uint32_t begin, uint32_t end) {
        for (uint32_t b = begin; b < end; ++b)
            kernels::quantize_packed_activations(table, w.type, x + size_t{b} * w.cols,
                                                 scratch + b * act_row, w.cols);
    };
    // A prompt's rows are quantized by all workers (serial, this took a tenth
    // of a 2-thread prompt pass); one token's row is not worth a hand-off.
    if (batch < 4 || pool.size() == 1) {
        quantize(0, batch);
    } else {
        pool.parallel([&](int worker, int workers) {
            const Share share = share_of(batch, worker, workers);
            quantize(share.begin, share.end);
        });
    }
    const uint32_t groups = (w.rows + kernels::kPackRows - 1) / kernels::kPackRows;
    pool.parallel([&](int worker, int workers) {
        const Share share = share_of(groups, worker, workers);
        for (uint32_t g = share.begin; g < share.end; ++g) {
            const uint8_t* group = w.packed + g * w.group_bytes;
            const uint32_t row0 = g * kernels::kPackRows;
            const bool whole = row0 + kernels::kPackRows <= w.rows;
            for (uint32_t t0 = 0; t0 < batch; t0 += kernels::kGemmTokens) {
                const uint32_t tokens = std::min(kernels::kGemmTokens, batch - t0);
                const kernels::PackedActivations acts =
                    kernels::packed_activations_view(w.type, scratch + t0 * act_row, w.cols);
                if (whole) {
                    gemm(w.cols, group, acts, tokens, out + size_t{t0} * w.rows + row0, w.rows);
                    continue;
                }
                // The last group of a matrix whose rows are not a multiple of
                // four: the padding rows' outputs go nowhere.
                float partial[kernels::kGemmTokens * kernels::kPackRows];
                gemm(w.cols, group, acts, tokens, partial, kernels::kPackRows);
                for (uint32_t t = 0; t < tokens; ++t)
                    for (uint32_t r = row0; r < w.rows; ++r)
                        out[size_t{t0 + t} * w.rows + r] =
                            partial[t * kernels::kPackRows + (r - row0)];
            }
        }
    });
}

} // namespace

size_t matmul_scratch_bytes(uint32_t cols, uint32_t batch) {
    // f32 is the widest activation type; quantized ones (packed ones too, at
    // 42 bytes per 32 values) are smaller.
    return size_t{cols} * batch * sizeof(float);
}

void matmul(WorkerPool& pool, const kernels::KernelTable& kernels, const model::Matrix& w,
            const float* x, uint32_t batch, float* out, uint8_t* scratch, const float* bias) {
    const kernels::GemmFn gemm = w.packed != nullptr ? kernels::gemm_for(kernels, w.type) : nullptr;
    if (gemm != nullptr) {
        matmul_packed(pool, gemm, kernels, w, x, batch, out, scratch);
    } else {
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
    }
    if (bias != nullptr)
        for (uint32_t b = 0; b < batch; ++b)
            for (uint32_t r = 0; r < w.rows; ++r)
                out[size_t{b} * w.rows + r] += bias[r];
}

} // namespace edgeai::engine::ops
