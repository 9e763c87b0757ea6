#include "engine/kernels/kernel_table.h"

#include <array>
#include <cstring>

namespace edgeai::engine::kernels {

TensorType activation_type(TensorType weight_type) {
    switch (weight_type) {
    case TensorType::kQ8_0:
    case TensorType::kQ4_0:
    case TensorType::kQ5_0:
    case TensorType::kIQ4_NL:
        return TensorType::kQ8_0;
    case TensorType::kQ4_1:
    case TensorType::kQ5_1:
        return TensorType::kQ8_1;
    case TensorType::kQ2_K:
    case TensorType::kQ3_K:
    case TensorType::kQ4_K:
    case TensorType::kQ5_K:
    case TensorType::kQ6_K:
    case TensorType::kIQ4_XS:
        return TensorType::kQ8_K;
    default:
        return TensorType::kF32;
    }
}

DotFn dot_for(const KernelTable& table, TensorType weight_type) {
    switch (weight_type) {
    case TensorType::kF32:
        return table.dot_f32;
    case TensorType::kF16:
        return table.dot_f16;
    case TensorType::kBF16:
        return table.dot_bf16;
    case TensorType::kQ8_0:
        return table.dot_q8_0;
    case TensorType::kQ4_0:
        return table.dot_q4_0;
    case TensorType::kQ4_K:
        return table.dot_q4_k;
    case TensorType::kQ5_K:
        return table.dot_q5_k;
    case TensorType::kQ6_K:
        return table.dot_q6_k;
    case TensorType::kQ4_1:
        return table.dot_q4_1;
    case TensorType::kQ5_0:
        return table.dot_q5_0;
    case TensorType::kQ5_1:
        return table.dot_q5_1;
    case TensorType::kIQ4_NL:
        return table.dot_iq4_nl;
    case TensorType::kQ2_K:
        return table.dot_q2_k;
    case TensorType::kQ3_K:
        return table.dot_q3_k;
    case TensorType::kIQ4_XS:
        return table.dot_iq4_xs;
    default:
        return nullptr;
    }
}

GemmFn gemm_for(const KernelTable& table, TensorType weight_type) {
    switch (weight_type) {
    case TensorType::kQ4_0:
        return table.gemm_q4_0;
    case TensorType::kQ8_0:
        return table.gemm_q8_0;
    case TensorType::kQ4_K:
        return table.gemm_q4_k;
    case TensorType::kQ5_0:
        return table.gemm_q5_0;
    case TensorType::kQ5_K:
        return table.gemm_q5_k;
    case TensorType::kQ6_K:
        return table.gemm_q6_k;
    default:
        return nullptr;
    }
}

void convert_activations(const KernelTable& table, TensorType type, const float* x, void* y,
                         size_t n) {
    switch (type) {
    case TensorType::kQ8_0:
        table.quantize_q8_0(x, y, n);
        break;
    case TensorType::kQ8_1:
        table.quantize_q8_1(x, y, n);
        break;
    case TensorType::kQ8_K:
        table.quantize_q8_k(x, y, n);
        break;
    default:
        std::memcpy(y, x, n * sizeof(float));
        break;
    }
}

size_t row_bytes(TensorType type, size_t n) {
    const TensorTypeInfo* info = find_tensor_type(static_cast<uint32_t>(type));
    return n / info->block_values * info->block_bytes;
}

namespace {

struct Usable {
    std::array<const KernelTable*, 6> tables{};
    size_t count = 0;
};

// Slowest first: best_kernels() takes the last one this CPU can run.
Usable detect() {
    Usable u;
    u.tables[u.count++] = &scalar_kernels();
    for (const KernelTable* t : {neon_kernels(), simd128_kernels(), avx2_kernels(),
                                 avx512_kernels(), avx512_vnni_kernels()})
        if (t != nullptr) u.tables[u.count++] = t;
    return u;
}

const Usable& usable() {
    static const Usable u = detect();
    return u;
}

} // namespace

std::span<const KernelTable* const> usable_kernels() {
    return {usable().tables.data(), usable().count};
}

const KernelTable& best_kernels() {
    return *usable().tables[usable().count - 1];
}

} // namespace edgeai::engine::kernels
