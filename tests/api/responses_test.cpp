#include "api/responses/responses_answers.h"
#include "api/responses/responses_requests.h"
#include "api/responses/responses_streams.h"
#include "codec/json/json_document.h"
#include "codec/sse/sse_parser.h"

#include "json_for_test.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::api::responses {
namespace {

using codec::JsonDocument;

JsonDocument json(std::string_view text) {
    return json_for_test(text);
}

ResponseFrame frame() {
    ResponseFrame f;
    f.id = "resp_abc";
    f.message_id = "msg_abc";
    f.created_at = 1700000000;
    f.echo = R"("store":true,"metadata":{})";
    return f;
}

core::Result<TranslatedResponsesRequest> translate(std::string_view body) {
    return responses_to_chat(body, [](std::string_view id) -> core::Result<std::string> {
        if (id != "resp_prev") return core::Status(core::StatusCode::kNotFound, "no such response");
        return std::string(
            R"([{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]},)"
            R"({"type":"message","role":"assistant","content":[{"type":"output_text","text":"Hello"}]}])");
    });
}

std::string param_of(std::string_view body) {
    auto r = translate(body);
    EXPECT_FALSE(r.ok()) << body;
    return r.ok() ? "" : r.status().field();
}

TEST(ResponsesRequest, StringInputAndSettingsBecomeAChatCompletion) {
    auto r = translate(R"({"model":"m","input":"Say hi","instructions":"Be brief.",)"
                       R"("max_output_tokens":20,"temperature":0.5,"top_p":0.9,"stream":true,)"
                       R"("metadata":{"a":"b"}})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->model, "m");
    EXPECT_TRUE(r->stream);
    EXPECT_TRUE(r->store);
    JsonDocument chat = json(r->chat_body);
    auto root = chat.root();
    ASSERT_EQ(root["messages"].size(), 2u);
    EXPECT_EQ(root["messages"].at(0)["role"].as_string(), "system");
    EXPECT_EQ(root["messages"].at(0)["content"].as_string(), "Be brief.");
    EXPECT_EQ(root["messages"].at(1)["content"].as_string(), "Say hi");
    EXPECT_EQ(root["max_tokens"].as_int64(), 20);
    EXPECT_EQ(root["temperature"].as_double(), 0.5);
    EXPECT_TRUE(root["stream_options"]["include_usage"].as_bool());
    JsonDocument echo = json("{" + r->echo + "}");
    EXPECT_EQ(echo.root()["instructions"].as_string(), "Be brief.");
    EXPECT_EQ(echo.root()["metadata"]["a"].as_string(), "b");
    EXPECT_TRUE(echo.root()["store"].as_bool());
}

TEST(ResponsesRequest, ItemsBecomeTurnsToolCallsAndToolMessages) {
    auto r = translate(
        R"({"model":"m","input":[{"role":"user","content":[{"type":"input_text","text":"Weather?"}]},)"
        R"({"type":"function_call","call_id":"c1","name":"w","arguments":"{}"},)"
        R"({"type":"function_call","call_id":"c2","name":"w","arguments":"{\"x\":1}"},)"
        R"({"type":"function_call_output","call_id":"c1","output":"sunny"}],)"
        R"("tools":[{"type":"function","name":"w","parameters":{"type":"object"}}],)"
        R"("tool_choice":{"type":"function","name":"w"},"text":{"format":{"type":"json_object"}}})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    JsonDocument chat = json(r->chat_body);
    auto messages = chat.root()["messages"];
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages.at(1)["role"].as_string(), "assistant");
    EXPECT_TRUE(messages.at(1)["content"].is_null());
    ASSERT_EQ(messages.at(1)["tool_calls"].size(), 2u);
    EXPECT_EQ(messages.at(1)["tool_calls"].at(1)["function"]["arguments"].as_string(), "{\"x\":1}");
    EXPECT_EQ(messages.at(2)["role"].as_string(), "tool");
    EXPECT_EQ(messages.at(2)["tool_call_id"].as_string(), "c1");
    EXPECT_EQ(chat.root()["tools"].at(0)["function"]["name"].as_string(), "w");
    EXPECT_EQ(chat.root()["tool_choice"]["function"]["name"].as_string(), "w");
    EXPECT_EQ(chat.root()["response_format"]["type"].as_string(), "json_object");
    // Every input item is kept with an id, for GET .../input_items.
    JsonDocument items = json(r->input_items);
    ASSERT_EQ(items.root().size(), 4u);
    EXPECT_EQ(items.root().at(0)["id"].as_string(), "item_0");
}

TEST(ResponsesRequest, APreviousResponseComesFirst) {
    auto r = translate(R"({"model":"m","input":"And you?","previous_response_id":"resp_prev"})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    JsonDocument chat = json(r->chat_body);
    auto messages = chat.root()["messages"];
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages.at(0)["content"].as_string(), "Hi");
    EXPECT_EQ(messages.at(1)["role"].as_string(), "assistant");
    EXPECT_EQ(messages.at(1)["content"].as_string(), "Hello");
    EXPECT_EQ(messages.at(2)["content"].as_string(), "And you?");
    EXPECT_EQ(json(r->context_items).root().size(), 3u);
    EXPECT_EQ(json(r->input_items).root().size(), 1u);
}

TEST(ResponsesRequest, ErrorsNameTheResponsesField) {
    EXPECT_EQ(param_of(R"({"model":"m"})"), "input");
    EXPECT_EQ(param_of(R"({"model":"m","input":[{"type":"web_search_call"}]})"), "input[0].type");
    EXPECT_EQ(
        param_of(R"({"model":"m","input":[{"role":"user","content":[{"type":"input_text"}]}]})"),
        "input[0].content[0].text");
    EXPECT_EQ(param_of(R"({"model":"m","input":[{"role":"tool","content":"x"}]})"),
              "input[0].role");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","tools":[{"type":"file_search"}]})"),
              "tools[0].type");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","tool_choice":"sometimes"})"), "tool_choice");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","text":{"format":{"type":"json_schema"}}})"),
              "text.format.name");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","top_p":2})"), "top_p");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","previous_response_id":"resp_other"})"),
              "previous_response_id");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","include":[3]})"), "include[0]");
    EXPECT_EQ(param_of(R"({"model":"m","input":"x","top_logprobs":21})"), "top_logprobs");
}

