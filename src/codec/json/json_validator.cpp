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

enum CharClass : uint8_t { kOther = 0, kSpace = 1, kDigit = 2, kHexLetter = 4 };

constexpr std::array<uint8_t, 256> kClass = [] {
    std::array<uint8_t, 256> c{};
    c[' '] = c['\n'] = c['\r'] = c['\t'] = kSpace;
    for (int d = '0'; d <= '9'; ++d)
        c[static_cast<size_t>(d)] = kDigit;
    for (int h = 0; h < 6; ++h)
        c[static_cast<size_t>('a' + h)] = c[static_cast<size_t>('A' + h)] = kHexLetter;
    return c;
}();

uint8_t class_of(char c) {
    return kClass[static_cast<unsigned char>(c)];
}
bool is_digit(char c) {
    return class_of(c) == kDigit;
}

// Walks the bytes with a cursor rather than an index: the validator runs on
// every answer the proxy passes on, and the pointer form needs no bounds
// arithmetic per byte (half the instructions of the indexed form under -Os).
class Validator {
  public:
    Validator(std::string_view text, int max_depth)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()),
          max_depth_(max_depth < kMaxSupportedDepth ? max_depth : kMaxSupportedDepth) {}

    JsonCheck run() {
        JsonCheck out;
        out.valid = value_sequence();
        if (out.valid) {
            skip_ws();
            out.valid = p_ == end_;
        }
        out.too_deep = too_deep_;
        out.error_offset = static_cast<size_t>(p_ - begin_);
        return out;
    }

  private:
    void skip_ws() {
        while (p_ != end_ && class_of(*p_) == kSpace)
            ++p_;
    }

    // Walks values and containers iteratively: a stack of "object or array"
    // replaces recursion, so depth costs no native stack.
    bool value_sequence() {
        int depth = 0;
        while (true) {
            skip_ws();
            if (p_ == end_) return false;
            char c = *p_;
            bool opened = false;
            if (c == '{' || c == '[') {
                if (depth >= max_depth_) {
                    too_deep_ = true;
                    return false;
                }
                in_object_[static_cast<size_t>(depth++)] = (c == '{');
                ++p_;
                skip_ws();
                if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
                    ++p_;
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
                if (p_ == end_) return false;
                char d = *p_;
                bool object = in_object_[static_cast<size_t>(depth - 1)];
                if (d == ',') {
                    ++p_;
                    if (object && !member_key()) return false;
                    break;
                }
                if (d == (object ? '}' : ']')) {
                    ++p_;
                    --depth;
                    continue;
                }
                return false;
            }
        }
    }

    // "key" : (leaves p_ at the value)
    bool member_key() {
        skip_ws();
        if (p_ == end_ || *p_ != '"' || !string()) return false;
        skip_ws();
        if (p_ == end_ || *p_ != ':') return false;
        ++p_;
        return true;
    }

    bool scalar() {
        char c = *p_;
        if (c == '"') return string();
        if (c == 't') return literal("true");
        if (c == 'f') return literal("false");
        if (c == 'n') return literal("null");
        if (c == '-' || is_digit(c)) return number();
        return false;
    }

    bool literal(std::string_view word) {
        if (static_cast<size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word) {
            return false;
        }
        p_ += word.size();
        return true;
    }

    void digits() {
        while (p_ != end_ && is_digit(*p_))
            ++p_;
    }

    bool number() {
        if (*p_ == '-') ++p_;
        if (p_ == end_) return false;
        if (*p_ == '0') {
            ++p_;
        } else if (is_digit(*p_)) {
            digits();
        } else {
            return false;
        }
        if (p_ != end_ && *p_ == '.') {
            ++p_;
            if (p_ == end_ || !is_digit(*p_)) return false;
            digits();
        }
        if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
            ++p_;
            if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || !is_digit(*p_)) return false;
            digits();
        }
        return true;
    }

    bool string() {
        const char* p = p_ + 1; // past the opening quote
        const char* const end = end_;
        while (true) {
            while (p != end && !kStringStop[static_cast<unsigned char>(*p)])
                ++p;
            if (p == end) break;
            auto c = static_cast<unsigned char>(*p);
            if (c == '"') {
                p_ = p + 1;
                return true;
            }
            if (c < 0x20) break;
            if (c == '\\') {
                if (end - p < 2) break;
                char e = p[1];
                if (e == 'u') {
                    uint32_t unit = 0;
                    if (!hex4(p + 2, &unit)) break;
                    p += 6;
                    // A high surrogate must be followed by an escaped low one,
                    // as RapidJSON (which parses the same text) requires.
                    if (unit >= 0xD800 && unit <= 0xDBFF) {
                        uint32_t low = 0;
                        if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &low) ||
                            low < 0xDC00 || low > 0xDFFF) {
                            break;
                        }
                        p += 6;
                    }
                    continue;
                }
                if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' &&
                    e != 'r' && e != 't') {
                    break;
                }
                p += 2;
                continue;
            }
            uint32_t code_point = 0;
            const auto at = static_cast<size_t>(p - begin_);
            size_t length = core::decode_utf8(
                std::string_view(begin_, static_cast<size_t>(end - begin_)), at, &code_point);
            if (length == 0) break;
            p += length;
        }
        p_ = p; // where it went wrong
        return false;
    }

    // Four hex digits at `at`, as a UTF-16 code unit.
    bool hex4(const char* at, uint32_t* unit) const {
        if (end_ - at < 4) return false;
        uint32_t value = 0;
        for (int k = 0; k < 4; ++k) {
            char h = at[k];
            uint8_t kind = class_of(h);
            if (kind == kDigit) {
                value = value * 16 + static_cast<uint32_t>(h - '0');
            } else if (kind == kHexLetter) {
                value = value * 16 + static_cast<uint32_t>((h | 0x20) - 'a' + 10);
            } else {
                return false;
            }
        }
        *unit = value;
        return true;
    }

    const char* begin_;
    const char* p_;
    const char* end_;
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
