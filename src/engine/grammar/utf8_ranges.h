// Character classes over code points, turned into the UTF-8 byte sequences
// that spell them, so the grammar matcher works on bytes alone.
#pragma once

#include <cstdint>
#include <vector>

namespace edgeai::engine::grammar {

struct CodeRange {
    uint32_t lo, hi; // inclusive
};
struct ByteRange {
    uint8_t lo, hi; // inclusive
};
// One byte range per position: the sequence matches lo[i] <= byte i <= hi[i].
using ByteSeq = std::vector<ByteRange>;

// Sorted, merged, without surrogates (they have no UTF-8 form); with
// `negate`, the complement within U+0000..U+10FFFF.
std::vector<CodeRange> normalize_ranges(std::vector<CodeRange> ranges, bool negate);

// Byte sequences that together spell exactly the code points of `ranges`
// (normalized), each valid UTF-8.
std::vector<ByteSeq> utf8_sequences(const std::vector<CodeRange>& ranges);

} // namespace edgeai::engine::grammar
