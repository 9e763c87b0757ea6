// The native HttpClient: libcurl's multi interface driven by the Asio loop (no
// thread per request). curl does DNS, TLS with verification, HTTP/1.1 and
// HTTP/2 and connection reuse; Asio tells it when its sockets are ready.
#pragma once

#include "core/http_client.h"
#include "core/net/ip_address.h"
#include "core/result.h"
#include "platform/native/http/event_loop.h"

#include <memory>
#include <optional>
#include <string>

namespace edgeai::platform::native {

struct CurlHttpClientOptions {
    // Extra CA certificate (PEM) trusted besides the system store.
    std::string ca_file;
    // Connections kept in the reuse cache.
    long max_connections = 64;
};

// A call that must reach one checked address (a webhook): curl is told the
// name's address (CURLOPT_RESOLVE, so its own DNS is never asked), checks it
// again as it opens the socket (CURLOPT_OPENSOCKETFUNCTION: any other address
// is refused), uses no proxy whatever the environment says and follows no
// redirect.
struct CurlPin {
    std::string host; // as in the URL, lowercase, IPv6 without brackets
    uint16_t port = 443;
    core::net::IpAddress address;
};

class CurlHttpClient final : public core::HttpClient {
  public:
    // Fails when libcurl cannot be loaded (it is loaded on first use).
    static core::Result<std::unique_ptr<CurlHttpClient>> create(EventLoop& loop,
                                                                CurlHttpClientOptions options);
    ~CurlHttpClient() override;

    core::Result<std::unique_ptr<core::HttpCall>>
    start(core::HttpClientRequest request, core::HttpResponseObserver* observer) override;

    core::Result<std::unique_ptr<core::HttpCall>> start_pinned(core::HttpClientRequest request,
                                                               core::HttpResponseObserver* observer,
                                                               CurlPin pin);

    struct Impl;

  private:
    CurlHttpClient(EventLoop& loop, CurlHttpClientOptions options);
    std::unique_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
