// Small vocabularies written with GgufWriter: the merge order rules, special
// token matching, end-of-generation detection, and one refused file per way
// the tokenizer metadata can be wrong, each with a message that names the key.
#include "core/hex.h"
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/test_data.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edgeai::engine::tokenizer {
namespace {

using gguf::GgufWriter;
using testing::as_bytes;

// Everything a test may change; unset keys are not written.
struct Spec {
    std::string model = "llama";
    std::optional<std::string> pre;
    std::vector<std::string> tokens;
    std::optional<std::vector<float>> scores;
    std::optional<std::vector<int32_t>> types;
    std::optional<std::vector<std::string>> merges;
    std::vector<std::pair<std::string, uint32_t>> ids; // tokenizer.ggml.<name> = id
    std::vector<std::pair<std::string, bool>> flags;   // tokenizer.ggml.<name> = bool
    std::function<void(GgufWriter&)> extra;            // keys of unexpected types
};

std::string hex_byte(int b) {
    char piece[] = {'<', '0', 'x', 0, 0, '>'};
    core::write_hex_byte_upper(static_cast<uint8_t>(b), piece + 3);
    return std::string(piece, sizeof piece);
}

// A SentencePiece vocabulary: <unk> <s> </s>, the 256 byte tokens, then pieces.
Spec spm_spec(const std::vector<std::pair<std::string, float>>& pieces,
              const std::vector<std::pair<std::string, int32_t>>& specials = {}) {
    Spec s;
    s.tokens = {"<unk>", "<s>", "</s>"};
    s.scores = std::vector<float>{0, 0, 0};
    s.types = std::vector<int32_t>{2, 3, 3};
    for (int b = 0; b < 256; ++b) {
        s.tokens.push_back(hex_byte(b));
        s.scores->push_back(0);
        s.types->push_back(6);
    }
    for (const auto& [text, score] : pieces) {
        s.tokens.push_back(text);
        s.scores->push_back(score);
        s.types->push_back(1);
    }
    for (const auto& [text, type] : specials) {
        s.tokens.push_back(text);
        s.scores->push_back(0);
        s.types->push_back(type);
    }
    s.ids = {{"bos_token_id", 1}, {"eos_token_id", 2}, {"unknown_token_id", 0}};
    return s;
}

std::string byte_char(uint8_t b) {
    std::string s;
    append_utf8(byte_to_code_point(b), s);
    return s;
}

// A byte-level BPE vocabulary: the 256 byte characters (id = byte), then the
// merges' results in order, then special tokens.
Spec bpe_spec(const std::vector<std::string>& merges,
              const std::vector<std::pair<std::string, int32_t>>& specials = {}) {
    Spec s;
    s.model = "gpt2";
    s.pre = "gpt-2";
    s.types = std::vector<int32_t>{};
    for (int b = 0; b < 256; ++b) {
        s.tokens.push_back(byte_char(static_cast<uint8_t>(b)));
        s.types->push_back(1);
    }
    for (const std::string& m : merges) {
        size_t space = m.find(' ', 1);
        s.tokens.push_back(m.substr(0, space) + m.substr(space + 1));
        s.types->push_back(1);
    }
    for (const auto& [text, type] : specials) {
        s.tokens.push_back(text);
        s.types->push_back(type);
    }
    s.merges = merges;
    return s;
}

std::string write(const Spec& s) {
    GgufWriter w;
    w.add_string("general.architecture", "llama");
    if (!s.model.empty()) w.add_string("tokenizer.ggml.model", s.model);
    if (s.pre) w.add_string("tokenizer.ggml.pre", *s.pre);
    w.add_string_array("tokenizer.ggml.tokens", s.tokens);
    if (s.scores) w.add_f32_array("tokenizer.ggml.scores", *s.scores);
    if (s.types) w.add_i32_array("tokenizer.ggml.token_type", *s.types);
    if (s.merges) w.add_string_array("tokenizer.ggml.merges", *s.merges);
    for (const auto& [name, id] : s.ids)
        w.add_u32("tokenizer.ggml." + name, id);
    for (const auto& [name, value] : s.flags)
        w.add_bool("tokenizer.ggml." + name, value);
    if (s.extra) s.extra(w);
    return w.finish();
}

struct Loaded {
    std::string bytes;
    std::unique_ptr<Tokenizer> tokenizer;
};

std::unique_ptr<Loaded> load(const Spec& spec) {
    auto loaded = std::make_unique<Loaded>();
    loaded->bytes = write(spec);
    auto file = gguf::GgufFile::parse(as_bytes(loaded->bytes));
    EXPECT_TRUE(file.ok()) << file.status().message();
    if (!file.ok()) return nullptr;
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_TRUE(tok.ok()) << tok.status().message();
    if (!tok.ok()) return nullptr;
    loaded->tokenizer = std::make_unique<Tokenizer>(std::move(*tok));
    return loaded;
}

core::Status load_error(const Spec& spec) {
    std::string bytes = write(spec);
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    if (!file.ok()) return file.status();
    auto tok = Tokenizer::from_gguf(*file);
    return tok.ok() ? core::Status() : tok.status();
}

void expect_refused(const Spec& spec, const std::string& phrase) {
    core::Status s = load_error(spec);
    ASSERT_FALSE(s.ok()) << "accepted a vocabulary that should be refused (" << phrase << ")";
    EXPECT_NE(s.message().find(phrase), std::string::npos) << s.message();
}

int32_t id_of(const Tokenizer& tok, std::string_view text) {
    return tok.find(text).value_or(-100);
}

// --- SentencePiece ------------------------------------------------------------

TEST(TokenizerSpm, HighestScoreMergesFirstAndTiesGoLeft) {
    // "aba": "ab" and "ba" both possible; the better score wins, leftmost on ties.
    auto tied =
        load(spm_spec({{"a", -1}, {"b", -1}, {"ab", -5}, {"ba", -5}, {"\xE2\x96\x81", -9}}));
    ASSERT_NE(tied, nullptr);
    const Tokenizer& t = *tied->tokenizer;
    EXPECT_EQ(t.encode("aba", false, false),
              (std::vector<int32_t>{id_of(t, "\xE2\x96\x81"), id_of(t, "ab"), id_of(t, "a")}));
    auto right =
        load(spm_spec({{"a", -1}, {"b", -1}, {"ab", -5}, {"ba", -4}, {"\xE2\x96\x81", -9}}));
    ASSERT_NE(right, nullptr);
    const Tokenizer& r = *right->tokenizer;
    EXPECT_EQ(r.encode("aba", false, false),
              (std::vector<int32_t>{id_of(r, "\xE2\x96\x81"), id_of(r, "a"), id_of(r, "ba")}));
}

TEST(TokenizerSpm, DummyPrefixAndByteFallback) {
    Spec spec = spm_spec({{"\xE2\x96\x81", -1},
                          {"h", -2},
                          {"i", -2},
                          {"\xE2\x96\x81h", -3},
                          {"\xE2\x96\x81hi", -3}});
    spec.flags = {{"add_space_prefix", false}};
    auto plain = load(spec);
    ASSERT_NE(plain, nullptr);
    const Tokenizer& p = *plain->tokenizer;
    EXPECT_FALSE(p.add_space_prefix());
    EXPECT_EQ(p.encode("hi", false, false), (std::vector<int32_t>{id_of(p, "h"), id_of(p, "i")}));
    EXPECT_EQ(p.encode(" hi", false, false), (std::vector<int32_t>{id_of(p, "\xE2\x96\x81hi")}));
    // "é" is not a piece: its bytes C3 A9 become <0xC3> <0xA9>, ids 3 + byte.
    EXPECT_EQ(p.encode("h\xC3\xA9", false, false),
              (std::vector<int32_t>{id_of(p, "h"), 3 + 0xC3, 3 + 0xA9}));
    EXPECT_EQ(p.decode(p.encode("h\xC3\xA9 hi", true, false)), "h\xC3\xA9 hi");
}

TEST(TokenizerSpm, UserDefinedTokensAreAlwaysWholeControlOnlyWhenParsed) {
    auto loaded = load(spm_spec({{"\xE2\x96\x81", -1}, {"<", -2}, {"|", -2}, {"x", -2}, {">", -2}},
                                {{"<|x|>", 3}, {"<x>", 4}}));
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    const int32_t control = id_of(t, "<|x|>");
    const int32_t user = id_of(t, "<x>");
    const int32_t space = id_of(t, "\xE2\x96\x81");
    EXPECT_EQ(t.encode("<|x|><x>", false, true), (std::vector<int32_t>{control, user}));
    std::vector<int32_t> plain = t.encode("<|x|><x>", false, false);
    EXPECT_EQ(plain.back(), user);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), control), 0);
    // After a special token the text gets the dummy prefix again; decode drops it.
    std::vector<int32_t> ids = t.encode("x<x>x", false, false);
    EXPECT_EQ(ids, (std::vector<int32_t>{space, id_of(t, "x"), user, space, id_of(t, "x")}));
    EXPECT_EQ(t.decode(ids), "x<x>x");
    EXPECT_EQ(t.decode(t.encode("<|x|> x", true, true), true), "<s><|x|> x");
}

