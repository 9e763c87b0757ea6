// One schema for every way of configuring edgeai. Each key is declared once with
// its type, bounds, documentation and the Settings field it sets; the TOML
// loader, EDGEAI_* environment overrides, CLI flags, `edgeai config show` and the
// reference in docs/configuration.md all read this table.
#pragma once

#include "core/config/settings.h"
#include "core/result.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace edgeai::core {

using ConfigValue = std::variant<int64_t, bool, std::string, std::vector<std::string>>;

enum class ValueKind { kInteger, kBool, kString, kStringList };

struct ConfigKey {
    std::string_view path; // "server.max_body_bytes"
    ValueKind kind;
    std::string_view doc; // one sentence for the reference
    int64_t min = 0;      // integers only
    int64_t max = 0;
    std::string_view choices; // strings only: comma-separated allowed values; empty: any
    bool secret = false;      // redacted by `config show`
    ConfigValue (*get)(const Settings&) = nullptr;
    void (*set)(Settings&, const ConfigValue&) = nullptr;
};

std::span<const ConfigKey> config_keys();
const ConfigKey* find_config_key(std::string_view path);

// The environment variable that overrides a key: EDGEAI_ + upper snake of the path.
std::string env_name_for(std::string_view path);

// Checks type, bounds and choices; the message says what is allowed.
Status check_config_value(const ConfigKey& key, const ConfigValue& value);

// Parses the text of an environment variable or flag ("4096", "true", "a,b").
Result<ConfigValue> parse_config_text(const ConfigKey& key, std::string_view text);

// The value as a TOML literal; "\"<redacted>\"" for a set secret when `redact`.
std::string format_config_value(const ConfigKey& key, const ConfigValue& value, bool redact);

// "what is allowed" for a key, for errors and the reference table.
std::string describe_allowed(const ConfigKey& key);

// The closest known key to a misspelt one, or empty when none is close.
std::string suggest_config_key(std::string_view unknown);
// The closest of `names` to a misspelt one (a few edits at most), or empty.
std::string suggest_name(std::string_view unknown, std::span<const std::string_view> names);

} // namespace edgeai::core
