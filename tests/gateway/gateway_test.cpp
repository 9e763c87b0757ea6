#include "gateway/gateway.h"

#include "gateway_fakes.h"

#include "api/api_error.h"
#include "codec/json/json_document.h"
#include "core/clock.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgeai::gateway {
namespace {

using namespace testing_fakes;

constexpr const char* kChat =
    R"({"model":"m","messages":[{"role":"user","content":"hi"}],"x_extra":1})";
constexpr const char* kStreamChat =
    R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})";

TEST_F(GatewayTest, HealthAndReadinessAnswerWithoutABackend) {
    make_gateway(false);
    EXPECT_EQ(handle("GET", "/healthz"), nullptr);
    EXPECT_EQ(writer.sent.status, 200);
    handle("GET", "/readyz");
    EXPECT_EQ(writer.sent.status, 200);
    gateway->set_draining(true);
    handle("GET", "/readyz");
    EXPECT_EQ(writer.sent.status, 503);
}

TEST_F(GatewayTest, ReadinessShowsEachBackendsLoadAndMeasuredLatency) {
    handle("GET", "/readyz");
    auto before = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(before.ok());
    const auto first = before->root()["backends"].at(0);
    EXPECT_EQ(first["name"].as_string(), "upstream");
    EXPECT_EQ(first["in_flight"].as_int64(), 0);
    EXPECT_TRUE(first["first_byte_ms"].is_missing()) << "no answer yet: no latency to show";
    router->record_success(0, 41.6);
    handle("GET", "/readyz");
    auto after = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(after.ok());
    EXPECT_EQ(after->root()["backends"].at(0)["first_byte_ms"].as_int64(), 42);
}

TEST_F(GatewayTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
    handle("GET", "/v1/nope");
    EXPECT_EQ(writer.sent.status, 404);
    handle("GET", "/v1/chat/completions");
    EXPECT_EQ(writer.sent.status, 405);
    EXPECT_EQ(writer.sent.headers.get("allow"), "POST, OPTIONS");
}

TEST_F(GatewayTest, EveryResponseCarriesARequestIdTakenOrMade) {
    handle("GET", "/healthz");
    std::string made(writer.sent.headers.get("x-request-id"));
    EXPECT_EQ(made.rfind("req_", 0), 0u);
    extra_headers.push_back({"x-request-id", "client-id-1"});
    handle("GET", "/healthz");
    EXPECT_EQ(writer.sent.headers.get("x-request-id"), "client-id-1");
    extra_headers = {{"x-request-id", "bad id\r\nx: y"}};
    handle("GET", "/healthz");
    EXPECT_NE(writer.sent.headers.get("x-request-id"), "bad id\r\nx: y");
}

TEST_F(GatewayTest, WrongContentTypeIs415AndBadFieldsAre400WithParam) {
    handle("POST", "/v1/chat/completions", kChat, "text/plain");
    EXPECT_EQ(writer.sent.status, 415);
    handle("POST", "/v1/chat/completions", R"({"model":"m","messages":[{"role":"x"}]})");
    EXPECT_EQ(writer.sent.status, 400);
    EXPECT_EQ(error_param(), "messages[0].role");
    EXPECT_TRUE(backend.requests.empty());
}

TEST_F(GatewayTest, NoBackendConfiguredIs503ThatSaysWhatToDo) {
    make_gateway(false);
    handle("POST", "/v1/chat/completions", kChat);
    EXPECT_EQ(writer.sent.status, 503);
    EXPECT_NE(writer.sent.body.find("--upstream"), std::string::npos);
}

TEST_F(GatewayTest, ForwardsTheOriginalBodyAndPassesTheAnswerOn) {
    auto task = handle("POST", "/v1/chat/completions", kChat);
    ASSERT_NE(task, nullptr);
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(backend.requests[0].path, "/chat/completions");
    EXPECT_EQ(backend.requests[0].body, kChat);
    core::Headers h;
    h.add("content-type", "application/json");
    h.add("x-ratelimit-remaining-requests", "9");
    backend.observer->on_head(200, h);
    EXPECT_EQ(backend.observer->on_data(R"({"id":"c1",)"), core::BodyAction::kContinue);
    backend.observer->on_data(R"("object":"chat.completion"})");
    backend.observer->on_complete({});
    ASSERT_TRUE(writer.was_sent);
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.body, R"({"id":"c1","object":"chat.completion"})");
    EXPECT_EQ(writer.sent.headers.get("x-ratelimit-remaining-requests"), "9");
}

