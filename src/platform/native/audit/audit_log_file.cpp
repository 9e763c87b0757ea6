#include "platform/native/audit/audit_log_file.h"

#include "platform/native/audit/audit_files.h"
#include "platform/native/storage/data_dir.h"
#include "platform/native/storage/sqlite_key_store.h"
#include "platform/native/storage/sqlite_util.h"
#include "platform/native/system/files.h"
#include "platform/native/system/randomness.h"
#include "platform/native/system/secret_files.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace edgeai::platform::native {
namespace {

constexpr size_t kKeyBytes = 32;
// A batch goes to the file in writes of about this much. One buffer for a
// whole batch (up to 1024 lines, ~0.5 MB) would be a fresh mapping, grown and
// faulted in page by page, for every batch; this one stays in the heap.
constexpr size_t kWriteChunkBytes = 64 * 1024;

int64_t now_unix_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

size_t record_bytes(const security::AuditRecord& r) {
    return sizeof r + r.request_id.size() + r.key_id.size() + r.client.size() + r.method.size() +
           r.path.size() + r.model.size() + r.backend.size() + r.request_body.size() +
           r.response_body.size();
}

std::string errno_text() {
    return std::strerror(errno);
}

// Renames without replacing: an existing rotated file is never overwritten.
bool rename_no_replace(const std::string& from, const std::string& to) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return true;
    if (errno != EINVAL && errno != ENOSYS) return false;
    // A file system without RENAME_NOREPLACE: check, then rename.
    if (file_exists(to)) {
        errno = EEXIST;
        return false;
    }
    return ::rename(from.c_str(), to.c_str()) == 0;
}

std::string start_over_hint(const std::string& key_path) {
    return "; run 'edgeai audit verify' for details. To start a new chain on purpose, move the "
           "audit*.log files and the audit key (" +
           key_path + ") elsewhere together (keep them to verify the old chain)";
}

} // namespace

AuditLogFile::AuditLogFile(const core::AuditSettings& settings, std::string data_dir,
                           telemetry::Logger& logger, const Options& options)
    : settings_(settings), data_dir_(std::move(data_dir)),
      live_path_(data_file(data_dir_, kAuditLogFileName)), logger_(logger), options_(options) {}

core::Result<std::unique_ptr<AuditLogFile>> AuditLogFile::open(const core::AuditSettings& settings,
                                                               const std::string& data_dir,
                                                               telemetry::Logger& logger,
                                                               const Options& options) {
    core::Status st = open_data_dir(data_dir);
    if (!st.ok()) return st.with_context("audit log: ");
    std::unique_ptr<AuditLogFile> log(new AuditLogFile(settings, data_dir, logger, options));
    st = log->recover();
    if (!st.ok()) return st;
    log->published_head_ = log->head_;
    BatchWriter<security::AuditRecord>::Options batching;
    batching.max_delay = options.flush_interval;
    batching.batch_size = options.batch_size;
    batching.max_queued = options.max_queued;
    batching.max_queued_bytes = options.max_queued_bytes;
    batching.release_after_burst = true;
    log->batches_ = std::make_unique<BatchWriter<security::AuditRecord>>(
        batching,
        [l = log.get()](std::vector<security::AuditRecord>& batch, uint64_t refused_before) {
            l->write_group(batch, refused_before);
        });
    return log;
}

core::Result<std::unique_ptr<AuditLogFile>> open_audit_log(const core::AuditSettings& settings,
                                                           const std::string& data_dir,
                                                           telemetry::Logger& logger) {
    return AuditLogFile::open(settings, data_dir, logger, AuditLogFile::Options{});
}

