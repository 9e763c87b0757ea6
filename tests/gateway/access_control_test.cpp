// AccessControl on its own, with keys in memory and a hand-set clock: which
// routes are open, loopback-only without keys, who a presented key is, and
// signatures against the skew window and replays.
#include "gateway/access_control.h"

#include "core/clock.h"
#include "security/key_admin.h"
#include "security/memory_key_store.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::gateway {
namespace {

using security::MemoryKeyStore;

class AccessControlTest : public ::testing::Test {
  protected:
    AccessControlTest() {
        clock.set_unix_ms(1796212800000);
        options.settings = &settings;
        options.store = &store;
        options.server_secret = "server-secret-for-tests-0123456789";
        options.clock = &clock;
    }
    std::string make_key(const char* name, uint32_t scopes, bool signing = false, char seed = 1) {
        security::KeySpec spec;
        spec.name = name;
        spec.scopes = scopes;
        spec.signing = signing;
        std::string random(security::kKeyRandomBytes, seed);
        auto made =
            security::create_key(store, spec, random, options.server_secret, clock.unix_ms());
        EXPECT_TRUE(made.ok()) << made.status().message();
        return made.ok() ? made->key : std::string();
    }
    core::HttpRequest request(std::string key = "", std::string peer = "10.0.0.9:4000") {
        core::HttpRequest r;
        r.method = "POST";
        r.target = "/v1/chat/completions";
        r.peer = std::move(peer);
        r.body = R"({"model":"m"})";
        if (!key.empty()) r.headers.add("authorization", "Bearer " + key);
        return r;
    }

    core::AuthSettings settings;
    MemoryKeyStore store;
    core::ManualClock clock;
    AccessControl::Options options;
};

TEST_F(AccessControlTest, WithoutKeysOnlyLoopbackIsServed) {
    AccessControl access(options);
    ASSERT_TRUE(access.refresh().ok());
    EXPECT_FALSE(access.enforced());
    Caller caller;
    EXPECT_TRUE(access
                    .authenticate(request("", "127.0.0.1:5"), api::Endpoint::kChatCompletions,
                                  security::kScopeChat, false, caller)
                    .ok());
    EXPECT_TRUE(access
                    .authenticate(request("", "::1:5"), api::Endpoint::kChatCompletions,
                                  security::kScopeChat, false, caller)
                    .ok());
    auto remote = access.authenticate(request(), api::Endpoint::kChatCompletions,
                                      security::kScopeChat, false, caller);
    ASSERT_FALSE(remote.ok());
    EXPECT_EQ(api::api_error_from_status(remote).http_status, 403);
    EXPECT_EQ(remote.error_code(), "auth_not_configured");
    options.insecure_no_auth = true;
    AccessControl open(options);
    EXPECT_TRUE(open.authenticate(request(), api::Endpoint::kChatCompletions, security::kScopeChat,
                                  false, caller)
                    .ok());
}

TEST_F(AccessControlTest, OpenRoutesNeedNoKeyAndKeysAreCheckedAgainstScopes) {
    const std::string chat = make_key("chat", security::kScopeChat);
    AccessControl access(options);
    ASSERT_TRUE(access.refresh().ok());
    EXPECT_TRUE(access.enforced());
    Caller caller;
    EXPECT_TRUE(access.authenticate(request(), api::Endpoint::kHealthz, 0, false, caller).ok());
    EXPECT_TRUE(access
                    .authenticate(request(chat), api::Endpoint::kChatCompletions,
                                  security::kScopeChat, false, caller)
                    .ok());
    ASSERT_NE(caller.key, nullptr);
    EXPECT_EQ(caller.key->name, "chat");
    Caller other;
    core::Status e = access.authenticate(request(chat), api::Endpoint::kEmbeddings,
                                         security::kScopeEmbeddings, false, other);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(api::api_error_from_status(e).http_status, 403);
    // Prefer: respond-async needs the jobs scope too.
    e = access.authenticate(request(chat), api::Endpoint::kChatCompletions, security::kScopeChat,
                            true, other);
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.message().find("'jobs'"), std::string::npos);
    e = access.authenticate(request(chat + "x"), api::Endpoint::kChatCompletions,
                            security::kScopeChat, false, other);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(api::api_error_from_status(e).http_status, 401);
    EXPECT_EQ(e.error_code(), "invalid_api_key");
}

