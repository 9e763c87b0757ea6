#include "core/config/config_loader.h"

#include "core/config/routing_schema.h"
#include "core/config/toml_ascii.h"
#include "core/decimal.h"
#include "core/http_types.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>

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
// toml++ reads floats through std::stringstream unless told <charconv> can,
// and that one stream linked libstdc++'s iostreams and locale (about 350 kB)
// into the release binary. libstdc++ 12 has floating-point from_chars (and
// says so with __cpp_lib_to_chars); libc++ 14, the WASI build's, does not and
// keeps toml++'s default.
#include <version>
#if defined(__cpp_lib_to_chars) && !defined(TOML_FLOAT_CHARCONV)
#define TOML_FLOAT_CHARCONV 1
#endif
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

const TableKeyDoc kSerialKeys[] = {
    {"device", "string", "",
     "The serial device, e.g. `/dev/ttyUSB0`; reopened after it goes away."},
    {"baud", "integer", "115200", "Line speed in bits per second (a rate the port supports)."},
    {"parity", "string: none, even, odd", "\"none\"", "Parity bit; 8 data bits always."},
    {"stop_bits", "integer: 1 or 2", "1", "Stop bits."},
};

// Reads the tables of [[backends]], [[routes]] or [[serial]]: each key of each table is
// checked against the documented keys of that kind of table and read into its
// field; problems go to `errors` as (line, message).
class TableArrayReader {
  public:
    TableArrayReader(std::string_view file_name,
                     std::vector<std::pair<uint32_t, std::string>>& errors)
        : file_name_(file_name), errors_(errors) {}

    void read_backends(const toml::node& node, std::vector<BackendSettings>& out) {
        for_each_table(node, "backends", [&](const toml::table& table, uint32_t line) {
            BackendSettings b;
            b.line = line;
            bool kind_given = false;
            for (auto&& [name, value] : table) {
                const std::string_view key = name.str();
                const std::string field = "backends." + std::string(key);
                if (key == "name") {
                    string(value, field, b.name);
                } else if (key == "kind") {
                    std::string kind;
                    if (!string(value, field, kind)) continue;
                    if (auto parsed = parse_backend_kind(kind)) {
                        b.kind = *parsed;
                    } else {
                        error(value,
                              "unknown kind '" + kind + "'; one of " + std::string(kBackendKinds));
                    }
                    kind_given = true;
                } else if (key == "base_url") {
                    string(value, field, b.base_url);
                } else if (key == "api_key_env") {
                    string(value, field, b.api_key_env);
                } else if (key == "api_key") {
                    string(value, field, b.api_key);
                } else if (key == "api_key_file") {
                    string(value, field, b.api_key_file);
                } else if (key == "ca_file") {
                    string(value, field, b.ca_file);
                } else if (key == "models") {
                    if (const toml::table* files = value.as_table()) {
                        for (auto&& [id, path] : *files) {
                            std::string file;
                            if (string(path, field + "." + std::string(id.str()), file)) {
                                b.model_files.emplace_back(std::string(id.str()), file);
                                b.models.emplace_back(id.str());
                            }
                        }
                    } else {
                        strings(value, field, b.models);
                    }
                } else if (key == "chat_template") {
                    string(value, field, b.chat_template);
                } else if (key == "ctx_size") {
                    integer(value, field, 0, int64_t{1} << 24, b.ctx_size);
                } else if (key == "parallel") {
                    integer(value, field, 0, 256, b.parallel);
                } else if (key == "timeout_ms") {
                    integer(value, field, 10, kMaxMs, b.timeout_ms);
                } else if (key == "connect_timeout_ms") {
                    integer(value, field, 10, kMaxMs, b.connect_timeout_ms);
                } else if (key == "stream_idle_timeout_ms") {
                    integer(value, field, 10, kMaxMs, b.stream_idle_timeout_ms);
                } else if (key == "max_concurrency") {
                    integer(value, field, 1, 100000, b.max_concurrency);
                } else if (key == "price") {
                    b.price = price(value, field);
                } else if (key == "responses") {
                    std::string mode;
                    if (!string(value, field, mode)) continue;
                    if (mode == "native" || mode == "translate")
                        b.responses_native = mode == "native";
                    else
                        error(value,
                              "unknown responses mode '" + mode + "'; one of translate, native");
                } else {
                    unknown(value, "backends", key, backend_table_keys());
                }
            }
            if (!kind_given) {
                error(table,
                      "a [[backends]] table needs 'kind'; one of " + std::string(kBackendKinds));
            }
            out.push_back(std::move(b));
        });
    }

