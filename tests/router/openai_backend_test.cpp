#include "router/openai_backend.h"

#include <gtest/gtest.h>

namespace edgeai::router {
namespace {

struct NoClient : core::HttpClient {
    core::Result<std::unique_ptr<core::HttpCall>> start(core::HttpClientRequest,
                                                        core::HttpResponseObserver*) override {
        return core::unavailable("unused");
    }
};

TEST(OpenAiBackend, AddsTheUpstreamKeyAndNeverTheClients) {
    NoClient client;
    OpenAiBackend backend(client, {"up", "http://h/v1/", "sk-up", 1, 2, 3, "edgeai/test"});
    core::Headers client_headers;
    client_headers.add("authorization", "Bearer client-key");
    client_headers.add("openai-organization", "org-1");
    BackendRequest r;
    r.path = "/chat/completions";
    r.body = "{}";
    r.stream = true;
    r.request_id = "req_1";
    r.client_headers = &client_headers;
    core::HttpClientRequest out = backend.build_request(r);
    EXPECT_EQ(out.url, "http://h/v1/chat/completions");
    EXPECT_EQ(out.body, "{}");
    EXPECT_EQ(out.headers.get("content-type"), "application/json");
    EXPECT_EQ(out.headers.get("authorization"), "Bearer sk-up");
    EXPECT_EQ(out.headers.get("accept"), "text/event-stream");
    EXPECT_EQ(out.headers.get("openai-organization"), "org-1");
    EXPECT_EQ(out.headers.get("x-request-id"), "req_1");
    EXPECT_EQ(out.connect_timeout_ms, 1);
    EXPECT_EQ(out.first_byte_timeout_ms, 2);
    EXPECT_EQ(out.idle_timeout_ms, 3);
}

} // namespace
} // namespace edgeai::router
