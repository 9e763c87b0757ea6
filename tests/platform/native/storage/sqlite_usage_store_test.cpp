// The SQLite usage store against real files: what record() queues reaches the
// disk (by time, by batch size, on flush, on destruction) and comes back summed
// by each grouping; a second, read-only store sees the same file; broken data
// directories and foreign files give errors that name the file.
#include "platform/native/storage/sqlite_usage_store.h"

#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace edgeai::platform::native {
namespace {

using router::UsageGroup;
using router::UsageQuery;
using router::UsageRecord;
using router::UsageRow;

namespace fs = std::filesystem;

UsageRecord make_record(int64_t unix_ms, std::string key, std::string backend, std::string model,
                        int64_t prompt, int64_t completion, double cost) {
    UsageRecord r;
    r.unix_ms = unix_ms;
    r.request_id = "req-" + std::to_string(unix_ms);
    r.key_id = std::move(key);
    r.endpoint = "chat_completions";
    r.backend = std::move(backend);
    r.model = std::move(model);
    r.prompt_tokens = prompt;
    r.completion_tokens = completion;
    r.cost = cost;
    r.status = 200;
    return r;
}

// Three keys, two backends, three models, at t = 1000..5000.
void record_sample(router::UsageStore& store) {
    store.record(make_record(1000, "alice", "cloud", "gpt-4o", 100, 50, 0.5));
    store.record(make_record(2000, "bob", "cloud", "gpt-4o-mini", 1000, 500, 0.05));
    store.record(make_record(3000, "alice", "local", "qwen", 300, 300, 0));
    store.record(make_record(4000, "", "local", "qwen", 10, 20, 0));
    store.record(make_record(5000, "bob", "cloud", "gpt-4o", 200, 100, 1.0));
}

std::vector<UsageRow> summarize(router::UsageStore& store, UsageGroup by, int64_t since = 0) {
    UsageQuery query;
    query.by = by;
    query.since_unix_ms = since;
    auto rows = store.summarize(query);
    EXPECT_TRUE(rows.ok()) << rows.status().message();
    return rows.ok() ? *rows : std::vector<UsageRow>{};
}

int64_t requests_on_disk(const std::string& dir) {
    auto reader = SqliteUsageStore::open_read_only(dir);
    if (!reader.ok()) return -1;
    int64_t n = 0;
    for (const UsageRow& row : summarize(**reader, UsageGroup::kNone))
        n += row.requests;
    return n;
}

// Polls the file through another connection until `want` records are there.
bool wait_for_disk(const std::string& dir, int64_t want) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (requests_on_disk(dir) == want) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

SqliteUsageStore::Options never_on_its_own() {
    SqliteUsageStore::Options o;
    o.flush_interval = std::chrono::hours(1);
    o.batch_size = 1'000'000;
    return o;
}

TEST(SqliteUsageStore, SumsByEachGroupingLargestCostFirstThenMostTokens) {
    TempDir dir;
    auto store = SqliteUsageStore::open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    record_sample(**store);

    auto by_model = summarize(**store, UsageGroup::kModel);
    ASSERT_EQ(by_model.size(), 3u);
    EXPECT_EQ(by_model[0].group, "gpt-4o");
    EXPECT_EQ(by_model[0].requests, 2);
    EXPECT_EQ(by_model[0].prompt_tokens, 300);
    EXPECT_EQ(by_model[0].completion_tokens, 150);
    EXPECT_DOUBLE_EQ(by_model[0].cost, 1.5);
    EXPECT_EQ(by_model[1].group, "gpt-4o-mini");
    EXPECT_EQ(by_model[2].group, "qwen"); // cost 0: last
    EXPECT_EQ(by_model[2].requests, 2);
    EXPECT_EQ(by_model[2].prompt_tokens, 310);
    EXPECT_EQ(by_model[2].completion_tokens, 320);

    auto by_backend = summarize(**store, UsageGroup::kBackend);
    ASSERT_EQ(by_backend.size(), 2u);
    EXPECT_EQ(by_backend[0].group, "cloud");
    EXPECT_EQ(by_backend[0].requests, 3);
    EXPECT_DOUBLE_EQ(by_backend[0].cost, 1.55);
    EXPECT_EQ(by_backend[1].group, "local");
    EXPECT_EQ(by_backend[1].requests, 2);

    // bob pays more than alice; the caller without a key (group "") and
    // alice's free tokens order by tokens: alice 750 > "" 30.
    auto by_key = summarize(**store, UsageGroup::kKey);
    ASSERT_EQ(by_key.size(), 3u);
    EXPECT_EQ(by_key[0].group, "bob");
    EXPECT_DOUBLE_EQ(by_key[0].cost, 1.05);
    EXPECT_EQ(by_key[1].group, "alice");
    EXPECT_DOUBLE_EQ(by_key[1].cost, 0.5);
    EXPECT_EQ(by_key[2].group, "");
    EXPECT_EQ(by_key[2].prompt_tokens, 10);

    auto all = summarize(**store, UsageGroup::kNone);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].group, "");
    EXPECT_EQ(all[0].requests, 5);
    EXPECT_EQ(all[0].prompt_tokens, 1610);
    EXPECT_EQ(all[0].completion_tokens, 970);
    EXPECT_DOUBLE_EQ(all[0].cost, 1.55);
}

