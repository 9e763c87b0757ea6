// GBNF text to the flat Grammar: a recursive-descent parser that builds rules
// of element sequences, then checks them (every rule defined, `root` present,
// no left recursion) and lays them out for the matcher.
#include "core/utf8.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/utf8_ranges.h"
#include "engine/tokenizer/byte_level.h"

#include <algorithm>
#include <unordered_map>

namespace edgeai::engine::grammar {
namespace {

using Seq = std::vector<Element>;

struct Rule {
    std::vector<Seq> alts;
    bool defined = false;
    size_t first_use = 0; // source offset, for "undefined rule" errors
};

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

class Parser {
  public:
    Parser(std::string_view src, const GrammarLimits& limits) : src_(src), limits_(limits) {
        single_.fill(UINT32_MAX);
    }

    core::Status parse() {
        skip_ws();
        while (pos_ < src_.size()) {
            const size_t start = pos_;
            std::string_view name = read_name();
            if (name.empty()) return error("expected a rule name");
            skip_ws();
            if (src_.substr(pos_, 3) != "::=")
                return error("expected ::= after the rule name " + std::string(name));
            pos_ += 3;
            EDGEAI_ASSIGN_OR_RETURN(uint32_t id, rule_id(name, start));
            if (rules_[id].defined) {
                pos_ = start;
                return error("rule " + std::string(name) + " is defined twice");
            }
            std::vector<Seq> alts;
            EDGEAI_TRY(parse_alternates(alts, false));
            rules_[id].alts = std::move(alts);
            rules_[id].defined = true;
            skip_ws();
        }
        return {};
    }

    core::Result<std::shared_ptr<const Grammar>> finish();

  private:
    core::Status error(const std::string& message) const {
        size_t line = 1, col = 1;
        for (size_t i = 0; i < pos_ && i < src_.size(); ++i) {
            if (src_[i] == '\n') {
                ++line;
                col = 1;
            } else {
                ++col;
            }
        }
        return core::invalid_argument("grammar line " + std::to_string(line) + ", column " +
                                      std::to_string(col) + ": " + message);
    }

    void skip_ws() {
        while (pos_ < src_.size()) {
            const char c = src_[pos_];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                ++pos_;
            } else if (c == '#') {
                while (pos_ < src_.size() && src_[pos_] != '\n')
                    ++pos_;
            } else {
                break;
            }
        }
    }

    std::string_view read_name() {
        const size_t start = pos_;
        while (pos_ < src_.size() && is_name_char(src_[pos_]))
            ++pos_;
        return src_.substr(start, pos_ - start);
    }

    // Whether a `name ::=` starts here: the end of the rule being read.
    bool at_rule_start() const {
        size_t p = pos_;
        while (p < src_.size() && is_name_char(src_[p]))
            ++p;
        if (p == pos_) return false;
        while (p < src_.size() &&
               (src_[p] == ' ' || src_[p] == '\t' || src_[p] == '\r' || src_[p] == '\n'))
            ++p;
        return src_.substr(p, 3) == "::=";
    }

    core::Result<uint32_t> rule_id(std::string_view name, size_t at) {
        auto it = ids_.find(std::string(name));
        if (it != ids_.end()) return it->second;
        if (rules_.size() >= limits_.max_rules)
            return error("more than " + std::to_string(limits_.max_rules) + " rules");
        const auto id = static_cast<uint32_t>(rules_.size());
        rules_.emplace_back();
        rules_.back().first_use = at;
        names_.emplace_back(name);
        ids_.emplace(std::string(name), id);
        return id;
    }

    core::Result<uint32_t> helper_rule(std::vector<Seq> alts) {
        if (rules_.size() >= limits_.max_rules)
            return error("more than " + std::to_string(limits_.max_rules) + " rules");
        const auto id = static_cast<uint32_t>(rules_.size());
        rules_.emplace_back();
        rules_.back().alts = std::move(alts);
        rules_.back().defined = true;
        names_.push_back("_" + std::to_string(id));
        return id;
    }

