#include "security/request_signature.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace edgeai::security {
namespace {

TEST(RequestSignature, HeaderParsesAndRejectsMalformedParts) {
    // The parsed parts are views into the header: it must outlive them.
    const std::string header =
        "key=abcdefghij, ts=1796212800, nonce=n0nce-123, sig=" + std::string(64, 'a');
    auto h = parse_signature_header(header);
    ASSERT_TRUE(h.ok()) << h.status().message();
    EXPECT_EQ(h->key_id, "abcdefghij");
    EXPECT_EQ(h->timestamp_s, 1796212800);
    EXPECT_EQ(h->nonce, "n0nce-123");
    const std::string sig = std::string(64, 'b');
    const std::vector<std::string> bads = {std::string(""),
                                           "key=a, ts=1, nonce=12345678",
                                           "key=a, ts=x, nonce=12345678, sig=" + sig,
                                           "key=a, ts=1, nonce=short, sig=" + sig,
                                           "key=a, ts=1, nonce=12345678, sig=abc",
                                           "key=a, ts=1, nonce=bad nonce!, sig=" + sig,
                                           "key=a, ts=1, nonce=12345678, sig=" + sig + ", extra=1",
                                           "garbage",
                                           "ts=1, nonce=12345678, sig=" + sig};
    for (const std::string& bad : bads) {
        auto r = parse_signature_header(bad);
        EXPECT_FALSE(r.ok()) << bad;
        if (!r.ok()) {
            EXPECT_EQ(r.status().code(), core::StatusCode::kUnauthenticated);
        }
    }
}

TEST(RequestSignature, SameInputsSameSignatureAnyChangeAnother) {
    const std::string key = signing_key_for("eai_abcdefghij_secret");
    ASSERT_EQ(key.size(), 32u);
    const std::string body = R"({"model":"m"})";
    const std::string base = request_signature(
        key, canonical_request("POST", "/v1/chat/completions", 100, "nonce123", body));
    EXPECT_EQ(base, request_signature(key, canonical_request("POST", "/v1/chat/completions", 100,
                                                             "nonce123", body)));
    EXPECT_NE(base, request_signature(key, canonical_request("GET", "/v1/chat/completions", 100,
                                                             "nonce123", body)));
    EXPECT_NE(base, request_signature(
                        key, canonical_request("POST", "/v1/completions", 100, "nonce123", body)));
    EXPECT_NE(base, request_signature(key, canonical_request("POST", "/v1/chat/completions", 101,
                                                             "nonce123", body)));
    EXPECT_NE(base, request_signature(key, canonical_request("POST", "/v1/chat/completions", 100,
                                                             "nonce124", body)));
    EXPECT_NE(base, request_signature(key, canonical_request("POST", "/v1/chat/completions", 100,
                                                             "nonce123", body + " ")));
}

// The worked example of docs/security.md, computed there by the C and the
// JavaScript snippets: the gateway's side must give the same signature.
TEST(RequestSignature, MatchesTheDocumentedExample) {
    const std::string key = "eai_k3f9x2m7qa_7g2xq4v3l6b5nj2c7rfw4yk6ztp3h2mq5d7s4vbn6kx3fy2wa7ec";
    const std::string body =
        R"({"model":"qwen2.5-0.5b","messages":[{"role":"user","content":"temperature?"}]})";
    const std::string canonical =
        canonical_request("POST", "/v1/chat/completions", 1796212800, "b7e1c0de5a1e4f2a", body);
    EXPECT_EQ(canonical, "EDGEAI-HMAC-SHA256\nPOST\n/v1/chat/completions\n1796212800\n"
                         "b7e1c0de5a1e4f2a\n"
                         "55621a79532f2f5983071bf0f697abe39558c7590b5ee6d6be560de718c5cec5");
    EXPECT_EQ(request_signature(signing_key_for(key), canonical),
              "bce358e4457b07f0cbabcacf641e15fdad2a89d9f83820eb0c690e055f4f1993");
}

// Version 2 of the documented example, with Prefer and a priority: computed
// there with Node's crypto, independently of this code.
TEST(RequestSignature, Version2MatchesTheDocumentedExample) {
    const std::string key = "eai_k3f9x2m7qa_7g2xq4v3l6b5nj2c7rfw4yk6ztp3h2mq5d7s4vbn6kx3fy2wa7ec";
    const std::string body =
        R"({"model":"qwen2.5-0.5b","messages":[{"role":"user","content":"temperature?"}]})";
    core::Headers headers;
    headers.add("Content-Type", "application/json");
    headers.add("Prefer", " respond-async ");
    headers.add("X-Edgeai-Priority", "high");
    const std::string canonical = canonical_request_v2("POST", "/v1/chat/completions", 1796212800,
                                                       "b7e1c0de5a1e4f2a", headers, body);
    EXPECT_EQ(canonical, "EDGEAI-HMAC-SHA256-V2\nPOST\n/v1/chat/completions\n1796212800\n"
                         "b7e1c0de5a1e4f2a\nprefer:respond-async\nx-edgeai-callback-url:\n"
                         "x-edgeai-priority:high\nidempotency-key:\ncache-control:\n"
                         "x-edgeai-cache:\n"
                         "55621a79532f2f5983071bf0f697abe39558c7590b5ee6d6be560de718c5cec5");
    EXPECT_EQ(request_signature(signing_key_for(key), canonical),
              "4556108b21550870c77cec9ad5879f7fc5a7aeddf72578c3aebb88144ad79a4a");
}

// Every covered header changes the signature, present or not, and so does a
// second field of the same name; other headers do not.
TEST(RequestSignature, Version2CoversEachSignedHeader) {
    const std::string key = signing_key_for("eai_abcdefghij_secret");
    core::Headers base_headers;
    base_headers.add("content-type", "application/json");
    auto sign = [&](const core::Headers& h) {
        return request_signature(
            key, canonical_request_v2("POST", "/v1/completions", 100, "nonce123", h, "{}"));
    };
    const std::string base = sign(base_headers);
    for (std::string_view name : kSignedHeaders) {
        core::Headers h = base_headers;
        h.add(std::string(name), "x");
        EXPECT_NE(sign(h), base) << name;
        core::Headers twice = h;
        twice.add(std::string(name), "y");
        EXPECT_NE(sign(twice), sign(h)) << name;
        EXPECT_EQ(first_signed_header(h), name);
    }
    core::Headers other = base_headers;
    other.add("x-request-id", "abc");
    EXPECT_EQ(sign(other), base);
    EXPECT_EQ(first_signed_header(other), "");
}

TEST(RequestSignature, VersionPartParses) {
    const std::string sig = std::string(64, 'a');
    auto v2 = parse_signature_header("v=2, key=abcdefghij, ts=1, nonce=12345678, sig=" + sig);
    ASSERT_TRUE(v2.ok());
    EXPECT_EQ(v2->version, 2);
    auto v1 = parse_signature_header("key=abcdefghij, ts=1, nonce=12345678, sig=" + sig);
    ASSERT_TRUE(v1.ok());
    EXPECT_EQ(v1->version, 1);
    EXPECT_FALSE(
        parse_signature_header("v=3, key=abcdefghij, ts=1, nonce=12345678, sig=" + sig).ok());
}

TEST(RequestSignature, SealingRoundTripsPerKeyAndSecret) {
    const std::string raw = signing_key_for("eai_abcdefghij_secret");
    const std::string sealed = seal_signing_key("server-secret", "abcdefghij", raw);
    EXPECT_EQ(sealed.size(), 64u);
    EXPECT_EQ(unseal_signing_key("server-secret", "abcdefghij", sealed), raw);
    EXPECT_NE(unseal_signing_key("other-secret", "abcdefghij", sealed), raw);
    EXPECT_NE(unseal_signing_key("server-secret", "bbcdefghij", sealed), raw);
    EXPECT_EQ(unseal_signing_key("server-secret", "abcdefghij", "zz"), "");
}

TEST(NonceCache, RefusesReplaysUntilExpiryAndWhenFull) {
    NonceCache cache(2);
    EXPECT_EQ(cache.remember("k", "n1", 0, 100), NonceCache::Result::kFresh);
    EXPECT_EQ(cache.remember("k", "n1", 50, 150), NonceCache::Result::kReplayed);
    EXPECT_EQ(cache.remember("other", "n1", 50, 150), NonceCache::Result::kFresh);
    EXPECT_EQ(cache.remember("k", "n2", 60, 160), NonceCache::Result::kFull);
    // n1 of k expires at 100: its slot frees.
    EXPECT_EQ(cache.remember("k", "n2", 100, 200), NonceCache::Result::kFresh);
    EXPECT_EQ(cache.size(), 2u);
}

} // namespace
} // namespace edgeai::security
