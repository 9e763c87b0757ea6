#include "platform/native/storage/sqlite_response_store.h"

#include "platform/native/storage/data_dir.h"

#include <sqlite3.h>

namespace edgeai::platform::native {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS responses (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    created_unix_ms INTEGER NOT NULL,
    response BLOB NOT NULL,
    input_items BLOB NOT NULL,
    context_items BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS responses_created ON responses (created_unix_ms);
)sql";

constexpr int64_t kSweepEveryMs = 60 * 1000;

void bind_text(sqlite3_stmt* s, int index, std::string_view text) {
    sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

void bind_blob(sqlite3_stmt* s, int index, std::string_view bytes) {
    sqlite3_bind_blob(s, index, bytes.data(), static_cast<int>(bytes.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* s, int index) {
    const void* p = sqlite3_column_blob(s, index);
    const int n = sqlite3_column_bytes(s, index);
    return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

// Resets a statement however its step ended, so it is ready for the next call.
struct Reset {
    sqlite3_stmt* s;
    ~Reset() {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
};

} // namespace

core::Result<std::unique_ptr<SqliteResponseStore>>
SqliteResponseStore::open(const std::string& data_dir, int64_t retention_ms,
                          const core::Clock& clock) {
    core::Status st = open_data_dir(data_dir);
    if (!st.ok()) return st.with_context("stored responses: ");
    const std::string path = data_file(data_dir, kFileName);
    auto db = open_wal_database(path, kSchema, kSchemaVersion);
    if (!db.ok()) return db.status();
    // The per-key quota's sums; added after version 1's schema, so files that
    // version made get it here.
    const int rc =
        sqlite3_exec(db->get(), "CREATE INDEX IF NOT EXISTS responses_owner ON responses (owner)",
                     nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db->get(), rc, path);
    std::unique_ptr<SqliteResponseStore> store(
        new SqliteResponseStore(path, std::move(db).value(), retention_ms, clock));
    EDGEAI_TRY(store->prepare("INSERT OR REPLACE INTO responses (id, owner, created_unix_ms, "
                              "response, input_items, context_items) VALUES (?1, ?2, ?3, ?4, "
                              "?5, ?6)",
                              &store->put_));
    EDGEAI_TRY(store->prepare("SELECT owner, created_unix_ms, response, input_items, "
                              "context_items FROM responses WHERE id = ?1",
                              &store->get_));
    EDGEAI_TRY(store->prepare("DELETE FROM responses WHERE id = ?1", &store->remove_));
    EDGEAI_TRY(store->prepare("DELETE FROM responses WHERE created_unix_ms < ?1", &store->sweep_));
    // length() of a blob reads its size from the record, not its pages.
    EDGEAI_TRY(store->prepare("SELECT COALESCE(SUM(length(response) + length(input_items) + "
                              "length(context_items)), 0) FROM responses WHERE owner = ?1 AND "
                              "created_unix_ms >= ?2",
                              &store->bytes_held_));
    return store;
}

core::Status SqliteResponseStore::prepare(const char* sql, Stmt* out) {
    sqlite3_stmt* raw = nullptr;
    const int rc = sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
    out->reset(raw);
    if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
    return {};
}

core::Status SqliteResponseStore::put(const gateway::StoredResponse& r) {
    const int64_t now = clock_.unix_ms();
    if (now - last_sweep_unix_ms_ >= kSweepEveryMs) {
        last_sweep_unix_ms_ = now;
        auto swept = sweep(now - retention_ms_);
        if (!swept.ok()) return swept.status();
    }
    sqlite3_stmt* s = put_.get();
    Reset reset{s};
    bind_text(s, 1, r.id);
    bind_text(s, 2, r.owner);
    sqlite3_bind_int64(s, 3, r.created_unix_ms);
    bind_blob(s, 4, r.response);
    bind_blob(s, 5, r.input_items);
    bind_blob(s, 6, r.context_items);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, path_);
    return {};
}

core::Result<std::optional<gateway::StoredResponse>> SqliteResponseStore::get(std::string_view id) {
    sqlite3_stmt* s = get_.get();
    Reset reset{s};
    bind_text(s, 1, id);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return std::optional<gateway::StoredResponse>();
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, path_);
    gateway::StoredResponse r;
    r.id.assign(id);
    r.owner = column_text(s, 0);
    r.created_unix_ms = sqlite3_column_int64(s, 1);
    r.response = column_text(s, 2);
    r.input_items = column_text(s, 3);
    r.context_items = column_text(s, 4);
    // One past its retention that no write has swept yet is gone all the same.
    if (r.created_unix_ms < clock_.unix_ms() - retention_ms_)
        return std::optional<gateway::StoredResponse>();
    return std::optional<gateway::StoredResponse>(std::move(r));
}

core::Result<bool> SqliteResponseStore::remove(std::string_view id) {
    sqlite3_stmt* s = remove_.get();
    Reset reset{s};
    bind_text(s, 1, id);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, path_);
    return sqlite3_changes(db_.get()) > 0;
}

core::Result<int64_t> SqliteResponseStore::bytes_held_by(std::string_view owner) {
    sqlite3_stmt* s = bytes_held_.get();
    Reset reset{s};
    bind_text(s, 1, owner);
    sqlite3_bind_int64(s, 2, clock_.unix_ms() - retention_ms_);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, path_);
    return static_cast<int64_t>(sqlite3_column_int64(s, 0));
}

core::Result<int64_t> SqliteResponseStore::sweep(int64_t cutoff_unix_ms) {
    sqlite3_stmt* s = sweep_.get();
    Reset reset{s};
    sqlite3_bind_int64(s, 1, cutoff_unix_ms);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, path_);
    return static_cast<int64_t>(sqlite3_changes(db_.get()));
}

} // namespace edgeai::platform::native
