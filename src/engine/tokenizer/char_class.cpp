#include "engine/tokenizer/unicode_tables.h"

#include <algorithm>
#include <array>

namespace edgeai::engine::tokenizer {

namespace {

// ASCII is most of most prompts: answer it from a table instead of a search.
constexpr std::array<CharClass, 128> ascii_classes() {
    std::array<CharClass, 128> classes{};
    for (uint32_t c = 0; c < 128; ++c) {
        CharClass cls = CharClass::kOther;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) cls = CharClass::kLetter;
        if (c >= '0' && c <= '9') cls = CharClass::kNumber;
        if (c == ' ' || (c >= 0x09 && c <= 0x0D)) cls = CharClass::kWhitespace;
        classes[c] = cls;
    }
    return classes;
}

constexpr std::array<CharClass, 128> kAscii = ascii_classes();

} // namespace

CharClass char_class(uint32_t code_point) {
    if (code_point < 128) return kAscii[code_point];
    if (code_point > 0x10FFFF) return CharClass::kOther;
    // The last run starting at or before the code point.
    const uint32_t* begin = kCharClassRuns;
    const uint32_t* end = kCharClassRuns + kCharClassRunCount;
    const uint32_t key = (code_point << 2) | 3u;
    const uint32_t* it = std::upper_bound(begin, end, key);
    return static_cast<CharClass>(*(it - 1) & 3u);
}

} // namespace edgeai::engine::tokenizer
