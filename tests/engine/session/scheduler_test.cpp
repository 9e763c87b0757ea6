// The scheduler against the single-sequence runner on stories260K (converted
// from ../shared/data): sequences batched together, admitted while others
// run, cancelled midway, or refused for their length behave exactly as each
// would alone.
#include "engine/convert/llama2c.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/session/runner.h"
#include "engine/session/scheduler.h"
#include "engine/test_data.h"
#include "engine/tokenizer/tokenizer.h"

#include <gtest/gtest.h>

#include <memory>

namespace edgeai::engine::session {
namespace {

using testing::as_bytes;
using testing::read_file;
using testing::shared_data;

struct Collected final : SequenceSink {
    std::string text;
    FinishReason reason = FinishReason::kNone;
    uint32_t prompt = 0, completion = 0;
    bool errored = false;
    core::Status error;
    void on_text(std::string_view t) override { text.append(t); }
    void on_finish(FinishReason r, uint32_t p, uint32_t c) override {
        reason = r;
        prompt = p;
        completion = c;
    }
    void on_error(const core::Status& s) override {
        errored = true;
        error = s;
    }
    bool done() const { return errored || reason != FinishReason::kNone; }
};

class SchedulerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string ckpt = read_file(shared_data("stories260K/stories260K.bin"));
        std::string tok = read_file(shared_data("stories260K/tok512.bin"));
        if (ckpt.empty() || tok.empty())
            GTEST_SKIP() << "../shared/data/stories260K is absent; scheduler not exercised";
        gguf_ = *convert::convert_llama2c(as_bytes(ckpt), as_bytes(tok), "stories");
        file_ = std::make_unique<gguf::GgufFile>(*gguf::GgufFile::parse(as_bytes(gguf_)));
        model_ = std::make_unique<model::Model>(model::Model::load(*file_).value());
        tokenizer_ =
            std::make_unique<tokenizer::Tokenizer>(*tokenizer::Tokenizer::from_gguf(*file_));
    }

    CompletionOptions greedy(uint32_t max_tokens) {
        CompletionOptions o;
        o.sampling.temperature = 0;
        o.max_tokens = max_tokens;
        return o;
    }

    // The text the single-sequence runner produces.
    std::string alone(const std::string& prompt, uint32_t max_tokens) {
        Runner runner(*model_, pool_, kernels::best_kernels(), 512, model::KvType::kF32, 64);
        auto completion = *Completion::create(*tokenizer_, greedy(max_tokens));
        const auto ids = tokenizer_->encode(prompt, true, false);
        EXPECT_TRUE(runner.prefill(ids).ok());
        std::string out;
        for (;;) {
            auto done = completion.step(runner.logits(), out);
            if (!done.ok() || *done) break;
            const int32_t next = completion.next_token();
            EXPECT_TRUE(runner.feed({&next, 1}).ok());
        }
        return out;
    }

    void run_until_done(Scheduler& s) {
        for (int i = 0; i < 10000 && s.has_work(); ++i)
            s.step();
        EXPECT_FALSE(s.has_work());
    }

    std::string gguf_;
    std::unique_ptr<gguf::GgufFile> file_;
    std::unique_ptr<model::Model> model_;
    std::unique_ptr<tokenizer::Tokenizer> tokenizer_;
    SerialPool pool_;
};

