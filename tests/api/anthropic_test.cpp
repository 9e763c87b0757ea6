#include "api/anthropic/anthropic_requests.h"
#include "api/anthropic/anthropic_responses.h"
#include "api/anthropic/anthropic_streams.h"
#include "api/openai_requests.h"
#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"

#include "json_for_test.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

namespace edgeai::api::anthropic {
namespace {

using codec::JsonDocument;
using codec::JsonValue;

JsonDocument json(std::string_view text) {
    return json_for_test(text);
}

std::string body_of(const core::Result<TranslatedChatRequest>& r) {
    return r.ok() ? r->body : "{}";
}

std::string body_of(const core::Result<TranslatedMessagesRequest>& r) {
    return r.ok() ? r->body : "{}";
}

std::vector<codec::SseEvent> events(std::string_view stream) {
    codec::SseParser parser;
    EXPECT_TRUE(parser.feed(stream).ok());
    EXPECT_TRUE(parser.at_boundary()) << "output ends inside an event";
    std::vector<codec::SseEvent> out;
    codec::SseEvent e;
    while (parser.next(e))
        out.push_back(e);
    return out;
}

std::vector<std::string> names(const std::vector<codec::SseEvent>& evs) {
    std::vector<std::string> out;
    for (const auto& e : evs)
        out.push_back(e.event);
    return out;
}

// Every event is whole, its data JSON (or [DONE]), and a named Messages event
// says its own name in "type".
void expect_well_formed(std::string_view stream) {
    for (const auto& e : events(stream)) {
        if (e.data == "[DONE]") continue;
        ASSERT_TRUE(codec::is_valid_json(e.data)) << e.data;
        if (!e.event.empty()) {
            EXPECT_EQ(json(e.data).root()["type"].as_string(), e.event) << e.data;
        }
    }
}

template <typename Translator> std::string run_whole(Translator& t, std::string_view input) {
    std::string out = t.feed(input);
    return out + t.finish();
}

template <typename Translator> std::string run_bytewise(Translator& t, std::string_view input) {
    std::string out;
    for (char c : input)
        out += t.feed(std::string_view(&c, 1));
    return out + t.finish();
}

// ---------------------------------------------------------------------------
// write_json_value

TEST(WriteJsonValue, KeepsIntegersStringsAndStructure) {
    auto doc = json(R"({"a":1,"b":-9007199254740993,"c":18446744073709551615,"d":1.5,)"
                    R"("e":"q\"\n\u0000é","f":[true,false,null,{}],"g":{"h":[]},"i":1e300})");
    std::string out;
    codec::JsonWriter w(&out);
    codec::write_json_value(w, doc.root());
    EXPECT_EQ(out, R"({"a":1,"b":-9007199254740993,"c":18446744073709551615,"d":1.5,)"
                   R"("e":"q\"\n\u0000é","f":[true,false,null,{}],"g":{"h":[]},"i":1e+300})");
}

TEST(WriteJsonValue, DeepNestingStaysValid) {
    // Deeper than the writer's 64 levels of comma bookkeeping, with empty
    // containers at every level where a lost comma would show.
    std::string text;
    for (int i = 0; i < 120; ++i)
        text += "[{},";
    text += "0";
    for (int i = 0; i < 120; ++i)
        text += ",[]]";
    auto doc = json(text);
    std::string out;
    codec::JsonWriter w(&out);
    w.begin_array().value(1);
    codec::write_json_value(w, doc.root());
    w.value(2).end_array();
    EXPECT_EQ(out, "[1," + text + ",2]");
}

TEST(WriteJsonValue, MissingValueIsNull) {
    auto doc = json("{}");
    std::string out;
    codec::JsonWriter w(&out);
    codec::write_json_value(w, doc.root()["absent"]);
    EXPECT_EQ(out, "null");
}

// ---------------------------------------------------------------------------
// Inbound requests: Messages -> chat completions

TEST(MessagesToChat, MapsScalarsAndSystem) {
    auto r = messages_to_chat(R"({"model":"claude-x","max_tokens":256,"system":"be brief",
        "messages":[{"role":"user","content":"hi"}],"stop_sequences":["END","STOP"],
        "temperature":0.3,"top_p":0.9,"top_k":40,"metadata":{"user_id":"u-1"}})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->model, "claude-x");
    EXPECT_FALSE(r->stream);
    auto doc = json(r->body);
    JsonValue root = doc.root();
    EXPECT_EQ(root["model"].as_string(), "claude-x");
    EXPECT_EQ(root["max_tokens"].as_int64(), 256);
    EXPECT_DOUBLE_EQ(root["temperature"].as_double(), 0.3);
    EXPECT_DOUBLE_EQ(root["top_p"].as_double(), 0.9);
    EXPECT_EQ(root["top_k"].as_int64(), 40);
    ASSERT_EQ(root["stop"].size(), 2u);
    EXPECT_EQ(root["stop"].at(1).as_string(), "STOP");
    EXPECT_EQ(root["user"].as_string(), "u-1");
    EXPECT_TRUE(root["stream"].is_missing());
    EXPECT_TRUE(root["stream_options"].is_missing());
    JsonValue messages = root["messages"];
    ASSERT_EQ(messages.size(), 2u);
    EXPECT_EQ(messages.at(0)["role"].as_string(), "system");
    EXPECT_EQ(messages.at(0)["content"].as_string(), "be brief");
    EXPECT_EQ(messages.at(1)["role"].as_string(), "user");
    EXPECT_EQ(messages.at(1)["content"].as_string(), "hi");
    // The gateway validates what it forwards with the chat decoder.
    EXPECT_TRUE(decode_chat_completion_request(r->body).ok());
}

TEST(MessagesToChat, SystemBlocksAreJoined) {
    auto doc = json(body_of(messages_to_chat(R"({"model":"m","max_tokens":1,
        "system":[{"type":"text","text":"one"},{"type":"text","text":"two","cache_control":{"type":"ephemeral"}}],
        "messages":[{"role":"user","content":"x"}]})")));
    EXPECT_EQ(doc.root()["messages"].at(0)["content"].as_string(), "one\n\ntwo");
}

TEST(MessagesToChat, StreamAsksForUsage) {
    auto r = messages_to_chat(
        R"({"model":"m","max_tokens":5,"stream":true,"messages":[{"role":"user","content":"x"}]})");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->stream);
    auto doc = json(r->body);
    EXPECT_TRUE(doc.root()["stream"].as_bool());
    EXPECT_TRUE(doc.root()["stream_options"]["include_usage"].as_bool());
    EXPECT_TRUE(decode_chat_completion_request(r->body).ok());
}

TEST(MessagesToChat, TextAndImageBlocksBecomeParts) {
    auto doc = json(body_of(messages_to_chat(R"({"model":"m","max_tokens":1,"messages":[
        {"role":"user","content":[{"type":"text","text":"what is this?"},
          {"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0K"}},
          {"type":"image","source":{"type":"url","url":"https://example.com/cat.jpg"}}]}]})")));
    JsonValue parts = doc.root()["messages"].at(0)["content"];
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts.at(0)["type"].as_string(), "text");
    EXPECT_EQ(parts.at(0)["text"].as_string(), "what is this?");
    EXPECT_EQ(parts.at(1)["type"].as_string(), "image_url");
    EXPECT_EQ(parts.at(1)["image_url"]["url"].as_string(), "data:image/png;base64,iVBORw0K");
    EXPECT_EQ(parts.at(2)["image_url"]["url"].as_string(), "https://example.com/cat.jpg");
}

TEST(MessagesToChat, ToolUseAndToolResults) {
    auto r = messages_to_chat(R"({"model":"m","max_tokens":100,"messages":[
        {"role":"user","content":"weather in Paris and Rome?"},
        {"role":"assistant","content":[
            {"type":"thinking","thinking":"hmm","signature":"sig"},
            {"type":"text","text":"Checking."},
            {"type":"tool_use","id":"toolu_1","name":"weather","input":{"city":"Paris","days":3,"units":{"t":"C"}}},
            {"type":"tool_use","id":"toolu_2","name":"weather","input":{"city":"Rome"}}]},
        {"role":"user","content":[
            {"type":"tool_result","tool_use_id":"toolu_1","content":"18C"},
            {"type":"tool_result","tool_use_id":"toolu_2","is_error":true,
             "content":[{"type":"text","text":"service"},{"type":"text","text":"down"}]},
            {"type":"text","text":"and tomorrow?"}]}]})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_TRUE(decode_chat_completion_request(r->body).ok());
    auto doc = json(r->body);
    JsonValue m = doc.root()["messages"];
    ASSERT_EQ(m.size(), 5u);
    EXPECT_EQ(m.at(1)["role"].as_string(), "assistant");
    EXPECT_EQ(m.at(1)["content"].as_string(), "Checking.");
    JsonValue calls = m.at(1)["tool_calls"];
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls.at(0)["id"].as_string(), "toolu_1");
    EXPECT_EQ(calls.at(0)["type"].as_string(), "function");
    EXPECT_EQ(calls.at(0)["function"]["name"].as_string(), "weather");
    auto args = json(calls.at(0)["function"]["arguments"].as_string());
    EXPECT_EQ(args.root()["city"].as_string(), "Paris");
    EXPECT_EQ(args.root()["days"].as_int64(), 3);
    EXPECT_EQ(args.root()["units"]["t"].as_string(), "C");
    // Tool answers come first, in order, then the rest of the user's turn.
    EXPECT_EQ(m.at(2)["role"].as_string(), "tool");
    EXPECT_EQ(m.at(2)["tool_call_id"].as_string(), "toolu_1");
    EXPECT_EQ(m.at(2)["content"].as_string(), "18C");
    EXPECT_EQ(m.at(3)["tool_call_id"].as_string(), "toolu_2");
    EXPECT_EQ(m.at(3)["content"].as_string(), "service\ndown");
    EXPECT_EQ(m.at(4)["role"].as_string(), "user");
    EXPECT_EQ(m.at(4)["content"].as_string(), "and tomorrow?");
}

