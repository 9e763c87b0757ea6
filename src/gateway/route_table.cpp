#include "gateway/route_table.h"

#include "gateway/batch_api.h"
#include "gateway/inference.h"
#include "gateway/jobs_api.h"
#include "gateway/keys_api.h"
#include "gateway/mcp_api.h"
#include "gateway/messages_api.h"
#include "gateway/models_api.h"
#include "gateway/ollama_api.h"
#include "gateway/openai_api.h"
#include "gateway/responses_api.h"
#include "gateway/service_api.h"
#include "gateway/static_files.h"
#include "gateway/usage_api.h"
#include "security/api_key.h"

namespace edgeai::gateway {

namespace {

using api::Endpoint;
using enum BodyType;
using enum BodyLimit;
constexpr uint32_t kOpen = 0;
constexpr uint32_t kAdmin = security::kScopeAdmin;
constexpr uint32_t kBatches = security::kScopeBatches;
constexpr uint32_t kJobs = security::kScopeJobs;
constexpr uint32_t kModels = security::kScopeModels;

// Lines with the same pattern sit together: Allow lists them in this order.
constexpr Route kRoutes[] = {
    // method, pattern, endpoint, scope, body, max body, decoder, handler
    {"GET", "/", Endpoint::kRoot, kOpen, kAny, kSmall, nullptr, handle_root},
    {"GET", "/healthz", Endpoint::kHealthz, kOpen, kAny, kSmall, nullptr, handle_healthz},
    {"GET", "/readyz", Endpoint::kReadyz, kOpen, kAny, kSmall, nullptr, handle_readyz},
    {"GET", "/metrics", Endpoint::kMetrics, security::kScopeMetrics, kAny, kSmall, nullptr,
     handle_metrics},
    {"GET", "/v1/models", Endpoint::kModels, kModels, kAny, kSmall, nullptr, handle_models},
    {"GET", "/v1/models/{id+}", Endpoint::kModel, kModels, kAny, kSmall, decode_model_lookup,
     handle_model},
    {"POST", "/v1/chat/completions", Endpoint::kChatCompletions, security::kScopeChat, kJson,
     kServer, decode_chat_completion, handle_inference},
    {"POST", "/v1/completions", Endpoint::kCompletions, security::kScopeCompletions, kJson, kServer,
     decode_completion, handle_inference},
    {"POST", "/v1/embeddings", Endpoint::kEmbeddings, security::kScopeEmbeddings, kJson, kServer,
     decode_embedding, handle_inference},
    {"POST", "/v1/messages", Endpoint::kMessages, security::kScopeChat, kJson, kServer,
     decode_messages, handle_inference},
    {"POST", "/v1/messages/count_tokens", Endpoint::kMessagesCountTokens, security::kScopeChat,
     kJson, kServer, decode_count_tokens, handle_count_tokens},
    // Responses are the chat scope's: a key that may chat may keep and
    // continue its own conversations.
    {"POST", "/v1/responses", Endpoint::kResponses, security::kScopeChat, kJson, kServer,
     decode_responses, handle_inference},
    {"GET", "/v1/responses/{id}", Endpoint::kResponse, security::kScopeChat, kAny, kSmall, nullptr,
     handle_get_response},
    {"DELETE", "/v1/responses/{id}", Endpoint::kResponse, security::kScopeChat, kAny, kSmall,
     nullptr, handle_delete_response},
    {"GET", "/v1/responses/{id}/input_items", Endpoint::kResponseInputItems, security::kScopeChat,
     kAny, kSmall, nullptr, handle_response_input_items},
    {"GET", "/v1/usage", Endpoint::kUsage, kAdmin, kAny, kSmall, nullptr, handle_usage},
    {"GET", "/v1/jobs", Endpoint::kJobs, kJobs, kAny, kSmall, nullptr, handle_list_jobs},
    {"GET", "/v1/jobs/{id+}", Endpoint::kJob, kJobs, kAny, kSmall, nullptr, handle_get_job},
    {"DELETE", "/v1/jobs/{id+}", Endpoint::kJob, kJobs, kAny, kSmall, nullptr, handle_cancel_job},
    {"POST", "/v1/files", Endpoint::kFiles, kBatches, kMultipart, kServer, nullptr,
     handle_upload_file},
    {"GET", "/v1/files/{id}", Endpoint::kFile, kBatches, kAny, kSmall, nullptr, handle_get_file},
    {"GET", "/v1/files/{id}/content", Endpoint::kFileContent, kBatches, kAny, kSmall, nullptr,
     handle_get_file_content},
    {"GET", "/v1/batches", Endpoint::kBatches, kBatches, kAny, kSmall, nullptr,
     handle_list_batches},
    {"POST", "/v1/batches", Endpoint::kBatches, kBatches, kJson, kSmall, nullptr,
     handle_create_batch},
    {"GET", "/v1/batches/{id}", Endpoint::kBatch, kBatches, kAny, kSmall, nullptr,
     handle_get_batch},
    {"POST", "/v1/batches/{id}/cancel", Endpoint::kBatchCancel, kBatches, kAny, kSmall, nullptr,
     handle_cancel_batch},
    {"GET", "/v1/keys", Endpoint::kKeys, kAdmin, kAny, kSmall, nullptr, handle_keys},
    {"POST", "/v1/keys", Endpoint::kKeys, kAdmin, kJson, kSmall, nullptr, handle_keys},
    {"GET", "/v1/keys/{id}", Endpoint::kKey, kAdmin, kAny, kSmall, nullptr, handle_keys},
    {"DELETE", "/v1/keys/{id}", Endpoint::kKey, kAdmin, kAny, kSmall, nullptr, handle_keys},
    {"POST", "/v1/keys/{id}/rotate", Endpoint::kKeyRotate, kAdmin, kJson, kSmall, nullptr,
     handle_keys},
    {"POST", "/mcp", Endpoint::kMcp, security::kScopeMcp, kJson, kServer, nullptr, handle_mcp_post},
    {"GET", "/mcp", Endpoint::kMcp, security::kScopeMcp, kAny, kSmall, nullptr, handle_mcp_get},
    {"DELETE", "/mcp", Endpoint::kMcp, security::kScopeMcp, kAny, kSmall, nullptr,
     handle_mcp_delete},
    // Ollama's API: the same scopes as the /v1 routes that serve it. Bodies
    // are read as JSON whatever their type: `curl -d`, Ollama's own examples,
    // sends them as a form.
    {"POST", "/api/chat", Endpoint::kOllamaChat, security::kScopeChat, kAny, kServer,
     decode_ollama_chat, handle_ollama_inference},
    {"POST", "/api/generate", Endpoint::kOllamaGenerate, security::kScopeChat, kAny, kServer,
     decode_ollama_generate, handle_ollama_inference},
    {"POST", "/api/embed", Endpoint::kOllamaEmbed, security::kScopeEmbeddings, kAny, kServer,
     decode_ollama_embed, handle_ollama_inference},
    {"POST", "/api/embeddings", Endpoint::kOllamaEmbed, security::kScopeEmbeddings, kAny, kServer,
     decode_ollama_embeddings, handle_ollama_inference},
    {"GET", "/api/tags", Endpoint::kOllamaTags, kModels, kAny, kSmall, nullptr, handle_models},
    {"GET", "/api/ps", Endpoint::kOllamaPs, kModels, kAny, kSmall, nullptr, handle_models},
    {"POST", "/api/show", Endpoint::kOllamaShow, kModels, kAny, kSmall, decode_ollama_show,
     handle_model},
    {"GET", "/api/version", Endpoint::kOllamaVersion, kOpen, kAny, kSmall, nullptr,
     handle_ollama_version},
    {"GET", "/ui{tail}", Endpoint::kStatic, kOpen, kAny, kSmall, nullptr, handle_static},
};

// Whether `path` fits `pattern`; its capture goes to `id`.
bool fits(std::string_view pattern, std::string_view path, std::string* id) {
    const size_t open = pattern.find('{');
    if (open == std::string_view::npos) {
        if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
        return path == pattern;
    }
    const std::string_view prefix = pattern.substr(0, open);
    const size_t close = pattern.find('}', open);
    const std::string_view capture = pattern.substr(open + 1, close - open - 1);
    const std::string_view suffix = pattern.substr(close + 1);
    if (path.substr(0, prefix.size()) != prefix) return false;
    std::string_view rest = path.substr(prefix.size());
    if (capture == "tail") {
        if (!rest.empty() && rest.front() != '/') return false;
        *id = std::string(rest);
        return true;
    }
    if (rest.size() > 1 && rest.back() == '/') rest.remove_suffix(1);
    if (rest.size() <= suffix.size() || rest.substr(rest.size() - suffix.size()) != suffix)
        return false;
    rest.remove_suffix(suffix.size());
    if (capture == "id" && rest.find('/') != std::string_view::npos) return false;
    *id = core::percent_decode(rest);
    return true;
}

bool method_fits(std::string_view method, std::string_view allowed) {
    return method == allowed || method == "OPTIONS" || (allowed == "GET" && method == "HEAD");
}

} // namespace

RouteMatch match_route(std::string_view method, std::string_view path) {
    RouteMatch m;
    constexpr size_t n = sizeof(kRoutes) / sizeof(kRoutes[0]);
    for (size_t i = 0; i < n; ++i) {
        if (!fits(kRoutes[i].pattern, path, &m.id)) continue;
        m.route = &kRoutes[i];
        for (size_t j = i; j < n && kRoutes[j].pattern == kRoutes[i].pattern; ++j) {
            if (method_fits(method, kRoutes[j].method)) {
                m.route = &kRoutes[j];
                m.method_allowed = true;
                break;
            }
        }
        return m;
    }
    return m;
}

std::string allowed_methods(const Route& route) {
    std::string allow;
    bool get = false;
    for (const Route& r : kRoutes)
        get |= r.pattern == route.pattern && r.method == "GET";
    if (get) allow = "GET, HEAD";
    for (const Route& r : kRoutes) {
        if (r.pattern != route.pattern || r.method == "GET") continue;
        allow += (allow.empty() ? "" : ", ") + std::string(r.method);
    }
    return allow + ", OPTIONS";
}

} // namespace edgeai::gateway