    core::Status count(size_t n) {
        elements_ += n;
        if (elements_ > limits_.max_elements)
            return error("the grammar expands to more than " +
                         std::to_string(limits_.max_elements) + " elements");
        return {};
    }

    uint32_t add_set(const ByteSet& set) {
        sets_.push_back(set);
        return static_cast<uint32_t>(sets_.size() - 1);
    }

    uint32_t single(uint8_t b) {
        if (single_[b] == UINT32_MAX) {
            ByteSet s;
            s.add(b);
            single_[b] = add_set(s);
        }
        return single_[b];
    }

    core::Status parse_alternates(std::vector<Seq>& out, bool nested) {
        for (;;) {
            Seq seq;
            EDGEAI_TRY(parse_sequence(seq, nested));
            out.push_back(std::move(seq));
            skip_ws();
            if (pos_ < src_.size() && src_[pos_] == '|') {
                ++pos_;
                continue;
            }
            return {};
        }
    }

    core::Status parse_sequence(Seq& seq, bool nested) {
        for (;;) {
            skip_ws();
            if (pos_ >= src_.size()) return {};
            const char c = src_[pos_];
            if (c == '|' || c == ')') return {};
            if (is_name_char(c) && at_rule_start()) {
                if (nested) return error("missing ) before the next rule");
                return {};
            }
            Seq atom;
            EDGEAI_TRY(parse_atom(atom));
            for (;;) {
                skip_ws();
                if (pos_ >= src_.size()) break;
                const char p = src_[pos_];
                if (p != '*' && p != '+' && p != '?' && p != '{') break;
                EDGEAI_TRY(apply_postfix(atom));
            }
            EDGEAI_TRY(count(atom.size()));
            seq.insert(seq.end(), atom.begin(), atom.end());
        }
    }

    core::Status parse_atom(Seq& atom) {
        const char c = src_[pos_];
        if (c == '"') {
            ++pos_;
            for (;;) {
                if (pos_ >= src_.size()) return error("unterminated string literal");
                if (src_[pos_] == '"') {
                    ++pos_;
                    return {};
                }
                EDGEAI_ASSIGN_OR_RETURN(uint32_t cp, read_char());
                utf8_.clear();
                tokenizer::append_utf8(cp, utf8_);
                for (char b : utf8_)
                    atom.push_back({Op::kBytes, single(static_cast<uint8_t>(b))});
            }
        }
        if (c == '[') return parse_class(atom);
        if (c == '.') {
            ++pos_;
            return class_element({}, true, atom);
        }
        if (c == '(') {
            if (++depth_ > limits_.max_nesting)
                return error("groups nested deeper than " + std::to_string(limits_.max_nesting));
            ++pos_;
            std::vector<Seq> alts;
            EDGEAI_TRY(parse_alternates(alts, true));
            if (pos_ >= src_.size() || src_[pos_] != ')') return error("expected )");
            ++pos_;
            --depth_;
            if (alts.size() == 1) {
                atom = std::move(alts[0]);
            } else {
                EDGEAI_ASSIGN_OR_RETURN(uint32_t id, helper_rule(std::move(alts)));
                atom.push_back({Op::kCall, id});
            }
            return {};
        }
        if (is_name_char(c)) {
            const size_t at = pos_;
            std::string_view name = read_name();
            EDGEAI_ASSIGN_OR_RETURN(uint32_t id, rule_id(name, at));
            atom.push_back({Op::kCall, id});
            return {};
        }
        return error(std::string("unexpected character '") + c + "'");
    }

