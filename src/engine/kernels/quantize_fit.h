// The sub-block fits llama.cpp's K-quant quantizers are built from, shared by
// quantize.cpp (q4_K, q5_K, q6_K) and quantize_k_low.cpp (q2_K). They follow
// ggml's make_qkx2_quants and make_qx_quants operation for operation, so the
// blocks come out byte for byte as llama.cpp writes them.
#pragma once

#include <cstdint>

namespace edgeai::engine::kernels {

// Blocks whose values all lie below this are written as zeros (ggml's
// GROUP_MAX_EPS).
inline constexpr float kZeroGroup = 1e-15f;

// Fits x[0..n) ≈ scale * L - min with L in 0..levels and min >= 0 (n <= 32;
// returns the scale, *min_out the min): the min/max grid first, then nstep + 1
// grids whose top level runs from levels + rmin in steps of rdelta, each
// refitted by w-weighted least squares; the fit with the least weighted
// absolute (use_mad) or squared error wins.
float fit_affine_grid(int n, int levels, const float* x, const float* w, float rmin, float rdelta,
                      int nstep, bool use_mad, uint8_t* L, float* min_out);

// Fits x[0..n) ≈ scale * l with l in -levels..levels-1, stored as l + levels
// in L (n <= 32; returns the scale): the grid set by the first largest
// magnitude and 18 grids around it, keeping the x^2-weighted least-squares fit
// that explains the most.
float fit_symmetric_grid(int n, int levels, const float* x, int8_t* L);

} // namespace edgeai::engine::kernels
