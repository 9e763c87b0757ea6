// The response cache's SQLite store against real files: answers put are
// loaded back after reopening (bytes exact, oldest first), erased ones are
// gone, and a file that is not a database is refused with its name.
#include "platform/native/storage/sqlite_cache_store.h"

#include "temp_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace edgeai::platform::native {
namespace {

namespace fs = std::filesystem;

gateway::CachedAnswer answer(std::string body, int64_t at, bool stream = false) {
    gateway::CachedAnswer a;
    a.body = std::move(body);
    a.stream = stream;
    a.backend = "b";
    a.model = "m";
    a.prompt_tokens = 3;
    a.completion_tokens = 4;
    a.stored_unix_ms = at;
    return a;
}

std::vector<std::pair<std::string, gateway::CachedAnswer>> load_all(SqliteCacheStore& store) {
    std::vector<std::pair<std::string, gateway::CachedAnswer>> out;
    store.load([&](std::string k, gateway::CachedAnswer a) { out.emplace_back(std::move(k), a); });
    return out;
}

TEST(SqliteCacheStore, WhatIsPutComesBackAfterReopeningOldestFirst) {
    TempDir dir;
    static constexpr char kBytes[] = "data: {\"x\":\"\xe2\x82\xac\"}\n\n\0tail";
    const std::string binary(kBytes, sizeof kBytes - 1); // the NUL inside included
    {
        auto store = SqliteCacheStore::open(dir.path());
        ASSERT_TRUE(store.ok()) << store.status().to_string();
        (*store)->put("later", answer("{}", 200));
        (*store)->put("first", answer(binary, 100, true));
        (*store)->put("gone", answer("x", 150));
        (*store)->erase("gone");
        (*store)->put("later", answer("{\"v\":2}", 300)); // replaces
        EXPECT_TRUE((*store)->last_error().ok());
    }
    auto store = SqliteCacheStore::open(dir.path());
    ASSERT_TRUE(store.ok());
    auto all = load_all(**store);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].first, "first");
    EXPECT_EQ(all[0].second.body, binary);
    EXPECT_TRUE(all[0].second.stream);
    EXPECT_EQ(all[0].second.backend, "b");
    EXPECT_EQ(all[0].second.completion_tokens, 4);
    EXPECT_EQ(all[1].first, "later");
    EXPECT_EQ(all[1].second.body, "{\"v\":2}");
    EXPECT_EQ(all[1].second.stored_unix_ms, 300);
}

TEST(SqliteCacheStore, AFileThatIsNotADatabaseIsNamed) {
    TempDir dir;
    std::ofstream(dir.path() + "/cache.db")
        << "this is not sqlite, just some text that is long enough";
    auto store = SqliteCacheStore::open(dir.path());
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find("cache.db is not a SQLite database"), std::string::npos)
        << store.status().message();
}

TEST(SqliteCacheStore, WorksWithTheCacheItFeeds) {
    TempDir dir;
    core::ManualClock clock;
    {
        auto store = SqliteCacheStore::open(dir.path());
        ASSERT_TRUE(store.ok());
        gateway::ResponseCache cache(1 << 20, 60'000, clock, store->get());
        cache.insert("k", answer("kept", clock.unix_ms()));
    }
    auto store = SqliteCacheStore::open(dir.path());
    ASSERT_TRUE(store.ok());
    gateway::ResponseCache cache(1 << 20, 60'000, clock, store->get());
    cache.load_from_store();
    ASSERT_NE(cache.find("k"), nullptr);
    EXPECT_EQ(cache.find("k")->body, "kept");
}

} // namespace
} // namespace edgeai::platform::native