TEST(TokenizerSpm, PiecesMergeIntoTokensOfAnyType) {
    // llama.cpp merges pieces into any token their text spells, a control
    // "ab" and an unused "\u2581c" too (real_vocab.test.mjs checks it against
    // llama.cpp); SentencePiece itself would not.
    const std::string mark = "\xE2\x96\x81";
    const std::string mark_c = mark + "c";
    auto loaded =
        load(spm_spec({{mark, -1}, {"a", -2}, {"b", -3}, {"c", -5}}, {{"ab", 3}, {mark_c, 5}}));
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    EXPECT_EQ(t.encode("ab", false, false), (std::vector<int32_t>{id_of(t, mark), id_of(t, "ab")}));
    EXPECT_EQ(t.encode("c", false, false), (std::vector<int32_t>{id_of(t, mark_c)}));
}

TEST(TokenizerSpm, TypesAreInferredWithoutTokenTypes) {
    Spec spec = spm_spec({{"\xE2\x96\x81", -1}, {"a", -2}});
    spec.types.reset();
    auto loaded = load(spec);
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    EXPECT_EQ(t.token_type(0), TokenType::kUnknown);
    EXPECT_EQ(t.token_type(1), TokenType::kControl);
    EXPECT_EQ(t.token_type(3 + 0x0A), TokenType::kByte);
    EXPECT_EQ(t.token_type(id_of(t, "a")), TokenType::kNormal);
    EXPECT_EQ(t.decode(t.encode("a\nb", true, false)), "a\nb");
}

