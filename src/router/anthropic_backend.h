// A backend that is Anthropic's Messages API: it serves OpenAI chat
// completions (plain and streamed, tools included) by translating the request
// to a Messages request and every answer back, so clients and the gateway see
// an OpenAI-compatible backend.
#pragma once

#include "core/clock.h"
#include "core/http_client.h"
#include "router/backend.h"

#include <string>

namespace edgeai::router {

struct AnthropicBackendOptions {
    std::string name = "anthropic";
    std::string base_url; // "https://api.anthropic.com/v1"
    std::string api_key;  // sent as x-api-key
    int64_t connect_timeout_ms = 5000;
    int64_t timeout_ms = 60000;
    int64_t stream_idle_timeout_ms = 60000;
    int64_t default_max_tokens = 4096; // Messages requires max_tokens
    std::string user_agent = "edgeai";
};

class AnthropicBackend final : public Backend {
  public:
    AnthropicBackend(core::HttpClient& client, const core::Clock& clock,
                     AnthropicBackendOptions options);

    std::string_view name() const override { return options_.name; }
    core::Result<std::unique_ptr<core::HttpCall>>
    start(BackendRequest request, core::HttpResponseObserver* observer) override;
    bool counts_messages_upstream() const override { return true; }

  private:
    core::HttpClientRequest upstream_request(std::string_view path, const BackendRequest& request,
                                             bool stream) const;

    core::HttpClient& client_;
    const core::Clock& clock_;
    AnthropicBackendOptions options_;
};

} // namespace edgeai::router
