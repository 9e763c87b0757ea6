// `edgeai audit verify|tail`: the tamper-evident audit log in the data dir
// (audit.log, audit-<seq>.log, the checkpoint in keys.db). Both only read, so
// they are safe while a server writes.
#pragma once

#include "core/config/settings.h"

#include "cli/args.h"

#include <cstddef>
#include <functional>
#include <string>

namespace edgeai::cli {

struct AuditFlags {
    Command* verify = nullptr;
    Command* tail = nullptr;
    size_t lines = 10;
    bool follow = false;
    bool json = false;
};

// Adds `audit` and its subcommands; `add_common` adds --config/--data-dir/...
// to each.
Command* add_audit_command(Command& app, AuditFlags& flags,
                           const std::function<void(Command*)>& add_common);

// Exit codes: 0 (the chain holds; tail printed), 1 (verify found a bad line,
// or a file cannot be read), 2 (no log or no key to verify with, bad flags).
int run_audit_command(const AuditFlags& flags, const core::AuditSettings& settings,
                      const std::string& data_dir);

} // namespace edgeai::cli
