#include "gateway/proxy_task.h"

#include "codec/json/json_document.h"
#include "codec/json/json_member_rewrite.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"
#include "router/anthropic_translators.h"

#include <algorithm>

namespace edgeai::gateway {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && core::iequals(s.substr(0, prefix.size()), prefix);
}

// Upstream headers a client of an OpenAI API reads (rate limits, processing
// time), and the seed a local model (or an edgeai upstream) sampled with.
bool is_passed_through(std::string_view name) {
    if (starts_with_ci(name, "x-"))
        return starts_with_ci(name, "x-ratelimit-") || core::iequals(name, "x-edgeai-seed");
    return starts_with_ci(name, "openai-") || core::iequals(name, "retry-after");
}

// A short, printable excerpt of an upstream body for an error message.
std::string excerpt(std::string_view body) {
    constexpr size_t kMaxExcerpt = 200;
    std::string out;
    for (char c : body.substr(0, kMaxExcerpt)) {
        out.push_back((c >= 0x20 && c < 0x7f) ? c : ' ');
    }
    if (body.size() > kMaxExcerpt) out += "...";
    return out;
}

} // namespace

ProxyTask::ProxyTask(std::unique_ptr<Exchange> exchange, router::Router& router, router::Plan plan,
                     core::Executor& executor)
    : exchange_(std::move(exchange)), router_(&router), plan_(std::move(plan)),
      executor_(&executor), tried_(plan_.attempts.size(), false),
      timed_out_(plan_.attempts.size(), false) {}

ProxyTask::~ProxyTask() {
    // The call goes first so no callback can reach a half-destroyed task.
    call_.reset();
    // A client that leaves mid-attempt gives no verdict on the backend; if the
    // attempt was a half-open breaker's probe, another may go.
    if (mode_ == Mode::kWaitingHead && attempts_started_ > 0)
        router_->at(plan_.attempts[current_].backend).breaker.record_abandoned();
    end_attempt();
}

void ProxyTask::start(router::BackendRequest request, std::string requested_model) {
    wants_stream_ = request.stream;
    reads_usage_ = exchange_->shared().deps.usage != nullptr;
    started_ns_ = exchange_->shared().deps.clock->monotonic_ns();
    request_ = std::move(request);
    // A later attempt starts after handle() returned, when the client's headers
    // are gone: keep a copy, unless this request can only have one attempt.
    if (request_.client_headers != nullptr && attempt_limit() > 1) {
        client_headers_ = *request_.client_headers;
        request_.client_headers = &client_headers_;
    }
    requested_model_ = std::move(requested_model);
    if (!start_next_attempt())
        fail_all(core::Status(core::StatusCode::kUnavailable, "no backend could be tried"));
    // What the gateway decoded lives as long as handle(): later attempts decode.
    request_.decoded = nullptr;
}

bool ProxyTask::start_next_attempt() {
    const size_t n = plan_.attempts.size();
    if (n == 0) return false;
    const size_t limit = attempt_limit();
    const core::Clock& clock = *exchange_->shared().deps.clock;
    while (attempts_started_ < limit) {
        const size_t i = attempts_started_ % n;
        ++attempts_started_;
        const router::Attempt& attempt = plan_.attempts[i];
        router::RoutedBackend& routed = router_->at(attempt.backend);
        if (timed_out_[i]) continue;
        if (routed.backend == nullptr || !routed.breaker.acquire(clock.monotonic_ns())) {
            failures_.push_back(routed.settings->name + ": circuit open");
            continue;
        }
        current_ = i;
        backend_ = routed.backend;
        // The last possible attempt takes the request; earlier ones copy it.
        router::BackendRequest request =
            attempts_started_ >= limit ? std::move(request_) : request_;
        native_attempt_ = native_ != nullptr && backend_->serves_natively(native_->path);
        if (native_attempt_) {
            request.path = native_->path;
            request.body = native_->body;
            request.decoded = nullptr;
        }
        if (!requested_model_.empty() && attempt.model != requested_model_)
            if (auto body = codec::replace_top_level_string(request.body, "model", attempt.model)) {
                request.body = std::move(*body);
                request.decoded = nullptr; // it names the client's model
            }
        mode_ = Mode::kWaitingHead;
        upstream_status_ = 0;
        passed_headers_ = core::Headers();
        body_.clear();
        framer_ = codec::SseFramer();
        attempt_started_ns_ = clock.monotonic_ns();
        attempt_noted_ = false;
        ++routed.in_flight;
        counted_ = true;
        auto call = start_on_backend(std::move(request));
        if (!call.ok()) {
            end_attempt();
            router_->record_failure(attempt.backend);
            failures_.push_back(routed.settings->name + ": " + call.status().message());
            note_attempt(0, core::status_code_name(call.status().code()));
            continue;
        }
        call_ = std::move(call).value();
        exchange_->set_drain_callback([this] {
            if (call_ && mode_ == Mode::kRelayEvents) call_->resume();
        });
        return true;
    }
    return false;
}