// --- byte-level BPE -------------------------------------------------------------

TEST(TokenizerBpe, MergesApplyInRankOrder) {
    // "abc": rank 0 "b c" beats rank 1 "a b", so the result is a + bc.
    auto loaded = load(bpe_spec({"b c", "a b", "Ġ a"}));
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    EXPECT_EQ(t.encode("abc", false, false), (std::vector<int32_t>{'a', id_of(t, "bc")}));
    EXPECT_EQ(t.encode("ab ab", false, false),
              (std::vector<int32_t>{id_of(t, "ab"), ' ', id_of(t, "ab")}));
    // Equal pairs merge leftmost first: "aaa" with "a a" is aa + a.
    auto same = load(bpe_spec({"a a"}));
    ASSERT_NE(same, nullptr);
    EXPECT_EQ(same->tokenizer->encode("aaa", false, false),
              (std::vector<int32_t>{id_of(*same->tokenizer, "aa"), 'a'}));
    EXPECT_EQ(loaded->tokenizer->decode(loaded->tokenizer->encode("ab ab\n\xFF", false, false)),
              "ab ab\n\xFF");
}

TEST(TokenizerBpe, Llama3TakesWholeWordTokensAndAddsBos) {
    // "abc" is a token although no merge makes it; Llama 3 uses it whole.
    Spec spec = bpe_spec({"a b"}, {{"<|begin_of_text|>", 3}});
    spec.pre = "llama-bpe";
    spec.tokens.push_back("abc");
    spec.types->push_back(1);
    spec.ids = {{"bos_token_id", static_cast<uint32_t>(spec.tokens.size() - 2)}};
    auto loaded = load(spec);
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    EXPECT_TRUE(t.add_bos());
    EXPECT_EQ(t.encode("abc", true, false),
              (std::vector<int32_t>{id_of(t, "<|begin_of_text|>"), id_of(t, "abc")}));
    spec.pre = "gpt-2";
    auto gpt2 = load(spec);
    ASSERT_NE(gpt2, nullptr);
    EXPECT_FALSE(gpt2->tokenizer->add_bos());
    EXPECT_EQ(gpt2->tokenizer->encode("abc", true, false),
              (std::vector<int32_t>{id_of(*gpt2->tokenizer, "ab"), 'c'}));
}

