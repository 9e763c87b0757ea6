// HttpClient port: how the core asks for an outbound HTTP exchange without
// knowing who performs it (natively our HTTP/1.1 client or libcurl, fetch() in
// a browser).
//
// Contract, for every implementation:
// - Callbacks run on the owning loop's thread, never inside start().
// - on_head comes at most once, then on_data any number of times, then
//   on_complete exactly once, unless the call is destroyed first.
// - Destroying the HttpCall cancels the exchange; no callback follows. It must
//   not be destroyed from inside one of its own callbacks (post the teardown).
#pragma once

#include "core/http_types.h"
#include "core/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace edgeai::core {

struct HttpClientRequest {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    int64_t connect_timeout_ms = 5000;
    // Until the response head has arrived.
    int64_t first_byte_timeout_ms = 60000;
    // Longest silence between two pieces of the body.
    int64_t idle_timeout_ms = 60000;
};

enum class BodyAction {
    kContinue,
    // The consumer cannot take more now; the bytes given were accepted, and no
    // more arrive until HttpCall::resume().
    kPause,
};

class HttpResponseObserver {
  public:
    virtual ~HttpResponseObserver() = default;
    virtual void on_head(int status, const Headers& headers) = 0;
    virtual BodyAction on_data(std::string_view bytes) = 0;
    // ok: the whole response arrived. Otherwise the code says what failed:
    // kUnavailable  could not connect (refused, DNS, TLS handshake);
    // kDeadlineExceeded  a timeout above expired;
    // kDataLoss  the peer broke the exchange (closed mid-body, not HTTP).
    virtual void on_complete(const Status& status) = 0;
    // A backend that counted the tokens itself (the local engine) says so
    // before on_complete, so a stream without a usage chunk is still charged
    // exactly rather than estimated from its bytes.
    virtual void on_usage(int64_t prompt_tokens, int64_t completion_tokens) {
        (void)prompt_tokens;
        (void)completion_tokens;
    }
};

class HttpCall {
  public:
    virtual ~HttpCall() = default;
    // Lets a paused body flow again.
    virtual void resume() = 0;
};

class HttpClient {
  public:
    virtual ~HttpClient() = default;
    virtual Result<std::unique_ptr<HttpCall>> start(HttpClientRequest request,
                                                    HttpResponseObserver* observer) = 0;
};

} // namespace edgeai::core
