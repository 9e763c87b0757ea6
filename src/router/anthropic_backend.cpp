#include "router/anthropic_backend.h"

#include "api/anthropic/anthropic_requests.h"
#include "router/anthropic_translators.h"

namespace edgeai::router {

AnthropicBackend::AnthropicBackend(core::HttpClient& client, const core::Clock& clock,
                                   AnthropicBackendOptions options)
    : client_(client), clock_(clock), options_(std::move(options)) {
    while (!options_.base_url.empty() && options_.base_url.back() == '/')
        options_.base_url.pop_back();
}

core::HttpClientRequest AnthropicBackend::upstream_request(std::string_view path,
                                                           const BackendRequest& request,
                                                           bool stream) const {
    core::HttpClientRequest out;
    out.method = "POST";
    out.url = options_.base_url + std::string(path);
    out.connect_timeout_ms = options_.connect_timeout_ms;
    out.first_byte_timeout_ms = options_.timeout_ms;
    out.idle_timeout_ms = options_.stream_idle_timeout_ms;
    out.headers.add("content-type", "application/json");
    out.headers.add("accept", stream ? "text/event-stream" : "application/json");
    out.headers.add("anthropic-version", std::string(api::anthropic::kApiVersion));
    if (!options_.api_key.empty()) out.headers.add("x-api-key", options_.api_key);
    out.headers.add("user-agent", options_.user_agent);
    if (!request.request_id.empty()) out.headers.add("x-request-id", request.request_id);
    if (request.client_headers != nullptr) {
        // Lets a caller opt in to Anthropic beta features through the gateway.
        std::string_view beta = request.client_headers->get("anthropic-beta");
        if (!beta.empty()) out.headers.add("anthropic-beta", std::string(beta));
        std::string_view key = request.client_headers->get("idempotency-key");
        if (!key.empty()) out.headers.add("idempotency-key", std::string(key));
    }
    return out;
}

core::Result<std::unique_ptr<core::HttpCall>>
AnthropicBackend::start(BackendRequest request, core::HttpResponseObserver* observer) {
    if (request.path == kCountTokensPath) {
        // Already Anthropic's body, and Anthropic's answer goes back as it is.
        core::HttpClientRequest out = upstream_request(kCountTokensPath, request, false);
        out.body = std::move(request.body);
        return client_.start(std::move(out), observer);
    }
    if (request.path != "/chat/completions") {
        return core::Status(core::StatusCode::kUnimplemented,
                            "backend '" + options_.name +
                                "' speaks Anthropic's Messages API, which serves chat completions "
                                "only, not " +
                                request.path);
    }
    api::anthropic::OutboundOptions translate;
    translate.default_max_tokens = options_.default_max_tokens;
    auto messages = api::anthropic::chat_to_messages(request.body, translate);
    if (!messages.ok()) return messages.status();

    core::HttpClientRequest out = upstream_request("/messages", request, messages->stream);
    out.body = std::move(messages->body);
    return start_translated(
        make_messages_to_chat_translator(messages->include_usage, clock_.unix_ms() / 1000),
        observer, [&](core::HttpResponseObserver* translated) {
            return client_.start(std::move(out), translated);
        });
}

} // namespace edgeai::router
