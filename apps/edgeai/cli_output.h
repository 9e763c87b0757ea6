// What every edgeai subcommand shares when it talks to a person: the exit
// codes (0 success, 1 runtime failure, 2 usage or configuration error), how an
// error is printed, and how a time is shown.
#pragma once

#include "core/status.h"

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <string>

namespace edgeai::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitUsage = 2;

// "edgeai: <message>" on stderr.
inline void print_error(const std::string& message) {
    std::fprintf(stderr, "edgeai: %s\n", message.c_str());
}

// The exit code for a command that failed with `status`: what the user named
// or asked for was wrong (2), or the system failed (1).
inline int exit_code_for(const core::Status& status) {
    switch (status.code()) {
    case core::StatusCode::kNotFound:
    case core::StatusCode::kFailedPrecondition:
    case core::StatusCode::kInvalidArgument:
        return kExitUsage;
    default:
        return kExitRuntime;
    }
}

// "2026-12-02 14:05:00" (UTC).
inline std::string utc_time(int64_t unix_ms) {
    const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

} // namespace edgeai::cli
