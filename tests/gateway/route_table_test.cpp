#include "gateway/route_table.h"

#include "security/api_key.h"

#include <gtest/gtest.h>

namespace edgeai::gateway {
namespace {

using api::Endpoint;

Endpoint endpoint_of(std::string_view method, std::string_view path) {
    const RouteMatch m = match_route(method, path);
    return m.route != nullptr ? m.route->endpoint : Endpoint::kNone;
}

TEST(RouteTable, KnownPathsWithTheirMethod) {
    EXPECT_EQ(endpoint_of("POST", "/v1/chat/completions"), Endpoint::kChatCompletions);
    EXPECT_TRUE(match_route("POST", "/v1/chat/completions/").method_allowed);
    EXPECT_TRUE(match_route("GET", "/healthz").method_allowed);
    EXPECT_TRUE(match_route("HEAD", "/healthz").method_allowed);
    EXPECT_TRUE(match_route("OPTIONS", "/v1/embeddings").method_allowed);
}

TEST(RouteTable, WrongMethodOnAKnownPathIsNotAllowedWithAllowList) {
    const RouteMatch m = match_route("GET", "/v1/chat/completions");
    ASSERT_NE(m.route, nullptr);
    EXPECT_EQ(m.route->endpoint, Endpoint::kChatCompletions);
    EXPECT_FALSE(m.method_allowed);
    EXPECT_EQ(allowed_methods(*m.route), "POST, OPTIONS");
    EXPECT_FALSE(match_route("DELETE", "/v1/models").method_allowed);
    EXPECT_EQ(allowed_methods(*match_route("PUT", "/v1/jobs/job_1").route),
              "GET, HEAD, DELETE, OPTIONS");
    EXPECT_EQ(allowed_methods(*match_route("PUT", "/v1/batches").route),
              "GET, HEAD, POST, OPTIONS");
}

TEST(RouteTable, EachMethodOfAPathHasItsOwnLine) {
    const RouteMatch get = match_route("GET", "/v1/jobs/job_1");
    const RouteMatch del = match_route("DELETE", "/v1/jobs/job_1");
    ASSERT_TRUE(get.method_allowed && del.method_allowed);
    EXPECT_NE(get.route->handler, del.route->handler);
    EXPECT_EQ(get.id, "job_1");
    EXPECT_EQ(del.route->endpoint, Endpoint::kJob);
}

TEST(RouteTable, UnknownPathsMatchNothing) {
    EXPECT_EQ(endpoint_of("GET", "/v2/models"), Endpoint::kNone);
    EXPECT_EQ(endpoint_of("GET", "/v1/models/"), Endpoint::kModels);
    EXPECT_EQ(endpoint_of("POST", "/v1/chat"), Endpoint::kNone);
    EXPECT_EQ(endpoint_of("GET", "/v1/files/a/b"), Endpoint::kNone);
    EXPECT_EQ(endpoint_of("GET", "/v1/jobs/"), Endpoint::kJobs);
    EXPECT_EQ(endpoint_of("GET", "/v1/models/x/"), Endpoint::kModel);
}

TEST(RouteTable, CapturesAreDecodedOnceAndOneSegmentUnlessTheyTakeTheRest) {
    RouteMatch m = match_route("GET", "/v1/models/org%2Fmodel-1%zz");
    EXPECT_EQ(m.route->endpoint, Endpoint::kModel);
    EXPECT_EQ(m.id, "org/model-1%zz");
    m = match_route("GET", "/v1/models/org/model-2/");
    EXPECT_EQ(m.id, "org/model-2");
    m = match_route("POST", "/v1/keys/device-7/rotate");
    EXPECT_EQ(m.route->endpoint, Endpoint::kKeyRotate);
    EXPECT_EQ(m.id, "device-7");
    EXPECT_EQ(endpoint_of("GET", "/v1/keys/rotate"), Endpoint::kKey);
    m = match_route("GET", "/v1/files/file-1/content");
    EXPECT_EQ(m.route->endpoint, Endpoint::kFileContent);
    EXPECT_EQ(m.id, "file-1");
}

TEST(RouteTable, ScopesComeFromTheTable) {
    EXPECT_EQ(match_route("GET", "/").route->scope, 0u);
    EXPECT_EQ(match_route("GET", "/readyz").route->scope, 0u);
    EXPECT_EQ(match_route("POST", "/v1/messages").route->scope, security::kScopeChat);
    EXPECT_EQ(match_route("GET", "/v1/files/f/content").route->scope, security::kScopeBatches);
    EXPECT_EQ(match_route("POST", "/v1/keys/k/rotate").route->scope, security::kScopeAdmin);
    EXPECT_EQ(match_route("GET", "/v1/usage").route->scope, security::kScopeAdmin);
}

TEST(RouteTable, BodiesAreBoundedByTheRoute) {
    EXPECT_EQ(match_route("POST", "/v1/chat/completions").route->max_body, BodyLimit::kServer);
    EXPECT_EQ(match_route("POST", "/v1/files").route->max_body, BodyLimit::kServer);
    EXPECT_EQ(match_route("POST", "/v1/keys").route->max_body, BodyLimit::kSmall);
    EXPECT_EQ(match_route("GET", "/v1/models").route->max_body, BodyLimit::kSmall);
    EXPECT_EQ(match_route("POST", "/v1/files").route->body, BodyType::kMultipart);
    EXPECT_EQ(match_route("POST", "/v1/embeddings").route->body, BodyType::kJson);
}

TEST(RouteTable, TheStaticTreeKeepsItsRawTail) {
    RouteMatch m = match_route("GET", "/ui");
    EXPECT_EQ(m.route->endpoint, Endpoint::kStatic);
    EXPECT_EQ(m.id, "");
    m = match_route("HEAD", "/ui/");
    EXPECT_TRUE(m.method_allowed);
    EXPECT_EQ(m.id, "/");
    m = match_route("GET", "/ui/%2e%2e/x");
    EXPECT_EQ(m.id, "/%2e%2e/x");
    EXPECT_FALSE(match_route("POST", "/ui/app.js").method_allowed);
    EXPECT_EQ(allowed_methods(*match_route("POST", "/ui/app.js").route), "GET, HEAD, OPTIONS");
    EXPECT_EQ(endpoint_of("GET", "/uix"), Endpoint::kNone);
}

} // namespace
} // namespace edgeai::gateway
