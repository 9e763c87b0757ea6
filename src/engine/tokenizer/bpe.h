// Byte-level BPE (GPT-2, Llama 3, Qwen 2): cut the text into words with the
// pre-tokenizer, map each byte to its character of the byte-level alphabet,
// then apply the merges in rank order (leftmost on ties), as llama.cpp and
// Hugging Face do. Symbols are token ids throughout: every merge was checked to
// join two tokens into a token, so no strings are built while encoding.
#pragma once

#include "core/result.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/vocab.h"

#include "engine/tokenizer/flat_index.h"
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace edgeai::engine::tokenizer {

class Bpe {
  public:
    // Checks every "left right" merge: both halves and their concatenation
    // must be tokens.
    static core::Result<Bpe> build(const Vocab& vocab, const std::vector<std::string_view>& merges,
                                   PreTokenizerInfo pre, int32_t unknown);

    void encode(const Vocab& vocab, std::string_view text, std::vector<int32_t>& out) const;

    size_t merge_count() const { return merges_.size(); }
    PreTokenizer rules() const { return pre_.rules; }

  private:
    struct Merge {
        int32_t rank;
        int32_t result;
    };

    std::optional<Merge> find(int32_t left, int32_t right) const;
    void encode_word(const Vocab& vocab, std::string_view word, std::vector<int32_t>& out) const;

    // Merge i (its rank) joins left_[i] and right_[i] into result_[i]; the
    // index finds the first merge of a pair.
    std::vector<int32_t> left_, right_, result_;
    FlatIndex merges_;
    std::array<int32_t, 256> byte_tokens_{}; // the token of each byte's character
    PreTokenizerInfo pre_;
    int32_t unknown_ = kNoToken;
};

} // namespace edgeai::engine::tokenizer