    // One character of a literal or class: an escape or a UTF-8 sequence.
    core::Result<uint32_t> read_char() {
        if (src_[pos_] != '\\') {
            uint32_t cp = 0;
            const size_t n = core::decode_utf8(src_, pos_, &cp);
            if (n == 0) return error("the grammar is not valid UTF-8");
            pos_ += n;
            return cp;
        }
        if (pos_ + 1 >= src_.size()) return error("unfinished escape");
        const char e = src_[pos_ + 1];
        pos_ += 2;
        switch (e) {
        case 'n':
            return uint32_t{'\n'};
        case 'r':
            return uint32_t{'\r'};
        case 't':
            return uint32_t{'\t'};
        case '\\':
        case '"':
        case '[':
        case ']':
        case '-':
        case '^':
        case '/':
        case '\'':
            return static_cast<uint32_t>(e);
        case 'x':
            return read_hex(2);
        case 'u':
            return read_hex(4);
        case 'U':
            return read_hex(8);
        default:
            pos_ -= 2;
            return error(std::string("unknown escape \\") + e);
        }
    }

    core::Result<uint32_t> read_hex(int digits) {
        uint32_t v = 0;
        for (int i = 0; i < digits; ++i) {
            const int h = pos_ < src_.size() ? hex_value(src_[pos_]) : -1;
            if (h < 0) return error("expected " + std::to_string(digits) + " hex digits");
            v = v * 16 + static_cast<uint32_t>(h);
            ++pos_;
        }
        if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
            return error("escape names no Unicode scalar value");
        return v;
    }

    core::Status parse_class(Seq& atom) {
        ++pos_;
        bool negated = false;
        if (pos_ < src_.size() && src_[pos_] == '^') {
            negated = true;
            ++pos_;
        }
        std::vector<CodeRange> ranges;
        for (;;) {
            if (pos_ >= src_.size()) return error("unterminated character class");
            if (src_[pos_] == ']') {
                ++pos_;
                break;
            }
            EDGEAI_ASSIGN_OR_RETURN(uint32_t lo, read_char());
            uint32_t hi = lo;
            if (pos_ + 1 < src_.size() && src_[pos_] == '-' && src_[pos_ + 1] != ']') {
                ++pos_;
                EDGEAI_ASSIGN_OR_RETURN(hi, read_char());
                if (hi < lo) return error("character range out of order");
            }
            ranges.push_back({lo, hi});
        }
        if (ranges.empty() && !negated) return error("empty character class");
        return class_element(std::move(ranges), negated, atom);
    }

    core::Status class_element(std::vector<CodeRange> ranges, bool negated, Seq& atom) {
        ranges = normalize_ranges(std::move(ranges), negated);
        std::vector<ByteSeq> seqs = utf8_sequences(ranges);
        if (seqs.empty()) return error("the character class matches nothing");
        // One byte long sequences share a set; longer ones become alternatives.
        ByteSet ascii;
        bool has_ascii = false;
        std::vector<Seq> alts;
        for (const ByteSeq& s : seqs) {
            if (s.size() == 1) {
                ascii.add_range(s[0].lo, s[0].hi);
                has_ascii = true;
                continue;
            }
            Seq alt;
            for (const ByteRange& r : s) {
                ByteSet set;
                set.add_range(r.lo, r.hi);
                alt.push_back({Op::kBytes, add_set(set)});
            }
            EDGEAI_TRY(count(alt.size()));
            alts.push_back(std::move(alt));
        }
        if (has_ascii) {
            const Element e{Op::kBytes, add_set(ascii)};
            if (alts.empty()) {
                atom.push_back(e);
                return {};
            }
            alts.push_back({e});
        }
        EDGEAI_ASSIGN_OR_RETURN(uint32_t id, helper_rule(std::move(alts)));
        atom.push_back({Op::kCall, id});
        return {};
    }

    core::Result<uint32_t> read_count() {
        uint32_t v = 0;
        size_t digits = 0;
        while (pos_ < src_.size() && src_[pos_] >= '0' && src_[pos_] <= '9') {
            v = v * 10 + static_cast<uint32_t>(src_[pos_] - '0');
            ++pos_;
            if (++digits > 6 || v > limits_.max_repeat)
                return error("repetition count above " + std::to_string(limits_.max_repeat));
        }
        if (digits == 0) return error("expected a number in { }");
        return v;
    }

