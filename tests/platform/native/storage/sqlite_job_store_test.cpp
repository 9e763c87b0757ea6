// The SQLite job store against real files: jobs are on disk when enqueue's
// callback runs (a new store sees them), an idempotency key returns the first
// job, claims go by priority then age and respect backoff, a crash's running
// jobs come back queued, the limits answer ResourceExhausted, and concurrent
// writes share commits.
#include "platform/native/storage/sqlite_job_store.h"

#include "temp_dir.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace edgeai::platform::native {
namespace {

using queue::Job;
using queue::JobStatus;
namespace fs = std::filesystem;

// The loop the store posts its callbacks to, pumped by the test.
class TestExecutor final : public core::Executor {
  public:
    void post(std::function<void()> work) override {
        std::lock_guard<std::mutex> lock(mu_);
        work_.push_back(std::move(work));
        cv_.notify_all();
    }
    std::unique_ptr<core::Timer> post_after(int64_t, std::function<void()> work) override {
        post(std::move(work));
        return nullptr;
    }
    // Runs posted work until `done` holds (or fails the test after 10 s).
    void run_until(const std::function<bool()>& done) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (!done()) {
            std::function<void()> next;
            {
                std::unique_lock<std::mutex> lock(mu_);
                if (!cv_.wait_until(lock, deadline, [&] { return !work_.empty(); })) {
                    ADD_FAILURE() << "timed out waiting for the store";
                    return;
                }
                next = std::move(work_.front());
                work_.pop_front();
            }
            next();
        }
    }

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> work_;
};

Job make_job(const std::string& id, int64_t created, int64_t priority = 0) {
    Job j;
    j.id = id;
    j.path = "/v1/chat/completions";
    j.body = R"({"model":"m","messages":[{"role":"user","content":"hi"}]})";
    j.model = "m";
    j.priority = priority;
    j.created_ms = created;
    j.updated_ms = created;
    j.run_after_ms = created;
    j.expires_ms = created + 100000;
    return j;
}

class JobStoreTest : public ::testing::Test {
  protected:
    std::unique_ptr<SqliteJobStore> open(SqliteJobStore::Limits limits = {}) {
        auto s = SqliteJobStore::open(dir.path(), loop, limits);
        EXPECT_TRUE(s.ok()) << s.status().to_string();
        return s.ok() ? std::move(s).value() : nullptr;
    }
    core::Result<Job> enqueue(SqliteJobStore& store, Job job) {
        std::optional<core::Result<Job>> out;
        store.enqueue(std::move(job), [&](core::Result<Job> r) { out = std::move(r); });
        loop.run_until([&] { return out.has_value(); });
        return std::move(*out);
    }
    std::vector<Job> claim(SqliteJobStore& store, size_t max, int64_t now) {
        std::optional<core::Result<std::vector<Job>>> out;
        store.claim(max, now, [&](core::Result<std::vector<Job>> r) { out = std::move(r); });
        loop.run_until([&] { return out.has_value(); });
        EXPECT_TRUE(out->ok());
        return out->ok() ? std::move(*out).value() : std::vector<Job>{};
    }
    void wait(const std::function<void(queue::JobStore::Done)>& start) {
        bool done = false;
        start([&](core::Status st) {
            EXPECT_TRUE(st.ok()) << st.to_string();
            done = true;
        });
        loop.run_until([&] { return done; });
    }
    JobStatus status_of(SqliteJobStore& store, const std::string& id) {
        auto j = store.get(id);
        EXPECT_TRUE(j.ok() && j->has_value());
        return (j.ok() && *j) ? (*j)->status : JobStatus::kFailed;
    }

    TempDir dir;
    TestExecutor loop;
    core::SeededRandom random_{7};
};

TEST_F(JobStoreTest, AnAcknowledgedJobIsOnDiskForTheNextStore) {
    {
        auto store = open();
        auto stored = enqueue(*store, make_job("job_a", 1000));
        ASSERT_TRUE(stored.ok()) << stored.status().to_string();
        EXPECT_EQ(stored->id, "job_a");
    }
    auto store = open();
    auto job = store->get("job_a");
    ASSERT_TRUE(job.ok());
    ASSERT_TRUE(job->has_value());
    EXPECT_EQ((*job)->status, JobStatus::kQueued);
    EXPECT_EQ((*job)->body, make_job("x", 0).body);
    EXPECT_EQ((*job)->expires_ms, 101000);
    auto none = store->get("job_nope");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
}