TEST(MessagesToChat, OnlyToolCallsGiveNullContentAndToolResultImagesFollow) {
    auto doc = json(body_of(messages_to_chat(R"({"model":"m","max_tokens":1,"messages":[
        {"role":"user","content":"shot?"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"screenshot","input":{}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[
            {"type":"text","text":"here"},
            {"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAA"}}]}]}]})")));
    JsonValue m = doc.root()["messages"];
    ASSERT_EQ(m.size(), 4u);
    EXPECT_TRUE(m.at(1)["content"].is_null());
    EXPECT_EQ(m.at(1)["tool_calls"].at(0)["function"]["arguments"].as_string(), "{}");
    EXPECT_EQ(m.at(2)["role"].as_string(), "tool");
    EXPECT_EQ(m.at(2)["content"].as_string(), "here");
    EXPECT_EQ(m.at(3)["role"].as_string(), "user");
    EXPECT_EQ(m.at(3)["content"].at(0)["image_url"]["url"].as_string(),
              "data:image/jpeg;base64,AAA");
}

TEST(MessagesToChat, ToolsAndToolChoice) {
    const char* tools = R"("tools":[{"name":"weather","description":"Get weather",
        "input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}])";
    auto with_choice = [&](const std::string& choice) {
        return body_of(messages_to_chat(
            std::string(
                R"({"model":"m","max_tokens":1,"messages":[{"role":"user","content":"x"}],)") +
            tools + (choice.empty() ? "" : ",\"tool_choice\":" + choice) + "}"));
    };
    auto doc = json(with_choice(""));
    JsonValue tool = doc.root()["tools"].at(0);
    EXPECT_EQ(tool["type"].as_string(), "function");
    EXPECT_EQ(tool["function"]["name"].as_string(), "weather");
    EXPECT_EQ(tool["function"]["description"].as_string(), "Get weather");
    EXPECT_EQ(tool["function"]["parameters"]["properties"]["city"]["type"].as_string(), "string");
    EXPECT_EQ(tool["function"]["parameters"]["required"].at(0).as_string(), "city");
    EXPECT_TRUE(doc.root()["tool_choice"].is_missing());

    EXPECT_EQ(json(with_choice(R"({"type":"auto"})")).root()["tool_choice"].as_string(), "auto");
    EXPECT_EQ(json(with_choice(R"({"type":"any"})")).root()["tool_choice"].as_string(), "required");
    EXPECT_EQ(json(with_choice(R"({"type":"none"})")).root()["tool_choice"].as_string(), "none");
    auto named = json(with_choice(R"({"type":"tool","name":"weather"})"));
    EXPECT_EQ(named.root()["tool_choice"]["type"].as_string(), "function");
    EXPECT_EQ(named.root()["tool_choice"]["function"]["name"].as_string(), "weather");
    EXPECT_TRUE(named.root()["parallel_tool_calls"].is_missing());
    auto serial = json(with_choice(R"({"type":"auto","disable_parallel_tool_use":true})"));
    EXPECT_TRUE(serial.root()["parallel_tool_calls"].is_bool());
    EXPECT_FALSE(serial.root()["parallel_tool_calls"].as_bool());
}

TEST(MessagesToChat, DropsThinkingOnlyInAssistantTurns) {
    auto r = messages_to_chat(R"({"model":"m","max_tokens":1,"messages":[
        {"role":"user","content":"x"},
        {"role":"assistant","content":[{"type":"redacted_thinking","data":"abc"}]},
        {"role":"user","content":"y"}]})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto doc = json(r->body);
    EXPECT_EQ(doc.root()["messages"].at(1)["content"].as_string(), "");
}

struct BadCase {
    const char* body;
    const char* field;
    const char* phrase;
};

class MessagesToChatErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(MessagesToChatErrors, NameTheBadField) {
    auto r = messages_to_chat(GetParam().body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), GetParam().field) << r.status().message();
    EXPECT_NE(r.status().message().find(GetParam().phrase), std::string::npos)
        << r.status().message();
}

#define USER_X R"("messages":[{"role":"user","content":"x"}])"

INSTANTIATE_TEST_SUITE_P(
    Cases, MessagesToChatErrors,
    ::testing::Values(
        BadCase{R"({"model":"m",)" USER_X "}", "max_tokens", "is required"},
        BadCase{R"({"model":"m","max_tokens":0,)" USER_X "}", "max_tokens",
                "expected an integer between 1"},
        BadCase{R"({"max_tokens":5,)" USER_X "}", "model", "is required"},
        BadCase{R"({"model":"m","max_tokens":5})", "messages", "is required"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"system","content":"x"}]})",
                "messages[0].role", "found 'system'"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user"}]})",
                "messages[0].content", "is required"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[]}]})",
                "messages[0].content", "must not be empty"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":"x"},
                {"role":"user","content":[{"type":"document","source":{}}]}]})",
                "messages[1].content[0].type", "found 'document'"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
                {"type":"thinking","thinking":"x"}]}]})",
                "messages[0].content[0].type", "found 'thinking'"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
                {"type":"tool_use","id":"a","name":"b","input":{}}]}]})",
                "messages[0].content[0].type", "expected one of text, image, tool_result"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[
                {"type":"tool_result","tool_use_id":"a"}]}]})",
                "messages[0].content[0].type", "found 'tool_result'"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"assistant","content":[
                {"type":"tool_use","id":"a","name":"b","input":"{}"}]}]})",
                "messages[0].content[0].input", "expected an object"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
                {"type":"image","source":{"type":"file","file_id":"f"}}]}]})",
                "messages[0].content[0].source.type", "found 'file'"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
                {"type":"tool_result","content":"x"}]}]})",
                "messages[0].content[0].tool_use_id", "is required"},
        BadCase{R"({"model":"m","max_tokens":5,"messages":[{"role":"user","content":[
                {"type":"tool_result","tool_use_id":"a","content":[{"type":"document"}]}]}]})",
                "messages[0].content[0].content[0].type", "expected one of text, image"},
        BadCase{R"({"model":"m","max_tokens":5,"temperature":1.5,)" USER_X "}", "temperature",
                "between 0 and 1"},
        BadCase{R"({"model":"m","max_tokens":5,"stop_sequences":["a","b","c","d","e"],)" USER_X "}",
                "stop_sequences", "at most 4"},
        BadCase{R"({"model":"m","max_tokens":5,"stop_sequences":["a",1],)" USER_X "}",
                "stop_sequences[1]", "expected a string"},
        BadCase{R"({"model":"m","max_tokens":5,"system":[{"type":"image"}],)" USER_X "}",
                "system[0].type", "found 'image'"},
        BadCase{R"({"model":"m","max_tokens":5,"system":7,)" USER_X "}", "system",
                "expected a string or an array"},
        BadCase{R"({"model":"m","max_tokens":5,"tools":[{"name":"t"}],)" USER_X "}",
                "tools[0].input_schema", "is required"},
        BadCase{
            R"({"model":"m","max_tokens":5,"tools":[{"type":"web_search_20250305","name":"web_search"}],)" USER_X
            "}",
            "tools[0].type", "Server tools"},
        BadCase{R"({"model":"m","max_tokens":5,"tool_choice":{"type":"tool"},)" USER_X "}",
                "tool_choice.name", "is required"},
        BadCase{R"({"model":"m","max_tokens":5,"tool_choice":{"type":"some"},)" USER_X "}",
                "tool_choice.type", "found 'some'"},
        BadCase{R"({"model":"m","max_tokens":5,"metadata":{"user_id":5},)" USER_X "}",
                "metadata.user_id", "expected a string"},
        BadCase{R"({"model":"m","max_tokens":5,"stream":"yes",)" USER_X "}", "stream",
                "expected a boolean"}));

TEST(MessagesToChat, BodiesThatAreNotObjects) {
    for (const char* body : {"", "[]", "{", "\"x\""}) {
        auto r = messages_to_chat(body);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
    }
}

// ---------------------------------------------------------------------------
// Outbound requests: chat completions -> Messages

