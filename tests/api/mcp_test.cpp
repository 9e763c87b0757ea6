#include "api/mcp/mcp_protocol.h"
#include "api/mcp/mcp_tools.h"
#include "codec/json/json_document.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::api::mcp {
namespace {

using codec::JsonDocument;

RpcMessage decode_ok(std::string_view body) {
    RpcMessage m;
    DecodeError e;
    EXPECT_TRUE(decode_message(body, m, e)) << e.message;
    return m;
}

DecodeError decode_error(std::string_view body) {
    RpcMessage m;
    DecodeError e;
    EXPECT_FALSE(decode_message(body, m, e)) << body;
    return e;
}

TEST(McpProtocol, RequestsNotificationsAndResponsesAreToldApart) {
    RpcMessage r = decode_ok(R"({"jsonrpc":"2.0","id":7,"method":"tools/list"})");
    EXPECT_EQ(r.kind, MessageKind::kRequest);
    EXPECT_EQ(r.id, "7");
    EXPECT_EQ(r.params, "{}");
    r = decode_ok(R"({"jsonrpc":"2.0","id":"a\"b","method":"ping","params":{"x":1}})");
    EXPECT_EQ(r.id, R"("a\"b")");
    EXPECT_EQ(r.params, R"({"x":1})");
    r = decode_ok(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    EXPECT_EQ(r.kind, MessageKind::kNotification);
    EXPECT_TRUE(r.id.empty());
    r = decode_ok(R"({"jsonrpc":"2.0","id":3,"result":{}})");
    EXPECT_EQ(r.kind, MessageKind::kResponse);
}

TEST(McpProtocol, BadMessagesSayWhatIsWrong) {
    EXPECT_EQ(decode_error("{\"jsonrpc\":").code, kParseError);
    DecodeError e = decode_error(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
    EXPECT_EQ(e.code, kInvalidRequest);
    EXPECT_NE(e.message.find("batches"), std::string::npos);
    EXPECT_EQ(decode_error(R"({"jsonrpc":"1.0","id":1,"method":"ping"})").code, kInvalidRequest);
    EXPECT_EQ(decode_error(R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})").code, kInvalidRequest);
    EXPECT_EQ(decode_error(R"({"jsonrpc":"2.0","id":1,"method":""})").code, kInvalidRequest);
    EXPECT_EQ(decode_error(R"({"jsonrpc":"2.0","id":1,"method":"x","params":[1]})").code,
              kInvalidRequest);
    EXPECT_EQ(decode_error(R"({"jsonrpc":"2.0","id":1})").code, kInvalidRequest);
}

TEST(McpProtocol, VersionsAreNegotiated) {
    EXPECT_EQ(negotiate_protocol_version("2025-06-18"), "2025-06-18");
    EXPECT_EQ(negotiate_protocol_version("2025-03-26"), "2025-03-26");
    EXPECT_EQ(negotiate_protocol_version("2024-11-05"), kLatestProtocolVersion);
    EXPECT_EQ(negotiate_protocol_version(""), kLatestProtocolVersion);
    EXPECT_FALSE(supports_protocol_version("1999-01-01"));
}

TEST(McpProtocol, MessagesAreJsonRpc) {
    EXPECT_EQ(result_message("1", "{}"), R"({"jsonrpc":"2.0","id":1,"result":{}})");
    EXPECT_EQ(error_message("", kParseError, "bad"),
              R"({"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"bad"}})");
    auto init = JsonDocument::parse(initialize_result("2025-06-18", "1.2.3"));
    ASSERT_TRUE(init.ok());
    EXPECT_EQ(init->root()["protocolVersion"].as_string(), "2025-06-18");
    EXPECT_EQ(init->root()["serverInfo"]["version"].as_string(), "1.2.3");
    EXPECT_TRUE(init->root()["capabilities"]["tools"].is_object());
}

core::Result<ToolRequest> request_for(Tool tool, std::string_view arguments, bool stream = false) {
    static std::string keep;
    keep.assign(arguments);
    auto doc = JsonDocument::parse(keep);
    EXPECT_TRUE(doc.ok());
    auto r = tool_request(tool, doc->root(), stream);
    return r;
}

TEST(McpTools, ChatBecomesAChatCompletion) {
    auto r = request_for(Tool::kChat,
                         R"({"model":"m","system":"s","messages":[{"role":"user","content":"a"},)"
                         R"({"role":"assistant","content":"b"}],"prompt":"c","max_tokens":5,)"
                         R"("temperature":0})");
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(r->method, "POST");
    EXPECT_EQ(r->target, "/v1/chat/completions");
    EXPECT_EQ(r->body, R"({"model":"m","messages":[{"role":"system","content":"s"},)"
                       R"({"role":"user","content":"a"},{"role":"assistant","content":"b"},)"
                       R"({"role":"user","content":"c"}],"max_tokens":5,"temperature":0})");
    EXPECT_FALSE(r->async);
    auto streamed = request_for(Tool::kChat, R"({"model":"m","prompt":"c"})", true);
    ASSERT_TRUE(streamed.ok());
    EXPECT_NE(streamed->body.find(R"("stream":true)"), std::string::npos);
    EXPECT_NE(streamed->body.find(R"("include_usage":true)"), std::string::npos);
    auto job = request_for(Tool::kSubmitJob, R"({"model":"m","prompt":"c"})", true);
    ASSERT_TRUE(job.ok());
    EXPECT_TRUE(job->async);
    EXPECT_EQ(job->body.find("stream"), std::string::npos) << "a job is never streamed";
}

