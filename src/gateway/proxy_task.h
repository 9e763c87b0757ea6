// ProxyTask relays one request to a backend and its answer to the client,
// trying the route's targets in the planned order: a failure that says nothing
// about the request (no connection, no first byte in time, 408, 429, 5xx) moves
// on to the next attempt, after a backoff when a backend is tried again, as
// long as nothing has been sent to the client yet.
// Streams go event by event as they arrive: each run of complete upstream SSE
// events is written on at once, byte for byte, the upstream is paused while the
// client's queue is full, and a stream that breaks after its first byte ends with an error event
// rather than silently. Non-streamed answers are checked before they are passed
// on, so a client never receives garbage with a 200.
#pragma once

#include "codec/sse/sse_framer.h"
#include "core/executor.h"
#include "core/http_client.h"
#include "gateway/exchange.h"
#include "router/backend.h"
#include "router/router.h"
#include "router/translating_observer.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace edgeai::gateway {

class ProxyTask final : public RequestTask, public core::HttpResponseObserver {
  public:
    // Bounds a buffered (non-streamed) upstream answer; embeddings of a large
    // batch are the biggest legitimate ones.
    static constexpr size_t kMaxBufferedBodyBytes = size_t{64} << 20;

    // The plan's attempts through `router`; `executor` times the backoffs.
    ProxyTask(std::unique_ptr<Exchange> exchange, router::Router& router, router::Plan plan,
              core::Executor& executor);
    ~ProxyTask() override;

    // Starts the first attempt; on failure the error response is already sent.
    // `requested_model`: the name the client asked for, rewritten in the body
    // when a target names its model differently.
    void start(router::BackendRequest request, std::string requested_model = {});
    // Each attempt's answer goes through a translator `make` returns (set
    // before start()).
    void translate_answers(std::function<std::unique_ptr<router::ResponseTranslator>()> make) {
        make_translator_ = std::move(make);
    }
    // A backend that serves `path` natively gets `body` there instead, its
    // answer through `make`'s translator (set before start()).
    void offer_native(std::string path, std::string body,
                      std::function<std::unique_ptr<router::ResponseTranslator>()> make) {
        native_ =
            std::make_unique<Native>(Native{std::move(path), std::move(body), std::move(make)});
    }

    void on_head(int status, const core::Headers& headers) override;
    core::BodyAction on_data(std::string_view bytes) override;
    void on_complete(const core::Status& status) override;
    void on_usage(int64_t prompt_tokens, int64_t completion_tokens) override;

  private:
    // kAbandoned: an attempt given up for the next one; its call's last
    // callbacks are ignored until the call is torn down.
    enum class Mode { kWaitingHead, kRelayEvents, kBuffer, kDone, kAbandoned };

    // Starts the next attempt the plan and the retry policy allow; false when
    // none is left.
    bool start_next_attempt();
    // After a retryable failure before anything reached the client: another
    // attempt (now, or after a backoff), else the failure goes to the client.
    void retry_or_fail(const core::Status& failure, std::optional<int64_t> retry_after_ms);
    void note_attempt(int status, std::string_view error);
    void fail_all(const core::Status& failure);
    // Starts `request` on backend_, translating its answer when the client
    // speaks another API than the backend.
    core::Result<std::unique_ptr<core::HttpCall>> start_on_backend(router::BackendRequest request);
    router::Backend& backend() const { return *backend_; }

    void end_stream_with_error(std::string_view message);
    // Sends the stream's head to the client (once, with the first event).
    void commit_stream();
    // A retryable failure after the head, before anything reached the
    // client: handled like one before the head (true); false otherwise.
    bool failed_before_first_byte(const core::Status& status);
    void respond_buffered();
    void respond_failure(const core::Status& status);
    // edgeai_upstream_requests_total{outcome}: ok, http_4xx, http_5xx,
    // invalid_response, or the failure's status code name.
    void count_outcome(std::string_view outcome);

    std::unique_ptr<Exchange> exchange_;
    router::Backend* backend_ = nullptr; // the current attempt's
    router::Router* router_ = nullptr;
    router::Plan plan_;
    core::Executor* executor_ = nullptr;
    router::BackendRequest request_; // kept for the next attempt
    core::Headers client_headers_;   // request_ points here: the client's outlive handle()
    std::string requested_model_;
    std::function<std::unique_ptr<router::ResponseTranslator>()> make_translator_;
    struct Native {
        std::string path;
        std::string body;
        std::function<std::unique_ptr<router::ResponseTranslator>()> make_translator;
    };
    std::unique_ptr<Native> native_; // null: no backend gets another form
    bool native_attempt_ = false;    // the running attempt got native_'s form
    size_t attempts_started_ = 0;
    size_t current_ = 0; // the running attempt's index in plan_.attempts
    std::vector<bool> tried_;
    std::vector<bool> timed_out_; // a target that hung once is not waited on again
    std::unique_ptr<core::Timer> retry_timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
    std::vector<std::string> failures_; // per failed attempt, for the final error
    bool counted_ = false;              // the running attempt is in its backend's in_flight
    void end_attempt();
    // Attempts this request may make: the policy's, and every target once.
    size_t attempt_limit() const;
    std::unique_ptr<core::HttpCall> call_; // after exchange_: destroyed first
    Mode mode_ = Mode::kWaitingHead;
    bool wants_stream_ = false;
    bool reads_usage_ = false; // usage accounting is on: read the answers' token counts
    int upstream_status_ = 0;
    core::Headers passed_headers_;
    std::string upstream_content_type_;
    std::string body_;
    codec::SseFramer framer_;
    int64_t started_ns_ = 0;
    int64_t attempt_started_ns_ = 0;
    // x-edgeai-attempts: each attempt once, with its head's status or, when
    // none came, why (a retryable status that was retried counts as its head).
    bool attempt_noted_ = false;
    int failed_status_ = 0;
    double head_ms_ = 0; // the attempt's time to its head, for the backend's latency
};

} // namespace edgeai::gateway
