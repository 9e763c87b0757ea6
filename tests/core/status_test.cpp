#include "core/check.h"
#include "core/result.h"
#include "core/status.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace edgeai::core {
namespace {

Result<int> parse_positive(int v) {
    if (v <= 0) return invalid_argument("must be positive");
    return v;
}

Status twice(int v, int* out) {
    EDGEAI_ASSIGN_OR_RETURN(int x, parse_positive(v));
    *out = 2 * x;
    return {};
}

TEST(Status, DefaultIsOkAndCarriesCodeMessageAndField) {
    EXPECT_TRUE(Status().ok());
    Status s = invalid_argument("bad");
    s.with_field("temperature");
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.field(), "temperature");
    EXPECT_EQ(s.to_string(), "invalid_argument: bad");
}

TEST(Status, ContextIsPrefixed) {
    Status s = not_found("no file");
    s.with_context("config: ");
    EXPECT_EQ(s.message(), "config: no file");
}

TEST(Result, PropagatesErrorsThroughAssignOrReturn) {
    int out = 0;
    EXPECT_TRUE(twice(4, &out).ok());
    EXPECT_EQ(out, 8);
    Status s = twice(-1, &out);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), "must be positive");
}

TEST(Result, BuiltFromOkStatusBecomesInternalError) {
    Result<int> r{Status()};
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(Status, CarriesTheApiErrorCodeBesideTheField) {
    Status s = not_found("no such model");
    s.with_field("model").with_error_code("model_not_found");
    EXPECT_EQ(s.field(), "model");
    EXPECT_EQ(s.error_code(), "model_not_found");
    EXPECT_EQ(s.code(), StatusCode::kNotFound);
}

#if GTEST_HAS_DEATH_TEST && !defined(NDEBUG)
std::string g_reported;
void remember_failure(const char* condition, const char*, int, std::string_view message) {
    g_reported = std::string(condition) + " " + std::string(message);
    std::fprintf(stderr, "reported: %s\n", g_reported.c_str());
}

TEST(ResultDeathTest, ReadingTheValueOfAnErrorStopsWithTheStatus) {
    Result<int> r = invalid_argument("must be positive");
    set_check_failure_handler(remember_failure);
    EXPECT_DEATH((void)r.value(),
                 "reported: value_.has_value\\(\\) invalid_argument: must be positive");
    set_check_failure_handler(nullptr);
}
#endif

TEST(Check, PassesQuietlyWhenTheConditionHolds) {
    int evaluated = 0;
    EDGEAI_CHECK(++evaluated == 1);
    EXPECT_EQ(evaluated, 1);
    EDGEAI_ASSERT(evaluated == 1);
}

} // namespace
} // namespace edgeai::core