// One key's jobs stop at its share while another key's still go in; a
// finished job frees its place; jobs without an owner (keyless) have no share.
TEST_F(JobStoreTest, AnOwnerStopsAtItsShareOfTheQueue) {
    SqliteJobStore::Limits limits;
    limits.max_jobs_per_owner = 2;
    limits.max_bytes_per_owner = 1 << 20;
    auto store = open(limits);
    auto owned = [](std::string id, std::string owner) {
        Job j = make_job(std::move(id), 1000);
        j.owner = std::move(owner);
        return j;
    };
    ASSERT_TRUE(enqueue(*store, owned("job_a1", "key_a")).ok());
    ASSERT_TRUE(enqueue(*store, owned("job_a2", "key_a")).ok());
    auto over = enqueue(*store, owned("job_a3", "key_a"));
    ASSERT_FALSE(over.ok());
    EXPECT_EQ(over.status().code(), core::StatusCode::kResourceExhausted);
    EXPECT_NE(over.status().message().find("queue.max_jobs_per_key"), std::string::npos);
    EXPECT_TRUE(enqueue(*store, owned("job_b1", "key_b")).ok()) << "another key goes on";
    for (int i = 0; i < 3; ++i)
        EXPECT_TRUE(enqueue(*store, owned("job_n" + std::to_string(i), "")).ok());
    // A big body passes the job count but not the byte share.
    Job big = owned("job_b2", "key_b");
    big.body.assign(size_t{1} << 20, 'x');
    auto too_big = enqueue(*store, big);
    ASSERT_FALSE(too_big.ok());
    EXPECT_NE(too_big.status().message().find("queue.max_bytes_per_key"), std::string::npos);
    // key_a's first job ends: its place is free again.
    auto claimed = claim(*store, 10, 2000);
    for (Job& j : claimed) {
        if (j.id != "job_a1") continue;
        j.status = JobStatus::kSucceeded;
        j.result_status = 200;
        wait([&](queue::JobStore::Done done) { store->finish(j, std::move(done)); });
    }
    EXPECT_TRUE(enqueue(*store, owned("job_a4", "key_a")).ok());
}

TEST_F(JobStoreTest, AnIdempotencyKeyAnswersWithTheFirstJob) {
    auto store = open();
    Job first = make_job("job_1", 1000);
    first.idempotency_key = "key-1";
    Job again = make_job("job_2", 2000);
    again.idempotency_key = "key-1";
    ASSERT_TRUE(enqueue(*store, first).ok());
    auto second = enqueue(*store, again);
    ASSERT_TRUE(second.ok());
    EXPECT_EQ(second->id, "job_1");
    auto list = store->list({});
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(list->size(), 1u);
}

TEST_F(JobStoreTest, ClaimsGoByPriorityThenAgeAndWaitForBackoff) {
    auto store = open();
    ASSERT_TRUE(enqueue(*store, make_job("job_old", 1000)).ok());
    ASSERT_TRUE(enqueue(*store, make_job("job_new", 2000)).ok());
    ASSERT_TRUE(enqueue(*store, make_job("job_urgent", 3000, 10)).ok());
    auto first = claim(*store, 2, 5000);
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0].id, "job_urgent");
    EXPECT_EQ(first[1].id, "job_old");
    EXPECT_EQ(first[0].attempts, 1);
    EXPECT_EQ(status_of(*store, "job_urgent"), JobStatus::kRunning);

    wait([&](auto done) { store->retry_later("job_old", 9000, "HTTP 503", done); });
    auto next = claim(*store, 5, 6000);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0].id, "job_new");
    auto later = claim(*store, 5, 9000);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(later[0].id, "job_old");
    EXPECT_EQ(later[0].attempts, 2);
    EXPECT_EQ(later[0].last_error, "HTTP 503");
}

