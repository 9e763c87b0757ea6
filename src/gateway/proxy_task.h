// ProxyTask relays one request to a backend and its answer to the client.
// Streams go event by event as they arrive: each run of complete upstream SSE
// events is written on at once, byte for byte, the upstream is paused while the
// client's queue is full, and a stream that breaks after its first byte ends with an error event
// rather than silently. Non-streamed answers are checked before they are passed
// on, so a client never receives garbage with a 200.
#pragma once

#include "codec/sse/sse_framer.h"
#include "core/http_client.h"
#include "gateway/exchange.h"
#include "router/backend.h"

#include <memory>
#include <string>

namespace edgeai::gateway {

class ProxyTask final : public RequestTask, public core::HttpResponseObserver {
  public:
    // Bounds a buffered (non-streamed) upstream answer; embeddings of a large
    // batch are the biggest legitimate ones.
    static constexpr size_t kMaxBufferedBodyBytes = size_t{64} << 20;

    ProxyTask(std::unique_ptr<Exchange> exchange, router::Backend& backend);
    ~ProxyTask() override;

    // Starts the backend call; on failure the error response is already sent.
    void start(router::BackendRequest request);

    void on_head(int status, const core::Headers& headers) override;
    core::BodyAction on_data(std::string_view bytes) override;
    void on_complete(const core::Status& status) override;

  private:
    enum class Mode { kWaitingHead, kRelayEvents, kBuffer, kDone };

    void end_stream_with_error(std::string_view message);
    void respond_buffered();
    void respond_failure(const core::Status& status);
    // edgeai_upstream_requests_total{outcome}: ok, http_4xx, http_5xx,
    // invalid_response, or the failure's status code name.
    void count_outcome(std::string_view outcome);

    std::unique_ptr<Exchange> exchange_;
    router::Backend& backend_;
    std::unique_ptr<core::HttpCall> call_; // after exchange_: destroyed first
    Mode mode_ = Mode::kWaitingHead;
    bool wants_stream_ = false;
    int upstream_status_ = 0;
    core::Headers passed_headers_;
    std::string upstream_content_type_;
    std::string body_;
    codec::SseFramer framer_;
    int64_t started_ns_ = 0;
};

} // namespace edgeai::gateway
