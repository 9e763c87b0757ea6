// A lazy grammar (tool calls with tool_choice auto): sampling is free until
// the output shows a trigger, which may be split over tokens, and from there
// the grammar masks every token that cannot continue, the trigger's own
// bytes counted. Logits are scripted so the test says which token the
// sampler would take unconstrained; the stories260K vocabulary spells it.
#include "engine/convert/llama2c.h"
#include "engine/gguf/gguf_file.h"
#include "engine/grammar/grammar.h"
#include "engine/grammar/token_trie.h"
#include "engine/session/completion.h"
#include "engine/test_data.h"
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace edgeai::engine::session {
namespace {

using testing::as_bytes;
using testing::read_file;
using testing::shared_data;

class LazyGrammar : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string ckpt = read_file(shared_data("stories260K/stories260K.bin"));
        std::string tok = read_file(shared_data("stories260K/tok512.bin"));
        if (ckpt.empty() || tok.empty())
            GTEST_SKIP() << "../shared/data/stories260K is absent; lazy grammars not exercised";
        gguf_ = *convert::convert_llama2c(as_bytes(ckpt), as_bytes(tok), "stories");
        file_ = std::make_unique<gguf::GgufFile>(*gguf::GgufFile::parse(as_bytes(gguf_)));
        tokenizer_ =
            std::make_unique<tokenizer::Tokenizer>(*tokenizer::Tokenizer::from_gguf(*file_));
        trie_ = grammar::TokenTrie::build(*tokenizer_);
    }

    // The token whose text is exactly `text`.
    int32_t token(const std::string& text) {
        std::string piece;
        for (int32_t id = 0; id < tokenizer_->n_vocab(); ++id) {
            piece.clear();
            tokenizer_->append_piece(id, piece);
            if (piece == text) return id;
        }
        ADD_FAILURE() << "no token spells '" << text << "'";
        return 0;
    }

    CompletionOptions lazy(std::string_view gbnf, std::vector<std::string> triggers) {
        CompletionOptions o;
        o.sampling.temperature = 0;
        o.max_tokens = 40;
        o.grammar = *grammar::compile_gbnf(gbnf);
        o.token_trie = trie_;
        o.grammar_triggers = std::move(triggers);
        return o;
    }

    // Steps with logits that put `wanted` first, `second` next; returns
    // the token the completion took.
    int32_t step(Completion& c, int32_t wanted, int32_t second, std::string& out, bool& done) {
        std::vector<float> logits(static_cast<size_t>(tokenizer_->n_vocab()), 0.0f);
        logits[static_cast<size_t>(wanted)] = 10;
        logits[static_cast<size_t>(second)] = 5;
        auto r = c.step(logits, out);
        EXPECT_TRUE(r.ok()) << r.status().message();
        done = r.ok() && *r;
        return c.next_token();
    }

    std::string gguf_;
    std::unique_ptr<gguf::GgufFile> file_;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
    std::shared_ptr<const grammar::TokenTrie> trie_;
};

TEST_F(LazyGrammar, FreeUntilTheTriggerThenMasked) {
    auto c = *Completion::create(*tokenizer_, lazy(R"(root ::= "<x>" [ab]{3} "!")", {"<x>"}));
    std::string out;
    bool done = false;
    const int32_t z = token("z"), b = token("b");
    // Free text the grammar would refuse, and the trigger spelled in pieces.
    for (const char* piece : {"z", "z", "<", "x", ">"}) {
        const int32_t want = token(piece);
        EXPECT_EQ(step(c, want, b, out, done), want) << piece;
        ASSERT_FALSE(done);
    }
    // From here 'z' is masked: the next best allowed token wins.
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(step(c, z, b, out, done), b);
        ASSERT_FALSE(done);
    }
    // Only '!' may follow; then the grammar is whole and generation ends.
    step(c, z, b, out, done);
    EXPECT_TRUE(done);
    EXPECT_EQ(c.finish_reason(), FinishReason::kStop);
    EXPECT_EQ(out, "zz<x>bbb!");
}

TEST_F(LazyGrammar, WithoutTheTriggerNothingIsMasked) {
    auto c = *Completion::create(*tokenizer_, lazy(R"(root ::= "<x>" [ab]{3} "!")", {"<x>"}));
    std::string out;
    bool done = false;
    const int32_t z = token("z"), b = token("b");
    for (int i = 0; i < 40 && !done; ++i)
        EXPECT_EQ(step(c, z, b, out, done), z);
    EXPECT_EQ(c.finish_reason(), FinishReason::kLength);
    EXPECT_EQ(out, std::string(40, 'z'));
}

} // namespace
} // namespace edgeai::engine::session