TEST_F(JobStoreTest, WebhookClaimsTakeTurnsByOwnerWithinTheirShare) {
    auto store = open();
    // Four ended jobs of key a (oldest first), then one of key b.
    const std::vector<std::pair<std::string, std::string>> jobs = {
        {"job_a1", "a"}, {"job_a2", "a"}, {"job_a3", "a"}, {"job_a4", "a"}, {"job_b1", "b"}};
    int64_t t = 1000;
    for (const auto& [id, owner] : jobs) {
        Job j = make_job(id, t++);
        j.owner = owner;
        j.callback_url = "https://hooks.example/" + id;
        ASSERT_TRUE(enqueue(*store, j).ok());
    }
    for (Job& j : claim(*store, 5, 2000)) {
        j.status = JobStatus::kSucceeded;
        j.updated_ms = 2000 + (j.id == "job_b1" ? 10 : 0); // b's webhook is due last
        wait([&](auto cb) { store->finish(j, cb); });
    }
    auto claim_webhooks = [&](const queue::WebhookClaim& c) {
        std::optional<core::Result<std::vector<Job>>> out;
        store->claim_webhooks(c, 3000, 60000,
                              [&](core::Result<std::vector<Job>> r) { out = std::move(r); });
        loop.run_until([&] { return out.has_value(); });
        EXPECT_TRUE(out->ok());
        std::string ids;
        for (const Job& j : out->ok() ? **out : std::vector<Job>{})
            ids += j.id + " ";
        return ids;
    };
    queue::WebhookClaim claim4;
    claim4.slots = 4;
    // b waits too, so a gets half the slots; b is not kept behind a's backlog.
    EXPECT_EQ(claim_webhooks(claim4), "job_a1 job_b1 job_a2 ");
    // Those three are leased; a holds two of four, its share while b could wait.
    claim4.busy = {{"a", 2}, {"b", 1}};
    EXPECT_EQ(claim_webhooks(claim4), "job_a3 ");
    claim4.busy = {{"a", 3}, {"b", 1}};
    EXPECT_EQ(claim_webhooks(claim4), "");
}

TEST_F(JobStoreTest, FinishKeepsTheAnswerAndCancelKnowsWhatEnded) {
    auto store = open();
    ASSERT_TRUE(enqueue(*store, make_job("job_a", 1000)).ok());
    ASSERT_TRUE(enqueue(*store, make_job("job_b", 1001)).ok());
    auto claimed = claim(*store, 1, 2000);
    ASSERT_EQ(claimed.size(), 1u);
    Job done = claimed[0];
    done.status = JobStatus::kSucceeded;
    done.result_status = 200;
    done.result_body = R"({"object":"chat.completion"})";
    wait([&](auto cb) { store->finish(done, cb); });
    auto read = store->get("job_a");
    ASSERT_TRUE(read.ok() && *read);
    EXPECT_EQ((*read)->status, JobStatus::kSucceeded);
    EXPECT_EQ((*read)->result_body, done.result_body);

    std::optional<core::Result<Job>> out;
    store->cancel("job_a", [&](core::Result<Job> r) { out = std::move(r); });
    loop.run_until([&] { return out.has_value(); });
    EXPECT_EQ(out->status().code(), core::StatusCode::kFailedPrecondition);
    out.reset();
    store->cancel("job_b", [&](core::Result<Job> r) { out = std::move(r); });
    loop.run_until([&] { return out.has_value(); });
    ASSERT_TRUE(out->ok());
    EXPECT_EQ((*out)->status, JobStatus::kCancelled);
    out.reset();
    store->cancel("job_zzz", [&](core::Result<Job> r) { out = std::move(r); });
    loop.run_until([&] { return out.has_value(); });
    EXPECT_EQ(out->status().code(), core::StatusCode::kNotFound);
    EXPECT_TRUE(claim(*store, 5, 3000).empty()) << "a cancelled job is not delivered";
}

