#include "platform/native/storage/sqlite_key_store.h"

#include "core/hex.h"
#include "core/sha256.h"
#include "platform/native/storage/data_dir.h"
#include "platform/native/system/files.h"
#include "platform/native/system/randomness.h"
#include "platform/native/system/secret_files.h"

#include <sqlite3.h>
#include <sys/stat.h>

namespace edgeai::platform::native {

const char* const kSecurityDbSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL,
    scopes INTEGER NOT NULL,
    models TEXT NOT NULL,
    requests_per_minute INTEGER NOT NULL,
    tokens_per_minute INTEGER NOT NULL,
    concurrent_requests INTEGER NOT NULL,
    tokens_per_day INTEGER NOT NULL,
    tokens_per_month INTEGER NOT NULL,
    cost_per_day REAL NOT NULL,
    cost_per_month REAL NOT NULL,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    revoked_ms INTEGER NOT NULL,
    replaced_by TEXT NOT NULL,
    sealed_signing_key TEXT NOT NULL,
    mcp_tools TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS api_keys_name ON api_keys (name);
CREATE TABLE IF NOT EXISTS key_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation INTEGER NOT NULL
);
INSERT OR IGNORE INTO key_generation (id, generation) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS auth_lock (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    since_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    file TEXT NOT NULL,
    seq INTEGER NOT NULL,
    head TEXT NOT NULL,
    unix_ms INTEGER NOT NULL,
    mac TEXT NOT NULL
);
)sql";

namespace {

void bind_text(sqlite3_stmt* s, int index, std::string_view text) {
    sqlite3_bind_text(s, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* s, int index) {
    const unsigned char* p = sqlite3_column_text(s, index);
    const int n = sqlite3_column_bytes(s, index);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n))
                        : std::string();
}

// Model globs one per line: a glob cannot hold a newline (names cannot).
std::string join_lines(const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& s : items)
        out += (out.empty() ? "" : "\n") + s;
    return out;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> out;
    size_t at = 0;
    while (at < text.size()) {
        const size_t nl = text.find('\n', at);
        out.push_back(text.substr(at, nl == std::string::npos ? std::string::npos : nl - at));
        if (nl == std::string::npos) break;
        at = nl + 1;
    }
    return out;
}

} // namespace

core::Result<std::unique_ptr<SqliteKeyStore>> SqliteKeyStore::open(const std::string& data_dir) {
    core::Status st = open_data_dir(data_dir);
    if (!st.ok()) return st.with_context("keys: ");
    const std::string path = data_file(data_dir, kFileName);
    const bool existed = file_exists(path);
    auto db = open_wal_database(path, kSecurityDbSchema, kSecurityDbSchemaVersion);
    if (!db.ok()) return db.status();
    if (core::Status migrated = migrate(db->get(), path); !migrated.ok()) return migrated;
    // Hashes only, but no reason to let other local users list key names.
    if (!existed) ::chmod(path.c_str(), 0600);
    return std::unique_ptr<SqliteKeyStore>(new SqliteKeyStore(path, std::move(db).value()));
}

// A keys.db of schema 1 predates per-key MCP tools: the column is added
// (empty: every tool); one of schema 2 predates the authentication lock,
// which is set there when it holds keys. Once, under a write lock so that
// two processes opening it together do not both try.
core::Status SqliteKeyStore::migrate(sqlite3* db, const std::string& path) {
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, path);
    int64_t version = 0;
    rc = query_value(db, "PRAGMA user_version", &version, nullptr);
    if (rc == SQLITE_OK && version < 2) {
        rc = sqlite3_exec(db,
                          "ALTER TABLE api_keys ADD COLUMN mcp_tools TEXT NOT NULL DEFAULT '';"
                          "PRAGMA user_version=2",
                          nullptr, nullptr, nullptr);
    }
    if (rc == SQLITE_OK && version < 3) {
        rc =
            sqlite3_exec(db,
                         "CREATE TABLE IF NOT EXISTS auth_lock (id INTEGER PRIMARY KEY CHECK "
                         "(id = 1), since_ms INTEGER NOT NULL);"
                         "INSERT OR IGNORE INTO auth_lock (id, since_ms) SELECT 1, MIN(created_ms) "
                         "FROM api_keys HAVING COUNT(*) > 0;"
                         "PRAGMA user_version=3",
                         nullptr, nullptr, nullptr);
    }
    if (rc != SQLITE_OK) {
        core::Status st = sqlite_error(db, rc, path);
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    rc = sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? core::Status() : sqlite_error(db, rc, path);
}

