// The pre-tokenizers cut text as the regexes llama.cpp and Hugging Face use
// (quoted in pre_tokenizer.h). Expected words were produced by running those
// regexes with Python's `regex` module (Oniguruma-compatible \p{..} and \s).
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/unicode_tables.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::engine::tokenizer {
namespace {

struct SplitCase {
    std::string text;
    std::vector<std::string> words;
};

std::vector<std::string> split(std::string_view text, PreTokenizer rules) {
    std::vector<std::string_view> views;
    split_words(text, rules, views);
    return std::vector<std::string>(views.begin(), views.end());
}

void expect_splits(PreTokenizer rules, const std::vector<SplitCase>& cases) {
    for (const SplitCase& c : cases) {
        EXPECT_EQ(split(c.text, rules), c.words)
            << pre_tokenizer_name(rules) << ": '" << c.text << "'";
    }
}

// Case-sensitive contractions, an optional space before every run, digits in
// one run, whitespace before a word leaving its last space to the word.
TEST(TokenizerPreTokenizer, Gpt2) {
    expect_splits(PreTokenizer::kGpt2,
                  {
                      {"I'm here, you're THERE. He'S it'LL we'VE 'd",
                       {"I", "'m", " here", ",", " you", "'re", " THERE", ".", " He", "'", "S",
                        " it", "'", "LL", " we", "'", "VE", " '", "d"}},
                      {"Price: 1234567 and 12.5%  ok",
                       {"Price", ":", " 1234567", " and", " 12", ".", "5", "%", " ", " ok"}},
                      {"hello!!! ...world?? (test) [x]",
                       {"hello", "!!!", " ...", "world", "??", " (", "test", ")", " [", "x", "]"}},
                      {"line1\nline2\r\n\n  indented\n\n\n   \n  end  ",
                       {"line", "1", "\n", "line", "2", "\r\n\n ", " indented", "\n\n\n   \n ",
                        " end", "  "}},
                      {"  two spaces\tand\ttabs \t x",
                       {" ", " two", " spaces", "\t", "and", "\t", "tabs", " \t", " x"}},
                      {"Ünïcödé 数字１２３ ٣٤ Ⅻ", {"Ünïcödé", " 数字", "１２３", " ٣٤", " Ⅻ"}},
                      {"don't\n\nstop", {"don", "'t", "\n", "\n", "stop"}},
                      {"a  b   c", {"a", " ", " b", "  ", " c"}},
                      {"trailing   ", {"trailing", "   "}},
                      {" !leading", {" !", "leading"}},
                      {"mixed123abc 4567", {"mixed", "123", "abc", " 4567"}},
                  });
}

// Contractions in any case, one non-letter may lead a word (tab, '(' ...),
// digits in threes, newlines gathered with the whitespace before them.
TEST(TokenizerPreTokenizer, Llama3) {
    expect_splits(
        PreTokenizer::kLlama3,
        {
            {"I'm here, you're THERE. He'S it'LL we'VE 'd",
             {"I", "'m", " here", ",", " you", "'re", " THERE", ".", " He", "'S", " it", "'LL",
              " we", "'VE", " '", "d"}},
            {"Price: 1234567 and 12.5%  ok",
             {"Price", ":", " ", "123", "456", "7", " and", " ", "12", ".", "5", "%", " ", " ok"}},
            {"hello!!! ...world?? (test) [x]",
             {"hello", "!!!", " ...", "world", "??", " (", "test", ")", " [", "x", "]"}},
            {"line1\nline2\r\n\n  indented\n\n\n   \n  end  ",
             {"line", "1", "\n", "line", "2", "\r\n\n", " ", " indented", "\n\n\n   \n", " ",
              " end", "  "}},
            {"  two spaces\tand\ttabs \t x",
             {" ", " two", " spaces", "\tand", "\ttabs", " \t", " x"}},
            {"Ünïcödé 数字１２３ ٣٤ Ⅻ", {"Ünïcödé", " 数字", "１２３", " ", "٣٤", " ", "Ⅻ"}},
            {"don't\n\nstop", {"don", "'t", "\n\n", "stop"}},
            {"a  b   c", {"a", " ", " b", "  ", " c"}},
            {"trailing   ", {"trailing", "   "}},
            {" !leading", {" !", "leading"}},
            {"mixed123abc 4567", {"mixed", "123", "abc", " ", "456", "7"}},
        });
}

// As Llama 3 but every digit alone.
TEST(TokenizerPreTokenizer, Qwen2) {
    expect_splits(
        PreTokenizer::kQwen2,
        {
            {"I'm here, you're THERE. He'S it'LL we'VE 'd",
             {"I", "'m", " here", ",", " you", "'re", " THERE", ".", " He", "'S", " it", "'LL",
              " we", "'VE", " '", "d"}},
            {"Price: 1234567 and 12.5%  ok",
             {"Price", ":", " ", "1", "2", "3", "4", "5", "6", "7", " and", " ", "1", "2", ".", "5",
              "%", " ", " ok"}},
            {"hello!!! ...world?? (test) [x]",
             {"hello", "!!!", " ...", "world", "??", " (", "test", ")", " [", "x", "]"}},
            {"line1\nline2\r\n\n  indented\n\n\n   \n  end  ",
             {"line", "1", "\n", "line", "2", "\r\n\n", " ", " indented", "\n\n\n   \n", " ",
              " end", "  "}},
            {"  two spaces\tand\ttabs \t x",
             {" ", " two", " spaces", "\tand", "\ttabs", " \t", " x"}},
            {"Ünïcödé 数字１２３ ٣٤ Ⅻ",
             {"Ünïcödé", " 数字", "１", "２", "３", " ", "٣", "٤", " ", "Ⅻ"}},
            {"don't\n\nstop", {"don", "'t", "\n\n", "stop"}},
            {"a  b   c", {"a", " ", " b", "  ", " c"}},
            {"trailing   ", {"trailing", "   "}},
            {" !leading", {" !", "leading"}},
            {"mixed123abc 4567", {"mixed", "1", "2", "3", "abc", " ", "4", "5", "6", "7"}},
        });
}

// Every digit alone first, then the GPT-2 rules between the digits.
TEST(TokenizerPreTokenizer, StarCoder) {
    expect_splits(
        PreTokenizer::kStarCoder,
        {
            {"I'm here, you're THERE. He'S it'LL we'VE 'd",
             {"I", "'m", " here", ",", " you", "'re", " THERE", ".", " He", "'", "S", " it", "'",
              "LL", " we", "'", "VE", " '", "d"}},
            {"Price: 1234567 and 12.5%  ok",
             {"Price", ":", " ", "1", "2", "3", "4", "5", "6", "7", " and", " ", "1", "2", ".", "5",
              "%", " ", " ok"}},
            {"hello!!! ...world?? (test) [x]",
             {"hello", "!!!", " ...", "world", "??", " (", "test", ")", " [", "x", "]"}},
            {"line1\nline2\r\n\n  indented\n\n\n   \n  end  ",
             {"line", "1", "\n", "line", "2", "\r\n\n ", " indented", "\n\n\n   \n ", " end",
              "  "}},
            {"  two spaces\tand\ttabs \t x",
             {" ", " two", " spaces", "\t", "and", "\t", "tabs", " \t", " x"}},
            {"Ünïcödé 数字１２３ ٣٤ Ⅻ",
             {"Ünïcödé", " 数字", "１", "２", "３", " ", "٣", "٤", " ", "Ⅻ"}},
            {"don't\n\nstop", {"don", "'t", "\n", "\n", "stop"}},
            {"a  b   c", {"a", " ", " b", "  ", " c"}},
            {"trailing   ", {"trailing", "   "}},
            {" !leading", {" !", "leading"}},
            {"mixed123abc 4567", {"mixed", "1", "2", "3", "abc", " ", "4", "5", "6", "7"}},
        });
}

TEST(TokenizerPreTokenizer, WordsCoverTheTextEvenWhenItIsNotUtf8) {
    const std::string text = "a\xFF\xFE b\xE2\x82 'S 12\xC3";
    for (PreTokenizer rules : {PreTokenizer::kGpt2, PreTokenizer::kLlama3, PreTokenizer::kQwen2,
                               PreTokenizer::kStarCoder}) {
        std::string joined;
        for (const std::string& w : split(text, rules)) {
            EXPECT_FALSE(w.empty());
            joined += w;
        }
        EXPECT_EQ(joined, text) << pre_tokenizer_name(rules);
    }
    // Stray bytes are "other" characters: a run of punctuation-like things.
    EXPECT_EQ(split("a\xFF\xFE b", PreTokenizer::kGpt2),
              (std::vector<std::string>{"a", "\xFF\xFE", " b"}));
    EXPECT_TRUE(split("", PreTokenizer::kLlama3).empty());
}

TEST(TokenizerPreTokenizer, NamesMapToRules) {
    EXPECT_EQ(pre_tokenizer_from_name("gpt-2")->rules, PreTokenizer::kGpt2);
    auto llama3 = pre_tokenizer_from_name("llama-bpe");
    ASSERT_TRUE(llama3.ok());
    EXPECT_EQ(llama3->rules, PreTokenizer::kLlama3);
    EXPECT_TRUE(llama3->ignore_merges);
    EXPECT_TRUE(llama3->add_bos_default);
    EXPECT_EQ(pre_tokenizer_from_name("qwen2")->rules, PreTokenizer::kQwen2);
    EXPECT_EQ(pre_tokenizer_from_name("smollm")->rules, PreTokenizer::kStarCoder);
    auto unknown = pre_tokenizer_from_name("deepseek-coder");
    ASSERT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.status().code(), core::StatusCode::kUnimplemented);
    EXPECT_NE(unknown.status().message().find("'deepseek-coder'"), std::string::npos);
}

TEST(TokenizerPreTokenizer, CharacterClasses) {
    EXPECT_EQ(char_class('a'), CharClass::kLetter);
    EXPECT_EQ(char_class('7'), CharClass::kNumber);
    EXPECT_EQ(char_class('_'), CharClass::kOther);
    EXPECT_EQ(char_class('\v'), CharClass::kWhitespace);
    EXPECT_EQ(char_class(0x1C), CharClass::kOther); // str.isspace() says yes; \s says no
    EXPECT_EQ(char_class(0x85), CharClass::kWhitespace);
    EXPECT_EQ(char_class(0xA0), CharClass::kWhitespace);
    EXPECT_EQ(char_class(0x3000), CharClass::kWhitespace);
    EXPECT_EQ(char_class(0x200B), CharClass::kOther); // zero width space is Cf
    EXPECT_EQ(char_class(0x00E9), CharClass::kLetter);
    EXPECT_EQ(char_class(0x4E2D), CharClass::kLetter);  // CJK
    EXPECT_EQ(char_class(0x0663), CharClass::kNumber);  // Arabic-Indic three
    EXPECT_EQ(char_class(0x216B), CharClass::kNumber);  // Roman numeral twelve (Nl)
    EXPECT_EQ(char_class(0x00BD), CharClass::kNumber);  // one half (No)
    EXPECT_EQ(char_class(0x0301), CharClass::kOther);   // combining acute (Mn)
    EXPECT_EQ(char_class(0x2581), CharClass::kOther);   // SentencePiece's space mark
    EXPECT_EQ(char_class(0x1F600), CharClass::kOther);  // emoji
    EXPECT_EQ(char_class(0x20000), CharClass::kLetter); // CJK extension B
    EXPECT_EQ(char_class(0x10FFFF), CharClass::kOther);
    EXPECT_EQ(char_class(0x110000), CharClass::kOther);
}

TEST(TokenizerPreTokenizer, ByteLevelAlphabet) {
    EXPECT_EQ(byte_to_code_point(' '), 0x120u);  // Ġ
    EXPECT_EQ(byte_to_code_point('\n'), 0x10Au); // Ċ
    EXPECT_EQ(byte_to_code_point('A'), static_cast<uint32_t>('A'));
    EXPECT_EQ(byte_to_code_point(0xAD), 0x143u);
    for (int b = 0; b < 256; ++b)
        EXPECT_EQ(byte_from_code_point(byte_to_code_point(static_cast<uint8_t>(b))), b);
    EXPECT_EQ(byte_from_code_point(' '), -1);
    EXPECT_EQ(byte_from_code_point(0x144), -1);
    std::string utf8;
    for (uint32_t cp : {0x41u, 0x120u, 0x20ACu, 0x1F600u})
        append_utf8(cp, utf8);
    EXPECT_EQ(utf8, "A\xC4\xA0\xE2\x82\xAC\xF0\x9F\x98\x80");
}

} // namespace
} // namespace edgeai::engine::tokenizer