TEST_F(SchedulerTest, BatchedSequencesMatchEachAlone) {
    const std::vector<std::string> prompts = {"Once upon a time", "Lily and Ben", "The cat",
                                              "Once upon a time", "A big red ball"};
    SchedulerConfig config;
    config.parallel = 3; // fewer slots than requests: two wait for a free slot
    config.n_ctx = 512;
    config.kv_type = model::KvType::kF32;
    config.max_batch = 16;
    config.prompt_chunk = 2; // prompts take several steps, interleaved with decoding
    Scheduler s(*model_, *tokenizer_, pool_, kernels::best_kernels(), config);
    std::vector<Collected> sinks(prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i)
        ASSERT_TRUE(s.submit(tokenizer_->encode(prompts[i], true, false),
                             greedy(static_cast<uint32_t>(30 + 5 * i)), &sinks[i])
                        .ok());
    EXPECT_EQ(s.waiting(), prompts.size());
    run_until_done(s);
    for (size_t i = 0; i < prompts.size(); ++i) {
        ASSERT_TRUE(sinks[i].done()) << i;
        EXPECT_FALSE(sinks[i].errored) << sinks[i].error.message();
        EXPECT_EQ(sinks[i].text, alone(prompts[i], static_cast<uint32_t>(30 + 5 * i)))
            << prompts[i];
        EXPECT_EQ(sinks[i].reason, FinishReason::kLength);
        EXPECT_EQ(sinks[i].completion, 30 + 5 * i);
    }
}

TEST_F(SchedulerTest, ReusesACachedPrefixAndCancelsCleanly) {
    SchedulerConfig config;
    config.parallel = 1;
    config.n_ctx = 512;
    config.kv_type = model::KvType::kF32;
    Scheduler s(*model_, *tokenizer_, pool_, kernels::best_kernels(), config);
    Collected first, cancelled, second;
    const auto prompt = tokenizer_->encode("Once upon a time", true, false);
    ASSERT_TRUE(s.submit(prompt, greedy(20), &first).ok());
    run_until_done(s);
    // A cancelled sequence leaves no trace in what follows.
    auto id = s.submit(tokenizer_->encode("The dog ran", true, false), greedy(50), &cancelled);
    ASSERT_TRUE(id.ok());
    s.step();
    s.step();
    s.cancel(*id);
    EXPECT_FALSE(s.has_work());
    ASSERT_TRUE(s.submit(prompt, greedy(20), &second).ok());
    run_until_done(s);
    EXPECT_EQ(first.text, second.text);
    EXPECT_EQ(first.text, alone("Once upon a time", 20));
    EXPECT_FALSE(cancelled.done());
}

TEST_F(SchedulerTest, RefusesWhatCannotFit) {
    SchedulerConfig config;
    config.parallel = 1;
    config.n_ctx = 32;
    config.max_queued = 1;
    Scheduler s(*model_, *tokenizer_, pool_, kernels::best_kernels(), config);
    Collected a, b, c;
    const auto prompt = tokenizer_->encode("Once upon a time", true, false);
    auto too_long = s.submit(prompt, greedy(100), &a);
    ASSERT_FALSE(too_long.ok());
    EXPECT_EQ(too_long.status().field(), "context_length_exceeded");
    EXPECT_NE(too_long.status().message().find("maximum context length is 32"), std::string::npos);
    ASSERT_TRUE(s.submit(prompt, greedy(4), &b).ok());
    auto full = s.submit(prompt, greedy(4), &c);
    ASSERT_FALSE(full.ok());
    EXPECT_EQ(full.status().code(), core::StatusCode::kResourceExhausted);
    run_until_done(s);
    EXPECT_EQ(b.completion, 4u);
}

// -c is the total over the slots, as llama.cpp's server splits it.
TEST(ContextPerSequence, SplitsTheTotalOverTheSequences) {
    EXPECT_EQ(context_per_sequence(2048, 4, 32768), 512u);
    EXPECT_EQ(context_per_sequence(2050, 4, 32768), 512u);
    EXPECT_EQ(context_per_sequence(100, 1, 32768), 100u);
    EXPECT_EQ(context_per_sequence(3, 4, 32768), 0u);
    // Not given: each sequence gets the model's context, at most 4096.
    EXPECT_EQ(context_per_sequence(0, 4, 32768), 4096u);
    EXPECT_EQ(context_per_sequence(0, 4, 512), 512u);
}

} // namespace
} // namespace edgeai::engine::session
