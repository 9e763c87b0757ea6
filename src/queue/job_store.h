// JobStore port: where jobs live. Writes are durable when their callback runs
// (natively: committed to SQLite with synchronous=FULL, concurrent writes
// sharing one commit); reads see every committed write.
//
// Callbacks run on the owner's loop thread (through the Executor the store was
// given), never inside the call that started them. A store puts jobs a crash
// left running back in the queue when it opens.
#pragma once

#include "core/result.h"
#include "queue/batch.h"
#include "queue/job.h"
#include "queue/webhook_share.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace edgeai::queue {

struct JobFilter {
    std::optional<JobStatus> status;
    size_t limit = 20;
    std::string after;                // ids after this one (pagination: the last id seen)
    std::optional<std::string> owner; // only jobs of this API key id
};

struct QueueCounts {
    int64_t by_status[6] = {};    // indexed by JobStatus
    int64_t bytes = 0;            // bodies and answers held
    int64_t oldest_queued_ms = 0; // created_ms of the oldest queued job; 0: none
};

class JobStore {
  public:
    using Done = std::function<void(core::Status)>;

    virtual ~JobStore() = default;

    // Stores a new job. With an idempotency key that an earlier job carries,
    // stores nothing and answers with that job instead. ResourceExhausted when
    // the queue is full (max jobs or bytes), Unavailable when the disk is.
    virtual void enqueue(Job job, std::function<void(core::Result<Job>)> done) = 0;

    virtual core::Result<std::optional<Job>> get(const std::string& id) = 0;
    // Newest first.
    virtual core::Result<std::vector<Job>> list(const JobFilter& filter) = 0;

    // Up to `max` queued jobs whose run_after has come, highest priority then
    // oldest first, marked running with one more attempt.
    virtual void claim(size_t max, int64_t now_ms,
                       std::function<void(core::Result<std::vector<Job>>)> done) = 0;
    // A running job's end: succeeded or failed with its answer and error.
    virtual void finish(const Job& job, Done done) = 0;
    // A running job back to queued, to be tried after `run_after_ms`.
    virtual void retry_later(const std::string& id, int64_t run_after_ms, std::string error,
                             Done done) = 0;
    // A claimed job handed back untried (nothing could serve it yet): queued
    // again, its attempt not counted, looked at again after `run_after_ms`.
    virtual void release(const std::string& id, int64_t run_after_ms, std::string reason,
                         Done done) = 0;
    // Cancels a queued or running job; NotFound, or FailedPrecondition when it
    // has already ended.
    virtual void cancel(const std::string& id, std::function<void(core::Result<Job>)> done) = 0;

    // Ended jobs whose webhook is due, as many as `claim` has room for and
    // shared fairly among their owners (pick_webhooks): marked as being sent
    // (not due again for `lease_ms`), with one more attempt.
    virtual void claim_webhooks(const WebhookClaim& claim, int64_t now_ms, int64_t lease_ms,
                                std::function<void(core::Result<std::vector<Job>>)> done) = 0;
    // The webhook's outcome: delivered, or tried again after `retry_at_ms`,
    // or failed (give_up).
    virtual void webhook_done(const std::string& id, bool delivered, bool give_up,
                              int64_t retry_at_ms, Done done) = 0;

    // Queued jobs past their expiry become expired; answers how many.
    virtual void expire(int64_t now_ms, std::function<void(core::Result<int64_t>)> done) = 0;

    virtual core::Result<QueueCounts> counts() = 0;

    // The Batch API's files and batches.
    virtual void put_file(StoredFile file, std::function<void(core::Result<StoredFile>)> done) = 0;
    virtual core::Result<std::optional<StoredFile>> get_file(const std::string& id,
                                                             bool with_content) = 0;
    // The batch and, when it can run, its jobs, in one commit.
    virtual void create_batch(Batch batch, std::vector<Job> jobs,
                              std::function<void(core::Result<Batch>)> done) = 0;
    // With request_counts from its jobs.
    virtual core::Result<std::optional<Batch>> get_batch(const std::string& id) = 0;
    // Newest first; with `owner`, only that API key id's.
    virtual core::Result<std::vector<Batch>>
    list_batches(size_t limit, const std::string& after,
                 const std::optional<std::string>& owner) = 0;
    // In progress -> cancelling; its queued jobs are cancelled.
    virtual void cancel_batch(const std::string& id, int64_t now_ms,
                              std::function<void(core::Result<Batch>)> done) = 0;
    // Batches whose jobs have all ended get their output and error files and
    // become completed (or cancelled); answers how many.
    // `random` (thread-safe, outliving the call) names the files.
    virtual void finalize_batches(int64_t now_ms, core::Random& random,
                                  std::function<void(core::Result<int64_t>)> done) = 0;
    // Transactions committed so far (each one fsync): group commit shows as
    // fewer commits than writes.
    virtual uint64_t commits() const = 0;
};

} // namespace edgeai::queue
