// The grammar engine against a slow reference: the fuzz input picks a small
// random grammar (rendered as GBNF text) and an input string; whatever the
// grammar compiles to, the matcher must say, for every prefix of the input,
// exactly what a memoized top-down recognizer over the grammar's tree says
// (whole sentence or not), and never crash.
#include "core/utf8.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/matcher.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace edgeai::engine::grammar;

struct Node {
    enum Kind { kLit, kClass, kRef, kSeq, kAlt, kRep } kind = kLit;
    std::vector<uint32_t> lit; // code points
    std::vector<std::pair<uint32_t, uint32_t>> ranges;
    bool negated = false;
    size_t ref = 0;
    std::vector<Node> kids;
    int min = 0, max = 0; // max -1: unbounded
};

class Bytes {
  public:
    Bytes(const uint8_t* d, size_t n) : d_(d), n_(n) {}
    uint8_t next() { return i_ < n_ ? d_[i_++] : 0; }
    size_t left() const { return n_ - i_; }

  private:
    const uint8_t* d_;
    size_t n_, i_ = 0;
};

constexpr uint32_t kAlphabet[] = {'a', 'b', 'c', 0xE9};

Node gen(Bytes& in, size_t n_rules, int depth) {
    Node node;
    const int pick = in.next() % (depth >= 3 ? 3 : 6);
    switch (pick) {
    case 0:
        node.kind = Node::kLit;
        for (int k = in.next() % 3; k > 0; --k)
            node.lit.push_back(kAlphabet[in.next() % 4]);
        break;
    case 1:
        node.kind = Node::kClass;
        node.negated = in.next() % 4 == 0;
        for (int k = 1 + in.next() % 2; k > 0; --k) {
            uint32_t a = kAlphabet[in.next() % 4], b = kAlphabet[in.next() % 4];
            if (a > b) std::swap(a, b);
            node.ranges.push_back({a, b});
        }
        break;
    case 2:
        node.kind = Node::kRef;
        node.ref = in.next() % n_rules;
        break;
    case 3:
    case 4:
        node.kind = pick == 3 ? Node::kSeq : Node::kAlt;
        for (int k = 1 + in.next() % 3; k > 0; --k)
            node.kids.push_back(gen(in, n_rules, depth + 1));
        break;
    default:
        node.kind = Node::kRep;
        node.kids.push_back(gen(in, n_rules, depth + 1));
        node.min = in.next() % 3;
        node.max = in.next() % 4 == 0 ? -1 : node.min + in.next() % 3;
        break;
    }
    return node;
}

void append_utf8(uint32_t cp, std::string& out) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string render(const Node& n) {
    std::string out;
    switch (n.kind) {
    case Node::kLit: {
        std::string text;
        for (uint32_t cp : n.lit)
            append_utf8(cp, text);
        return gbnf_literal(text);
    }
    case Node::kClass:
        out = n.negated ? "[^" : "[";
        for (auto [a, b] : n.ranges) {
            append_utf8(a, out);
            out += '-';
            append_utf8(b, out);
        }
        return out + "]";
    case Node::kRef:
        return "r" + std::to_string(n.ref);
    case Node::kSeq:
    case Node::kAlt:
        out = "(";
        for (size_t i = 0; i < n.kids.size(); ++i)
            out += (i ? (n.kind == Node::kSeq ? " " : " | ") : "") + render(n.kids[i]);
        return out + ")";
    case Node::kRep:
        out = "(" + render(n.kids[0]) + ")";
        if (n.max < 0) return out + "{" + std::to_string(n.min) + ",}";
        return out + "{" + std::to_string(n.min) + "," + std::to_string(n.max) + "}";
    }
    return out;
}

// Memoized top-down recognition: the end positions of `n` from `i`.
class Reference {
  public:
    Reference(const std::vector<Node>& rules, const std::vector<uint32_t>& text)
        : rules_(rules), text_(text) {}

