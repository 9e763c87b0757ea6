// What the process environment says: its variables, and the default places
// for data and configuration that follow from them.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace edgeai::platform::native {

// Every variable of the process environment as (name, value).
std::vector<std::pair<std::string, std::string>> environment_variables();

// An environment variable, or empty when unset.
std::string env_or_empty(const char* name);

// $STATE_DIRECTORY (systemd), else $XDG_DATA_HOME/edgeai, else ~/.local/share/edgeai.
std::string default_data_dir();

// The config file to read when none was named: ./edgeai.toml,
// $XDG_CONFIG_HOME/edgeai/edgeai.toml (else ~/.config/...), /etc/edgeai/edgeai.toml.
std::string find_default_config_file();

} // namespace edgeai::platform::native
