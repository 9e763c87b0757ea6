#include "gateway/gateway.h"

#include "api/api_error.h"
#include "codec/json/json_document.h"
#include "core/clock.h"

#include <gtest/gtest.h>

#include <vector>

namespace edgeai::gateway {
namespace {

struct NullSink : core::LogSink {
    std::vector<std::string> lines;
    void write_line(std::string_view line) override { lines.emplace_back(line); }
};

struct FakeCall : core::HttpCall {
    int* resumes;
    bool* destroyed;
    FakeCall(int* r, bool* d) : resumes(r), destroyed(d) {}
    ~FakeCall() override { *destroyed = true; }
    void resume() override { ++*resumes; }
};

// A backend whose answers the test plays by hand through the observer.
struct FakeBackend : router::Backend {
    std::vector<router::BackendRequest> requests;
    core::HttpResponseObserver* observer = nullptr;
    int resumes = 0;
    bool call_destroyed = false;
    core::Status fail_start;
    std::string_view name() const override { return "fake"; }
    core::Result<std::unique_ptr<core::HttpCall>> start(router::BackendRequest r,
                                                        core::HttpResponseObserver* o) override {
        if (!fail_start.ok()) return fail_start;
        requests.push_back(r);
        requests.back().client_headers = nullptr;
        observer = o;
        return std::unique_ptr<core::HttpCall>(new FakeCall(&resumes, &call_destroyed));
    }
};

struct FakeWriter : ResponseWriter {
    core::HttpResponse sent;
    bool was_sent = false;
    int stream_status = 0;
    core::Headers stream_headers;
    std::string streamed;
    bool stream_ended = false;
    bool accept_more = true;
    std::function<void()> drain;
    void send(core::HttpResponse r) override {
        sent = std::move(r);
        was_sent = true;
    }
    void start_stream(int status, core::Headers h) override {
        stream_status = status;
        stream_headers = std::move(h);
    }
    bool write(std::string_view bytes) override {
        streamed.append(bytes);
        return accept_more;
    }
    void end_stream() override { stream_ended = true; }
    void set_drain_callback(std::function<void()> cb) override { drain = std::move(cb); }
};

class GatewayTest : public ::testing::Test {
  protected:
    GatewayTest() { make_gateway(true); }

    void make_gateway(bool with_upstream) {
        GatewayDeps deps;
        deps.settings = &settings;
        deps.clock = &clock;
        deps.logger = &logger;
        deps.metrics = &metrics;
        deps.upstream = with_upstream ? &backend : nullptr;
        deps.id_seed = 7;
        gateway = std::make_unique<Gateway>(deps);
    }

    std::unique_ptr<RequestTask> handle(std::string method, std::string target,
                                        std::string body = "",
                                        std::string content_type = "application/json") {
        core::HttpRequest r;
        r.method = std::move(method);
        r.target = std::move(target);
        r.body = std::move(body);
        if (!content_type.empty()) r.headers.add("content-type", content_type);
        for (auto& h : extra_headers)
            r.headers.add(h.name, h.value);
        return gateway->handle(std::move(r), &writer);
    }

    std::string error_param() {
        auto doc = codec::JsonDocument::parse(writer.sent.body);
        EXPECT_TRUE(doc.ok());
        return std::string(doc->root()["error"]["param"].as_string());
    }

    core::Settings settings;
    core::ManualClock clock;
    NullSink sink;
    telemetry::Logger logger{sink, clock, core::LogLevel::kInfo};
    telemetry::MetricsRegistry metrics;
    FakeBackend backend;
    FakeWriter writer;
    std::vector<core::Header> extra_headers;
    std::unique_ptr<Gateway> gateway;
};

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
    EXPECT_EQ(writer.stream_status, 200);
    EXPECT_EQ(writer.stream_headers.get("content-type"), "text/event-stream; charset=utf-8");
    backend.observer->on_data("data: {\"a\":1}\n\ndata: {\"b\"");
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
