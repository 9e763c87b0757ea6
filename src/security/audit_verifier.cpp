#include "security/audit_verifier.h"

#include <utility>

namespace edgeai::security {
namespace {

constexpr const char* kCheckpointName = "keys.db (audit_checkpoint)";

std::string seq_range(int64_t from, int64_t to) {
    if (from == to) return "seq " + std::to_string(from) + " is";
    return "seq " + std::to_string(from) + ".." + std::to_string(to) + " are";
}

} // namespace

AuditChainVerifier::AuditChainVerifier(std::string_view key, const AuditCheckpoint* checkpoint)
    : key_(key) {
    if (checkpoint == nullptr) return;
    if (!audit_checkpoint_mac_matches(key_, *checkpoint)) {
        fault_ = AuditFault{kCheckpointName, 0,
                            "the checkpoint's mac does not match this key: the row was edited, "
                            "or the key was replaced"};
        return;
    }
    checkpoint_ = *checkpoint;
}

bool AuditChainVerifier::fail(int64_t line, std::string reason) {
    if (!fault_) fault_ = AuditFault{file_, line, std::move(reason)};
    return false;
}

void AuditChainVerifier::begin_file(std::string_view name, int64_t named_first_seq) {
    file_ = std::string(name);
    named_first_seq_ = named_first_seq;
    line_in_file_ = 0;
    ++files_;
}

bool AuditChainVerifier::add_line(std::string_view line) {
    if (fault_) return false;
    ++line_in_file_;
    auto parsed = parse_audit_line(line);
    if (!parsed.ok()) return fail(line_in_file_, "not an audit line: " + parsed.status().message());
    if (!audit_line_mac_matches(line, key_)) {
        return fail(line_in_file_, "the mac does not match: the line was changed, or it was "
                                   "written with another key");
    }
    if (!check_order(*parsed)) return false;
    const std::string hash = audit_line_hash(line);
    if (checkpoint_ && parsed->seq == checkpoint_->seq && hash != checkpoint_->head) {
        return fail(line_in_file_, "seq " + std::to_string(parsed->seq) +
                                       " is not the line the checkpoint recorded: the log "
                                       "was rewritten from here");
    }
    if (first_seq_ == 0) first_seq_ = parsed->seq;
    if (parsed->notes.kept_from > 0) kept_from_ = parsed->notes.kept_from;
    head_.seq = parsed->seq;
    head_.hash = hash;
    ++lines_;
    return true;
}

bool AuditChainVerifier::check_order(const AuditLine& line) {
    const int64_t seq = line.seq;
    if (line_in_file_ == 1 && named_first_seq_ != 0 && seq != named_first_seq_) {
        return fail(line_in_file_, "the file's name says it starts at seq " +
                                       std::to_string(named_first_seq_) +
                                       " but its first line is seq " + std::to_string(seq) +
                                       ": lines were removed from its start, or files were "
                                       "renamed");
    }
    if (line_in_file_ == 1 && line.notes.kept_from == 0) {
        return fail(line_in_file_, "the file's first line does not carry kept_from, as the first "
                                   "line of every file does: lines were removed from its start");
    }
    if (head_.seq == 0) {
        // The first line seen. Older files may have been rotated away, so
        // its prev cannot be checked unless it is the chain's very first.
        if (seq == 1 && line.prev != kAuditGenesisHash)
            return fail(line_in_file_, "seq 1 must have prev 000...0 (the start of a chain)");
        first_file_ = file_;
        return true;
    }
    if (seq <= head_.seq) {
        return fail(line_in_file_, "seq " + std::to_string(seq) + " follows seq " +
                                       std::to_string(head_.seq) +
                                       ": lines are out of order, or a line was copied here");
    }
    if (seq != head_.seq + 1) {
        return fail(line_in_file_, "seq " + std::to_string(seq) + " follows seq " +
                                       std::to_string(head_.seq) + ": " +
                                       seq_range(head_.seq + 1, seq - 1) +
                                       " missing (deleted, or moved elsewhere)");
    }
    if (line.prev != head_.hash) {
        return fail(line_in_file_, "prev does not match the hash of the line before: a line was "
                                   "replaced, inserted or reordered here");
    }
    return true;
}

bool AuditChainVerifier::end_file(std::string_view partial_tail) {
    if (fault_) return false;
    if (!partial_tail.empty()) {
        return fail(line_in_file_ + 1,
                    "the last line is cut short (no newline): the file was truncated, or a "
                    "crash cut a write (a restarted server removes such a torn line)");
    }
    if (line_in_file_ == 0 && named_first_seq_ != 0) {
        return fail(1, "the file is empty, but its name says it holds lines from seq " +
                           std::to_string(named_first_seq_));
    }
    return true;
}

bool AuditChainVerifier::finish() {
    if (fault_) return false;
    if (kept_from_ > 0 && first_seq_ > kept_from_) {
        file_ = first_file_;
        return fail(1, "the log starts at seq " + std::to_string(first_seq_) +
                           ", but its newest file says edgeai kept every line from seq " +
                           std::to_string(kept_from_) + ": " +
                           seq_range(kept_from_, first_seq_ - 1) +
                           " missing (older files or lines deleted)");
    }
    if (!checkpoint_ || head_.seq >= checkpoint_->seq) return true;
    if (head_.seq == 0) {
        return fail(1, "the log is empty, but the checkpoint says lines up to seq " +
                           std::to_string(checkpoint_->seq) + " were written: the log was deleted");
    }
    return fail(line_in_file_ + 1, "the log ends at seq " + std::to_string(head_.seq) +
                                       ", but the checkpoint says seq " +
                                       std::to_string(checkpoint_->seq) +
                                       " was written: the tail was truncated (" +
                                       seq_range(head_.seq + 1, checkpoint_->seq) + " missing)");
}

} // namespace edgeai::security
