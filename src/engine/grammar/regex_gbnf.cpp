#include "engine/grammar/regex_gbnf.h"

#include "core/utf8.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/utf8_ranges.h"

#include <cstdio>
#include <vector>

namespace edgeai::engine::grammar {
namespace {

// A character as JSON writes it inside a string.
std::string json_char_literal(uint32_t cp, std::string_view utf8) {
    switch (cp) {
    case '"':
        return gbnf_literal("\\\"");
    case '\\':
        return gbnf_literal("\\\\");
    case '\n':
        return gbnf_literal("\\n");
    case '\t':
        return gbnf_literal("\\t");
    case '\r':
        return gbnf_literal("\\r");
    default:
        break;
    }
    if (cp < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
        return gbnf_literal(buf);
    }
    return gbnf_literal(utf8);
}

// Removes [lo, hi] from sorted disjoint ranges.
std::vector<CodeRange> subtract(const std::vector<CodeRange>& in, uint32_t lo, uint32_t hi) {
    std::vector<CodeRange> out;
    for (const CodeRange& r : in) {
        if (r.hi < lo || r.lo > hi) {
            out.push_back(r);
            continue;
        }
        if (r.lo < lo) out.push_back({r.lo, lo - 1});
        if (r.hi > hi) out.push_back({hi + 1, r.hi});
    }
    return out;
}

class RegexParser {
  public:
    RegexParser(std::string_view p, std::string_view any, const RegexLimits& limits)
        : p_(p), any_(any), limits_(limits) {}

    core::Result<std::string> run() {
        if (p_.size() > limits_.max_pattern_bytes)
            return error("longer than " + std::to_string(limits_.max_pattern_bytes) + " bytes");
        bool start = false, end = false;
        if (!p_.empty() && p_[0] == '^') {
            start = true;
            pos_ = 1;
        }
        if (p_.size() > pos_ && p_.back() == '$') {
            size_t slashes = 0;
            for (size_t i = p_.size() - 1; i > pos_ && p_[i - 1] == '\\'; --i)
                ++slashes;
            if (slashes % 2 == 0) {
                end = true;
                p_.remove_suffix(1);
            }
        }
        EDGEAI_ASSIGN_OR_RETURN(std::string body, alternation());
        if (pos_ != p_.size()) return error("unbalanced )");
        std::string out;
        if (!start) out += std::string(any_) + "* ";
        out += body;
        if (!end) out += " " + std::string(any_) + "*";
        return out;
    }

  private:
    core::Status error(const std::string& message) const {
        return core::invalid_argument("pattern: " + message + " (at byte " + std::to_string(pos_) +
                                      ")");
    }

    core::Result<std::string> alternation() {
        std::string out = "(";
        for (bool first = true;; first = false) {
            EDGEAI_ASSIGN_OR_RETURN(std::string s, sequence());
            out += (first ? "" : " | ") + s;
            if (pos_ < p_.size() && p_[pos_] == '|') {
                ++pos_;
                continue;
            }
            return out + ")";
        }
    }

    core::Result<std::string> sequence() {
        std::string out;
        while (pos_ < p_.size() && p_[pos_] != '|' && p_[pos_] != ')') {
            EDGEAI_ASSIGN_OR_RETURN(std::string a, atom());
            EDGEAI_ASSIGN_OR_RETURN(std::string q, quantifier());
            out += "(" + a + ")" + q + " ";
        }
        return out;
    }

