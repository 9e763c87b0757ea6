#include "gateway/exchange.h"

namespace edgeai::gateway {

namespace {

// Status recorded for a request whose client left before the response was over
// (nginx's convention; no client ever sees it).
constexpr int kClientClosedRequest = 499;

} // namespace

telemetry::Counter& Gateway::Shared::requests_total(api::Endpoint endpoint, int status) {
    uint32_t key = static_cast<uint32_t>(endpoint) * 1000u + static_cast<uint32_t>(status % 1000);
    telemetry::Counter*& slot = requests_total_[key];
    if (slot == nullptr) {
        std::string status_text = std::to_string(status);
        slot = &deps.metrics->counter(
            "edgeai_http_requests_total", "HTTP requests by route and status",
            {{"route", api::endpoint_name(endpoint)}, {"status", status_text}});
    }
    return *slot;
}

telemetry::Histogram& Gateway::Shared::request_duration(api::Endpoint endpoint) {
    telemetry::Histogram*& slot = request_duration_[static_cast<uint32_t>(endpoint)];
    if (slot == nullptr) {
        slot = &deps.metrics->histogram("edgeai_http_request_duration_seconds",
                                        "Time from request to the end of its response, by route",
                                        {{"route", api::endpoint_name(endpoint)}},
                                        telemetry::latency_buckets_seconds());
    }
    return *slot;
}

telemetry::Counter& Gateway::Shared::upstream_requests_total(std::string_view backend,
                                                             std::string_view outcome) {
    auto key = std::make_pair(std::string(backend), outcome);
    auto it = upstream_requests_total_.find(key);
    if (it == upstream_requests_total_.end()) {
        telemetry::Counter* counter = &deps.metrics->counter(
            "edgeai_upstream_requests_total", "Upstream calls by backend and outcome",
            {{"backend", backend}, {"outcome", outcome}});
        it = upstream_requests_total_.emplace(std::move(key), counter).first;
    }
    return *it->second;
}

Exchange::Exchange(Gateway::Shared& shared, ResponseWriter* writer,
                   const core::HttpRequest& request, api::Endpoint endpoint)
    : shared_(shared), writer_(writer), endpoint_(endpoint), method_(request.method),
      path_(request.path()), request_id_(request.request_id),
      origin_(request.headers.get("origin")), started_ns_(shared.deps.clock->monotonic_ns()) {
    shared_.in_flight->add(1);
}

Exchange::~Exchange() {
    if (!done_) finish(kClientClosedRequest);
}

void Exchange::decorate(core::Headers& headers) const {
    headers.set("x-request-id", request_id_);
    // Which backend answered (after fallback, the one whose answer this is).
    if (!backend_.empty()) headers.set("x-edgeai-backend", backend_);
    const auto& origins = shared_.deps.settings->server.cors.allow_origins;
    if (origin_.empty() || origins.empty()) return;
    for (const std::string& allowed : origins) {
        if (allowed == "*" || allowed == origin_) {
            headers.set("access-control-allow-origin", allowed == "*" ? "*" : origin_);
            headers.set("vary", "origin");
            headers.set("access-control-expose-headers", "x-request-id, x-edgeai-backend");
            return;
        }
    }
}

void Exchange::respond(core::HttpResponse response) {
    if (done_) return;
    decorate(response.headers);
    int status = response.status;
    bytes_out_ += response.body.size();
    writer_->send(std::move(response));
    finish(status);
}

void Exchange::respond_error(const api::ApiError& error) {
    respond(api::api_error_response(error));
}

void Exchange::start_stream(int status, core::Headers headers) {
    if (done_ || streaming_) return;
    decorate(headers);
    status_ = status;
    streaming_ = true;
    writer_->start_stream(status, std::move(headers));
}

bool Exchange::write(std::string_view bytes) {
    if (done_ || !streaming_) return true;
    bytes_out_ += bytes.size();
    return writer_->write(bytes);
}

void Exchange::end_stream() {
    if (done_ || !streaming_) return;
    writer_->end_stream();
    finish(status_);
}

void Exchange::finish(int status) {
    done_ = true;
    shared_.in_flight->add(-1);
    const GatewayDeps& deps = shared_.deps;
    int64_t elapsed_ns = deps.clock->monotonic_ns() - started_ns_;
    double seconds = static_cast<double>(elapsed_ns) / 1e9;
    shared_.requests_total(endpoint_, status).add();
    shared_.request_duration(endpoint_).observe(seconds);
    if (deps.settings->log.requests && deps.logger->enabled(core::LogLevel::kInfo)) {
        deps.logger->info("request", {{"request_id", request_id_},
                                      {"method", method_},
                                      {"path", path_},
                                      {"status", status},
                                      {"duration_ms", static_cast<double>(elapsed_ns) / 1e6},
                                      {"bytes_out", static_cast<int64_t>(bytes_out_)},
                                      {"backend", backend_},
                                      {"backend_status", backend_status_}});
    }
}

} // namespace edgeai::gateway
