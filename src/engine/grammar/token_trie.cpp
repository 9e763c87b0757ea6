#include "engine/grammar/token_trie.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace edgeai::engine::grammar {

std::shared_ptr<const TokenTrie> TokenTrie::build(const tokenizer::Tokenizer& tokenizer) {
    auto trie = std::make_shared<TokenTrie>();
    const auto n = static_cast<int32_t>(tokenizer.n_vocab());
    trie->n_vocab_ = static_cast<size_t>(n);
    std::vector<std::string> pieces(static_cast<size_t>(n));
    std::vector<int32_t> order;
    for (int32_t id = 0; id < n; ++id) {
        if (tokenizer.is_end_of_generation(id)) {
            trie->end_of_generation_.push_back(id);
            continue;
        }
        // Control and unused tokens spell nothing: never offered.
        tokenizer.append_piece(id, pieces[static_cast<size_t>(id)]);
        const size_t len = pieces[static_cast<size_t>(id)].size();
        if (len > 0 && len <= kMaxDepth) order.push_back(id);
    }
    std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
        const auto& pa = pieces[static_cast<size_t>(a)];
        const auto& pb = pieces[static_cast<size_t>(b)];
        return pa != pb ? pa < pb : a < b;
    });
    // Sorted pieces give the trie in depth-first order: each piece reuses
    // the path it shares with the one before and opens nodes for the rest.
    std::vector<uint32_t> path; // node index per depth - 1
    const std::string* prev = nullptr;
    auto close_to = [&](size_t depth) {
        while (path.size() > depth) {
            trie->nodes_[path.back()].end = static_cast<uint32_t>(trie->nodes_.size());
            path.pop_back();
        }
    };
    for (int32_t id : order) {
        const std::string& p = pieces[static_cast<size_t>(id)];
        size_t common = 0;
        if (prev != nullptr)
            while (common < p.size() && common < prev->size() && (*prev)[common] == p[common])
                ++common;
        common = std::min(common, path.size());
        close_to(common);
        for (size_t d = common; d < p.size(); ++d) {
            path.push_back(static_cast<uint32_t>(trie->nodes_.size()));
            trie->nodes_.push_back(
                {0, 0, 0, static_cast<uint16_t>(d + 1), static_cast<uint8_t>(p[d])});
        }
        Node& leaf = trie->nodes_[path.back()];
        if (leaf.tok_begin == leaf.tok_end)
            leaf.tok_begin = leaf.tok_end = static_cast<uint32_t>(trie->tokens_.size());
        trie->tokens_.push_back(id);
        leaf.tok_end = static_cast<uint32_t>(trie->tokens_.size());
        prev = &p;
    }
    close_to(0);
    return trie;
}

core::Status TokenTrie::allowed(Matcher& matcher, std::span<uint8_t> allowed) const {
    if (allowed.size() != n_vocab_)
        return core::internal_error("token mask sized for another vocabulary");
    std::fill(allowed.begin(), allowed.end(), uint8_t{0});
    uint32_t states[kMaxDepth + 1];
    states[0] = matcher.state();
    const size_t n = nodes_.size();
    for (size_t i = 0; i < n;) {
        const Node& node = nodes_[i];
        const uint32_t s = matcher.next(states[node.depth - 1], node.byte);
        if (s == Matcher::kDead) {
            i = node.end;
            continue;
        }
        if (s == Matcher::kFailed) return matcher.status();
        states[node.depth] = s;
        for (uint32_t t = node.tok_begin; t < node.tok_end; ++t)
            allowed[static_cast<size_t>(tokens_[t])] = 1;
        ++i;
    }
    if (matcher.accepting())
        for (int32_t id : end_of_generation_)
            allowed[static_cast<size_t>(id)] = 1;
    return {};
}

core::Status TokenTrie::mask(Matcher& matcher, std::span<float> logits,
                             std::vector<uint8_t>& scratch) const {
    scratch.resize(n_vocab_);
    EDGEAI_TRY(allowed(matcher, scratch));
    const size_t n = std::min(logits.size(), n_vocab_);
    size_t kept = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!scratch[i])
            logits[i] = -INFINITY;
        else
            ++kept;
    }
    if (kept == 0)
        return core::failed_precondition(
            "grammar: no token of this model's vocabulary can continue the output");
    for (size_t i = n; i < logits.size(); ++i)
        logits[i] = -INFINITY;
    return {};
}

} // namespace edgeai::engine::grammar
