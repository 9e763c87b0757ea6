#include "engine/template/lexer.h"

#include "core/utf8.h"

#include <cstring>

namespace edgeai::engine::tmpl {

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || is_digit(c);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Jinja decodes string literals with Python's unicode-escape codec: the
// escapes below, and any other backslash kept as written.
void unescape_into(std::string& out, std::string_view body) {
    for (size_t i = 0; i < body.size(); ++i) {
        if (body[i] != '\\' || i + 1 == body.size()) {
            out += body[i];
            continue;
        }
        const char e = body[++i];
        switch (e) {
        case '\n':
            break; // a line continuation
        case '\\':
        case '\'':
        case '"':
            out += e;
            break;
        case 'n':
            out += '\n';
            break;
        case 't':
            out += '\t';
            break;
        case 'r':
            out += '\r';
            break;
        case 'a':
            out += '\a';
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'v':
            out += '\v';
            break;
        case 'x':
        case 'u':
        case 'U': {
            const size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
            uint32_t cp = 0;
            bool ok = i + digits < body.size();
            for (size_t k = 1; ok && k <= digits; ++k) {
                const int h = hex_value(body[i + k]);
                if (h < 0)
                    ok = false;
                else
                    cp = cp * 16 + static_cast<uint32_t>(h);
            }
            if (!ok || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
                out += '\\';
                out += e;
                break;
            }
            core::append_utf8(out, cp);
            i += digits;
            break;
        }
        default:
            if (e >= '0' && e <= '7') {
                uint32_t cp = static_cast<uint32_t>(e - '0');
                for (int k = 0;
                     k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7';
                     ++k) {
                    cp = cp * 8 + static_cast<uint32_t>(body[++i] - '0');
                }
                core::append_utf8(out, cp);
            } else {
                out += '\\';
                out += e;
            }
        }
    }
}

class Lexer {
  public:
    explicit Lexer(std::string src) : src_(std::move(src)) {}

    core::Result<std::vector<Token>> run() {
        size_t pos = 0;
        bool line_starting = true;
        while (pos < src_.size()) {
            const size_t tag = find_tag(pos);
            std::string_view text(src_.data() + pos,
                                  (tag == std::string::npos ? src_.size() : tag) - pos);
            if (tag == std::string::npos) {
                emit_text(text);
                break;
            }
            const char kind = src_[tag + 1];
            const char sign =
                tag + 2 < src_.size() && (src_[tag + 2] == '-' || src_[tag + 2] == '+')
                    ? src_[tag + 2]
                    : 0;
            const int text_lines = count_lines(text);
            if (sign == '-') {
                size_t keep = text.size();
                while (keep > 0 && is_space(text[keep - 1]))
                    --keep;
                text = text.substr(0, keep);
            } else if (kind != '{' && sign != '+') {
                const size_t nl = text.rfind('\n');
                const size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
                if ((l_pos > 0 || line_starting) && l_pos < text.size() &&
                    all_space(text.substr(l_pos))) {
                    text = text.substr(0, l_pos);
                }
            }
            emit_text(text);
            line_ += text_lines - count_lines(text);
            pos = tag + 2 + (sign ? 1 : 0);
            if (kind == '#') {
                EDGEAI_ASSIGN_OR_RETURN(pos, skip_comment(pos));
            } else if (kind == '%' && is_raw(pos)) {
                EDGEAI_ASSIGN_OR_RETURN(pos, read_raw(pos));
            } else {
                EDGEAI_ASSIGN_OR_RETURN(pos, read_tag(pos, kind == '%'));
            }
            line_starting = pos > 0 && src_[pos - 1] == '\n';
        }
        tokens_.push_back({TokenKind::kEnd, "", line_});
        return std::move(tokens_);
    }

  private:
    static int count_lines(std::string_view s) {
        int n = 0;
        for (char c : s)
            n += c == '\n';
        return n;
    }
    static bool all_space(std::string_view s) {
        for (char c : s) {
            if (!is_space(c)) return false;
        }
        return true;
    }

