#include "engine/sampling/token_logprobs.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace edgeai::engine::sampling {

float log_sum_exp(std::span<const float> logits) {
    float max = -std::numeric_limits<float>::infinity();
    for (const float l : logits)
        max = std::max(max, l);
    if (!std::isfinite(max)) return max;
    double sum = 0;
    for (const float l : logits)
        sum += std::exp(static_cast<double>(l - max));
    return max + static_cast<float>(std::log(sum));
}

std::vector<TokenLogprob> top_logprobs(std::span<const float> logits, float log_z, uint32_t k) {
    k = std::min<uint32_t>(k, static_cast<uint32_t>(logits.size()));
    // A heap of the best k so far, the worst of them in front: one pass over a vocabulary of 150k
    // with k <= 20 costs about what the softmax does.
    auto better = [&](int32_t a, int32_t b) {
        const float la = logits[static_cast<size_t>(a)], lb = logits[static_cast<size_t>(b)];
        return la > lb || (la == lb && a < b);
    };
    std::vector<int32_t> heap;
    heap.reserve(k + 1);
    for (size_t i = 0; i < logits.size() && k > 0; ++i) {
        const auto id = static_cast<int32_t>(i);
        if (heap.size() == k && !better(id, heap.front())) continue;
        heap.push_back(id);
        std::push_heap(heap.begin(), heap.end(), better);
        if (heap.size() > k) {
            std::pop_heap(heap.begin(), heap.end(), better);
            heap.pop_back();
        }
    }
    std::sort_heap(heap.begin(), heap.end(), better);
    std::vector<TokenLogprob> out;
    out.reserve(heap.size());
    for (const int32_t id : heap)
        out.push_back({id, logits[static_cast<size_t>(id)] - log_z, {}});
    return out;
}

} // namespace edgeai::engine::sampling
