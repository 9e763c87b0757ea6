#include "codec/json/json_validator.h"

#include "core/utf8.h"

#include <array>
#include <cstdint>

namespace edgeai::codec {

namespace {

constexpr int kMaxSupportedDepth = 1024;

// Bytes a string scan must stop at: the quote, the backslash, control
// characters and the lead of every non-ASCII sequence; the rest are skipped in
// a tight loop.
constexpr std::array<bool, 256> kStringStop = [] {
    std::array<bool, 256> stop{};
    for (int c = 0; c < 0x20; ++c)
        stop[static_cast<size_t>(c)] = true;
    for (int c = 0x80; c < 0x100; ++c)
        stop[static_cast<size_t>(c)] = true;
    stop['"'] = true;
    stop['\\'] = true;
    return stop;
}();

bool is_ws(char c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

class Validator {
  public:
    Validator(std::string_view text, int max_depth)
        : s_(text), max_depth_(max_depth < kMaxSupportedDepth ? max_depth : kMaxSupportedDepth) {}

    JsonCheck run() {
        JsonCheck out;
        out.valid = value_sequence();
        if (out.valid) {
            skip_ws();
            out.valid = i_ == s_.size();
        }
        out.too_deep = too_deep_;
        out.error_offset = i_;
        return out;
    }

  private:
    void skip_ws() {
        while (i_ < s_.size() && is_ws(s_[i_]))
            ++i_;
    }

    // Walks values and containers iteratively: a stack of "object or array"
    // replaces recursion, so depth costs no native stack.
    bool value_sequence() {
        int depth = 0;
        while (true) {
            skip_ws();
            if (i_ >= s_.size()) return false;
            char c = s_[i_];
            bool opened = false;
            if (c == '{' || c == '[') {
                if (depth >= max_depth_) {
                    too_deep_ = true;
                    return false;
                }
                in_object_[static_cast<size_t>(depth++)] = (c == '{');
                ++i_;
                skip_ws();
                if (i_ < s_.size() && s_[i_] == (c == '{' ? '}' : ']')) {
                    ++i_;
                    --depth;
                } else if (c == '{') {
                    if (!member_key()) return false;
                    continue;
                } else {
                    continue;
                }
                opened = true;
            }
            if (!opened && !scalar()) return false;
            // After a value: close containers or move to the next item.
            while (true) {
                if (depth == 0) return true;
                skip_ws();
                if (i_ >= s_.size()) return false;
                char d = s_[i_];
                bool object = in_object_[static_cast<size_t>(depth - 1)];
                if (d == ',') {
                    ++i_;
                    if (object && !member_key()) return false;
                    break;
                }
                if (d == (object ? '}' : ']')) {
                    ++i_;
                    --depth;
                    continue;
                }
                return false;
            }
        }
    }

    // "key" : (leaves i_ at the value)
    bool member_key() {
        skip_ws();
        if (i_ >= s_.size() || s_[i_] != '"' || !string()) return false;
        skip_ws();
        if (i_ >= s_.size() || s_[i_] != ':') return false;
        ++i_;
        return true;
    }

    bool scalar() {
        char c = s_[i_];
        if (c == '"') return string();
        if (c == 't') return literal("true");
        if (c == 'f') return literal("false");
        if (c == 'n') return literal("null");
        if (c == '-' || is_digit(c)) return number();
        return false;
    }

    bool literal(std::string_view word) {
        if (s_.substr(i_, word.size()) != word) return false;
        i_ += word.size();
        return true;
    }

    bool number() {
        if (s_[i_] == '-') ++i_;
        if (i_ >= s_.size()) return false;
        if (s_[i_] == '0') {
            ++i_;
        } else if (is_digit(s_[i_])) {
            while (i_ < s_.size() && is_digit(s_[i_]))
                ++i_;
        } else {
            return false;
        }
        if (i_ < s_.size() && s_[i_] == '.') {
            ++i_;
            if (i_ >= s_.size() || !is_digit(s_[i_])) return false;
            while (i_ < s_.size() && is_digit(s_[i_]))
                ++i_;
        }
        if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
            ++i_;
            if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
            if (i_ >= s_.size() || !is_digit(s_[i_])) return false;
            while (i_ < s_.size() && is_digit(s_[i_]))
                ++i_;
        }
        return true;
    }

    bool string() {
        ++i_; // the opening quote
        while (i_ < s_.size()) {
            while (i_ < s_.size() && !kStringStop[static_cast<unsigned char>(s_[i_])])
                ++i_;
            if (i_ >= s_.size()) return false;
            auto c = static_cast<unsigned char>(s_[i_]);
            if (c == '"') {
                ++i_;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                if (i_ + 1 >= s_.size()) return false;
                char e = s_[i_ + 1];
                if (e == 'u') {
                    uint32_t unit = 0;
                    if (!hex4(i_ + 2, &unit)) return false;
                    i_ += 6;
                    // A high surrogate must be followed by an escaped low one,
                    // as RapidJSON (which parses the same text) requires.
                    if (unit >= 0xD800 && unit <= 0xDBFF) {
                        uint32_t low = 0;
                        if (i_ + 6 > s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u' ||
                            !hex4(i_ + 2, &low) || low < 0xDC00 || low > 0xDFFF) {
                            return false;
                        }
                        i_ += 6;
                    }
                    continue;
                }
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                    e != 'r' && e != 't') {
                    return false;
                }
                i_ += 2;
                continue;
            }
            if (c < 0x80) {
                ++i_;
                continue;
            }
            uint32_t code_point = 0;
            size_t length = core::decode_utf8(s_, i_, &code_point);
            if (length == 0) return false;
            i_ += length;
        }
        return false;
    }

    // Four hex digits at s_[at], as a UTF-16 code unit.
    bool hex4(size_t at, uint32_t* unit) const {
        if (at + 4 > s_.size()) return false;
        uint32_t value = 0;
        for (size_t k = 0; k < 4; ++k) {
            char h = s_[at + k];
            if (!is_hex(h)) return false;
            uint32_t digit = is_digit(h) ? static_cast<uint32_t>(h - '0')
                                         : static_cast<uint32_t>((h | 0x20) - 'a' + 10);
            value = value * 16 + digit;
        }
        *unit = value;
        return true;
    }

    std::string_view s_;
    size_t i_ = 0;
    int max_depth_;
    bool too_deep_ = false;
    // Written before read at every depth, so left uninitialised.
    std::array<bool, kMaxSupportedDepth> in_object_;
};

} // namespace

JsonCheck check_json(std::string_view text, int max_depth) {
    return Validator(text, max_depth).run();
}

} // namespace edgeai::codec