    size_t find_tag(size_t from) const {
        for (size_t i = src_.find('{', from); i != std::string::npos; i = src_.find('{', i + 1)) {
            if (i + 1 < src_.size() &&
                (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
                return i;
            }
        }
        return std::string::npos;
    }

    void emit_text(std::string_view text) {
        if (!text.empty()) tokens_.push_back({TokenKind::kText, std::string(text), line_});
        line_ += count_lines(text);
    }

    // After a tag's end: `-` takes all whitespace, `+` none, a block (and a
    // comment) otherwise its one newline (trim_blocks).
    size_t after_end(size_t pos, char sign, bool block) {
        if (sign == '-') {
            while (pos < src_.size() && is_space(src_[pos])) {
                line_ += src_[pos] == '\n';
                ++pos;
            }
        } else if (sign != '+' && block && pos < src_.size() && src_[pos] == '\n') {
            ++line_;
            ++pos;
        }
        return pos;
    }

    core::Result<size_t> skip_comment(size_t pos) {
        const size_t end = src_.find("#}", pos);
        if (end == std::string::npos) return error("unterminated comment: '{#' without '#}'");
        line_ += count_lines(std::string_view(src_).substr(pos, end - pos));
        const char sign =
            end > pos && (src_[end - 1] == '-' || src_[end - 1] == '+') ? src_[end - 1] : 0;
        return after_end(end + 2, sign, true);
    }

    // {% raw %} ... {% endraw %}: the text between is output as written.
    bool is_raw(size_t pos) const {
        size_t p = pos;
        while (p < src_.size() && is_space(src_[p]))
            ++p;
        if (src_.compare(p, 3, "raw") != 0) return false;
        p += 3;
        while (p < src_.size() && is_space(src_[p]))
            ++p;
        return p < src_.size() && (src_[p] == '%' || src_[p] == '-' || src_[p] == '+');
    }

    core::Result<size_t> read_raw(size_t pos) {
        size_t p = src_.find("%}", pos);
        if (p == std::string::npos) return error("unterminated 'raw' tag");
        const char open_sign = src_[p - 1] == '-' || src_[p - 1] == '+' ? src_[p - 1] : 0;
        p = after_end(p + 2, open_sign, true);
        for (size_t at = src_.find("{%", p); at != std::string::npos;
             at = src_.find("{%", at + 2)) {
            size_t q = at + 2;
            const char sign = q < src_.size() && (src_[q] == '-' || src_[q] == '+') ? src_[q] : 0;
            if (sign) ++q;
            while (q < src_.size() && is_space(src_[q]))
                ++q;
            if (src_.compare(q, 6, "endraw") != 0) continue;
            q += 6;
            while (q < src_.size() && is_space(src_[q]))
                ++q;
            char end_sign = 0;
            if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) end_sign = src_[q++];
            if (src_.compare(q, 2, "%}") != 0) continue;
            std::string_view body(src_.data() + p, at - p);
            if (sign == '-') {
                while (!body.empty() && is_space(body.back()))
                    body.remove_suffix(1);
            }
            const int body_lines = count_lines(std::string_view(src_).substr(p, at - p));
            emit_text(body);
            line_ += body_lines - count_lines(body);
            line_ += count_lines(std::string_view(src_).substr(at, q - at));
            return after_end(q + 2, end_sign, true);
        }
        return error("'raw' block without 'endraw'");
    }

