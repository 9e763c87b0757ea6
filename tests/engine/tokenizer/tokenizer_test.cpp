// The tokenizers against reference outputs: llama.cpp's tokenizer test vectors
// (../shared/data/tokenizer, generated with Hugging Face's tokenizers) for a
// SentencePiece and a byte-level BPE vocabulary, and llama2.c's run.c prompts
// for the stories260K vocabulary (../shared/data/stories260K, ktiny).
#include "engine/gguf/gguf_file.h"
#include "engine/gguf/gguf_writer.h"
#include "engine/test_data.h"
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace edgeai::engine::tokenizer {
namespace {

using testing::as_bytes;
using testing::read_file;
using testing::shared_data;

// The GGUF bytes must outlive the tokenizer (token texts are views into them).
struct Loaded {
    std::string bytes;
    std::unique_ptr<Tokenizer> tokenizer;
};

std::unique_ptr<Loaded> load(std::string bytes) {
    auto loaded = std::make_unique<Loaded>();
    loaded->bytes = std::move(bytes);
    auto file = gguf::GgufFile::parse(as_bytes(loaded->bytes));
    EXPECT_TRUE(file.ok()) << file.status().message();
    if (!file.ok()) return nullptr;
    auto tok = Tokenizer::from_gguf(*file);
    EXPECT_TRUE(tok.ok()) << tok.status().message();
    if (!tok.ok()) return nullptr;
    loaded->tokenizer = std::make_unique<Tokenizer>(std::move(*tok));
    return loaded;
}

struct Case {
    std::string text;
    std::vector<int32_t> ids;
};

// As llama.cpp's test-tokenizer-0: every test string is followed by the line
// "__ggml_vocab_test__" (so the separator is "\n__ggml_vocab_test__\n" and the
// file ends with one); the .out file has one line of ids per string.
std::vector<Case> read_cases(const std::string& name) {
    std::string inp = read_file(shared_data("tokenizer/" + name + ".inp"));
    std::string out = read_file(shared_data("tokenizer/" + name + ".out"));
    std::vector<Case> cases;
    const std::string separator = "\n__ggml_vocab_test__\n";
    size_t at = 0;
    for (size_t next = inp.find(separator); next != std::string::npos;
         next = inp.find(separator, at)) {
        cases.push_back({inp.substr(at, next - at), {}});
        at = next + separator.size();
    }
    EXPECT_EQ(at, inp.size()) << "text after the last separator in " << name << ".inp";
    std::istringstream lines(out);
    std::string line;
    size_t i = 0;
    while (std::getline(lines, line)) {
        if (i >= cases.size()) {
            ADD_FAILURE() << name << ".out has more lines than " << name << ".inp has strings";
            break;
        }
        std::istringstream numbers(line);
        int32_t id = 0;
        while (numbers >> id)
            cases[i].ids.push_back(id);
        ++i;
    }
    EXPECT_EQ(i, cases.size()) << name << ".out and .inp disagree on the number of strings";
    return cases;
}

std::string ids_string(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids)
        s += " " + std::to_string(id);
    return s;
}

// Every vector must match exactly; a mismatch names the string and both lists.
void expect_vectors_match(const std::string& name) {
    std::string vocab = read_file(shared_data("tokenizer/" + name));
    if (vocab.empty()) {
        GTEST_SKIP() << "../shared/data/tokenizer is absent; tokenizer vectors not checked";
    }
    auto loaded = load(std::move(vocab));
    ASSERT_NE(loaded, nullptr);
    std::vector<Case> cases = read_cases(name);
    ASSERT_GT(cases.size(), 40u);
    size_t matched = 0;
    for (const Case& c : cases) {
        std::vector<int32_t> got = loaded->tokenizer->encode(c.text, false, false);
        if (got == c.ids) {
            ++matched;
            continue;
        }
        ADD_FAILURE() << name << ": '" << c.text << "'\n  expected" << ids_string(c.ids)
                      << "\n  got     " << ids_string(got);
    }
    EXPECT_EQ(matched, cases.size());
    std::printf("[ vectors  ] %s: %zu of %zu match\n", name.c_str(), matched, cases.size());
}

TEST(TokenizerVectors, LlamaSpmMatchesHuggingFace) {
    expect_vectors_match("ggml-vocab-llama-spm.gguf");
}

TEST(TokenizerVectors, Gpt2MatchesHuggingFace) {
    expect_vectors_match("ggml-vocab-gpt-2.gguf");
}

// Both tokenizers are lossless on UTF-8: decoding gives the text back (the
// SentencePiece dummy prefix removed), with and without BOS.
TEST(TokenizerVectors, DecodeOfEncodeIsTheText) {
    for (const char* name : {"ggml-vocab-llama-spm.gguf", "ggml-vocab-gpt-2.gguf"}) {
        std::string vocab = read_file(shared_data(std::string("tokenizer/") + name));
        if (vocab.empty()) GTEST_SKIP() << "../shared/data/tokenizer is absent";
        auto loaded = load(std::move(vocab));
        ASSERT_NE(loaded, nullptr);
        const Tokenizer& tok = *loaded->tokenizer;
        for (const Case& c : read_cases(name)) {
            for (bool add_special : {false, true}) {
                std::vector<int32_t> ids = tok.encode(c.text, add_special, false);
                EXPECT_EQ(tok.decode(ids), c.text) << name << ", add_special " << add_special;
            }
        }
    }
}

class TokenizerLlamaSpm : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string vocab = read_file(shared_data("tokenizer/ggml-vocab-llama-spm.gguf"));
        if (vocab.empty()) GTEST_SKIP() << "../shared/data/tokenizer is absent";
        loaded_ = load(std::move(vocab));
        ASSERT_NE(loaded_, nullptr);
    }
    const Tokenizer& tok() const { return *loaded_->tokenizer; }

    std::unique_ptr<Loaded> loaded_;
};

