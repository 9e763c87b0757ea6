#include "platform/native/storage/sqlite_usage_store.h"

#include "platform/native/storage/data_dir.h"
#include "platform/native/storage/sqlite_util.h"
#include "platform/native/system/files.h"

#include <sqlite3.h>

#include <utility>

namespace edgeai::platform::native {
namespace {

const char* kCreateSchema = R"sql(
CREATE TABLE IF NOT EXISTS usage (
    id INTEGER PRIMARY KEY,
    unix_ms INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    endpoint TEXT NOT NULL,
    backend TEXT NOT NULL,
    model TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost REAL NOT NULL,
    status INTEGER NOT NULL,
    estimated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS usage_unix_ms ON usage (unix_ms);
)sql";

const char* kInsert =
    "INSERT INTO usage (unix_ms, request_id, key_id, endpoint, backend, model, prompt_tokens, "
    "completion_tokens, cost, status, estimated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
    "?11)";

core::Status check_version(int64_t version, const std::string& path) {
    if (version > SqliteUsageStore::kSchemaVersion) {
        return core::failed_precondition(path + " was written by a newer edgeai (schema version " +
                                         std::to_string(version) + ", this one knows up to " +
                                         std::to_string(SqliteUsageStore::kSchemaVersion) + ")");
    }
    return {};
}

std::string usage_db_path(const std::string& data_dir) {
    return data_file(data_dir, SqliteUsageStore::kFileName);
}

} // namespace

SqliteUsageStore::SqliteUsageStore(std::string path, Options options)
    : path_(std::move(path)), options_(options) {}

core::Result<std::unique_ptr<SqliteUsageStore>> SqliteUsageStore::open(const std::string& data_dir,
                                                                       const Options& options) {
    core::Status st = open_data_dir(data_dir);
    if (!st.ok()) return st.with_context("usage database: ");
    const std::string path = usage_db_path(data_dir);
    std::unique_ptr<SqliteUsageStore> store(new SqliteUsageStore(path, options));
    st = store->open_writer();
    if (!st.ok()) return st;
    st = store->open_reader(false);
    if (!st.ok()) return st;
    BatchWriter<router::UsageRecord>::Options batching;
    batching.max_delay = options.flush_interval;
    batching.batch_size = options.batch_size;
    batching.max_queued = options.max_queued;
    store->batches_ = std::make_unique<BatchWriter<router::UsageRecord>>(
        batching, [s = store.get()](std::vector<router::UsageRecord>& batch, uint64_t) {
            s->on_batch(batch);
        });
    return store;
}

core::Result<std::unique_ptr<SqliteUsageStore>>
SqliteUsageStore::open_read_only(const std::string& data_dir) {
    const std::string path = usage_db_path(data_dir);
    if (!file_exists(path))
        return core::not_found("no usage recorded yet (" + path + " is absent)");
    std::unique_ptr<SqliteUsageStore> store(new SqliteUsageStore(path, Options{}));
    core::Status st = store->open_reader(true);
    if (!st.ok()) return st;
    return store;
}

core::Status SqliteUsageStore::open_writer() {
    auto db = open_wal_database(path_, kCreateSchema, kSchemaVersion);
    if (!db.ok()) return db.status();
    writer_ = std::move(db).value().release();
    int rc = sqlite3_prepare_v3(writer_, kInsert, -1, SQLITE_PREPARE_PERSISTENT, &insert_, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(writer_, rc, path_);
    return {};
}

core::Status SqliteUsageStore::open_reader(bool read_only) {
    // Read-write without create even for the read-only store: SQLite then
    // falls back to read-only by itself when the file is write-protected, and
    // the last connection to close removes the -wal and -shm files, which a
    // read-only connection would leave behind.
    int rc = sqlite3_open_v2(path_.c_str(), &reader_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) return sqlite_error(reader_, rc, path_);
    sqlite3_busy_timeout(reader_, kSqliteBusyTimeoutMs);
    rc = sqlite3_exec(reader_, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(reader_, rc, path_);
    if (!read_only) return {};
    int64_t version = 0;
    rc = query_value(reader_, "PRAGMA user_version", &version, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(reader_, rc, path_);
    // A file whose schema is not there yet holds no usage either.
    if (version == 0) return core::not_found("no usage recorded yet (" + path_ + " is empty)");
    return check_version(version, path_);
}

SqliteUsageStore::~SqliteUsageStore() {
    if (batches_) batches_->stop();
    sqlite3_finalize(insert_);
    sqlite3_close_v2(reader_);
    sqlite3_close_v2(writer_);
}

void SqliteUsageStore::record(router::UsageRecord record) {
    if (!batches_ || !batches_->push(std::move(record))) ++failed_;
}

void SqliteUsageStore::flush() {
    if (batches_) batches_->flush();
}

uint64_t SqliteUsageStore::dropped_records() const {
    return failed_.load() + (batches_ ? batches_->refused() : 0);
}

core::Status SqliteUsageStore::last_write_error() const {
    std::lock_guard<std::mutex> lock(error_mu_);
    return last_error_;
}

void SqliteUsageStore::on_batch(const std::vector<router::UsageRecord>& batch) {
    core::Status st = write_batch(batch);
    if (st.ok()) return;
    failed_ += batch.size();
    std::lock_guard<std::mutex> lock(error_mu_);
    last_error_ = std::move(st);
}

core::Status SqliteUsageStore::write_batch(const std::vector<router::UsageRecord>& batch) {
    int rc = sqlite3_exec(writer_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(writer_, rc, path_);
    auto text = [&](int index, const std::string& s) {
        sqlite3_bind_text(insert_, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    };
    for (const router::UsageRecord& r : batch) {
        sqlite3_bind_int64(insert_, 1, r.unix_ms);
        text(2, r.request_id);
        text(3, r.key_id);
        text(4, r.endpoint);
        text(5, r.backend);
        text(6, r.model);
        sqlite3_bind_int64(insert_, 7, r.prompt_tokens);
        sqlite3_bind_int64(insert_, 8, r.completion_tokens);
        sqlite3_bind_double(insert_, 9, r.cost);
        sqlite3_bind_int(insert_, 10, r.status);
        sqlite3_bind_int(insert_, 11, r.estimated ? 1 : 0);
        rc = sqlite3_step(insert_);
        sqlite3_reset(insert_);
        if (rc != SQLITE_DONE) break;
    }
    // The bound strings belong to the batch, which the caller is about to clear.
    sqlite3_clear_bindings(insert_);
    if (rc == SQLITE_DONE) rc = sqlite3_exec(writer_, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_DONE) {
        core::Status st = sqlite_error(writer_, rc, path_);
        sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    return {};
}

core::Result<std::vector<router::UsageRow>>
SqliteUsageStore::summarize(const router::UsageQuery& query) {
    flush();
    const char* group = "''";
    switch (query.by) {
    case router::UsageGroup::kKey:
        group = "key_id";
        break;
    case router::UsageGroup::kBackend:
        group = "backend";
        break;
    case router::UsageGroup::kModel:
        group = "model";
        break;
    case router::UsageGroup::kNone:
        break;
    }
    std::string sql = std::string("SELECT ") + group +
                      ", COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), TOTAL(cost) "
                      "FROM usage WHERE unix_ms >= ?1";
    if (query.by != router::UsageGroup::kNone) {
        sql += " GROUP BY 1 ORDER BY TOTAL(cost) DESC, "
               "SUM(prompt_tokens) + SUM(completion_tokens) DESC, 1";
    }

    std::lock_guard<std::mutex> lock(read_mu_);
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(reader_, sql.c_str(), -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return sqlite_error(reader_, rc, path_);
    sqlite3_bind_int64(raw, 1, query.since_unix_ms);
    std::vector<router::UsageRow> rows;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
        router::UsageRow row;
        const unsigned char* g = sqlite3_column_text(raw, 0);
        if (g != nullptr) row.group = reinterpret_cast<const char*>(g);
        row.requests = sqlite3_column_int64(raw, 1);
        row.prompt_tokens = sqlite3_column_int64(raw, 2);
        row.completion_tokens = sqlite3_column_int64(raw, 3);
        row.cost = sqlite3_column_double(raw, 4);
        // Without GROUP BY an empty table still yields one row of zeros.
        if (row.requests > 0) rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return sqlite_error(reader_, rc, path_);
    return rows;
}

} // namespace edgeai::platform::native
