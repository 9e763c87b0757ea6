#include "platform/native/http/upstream_http_client.h"

#include "platform/native/system/environment.h"

namespace edgeai::platform::native {

UpstreamHttpClient::UpstreamHttpClient(EventLoop& loop, CurlHttpClientOptions curl_options)
    : loop_(loop), curl_options_(std::move(curl_options)),
      plain_(loop, Http1ClientOptions{static_cast<size_t>(curl_options_.max_connections)}),
      proxy_in_environment_(
          !env_or_empty("http_proxy").empty() || !env_or_empty("HTTP_PROXY").empty() ||
          !env_or_empty("all_proxy").empty() || !env_or_empty("ALL_PROXY").empty()) {}

core::Result<std::unique_ptr<core::HttpCall>>
UpstreamHttpClient::start(core::HttpClientRequest request, core::HttpResponseObserver* observer) {
    bool plain_http = request.url.rfind("http://", 0) == 0;
    if (plain_http && !proxy_in_environment_) return plain_.start(std::move(request), observer);
    if (!curl_) {
        auto made = CurlHttpClient::create(loop_, curl_options_);
        if (!made.ok()) return made.status();
        curl_ = std::move(made).value();
    }
    return curl_->start(std::move(request), observer);
}

} // namespace edgeai::platform::native