// Issue 19: logprobs asked through include (or top_logprobs) become the chat
// request's logprobs.
TEST(ResponsesRequest, IncludeLogprobsAsksTheChatRequestForThem) {
    auto r = responses_to_chat(
        R"({"model":"m","input":"x","include":["message.output_text.logprobs"],"top_logprobs":3})",
        nullptr);
    ASSERT_TRUE(r.ok()) << r.status().message();
    auto chat = json(r->chat_body);
    EXPECT_TRUE(chat.root()["logprobs"].as_bool());
    EXPECT_EQ(chat.root()["top_logprobs"].as_int64(), 3);
    auto plain = responses_to_chat(R"({"model":"m","input":"x"})", nullptr);
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(json(plain->chat_body).root()["logprobs"].is_missing());
}

TEST(ResponsesRequest, WithoutAStoreNothingIsStoredAndNoContinuation) {
    auto r = responses_to_chat(R"({"model":"m","input":"x"})", nullptr);
    ASSERT_TRUE(r.ok());
    EXPECT_FALSE(r->store);
    EXPECT_FALSE(json("{" + r->echo + "}").root()["store"].as_bool());
    auto c =
        responses_to_chat(R"({"model":"m","input":"x","previous_response_id":"resp_1"})", nullptr);
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.status().message().find("not available in this build"), std::string::npos);
}

TEST(ResponsesAnswer, AChatCompletionBecomesAResponse) {
    auto r = chat_response_to_response(
        R"({"model":"gm","choices":[{"index":0,"message":{"role":"assistant","content":"Hi!",)"
        R"("tool_calls":[{"id":"call_1","type":"function","function":{"name":"f","arguments":"{}"}}]},)"
        R"("finish_reason":"length"}],"usage":{"prompt_tokens":4,"completion_tokens":2}})",
        frame());
    ASSERT_TRUE(r.ok()) << r.status().message();
    JsonDocument doc = json(*r);
    auto root = doc.root();
    EXPECT_EQ(root["id"].as_string(), "resp_abc");
    EXPECT_EQ(root["object"].as_string(), "response");
    EXPECT_EQ(root["status"].as_string(), "incomplete");
    EXPECT_EQ(root["incomplete_details"]["reason"].as_string(), "max_output_tokens");
    EXPECT_EQ(root["model"].as_string(), "gm");
    ASSERT_EQ(root["output"].size(), 2u);
    EXPECT_EQ(root["output"].at(0)["id"].as_string(), "msg_abc");
    EXPECT_EQ(root["output"].at(0)["content"].at(0)["text"].as_string(), "Hi!");
    EXPECT_EQ(root["output"].at(1)["type"].as_string(), "function_call");
    EXPECT_EQ(root["output"].at(1)["call_id"].as_string(), "call_1");
    EXPECT_EQ(root["usage"]["total_tokens"].as_int64(), 6);
    EXPECT_TRUE(root["store"].as_bool()); // the echoed settings
    EXPECT_FALSE(chat_response_to_response(R"({"choices":[]})", frame()).ok());
}

TEST(ResponsesAnswer, ErrorParamsAreRenamed) {
    JsonDocument doc = json(error_body_to_responses(
        400, R"({"error":{"message":"response_format: no","type":"invalid_request_error",)"
             R"("param":"response_format","code":null}})"));
    EXPECT_EQ(doc.root()["error"]["param"].as_string(), "text.format");
    EXPECT_EQ(doc.root()["error"]["message"].as_string(), "text.format: no");
    JsonDocument other = json(error_body_to_responses(502, "<html>"));
    EXPECT_TRUE(other.root()["error"]["message"].is_string());
}