TEST_F(GatewayTest, TheBackendGetsTheBodyDecodedOnceWithItsModel) {
    auto chat = handle("POST", "/v1/chat/completions", kChat);
    auto embed = handle("POST", "/v1/embeddings", R"({"model":"e","input":"hi"})");
    ASSERT_EQ(backend.decoded_models.size(), 2u);
    EXPECT_EQ(backend.decoded_models[0], "m");
    EXPECT_EQ(backend.decoded_models[1], "e");
}

TEST_F(GatewayTest, GarbageFromUpstreamIs502) {
    auto task = handle("POST", "/v1/chat/completions", kChat);
    backend.observer->on_head(200, {});
    backend.observer->on_data("<html>oops");
    backend.observer->on_complete({});
    EXPECT_EQ(writer.sent.status, 502);
}

TEST_F(GatewayTest, UpstreamErrorsKeepTheirStatusInOpenAiShape) {
    auto task = handle("POST", "/v1/chat/completions", kChat);
    backend.observer->on_head(429, {});
    backend.observer->on_data(R"({"error":{"message":"slow down","type":"rate_limit"}})");
    backend.observer->on_complete({});
    EXPECT_EQ(writer.sent.status, 429);
    EXPECT_NE(writer.sent.body.find("slow down"), std::string::npos);

    task = handle("POST", "/v1/chat/completions", kChat);
    backend.observer->on_head(503, {});
    backend.observer->on_data("Service Unavailable");
    backend.observer->on_complete({});
    EXPECT_EQ(writer.sent.status, 503);
    EXPECT_TRUE(api::is_openai_error_body(writer.sent.body)) << writer.sent.body;
}

TEST_F(GatewayTest, ConnectFailureIs502AndTimeoutIs504) {
    auto task = handle("POST", "/v1/chat/completions", kChat);
    backend.observer->on_complete(core::unavailable("connection refused"));
    EXPECT_EQ(writer.sent.status, 502);
    task = handle("POST", "/v1/chat/completions", kChat);
    backend.observer->on_complete(core::deadline_exceeded("no answer in 100 ms"));
    EXPECT_EQ(writer.sent.status, 504);
}

TEST_F(GatewayTest, StreamsAreRelayedEventByEvent) {
    auto task = handle("POST", "/v1/chat/completions", kStreamChat);
    EXPECT_TRUE(backend.requests[0].stream);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    backend.observer->on_head(200, h);
    EXPECT_EQ(writer.stream_status, 0) << "committed with the first event, not the head";
    backend.observer->on_data("data: {\"a\":1}\n\ndata: {\"b\"");
    EXPECT_EQ(writer.stream_status, 200);
    EXPECT_EQ(writer.stream_headers.get("content-type"), "text/event-stream; charset=utf-8");
    EXPECT_EQ(writer.streamed, "data: {\"a\":1}\n\n");
    backend.observer->on_data(":2}\r\n\r\ndata: [DONE]\n\n");
    backend.observer->on_complete({});
    // Whole events, byte for byte as the upstream sent them.
    EXPECT_EQ(writer.streamed, "data: {\"a\":1}\n\ndata: {\"b\":2}\r\n\r\ndata: [DONE]\n\n");
    EXPECT_TRUE(writer.stream_ended);
}

TEST_F(GatewayTest, AStreamCutMidwayEndsWithAnErrorEvent) {
    auto task = handle("POST", "/v1/chat/completions", kStreamChat);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    backend.observer->on_head(200, h);
    backend.observer->on_data("data: {\"a\":1}\n\n");
    backend.observer->on_complete(core::data_loss("connection closed"));
    EXPECT_NE(writer.streamed.find("data: {\"error\":"), std::string::npos) << writer.streamed;
    EXPECT_NE(writer.streamed.find("upstream_stream_interrupted"), std::string::npos);
    EXPECT_TRUE(writer.stream_ended);
}

