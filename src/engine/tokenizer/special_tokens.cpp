#include "engine/tokenizer/special_tokens.h"

#include <algorithm>

namespace edgeai::engine::tokenizer {

namespace {

uint64_t edge_key(size_t node, uint8_t byte) {
    return (static_cast<uint64_t>(node) << 8) | byte;
}

bool is_special(TokenType type) {
    return type == TokenType::kControl || type == TokenType::kUnknown ||
           type == TokenType::kUserDefined;
}

} // namespace

void SpecialTokenMatcher::build(const Vocab& vocab) {
    std::vector<int32_t> specials;
    for (int32_t id = 0; id < vocab.size(); ++id) {
        if (is_special(vocab.type[id]) && !vocab.text[id].empty()) specials.push_back(id);
    }
    // llama.cpp tries longer tokens first, so "<|im_start|>" wins over a "<|"
    // someone defined; equal lengths go by id to stay deterministic.
    std::sort(specials.begin(), specials.end(), [&](int32_t a, int32_t b) {
        if (vocab.text[a].size() != vocab.text[b].size())
            return vocab.text[a].size() > vocab.text[b].size();
        return a < b;
    });

    node_token_.assign(1, kNoToken);
    node_rank_.assign(1, 0);
    node_always_.assign(1, false);
    edges_.clear();
    first_byte_.fill(false);
    any_always_ = false;
    for (size_t rank = 0; rank < specials.size(); ++rank) {
        int32_t id = specials[rank];
        std::string_view text = vocab.text[id];
        size_t node = 0;
        for (char c : text) {
            auto [it, added] =
                edges_.try_emplace(edge_key(node, static_cast<uint8_t>(c)), node_token_.size());
            if (added) {
                node_token_.push_back(kNoToken);
                node_rank_.push_back(0);
                node_always_.push_back(false);
            }
            node = it->second;
        }
        node_token_[node] = id;
        node_rank_[node] = static_cast<uint32_t>(rank);
        node_always_[node] = vocab.type[id] == TokenType::kUserDefined;
        any_always_ = any_always_ || node_always_[node];
        first_byte_[static_cast<uint8_t>(text.front())] = true;
    }
}

void SpecialTokenMatcher::partition(std::string_view text, bool parse_special,
                                    std::vector<Fragment>& out) const {
    out.clear();
    if (text.empty()) return;
    std::vector<Match> matches;
    if (parse_special || any_always_) {
        for (size_t begin = 0; begin < text.size(); ++begin) {
            if (!first_byte_[static_cast<uint8_t>(text[begin])]) continue;
            size_t node = 0;
            for (size_t at = begin; at < text.size(); ++at) {
                auto it = edges_.find(edge_key(node, static_cast<uint8_t>(text[at])));
                if (it == edges_.end()) break;
                node = it->second;
                if (node_token_[node] == kNoToken) continue;
                if (!parse_special && !node_always_[node]) continue;
                matches.push_back({begin, at + 1 - begin, node_token_[node], node_rank_[node]});
            }
        }
    }
    if (matches.empty()) {
        out.push_back({0, text.size(), kNoToken});
        return;
    }

    // In priority order, a match is taken when no taken match overlaps it; that
    // is llama.cpp's token-by-token, leftmost-first cutting.
    std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
        return a.rank != b.rank ? a.rank < b.rank : a.begin < b.begin;
    });
    std::vector<bool> taken(text.size(), false);
    std::vector<Match> accepted;
    for (const Match& m : matches) {
        bool free = true;
        for (size_t i = m.begin; i < m.begin + m.length && free; ++i)
            free = !taken[i];
        if (!free) continue;
        std::fill(taken.begin() + static_cast<std::ptrdiff_t>(m.begin),
                  taken.begin() + static_cast<std::ptrdiff_t>(m.begin + m.length), true);
        accepted.push_back(m);
    }
    std::sort(accepted.begin(), accepted.end(),
              [](const Match& a, const Match& b) { return a.begin < b.begin; });

    size_t at = 0;
    for (const Match& m : accepted) {
        if (m.begin > at) out.push_back({at, m.begin, kNoToken});
        out.push_back({m.begin, m.begin + m.length, m.token});
        at = m.begin + m.length;
    }
    if (at < text.size()) out.push_back({at, text.size(), kNoToken});
}

} // namespace edgeai::engine::tokenizer
