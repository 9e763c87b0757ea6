// NEON kernels (placeholder until written): no table yet.
#include "engine/kernels/kernel_table.h"

namespace edgeai::engine::kernels {
const KernelTable* neon_kernels() {
    return nullptr;
}
} // namespace edgeai::engine::kernels
