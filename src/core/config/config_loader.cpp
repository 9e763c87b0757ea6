#include "core/config/config_loader.h"

#include "core/config/toml_ascii.h"

#include <algorithm>

// toml++ 3.3 asserts a precondition in parse_key() that malformed table headers
// such as "[ =" or "[[[1]]]" break (fixed upstream in its PR #301): the assert
// aborts debug builds, and with NDEBUG it becomes __builtin_assume under clang,
// i.e. undefined behaviour. Without the assert the parser reports a normal
// error, so its asserts are compiled out and NDEBUG is hidden from it here.
// toml++ is header-only and included by this file alone.
#ifdef NDEBUG
#define EDGEAI_RESTORE_NDEBUG
#undef NDEBUG
#endif
#define TOML_ASSERT(expr) ((void)0)
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0
#include <toml++/toml.h>
#ifdef EDGEAI_RESTORE_NDEBUG
#define NDEBUG
#undef EDGEAI_RESTORE_NDEBUG
#endif

namespace edgeai::core {

namespace {

std::string located(std::string_view file, const toml::source_region& where) {
    return std::string(file) + ":" + std::to_string(where.begin.line) + ": ";
}

bool is_table_prefix(std::string_view path) {
    for (const ConfigKey& k : config_keys()) {
        if (k.path.size() > path.size() && k.path.substr(0, path.size()) == path &&
            k.path[path.size()] == '.') {
            return true;
        }
    }
    return false;
}

std::string toml_type_phrase(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a float";
    case toml::node_type::boolean:
        return "a boolean";
    default:
        return "a date or time";
    }
}

// Converts a TOML node to the key's kind, or explains why it cannot.
Result<ConfigValue> to_config_value(const ConfigKey& key, const toml::node& node) {
    auto mismatch = [&]() -> Status {
        return invalid_argument("'" + std::string(key.path) + "' must be " + describe_allowed(key) +
                                ", found " + toml_type_phrase(node));
    };
    switch (key.kind) {
    case ValueKind::kInteger:
        if (const auto* n = node.as_integer()) return ConfigValue(n->get());
        return mismatch();
    case ValueKind::kBool:
        if (const auto* b = node.as_boolean()) return ConfigValue(b->get());
        return mismatch();
    case ValueKind::kString:
        if (const auto* s = node.as_string()) return ConfigValue(s->get());
        return mismatch();
    case ValueKind::kStringList: {
        const auto* array = node.as_array();
        if (array == nullptr) return mismatch();
        std::vector<std::string> items;
        for (const toml::node& item : *array) {
            const auto* s = item.as_string();
            if (s == nullptr) return mismatch();
            items.push_back(s->get());
        }
        return ConfigValue(std::move(items));
    }
    }
    return mismatch();
}

std::string_view source_name(ConfigSource source) {
    switch (source) {
    case ConfigSource::kDefault:
        return "default";
    case ConfigSource::kFile:
        return "file";
    case ConfigSource::kEnvironment:
        return "environment";
    case ConfigSource::kFlag:
        return "flag";
    }
    return "default";
}

} // namespace

Status ConfigBuilder::apply_value(const ConfigKey& key, const ConfigValue& value,
                                  ConfigSource source, std::string_view origin) {
    Status valid = check_config_value(key, value);
    if (!valid.ok()) return valid.with_context(origin);
    key.set(settings_, value);
    sources_[std::string(key.path)] = source;
    return {};
}

