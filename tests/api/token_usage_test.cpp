#include "api/token_usage.h"

#include <gtest/gtest.h>

namespace edgeai::api {
namespace {

TokenUsage read(std::string_view json) {
    TokenUsage u;
    read_token_usage(json, u);
    return u;
}

TEST(TokenUsage, OpenAiUsageWithDetailsObjects) {
    TokenUsage u = read(R"({"id":"x","choices":[{"message":{"content":"hi"}}],
        "usage": {"prompt_tokens": 19, "completion_tokens":10, "total_tokens":29,
                  "prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},
                  "completion_tokens_details":{"reasoning_tokens":0}}})");
    EXPECT_TRUE(u.found);
    EXPECT_EQ(u.prompt_tokens, 19);
    EXPECT_EQ(u.completion_tokens, 10);
}

TEST(TokenUsage, AnthropicCountsCachedPromptTokensAndSkipsNulls) {
    TokenUsage u = read(R"({"type":"message","usage":{"input_tokens":5,
        "cache_creation_input_tokens":null,"cache_read_input_tokens":100,"output_tokens":7,
        "service_tier":"standard"}})");
    EXPECT_TRUE(u.found);
    EXPECT_EQ(u.prompt_tokens, 105);
    EXPECT_EQ(u.completion_tokens, 7);
}

TEST(TokenUsage, TheWordInsideAStringIsNotAKey) {
    TokenUsage u =
        read(R"({"choices":[{"message":{"content":"see \"usage\": {\"prompt_tokens\": 5}"}}]})");
    EXPECT_FALSE(u.found);
    u = read(
        R"({"choices":[{"message":{"content":"\"usage\": {\"prompt_tokens\": 5}"}}],"usage":{"prompt_tokens":1,"completion_tokens":2}})");
    EXPECT_EQ(u.prompt_tokens, 1);
    EXPECT_EQ(u.completion_tokens, 2);
}

TEST(TokenUsage, NullOrAbsentUsageChangesNothing) {
    TokenUsage u;
    u.prompt_tokens = 3;
    read_token_usage(R"({"choices":[],"usage":null})", u);
    read_token_usage(R"({"choices":[]})", u);
    read_token_usage(R"({"usage":{"prompt_tokens":-4,"completion_tokens":1.5}})", u);
    read_token_usage(R"({"usage":{"prompt_tokens":)", u); // cut short
    EXPECT_FALSE(u.found);
    EXPECT_EQ(u.prompt_tokens, 3);
}

TEST(TokenUsage, StreamEventsAddUpAndLaterReportsReplaceEarlierOnes) {
    TokenUsage u;
    read_token_usage_in_events(
        "event: message_start\n"
        "data: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":"
        "12,\"output_tokens\":1}}}\n\n"
        "event: content_block_delta\ndata: {\"delta\":{\"text\":\"usage\"}}\n\n",
        u);
    EXPECT_EQ(u.prompt_tokens, 12);
    EXPECT_EQ(u.completion_tokens, 1);
    read_token_usage_in_events(
        "event: message_delta\r\ndata: {\"type\":\"message_delta\",\"usage\":"
        "{\"output_tokens\":30}}\r\n\r\n",
        u);
    EXPECT_EQ(u.prompt_tokens, 12);
    EXPECT_EQ(u.completion_tokens, 30);
    TokenUsage openai;
    read_token_usage_in_events("data: {\"choices\":[{\"delta\":{}}],\"usage\":null}\n\n"
                               "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,"
                               "\"completion_tokens\":2}}\n\ndata: [DONE]\n\n",
                               openai);
    EXPECT_TRUE(openai.found);
    EXPECT_EQ(openai.prompt_tokens, 4);
    EXPECT_EQ(openai.completion_tokens, 2);
}

} // namespace
} // namespace edgeai::api
