#include "engine/tokenizer/tokenizer.h"

#include "core/utf8.h"
#include "engine/tokenizer/byte_level.h"

#include <algorithm>

namespace edgeai::engine::tokenizer {

namespace {

// SentencePiece writes spaces as U+2581 LOWER ONE EIGHTH BLOCK.
constexpr std::string_view kSpaceMark = "\xE2\x96\x81";

// The tokens the input is cut at before tokenizing; text after them gets the
// dummy prefix again.
bool is_special(TokenType type) {
    return type == TokenType::kControl || type == TokenType::kUnknown ||
           type == TokenType::kUserDefined;
}

void append_unescaped(std::string_view text, std::string& out) {
    size_t at = 0;
    for (size_t mark = text.find(kSpaceMark); mark != std::string_view::npos;
         mark = text.find(kSpaceMark, at)) {
        out.append(text.substr(at, mark - at));
        out.push_back(' ');
        at = mark + kSpaceMark.size();
    }
    out.append(text.substr(at));
}

// Byte-level characters back to bytes; a character outside the alphabet (only
// in a malformed vocabulary) is kept as its UTF-8.
void append_byte_level(std::string_view text, std::string& out) {
    for (size_t at = 0; at < text.size();) {
        uint32_t cp = 0;
        size_t length = core::decode_utf8(text, at, &cp);
        if (length == 0) {
            out.push_back(text[at++]);
            continue;
        }
        int byte = byte_from_code_point(cp);
        if (byte >= 0) {
            out.push_back(static_cast<char>(byte));
        } else {
            out.append(text.substr(at, length));
        }
        at += length;
    }
}

} // namespace

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
    std::vector<int32_t> out;
    out.reserve(text.size() / 3 + 2);
    if (add_special && add_bos_) out.push_back(bos_);
    std::vector<Fragment> fragments;
    specials_.partition(text, parse_special, fragments);
    bool after_special = true; // the start of the text counts as one
    for (const Fragment& fragment : fragments) {
        if (fragment.token != kNoToken) {
            out.push_back(fragment.token);
            after_special = true;
            continue;
        }
        encode_text(text.substr(fragment.begin, fragment.end - fragment.begin), after_special, out);
        after_special = false;
    }
    if (add_special && add_eos_) out.push_back(eos_);
    return out;
}

void Tokenizer::encode_text(std::string_view text, bool after_special,
                            std::vector<int32_t>& out) const {
    if (bpe_) {
        bpe_->encode(vocab_, text, out);
        return;
    }
    std::string escaped;
    escaped.reserve(text.size() + text.size() / 2 + kSpaceMark.size());
    if (add_space_prefix_ && after_special) escaped.append(kSpaceMark);
    for (char c : text) {
        if (c == ' ') {
            escaped.append(kSpaceMark);
        } else {
            escaped.push_back(c);
        }
    }
    encode_spm(vocab_, spm_byte_tokens_, escaped, out);
}

void Tokenizer::append_piece(int32_t id, std::string& out, bool render_special) const {
    if (!vocab_.contains(id)) return;
    std::string_view text = vocab_.text[static_cast<size_t>(id)];
    switch (vocab_.type[static_cast<size_t>(id)]) {
    case TokenType::kControl:
    case TokenType::kUnknown:
        if (render_special) out.append(text);
        return;
    case TokenType::kUserDefined:
        out.append(text);
        return;
    case TokenType::kUnused:
        return;
    case TokenType::kByte:
        // from_gguf() refused byte tokens spelled otherwise.
        out.push_back(static_cast<char>(byte_token_value(text).value_or(0)));
        return;
    case TokenType::kNormal:
        break;
    }
    if (model_ == TokenizerModel::kSentencePiece) {
        append_unescaped(text, out);
    } else {
        append_byte_level(text, out);
    }
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool render_special) const {
    std::string out;
    bool strip_space = add_space_prefix_; // encode() put one in front of the text
    for (int32_t id : ids) {
        size_t before = out.size();
        append_piece(id, out, render_special);
        if (vocab_.contains(id) && is_special(vocab_.type[static_cast<size_t>(id)])) {
            strip_space = add_space_prefix_;
            continue;
        }
        if (strip_space && out.size() > before && out[before] == ' ') out.erase(before, 1);
        strip_space = false;
    }
    return out;
}

bool Tokenizer::is_end_of_generation(int32_t id) const {
    return std::binary_search(end_of_generation_.begin(), end_of_generation_.end(), id);
}

std::string_view Tokenizer::token_text(int32_t id) const {
    return vocab_.contains(id) ? vocab_.text[static_cast<size_t>(id)] : std::string_view();
}

TokenType Tokenizer::token_type(int32_t id) const {
    return vocab_.contains(id) ? vocab_.type[static_cast<size_t>(id)] : TokenType::kNormal;
}

float Tokenizer::token_score(int32_t id) const {
    return vocab_.contains(id) ? vocab_.score[static_cast<size_t>(id)] : 0.0f;
}

std::optional<int32_t> Tokenizer::find(std::string_view text) const {
    int32_t id = vocab_.find(text);
    if (id == kNoToken) return std::nullopt;
    return id;
}

} // namespace edgeai::engine::tokenizer