    core::Result<size_t> read_tag(size_t pos, bool block) {
        tokens_.push_back({block ? TokenKind::kBlockBegin : TokenKind::kVarBegin, "", line_});
        const int start_line = line_;
        int depth = 0; // open brackets: an end marker inside them is not the end
        while (true) {
            while (pos < src_.size() && is_space(src_[pos])) {
                line_ += src_[pos] == '\n';
                ++pos;
            }
            if (pos >= src_.size()) {
                line_ = start_line;
                return error(block ? "unterminated block tag: '{%' without '%}'"
                                   : "unterminated expression: '{{' without '}}'");
            }
            if (depth == 0) {
                const char* end = block ? "%}" : "}}";
                char sign = 0;
                size_t at = pos;
                if ((src_[at] == '-' || src_[at] == '+') && src_.compare(at + 1, 2, end) == 0) {
                    sign = src_[at++];
                }
                if (src_.compare(at, 2, end) == 0) {
                    tokens_.push_back(
                        {block ? TokenKind::kBlockEnd : TokenKind::kVarEnd, "", line_});
                    return after_end(at + 2, sign, block);
                }
            }
            const char c = src_[pos];
            if (is_name_start(c)) {
                size_t end = pos + 1;
                while (end < src_.size() && is_name_char(src_[end]))
                    ++end;
                tokens_.push_back({TokenKind::kName, src_.substr(pos, end - pos), line_});
                pos = end;
            } else if (is_digit(c)) {
                pos = read_number(pos);
            } else if (c == '\'' || c == '"') {
                EDGEAI_ASSIGN_OR_RETURN(pos, read_string(pos));
            } else {
                static constexpr const char* kTwo[] = {"//", "**", "==", "!=", "<=", ">="};
                std::string op(1, c);
                for (const char* two : kTwo) {
                    if (src_.compare(pos, 2, two) == 0) op = two;
                }
                if (op.size() == 1 && std::strchr("+-*/%~<>()[]{},.:|=", c) == nullptr) {
                    return error(std::string("unexpected character '") + c + "' in a tag");
                }
                if (c == '(' || c == '[' || c == '{') ++depth;
                if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
                tokens_.push_back({TokenKind::kOperator, op, line_});
                pos += op.size();
            }
        }
    }

    size_t read_number(size_t pos) {
        size_t end = pos;
        auto digits = [&] {
            while (end < src_.size() && (is_digit(src_[end]) || src_[end] == '_'))
                ++end;
        };
        digits();
        bool is_float = false;
        if (end + 1 < src_.size() && src_[end] == '.' && is_digit(src_[end + 1])) {
            is_float = true;
            ++end;
            digits();
        }
        if (end < src_.size() && (src_[end] == 'e' || src_[end] == 'E')) {
            size_t e = end + 1;
            if (e < src_.size() && (src_[e] == '+' || src_[e] == '-')) ++e;
            if (e < src_.size() && is_digit(src_[e])) {
                is_float = true;
                end = e;
                digits();
            }
        }
        std::string text;
        for (size_t i = pos; i < end; ++i) {
            if (src_[i] != '_') text += src_[i];
        }
        tokens_.push_back({is_float ? TokenKind::kFloat : TokenKind::kInteger, text, line_});
        return end;
    }

    core::Result<size_t> read_string(size_t pos) {
        const char quote = src_[pos];
        size_t end = pos + 1;
        while (end < src_.size() && src_[end] != quote) {
            if (src_[end] == '\\') ++end;
            ++end;
        }
        if (end >= src_.size()) return error("unterminated string literal");
        std::string value;
        unescape_into(value, std::string_view(src_).substr(pos + 1, end - pos - 1));
        tokens_.push_back({TokenKind::kString, std::move(value), line_});
        line_ += count_lines(std::string_view(src_).substr(pos, end - pos));
        return end + 1;
    }

    core::Status error(const std::string& what) const {
        return core::invalid_argument("chat template line " + std::to_string(line_) + ": " + what);
    }

    std::string src_;
    std::vector<Token> tokens_;
    int line_ = 1;
};

// Jinja reads \r\n and \r as \n, and drops one trailing newline.
std::string normalize_newlines(std::string_view source) {
    std::string out;
    out.reserve(source.size());
    for (size_t i = 0; i < source.size(); ++i) {
        if (source[i] == '\r') {
            out += '\n';
            if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
        } else {
            out += source[i];
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

} // namespace

core::Result<std::vector<Token>> tokenize(std::string_view source) {
    return Lexer(normalize_newlines(source)).run();
}

} // namespace edgeai::engine::tmpl
