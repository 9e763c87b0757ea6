// The audit sink on disk: <data dir>/audit.log, one hash-chained, HMAC-signed
// JSON line per request (security/audit_chain.h), rotated by size into
// audit-<first seq>.log with the chain running on, and a signed checkpoint of
// the head in keys.db after every batch that reached the disk.
//
// record() only queues. A writer thread appends each batch (every 250 ms or
// 1024 records) in writes of 64 KiB, fdatasync()s it, then stores the checkpoint,
// so the checkpoint never names a line that is not durable.
//
// Memory is bounded: past `max_queued` records or `max_queued_bytes` (the
// disk is stuck or slower than the requests), new records are dropped, not
// queued. Each drop is counted (dropped_records()), logged by the writer, and
// written into the chain itself: the next line that is written carries
// "dropped_before": N, so a reader of the log sees the gap and an attacker
// cannot hide one. Records lost to a failed write are noted the same way.
//
// Opening continues an existing chain from its last line, after checking
// that line's mac and comparing it with the checkpoint; a log that ends
// before the checkpoint (truncated, deleted) or does not verify with the key
// is refused rather than continued, since continuing would overwrite the
// checkpoint that proves the damage. A torn last line (bytes after the last
// newline: a crash mid-write) is cut off with a warning: it was never
// fdatasync()ed, so no checkpoint vouches for it and the chain before it is
// whole.
#pragma once

#include "core/config/settings.h"
#include "core/result.h"
#include "core/sha256.h"
#include "platform/native/storage/batch_writer.h"
#include "security/audit_chain.h"
#include "security/audit_sink.h"
#include "telemetry/logger.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;

namespace edgeai::platform::native {

class AuditLogFile final : public security::AuditSink {
  public:
    struct Options {
        // Queued records are written this long after the first of them...
        std::chrono::milliseconds flush_interval{250};
        // ...or as soon as this many are queued. Each batch costs an
        // fdatasync and a checkpoint; 1024 keeps that to ~20 a second at
        // 20k requests a second and a batch's buffer under half a megabyte.
        size_t batch_size = 1024;
        // Beyond either bound new records are dropped (and noted in the chain).
        size_t max_queued = 65536;
        size_t max_queued_bytes = size_t{64} << 20;
    };

    // Creates the data directory, the key (audit.key, when audit.key_file is
    // not set and no log exists yet) and keys.db's checkpoint table when
    // missing. Errors name the file and what to do.
    static core::Result<std::unique_ptr<AuditLogFile>> open(const core::AuditSettings& settings,
                                                            const std::string& data_dir,
                                                            telemetry::Logger& logger,
                                                            const Options& options);

    // Writes what is still queued, then closes.
    ~AuditLogFile() override;
    AuditLogFile(const AuditLogFile&) = delete;
    AuditLogFile& operator=(const AuditLogFile&) = delete;

    // Thread-safe; never touches the disk.
    void record(security::AuditRecord record) override;

    // Returns once every record queued before the call is written (or
    // dropped: see last_write_error()).
    void flush();

    // Not ok while a batch waits to be written again (the last error).
    core::Status health() const override;

    uint64_t dropped_records() const;
    core::Status last_write_error() const;
    // The last line on disk.
    security::AuditChainHead head() const;

  private:
    AuditLogFile(const core::AuditSettings& settings, std::string data_dir,
                 telemetry::Logger& logger, const Options& options);
    core::Status recover();
    core::Status open_live_file();
    // On the writer: a batch written, synced, then checkpointed.
    void write_group(std::vector<security::AuditRecord>& batch, uint64_t refused_before);
    // Appends batch[from...], syncs and checkpoints; returns how many were written.
    size_t write_part(std::vector<security::AuditRecord>& batch, size_t from,
                      int64_t dropped_before);
    // Appends batch[from...]; returns how many records were written.
    size_t write_batch(std::vector<security::AuditRecord>& batch, size_t from,
                       int64_t dropped_before);
    bool append(const std::string& bytes);
    void rotate();
    int64_t oldest_kept_seq() const;
    core::Status store_checkpoint();
    void delete_expired_files();
    void sync_directory();

    const core::AuditSettings settings_;
    const std::string data_dir_;
    const std::string live_path_;
    telemetry::Logger& logger_;
    const Options options_;

    // The writer thread's (and open()'s before it starts).
    core::HmacSha256 key_{""}; // the audit key, once read
    sqlite3* db_ = nullptr;
    std::string db_path_;
    int fd_ = -1;
    int64_t live_size_ = 0;
    int64_t live_first_seq_ = 1;
    std::deque<int64_t> rotated_first_seqs_; // oldest first
    std::vector<int64_t> expired_first_seqs_;
    security::AuditChainHead head_;
    int64_t lost_unnoted_ = 0; // lost to failed writes, not yet in a line's dropped_before

    std::atomic<uint64_t> lost_{0};    // records a failed write took
    std::atomic<bool> failing_{false}; // a batch waits to be written again
    mutable std::mutex mu_;
    std::condition_variable retry_; // wakes a waiting retry when the log closes
    bool closing_ = false;
    core::Status last_error_;
    security::AuditChainHead published_head_;
    // Drops on a full queue are its refusals. Last: stopped before the file
    // and the database it writes to are closed.
    std::unique_ptr<BatchWriter<security::AuditRecord>> batches_;
};

// What serve calls when audit.enabled is on.
core::Result<std::unique_ptr<AuditLogFile>> open_audit_log(const core::AuditSettings& settings,
                                                           const std::string& data_dir,
                                                           telemetry::Logger& logger);

} // namespace edgeai::platform::native