core::Result<std::vector<security::ApiKey>> SqliteKeyStore::load_all() {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(
        db_.get(),
        "SELECT id, name, hash, scopes, models, requests_per_minute, tokens_per_minute, "
        "concurrent_requests, tokens_per_day, tokens_per_month, cost_per_day, cost_per_month, "
        "created_ms, expires_ms, revoked_ms, replaced_by, sealed_signing_key, mcp_tools FROM "
        "api_keys "
        "ORDER BY created_ms, id",
        -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
    std::vector<security::ApiKey> out;
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
        security::ApiKey k;
        k.id = column_text(raw, 0);
        k.name = column_text(raw, 1);
        k.hash = column_text(raw, 2);
        k.scopes = static_cast<uint32_t>(sqlite3_column_int64(raw, 3));
        k.models = split_lines(column_text(raw, 4));
        k.limits.requests_per_minute = sqlite3_column_int64(raw, 5);
        k.limits.tokens_per_minute = sqlite3_column_int64(raw, 6);
        k.limits.concurrent_requests = sqlite3_column_int64(raw, 7);
        k.budget.tokens_per_day = sqlite3_column_int64(raw, 8);
        k.budget.tokens_per_month = sqlite3_column_int64(raw, 9);
        k.budget.cost_per_day = sqlite3_column_double(raw, 10);
        k.budget.cost_per_month = sqlite3_column_double(raw, 11);
        k.created_ms = sqlite3_column_int64(raw, 12);
        k.expires_ms = sqlite3_column_int64(raw, 13);
        k.revoked_ms = sqlite3_column_int64(raw, 14);
        k.replaced_by = column_text(raw, 15);
        k.sealed_signing_key = column_text(raw, 16);
        k.mcp_tools = split_lines(column_text(raw, 17));
        out.push_back(std::move(k));
    }
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, path_);
    return out;
}

core::Result<uint64_t> SqliteKeyStore::generation() {
    int64_t n = 0;
    const int rc =
        query_value(db_.get(), "SELECT generation FROM key_generation WHERE id = 1", &n, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_error(db_.get(), rc, path_);
    return static_cast<uint64_t>(n);
}

core::Status SqliteKeyStore::insert(const security::ApiKey& key) {
    return in_transaction([&]() -> core::Status {
        EDGEAI_TRY(write_row(key, true));
        return exec("INSERT OR IGNORE INTO auth_lock (id, since_ms) VALUES (1, " +
                    std::to_string(key.created_ms) + ")");
    });
}

core::Status SqliteKeyStore::remove(std::string_view id) {
    return in_transaction([&]() -> core::Status {
        sqlite3_stmt* raw = nullptr;
        int rc =
            sqlite3_prepare_v2(db_.get(), "DELETE FROM api_keys WHERE id = ?1", -1, &raw, nullptr);
        Stmt stmt(raw);
        if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
        bind_text(raw, 1, id);
        rc = sqlite3_step(raw);
        if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, path_);
        if (sqlite3_changes(db_.get()) == 0)
            return core::not_found("key " + std::string(id) + " is not in " + path_);
        return {};
    });
}

core::Result<bool> SqliteKeyStore::locked() {
    int64_t n = 0;
    const int rc = query_value(db_.get(), "SELECT COUNT(*) FROM auth_lock", &n, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlite_error(db_.get(), rc, path_);
    return n > 0;
}

core::Status SqliteKeyStore::unlock() {
    return in_transaction([&]() -> core::Status {
        int64_t keys = 0;
        const int rc = query_value(db_.get(), "SELECT COUNT(*) FROM api_keys", &keys, nullptr);
        if (rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
            return sqlite_error(db_.get(), rc, path_);
        if (keys > 0)
            return core::failed_precondition(
                std::to_string(keys) +
                " keys are still in keys.db (revoked ones too); delete them first");
        return exec("DELETE FROM auth_lock");
    });
}

core::Status SqliteKeyStore::exec(const std::string& sql) {
    const int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr);
    return rc == SQLITE_OK ? core::Status() : sqlite_error(db_.get(), rc, path_);
}

core::Status SqliteKeyStore::update(const security::ApiKey& key) {
    return in_transaction([&] { return write_row(key, false); });
}

core::Status SqliteKeyStore::rotate(const security::ApiKey& replaced,
                                    const security::ApiKey& successor) {
    return in_transaction([&]() -> core::Status {
        // Checked inside the write transaction: two rotations of one key
        // (two terminals, the CLI and the admin API) cannot both win.
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v2(db_.get(),
                                    "SELECT replaced_by, revoked_ms FROM api_keys WHERE id = ?1",
                                    -1, &raw, nullptr);
        Stmt stmt(raw);
        if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
        bind_text(raw, 1, replaced.id);
        rc = sqlite3_step(raw);
        if (rc == SQLITE_DONE) return core::not_found("key " + replaced.id + " is not in " + path_);
        if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, path_);
        if (sqlite3_column_bytes(raw, 0) > 0 || sqlite3_column_int64(raw, 1) != 0) {
            return core::failed_precondition("key " + replaced.id +
                                             " was rotated or revoked meanwhile; nothing changed");
        }
        EDGEAI_TRY(write_row(successor, true));
        return write_row(replaced, false);
    });
}

