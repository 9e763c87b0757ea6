// Rounding shared by the scalar quantizers (built with the baseline flags
// only: the SIMD files define their own).
#pragma once

#include <cmath>

namespace edgeai::engine::kernels {

// Round to nearest, ties to even: what ggml's nearest_int (the 1.5 * 2^23
// trick) and the SIMD rounding instructions do, so blocks come out the same.
inline int nearest_int(float v) {
    return static_cast<int>(std::nearbyint(v));
}

} // namespace edgeai::engine::kernels
