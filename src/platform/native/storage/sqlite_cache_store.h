// The response cache on disk (cache.persist = true): `<data dir>/cache.db`,
// so cached answers survive a restart. Written on the loop thread: a put
// happens once per cacheable miss, and WAL with synchronous=NORMAL makes it a
// write without an fsync.
#pragma once

#include "core/result.h"
#include "gateway/response_cache.h"
#include "platform/native/storage/sqlite_util.h"

#include <memory>
#include <string>

namespace edgeai::platform::native {

class SqliteCacheStore final : public gateway::ResponseCacheStore {
  public:
    static constexpr const char* kFileName = "cache.db";
    static constexpr int kSchemaVersion = 1;

    static core::Result<std::unique_ptr<SqliteCacheStore>> open(const std::string& data_dir);

    void put(std::string_view key, const gateway::CachedAnswer& answer) override;
    void erase(std::string_view key) override;
    void
    load(const std::function<void(std::string key, gateway::CachedAnswer answer)>& each) override;

    // The latest failed write; a cache that cannot write keeps serving from
    // memory.
    const core::Status& last_error() const { return last_error_; }

  private:
    SqliteCacheStore(std::string path, Db db) : path_(std::move(path)), db_(std::move(db)) {}
    void note(int rc);

    std::string path_;
    Db db_;
    Stmt put_;
    Stmt erase_;
    core::Status last_error_;
};

} // namespace edgeai::platform::native