TEST(TokenizerBpe, ChatTokensAndEndOfGeneration) {
    // <|im_end|> typed normal is still a control token and ends generation,
    // as llama.cpp has it; the longest special token wins.
    Spec spec = bpe_spec({}, {{"<|im_start|>", 3}, {"<|im_end|>", 1}, {"<|", 4}});
    spec.pre = "qwen2";
    spec.ids = {{"eos_token_id", 256}};
    auto loaded = load(spec);
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    const int32_t start = id_of(t, "<|im_start|>");
    const int32_t end = id_of(t, "<|im_end|>");
    const int32_t open = id_of(t, "<|");
    EXPECT_EQ(t.token_type(end), TokenType::kControl);
    EXPECT_EQ(t.eot(), end);
    EXPECT_TRUE(t.is_end_of_generation(end));
    EXPECT_TRUE(t.is_end_of_generation(start)); // the eos id of this file
    EXPECT_FALSE(t.is_end_of_generation(open));
    EXPECT_EQ(t.encode("<|im_start|>hi<|im_end|>", false, true),
              (std::vector<int32_t>{start, 'h', 'i', end}));
    // Unparsed, only the user-defined "<|" is cut out.
    EXPECT_EQ(t.encode("<|im_end|>", false, false),
              (std::vector<int32_t>{open, 'i', 'm', '_', 'e', 'n', 'd', '|', '>'}));
    EXPECT_EQ(t.decode(t.encode("<|im_start|>hi", false, true)), "hi");
}

TEST(TokenizerBpe, TextsLlamaCppTypesAsControl) {
    // Qwen 3's vocabulary has an ordinary "</s>": llama.cpp's loader makes it
    // a control token that ends generation, and so FIM texts; a user-defined
    // gpt-oss channel marker is rendered, not hidden.
    Spec spec = bpe_spec({}, {{"</s>", 1}, {"<PRE>", 1}, {"<|fim_pad|>", 4}, {"<|channel|>", 3}});
    spec.pre = "qwen2";
    auto loaded = load(spec);
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    const int32_t s_end = id_of(t, "</s>");
    EXPECT_EQ(t.token_type(s_end), TokenType::kControl);
    EXPECT_TRUE(t.is_end_of_generation(s_end));
    EXPECT_EQ(t.token_type(id_of(t, "<PRE>")), TokenType::kControl);
    EXPECT_FALSE(t.is_end_of_generation(id_of(t, "<PRE>")));
    EXPECT_EQ(t.token_type(id_of(t, "<|fim_pad|>")), TokenType::kControl);
    EXPECT_TRUE(t.is_end_of_generation(id_of(t, "<|fim_pad|>")));
    EXPECT_EQ(t.token_type(id_of(t, "<|channel|>")), TokenType::kUserDefined);
    EXPECT_EQ(t.encode("a</s>", false, true), (std::vector<int32_t>{'a', s_end}));
    EXPECT_EQ(t.encode("</s>", false, false).size(), 4u);
}

