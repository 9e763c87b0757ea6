#include "security/shared_admission.h"

#include <gtest/gtest.h>

namespace edgeai::security {
namespace {

ApiKey limited_key() {
    ApiKey k;
    k.id = "kkkkkkkkkk";
    k.name = "kiosk";
    k.limits = {10, 1000, 3};
    k.budget.tokens_per_day = 5000;
    k.budget.cost_per_day = 2.5;
    k.budget.tokens_per_month = 7;
    return k;
}

TEST(SharedAdmission, AsksForEveryLimitOrOnlyTheRate) {
    const ApiKey k = limited_key();
    SharedAsk all = shared_ask(k, 120, false);
    EXPECT_EQ(all.key_id, k.id);
    EXPECT_EQ(all.requests_per_minute, 10);
    EXPECT_EQ(all.tokens_per_minute, 1000);
    EXPECT_EQ(all.concurrent_requests, 3);
    EXPECT_EQ(all.tokens_per_day, 5000);
    EXPECT_EQ(all.estimated_tokens, 120);
    SharedAsk rate = shared_ask(k, 120, true);
    EXPECT_TRUE(rate.rate_only);
    EXPECT_EQ(rate.requests_per_minute, 10);
    EXPECT_EQ(rate.concurrent_requests, 0);
    EXPECT_EQ(rate.estimated_tokens, 0);
    EXPECT_EQ(shared_ask(k, -5, false).estimated_tokens, 0);
}

TEST(SharedAdmission, OnlyKeysWithSharedLimitsGoToRedis) {
    ApiKey k;
    EXPECT_FALSE(has_shared_limits(k));
    k.budget.tokens_per_month = 10; // monthly budgets stay local
    EXPECT_FALSE(has_shared_limits(k));
    k.limits.concurrent_requests = 1;
    EXPECT_TRUE(has_shared_limits(k));
}

TEST(SharedAdmission, EachRefusalReadsAsTheLocalOne) {
    const ApiKey k = limited_key();
    struct Case {
        SharedRefusal refusal;
        const char* code;
    };
    for (const Case& c : {Case{SharedRefusal::kRequests, "rate_limit_exceeded"},
                          Case{SharedRefusal::kTokens, "tokens_exceeded"},
                          Case{SharedRefusal::kConcurrency, "concurrency_limit_exceeded"},
                          Case{SharedRefusal::kDayTokens, "budget_exceeded"},
                          Case{SharedRefusal::kDayCost, "budget_exceeded"}}) {
        SharedAnswer answer;
        answer.answered = true;
        answer.refusal = c.refusal;
        answer.retry_after_ms = 1500;
        const Admission a = admission_from(k, answer);
        EXPECT_FALSE(a.admitted);
        EXPECT_EQ(a.code, c.code);
        EXPECT_EQ(a.retry_after_s, 2);
        EXPECT_NE(a.message.find("kiosk"), std::string::npos);
    }
    SharedAnswer ok;
    ok.answered = true;
    ok.remaining_requests = 4;
    ok.remaining_tokens = 880;
    const Admission a = admission_from(k, ok);
    EXPECT_TRUE(a.admitted);
    EXPECT_EQ(a.view.limit_requests, 10);
    EXPECT_EQ(a.view.remaining_requests, 4);
    EXPECT_EQ(a.view.remaining_tokens, 880);
}

TEST(SharedAdmission, ALocalShareIsRoundedUpAndNeverUnlimited) {
    const ApiKey k = limited_key();
    const ApiKey share = local_share(k, 3);
    EXPECT_EQ(share.limits.requests_per_minute, 4); // 10 / 3, rounded up
    EXPECT_EQ(share.limits.tokens_per_minute, 334);
    EXPECT_EQ(share.limits.concurrent_requests, 1);
    EXPECT_EQ(share.budget.tokens_per_day, 1667);
    EXPECT_EQ(share.budget.tokens_per_month, 3);
    EXPECT_DOUBLE_EQ(share.budget.cost_per_day, 2.5 / 3);
    ApiKey none;
    EXPECT_EQ(local_share(none, 3).limits.requests_per_minute, 0); // still unlimited
    EXPECT_EQ(local_share(k, 1).limits.requests_per_minute, 10);
}

} // namespace
} // namespace edgeai::security
