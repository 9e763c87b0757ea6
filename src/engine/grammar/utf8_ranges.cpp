#include "engine/grammar/utf8_ranges.h"

#include <algorithm>

namespace edgeai::engine::grammar {
namespace {

constexpr uint32_t kMaxCodePoint = 0x10FFFF;

size_t encode(uint32_t cp, uint8_t* out) {
    if (cp < 0x80) {
        out[0] = static_cast<uint8_t>(cp);
        return 1;
    }
    if (cp < 0x800) {
        out[0] = static_cast<uint8_t>(0xC0 | (cp >> 6));
        out[1] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = static_cast<uint8_t>(0xE0 | (cp >> 12));
        out[1] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
        out[2] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = static_cast<uint8_t>(0xF0 | (cp >> 18));
    out[1] = static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F));
    out[2] = static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F));
    out[3] = static_cast<uint8_t>(0x80 | (cp & 0x3F));
    return 4;
}

// Splits [lo, hi] until each piece has one encoded length and differs from
// its neighbours only in whole continuation-byte spans; then every byte
// position is an independent range.
void split(uint32_t lo, uint32_t hi, std::vector<ByteSeq>& out) {
    static constexpr uint32_t kLast[] = {0x7F, 0x7FF, 0xFFFF};
    for (uint32_t last : kLast) {
        if (lo <= last && hi > last) {
            split(lo, last, out);
            split(last + 1, hi, out);
            return;
        }
    }
    uint8_t a[4], b[4];
    const size_t n = encode(lo, a);
    for (size_t i = 1; i < n; ++i) {
        const uint32_t m = (uint32_t{1} << (6 * i)) - 1;
        if ((lo & ~m) != (hi & ~m)) {
            if ((lo & m) != 0) {
                split(lo, lo | m, out);
                split((lo | m) + 1, hi, out);
                return;
            }
            if ((hi & m) != m) {
                split(lo, (hi & ~m) - 1, out);
                split(hi & ~m, hi, out);
                return;
            }
        }
    }
    encode(hi, b);
    ByteSeq seq;
    for (size_t i = 0; i < n; ++i)
        seq.push_back({a[i], b[i]});
    out.push_back(std::move(seq));
}

} // namespace

std::vector<CodeRange> normalize_ranges(std::vector<CodeRange> ranges, bool negate) {
    std::sort(ranges.begin(), ranges.end(),
              [](const CodeRange& x, const CodeRange& y) { return x.lo < y.lo; });
    std::vector<CodeRange> merged;
    for (const CodeRange& r : ranges) {
        if (r.lo > kMaxCodePoint) continue;
        const CodeRange c{r.lo, std::min(r.hi, kMaxCodePoint)};
        if (!merged.empty() && c.lo <= merged.back().hi + 1)
            merged.back().hi = std::max(merged.back().hi, c.hi);
        else
            merged.push_back(c);
    }
    if (negate) {
        std::vector<CodeRange> inverse;
        uint32_t next = 0;
        for (const CodeRange& r : merged) {
            if (r.lo > next) inverse.push_back({next, r.lo - 1});
            next = r.hi + 1;
        }
        if (next <= kMaxCodePoint) inverse.push_back({next, kMaxCodePoint});
        merged = std::move(inverse);
    }
    std::vector<CodeRange> out;
    for (const CodeRange& r : merged) {
        if (r.hi < 0xD800 || r.lo > 0xDFFF) {
            out.push_back(r);
            continue;
        }
        if (r.lo < 0xD800) out.push_back({r.lo, 0xD7FF});
        if (r.hi > 0xDFFF) out.push_back({0xE000, r.hi});
    }
    return out;
}

std::vector<ByteSeq> utf8_sequences(const std::vector<CodeRange>& ranges) {
    std::vector<ByteSeq> out;
    for (const CodeRange& r : ranges)
        split(r.lo, r.hi, out);
    return out;
}

} // namespace edgeai::engine::grammar
