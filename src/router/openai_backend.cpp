#include "router/openai_backend.h"

namespace edgeai::router {

namespace {

// Client headers that mean the same to the upstream as to us. Authorization is
// deliberately absent: the client's key is for this gateway, not the provider.
constexpr std::string_view kForwardedHeaders[] = {
    "openai-organization",
    "openai-project",
    "openai-beta",
    "idempotency-key",
};

} // namespace

OpenAiBackend::OpenAiBackend(core::HttpClient& client, OpenAiBackendOptions options)
    : client_(client), options_(std::move(options)) {
    while (!options_.base_url.empty() && options_.base_url.back() == '/') {
        options_.base_url.pop_back();
    }
}

core::HttpClientRequest OpenAiBackend::build_request(BackendRequest request) const {
    core::HttpClientRequest out;
    out.method = request.method;
    out.url = options_.base_url + request.path;
    out.body = std::move(request.body);
    out.connect_timeout_ms = options_.connect_timeout_ms;
    out.first_byte_timeout_ms = options_.timeout_ms;
    out.idle_timeout_ms = options_.stream_idle_timeout_ms;
    if (!out.body.empty()) out.headers.add("content-type", "application/json");
    out.headers.add("accept", request.stream ? "text/event-stream" : "application/json");
    if (!options_.api_key.empty()) out.headers.add("authorization", "Bearer " + options_.api_key);
    out.headers.add("user-agent", options_.user_agent);
    if (!request.request_id.empty()) out.headers.add("x-request-id", request.request_id);
    if (request.client_headers != nullptr) {
        for (std::string_view name : kForwardedHeaders) {
            std::string_view value = request.client_headers->get(name);
            if (!value.empty()) out.headers.add(std::string(name), std::string(value));
        }
    }
    return out;
}

core::Result<std::unique_ptr<core::HttpCall>>
OpenAiBackend::start(BackendRequest request, core::HttpResponseObserver* observer) {
    return client_.start(build_request(std::move(request)), observer);
}

} // namespace edgeai::router
