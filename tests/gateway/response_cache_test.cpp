#include "gateway/response_cache.h"

#include "gateway_fakes.h"

#include <gtest/gtest.h>

#include <map>

namespace edgeai::gateway {
namespace {

using namespace testing_fakes;

CachedAnswer answer(std::string body, int64_t at_ms, bool stream = false) {
    CachedAnswer a;
    a.body = std::move(body);
    a.stream = stream;
    a.stored_unix_ms = at_ms;
    return a;
}

TEST(CacheKey, SameRequestSameKeyWhateverTheOrderAndSpelling) {
    auto a =
        cache_key("chat", false,
                  R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]})");
    auto b = cache_key(
        "chat", false,
        R"({ "messages":[{"content":"hi","role":"user"}], "temperature":0.0, "model":"m", "user":"u1", "stream":false })");
    ASSERT_TRUE(a && b);
    EXPECT_EQ(*a, *b);
}

TEST(CacheKey, AnythingThatChangesTheAnswerChangesTheKey) {
    const std::string base =
        R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
    auto k = *cache_key("chat", false, base);
    EXPECT_NE(k, *cache_key("chat", true, base));
    EXPECT_NE(k, *cache_key("completions", false, base));
    EXPECT_NE(k,
              *cache_key(
                  "chat", false,
                  R"({"model":"m2","temperature":0,"messages":[{"role":"user","content":"hi"}]})"));
    EXPECT_NE(
        k,
        *cache_key("chat", false,
                   R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"ho"}]})"));
    EXPECT_NE(
        k,
        *cache_key(
            "chat", false,
            R"({"model":"m","temperature":0,"max_tokens":5,"messages":[{"role":"user","content":"hi"}]})"));
    EXPECT_FALSE(cache_key("chat", false, "not json"));
    EXPECT_FALSE(cache_key("chat", false, "[1,2]"));
}

