#include "core/utf8.h"

#include <gtest/gtest.h>

namespace edgeai::core {
namespace {

TEST(Utf8, DecodesOneToFourByteSequences) {
    uint32_t cp = 0;
    EXPECT_EQ(decode_utf8("A", 0, &cp), 1u);
    EXPECT_EQ(cp, 0x41u);
    EXPECT_EQ(decode_utf8("\xC3\xA9", 0, &cp), 2u);
    EXPECT_EQ(cp, 0xE9u);
    EXPECT_EQ(decode_utf8("\xE2\x82\xAC", 0, &cp), 3u);
    EXPECT_EQ(cp, 0x20ACu);
    EXPECT_EQ(decode_utf8("x\xF0\x9F\x98\x80", 1, &cp), 4u);
    EXPECT_EQ(cp, 0x1F600u);
}

TEST(Utf8, RejectsEveryKindOfInvalidSequence) {
    uint32_t cp = 0;
    EXPECT_EQ(decode_utf8("\x80", 0, &cp), 0u);             // stray continuation byte
    EXPECT_EQ(decode_utf8("\xC3", 0, &cp), 0u);             // cut short
    EXPECT_EQ(decode_utf8("\xC3\x28", 0, &cp), 0u);         // bad continuation
    EXPECT_EQ(decode_utf8("\xC0\xAF", 0, &cp), 0u);         // overlong
    EXPECT_EQ(decode_utf8("\xED\xA0\x80", 0, &cp), 0u);     // surrogate
    EXPECT_EQ(decode_utf8("\xF4\x90\x80\x80", 0, &cp), 0u); // above U+10FFFF
    EXPECT_EQ(decode_utf8("\xFF", 0, &cp), 0u);
}

TEST(Utf8, JudgesWholeTexts) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain, h\xC3\xA9llo, \xE2\x9C\x93, \xF0\x9F\x98\x80"));
    EXPECT_FALSE(is_valid_utf8("ok then \xC3"));       // cut at the end
    EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80 later")); // a surrogate first
}

} // namespace
} // namespace edgeai::core
