// The documented keys of [[backends]] and [[routes]] tables, and the checks
// that need the whole configuration: unique backend names, targets that name a
// backend and a model it serves, weights that match their targets.
#pragma once

#include "core/config/settings.h"

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::core {

struct TableKeyDoc {
    std::string_view key;
    std::string_view type;
    std::string_view default_value; // as TOML; empty: required or none
    std::string_view doc;
};
std::span<const TableKeyDoc> backend_table_keys();
std::span<const TableKeyDoc> route_table_keys();

// The names in the configuration file, and back; nullopt for another name.
std::string_view backend_kind_name(BackendKind kind);
std::optional<BackendKind> parse_backend_kind(std::string_view name);
std::string_view route_strategy_name(RouteStrategy strategy);
std::optional<RouteStrategy> parse_route_strategy(std::string_view name);

inline constexpr std::string_view kBackendKinds = "openai,anthropic,local,edgeai";
inline constexpr std::string_view kRouteStrategies =
    "fallback,weighted,least-latency,cheapest,local-first";

// "backend:model", split at the first colon (model names may hold more).
struct RouteTarget {
    std::string backend;
    std::string model;
};
std::optional<RouteTarget> parse_route_target(std::string_view text);

// Whole-string match where * is any run of characters and ? any one.
bool glob_match(std::string_view pattern, std::string_view text);

// Every problem across the tables, one message each, naming the file and the
// line of the table at fault. Empty when the routing configuration holds.
std::vector<std::string> check_routing(const Settings& settings, std::string_view file_name);

// The backend named `name`, or null.
const BackendSettings* find_backend(const Settings& settings, std::string_view name);
// Whether `backend` serves `model` (by name, or "*").
bool backend_serves(const BackendSettings& backend, std::string_view model);

} // namespace edgeai::core