TEST(TokenizerBpe, HarmonyEndAndGemma4EndOfSentenceAreText) {
    // With <|return|> and <|call|> (harmony), <|end|> ends a message, not the
    // turn; with <|tool_response> (Gemma 4), </s> is text.
    Spec spec = bpe_spec(
        {},
        {{"<|end|>", 3}, {"<|return|>", 3}, {"<|call|>", 3}, {"</s>", 3}, {"<|tool_response>", 3}});
    spec.pre = "gpt-2";
    auto loaded = load(spec);
    ASSERT_NE(loaded, nullptr);
    const Tokenizer& t = *loaded->tokenizer;
    EXPECT_FALSE(t.is_end_of_generation(id_of(t, "<|end|>")));
    EXPECT_EQ(t.token_type(id_of(t, "<|end|>")), TokenType::kUserDefined);
    EXPECT_TRUE(t.is_end_of_generation(id_of(t, "<|return|>")));
    EXPECT_FALSE(t.is_end_of_generation(id_of(t, "</s>")));
    EXPECT_EQ(t.token_type(id_of(t, "</s>")), TokenType::kNormal);
    // Without the harmony pair <|end|> ends generation.
    auto plain = load(bpe_spec({}, {{"<|end|>", 3}}));
    ASSERT_NE(plain, nullptr);
    EXPECT_TRUE(plain->tokenizer->is_end_of_generation(id_of(*plain->tokenizer, "<|end|>")));
}

// --- refused files --------------------------------------------------------------

TEST(TokenizerMetadata, RefusesArraysOfOtherLengths) {
    Spec scores = spm_spec({{"a", -1}});
    scores.scores->pop_back();
    expect_refused(scores,
                   "tokenizer.ggml.tokens has 260 entries but tokenizer.ggml.scores has 259");
    Spec types = spm_spec({{"a", -1}});
    types.types->push_back(1);
    expect_refused(types,
                   "tokenizer.ggml.tokens has 260 entries but tokenizer.ggml.token_type has 261");
}

