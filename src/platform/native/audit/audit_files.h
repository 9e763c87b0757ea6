// Where the audit chain lives on disk, shared by the writer (audit_log_file)
// and the CLI (`edgeai audit verify|tail`):
//   <data dir>/audit.log           the live file, appended to
//   <data dir>/audit-<seq>.log     rotated files, named by their first line's
//                                  seq, so their order (and that nothing was
//                                  cut from their start) is known from names
//   <data dir>/audit.key           the HMAC key (or audit.key_file), 0600
//   <data dir>/keys.db             table audit_checkpoint: one signed row
#pragma once

#include "core/config/settings.h"
#include "core/result.h"
#include "security/audit_chain.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace edgeai::platform::native {

inline constexpr const char* kAuditLogFileName = "audit.log";
inline constexpr const char* kAuditKeyFileName = "audit.key";

// "audit-<first_seq>.log"
std::string rotated_audit_file_name(int64_t first_seq);
// The seq in a rotated file's name; nullopt for any other name.
std::optional<int64_t> rotated_audit_file_seq(std::string_view name);

struct AuditFile {
    std::string name; // as in the data dir
    std::string path;
    int64_t named_first_seq = 0; // 0 for audit.log
};
// Rotated files oldest first, then audit.log when it exists. A missing data
// directory has none.
core::Result<std::vector<AuditFile>> list_audit_files(const std::string& data_dir);

// audit.key_file, or audit.key in the data dir.
std::string audit_key_path(const core::AuditSettings& settings, const std::string& data_dir);
// The key bytes; errors name the file and the fix.
core::Result<std::string> read_audit_key(const std::string& path);

// The last complete line of a file (without its newline) and how many bytes
// follow it without a newline (a torn write). `line` is empty when the file
// has no complete line.
struct LastLine {
    std::string line;
    int64_t complete_bytes = 0; // where the complete lines end
    int64_t torn_bytes = 0;
};
core::Result<LastLine> read_last_line(const std::string& path);
// The last `count` complete lines, oldest first; `complete_bytes`, when
// given, gets where the file's complete lines end.
core::Result<std::vector<std::string>> read_last_lines(const std::string& path, size_t count,
                                                       int64_t* complete_bytes = nullptr);
// The first line (complete or not); empty for an empty file.
core::Result<std::string> read_first_line(const std::string& path);

// The checkpoint row in keys.db (its table is in kSecurityDbSchema).
core::Result<std::optional<security::AuditCheckpoint>>
read_audit_checkpoint(sqlite3* db, const std::string& db_path);
core::Status write_audit_checkpoint(sqlite3* db, const std::string& db_path,
                                    const security::AuditCheckpoint& checkpoint);
// For readers: opens keys.db without creating or changing anything; nullopt
// when there is no keys.db or no checkpoint in it.
core::Result<std::optional<security::AuditCheckpoint>>
read_audit_checkpoint_file(const std::string& data_dir);

} // namespace edgeai::platform::native
