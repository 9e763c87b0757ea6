#include "platform/native/audit/audit_files.h"

#include "platform/native/storage/sqlite_key_store.h"
#include "platform/native/storage/sqlite_util.h"
#include "platform/native/system/files.h"
#include "platform/native/system/secret_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace edgeai::platform::native {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

core::Status io_error(const char* what, const std::string& path) {
    return core::failed_precondition(std::string("cannot ") + what + " " + path + ": " +
                                     std::strerror(errno));
}

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

bool pread_all(int fd, char* out, size_t size, off_t at) {
    while (size > 0) {
        const ssize_t n = ::pread(fd, out, size, at);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        size -= static_cast<size_t>(n);
        at += n;
    }
    return true;
}

struct Tail {
    std::vector<std::string> lines; // oldest first
    int64_t complete_bytes = 0;
    int64_t torn_bytes = 0;
};

// Reads backwards from the end until `count` whole lines are in hand (a
// newline before the first of them, or the start of the file).
core::Result<Tail> read_tail(const std::string& path, size_t count) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return io_error("open", path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return io_error("stat", path);
    std::string bytes;
    off_t pos = st.st_size;
    size_t newlines = 0;
    while (pos > 0) {
        const size_t n = static_cast<size_t>(std::min<off_t>(pos, kReadChunk));
        pos -= static_cast<off_t>(n);
        std::string chunk(n, '\0');
        if (!pread_all(fd.get(), chunk.data(), n, pos)) return io_error("read", path);
        bytes.insert(0, chunk);
        newlines += static_cast<size_t>(std::count(chunk.begin(), chunk.end(), '\n'));
        // `count` terminators and the newline before the first of those lines.
        if (newlines >= count + 1) break;
    }
    Tail tail;
    const size_t last_newline = bytes.rfind('\n');
    if (last_newline == std::string::npos) {
        tail.torn_bytes = st.st_size;
        return tail;
    }
    tail.complete_bytes = pos + static_cast<off_t>(last_newline) + 1;
    tail.torn_bytes = st.st_size - tail.complete_bytes;
    size_t end = last_newline;
    while (tail.lines.size() < count) {
        const size_t start_newline = end == 0 ? std::string::npos : bytes.rfind('\n', end - 1);
        if (start_newline == std::string::npos && pos > 0) break; // a partial first line
        const size_t start = start_newline == std::string::npos ? 0 : start_newline + 1;
        tail.lines.push_back(bytes.substr(start, end - start));
        if (start_newline == std::string::npos) break;
        end = start_newline;
    }
    std::reverse(tail.lines.begin(), tail.lines.end());
    return tail;
}

security::AuditCheckpoint checkpoint_from_row(sqlite3_stmt* s) {
    auto text = [&](int column) {
        const unsigned char* t = sqlite3_column_text(s, column);
        return t != nullptr ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    security::AuditCheckpoint c;
    c.seq = sqlite3_column_int64(s, 0);
    c.head = text(1);
    c.file = text(2);
    c.unix_ms = sqlite3_column_int64(s, 3);
    c.mac = text(4);
    return c;
}

} // namespace

std::string rotated_audit_file_name(int64_t first_seq) {
    return "audit-" + std::to_string(first_seq) + ".log";
}

std::optional<int64_t> rotated_audit_file_seq(std::string_view name) {
    constexpr std::string_view kPrefix = "audit-";
    constexpr std::string_view kSuffix = ".log";
    if (name.size() <= kPrefix.size() + kSuffix.size() ||
        name.substr(0, kPrefix.size()) != kPrefix ||
        name.substr(name.size() - kSuffix.size()) != kSuffix) {
        return std::nullopt;
    }
    const std::string_view digits =
        name.substr(kPrefix.size(), name.size() - kPrefix.size() - kSuffix.size());
    if (digits.size() > 18 || digits.front() == '0') return std::nullopt;
    int64_t seq = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        seq = seq * 10 + (c - '0');
    }
    return seq;
}

core::Result<std::vector<AuditFile>> list_audit_files(const std::string& data_dir) {
    std::vector<AuditFile> files;
    DIR* dir = ::opendir(data_dir.c_str());
    if (dir == nullptr) {
        if (errno == ENOENT) return files;
        return io_error("list", data_dir);
    }
    bool has_live = false;
    while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == kAuditLogFileName) {
            has_live = true;
        } else if (auto seq = rotated_audit_file_seq(name)) {
            files.push_back({name, data_file(data_dir, name.c_str()), *seq});
        }
    }
    ::closedir(dir);
    std::sort(files.begin(), files.end(), [](const AuditFile& a, const AuditFile& b) {
        return a.named_first_seq < b.named_first_seq;
    });
    if (has_live) files.push_back({kAuditLogFileName, data_file(data_dir, kAuditLogFileName), 0});
    return files;
}