    void read_routes(const toml::node& node, std::vector<RouteSettings>& out) {
        for_each_table(node, "routes", [&](const toml::table& table, uint32_t line) {
            RouteSettings r;
            r.line = line;
            for (auto&& [name, value] : table) {
                const std::string_view key = name.str();
                const std::string field = "routes." + std::string(key);
                if (key == "model") {
                    string(value, field, r.model);
                } else if (key == "strategy") {
                    std::string strategy;
                    if (!string(value, field, strategy)) continue;
                    if (auto parsed = parse_route_strategy(strategy)) {
                        r.strategy = *parsed;
                    } else {
                        error(value, "unknown strategy '" + strategy + "'; one of " +
                                         std::string(kRouteStrategies));
                    }
                } else if (key == "targets") {
                    strings(value, field, r.targets);
                } else if (key == "weights") {
                    integers(value, field, r.weights);
                } else if (key == "max_prompt_tokens") {
                    integer(value, field, 0, 100000000, r.max_prompt_tokens);
                } else if (key == "when_keys") {
                    strings(value, field, r.when_keys);
                } else if (key == "when_header") {
                    string(value, field, r.when_header);
                } else if (key == "when_offline") {
                    if (value.is_string()) {
                        r.when_offline.emplace_back(value.as_string()->get());
                    } else {
                        strings(value, field, r.when_offline);
                    }
                } else {
                    unknown(value, "routes", key, route_table_keys());
                }
            }
            out.push_back(std::move(r));
        });
    }

    void read_serial(const toml::node& node, std::vector<SerialSettings>& out) {
        for_each_table(node, "serial", [&](const toml::table& table, uint32_t line) {
            SerialSettings s;
            s.line = line;
            for (auto&& [name, value] : table) {
                const std::string_view key = name.str();
                const std::string field = "serial." + std::string(key);
                if (key == "device") {
                    string(value, field, s.device);
                } else if (key == "baud") {
                    integer(value, field, 50, 4000000, s.baud);
                } else if (key == "parity") {
                    if (string(value, field, s.parity) && s.parity != "none" &&
                        s.parity != "even" && s.parity != "odd")
                        error(value,
                              "'serial.parity' must be none, even or odd, not '" + s.parity + "'");
                } else if (key == "stop_bits") {
                    integer(value, field, 1, 2, s.stop_bits);
                } else {
                    unknown(value, "serial", key, kSerialKeys);
                }
            }
            if (s.device.empty()) error(table, "a [[serial]] table needs 'device'");
            out.push_back(std::move(s));
        });
    }

  private:
    static constexpr int64_t kMaxMs = int64_t{24} * 3600 * 1000;

    template <class F> void for_each_table(const toml::node& node, std::string_view what, F&& f) {
        const toml::array* array = node.as_array();
        if (array == nullptr) {
            error(node, "'" + std::string(what) + "' must be an array of tables: [[" +
                            std::string(what) + "]]");
            return;
        }
        for (const toml::node& item : *array) {
            if (const toml::table* table = item.as_table()) {
                f(*table, item.source().begin.line);
            } else {
                error(item, "each entry of '" + std::string(what) + "' must be a table");
            }
        }
    }

    void error(const toml::node& node, std::string message) {
        errors_.emplace_back(node.source().begin.line,
                             located(file_name_, node.source()) + message);
    }

    void mismatch(const toml::node& node, const std::string& field, std::string_view wanted) {
        error(node, "'" + field + "' must be " + std::string(wanted) + ", found " +
                        toml_type_phrase(node));
    }

    bool string(const toml::node& node, const std::string& field, std::string& out) {
        if (const auto* s = node.as_string()) {
            out = s->get();
            return true;
        }
        mismatch(node, field, "a string");
        return false;
    }

