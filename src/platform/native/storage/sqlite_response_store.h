// Stored responses of the Responses API: `<data dir>/responses.db`. Written
// on the loop thread, like the cache: one insert per stored answer, and WAL
// with synchronous=NORMAL makes it a write without an fsync (a response lost
// to a power cut is one a client can ask again). Responses past the retention
// are swept by the writes themselves, at most once a minute.
#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "gateway/response_store.h"
#include "platform/native/storage/sqlite_util.h"

#include <memory>
#include <string>

namespace edgeai::platform::native {

class SqliteResponseStore final : public gateway::ResponseStore {
  public:
    static constexpr const char* kFileName = "responses.db";
    static constexpr int kSchemaVersion = 1;

    static core::Result<std::unique_ptr<SqliteResponseStore>>
    open(const std::string& data_dir, int64_t retention_ms, const core::Clock& clock);

    core::Status put(const gateway::StoredResponse& response) override;
    core::Result<std::optional<gateway::StoredResponse>> get(std::string_view id) override;
    core::Result<bool> remove(std::string_view id) override;
    core::Result<int64_t> bytes_held_by(std::string_view owner) override;
    // Deletes responses made before `cutoff_unix_ms`; how many went.
    core::Result<int64_t> sweep(int64_t cutoff_unix_ms);

  private:
    SqliteResponseStore(std::string path, Db db, int64_t retention_ms, const core::Clock& clock)
        : path_(std::move(path)), db_(std::move(db)), retention_ms_(retention_ms), clock_(clock) {}
    core::Status prepare(const char* sql, Stmt* out);

    std::string path_;
    Db db_;
    int64_t retention_ms_;
    const core::Clock& clock_;
    int64_t last_sweep_unix_ms_ = 0;
    Stmt put_;
    Stmt get_;
    Stmt remove_;
    Stmt sweep_;
    Stmt bytes_held_;
};

} // namespace edgeai::platform::native