TEST(ChatToMessages, MapsScalarsAndSystem) {
    auto r = chat_to_messages(R"({"model":"claude-x","messages":[
        {"role":"system","content":"rule one"},
        {"role":"developer","content":[{"type":"text","text":"rule two"}]},
        {"role":"user","content":"hi"}],
        "temperature":1.7,"top_p":0.5,"stop":"END","max_completion_tokens":99,"max_tokens":5,
        "user":"alice","seed":3,"response_format":{"type":"text"},"logprobs":false})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE(r->stream);
    EXPECT_FALSE(r->include_usage);
    auto doc = json(r->body);
    JsonValue root = doc.root();
    EXPECT_EQ(root["model"].as_string(), "claude-x");
    EXPECT_EQ(root["system"].as_string(), "rule one\n\nrule two");
    EXPECT_DOUBLE_EQ(root["temperature"].as_double(), 1.0);
    EXPECT_DOUBLE_EQ(root["top_p"].as_double(), 0.5);
    ASSERT_EQ(root["stop_sequences"].size(), 1u);
    EXPECT_EQ(root["stop_sequences"].at(0).as_string(), "END");
    EXPECT_EQ(root["max_tokens"].as_int64(), 99);
    EXPECT_EQ(root["metadata"]["user_id"].as_string(), "alice");
    EXPECT_TRUE(root["stream"].is_missing());
    ASSERT_EQ(root["messages"].size(), 1u);
    EXPECT_EQ(root["messages"].at(0)["role"].as_string(), "user");
    EXPECT_EQ(root["messages"].at(0)["content"].as_string(), "hi");
}

TEST(ChatToMessages, MaxTokensFallsBack) {
    auto plain = json(
        body_of(chat_to_messages(R"({"model":"m","messages":[{"role":"user","content":"x"}]})")));
    EXPECT_EQ(plain.root()["max_tokens"].as_int64(), 4096);
    OutboundOptions options;
    options.default_max_tokens = 321;
    auto custom = json(body_of(
        chat_to_messages(R"({"model":"m","messages":[{"role":"user","content":"x"}]})", options)));
    EXPECT_EQ(custom.root()["max_tokens"].as_int64(), 321);
    auto legacy = json(body_of(chat_to_messages(
        R"({"model":"m","max_tokens":12,"messages":[{"role":"user","content":"x"}]})")));
    EXPECT_EQ(legacy.root()["max_tokens"].as_int64(), 12);
}

TEST(ChatToMessages, StreamFlags) {
    auto r = chat_to_messages(R"({"model":"m","stream":true,"stream_options":{"include_usage":true},
        "messages":[{"role":"user","content":"x"}],"stop":["a","b"]})");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r->stream);
    EXPECT_TRUE(r->include_usage);
    auto doc = json(r->body);
    EXPECT_TRUE(doc.root()["stream"].as_bool());
    EXPECT_TRUE(doc.root()["stream_options"].is_missing());
    EXPECT_EQ(doc.root()["stop_sequences"].size(), 2u);
    auto without = chat_to_messages(
        R"({"model":"m","stream":true,"messages":[{"role":"user","content":"x"}]})");
    ASSERT_TRUE(without.ok());
    EXPECT_FALSE(without->include_usage);
}

TEST(ChatToMessages, ToolTurnsMergeIntoUserTurns) {
    auto r = chat_to_messages(R"({"model":"m","messages":[
        {"role":"user","content":"weather?"},
        {"role":"user","content":[{"type":"text","text":"in Paris and Rome"}]},
        {"role":"assistant","content":"Checking.","tool_calls":[
            {"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\",\"n\":2}"}},
            {"id":"call_2","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Rome\"}"}}]},
        {"role":"tool","tool_call_id":"call_1","content":"18C"},
        {"role":"tool","tool_call_id":"call_2","content":[{"type":"text","text":"21C"}]},
        {"role":"user","content":"thanks"}]})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto doc = json(r->body);
    JsonValue m = doc.root()["messages"];
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m.at(0)["role"].as_string(), "user");
    ASSERT_EQ(m.at(0)["content"].size(), 2u);
    EXPECT_EQ(m.at(0)["content"].at(0)["text"].as_string(), "weather?");
    EXPECT_EQ(m.at(0)["content"].at(1)["text"].as_string(), "in Paris and Rome");

    JsonValue assistant = m.at(1)["content"];
    EXPECT_EQ(m.at(1)["role"].as_string(), "assistant");
    ASSERT_EQ(assistant.size(), 3u);
    EXPECT_EQ(assistant.at(0)["type"].as_string(), "text");
    EXPECT_EQ(assistant.at(1)["type"].as_string(), "tool_use");
    EXPECT_EQ(assistant.at(1)["id"].as_string(), "call_1");
    EXPECT_EQ(assistant.at(1)["name"].as_string(), "weather");
    EXPECT_EQ(assistant.at(1)["input"]["city"].as_string(), "Paris");
    EXPECT_EQ(assistant.at(1)["input"]["n"].as_int64(), 2);
    EXPECT_EQ(assistant.at(2)["input"]["city"].as_string(), "Rome");

    JsonValue results = m.at(2)["content"];
    EXPECT_EQ(m.at(2)["role"].as_string(), "user");
    ASSERT_EQ(results.size(), 3u);
    EXPECT_EQ(results.at(0)["type"].as_string(), "tool_result");
    EXPECT_EQ(results.at(0)["tool_use_id"].as_string(), "call_1");
    EXPECT_EQ(results.at(0)["content"].as_string(), "18C");
    EXPECT_EQ(results.at(1)["tool_use_id"].as_string(), "call_2");
    EXPECT_EQ(results.at(1)["content"].as_string(), "21C");
    EXPECT_EQ(results.at(2)["type"].as_string(), "text");
    EXPECT_EQ(results.at(2)["text"].as_string(), "thanks");
}

TEST(ChatToMessages, Images) {
    auto doc = json(body_of(chat_to_messages(R"({"model":"m","messages":[{"role":"user","content":[
        {"type":"image_url","image_url":{"url":"data:image/webp;base64,UklGR"}},
        {"type":"image_url","image_url":{"url":"https://example.com/a.png","detail":"low"}},
        {"type":"text","text":"compare"}]}]})")));
    JsonValue c = doc.root()["messages"].at(0)["content"];
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c.at(0)["type"].as_string(), "image");
    EXPECT_EQ(c.at(0)["source"]["type"].as_string(), "base64");
    EXPECT_EQ(c.at(0)["source"]["media_type"].as_string(), "image/webp");
    EXPECT_EQ(c.at(0)["source"]["data"].as_string(), "UklGR");
    EXPECT_EQ(c.at(1)["source"]["type"].as_string(), "url");
    EXPECT_EQ(c.at(1)["source"]["url"].as_string(), "https://example.com/a.png");
}

TEST(ChatToMessages, ToolsAndToolChoice) {
    const std::string prefix = R"({"model":"m","messages":[{"role":"user","content":"x"}],
        "tools":[{"type":"function","function":{"name":"f","description":"does f",
          "parameters":{"type":"object","properties":{"a":{"type":"integer"}}}}},
          {"type":"function","function":{"name":"g"}}])";
    auto doc = json(body_of(chat_to_messages(prefix + "}")));
    JsonValue tools = doc.root()["tools"];
    ASSERT_EQ(tools.size(), 2u);
    EXPECT_EQ(tools.at(0)["name"].as_string(), "f");
    EXPECT_EQ(tools.at(0)["description"].as_string(), "does f");
    EXPECT_EQ(tools.at(0)["input_schema"]["properties"]["a"]["type"].as_string(), "integer");
    EXPECT_EQ(tools.at(1)["input_schema"]["type"].as_string(), "object");
    EXPECT_TRUE(doc.root()["tool_choice"].is_missing());

    auto choice = [&](const std::string& extra) {
        return json(body_of(chat_to_messages(prefix + "," + extra + "}")));
    };
    EXPECT_EQ(choice(R"("tool_choice":"auto")").root()["tool_choice"]["type"].as_string(), "auto");
    EXPECT_EQ(choice(R"("tool_choice":"none")").root()["tool_choice"]["type"].as_string(), "none");
    EXPECT_EQ(choice(R"("tool_choice":"required")").root()["tool_choice"]["type"].as_string(),
              "any");
    auto named = choice(R"("tool_choice":{"type":"function","function":{"name":"g"}})");
    EXPECT_EQ(named.root()["tool_choice"]["type"].as_string(), "tool");
    EXPECT_EQ(named.root()["tool_choice"]["name"].as_string(), "g");
    auto serial = choice(R"("parallel_tool_calls":false)");
    EXPECT_EQ(serial.root()["tool_choice"]["type"].as_string(), "auto");
    EXPECT_TRUE(serial.root()["tool_choice"]["disable_parallel_tool_use"].as_bool());
    auto serial_any = choice(R"("tool_choice":"required","parallel_tool_calls":false)");
    EXPECT_EQ(serial_any.root()["tool_choice"]["type"].as_string(), "any");
    EXPECT_TRUE(serial_any.root()["tool_choice"]["disable_parallel_tool_use"].as_bool());
    auto parallel = choice(R"("parallel_tool_calls":true)");
    EXPECT_TRUE(parallel.root()["tool_choice"].is_missing());
}

TEST(ChatToMessages, EmptyArgumentsMeanNoInput) {
    auto doc = json(body_of(chat_to_messages(R"({"model":"m","messages":[
        {"role":"user","content":"x"},
        {"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"now","arguments":""}}]},
        {"role":"tool","tool_call_id":"c","content":"noon"}]})")));
    JsonValue use = doc.root()["messages"].at(1)["content"].at(0);
    EXPECT_EQ(use["type"].as_string(), "tool_use");
    EXPECT_TRUE(use["input"].is_object());
    EXPECT_EQ(use["input"].size(), 0u);
}

class ChatToMessagesErrors : public ::testing::TestWithParam<BadCase> {};

TEST_P(ChatToMessagesErrors, NameTheBadField) {
    auto r = chat_to_messages(GetParam().body);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().field(), GetParam().field) << r.status().message();
    EXPECT_NE(r.status().message().find(GetParam().phrase), std::string::npos)
        << r.status().message();
}