    void strings(const toml::node& node, const std::string& field, std::vector<std::string>& out) {
        const toml::array* array = node.as_array();
        bool ok = array != nullptr;
        if (ok)
            for (const toml::node& item : *array)
                ok = ok && item.is_string();
        if (!ok) return mismatch(node, field, "a list of strings");
        for (const toml::node& item : *array)
            out.emplace_back(item.as_string()->get());
    }

    void integer(const toml::node& node, const std::string& field, int64_t min, int64_t max,
                 int64_t& out) {
        const auto* n = node.as_integer();
        if (n == nullptr || n->get() < min || n->get() > max)
            return mismatch(node, field,
                            "an integer from " + std::to_string(min) + " to " +
                                std::to_string(max));
        out = n->get();
    }

    void integers(const toml::node& node, const std::string& field, std::vector<int64_t>& out) {
        const toml::array* array = node.as_array();
        bool ok = array != nullptr;
        if (ok)
            for (const toml::node& item : *array)
                ok = ok && item.is_integer();
        if (!ok) return mismatch(node, field, "a list of integers");
        for (const toml::node& item : *array)
            out.push_back(item.as_integer()->get());
    }

    std::optional<BackendPrice> price(const toml::node& node, const std::string& field) {
        const toml::table* table = node.as_table();
        if (table == nullptr) {
            mismatch(node, field, "a table { input_per_mtok = N, output_per_mtok = N }");
            return std::nullopt;
        }
        BackendPrice p;
        for (auto&& [name, value] : *table) {
            double number = 0;
            if (const auto* f = value.as_floating_point()) {
                number = f->get();
            } else if (const auto* i = value.as_integer()) {
                number = static_cast<double>(i->get());
            } else {
                mismatch(value, field + "." + std::string(name.str()), "a number");
                continue;
            }
            if (number < 0) {
                error(value, "'" + field + "." + std::string(name.str()) + "' cannot be negative");
            } else if (name.str() == "input_per_mtok") {
                p.input_per_mtok = number;
            } else if (name.str() == "output_per_mtok") {
                p.output_per_mtok = number;
            } else {
                error(value, "unknown key '" + field + "." + std::string(name.str()) +
                                 "'; a price has input_per_mtok and output_per_mtok");
            }
        }
        return p;
    }

    void unknown(const toml::node& node, std::string_view table, std::string_view key,
                 std::span<const TableKeyDoc> known) {
        std::vector<std::string_view> names;
        for (const TableKeyDoc& k : known)
            names.push_back(k.key);
        std::string msg =
            "unknown key '" + std::string(key) + "' in [[" + std::string(table) + "]]";
        const std::string close = suggest_name(key, names);
        msg += close.empty() ? "; docs/configuration.md lists every key"
                             : "; did you mean '" + close + "'?";
        error(node, std::move(msg));
    }

    std::string_view file_name_;
    std::vector<std::pair<uint32_t, std::string>>& errors_;
};

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
            if (path == "backends" || path == "routes" || path == "serial") {
                // The file's tables replace any before, never append.
                TableArrayReader reader(file_name, errors);
                if (path == "backends") {
                    settings_.backends.clear();
                    reader.read_backends(node, settings_.backends);
                } else if (path == "serial") {
                    settings_.serial.clear();
                    reader.read_serial(node, settings_.serial);
                } else {
                    settings_.routes.clear();
                    reader.read_routes(node, settings_.routes);
                }
                continue;
            }
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
    if (errors.empty())
        for (std::string& problem : check_routing(settings_, file_name))
            errors.emplace_back(0, std::move(problem)); // lines are in the messages
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
    out += render_routing(settings_);
    return out;
}

namespace {

// A TOML basic string: quotes, backslashes and control characters escaped.
std::string toml_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
            out += escaped;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string quoted_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i)
        out += (i ? ", " : "") + toml_string(items[i]);
    return out + "]";
}

std::string reference_table(std::span<const TableKeyDoc> keys) {
    std::string out = "| key | type | default | meaning |\n| --- | --- | --- | --- |\n";
    for (const TableKeyDoc& k : keys)
        out += "| `" + std::string(k.key) + "` | " + std::string(k.type) + " | " +
               (k.default_value.empty() ? std::string("required or none")
                                        : "`" + std::string(k.default_value) + "`") +
               " | " + std::string(k.doc) + " |\n";
    return out;
}

} // namespace

