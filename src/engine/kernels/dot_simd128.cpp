// WASM SIMD128 kernels (placeholder until written): no table yet.
#include "engine/kernels/kernel_table.h"

namespace edgeai::engine::kernels {
const KernelTable* simd128_kernels() {
    return nullptr;
}
} // namespace edgeai::engine::kernels
