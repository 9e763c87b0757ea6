// `edgeai queue ls|show|retry|cancel|purge`: the durable jobs in
// <data dir>/jobs.db, read and changed directly (safe while a server runs:
// SQLite's locks order the writes, and the server recounts what it holds).
#pragma once

#include "cli/args.h"

#include <string>

namespace edgeai::cli {

struct QueueFlags {
    Command* ls = nullptr;
    Command* show = nullptr;
    Command* retry = nullptr;
    Command* cancel = nullptr;
    Command* purge = nullptr;
    std::string status;
    std::string older_than;
    std::string id;
    int limit = 50;
    bool json = false;
};

// Adds `queue` and its subcommands; `add_common` adds --config/--data-dir/...
// to each.
Command* add_queue_command(Command& app, QueueFlags& flags,
                           const std::function<void(Command*)>& add_common);

// Exit codes: 0, 1 (the database cannot be read or written), 2 (bad flags,
// unknown job, or a job in a state the command does not apply to).
int run_queue_command(const QueueFlags& flags, const std::string& data_dir);

} // namespace edgeai::cli
