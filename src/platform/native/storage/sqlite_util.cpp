#include "platform/native/storage/sqlite_util.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace edgeai::platform::native {
void StmtCloser::operator()(sqlite3_stmt* s) const {
    sqlite3_finalize(s);
}
void DbCloser::operator()(sqlite3* db) const {
    sqlite3_close_v2(db);
}

core::Status sqlite_error(sqlite3* db, int rc, const std::string& path) {
    const std::string detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    switch (rc & 0xff) {
    case SQLITE_NOTADB:
        return core::data_loss(path +
                               " is not a SQLite database; move it away and edgeai starts a new "
                               "one");
    case SQLITE_CORRUPT:
        return core::data_loss(path + " is corrupt (" + detail +
                               "); move it away and edgeai starts a new one");
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH: {
        const int err = db != nullptr ? sqlite3_system_errno(db) : 0;
        return core::failed_precondition("cannot open " + path + ": " +
                                         (err != 0 ? std::strerror(err) : detail) +
                                         "; is the data directory writable?");
    }
    case SQLITE_FULL:
        return core::unavailable("cannot write " + path + ": the disk is full");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return core::unavailable(path + " is locked by another process (" + detail + ")");
    default:
        return core::failed_precondition(path + ": " + detail);
    }
}

int query_value(sqlite3* db, const char* sql, int64_t* number, std::string* text) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, sql, -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_step(raw);
    if (rc != SQLITE_ROW) return rc == SQLITE_DONE ? SQLITE_OK : rc;
    if (number != nullptr) *number = sqlite3_column_int64(raw, 0);
    if (text != nullptr) {
        const unsigned char* t = sqlite3_column_text(raw, 0);
        *text = t != nullptr ? reinterpret_cast<const char*>(t) : "";
    }
    return SQLITE_OK;
}

core::Result<Db> open_wal_database(const std::string& path, const char* schema_sql,
                                   int schema_version) {
    // SQLite retries a failed open read-only and reports that attempt's
    // errno, so an unwritable directory would read "No such file"; and the
    // write-ahead log needs the directory writable even when the file is.
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash + 1);
    if (::access(dir.c_str(), W_OK | X_OK) != 0) {
        return core::failed_precondition("cannot open " + path + ": " + std::strerror(errno) +
                                         " (the data directory must be writable)");
    }
    if (::access(path.c_str(), F_OK) == 0 && ::access(path.c_str(), R_OK | W_OK) != 0)
        return core::failed_precondition("cannot open " + path + ": " + std::strerror(errno));
    sqlite3* raw = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &raw,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);
    sqlite3_busy_timeout(raw, kSqliteBusyTimeoutMs);
    // The first statement reads the file: a stranger's file fails here.
    std::string mode;
    rc = query_value(raw, "PRAGMA journal_mode=WAL", nullptr, &mode);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);
    if (mode != "wal") {
        return core::failed_precondition("cannot use write-ahead logging for " + path +
                                         " (journal mode stays '" + mode +
                                         "'); is it on a network file system?");
    }
    rc = sqlite3_exec(raw, "PRAGMA synchronous=NORMAL", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);

    // Version check and creation in one write transaction, so two processes
    // starting on one data directory cannot both create the schema.
    rc = sqlite3_exec(raw, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);
    int64_t version = 0;
    rc = query_value(raw, "PRAGMA user_version", &version, nullptr);
    core::Status st;
    if (rc != SQLITE_OK) {
        st = sqlite_error(raw, rc, path);
    } else if (version > schema_version) {
        st = core::failed_precondition(path + " was written by a newer edgeai (schema version " +
                                       std::to_string(version) + ", this one knows up to " +
                                       std::to_string(schema_version) + ")");
    }
    if (st.ok() && version == 0) {
        rc = sqlite3_exec(raw, schema_sql, nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK) {
            const std::string set_version = "PRAGMA user_version=" + std::to_string(schema_version);
            rc = sqlite3_exec(raw, set_version.c_str(), nullptr, nullptr, nullptr);
        }
        if (rc != SQLITE_OK) st = sqlite_error(raw, rc, path);
    }
    if (st.ok()) {
        rc = sqlite3_exec(raw, "COMMIT", nullptr, nullptr, nullptr);
        if (rc != SQLITE_OK) st = sqlite_error(raw, rc, path);
    }
    if (!st.ok()) {
        sqlite3_exec(raw, "ROLLBACK", nullptr, nullptr, nullptr);
        return st;
    }
    return db;
}

std::string data_file(const std::string& data_dir, const char* name) {
    if (!data_dir.empty() && data_dir.back() == '/') return data_dir + name;
    return data_dir + "/" + name;
}

} // namespace edgeai::platform::native