TEST_F(TokenizerLlamaSpm, MetadataAndBos) {
    EXPECT_EQ(tok().model(), TokenizerModel::kSentencePiece);
    EXPECT_EQ(tok().n_vocab(), 32000);
    EXPECT_EQ(tok().bos(), 1);
    EXPECT_EQ(tok().eos(), 2);
    EXPECT_EQ(tok().unk(), 0);
    EXPECT_TRUE(tok().add_bos());
    EXPECT_FALSE(tok().add_eos());
    EXPECT_TRUE(tok().add_space_prefix());
    EXPECT_TRUE(tok().is_end_of_generation(2));
    EXPECT_FALSE(tok().is_end_of_generation(1));
    EXPECT_EQ(tok().token_type(1), TokenType::kControl);
    EXPECT_EQ(tok().token_type(3), TokenType::kByte);
    EXPECT_EQ(tok().find("▁Hello"), 15043);
    EXPECT_EQ(tok().token_text(15043), "▁Hello");
    EXPECT_FALSE(tok().find("no such token").has_value());

    EXPECT_EQ(tok().encode("Hello world", true, false), (std::vector<int32_t>{1, 15043, 3186}));
    EXPECT_EQ(tok().encode("Hello world", false, false), (std::vector<int32_t>{15043, 3186}));
    // As sentencepiece: an empty text is nothing, or just BOS.
    EXPECT_TRUE(tok().encode("", false, false).empty());
    EXPECT_EQ(tok().encode("", true, false), (std::vector<int32_t>{1}));
}

TEST_F(TokenizerLlamaSpm, SpecialTokensOnlyWhenParsed) {
    // Parsed, "<s>" is BOS and the text after it gets its own dummy prefix.
    EXPECT_EQ(tok().encode("<s>Hello", false, true), (std::vector<int32_t>{1, 15043}));
    // Not parsed, it is three characters of text, never the control token.
    std::vector<int32_t> plain = tok().encode("<s>Hello", false, false);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), 1), 0) << ::testing::PrintToString(plain);
    EXPECT_EQ(tok().decode(plain), "<s>Hello");
    // Control tokens print only when asked to.
    std::vector<int32_t> ids = {1, 15043, 2};
    EXPECT_EQ(tok().decode(ids), "Hello");
    EXPECT_EQ(tok().decode(ids, true), "<s>Hello</s>");
    std::string piece;
    tok().append_piece(15043, piece);
    EXPECT_EQ(piece, " Hello"); // a piece keeps its space; only decode() strips the prefix
    tok().append_piece(-1, piece);
    tok().append_piece(32000, piece);
    EXPECT_EQ(piece, " Hello");
}

