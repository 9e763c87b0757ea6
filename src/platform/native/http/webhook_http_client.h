// The HttpClient a job's webhooks go out through. A webhook's URL is chosen
// by whoever holds a key with the jobs scope, so unlike an upstream (chosen by
// the operator) its destination is judged (core/net/destination_policy.h):
// the URL is parsed again, a name is resolved here, every address it resolves
// to must be admitted, and the call then goes to one of those very addresses
// (plain http: our Http1Client told the address; https: libcurl pinned to it,
// see CurlPin), so DNS cannot answer differently between the check and the
// connection. No proxy from the environment is used and no redirect is
// followed. A refusal says only kRefusedByPolicy; the operator's log says why.
#pragma once

#include "core/http_client.h"
#include "core/net/destination_policy.h"
#include "platform/native/http/curl_http_client.h"
#include "platform/native/http/event_loop.h"
#include "platform/native/http/http1_client.h"
#include "telemetry/logger.h"

#include <memory>

namespace edgeai::platform::native {

class WebhookHttpClient final : public core::HttpClient {
  public:
    // `policy` and `logger` (may be null) outlive the client.
    WebhookHttpClient(EventLoop& loop, const core::net::DestinationPolicy& policy,
                      CurlHttpClientOptions curl_options, telemetry::Logger* logger);
    ~WebhookHttpClient() override;

    core::Result<std::unique_ptr<core::HttpCall>>
    start(core::HttpClientRequest request, core::HttpResponseObserver* observer) override;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

// Adds the gateway's listener ("127.0.0.1:8080", "[::]:8080", as
// HttpServer::start answers) to the policy's own endpoints: a webhook to the
// gateway itself is refused. A listener on every address (0.0.0.0, ::) adds
// each address of each interface.
core::Status add_listener_as_self(core::net::DestinationPolicy& policy, std::string_view bound);

} // namespace edgeai::platform::native
