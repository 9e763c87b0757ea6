#include "platform/native/storage/sqlite_cache_store.h"

#include "platform/native/storage/data_dir.h"
#include "platform/native/system/files.h"

#include <sqlite3.h>

namespace edgeai::platform::native {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    stream INTEGER NOT NULL,
    body BLOB NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    stored_unix_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_stored ON answers (stored_unix_ms);
)sql";

void bind_text(sqlite3_stmt* s, int index, std::string_view text) {
    sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* s, int index) {
    const void* p = sqlite3_column_blob(s, index);
    const int n = sqlite3_column_bytes(s, index);
    return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

} // namespace

core::Result<std::unique_ptr<SqliteCacheStore>>
SqliteCacheStore::open(const std::string& data_dir) {
    core::Status st = open_data_dir(data_dir);
    if (!st.ok()) return st.with_context("response cache: ");
    const std::string path = data_file(data_dir, kFileName);
    auto db = open_wal_database(path, kSchema, kSchemaVersion);
    if (!db.ok()) return db.status();
    std::unique_ptr<SqliteCacheStore> store(new SqliteCacheStore(path, std::move(db).value()));
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v3(
        store->db_.get(),
        "INSERT OR REPLACE INTO answers (key, stream, body, backend, model, prompt_tokens, "
        "completion_tokens, stored_unix_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    store->put_.reset(raw);
    if (rc != SQLITE_OK) return sqlite_error(store->db_.get(), rc, path);
    rc = sqlite3_prepare_v3(store->db_.get(), "DELETE FROM answers WHERE key = ?1", -1,
                            SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    store->erase_.reset(raw);
    if (rc != SQLITE_OK) return sqlite_error(store->db_.get(), rc, path);
    return store;
}

void SqliteCacheStore::note(int rc) {
    if (rc != SQLITE_DONE && rc != SQLITE_OK) last_error_ = sqlite_error(db_.get(), rc, path_);
}

void SqliteCacheStore::put(std::string_view key, const gateway::CachedAnswer& a) {
    sqlite3_stmt* s = put_.get();
    bind_text(s, 1, key);
    sqlite3_bind_int(s, 2, a.stream ? 1 : 0);
    sqlite3_bind_blob(s, 3, a.body.data(), static_cast<int>(a.body.size()), SQLITE_STATIC);
    bind_text(s, 4, a.backend);
    bind_text(s, 5, a.model);
    sqlite3_bind_int64(s, 6, a.prompt_tokens);
    sqlite3_bind_int64(s, 7, a.completion_tokens);
    sqlite3_bind_int64(s, 8, a.stored_unix_ms);
    note(sqlite3_step(s));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

void SqliteCacheStore::erase(std::string_view key) {
    sqlite3_stmt* s = erase_.get();
    bind_text(s, 1, key);
    note(sqlite3_step(s));
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
}

void SqliteCacheStore::load(
    const std::function<void(std::string key, gateway::CachedAnswer answer)>& each) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(),
                                "SELECT key, stream, body, backend, model, prompt_tokens, "
                                "completion_tokens, stored_unix_ms FROM answers ORDER BY "
                                "stored_unix_ms",
                                -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) {
        note(rc);
        return;
    }
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
        gateway::CachedAnswer a;
        a.stream = sqlite3_column_int(raw, 1) != 0;
        a.body = column_text(raw, 2);
        a.backend = column_text(raw, 3);
        a.model = column_text(raw, 4);
        a.prompt_tokens = sqlite3_column_int64(raw, 5);
        a.completion_tokens = sqlite3_column_int64(raw, 6);
        a.stored_unix_ms = sqlite3_column_int64(raw, 7);
        each(column_text(raw, 0), std::move(a));
    }
    note(rc);
}

} // namespace edgeai::platform::native
