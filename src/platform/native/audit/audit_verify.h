// Verifies the audit chain in a data directory: every file in order, every
// line against the key, the end against the checkpoint in keys.db. Reads
// only, and may run while a server writes: the checkpoint is read before the
// files (it never runs ahead of what is on disk) and every file is opened
// before any is read (a rotation during the walk renames, it does not move
// the bytes under an open file).
#pragma once

#include "core/result.h"
#include "security/audit_verifier.h"

#include <cstdint>
#include <optional>
#include <string>

namespace edgeai::platform::native {

struct AuditVerification {
    // The first bad line; its `file` is the file's path. None: the chain holds.
    std::optional<security::AuditFault> fault;
    int64_t lines = 0;
    int64_t files = 0;
    int64_t first_seq = 0;
    security::AuditChainHead head;
    std::optional<security::AuditCheckpoint> checkpoint;
};

// Errors (not faults): the key cannot be read, keys.db cannot be read, a file
// cannot be opened, or there is nothing to verify (NotFound).
core::Result<AuditVerification> verify_audit_log(const std::string& data_dir,
                                                 const std::string& key_path);

} // namespace edgeai::platform::native
