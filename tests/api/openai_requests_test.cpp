#include "api/openai_requests.h"

#include <gtest/gtest.h>

namespace edgeai::api {
namespace {

core::Status chat_error(std::string_view body) {
    auto r = decode_chat_completion_request(body);
    return r.ok() ? core::Status() : r.status();
}

TEST(ChatCompletionRequest, DecodesTheFieldsTheGatewayActsOn) {
    auto r = decode_chat_completion_request(
        R"({"model":"gpt-4o-mini","messages":[{"role":"system","content":"be brief"},
            {"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"u"}}]}],
            "stream":true,"stream_options":{"include_usage":true},"temperature":0.5,
            "max_tokens":7,"stop":"END","seed":42,"future_field":{"x":1}})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->model, "gpt-4o-mini");
    ASSERT_EQ(r->messages.size(), 2u);
    EXPECT_EQ(r->messages[1].text, "hi");
    EXPECT_TRUE(r->stream);
    EXPECT_TRUE(r->include_usage);
    EXPECT_EQ(*r->sampling.temperature, 0.5);
    EXPECT_EQ(*r->sampling.max_tokens, 7);
    EXPECT_EQ(*r->sampling.seed, 42);
    ASSERT_EQ(r->sampling.stop.size(), 1u);
}

struct BadCase {
    const char* body;
    const char* field;  // the param the error must name
    const char* phrase; // part of the message
};

class ChatCompletionRequestErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ChatCompletionRequestErrors, NameTheBadField) {
    core::Status s = chat_error(GetParam().body);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), GetParam().field) << s.message();
    EXPECT_NE(s.message().find(GetParam().phrase), std::string::npos) << s.message();
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ChatCompletionRequestErrors,
    ::testing::Values(
        BadCase{R"({"messages":[{"role":"user","content":"x"}]})", "model", "is required"},
        BadCase{R"({"model":3,"messages":[]})", "model", "expected a string, found a number"},
        BadCase{R"({"model":"m"})", "messages", "is required"},
        BadCase{R"({"model":"m","messages":[]})", "messages", "must not be empty"},
        BadCase{R"({"model":"m","messages":[{"role":"robot","content":"x"}]})", "messages[0].role",
                "found 'robot'"},
        BadCase{R"({"model":"m","messages":[{"role":"user"}]})", "messages[0].content",
                "is required"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":[{"text":"a"}]}]})",
                "messages[0].content[0].type", "is required"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"user","content":[{"type":"text"}]}]})",
            "messages[1].content[0].text", "is required"},
        BadCase{R"({"model":"m","messages":[{"role":"tool","content":"r"}]})",
                "messages[0].tool_call_id", "is required"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":"hot"})",
                "temperature", "between 0 and 2, found a string"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"temperature":3})",
                "temperature", "found 3"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"n":1.5})", "n",
                "expected an integer"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":"x"}],"stop":["a","b","c","d","e"]})",
            "stop", "at most 4"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream_options":{"include_usage":true}})",
            "stream_options", "only allowed when stream is true"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"}],"stream":"yes"})",
                "stream", "expected a boolean"}));

TEST(ChatCompletionRequest, AssistantTurnMayCarryOnlyToolCalls) {
    EXPECT_TRUE(chat_error(R"({"model":"m","messages":[{"role":"assistant","content":null,
        "tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}]},
        {"role":"tool","tool_call_id":"1","content":"42"}]})")
                    .ok());
}

TEST(ChatCompletionRequest, MalformedJsonAndNonObjectsAreClearErrors) {
    core::Status s = chat_error("{\"model\": ");
    EXPECT_NE(s.message().find("could not parse the JSON body"), std::string::npos);
    s = chat_error("[1,2]");
    EXPECT_NE(s.message().find("must be a JSON object, found an array"), std::string::npos);
}

TEST(CompletionRequest, AcceptsEveryPromptShapeAndRefusesMixedOnes) {
    EXPECT_TRUE(decode_completion_request(R"({"model":"m","prompt":"x"})").ok());
    EXPECT_TRUE(decode_completion_request(R"({"model":"m","prompt":["a","b"]})").ok());
    EXPECT_TRUE(decode_completion_request(R"({"model":"m","prompt":[1,2,3]})").ok());
    EXPECT_TRUE(decode_completion_request(R"({"model":"m","prompt":[[1],[2,3]]})").ok());
    auto mixed = decode_completion_request(R"({"model":"m","prompt":["a",1]})");
    ASSERT_FALSE(mixed.ok());
    EXPECT_EQ(mixed.status().field(), "prompt[1]");
    auto negative = decode_completion_request(R"({"model":"m","prompt":[[1,-2]]})");
    ASSERT_FALSE(negative.ok());
    EXPECT_EQ(negative.status().field(), "prompt[0][1]");
}

TEST(EmbeddingRequest, ChecksInputAndEncodingFormat) {
    auto r = decode_embedding_request(R"({"model":"e","input":"x","encoding_format":"base64"})");
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->encoding_format, "base64");
    auto bad = decode_embedding_request(R"({"model":"e","input":"x","encoding_format":"hex"})");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.status().field(), "encoding_format");
    auto empty = decode_embedding_request(R"({"model":"e","input":[]})");
    ASSERT_FALSE(empty.ok());
    EXPECT_EQ(empty.status().field(), "input");
}

} // namespace
} // namespace edgeai::api
