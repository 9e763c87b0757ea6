#include "core/config/routing_schema.h"

#include "core/config/config_schema.h"

namespace edgeai::core {
namespace {

const TableKeyDoc kBackendKeys[] = {
    {"name", "string", "", "How routes refer to it: letters, digits, `_`, `-` and `.`; unique."},
    {"kind", "string: openai, anthropic, local, edgeai", "",
     "The API it speaks: an OpenAI-compatible service, Anthropic's Messages API, GGUF models "
     "run by this gateway, or another edgeai gateway."},
    {"base_url", "string", "",
     "API root (`https://api.example.com/v1`); required except for `local`."},
    {"api_key_env", "string", "", "Environment variable holding the backend's API key."},
    {"api_key", "string (secret)", "", "The key itself; prefer `api_key_env`."},
    {"api_key_file", "string", "",
     "A file holding the key; refused when group or others may read it."},
    {"ca_file", "string", "", "PEM file of an extra CA trusted for this backend."},
    {"models", "list of strings, or a table for `local`", "",
     "The model names it serves (`\"*\"` for any); for `local`, `{ id = \"file.gguf\" }`."},
    {"chat_template", "string", "",
     "`local` only: a chat format name or a Jinja file for its models (else `--chat-template`, "
     "else each model's own)."},
    {"ctx_size", "integer, 0 to 16777216", "0",
     "`local` only: context of all sequences of each model together, split over `parallel` "
     "(else `--ctx-size`; 0: the model's for each, at most 4096)."},
    {"parallel", "integer, 0 to 256", "0",
     "`local` only: sequences each model decodes together (else `--parallel`, default 4)."},
    {"timeout_ms", "integer, 10 to 86400000", "30000",
     "Per attempt, until the response's first byte."},
    {"connect_timeout_ms", "integer, 10 to 86400000", "5000", "Time to connect (TCP and TLS)."},
    {"stream_idle_timeout_ms", "integer, 10 to 86400000", "60000",
     "Longest silence between two pieces of a streamed response."},
    {"max_concurrency", "integer, 1 to 100000", "64", "Requests in flight to it at once."},
    {"responses", "string: translate, native", "\"translate\"",
     "`openai` and `edgeai` only: `native` sends `POST /v1/responses` to the backend's own "
     "`/responses` (with `previous_response_id` expanded here and `store: false`); `translate` "
     "sends it as a chat completion."},
    {"price", "table: input_per_mtok, output_per_mtok (numbers)", "",
     "What a million prompt and completion tokens cost, for `cheapest` and usage accounting."},
};

const TableKeyDoc kRouteKeys[] = {
    {"model", "string", "",
     "The model name clients ask for; `*` and `?` match any run or one character."},
    {"strategy", "string: fallback, weighted, least-latency, cheapest, local-first", "\"fallback\"",
     "How targets are ordered: as listed; by weight; by recent time to first token; by price "
     "for the request's estimated tokens; local while it has a free slot and the prompt fits."},
    {"targets", "list of strings", "",
     "`\"backend:model\"` entries; each must name a backend that serves that model."},
    {"weights", "list of integers", "[]", "`weighted` only: one positive weight per target."},
    {"max_prompt_tokens", "integer, 0 to 100000000", "0",
     "The route applies only to prompts of at most this many (estimated) tokens; 0: any."},
    {"when_keys", "list of strings", "[]",
     "The route applies only to callers whose key id or name matches one (globs)."},
    {"when_header", "string", "\"\"",
     "`\"Name: value\"`: the route applies only to requests carrying that header."},
    {"when_offline", "string or list of strings", "[]",
     "Targets used instead while the uplink is down (e.g. `\"local:qwen\"`)."},
};

bool valid_name(std::string_view name) {
    if (name.empty()) return false;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        if (!ok) return false;
    }
    return true;
}

constexpr std::pair<std::string_view, BackendKind> kBackendKindNames[] = {
    {"openai", BackendKind::kOpenAi},
    {"anthropic", BackendKind::kAnthropic},
    {"local", BackendKind::kLocal},
    {"edgeai", BackendKind::kEdgeai},
};
constexpr std::pair<std::string_view, RouteStrategy> kRouteStrategyNames[] = {
    {"fallback", RouteStrategy::kFallback},          {"weighted", RouteStrategy::kWeighted},
    {"least-latency", RouteStrategy::kLeastLatency}, {"cheapest", RouteStrategy::kCheapest},
    {"local-first", RouteStrategy::kLocalFirst},
};

} // namespace

std::string_view backend_kind_name(BackendKind kind) {
    for (const auto& [name, value] : kBackendKindNames)
        if (value == kind) return name;
    return "";
}

std::optional<BackendKind> parse_backend_kind(std::string_view name) {
    for (const auto& [known, value] : kBackendKindNames)
        if (known == name) return value;
    return std::nullopt;
}

std::string_view route_strategy_name(RouteStrategy strategy) {
    for (const auto& [name, value] : kRouteStrategyNames)
        if (value == strategy) return name;
    return "";
}

std::optional<RouteStrategy> parse_route_strategy(std::string_view name) {
    for (const auto& [known, value] : kRouteStrategyNames)
        if (known == name) return value;
    return std::nullopt;
}

std::span<const TableKeyDoc> backend_table_keys() {
    return kBackendKeys;
}

std::span<const TableKeyDoc> route_table_keys() {
    return kRouteKeys;
}

