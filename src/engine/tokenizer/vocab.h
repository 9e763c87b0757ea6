// A vocabulary as GGUF stores it: token texts, scores and types by id, and the
// reverse map from text to id. Texts are views into the GGUF bytes, which must
// outlive the Vocab (and the Tokenizer that owns it).
#pragma once

#include "engine/tokenizer/flat_index.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace edgeai::engine::tokenizer {

// tokenizer.ggml.token_type values (llama.cpp's llama_token_type).
enum class TokenType : uint8_t {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,     // <s>, <|im_start|>: never produced from plain text
    kUserDefined = 4, // always matched as a whole in the input, rendered verbatim
    kUnused = 5,
    kByte = 6, // <0xXX>: SentencePiece's byte fallback
};

inline constexpr int32_t kNoToken = -1;

struct Vocab {
    std::vector<std::string_view> text;
    std::vector<float> score;
    std::vector<TokenType> type;
    FlatIndex ids; // text -> id

    // Indexes every non-empty text; on a duplicate, false with its first id.
    bool index(int32_t* duplicate_of) {
        ids.reserve(text.size());
        for (size_t id = 0; id < text.size(); ++id) {
            const std::string_view s = text[id];
            if (s.empty()) continue; // nothing can spell it; llama.cpp renames it
            const int32_t first = ids.insert(hash_text(s), static_cast<int32_t>(id),
                                             [&](int32_t e) { return text[e] == s; });
            if (first >= 0) {
                *duplicate_of = first;
                return false;
            }
        }
        return true;
    }

    int32_t size() const { return static_cast<int32_t>(text.size()); }
    bool contains(int32_t id) const { return id >= 0 && id < size(); }
    int32_t find(std::string_view s) const {
        const int32_t id = ids.find(hash_text(s), [&](int32_t e) { return text[e] == s; });
        return id < 0 ? kNoToken : id;
    }
};

// The byte a byte token's text "<0xXX>" (either case of hex digit) stands for.
inline std::optional<uint8_t> byte_token_value(std::string_view text) {
    if (text.size() != 6 || text.substr(0, 3) != "<0x" || text[5] != '>') return std::nullopt;
    auto digit = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    int hi = digit(text[3]);
    int lo = digit(text[4]);
    if (hi < 0 || lo < 0) return std::nullopt;
    return static_cast<uint8_t>(hi * 16 + lo);
}

} // namespace edgeai::engine::tokenizer
