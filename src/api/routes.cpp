#include "api/routes.h"

#include <tuple>

namespace edgeai::api {

namespace {

struct RouteSpec {
    std::string_view path;
    Endpoint endpoint;
    std::string_view method; // the one method besides OPTIONS (and HEAD for GET)
};

constexpr RouteSpec kRoutes[] = {
    {"/", Endpoint::kRoot, "GET"},
    {"/healthz", Endpoint::kHealthz, "GET"},
    {"/readyz", Endpoint::kReadyz, "GET"},
    {"/metrics", Endpoint::kMetrics, "GET"},
    {"/v1/models", Endpoint::kModels, "GET"},
    {"/v1/chat/completions", Endpoint::kChatCompletions, "POST"},
    {"/v1/completions", Endpoint::kCompletions, "POST"},
    {"/v1/embeddings", Endpoint::kEmbeddings, "POST"},
    {"/v1/messages", Endpoint::kMessages, "POST"},
    {"/v1/usage", Endpoint::kUsage, "GET"},
    {"/v1/jobs", Endpoint::kJobs, "GET"},
    {"/v1/files", Endpoint::kFiles, "POST"},
};

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Model ids may contain '/', sent by SDKs as %2F; a broken escape stays literal.
std::string percent_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size()) {
            int hi = hex_value(s[i + 1]);
            int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(s[i]);
    }
    return out;
}

bool method_matches(std::string_view method, std::string_view allowed) {
    return method == allowed || method == "OPTIONS" || (allowed == "GET" && method == "HEAD");
}

