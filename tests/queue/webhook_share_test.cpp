#include "queue/webhook_share.h"

#include <gtest/gtest.h>

namespace edgeai::queue {
namespace {

// The owners of the picked webhooks, in order.
std::string picked(const WebhookClaim& claim, std::vector<std::string> due) {
    std::string out;
    for (size_t i : pick_webhooks(claim, due))
        out += due[i].empty() ? "-" : due[i];
    return out;
}

TEST(WebhookShare, AKeyAloneLeavesOneSlotForTheNext) {
    WebhookClaim claim;
    claim.slots = 4;
    EXPECT_EQ(picked(claim, {"a", "a", "a", "a", "a"}), "aaa");
    claim.slots = 2;
    EXPECT_EQ(picked(claim, {"a", "a"}), "a");
    claim.slots = 1; // nothing to share
    EXPECT_EQ(picked(claim, {"a", "a"}), "a");
}

TEST(WebhookShare, WithoutKeysEverySlotIsUsed) {
    WebhookClaim claim;
    claim.slots = 4;
    EXPECT_EQ(picked(claim, {"", "", "", "", ""}), "----");
}

TEST(WebhookShare, KeysTakeTurnsWithinHalfTheSlots) {
    WebhookClaim claim;
    claim.slots = 4;
    EXPECT_EQ(picked(claim, {"a", "a", "a", "a", "b"}), "aba");
    claim.slots = 6;
    EXPECT_EQ(picked(claim, {"a", "a", "a", "a", "b", "c"}), "abcaa");
}

TEST(WebhookShare, CallsUnderWayCountAgainstTheirKey) {
    WebhookClaim claim;
    claim.slots = 4;
    claim.busy["a"] = 3; // a's slow receivers
    EXPECT_EQ(picked(claim, {"a", "b"}), "b");
    claim.busy["a"] = 2;
    EXPECT_EQ(picked(claim, {"a", "a", "b"}), "b");
    claim.busy["a"] = 1;
    claim.busy["b"] = 1;
    EXPECT_EQ(picked(claim, {"a", "a", "b", "b"}), "ab");
    claim.busy = {{"a", 4}};
    EXPECT_EQ(picked(claim, {"b"}), "");
}

TEST(WebhookShare, RoomIsWhatIsLeft) {
    WebhookClaim claim;
    claim.slots = 3;
    claim.busy = {{"a", 1}, {"b", 1}};
    EXPECT_EQ(claim.in_flight(), 2u);
    EXPECT_EQ(claim.room(), 1u);
    claim.busy["c"] = 5;
    EXPECT_EQ(claim.room(), 0u);
}

} // namespace
} // namespace edgeai::queue