#define CHAT_X R"({"model":"m","messages":[{"role":"user","content":"x"}])"

INSTANTIATE_TEST_SUITE_P(
    Cases, ChatToMessagesErrors,
    ::testing::Values(
        BadCase{CHAT_X R"(,"n":2})", "n", "more than one choice"},
        BadCase{CHAT_X R"(,"response_format":{"type":"json_schema","json_schema":{}}})",
                "response_format", "cannot enforce response_format 'json_schema'"},
        BadCase{CHAT_X R"(,"response_format":{"type":"json_object"}})", "response_format",
                "anthropic backend cannot"},
        BadCase{CHAT_X R"(,"logprobs":true})", "logprobs", "log probabilities"},
        BadCase{CHAT_X R"(,"top_logprobs":3})", "top_logprobs", "log probabilities"},
        BadCase{CHAT_X R"(,"presence_penalty":0.5})", "presence_penalty", "anthropic backend"},
        BadCase{CHAT_X R"(,"logit_bias":{"15":1}})", "logit_bias", "anthropic backend"},
        BadCase{CHAT_X R"(,"functions":[{"name":"f"}]})", "functions", "use tools"},
        BadCase{CHAT_X R"(,"temperature":2.5})", "temperature", "between 0 and 2"},
        BadCase{CHAT_X R"(,"stop":["a","b","c","d","e"]})", "stop", "at most 4"},
        BadCase{CHAT_X R"(,"tools":[{"type":"custom","custom":{}}]})", "tools[0].type",
                "found 'custom'"},
        BadCase{CHAT_X R"(,"tools":[{"type":"function","function":{"name":"f","parameters":[]}}]})",
                "tools[0].function.parameters", "expected an object"},
        BadCase{CHAT_X R"(,"tool_choice":"sometimes"})", "tool_choice", "found 'sometimes'"},
        BadCase{CHAT_X R"(,"tool_choice":{"type":"function"}})", "tool_choice.function",
                "is required"},
        BadCase{R"({"messages":[{"role":"user","content":"x"}]})", "model", "is required"},
        BadCase{R"({"model":"m","messages":[{"role":"function","content":"x","name":"f"}]})",
                "messages[0].role", "found 'function'"},
        BadCase{R"({"model":"m","messages":[{"role":"system","content":"only rules"}]})",
                "messages", "at least one user or assistant message"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]})",
            "messages[0].content[0].type", "found 'input_audio'"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"ftp://x/y.png"}}]}]})",
            "messages[0].content[0].image_url.url", "http(s) URL or a data:"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png,abc"}}]}]})",
            "messages[0].content[0].image_url.url", "base64"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,
                "tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"a\":"}}]}]})",
            "messages[1].tool_calls[0].function.arguments", "expected a JSON object"},
        BadCase{
            R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,
                "tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"[1,2]"}}]}]})",
            "messages[1].tool_calls[0].function.arguments", "found an array"},
        BadCase{R"({"model":"m","messages":[{"role":"user","content":"x"},{"role":"assistant",
                "tool_calls":[{"type":"function","function":{"name":"f","arguments":"{}"}}]}]})",
                "messages[1].tool_calls[0].id", "is required"},
        BadCase{R"({"model":"m","messages":[{"role":"tool","content":"42"}]})",
                "messages[0].tool_call_id", "is required"},
        BadCase{
            R"({"model":"m","messages":[{"role":"system","content":[{"type":"image_url"}]},{"role":"user","content":"x"}]})",
            "messages[0].content[0].type", "text only"}));

// ---------------------------------------------------------------------------
// Round trips

TEST(RoundTrip, ChatThroughMessagesKeepsTheConversation) {
    const char* chat = R"({"model":"m","max_tokens":50,"temperature":0.2,"stop":["X"],"user":"bob",
        "messages":[
        {"role":"system","content":"sys"},
        {"role":"user","content":[{"type":"text","text":"look"},{"type":"image_url","image_url":{"url":"data:image/png;base64,QUJD"}}]},
        {"role":"assistant","content":"ok","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{\"k\":[1,2.5,\"s\"]}"}}]},
        {"role":"tool","tool_call_id":"c1","content":"done"},
        {"role":"user","content":"next"}],
        "tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],
        "tool_choice":"required"})";
    auto messages = chat_to_messages(chat);
    ASSERT_TRUE(messages.ok()) << messages.status().message();
    auto back = messages_to_chat(messages->body);
    ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << messages->body;
    auto doc = json(back->body);
    JsonValue root = doc.root();
    EXPECT_EQ(root["max_tokens"].as_int64(), 50);
    EXPECT_DOUBLE_EQ(root["temperature"].as_double(), 0.2);
    EXPECT_EQ(root["stop"].at(0).as_string(), "X");
    EXPECT_EQ(root["user"].as_string(), "bob");
    EXPECT_EQ(root["tool_choice"].as_string(), "required");
    EXPECT_EQ(root["tools"].at(0)["function"]["name"].as_string(), "f");
    JsonValue m = root["messages"];
    ASSERT_EQ(m.size(), 5u);
    EXPECT_EQ(m.at(0)["role"].as_string(), "system");
    EXPECT_EQ(m.at(0)["content"].as_string(), "sys");
    EXPECT_EQ(m.at(1)["content"].at(0)["text"].as_string(), "look");
    EXPECT_EQ(m.at(1)["content"].at(1)["image_url"]["url"].as_string(),
              "data:image/png;base64,QUJD");
    EXPECT_EQ(m.at(2)["content"].as_string(), "ok");
    auto args = json(m.at(2)["tool_calls"].at(0)["function"]["arguments"].as_string());
    EXPECT_EQ(args.root()["k"].at(0).as_int64(), 1);
    EXPECT_DOUBLE_EQ(args.root()["k"].at(1).as_double(), 2.5);
    EXPECT_EQ(args.root()["k"].at(2).as_string(), "s");
    EXPECT_EQ(m.at(3)["role"].as_string(), "tool");
    EXPECT_EQ(m.at(3)["tool_call_id"].as_string(), "c1");
    EXPECT_EQ(m.at(3)["content"].as_string(), "done");
    EXPECT_EQ(m.at(4)["role"].as_string(), "user");
    EXPECT_EQ(m.at(4)["content"].as_string(), "next");
    EXPECT_TRUE(decode_chat_completion_request(back->body).ok());
}

TEST(RoundTrip, MessagesThroughChatKeepsTheConversation) {
    const char* messages = R"({"model":"m","max_tokens":9,"system":"s","messages":[
        {"role":"user","content":"q"},
        {"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{"x":1}}]},
        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"r"}]}],
        "tools":[{"name":"f","input_schema":{"type":"object"}}],
        "tool_choice":{"type":"tool","name":"f","disable_parallel_tool_use":true}})";
    auto chat = messages_to_chat(messages);
    ASSERT_TRUE(chat.ok()) << chat.status().message();
    auto back = chat_to_messages(chat->body);
    ASSERT_TRUE(back.ok()) << back.status().message();
    auto doc = json(back->body);
    JsonValue root = doc.root();
    EXPECT_EQ(root["system"].as_string(), "s");
    EXPECT_EQ(root["max_tokens"].as_int64(), 9);
    EXPECT_EQ(root["tool_choice"]["type"].as_string(), "tool");
    EXPECT_EQ(root["tool_choice"]["name"].as_string(), "f");
    EXPECT_TRUE(root["tool_choice"]["disable_parallel_tool_use"].as_bool());
    JsonValue m = root["messages"];
    ASSERT_EQ(m.size(), 3u);
    EXPECT_EQ(m.at(0)["content"].as_string(), "q");
    EXPECT_EQ(m.at(1)["content"].at(0)["type"].as_string(), "tool_use");
    EXPECT_EQ(m.at(1)["content"].at(0)["input"]["x"].as_int64(), 1);
    EXPECT_EQ(m.at(2)["content"].at(0)["type"].as_string(), "tool_result");
    EXPECT_EQ(m.at(2)["content"].at(0)["tool_use_id"].as_string(), "t1");
    EXPECT_EQ(m.at(2)["content"].at(0)["content"].as_string(), "r");
}

// ---------------------------------------------------------------------------
// Whole answers

