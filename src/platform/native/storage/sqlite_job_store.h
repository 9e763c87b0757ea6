// The job queue on disk: `<data dir>/jobs.db`, SQLite in WAL mode with
// synchronous=FULL, so a job is on the disk before its 202 is sent and stays
// there through a power cut. Every write goes to one writer thread, which runs
// whatever has queued up meanwhile in one transaction and one fsync (group
// commit): under load many enqueues share a commit instead of paying one each.
// Reads run on the caller's thread on their own connection.
#pragma once

#include "core/executor.h"
#include "core/result.h"
#include "platform/native/storage/batch_writer.h"
#include "platform/native/storage/statement_cache.h"
#include "queue/job_store.h"

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace edgeai::platform::native {

class SqliteJobStore final : public queue::JobStore {
  public:
    static constexpr const char* kFileName = "jobs.db";
    // 2: jobs, files and batches carry the API key that made them (owner).
    static constexpr int kSchemaVersion = 2;

    struct Limits {
        int64_t max_jobs = 100000;            // queued and running; more answer ResourceExhausted
        int64_t max_bytes = int64_t{1} << 30; // bodies and answers held, all statuses
        // One API key's share (jobs with an owner): queued and running jobs,
        // and bytes of its jobs and files. 0: no share beyond the totals.
        int64_t max_jobs_per_owner = 0;
        int64_t max_bytes_per_owner = 0;
    };

    // `executor` runs the callbacks (the loop that owns the callers).
    static core::Result<std::unique_ptr<SqliteJobStore>>
    open(const std::string& data_dir, core::Executor& executor, Limits limits);
    // For `edgeai queue`: no writer thread; callbacks run inside the call.
    static core::Result<std::unique_ptr<SqliteJobStore>> open_direct(const std::string& data_dir);

    ~SqliteJobStore() override;

    void enqueue(queue::Job job, std::function<void(core::Result<queue::Job>)> done) override;
    core::Result<std::optional<queue::Job>> get(const std::string& id) override;
    core::Result<std::vector<queue::Job>> list(const queue::JobFilter& filter) override;
    void claim(size_t max, int64_t now_ms,
               std::function<void(core::Result<std::vector<queue::Job>>)> done) override;
    void finish(const queue::Job& job, Done done) override;
    void retry_later(const std::string& id, int64_t run_after_ms, std::string error,
                     Done done) override;
    void release(const std::string& id, int64_t run_after_ms, std::string reason,
                 Done done) override;
    void cancel(const std::string& id, std::function<void(core::Result<queue::Job>)> done) override;
    void claim_webhooks(const queue::WebhookClaim& claim, int64_t now_ms, int64_t lease_ms,
                        std::function<void(core::Result<std::vector<queue::Job>>)> done) override;
    void webhook_done(const std::string& id, bool delivered, bool give_up, int64_t retry_at_ms,
                      Done done) override;
    void expire(int64_t now_ms, std::function<void(core::Result<int64_t>)> done) override;
    core::Result<queue::QueueCounts> counts() override;
    void put_file(queue::StoredFile file,
                  std::function<void(core::Result<queue::StoredFile>)> done) override;
    core::Result<std::optional<queue::StoredFile>> get_file(const std::string& id,
                                                            bool with_content) override;
    void create_batch(queue::Batch batch, std::vector<queue::Job> jobs,
                      std::function<void(core::Result<queue::Batch>)> done) override;
    core::Result<std::optional<queue::Batch>> get_batch(const std::string& id) override;
    core::Result<std::vector<queue::Batch>>
    list_batches(size_t limit, const std::string& after,
                 const std::optional<std::string>& owner) override;
    void cancel_batch(const std::string& id, int64_t now_ms,
                      std::function<void(core::Result<queue::Batch>)> done) override;
    void finalize_batches(int64_t now_ms, core::Random& random,
                          std::function<void(core::Result<int64_t>)> done) override;

    // For the operator (`edgeai queue`): a job that ended (failed, cancelled,
    // expired) back to the queue with its attempts reset; FailedPrecondition
    // for one still queued or running or one that succeeded.
    void requeue(const std::string& id, int64_t now_ms,
                 std::function<void(core::Result<queue::Job>)> done);
    // Deletes the jobs in `status` last changed before `before_ms`; running
    // jobs cannot be purged (a server is delivering them).
    void purge(queue::JobStatus status, int64_t before_ms,
               std::function<void(core::Result<int64_t>)> done);

    uint64_t commits() const override;
    // Jobs found running when the store opened (a crash cut their delivery)
    // and put back in the queue.
    int64_t recovered() const { return recovered_; }

  private:
    // One write: `run` inside the batch's transaction (on the writer), then
    // `after` with the commit's outcome (on the executor).
    struct Op {
        std::function<core::Status(StatementCache&)> run;
        std::function<void(core::Status)> after;
    };

    SqliteJobStore(std::string path, core::Executor* executor, Limits limits)
        : path_(std::move(path)), executor_(executor), limits_(limits) {}
    void submit(Op op);
    // On the writer: one group commit, then each op's `after` posted.
    void commit_group(std::vector<Op>& batch);
    core::Status run_batch(std::vector<Op>& batch, std::vector<core::Status>& results);
    void deliver(std::function<void()> fn);
    // A running job queued again after `run_after_ms`, `uncount` attempts
    // given back (1 when it was not tried).
    void back_to_queue(const std::string& id, int64_t run_after_ms, std::string why,
                       int64_t uncount, Done done);
    // On the writer: the queue's bounds checked, the job inserted, counted.
    // ResourceExhausted when `owner` would pass its share with `jobs` more
    // jobs and `bytes` more bytes.
    core::Status check_owner_share(StatementCache& db, const std::string& owner, int64_t jobs,
                                   int64_t bytes);
    core::Status insert_job(StatementCache& db, const queue::Job& job);
    static core::Result<std::unique_ptr<SqliteJobStore>>
    open_at(const std::string& path, core::Executor* executor, Limits limits);

    const std::string path_;
    core::Executor* executor_; // null: direct (no thread)
    const Limits limits_;
    Db writer_;
    int64_t recovered_ = 0;
    // Jobs holding a place in the queue and bytes held, kept by the writer
    // (recounted after a failed commit) so an enqueue does not scan the table.
    int64_t active_ = 0;
    int64_t bytes_ = 0;
    std::mutex read_mu_;
    Db reader_;
    // After the connections they prepare on, so they go first.
    StatementCache writer_statements_; // used on the writer thread only
    StatementCache reader_statements_; // under read_mu_

    std::atomic<uint64_t> commits_{0};
    // Null when direct. Last: stopped before what it writes with goes.
    std::unique_ptr<BatchWriter<Op>> batches_;
};

} // namespace edgeai::platform::native
