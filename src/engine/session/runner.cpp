#include "engine/session/runner.h"

#include <algorithm>
#include <string>

namespace edgeai::engine::session {

Runner::Runner(const model::Model& model, WorkerPool& pool, const kernels::KernelTable& kernels,
               uint32_t n_ctx, model::KvType kv_type, uint32_t max_batch)
    : model_(model), cache_(model.config(), n_ctx, kv_type, max_batch),
      forward_(model, pool, kernels, max_batch, n_ctx), logits_(model.config().n_vocab) {}

core::Status Runner::prefill(std::span<const int32_t> prompt) {
    if (prompt.empty()) return core::invalid_argument("the prompt has no tokens");
    if (prompt.size() > cache_.n_ctx())
        return core::Status(core::StatusCode::kInvalidArgument,
                            "the prompt has " + std::to_string(prompt.size()) +
                                " tokens; the context holds " + std::to_string(cache_.n_ctx()));
    size_t common = 0;
    while (common < tokens_.size() && common < prompt.size() && tokens_[common] == prompt[common])
        ++common;
    // The last prompt token is always fed again: its logits are what the caller needs.
    common = std::min(common, prompt.size() - 1);
    common = cache_.reusable(static_cast<uint32_t>(common));
    cache_.rewind(static_cast<uint32_t>(common));
    tokens_.resize(common);
    reused_ = static_cast<uint32_t>(common);
    return feed(prompt.subspan(common));
}

core::Status Runner::feed(std::span<const int32_t> tokens, float* all_logits) {
    if (tokens_.size() + tokens.size() > cache_.n_ctx())
        return core::invalid_argument("the context of " + std::to_string(cache_.n_ctx()) +
                                      " tokens is full");
    const uint32_t n_vocab = model_.config().n_vocab;
    const size_t max_batch = forward_.max_batch();
    for (size_t start = 0; start < tokens.size(); start += max_batch) {
        const size_t end = std::min(tokens.size(), start + max_batch);
        batch_.clear();
        for (size_t i = start; i < end; ++i) {
            const bool want = all_logits != nullptr || i + 1 == tokens.size();
            batch_.push_back(
                {&cache_, tokens[i], static_cast<uint32_t>(tokens_.size() + i - start), want});
        }
        float* out = all_logits != nullptr ? all_logits + start * n_vocab : logits_.data();
        EDGEAI_TRY(forward_.decode(batch_, out));
        tokens_.insert(tokens_.end(), tokens.begin() + static_cast<std::ptrdiff_t>(start),
                       tokens.begin() + static_cast<std::ptrdiff_t>(end));
    }
    if (all_logits != nullptr && !tokens.empty())
        std::copy(all_logits + (tokens.size() - 1) * n_vocab, all_logits + tokens.size() * n_vocab,
                  logits_.begin());
    return core::Status::ok_status();
}

} // namespace edgeai::engine::session