TEST_F(AccessControlTest, AKeyMadeElsewhereAppliesAfterRefresh) {
    AccessControl access(options);
    ASSERT_TRUE(access.refresh().ok());
    const std::string later = make_key("later", security::kScopeChat, false, 7);
    Caller caller;
    EXPECT_TRUE(access
                    .authenticate(request(later, "127.0.0.1:1"), api::Endpoint::kChatCompletions,
                                  security::kScopeChat, false, caller)
                    .ok())
        << "before the refresh there were no keys: loopback is let in";
    EXPECT_EQ(caller.key, nullptr);
    ASSERT_TRUE(access.refresh().ok());
    EXPECT_TRUE(access
                    .authenticate(request(later), api::Endpoint::kChatCompletions,
                                  security::kScopeChat, false, caller)
                    .ok());
    ASSERT_NE(caller.key, nullptr);
    EXPECT_EQ(caller.key->name, "later");
}

TEST_F(AccessControlTest, SignaturesHonourTheSkewWindowAndRefuseReplays) {
    const std::string key = make_key("sensor", security::kScopeChat, true);
    AccessControl access(options);
    ASSERT_TRUE(access.refresh().ok());
    auto signed_request = [&](int64_t ts, const std::string& nonce) {
        core::HttpRequest r = request();
        const std::string sig = security::request_signature(
            security::signing_key_for(key),
            security::canonical_request(r.method, r.target, ts, nonce, r.body));
        r.headers.add("x-edgeai-signature", "key=" + std::string(*security::presented_key_id(key)) +
                                                ", ts=" + std::to_string(ts) + ", nonce=" + nonce +
                                                ", sig=" + sig);
        return r;
    };
    const int64_t started_s = clock.unix_ms() / 1000;
    clock.set_unix_ms(clock.unix_ms() + 250000); // the server has run for 250 s
    const int64_t now_s = clock.unix_ms() / 1000;
    Caller caller;
    // Inside the skew window but signed before this process started: the
    // nonce cache then could not know it (a replay across a restart).
    auto before_start =
        access.authenticate(signed_request(started_s - 10, "nonce-0000"),
                            api::Endpoint::kChatCompletions, security::kScopeChat, false, caller);
    ASSERT_FALSE(before_start.ok());
    EXPECT_NE(before_start.message().find("before this server started"), std::string::npos);
    EXPECT_TRUE(access
                    .authenticate(signed_request(now_s - 200, "nonce-0001"),
                                  api::Endpoint::kChatCompletions, security::kScopeChat, false,
                                  caller)
                    .ok());
    ASSERT_NE(caller.key, nullptr);
    auto replay =
        access.authenticate(signed_request(now_s - 200, "nonce-0001"),
                            api::Endpoint::kChatCompletions, security::kScopeChat, false, caller);
    ASSERT_FALSE(replay.ok());
    EXPECT_NE(replay.message().find("already received"), std::string::npos);
    auto stale =
        access.authenticate(signed_request(now_s - 301, "nonce-0002"),
                            api::Endpoint::kChatCompletions, security::kScopeChat, false, caller);
    ASSERT_FALSE(stale.ok());
    EXPECT_NE(stale.message().find("clock"), std::string::npos);
    auto future =
        access.authenticate(signed_request(now_s + 301, "nonce-0003"),
                            api::Endpoint::kChatCompletions, security::kScopeChat, false, caller);
    ASSERT_FALSE(future.ok());
    // Another server's secret cannot unseal the signing key.
    options.server_secret = "another-server-secret-0123456789";
    AccessControl other(options);
    ASSERT_TRUE(other.refresh().ok());
    EXPECT_FALSE(other
                     .authenticate(signed_request(now_s, "nonce-0004"),
                                   api::Endpoint::kChatCompletions, security::kScopeChat, false,
                                   caller)
                     .ok());
}

