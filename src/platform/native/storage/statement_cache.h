// Prepared statements kept per connection, keyed by their SQL text. The job
// store runs the same few dozen statements on every poll and every group
// commit, and SQLite spends more instructions parsing such a statement than
// running it (three quarters of an idle poll, measured with callgrind).
//
// A connection is used by one thread at a time, and so is its cache.
#pragma once

#include "platform/native/storage/sqlite_util.h"

#include <string>
#include <unordered_map>

namespace edgeai::platform::native {

class StatementCache {
  public:
    struct Entry {
        Stmt stmt;
        bool in_use = false;
    };

    explicit StatementCache(sqlite3* db = nullptr) : db_(db) {}
    sqlite3* db() const { return db_; }

    // The statement for `sql`, prepared once, marked in use until release();
    // null with *rc set when it does not prepare, and null with *rc ==
    // SQLITE_OK when it is in use already (a nested query of the same text
    // prepares a statement of its own).
    Entry* lease(const std::string& sql, int* rc);
    // Reset and unbound, ready for the next lease; a reset also ends the read
    // a SELECT stopped at a row holds.
    static void release(Entry* entry);
    // Runs a statement that returns no row (BEGIN, SAVEPOINT, COMMIT...);
    // SQLite's result code, SQLITE_OK when done.
    int exec(const std::string& sql);

  private:
    sqlite3* db_;
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace edgeai::platform::native
