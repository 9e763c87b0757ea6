#include "platform/native/audit/audit_verify.h"

#include "platform/native/audit/audit_files.h"
#include "platform/native/storage/sqlite_util.h"
#include "platform/native/system/files.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::platform::native {
namespace {

struct FileCloser {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

struct OpenAuditFile {
    AuditFile file;
    File stream;
};

// Lists and opens every file; a file that vanished between the two (rotated
// or deleted by a running server) makes it list again.
core::Result<std::vector<OpenAuditFile>> open_all(const std::string& data_dir) {
    for (int attempt = 0;; ++attempt) {
        auto listed = list_audit_files(data_dir);
        if (!listed.ok()) return listed.status();
        std::vector<OpenAuditFile> opened;
        bool vanished = false;
        for (AuditFile& f : *listed) {
            File stream(std::fopen(f.path.c_str(), "rbe"));
            if (!stream) {
                if (errno == ENOENT && attempt < 3) {
                    vanished = true;
                    break;
                }
                return core::failed_precondition("cannot open " + f.path + ": " +
                                                 std::strerror(errno));
            }
            opened.push_back({std::move(f), std::move(stream)});
        }
        if (!vanished) return opened;
    }
}

// Feeds one file's lines to the verifier; false at the first fault.
core::Result<bool> verify_file(OpenAuditFile& f, security::AuditChainVerifier& verifier) {
    verifier.begin_file(f.file.path, f.file.named_first_seq);
    char* buffer = nullptr;
    size_t capacity = 0;
    std::string_view partial;
    bool ok = true;
    for (;;) {
        const ssize_t n = ::getline(&buffer, &capacity, f.stream.get());
        if (n < 0) break;
        std::string_view line(buffer, static_cast<size_t>(n));
        if (line.back() != '\n') {
            partial = line;
            break;
        }
        line.remove_suffix(1);
        if (!verifier.add_line(line)) {
            ok = false;
            break;
        }
    }
    const bool read_error = std::ferror(f.stream.get()) != 0;
    if (ok) ok = verifier.end_file(partial);
    std::free(buffer);
    if (read_error) return core::failed_precondition("cannot read " + f.file.path);
    return ok;
}

} // namespace

core::Result<AuditVerification> verify_audit_log(const std::string& data_dir,
                                                 const std::string& key_path) {
    if (!file_exists(key_path)) {
        return core::not_found("the audit key " + key_path +
                               " does not exist: the log cannot be verified without the key "
                               "that signed it");
    }
    auto key = read_audit_key(key_path);
    if (!key.ok()) return key.status();
    auto checkpoint = read_audit_checkpoint_file(data_dir);
    if (!checkpoint.ok()) return checkpoint.status();
    auto files = open_all(data_dir);
    if (!files.ok()) return files.status();
    if (files->empty() && !checkpoint->has_value())
        return core::not_found("no audit log in " + data_dir + " (audit.log is absent)");

    security::AuditChainVerifier verifier(std::move(key).value(),
                                          checkpoint->has_value() ? &**checkpoint : nullptr);
    AuditVerification result;
    result.checkpoint = *checkpoint;
    bool ok = true;
    for (OpenAuditFile& f : *files) {
        auto file_ok = verify_file(f, verifier);
        if (!file_ok.ok()) return file_ok.status();
        if (!*file_ok) {
            ok = false;
            break;
        }
    }
    if (ok && files->empty()) {
        // Every file is gone, yet a checkpoint says lines were written.
        verifier.begin_file(data_file(data_dir, kAuditLogFileName), 0);
        verifier.end_file("");
    }
    if (ok) verifier.finish();
    result.fault = verifier.fault();
    result.lines = verifier.lines();
    result.files = verifier.files();
    result.first_seq = verifier.first_seq();
    result.head = verifier.head();
    return result;
}

} // namespace edgeai::platform::native
