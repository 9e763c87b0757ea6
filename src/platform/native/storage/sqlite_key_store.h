// API keys on disk: `<data dir>/keys.db` (also home of the audit log's
// checkpoint). The CLI and the running server open it side by side; every
// change bumps a generation number the server polls, so a key made or
// revoked with `edgeai keys` applies within a second. Only hashes and sealed
// signing keys are stored; the file is created 0600 all the same.
#pragma once

#include "core/result.h"
#include "platform/native/storage/sqlite_util.h"
#include "security/key_store.h"

#include <functional>
#include <memory>
#include <string>

namespace edgeai::platform::native {

class SqliteKeyStore final : public security::KeyStore {
  public:
    static constexpr const char* kFileName = "keys.db";
    static constexpr const char* kSecretFileName = "keys.secret";

    static core::Result<std::unique_ptr<SqliteKeyStore>> open(const std::string& data_dir);

    core::Result<std::vector<security::ApiKey>> load_all() override;
    core::Result<uint64_t> generation() override;
    core::Status insert(const security::ApiKey& key) override;
    core::Status update(const security::ApiKey& key) override;
    core::Status rotate(const security::ApiKey& replaced,
                        const security::ApiKey& successor) override;
    core::Status remove(std::string_view id) override;
    core::Result<bool> locked() override;
    core::Status unlock() override;

  private:
    static core::Status migrate(sqlite3* db, const std::string& path);
    SqliteKeyStore(std::string path, Db db) : path_(std::move(path)), db_(std::move(db)) {}
    // Runs `change` in one write transaction that also bumps the generation;
    // rolls back when it fails.
    core::Status in_transaction(const std::function<core::Status()>& change);
    core::Status write_row(const security::ApiKey& key, bool insert);
    core::Status exec(const std::string& sql);

    std::string path_;
    Db db_;
};

// The schema of keys.db, shared by everything that opens it (the audit
// checkpoint lives there too), so whoever opens it first creates all of it.
extern const char* const kSecurityDbSchema;
inline constexpr int kSecurityDbSchemaVersion = 3;

// The server's secret that seals signing keys (`<data dir>/keys.secret`,
// 32 random bytes as hex, mode 0600), made on first use.
core::Result<std::string> load_or_create_server_secret(const std::string& data_dir);

} // namespace edgeai::platform::native
