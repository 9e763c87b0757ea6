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
