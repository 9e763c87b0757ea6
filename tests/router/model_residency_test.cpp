#include "router/model_residency.h"

#include "core/keep_alive.h"

#include <gtest/gtest.h>

namespace edgeai::router {
namespace {

constexpr uint64_t kMiB = 1 << 20;

// Three models of 100 MiB under a budget of 250 MiB: two fit.
ModelResidency three_models() {
    ModelResidency r(250 * kMiB);
    for (const char* id : {"a", "b", "c"})
        r.add(id, 100 * kMiB, false);
    return r;
}

TEST(ModelResidency, FitsWithoutUnloadingWhileThereIsRoom) {
    ModelResidency r = three_models();
    r.set_loaded("a", 100 * kMiB, 0);
    const RoomPlan plan = r.make_room("b", 100 * kMiB);
    EXPECT_EQ(plan.verdict, RoomPlan::Verdict::kFits);
    EXPECT_TRUE(plan.unload.empty());
}

TEST(ModelResidency, UnloadsTheLeastRecentlyUsedIdleModelFirst) {
    ModelResidency r = three_models();
    r.set_loaded("a", 100 * kMiB, 10);
    r.set_loaded("b", 100 * kMiB, 20);
    r.begin_request("a", 30);
    r.end_request("a", 30, core::kKeepAliveForever); // a is now the more recent
    const RoomPlan plan = r.make_room("c", 100 * kMiB);
    EXPECT_EQ(plan.verdict, RoomPlan::Verdict::kFits);
    ASSERT_EQ(plan.unload.size(), 1u);
    EXPECT_EQ(plan.unload[0], "b");
}

TEST(ModelResidency, NeverUnloadsAModelWithRequestsInFlight) {
    ModelResidency r = three_models();
    r.set_loaded("a", 100 * kMiB, 10);
    r.set_loaded("b", 100 * kMiB, 20);
    r.begin_request("a", 30);
    r.begin_request("b", 31);
    const RoomPlan plan = r.make_room("c", 100 * kMiB);
    EXPECT_EQ(plan.verdict, RoomPlan::Verdict::kBusy);
    EXPECT_TRUE(plan.unload.empty());
    EXPECT_EQ(plan.kept_bytes, 200 * kMiB);
    r.end_request("b", 40, core::kKeepAliveForever);
    const RoomPlan later = r.make_room("c", 100 * kMiB);
    EXPECT_EQ(later.verdict, RoomPlan::Verdict::kFits);
    ASSERT_EQ(later.unload.size(), 1u);
    EXPECT_EQ(later.unload[0], "b");
}

TEST(ModelResidency, ALoadUnderWayHoldsItsBytes) {
    ModelResidency r = three_models();
    r.set_loading("a", 100 * kMiB);
    r.set_loading("b", 100 * kMiB);
    EXPECT_EQ(r.used(), 200 * kMiB);
    EXPECT_EQ(r.make_room("c", 100 * kMiB).verdict, RoomPlan::Verdict::kBusy);
}

TEST(ModelResidency, AModelLargerThanTheBudgetNeverFits) {
    ModelResidency r = three_models();
    r.add("big", 300 * kMiB, false);
    const RoomPlan plan = r.make_room("big", 300 * kMiB);
    EXPECT_EQ(plan.verdict, RoomPlan::Verdict::kNeverFits);
}

TEST(ModelResidency, PinnedModelsAreNeverUnloadedAndShrinkTheBudget) {
    ModelResidency r(250 * kMiB);
    r.add("pinned", 200 * kMiB, true);
    r.add("x", 100 * kMiB, false);
    r.set_loaded("pinned", 200 * kMiB, 0);
    const RoomPlan plan = r.make_room("x", 100 * kMiB);
    EXPECT_EQ(plan.verdict, RoomPlan::Verdict::kNeverFits);
    EXPECT_EQ(plan.kept_bytes, 200 * kMiB);
    r.begin_request("pinned", 1);
    r.end_request("pinned", 1, 0);
    EXPECT_TRUE(r.expired(100).empty());
}

TEST(ModelResidency, NoBudgetFitsEverything) {
    ModelResidency r(0);
    r.add("a", 1ull << 40, false);
    EXPECT_EQ(r.make_room("a", 1ull << 40).verdict, RoomPlan::Verdict::kFits);
}

TEST(ModelResidency, ExpiresAfterKeepAliveOnceIdle) {
    ModelResidency r = three_models();
    r.set_loaded("a", 100 * kMiB, 0);
    EXPECT_FALSE(r.next_expiry().has_value()) << "a fresh load waits for its request";
    r.begin_request("a", 1000);
    r.begin_request("a", 1000);
    r.end_request("a", 2000, 5000);
    EXPECT_TRUE(r.expired(10000).empty()) << "one request is still in flight";
    r.end_request("a", 3000, 5000);
    ASSERT_TRUE(r.next_expiry().has_value());
    EXPECT_EQ(*r.next_expiry(), 8000);
    EXPECT_TRUE(r.expired(7999).empty());
    ASSERT_EQ(r.expired(8000).size(), 1u);
    r.set_unloaded("a");
    EXPECT_TRUE(r.expired(9000).empty());
    EXPECT_FALSE(r.next_expiry().has_value());
}

TEST(ModelResidency, KeepAliveZeroExpiresAtOnceAndForeverNever) {
    ModelResidency r = three_models();
    r.set_loaded("a", 100 * kMiB, 0);
    r.set_loaded("b", 100 * kMiB, 0);
    r.begin_request("a", 10);
    r.end_request("a", 10, 0);
    r.begin_request("b", 10);
    r.end_request("b", 10, core::kKeepAliveForever);
    const std::vector<std::string> gone = r.expired(10);
    ASSERT_EQ(gone.size(), 1u);
    EXPECT_EQ(gone[0], "a");
    EXPECT_TRUE(r.expired(int64_t{1} << 60).size() == 1u);
}

TEST(ModelResidency, ANewRequestCancelsAPendingExpiry) {
    ModelResidency r = three_models();
    r.set_loaded("a", 100 * kMiB, 0);
    r.begin_request("a", 10);
    r.end_request("a", 10, 100);
    r.begin_request("a", 50);
    EXPECT_TRUE(r.expired(200).empty());
}

} // namespace
} // namespace edgeai::router
