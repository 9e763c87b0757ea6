// The HttpClient that serve uses: plain http:// goes through our lean HTTP/1.1
// client, https:// (and anything when a proxy is configured in the environment)
// through libcurl, which is only loaded (curl_library.h) and set up on first
// use, so a gateway that never talks TLS never maps curl, OpenSSL or GnuTLS.
#pragma once

#include "platform/native/http/curl_http_client.h"
#include "platform/native/http/http1_client.h"

#include <memory>

namespace edgeai::platform::native {

class UpstreamHttpClient final : public core::HttpClient {
  public:
    UpstreamHttpClient(EventLoop& loop, CurlHttpClientOptions curl_options);

    core::Result<std::unique_ptr<core::HttpCall>>
    start(core::HttpClientRequest request, core::HttpResponseObserver* observer) override;

  private:
    EventLoop& loop_;
    CurlHttpClientOptions curl_options_;
    Http1Client plain_;
    std::unique_ptr<CurlHttpClient> curl_; // made on first use
    // http_proxy, HTTP_PROXY, all_proxy or ALL_PROXY was set at start: curl
    // applies them (and no_proxy), so plain http goes through curl too.
    bool proxy_in_environment_;
};

} // namespace edgeai::platform::native
