// A lean HTTP/1.1 client for plain http:// upstreams (a model server on the
// device or the LAN, another edgeai), on the same Asio loop as the server.
// libcurl handles https:// and proxies; this client exists because curl's
// per-request cost (about 120k instructions here, measured with callgrind) was
// most of the gateway's, and loading curl touches OpenSSL's pages for nothing on
// a plain-HTTP hop. Beast parses responses; connections are kept and reused.
#pragma once

#include "core/http_client.h"
#include "platform/native/http/event_loop.h"

#include <memory>

namespace edgeai::platform::native {

// Splits "http://host[:port]/path?query"; only the http scheme is accepted.
struct HttpUrl {
    std::string host; // without brackets for IPv6
    uint16_t port = 80;
    std::string target; // "/path?query", at least "/"
    // An address literal to connect to instead of resolving `host` (a
    // webhook's destination, checked against the policy); empty: resolve.
    std::string connect_address;
};
core::Result<HttpUrl> parse_http_url(std::string_view url);

struct Http1ClientOptions {
    // Idle keep-alive connections kept per host:port.
    size_t max_idle_per_host = 64;
};

class Http1Client final : public core::HttpClient {
  public:
    Http1Client(EventLoop& loop, Http1ClientOptions options);
    ~Http1Client() override;

    core::Result<std::unique_ptr<core::HttpCall>>
    start(core::HttpClientRequest request, core::HttpResponseObserver* observer) override;

    // The same call to a URL already taken apart (request.url is not read);
    // with url.connect_address set, to that address and no other.
    core::Result<std::unique_ptr<core::HttpCall>>
    start_to(core::HttpClientRequest request, core::HttpResponseObserver* observer, HttpUrl url);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
