#include "platform/native/storage/statement_cache.h"

#include <sqlite3.h>

namespace edgeai::platform::native {

StatementCache::Entry* StatementCache::lease(const std::string& sql, int* rc) {
    *rc = SQLITE_OK;
    auto found = entries_.find(sql);
    if (found != entries_.end()) {
        if (found->second.in_use) return nullptr;
        found->second.in_use = true;
        return &found->second;
    }
    sqlite3_stmt* raw = nullptr;
    *rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()) + 1,
                             SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    if (*rc != SQLITE_OK) {
        sqlite3_finalize(raw);
        return nullptr;
    }
    Entry& entry = entries_[sql];
    entry.stmt.reset(raw);
    entry.in_use = true;
    return &entry;
}

void StatementCache::release(Entry* entry) {
    sqlite3_reset(entry->stmt.get());
    sqlite3_clear_bindings(entry->stmt.get());
    entry->in_use = false;
}

int StatementCache::exec(const std::string& sql) {
    int rc = SQLITE_OK;
    Entry* entry = lease(sql, &rc);
    if (entry == nullptr)
        return rc != SQLITE_OK ? rc : sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    rc = sqlite3_step(entry->stmt.get());
    release(entry);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

} // namespace edgeai::platform::native