std::string audit_key_path(const core::AuditSettings& settings, const std::string& data_dir) {
    return settings.key_file.empty() ? data_file(data_dir, kAuditKeyFileName) : settings.key_file;
}

core::Result<std::string> read_audit_key(const std::string& path) {
    auto text = read_secret_file(path);
    if (!text.ok()) return text.status();
    auto key = security::parse_audit_key(*text);
    if (!key.ok()) {
        return core::failed_precondition("audit key " + path + ": " + key.status().message());
    }
    return key;
}

core::Result<LastLine> read_last_line(const std::string& path) {
    auto tail = read_tail(path, 1);
    if (!tail.ok()) return tail.status();
    LastLine last;
    if (!tail->lines.empty()) last.line = std::move(tail->lines.back());
    last.complete_bytes = tail->complete_bytes;
    last.torn_bytes = tail->torn_bytes;
    return last;
}

core::Result<std::vector<std::string>> read_last_lines(const std::string& path, size_t count,
                                                       int64_t* complete_bytes) {
    auto tail = read_tail(path, count);
    if (!tail.ok()) return tail.status();
    if (complete_bytes != nullptr) *complete_bytes = tail->complete_bytes;
    return std::move(tail->lines);
}

core::Result<std::string> read_first_line(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) return io_error("open", path);
    std::string line;
    char buffer[kReadChunk];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("read", path);
        if (n == 0) return line;
        const std::string_view chunk(buffer, static_cast<size_t>(n));
        const size_t newline = chunk.find('\n');
        line.append(chunk.substr(0, newline));
        if (newline != std::string_view::npos) return line;
    }
}

core::Result<std::optional<security::AuditCheckpoint>>
read_audit_checkpoint(sqlite3* db, const std::string& db_path) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db, "SELECT seq, head, file, unix_ms, mac FROM audit_checkpoint",
                                -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) {
        // A keys.db made before any audit line has no such table.
        if (std::strstr(sqlite3_errmsg(db), "no such table") != nullptr)
            return std::optional<security::AuditCheckpoint>();
        return sqlite_error(db, rc, db_path);
    }
    rc = sqlite3_step(raw);
    if (rc == SQLITE_DONE) return std::optional<security::AuditCheckpoint>();
    if (rc != SQLITE_ROW) return sqlite_error(db, rc, db_path);
    return std::optional<security::AuditCheckpoint>(checkpoint_from_row(raw));
}

core::Status write_audit_checkpoint(sqlite3* db, const std::string& db_path,
                                    const security::AuditCheckpoint& c) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db,
                                "INSERT OR REPLACE INTO audit_checkpoint (id, seq, head, file, "
                                "unix_ms, mac) VALUES (1, ?1, ?2, ?3, ?4, ?5)",
                                -1, &raw, nullptr);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return sqlite_error(db, rc, db_path);
    auto text = [&](int index, const std::string& s) {
        sqlite3_bind_text(raw, index, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
    };
    sqlite3_bind_int64(raw, 1, c.seq);
    text(2, c.head);
    text(3, c.file);
    sqlite3_bind_int64(raw, 4, c.unix_ms);
    text(5, c.mac);
    rc = sqlite3_step(raw);
    if (rc != SQLITE_DONE) return sqlite_error(db, rc, db_path);
    return {};
}

core::Result<std::optional<security::AuditCheckpoint>>
read_audit_checkpoint_file(const std::string& data_dir) {
    const std::string path = data_file(data_dir, SqliteKeyStore::kFileName);
    if (!file_exists(path)) return std::optional<security::AuditCheckpoint>();
    sqlite3* raw = nullptr;
    // Read-write without create, as the usage reader does: the last
    // connection to close then removes the -wal and -shm files.
    int rc =
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);
    sqlite3_busy_timeout(raw, kSqliteBusyTimeoutMs);
    rc = sqlite3_exec(raw, "PRAGMA query_only=1", nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlite_error(raw, rc, path);
    return read_audit_checkpoint(raw, path);
}

} // namespace edgeai::platform::native
