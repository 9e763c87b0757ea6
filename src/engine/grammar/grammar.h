// A context-free grammar over bytes, compiled from llama.cpp's GBNF syntax,
// for constrained decoding: the matcher (matcher.h) runs it incrementally,
// one byte at a time, and the token trie (token_trie.h) asks it which
// vocabulary entries can come next.
//
// The compiled form is flat: every alternative of every rule is a run of
// elements in `code`, ended by kEnd. An element is a byte set (one byte of
// input) or a call of a rule. Repetitions and groups are turned into helper
// rules when parsed (`x*` is `r ::= x r |`), and character classes over code
// points into alternatives of UTF-8 byte sequences, so the matcher only ever
// sees bytes; it accepts valid UTF-8 only.
//
// Syntax (a superset of llama.cpp's): `name ::= alternatives`, a rule ending
// where the next `name ::=` starts; `|`, grouping `( )`, postfix `*` `+` `?`
// `{m}` `{m,}` `{m,n}`; "literals" and [classes] ([^...] negated, a-z ranges)
// with the escapes \n \r \t \\ \" \[ \] \- \xHH \uHHHH \UHHHHHHHH; `.` any
// character; `#` comments. The start rule is `root`. Left recursion is
// refused (the matcher is top-down).
//
// Limits, each refused with an error naming the line: source size, rules,
// elements after expansion, a repetition's count, group nesting. See
// GrammarLimits.
#pragma once

#include "core/result.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::engine::grammar {

struct GrammarLimits {
    size_t max_source_bytes = size_t{1} << 20;
    size_t max_rules = 16384;      // named and helper rules together
    size_t max_elements = 1 << 20; // after repetitions are expanded
    uint32_t max_repeat = 1000;    // m and n in {m,n}
    uint32_t max_nesting = 64;     // ( ) groups inside each other
};

class ByteSet {
  public:
    void add(uint8_t b) { bits_[b >> 6] |= uint64_t{1} << (b & 63); }
    void add_range(uint8_t lo, uint8_t hi) {
        for (unsigned b = lo; b <= hi; ++b)
            add(static_cast<uint8_t>(b));
    }
    bool has(uint8_t b) const { return (bits_[b >> 6] >> (b & 63)) & 1; }
    bool operator==(const ByteSet& o) const { return bits_ == o.bits_; }

  private:
    std::array<uint64_t, 4> bits_{};
};

enum class Op : uint8_t { kBytes, kCall, kEnd };

struct Element {
    Op op;
    uint32_t arg; // kBytes: index into sets; kCall: rule id
};

struct Grammar {
    std::vector<Element> code;
    // Per rule, where each alternative starts in `code`.
    std::vector<std::vector<uint32_t>> alternatives;
    std::vector<std::string> rule_names; // helper rules are "name_N"
    std::vector<ByteSet> sets;
    uint32_t root = 0;
    // Bytes no byte set tells apart share a class, so the matcher's
    // transition tables are n_classes wide rather than 256.
    std::array<uint8_t, 256> byte_class{};
    std::vector<uint8_t> class_byte; // one byte of each class
    uint32_t n_classes() const { return static_cast<uint32_t>(class_byte.size()); }
};

// Parses and checks GBNF source. Errors are invalid_argument naming the line
// and column ("grammar line 3, column 7: ...").
core::Result<std::shared_ptr<const Grammar>> compile_gbnf(std::string_view source,
                                                          const GrammarLimits& limits = {});

// `text` as a GBNF string literal (quoted and escaped), for grammar writers.
std::string gbnf_literal(std::string_view text);

} // namespace edgeai::engine::grammar