// Shared counters that answer when told to, as Redis does later on the loop.
class FakeSharedCounters final : public security::SharedCounters {
  public:
    void admit(const security::SharedAsk& ask, security::SharedAnswerFn done) override {
        asks.push_back(ask);
        waiting.push_back(std::move(done));
    }
    void settle(const security::SharedAsk& ask, const std::string& lease, int64_t used_tokens,
                double) override {
        settled.push_back({ask.key_id, lease, used_tokens});
    }
    bool available() const override { return up; }
    std::string state() const override { return up ? "up" : "down"; }
    void answer(security::SharedAnswer a) {
        security::SharedAnswerFn done = std::move(waiting.front());
        waiting.erase(waiting.begin());
        done(std::move(a));
    }

    struct Settled {
        std::string key_id;
        std::string lease;
        int64_t used_tokens;
    };
    bool up = true;
    std::vector<security::SharedAsk> asks;
    std::vector<security::SharedAnswerFn> waiting;
    std::vector<Settled> settled;
};

class SharedLimitsTest : public AccessControlTest {
  protected:
    SharedLimitsTest() {
        options.shared = &counters;
        options.limits = &limits;
    }
    // A key limited to `rpm` requests per minute and 2 at once, authenticated.
    Caller limited_caller(AccessControl& access, int64_t rpm) {
        security::KeySpec spec;
        spec.name = "kiosk";
        spec.scopes = security::kScopeChat;
        spec.limits = {rpm, 0, 2};
        std::string random(security::kKeyRandomBytes, 7);
        auto made = security::create_key(store, spec, random, options.server_secret, 0);
        EXPECT_TRUE(made.ok());
        EXPECT_TRUE(access.refresh().ok());
        Caller caller;
        EXPECT_TRUE(access
                        .authenticate(request(made->key), api::Endpoint::kChatCompletions,
                                      security::kScopeChat, false, caller)
                        .ok());
        return caller;
    }

    FakeSharedCounters counters;
    core::LimitsSettings limits;
};

TEST_F(SharedLimitsTest, RedisDecidesAndTheLeaseIsGivenBackAtTheEnd) {
    AccessControl access(options);
    Caller caller = limited_caller(access, 10);
    ASSERT_TRUE(access.wants_shared(caller));
    core::Status result = core::internal_error("not answered");
    SharedGrant granted;
    access.admit_shared(caller.key, 40, false, [&](core::Status refused, SharedGrant grant) {
        result = std::move(refused);
        granted = std::move(grant);
    });
    ASSERT_EQ(counters.asks.size(), 1u);
    EXPECT_EQ(counters.asks[0].concurrent_requests, 2);
    EXPECT_EQ(counters.asks[0].estimated_tokens, 40);
    security::SharedAnswer yes;
    yes.answered = true;
    yes.remaining_requests = 9;
    yes.lease = "replica-1";
    counters.answer(yes);
    ASSERT_TRUE(result.ok());
    access.accept(caller, std::move(granted));
    EXPECT_EQ(caller.rate.remaining_requests, 9);
    access.finish(caller, 55, 0);
    ASSERT_EQ(counters.settled.size(), 1u);
    EXPECT_EQ(counters.settled[0].lease, "replica-1");
    EXPECT_EQ(counters.settled[0].used_tokens, 55);
    access.finish(caller, 55, 0); // once only
    EXPECT_EQ(counters.settled.size(), 1u);
}

TEST_F(SharedLimitsTest, ARefusalFromRedisIs429WithRetryAfter) {
    AccessControl access(options);
    Caller caller = limited_caller(access, 10);
    core::Status result;
    access.admit_shared(caller.key, 0, false,
                        [&](core::Status refused, SharedGrant) { result = std::move(refused); });
    security::SharedAnswer no;
    no.answered = true;
    no.refusal = security::SharedRefusal::kRequests;
    no.retry_after_ms = 5500;
    counters.answer(no);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(api::api_error_from_status(result).http_status, 429);
    EXPECT_EQ(result.error_code(), "rate_limit_exceeded");
    EXPECT_EQ(result.retry_after_s(), 6);
}

