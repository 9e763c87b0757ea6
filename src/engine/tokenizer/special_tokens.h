// Finds the control, unknown and user-defined tokens spelled out in text before
// the text is tokenized, the way llama.cpp (and Hugging Face's added tokens) do:
// longer tokens first, then left to right, each match cutting the text around it.
#pragma once

#include "engine/tokenizer/vocab.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edgeai::engine::tokenizer {

// A piece of the input: a special token, or raw text [begin, end) to tokenize.
struct Fragment {
    size_t begin = 0;
    size_t end = 0;
    int32_t token = kNoToken;
};

class SpecialTokenMatcher {
  public:
    void build(const Vocab& vocab);

    // Cuts `text` into fragments, in order. User-defined tokens are always cut
    // out; control and unknown ones only with parse_special.
    void partition(std::string_view text, bool parse_special, std::vector<Fragment>& out) const;

  private:
    struct Match {
        size_t begin;
        size_t length;
        int32_t token;
        uint32_t rank;
    };

    // A byte trie over the tokens' texts; node 0 is the root.
    std::vector<int32_t> node_token_;
    std::vector<uint32_t> node_rank_;            // lower matches first: longer, then lower id
    std::vector<bool> node_always_;              // user-defined: matched without parse_special
    std::unordered_map<uint64_t, size_t> edges_; // (node << 8) | byte -> child
    std::array<bool, 256> first_byte_{};
    bool any_always_ = false;
};

} // namespace edgeai::engine::tokenizer