TEST(ChatResponseToMessage, TextAndToolCalls) {
    auto r = chat_response_to_message(R"({"id":"chatcmpl-42","object":"chat.completion",
        "created":1,"model":"llama","choices":[{"index":0,"message":{"role":"assistant",
        "content":"Let me look.","tool_calls":[{"id":"call_9","type":"function",
        "function":{"name":"search","arguments":"{\"q\":\"edge ai\",\"n\":5}"}}]},
        "logprobs":null,"finish_reason":"tool_calls"}],
        "usage":{"prompt_tokens":30,"completion_tokens":12,"total_tokens":42,
                 "prompt_tokens_details":{"cached_tokens":10}}})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto doc = json(*r);
    JsonValue root = doc.root();
    EXPECT_EQ(root["id"].as_string(), "msg_chatcmpl-42");
    EXPECT_EQ(root["type"].as_string(), "message");
    EXPECT_EQ(root["role"].as_string(), "assistant");
    EXPECT_EQ(root["model"].as_string(), "llama");
    JsonValue content = root["content"];
    ASSERT_EQ(content.size(), 2u);
    EXPECT_EQ(content.at(0)["type"].as_string(), "text");
    EXPECT_EQ(content.at(0)["text"].as_string(), "Let me look.");
    EXPECT_EQ(content.at(1)["type"].as_string(), "tool_use");
    EXPECT_EQ(content.at(1)["id"].as_string(), "call_9");
    EXPECT_EQ(content.at(1)["name"].as_string(), "search");
    EXPECT_EQ(content.at(1)["input"]["q"].as_string(), "edge ai");
    EXPECT_EQ(content.at(1)["input"]["n"].as_int64(), 5);
    EXPECT_EQ(root["stop_reason"].as_string(), "tool_use");
    EXPECT_TRUE(root["stop_sequence"].is_null());
    EXPECT_EQ(root["usage"]["input_tokens"].as_int64(), 20);
    EXPECT_EQ(root["usage"]["output_tokens"].as_int64(), 12);
    EXPECT_EQ(root["usage"]["cache_read_input_tokens"].as_int64(), 10);
}

TEST(ChatResponseToMessage, KeepsAMessageIdAndMapsFinishReasons) {
    struct Case {
        const char* finish;
        const char* stop;
    };
    for (Case c : {Case{"stop", "end_turn"}, Case{"length", "max_tokens"},
                   Case{"tool_calls", "tool_use"}, Case{"content_filter", "refusal"}}) {
        auto r = chat_response_to_message(
            std::string(
                R"({"id":"msg_abc","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":")") +
            c.finish + R"("}]})");
        ASSERT_TRUE(r.ok()) << r.status().message();
        auto doc = json(*r);
        EXPECT_EQ(doc.root()["id"].as_string(), "msg_abc");
        EXPECT_EQ(doc.root()["stop_reason"].as_string(), c.stop) << c.finish;
        EXPECT_EQ(doc.root()["usage"]["input_tokens"].as_int64(), 0);
    }
}

TEST(ChatResponseToMessage, BadArgumentsAreDataLossNamingTheField) {
    auto r = chat_response_to_message(R"({"id":"x","choices":[{"message":{"role":"assistant",
        "content":null,"tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{}"}},
        {"id":"b","type":"function","function":{"name":"f","arguments":"{oops"}}]},"finish_reason":"tool_calls"}]})");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss);
    EXPECT_EQ(r.status().field(), "choices[0].message.tool_calls[1].function.arguments");
    EXPECT_NE(r.status().message().find("{oops"), std::string::npos) << r.status().message();
}

TEST(ChatResponseToMessage, MalformedAnswersAreDataLoss) {
    for (const char* body : {"not json", "[]", R"({"choices":[]})", R"({"choices":[1]})",
                             R"({"choices":[{"message":"x"}]})",
                             R"({"choices":[{"message":{"tool_calls":[{"function":{}}]}}]})"}) {
        auto r = chat_response_to_message(body);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss) << body;
    }
}

TEST(MessageToChatResponse, TextToolsAndUsage) {
    auto r = message_to_chat_response(R"({"id":"msg_01","type":"message","role":"assistant",
        "model":"claude-x","content":[{"type":"thinking","thinking":"...","signature":"s"},
        {"type":"text","text":"Hello, "},{"type":"text","text":"world."},
        {"type":"tool_use","id":"toolu_7","name":"calc","input":{"expr":"1+1","exact":true}}],
        "stop_reason":"tool_use","stop_sequence":null,
        "usage":{"input_tokens":5,"output_tokens":7,"cache_creation_input_tokens":3,"cache_read_input_tokens":2}})",
                                      1700000000);
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto doc = json(*r);
    JsonValue root = doc.root();
    EXPECT_EQ(root["id"].as_string(), "msg_01");
    EXPECT_EQ(root["object"].as_string(), "chat.completion");
    EXPECT_EQ(root["created"].as_int64(), 1700000000);
    EXPECT_EQ(root["model"].as_string(), "claude-x");
    JsonValue choice = root["choices"].at(0);
    EXPECT_EQ(choice["index"].as_int64(), 0);
    EXPECT_TRUE(choice["logprobs"].is_null());
    EXPECT_EQ(choice["finish_reason"].as_string(), "tool_calls");
    EXPECT_EQ(choice["message"]["role"].as_string(), "assistant");
    EXPECT_EQ(choice["message"]["content"].as_string(), "Hello, world.");
    JsonValue call = choice["message"]["tool_calls"].at(0);
    EXPECT_EQ(call["id"].as_string(), "toolu_7");
    EXPECT_EQ(call["type"].as_string(), "function");
    EXPECT_EQ(call["function"]["name"].as_string(), "calc");
    auto args = json(call["function"]["arguments"].as_string());
    EXPECT_EQ(args.root()["expr"].as_string(), "1+1");
    EXPECT_TRUE(args.root()["exact"].as_bool());
    EXPECT_EQ(root["usage"]["prompt_tokens"].as_int64(), 10);
    EXPECT_EQ(root["usage"]["completion_tokens"].as_int64(), 7);
    EXPECT_EQ(root["usage"]["total_tokens"].as_int64(), 17);
}

TEST(MessageToChatResponse, StopReasons) {
    struct Case {
        const char* stop;
        const char* finish;
    };
    for (Case c : {Case{"end_turn", "stop"}, Case{"stop_sequence", "stop"},
                   Case{"max_tokens", "length"}, Case{"tool_use", "tool_calls"},
                   Case{"refusal", "content_filter"}, Case{"pause_turn", "stop"}}) {
        auto r = message_to_chat_response(
            std::string(
                R"({"id":"msg_1","model":"m","content":[{"type":"text","text":"x"}],"stop_reason":")") +
                c.stop + R"(","usage":{"input_tokens":1,"output_tokens":1}})",
            5);
        ASSERT_TRUE(r.ok()) << r.status().message();
        EXPECT_EQ(json(*r).root()["choices"].at(0)["finish_reason"].as_string(), c.finish)
            << c.stop;
    }
    EXPECT_EQ(stop_reason_for("stop"), "end_turn");
    EXPECT_EQ(stop_reason_for("length"), "max_tokens");
    EXPECT_EQ(stop_reason_for("tool_calls"), "tool_use");
    EXPECT_EQ(stop_reason_for("content_filter"), "refusal");
    EXPECT_EQ(finish_reason_for("stop_sequence"), "stop");
    EXPECT_EQ(finish_reason_for("pause_turn"), "stop");
}

TEST(MessageToChatResponse, ToolOnlyAnswerHasNullContent) {
    auto r = message_to_chat_response(R"({"id":"msg_1","model":"m","content":[
        {"type":"tool_use","id":"t","name":"f","input":{}}],"stop_reason":"tool_use"})",
                                      0);
    ASSERT_TRUE(r.ok());
    auto doc = json(*r);
    EXPECT_TRUE(doc.root()["choices"].at(0)["message"]["content"].is_null());
    EXPECT_EQ(doc.root()["choices"]
                  .at(0)["message"]["tool_calls"]
                  .at(0)["function"]["arguments"]
                  .as_string(),
              "{}");
}

TEST(MessageToChatResponse, MalformedAnswersAreDataLoss) {
    for (const char* body :
         {"", "{}", R"({"content":"text"})", R"({"content":[{"type":"tool_use","name":"f"}]})"}) {
        auto r = message_to_chat_response(body, 0);
        ASSERT_FALSE(r.ok()) << body;
        EXPECT_EQ(r.status().code(), core::StatusCode::kDataLoss) << body;
    }
}

TEST(RoundTrip, WholeAnswerThroughBothShapes) {
    auto message = chat_response_to_message(R"({"id":"chatcmpl-1","model":"m","choices":[{"index":0,
        "message":{"role":"assistant","content":"sum","tool_calls":[{"id":"c","type":"function",
        "function":{"name":"add","arguments":"{\"a\":1,\"b\":[2]}"}}]},"finish_reason":"tool_calls"}],
        "usage":{"prompt_tokens":4,"completion_tokens":6,"total_tokens":10}})");
    ASSERT_TRUE(message.ok());
    auto chat = message_to_chat_response(*message, 9);
    ASSERT_TRUE(chat.ok()) << chat.status().message();
    auto doc = json(*chat);
    JsonValue choice = doc.root()["choices"].at(0);
    EXPECT_EQ(doc.root()["id"].as_string(), "msg_chatcmpl-1");
    EXPECT_EQ(choice["message"]["content"].as_string(), "sum");
    EXPECT_EQ(choice["finish_reason"].as_string(), "tool_calls");
    EXPECT_EQ(choice["message"]["tool_calls"].at(0)["function"]["arguments"].as_string(),
              R"({"a":1,"b":[2]})");
    EXPECT_EQ(doc.root()["usage"]["prompt_tokens"].as_int64(), 4);
    EXPECT_EQ(doc.root()["usage"]["completion_tokens"].as_int64(), 6);
}

// ---------------------------------------------------------------------------
// Errors