std::optional<RouteTarget> parse_route_target(std::string_view text) {
    const size_t colon = text.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size())
        return std::nullopt;
    return RouteTarget{std::string(text.substr(0, colon)), std::string(text.substr(colon + 1))};
}

bool glob_match(std::string_view pattern, std::string_view text) {
    // Iterative with one backtrack point: the last '*' seen.
    size_t p = 0, t = 0, star = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            star_t = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

const BackendSettings* find_backend(const Settings& settings, std::string_view name) {
    for (const BackendSettings& b : settings.backends)
        if (b.name == name) return &b;
    return nullptr;
}

bool backend_serves(const BackendSettings& backend, std::string_view model) {
    for (const std::string& m : backend.models)
        if (m == "*" || m == model) return true;
    return false;
}

std::vector<std::string> check_routing(const Settings& settings, std::string_view file_name) {
    std::vector<std::string> errors;
    auto at = [&](uint32_t line) {
        return std::string(file_name) + ":" + std::to_string(line) + ": ";
    };

    for (size_t i = 0; i < settings.backends.size(); ++i) {
        const BackendSettings& b = settings.backends[i];
        const std::string where = at(b.line) + "backend '" + b.name + "': ";
        if (b.name.empty()) {
            errors.push_back(at(b.line) + "a [[backends]] table needs a name");
            continue;
        }
        if (!valid_name(b.name))
            errors.push_back(where + "a name is letters, digits, '_', '-' and '.' only");
        for (size_t j = 0; j < i; ++j)
            if (settings.backends[j].name == b.name)
                errors.push_back(where + "the name is already used at line " +
                                 std::to_string(settings.backends[j].line));
        // No kind, or one the loader did not know (it said so, with the
        // allowed names): nothing more to check.
        if (b.kind == BackendKind::kNone) continue;
        if (b.responses_native && b.kind != BackendKind::kOpenAi && b.kind != BackendKind::kEdgeai)
            errors.push_back(where + "responses = \"native\" is for openai and edgeai backends, "
                                     "whose upstream has /responses");
        if (b.kind == BackendKind::kLocal) {
            if (b.model_files.empty())
                errors.push_back(where +
                                 "a local backend needs models = { id = \"file.gguf\", ... }");
            continue;
        }
        if (!b.chat_template.empty() || b.ctx_size != 0 || b.parallel != 0)
            errors.push_back(where + "chat_template, ctx_size and parallel are for local "
                                     "backends, which run the models here");
        if (b.base_url.rfind("http://", 0) != 0 && b.base_url.rfind("https://", 0) != 0)
            errors.push_back(where + (b.base_url.empty() ? "'base_url' is required"
                                                         : "'base_url' must start with http:// "
                                                           "or https://"));
        if (b.models.empty())
            errors.push_back(where + "'models' lists the models it serves (\"*\" for any)");
        if (!b.model_files.empty())
            errors.push_back(where + "models = { id = \"file\" } is for local backends; list "
                                     "names instead");
    }

    auto check_target = [&](const std::string& where, const std::string& text) {
        const auto target = parse_route_target(text);
        if (!target) {
            errors.push_back(where + "target '" + text + "' is not \"backend:model\"");
            return;
        }
        const BackendSettings* b = find_backend(settings, target->backend);
        if (b == nullptr) {
            std::vector<std::string_view> names;
            for (const BackendSettings& known : settings.backends)
                names.push_back(known.name);
            std::string msg =
                where + "target '" + text + "' names unknown backend '" + target->backend + "'";
            const std::string close = suggest_name(target->backend, names);
            if (!close.empty()) msg += "; did you mean '" + close + "'?";
            errors.push_back(msg);
            return;
        }
        if (!backend_serves(*b, target->model))
            errors.push_back(where + "target '" + text + "': backend '" + b->name +
                             "' does not serve model '" + target->model + "'");
    };

    for (const RouteSettings& r : settings.routes) {
        const std::string where = at(r.line) + "route '" + r.model + "': ";
        if (r.model.empty()) errors.push_back(at(r.line) + "a [[routes]] table needs a model");
        if (r.targets.empty()) errors.push_back(where + "'targets' is empty");
        for (const std::string& t : r.targets)
            check_target(where, t);
        for (const std::string& t : r.when_offline)
            check_target(where + "when_offline: ", t);
        if (r.strategy == RouteStrategy::kWeighted) {
            if (r.weights.size() != r.targets.size())
                errors.push_back(where + "'weights' needs one weight per target (" +
                                 std::to_string(r.targets.size()) + "), found " +
                                 std::to_string(r.weights.size()));
            for (int64_t w : r.weights)
                if (w <= 0) errors.push_back(where + "weights must be positive");
        } else if (!r.weights.empty()) {
            errors.push_back(where + "'weights' applies to strategy \"weighted\" only");
        }
        if (r.strategy == RouteStrategy::kLocalFirst) {
            bool has_local = false;
            for (const std::string& t : r.targets)
                if (auto target = parse_route_target(t))
                    if (const BackendSettings* b = find_backend(settings, target->backend))
                        has_local = has_local || b->kind == BackendKind::kLocal;
            if (!has_local)
                errors.push_back(where + "local-first needs a target on a local backend");
        }
        if (!r.when_header.empty()) {
            const size_t colon = r.when_header.find(':');
            if (colon == std::string::npos || colon == 0)
                errors.push_back(where + "'when_header' is \"Name: value\"");
        }
    }
    return errors;
}

} // namespace edgeai::core
