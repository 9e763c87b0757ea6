// Byte-level BPE vocabularies are trained on words cut by a regex; encoding must
// cut the same way or merges never line up. These are hand-written matchers for
// the regexes llama.cpp and Hugging Face use (no std::regex in the engine):
//
//  gpt2     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
//  llama3   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//           ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//  qwen2    as llama3, but \p{N} (every digit alone)
//  starcoder  \p{N} first (every digit alone), then gpt2 on the text between
//
// The contractions' (?i) is ASCII-only, as in llama.cpp's adaptation. Bytes
// that are not UTF-8 are single characters of class "other".
#pragma once

#include "core/result.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace edgeai::engine::tokenizer {

enum class PreTokenizer : uint8_t { kGpt2, kLlama3, kQwen2, kStarCoder };

// What a tokenizer.ggml.pre value implies besides the rules, as llama.cpp has it.
struct PreTokenizerInfo {
    PreTokenizer rules = PreTokenizer::kGpt2;
    bool ignore_merges = false;   // a word that is a whole token is that token
    bool add_bos_default = false; // when tokenizer.ggml.add_bos_token is absent
};

// The rules for a tokenizer.ggml.pre value (the names llama.cpp's converter
// writes); an unknown name is an error that lists the supported families.
core::Result<PreTokenizerInfo> pre_tokenizer_from_name(std::string_view name);
std::string_view pre_tokenizer_name(PreTokenizer rules);

// Appends the words of `text`, views into it, in order; together they are `text`.
void split_words(std::string_view text, PreTokenizer rules, std::vector<std::string_view>& words);

} // namespace edgeai::engine::tokenizer
