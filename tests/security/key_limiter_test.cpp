#include "security/failure_limiter.h"
#include "security/key_limiter.h"

#include <gtest/gtest.h>

namespace edgeai::security {
namespace {

constexpr int64_t kSecond = 1000000000;
// 2026-12-02 12:00:00 UTC.
constexpr int64_t kNoonMs = 1796212800000;

ApiKey key_with(KeyLimits limits, KeyBudget budget = {}) {
    ApiKey k;
    k.id = "kkkkkkkkkk";
    k.name = "kiosk";
    k.limits = limits;
    k.budget = budget;
    return k;
}

TEST(KeyLimiter, RequestsPerMinuteRefillSteadily) {
    KeyLimiter l;
    ApiKey k = key_with({3, 0, 0});
    for (int i = 0; i < 3; ++i) {
        Admission a = l.admit(k, i, kNoonMs, 0);
        ASSERT_TRUE(a.admitted) << i;
        l.finish(k, 0, 0, 0, kNoonMs);
    }
    Admission refused = l.admit(k, 3, kNoonMs, 0);
    ASSERT_FALSE(refused.admitted);
    EXPECT_EQ(refused.code, "rate_limit_exceeded");
    EXPECT_EQ(refused.retry_after_s, 20); // one request per 20 s at 3/min
    EXPECT_EQ(refused.view.remaining_requests, 0);
    EXPECT_EQ(refused.view.limit_requests, 3);
    EXPECT_TRUE(l.admit(k, 20 * kSecond + 3, kNoonMs, 0).admitted);
}

TEST(KeyLimiter, TokensEstimatedThenSettled) {
    KeyLimiter l;
    ApiKey k = key_with({0, 1000, 0});
    Admission a = l.admit(k, 0, kNoonMs, 100);
    ASSERT_TRUE(a.admitted);
    EXPECT_EQ(a.view.remaining_tokens, 900);
    // The answer used 900 tokens in all: 800 more than estimated.
    l.finish(k, 100, 900, 0, kNoonMs);
    EXPECT_EQ(l.view(k, 0).remaining_tokens, 100);
    Admission b = l.admit(k, 0, kNoonMs, 200);
    ASSERT_FALSE(b.admitted);
    EXPECT_EQ(b.code, "tokens_exceeded");
    EXPECT_EQ(b.retry_after_s, 6); // 100 tokens at 1000/min
}

TEST(KeyLimiter, ConcurrencySlotsComeBackOnFinish) {
    KeyLimiter l;
    ApiKey k = key_with({0, 0, 2});
    EXPECT_TRUE(l.admit(k, 0, kNoonMs, 0).admitted);
    EXPECT_TRUE(l.admit(k, 0, kNoonMs, 0).admitted);
    Admission third = l.admit(k, 0, kNoonMs, 0);
    ASSERT_FALSE(third.admitted);
    EXPECT_EQ(third.code, "concurrency_limit_exceeded");
    l.finish(k, 0, 10, 0, kNoonMs);
    EXPECT_EQ(l.in_flight(k.id), 1);
    EXPECT_TRUE(l.admit(k, 0, kNoonMs, 0).admitted);
}

TEST(KeyLimiter, BudgetsRenewAtUtcDayAndMonth) {
    KeyLimiter l;
    ApiKey k = key_with({}, {1000, 0, 0, 0.5});
    ASSERT_TRUE(l.admit(k, 0, kNoonMs, 0).admitted);
    l.finish(k, 0, 1000, 0.1, kNoonMs);
    Admission spent = l.admit(k, 0, kNoonMs, 0);
    ASSERT_FALSE(spent.admitted);
    EXPECT_EQ(spent.code, "budget_exceeded");
    EXPECT_EQ(spent.retry_after_s, 12 * 3600); // midnight UTC
    const int64_t tomorrow = kNoonMs + 86400000;
    ASSERT_TRUE(l.admit(k, 0, tomorrow, 0).admitted);
    l.finish(k, 0, 10, 0.45, tomorrow);
    Admission month = l.admit(k, 0, tomorrow, 0);
    ASSERT_FALSE(month.admitted);
    EXPECT_NE(month.message.find("monthly"), std::string::npos);
    // 2027-01-01 00:00 UTC renews the month.
    EXPECT_TRUE(l.admit(k, 0, 1798761600000, 0).admitted);
    l.seed_spent(k.id, 1798761600000, 2000, 0, 0, 0);
    EXPECT_FALSE(l.admit(k, 0, 1798761600000, 0).admitted);
}

TEST(KeyLimiter, RequestsInFlightReserveTheirEstimateOfATokenBudget) {
    KeyLimiter l;
    ApiKey k = key_with({}, {20, 0, 0, 0});
    // Three admitted together: the first two claim the whole budget.
    ASSERT_TRUE(l.admit(k, 0, kNoonMs, 10).admitted);
    ASSERT_TRUE(l.admit(k, 0, kNoonMs, 10).admitted);
    Admission third = l.admit(k, 0, kNoonMs, 10);
    ASSERT_FALSE(third.admitted);
    EXPECT_EQ(third.code, "budget_exceeded");
    // One ends having used less: the rest of the budget is free again.
    l.finish(k, 10, 4, 0, kNoonMs);
    ASSERT_TRUE(l.admit(k, 0, kNoonMs, 5).admitted);
    l.finish(k, 10, 4, 0, kNoonMs);
    l.finish(k, 5, 4, 0, kNoonMs);
    EXPECT_TRUE(l.admit(k, 0, kNoonMs, 10).admitted); // 12 of 20 spent, nothing reserved
}

TEST(KeyLimiter, CalendarAndResetFormat) {
    EXPECT_EQ(utc_month_start_ms(kNoonMs), 1796083200000);      // 2026-12-01
    EXPECT_EQ(next_utc_month_ms(kNoonMs), 1798761600000);       // 2027-01-01
    EXPECT_EQ(next_utc_month_ms(1771891200000), 1772323200000); // 2026-02-24 -> 03-01
    EXPECT_EQ(format_reset(0), "0s");
    EXPECT_EQ(format_reset(250), "250ms");
    EXPECT_EQ(format_reset(1500), "1.5s");
    EXPECT_EQ(format_reset(360000), "6m0s");
    EXPECT_EQ(format_reset(61000), "1m1s");
}

TEST(FailureLimiter, BlocksAnAddressOverTheLimitForItsWindow) {
    FailureLimiter f(3, 16);
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(f.blocked_for_ms("10.0.0.1", 1000), 0);
        f.failed("10.0.0.1", 1000);
    }
    EXPECT_EQ(f.blocked_for_ms("10.0.0.1", 2000), 59000);
    EXPECT_EQ(f.blocked_for_ms("10.0.0.2", 2000), 0);
    EXPECT_EQ(f.blocked_for_ms("10.0.0.1", 61000), 0);
}

TEST(FailureLimiter, StaysBoundedUnderAFloodOfAddresses) {
    FailureLimiter f(3, 64);
    for (int i = 0; i < 10000; ++i)
        f.failed("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256), i);
    EXPECT_LE(f.tracked(), 64u);
}

TEST(FailureLimiter, PeerAddressDropsThePort) {
    EXPECT_EQ(peer_address("10.1.2.3:5555"), "10.1.2.3");
    EXPECT_EQ(peer_address("[::1]:80"), "::1");
    EXPECT_EQ(peer_address("::1:80"), "::1");
}

} // namespace
} // namespace edgeai::security
