// Backend port: one place a request can be served (an OpenAI-compatible
// upstream now; the local engine, Anthropic and other gateways later). A backend
// takes an OpenAI API call and answers in OpenAI's wire format, as an HTTP-shaped
// response (status, headers, body bytes, SSE when streamed), so the gateway relays
// every backend the same way.
#pragma once

#include "api/openai_requests.h"
#include "core/http_client.h"
#include "core/http_types.h"
#include "core/result.h"

#include <memory>
#include <string>
#include <string_view>

namespace edgeai::router {

struct BackendRequest {
    std::string method = "POST";
    // Relative to the API root, e.g. "/chat/completions" or "/models/gpt-4o".
    std::string path;
    // The client's body exactly as received, so fields we do not know survive.
    std::string body;
    bool stream = false;
    std::string request_id;
    // The client's headers; a backend forwards only those it knows are safe.
    const core::Headers* client_headers = nullptr;
    // The body as the gateway decoded it, valid during start() only; null
    // (a later attempt, a body rewritten for another model): decode `body`.
    const api::DecodedBody* decoded = nullptr;
};

// Anthropic's token count, relative to a backend's base URL.
inline constexpr std::string_view kCountTokensPath = "/messages/count_tokens";
// OpenAI's Responses API, relative to a backend's base URL.
inline constexpr std::string_view kResponsesPath = "/responses";

class Backend {
  public:
    virtual ~Backend() = default;
    virtual std::string_view name() const = 0;
    virtual core::Result<std::unique_ptr<core::HttpCall>>
    start(BackendRequest request, core::HttpResponseObserver* observer) = 0;
    // The prompt tokens a chat request (`request.body`, for `model`) comes to
    // on this backend, for Anthropic's count_tokens; kUnimplemented where
    // only a remote service could say.
    virtual core::Result<int64_t> count_prompt_tokens(std::string_view model,
                                                      const BackendRequest& request) {
        (void)model;
        (void)request;
        return core::Status(core::StatusCode::kUnimplemented, "this backend cannot count tokens");
    }
    // Whether the service behind this backend counts a Messages request's
    // tokens itself: start() then takes kCountTokensPath with Anthropic's own
    // count_tokens body and answers in Anthropic's shape.
    virtual bool counts_messages_upstream() const { return false; }
    // Whether the service behind it has `path` (kResponsesPath) itself, so a
    // request of that API goes to it as it is rather than as a chat completion.
    virtual bool serves_natively(std::string_view path) const {
        (void)path;
        return false;
    }
};

} // namespace edgeai::router