std::string render_routing(const Settings& settings) {
    std::string out;
    for (const BackendSettings& b : settings.backends) {
        out += "\n[[backends]]\nname = " + toml_string(b.name) +
               "\nkind = " + toml_string(backend_kind_name(b.kind)) + "\n";
        if (!b.base_url.empty())
            out += "base_url = " + toml_string(redact_url_credentials(b.base_url)) + "\n";
        if (!b.api_key_env.empty()) out += "api_key_env = " + toml_string(b.api_key_env) + "\n";
        if (!b.api_key.empty()) out += "api_key = \"<redacted>\"\n";
        if (!b.api_key_file.empty()) out += "api_key_file = " + toml_string(b.api_key_file) + "\n";
        if (!b.ca_file.empty()) out += "ca_file = " + toml_string(b.ca_file) + "\n";
        if (!b.model_files.empty()) {
            out += "models = {";
            for (size_t i = 0; i < b.model_files.size(); ++i)
                out += (i ? ", " : " ") + toml_string(b.model_files[i].first) + " = " +
                       toml_string(b.model_files[i].second);
            out += " }\n";
        } else {
            out += "models = " + quoted_list(b.models) + "\n";
        }
        if (!b.chat_template.empty())
            out += "chat_template = " + toml_string(b.chat_template) + "\n";
        if (b.ctx_size != 0) out += "ctx_size = " + std::to_string(b.ctx_size) + "\n";
        if (b.parallel != 0) out += "parallel = " + std::to_string(b.parallel) + "\n";
        out += "timeout_ms = " + std::to_string(b.timeout_ms) +
               "\nconnect_timeout_ms = " + std::to_string(b.connect_timeout_ms) +
               "\nstream_idle_timeout_ms = " + std::to_string(b.stream_idle_timeout_ms) +
               "\nmax_concurrency = " + std::to_string(b.max_concurrency) + "\n";
        if (b.responses_native) out += "responses = \"native\"\n";
        if (b.price) {
            out += "price = { input_per_mtok = ";
            append_shortest(out, b.price->input_per_mtok);
            out += ", output_per_mtok = ";
            append_shortest(out, b.price->output_per_mtok);
            out += " }\n";
        }
    }
    for (const RouteSettings& r : settings.routes) {
        out += "\n[[routes]]\nmodel = " + toml_string(r.model) +
               "\nstrategy = " + toml_string(route_strategy_name(r.strategy)) +
               "\ntargets = " + quoted_list(r.targets) + "\n";
        if (!r.weights.empty()) {
            out += "weights = [";
            for (size_t i = 0; i < r.weights.size(); ++i)
                out += (i ? ", " : "") + std::to_string(r.weights[i]);
            out += "]\n";
        }
        if (r.max_prompt_tokens > 0)
            out += "max_prompt_tokens = " + std::to_string(r.max_prompt_tokens) + "\n";
        if (!r.when_keys.empty()) out += "when_keys = " + quoted_list(r.when_keys) + "\n";
        if (!r.when_header.empty()) out += "when_header = " + toml_string(r.when_header) + "\n";
        if (!r.when_offline.empty()) out += "when_offline = " + quoted_list(r.when_offline) + "\n";
    }
    for (const SerialSettings& line : settings.serial) {
        out += "\n[[serial]]\ndevice = " + toml_string(line.device) +
               "\nbaud = " + std::to_string(line.baud) + "\nparity = " + toml_string(line.parity) +
               "\nstop_bits = " + std::to_string(line.stop_bits) + "\n";
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
    out += "\n### `[[backends]]`: where requests can be served (file only)\n\n";
    out += reference_table(backend_table_keys());
    out += "\n### `[[routes]]`: which backends serve a model name (file only)\n\n";
    out += reference_table(route_table_keys());
    out += "\n### `[[serial]]`: serial lines speaking the frame protocol (file only)\n\n";
    out += reference_table(kSerialKeys);
    return out;
}

} // namespace edgeai::core