TEST_F(GatewayTest, OllamaChatStreamsAsNdjsonAndErrsInOllamasShape) {
    auto task = handle("POST", "/api/chat",
                       R"({"model":"m:latest","messages":[{"role":"user","content":"hi"}]})", "");
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(backend.requests[0].path, "/chat/completions");
    EXPECT_TRUE(backend.requests[0].stream) << "Ollama streams by default";
    EXPECT_EQ(backend.decoded_models[0], "m");
    core::Headers h;
    h.add("content-type", "text/event-stream");
    backend.observer->on_head(200, h);
    backend.observer->on_data("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},"
                              "\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
    backend.observer->on_complete({});
    EXPECT_EQ(writer.stream_headers.get("content-type"), "application/x-ndjson");
    const size_t first = writer.streamed.find('\n');
    ASSERT_NE(first, std::string::npos) << writer.streamed;
    auto line = codec::JsonDocument::parse(std::string_view(writer.streamed).substr(0, first));
    ASSERT_TRUE(line.ok()) << writer.streamed;
    EXPECT_EQ(line->root()["model"].as_string(), "m:latest");
    EXPECT_EQ(line->root()["message"]["content"].as_string(), "Hi");
    EXPECT_NE(writer.streamed.find("\"done\":true"), std::string::npos);
    EXPECT_EQ(writer.streamed.find("data:"), std::string::npos);
    EXPECT_TRUE(writer.stream_ended);

    task = handle("POST", "/api/chat", R"({"model":"m","messages":"hi"})");
    EXPECT_EQ(writer.sent.status, 400);
    auto bad = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(bad.ok());
    EXPECT_TRUE(bad->root()["error"].is_string()) << writer.sent.body;
    handle("GET", "/api/chat");
    EXPECT_EQ(writer.sent.status, 405);
    EXPECT_EQ(writer.sent.body.rfind("{\"error\":\"", 0), 0u) << writer.sent.body;
    handle("POST", "/api/pull", R"({"model":"m"})");
    EXPECT_EQ(writer.sent.status, 404);
    EXPECT_EQ(writer.sent.body.rfind("{\"error\":\"", 0), 0u) << writer.sent.body;
}

TEST_F(GatewayTest, TheRootAnswersAsOllamaOnItsListener) {
    handle("GET", "/");
    EXPECT_NE(writer.sent.body.find("edgeai"), std::string::npos);
    core::HttpRequest r;
    r.method = "GET";
    r.target = "/";
    r.ollama_listener = true;
    gateway->handle(std::move(r), &writer);
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.body, "Ollama is running");
}

TEST_F(GatewayTest, AFullClientQueuePausesTheUpstreamUntilDrained) {
    auto task = handle("POST", "/v1/chat/completions", kStreamChat);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    backend.observer->on_head(200, h);
    writer.accept_more = false;
    EXPECT_EQ(backend.observer->on_data("data: x\n\n"), core::BodyAction::kPause);
    ASSERT_TRUE(writer.drain);
    writer.drain();
    EXPECT_EQ(backend.resumes, 1);
}

TEST_F(GatewayTest, DestroyingTheTaskCancelsTheUpstreamCallAndLogs499) {
    auto task = handle("POST", "/v1/chat/completions", kStreamChat);
    task.reset();
    EXPECT_TRUE(backend.call_destroyed);
    ASSERT_FALSE(sink.lines.empty());
    EXPECT_NE(sink.lines.back().find("\"status\":499"), std::string::npos) << sink.lines.back();
}

TEST_F(GatewayTest, CorsHeadersOnlyForAllowedOrigins) {
    settings.server.cors.allow_origins = {"https://app.example"};
    extra_headers = {{"origin", "https://app.example"}};
    handle("GET", "/healthz");
    EXPECT_EQ(writer.sent.headers.get("access-control-allow-origin"), "https://app.example");
    handle("OPTIONS", "/v1/chat/completions");
    EXPECT_EQ(writer.sent.status, 204);
    EXPECT_EQ(writer.sent.headers.get("access-control-allow-methods"), "POST, OPTIONS");
    extra_headers = {{"origin", "https://evil.example"}};
    handle("GET", "/healthz");
    EXPECT_FALSE(writer.sent.headers.has("access-control-allow-origin"));
}

TEST_F(GatewayTest, MetricsCountRequestsByRouteAndStatus) {
    handle("GET", "/healthz");
    handle("GET", "/v1/nope");
    handle("GET", "/metrics");
    EXPECT_NE(
        writer.sent.body.find("edgeai_http_requests_total{route=\"healthz\",status=\"200\"} 1"),
        std::string::npos)
        << writer.sent.body;
    EXPECT_NE(writer.sent.body.find("route=\"unknown\",status=\"404\""), std::string::npos);
}

TEST_F(GatewayTest, ModelLookupsGoUpstreamWithTheIdEncoded) {
    auto task = handle("GET", "/v1/models/org%2Fm", "", "");
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(backend.requests[0].method, "GET");
    EXPECT_EQ(backend.requests[0].path, "/models/org%2Fm");
}

} // namespace
} // namespace edgeai::gateway
