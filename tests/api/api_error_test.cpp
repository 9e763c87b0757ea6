#include "api/api_error.h"

#include "codec/json/json_document.h"

#include <gtest/gtest.h>

namespace edgeai::api {
namespace {

TEST(ApiError, StatusCodesMapToOpenAiStatusAndType) {
    struct Case {
        core::StatusCode code;
        int http;
        const char* type;
    };
    for (Case c : {Case{core::StatusCode::kInvalidArgument, 400, "invalid_request_error"},
                   Case{core::StatusCode::kUnauthenticated, 401, "authentication_error"},
                   Case{core::StatusCode::kPermissionDenied, 403, "permission_error"},
                   Case{core::StatusCode::kNotFound, 404, "invalid_request_error"},
                   Case{core::StatusCode::kResourceExhausted, 429, "rate_limit_error"},
                   Case{core::StatusCode::kInternal, 500, "server_error"},
                   Case{core::StatusCode::kUnavailable, 503, "server_error"},
                   Case{core::StatusCode::kDeadlineExceeded, 504, "server_error"}}) {
        ApiError e = api_error_from_status(core::Status(c.code, "m"));
        EXPECT_EQ(e.http_status, c.http);
        EXPECT_EQ(e.type, c.type);
    }
}

TEST(ApiError, RendersOpenAiShapeWithNullsForAbsentParamAndCode) {
    core::Status s = core::invalid_argument("temperature: too hot");
    s.with_field("temperature");
    core::HttpResponse r = api_error_response(api_error_from_status(s));
    EXPECT_EQ(r.status, 400);
    EXPECT_EQ(r.headers.get("content-type"), "application/json");
    auto doc = codec::JsonDocument::parse(r.body);
    ASSERT_TRUE(doc.ok());
    auto err = doc->root()["error"];
    EXPECT_EQ(err["message"].as_string(), "temperature: too hot");
    EXPECT_EQ(err["param"].as_string(), "temperature");
    EXPECT_TRUE(err["code"].is_null());
    EXPECT_TRUE(is_openai_error_body(r.body));
}

TEST(ApiError, RateLimitsCarryRetryAfter) {
    core::HttpResponse r =
        api_error_response(api_error_from_status(core::resource_exhausted("slow down")));
    EXPECT_EQ(r.status, 429);
    EXPECT_EQ(r.headers.get("retry-after"), "1");
}

TEST(ApiError, RecognisesUpstreamErrorBodies) {
    EXPECT_TRUE(is_openai_error_body(R"({"error":{"message":"x","type":"y"}})"));
    EXPECT_FALSE(is_openai_error_body(R"({"error":"x"})"));
    EXPECT_FALSE(is_openai_error_body("<html>502</html>"));
}

} // namespace
} // namespace edgeai::api
