// `edgeai usage [--by key|backend|model] [--since 24h] [--json]`: sums the
// usage the server recorded in <data dir>/usage.db. Reads only: it creates no
// file and works while a server is writing.
#pragma once

#include "cli/args.h"

#include <string>

namespace edgeai::cli {

struct UsageFlags {
    std::string by;
    std::string since;
    bool json = false;
};

// Adds the subcommand and its own flags; the caller adds the common ones.
Command* add_usage_command(Command& app, UsageFlags& flags);

// The exit code: 0 (also when nothing was recorded yet), 1 when the database
// cannot be read, 2 for a bad --by or --since.
int run_usage_command(const UsageFlags& flags, const std::string& data_dir);

} // namespace edgeai::cli
