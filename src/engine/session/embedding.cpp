#include "engine/session/embedding.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace edgeai::engine::session {

core::Result<std::vector<float>> embed_tokens(model::Forward& forward, model::KvCache& cache,
                                              std::span<const int32_t> tokens) {
    if (tokens.empty()) return core::invalid_argument("the input has no tokens");
    if (tokens.size() > cache.n_ctx())
        return core::invalid_argument("the input has " + std::to_string(tokens.size()) +
                                      " tokens; the context holds " +
                                      std::to_string(cache.n_ctx()));
    const uint32_t n_embd = forward.model().config().n_embd;
    std::vector<double> sum(n_embd, 0.0);
    std::vector<float> hidden(size_t{forward.max_batch()} * n_embd);
    std::vector<model::BatchToken> batch;
    for (size_t start = 0; start < tokens.size(); start += forward.max_batch()) {
        const size_t end = std::min(tokens.size(), start + forward.max_batch());
        batch.clear();
        for (size_t i = start; i < end; ++i)
            batch.push_back({&cache, tokens[i], static_cast<uint32_t>(i), true});
        EDGEAI_TRY(forward.decode_hidden(batch, hidden.data()));
        for (size_t r = 0; r < batch.size(); ++r)
            for (uint32_t d = 0; d < n_embd; ++d)
                sum[d] += hidden[r * n_embd + d];
    }
    double norm = 0.0;
    for (double v : sum)
        norm += v * v;
    norm = std::sqrt(norm);
    std::vector<float> out(n_embd);
    for (uint32_t d = 0; d < n_embd; ++d)
        out[d] = norm > 0 ? static_cast<float>(sum[d] / norm) : 0.0f;
    return out;
}

} // namespace edgeai::engine::session