    core::Result<std::string> quantifier() {
        if (pos_ >= p_.size()) return std::string();
        const char c = p_[pos_];
        std::string q;
        if (c == '*' || c == '+' || c == '?') {
            ++pos_;
            q = std::string(1, c);
        } else if (c == '{') {
            const size_t close = p_.find('}', pos_);
            if (close == std::string_view::npos) return error("unterminated {");
            const std::string_view inside = p_.substr(pos_ + 1, close - pos_ - 1);
            uint32_t numbers[2] = {0, 0};
            int which = 0;
            bool digits[2] = {false, false};
            for (char d : inside) {
                if (d == ',' && which == 0) {
                    which = 1;
                } else if (d >= '0' && d <= '9') {
                    numbers[which] = numbers[which] * 10 + static_cast<uint32_t>(d - '0');
                    digits[which] = true;
                    if (numbers[which] > limits_.max_count)
                        return error("repetition above " + std::to_string(limits_.max_count));
                } else {
                    return error("malformed {m,n}");
                }
            }
            if (!digits[0]) return error("malformed {m,n}");
            if (which == 1 && digits[1] && numbers[1] < numbers[0])
                return error("{m,n} with n < m");
            q = "{" + std::to_string(numbers[0]) +
                (which == 0 ? "" : "," + (digits[1] ? std::to_string(numbers[1]) : "")) + "}";
            pos_ = close + 1;
        } else {
            return std::string();
        }
        if (pos_ < p_.size() && (p_[pos_] == '?' || p_[pos_] == '+'))
            return error("lazy and possessive quantifiers are not supported");
        return q;
    }

    core::Result<uint32_t> read_char(std::string_view* bytes) {
        uint32_t cp = 0;
        const size_t n = core::decode_utf8(p_, pos_, &cp);
        if (n == 0) return error("not valid UTF-8");
        *bytes = p_.substr(pos_, n);
        pos_ += n;
        return cp;
    }

    static void shorthand(char c, std::vector<CodeRange>& out) {
        switch (c) {
        case 'd':
        case 'D':
            out.push_back({'0', '9'});
            break;
        case 'w':
        case 'W':
            out.push_back({'0', '9'});
            out.push_back({'A', 'Z'});
            out.push_back({'a', 'z'});
            out.push_back({'_', '_'});
            break;
        default:
            out.push_back({' ', ' '});
            out.push_back({'\t', '\r'});
        }
    }

    static std::string class_text(const std::vector<CodeRange>& ranges) {
        std::string out = "[";
        char buf[32];
        for (const CodeRange& r : ranges) {
            std::snprintf(buf, sizeof buf, "\\U%08X-\\U%08X", static_cast<unsigned>(r.lo),
                          static_cast<unsigned>(r.hi));
            out += buf;
        }
        return out + "]";
    }

    // A class as JSON can write it without escapes: ", \ and controls out.
    core::Result<std::string> class_expr(std::vector<CodeRange> ranges, bool negate) {
        ranges = normalize_ranges(std::move(ranges), negate);
        ranges = subtract(ranges, 0, 0x1F);
        ranges = subtract(ranges, '"', '"');
        ranges = subtract(ranges, '\\', '\\');
        if (ranges.empty()) return error("a character class matches nothing JSON can hold");
        return class_text(ranges);
    }