TEST_F(TokenizerLlamaSpm, UnknownCharactersFallBackToBytes) {
    // U+1F9E0 is not in the Llama 2 vocabulary: its four UTF-8 bytes are
    // <0xF0> <0x9F> <0xA7> <0xA0>, ids 3 + byte.
    std::vector<int32_t> ids = tok().encode("\xF0\x9F\xA7\xA0", false, false);
    EXPECT_EQ(ids, (std::vector<int32_t>{29871, 3 + 0xF0, 3 + 0x9F, 3 + 0xA7, 3 + 0xA0}));
    EXPECT_EQ(tok().decode(ids), "\xF0\x9F\xA7\xA0");
    // Bytes that are not UTF-8 survive the same way.
    std::string broken = "a\xFF"
                         "b\xC3";
    EXPECT_EQ(tok().decode(tok().encode(broken, true, false)), broken);
    std::string piece;
    tok().append_piece(3 + 0x0A, piece);
    EXPECT_EQ(piece, "\n");
}

class TokenizerGpt2 : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string vocab = read_file(shared_data("tokenizer/ggml-vocab-gpt-2.gguf"));
        if (vocab.empty()) GTEST_SKIP() << "../shared/data/tokenizer is absent";
        loaded_ = load(std::move(vocab));
        ASSERT_NE(loaded_, nullptr);
    }
    const Tokenizer& tok() const { return *loaded_->tokenizer; }

    std::unique_ptr<Loaded> loaded_;
};

TEST_F(TokenizerGpt2, MetadataAndSpecialTokens) {
    EXPECT_EQ(tok().model(), TokenizerModel::kByteLevelBpe);
    EXPECT_EQ(tok().n_vocab(), 50257);
    EXPECT_EQ(tok().bos(), 50256);
    EXPECT_EQ(tok().eos(), 50256);
    EXPECT_FALSE(tok().add_bos());
    EXPECT_FALSE(tok().add_space_prefix());
    EXPECT_TRUE(tok().is_end_of_generation(50256));
    EXPECT_EQ(tok().encode("Hello world", true, false), (std::vector<int32_t>{15496, 995}));

    const std::string text = "Hi<|endoftext|> there";
    EXPECT_EQ(tok().encode(text, false, true), (std::vector<int32_t>{17250, 50256, 612}));
    std::vector<int32_t> plain = tok().encode(text, false, false);
    EXPECT_EQ(std::count(plain.begin(), plain.end(), 50256), 0);
    EXPECT_EQ(tok().decode(plain), text);
    EXPECT_EQ(tok().decode(tok().encode(text, false, true)), "Hi there");
    EXPECT_EQ(tok().decode(tok().encode(text, false, true), true), text);
}

TEST_F(TokenizerGpt2, AnyBytesRoundTrip) {
    std::string all;
    for (int b = 0; b < 256; ++b)
        all.push_back(static_cast<char>(b));
    all += "\xE2\x82"
           " cut short, \xC0\xAF overlong";
    std::vector<int32_t> ids = tok().encode(all, false, false);
    for (int32_t id : ids) {
        ASSERT_GE(id, 0);
        ASSERT_LT(id, tok().n_vocab());
    }
    EXPECT_EQ(tok().decode(ids), all);
}

// stories260K's 512-token vocabulary, as llama.cpp converted it (ktiny) and as
// llama2.c's tok512.bin holds it; run.c's prompt ids are the reference.
struct RunCPrompt {
    const char* ids_file;
    std::vector<int32_t> prompt_ids;
    std::vector<int32_t> all_ids;
    std::string printed;
};

std::vector<int32_t> ids_after(const std::string& ids_file, const std::string& label) {
    std::istringstream lines(ids_file);
    std::string line;
    std::vector<int32_t> ids;
    while (std::getline(lines, line)) {
        if (line.rfind(label, 0) != 0) continue;
        std::istringstream numbers(line.substr(label.size()));
        int32_t id = 0;
        while (numbers >> id)
            ids.push_back(id);
    }
    return ids;
}