core::Status AuditLogFile::recover() {
    auto files = list_audit_files(data_dir_);
    if (!files.ok()) return files.status();
    std::string last_line;
    std::string last_path;
    for (auto f = files->rbegin(); f != files->rend() && last_line.empty(); ++f) {
        auto last = read_last_line(f->path);
        if (!last.ok()) return last.status();
        if (last->torn_bytes > 0) {
            if (f->named_first_seq != 0) {
                return core::data_loss(f->path + " ends in a line cut short" +
                                       start_over_hint(audit_key_path(settings_, data_dir_)));
            }
            if (::truncate(f->path.c_str(), last->complete_bytes) != 0)
                return core::failed_precondition("cannot repair " + f->path + ": " + errno_text());
            logger_.warn("audit.log ended in a torn line (a crash during a write); cut it off",
                         {{"file", f->path}, {"bytes", last->torn_bytes}});
        }
        last_line = std::move(last->line);
        last_path = f->path;
    }
    for (const AuditFile& f : *files) {
        if (f.named_first_seq != 0) rotated_first_seqs_.push_back(f.named_first_seq);
    }

    const std::string key_path = audit_key_path(settings_, data_dir_);
    if (!file_exists(key_path)) {
        if (!last_line.empty()) {
            return core::failed_precondition("the audit log in " + data_dir_ +
                                             " has lines, but its key " + key_path +
                                             " is missing: restore the key, or move the "
                                             "audit*.log files elsewhere to start a new chain");
        }
        if (!settings_.key_file.empty()) {
            return core::failed_precondition(
                "audit.key_file " + key_path +
                " does not exist; create it with 32 random bytes as hex, readable by the owner "
                "only: (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \\n' > " +
                key_path + ")");
        }
        auto bytes = random_bytes(kKeyBytes);
        if (!bytes.ok()) return bytes.status();
        core::Status st = write_secret_file(key_path, security::format_audit_key(*bytes));
        if (!st.ok()) return st;
        logger_.info("created the audit key", {{"file", key_path}});
    }
    auto key = read_audit_key(key_path);
    if (!key.ok()) return key.status();
    key_ = core::HmacSha256(*key);

    if (!last_line.empty()) {
        auto parsed = security::parse_audit_line(last_line);
        if (!parsed.ok() || !security::audit_line_mac_matches(last_line, key_)) {
            const std::string why = parsed.ok() ? "its mac does not match; the key was replaced "
                                                  "or the line changed"
                                                : parsed.status().message();
            return core::data_loss("the last line of " + last_path +
                                   " does not verify with the audit key (" + why + ")" +
                                   start_over_hint(key_path));
        }
        head_.seq = parsed->seq;
        head_.hash = security::audit_line_hash(last_line);
    }
    live_first_seq_ = head_.seq + 1;
    if (last_path == live_path_) {
        auto first = read_first_line(live_path_);
        if (!first.ok()) return first.status();
        auto parsed = security::parse_audit_line(*first);
        if (parsed.ok()) {
            live_first_seq_ = parsed->seq;
        } else if (!first->empty()) { // an empty log (no request yet) is fine
            logger_.warn("the first line of audit.log is unreadable; 'edgeai audit verify' "
                         "will name it",
                         {{"reason", parsed.status().message()}});
        }
    }

    db_path_ = data_file(data_dir_, SqliteKeyStore::kFileName);
    const bool db_existed = file_exists(db_path_);
    auto db = open_wal_database(db_path_, kSecurityDbSchema, kSecurityDbSchemaVersion);
    if (!db.ok()) return db.status();
    db_ = std::move(db).value().release();
    if (!db_existed) ::chmod(db_path_.c_str(), 0600);
    auto checkpoint = read_audit_checkpoint(db_, db_path_);
    if (!checkpoint.ok()) return checkpoint.status();
    if (const auto& cp = *checkpoint) {
        const std::string where = last_path.empty() ? "the audit log" : last_path;
        if (!security::audit_checkpoint_mac_matches(key_, *cp)) {
            if (head_.seq > 0) {
                return core::data_loss("the audit checkpoint in " + db_path_ +
                                       " does not match its mac with the key " + key_path +
                                       ": the row was edited, or the key was replaced" +
                                       start_over_hint(key_path));
            }
            // No line to protect: the checkpoint is a previous chain's (its
            // files and key were moved away), or was forged by someone who
            // could as well have deleted it.
            logger_.warn("starting a new audit chain; the checkpoint of the previous one is "
                         "replaced",
                         {{"previous_seq", cp->seq}, {"previous_file", cp->file}});
        } else if (head_.seq < cp->seq) {
            return core::data_loss(
                (head_.seq == 0 ? "no audit log in " + data_dir_ + ", but"
                                : where + " ends at seq " + std::to_string(head_.seq) + ", but") +
                " the checkpoint says seq " + std::to_string(cp->seq) +
                " was written: the log was truncated or deleted" + start_over_hint(key_path));
        } else if (head_.seq == cp->seq && head_.hash != cp->head) {
            return core::data_loss(
                "the last line of " + where + " (seq " + std::to_string(cp->seq) +
                ") is not the line the checkpoint recorded" + start_over_hint(key_path));
        }
    }
    EDGEAI_TRY(open_live_file());
    return store_checkpoint();
}

core::Status AuditLogFile::open_live_file() {
    const bool existed = file_exists(live_path_);
    fd_ = ::open(live_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd_ < 0)
        return core::failed_precondition("cannot open " + live_path_ + ": " + errno_text());
    struct stat st {};
    if (::fstat(fd_, &st) != 0)
        return core::failed_precondition("cannot stat " + live_path_ + ": " + errno_text());
    live_size_ = st.st_size;
    if (!existed) sync_directory();
    return {};
}

