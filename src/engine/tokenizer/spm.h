// SentencePiece-style BPE as llama.cpp and llama2.c run it: start from the
// UTF-8 characters, repeatedly merge the adjacent pair whose concatenation is
// the highest-scoring token (leftmost on ties), then spell any piece that is
// not a token as byte tokens.
#pragma once

#include "engine/tokenizer/vocab.h"

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace edgeai::engine::tokenizer {

// The token for each byte when a character is not in the vocabulary: <0xXX>,
// else the byte alone as a token, else the unknown token, else kNoToken (dropped).
using ByteTokens = std::array<int32_t, 256>;

// `text` is already normalised: spaces escaped to U+2581, the dummy prefix added.
void encode_spm(const Vocab& vocab, const ByteTokens& byte_tokens, std::string_view text,
                std::vector<int32_t>& out);

} // namespace edgeai::engine::tokenizer