TEST(SqliteUsageStore, SinceKeepsRecordsAtOrAfterIt) {
    TempDir dir;
    auto store = SqliteUsageStore::open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    record_sample(**store);
    auto all = summarize(**store, UsageGroup::kNone, 3000);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].requests, 3);
    EXPECT_EQ(all[0].prompt_tokens, 510);
    auto by_model = summarize(**store, UsageGroup::kModel, 4001);
    ASSERT_EQ(by_model.size(), 1u);
    EXPECT_EQ(by_model[0].group, "gpt-4o");
    EXPECT_EQ(by_model[0].requests, 1);
    EXPECT_TRUE(summarize(**store, UsageGroup::kNone, 5001).empty());
    EXPECT_TRUE(summarize(**store, UsageGroup::kKey, 5001).empty());
}

TEST(SqliteUsageStore, EmptyStoreSummarizesToNoRows) {
    TempDir dir;
    auto store = SqliteUsageStore::open(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_TRUE(summarize(**store, UsageGroup::kNone).empty());
    EXPECT_TRUE(summarize(**store, UsageGroup::kModel).empty());
}

TEST(SqliteUsageStore, RecordsSurviveReopeningReadWriteAndReadOnly) {
    TempDir dir;
    {
        auto store = SqliteUsageStore::open(dir.path());
        ASSERT_TRUE(store.ok()) << store.status().message();
        record_sample(**store);
    }
    {
        auto store = SqliteUsageStore::open(dir.path());
        ASSERT_TRUE(store.ok()) << store.status().message();
        (*store)->record(make_record(6000, "carol", "cloud", "gpt-4o", 1, 1, 0.01));
        EXPECT_EQ(summarize(**store, UsageGroup::kKey).size(), 4u);
    }
    auto reader = SqliteUsageStore::open_read_only(dir.path());
    ASSERT_TRUE(reader.ok()) << reader.status().message();
    auto all = summarize(**reader, UsageGroup::kNone);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].requests, 6);
    // A reader records nothing.
    (*reader)->record(make_record(7000, "x", "y", "z", 1, 1, 1));
    EXPECT_EQ(summarize(**reader, UsageGroup::kNone)[0].requests, 6);
    EXPECT_EQ((*reader)->dropped_records(), 1u);
}

TEST(SqliteUsageStore, SummaryIncludesRecordsNotYetWritten) {
    TempDir dir;
    auto store = SqliteUsageStore::open(dir.path(), never_on_its_own());
    ASSERT_TRUE(store.ok()) << store.status().message();
    record_sample(**store);
    EXPECT_EQ(requests_on_disk(dir.path()), 0) << "still queued";
    auto all = summarize(**store, UsageGroup::kNone);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].requests, 5);
    EXPECT_EQ(requests_on_disk(dir.path()), 5);
}

