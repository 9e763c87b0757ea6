// The executor the WASI and browser shells drive by hand: tasks run in order
// on the next run_ready(), tasks they post wait for the call after, timers
// fire once when due and never once their handle is gone, and the next
// timer's distance is what the shells sleep for.
#include "core/queued_executor.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::core {
namespace {

constexpr int64_t kMs = 1000000;

TEST(QueuedExecutor, TasksRunInOrderAndTheirOwnPostsWaitForTheNextTurn) {
    ManualClock clock;
    QueuedExecutor ex(clock);
    std::string ran;
    EXPECT_FALSE(ex.run_ready());
    ex.post([&] {
        ran += "a";
        ex.post([&] { ran += "c"; });
    });
    ex.post([&] { ran += "b"; });
    EXPECT_TRUE(ex.has_tasks());
    EXPECT_TRUE(ex.run_ready());
    EXPECT_EQ(ran, "ab");
    EXPECT_TRUE(ex.has_tasks());
    EXPECT_TRUE(ex.run_ready());
    EXPECT_EQ(ran, "abc");
    EXPECT_FALSE(ex.has_tasks());
    EXPECT_FALSE(ex.run_ready());
}

TEST(QueuedExecutor, TimersFireOnceWhenDueAndNotAfterTheirHandleIsGone) {
    ManualClock clock;
    QueuedExecutor ex(clock);
    int fired = 0, cancelled_fired = 0;
    auto keep = ex.post_after(10, [&] { ++fired; });
    auto drop = ex.post_after(5, [&] { ++cancelled_fired; });
    EXPECT_EQ(ex.next_timer_ms(), 5);
    drop.reset();
    EXPECT_EQ(ex.next_timer_ms(), 10) << "a cancelled timer is not waited for";
    clock.advance_ns(9 * kMs);
    EXPECT_FALSE(ex.run_ready());
    EXPECT_EQ(ex.next_timer_ms(), 1);
    clock.advance_ns(1 * kMs);
    EXPECT_TRUE(ex.run_ready());
    EXPECT_EQ(fired, 1);
    clock.advance_ns(100 * kMs);
    EXPECT_FALSE(ex.run_ready());
    EXPECT_EQ(fired, 1);
    EXPECT_EQ(cancelled_fired, 0);
    EXPECT_EQ(ex.next_timer_ms(), -1);
}

TEST(QueuedExecutor, ATimerCancelledByAnEarlierOneDueAtTheSameTimeDoesNotRun) {
    ManualClock clock;
    QueuedExecutor ex(clock);
    std::unique_ptr<Timer> second;
    int second_ran = 0;
    auto first = ex.post_after(0, [&] { second.reset(); });
    second = ex.post_after(0, [&] { ++second_ran; });
    EXPECT_TRUE(ex.run_ready());
    EXPECT_EQ(second_ran, 0);
    auto late = ex.post_after(-5, [] {});
    EXPECT_EQ(ex.next_timer_ms(), 0) << "a negative delay is due at once";
}

} // namespace
} // namespace edgeai::core