// tok512.bin as a llama2.c converter must write it into GGUF (the layout of
// ktiny, which llama.cpp converted): <unk> <s> </s> (tok512.bin spells the
// last two "\n<s>\n", "\n</s>\n"), the 256 byte tokens, then the pieces with
// their scores and with spaces written as U+2581, as in every SentencePiece GGUF
// (llama2.c's export had turned them into plain spaces).
std::string gguf_from_tok512(const std::string& bin) {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
    size_t at = 4; // max_token_length
    while (at + 8 <= bin.size()) {
        float score = 0;
        int32_t length = 0;
        std::memcpy(&score, bin.data() + at, 4);
        std::memcpy(&length, bin.data() + at + 4, 4);
        at += 8;
        if (length < 0 || at + static_cast<size_t>(length) > bin.size()) return {};
        std::string piece;
        for (char c : bin.substr(at, static_cast<size_t>(length)))
            piece += c == ' ' ? std::string("\xE2\x96\x81") : std::string(1, c);
        tokens.push_back(piece);
        at += static_cast<size_t>(length);
        scores.push_back(score);
        size_t id = tokens.size() - 1;
        types.push_back(id == 0 ? 2 : id <= 2 ? 3 : id <= 258 ? 6 : 1);
    }
    if (tokens.size() != 512) return {};
    tokens[0] = "<unk>";
    tokens[1] = "<s>";
    tokens[2] = "</s>";
    gguf::GgufWriter w;
    w.add_string("tokenizer.ggml.model", "llama")
        .add_string_array("tokenizer.ggml.tokens", tokens)
        .add_f32_array("tokenizer.ggml.scores", scores)
        .add_i32_array("tokenizer.ggml.token_type", types)
        .add_u32("tokenizer.ggml.bos_token_id", 1)
        .add_u32("tokenizer.ggml.eos_token_id", 2)
        .add_u32("tokenizer.ggml.unknown_token_id", 0)
        .add_bool("tokenizer.ggml.add_space_prefix", true);
    return w.finish();
}

TEST(TokenizerLlama2c, PromptsMatchRunC) {
    std::string ktiny = read_file(shared_data("ktiny/ktiny-f32.gguf"));
    std::string tok512 = read_file(shared_data("stories260K/tok512.bin"));
    if (ktiny.empty() || tok512.empty()) {
        GTEST_SKIP()
            << "../shared/data/ktiny or stories260K is absent; llama2.c prompts not checked";
    }
    std::string converted = gguf_from_tok512(tok512);
    ASSERT_FALSE(converted.empty()) << "tok512.bin is not a 512-token llama2.c tokenizer";
    for (std::string* vocab : {&ktiny, &converted}) {
        auto loaded = load(*vocab);
        ASSERT_NE(loaded, nullptr);
        const Tokenizer& tok = *loaded->tokenizer;
        for (const char* name : {"once_200", "lily_200"}) {
            std::string ids_file =
                read_file(shared_data(std::string("stories260K/") + name + ".ids"));
            std::string printed =
                read_file(shared_data(std::string("stories260K/") + name + ".txt"));
            std::vector<int32_t> prompt_ids = ids_after(ids_file, "prompt_ids:");
            std::vector<int32_t> all_ids = ids_after(ids_file, "all_ids:");
            ASSERT_GT(prompt_ids.size(), 1u) << name;
            ASSERT_GT(all_ids.size(), prompt_ids.size()) << name;
            // The prompt is the start of what run.c printed.
            std::string prompt =
                tok.decode(std::vector<int32_t>(prompt_ids.begin(), prompt_ids.end()));
            ASSERT_EQ(printed.compare(0, prompt.size(), prompt), 0)
                << name << ": '" << prompt << "'";
            EXPECT_EQ(tok.encode(prompt, true, false), prompt_ids)
                << name << ": '" << prompt << "'";
            // run.c prints every id after BOS; the .txt adds a final newline.
            std::string text = tok.decode(std::vector<int32_t>(all_ids.begin(), all_ids.end()));
            EXPECT_EQ(text + "\n", printed) << name;
        }
    }
}

} // namespace
} // namespace edgeai::engine::tokenizer
