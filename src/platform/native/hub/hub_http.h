// Blocking GETs to the Hugging Face hub for `edgeai pull`, through libcurl's
// easy interface (loaded on first use, curl_library.h). Redirects are followed
// here, not by curl, because the hub sends a file's bytes from another host
// (its CDN): the token goes only to the endpoint's own origin (scheme, host,
// port), as the hub's own clients do, and a loop or a long chain is an error.
#pragma once

#include "core/result.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace edgeai::platform::native {

struct HubHttpOptions {
    std::string endpoint; // e.g. https://huggingface.co (HF_ENDPOINT), no trailing '/'
    std::string token;    // HF_TOKEN; empty: anonymous
    std::string user_agent;
};

// What the last hop answered.
struct HubResponse {
    long status = 0;
    std::string url;          // the URL that answered (after redirects)
    std::string linked_etag;  // X-Linked-Etag of the hub's redirect, quotes removed
    std::string next_page;    // a Link: <...>; rel="next" URL (the tree API pages)
    uint64_t range_start = 0; // from Content-Range on a 206
    std::string error_body;   // the start of a non-2xx body, for messages
};

// Takes the final response's body as it arrives; the response's status and
// range are known by the first call. False aborts the transfer.
using HubSink = std::function<bool(const HubResponse& head, std::string_view bytes)>;

class HubHttp {
  public:
    // Most hops a request may take: the hub's resolve URL, a renamed
    // repository, its CDN; more is a loop or a misconfigured mirror.
    static constexpr int kMaxRedirects = 8;

    // Fails when libcurl cannot be loaded.
    static core::Result<HubHttp> create(HubHttpOptions options);

    // GET `url` (from byte `range_from` when not 0), following redirects. The
    // final 2xx body goes to `sink` as it arrives; a false return aborts with
    // the sink's Status (`sink_error`). A transport failure (a cut, a
    // timeout) is an unavailable/data_loss Status after whatever bytes
    // arrived were given to the sink.
    core::Result<HubResponse> get(const std::string& url, uint64_t range_from, const HubSink& sink,
                                  core::Status* sink_error) const;

    // True when `url` has the endpoint's scheme, host and port: the only
    // place the token is sent.
    bool same_origin_as_endpoint(std::string_view url) const;

    const HubHttpOptions& options() const { return options_; }

  private:
    explicit HubHttp(HubHttpOptions options) : options_(std::move(options)) {}
    HubHttpOptions options_;
};

// "scheme://host:port", lower case, default ports written out; empty when
// `url` is not http(s).
std::string url_origin(std::string_view url);

// Percent-encodes a repository path for a URL (keeps '/' and unreserved bytes).
std::string encode_url_path(std::string_view path);

} // namespace edgeai::platform::native