TEST(SqliteUsageStore, WriterWritesAfterTheIntervalOrAFullBatch) {
    {
        TempDir dir;
        SqliteUsageStore::Options o;
        o.flush_interval = std::chrono::milliseconds(20);
        auto store = SqliteUsageStore::open(dir.path(), o);
        ASSERT_TRUE(store.ok()) << store.status().message();
        record_sample(**store);
        EXPECT_TRUE(wait_for_disk(dir.path(), 5));
    }
    {
        TempDir dir;
        SqliteUsageStore::Options o = never_on_its_own();
        o.batch_size = 4;
        auto store = SqliteUsageStore::open(dir.path(), o);
        ASSERT_TRUE(store.ok()) << store.status().message();
        for (int i = 0; i < 4; ++i)
            (*store)->record(make_record(i, "k", "b", "m", 1, 1, 0));
        EXPECT_TRUE(wait_for_disk(dir.path(), 4));
        (*store)->record(make_record(4, "k", "b", "m", 1, 1, 0));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        EXPECT_EQ(requests_on_disk(dir.path()), 4) << "one record waits for more";
        (*store)->flush();
        EXPECT_EQ(requests_on_disk(dir.path()), 5);
    }
}

TEST(SqliteUsageStore, DestructorWritesWhatIsQueued) {
    TempDir dir;
    {
        auto store = SqliteUsageStore::open(dir.path(), never_on_its_own());
        ASSERT_TRUE(store.ok()) << store.status().message();
        for (int i = 0; i < 300; ++i)
            (*store)->record(make_record(i, "k", "b", "m", 1, 2, 0.001));
    }
    EXPECT_EQ(requests_on_disk(dir.path()), 300);
    // The last connection closed: the write-ahead log was folded back in.
    EXPECT_FALSE(fs::exists(dir.file("usage.db-wal")));
}

TEST(SqliteUsageStore, ConcurrentRecordsAreAllKept) {
    TempDir dir;
    SqliteUsageStore::Options o;
    o.flush_interval = std::chrono::milliseconds(1);
    o.batch_size = 16;
    auto store = SqliteUsageStore::open(dir.path(), o);
    ASSERT_TRUE(store.ok()) << store.status().message();
    constexpr int kThreads = 8;
    constexpr int kEach = 500;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                (*store)->record(
                    make_record(t * kEach + i, "key" + std::to_string(t), "b", "m", 1, t, 0.25));
                // Summaries interleave with records and the writer.
                if (i % 100 == 0) (void)(*store)->summarize(UsageQuery{});
            }
        });
    }
    for (auto& th : threads)
        th.join();
    auto by_key = summarize(**store, UsageGroup::kKey);
    ASSERT_EQ(by_key.size(), static_cast<size_t>(kThreads));
    int64_t total = 0;
    for (const UsageRow& row : by_key) {
        EXPECT_EQ(row.requests, kEach) << row.group;
        EXPECT_EQ(row.prompt_tokens, kEach) << row.group;
        EXPECT_EQ(row.completion_tokens, kEach * std::stoll(row.group.substr(3))) << row.group;
        EXPECT_DOUBLE_EQ(row.cost, kEach * 0.25);
        total += row.requests;
    }
    EXPECT_EQ(total, kThreads * kEach);
    // Most tokens first, as costs tie.
    EXPECT_EQ(by_key.front().group, "key7");
    EXPECT_EQ((*store)->dropped_records(), 0u);
    EXPECT_TRUE((*store)->last_write_error().ok());
}

TEST(SqliteUsageStore, CreatesAMissingDataDirectory) {
    TempDir dir;
    const std::string nested = dir.path() + "/a/b/data";
    auto store = SqliteUsageStore::open(nested);
    ASSERT_TRUE(store.ok()) << store.status().message();
    EXPECT_EQ((*store)->path(), nested + "/usage.db");
    EXPECT_TRUE(fs::exists(nested + "/usage.db"));
}