TEST(Errors, TypeForStatus) {
    EXPECT_EQ(error_type_for_status(400), "invalid_request_error");
    EXPECT_EQ(error_type_for_status(401), "authentication_error");
    EXPECT_EQ(error_type_for_status(403), "permission_error");
    EXPECT_EQ(error_type_for_status(404), "not_found_error");
    EXPECT_EQ(error_type_for_status(413), "request_too_large");
    EXPECT_EQ(error_type_for_status(429), "rate_limit_error");
    EXPECT_EQ(error_type_for_status(529), "overloaded_error");
    EXPECT_EQ(error_type_for_status(500), "api_error");
    EXPECT_EQ(error_type_for_status(503), "api_error");
    EXPECT_EQ(error_type_for_status(422), "invalid_request_error");
}

TEST(Errors, RenderAndRecognise) {
    std::string body = render_error("rate_limit_error", "slow \"down\"");
    auto doc = json(body);
    EXPECT_EQ(doc.root()["type"].as_string(), "error");
    EXPECT_EQ(doc.root()["error"]["type"].as_string(), "rate_limit_error");
    EXPECT_EQ(doc.root()["error"]["message"].as_string(), "slow \"down\"");
    EXPECT_TRUE(is_anthropic_error_body(body));
    EXPECT_FALSE(is_anthropic_error_body(R"({"error":{"message":"x"}})"));
    EXPECT_FALSE(is_anthropic_error_body("oops"));
}

TEST(Errors, ToAnthropic) {
    auto from_openai = json(error_body_to_anthropic(
        429, R"({"error":{"message":"Too many","type":"requests","code":"rate_limit_exceeded"}})"));
    EXPECT_EQ(from_openai.root()["type"].as_string(), "error");
    EXPECT_EQ(from_openai.root()["error"]["type"].as_string(), "rate_limit_error");
    EXPECT_EQ(from_openai.root()["error"]["message"].as_string(), "Too many");

    auto kept = json(error_body_to_anthropic(
        500, R"({"type":"error","error":{"type":"overloaded_error","message":"busy"}})"));
    EXPECT_EQ(kept.root()["error"]["type"].as_string(), "overloaded_error");
    EXPECT_EQ(kept.root()["error"]["message"].as_string(), "busy");

    auto detail = json(error_body_to_anthropic(400, R"({"detail":"bad field"})"));
    EXPECT_EQ(detail.root()["error"]["message"].as_string(), "bad field");
    EXPECT_EQ(detail.root()["error"]["type"].as_string(), "invalid_request_error");

    std::string garbage(1000, 'x');
    garbage += "\xff";
    auto other = json(error_body_to_anthropic(502, "<html>" + garbage));
    EXPECT_EQ(other.root()["error"]["type"].as_string(), "api_error");
    std::string_view message = other.root()["error"]["message"].as_string();
    EXPECT_NE(message.find("502"), std::string_view::npos);
    EXPECT_NE(message.find("<html>"), std::string_view::npos);
    EXPECT_LT(message.size(), 300u);
}

TEST(Errors, ToOpenAi) {
    auto doc = json(error_body_to_openai(
        529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    EXPECT_EQ(doc.root()["error"]["message"].as_string(), "Overloaded");
    EXPECT_EQ(doc.root()["error"]["type"].as_string(), "server_error");
    EXPECT_TRUE(doc.root()["type"].is_missing());

    auto invalid = json(error_body_to_openai(
        400,
        R"({"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}})"));
    EXPECT_EQ(invalid.root()["error"]["type"].as_string(), "invalid_request_error");

    const char* openai = R"({"error":{"message":"m","type":"t","param":null,"code":null}})";
    EXPECT_EQ(error_body_to_openai(400, openai), openai);

    auto text = json(error_body_to_openai(503, "upstream down"));
    EXPECT_NE(text.root()["error"]["message"].as_string().find("upstream down"),
              std::string_view::npos);
}

TEST(Errors, Event) {
    std::string ev = error_event("overloaded_error", "busy");
    EXPECT_EQ(ev.substr(0, 13), "event: error\n");
    auto evs = events(ev);
    ASSERT_EQ(evs.size(), 1u);
    auto doc = json(evs[0].data);
    EXPECT_EQ(doc.root()["type"].as_string(), "error");
    EXPECT_EQ(doc.root()["error"]["type"].as_string(), "overloaded_error");
}

// ---------------------------------------------------------------------------
// Streams: chat chunks -> Messages events

std::string chunk(std::string_view choice_json, std::string_view extra = {}) {
    return std::string(
               R"(data: {"id":"chatcmpl-7","object":"chat.completion.chunk","created":1,"model":"llama","choices":[)") +
           std::string(choice_json) + "]" + std::string(extra) + "}\n\n";
}

const std::string kTextStream =
    chunk(R"({"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null})") +
    ": keep-alive\n\n" + chunk(R"({"index":0,"delta":{"content":"Hello"},"finish_reason":null})") +
    chunk(R"({"index":0,"delta":{"content":", wörld"},"finish_reason":null})") +
    chunk(R"({"index":0,"delta":{},"finish_reason":"stop"})") +
    R"(data: {"id":"chatcmpl-7","object":"chat.completion.chunk","created":1,"model":"llama","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":3,"total_tokens":14}})"
    "\r\n\r\n"
    "data: [DONE]\n\n";

TEST(ChunksToMessageEvents, TextStream) {
    ChunksToMessageEvents t;
    std::string out = run_whole(t, kTextStream);
    EXPECT_FALSE(t.failed());
    expect_well_formed(out);
    auto evs = events(out);
    EXPECT_EQ(names(evs),
              (std::vector<std::string>{"message_start", "content_block_start",
                                        "content_block_delta", "content_block_delta",
                                        "content_block_stop", "message_delta", "message_stop"}));
    auto start = json(evs[0].data);
    JsonValue message = start.root()["message"];
    EXPECT_EQ(message["id"].as_string(), "msg_chatcmpl-7");
    EXPECT_EQ(message["model"].as_string(), "llama");
    EXPECT_EQ(message["role"].as_string(), "assistant");
    EXPECT_EQ(message["content"].size(), 0u);
    EXPECT_TRUE(message["stop_reason"].is_null());
    EXPECT_EQ(message["usage"]["input_tokens"].as_int64(), 0);
    auto block = json(evs[1].data);
    EXPECT_EQ(block.root()["index"].as_int64(), 0);
    EXPECT_EQ(block.root()["content_block"]["type"].as_string(), "text");
    EXPECT_EQ(block.root()["content_block"]["text"].as_string(), "");
    std::string text;
    for (int i : {2, 3}) {
        auto d = json(evs[static_cast<size_t>(i)].data);
        EXPECT_EQ(d.root()["delta"]["type"].as_string(), "text_delta");
        text += d.root()["delta"]["text"].as_string();
    }
    EXPECT_EQ(text, "Hello, wörld");
    EXPECT_EQ(json(evs[4].data).root()["index"].as_int64(), 0);
    auto delta = json(evs[5].data);
    EXPECT_EQ(delta.root()["delta"]["stop_reason"].as_string(), "end_turn");
    EXPECT_TRUE(delta.root()["delta"]["stop_sequence"].is_null());
    EXPECT_EQ(delta.root()["usage"]["input_tokens"].as_int64(), 11);
    EXPECT_EQ(delta.root()["usage"]["output_tokens"].as_int64(), 3);
    EXPECT_EQ(t.feed("data: {}\n\n"), "");
    EXPECT_EQ(t.finish(), "");
}

TEST(ChunksToMessageEvents, ByteByByteGivesTheSameEvents) {
    ChunksToMessageEvents whole;
    ChunksToMessageEvents bytes;
    EXPECT_EQ(run_whole(whole, kTextStream), run_bytewise(bytes, kTextStream));
}

TEST(ChunksToMessageEvents, RoleOnlyChunkGivesOnlyMessageStart) {
    ChunksToMessageEvents t;
    auto evs = events(t.feed(
        chunk(R"({"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null})")));
    EXPECT_EQ(names(evs), std::vector<std::string>{"message_start"});
}

const std::string kToolStream =
    chunk(
        R"({"index":0,"delta":{"role":"assistant","content":"Let me check."},"finish_reason":null})") +
    chunk(
        R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_a","type":"function","function":{"name":"weather","arguments":""}}]},"finish_reason":null})") +
    chunk(
        R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"finish_reason":null})") +
    chunk(
        R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\"Paris\"}"}}]},"finish_reason":null})") +
    chunk(
        R"({"index":0,"delta":{"tool_calls":[{"index":1,"id":"call_b","type":"function","function":{"name":"time","arguments":"{}"}}]},"finish_reason":null})") +
    chunk(R"({"index":0,"delta":{},"finish_reason":"tool_calls"})") + "data: [DONE]\n\n";