AuditLogFile::~AuditLogFile() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        closing_ = true;
    }
    retry_.notify_all();
    if (batches_) batches_->stop();
    if (fd_ >= 0) ::close(fd_);
    sqlite3_close_v2(db_);
}

void AuditLogFile::record(security::AuditRecord record) {
    if (!settings_.include_bodies) {
        record.request_body = std::string();
        record.response_body = std::string();
    }
    const size_t bytes = record_bytes(record);
    // A refusal is counted by the writer and noted in the next line written.
    (void)batches_->push(std::move(record), bytes);
}

void AuditLogFile::flush() {
    batches_->flush();
}

uint64_t AuditLogFile::dropped_records() const {
    return batches_->refused() + lost_.load();
}

core::Status AuditLogFile::health() const {
    if (!failing_.load()) return {};
    return last_write_error();
}

core::Status AuditLogFile::last_write_error() const {
    std::lock_guard<std::mutex> lock(mu_);
    return last_error_;
}

security::AuditChainHead AuditLogFile::head() const {
    std::lock_guard<std::mutex> lock(mu_);
    return published_head_;
}

// A batch that cannot be written (a full disk) is not dropped: it is tried
// again, backing off up to 5 s, until it is written or the log closes; health()
// says why meanwhile, which audit.on_write_failure = "refuse" turns into 503s.
// Records pushed meanwhile wait in the writer's bounded queue.
void AuditLogFile::write_group(std::vector<security::AuditRecord>& batch, uint64_t refused_before) {
    int64_t dropped_before = static_cast<int64_t>(refused_before) + lost_unnoted_;
    lost_unnoted_ = 0;
    if (dropped_before > 0) {
        logger_.warn("audit records dropped: the writer fell behind or a write failed",
                     {{"dropped", dropped_before},
                      {"dropped_total", static_cast<int64_t>(dropped_records())}});
    }
    size_t done = 0;
    auto backoff = std::chrono::milliseconds(100);
    for (;;) {
        const size_t written = write_part(batch, done, dropped_before);
        if (written > 0) dropped_before = 0; // carried by the first line written
        done += written;
        if (done == batch.size()) break;
        failing_.store(true);
        std::unique_lock<std::mutex> lock(mu_);
        if (closing_) {
            const int64_t lost = static_cast<int64_t>(batch.size() - done);
            lock.unlock();
            lost_ += static_cast<uint64_t>(lost);
            lost_unnoted_ += lost + dropped_before;
            logger_.error("audit records lost: the log closed while it could not be written",
                          {{"lost", lost}, {"error", last_write_error().message()}});
            return;
        }
        retry_.wait_for(lock, backoff, [&] { return closing_; });
        backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    if (failing_.exchange(false)) logger_.info("audit log written again", {{"file", live_path_}});
}

size_t AuditLogFile::write_part(std::vector<security::AuditRecord>& batch, size_t from,
                                int64_t dropped_before) {
    const size_t written = write_batch(batch, from, dropped_before);
    if (written > 0) {
        if (fd_ >= 0 && ::fdatasync(fd_) != 0) {
            const core::Status st =
                core::unavailable("cannot sync " + live_path_ + ": " + errno_text());
            logger_.error("audit log not synced", {{"error", st.message()}});
            std::lock_guard<std::mutex> lock(mu_);
            last_error_ = st;
        } else if (core::Status st = store_checkpoint(); !st.ok()) {
            logger_.error("audit checkpoint not stored", {{"error", st.message()}});
            std::lock_guard<std::mutex> lock(mu_);
            last_error_ = st;
        } else {
            delete_expired_files();
        }
    }
    std::lock_guard<std::mutex> lock(mu_);
    published_head_ = head_;
    return written;
}

size_t AuditLogFile::write_batch(std::vector<security::AuditRecord>& batch, size_t from,
                                 int64_t dropped_before) {
    if (fd_ < 0 && !open_live_file().ok()) return 0;
    std::string buffer;
    buffer.reserve(kWriteChunkBytes + 1024);
    size_t buffered = 0;
    size_t written = 0;
    bool may_rotate = true;
    security::AuditChainHead next = head_;
    for (size_t i = from; i < batch.size(); ++i) {
        const security::AuditRecord& r = batch[i];
        const security::AuditChainHead before = next;
        security::AuditLineNotes notes;
        if (written + buffered == 0) notes.dropped_before = dropped_before;
        const int64_t pending = live_size_ + static_cast<int64_t>(buffer.size());
        if (pending == 0) notes.kept_from = oldest_kept_seq();
        const size_t line_start = buffer.size();
        const size_t line_size =
            security::append_audit_line(buffer, next, key_, r, settings_.include_bodies, notes);
        if (may_rotate && pending > 0 &&
            pending + static_cast<int64_t>(line_size) + 1 > settings_.max_file_bytes) {
            buffer.resize(line_start); // the line belongs in the next file
            if (!append(buffer)) return written;
            written += buffered;
            buffered = 0;
            buffer.clear();
            head_ = before;
            rotate();
            if (fd_ < 0) return written;
            // A rotation that failed is not retried for every line.
            may_rotate = live_size_ == 0;
            // The line opens the new file, so it says what is kept.
            if (live_size_ == 0) notes.kept_from = oldest_kept_seq();
            next = before;
            security::append_audit_line(buffer, next, key_, r, settings_.include_bodies, notes);
        }
        buffer += '\n';
        ++buffered;
        if (buffer.size() >= kWriteChunkBytes) {
            if (!append(buffer)) return written;
            written += buffered;
            buffered = 0;
            buffer.clear();
            head_ = next;
        }
    }
    if (!append(buffer)) return written;
    head_ = next;
    return written + buffered;
}

bool AuditLogFile::append(const std::string& bytes) {
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const core::Status st =
                core::unavailable("cannot write " + live_path_ + ": " + errno_text());
            // Half a batch must not stay behind as a torn line the next batch
            // would follow.
            if (::ftruncate(fd_, live_size_) != 0) {
                logger_.error("cannot cut a failed audit write back",
                              {{"file", live_path_}, {"error", errno_text()}});
            }
            logger_.error("audit records not written", {{"error", st.message()}});
            std::lock_guard<std::mutex> lock(mu_);
            last_error_ = st;
            return false;
        }
        done += static_cast<size_t>(n);
    }
    live_size_ += static_cast<int64_t>(bytes.size());
    return true;
}

