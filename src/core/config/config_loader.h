// Builds the effective Settings in layers: embedded defaults, then one TOML file,
// then EDGEAI_* environment variables, then command-line flags; each layer
// overrides the one before. The caller (a shell) reads the file and the
// environment; this code only sees text, so it is the same on every target.
#pragma once

#include "core/config/config_schema.h"
#include "core/config/settings.h"
#include "core/result.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace edgeai::core {

enum class ConfigSource { kDefault, kFile, kEnvironment, kFlag };

class ConfigBuilder {
  public:
    // Applies a TOML document. Every problem is reported, one per line, each
    // naming the file, the line, the key and what is allowed.
    Status apply_toml(std::string_view text, std::string_view file_name);

    // Applies EDGEAI_* variables from the (name, value) pairs given; others are
    // skipped. Unknown EDGEAI_* names become warnings, not errors, so a newer
    // environment does not stop an older binary.
    Status apply_environment(const std::vector<std::pair<std::string, std::string>>& env);

    // Applies one flag given as a key path and its text.
    Status apply_flag(std::string_view path, std::string_view text);

    const Settings& settings() const { return settings_; }
    const std::vector<std::string>& warnings() const { return warnings_; }
    ConfigSource source_of(std::string_view path) const;

    // The effective configuration as TOML, each key commented with where its
    // value came from; secrets are redacted.
    std::string render_effective() const;

  private:
    Status apply_value(const ConfigKey& key, const ConfigValue& value, ConfigSource source,
                       std::string_view origin);

    Settings settings_;
    std::map<std::string, ConfigSource, std::less<>> sources_;
    std::string file_name_;
    std::vector<std::string> warnings_;
};

// A markdown table of every key: name, type, default, environment variable,
// meaning; then the keys of [[backends]], [[routes]] and [[serial]] tables.
std::string render_config_reference();

// [[backends]], [[routes]] and [[serial]] as TOML (secrets redacted), for
// `config show`.
std::string render_routing(const Settings& settings);

} // namespace edgeai::core
