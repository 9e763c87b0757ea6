// The usage store on disk: `<data dir>/usage.db`, SQLite 3 in WAL mode, so
// `edgeai usage` can read while a server writes. record() only queues under a
// mutex; a writer thread inserts each batch in one transaction, so a request
// never waits for the disk.
#pragma once

#include "core/result.h"
#include "platform/native/storage/batch_writer.h"
#include "router/usage.h"

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace edgeai::platform::native {

class SqliteUsageStore final : public router::UsageStore {
  public:
    static constexpr const char* kFileName = "usage.db";
    // PRAGMA user_version of the schema this build writes; later versions
    // migrate from it when they open the file.
    static constexpr int kSchemaVersion = 1;

    struct Options {
        // Queued records are written this long after the first of them...
        std::chrono::milliseconds flush_interval{250};
        // ...or as soon as this many are queued.
        size_t batch_size = 256;
        // Beyond this many queued records (the disk is stuck or gone) new
        // ones are dropped and counted rather than growing memory without end.
        size_t max_queued = 65536;
    };

    // Creates the data directory and usage.db when missing. Errors name the
    // file and say what is wrong with it (unwritable, not a SQLite database,
    // written by a newer edgeai).
    static core::Result<std::unique_ptr<SqliteUsageStore>> open(const std::string& data_dir,
                                                                const Options& options);
    static core::Result<std::unique_ptr<SqliteUsageStore>> open(const std::string& data_dir) {
        return open(data_dir, Options{});
    }
    // For readers such as `edgeai usage`: creates nothing, and NotFound when
    // nothing has been recorded in this data directory yet. record() drops.
    static core::Result<std::unique_ptr<SqliteUsageStore>>
    open_read_only(const std::string& data_dir);

    // Writes what is still queued, then closes.
    ~SqliteUsageStore() override;
    SqliteUsageStore(const SqliteUsageStore&) = delete;
    SqliteUsageStore& operator=(const SqliteUsageStore&) = delete;

    // Thread-safe; never touches the disk.
    void record(router::UsageRecord record) override;
    // Thread-safe. Waits for the queued records to be written first, then
    // queries on its own connection, so it blocks for as long as both take.
    core::Result<std::vector<router::UsageRow>> summarize(const router::UsageQuery& query) override;

    // Returns once every record queued before the call has been written (or
    // failed to be: see last_write_error()).
    void flush();

    // Records lost to a full queue or a failed write.
    uint64_t dropped_records() const;
    // The latest failed write; ok when none failed.
    core::Status last_write_error() const;

    const std::string& path() const { return path_; }

  private:
    SqliteUsageStore(std::string path, Options options);
    core::Status open_writer();
    core::Status open_reader(bool read_only);
    void on_batch(const std::vector<router::UsageRecord>& batch);
    core::Status write_batch(const std::vector<router::UsageRecord>& batch);

    const std::string path_;
    const Options options_;

    // Used by the writer thread only (and by open() before it starts).
    sqlite3* writer_ = nullptr;
    sqlite3_stmt* insert_ = nullptr;

    std::mutex read_mu_;
    sqlite3* reader_ = nullptr;

    // Lost to a failed write, or offered to a store without a writer.
    std::atomic<uint64_t> failed_{0};
    mutable std::mutex error_mu_;
    core::Status last_error_;
    // Null for a read-only store. Last: stopped before what it writes with goes.
    std::unique_ptr<BatchWriter<router::UsageRecord>> batches_;
};

} // namespace edgeai::platform::native