TEST_F(JobStoreTest, JobsACrashLeftRunningGoBackToTheQueue) {
    {
        auto store = open();
        ASSERT_TRUE(enqueue(*store, make_job("job_a", 1000)).ok());
        ASSERT_EQ(claim(*store, 1, 2000).size(), 1u);
        EXPECT_EQ(status_of(*store, "job_a"), JobStatus::kRunning);
    } // no finish: the process "died" mid-delivery
    auto store = open();
    EXPECT_EQ(store->recovered(), 1);
    EXPECT_EQ(status_of(*store, "job_a"), JobStatus::kQueued);
    auto again = claim(*store, 1, 3000);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].attempts, 2);
}

TEST_F(JobStoreTest, AFullQueueSaysSoAndKeepsWhatItHolds) {
    auto store = open(SqliteJobStore::Limits{2, 1 << 20});
    ASSERT_TRUE(enqueue(*store, make_job("job_1", 1)).ok());
    ASSERT_TRUE(enqueue(*store, make_job("job_2", 2)).ok());
    auto third = enqueue(*store, make_job("job_3", 3));
    ASSERT_FALSE(third.ok());
    EXPECT_EQ(third.status().code(), core::StatusCode::kResourceExhausted);
    EXPECT_NE(third.status().message().find("queue.max_jobs"), std::string::npos);
    // A finished job frees its place.
    auto claimed = claim(*store, 1, 10);
    claimed[0].status = JobStatus::kSucceeded;
    wait([&](auto cb) { store->finish(claimed[0], cb); });
    EXPECT_TRUE(enqueue(*store, make_job("job_3", 3)).ok());

    TempDir other;
    auto small = SqliteJobStore::open(other.path(), loop, SqliteJobStore::Limits{100, 100});
    ASSERT_TRUE(small.ok());
    Job large = make_job("job_big", 1);
    large.body = std::string(200, 'x');
    auto big = enqueue(**small, large);
    EXPECT_EQ(big.status().code(), core::StatusCode::kResourceExhausted);
    EXPECT_NE(big.status().message().find("queue.max_bytes"), std::string::npos);
}

TEST_F(JobStoreTest, QueuedJobsExpire) {
    auto store = open();
    ASSERT_TRUE(enqueue(*store, make_job("job_a", 1000)).ok()); // expires at 101000
    std::optional<core::Result<int64_t>> n;
    store->expire(100999, [&](core::Result<int64_t> r) { n = r; });
    loop.run_until([&] { return n.has_value(); });
    EXPECT_EQ(**n, 0);
    n.reset();
    store->expire(101000, [&](core::Result<int64_t> r) { n = r; });
    loop.run_until([&] { return n.has_value(); });
    EXPECT_EQ(**n, 1);
    EXPECT_EQ(status_of(*store, "job_a"), JobStatus::kExpired);
}

TEST_F(JobStoreTest, ListsNewestFirstByStatusAndPage) {
    auto store = open();
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(enqueue(*store, make_job("job_" + std::to_string(i), 1000 + i)).ok());
    ASSERT_EQ(claim(*store, 2, 5000).size(), 2u); // job_0 and job_1 run
    queue::JobFilter page;
    page.limit = 2;
    auto first = store->list(page);
    ASSERT_TRUE(first.ok());
    ASSERT_EQ(first->size(), 2u);
    EXPECT_EQ((*first)[0].id, "job_4");
    page.after = (*first)[1].id;
    auto second = store->list(page);
    ASSERT_EQ(second->size(), 2u);
    EXPECT_EQ((*second)[0].id, "job_2");
    queue::JobFilter running;
    running.status = JobStatus::kRunning;
    auto r = store->list(running);
    ASSERT_EQ(r->size(), 2u);
    auto counts = store->counts();
    ASSERT_TRUE(counts.ok());
    EXPECT_EQ(counts->by_status[static_cast<int>(JobStatus::kQueued)], 3);
    EXPECT_EQ(counts->by_status[static_cast<int>(JobStatus::kRunning)], 2);
    EXPECT_EQ(counts->oldest_queued_ms, 1002);
}