void AuditLogFile::rotate() {
    // The file's lines are durable before its name changes.
    if (::fdatasync(fd_) != 0) {
        logger_.error("audit log not rotated: cannot sync it",
                      {{"file", live_path_}, {"error", errno_text()}});
        return;
    }
    const std::string rotated =
        data_file(data_dir_, rotated_audit_file_name(live_first_seq_).c_str());
    if (!rename_no_replace(live_path_, rotated)) {
        logger_.error("audit log not rotated",
                      {{"file", live_path_}, {"to", rotated}, {"error", errno_text()}});
        return;
    }
    ::close(fd_);
    fd_ = -1;
    rotated_first_seqs_.push_back(live_first_seq_);
    live_first_seq_ = head_.seq + 1;
    live_size_ = 0;
    if (settings_.max_files > 0) {
        while (rotated_first_seqs_.size() > static_cast<size_t>(settings_.max_files)) {
            expired_first_seqs_.push_back(rotated_first_seqs_.front());
            rotated_first_seqs_.pop_front();
        }
    }
    if (core::Status st = open_live_file(); !st.ok()) {
        logger_.error("audit log not reopened after rotation", {{"error", st.message()}});
        std::lock_guard<std::mutex> lock(mu_);
        last_error_ = st;
    }
    sync_directory();
}

core::Status AuditLogFile::store_checkpoint() {
    security::AuditCheckpoint cp;
    cp.seq = head_.seq;
    cp.head = head_.hash;
    cp.file = live_size_ > 0 || rotated_first_seqs_.empty()
                  ? kAuditLogFileName
                  : rotated_audit_file_name(rotated_first_seqs_.back());
    cp.unix_ms = now_unix_ms();
    cp.mac = security::audit_checkpoint_mac(key_, cp);
    return write_audit_checkpoint(db_, db_path_, cp);
}

int64_t AuditLogFile::oldest_kept_seq() const {
    return rotated_first_seqs_.empty() ? live_first_seq_ : rotated_first_seqs_.front();
}

void AuditLogFile::delete_expired_files() {
    // Only after a checkpoint no longer counts them as kept.
    if (expired_first_seqs_.empty()) return;
    for (int64_t seq : expired_first_seqs_) {
        const std::string path = data_file(data_dir_, rotated_audit_file_name(seq).c_str());
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            logger_.warn("cannot delete an old audit file",
                         {{"file", path}, {"error", errno_text()}});
        }
    }
    expired_first_seqs_.clear();
    sync_directory();
}

void AuditLogFile::sync_directory() {
    const int dir = ::open(data_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return;
    ::fsync(dir);
    ::close(dir);
}

} // namespace edgeai::platform::native
