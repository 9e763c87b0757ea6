// The job store's prepared statements: prepared once per text, a nested query
// of the same text gets a statement of its own, and a released statement holds
// no read open (a WAL checkpoint can then complete).
#include "platform/native/storage/statement_cache.h"

#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

namespace edgeai::platform::native {
namespace {

Db open_db(const std::string& path) {
    auto db = open_wal_database(path, "CREATE TABLE t (v INTEGER);", 1);
    EXPECT_TRUE(db.ok()) << db.status().message();
    return std::move(db).value();
}

TEST(StatementCache, PreparesEachTextOnceAndLendsItOnceAtATime) {
    TempDir dir;
    Db db = open_db(dir.path() + "/a.db");
    StatementCache cache(db.get());
    int rc = -1;
    StatementCache::Entry* first = cache.lease("SELECT v FROM t", &rc);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(rc, SQLITE_OK);
    // In use: the same text is not lent twice.
    EXPECT_EQ(cache.lease("SELECT v FROM t", &rc), nullptr);
    EXPECT_EQ(rc, SQLITE_OK);
    StatementCache::release(first);
    EXPECT_EQ(cache.lease("SELECT v FROM t", &rc), first) << "the prepared statement is kept";
    StatementCache::release(first);
    // A text that does not prepare says why.
    EXPECT_EQ(cache.lease("SELECT nothing FROM nowhere", &rc), nullptr);
    EXPECT_EQ(rc, SQLITE_ERROR);
}

TEST(StatementCache, ReleaseResetsBindingsAndEndsTheRead) {
    TempDir dir;
    const std::string path = dir.path() + "/b.db";
    Db db = open_db(path);
    StatementCache cache(db.get());
    ASSERT_EQ(cache.exec("INSERT INTO t VALUES (1), (2)"), SQLITE_OK);
    int rc = 0;
    StatementCache::Entry* e = cache.lease("SELECT v FROM t WHERE v >= ?1", &rc);
    ASSERT_NE(e, nullptr);
    sqlite3_bind_int64(e->stmt.get(), 1, 2);
    ASSERT_EQ(sqlite3_step(e->stmt.get()), SQLITE_ROW); // stopped at a row: a read is open
    EXPECT_EQ(sqlite3_stmt_busy(e->stmt.get()), 1);
    StatementCache::release(e);
    EXPECT_EQ(sqlite3_stmt_busy(e->stmt.get()), 0);
    // Unbound again: NULL matches no row.
    e = cache.lease("SELECT v FROM t WHERE v >= ?1", &rc);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(sqlite3_step(e->stmt.get()), SQLITE_DONE);
    StatementCache::release(e);
    // Transaction control runs through the cache too.
    EXPECT_EQ(cache.exec("BEGIN IMMEDIATE"), SQLITE_OK);
    EXPECT_EQ(cache.exec("INSERT INTO t VALUES (3)"), SQLITE_OK);
    EXPECT_EQ(cache.exec("COMMIT"), SQLITE_OK);
    int64_t n = 0;
    ASSERT_EQ(query_value(db.get(), "SELECT COUNT(*) FROM t", &n, nullptr), SQLITE_OK);
    EXPECT_EQ(n, 3);
}

} // namespace
} // namespace edgeai::platform::native