TEST(ResponseCache, FindsWhatWasInsertedUntilItsTimeToLive) {
    core::ManualClock clock;
    ResponseCache cache(1 << 20, 1000, clock);
    cache.insert("k", answer("body", clock.unix_ms()));
    ASSERT_NE(cache.find("k"), nullptr);
    EXPECT_EQ(cache.find("k")->body, "body");
    EXPECT_EQ(cache.find("other"), nullptr);
    clock.advance_ns(999'000'000);
    EXPECT_NE(cache.find("k"), nullptr);
    clock.advance_ns(1'000'000);
    EXPECT_EQ(cache.find("k"), nullptr);
    EXPECT_EQ(cache.entries(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
}

TEST(ResponseCache, StaysWithinItsBytesLeastRecentlyUsedOutFirst) {
    core::ManualClock clock;
    ResponseCache cache(8000, 1'000'000, clock);
    const std::string body(400, 'x');
    for (int i = 0; i < 100; ++i) {
        cache.insert("k" + std::to_string(i), answer(body, clock.unix_ms()));
        if (i >= 1) {
            ASSERT_NE(cache.find("k0"), nullptr) << i; // kept in use
        }
        EXPECT_LE(cache.bytes(), 8000u);
    }
    EXPECT_NE(cache.find("k0"), nullptr);
    EXPECT_NE(cache.find("k99"), nullptr);
    EXPECT_EQ(cache.find("k1"), nullptr);
    EXPECT_LT(cache.entries(), 20u);
    // One answer larger than an eighth of the budget is not kept at all.
    cache.insert("huge", answer(std::string(2000, 'y'), clock.unix_ms()));
    EXPECT_EQ(cache.find("huge"), nullptr);
    EXPECT_NE(cache.find("k99"), nullptr);
}

TEST(ResponseCache, ReplacingAKeyKeepsOneEntry) {
    core::ManualClock clock;
    ResponseCache cache(1 << 20, 1'000'000, clock);
    cache.insert("k", answer("one", clock.unix_ms()));
    size_t bytes = cache.bytes();
    cache.insert("k", answer("two", clock.unix_ms()));
    EXPECT_EQ(cache.entries(), 1u);
    EXPECT_EQ(cache.bytes(), bytes);
    EXPECT_EQ(cache.find("k")->body, "two");
}

struct MapStore : ResponseCacheStore {
    std::map<std::string, CachedAnswer, std::less<>> stored;
    void put(std::string_view key, const CachedAnswer& a) override { stored[std::string(key)] = a; }
    void erase(std::string_view key) override { stored.erase(std::string(key)); }
    void load(const std::function<void(std::string, CachedAnswer)>& each) override {
        for (auto& [k, a] : stored)
            each(k, a);
    }
};

TEST(ResponseCache, AStoreKeepsEntriesAcrossInstancesAndForgetsExpiredOnes) {
    core::ManualClock clock;
    MapStore store;
    {
        ResponseCache cache(1 << 20, 10'000, clock, &store);
        cache.insert("old", answer("o", clock.unix_ms()));
        clock.advance_ns(6'000'000'000);
        cache.insert("new", answer("n", clock.unix_ms()));
    }
    EXPECT_EQ(store.stored.size(), 2u);
    clock.advance_ns(5'000'000'000);
    ResponseCache again(1 << 20, 10'000, clock, &store);
    again.load_from_store();
    EXPECT_EQ(again.find("old"), nullptr);
    ASSERT_NE(again.find("new"), nullptr);
    EXPECT_EQ(again.find("new")->body, "n");
    EXPECT_EQ(store.stored.count("old"), 0u) << "expired entries leave the store";
}

// The cache in the request path, with a backend played by hand.
class GatewayCacheTest : public GatewayTest {
  protected:
    GatewayCacheTest() : memory(1 << 20, 60'000, clock) {
        cache = &memory;
        make_gateway(true);
    }
    ResponseCache memory;

    void answer_json(const std::string& body) {
        core::Headers h;
        h.add("content-type", "application/json");
        backend.observer->on_head(200, h);
        backend.observer->on_data(body);
        backend.observer->on_complete(core::Status());
    }
};

constexpr const char* kGreedy =
    R"({"model":"m","temperature":0,"messages":[{"role":"user","content":"hi"}]})";
constexpr const char* kStreamed =
    R"({"model":"m","messages":[{"role":"user","content":"hi"}],"stream":true})";
constexpr const char* kSampled = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
constexpr const char* kAnswer =
    R"({"id":"c1","object":"chat.completion","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}})";

TEST_F(GatewayCacheTest, AGreedyRequestIsAnsweredOnceThenFromTheCache) {
    auto task = handle("POST", "/v1/chat/completions", kGreedy);
    ASSERT_NE(task, nullptr);
    answer_json(kAnswer);
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.headers.get("x-edgeai-cache"), "miss");
    task.reset();
    writer = FakeWriter();

    EXPECT_EQ(handle("POST", "/v1/chat/completions", kGreedy), nullptr);
    EXPECT_EQ(backend.requests.size(), 1u) << "the backend was not asked again";
    EXPECT_EQ(writer.sent.status, 200);
    EXPECT_EQ(writer.sent.body, kAnswer);
    EXPECT_EQ(writer.sent.headers.get("x-edgeai-cache"), "hit");
    EXPECT_EQ(writer.sent.headers.get("x-edgeai-backend"), "cache");
    EXPECT_NE(metrics->render().find("edgeai_cache_requests_total{result=\"hit\"} 1"),
              std::string::npos);
}

TEST_F(GatewayCacheTest, SampledRequestsAreNotCachedUnlessTheyAsk) {
    auto task = handle("POST", "/v1/chat/completions", kSampled);
    answer_json(kAnswer);
    EXPECT_FALSE(writer.sent.headers.has("x-edgeai-cache"));
    task = handle("POST", "/v1/chat/completions", kSampled);
    EXPECT_EQ(backend.requests.size(), 2u);
    answer_json(kAnswer);

    extra_headers = {{"x-edgeai-cache", "use"}};
    task = handle("POST", "/v1/chat/completions", kSampled);
    answer_json(kAnswer);
    task = handle("POST", "/v1/chat/completions", kSampled);
    EXPECT_EQ(task, nullptr);
    EXPECT_EQ(backend.requests.size(), 3u);

    extra_headers = {{"x-edgeai-cache", "skip"}};
    task = handle("POST", "/v1/chat/completions", kSampled);
    EXPECT_NE(task, nullptr);
    EXPECT_EQ(backend.requests.size(), 4u);
}

TEST_F(GatewayCacheTest, ErrorsAndBrokenStreamsAreNotKept) {
    auto task = handle("POST", "/v1/chat/completions", kGreedy);
    core::Headers h;
    h.add("content-type", "application/json");
    backend.observer->on_head(400, h);
    backend.observer->on_data(R"({"error":{"message":"no","type":"invalid_request_error"}})");
    backend.observer->on_complete(core::Status());
    EXPECT_EQ(writer.sent.status, 400);
    task = handle("POST", "/v1/chat/completions", kGreedy);
    EXPECT_NE(task, nullptr) << "a 400 is not replayed";

    const std::string stream =
        R"({"model":"m","temperature":0,"stream":true,"messages":[{"role":"user","content":"hi"}]})";
    task = handle("POST", "/v1/chat/completions", stream);
    core::Headers sse;
    sse.add("content-type", "text/event-stream");
    backend.observer->on_head(200, sse);
    backend.observer->on_data("data: {\"choices\":[]}\n\n");
    backend.observer->on_complete(core::Status(core::StatusCode::kDataLoss, "cut"));
    EXPECT_TRUE(writer.stream_ended);
    const size_t asked = backend.requests.size();
    task = handle("POST", "/v1/chat/completions", stream);
    EXPECT_EQ(backend.requests.size(), asked + 1) << "a cut stream is not replayed";
}

TEST_F(GatewayCacheTest, AStreamIsReplayedAsTheSameStream) {
    const std::string stream =
        R"({"model":"m","seed":4,"stream":true,"messages":[{"role":"user","content":"hi"}]})";
    const std::string events = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                               "data: [DONE]\n\n";
    auto task = handle("POST", "/v1/chat/completions", stream);
    core::Headers sse;
    sse.add("content-type", "text/event-stream");
    backend.observer->on_head(200, sse);
    backend.observer->on_data(events);
    backend.observer->on_complete(core::Status());
    task.reset();
    writer = FakeWriter();
    EXPECT_EQ(handle("POST", "/v1/chat/completions", stream), nullptr);
    EXPECT_EQ(writer.stream_status, 200);
    EXPECT_EQ(writer.streamed, events);
    EXPECT_TRUE(writer.stream_ended);
    EXPECT_EQ(writer.stream_headers.get("x-edgeai-cache"), "hit");
    // The plain request is another entry.
    EXPECT_NE(handle("POST", "/v1/chat/completions",
                     R"({"model":"m","seed":4,"messages":[{"role":"user","content":"hi"}]})"),
              nullptr);
}

struct RecordingUsage : router::UsageStore {
    std::vector<router::UsageRecord> records;
    void record(router::UsageRecord r) override { records.push_back(std::move(r)); }
    core::Result<std::vector<router::UsageRow>> summarize(const router::UsageQuery&) override {
        router::UsageRow row;
        row.group = "m";
        row.requests = static_cast<int64_t>(records.size());
        return std::vector<router::UsageRow>{row};
    }
};

class GatewayUsageTest : public GatewayTest {
  protected:
    GatewayUsageTest() {
        usage = &recorded;
        make_gateway(true);
    }
    RecordingUsage recorded;
};

TEST_F(GatewayUsageTest, EachApiRequestIsRecordedWithTheBackendsTokens) {
    auto task = handle("POST", "/v1/chat/completions", kSampled);
    core::Headers h;
    h.add("content-type", "application/json");
    backend.observer->on_head(200, h);
    backend.observer->on_data(kAnswer);
    backend.observer->on_complete(core::Status());
    ASSERT_EQ(recorded.records.size(), 1u);
    const router::UsageRecord& r = recorded.records[0];
    EXPECT_EQ(r.endpoint, "chat_completions");
    EXPECT_EQ(r.backend, "upstream"); // the configured name, as in /v1/usage
    EXPECT_EQ(r.model, "m");
    EXPECT_EQ(r.prompt_tokens, 3);
    EXPECT_EQ(r.completion_tokens, 4);
    EXPECT_FALSE(r.estimated);
    EXPECT_EQ(r.status, 200);

    handle("GET", "/healthz");
    EXPECT_EQ(recorded.records.size(), 1u) << "only API calls are accounted";
}

TEST_F(GatewayUsageTest, AStreamWithoutUsageIsEstimatedAndMarkedSo) {
    auto task = handle("POST", "/v1/chat/completions", kStreamed);
    core::Headers sse;
    sse.add("content-type", "text/event-stream");
    backend.observer->on_head(200, sse);
    backend.observer->on_data(std::string("data: {\"choices\":[{\"delta\":{\"content\":\"") +
                              std::string(400, 'a') + "\"}}]}\n\ndata: [DONE]\n\n");
    backend.observer->on_complete(core::Status());
    ASSERT_EQ(recorded.records.size(), 1u);
    EXPECT_TRUE(recorded.records[0].estimated);
    EXPECT_GT(recorded.records[0].completion_tokens, 100);
    EXPECT_GT(recorded.records[0].prompt_tokens, 5);
}

TEST_F(GatewayUsageTest, StreamedUsageIsReadFromTheUsageChunk) {
    auto task = handle("POST", "/v1/chat/completions", kStreamed);
    core::Headers sse;
    sse.add("content-type", "text/event-stream");
    backend.observer->on_head(200, sse);
    backend.observer->on_data(
        "data: {\"choices\":[{\"delta\":{\"content\":\"x\"}}],\"usage\":null}\n\n"
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,"
        "\"completion_tokens\":2}}\n\ndata: [DONE]\n\n");
    backend.observer->on_complete(core::Status());
    ASSERT_EQ(recorded.records.size(), 1u);
    EXPECT_FALSE(recorded.records[0].estimated);
    EXPECT_EQ(recorded.records[0].prompt_tokens, 11);
    EXPECT_EQ(recorded.records[0].completion_tokens, 2);
}

TEST_F(GatewayUsageTest, UsageSummaryAndItsQueryErrors) {
    EXPECT_EQ(handle("GET", "/v1/usage?by=model&since=24h"), nullptr);
    EXPECT_EQ(writer.sent.status, 200);
    auto doc = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(doc.ok()) << writer.sent.body;
    EXPECT_EQ(doc->root()["object"].as_string(), "usage.summary");
    handle("GET", "/v1/usage?by=colour");
    EXPECT_EQ(writer.sent.status, 400);
    EXPECT_EQ(error_param(), "by");
    handle("GET", "/v1/usage?since=soon");
    EXPECT_EQ(writer.sent.status, 400);
    EXPECT_EQ(error_param(), "since");
}

TEST_F(GatewayTest, MessagesAreServedAsChatAndAnsweredInAnthropicShape) {
    auto task = handle(
        "POST", "/v1/messages",
        R"({"model":"m","max_tokens":8,"system":"s","messages":[{"role":"user","content":"hi"}]})");
    ASSERT_NE(task, nullptr);
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(backend.requests[0].path, "/chat/completions");
    auto sent = codec::JsonDocument::parse(backend.requests[0].body);
    ASSERT_TRUE(sent.ok());
    EXPECT_EQ(sent->root()["messages"].at(0)["role"].as_string(), "system");
    core::Headers h;
    h.add("content-type", "application/json");
    backend.observer->on_head(200, h);
    backend.observer->on_data(
        R"({"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}})");
    backend.observer->on_complete(core::Status());
    EXPECT_EQ(writer.sent.status, 200);
    auto doc = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(doc.ok()) << writer.sent.body;
    EXPECT_EQ(doc->root()["type"].as_string(), "message");
    EXPECT_EQ(doc->root()["content"].at(0)["text"].as_string(), "hello");
    EXPECT_EQ(doc->root()["stop_reason"].as_string(), "end_turn");

    // The gateway's own errors on this endpoint are Anthropic's shape too.
    handle("POST", "/v1/messages", R"({"model":"m","messages":[]})");
    EXPECT_EQ(writer.sent.status, 400);
    auto err = codec::JsonDocument::parse(writer.sent.body);
    ASSERT_TRUE(err.ok());
    EXPECT_EQ(err->root()["type"].as_string(), "error");
    EXPECT_EQ(err->root()["error"]["type"].as_string(), "invalid_request_error");
}

} // namespace
} // namespace edgeai::gateway
