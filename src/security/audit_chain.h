// The audit log's line format: one JSON object per line, each bound to the
// line before it by `prev` (the SHA-256 of that whole line) and to the audit
// key by `mac` (HMAC-SHA256 over the line up to its `,"mac":` member), so an
// edited, inserted, deleted or reordered line breaks the chain where it is.
// `mac` is always the last member: its bytes are checked, never re-serialised,
// so the writer's exact output is what is signed.
#pragma once

#include "core/result.h"
#include "core/sha256.h"
#include "security/audit_sink.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace edgeai::security {

// `prev` of a chain's first line.
inline constexpr std::string_view kAuditGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Where the chain stands: the last line's seq (0 before the first line) and
// its hash, which the next line carries as `prev`.
struct AuditChainHead {
    int64_t seq = 0;
    std::string hash = std::string(kAuditGenesisHash);
};

// The audit key file holds at least 32 random bytes as hex (64 digits);
// surrounding whitespace is ignored. Returns the raw key bytes.
core::Result<std::string> parse_audit_key(std::string_view file_text);
// What a new key file holds: `key_bytes` as hex and a newline.
std::string format_audit_key(std::string_view key_bytes);

// What the writer says about the chain itself, signed with the line; 0 for
// "nothing to say" (and then absent from the line).
struct AuditLineNotes {
    // Records lost just before this one (a full queue, a failed write): a gap
    // in what was recorded is itself in the chain.
    int64_t dropped_before = 0;
    // On the first line of each file: the oldest seq edgeai still keeps
    // (older files were rotated away), so deleting the oldest kept files
    // shows.
    int64_t kept_from = 0;
};

// The next line of the chain (no newline) for `record`, which advances
// `head`. `key` is the audit key (core::HmacSha256 hashes its pads once). Bodies are written only
// with `include_bodies`.
std::string next_audit_line(AuditChainHead& head, const core::HmacSha256& key,
                            const AuditRecord& record, bool include_bodies,
                            const AuditLineNotes& notes = {});
// The same line appended to `out` (the writer's batch buffer); returns its
// length.
size_t append_audit_line(std::string& out, AuditChainHead& head, const core::HmacSha256& key,
                         const AuditRecord& record, bool include_bodies,
                         const AuditLineNotes& notes = {});

// What a line holds. Parsing checks the shape only (JSON, the members'
// types, `mac` last); audit_line_mac_matches() checks the signature.
struct AuditLine {
    int64_t seq = 0;
    std::string prev;
    std::string mac;
    AuditLineNotes notes;
    AuditRecord record;
};
core::Result<AuditLine> parse_audit_line(std::string_view line);

bool audit_line_mac_matches(std::string_view line, const core::HmacSha256& key);
// Hex SHA-256 of the whole line (without its newline): the next line's `prev`.
std::string audit_line_hash(std::string_view line);

// The signed head of the chain, kept apart from the log (natively in
// keys.db) after every durable batch: a log cut short at its end still has a
// valid chain, and only this row says more lines were written.
struct AuditCheckpoint {
    int64_t seq = 0;     // the last line known to be on disk (0: none yet)
    std::string head;    // its hash
    std::string file;    // the file it is in
    int64_t unix_ms = 0; // when the checkpoint was taken
    std::string mac;     // audit_checkpoint_mac() of the fields above
};
std::string audit_checkpoint_mac(const core::HmacSha256& key, const AuditCheckpoint& checkpoint);
bool audit_checkpoint_mac_matches(const core::HmacSha256& key, const AuditCheckpoint& checkpoint);

} // namespace edgeai::security