Status ConfigBuilder::apply_toml(std::string_view text, std::string_view file_name) {
    file_name_ = std::string(file_name);
    // toml++ only ever sees ASCII; see toml_ascii.h for why.
    EDGEAI_ASSIGN_OR_RETURN(std::string ascii, toml_to_ascii(text, file_name));
    toml::parse_result parsed = toml::parse(ascii, std::string(file_name));
    if (!parsed) {
        const toml::parse_error& err = parsed.error();
        return invalid_argument(std::string(file_name) + ":" +
                                std::to_string(err.source().begin.line) + ":" +
                                std::to_string(err.source().begin.column) +
                                ": not valid TOML: " + std::string(err.description()));
    }
    // (line, message): toml++ walks tables in key order, errors read best in line order.
    std::vector<std::pair<uint32_t, std::string>> errors;
    // Walks tables depth first; every leaf must be a known key.
    auto walk = [&](auto&& self, const toml::table& table, const std::string& prefix) -> void {
        for (auto&& [name, node] : table) {
            std::string path =
                prefix.empty() ? std::string(name.str()) : prefix + "." + std::string(name.str());
            std::string where = located(file_name, node.source());
            const ConfigKey* key = find_config_key(path);
            if (key == nullptr && node.is_table() && is_table_prefix(path)) {
                self(self, *node.as_table(), path);
                continue;
            }
            if (key == nullptr) {
                std::string msg = where + "unknown key '" + path + "'";
                std::string suggestion = suggest_config_key(path);
                if (!suggestion.empty())
                    msg += "; did you mean '" + suggestion + "'?";
                else
                    msg += "; docs/configuration.md lists every key";
                errors.emplace_back(node.source().begin.line, std::move(msg));
                continue;
            }
            Result<ConfigValue> value = to_config_value(*key, node);
            Status applied = value.ok() ? apply_value(*key, *value, ConfigSource::kFile, where)
                                        : Status(value.status()).with_context(where);
            if (!applied.ok()) errors.emplace_back(node.source().begin.line, applied.message());
        }
    };
    walk(walk, parsed.table(), "");
    if (errors.empty()) return {};
    std::stable_sort(errors.begin(), errors.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string joined;
    for (const auto& [line, message] : errors) {
        if (!joined.empty()) joined += "\n";
        joined += message;
    }
    return invalid_argument(joined);
}

Status
ConfigBuilder::apply_environment(const std::vector<std::pair<std::string, std::string>>& env) {
    for (const auto& [name, text] : env) {
        if (name.rfind("EDGEAI_", 0) != 0) continue;
        const ConfigKey* match = nullptr;
        for (const ConfigKey& k : config_keys()) {
            if (env_name_for(k.path) == name) match = &k;
        }
        if (match == nullptr) {
            warnings_.push_back("environment variable " + name +
                                " is not a configuration key; ignored");
            continue;
        }
        std::string origin = "environment " + name + ": ";
        Result<ConfigValue> value = parse_config_text(*match, text);
        if (!value.ok()) return Status(value.status()).with_context(origin);
        EDGEAI_TRY(apply_value(*match, *value, ConfigSource::kEnvironment, origin));
    }
    return {};
}

Status ConfigBuilder::apply_flag(std::string_view path, std::string_view text) {
    const ConfigKey* key = find_config_key(path);
    if (key == nullptr) return internal_error("flag bound to unknown key " + std::string(path));
    std::string origin = "flag for " + std::string(path) + ": ";
    Result<ConfigValue> value = parse_config_text(*key, text);
    if (!value.ok()) return Status(value.status()).with_context(origin);
    return apply_value(*key, *value, ConfigSource::kFlag, origin);
}

ConfigSource ConfigBuilder::source_of(std::string_view path) const {
    auto it = sources_.find(path);
    return it == sources_.end() ? ConfigSource::kDefault : it->second;
}

std::string ConfigBuilder::render_effective() const {
    std::string out = "# effective configuration";
    if (!file_name_.empty()) out += " (file: " + file_name_ + ")";
    out += "\n";
    std::string table;
    for (const ConfigKey& key : config_keys()) {
        size_t dot = key.path.rfind('.');
        std::string key_table =
            dot == std::string_view::npos ? "" : std::string(key.path.substr(0, dot));
        std::string_view leaf = dot == std::string_view::npos ? key.path : key.path.substr(dot + 1);
        if (key_table != table) {
            table = key_table;
            out += "\n[" + table + "]\n";
        }
        out += std::string(leaf) + " = " + format_config_value(key, key.get(settings_), true);
        out += "  # " + std::string(source_name(source_of(key.path))) + "\n";
    }
    return out;
}

std::string render_config_reference() {
    Settings defaults;
    std::string out = "| key | type | default | environment | meaning |\n";
    out += "| --- | --- | --- | --- | --- |\n";
    for (const ConfigKey& key : config_keys()) {
        std::string def = format_config_value(key, key.get(defaults), true);
        out += "| `" + std::string(key.path) + "` | " + describe_allowed(key) + " | `" + def +
               "` | `" + env_name_for(key.path) + "` | " + std::string(key.doc) + " |\n";
    }
    return out;
}

} // namespace edgeai::core