    core::Status apply_postfix(Seq& atom) {
        if (atom.empty()) return error("nothing to repeat");
        if (atom.size() != 1) {
            EDGEAI_ASSIGN_OR_RETURN(uint32_t id, helper_rule({atom}));
            atom.assign(1, {Op::kCall, id});
        }
        const Element x = atom[0];
        const char op = src_[pos_++];
        uint32_t min = 0, max = 0;
        bool unbounded = false;
        if (op == '*') {
            unbounded = true;
        } else if (op == '+') {
            min = 1;
            unbounded = true;
        } else if (op == '?') {
            max = 1;
        } else {
            skip_ws();
            EDGEAI_ASSIGN_OR_RETURN(min, read_count());
            skip_ws();
            max = min;
            if (pos_ < src_.size() && src_[pos_] == ',') {
                ++pos_;
                skip_ws();
                if (pos_ < src_.size() && src_[pos_] == '}') {
                    unbounded = true;
                } else {
                    EDGEAI_ASSIGN_OR_RETURN(max, read_count());
                    skip_ws();
                }
            }
            if (pos_ >= src_.size() || src_[pos_] != '}') return error("expected }");
            ++pos_;
            if (!unbounded && max < min) return error("repetition {m,n} with n < m");
        }
        atom.clear();
        EDGEAI_TRY(count(min + (unbounded ? 1 : 2 * size_t{max - min})));
        for (uint32_t i = 0; i < min; ++i)
            atom.push_back(x);
        if (unbounded) {
            // r ::= x r | ε, the call last so the matcher's stack stays flat.
            EDGEAI_ASSIGN_OR_RETURN(uint32_t id, helper_rule({}));
            rules_[id].alts = {{x, {Op::kCall, id}}, {}};
            atom.push_back({Op::kCall, id});
        } else if (max > min) {
            // o1 ::= x | ε; ok ::= x o(k-1) | ε
            EDGEAI_ASSIGN_OR_RETURN(uint32_t prev, helper_rule({{x}, {}}));
            for (uint32_t k = 2; k <= max - min; ++k) {
                EDGEAI_ASSIGN_OR_RETURN(prev, helper_rule({{x, {Op::kCall, prev}}, {}}));
            }
            atom.push_back({Op::kCall, prev});
        }
        return {};
    }

    core::Status check_defined() {
        for (size_t i = 0; i < rules_.size(); ++i) {
            if (!rules_[i].defined) {
                pos_ = rules_[i].first_use;
                return error("rule " + names_[i] + " is used but never defined");
            }
        }
        if (ids_.find("root") == ids_.end()) {
            pos_ = 0;
            return error("no rule named root (the grammar's start)");
        }
        return {};
    }

