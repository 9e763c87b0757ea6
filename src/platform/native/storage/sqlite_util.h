// What every SQLite database in the data dir needs the same way: errors an
// operator can act on, statements that finalise themselves, and opening a
// file in WAL mode with its schema created or checked under one transaction.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <memory>
#include <string>

struct sqlite3;
struct sqlite3_stmt;

namespace edgeai::platform::native {

// How long a connection waits for another's write lock. A reader never
// blocks a WAL writer; only a second writer on the same file can, and then
// waiting a little beats failing.
inline constexpr int kSqliteBusyTimeoutMs = 5000;

// What went wrong with the file at `path`, in words an operator can act on.
core::Status sqlite_error(sqlite3* db, int rc, const std::string& path);

struct StmtCloser {
    void operator()(sqlite3_stmt* s) const;
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtCloser>;

struct DbCloser {
    void operator()(sqlite3* db) const;
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

// The first column of the first row of a one-value statement (a PRAGMA);
// returns SQLite's result code.
int query_value(sqlite3* db, const char* sql, int64_t* number, std::string* text);

// A writer connection to `path` (created when missing) in WAL mode with
// synchronous=NORMAL (a power cut loses at most the last transactions, never
// the file). A new file gets `schema_sql` and PRAGMA user_version =
// `schema_version`; a file from a newer edgeai is refused.
core::Result<Db> open_wal_database(const std::string& path, const char* schema_sql,
                                   int schema_version);

// A file of the data dir: `data_dir` + "/" + `name`.
std::string data_file(const std::string& data_dir, const char* name);

} // namespace edgeai::platform::native