TEST(ChunksToMessageEvents, ToolCallStream) {
    ChunksToMessageEvents t;
    std::string out = run_whole(t, kToolStream);
    EXPECT_FALSE(t.failed());
    expect_well_formed(out);
    auto evs = events(out);
    // Blocks: text 0, tool_use 1 (weather), tool_use 2 (time).
    std::vector<std::string> starts;
    std::string weather_args;
    std::string time_args;
    for (const auto& e : evs) {
        auto d = json(e.data);
        JsonValue r = d.root();
        if (e.event == "content_block_start") {
            starts.emplace_back(r["content_block"]["type"].as_string());
            if (r["index"].as_int64() == 1) {
                EXPECT_EQ(r["content_block"]["id"].as_string(), "call_a");
                EXPECT_EQ(r["content_block"]["name"].as_string(), "weather");
                EXPECT_TRUE(r["content_block"]["input"].is_object());
            }
            if (r["index"].as_int64() == 2) {
                EXPECT_EQ(r["content_block"]["id"].as_string(), "call_b");
            }
        }
        if (e.event == "content_block_delta" &&
            r["delta"]["type"].as_string() == "input_json_delta") {
            (r["index"].as_int64() == 1 ? weather_args : time_args) +=
                r["delta"]["partial_json"].as_string();
        }
        if (e.event == "message_delta") {
            EXPECT_EQ(r["delta"]["stop_reason"].as_string(), "tool_use");
        }
    }
    EXPECT_EQ(starts, (std::vector<std::string>{"text", "tool_use", "tool_use"}));
    EXPECT_EQ(json(weather_args).root()["city"].as_string(), "Paris");
    EXPECT_EQ(time_args, "{}");
    int stops = 0;
    for (const auto& e : evs)
        stops += e.event == "content_block_stop";
    EXPECT_EQ(stops, 3);
    ChunksToMessageEvents bytes;
    EXPECT_EQ(run_bytewise(bytes, kToolStream), out);
}

TEST(ChunksToMessageEvents, ToolCallsWithFinishStopStillEndAsToolUse) {
    ChunksToMessageEvents t;
    std::string out = run_whole(
        t,
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{}"}}]},"finish_reason":"stop"})") +
            "data: [DONE]\n\n");
    auto evs = events(out);
    ASSERT_GE(evs.size(), 2u);
    EXPECT_EQ(json(evs[evs.size() - 2].data).root()["delta"]["stop_reason"].as_string(),
              "tool_use");
}

TEST(ChunksToMessageEvents, InterleavedToolCallsFail) {
    ChunksToMessageEvents t;
    std::string out = run_whole(
        t,
        chunk(
            R"({"index":0,"delta":{"tool_calls":[{"index":0,"id":"a","function":{"name":"f","arguments":"{"}},{"index":1,"id":"b","function":{"name":"g","arguments":"{"}}]}})") +
            chunk(
                R"({"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"}"}}]}})"));
    EXPECT_TRUE(t.failed());
    expect_well_formed(out);
    auto evs = events(out);
    EXPECT_EQ(evs.back().event, "error");
    EXPECT_NE(json(evs.back().data).root()["error"]["message"].as_string().find("interleaved"),
              std::string_view::npos);
}

TEST(ChunksToMessageEvents, ErrorMidStream) {
    ChunksToMessageEvents t;
    std::string out =
        t.feed(chunk(R"({"index":0,"delta":{"content":"par"},"finish_reason":null})") +
               R"(data: {"error":{"message":"backend exploded","type":"server_error"}})"
               "\n\n");
    EXPECT_TRUE(t.failed());
    expect_well_formed(out);
    auto evs = events(out);
    ASSERT_FALSE(evs.empty());
    EXPECT_EQ(evs.back().event, "error");
    auto err = json(evs.back().data);
    EXPECT_EQ(err.root()["type"].as_string(), "error");
    EXPECT_EQ(err.root()["error"]["type"].as_string(), "api_error");
    EXPECT_EQ(err.root()["error"]["message"].as_string(), "backend exploded");
    EXPECT_EQ(t.feed(kTextStream), "");
    EXPECT_EQ(t.finish(), "");

    ChunksToMessageEvents limited;
    auto limited_evs =
        events(limited.feed(R"(data: {"error":{"message":"slow down","type":"rate_limit_error"}})"
                            "\n\n"));
    ASSERT_EQ(limited_evs.size(), 1u);
    EXPECT_EQ(json(limited_evs[0].data).root()["error"]["type"].as_string(), "rate_limit_error");
}

TEST(ChunksToMessageEvents, TruncatedStreams) {
    {
        // Cut before any finish_reason: an error, not a made-up ending.
        ChunksToMessageEvents t;
        std::string out =
            t.feed(chunk(R"({"index":0,"delta":{"content":"Hel"},"finish_reason":null})"));
        out += t.feed("data: {\"id\":\"chatcmpl-7\",\"choi");
        out += t.finish();
        EXPECT_TRUE(t.failed());
        expect_well_formed(out);
        auto evs = events(out);
        EXPECT_EQ(evs.back().event, "error");
        EXPECT_NE(json(evs.back().data).root()["error"]["message"].as_string().find("ended before"),
                  std::string_view::npos);
    }
    {
        // A finish_reason but no [DONE]: the answer is complete.
        ChunksToMessageEvents t;
        std::string out =
            run_whole(t, chunk(R"({"index":0,"delta":{"content":"Hi"},"finish_reason":"length"})"));
        EXPECT_FALSE(t.failed());
        auto evs = events(out);
        EXPECT_EQ(evs.back().event, "message_stop");
        EXPECT_EQ(json(evs[evs.size() - 2].data).root()["delta"]["stop_reason"].as_string(),
                  "max_tokens");
    }
    {
        ChunksToMessageEvents t;
        std::string out = t.finish();
        EXPECT_TRUE(t.failed());
        EXPECT_EQ(events(out).at(0).event, "error");
    }
    {
        ChunksToMessageEvents t;
        std::string out = t.feed("data: [DONE]\n\n");
        EXPECT_TRUE(t.failed());
        EXPECT_EQ(events(out).at(0).event, "error");
    }
}

TEST(ChunksToMessageEvents, MalformedAndOversizedEvents) {
    {
        ChunksToMessageEvents t;
        std::string out = t.feed("data: {not json\n\n");
        EXPECT_TRUE(t.failed());
        expect_well_formed(out);
        EXPECT_NE(json(events(out).at(0).data)
                      .root()["error"]["message"]
                      .as_string()
                      .find("not a JSON object"),
                  std::string_view::npos);
    }
    {
        ChunksToMessageEvents t;
        std::string big = "data: \"" + std::string(codec::SseParser::kDefaultMaxEventBytes, 'a');
        std::string out = t.feed(big);
        EXPECT_TRUE(t.failed());
        EXPECT_NE(
            json(events(out).at(0).data).root()["error"]["message"].as_string().find("larger than"),
            std::string_view::npos);
        ChunksToMessageEvents whole;
        std::string whole_out = whole.feed(big + "\"\n\n");
        EXPECT_EQ(whole_out, out);
    }
}

// ---------------------------------------------------------------------------
// Streams: Messages events -> chat chunks

std::string anthropic_event(std::string_view name, std::string_view data) {
    std::string out;
    codec::append_sse_event(out, name, data);
    return out;
}

const std::string kMessageStream =
    anthropic_event(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_01X","type":"message","role":"assistant","model":"claude-x","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}})") +
    anthropic_event(
        "content_block_start",
        R"({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}})") +
    anthropic_event("ping", R"({"type": "ping"})") +
    anthropic_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, "}})") +
    anthropic_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"checking."}})") +
    anthropic_event("content_block_stop", R"({"type":"content_block_stop","index":0})") +
    anthropic_event(
        "content_block_start",
        R"({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"weather","input":{}}})") +
    anthropic_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}})") +
    anthropic_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}})") +
    anthropic_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}})") +
    anthropic_event("content_block_stop", R"({"type":"content_block_stop","index":1})") +
    anthropic_event(
        "content_block_start",
        R"({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"time","input":{}}})") +
    anthropic_event(
        "content_block_delta",
        R"({"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{}"}})") +
    anthropic_event("content_block_stop", R"({"type":"content_block_stop","index":2})") +
    anthropic_event(
        "message_delta",
        R"({"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":40}})") +
    anthropic_event("message_stop", R"({"type":"message_stop"})");

TEST(MessageEventsToChunks, FullStreamWithToolsAndUsage) {
    MessageEventsToChunks t(true, 1700000001);
    std::string out = run_whole(t, kMessageStream);
    EXPECT_FALSE(t.failed());
    expect_well_formed(out);
    auto evs = events(out);
    ASSERT_GE(evs.size(), 3u);
    EXPECT_EQ(evs.back().data, "[DONE]");
    std::string text;
    std::string args[2];
    std::string finish;
    bool saw_usage = false;
    for (size_t i = 0; i + 1 < evs.size(); ++i) {
        EXPECT_TRUE(evs[i].event.empty());
        auto d = json(evs[i].data);
        JsonValue r = d.root();
        EXPECT_EQ(r["id"].as_string(), "msg_01X");
        EXPECT_EQ(r["object"].as_string(), "chat.completion.chunk");
        EXPECT_EQ(r["created"].as_int64(), 1700000001);
        EXPECT_EQ(r["model"].as_string(), "claude-x");
        if (r["choices"].size() == 0) {
            saw_usage = true;
            EXPECT_EQ(i, evs.size() - 2) << "usage comes last, before [DONE]";
            EXPECT_EQ(r["usage"]["prompt_tokens"].as_int64(), 30);
            EXPECT_EQ(r["usage"]["completion_tokens"].as_int64(), 40);
            EXPECT_EQ(r["usage"]["total_tokens"].as_int64(), 70);
            continue;
        }
        JsonValue choice = r["choices"].at(0);
        EXPECT_EQ(choice["index"].as_int64(), 0);
        JsonValue delta = choice["delta"];
        if (i == 0) {
            EXPECT_EQ(delta["role"].as_string(), "assistant");
            EXPECT_TRUE(delta["content"].is_string());
        }
        text += delta["content"].as_string();
        JsonValue calls = delta["tool_calls"];
        for (size_t k = 0; k < calls.size(); ++k) {
            int64_t index = calls.at(k)["index"].as_int64();
            ASSERT_TRUE(index == 0 || index == 1);
            if (calls.at(k)["id"].is_string()) {
                EXPECT_EQ(calls.at(k)["id"].as_string(), index == 0 ? "toolu_1" : "toolu_2");
                EXPECT_EQ(calls.at(k)["type"].as_string(), "function");
                EXPECT_EQ(calls.at(k)["function"]["name"].as_string(),
                          index == 0 ? "weather" : "time");
            }
            args[index] += calls.at(k)["function"]["arguments"].as_string();
        }
        if (choice["finish_reason"].is_string()) {
            EXPECT_TRUE(finish.empty()) << "one finish_reason";
            finish = choice["finish_reason"].as_string();
        }
    }
    EXPECT_EQ(text, "Okay, checking.");
    EXPECT_EQ(json(args[0]).root()["city"].as_string(), "Paris");
    EXPECT_EQ(args[1], "{}");
    EXPECT_EQ(finish, "tool_calls");
    EXPECT_TRUE(saw_usage);
    EXPECT_EQ(t.feed(kMessageStream), "");
    EXPECT_EQ(t.finish(), "");
}

