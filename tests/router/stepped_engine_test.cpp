// The engine for platforms without threads (edgeai.wasm), on stories260K:
// sequences in flight advance together, step by step, each giving the text
// it gives alone; results come only through the executor, never inside
// submit(); cancelled sequences say nothing more; embeddings take a step.
#include "router/stepped_engine.h"

#include "engine/convert/llama2c.h"
#include "engine/gguf/gguf_file.h"
#include "engine/test_data.h"
#include "gateway/gateway_fakes.h"

#include <gtest/gtest.h>

#include <memory>

namespace edgeai::router {
namespace {

using engine::session::FinishReason;

struct Collected final : engine::session::SequenceSink {
    std::string text;
    FinishReason reason = FinishReason::kNone;
    bool errored = false;
    void on_text(std::string_view t) override { text.append(t); }
    void on_finish(FinishReason r, uint32_t, uint32_t) override { reason = r; }
    void on_error(const core::Status&) override { errored = true; }
    bool done() const { return errored || reason != FinishReason::kNone; }
};

struct Vectors final : EmbeddingSink {
    std::vector<std::vector<float>> got;
    void on_embeddings(std::vector<std::vector<float>> v, uint32_t) override { got = std::move(v); }
    void on_error(const core::Status&) override {}
};

class SteppedEngineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        using engine::testing::as_bytes;
        using engine::testing::read_file;
        using engine::testing::shared_data;
        std::string ckpt = read_file(shared_data("stories260K/stories260K.bin"));
        std::string tok = read_file(shared_data("stories260K/tok512.bin"));
        if (ckpt.empty() || tok.empty())
            GTEST_SKIP() << "../shared/data/stories260K is absent; the engine is not exercised";
        gguf_ = *engine::convert::convert_llama2c(as_bytes(ckpt), as_bytes(tok), "stories");
        file_ = std::make_unique<engine::gguf::GgufFile>(
            *engine::gguf::GgufFile::parse(as_bytes(gguf_)));
        model_ = std::make_unique<engine::model::Model>(engine::model::Model::load(*file_).value());
        tokenizer_ = std::make_unique<engine::tokenizer::Tokenizer>(
            *engine::tokenizer::Tokenizer::from_gguf(*file_));
        engine::session::SchedulerConfig config;
        config.n_ctx = 256;
        config.kv_type = engine::model::KvType::kF32;
        engine_ = std::make_unique<SteppedEngine>(*model_, *tokenizer_, pool_, config, executor_);
    }

    uint64_t submit(const std::string& prompt, uint32_t max_tokens,
                    std::shared_ptr<Collected> sink) {
        engine::session::CompletionOptions o;
        o.sampling.temperature = 0;
        o.max_tokens = max_tokens;
        return engine_->submit(tokenizer_->encode(prompt, true, false), o, std::move(sink));
    }

    void step() {
        engine_->step();
        executor_.run_posted();
    }

    std::string alone(const std::string& prompt, uint32_t max_tokens) {
        auto sink = std::make_shared<Collected>();
        submit(prompt, max_tokens, sink);
        while (engine_->has_work())
            step();
        executor_.run_posted();
        return sink->text;
    }

    std::string gguf_;
    std::unique_ptr<engine::gguf::GgufFile> file_;
    std::unique_ptr<engine::model::Model> model_;
    std::unique_ptr<engine::tokenizer::Tokenizer> tokenizer_;
    engine::SerialPool pool_;
    core::ManualClock clock_;
    gateway::testing_fakes::ManualExecutor executor_{&clock_};
    std::unique_ptr<SteppedEngine> engine_;
};

TEST_F(SteppedEngineTest, SequencesInFlightAdvanceTogetherAndGiveTheirOwnText) {
    const std::string cat = alone("Once upon a time", 20);
    const std::string dog = alone("The dog", 20);
    ASSERT_FALSE(cat.empty());
    auto a = std::make_shared<Collected>();
    auto b = std::make_shared<Collected>();
    submit("Once upon a time", 20, a);
    submit("The dog", 20, b);
    EXPECT_TRUE(a->text.empty() && b->text.empty()) << "nothing happens inside submit()";
    for (int i = 0; i < 6; ++i)
        step();
    EXPECT_FALSE(a->text.empty());
    EXPECT_FALSE(b->text.empty()) << "the second does not wait for the first";
    while (engine_->has_work())
        step();
    executor_.run_posted();
    EXPECT_EQ(a->text, cat);
    EXPECT_EQ(b->text, dog);
    EXPECT_EQ(a->reason, FinishReason::kLength);
}

TEST_F(SteppedEngineTest, ARefusalComesFromTheLoopAndACancelledSequenceSaysNoMore) {
    auto refused = std::make_shared<Collected>();
    submit("Once upon a time", 100000, refused);
    EXPECT_FALSE(refused->errored);
    executor_.run_posted();
    EXPECT_TRUE(refused->errored);

    auto cancelled = std::make_shared<Collected>();
    const uint64_t ticket = submit("Once upon a time", 50, cancelled);
    step();
    step();
    engine_->cancel(ticket);
    const std::string so_far = cancelled->text;
    while (engine_->has_work())
        step();
    executor_.run_posted();
    EXPECT_EQ(cancelled->text, so_far);
    EXPECT_FALSE(cancelled->done());
}

TEST_F(SteppedEngineTest, EmbeddingsTakeAStep) {
    auto sink = std::make_shared<Vectors>();
    engine_->embed({tokenizer_->encode("a cat", true, false)}, sink);
    EXPECT_TRUE(engine_->has_work());
    step();
    ASSERT_EQ(sink->got.size(), 1u);
    EXPECT_EQ(sink->got[0].size(), model_->config().n_embd);
    EXPECT_FALSE(engine_->has_work());
}

} // namespace
} // namespace edgeai::router
