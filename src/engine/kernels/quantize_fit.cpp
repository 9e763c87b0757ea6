#include "engine/kernels/quantize_fit.h"

#include "engine/kernels/quant_rounding.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace edgeai::engine::kernels {

float fit_affine_grid(int n, int levels, const float* x, const float* w, float rmin, float rdelta,
                      int nstep, bool use_mad, uint8_t* L, float* min_out) {
    float min = x[0], max = x[0];
    float sum_w = w[0];
    float sum_x = sum_w * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > max) max = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0; // the min is stored unsigned: the grid must reach 0
    if (max == min) {
        std::memset(L, 0, static_cast<size_t>(n));
        *min_out = -min;
        return 0.0f;
    }
    const auto error_of = [use_mad](float diff) { return use_mad ? std::fabs(diff) : diff * diff; };
    float iscale = static_cast<float>(levels) / (max - min);
    float scale = 1 / iscale;
    float best_error = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<uint8_t>(std::clamp(nearest_int(iscale * (x[i] - min)), 0, levels));
        best_error += w[i] * error_of(scale * L[i] + min - x[i]);
    }
    uint8_t trial[32];
    for (int step = 0; step <= nstep; ++step) {
        iscale =
            (rmin + rdelta * static_cast<float>(step) + static_cast<float>(levels)) / (max - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, levels);
            trial[i] = static_cast<uint8_t>(l);
            sum_l += w[i] * static_cast<float>(l);
            sum_l2 += w[i] * static_cast<float>(l) * static_cast<float>(l);
            sum_xl += w[i] * static_cast<float>(l) * x[i];
        }
        const float det = sum_w * sum_l2 - sum_l * sum_l;
        if (!(det > 0)) continue; // NaN too, as llama.cpp's `if (D > 0)`
        float this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (this_min > 0) {
            this_min = 0;
            this_scale = sum_xl / sum_l2;
        }
        float error = 0;
        for (int i = 0; i < n; ++i)
            error += w[i] * error_of(this_scale * trial[i] + this_min - x[i]);
        if (error < best_error) {
            std::memcpy(L, trial, static_cast<size_t>(n));
            best_error = error;
            scale = this_scale;
            min = this_min;
        }
    }
    *min_out = -min;
    return scale;
}

float fit_symmetric_grid(int n, int levels, const float* x, int8_t* L) {
    float max = 0, amax = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            max = x[i];
        }
    }
    if (amax < kZeroGroup) {
        std::memset(L, 0, static_cast<size_t>(n));
        return 0.0f;
    }
    // Sums of w*x*l and w*l*l, weights x^2, for the grid `iscale`.
    const auto sums = [&](float iscale, float* sum_lx, float* sum_l2) {
        *sum_lx = *sum_l2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(iscale * x[i]), -levels, levels - 1);
            const float w = x[i] * x[i];
            *sum_lx += w * x[i] * static_cast<float>(l);
            *sum_l2 += w * static_cast<float>(l) * static_cast<float>(l);
        }
    };
    const auto store = [&](float iscale) {
        for (int i = 0; i < n; ++i)
            L[i] = static_cast<int8_t>(std::clamp(nearest_int(iscale * x[i]), -levels, levels - 1) +
                                       levels);
    };
    float iscale = static_cast<float>(-levels) / max;
    float sum_lx, sum_l2;
    sums(iscale, &sum_lx, &sum_l2);
    store(iscale);
    float scale = sum_l2 != 0.0f ? sum_lx / sum_l2 : 0.0f;
    float best = scale * sum_lx;
    for (int step = -9; step <= 9; ++step) {
        if (step == 0) continue;
        iscale = -(static_cast<float>(levels) + 0.1f * static_cast<float>(step)) / max;
        sums(iscale, &sum_lx, &sum_l2);
        // sum_lx^2 / sum_l2 is the squared error the fit removes.
        if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
            store(iscale);
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    return scale;
}

} // namespace edgeai::engine::kernels
