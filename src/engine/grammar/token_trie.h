// The vocabulary as a byte trie, laid out in depth-first order, for asking a
// Matcher which tokens may come next: one pass over the array, skipping
// every subtree whose prefix the grammar refuses. Tokens sharing a prefix
// share its transitions, and the matcher's transition table makes each
// visited node one lookup, so a 150k vocabulary costs well under a
// millisecond where the grammar is narrow and about a pass over the array
// where it is wide (inside a JSON string).
//
// Built once per vocabulary and shared (read-only) by every sequence.
#pragma once

#include "core/result.h"
#include "engine/grammar/matcher.h"
#include "engine/tokenizer/tokenizer.h"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace edgeai::engine::grammar {

class TokenTrie {
  public:
    static std::shared_ptr<const TokenTrie> build(const tokenizer::Tokenizer& tokenizer);

    // Sets allowed[id] to 1 for every token the grammar accepts next from
    // the matcher's state, 0 for the rest; end-of-generation tokens only
    // when the output so far is complete. allowed.size() == n_vocab.
    core::Status allowed(Matcher& matcher, std::span<uint8_t> allowed) const;

    // Sets the logits of refused tokens to -inf.
    core::Status mask(Matcher& matcher, std::span<float> logits,
                      std::vector<uint8_t>& scratch) const;

    size_t n_vocab() const { return n_vocab_; }
    size_t node_count() const { return nodes_.size(); }

  private:
    struct Node {
        uint32_t end;       // index past this node's subtree
        uint32_t tok_begin; // tokens_[tok_begin, tok_end) spell exactly this prefix
        uint32_t tok_end;
        uint16_t depth; // 1 for a first byte
        uint8_t byte;
    };
    static constexpr size_t kMaxDepth = 1024; // longer pieces are never offered

    std::vector<Node> nodes_;
    std::vector<int32_t> tokens_;
    std::vector<int32_t> end_of_generation_;
    size_t n_vocab_ = 0;
};

} // namespace edgeai::engine::grammar
