// `edgeai queue ls|show|retry|cancel|purge`: the durable jobs in
// <data dir>/jobs.db, read and changed directly (safe while a server runs:
// SQLite's locks order the writes, and the server recounts what it holds).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

namespace edgeai::cli {

struct QueueFlags {
    CLI::App* ls = nullptr;
    CLI::App* show = nullptr;
    CLI::App* retry = nullptr;
    CLI::App* cancel = nullptr;
    CLI::App* purge = nullptr;
    std::string status;
    std::string older_than;
    std::string id;
    int limit = 50;
    bool json = false;
};

// Adds `queue` and its subcommands; `add_common` adds --config/--data-dir/...
// to each.
CLI::App* add_queue_command(CLI::App& app, QueueFlags& flags,
                            const std::function<void(CLI::App*)>& add_common);

// Exit codes: 0, 1 (the database cannot be read or written), 2 (bad flags,
// unknown job, or a job in a state the command does not apply to).
int run_queue_command(const QueueFlags& flags, const std::string& data_dir);

} // namespace edgeai::cli
