#include "platform/native/storage/sqlite_job_store.h"

#include "core/id_maker.h"
#include "platform/native/storage/data_dir.h"
#include "platform/native/storage/statement_cache.h"
#include "platform/native/system/files.h"

#include <sqlite3.h>

#include <utility>

namespace edgeai::platform::native {
namespace {

using queue::Job;
using queue::JobStatus;

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    status INTEGER NOT NULL,
    path TEXT NOT NULL,
    body BLOB NOT NULL,
    model TEXT NOT NULL,
    idempotency_key TEXT,
    callback_url TEXT NOT NULL,
    priority INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    run_after_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL,
    last_error TEXT NOT NULL,
    result_status INTEGER NOT NULL,
    result_body BLOB NOT NULL,
    webhook_state INTEGER NOT NULL DEFAULT 0,
    webhook_attempts INTEGER NOT NULL DEFAULT 0,
    webhook_after_ms INTEGER NOT NULL DEFAULT 0,
    batch_id TEXT NOT NULL DEFAULT '',
    custom_id TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS jobs_webhooks ON jobs (webhook_state, webhook_after_ms);
CREATE INDEX IF NOT EXISTS jobs_batch ON jobs (batch_id, status) WHERE batch_id != '';
CREATE TABLE IF NOT EXISTS files (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    purpose TEXT NOT NULL,
    filename TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_ms INTEGER NOT NULL,
    content BLOB NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS batches (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    status INTEGER NOT NULL,
    endpoint TEXT NOT NULL,
    input_file_id TEXT NOT NULL,
    completion_window TEXT NOT NULL,
    output_file_id TEXT NOT NULL,
    error_file_id TEXT NOT NULL,
    errors_json TEXT NOT NULL,
    metadata_json TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    in_progress_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    finalizing_ms INTEGER NOT NULL,
    completed_ms INTEGER NOT NULL,
    failed_ms INTEGER NOT NULL,
    cancelling_ms INTEGER NOT NULL,
    cancelled_ms INTEGER NOT NULL,
    expired_ms INTEGER NOT NULL,
    owner TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (status, priority DESC, created_ms, seq);
)sql";

// A webhook claim reads at most this many due webhooks per slot: enough to
// see every key that waits, bounded however many one key has queued.
constexpr int64_t kWebhookCandidatesPerSlot = 16;

constexpr const char* kColumns =
    "id, status, path, body, model, idempotency_key, callback_url, priority, created_ms, "
    "updated_ms, run_after_ms, expires_ms, attempts, last_error, result_status, result_body, "
    "webhook_state, webhook_attempts, webhook_after_ms, batch_id, custom_id, owner";

// Most operations are a fixed statement: prepare, bind, step, done.
class Query {
  public:
    Query(StatementCache& cache, const std::string& sql) : db_(cache.db()) {
        entry_ = cache.lease(sql, &rc_);
        if (entry_ != nullptr) {
            stmt_ = entry_->stmt.get();
        } else if (rc_ == SQLITE_OK) {
            sqlite3_stmt* raw = nullptr;
            rc_ = sqlite3_prepare_v2(db_, sql.c_str(), -1, &raw, nullptr);
            own_.reset(raw);
            stmt_ = raw;
        }
    }
    ~Query() {
        if (entry_ != nullptr) StatementCache::release(entry_);
    }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    Query& text(int i, std::string_view s) {
        if (ok())
            sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Query& blob(int i, std::string_view s) {
        if (ok())
            sqlite3_bind_blob(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Query& integer(int i, int64_t v) {
        if (ok()) sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Query& null(int i) {
        if (ok()) sqlite3_bind_null(stmt_, i);
        return *this;
    }
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() {
        if (!ok()) return rc_;
        rc_ = sqlite3_step(stmt_);
        return rc_;
    }
    sqlite3_stmt* get() const { return stmt_; }
    bool ok() const { return rc_ == SQLITE_OK || rc_ == SQLITE_ROW || rc_ == SQLITE_DONE; }
    core::Status status(const std::string& path) const {
        return ok() ? core::Status() : sqlite_error(db_, rc_, path);
    }

  private:
    sqlite3* db_;
    StatementCache::Entry* entry_ = nullptr; // leased from the cache
    Stmt own_;                               // or prepared for this query alone
    sqlite3_stmt* stmt_ = nullptr;
    int rc_ = SQLITE_OK;
};

std::string column_bytes(sqlite3_stmt* s, int i) {
    const void* p = sqlite3_column_blob(s, i);
    const int n = sqlite3_column_bytes(s, i);
    return p != nullptr ? std::string(static_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

Job read_job(sqlite3_stmt* s) {
    Job j;
    j.id = column_bytes(s, 0);
    const int64_t status = sqlite3_column_int64(s, 1);
    j.status = status >= 0 && status <= 5 ? static_cast<JobStatus>(status) : JobStatus::kFailed;
    j.path = column_bytes(s, 2);
    j.body = column_bytes(s, 3);
    j.model = column_bytes(s, 4);
    j.idempotency_key = column_bytes(s, 5);
    j.callback_url = column_bytes(s, 6);
    j.priority = sqlite3_column_int64(s, 7);
    j.created_ms = sqlite3_column_int64(s, 8);
    j.updated_ms = sqlite3_column_int64(s, 9);
    j.run_after_ms = sqlite3_column_int64(s, 10);
    j.expires_ms = sqlite3_column_int64(s, 11);
    j.attempts = sqlite3_column_int64(s, 12);
    j.last_error = column_bytes(s, 13);
    j.result_status = static_cast<int>(sqlite3_column_int64(s, 14));
    j.result_body = column_bytes(s, 15);
    const int64_t webhook = sqlite3_column_int64(s, 16);
    j.webhook = webhook >= 0 && webhook <= 3 ? static_cast<queue::WebhookState>(webhook)
                                             : queue::WebhookState::kFailed;
    j.webhook_attempts = sqlite3_column_int64(s, 17);
    j.webhook_after_ms = sqlite3_column_int64(s, 18);
    j.batch_id = column_bytes(s, 19);
    j.custom_id = column_bytes(s, 20);
    j.owner = column_bytes(s, 21);
    return j;
}

// An op's callback: the commit's failure, or what the op left in `result`.
template <typename T, typename Done>
std::function<void(core::Status)> answer_with(std::shared_ptr<T> result, Done done) {
    return [result, done = std::move(done)](core::Status st) {
        if (!st.ok())
            done(st);
        else
            done(std::move(*result));
    };
}

int64_t status_code(JobStatus s) {
    return static_cast<int64_t>(s);
}

core::Result<std::optional<Job>> find_job(StatementCache& db, const std::string& path,
                                          const char* where, std::string_view value) {
    Query q(db, std::string("SELECT ") + kColumns + " FROM jobs WHERE " + where);
    q.text(1, value);
    const int rc = q.step();
    if (rc == SQLITE_ROW) return std::optional<Job>(read_job(q.get()));
    if (rc == SQLITE_DONE) return std::optional<Job>();
    return q.status(path);
}

// Jobs that hold a place in the queue, and the bytes every job holds.
core::Status load_usage(StatementCache& db, const std::string& path, int64_t* active,
                        int64_t* bytes) {
    Query q(db, "SELECT COUNT(*) FILTER (WHERE status IN (0, 1)), "
                "TOTAL(length(body) + length(result_body)) FROM jobs");
    if (q.step() != SQLITE_ROW) return q.status(path);
    *active = sqlite3_column_int64(q.get(), 0);
    *bytes = static_cast<int64_t>(sqlite3_column_double(q.get(), 1));
    return {};
}

// Schema 1 -> 2: owners. One transaction, so two processes opening an old
// file cannot both add the columns.
core::Status migrate(sqlite3* db, const std::string& path) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, path);
    int64_t version = 0;
    rc = query_value(db, "PRAGMA user_version", &version, nullptr);
    if (rc == SQLITE_OK && version == 1) {
        rc = sqlite3_exec(db,
                          "ALTER TABLE jobs ADD COLUMN owner TEXT NOT NULL DEFAULT '';"
                          "ALTER TABLE files ADD COLUMN owner TEXT NOT NULL DEFAULT '';"
                          "ALTER TABLE batches ADD COLUMN owner TEXT NOT NULL DEFAULT '';"
                          "PRAGMA user_version=2;",
                          nullptr, nullptr, nullptr);
    }
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        core::Status st = sqlite_error(db, rc, path);
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    return {};
}

} // namespace

core::Result<std::unique_ptr<SqliteJobStore>>
SqliteJobStore::open_at(const std::string& path, core::Executor* executor, Limits limits) {
    auto writer = open_wal_database(path, kSchema, kSchemaVersion);
    if (!writer.ok()) return writer.status();
    std::unique_ptr<SqliteJobStore> store(new SqliteJobStore(path, executor, limits));
    store->writer_ = std::move(writer).value();
    sqlite3* db = store->writer_.get();
    EDGEAI_TRY(migrate(db, path));
    // After the migration, which adds the owner columns to older files.
    int rc_index = sqlite3_exec(db,
                                "CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, status);"
                                "CREATE INDEX IF NOT EXISTS files_owner ON files (owner);",
                                nullptr, nullptr, nullptr);
    if (rc_index != SQLITE_OK) return sqlite_error(db, rc_index, path);
    // An acknowledged job must survive a power cut, not only a crash.
    int rc = sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, path);
    if (executor != nullptr) {
        // This process delivers jobs: none can be running yet, so any marked
        // running were cut off by a crash and go back to the queue.
        rc = sqlite3_exec(db, "UPDATE jobs SET status = 0 WHERE status = 1", nullptr, nullptr,
                          nullptr);
        if (rc != SQLITE_OK) return sqlite_error(db, rc, path);
        store->recovered_ = sqlite3_changes(db);
    }
    store->writer_statements_ = StatementCache(db);
    EDGEAI_TRY(load_usage(store->writer_statements_, path, &store->active_, &store->bytes_));
    sqlite3* reader = nullptr;
    rc = sqlite3_open_v2(path.c_str(), &reader, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                         nullptr);
    store->reader_.reset(reader);
    if (rc != SQLITE_OK) return sqlite_error(reader, rc, path);
    sqlite3_busy_timeout(reader, kSqliteBusyTimeoutMs);
    rc = sqlite3_exec(reader, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(reader, rc, path);
    store->reader_statements_ = StatementCache(reader);
    if (executor != nullptr) {
        // No delay: what queued while a commit ran is the next group.
        store->batches_ = std::make_unique<BatchWriter<Op>>(
            BatchWriter<Op>::Options{},
            [s = store.get()](std::vector<Op>& batch, uint64_t) { s->commit_group(batch); });
    }
    return store;
}

core::Result<std::unique_ptr<SqliteJobStore>>
SqliteJobStore::open(const std::string& data_dir, core::Executor& executor, Limits limits) {
    core::Status st = open_data_dir(data_dir);
    if (!st.ok()) return st.with_context("job queue: ");
    return open_at(data_file(data_dir, kFileName), &executor, limits);
}

core::Result<std::unique_ptr<SqliteJobStore>>
SqliteJobStore::open_direct(const std::string& data_dir) {
    const std::string path = data_file(data_dir, kFileName);
    if (!file_exists(path)) return core::not_found("no jobs yet (" + path + " is absent)");
    return open_at(path, nullptr, Limits{});
}

SqliteJobStore::~SqliteJobStore() {
    if (batches_) batches_->stop();
}

uint64_t SqliteJobStore::commits() const {
    return commits_.load();
}

void SqliteJobStore::deliver(std::function<void()> fn) {
    if (executor_ != nullptr)
        executor_->post(std::move(fn));
    else
        fn();
}

void SqliteJobStore::submit(Op op) {
    if (!batches_) {
        // Direct: the op is its own transaction, here and now.
        std::vector<Op> batch;
        batch.push_back(std::move(op));
        std::vector<core::Status> results;
        core::Status st = run_batch(batch, results);
        ++commits_;
        batch.front().after(st.ok() ? results.front() : st);
        return;
    }
    if (batches_->push(std::move(op))) return;
    deliver([after = std::move(op.after)] {
        after(core::unavailable("the job queue is shutting down"));
    });
}

void SqliteJobStore::commit_group(std::vector<Op>& batch) {
    std::vector<core::Status> results;
    // A batch that changed nothing (an idle poll) writes no WAL frame and
    // costs no fsync, so it is not counted as a commit.
    const int changes_before = sqlite3_total_changes(writer_.get());
    core::Status st = run_batch(batch, results);
    if (sqlite3_total_changes(writer_.get()) != changes_before) ++commits_;
    for (size_t i = 0; i < batch.size(); ++i) {
        core::Status outcome = st.ok() ? results[i] : st;
        deliver([after = std::move(batch[i].after), outcome] { after(outcome); });
    }
}

core::Status SqliteJobStore::run_batch(std::vector<Op>& batch, std::vector<core::Status>& results) {
    StatementCache& db = writer_statements_;
    results.assign(batch.size(), core::Status());
    int rc = db.exec("BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) return sqlite_error(db.db(), rc, path_);
    for (size_t i = 0; i < batch.size(); ++i) {
        // Each op in its own savepoint: one that fails leaves the others' work.
        db.exec("SAVEPOINT op");
        results[i] = batch[i].run(db);
        if (!results[i].ok()) db.exec("ROLLBACK TO op");
        db.exec("RELEASE op");
    }
    rc = db.exec("COMMIT");
    if (rc != SQLITE_OK) {
        core::Status st = sqlite_error(db.db(), rc, path_);
        db.exec("ROLLBACK");
        // The ops' counts went with the rollback.
        (void)load_usage(db, path_, &active_, &bytes_);
        return st;
    }
    return {};
}

core::Status SqliteJobStore::check_owner_share(StatementCache& db, const std::string& owner,
                                               int64_t jobs, int64_t bytes) {
    if (owner.empty()) return {};
    if (limits_.max_jobs_per_owner > 0 && jobs > 0) {
        Query q(db, "SELECT COUNT(*) FROM jobs WHERE owner = ?1 AND status IN (0, 1)");
        q.text(1, owner);
        if (q.step() != SQLITE_ROW) return q.status(path_);
        const int64_t held = sqlite3_column_int64(q.get(), 0);
        if (held + jobs > limits_.max_jobs_per_owner) {
            return core::Status(core::StatusCode::kResourceExhausted,
                                "this API key's share of the job queue is full (" +
                                    std::to_string(held) + " jobs waiting or running, " +
                                    std::to_string(jobs) +
                                    " more asked; queue.max_jobs_per_key "
                                    "is " +
                                    std::to_string(limits_.max_jobs_per_owner) + ")");
        }
    }
    if (limits_.max_bytes_per_owner > 0 && bytes > 0) {
        Query q(db, "SELECT (SELECT TOTAL(length(body) + length(result_body)) FROM jobs "
                    "WHERE owner = ?1) + (SELECT TOTAL(bytes) FROM files WHERE owner = ?1)");
        q.text(1, owner);
        if (q.step() != SQLITE_ROW) return q.status(path_);
        const auto held = static_cast<int64_t>(sqlite3_column_double(q.get(), 0));
        if (held + bytes > limits_.max_bytes_per_owner) {
            return core::Status(core::StatusCode::kResourceExhausted,
                                "this API key's share of the job store is full (" +
                                    std::to_string(held) + " bytes held; " +
                                    "queue.max_bytes_per_key is " +
                                    std::to_string(limits_.max_bytes_per_owner) + ")");
        }
    }
    return {};
}

core::Status SqliteJobStore::insert_job(StatementCache& db, const Job& j) {
    if (active_ >= limits_.max_jobs) {
        return core::Status(core::StatusCode::kResourceExhausted,
                            "the job queue is full (" + std::to_string(active_) +
                                " jobs waiting or running, queue.max_jobs)");
    }
    const int64_t size = static_cast<int64_t>(j.body.size());
    if (bytes_ + size > limits_.max_bytes) {
        return core::Status(core::StatusCode::kResourceExhausted,
                            "the job queue is full (" + std::to_string(bytes_) +
                                " bytes held, queue.max_bytes)");
    }
    Query q(db, std::string("INSERT INTO jobs (") + kColumns +
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
                    "?15, ?16, 0, 0, 0, ?17, ?18, ?19)");
    q.text(1, j.id).integer(2, status_code(j.status)).text(3, j.path).blob(4, j.body);
    q.text(5, j.model);
    if (j.idempotency_key.empty())
        q.null(6);
    else
        q.text(6, j.idempotency_key);
    q.text(7, j.callback_url).integer(8, j.priority).integer(9, j.created_ms);
    q.integer(10, j.updated_ms).integer(11, j.run_after_ms).integer(12, j.expires_ms);
    q.integer(13, j.attempts).text(14, j.last_error).integer(15, j.result_status);
    q.blob(16, j.result_body).text(17, j.batch_id).text(18, j.custom_id).text(19, j.owner);
    if (q.step() != SQLITE_DONE) return q.status(path_);
    ++active_;
    bytes_ += size;
    return {};
}

void SqliteJobStore::enqueue(Job job, std::function<void(core::Result<Job>)> done) {
    auto stored = std::make_shared<Job>(std::move(job));
    Op op;
    op.run = [this, stored](StatementCache& db) -> core::Status {
        if (!stored->idempotency_key.empty()) {
            auto earlier = find_job(db, path_, "idempotency_key = ?1", stored->idempotency_key);
            if (!earlier.ok()) return earlier.status();
            if (*earlier) {
                *stored = std::move(**earlier); // the first submission answers
                return {};
            }
        }
        EDGEAI_TRY(
            check_owner_share(db, stored->owner, 1, static_cast<int64_t>(stored->body.size())));
        return insert_job(db, *stored);
    };
    op.after = answer_with(stored, std::move(done));
    submit(std::move(op));
}

core::Result<std::optional<Job>> SqliteJobStore::get(const std::string& id) {
    std::lock_guard<std::mutex> lock(read_mu_);
    return find_job(reader_statements_, path_, "id = ?1", id);
}

core::Result<std::vector<Job>> SqliteJobStore::list(const queue::JobFilter& filter) {
    std::lock_guard<std::mutex> lock(read_mu_);
    std::string sql = std::string("SELECT ") + kColumns + " FROM jobs WHERE 1";
    if (filter.status) sql += " AND status = ?1";
    if (!filter.after.empty()) sql += " AND seq < (SELECT seq FROM jobs WHERE id = ?2)";
    if (filter.owner) sql += " AND owner = ?4";
    sql += " ORDER BY seq DESC LIMIT ?3";
    Query q(reader_statements_, sql);
    if (filter.status) q.integer(1, status_code(*filter.status));
    if (!filter.after.empty()) q.text(2, filter.after);
    q.integer(3, static_cast<int64_t>(filter.limit));
    if (filter.owner) q.text(4, *filter.owner);
    std::vector<Job> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        out.push_back(read_job(q.get()));
    if (rc != SQLITE_DONE) return q.status(path_);
    return out;
}

void SqliteJobStore::claim(size_t max, int64_t now_ms,
                           std::function<void(core::Result<std::vector<Job>>)> done) {
    auto claimed = std::make_shared<std::vector<Job>>();
    Op op;
    op.run = [this, claimed, max, now_ms](StatementCache& db) -> core::Status {
        Query q(db, std::string("SELECT ") + kColumns +
                        " FROM jobs WHERE status = 0 AND run_after_ms <= ?1 "
                        "ORDER BY priority DESC, created_ms, seq LIMIT ?2");
        q.integer(1, now_ms).integer(2, static_cast<int64_t>(max));
        int rc;
        while ((rc = q.step()) == SQLITE_ROW)
            claimed->push_back(read_job(q.get()));
        if (rc != SQLITE_DONE) return q.status(path_);
        for (Job& j : *claimed) {
            j.status = JobStatus::kRunning;
            ++j.attempts;
            j.updated_ms = now_ms;
            Query u(db, "UPDATE jobs SET status = 1, attempts = ?2, updated_ms = ?3 WHERE id = ?1");
            u.text(1, j.id).integer(2, j.attempts).integer(3, now_ms);
            if (u.step() != SQLITE_DONE) return u.status(path_);
        }
        return {};
    };
    op.after = answer_with(claimed, std::move(done));
    submit(std::move(op));
}

void SqliteJobStore::finish(const Job& job, Done done) {
    Op op;
    op.run = [this, job](StatementCache& db) -> core::Status {
        // A job cancelled while it ran stays cancelled.
        Query q(db, "UPDATE jobs SET status = ?2, result_status = ?3, result_body = ?4, "
                    "last_error = ?5, updated_ms = ?6, webhook_after_ms = ?6, "
                    "webhook_state = CASE WHEN callback_url != '' THEN 1 ELSE 0 END "
                    "WHERE id = ?1 AND status = 1");
        q.text(1, job.id).integer(2, status_code(job.status)).integer(3, job.result_status);
        q.blob(4, job.result_body).text(5, job.last_error).integer(6, job.updated_ms);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        if (sqlite3_changes(db.db()) > 0) {
            --active_;
            bytes_ += static_cast<int64_t>(job.result_body.size());
        }
        return {};
    };
    op.after = std::move(done);
    submit(std::move(op));
}

void SqliteJobStore::back_to_queue(const std::string& id, int64_t run_after_ms, std::string why,
                                   int64_t uncount, Done done) {
    Op op;
    op.run = [this, id, run_after_ms, uncount,
              why = std::move(why)](StatementCache& db) -> core::Status {
        Query q(db, "UPDATE jobs SET status = 0, attempts = attempts - ?4, run_after_ms = ?2, "
                    "last_error = ?3, updated_ms = ?2 WHERE id = ?1 AND status = 1");
        q.text(1, id).integer(2, run_after_ms).text(3, why).integer(4, uncount);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        return {};
    };
    op.after = std::move(done);
    submit(std::move(op));
}

void SqliteJobStore::retry_later(const std::string& id, int64_t run_after_ms, std::string error,
                                 Done done) {
    back_to_queue(id, run_after_ms, std::move(error), 0, std::move(done));
}

void SqliteJobStore::release(const std::string& id, int64_t run_after_ms, std::string reason,
                             Done done) {
    // Untried: the claim's attempt is given back.
    back_to_queue(id, run_after_ms, std::move(reason), 1, std::move(done));
}

void SqliteJobStore::cancel(const std::string& id, std::function<void(core::Result<Job>)> done) {
    auto result = std::make_shared<core::Result<Job>>(core::not_found(""));
    Op op;
    op.run = [this, id, result](StatementCache& db) -> core::Status {
        auto found = find_job(db, path_, "id = ?1", id);
        if (!found.ok()) return found.status();
        if (!*found) {
            *result = core::not_found("no job '" + id + "'");
            return {};
        }
        Job job = std::move(**found);
        if (queue::is_final(job.status)) {
            *result =
                core::failed_precondition("job '" + id + "' has already ended (" +
                                          std::string(queue::job_status_name(job.status)) + ")");
            return {};
        }
        Query q(db, "UPDATE jobs SET status = 4 WHERE id = ?1");
        q.text(1, id);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        --active_;
        job.status = JobStatus::kCancelled;
        *result = std::move(job);
        return {};
    };
    op.after = answer_with(result, std::move(done));
    submit(std::move(op));
}

void SqliteJobStore::claim_webhooks(const queue::WebhookClaim& claim, int64_t now_ms,
                                    int64_t lease_ms,
                                    std::function<void(core::Result<std::vector<Job>>)> done) {
    auto claimed = std::make_shared<std::vector<Job>>();
    Op op;
    op.run = [this, claimed, claim, now_ms, lease_ms](StatementCache& db) -> core::Status {
        if (claim.room() == 0) return {};
        // Candidates round the owners (each one's oldest first): no owner can
        // take more than every slot, so deeper rows are never read.
        const auto slots = static_cast<int64_t>(claim.slots);
        Query q(db, "SELECT id, owner FROM (SELECT id, owner, webhook_after_ms, ROW_NUMBER() "
                    "OVER (PARTITION BY owner ORDER BY webhook_after_ms, id) AS turn FROM jobs "
                    "WHERE webhook_state = 1 AND webhook_after_ms <= ?1) WHERE turn <= ?2 "
                    "ORDER BY turn, webhook_after_ms LIMIT ?3");
        q.integer(1, now_ms).integer(2, slots).integer(3, slots * kWebhookCandidatesPerSlot);
        std::vector<std::string> ids, owners;
        int rc;
        while ((rc = q.step()) == SQLITE_ROW) {
            ids.push_back(column_bytes(q.get(), 0));
            owners.push_back(column_bytes(q.get(), 1));
        }
        if (rc != SQLITE_DONE) return q.status(path_);
        for (size_t i : queue::pick_webhooks(claim, owners)) {
            auto found = find_job(db, path_, "id = ?1", ids[i]);
            if (!found.ok()) return found.status();
            if (!*found) continue;
            Job& j = claimed->emplace_back(std::move(**found));
            ++j.webhook_attempts;
            Query u(db,
                    "UPDATE jobs SET webhook_attempts = ?2, webhook_after_ms = ?3 WHERE id = ?1");
            u.text(1, j.id).integer(2, j.webhook_attempts).integer(3, now_ms + lease_ms);
            if (u.step() != SQLITE_DONE) return u.status(path_);
        }
        return {};
    };
    op.after = answer_with(claimed, std::move(done));
    submit(std::move(op));
}

void SqliteJobStore::webhook_done(const std::string& id, bool delivered, bool give_up,
                                  int64_t retry_at_ms, Done done) {
    Op op;
    op.run = [this, id, delivered, give_up, retry_at_ms](StatementCache& db) -> core::Status {
        const int64_t state = delivered ? 2 : give_up ? 3 : 1;
        Query q(db, "UPDATE jobs SET webhook_state = ?2, webhook_after_ms = ?3 WHERE id = ?1");
        q.text(1, id).integer(2, state).integer(3, retry_at_ms);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        return {};
    };
    op.after = std::move(done);
    submit(std::move(op));
}

void SqliteJobStore::expire(int64_t now_ms, std::function<void(core::Result<int64_t>)> done) {
    auto expired = std::make_shared<int64_t>(0);
    Op op;
    op.run = [this, now_ms, expired](StatementCache& db) -> core::Status {
        Query q(db, "UPDATE jobs SET status = 5, updated_ms = ?1 "
                    "WHERE status = 0 AND expires_ms > 0 AND expires_ms <= ?1");
        q.integer(1, now_ms);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        *expired = sqlite3_changes(db.db());
        // Also the moment to recount: `edgeai queue purge` may have deleted
        // jobs from another process.
        return load_usage(db, path_, &active_, &bytes_);
    };
    op.after = answer_with(expired, std::move(done));
    submit(std::move(op));
}

void SqliteJobStore::requeue(const std::string& id, int64_t now_ms,
                             std::function<void(core::Result<Job>)> done) {
    auto result = std::make_shared<core::Result<Job>>(core::not_found(""));
    Op op;
    op.run = [this, id, now_ms, result](StatementCache& db) -> core::Status {
        auto found = find_job(db, path_, "id = ?1", id);
        if (!found.ok()) return found.status();
        if (!*found) {
            *result = core::not_found("no job '" + id + "'");
            return {};
        }
        Job job = std::move(**found);
        if (!queue::is_final(job.status) || job.status == JobStatus::kSucceeded) {
            *result = core::failed_precondition(
                "job '" + id + "' is " + std::string(queue::job_status_name(job.status)) +
                "; only failed, cancelled or expired jobs go back to the queue");
            return {};
        }
        Query q(db, "UPDATE jobs SET status = 0, attempts = 0, run_after_ms = ?2, updated_ms = ?2, "
                    "result_status = 0, result_body = '' WHERE id = ?1");
        q.text(1, id).integer(2, now_ms);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        ++active_;
        job.status = JobStatus::kQueued;
        job.attempts = 0;
        job.result_status = 0;
        job.result_body.clear();
        *result = std::move(job);
        return {};
    };
    op.after = answer_with(result, std::move(done));
    submit(std::move(op));
}

void SqliteJobStore::purge(JobStatus status, int64_t before_ms,
                           std::function<void(core::Result<int64_t>)> done) {
    if (status == JobStatus::kRunning) {
        done(core::failed_precondition("running jobs cannot be purged: a server is delivering "
                                       "them (cancel them first)"));
        return;
    }
    auto deleted = std::make_shared<int64_t>(0);
    Op op;
    op.run = [this, status, before_ms, deleted](StatementCache& db) -> core::Status {
        Query q(db, "DELETE FROM jobs WHERE status = ?1 AND updated_ms < ?2");
        q.integer(1, status_code(status)).integer(2, before_ms);
        if (q.step() != SQLITE_DONE) return q.status(path_);
        *deleted = sqlite3_changes(db.db());
        return load_usage(db, path_, &active_, &bytes_);
    };
    op.after = answer_with(deleted, std::move(done));
    submit(std::move(op));
}

core::Result<queue::QueueCounts> SqliteJobStore::counts() {
    std::lock_guard<std::mutex> lock(read_mu_);
    queue::QueueCounts c;
    Query q(reader_statements_,
            "SELECT status, COUNT(*), TOTAL(length(body) + length(result_body)) "
            "FROM jobs GROUP BY status");
    int rc;
    while ((rc = q.step()) == SQLITE_ROW) {
        const int64_t s = sqlite3_column_int64(q.get(), 0);
        if (s >= 0 && s <= 5) c.by_status[s] = sqlite3_column_int64(q.get(), 1);
        c.bytes += static_cast<int64_t>(sqlite3_column_double(q.get(), 2));
    }
    if (rc != SQLITE_DONE) return q.status(path_);
    Query oldest(reader_statements_, "SELECT MIN(created_ms) FROM jobs WHERE status = 0");
    if (oldest.step() == SQLITE_ROW) c.oldest_queued_ms = sqlite3_column_int64(oldest.get(), 0);
    return c;
}

// --- The Batch API's files and batches ---------------------------------------

namespace {

constexpr const char* kBatchColumns =
    "id, status, endpoint, input_file_id, completion_window, output_file_id, error_file_id, "
    "errors_json, metadata_json, created_ms, in_progress_ms, expires_ms, finalizing_ms, "
    "completed_ms, failed_ms, cancelling_ms, cancelled_ms, expired_ms, owner";

queue::Batch read_batch(sqlite3_stmt* s) {
    queue::Batch b;
    b.id = column_bytes(s, 0);
    const int64_t status = sqlite3_column_int64(s, 1);
    b.status = status >= 0 && status <= 7 ? static_cast<queue::BatchStatus>(status)
                                          : queue::BatchStatus::kFailed;
    b.endpoint = column_bytes(s, 2);
    b.input_file_id = column_bytes(s, 3);
    b.completion_window = column_bytes(s, 4);
    b.output_file_id = column_bytes(s, 5);
    b.error_file_id = column_bytes(s, 6);
    b.errors_json = column_bytes(s, 7);
    b.metadata_json = column_bytes(s, 8);
    int64_t* times[] = {&b.created_ms,    &b.in_progress_ms, &b.expires_ms,
                        &b.finalizing_ms, &b.completed_ms,   &b.failed_ms,
                        &b.cancelling_ms, &b.cancelled_ms,   &b.expired_ms};
    for (int i = 0; i < 9; ++i)
        *times[i] = sqlite3_column_int64(s, 9 + i);
    b.owner = column_bytes(s, 18);
    return b;
}

core::Status write_batch_row(StatementCache& db, const std::string& path, const queue::Batch& b) {
    Query q(db, std::string("INSERT OR REPLACE INTO batches (") + kBatchColumns +
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                    "?16, ?17, ?18, ?19)");
    q.text(1, b.id).integer(2, static_cast<int64_t>(b.status)).text(3, b.endpoint);
    q.text(4, b.input_file_id).text(5, b.completion_window).text(6, b.output_file_id);
    q.text(7, b.error_file_id).text(8, b.errors_json).text(9, b.metadata_json);
    const int64_t times[] = {b.created_ms,    b.in_progress_ms, b.expires_ms,
                             b.finalizing_ms, b.completed_ms,   b.failed_ms,
                             b.cancelling_ms, b.cancelled_ms,   b.expired_ms};
    for (int i = 0; i < 9; ++i)
        q.integer(10 + i, times[i]);
    q.text(19, b.owner);
    if (q.step() != SQLITE_DONE) return q.status(path);
    return {};
}

core::Status insert_file(StatementCache& db, const std::string& path, const queue::StoredFile& f) {
    Query q(db, "INSERT INTO files (id, purpose, filename, bytes, created_ms, content, owner) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    q.text(1, f.id).text(2, f.purpose).text(3, f.filename).integer(4, f.bytes);
    q.integer(5, f.created_ms).blob(6, f.content).text(7, f.owner);
    if (q.step() != SQLITE_DONE) return q.status(path);
    return {};
}

// request_counts from the batch's jobs.
core::Status count_batch(StatementCache& db, const std::string& path, queue::Batch& b) {
    Query q(db, "SELECT COUNT(*), COUNT(*) FILTER (WHERE status = 2), "
                "COUNT(*) FILTER (WHERE status IN (3, 4, 5)) FROM jobs WHERE batch_id = ?1");
    q.text(1, b.id);
    if (q.step() != SQLITE_ROW) return q.status(path);
    b.total = sqlite3_column_int64(q.get(), 0);
    b.completed = sqlite3_column_int64(q.get(), 1);
    b.failed = sqlite3_column_int64(q.get(), 2);
    return {};
}

core::Result<std::optional<queue::Batch>> find_batch(StatementCache& db, const std::string& path,
                                                     const std::string& id) {
    Query q(db, std::string("SELECT ") + kBatchColumns + " FROM batches WHERE id = ?1");
    q.text(1, id);
    const int rc = q.step();
    if (rc == SQLITE_DONE) return std::optional<queue::Batch>();
    if (rc != SQLITE_ROW) return q.status(path);
    queue::Batch b = read_batch(q.get());
    EDGEAI_TRY(count_batch(db, path, b));
    return std::optional<queue::Batch>(std::move(b));
}

} // namespace

void SqliteJobStore::put_file(queue::StoredFile file,
                              std::function<void(core::Result<queue::StoredFile>)> done) {
    auto stored = std::make_shared<queue::StoredFile>(std::move(file));
    Op op;
    op.run = [this, stored](StatementCache& db) -> core::Status {
        if (bytes_ + stored->bytes > limits_.max_bytes) {
            return core::Status(core::StatusCode::kResourceExhausted,
                                "the job queue's storage is full (queue.max_bytes)");
        }
        EDGEAI_TRY(check_owner_share(db, stored->owner, 0, stored->bytes));
        EDGEAI_TRY(insert_file(db, path_, *stored));
        bytes_ += stored->bytes;
        return {};
    };
    op.after = [stored, done = std::move(done)](core::Status st) {
        if (!st.ok()) {
            done(st);
            return;
        }
        stored->content.clear();
        done(std::move(*stored));
    };
    submit(std::move(op));
}

core::Result<std::optional<queue::StoredFile>> SqliteJobStore::get_file(const std::string& id,
                                                                        bool with_content) {
    std::lock_guard<std::mutex> lock(read_mu_);
    Query q(reader_statements_,
            std::string("SELECT id, purpose, filename, bytes, created_ms, owner") +
                (with_content ? ", content" : "") + " FROM files WHERE id = ?1");
    q.text(1, id);
    const int rc = q.step();
    if (rc == SQLITE_DONE) return std::optional<queue::StoredFile>();
    if (rc != SQLITE_ROW) return q.status(path_);
    queue::StoredFile f;
    f.id = column_bytes(q.get(), 0);
    f.purpose = column_bytes(q.get(), 1);
    f.filename = column_bytes(q.get(), 2);
    f.bytes = sqlite3_column_int64(q.get(), 3);
    f.created_ms = sqlite3_column_int64(q.get(), 4);
    f.owner = column_bytes(q.get(), 5);
    if (with_content) f.content = column_bytes(q.get(), 6);
    return std::optional<queue::StoredFile>(std::move(f));
}

void SqliteJobStore::create_batch(queue::Batch batch, std::vector<Job> jobs,
                                  std::function<void(core::Result<queue::Batch>)> done) {
    auto stored = std::make_shared<queue::Batch>(std::move(batch));
    auto work = std::make_shared<std::vector<Job>>(std::move(jobs));
    Op op;
    op.run = [this, stored, work](StatementCache& db) -> core::Status {
        const int64_t active = active_, bytes = bytes_;
        if (stored->status == queue::BatchStatus::kInProgress) {
            int64_t body_bytes = 0;
            for (const Job& j : *work)
                body_bytes += static_cast<int64_t>(j.body.size());
            EDGEAI_TRY(check_owner_share(db, stored->owner, static_cast<int64_t>(work->size()),
                                         body_bytes));
        }
        core::Status st = write_batch_row(db, path_, *stored);
        for (size_t i = 0; st.ok() && i < work->size(); ++i)
            st = insert_job(db, (*work)[i]);
        if (!st.ok()) {
            // The savepoint undoes the rows: the counts go back with them.
            active_ = active;
            bytes_ = bytes;
            return st;
        }
        stored->total = static_cast<int64_t>(work->size());
        return {};
    };
    op.after = answer_with(stored, std::move(done));
    submit(std::move(op));
}

core::Result<std::optional<queue::Batch>> SqliteJobStore::get_batch(const std::string& id) {
    std::lock_guard<std::mutex> lock(read_mu_);
    return find_batch(reader_statements_, path_, id);
}

core::Result<std::vector<queue::Batch>>
SqliteJobStore::list_batches(size_t limit, const std::string& after,
                             const std::optional<std::string>& owner) {
    std::lock_guard<std::mutex> lock(read_mu_);
    std::string sql = std::string("SELECT ") + kBatchColumns + " FROM batches WHERE 1";
    if (!after.empty()) sql += " AND seq < (SELECT seq FROM batches WHERE id = ?2)";
    if (owner) sql += " AND owner = ?3";
    sql += " ORDER BY seq DESC LIMIT ?1";
    Query q(reader_statements_, sql);
    q.integer(1, static_cast<int64_t>(limit));
    if (!after.empty()) q.text(2, after);
    if (owner) q.text(3, *owner);
    std::vector<queue::Batch> out;
    int rc;
    while ((rc = q.step()) == SQLITE_ROW)
        out.push_back(read_batch(q.get()));
    if (rc != SQLITE_DONE) return q.status(path_);
    for (queue::Batch& b : out)
        EDGEAI_TRY(count_batch(reader_statements_, path_, b));
    return out;
}

void SqliteJobStore::cancel_batch(const std::string& id, int64_t now_ms,
                                  std::function<void(core::Result<queue::Batch>)> done) {
    auto result = std::make_shared<core::Result<queue::Batch>>(core::not_found(""));
    Op op;
    op.run = [this, id, now_ms, result](StatementCache& db) -> core::Status {
        auto found = find_batch(db, path_, id);
        if (!found.ok()) return found.status();
        if (!*found) {
            *result = core::not_found("No batch '" + id + "'");
            return {};
        }
        queue::Batch b = std::move(**found);
        if (b.status != queue::BatchStatus::kInProgress &&
            b.status != queue::BatchStatus::kValidating) {
            *result = core::failed_precondition("batch '" + id + "' is " +
                                                std::string(queue::batch_status_name(b.status)) +
                                                "; only a batch in progress can be cancelled");
            return {};
        }
        Query jobs(db, "UPDATE jobs SET status = 4, updated_ms = ?2 WHERE batch_id = ?1 AND "
                       "status = 0");
        jobs.text(1, id).integer(2, now_ms);
        if (jobs.step() != SQLITE_DONE) return jobs.status(path_);
        active_ -= sqlite3_changes(db.db());
        b.status = queue::BatchStatus::kCancelling;
        b.cancelling_ms = now_ms;
        EDGEAI_TRY(write_batch_row(db, path_, b));
        EDGEAI_TRY(count_batch(db, path_, b));
        *result = std::move(b);
        return {};
    };
    op.after = answer_with(result, std::move(done));
    submit(std::move(op));
}

void SqliteJobStore::finalize_batches(int64_t now_ms, core::Random& random,
                                      std::function<void(core::Result<int64_t>)> done) {
    auto finished = std::make_shared<int64_t>(0);
    Op op;
    op.run = [this, now_ms, &random, finished](StatementCache& db) -> core::Status {
        // Batches running or cancelling with no job left queued or running.
        Query ready(db, std::string("SELECT ") + kBatchColumns +
                            " FROM batches b WHERE status IN (2, 6) AND NOT EXISTS (SELECT 1 "
                            "FROM jobs WHERE batch_id = b.id AND status IN (0, 1)) LIMIT 16");
        std::vector<queue::Batch> batches;
        int rc;
        while ((rc = ready.step()) == SQLITE_ROW)
            batches.push_back(read_batch(ready.get()));
        if (rc != SQLITE_DONE) return ready.status(path_);
        for (queue::Batch& b : batches) {
            Query jobs(db, std::string("SELECT ") + kColumns +
                               " FROM jobs WHERE batch_id = ?1 ORDER BY seq");
            jobs.text(1, b.id);
            std::string output, errors;
            bool expired = false;
            while ((rc = jobs.step()) == SQLITE_ROW) {
                const Job j = read_job(jobs.get());
                expired = expired || j.status == JobStatus::kExpired;
                if (j.status == JobStatus::kSucceeded)
                    output += queue::batch_output_line(j) + "\n";
                else
                    errors += queue::batch_error_line(j) + "\n";
            }
            if (rc != SQLITE_DONE) return jobs.status(path_);
            auto file = [&](std::string content, std::string* id) -> core::Status {
                queue::StoredFile f;
                f.id = core::make_id(core::IdKind::kFile, random);
                f.purpose = "batch_output";
                f.filename = b.id + (id == &b.output_file_id ? "_output.jsonl" : "_error.jsonl");
                f.bytes = static_cast<int64_t>(content.size());
                f.created_ms = now_ms;
                f.content = std::move(content);
                f.owner = b.owner;
                EDGEAI_TRY(insert_file(db, path_, f));
                bytes_ += f.bytes;
                *id = f.id;
                return {};
            };
            EDGEAI_TRY(file(std::move(output), &b.output_file_id));
            if (!errors.empty()) EDGEAI_TRY(file(std::move(errors), &b.error_file_id));
            b.finalizing_ms = now_ms;
            if (b.status == queue::BatchStatus::kCancelling) {
                b.status = queue::BatchStatus::kCancelled;
                b.cancelled_ms = now_ms;
            } else if (expired) {
                // Requests left when the completion window closed.
                b.status = queue::BatchStatus::kExpired;
                b.expired_ms = now_ms;
            } else {
                b.status = queue::BatchStatus::kCompleted;
                b.completed_ms = now_ms;
            }
            EDGEAI_TRY(write_batch_row(db, path_, b));
            ++*finished;
        }
        return {};
    };
    op.after = answer_with(finished, std::move(done));
    submit(std::move(op));
}

} // namespace edgeai::platform::native
