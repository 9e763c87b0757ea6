#include "audit_command.h"

#include "cli_output.h"

#include "platform/native/audit/audit_files.h"
#include "platform/native/audit/audit_verify.h"
#include "platform/native/storage/sqlite_util.h"
#include "security/audit_chain.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace edgeai::cli {
namespace {

namespace native = platform::native;

// How often `tail -f` looks for new lines; a person reading does not notice.
constexpr auto kFollowPoll = std::chrono::milliseconds(200);

int run_verify(const core::AuditSettings& settings, const std::string& data_dir) {
    auto result = native::verify_audit_log(data_dir, native::audit_key_path(settings, data_dir));
    if (!result.ok()) {
        print_error(result.status().message());
        return exit_code_for(result.status());
    }
    if (const auto& fault = result->fault) {
        if (fault->line > 0) {
            std::printf("bad: %s:%" PRId64 ": %s\n", fault->file.c_str(), fault->line,
                        fault->reason.c_str());
        } else {
            std::printf("bad: %s: %s\n", native::data_file(data_dir, fault->file.c_str()).c_str(),
                        fault->reason.c_str());
        }
        return kExitRuntime;
    }
    std::printf("ok: %" PRId64 " lines in %" PRId64 " files, head %s\n", result->lines,
                result->files, result->head.hash.c_str());
    if (result->lines > 0)
        std::printf("seq %" PRId64 "..%" PRId64 "\n", result->first_seq, result->head.seq);
    if (const auto& cp = result->checkpoint) {
        std::printf("checkpoint: seq %" PRId64 " at %s UTC\n", cp->seq,
                    utc_time(cp->unix_ms).c_str());
    } else {
        print_error("warning: no audit checkpoint in keys.db, so lines cut from the end of the "
                    "log cannot be detected");
    }
    return kExitOk;
}

std::string human_line(const std::string& line) {
    auto parsed = security::parse_audit_line(line);
    if (!parsed.ok()) return "? " + line;
    const security::AuditRecord& r = parsed->record;
    auto or_dash = [](const std::string& s) { return s.empty() ? std::string("-") : s; };
    char head[96];
    std::snprintf(head, sizeof head, "%s.%03d #%" PRId64 " %d", utc_time(r.unix_ms).c_str(),
                  static_cast<int>(r.unix_ms % 1000), parsed->seq, r.status);
    char numbers[160];
    std::snprintf(numbers, sizeof numbers,
                  " tokens=%" PRId64 "+%" PRId64 " cost=%.6f latency=%" PRId64 "ms",
                  r.prompt_tokens, r.completion_tokens, r.cost, r.latency_ms);
    std::string out = std::string(head) + " " + or_dash(r.method) + " " + or_dash(r.path) +
                      " model=" + or_dash(r.model) + " backend=" + or_dash(r.backend) +
                      " key=" + or_dash(r.key_id) + " client=" + or_dash(r.client) + numbers +
                      " id=" + or_dash(r.request_id);
    if (parsed->notes.dropped_before > 0)
        out += " (" + std::to_string(parsed->notes.dropped_before) + " records dropped before)";
    return out;
}

void print_line(const std::string& line, bool json) {
    const std::string text = json ? line : human_line(line);
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fputc('\n', stdout);
}

// The last `count` lines across files, oldest first; `live_end` gets where
// audit.log's complete lines end (0 without one).
core::Result<std::vector<std::string>> last_lines(const std::string& data_dir, size_t count,
                                                  int64_t* live_end) {
    auto files = native::list_audit_files(data_dir);
    if (!files.ok()) return files.status();
    *live_end = 0;
    std::vector<std::string> lines;
    for (auto f = files->rbegin(); f != files->rend(); ++f) {
        const bool live = f->named_first_seq == 0;
        if (!live && lines.size() >= count) break;
        auto more =
            native::read_last_lines(f->path, count - lines.size(), live ? live_end : nullptr);
        if (!more.ok()) return more.status();
        more->insert(more->end(), lines.begin(), lines.end());
        lines = std::move(more).value();
    }
    return lines;
}

ino_t inode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Prints the complete lines that arrived on `fd`; keeps a partial one for
// later. False when nothing was there.
bool print_new_lines(int fd, std::string& partial, bool json) {
    char buffer[64 * 1024];
    bool any = false;
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0) break;
        any = true;
        partial.append(buffer, static_cast<size_t>(n));
    }
    size_t start = 0;
    for (size_t nl; (nl = partial.find('\n', start)) != std::string::npos; start = nl + 1)
        print_line(partial.substr(start, nl - start), json);
    partial.erase(0, start);
    if (any) std::fflush(stdout);
    return any;
}

