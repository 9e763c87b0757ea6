// A backend that is any OpenAI-compatible HTTP API (OpenAI itself, vLLM,
// llama.cpp's server, another gateway). It adds the upstream's credentials and
// forwards the client's body untouched.
#pragma once

#include "core/http_client.h"
#include "router/backend.h"

#include <string>

namespace edgeai::router {

struct OpenAiBackendOptions {
    std::string name = "upstream";
    std::string base_url; // "https://api.openai.com/v1", no trailing slash needed
    std::string api_key;  // empty: no Authorization header
    int64_t connect_timeout_ms = 5000;
    int64_t timeout_ms = 60000;
    int64_t stream_idle_timeout_ms = 60000;
    std::string user_agent = "edgeai";
    bool responses_native = false; // POST /responses is forwarded, not translated
};

class OpenAiBackend final : public Backend {
  public:
    OpenAiBackend(core::HttpClient& client, OpenAiBackendOptions options);

    std::string_view name() const override { return options_.name; }
    core::Result<std::unique_ptr<core::HttpCall>>
    start(BackendRequest request, core::HttpResponseObserver* observer) override;
    bool serves_natively(std::string_view path) const override {
        return options_.responses_native && path == kResponsesPath;
    }

    // The request that start() would send; exposed for tests.
    core::HttpClientRequest build_request(BackendRequest request) const;

  private:
    core::HttpClient& client_;
    OpenAiBackendOptions options_;
};

} // namespace edgeai::router
