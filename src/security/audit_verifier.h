// Walks an audit chain line by line, file by file in order, and stops at the
// first line that is not what the writer wrote: not an audit line, a mac that
// does not match (edited, forged, another key), a seq out of turn (a line
// deleted, inserted or moved), a prev that does not match the line before, a
// file whose first line is not the one its name promises or does not carry
// `kept_from` (the writer puts it on every file's first line), a log that starts
// after the oldest line the writer says it keeps (`kept_from`), and, against
// the checkpoint, a log that ends before the last line known to be on disk.
//
// What it cannot see: anything done by someone holding the key (they can
// rewrite the chain and the checkpoint), and, without a checkpoint, lines cut
// from the end.
#pragma once

#include "core/sha256.h"
#include "security/audit_chain.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::security {

struct AuditFault {
    std::string file;
    int64_t line = 0; // 1-based within `file`
    std::string reason;
};

class AuditChainVerifier {
  public:
    // `checkpoint` may be null (none was stored); it is checked against the
    // key before the first line.
    AuditChainVerifier(std::string_view key, const AuditCheckpoint* checkpoint);

    // Starts the next file. `named_first_seq` is the seq its name promises
    // for its first line (rotated files), 0 when the name promises nothing.
    void begin_file(std::string_view name, int64_t named_first_seq);
    // One line without its newline; false once a fault was found.
    bool add_line(std::string_view line);
    // The current file ends; `partial_tail` holds bytes after its last
    // newline (a line cut short), empty when it ends cleanly.
    bool end_file(std::string_view partial_tail);
    // After the last file: compares the end of the chain with the checkpoint.
    bool finish();

    const std::optional<AuditFault>& fault() const { return fault_; }
    int64_t lines() const { return lines_; }
    int64_t files() const { return files_; }
    const AuditChainHead& head() const { return head_; }
    // seq of the chain's first line seen; 0 before any.
    int64_t first_seq() const { return first_seq_; }

  private:
    bool fail(int64_t line, std::string reason);
    bool check_order(const AuditLine& line);

    const core::HmacSha256 key_;
    std::optional<AuditCheckpoint> checkpoint_;
    std::optional<AuditFault> fault_;
    AuditChainHead head_;
    std::string file_;
    int64_t named_first_seq_ = 0;
    int64_t line_in_file_ = 0;
    int64_t lines_ = 0;
    int64_t files_ = 0;
    int64_t first_seq_ = 0;
    std::string first_file_;
    int64_t kept_from_ = 0; // the newest kept_from seen
};

} // namespace edgeai::security