// Follows audit.log until the process is interrupted; after a rotation the
// old file is read to its end, then the new audit.log from its start.
int follow(const std::string& live, int fd, bool json) {
    std::string partial;
    ino_t inode = 0;
    struct stat st {};
    if (fd >= 0 && ::fstat(fd, &st) == 0) inode = st.st_ino;
    for (;;) {
        if (fd >= 0 && print_new_lines(fd, partial, json)) continue;
        const ino_t now = inode_of(live);
        if (now != 0 && now != inode) {
            if (fd >= 0) {
                print_new_lines(fd, partial, json);
                ::close(fd);
            }
            partial.clear();
            fd = ::open(live.c_str(), O_RDONLY | O_CLOEXEC);
            inode = now;
            continue;
        }
        std::this_thread::sleep_for(kFollowPoll);
    }
}

int run_tail(const AuditFlags& flags, const std::string& data_dir) {
    const std::string live = native::data_file(data_dir, native::kAuditLogFileName);
    // Opened before the tail is read, so lines written meanwhile are
    // followed rather than lost; a rotation in between makes it start over.
    int fd = -1;
    int64_t live_end = 0;
    std::vector<std::string> lines;
    for (int attempt = 0; attempt < 5; ++attempt) {
        if (fd >= 0) ::close(fd);
        fd = flags.follow ? ::open(live.c_str(), O_RDONLY | O_CLOEXEC) : -1;
        auto got = last_lines(data_dir, flags.lines, &live_end);
        if (!got.ok()) {
            if (fd >= 0) ::close(fd);
            print_error(got.status().message());
            return exit_code_for(got.status());
        }
        lines = std::move(got).value();
        struct stat st {};
        if (fd < 0 || (::fstat(fd, &st) == 0 && st.st_ino == inode_of(live))) break;
    }
    if (!flags.follow && lines.empty()) {
        auto files = native::list_audit_files(data_dir);
        if (files.ok() && files->empty()) {
            print_error("no audit log in " + data_dir + " (audit.log is absent)");
            return kExitUsage;
        }
    }
    for (const std::string& line : lines)
        print_line(line, flags.json);
    std::fflush(stdout);
    if (!flags.follow) return kExitOk;
    // Start right after what the tail showed.
    if (fd >= 0) ::lseek(fd, static_cast<off_t>(live_end), SEEK_SET);
    return follow(live, fd, flags.json);
}

} // namespace

Command* add_audit_command(Command& app, AuditFlags& flags,
                           const std::function<void(Command*)>& add_common) {
    Command* audit =
        app.add_subcommand("audit", "Verify or read the tamper-evident audit log (audit.log)");
    audit->require_subcommand();
    flags.verify = audit->add_subcommand(
        "verify", "Check every line's mac and chain link and the end against the checkpoint; "
                  "names the first bad line");
    flags.tail = audit->add_subcommand("tail", "Print the last lines of the audit log");
    flags.tail->add_option("-n,--lines", flags.lines, "How many lines (default 10)");
    flags.tail->add_flag("-f,--follow", flags.follow,
                         "Keep printing new lines, across rotations, until interrupted");
    flags.tail->add_flag("--json", flags.json, "The raw JSON lines");
    for (Command* sub : {flags.verify, flags.tail})
        add_common(sub);
    return audit;
}

int run_audit_command(const AuditFlags& flags, const core::AuditSettings& settings,
                      const std::string& data_dir) {
    if (flags.verify->parsed()) return run_verify(settings, data_dir);
    return run_tail(flags, data_dir);
}

} // namespace edgeai::cli
