// stories260K, converted from llama2.c's checkpoint, must reproduce run.c: the
// same greedy ids and logits within 1e-3 (../shared/data/stories260K). Also
// the converter's refusals of files that are not what they claim.
#include "engine/convert/llama2c.h"
#include "engine/gguf/gguf_file.h"
#include "engine/kernels/kernel_table.h"
#include "engine/model/forward.h"
#include "engine/model/model.h"
#include "engine/test_data.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace edgeai::engine::convert {
namespace {

using testing::as_bytes;
using testing::as_floats;
using testing::read_file;
using testing::shared_data;

std::vector<int32_t> ids_after(const std::string& text, const std::string& label) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(label, 0) != 0) continue;
        std::istringstream nums(line.substr(label.size()));
        std::vector<int32_t> ids;
        int32_t id;
        while (nums >> id)
            ids.push_back(id);
        return ids;
    }
    return {};
}

class Stories : public ::testing::Test {
  protected:
    void SetUp() override {
        checkpoint_ = read_file(shared_data("stories260K/stories260K.bin"));
        tokenizer_ = read_file(shared_data("stories260K/tok512.bin"));
        if (checkpoint_.empty() || tokenizer_.empty())
            GTEST_SKIP() << "../shared/data/stories260K is absent; run.c's outputs not compared";
        auto converted =
            convert_llama2c(as_bytes(checkpoint_), as_bytes(tokenizer_), "stories260K");
        ASSERT_TRUE(converted.ok()) << converted.status().message();
        gguf_ = std::move(*converted);
        auto file = gguf::GgufFile::parse(as_bytes(gguf_));
        ASSERT_TRUE(file.ok()) << file.status().message();
        file_ = std::make_unique<gguf::GgufFile>(std::move(*file));
        auto model = model::Model::load(*file_);
        ASSERT_TRUE(model.ok()) << model.status().message();
        model_ = std::make_unique<model::Model>(std::move(*model));
    }

    std::string checkpoint_, tokenizer_, gguf_;
    std::unique_ptr<gguf::GgufFile> file_;
    std::unique_ptr<model::Model> model_;
};

TEST_F(Stories, ConvertedModelHasRunCsShape) {
    const auto& c = model_->config();
    EXPECT_EQ(c.n_embd, 64u);
    EXPECT_EQ(c.n_ff, 172u);
    EXPECT_EQ(c.n_layer, 5u);
    EXPECT_EQ(c.n_head, 8u);
    EXPECT_EQ(c.n_head_kv, 4u);
    EXPECT_EQ(c.n_vocab, 512u);
    EXPECT_EQ(c.n_ctx_train, 512u);
    EXPECT_EQ(file_->find_tensor("output.weight"), nullptr); // shared classifier: tied
    auto tokens = file_->get_string_array("tokenizer.ggml.tokens");
    ASSERT_TRUE(tokens.ok());
    EXPECT_EQ((*tokens)[1], "<s>");
    EXPECT_EQ((*tokens)[3], "<0x00>");
}

TEST_F(Stories, LogitsMatchRunCWithin1e3) {
    const auto ids = ids_after(read_file(shared_data("stories260K/once_200.ids")), "all_ids:");
    const auto want = as_floats(read_file(shared_data("stories260K/once_200.logits.f32")));
    const size_t steps = want.size() / 512;
    ASSERT_EQ(steps, 200u);
    ASSERT_EQ(ids.size(), steps + 1);
    for (const kernels::KernelTable* table : kernels::usable_kernels()) {
        SerialPool pool;
        model::KvCache cache(model_->config(), 512, model::KvType::kF32);
        model::Forward forward(*model_, pool, *table, 64, 512);
        std::vector<float> got(steps * 512);
        // Fed in chunks of 64, so batched prompt processing is what is checked.
        for (size_t start = 0; start < steps; start += 64) {
            std::vector<model::BatchToken> batch;
            for (size_t p = start; p < std::min(steps, start + 64); ++p)
                batch.push_back({&cache, ids[p], static_cast<uint32_t>(p), true});
            ASSERT_TRUE(forward.decode(batch, got.data() + start * 512).ok());
        }
        float worst = 0;
        for (size_t i = 0; i < got.size(); ++i)
            worst = std::max(worst, std::fabs(got[i] - want[i]));
        EXPECT_LE(worst, 1e-3f) << table->name;
    }
}

void expect_greedy_ids(const model::Model& model, const std::string& ids_file) {
    const std::string text = read_file(shared_data("stories260K/" + ids_file));
    const auto prompt = ids_after(text, "prompt_ids:");
    const auto want = ids_after(text, "all_ids:");
    ASSERT_FALSE(prompt.empty());
    SerialPool pool;
    model::KvCache cache(model.config(), 512, model::KvType::kF32);
    model::Forward forward(model, pool, kernels::best_kernels(), 1, 512);
    std::vector<float> logits(512);
    std::vector<int32_t> got = {prompt[0]};
    // run.c: STEPS = 200 positions in all, the prompt forced, generation stops
    // when it produces BOS.
    for (uint32_t pos = 0; pos < 200; ++pos) {
        model::BatchToken t{&cache, got[pos], pos, true};
        ASSERT_TRUE(forward.decode({&t, 1}, logits.data()).ok());
        int32_t next = pos + 1 < prompt.size()
                           ? prompt[pos + 1]
                           : static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) -
                                                  logits.begin());
        got.push_back(next);
        if (next == 1) break;
    }
    if (got.back() == 1) got.pop_back();
    EXPECT_EQ(got, want) << ids_file;
}

TEST_F(Stories, GreedyIdsMatchRunC) {
    expect_greedy_ids(*model_, "once_200.ids");
    expect_greedy_ids(*model_, "lily_200.ids");
}

TEST_F(Stories, RefusesCutAndMismatchedFiles) {
    std::string cut = checkpoint_.substr(0, checkpoint_.size() - 4);
    auto r = convert_llama2c(as_bytes(cut), as_bytes(tokenizer_), "x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("header describes"), std::string::npos)
        << r.status().message();
    std::string short_tok = tokenizer_.substr(0, tokenizer_.size() / 2);
    r = convert_llama2c(as_bytes(checkpoint_), as_bytes(short_tok), "x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("tokenizer file ends"), std::string::npos);
}

TEST(Llama2c, RefusesHostileHeaders) {
    auto header = [](std::vector<int32_t> v) {
        std::string s(v.size() * 4, '\0');
        std::memcpy(s.data(), v.data(), s.size());
        return s;
    };
    const std::string tok;
    EXPECT_FALSE(convert_llama2c(as_bytes(std::string("abc")), as_bytes(tok), "x").ok());
    auto r = convert_llama2c(as_bytes(header({64, 172, 5, 8, 4, 512, 0})), as_bytes(tok), "x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("seq_len = 0"), std::string::npos) << r.status().message();
    r = convert_llama2c(as_bytes(header({64, 172, 5, 7, 4, 512, 512})), as_bytes(tok), "x");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.status().message().find("heads"), std::string::npos);
    // Huge counts are refused from the header, before anything is allocated.
    r = convert_llama2c(as_bytes(header({65536, 65536, 65536, 1, 1, 512, 512})), as_bytes(tok),
                        "x");
    ASSERT_FALSE(r.ok());
}

} // namespace
} // namespace edgeai::engine::convert