core::Result<std::unique_ptr<core::HttpCall>>
ProxyTask::start_on_backend(router::BackendRequest request) {
    // Every backend answers as OpenAI's chat completions; a client that spoke
    // Anthropic's Messages API or the Responses API gets its answer translated
    // on the way.
    std::unique_ptr<router::ResponseTranslator> translator;
    if (native_attempt_) {
        if (native_->make_translator) translator = native_->make_translator();
    } else if (make_translator_) {
        translator = make_translator_();
    } else if (exchange_->anthropic_shaped()) {
        translator = router::make_chat_to_messages_translator();
    }
    if (!translator) return backend_->start(std::move(request), this);
    return router::start_translated(std::move(translator), this,
                                    [&](core::HttpResponseObserver* observer) {
                                        return backend_->start(std::move(request), observer);
                                    });
}

size_t ProxyTask::attempt_limit() const {
    return std::max<size_t>(router_->retry().max_attempts, plan_.attempts.size());
}

void ProxyTask::end_attempt() {
    if (!counted_) return;
    counted_ = false;
    --router_->at(plan_.attempts[current_].backend).in_flight;
}

void ProxyTask::retry_or_fail(const core::Status& failure, std::optional<int64_t> retry_after_ms) {
    end_attempt();
    const size_t backend = plan_.attempts[current_].backend;
    if (!attempt_noted_) note_attempt(failed_status_, core::status_code_name(failure.code()));
    failed_status_ = 0;
    router_->record_failure(backend);
    tried_[current_] = true;
    if (failure.code() == core::StatusCode::kDeadlineExceeded) timed_out_[current_] = true;
    failures_.push_back(router_->at(backend).settings->name + ": " + failure.message());
    mode_ = Mode::kAbandoned;
    const size_t n = plan_.attempts.size();
    if (attempts_started_ >= attempt_limit()) {
        fail_all(failure);
        return;
    }
    // A backend tried before waits out a backoff; another goes at once unless
    // the failed one asked for patience (Retry-After) and it is the only one.
    const bool again = tried_[attempts_started_ % n];
    int64_t delay = 0;
    if (again || (retry_after_ms && n == 1)) {
        const uint64_t random = static_cast<uint64_t>(attempt_started_ns_) * 0x9E3779B97F4A7C15ull;
        const auto backoff = router::backoff_delay_ms(
            router_->retry(), static_cast<uint32_t>(attempts_started_), random, retry_after_ms);
        if (!backoff) {
            fail_all(failure); // it asks for longer than we wait
            return;
        }
        delay = *backoff;
    }
    const int64_t now = exchange_->shared().deps.clock->monotonic_ns();
    if ((now - started_ns_) / 1000000 + delay > router_->retry().deadline_ms) {
        failures_.push_back("deadline of " + std::to_string(router_->retry().deadline_ms) +
                            " ms reached");
        fail_all(failure);
        return;
    }
    std::weak_ptr<bool> alive = alive_;
    auto next = [this, alive] {
        if (alive.expired()) return;
        call_.reset(); // outside the call's own callbacks
        if (!start_next_attempt())
            fail_all(core::Status(core::StatusCode::kUnavailable, "no backend could be tried"));
    };
    if (delay == 0)
        executor_->post(std::move(next));
    else
        retry_timer_ = executor_->post_after(delay, std::move(next));
}

void ProxyTask::note_attempt(int status, std::string_view error) {
    attempt_noted_ = true;
    const int64_t now = exchange_->shared().deps.clock->monotonic_ns();
    exchange_->note_attempt(router_->at(plan_.attempts[current_].backend).settings->name, status,
                            error, (now - attempt_started_ns_) / 1000000);
}

void ProxyTask::fail_all(const core::Status& failure) {
    mode_ = Mode::kDone;
    if (plan_.attempts.empty() && !plan_.unavailable.empty()) {
        exchange_->respond_error(api::service_unavailable(
            "every backend for this model has its circuit breaker open after repeated "
            "failures; try again shortly"));
        return;
    }
    std::string what = failures_.size() > 1
                           ? "all " + std::to_string(failures_.size()) + " attempts failed: "
                           : std::string();
    for (size_t i = 0; i < failures_.size(); ++i)
        what += (i ? "; " : "") + failures_[i];
    if (what.empty()) what = failure.message();
    if (failure.code() == core::StatusCode::kDeadlineExceeded)
        exchange_->respond_error(api::gateway_timeout(what));
    else
        exchange_->respond_error(api::bad_gateway(what));
}