TEST_F(JobStoreTest, ConcurrentEnqueuesShareCommits) {
    auto store = open();
    int done = 0;
    for (int i = 0; i < 200; ++i) {
        store->enqueue(make_job("job_" + std::to_string(i), i), [&](core::Result<Job> r) {
            EXPECT_TRUE(r.ok());
            ++done;
        });
    }
    loop.run_until([&] { return done == 200; });
    EXPECT_LT(store->commits(), 100u) << "group commit: fewer commits than jobs";
    auto counts = store->counts();
    EXPECT_EQ(counts->by_status[0], 200);
}

TEST_F(JobStoreTest, ABatchRunsAsJobsAndWritesItsFilesWhenTheLastEnds) {
    auto store = open();
    queue::Batch batch;
    batch.id = "batch_1";
    batch.endpoint = "/v1/chat/completions";
    batch.status = queue::BatchStatus::kInProgress;
    batch.created_ms = 1000;
    std::vector<Job> jobs;
    for (const char* c : {"a", "b"}) {
        Job j = make_job(std::string("job_") + c, 1000);
        j.batch_id = "batch_1";
        j.custom_id = c;
        jobs.push_back(j);
    }
    std::optional<core::Result<queue::Batch>> made;
    store->create_batch(batch, jobs, [&](core::Result<queue::Batch> r) { made = std::move(r); });
    loop.run_until([&] { return made.has_value(); });
    ASSERT_TRUE(made->ok()) << made->status().to_string();
    EXPECT_EQ((*made)->total, 2);

    auto finalize = [&] {
        std::optional<core::Result<int64_t>> n;
        store->finalize_batches(5000, random_, [&](core::Result<int64_t> r) { n = r; });
        loop.run_until([&] { return n.has_value(); });
        return **n;
    };
    EXPECT_EQ(finalize(), 0) << "not while jobs wait";
    auto claimed = claim(*store, 2, 2000);
    ASSERT_EQ(claimed.size(), 2u);
    claimed[0].status = JobStatus::kSucceeded;
    claimed[0].result_status = 200;
    claimed[0].result_body = R"({"object":"chat.completion"})";
    claimed[1].status = JobStatus::kFailed;
    claimed[1].result_status = 400;
    claimed[1].result_body = R"({"error":{"message":"bad"}})";
    claimed[1].last_error = "HTTP 400: bad";
    for (const Job& j : claimed)
        wait([&](auto cb) { store->finish(j, cb); });
    EXPECT_EQ(finalize(), 1);
    auto read = store->get_batch("batch_1");
    ASSERT_TRUE(read.ok() && *read);
    EXPECT_EQ((*read)->status, queue::BatchStatus::kCompleted);
    EXPECT_EQ((*read)->completed, 1);
    EXPECT_EQ((*read)->failed, 1);
    auto output = store->get_file((*read)->output_file_id, true);
    ASSERT_TRUE(output.ok() && *output);
    EXPECT_NE((*output)->content.find("\"custom_id\":\"a\""), std::string::npos);
    EXPECT_EQ((*output)->purpose, "batch_output");
    auto errors = store->get_file((*read)->error_file_id, true);
    ASSERT_TRUE(errors.ok() && *errors);
    EXPECT_NE((*errors)->content.find("\"custom_id\":\"b\""), std::string::npos);
    EXPECT_EQ(finalize(), 0) << "once";
}

TEST_F(JobStoreTest, ABatchWhoseRequestsExpireIsExpired) {
    auto store = open();
    queue::Batch batch;
    batch.id = "batch_late";
    batch.endpoint = "/v1/chat/completions";
    batch.status = queue::BatchStatus::kInProgress;
    Job j = make_job("job_late", 1000); // expires at 101000
    j.batch_id = batch.id;
    j.custom_id = "late";
    std::optional<core::Result<queue::Batch>> made;
    store->create_batch(batch, {j}, [&](core::Result<queue::Batch> r) { made = std::move(r); });
    loop.run_until([&] { return made.has_value(); });
    ASSERT_TRUE(made->ok());
    std::optional<core::Result<int64_t>> n;
    store->expire(200000, [&](core::Result<int64_t> r) { n = r; });
    loop.run_until([&] { return n.has_value(); });
    EXPECT_EQ(**n, 1);
    n.reset();
    store->finalize_batches(200001, random_, [&](core::Result<int64_t> r) { n = r; });
    loop.run_until([&] { return n.has_value(); });
    EXPECT_EQ(**n, 1);
    auto read = store->get_batch("batch_late");
    ASSERT_TRUE(read.ok() && *read);
    EXPECT_EQ((*read)->status, queue::BatchStatus::kExpired);
    EXPECT_EQ((*read)->expired_ms, 200001);
    auto errors = store->get_file((*read)->error_file_id, true);
    ASSERT_TRUE(errors.ok() && *errors);
    EXPECT_NE((*errors)->content.find("\"code\":\"expired\""), std::string::npos);
}

