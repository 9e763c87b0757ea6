#include "api/routes.h"

#include <gtest/gtest.h>

namespace edgeai::api {
namespace {

TEST(Routes, KnownPathsWithTheirMethod) {
    EXPECT_EQ(match_route("POST", "/v1/chat/completions").endpoint, Endpoint::kChatCompletions);
    EXPECT_TRUE(match_route("POST", "/v1/chat/completions/").method_allowed);
    EXPECT_TRUE(match_route("GET", "/healthz").method_allowed);
    EXPECT_TRUE(match_route("HEAD", "/healthz").method_allowed);
    EXPECT_TRUE(match_route("OPTIONS", "/v1/embeddings").method_allowed);
}

TEST(Routes, WrongMethodOnAKnownPathIsNotAllowedWithAllowList) {
    RouteMatch m = match_route("GET", "/v1/chat/completions");
    EXPECT_EQ(m.endpoint, Endpoint::kChatCompletions);
    EXPECT_FALSE(m.method_allowed);
    EXPECT_EQ(m.allow, "POST, OPTIONS");
    EXPECT_FALSE(match_route("DELETE", "/v1/models").method_allowed);
}

TEST(Routes, UnknownPathsMatchNothing) {
    EXPECT_EQ(match_route("GET", "/v2/models").endpoint, Endpoint::kNone);
    EXPECT_EQ(match_route("GET", "/v1/models/").endpoint, Endpoint::kModels);
    EXPECT_EQ(match_route("POST", "/v1/chat").endpoint, Endpoint::kNone);
}

TEST(Routes, ModelIdsArePercentDecoded) {
    RouteMatch m = match_route("GET", "/v1/models/org%2Fmodel-1%zz");
    EXPECT_EQ(m.endpoint, Endpoint::kModel);
    EXPECT_EQ(m.model_id, "org/model-1%zz");
}

} // namespace
} // namespace edgeai::api