    // An escape's meaning as one code point; shorthand classes go to `set`.
    core::Result<uint32_t> escape(std::vector<CodeRange>* set, bool* negated_set) {
        if (pos_ + 1 >= p_.size()) return error("pattern ends with \\");
        const char e = p_[pos_ + 1];
        pos_ += 2;
        switch (e) {
        case 'd':
        case 'w':
        case 's':
        case 'D':
        case 'W':
        case 'S':
            shorthand(e, *set);
            *negated_set = e >= 'A' && e <= 'Z';
            return UINT32_MAX;
        case 'n':
            return uint32_t{'\n'};
        case 't':
            return uint32_t{'\t'};
        case 'r':
            return uint32_t{'\r'};
        default:
            break;
        }
        if ((e >= '0' && e <= '9') || e == 'b' || e == 'B' || e == 'k' || e == 'p' || e == 'P' ||
            e == 'u' || e == 'x' || e == 'c')
            return error(std::string("\\") + e + " is not in the supported regex subset");
        if ((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z'))
            return error(std::string("unknown escape \\") + e);
        return static_cast<uint32_t>(static_cast<unsigned char>(e));
    }

    core::Result<std::string> atom() {
        const char c = p_[pos_];
        if (c == '(') {
            if (++depth_ > limits_.max_nesting) return error("groups nested too deep");
            ++pos_;
            if (p_.substr(pos_, 2) == "?:")
                pos_ += 2;
            else if (pos_ < p_.size() && p_[pos_] == '?')
                return error("lookaround and named groups are not supported");
            EDGEAI_ASSIGN_OR_RETURN(std::string inner, alternation());
            if (pos_ >= p_.size() || p_[pos_] != ')') return error("missing )");
            ++pos_;
            --depth_;
            return inner;
        }
        if (c == '[') return char_class();
        if (c == '.') {
            ++pos_;
            return std::string(any_);
        }
        if (c == '*' || c == '+' || c == '?' || c == '{') return error("nothing to repeat");
        if (c == '^' || c == '$') return error("^ and $ are supported only at the ends");
        if (c == '\\') {
            std::vector<CodeRange> set;
            bool negated = false;
            const size_t at = pos_;
            EDGEAI_ASSIGN_OR_RETURN(uint32_t cp, escape(&set, &negated));
            if (cp == UINT32_MAX) {
                if (p_[at + 1] == 's')
                    return std::string("(\" \" | \"\\\\t\" | \"\\\\n\" | \"\\\\r\")");
                return class_expr(std::move(set), negated);
            }
            std::string utf8(1, static_cast<char>(cp));
            return json_char_literal(cp, utf8);
        }
        std::string_view bytes;
        EDGEAI_ASSIGN_OR_RETURN(uint32_t cp, read_char(&bytes));
        return json_char_literal(cp, bytes);
    }

    core::Result<std::string> char_class() {
        ++pos_;
        bool negated = false;
        if (pos_ < p_.size() && p_[pos_] == '^') {
            negated = true;
            ++pos_;
        }
        std::vector<CodeRange> ranges;
        bool first = true;
        for (;;) {
            if (pos_ >= p_.size()) return error("unterminated [");
            if (p_[pos_] == ']' && !first) {
                ++pos_;
                break;
            }
            first = false;
            uint32_t lo = 0;
            if (p_[pos_] == '\\') {
                std::vector<CodeRange> set;
                bool neg = false;
                EDGEAI_ASSIGN_OR_RETURN(lo, escape(&set, &neg));
                if (lo == UINT32_MAX) {
                    if (neg) return error("\\D, \\W and \\S inside [ ] are not supported");
                    ranges.insert(ranges.end(), set.begin(), set.end());
                    continue;
                }
            } else {
                std::string_view bytes;
                EDGEAI_ASSIGN_OR_RETURN(lo, read_char(&bytes));
            }
            uint32_t hi = lo;
            if (pos_ + 1 < p_.size() && p_[pos_] == '-' && p_[pos_ + 1] != ']') {
                ++pos_;
                if (p_[pos_] == '\\') {
                    std::vector<CodeRange> set;
                    bool neg = false;
                    EDGEAI_ASSIGN_OR_RETURN(hi, escape(&set, &neg));
                    if (hi == UINT32_MAX) return error("a class shorthand cannot end a range");
                } else {
                    std::string_view bytes;
                    EDGEAI_ASSIGN_OR_RETURN(hi, read_char(&bytes));
                }
                if (hi < lo) return error("range out of order");
            }
            ranges.push_back({lo, hi});
        }
        return class_expr(std::move(ranges), negated);
    }

    std::string_view p_;
    std::string_view any_;
    const RegexLimits& limits_;
    size_t pos_ = 0;
    uint32_t depth_ = 0;
};

} // namespace

core::Result<std::string> regex_to_gbnf(std::string_view pattern, std::string_view any_char,
                                        const RegexLimits& limits) {
    RegexParser p(pattern, any_char, limits);
    return p.run();
}

} // namespace edgeai::engine::grammar