TEST_F(JobStoreTest, JobsKeepTheirOwnerAndListsFilterByIt) {
    auto store = open();
    Job mine = make_job("job_mine", 1000);
    mine.owner = "keyaaaaaaa";
    Job theirs = make_job("job_theirs", 2000);
    theirs.owner = "keybbbbbbb";
    ASSERT_TRUE(enqueue(*store, mine).ok());
    ASSERT_TRUE(enqueue(*store, theirs).ok());
    EXPECT_EQ((*store->get("job_mine"))->owner, "keyaaaaaaa");
    queue::JobFilter filter;
    filter.owner = "keyaaaaaaa";
    auto only = store->list(filter);
    ASSERT_TRUE(only.ok());
    ASSERT_EQ(only->size(), 1u);
    EXPECT_EQ((*only)[0].id, "job_mine");
    auto all = store->list({});
    ASSERT_TRUE(all.ok());
    EXPECT_EQ(all->size(), 2u);
}

// A jobs.db written before owners existed (schema 1) gains the columns, keeps
// its jobs (owned by nobody), and is at schema 2 afterwards.
TEST(SqliteJobStoreMigration, AVersionOneQueueGainsOwners) {
    TempDir dir;
    const std::string path = dir.path() + "/jobs.db";
    {
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
        Db db(raw);
        const char* v1 = R"sql(
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
    custom_id TEXT NOT NULL DEFAULT ''
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
    content BLOB NOT NULL
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
    expired_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_idempotency ON jobs (idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (status, priority DESC, created_ms, seq);
)sql";
        ASSERT_EQ(sqlite3_exec(raw, v1, nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(raw);
        ASSERT_EQ(sqlite3_exec(raw,
                               "INSERT INTO jobs (id, status, path, body, model, callback_url, "
                               "priority, created_ms, updated_ms, run_after_ms, expires_ms, "
                               "attempts, last_error, result_status, result_body) VALUES "
                               "('job_old', 0, '/v1/chat/completions', '{}', 'm', '', 0, 1, 1, 0, "
                               "99999999999999, 0, '', 0, ''); PRAGMA user_version=1;",
                               nullptr, nullptr, nullptr),
                  SQLITE_OK)
            << sqlite3_errmsg(raw);
    }
    auto store = SqliteJobStore::open_direct(dir.path());
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    auto old = (*store)->get("job_old");
    ASSERT_TRUE(old.ok() && old->has_value());
    EXPECT_EQ((*old)->owner, "");
    queue::JobFilter filter;
    filter.owner = "";
    auto listed = (*store)->list(filter);
    ASSERT_TRUE(listed.ok()) << listed.status().to_string();
    EXPECT_EQ(listed->size(), 1u);
    auto batches = (*store)->list_batches(10, "", std::string("keyaaaaaaa"));
    ASSERT_TRUE(batches.ok()) << batches.status().to_string();
    EXPECT_TRUE(batches->empty());
    store->reset();
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    Db db(raw);
    int64_t version = 0;
    ASSERT_EQ(query_value(raw, "PRAGMA user_version", &version, nullptr), SQLITE_OK);
    EXPECT_EQ(version, 2);
}

TEST(SqliteJobStoreDirect, AMissingQueueIsNamedAndNotCreated) {
    TempDir dir;
    auto store = SqliteJobStore::open_direct(dir.path());
    ASSERT_FALSE(store.ok());
    EXPECT_EQ(store.status().code(), core::StatusCode::kNotFound);
    EXPECT_FALSE(fs::exists(dir.path() + "/jobs.db"));
}

} // namespace
} // namespace edgeai::platform::native