TEST(SqliteUsageStore, ReadOnlyOpenCreatesNothing) {
    TempDir dir;
    auto reader = SqliteUsageStore::open_read_only(dir.path() + "/missing");
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.status().code(), core::StatusCode::kNotFound);
    EXPECT_NE(reader.status().message().find("no usage recorded"), std::string::npos);
    reader = SqliteUsageStore::open_read_only(dir.path());
    ASSERT_FALSE(reader.ok());
    EXPECT_EQ(reader.status().code(), core::StatusCode::kNotFound);
    EXPECT_FALSE(fs::exists(dir.path() + "/missing"));
    EXPECT_TRUE(fs::is_empty(dir.path()));

    // Reading a closed database leaves no -wal or -shm behind.
    { ASSERT_TRUE(SqliteUsageStore::open(dir.path()).ok()); }
    EXPECT_EQ(requests_on_disk(dir.path()), 0);
    EXPECT_FALSE(fs::exists(dir.file("usage.db-wal")));
    EXPECT_FALSE(fs::exists(dir.file("usage.db-shm")));
}

TEST(SqliteUsageStore, AFileThatIsNotADatabaseIsNamed) {
    TempDir dir;
    {
        std::ofstream out(dir.file("usage.db"), std::ios::binary);
        for (int i = 0; i < 512; ++i)
            out << "this is not a database\n";
    }
    auto store = SqliteUsageStore::open(dir.path());
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), core::StatusCode::kDataLoss);
    EXPECT_NE(store.status().message().find(dir.file("usage.db") + " is not a SQLite database"),
              std::string::npos)
        << store.status().message();
    auto reader = SqliteUsageStore::open_read_only(dir.path());
    ASSERT_FALSE(reader.ok());
    EXPECT_NE(reader.status().message().find("is not a SQLite database"), std::string::npos)
        << reader.status().message();
}

TEST(SqliteUsageStore, AnUnusablePathIsNamed) {
    TempDir dir;
    // The data directory is a regular file.
    { std::ofstream(dir.file("plain")) << "x"; }
    auto store = SqliteUsageStore::open(dir.file("plain"));
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find(dir.file("plain")), std::string::npos)
        << store.status().message();
    // usage.db is a directory.
    fs::create_directories(dir.file("d/usage.db"));
    store = SqliteUsageStore::open(dir.file("d"));
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find(dir.file("d/usage.db")), std::string::npos)
        << store.status().message();
}

TEST(SqliteUsageStore, AnUnwritableDataDirectoryOrFileIsNamed) {
    if (::geteuid() == 0) GTEST_SKIP() << "root writes through permissions";
    TempDir dir;
    {
        auto store = SqliteUsageStore::open(dir.path());
        ASSERT_TRUE(store.ok()) << store.status().message();
        (*store)->record(make_record(1, "k", "b", "m", 1, 1, 0));
    }
    ASSERT_EQ(::chmod(dir.file("usage.db").c_str(), 0400), 0);
    auto store = SqliteUsageStore::open(dir.path());
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().message(),
              "cannot open " + dir.file("usage.db") + ": Permission denied");
    // Readers need no write permission on the file.
    EXPECT_EQ(requests_on_disk(dir.path()), 1);

    ASSERT_EQ(::unlink(dir.file("usage.db").c_str()), 0);
    ASSERT_EQ(::chmod(dir.path().c_str(), 0500), 0);
    store = SqliteUsageStore::open(dir.path());
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), core::StatusCode::kFailedPrecondition);
    EXPECT_NE(store.status().message().find("cannot open " + dir.file("usage.db") +
                                            ": Permission denied"),
              std::string::npos)
        << store.status().message();
}

TEST(SqliteUsageStore, AFileFromANewerEdgeaiIsRefused) {
    TempDir dir;
    { ASSERT_TRUE(SqliteUsageStore::open(dir.path()).ok()); }
    const std::string path = dir.file("usage.db");
    // Stands in for a later edgeai that migrated the file: user_version lives
    // at byte offset 60 of the header, big-endian.
    {
        std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(60);
        const char v[4] = {0, 0, 0, 9};
        f.write(v, 4);
    }
    auto store = SqliteUsageStore::open(dir.path());
    ASSERT_FALSE(store.ok());
    EXPECT_NE(store.status().message().find("newer edgeai (schema version 9"), std::string::npos)
        << store.status().message();
    auto reader = SqliteUsageStore::open_read_only(dir.path());
    ASSERT_FALSE(reader.ok());
    EXPECT_NE(reader.status().message().find("newer edgeai"), std::string::npos)
        << reader.status().message();
}

} // namespace
} // namespace edgeai::platform::native
