#include "gateway/exchange.h"

#include "api/anthropic/anthropic_responses.h"
#include "codec/json/json_writer.h"
#include "codec/sse/sse_parser.h"
#include "telemetry/logger.h"

#include <algorithm>

namespace edgeai::gateway {

namespace {

// Status recorded for a request whose client left before the response was over
// (nginx's convention; no client ever sees it).
constexpr int kClientClosedRequest = 499;
// With audit.include_bodies, a streamed answer is kept up to this much.
constexpr size_t kMaxAuditedBodyBytes = size_t{1} << 20;

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

void Gateway::Shared::register_metrics() {
    telemetry::MetricsRegistry& m = *deps.metrics;
    in_flight = &m.gauge("edgeai_http_requests_in_flight", "Requests being served now");
    upstream_first_byte = &m.histogram("edgeai_upstream_first_byte_seconds",
                                       "Time from sending to an upstream until its response head",
                                       {}, telemetry::latency_buckets_seconds());
    cache_hits =
        &m.counter("edgeai_cache_requests_total",
                   "Cacheable requests by whether the cache answered", {{"result", "hit"}});
    cache_misses =
        &m.counter("edgeai_cache_requests_total",
                   "Cacheable requests by whether the cache answered", {{"result", "miss"}});
    if (ResponseCache* cache = deps.cache) {
        m.gauge_callback("edgeai_cache_entries", "Answers in the response cache",
                         [cache] { return static_cast<double>(cache->entries()); });
        m.gauge_callback("edgeai_cache_bytes", "Memory the response cache's answers take",
                         [cache] { return static_cast<double>(cache->bytes()); });
    }
    router::Router* r = deps.router;
    const core::Clock* clock = deps.clock;
    m.gauge_callback("edgeai_uplink_online",
                     "1 while a remote backend accepts connections, 0 while the uplink is down",
                     [r] { return r->offline() ? 0.0 : 1.0; });
    for (size_t i = 0; i < r->size(); ++i) {
        const std::string& name = r->at(i).settings->name;
        m.gauge_callback(
            "edgeai_backend_circuit_state",
            "A backend's circuit breaker: 0 closed, 1 half-open (a probe may go), 2 open",
            [r, i, clock] {
                switch (r->at(i).breaker.state(clock->monotonic_ns())) {
                case router::CircuitBreaker::State::kClosed:
                    return 0.0;
                case router::CircuitBreaker::State::kHalfOpen:
                    return 1.0;
                case router::CircuitBreaker::State::kOpen:
                    return 2.0;
                }
                return 0.0;
            },
            {{"backend", name}});
        m.gauge_callback("edgeai_backend_first_byte_seconds_average",
                         "Moving average of a backend's time to first byte (least-latency routing)",
                         [r, i] { return std::max(0.0, r->at(i).first_byte_ms.value()) / 1000; },
                         {{"backend", name}});
    }
}

Exchange::Exchange(Gateway::Shared& shared, ResponseWriter* writer,
                   const core::HttpRequest& request, api::Endpoint endpoint)
    : shared_(shared), writer_(writer), endpoint_(endpoint), method_(request.method),
      path_(request.path()), request_id_(request.request_id),
      origin_(request.headers.get("origin")), started_ns_(shared.deps.clock->monotonic_ns()),
      peer_(request.peer), arrived_unix_ms_(shared.deps.clock->unix_ms()) {
    shared_.in_flight->add(1);
    if (path_.size() > 4 && path_.compare(0, 4, "/v1/") == 0)
        msgpack_out_ = api::accepted_msgpack_type(request.headers.get("accept"));
    internal_ = request.internal;
    if (!internal_) {
        live_next_ = shared_.live;
        if (live_next_ != nullptr) live_next_->live_prev_ = this;
        shared_.live = this;
        listed_ = true;
    }
}

void Exchange::note_attempt(std::string_view backend, int status, std::string_view error,
                            int64_t elapsed_ms) {
    ++attempt_count_;
    if (!attempts_.empty()) attempts_ += ", ";
    attempts_.append(backend);
    if (status > 0)
        attempts_ += ";status=" + std::to_string(status);
    else
        attempts_ += ";error=" + std::string(error);
    attempts_ += ";ms=" + std::to_string(elapsed_ms);
    if (status > 0 && status < 500 && status != 429) return;
    if (telemetry::Logger* log = shared_.deps.logger) {
        log->info("attempt failed", {{"request_id", request_id_},
                                     {"attempt", static_cast<int64_t>(attempt_count_)},
                                     {"backend", std::string(backend)},
                                     {"status", static_cast<int64_t>(status)},
                                     {"error", std::string(error)},
                                     {"ms", elapsed_ms}});
    }
}

void Exchange::note_request_body(const std::string& body) {
    bytes_in_ = body.size();
    if (shared_.deps.audit != nullptr && shared_.deps.settings->audit.include_bodies)
        request_body_ = body;
}

Exchange::~Exchange() {
    if (!done_) finish(kClientClosedRequest);
}

void Exchange::decorate(core::Headers& headers) const {
    headers.set("x-request-id", request_id_);
    if (cache_hit_)
        headers.set("x-edgeai-cache", "hit");
    else if (cache_ != nullptr)
        headers.set("x-edgeai-cache", "miss");
    // Which backend answered (after fallback, the one whose answer this is),
    // and every attempt it took to get there.
    if (!backend_.empty()) headers.set("x-edgeai-backend", backend_);
    if (!attempts_.empty()) headers.set("x-edgeai-attempts", attempts_);
    if (caller_.has_rate) {
        // The key's limits replace whatever an upstream said of its own
        // (ProxyTask passes those through): one pass removes them, then adds.
        const security::RateView& v = caller_.rate;
        headers.remove_prefixed("x-ratelimit-");
        if (v.limit_requests > 0) {
            headers.add("x-ratelimit-limit-requests", std::to_string(v.limit_requests));
            headers.add("x-ratelimit-remaining-requests", std::to_string(v.remaining_requests));
            headers.add("x-ratelimit-reset-requests", security::format_reset(v.reset_requests_ms));
        }
        if (v.limit_tokens > 0) {
            headers.add("x-ratelimit-limit-tokens", std::to_string(v.limit_tokens));
            headers.add("x-ratelimit-remaining-tokens", std::to_string(v.remaining_tokens));
            headers.add("x-ratelimit-reset-tokens", security::format_reset(v.reset_tokens_ms));
        }
    }
    const auto& origins = shared_.deps.settings->server.cors.allow_origins;
    if (origin_.empty() || origins.empty()) return;
    for (const std::string& allowed : origins) {
        if (allowed == "*" || allowed == origin_) {
            headers.set("access-control-allow-origin", allowed == "*" ? "*" : origin_);
            headers.set("vary", "origin");
            headers.set("access-control-expose-headers",
                        "x-request-id, x-edgeai-backend, x-edgeai-cache");
            return;
        }
    }
}

void Exchange::respond(core::HttpResponse response) {
    if (done_) return;
    // However the list was made (upstream, local engine, routes), a key
    // limited to some models sees only those.
    const bool model_list = endpoint_ == api::Endpoint::kModels ||
                            endpoint_ == api::Endpoint::kOllamaTags ||
                            endpoint_ == api::Endpoint::kOllamaPs;
    if (model_list && response.status == 200) {
        if (auto visible = models_visible_to(caller_, response.body))
            response.body = std::move(*visible);
    }
    if (ollama_shaped() && response.status == 200) to_ollama_models(response);
    decorate(response.headers);
    int status = response.status;
    if (cache_ != nullptr && status >= 200 && status < 300) keep_in_cache(response.body, false);
    bytes_out_ += response.body.size();
    if (shared_.deps.audit != nullptr && shared_.deps.settings->audit.include_bodies)
        response_body_ = response.body;
    if (!msgpack_out_.empty()) to_msgpack(response);
    writer_->send(std::move(response));
    finish(status);
}

void Exchange::to_ollama_models(core::HttpResponse& response) const {
    const std::string now = telemetry::format_utc_timestamp(shared_.deps.clock->unix_ms());
    core::Result<std::string> converted = std::string();
    if (endpoint_ == api::Endpoint::kOllamaShow) {
        converted = api::ollama::model_to_show(response.body, now);
    } else if (endpoint_ == api::Endpoint::kOllamaTags || endpoint_ == api::Endpoint::kOllamaPs) {
        converted =
            api::ollama::models_to_tags(response.body, now, endpoint_ == api::Endpoint::kOllamaPs,
                                        telemetry::format_utc_timestamp);
    } else {
        return;
    }
    if (converted.ok()) {
        response.body = std::move(converted).value();
    } else {
        response.status = 502;
        response.body = api::ollama::error_body("the backend's model list could not be read: " +
                                                converted.status().message());
    }
}

void Exchange::to_msgpack(core::HttpResponse& response) const {
    std::string_view type = response.headers.get("content-type");
    type = type.substr(0, type.find(';'));
    if (!core::iequals(type, "application/json")) return; // files, metrics: as they are
    auto packed = api::json_answer_to_msgpack(response.body);
    if (!packed.ok()) return; // not JSON after all: passed on as it came
    response.body = std::move(*packed);
    response.headers.set("content-type", std::string(msgpack_out_));
}

void Exchange::respond_error(const api::ApiError& error) {
    core::HttpResponse r = api::api_error_response(error);
    if (anthropic_shaped() || ollama_shaped()) r.body = render_error(error);
    respond(std::move(r));
}

std::string Exchange::render_error(const api::ApiError& error) const {
    if (ollama_shaped()) return api::ollama::error_body(error.message);
    if (!anthropic_shaped()) return api::render_api_error(error);
    return api::anthropic::render_error(api::anthropic::error_type_for_status(error.http_status),
                                        error.message);
}

std::string Exchange::stream_error_event(std::string_view message, std::string_view code) const {
    if (anthropic_shaped()) return api::anthropic::error_event("api_error", message);
    std::string out;
    if (ollama_shaped()) {
        codec::append_sse_event(out, "", api::ollama::error_body(message));
        return out;
    }
    codec::JsonWriter w;
    if (endpoint_ == api::Endpoint::kResponses) {
        // The Responses stream's own error event (no sequence number: the
        // translation that numbered the events is not the one speaking).
        w.begin_object().field("type", "error").field("code", code);
        w.field("message", message).key("param").null().end_object();
        codec::append_sse_event(out, "error", w.str());
        return out;
    }
    w.begin_object().key("error").begin_object();
    w.field("message", message);
    w.field("type", "server_error");
    w.key("param").null();
    w.field("code", code);
    w.end_object().end_object();
    codec::append_sse_event(out, "", w.str());
    return out;
}

bool Exchange::is_error_body(std::string_view body) const {
    if (ollama_shaped()) return api::ollama::is_error_body(body);
    return anthropic_shaped() ? api::anthropic::is_anthropic_error_body(body)
                              : api::is_openai_error_body(body);
}

void Exchange::start_stream(int status, core::Headers headers) {
    if (done_ || streaming_) return;
    decorate(headers);
    const bool events =
        headers.get("content-type").substr(0, 17) == std::string_view("text/event-stream");
    if (ollama_shaped() && events) {
        // Ollama's clients read one JSON object per line.
        headers.set("content-type", "application/x-ndjson");
        ndjson_stream_ = std::make_unique<api::ollama::NdjsonStream>();
    } else if (!msgpack_out_.empty() && events) {
        // Events as MessagePack maps, one after another, instead of SSE.
        headers.set("content-type", std::string(msgpack_out_));
        msgpack_stream_ = std::make_unique<api::MsgpackStream>();
    }
    status_ = status;
    streaming_ = true;
    writer_->start_stream(status, std::move(headers));
}

bool Exchange::write(std::string_view bytes) {
    if (done_ || !streaming_) return true;
    bytes_out_ += bytes.size();
    if (shared_.deps.audit != nullptr && shared_.deps.settings->audit.include_bodies &&
        response_body_.size() < kMaxAuditedBodyBytes)
        response_body_.append(bytes.substr(0, kMaxAuditedBodyBytes - response_body_.size()));
    if (cache_ != nullptr && !broken_) {
        if (captured_.size() + bytes.size() > cache_->max_entry_bytes())
            broken_ = true; // too large to keep; stop copying
        else
            captured_.append(bytes);
    }
    if (ndjson_stream_) {
        const std::string lines = ndjson_stream_->feed(bytes);
        return lines.empty() || writer_->write(lines);
    }
    if (msgpack_stream_) {
        const std::string packed = msgpack_stream_->feed(bytes);
        return packed.empty() || writer_->write(packed);
    }
    return writer_->write(bytes);
}

void Exchange::end_stream() {
    if (done_ || !streaming_) return;
    if (cache_ != nullptr && !broken_ && status_ == 200 && stream_completed(captured_, endpoint_))
        keep_in_cache(std::move(captured_), true);
    writer_->end_stream();
    finish(status_);
}

void Exchange::unlist() {
    if (!listed_) return;
    listed_ = false;
    if (live_prev_ != nullptr)
        live_prev_->live_next_ = live_next_;
    else
        shared_.live = live_next_;
    if (live_next_ != nullptr) live_next_->live_prev_ = live_prev_;
    live_prev_ = live_next_ = nullptr;
}

void Exchange::end_for_shutdown() {
    if (done_) return;
    shared_.deps.logger->warn(
        "request ended by the server at shutdown",
        {{"request_id", request_id_}, {"path", path_}, {"streaming", streaming_}});
    if (!streaming_) {
        respond_error(api::api_error_from_status(api::shutting_down()));
        return;
    }
    broken_ = true; // not an answer to keep
    const std::string event = stream_error_event(
        "The server is shutting down and ended this stream before it was complete",
        "server_shutting_down");
    write(event);
    end_stream();
}

void Exchange::finish(int status) {
    done_ = true;
    unlist();
    shared_.in_flight->add(-1);
    const GatewayDeps& deps = shared_.deps;
    int64_t elapsed_ns = deps.clock->monotonic_ns() - started_ns_;
    double seconds = static_cast<double>(elapsed_ns) / 1e9;
    shared_.requests_total(endpoint_, status).add();
    shared_.request_duration(endpoint_).observe(seconds);
    const Spent used = spent(status);
    if (deps.usage != nullptr) record_usage(status, deps.clock->unix_ms(), used);
    if (deps.access != nullptr)
        deps.access->finish(caller_, used.prompt_tokens + used.completion_tokens, used.cost);
    if (deps.settings->log.requests && deps.logger->enabled(core::LogLevel::kInfo)) {
        // Completion tokens over the whole request, prompt time included: what
        // a client sees, and comparable between local and remote backends.
        const double tokens_per_second = used.completion_tokens > 0 && seconds > 0
                                             ? static_cast<double>(used.completion_tokens) / seconds
                                             : 0.0;
        deps.logger->info("request", {{"request_id", request_id_},
                                      {"method", method_},
                                      {"path", path_},
                                      {"status", status},
                                      {"duration_ms", static_cast<double>(elapsed_ns) / 1e6},
                                      {"bytes_out", static_cast<int64_t>(bytes_out_)},
                                      {"model", model_},
                                      {"backend", backend_},
                                      {"backend_status", backend_status_},
                                      {"prompt_tokens", used.prompt_tokens},
                                      {"completion_tokens", used.completion_tokens},
                                      {"tokens_per_second", tokens_per_second}});
    }
    // Last: the audit record takes the exchange's strings.
    if (deps.audit != nullptr) record_audit(status, elapsed_ns, used);
}

bool stream_completed(std::string_view events, api::Endpoint endpoint) {
    // A stream a translation ended with an error event has no end marker.
    if (endpoint == api::Endpoint::kMessages)
        return events.find("event: message_stop") != std::string_view::npos;
    if (api::is_ollama(endpoint)) return events.find("\"done\":true") != std::string_view::npos;
    if (endpoint == api::Endpoint::kResponses) {
        return events.find("event: response.completed") != std::string_view::npos ||
               events.find("event: response.incomplete") != std::string_view::npos;
    }
    while (!events.empty() && (events.back() == '\n' || events.back() == '\r'))
        events.remove_suffix(1);
    constexpr std::string_view kDone = "data: [DONE]";
    return events.size() >= kDone.size() && events.substr(events.size() - kDone.size()) == kDone;
}

void Exchange::cache_answer_as(ResponseCache* cache, std::string key) {
    cache_ = cache;
    cache_key_ = std::move(key);
    shared_.cache_misses->add();
}

void Exchange::keep_in_cache(std::string body, bool stream) {
    CachedAnswer answer;
    answer.stream = stream;
    answer.body = std::move(body);
    answer.backend = backend_;
    answer.model = model_;
    answer.prompt_tokens = token_usage_.prompt_tokens;
    answer.completion_tokens = token_usage_.completion_tokens;
    answer.stored_unix_ms = shared_.deps.clock->unix_ms();
    cache_->insert(std::move(cache_key_), std::move(answer));
    cache_ = nullptr; // once
}

void Exchange::respond_cached(const CachedAnswer& answer) {
    shared_.cache_hits->add();
    cache_hit_ = true;
    backend_ = "cache";
    model_ = answer.model;
    token_usage_.prompt_tokens = answer.prompt_tokens;
    token_usage_.completion_tokens = answer.completion_tokens;
    token_usage_.found = true;
    core::Headers headers;
    if (answer.stream) {
        headers.add("content-type", "text/event-stream; charset=utf-8");
        headers.add("cache-control", "no-cache");
        start_stream(200, std::move(headers));
        write(answer.body);
        end_stream();
        return;
    }
    core::HttpResponse r;
    r.headers.add("content-type", "application/json");
    r.body = answer.body;
    respond(std::move(r));
}

namespace {

// The routes whose requests spend tokens (and get a usage row).
bool counts_tokens(api::Endpoint endpoint) {
    switch (endpoint) {
    case api::Endpoint::kChatCompletions:
    case api::Endpoint::kCompletions:
    case api::Endpoint::kEmbeddings:
    case api::Endpoint::kMessages:
    case api::Endpoint::kResponses:
    case api::Endpoint::kOllamaChat:
    case api::Endpoint::kOllamaGenerate:
    case api::Endpoint::kOllamaEmbed:
        return true;
    default:
        return false;
    }
}

} // namespace

Exchange::Spent Exchange::spent(int status) const {
    Spent out;
    if (!counts_tokens(endpoint_)) return out;
    const bool answered = status >= 200 && status < 300;
    if (token_usage_.found) {
        out.prompt_tokens = token_usage_.prompt_tokens;
        out.completion_tokens = token_usage_.completion_tokens;
    } else if (answered && status != 202) {
        // No count from the backend (a stream without a usage chunk): about
        // four bytes of JSON per token, marked as an estimate.
        out.estimated = true;
        out.prompt_tokens = static_cast<int64_t>(bytes_in_ / 4);
        out.completion_tokens =
            endpoint_ == api::Endpoint::kEmbeddings || endpoint_ == api::Endpoint::kOllamaEmbed
                ? 0
                : static_cast<int64_t>(bytes_out_ / 4);
    }
    if (price_ != nullptr) {
        out.cost = (static_cast<double>(out.prompt_tokens) * price_->input_per_mtok +
                    static_cast<double>(out.completion_tokens) * price_->output_per_mtok) /
                   1e6;
    }
    return out;
}

void Exchange::record_usage(int status, int64_t now_ms, const Spent& used) {
    if (!counts_tokens(endpoint_)) return;
    router::UsageRecord r;
    r.unix_ms = now_ms;
    r.request_id = request_id_;
    if (caller_.key != nullptr) r.key_id = caller_.key->id;
    r.endpoint = std::string(api::endpoint_name(endpoint_));
    r.backend = backend_;
    r.model = model_;
    r.status = status;
    r.prompt_tokens = used.prompt_tokens;
    r.completion_tokens = used.completion_tokens;
    r.estimated = used.estimated;
    r.cost = used.cost;
    shared_.deps.usage->record(std::move(r));
}

void Exchange::record_audit(int status, int64_t elapsed_ns, const Spent& used) {
    // The exchange is over (finish() runs once and calls this last), so its
    // strings move into the record rather than being copied.
    security::AuditRecord r;
    r.unix_ms = arrived_unix_ms_;
    r.request_id = std::move(request_id_);
    if (caller_.key != nullptr) r.key_id = caller_.key->id;
    r.client = std::move(peer_);
    r.method = std::move(method_);
    r.path = std::move(path_);
    r.model = std::move(model_);
    r.backend = std::move(backend_);
    r.prompt_tokens = used.prompt_tokens;
    r.completion_tokens = used.completion_tokens;
    r.cost = used.cost;
    r.status = status;
    r.latency_ms = elapsed_ns / 1000000;
    r.request_body = std::move(request_body_);
    r.response_body = std::move(response_body_);
    shared_.deps.audit->record(std::move(r));
}

} // namespace edgeai::gateway