void ProxyTask::on_head(int status, const core::Headers& headers) {
    if (mode_ == Mode::kAbandoned) return;
    Gateway::Shared& shared = exchange_->shared();
    const int64_t now = shared.deps.clock->monotonic_ns();
    double seconds = static_cast<double>(now - attempt_started_ns_) / 1e9;
    shared.upstream_first_byte->observe(seconds);
    {
        const size_t n = plan_.attempts.size();
        const bool more = attempts_started_ < attempt_limit();
        const auto retry_after = router::parse_retry_after_ms(headers.get("retry-after"),
                                                              shared.deps.clock->unix_ms() / 1000);
        // A Retry-After longer than we wait, with nobody else to ask: the
        // backend's own answer is the best one to pass on.
        const bool only_this_one = n == 1 || tried_[attempts_started_ % n];
        const bool too_long = retry_after && *retry_after > router_->retry().max_retry_after_ms;
        if (router::is_retryable_status(status) && more && !(too_long && only_this_one)) {
            failed_status_ = status;
            retry_or_fail(
                core::Status(core::StatusCode::kUnavailable, "HTTP " + std::to_string(status)),
                retry_after);
            return;
        }
        // A head is not an answer yet: success is recorded once the answer
        // is complete, so a backend that stalls or cuts after its head counts
        // as failing (its breaker opens) and a buffered answer falls back.
        const size_t backend = plan_.attempts[current_].backend;
        if (router::is_retryable_status(status)) router_->record_failure(backend);
        head_ms_ = seconds * 1000;
    }
    upstream_status_ = status;
    const router::Attempt& attempt = plan_.attempts[current_];
    // A models list or lookup names no model; it spends no tokens either.
    if (!attempt.model.empty()) exchange_->note_model(attempt.model);
    const core::BackendSettings* settings = router_->at(attempt.backend).settings;
    if (settings->price) exchange_->note_price(&*settings->price);
    exchange_->note_backend(settings->name, status);
    note_attempt(status, {});
    upstream_content_type_ = std::string(headers.get("content-type"));
    for (const core::Header& h : headers.fields()) {
        if (is_passed_through(h.name)) passed_headers_.add(h.name, h.value);
    }
    bool is_event_stream = starts_with_ci(upstream_content_type_, "text/event-stream");
    if (wants_stream_ && status == 200 && is_event_stream) {
        // Committed to the client with the first event, not the head: until
        // then a stall or a cut can still fall back to the next target.
        mode_ = Mode::kRelayEvents;
    } else {
        mode_ = Mode::kBuffer;
    }
}

void ProxyTask::commit_stream() {
    if (exchange_->streaming()) return;
    core::Headers out = std::move(passed_headers_); // not read again while relaying
    out.add("content-type", "text/event-stream; charset=utf-8");
    out.add("cache-control", "no-cache");
    exchange_->start_stream(200, std::move(out));
}

bool ProxyTask::failed_before_first_byte(const core::Status& status) {
    if (!router::is_retryable_failure(status.code())) return false;
    retry_or_fail(status, std::nullopt); // the next attempt, or the error when none is left
    return true;
}

core::BodyAction ProxyTask::on_data(std::string_view bytes) {
    if (mode_ == Mode::kAbandoned) return core::BodyAction::kPause;
    if (mode_ == Mode::kBuffer) {
        if (body_.size() + bytes.size() > kMaxBufferedBodyBytes) {
            mode_ = Mode::kDone;
            exchange_->respond_error(api::bad_gateway("upstream response is larger than " +
                                                      std::to_string(kMaxBufferedBodyBytes) +
                                                      " bytes; refusing to relay it"));
            return core::BodyAction::kPause; // the task is torn down once the response is out
        }
        body_.append(bytes);
        return core::BodyAction::kContinue;
    }
    if (mode_ != Mode::kRelayEvents) return core::BodyAction::kPause;
    std::string_view events = framer_.feed(bytes);
    if (!events.empty()) commit_stream();
    if (reads_usage_ && !events.empty())
        api::read_token_usage_in_events(events, exchange_->token_usage());
    bool more = events.empty() || exchange_->write(events);
    if (framer_.overflowed()) {
        end_stream_with_error("upstream sent an event larger than " +
                              std::to_string(framer_.max_event_bytes()) + " bytes");
        return core::BodyAction::kPause;
    }
    return more ? core::BodyAction::kContinue : core::BodyAction::kPause;
}

void ProxyTask::on_usage(int64_t prompt_tokens, int64_t completion_tokens) {
    if (mode_ == Mode::kAbandoned) return;
    api::TokenUsage& usage = exchange_->token_usage();
    usage.prompt_tokens = prompt_tokens;
    usage.completion_tokens = completion_tokens;
    usage.found = true;
}

void ProxyTask::end_stream_with_error(std::string_view message) {
    mode_ = Mode::kDone;
    exchange_->mark_broken();
    exchange_->write(exchange_->stream_error_event(message));
    exchange_->end_stream();
}

