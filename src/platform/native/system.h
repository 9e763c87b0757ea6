// Small native adapters for the core's ports and the facts only the OS knows:
// the clock, where log lines go, the environment, files, memory use.
#pragma once

#include "core/clock.h"
#include "core/log.h"
#include "core/result.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edgeai::platform::native {

class SystemClock final : public core::Clock {
  public:
    int64_t monotonic_ns() const override;
    int64_t unix_ms() const override;
};

// Writes each line with one write(2) so lines from concurrent writers never mix.
class StderrLogSink final : public core::LogSink {
  public:
    void write_line(std::string_view line) override;
};

// Every variable of the process environment as (name, value).
std::vector<std::pair<std::string, std::string>> environment_variables();

// An environment variable, or empty when unset.
std::string env_or_empty(const char* name);

core::Result<std::string> read_text_file(const std::string& path);
bool file_exists(const std::string& path);

// Creates the directory and its parents (mode 0700 for the last one).
core::Status make_directories(const std::string& path);

// $STATE_DIRECTORY (systemd), else $XDG_DATA_HOME/edgeai, else ~/.local/share/edgeai.
std::string default_data_dir();

// The config file to read when none was named: ./edgeai.toml,
// $XDG_CONFIG_HOME/edgeai/edgeai.toml (else ~/.config/...), /etc/edgeai/edgeai.toml.
std::string find_default_config_file();

// Resident set size of this process in bytes (0 if unknown).
int64_t resident_memory_bytes();

// Seed material for request ids.
uint64_t random_seed();

// Bytes from the kernel's CSPRNG (getrandom): for key secrets, nonces and
// HMAC keys. Fails only when the kernel cannot give them.
core::Result<std::string> random_bytes(size_t count);

// Reads a file holding a secret (a provider key, a TLS private key, an HMAC
// key). Refused with a message naming the fix when group or others may read
// or write it: a secret readable by every local user is not a secret.
core::Result<std::string> read_secret_file(const std::string& path);

// Writes `content` to a new file readable by the owner only (0600); refuses
// to replace an existing one.
core::Status write_secret_file(const std::string& path, std::string_view content);

} // namespace edgeai::platform::native
