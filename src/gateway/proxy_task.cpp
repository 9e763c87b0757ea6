#include "gateway/proxy_task.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"

namespace edgeai::gateway {

namespace {

bool starts_with_ci(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && core::iequals(s.substr(0, prefix.size()), prefix);
}

// Upstream headers a client of an OpenAI API reads (rate limits, processing time).
bool is_passed_through(std::string_view name) {
    return starts_with_ci(name, "x-ratelimit-") || starts_with_ci(name, "openai-") ||
           core::iequals(name, "retry-after");
}

std::string stream_error_event(std::string_view message) {
    codec::JsonWriter w;
    w.begin_object().key("error").begin_object();
    w.field("message", message);
    w.field("type", "server_error");
    w.key("param").null();
    w.field("code", "upstream_stream_interrupted");
    w.end_object().end_object();
    std::string out;
    codec::append_sse_event(out, "", w.str());
    return out;
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

ProxyTask::ProxyTask(std::unique_ptr<Exchange> exchange, router::Backend& backend)
    : exchange_(std::move(exchange)), backend_(backend) {}

ProxyTask::~ProxyTask() {
    // The call goes first so no callback can reach a half-destroyed task.
    call_.reset();
}

void ProxyTask::start(router::BackendRequest request) {
    wants_stream_ = request.stream;
    started_ns_ = exchange_->shared().deps.clock->monotonic_ns();
    auto call = backend_.start(std::move(request), this);
    if (!call.ok()) {
        mode_ = Mode::kDone;
        respond_failure(call.status());
        return;
    }
    call_ = std::move(call).value();
    exchange_->set_drain_callback([this] {
        if (call_ && mode_ == Mode::kRelayEvents) call_->resume();
    });
}

void ProxyTask::on_head(int status, const core::Headers& headers) {
    Gateway::Shared& shared = exchange_->shared();
    double seconds = static_cast<double>(shared.deps.clock->monotonic_ns() - started_ns_) / 1e9;
    shared.upstream_first_byte->observe(seconds);
    upstream_status_ = status;
    exchange_->note_backend(backend_.name(), status);
    upstream_content_type_ = std::string(headers.get("content-type"));
    for (const core::Header& h : headers.fields()) {
        if (is_passed_through(h.name)) passed_headers_.add(h.name, h.value);
    }
    bool is_event_stream = starts_with_ci(upstream_content_type_, "text/event-stream");
    if (wants_stream_ && status == 200 && is_event_stream) {
        mode_ = Mode::kRelayEvents;
        core::Headers out = passed_headers_;
        out.add("content-type", "text/event-stream; charset=utf-8");
        out.add("cache-control", "no-cache");
        exchange_->start_stream(200, std::move(out));
    } else {
        mode_ = Mode::kBuffer;
    }
}

core::BodyAction ProxyTask::on_data(std::string_view bytes) {
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
    bool more = events.empty() || exchange_->write(events);
    if (framer_.overflowed()) {
        end_stream_with_error("upstream sent an event larger than " +
                              std::to_string(framer_.max_event_bytes()) + " bytes");
        return core::BodyAction::kPause;
    }
    return more ? core::BodyAction::kContinue : core::BodyAction::kPause;
}

void ProxyTask::end_stream_with_error(std::string_view message) {
    mode_ = Mode::kDone;
    exchange_->write(stream_error_event(message));
    exchange_->end_stream();
}

void ProxyTask::on_complete(const core::Status& status) {
    Mode mode = mode_;
    mode_ = Mode::kDone;
    if (!status.ok()) count_outcome(core::status_code_name(status.code()));
    switch (mode) {
    case Mode::kWaitingHead:
        respond_failure(status);
        return;
    case Mode::kRelayEvents:
        if (!status.ok()) {
            end_stream_with_error("upstream stream ended early: " + status.message());
        } else if (!framer_.at_boundary()) {
            count_outcome("invalid_response");
            end_stream_with_error("upstream stream ended in the middle of an event");
        } else {
            count_outcome("ok");
            exchange_->end_stream();
        }
        return;
    case Mode::kBuffer:
        if (!status.ok()) {
            respond_failure(status);
        } else {
            respond_buffered();
        }
        return;
    case Mode::kDone:
        return;
    }
}

void ProxyTask::count_outcome(std::string_view outcome) {
    exchange_->shared().upstream_requests_total(backend_.name(), outcome).add();
}

void ProxyTask::respond_buffered() {
    core::HttpResponse r;
    r.headers = passed_headers_;
    r.headers.add("content-type", "application/json");
    if (upstream_status_ >= 200 && upstream_status_ < 300) {
        if (!codec::is_valid_json(body_)) {
            count_outcome("invalid_response");
            exchange_->respond_error(
                api::bad_gateway("upstream answered HTTP " + std::to_string(upstream_status_) +
                                 " with a body that is not JSON: " + excerpt(body_)));
            return;
        }
        count_outcome("ok");
        r.status = upstream_status_;
        r.body = std::move(body_);
        exchange_->respond(std::move(r));
        return;
    }
    if (upstream_status_ >= 400 && upstream_status_ <= 599) {
        count_outcome(upstream_status_ >= 500 ? "http_5xx" : "http_4xx");
        // Passed on with the upstream's status so SDKs raise the matching error.
        r.status = upstream_status_;
        if (api::is_openai_error_body(body_)) {
            r.body = std::move(body_);
        } else {
            api::ApiError e;
            e.http_status = upstream_status_;
            e.type = upstream_status_ >= 500 ? "server_error" : "invalid_request_error";
            e.code = "upstream_error";
            e.message = "upstream answered HTTP " + std::to_string(upstream_status_) +
                        (body_.empty() ? std::string() : ": " + excerpt(body_));
            r.body = api::render_api_error(e);
        }
        exchange_->respond(std::move(r));
        return;
    }
    count_outcome("invalid_response");
    exchange_->respond_error(api::bad_gateway("upstream answered with unexpected HTTP status " +
                                              std::to_string(upstream_status_)));
}

void ProxyTask::respond_failure(const core::Status& status) {
    std::string what = "upstream " + std::string(backend_.name()) + ": " + status.message();
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