struct Event {
    std::string type;
    JsonDocument data;
};

std::vector<Event> events(std::string_view stream) {
    codec::SseParser parser;
    EXPECT_TRUE(parser.feed(stream).ok());
    std::vector<Event> out;
    codec::SseEvent e;
    while (parser.next(e))
        out.push_back({e.event, json(e.data)});
    return out;
}

std::vector<std::string> types(const std::vector<Event>& es) {
    std::vector<std::string> out;
    for (const Event& e : es)
        out.push_back(e.type);
    return out;
}

std::string chunk(std::string_view delta, std::string_view finish = {}) {
    std::string f = finish.empty() ? "null" : "\"" + std::string(finish) + "\"";
    return R"(data: {"id":"c","model":"gm","choices":[{"index":0,"delta":)" + std::string(delta) +
           R"(,"finish_reason":)" + f + "}]}\n\n";
}

TEST(ResponsesStream, TextChunksBecomeTheFullEventSequence) {
    ChunksToResponseEvents t(frame());
    std::string in = chunk(R"({"role":"assistant","content":"Hel"})") +
                     chunk(R"({"content":"lo"})") + chunk("{}", "stop") +
                     R"(data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}})"
                     "\n\ndata: [DONE]\n\n";
    // Any split gives the same events.
    std::string out = t.feed(in.substr(0, 37));
    out += t.feed(in.substr(37));
    out += t.finish();
    auto es = events(out);
    EXPECT_EQ(types(es),
              (std::vector<std::string>{"response.created", "response.in_progress",
                                        "response.output_item.added", "response.content_part.added",
                                        "response.output_text.delta", "response.output_text.delta",
                                        "response.output_text.done", "response.content_part.done",
                                        "response.output_item.done", "response.completed"}));
    for (size_t i = 0; i < es.size(); ++i)
        EXPECT_EQ(es[i].data.root()["sequence_number"].as_int64(), static_cast<int64_t>(i));
    EXPECT_EQ(es[6].data.root()["text"].as_string(), "Hello");
    auto final = es.back().data.root()["response"];
    EXPECT_EQ(final["status"].as_string(), "completed");
    EXPECT_EQ(final["output"].at(0)["content"].at(0)["text"].as_string(), "Hello");
    EXPECT_EQ(final["usage"]["input_tokens"].as_int64(), 5);
    EXPECT_EQ(json(t.final_response()).root()["id"].as_string(), "resp_abc");
    EXPECT_FALSE(t.failed());
}

TEST(ResponsesStream, ToolCallsBecomeFunctionCallItems) {
    ChunksToResponseEvents t(frame());
    std::string out = t.feed(
        chunk(R"({"content":"Let me see."})") +
        chunk(
            R"({"tool_calls":[{"index":0,"id":"call_a","function":{"name":"f","arguments":"{\"a\""}}]})") +
        chunk(R"({"tool_calls":[{"index":0,"function":{"arguments":":1}"}}]})") +
        chunk(
            R"({"tool_calls":[{"index":1,"id":"call_b","function":{"name":"g","arguments":"{}"}}]})",
            "tool_calls"));
    out += t.finish(); // no [DONE]: the finish_reason is enough
    auto es = events(out);
    auto final = es.back().data.root()["response"];
    EXPECT_EQ(es.back().type, "response.completed");
    ASSERT_EQ(final["output"].size(), 3u);
    EXPECT_EQ(final["output"].at(1)["arguments"].as_string(), "{\"a\":1}");
    EXPECT_EQ(final["output"].at(1)["call_id"].as_string(), "call_a");
    EXPECT_EQ(final["output"].at(2)["name"].as_string(), "g");
    int done = 0;
    for (const Event& e : es)
        done += e.type == "response.function_call_arguments.done";
    EXPECT_EQ(done, 2);
}

TEST(ResponsesStream, LengthEndsIncompleteAndACutStreamFails) {
    ChunksToResponseEvents cut_short(frame());
    auto ended =
        events(cut_short.feed(chunk(R"({"content":"Once"})", "length") + "data: [DONE]\n\n"));
    EXPECT_EQ(ended.back().type, "response.incomplete");
    EXPECT_EQ(ended.back().data.root()["response"]["incomplete_details"]["reason"].as_string(),
              "max_output_tokens");

    ChunksToResponseEvents broken(frame());
    std::string out = broken.feed(chunk(R"({"content":"Once"})"));
    out += broken.finish();
    auto es = events(out);
    ASSERT_GE(es.size(), 2u);
    EXPECT_EQ(es[es.size() - 2].type, "error");
    EXPECT_EQ(es.back().type, "response.failed");
    EXPECT_TRUE(broken.failed());
    EXPECT_TRUE(broken.final_response().empty());
    EXPECT_TRUE(broken.feed(chunk("{}", "stop")).empty());

    ChunksToResponseEvents garbage(frame());
    auto bad = events(garbage.feed("data: not json\n\n"));
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].type, "error");
}

} // namespace
} // namespace edgeai::api::responses
