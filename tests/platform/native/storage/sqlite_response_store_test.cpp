// The Responses API's SQLite store against real files: a response put is read
// back whole after reopening, removed ones are gone, and responses.retention
// holds both ways: one past it is not found before any sweep, and the next
// write sweeps it from the file; the bytes a key holds are summed for its quota.
#include "platform/native/storage/sqlite_response_store.h"

#include "core/clock.h"
#include "temp_dir.h"

#include <gtest/gtest.h>

#include <string>

namespace edgeai::platform::native {
namespace {

constexpr int64_t kDayMs = 24 * 3600 * 1000;

gateway::StoredResponse response(std::string id, int64_t at) {
    gateway::StoredResponse r;
    r.id = std::move(id);
    r.owner = "key_1";
    r.created_unix_ms = at;
    r.response = R"({"id":"resp","object":"response"})";
    r.input_items = R"([{"type":"message"}])";
    r.context_items = "[]";
    return r;
}

TEST(SqliteResponseStore, WhatIsPutComesBackAfterReopeningAndRemovedIsGone) {
    TempDir dir;
    core::ManualClock clock;
    clock.set_unix_ms(100 * kDayMs);
    {
        auto store = SqliteResponseStore::open(dir.path(), 30 * kDayMs, clock);
        ASSERT_TRUE(store.ok()) << store.status().message();
        ASSERT_TRUE((*store)->put(response("resp_a", clock.unix_ms())).ok());
        ASSERT_TRUE((*store)->put(response("resp_b", clock.unix_ms())).ok());
    }
    auto store = SqliteResponseStore::open(dir.path(), 30 * kDayMs, clock);
    ASSERT_TRUE(store.ok());
    auto a = (*store)->get("resp_a");
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(a->has_value());
    EXPECT_EQ((*a)->owner, "key_1");
    EXPECT_EQ((*a)->response, R"({"id":"resp","object":"response"})");
    EXPECT_EQ((*a)->input_items, R"([{"type":"message"}])");
    auto removed = (*store)->remove("resp_a");
    ASSERT_TRUE(removed.ok());
    EXPECT_TRUE(*removed);
    EXPECT_FALSE(*(*store)->remove("resp_a"));
    EXPECT_FALSE((*store)->get("resp_a")->has_value());
    EXPECT_TRUE((*store)->get("resp_b")->has_value());
    EXPECT_FALSE((*store)->get("resp_none")->has_value());
}

TEST(SqliteResponseStore, ResponsesPastTheRetentionAreNotFoundThenSwept) {
    TempDir dir;
    core::ManualClock clock;
    clock.set_unix_ms(100 * kDayMs);
    auto store = SqliteResponseStore::open(dir.path(), 30 * kDayMs, clock);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->put(response("resp_old", clock.unix_ms())).ok());
    clock.set_unix_ms(129 * kDayMs);
    EXPECT_TRUE((*store)->get("resp_old")->has_value());
    clock.set_unix_ms(131 * kDayMs);
    // Not found before anything swept it...
    EXPECT_FALSE((*store)->get("resp_old")->has_value());
    // ...and gone from the file with the next write.
    ASSERT_TRUE((*store)->put(response("resp_new", clock.unix_ms())).ok());
    auto swept = (*store)->sweep(clock.unix_ms() - 30 * kDayMs);
    ASSERT_TRUE(swept.ok());
    EXPECT_EQ(*swept, 0) << "the write swept it already";
    EXPECT_TRUE((*store)->get("resp_new")->has_value());
}

TEST(SqliteResponseStore, BytesHeldAreCountedPerOwnerWithinTheRetention) {
    TempDir dir;
    core::ManualClock clock;
    clock.set_unix_ms(100 * kDayMs);
    auto store = SqliteResponseStore::open(dir.path(), 30 * kDayMs, clock);
    ASSERT_TRUE(store.ok());
    const gateway::StoredResponse one = response("resp_a", clock.unix_ms());
    const int64_t size = static_cast<int64_t>(one.response.size() + one.input_items.size() +
                                              one.context_items.size());
    EXPECT_EQ(*(*store)->bytes_held_by("key_1"), 0);
    ASSERT_TRUE((*store)->put(one).ok());
    ASSERT_TRUE((*store)->put(response("resp_b", clock.unix_ms())).ok());
    gateway::StoredResponse other = response("resp_c", clock.unix_ms());
    other.owner = "key_2";
    ASSERT_TRUE((*store)->put(other).ok());
    EXPECT_EQ(*(*store)->bytes_held_by("key_1"), 2 * size);
    EXPECT_EQ(*(*store)->bytes_held_by("key_2"), size);
    ASSERT_TRUE(*(*store)->remove("resp_a"));
    EXPECT_EQ(*(*store)->bytes_held_by("key_1"), size);
    // Past the retention it no longer counts, swept or not.
    clock.set_unix_ms(131 * kDayMs);
    EXPECT_EQ(*(*store)->bytes_held_by("key_1"), 0);
}

} // namespace
} // namespace edgeai::platform::native