void ProxyTask::on_complete(const core::Status& status) {
    Mode mode = mode_;
    if (mode == Mode::kAbandoned) return;
    // The attempt is over (a retry, if any, ends it in retry_or_fail).
    end_attempt();
    mode_ = Mode::kDone;
    if (!status.ok()) count_outcome(core::status_code_name(status.code()));
    switch (mode) {
    case Mode::kWaitingHead:
        if (router::is_retryable_failure(status.code())) {
            retry_or_fail(status, std::nullopt);
            return;
        }
        respond_failure(status);
        return;
    case Mode::kRelayEvents: {
        const bool committed = exchange_->streaming();
        if (!status.ok() && !committed && failed_before_first_byte(status)) return;
        const size_t backend = plan_.attempts[current_].backend;
        if (!status.ok() || !framer_.at_boundary()) router_->record_failure(backend);
        if (!committed && !status.ok()) {
            respond_failure(status);
        } else if (!status.ok()) {
            end_stream_with_error("upstream stream ended early: " + status.message());
        } else if (!framer_.at_boundary()) {
            count_outcome("invalid_response");
            commit_stream();
            end_stream_with_error("upstream stream ended in the middle of an event");
        } else {
            router_->record_success(backend, head_ms_);
            count_outcome("ok");
            commit_stream();
            exchange_->end_stream();
        }
        return;
    }
    case Mode::kBuffer:
        // Nothing has reached the client: a stall or a cut after the head is
        // a failure like one before it.
        if (!status.ok()) {
            if (failed_before_first_byte(status)) return;
            router_->record_failure(plan_.attempts[current_].backend);
            respond_failure(status);
        } else {
            respond_buffered();
        }
        return;
    case Mode::kDone:
    case Mode::kAbandoned:
        return;
    }
}

void ProxyTask::count_outcome(std::string_view outcome) {
    exchange_->shared().upstream_requests_total(backend_->name(), outcome).add();
}

void ProxyTask::respond_buffered() {
    core::HttpResponse r;
    r.headers = std::move(passed_headers_); // the last use: the answer ends here
    r.headers.add("content-type", "application/json");
    if (upstream_status_ >= 200 && upstream_status_ < 300) {
        if (!codec::is_valid_json(body_)) {
            count_outcome("invalid_response");
            // A broken backend, and nothing has reached the client yet.
            if (attempts_started_ < attempt_limit()) {
                retry_or_fail(core::Status(core::StatusCode::kDataLoss,
                                           "answered HTTP " + std::to_string(upstream_status_) +
                                               " with a body that is not JSON: " + excerpt(body_)),
                              std::nullopt);
                return;
            }
            exchange_->respond_error(
                api::bad_gateway("upstream answered HTTP " + std::to_string(upstream_status_) +
                                 " with a body that is not JSON: " + excerpt(body_)));
            return;
        }
        count_outcome("ok");
        router_->record_success(plan_.attempts[current_].backend, head_ms_);
        if (reads_usage_) api::read_token_usage(body_, exchange_->token_usage());
        r.status = upstream_status_;
        r.body = std::move(body_);
        exchange_->respond(std::move(r));
        return;
    }
    if (upstream_status_ >= 400 && upstream_status_ <= 599) {
        count_outcome(upstream_status_ >= 500 ? "http_5xx" : "http_4xx");
        // The backend answered (a retryable status was counted at its head).
        if (!router::is_retryable_status(upstream_status_))
            router_->record_success(plan_.attempts[current_].backend, head_ms_);
        // Passed on with the upstream's status so SDKs raise the matching error.
        r.status = upstream_status_;
        if (exchange_->is_error_body(body_)) {
            r.body = std::move(body_);
        } else {
            r.body = exchange_->render_error(api::upstream_error(
                upstream_status_, "upstream answered HTTP " + std::to_string(upstream_status_) +
                                      (body_.empty() ? std::string() : ": " + excerpt(body_))));
        }
        exchange_->respond(std::move(r));
        return;
    }
    count_outcome("invalid_response");
    exchange_->respond_error(api::bad_gateway("upstream answered with unexpected HTTP status " +
                                              std::to_string(upstream_status_)));
}

void ProxyTask::respond_failure(const core::Status& status) {
    std::string what = "upstream " + std::string(backend_->name()) + ": " + status.message();
    switch (status.code()) {
    case core::StatusCode::kDeadlineExceeded:
        exchange_->respond_error(api::gateway_timeout(what));
        return;
    case core::StatusCode::kCancelled:
        return;
    case core::StatusCode::kUnavailable:
    case core::StatusCode::kDataLoss:
        exchange_->respond_error(api::bad_gateway(what));
        return;
    default:
        exchange_->respond_error(api::api_error_from_status(status));
        return;
    }
}

} // namespace edgeai::gateway
