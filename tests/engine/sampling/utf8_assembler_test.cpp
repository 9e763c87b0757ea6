// Streamed chunks must each be valid UTF-8 and together equal the input, for
// every way tokens can cut a character.
#include "engine/sampling/utf8_assembler.h"

#include "core/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::sampling {
namespace {

// Feeds `pieces` one by one; every chunk released must be valid on its own.
std::string stream(const std::vector<std::string>& pieces) {
    Utf8Assembler a;
    std::string all;
    for (const std::string& piece : pieces) {
        std::string chunk;
        a.push(piece, chunk);
        EXPECT_TRUE(core::is_valid_utf8(chunk)) << "a chunk split a character";
        all += chunk;
    }
    std::string tail;
    a.finish(tail);
    EXPECT_TRUE(core::is_valid_utf8(tail));
    return all + tail;
}

const std::vector<std::string> kCharacters = {
    "\xC3\xA9",         // é, 2 bytes
    "\xE2\x82\xAC",     // €, 3 bytes
    "\xF0\x9F\x98\x80", // 😀, 4 bytes
};

TEST(Utf8Assembler, EverySplitOfEveryLengthReassembles) {
    for (const std::string& ch : kCharacters) {
        const std::string text = "a" + ch + "b" + ch + ch;
        for (size_t cut = 0; cut <= text.size(); ++cut)
            EXPECT_EQ(stream({text.substr(0, cut), text.substr(cut)}), text) << "cut " << cut;
        for (size_t a = 0; a <= text.size(); ++a) {
            for (size_t b = a; b <= text.size(); ++b) {
                EXPECT_EQ(stream({text.substr(0, a), text.substr(a, b - a), text.substr(b)}), text);
            }
        }
    }
}

TEST(Utf8Assembler, ByteByByteHoldsBackUntilTheCharacterIsComplete) {
    for (const std::string& ch : kCharacters) {
        Utf8Assembler a;
        for (size_t i = 0; i + 1 < ch.size(); ++i) {
            std::string out;
            a.push(ch.substr(i, 1), out);
            EXPECT_EQ(out, "") << "released part of a character";
            EXPECT_EQ(a.pending(), i + 1);
        }
        std::string out;
        a.push(ch.substr(ch.size() - 1), out);
        EXPECT_EQ(out, ch);
        EXPECT_EQ(a.pending(), 0u);
    }
}

TEST(Utf8Assembler, IncompleteTailAtTheEndBecomesOneReplacement) {
    Utf8Assembler a;
    std::string out;
    a.push("ok\xF0\x9F\x98", out);
    EXPECT_EQ(out, "ok");
    a.finish(out);
    EXPECT_EQ(out, "ok\xEF\xBF\xBD");
    EXPECT_EQ(a.pending(), 0u);
}

TEST(Utf8Assembler, InvalidBytesAreReplacedAtOnceNotHeld) {
    const std::string r = "\xEF\xBF\xBD";
    auto push = [](std::string_view bytes, size_t* pending = nullptr) {
        Utf8Assembler a;
        std::string out;
        a.push(bytes, out);
        if (pending) *pending = a.pending();
        return out;
    };
    EXPECT_EQ(push("a\xFF"), "a" + r);          // never a lead byte
    EXPECT_EQ(push("\x80z"), r + "z");          // stray continuation
    EXPECT_EQ(push("\xE2\x82z"), r + "z");      // cut short: one replacement for both
    EXPECT_EQ(push("\xE0\x80\x80"), r + r + r); // overlong: E0 cannot take 80
    EXPECT_EQ(push("\xED\xA0\x80"), r + r + r); // surrogate
    EXPECT_EQ(push("\xF4\x90"), r + r);         // above U+10FFFF
    size_t pending = 0;
    EXPECT_EQ(push("\xE0", &pending), ""); // could still be E0 A0..BF
    EXPECT_EQ(pending, 1u);
    EXPECT_EQ(push("\xF4\x8F", &pending), "");
    EXPECT_EQ(pending, 2u);
}

TEST(Utf8Assembler, ByteFallbackTokensFormOneCharacter) {
    // A tokenizer's <0xE2><0x82><0xAC> byte tokens, one per step.
    EXPECT_EQ(stream({"price: ", "\xE2", "\x82", "\xAC", "5"}), "price: \xE2\x82\xAC"
                                                                "5");
}

} // namespace
} // namespace edgeai::engine::sampling