TEST_F(SharedLimitsTest, FailModeLocalKeepsThisReplicasShare) {
    limits.fail_mode = core::LimitsFailMode::kLocal;
    limits.replicas = 3;
    counters.up = false;
    AccessControl access(options);
    Caller caller = limited_caller(access, 6); // 2 per replica
    EXPECT_FALSE(access.wants_shared(caller));
    EXPECT_TRUE(access.admit_request(caller).ok());
    EXPECT_TRUE(access.admit_request(caller).ok());
    core::Status third = access.admit_request(caller);
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.error_code(), "rate_limit_exceeded");
    EXPECT_TRUE(counters.asks.empty());
}

TEST_F(SharedLimitsTest, FailModeClosedRefusesWith503AndOpenServes) {
    limits.fail_mode = core::LimitsFailMode::kClosed;
    AccessControl closed(options);
    Caller caller = limited_caller(closed, 6);
    // Redis did not answer in time: the same as being down.
    core::Status result;
    closed.admit_shared(caller.key, 0, false,
                        [&](core::Status refused, SharedGrant) { result = std::move(refused); });
    security::SharedAnswer timeout;
    timeout.error = "redis: no answer within 50 ms";
    counters.answer(timeout);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(api::api_error_from_status(result).http_status, 503);
    EXPECT_EQ(result.error_code(), "limits_unavailable");
    EXPECT_NE(result.message().find("no answer within 50 ms"), std::string::npos);
    counters.up = false;
    EXPECT_TRUE(closed.shared_refuses_when_down());
    EXPECT_EQ(closed.admit(caller, 10).error_code(), "limits_unavailable");

    limits.fail_mode = core::LimitsFailMode::kOpen;
    AccessControl open(options);
    ASSERT_TRUE(open.refresh().ok());
    for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(open.admit(caller, 10).ok());
    }
    EXPECT_FALSE(open.shared_refuses_when_down());
}

TEST_F(SharedLimitsTest, AGrantWhoseRequestLeftIsReleased) {
    AccessControl access(options);
    Caller caller = limited_caller(access, 10);
    access.admit_shared(caller.key, 0, false, [&](core::Status, SharedGrant grant) {
        access.release(caller.key, grant);
    });
    security::SharedAnswer yes;
    yes.answered = true;
    yes.lease = "replica-9";
    counters.answer(yes);
    ASSERT_EQ(counters.settled.size(), 1u);
    EXPECT_EQ(counters.settled[0].lease, "replica-9");
    EXPECT_EQ(counters.settled[0].used_tokens, 0);
}

TEST(AccessControlRules, LoopbackPeersAreRecognised) {
    EXPECT_TRUE(is_loopback_peer("127.0.0.1:80"));
    EXPECT_TRUE(is_loopback_peer("::ffff:127.0.0.1:80"));
    EXPECT_TRUE(is_loopback_peer("::1:80"));
    EXPECT_FALSE(is_loopback_peer("10.0.0.1:80"));
    EXPECT_FALSE(is_loopback_peer("1270.0.0.1:80"));
}

TEST(AccessControlRules, AModelListShowsOnlyWhatTheKeyAllows) {
    const std::string list =
        R"({"object":"list","data":[{"id":"qwen-small","object":"model","owned_by":"x"},)"
        R"({"id":"gpt-4o","object":"model","owned_by":"y"},{"id":"qwen-big"}],"more":true})";
    Caller anyone;
    EXPECT_FALSE(models_visible_to(anyone, list)) << "no key: nothing to take out";
    auto key = std::make_shared<security::ApiKey>();
    Caller caller;
    caller.key = key;
    EXPECT_FALSE(models_visible_to(caller, list)) << "a key for any model";
    key->models = {"qwen*"};
    auto visible = models_visible_to(caller, list);
    ASSERT_TRUE(visible);
    EXPECT_EQ(*visible, R"({"object":"list","data":[{"id":"qwen-small","object":"model",)"
                        R"("owned_by":"x"},{"id":"qwen-big"}],"more":true})");
    EXPECT_FALSE(models_visible_to(caller, "not json"));
    EXPECT_FALSE(models_visible_to(caller, R"({"data":{"id":"qwen"}})"));
    key->models = {"llama*"};
    EXPECT_EQ(models_visible_to(caller, list).value_or(""),
              R"({"object":"list","data":[],"more":true})");
}

} // namespace
} // namespace edgeai::gateway