TEST(TokenizerMetadata, RefusesIdsOutsideTheVocabulary) {
    Spec bos = spm_spec({{"a", -1}});
    bos.ids = {{"bos_token_id", 260}};
    expect_refused(bos, "tokenizer.ggml.bos_token_id is 260, but the vocabulary has 260 tokens");
    Spec eot = spm_spec({{"a", -1}});
    eot.ids.push_back({"eot_token_id", 100000});
    expect_refused(eot, "tokenizer.ggml.eot_token_id is 100000");
    Spec bpe = bpe_spec({});
    bpe.flags = {{"add_bos_token", true}};
    expect_refused(
        bpe, "tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
}

TEST(TokenizerMetadata, RefusesKeysOfTheWrongType) {
    Spec bos = spm_spec({{"a", -1}});
    bos.ids.clear();
    bos.extra = [](GgufWriter& w) { w.add_string("tokenizer.ggml.bos_token_id", "1"); };
    expect_refused(bos, "'tokenizer.ggml.bos_token_id' is string");
    Spec flag = spm_spec({{"a", -1}});
    flag.extra = [](GgufWriter& w) { w.add_u32("tokenizer.ggml.add_bos_token", 1); };
    expect_refused(flag, "'tokenizer.ggml.add_bos_token' is u32");
    Spec scores = spm_spec({{"a", -1}});
    std::vector<std::string> texts(scores.tokens.size(), "0");
    scores.scores.reset();
    scores.extra = [texts](GgufWriter& w) { w.add_string_array("tokenizer.ggml.scores", texts); };
    expect_refused(scores, "'tokenizer.ggml.scores' is an array of string");
    GgufWriter writer;
    writer.add_string("tokenizer.ggml.model", "llama")
        .add_i32_array("tokenizer.ggml.tokens", {1, 2});
    std::string bytes = writer.finish();
    auto file = gguf::GgufFile::parse(as_bytes(bytes));
    ASSERT_TRUE(file.ok());
    auto tok = Tokenizer::from_gguf(*file);
    ASSERT_FALSE(tok.ok());
    EXPECT_NE(tok.status().message().find("'tokenizer.ggml.tokens' is an array of i32"),
              std::string::npos)
        << tok.status().message();
    Spec model = spm_spec({{"a", -1}});
    model.model.clear();
    model.extra = [](GgufWriter& w) { w.add_u32("tokenizer.ggml.model", 1); };
    expect_refused(model, "'tokenizer.ggml.model' is u32");
}

TEST(TokenizerMetadata, RefusesBadTokens) {
    Spec types = spm_spec({{"a", -1}});
    types.types->back() = 9;
    expect_refused(types, "tokenizer.ggml.token_type[259] is 9");
    Spec byte = spm_spec({{"a", -1}});
    byte.types->back() = 6;
    expect_refused(byte,
                   "tokenizer.ggml.tokens[259] is 'a' but tokenizer.ggml.token_type says byte");
    Spec twice = spm_spec({{"a", -1}, {"a", -2}});
    expect_refused(twice, "tokenizer.ggml.tokens has 'a' twice, at ids 259 and 260");
    Spec nan = spm_spec({{"a", std::nanf("")}});
    expect_refused(nan, "tokenizer.ggml.scores[259] is NaN");
    Spec empty;
    expect_refused(empty, "tokenizer.ggml.tokens is empty");
    Spec none;
    none.model.clear();
    expect_refused(none, "the file has no vocabulary");
}

TEST(TokenizerMetadata, RefusesBadMerges) {
    Spec no_space = bpe_spec({"a b"});
    no_space.merges->push_back("ab");
    expect_refused(no_space, "tokenizer.ggml.merges[1] is 'ab'; a merge is two tokens separated");
    Spec unknown_half = bpe_spec({"a b"});
    unknown_half.merges->push_back("a zz");
    expect_refused(unknown_half, "tokenizer.ggml.merges[1] 'a zz' names 'zz', which is not in");
    Spec no_result = bpe_spec({"a b"});
    no_result.merges->push_back("b a");
    expect_refused(no_result, "tokenizer.ggml.merges[1] 'b a' makes 'ba', which is not in");
    Spec missing = bpe_spec({"a b"});
    missing.merges.reset();
    expect_refused(missing, "is 'gpt2' (byte-level BPE) but the file has no tokenizer.ggml.merges");
}

TEST(TokenizerMetadata, RefusesUnsupportedModelsWithTheSupportedOnes) {
    Spec bert = spm_spec({{"a", -1}});
    bert.model = "bert";
    core::Status s = load_error(bert);
    EXPECT_EQ(s.code(), core::StatusCode::kUnimplemented);
    EXPECT_NE(s.message().find("tokenizer.ggml.model is 'bert'; supported are 'llama'"),
              std::string::npos)
        << s.message();
    Spec pre = bpe_spec({"a b"});
    pre.pre = "chameleon";
    expect_refused(pre, "tokenizer.ggml.pre is 'chameleon'");
    // "default" (old conversions) is read with the GPT-2 rules.
    pre.pre = "default";
    auto loaded = load(pre);
    ASSERT_NE(loaded, nullptr);
    EXPECT_EQ(loaded->tokenizer->encode("ab", false, false),
              (std::vector<int32_t>{id_of(*loaded->tokenizer, "ab")}));
}

} // namespace
} // namespace edgeai::engine::tokenizer