TEST(McpTools, BadArgumentsNameTheArgument) {
    struct Case {
        Tool tool;
        std::string_view args;
        std::string_view field;
    };
    const Case cases[] = {
        {Tool::kChat, R"({"prompt":"x"})", "model"},
        {Tool::kChat, R"({"model":"m"})", "prompt"},
        {Tool::kChat, R"({"model":"m","prompt":3})", "prompt"},
        {Tool::kChat, R"({"model":"m","prompt":"x","max_tokens":0})", "max_tokens"},
        {Tool::kChat, R"({"model":"m","prompt":"x","temperature":3})", "temperature"},
        {Tool::kChat, R"({"model":"m","messages":[{"role":"user"}]})", "messages"},
        {Tool::kEmbed, R"({"model":"m","input":[]})", "input"},
        {Tool::kEmbed, R"({"model":"m","input":[1]})", "input"},
        {Tool::kGetJob, R"({"id":"../keys"})", "id"},
        {Tool::kGetJob, R"({})", "id"},
    };
    for (const Case& c : cases) {
        auto r = request_for(c.tool, c.args);
        ASSERT_FALSE(r.ok()) << c.args;
        EXPECT_EQ(r.status().field(), c.field) << c.args;
    }
    auto not_object = request_for(Tool::kChat, "[1]");
    EXPECT_FALSE(not_object.ok());
}

TEST(McpTools, AnswersBecomeResults) {
    auto chat = JsonDocument::parse(tool_result(
        Tool::kChat, 200,
        R"({"model":"m","choices":[{"message":{"content":"Hi"},"finish_reason":"stop"}],)"
        R"("usage":{"prompt_tokens":3,"completion_tokens":1}})"));
    ASSERT_TRUE(chat.ok());
    EXPECT_FALSE(chat->root()["isError"].as_bool());
    EXPECT_EQ(chat->root()["content"].at(0)["text"].as_string(), "Hi");
    EXPECT_EQ(chat->root()["structuredContent"]["usage"]["completion_tokens"].as_int64(), 1);
    auto refused = JsonDocument::parse(
        tool_result(Tool::kEmbed, 403, R"({"error":{"message":"lacks the 'embeddings' scope"}})"));
    ASSERT_TRUE(refused.ok());
    EXPECT_TRUE(refused->root()["isError"].as_bool());
    EXPECT_EQ(refused->root()["content"].at(0)["text"].as_string(), "lacks the 'embeddings' scope");
    auto garbage = JsonDocument::parse(tool_result(Tool::kListModels, 200, "<html>"));
    ASSERT_TRUE(garbage.ok());
    EXPECT_TRUE(garbage->root()["isError"].as_bool());
}

TEST(McpTools, AStreamedChatReadsBackAsOneAnswer) {
    ChatStreamReader reader;
    EXPECT_EQ(reader.feed(R"({"model":"m","choices":[{"delta":{"role":"assistant"}}]})"), "");
    EXPECT_EQ(reader.feed(R"({"model":"m","choices":[{"delta":{"content":"Hel"}}]})"), "Hel");
    EXPECT_EQ(reader.feed(R"({"choices":[{"delta":{"content":"lo"},"finish_reason":"length"}]})"),
              "lo");
    EXPECT_EQ(reader.feed(R"({"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}})"),
              "");
    EXPECT_EQ(reader.feed("[DONE]"), "");
    auto result = JsonDocument::parse(tool_result(Tool::kChat, 200, reader.completion_json()));
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->root()["structuredContent"]["text"].as_string(), "Hello");
    EXPECT_EQ(result->root()["structuredContent"]["finish_reason"].as_string(), "length");
    EXPECT_EQ(result->root()["structuredContent"]["usage"]["prompt_tokens"].as_int64(), 4);
    ChatStreamReader broken;
    broken.feed(R"({"error":{"message":"upstream stream ended early"}})");
    EXPECT_EQ(broken.error(), "upstream stream ended early");
}

TEST(McpTools, TheCatalogueListsEveryToolWithSchemas) {
    for (Tool tool : kTools) {
        auto def = JsonDocument::parse(tool_definition(tool));
        ASSERT_TRUE(def.ok()) << tool_name(tool);
        EXPECT_EQ(def->root()["name"].as_string(), tool_name(tool));
        EXPECT_EQ(def->root()["inputSchema"]["type"].as_string(), "object");
        EXPECT_EQ(def->root()["outputSchema"]["type"].as_string(), "object");
        EXPECT_EQ(tool_named(tool_name(tool)), tool);
    }
    EXPECT_FALSE(tool_named("shell").has_value());
    EXPECT_TRUE(JsonDocument::parse(resources_list_result()).ok());
}

} // namespace
} // namespace edgeai::api::mcp