    core::Status check_left_recursion() {
        const size_t n = rules_.size();
        std::vector<uint8_t> nullable(n, 0);
        for (bool changed = true; changed;) {
            changed = false;
            for (size_t r = 0; r < n; ++r) {
                if (nullable[r]) continue;
                for (const Seq& alt : rules_[r].alts) {
                    bool all = true;
                    for (const Element& e : alt)
                        if (e.op != Op::kCall || !nullable[e.arg]) {
                            all = false;
                            break;
                        }
                    if (all) {
                        nullable[r] = 1;
                        changed = true;
                        break;
                    }
                }
            }
        }
        // Rules each rule may call before reading a byte.
        std::vector<std::vector<uint32_t>> first(n);
        for (size_t r = 0; r < n; ++r)
            for (const Seq& alt : rules_[r].alts)
                for (const Element& e : alt) {
                    if (e.op != Op::kCall) break;
                    first[r].push_back(e.arg);
                    if (!nullable[e.arg]) break;
                }
        // Iterative depth-first search for a cycle.
        std::vector<uint8_t> color(n, 0); // 0 new, 1 on the path, 2 done
        std::vector<std::pair<uint32_t, size_t>> path;
        for (uint32_t s = 0; s < n; ++s) {
            if (color[s]) continue;
            path.push_back({s, 0});
            color[s] = 1;
            while (!path.empty()) {
                auto& [r, next] = path.back();
                if (next == first[r].size()) {
                    color[r] = 2;
                    path.pop_back();
                    continue;
                }
                const uint32_t t = first[r][next++];
                if (color[t] == 1) {
                    pos_ = 0;
                    std::string who = names_[t];
                    // A helper rule's name means nothing to the author: name
                    // the first named rule on the cycle instead.
                    for (auto it = path.rbegin(); it != path.rend(); ++it)
                        if (names_[it->first][0] != '_') who = names_[it->first];
                    return core::invalid_argument(
                        "grammar: rule " + who +
                        " is left-recursive (it can reach itself before reading any "
                        "input); rewrite it with repetition, e.g. x ::= y (\",\" y)*");
                }
                if (color[t] == 0) {
                    color[t] = 1;
                    path.push_back({t, 0});
                }
            }
        }
        return {};
    }

    std::string_view src_;
    const GrammarLimits& limits_;
    size_t pos_ = 0;
    uint32_t depth_ = 0;
    size_t elements_ = 0;
    std::vector<Rule> rules_;
    std::vector<std::string> names_;
    std::unordered_map<std::string, uint32_t> ids_;
    std::vector<ByteSet> sets_;
    std::array<uint32_t, 256> single_{};
    std::string utf8_;
};

core::Result<std::shared_ptr<const Grammar>> Parser::finish() {
    EDGEAI_TRY(check_defined());
    EDGEAI_TRY(check_left_recursion());
    auto g = std::make_shared<Grammar>();
    g->root = ids_.at("root");
    g->alternatives.resize(rules_.size());
    for (size_t r = 0; r < rules_.size(); ++r) {
        for (const Seq& alt : rules_[r].alts) {
            g->alternatives[r].push_back(static_cast<uint32_t>(g->code.size()));
            g->code.insert(g->code.end(), alt.begin(), alt.end());
            g->code.push_back({Op::kEnd, 0});
        }
    }
    g->rule_names = std::move(names_);
    g->sets = std::move(sets_);
    // Partition refinement: each set splits the classes it cuts.
    g->byte_class.fill(0);
    uint32_t n_classes = 1;
    std::vector<int32_t> remap;
    for (const ByteSet& s : g->sets) {
        remap.assign(size_t{n_classes} * 2, -1);
        uint32_t next = 0;
        for (unsigned b = 0; b < 256; ++b) {
            const size_t key = size_t{g->byte_class[b]} * 2 + (s.has(static_cast<uint8_t>(b)));
            if (remap[key] < 0) remap[key] = static_cast<int32_t>(next++);
            g->byte_class[b] = static_cast<uint8_t>(remap[key]);
        }
        n_classes = next;
    }
    g->class_byte.assign(n_classes, 0);
    for (unsigned b = 256; b-- > 0;)
        g->class_byte[g->byte_class[b]] = static_cast<uint8_t>(b);
    return std::shared_ptr<const Grammar>(std::move(g));
}

} // namespace

core::Result<std::shared_ptr<const Grammar>> compile_gbnf(std::string_view source,
                                                          const GrammarLimits& limits) {
    if (source.size() > limits.max_source_bytes)
        return core::invalid_argument("grammar: longer than " +
                                      std::to_string(limits.max_source_bytes) + " bytes");
    Parser p(source, limits);
    EDGEAI_TRY(p.parse());
    return p.finish();
}

std::string gbnf_literal(std::string_view text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out = "\"";
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += kHex[c >> 4];
            out += kHex[c & 15];
        } else {
            out += ch;
        }
    }
    out += '"';
    return out;
}

} // namespace edgeai::engine::grammar
