// The data directory holds prompts, answers, batch files, keys and the audit
// log: every file edgeai creates there is the service user's alone (0600,
// directories 0700), whatever the umask, and a directory that others can
// read or write is reported.
#pragma once

#include "core/status.h"

#include <string>

namespace edgeai::platform::native {

// Creates `dir` (0700) if needed and makes this process create its files
// 0600 from now on (a umask of 077: SQLite's -wal and -shm files too).
[[nodiscard]] core::Status open_data_dir(const std::string& dir);

// Empty when only the owner may use `dir`; otherwise what others may do
// ("readable and writable by its group and by other users ..."), for the
// warning or, with server.strict_permissions, the refusal.
std::string data_dir_exposure(const std::string& dir);

} // namespace edgeai::platform::native