std::string_view allow_header(std::string_view method) {
    return method == "GET" ? std::string_view("GET, HEAD, OPTIONS")
                           : std::string_view("POST, OPTIONS");
}

} // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
    RouteMatch m;
    // Before the trailing slash goes: "/ui" is redirected to "/ui/", and
    // "/ui/x/" names x's index.html.
    constexpr std::string_view kStaticRoot = "/ui";
    if (path.substr(0, kStaticRoot.size()) == kStaticRoot &&
        (path.size() == kStaticRoot.size() || path[kStaticRoot.size()] == '/')) {
        m.endpoint = Endpoint::kStatic;
        m.method_allowed = method_matches(method, "GET");
        m.allow = allow_header("GET");
        m.resource_id = std::string(path.substr(kStaticRoot.size()));
        return m;
    }
    // A trailing slash is the same route; clients and proxies add them.
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    for (const RouteSpec& r : kRoutes) {
        if (path == r.path) {
            m.endpoint = r.endpoint;
            m.method_allowed = method_matches(method, r.method);
            m.allow = allow_header(r.method);
            return m;
        }
    }
    if (path == "/v1/keys") {
        m.endpoint = Endpoint::kKeys;
        m.method_allowed = method_matches(method, "GET") || method == "POST";
        m.allow = "GET, HEAD, POST, OPTIONS";
        return m;
    }
    constexpr std::string_view kKeyPrefix = "/v1/keys/";
    if (path.size() > kKeyPrefix.size() && path.substr(0, kKeyPrefix.size()) == kKeyPrefix) {
        std::string_view rest = path.substr(kKeyPrefix.size());
        constexpr std::string_view kRotate = "/rotate";
        if (rest.size() > kRotate.size() && rest.substr(rest.size() - kRotate.size()) == kRotate) {
            rest.remove_suffix(kRotate.size());
            m.endpoint = Endpoint::kKeyRotate;
            m.method_allowed = method_matches(method, "POST");
            m.allow = allow_header("POST");
        } else {
            m.endpoint = Endpoint::kKey;
            m.method_allowed = method_matches(method, "GET") || method == "DELETE";
            m.allow = "GET, HEAD, DELETE, OPTIONS";
        }
        if (rest.find('/') != std::string_view::npos) return RouteMatch{};
        m.resource_id = percent_decode(rest);
        return m;
    }
    if (path == "/v1/batches") {
        m.endpoint = Endpoint::kBatches;
        m.method_allowed = method_matches(method, "GET") || method == "POST";
        m.allow = "GET, HEAD, POST, OPTIONS";
        return m;
    }
    // /v1/files/{id}[/content] and /v1/batches/{id}[/cancel]
    for (auto [prefix, one, sub, sub_endpoint, sub_method] :
         {std::tuple{std::string_view("/v1/files/"), Endpoint::kFile, std::string_view("/content"),
                     Endpoint::kFileContent, std::string_view("GET")},
          std::tuple{std::string_view("/v1/batches/"), Endpoint::kBatch,
                     std::string_view("/cancel"), Endpoint::kBatchCancel,
                     std::string_view("POST")}}) {
        if (path.size() <= prefix.size() || path.substr(0, prefix.size()) != prefix) continue;
        std::string_view rest = path.substr(prefix.size());
        if (rest.size() > sub.size() && rest.substr(rest.size() - sub.size()) == sub) {
            m.endpoint = sub_endpoint;
            m.method_allowed = method_matches(method, sub_method);
            m.allow = allow_header(sub_method);
            rest.remove_suffix(sub.size());
        } else {
            m.endpoint = one;
            m.method_allowed = method_matches(method, "GET");
            m.allow = allow_header("GET");
        }
        if (rest.find('/') != std::string_view::npos) return RouteMatch{};
        m.resource_id = percent_decode(rest);
        return m;
    }
    constexpr std::string_view kJobPrefix = "/v1/jobs/";
    if (path.size() > kJobPrefix.size() && path.substr(0, kJobPrefix.size()) == kJobPrefix) {
        m.endpoint = Endpoint::kJob;
        m.method_allowed = method_matches(method, "GET") || method == "DELETE";
        m.allow = "GET, HEAD, DELETE, OPTIONS";
        m.job_id = percent_decode(path.substr(kJobPrefix.size()));
        return m;
    }
    constexpr std::string_view kModelPrefix = "/v1/models/";
    if (path.size() > kModelPrefix.size() && path.substr(0, kModelPrefix.size()) == kModelPrefix) {
        m.endpoint = Endpoint::kModel;
        m.method_allowed = method_matches(method, "GET");
        m.allow = allow_header("GET");
        m.model_id = percent_decode(path.substr(kModelPrefix.size()));
    }
    return m;
}

std::string_view endpoint_name(Endpoint endpoint) {
    switch (endpoint) {
    case Endpoint::kNone:
        return "unknown";
    case Endpoint::kRoot:
        return "root";
    case Endpoint::kHealthz:
        return "healthz";
    case Endpoint::kReadyz:
        return "readyz";
    case Endpoint::kMetrics:
        return "metrics";
    case Endpoint::kModels:
        return "models";
    case Endpoint::kModel:
        return "model";
    case Endpoint::kChatCompletions:
        return "chat_completions";
    case Endpoint::kCompletions:
        return "completions";
    case Endpoint::kEmbeddings:
        return "embeddings";
    case Endpoint::kMessages:
        return "messages";
    case Endpoint::kUsage:
        return "usage";
    case Endpoint::kJobs:
        return "jobs";
    case Endpoint::kJob:
        return "job";
    case Endpoint::kFiles:
        return "files";
    case Endpoint::kFile:
        return "file";
    case Endpoint::kFileContent:
        return "file_content";
    case Endpoint::kBatches:
        return "batches";
    case Endpoint::kBatch:
        return "batch";
    case Endpoint::kBatchCancel:
        return "batch_cancel";
    case Endpoint::kKeys:
        return "keys";
    case Endpoint::kKey:
        return "key";
    case Endpoint::kKeyRotate:
        return "key_rotate";
    case Endpoint::kStatic:
        return "static";
    }
    return "unknown";
}

} // namespace edgeai::api