TEST(MessageEventsToChunks, ByteByByteGivesTheSameChunks) {
    MessageEventsToChunks whole(true, 5);
    MessageEventsToChunks bytes(true, 5);
    EXPECT_EQ(run_whole(whole, kMessageStream), run_bytewise(bytes, kMessageStream));
}

TEST(MessageEventsToChunks, WithoutUsageNoUsageChunk) {
    MessageEventsToChunks t(false, 5);
    auto evs = events(run_whole(t, kMessageStream));
    for (const auto& e : evs) {
        if (e.data == "[DONE]") continue;
        EXPECT_EQ(json(e.data).root()["choices"].size(), 1u);
    }
}

TEST(MessageEventsToChunks, StopReasonsAndMissingMessageDelta) {
    std::string start = anthropic_event(
        "message_start",
        R"({"type":"message_start","message":{"id":"msg_2","model":"c","usage":{"input_tokens":1}}})");
    {
        MessageEventsToChunks t(false, 0);
        auto evs = events(run_whole(
            t,
            start +
                anthropic_event(
                    "message_delta",
                    R"({"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":2}})") +
                anthropic_event("message_stop", R"({"type":"message_stop"})")));
        ASSERT_EQ(evs.size(), 3u);
        EXPECT_EQ(json(evs[1].data).root()["choices"].at(0)["finish_reason"].as_string(), "length");
    }
    {
        MessageEventsToChunks t(false, 0);
        auto evs = events(
            run_whole(t, start + anthropic_event("message_stop", R"({"type":"message_stop"})")));
        ASSERT_EQ(evs.size(), 3u);
        EXPECT_EQ(json(evs[1].data).root()["choices"].at(0)["finish_reason"].as_string(), "stop");
        EXPECT_EQ(evs[2].data, "[DONE]");
    }
}

TEST(MessageEventsToChunks, ErrorEvent) {
    MessageEventsToChunks t(true, 0);
    std::string out = kMessageStream.substr(0, kMessageStream.find("event: content_block_stop"));
    out = t.feed(out);
    out += t.feed(anthropic_event(
        "error", R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
    EXPECT_TRUE(t.failed());
    expect_well_formed(out);
    auto evs = events(out);
    auto err = json(evs.back().data);
    EXPECT_EQ(err.root()["error"]["message"].as_string(), "Overloaded");
    EXPECT_EQ(err.root()["error"]["type"].as_string(), "server_error");
    EXPECT_TRUE(err.root()["error"]["code"].is_null());
    EXPECT_TRUE(err.root()["error"]["param"].is_null());
    EXPECT_EQ(t.feed(kMessageStream), "");
    EXPECT_EQ(t.finish(), "");
}

TEST(MessageEventsToChunks, TruncatedAndBrokenStreams) {
    {
        MessageEventsToChunks t(false, 0);
        std::string out = t.feed(kMessageStream.substr(0, kMessageStream.size() / 2));
        out += t.finish();
        EXPECT_TRUE(t.failed());
        expect_well_formed(out);
        auto err = json(events(out).back().data);
        EXPECT_NE(err.root()["error"]["message"].as_string().find("before message_stop"),
                  std::string_view::npos);
    }
    {
        MessageEventsToChunks t(false, 0);
        std::string out = t.feed("event: message_start\ndata: {\"type\":\"message_start\",\n\n");
        EXPECT_TRUE(t.failed());
        expect_well_formed(out);
    }
    {
        MessageEventsToChunks t(false, 0);
        std::string out = t.feed(anthropic_event(
            "content_block_delta",
            R"({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}})"));
        EXPECT_TRUE(t.failed());
        EXPECT_NE(json(events(out).back().data)
                      .root()["error"]["message"]
                      .as_string()
                      .find("before message_start"),
                  std::string_view::npos);
    }
}

// ---------------------------------------------------------------------------
// Hostile input never gives malformed output

// A small deterministic generator: the same bytes on every machine.
struct Lcg {
    uint64_t state;
    uint32_t next() {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<uint32_t>(state >> 33);
    }
};

std::string mutate(std::string s, Lcg& rng) {
    static const char kAlphabet[] = "{}[]\":,\\\n\r \x01\xc3\xa9\xff"
                                    "0123456789eE.-dataevent:[DONE]";
    int edits = 1 + static_cast<int>(rng.next() % 8);
    for (int i = 0; i < edits && !s.empty(); ++i) {
        size_t at = rng.next() % s.size();
        switch (rng.next() % 3) {
        case 0:
            s[at] = kAlphabet[rng.next() % (sizeof kAlphabet - 1)];
            break;
        case 1:
            s.erase(at, 1 + rng.next() % 16);
            break;
        default:
            s.insert(at, 1, kAlphabet[rng.next() % (sizeof kAlphabet - 1)]);
        }
    }
    return s;
}

TEST(Garbage, StreamsStayWellFormed) {
    Lcg rng{42};
    const std::string seeds[] = {kTextStream, kToolStream, kMessageStream};
    for (int round = 0; round < 600; ++round) {
        std::string input = mutate(seeds[round % 3], rng);
        size_t split = rng.next() % (input.size() + 1);
        ChunksToMessageEvents in;
        std::string a = in.feed(std::string_view(input).substr(0, split));
        a += in.feed(std::string_view(input).substr(split));
        a += in.finish();
        ASSERT_NO_FATAL_FAILURE(expect_well_formed(a)) << input;
        // Ends in message_stop or error, exactly once.
        auto evs = events(a);
        ASSERT_FALSE(evs.empty());
        EXPECT_TRUE(evs.back().event == "message_stop" || evs.back().event == "error");
        MessageEventsToChunks out(true, 1);
        std::string b = out.feed(std::string_view(input).substr(0, split));
        b += out.feed(std::string_view(input).substr(split));
        b += out.finish();
        ASSERT_NO_FATAL_FAILURE(expect_well_formed(b)) << input;
        auto chunks = events(b);
        ASSERT_FALSE(chunks.empty());
        EXPECT_TRUE(chunks.back().data == "[DONE]" ||
                    !json(chunks.back().data).root()["error"].is_missing());
    }
}

TEST(Garbage, BodiesGiveValidJsonOrAnError) {
    Lcg rng{7};
    const std::string seeds[] = {
        R"({"model":"m","max_tokens":5,"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"tool_result","tool_use_id":"t","content":"r"}]},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{"a":[1,{"b":null}]}}]}],"tools":[{"name":"f","input_schema":{"type":"object"}}]})",
        R"({"model":"m","messages":[{"role":"system","content":"s"},{"role":"user","content":"u"},{"role":"assistant","content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},{"role":"tool","tool_call_id":"c","content":"r"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"parallel_tool_calls":false})",
        R"({"id":"c","model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"x","tool_calls":[{"id":"a","type":"function","function":{"name":"f","arguments":"{\"q\":[1,2]}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":3,"completion_tokens":4}})",
        R"({"id":"msg_1","type":"message","model":"m","content":[{"type":"text","text":"x"},{"type":"tool_use","id":"t","name":"f","input":{"k":"v"}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":2}})"};
    for (int round = 0; round < 800; ++round) {
        std::string input = mutate(seeds[round % 4], rng);
        auto a = messages_to_chat(input);
        if (a.ok()) {
            EXPECT_TRUE(codec::is_valid_json(a->body)) << input;
        }
        auto b = chat_to_messages(input);
        if (b.ok()) {
            EXPECT_TRUE(codec::is_valid_json(b->body)) << input;
        }
        auto c = chat_response_to_message(input);
        if (c.ok()) {
            EXPECT_TRUE(codec::is_valid_json(*c)) << input;
        }
        auto d = message_to_chat_response(input, 1);
        if (d.ok()) {
            EXPECT_TRUE(codec::is_valid_json(*d)) << input;
        }
        EXPECT_TRUE(codec::is_valid_json(error_body_to_anthropic(500, input)));
        EXPECT_TRUE(codec::is_valid_json(error_body_to_openai(500, input)));
    }
}

} // namespace
} // namespace edgeai::api::anthropic
