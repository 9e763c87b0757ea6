// ProxyTask carrying out a router's plan, through the gateway as in
// production: fallback before the first byte, retries with backoff and
// Retry-After, the deadline, a breaker opening, half-opening and closing,
// and a stream cut after its first byte (never retried). Time is the manual
// clock and the executor runs timers when the test advances it: no sleeps.
#include "gateway/proxy_task.h"

#include "gateway_fakes.h"

#include <gtest/gtest.h>

namespace edgeai::gateway {
namespace {

using namespace testing_fakes;

constexpr const char* kChat = R"({"model":"chat","messages":[{"role":"user","content":"hi"}]})";
constexpr const char* kStreamChat =
    R"({"model":"chat","messages":[{"role":"user","content":"hi"}],"stream":true})";
constexpr const char* kAnswer = R"({"id":"c1","object":"chat.completion"})";

class RoutedGatewayTest : public GatewayTest {
  protected:
    RoutedGatewayTest() {
        a.backend_name = "a";
        b.backend_name = "b";
    }

    // Backends a (model ma) and b (model mb); the route "chat" tries a, then b.
    void two_targets(router::BreakerConfig breaker, router::RetryPolicy retry) {
        routing = core::Settings();
        for (auto [name, model] : {std::pair{"a", "ma"}, std::pair{"b", "mb"}}) {
            core::BackendSettings s;
            s.name = name;
            s.kind = core::BackendKind::kOpenAi;
            s.models = {model};
            routing.backends.push_back(s);
        }
        core::RouteSettings route;
        route.model = "chat";
        route.targets = {"a:ma", "b:mb"};
        routing.routes.push_back(route);
        backends = {&a, &b};
        build(breaker, retry);
    }

    // One backend a serving "chat".
    void one_target(router::BreakerConfig breaker, router::RetryPolicy retry) {
        routing = core::Settings();
        core::BackendSettings s;
        s.name = "a";
        s.kind = core::BackendKind::kOpenAi;
        s.models = {"chat"};
        routing.backends.push_back(s);
        backends = {&a};
        build(breaker, retry);
    }

    static core::Headers retry_after(std::string_view seconds) {
        core::Headers h;
        h.add("content-type", "application/json");
        h.add("retry-after", std::string(seconds));
        return h;
    }