    std::set<size_t> ends(const Node& n, size_t i) {
        std::set<size_t> out;
        switch (n.kind) {
        case Node::kLit:
            if (i + n.lit.size() <= text_.size() &&
                std::equal(n.lit.begin(), n.lit.end(), text_.begin() + static_cast<long>(i)))
                out.insert(i + n.lit.size());
            break;
        case Node::kClass: {
            if (i >= text_.size()) break;
            bool in = false;
            for (auto [a, b] : n.ranges)
                in = in || (text_[i] >= a && text_[i] <= b);
            if (in != n.negated) out.insert(i + 1);
            break;
        }
        case Node::kRef: {
            const auto key = std::make_pair(n.ref, i);
            auto it = memo_.find(key);
            if (it != memo_.end()) return it->second;
            memo_[key] = {}; // left recursion is refused by the compiler
            out = ends(rules_[n.ref], i);
            memo_[key] = out;
            break;
        }
        case Node::kSeq: {
            std::set<size_t> cur = {i};
            for (const Node& k : n.kids) {
                std::set<size_t> next;
                for (size_t j : cur)
                    for (size_t e : ends(k, j))
                        next.insert(e);
                cur = std::move(next);
            }
            out = cur;
            break;
        }
        case Node::kAlt:
            for (const Node& k : n.kids)
                for (size_t e : ends(k, i))
                    out.insert(e);
            break;
        case Node::kRep: {
            std::set<size_t> cur = {i};
            std::set<std::pair<int, size_t>> seen;
            for (int count = 0;; ++count) {
                if (count >= n.min) out.insert(cur.begin(), cur.end());
                if (n.max >= 0 && count == n.max) break;
                std::set<size_t> next;
                const int capped = std::min(count + 1, n.min);
                for (size_t j : cur)
                    for (size_t e : ends(n.kids[0], j))
                        if (seen.insert({capped, e}).second) next.insert(e);
                if (next.empty()) break;
                cur = std::move(next);
            }
            break;
        }
        }
        return out;
    }

  private:
    const std::vector<Node>& rules_;
    const std::vector<uint32_t>& text_;
    std::map<std::pair<size_t, size_t>, std::set<size_t>> memo_;
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Bytes in(data, size);
    const size_t n_rules = 1 + in.next() % 3;
    std::vector<Node> rules;
    for (size_t r = 0; r < n_rules; ++r)
        rules.push_back(gen(in, n_rules, 0));
    std::string gbnf = "root ::= r0\n";
    for (size_t r = 0; r < n_rules; ++r)
        gbnf += "r" + std::to_string(r) + " ::= " + render(rules[r]) + "\n";
    // The rest of the input is the text, over the grammar's alphabet plus
    // a byte that is never UTF-8.
    std::string text;
    while (in.left() > 0 && text.size() < 24) {
        const uint8_t b = in.next();
        if (b % 16 == 15)
            text += '\xFF';
        else
            append_utf8(kAlphabet[b % 4], text);
    }
    auto grammar = compile_gbnf(gbnf);
    if (!grammar.ok()) return 0; // left recursion, or a class that is empty
    auto matcher = Matcher::create(*grammar);
    if (!matcher.ok()) return 0;
    bool alive = true;
    for (size_t k = 0; k <= text.size(); ++k) {
        if (k > 0 && alive) {
            auto r = matcher->advance(text.substr(k - 1, 1));
            if (!r.ok()) return 0; // a limit: refused, not wrong
            alive = *r;
        }
        // The reference judges whole code points; a cut or invalid one is no sentence.
        const std::string prefix = text.substr(0, k);
        bool expected = edgeai::core::is_valid_utf8(prefix);
        if (expected) {
            std::vector<uint32_t> cps;
            for (size_t at = 0; at < prefix.size();) {
                uint32_t cp = 0;
                at += edgeai::core::decode_utf8(prefix, at, &cp);
                cps.push_back(cp);
            }
            Reference ref(rules, cps);
            expected = ref.ends(Node{Node::kRef, {}, {}, false, 0, {}, 0, 0}, 0).count(cps.size());
        }
        const bool got = alive && matcher->accepting();
        if (got != expected) __builtin_trap();
    }
    return 0;
}