core::Status SqliteKeyStore::in_transaction(const std::function<core::Status()>& change) {
    int rc = sqlite3_exec(db_.get(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
    if (core::Status st = change(); !st.ok()) {
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    rc = sqlite3_exec(db_.get(),
                      "UPDATE key_generation SET generation = generation + 1 WHERE id = 1", nullptr,
                      nullptr, nullptr);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db_.get(), "COMMIT", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) {
        core::Status st = sqlite_error(db_.get(), rc, path_);
        sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    return {};
}

core::Status SqliteKeyStore::write_row(const security::ApiKey& key, bool insert) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(
        db_.get(),
        insert ? "INSERT INTO api_keys (id, name, hash, scopes, models, requests_per_minute, "
                 "tokens_per_minute, concurrent_requests, tokens_per_day, tokens_per_month, "
                 "cost_per_day, cost_per_month, created_ms, expires_ms, revoked_ms, replaced_by, "
                 "sealed_signing_key, mcp_tools) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                 "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
               : "UPDATE api_keys SET name = ?2, hash = ?3, scopes = ?4, models = ?5, "
                 "requests_per_minute = ?6, tokens_per_minute = ?7, concurrent_requests = ?8, "
                 "tokens_per_day = ?9, tokens_per_month = ?10, cost_per_day = ?11, "
                 "cost_per_month = ?12, created_ms = ?13, expires_ms = ?14, revoked_ms = ?15, "
                 "replaced_by = ?16, sealed_signing_key = ?17, mcp_tools = ?18 WHERE id = ?1",
        -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return sqlite_error(db_.get(), rc, path_);
    const std::string models = join_lines(key.models);
    bind_text(raw, 1, key.id);
    bind_text(raw, 2, key.name);
    bind_text(raw, 3, key.hash);
    sqlite3_bind_int64(raw, 4, key.scopes);
    bind_text(raw, 5, models);
    sqlite3_bind_int64(raw, 6, key.limits.requests_per_minute);
    sqlite3_bind_int64(raw, 7, key.limits.tokens_per_minute);
    sqlite3_bind_int64(raw, 8, key.limits.concurrent_requests);
    sqlite3_bind_int64(raw, 9, key.budget.tokens_per_day);
    sqlite3_bind_int64(raw, 10, key.budget.tokens_per_month);
    sqlite3_bind_double(raw, 11, key.budget.cost_per_day);
    sqlite3_bind_double(raw, 12, key.budget.cost_per_month);
    sqlite3_bind_int64(raw, 13, key.created_ms);
    sqlite3_bind_int64(raw, 14, key.expires_ms);
    sqlite3_bind_int64(raw, 15, key.revoked_ms);
    bind_text(raw, 16, key.replaced_by);
    bind_text(raw, 17, key.sealed_signing_key);
    const std::string tools = join_lines(key.mcp_tools);
    bind_text(raw, 18, tools);
    rc = sqlite3_step(raw);
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, path_);
    if (!insert && sqlite3_changes(db_.get()) == 0)
        return core::not_found("key " + key.id + " is not in " + path_);
    return {};
}

core::Result<std::string> load_or_create_server_secret(const std::string& data_dir) {
    const std::string path = data_file(data_dir, SqliteKeyStore::kSecretFileName);
    if (!file_exists(path)) {
        auto random = random_bytes(32);
        if (!random.ok()) return random.status();
        core::Sha256Digest bytes{};
        for (size_t i = 0; i < bytes.size(); ++i)
            bytes[i] = static_cast<uint8_t>((*random)[i]);
        core::Status st = write_secret_file(path, core::hex_encode(bytes) + "\n");
        // Another process may have made it first: read whichever exists.
        if (!st.ok() && !file_exists(path)) return st;
    }
    auto text = read_secret_file(path);
    if (!text.ok()) return text.status();
    std::string secret = std::move(text).value();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
        secret.pop_back();
    if (secret.size() < 32) return core::failed_precondition(path + " is too short to be a secret");
    return secret;
}

} // namespace edgeai::platform::native