    FakeBackend a;
    FakeBackend b;
};

TEST_F(RoutedGatewayTest, FallsBackToTheNextTargetBeforeTheFirstByte) {
    two_targets({5, 30000}, {});
    auto task = handle("POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(a.requests.size(), 1u);
    EXPECT_NE(a.requests[0].body.find(R"("model":"ma")"), std::string::npos) << a.requests[0].body;
    a.observer->on_complete(core::unavailable("connection refused"));
    EXPECT_TRUE(b.requests.empty()) << "the next attempt starts outside the failed one's callback";
    executor.run_posted();
    ASSERT_EQ(b.requests.size(), 1u);
    EXPECT_NE(b.requests[0].body.find(R"("model":"mb")"), std::string::npos);
    EXPECT_EQ(b.decoded_models[0], "") << "a body rewritten for another model is decoded anew";
    b.answer(200, kAnswer);
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.body, kAnswer);
    EXPECT_EQ(writer.sent.headers.get("x-edgeai-backend"), "b");
}

TEST_F(RoutedGatewayTest, RetriesAfterABackoffThatHonoursRetryAfter) {
    router::RetryPolicy retry;
    retry.max_attempts = 3;
    one_target({5, 30000}, retry);
    auto task = handle("POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(a.requests.size(), 1u);
    a.observer->on_head(503, retry_after("2"));
    executor.advance_ms(1999);
    EXPECT_EQ(a.requests.size(), 1u) << "Retry-After: 2 is waited out";
    executor.advance_ms(1);
    ASSERT_EQ(a.requests.size(), 2u);
    a.answer(200, kAnswer);
    EXPECT_EQ(writer.sent.status, 200);
}

TEST_F(RoutedGatewayTest, ARetryAfterLongerThanWeWaitPassesTheAnswerOn) {
    router::RetryPolicy retry;
    retry.max_attempts = 3;
    retry.max_retry_after_ms = 5000;
    one_target({5, 30000}, retry);
    auto task = handle("POST", "/v1/chat/completions", kChat);
    a.observer->on_head(429, retry_after("60"));
    (void)a.observer->on_data(R"({"error":{"message":"slow down","type":"rate_limit"}})");
    a.observer->on_complete(core::Status());
    EXPECT_EQ(writer.sent.status, 429);
    EXPECT_EQ(writer.sent.headers.get("retry-after"), "60");
    EXPECT_EQ(a.requests.size(), 1u);
}

TEST_F(RoutedGatewayTest, NoAttemptStartsAfterTheDeadline) {
    router::RetryPolicy retry;
    retry.max_attempts = 5;
    retry.base_delay_ms = 100;
    retry.deadline_ms = 500;
    one_target({10, 30000}, retry);
    auto task = handle("POST", "/v1/chat/completions", kChat);
    a.observer->on_complete(core::unavailable("connection refused"));
    executor.advance_ms(100);
    ASSERT_EQ(a.requests.size(), 2u);
    clock.advance_ns(int64_t{600} * 1000000);
    a.observer->on_complete(core::unavailable("connection refused"));
    executor.run_posted();
    EXPECT_EQ(a.requests.size(), 2u);
    EXPECT_EQ(writer.sent.status, 502);
    EXPECT_NE(writer.sent.body.find("deadline of 500 ms"), std::string::npos) << writer.sent.body;
}

TEST_F(RoutedGatewayTest, ABreakerOpensHalfOpensAndCloses) {
    router::RetryPolicy once;
    once.max_attempts = 1;
    one_target({2, 1000}, once);
    for (int i = 0; i < 2; ++i) {
        auto task = handle("POST", "/v1/chat/completions", kChat);
        a.observer->on_complete(core::unavailable("connection refused"));
        EXPECT_EQ(writer.sent.status, 502);
    }
    EXPECT_EQ(router->at(0).breaker.state(clock.monotonic_ns()),
              router::CircuitBreaker::State::kOpen);
    auto refused = handle("POST", "/v1/chat/completions", kChat);
    EXPECT_EQ(writer.sent.status, 503) << "open: the backend is not asked";
    EXPECT_EQ(a.requests.size(), 2u);

    clock.advance_ns(int64_t{1000} * 1000000);
    EXPECT_EQ(router->at(0).breaker.state(clock.monotonic_ns()),
              router::CircuitBreaker::State::kHalfOpen);
    auto probe = handle("POST", "/v1/chat/completions", kChat);
    ASSERT_EQ(a.requests.size(), 3u) << "half-open: one probe goes";
    a.answer(200, kAnswer);
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(router->at(0).breaker.state(clock.monotonic_ns()),
              router::CircuitBreaker::State::kClosed);
    auto after = handle("POST", "/v1/chat/completions", kChat);
    EXPECT_EQ(a.requests.size(), 4u);
}

TEST_F(RoutedGatewayTest, AStreamCutAfterItsFirstByteIsNotRetried) {
    two_targets({5, 30000}, {});
    auto task = handle("POST", "/v1/chat/completions", kStreamChat);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    a.observer->on_head(200, h);
    (void)a.observer->on_data("data: {\"a\":1}\n\n");
    a.observer->on_complete(core::data_loss("connection closed"));
    executor.run_posted();
    EXPECT_TRUE(b.requests.empty());
    EXPECT_EQ(writer.stream_status, 200);
    EXPECT_NE(writer.streamed.find("upstream_stream_interrupted"), std::string::npos)
        << writer.streamed;
    EXPECT_TRUE(writer.stream_ended);
}

// Issue 16: an upstream that sends its head and then nothing, or cuts its
// answer, has not answered: the breaker counts it and the request falls back.
TEST_F(RoutedGatewayTest, AStallAfterTheHeadFallsBackAndCountsAgainstTheBreaker) {
    router::RetryPolicy retry;
    retry.max_attempts = 2;
    two_targets({1, 30000}, retry);
    auto task = handle("POST", "/v1/chat/completions", kChat);
    core::Headers h;
    h.add("content-type", "application/json");
    a.observer->on_head(200, h);
    (void)a.observer->on_data("{\"id\":");
    a.observer->on_complete(core::deadline_exceeded("no byte for 30000 ms"));
    executor.run_posted();
    ASSERT_EQ(b.requests.size(), 1u) << "nothing reached the client: b is asked";
    EXPECT_FALSE(writer.was_sent);
    b.answer(200, kAnswer);
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.body, kAnswer);
    EXPECT_EQ(router->at(0).breaker.state(clock.monotonic_ns()),
              router::CircuitBreaker::State::kOpen)
        << "a's stall counted as a failure (threshold 1)";
}

TEST_F(RoutedGatewayTest, AStreamIsCommittedWithItsFirstEventNotItsHead) {
    router::RetryPolicy retry;
    retry.max_attempts = 2;
    two_targets({5, 30000}, retry);
    auto task = handle("POST", "/v1/chat/completions", kStreamChat);
    core::Headers h;
    h.add("content-type", "text/event-stream");
    a.observer->on_head(200, h);
    EXPECT_EQ(writer.stream_status, 0) << "the head alone commits nothing";
    a.observer->on_complete(core::data_loss("connection closed"));
    executor.run_posted();
    ASSERT_EQ(b.requests.size(), 1u);
    b.observer->on_head(200, h);
    (void)b.observer->on_data("data: {\"b\":1}\n\ndata: [DONE]\n\n");
    b.observer->on_complete(core::Status());
    EXPECT_EQ(writer.stream_status, 200);
    EXPECT_EQ(writer.streamed, "data: {\"b\":1}\n\ndata: [DONE]\n\n");
    EXPECT_TRUE(writer.stream_ended);
}

TEST_F(RoutedGatewayTest, AnUnknownModelIs404NamingWhatIsServed) {
    two_targets({5, 30000}, {});
    handle("POST", "/v1/chat/completions",
           R"({"model":"nope","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(writer.sent.status, 404);
    EXPECT_EQ(error_code(), "model_not_found");
    EXPECT_EQ(error_param(), "model");
    EXPECT_NE(writer.sent.body.find("'ma'"), std::string::npos) << writer.sent.body;
}

TEST_F(RoutedGatewayTest, TheModelListHasRoutesAndNamedModelsWithoutAskingAnyone) {
    two_targets({5, 30000}, {});
    EXPECT_EQ(handle("GET", "/v1/models", "", ""), nullptr);
    EXPECT_EQ(writer.sent.status, 200);
    auto doc = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(doc.ok());
    const codec::JsonValue data = doc->root()["data"];
    ASSERT_EQ(data.size(), 3u);
    EXPECT_EQ(data.at(0)["id"].as_string(), "chat");
    EXPECT_EQ(data.at(0)["owned_by"].as_string(), "edgeai-route");
    EXPECT_EQ(data.at(2)["owned_by"].as_string(), "b");
    EXPECT_TRUE(a.requests.empty());
}

TEST_F(RoutedGatewayTest, AGlobBackendAddsItsOwnListAndASilentOneIsLeftOut) {
    two_targets({5, 30000}, {});
    routing.backends[1].models = {"*"};
    build({5, 30000}, {});
    auto task = handle("GET", "/v1/models", "", "");
    ASSERT_EQ(b.requests.size(), 1u);
    EXPECT_EQ(b.requests[0].path, "/models");
    b.answer(200, R"({"object":"list","data":[{"id":"ma","owned_by":"x"},{"id":"mz"}]})");
    auto doc = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(doc.ok()) << writer.sent.body;
    const codec::JsonValue data = doc->root()["data"];
    ASSERT_EQ(data.size(), 3u) << writer.sent.body;
    EXPECT_EQ(data.at(1)["owned_by"].as_string(), "a") << "named once, by who names it";
    EXPECT_EQ(data.at(2)["id"].as_string(), "mz");

    task = handle("GET", "/v1/models", "", "");
    b.observer->on_complete(core::unavailable("connection refused"));
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.body.find("mz"), std::string::npos);
}

} // namespace
} // namespace edgeai::gateway
