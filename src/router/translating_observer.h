// Answers in one API's wire format turned into another's on their way to the
// observer: a backend that speaks Anthropic's Messages API serves OpenAI chat
// completions, and an Anthropic-shaped client (POST /v1/messages) is served by
// any backend. The observer downstream sees an ordinary HTTP answer, so the
// gateway relays, retries and streams it like any other.
#pragma once

#include "core/http_client.h"
#include "core/result.h"

#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace edgeai::router {

class ResponseTranslator {
  public:
    virtual ~ResponseTranslator() = default;

    struct Body {
        int status = 0;
        std::string body;
    };
    // A whole (buffered) answer with its status. A 2xx body that is not JSON
    // comes back unchanged, so the downstream's own check refuses it; one that
    // is JSON but cannot be read becomes a 502 in the target's error shape.
    virtual Body translate_body(int status, std::string_view body) = 0;

    // A streamed answer (200, text/event-stream): bytes in, complete events out.
    virtual std::string feed(std::string_view bytes) = 0;
    // The stream ended without a transport error: the closing events, or an
    // error event when the source stopped short.
    virtual std::string finish() = 0;
};

using StartFn =
    std::function<core::Result<std::unique_ptr<core::HttpCall>>(core::HttpResponseObserver*)>;

// Runs `start` with an observer that translates the answer for `observer`.
// The returned call owns the translation and cancels the inner call first.
core::Result<std::unique_ptr<core::HttpCall>>
start_translated(std::unique_ptr<ResponseTranslator> translator,
                 core::HttpResponseObserver* observer, const StartFn& start);

} // namespace edgeai::router
