#include "gateway/gateway.h"

#include "api/anthropic/anthropic_requests.h"
#include "api/api_error.h"
#include "api/openai_requests.h"
#include "api/routes.h"
#include "codec/json/json_writer.h"
#include "core/duration.h"
#include "gateway/access_control.h"
#include "gateway/api_responses.h"
#include "gateway/batch_api.h"
#include "gateway/exchange.h"
#include "gateway/jobs_api.h"
#include "gateway/keys_api.h"
#include "gateway/proxy_task.h"
#include "gateway/response_cache.h"
#include "gateway/static_files.h"

#include <algorithm>

namespace edgeai::gateway {

namespace {

// Request ids from clients are echoed into headers and logs: keep them short
// and free of anything that could split a header or a log line.
constexpr size_t kMaxRequestIdLength = 128;

bool is_json_content_type(std::string_view content_type) {
    std::string_view media = content_type.substr(0, content_type.find(';'));
    while (!media.empty() && media.back() == ' ')
        media.remove_suffix(1);
    return core::iequals(media, "application/json");
}

std::string percent_encode_segment(std::string_view s) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (char c : s) {
        bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                          c == ':';
        if (unreserved) {
            out.push_back(c);
        } else {
            auto b = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(kHex[b >> 4]);
            out.push_back(kHex[b & 0xF]);
        }
    }
    return out;
}

std::string local_model_list(const router::LocalBackend& local) {
    std::string out;
    for (const auto& m : local.models())
        out += (out.empty() ? "'" : ", '") + m.id + "'";
    return out;
}

// With [[backends]] configured: the model names clients can ask for, each
// once: the routes' names (patterns left out), then every backend's models
// (local ones first as configured; "*" left out), owned by who serves them.
std::vector<std::pair<std::string, std::string>> routed_models(const core::Settings& settings) {
    std::vector<std::pair<std::string, std::string>> out; // (id, owned_by)
    auto add = [&](const std::string& id, const std::string& owner) {
        if (id.find_first_of("*?") != std::string::npos) return;
        for (const auto& known : out)
            if (known.first == id) return;
        out.emplace_back(id, owner);
    };
    for (const core::RouteSettings& r : settings.routes)
        add(r.model, "edgeai-route");
    for (const core::BackendSettings& b : settings.backends)
        for (const std::string& m : b.models)
            add(m, b.name);
    return out;
}

std::string model_object_json(const std::string& id, const std::string& owner, int64_t created) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(id))
        .field("object", "model")
        .field("created", created)
        .field("owned_by", std::string_view(owner))
        .end_object();
    return w.take();
}

// GET /v1/usage?by=model&since=24h
core::Result<router::UsageQuery> usage_query_from(std::string_view target, int64_t now_unix_ms) {
    router::UsageQuery q;
    const size_t question = target.find('?');
    std::string_view rest = question == std::string_view::npos ? "" : target.substr(question + 1);
    while (!rest.empty()) {
        const size_t amp = rest.find('&');
        const std::string_view name = rest.substr(0, std::min(amp, rest.find('=')));
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        if (!name.empty() && name != "by" && name != "since") {
            return core::invalid_argument("unknown query parameter '" + std::string(name) +
                                          "'; GET /v1/usage takes by=key|backend|model and "
                                          "since=DURATION (e.g. 24h)")
                .with_field(std::string(name));
        }
    }
    if (auto by = core::query_param(target, "by")) {
        auto group = router::parse_usage_group(*by);
        if (!group.ok()) return core::Status(group.status()).with_field("by");
        q.by = *group;
    }
    if (auto since = core::query_param(target, "since")) {
        auto ms = core::parse_duration_ms(*since);
        if (!ms.ok()) return core::Status(ms.status()).with_field("since");
        q.since_unix_ms = now_unix_ms - *ms;
    }
    return q;
}

// Whether a request's answer comes from and goes to the cache: the mode, and
// the request's own say (x-edgeai-cache: use | skip; Cache-Control: no-cache
// or no-store skips).
bool wants_cache(std::string_view mode, const core::Headers& headers, bool deterministic) {
    std::string_view asked = headers.get("x-edgeai-cache");
    if (core::iequals(asked, "skip")) return false;
    std::string_view control = headers.get("cache-control");
    if (control.find("no-cache") != std::string_view::npos ||
        control.find("no-store") != std::string_view::npos)
        return false;
    if (mode == "off") return false;
    if (core::iequals(asked, "use") || mode == "always") return true;
    return deterministic;
}

std::string no_backend_message() {
    return "no backend is configured to serve this request: start edgeai with --upstream URL "
           "(an OpenAI-compatible API) or set upstream.url in the configuration";
}

} // namespace

Gateway::Gateway(GatewayDeps deps) : shared_(std::make_unique<Shared>()) {
    shared_->deps = std::move(deps);
    telemetry::MetricsRegistry& m = *shared_->deps.metrics;
    shared_->in_flight = &m.gauge("edgeai_http_requests_in_flight", "Requests being served now");
    shared_->upstream_first_byte =
        &m.histogram("edgeai_upstream_first_byte_seconds",
                     "Time from sending to an upstream until its response head", {},
                     telemetry::latency_buckets_seconds());
    shared_->cache_hits =
        &m.counter("edgeai_cache_requests_total",
                   "Cacheable requests by whether the cache answered", {{"result", "hit"}});
    shared_->cache_misses =
        &m.counter("edgeai_cache_requests_total",
                   "Cacheable requests by whether the cache answered", {{"result", "miss"}});
    if (ResponseCache* cache = shared_->deps.cache) {
        m.gauge_callback("edgeai_cache_entries", "Answers in the response cache",
                         [cache] { return static_cast<double>(cache->entries()); });
        m.gauge_callback("edgeai_cache_bytes", "Memory the response cache's answers take",
                         [cache] { return static_cast<double>(cache->bytes()); });
    }
    if (router::Router* r = shared_->deps.router) {
        const core::Clock* clock = shared_->deps.clock;
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
            m.gauge_callback(
                "edgeai_backend_first_byte_seconds_average",
                "Moving average of a backend's time to first byte (least-latency routing)",
                [r, i] { return std::max(0.0, r->at(i).first_byte_ms.value()) / 1000; },
                {{"backend", name}});
        }
    }
}

Gateway::~Gateway() = default;

bool Gateway::can_deliver(std::string_view model) const {
    const router::Router* r = shared_->deps.router;
    if (r == nullptr) return true;
    router::RouteFacts facts;
    facts.model = model;
    const router::Plan plan = r->plan(facts, 0);
    // No target at all is an answer too (404, or 503 without backends):
    // delivery gives it. Targets all held back by their breakers: wait.
    if (plan.attempts.empty()) return plan.unavailable.empty();
    if (!r->offline()) return true;
    for (const router::Attempt& a : plan.attempts)
        if (r->at(a.backend).settings->kind == "local") return true;
    return false;
}

void Gateway::record_rejected(int status) {
    shared_->requests_total(api::Endpoint::kNone, status).add();
}

bool Gateway::is_valid_request_id(std::string_view id) {
    if (id.empty() || id.size() > kMaxRequestIdLength) return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.' || c == ':';
        if (!ok) return false;
    }
    return true;
}

std::string Gateway::make_request_id() {
    static constexpr char kHex[] = "0123456789abcdef";
    uint64_t a = core::splitmix64(shared_->deps.id_seed + ++id_counter_);
    uint64_t b = core::splitmix64(a ^ shared_->deps.id_seed);
    std::string id = "req_";
    for (uint64_t v : {a, b}) {
        for (int shift = 60; shift >= 0; shift -= 4)
            id.push_back(kHex[(v >> shift) & 0xF]);
    }
    return id;
}

std::unique_ptr<RequestTask> Gateway::handle(core::HttpRequest request, ResponseWriter* writer) {
    if (!is_valid_request_id(request.request_id)) {
        std::string_view given = request.headers.get("x-request-id");
        request.request_id = is_valid_request_id(given) ? std::string(given) : make_request_id();
    }
    const GatewayDeps& deps = shared_->deps;
    api::RouteMatch match = api::match_route(request.method, request.path());
    auto exchange = std::make_unique<Exchange>(*shared_, writer, request, match.endpoint);

    if (match.endpoint == api::Endpoint::kNone) {
        exchange->respond_error(api::route_not_found(request.method, request.path()));
        return nullptr;
    }
    if (!match.method_allowed) {
        core::HttpResponse r =
            api::api_error_response(api::method_not_allowed(request.method, request.path()));
        r.headers.add("allow", std::string(match.allow));
        exchange->respond(std::move(r));
        return nullptr;
    }
    if (request.method == "OPTIONS") {
        // CORS preflight (and plain OPTIONS): what may be sent here.
        core::HttpResponse r;
        r.status = 204;
        r.headers.add("allow", std::string(match.allow));
        if (!deps.settings->server.cors.allow_origins.empty()) {
            r.headers.add("access-control-allow-methods", std::string(match.allow));
            std::string_view asked = request.headers.get("access-control-request-headers");
            r.headers.add("access-control-allow-headers",
                          asked.empty() ? std::string("authorization, content-type, x-request-id")
                                        : std::string(asked));
            r.headers.add("access-control-max-age", "600");
        }
        exchange->respond(std::move(r));
        return nullptr;
    }

    Caller& caller = exchange->caller();
    if (deps.access != nullptr && !request.internal) {
        const bool async = deps.jobs != nullptr && prefers_async(request.headers.get("prefer"));
        if (auto e = deps.access->authenticate(request, match.endpoint, async, caller)) {
            exchange->respond_error(*e);
            return nullptr;
        }
    } else if (deps.access != nullptr && !request.internal_key_id.empty()) {
        // A job's delivery: admitted when it was accepted; its tokens are
        // charged to the key that made it.
        deps.access->act_as(request.internal_key_id, caller);
    }

    router::BackendRequest backend_request;
    router::Backend* backend = deps.upstream;
    backend_request.request_id = exchange->request_id();
    backend_request.client_headers = &request.headers;

    switch (match.endpoint) {
    case api::Endpoint::kRoot: {
        codec::JsonWriter w;
        w.begin_object()
            .field("name", "edgeai")
            .field("version", std::string_view(deps.version))
            .field("api", "/v1")
            .end_object();
        exchange->respond(json_response(200, w.take()));
        return nullptr;
    }
    case api::Endpoint::kHealthz:
        exchange->respond(json_response(200, R"({"status":"ok"})"));
        return nullptr;
    case api::Endpoint::kReadyz: {
        codec::JsonWriter w;
        w.begin_object().field("status", draining_ ? "draining" : "ready");
        w.field("upstream", deps.upstream != nullptr ? "configured" : "none");
        if (deps.router != nullptr) {
            // Each backend's breaker, so an operator sees what the router avoids.
            const int64_t now = deps.clock->monotonic_ns();
            w.field("uplink", deps.router->offline() ? "offline" : "online");
            w.key("backends").begin_array();
            for (size_t i = 0; i < deps.router->size(); ++i) {
                const router::RoutedBackend& b = deps.router->at(i);
                w.begin_object()
                    .field("name", std::string_view(b.settings->name))
                    .field("kind", std::string_view(b.settings->kind))
                    .field("circuit", router::breaker_state_name(b.breaker.state(now)))
                    .end_object();
            }
            w.end_array();
        }
        w.end_object();
        exchange->respond(json_response(draining_ ? 503 : 200, w.take()));
        return nullptr;
    }
    case api::Endpoint::kMetrics: {
        core::HttpResponse r;
        r.headers.add("content-type", "text/plain; version=0.0.4; charset=utf-8");
        r.body = deps.metrics->render();
        exchange->respond(std::move(r));
        return nullptr;
    }
    case api::Endpoint::kModels:
        if (!deps.settings->backends.empty()) {
            const int64_t created = deps.clock->unix_ms() / 1000;
            std::string body = R"({"object":"list","data":[)";
            bool first = true;
            // Exchange::respond leaves out what the caller's key may not use.
            for (const auto& [id, owner] : routed_models(*deps.settings)) {
                body += (first ? "" : ",") + model_object_json(id, owner, created);
                first = false;
            }
            exchange->respond(json_response(200, body + "]}"));
            return nullptr;
        }
        if (deps.upstream == nullptr) {
            exchange->respond(json_response(
                200, deps.local != nullptr ? deps.local->models_json()
                                           : std::string(R"({"object":"list","data":[]})")));
            return nullptr;
        }
        backend_request.method = "GET";
        backend_request.path = "/models";
        break;
    case api::Endpoint::kModel:
        if (deps.access != nullptr) {
            if (auto e = deps.access->authorize_model(caller, match.model_id)) {
                exchange->respond_error(*e);
                return nullptr;
            }
        }
        if (!deps.settings->backends.empty()) {
            for (const auto& [id, owner] : routed_models(*deps.settings))
                if (id == match.model_id) {
                    exchange->respond(json_response(
                        200, model_object_json(id, owner, deps.clock->unix_ms() / 1000)));
                    return nullptr;
                }
            api::ApiError e = api::api_error_from_status(
                core::not_found("The model '" + match.model_id + "' does not exist"));
            e.code = "model_not_found";
            exchange->respond_error(e);
            return nullptr;
        }
        if (deps.local != nullptr) {
            if (const router::LocalModelEntry* m = deps.local->find(match.model_id)) {
                exchange->respond(json_response(200, deps.local->model_json(*m)));
                return nullptr;
            }
        }
        if (deps.upstream == nullptr) {
            api::ApiError e = api::api_error_from_status(
                core::not_found("The model '" + match.model_id + "' does not exist"));
            e.code = "model_not_found";
            exchange->respond_error(e);
            return nullptr;
        }
        backend_request.method = "GET";
        backend_request.path = "/models/" + percent_encode_segment(match.model_id);
        break;
    case api::Endpoint::kUsage: {
        if (deps.usage == nullptr) {
            exchange->respond_error(api::api_error_from_status(
                core::Status(core::StatusCode::kUnimplemented,
                             "usage accounting is not available in this build")));
            return nullptr;
        }
        auto query = usage_query_from(request.target, deps.clock->unix_ms());
        if (!query.ok()) {
            exchange->respond_error(api::api_error_from_status(query.status()));
            return nullptr;
        }
        auto rows = deps.usage->summarize(*query);
        if (!rows.ok()) {
            exchange->respond_error(api::api_error_from_status(rows.status()));
            return nullptr;
        }
        exchange->respond(json_response(200, router::usage_summary_json(*query, *rows)));
        return nullptr;
    }
    case api::Endpoint::kFiles:
    case api::Endpoint::kFile:
    case api::Endpoint::kFileContent:
    case api::Endpoint::kBatches:
    case api::Endpoint::kBatch:
    case api::Endpoint::kBatchCancel: {
        if (deps.jobs == nullptr) {
            exchange->respond_error(api::api_error_from_status(
                core::Status(core::StatusCode::kUnimplemented,
                             "the Batch API needs the job queue, not available in this build")));
            return nullptr;
        }
        const int64_t now = deps.clock->unix_ms();
        const uint64_t random = core::splitmix64(++id_counter_ ^ deps.id_seed);
        switch (match.endpoint) {
        case api::Endpoint::kFiles:
            return upload_file(std::move(exchange), *deps.jobs, request,
                               "file-" + queue::make_job_id(random).substr(4), now);
        case api::Endpoint::kFile:
        case api::Endpoint::kFileContent:
            get_file(*exchange, *deps.jobs, match.resource_id,
                     match.endpoint == api::Endpoint::kFileContent);
            return nullptr;
        case api::Endpoint::kBatches:
            if (request.method == "POST") {
                return create_batch(std::move(exchange), *deps.jobs, request.body,
                                    "batch_" + queue::make_job_id(random).substr(4),
                                    core::splitmix64(random), now, job_listener_);
            }
            list_batches(*exchange, *deps.jobs, request.target);
            return nullptr;
        case api::Endpoint::kBatch:
            get_batch(*exchange, *deps.jobs, match.resource_id);
            return nullptr;
        default:
            return cancel_batch(std::move(exchange), *deps.jobs, match.resource_id, now);
        }
    }
    case api::Endpoint::kKeys:
    case api::Endpoint::kKey:
    case api::Endpoint::kKeyRotate:
        if (deps.access == nullptr || deps.access->store() == nullptr) {
            exchange->respond_error(api::api_error_from_status(core::Status(
                core::StatusCode::kUnimplemented, "API keys are not available in this build")));
            return nullptr;
        }
        handle_keys_api(*exchange, *deps.access, request, match, deps.random_bytes,
                        deps.clock->unix_ms());
        return nullptr;
    case api::Endpoint::kStatic:
        serve_static_file(*exchange, deps, request, match.resource_id);
        return nullptr;
    case api::Endpoint::kJobs:
    case api::Endpoint::kJob: {
        if (deps.jobs == nullptr) {
            exchange->respond_error(api::api_error_from_status(core::Status(
                core::StatusCode::kUnimplemented, "the job queue is not available in this build")));
            return nullptr;
        }
        if (match.endpoint == api::Endpoint::kJobs) {
            list_jobs(*exchange, *deps.jobs, request.target);
            return nullptr;
        }
        if (request.method == "DELETE")
            return cancel_job(std::move(exchange), *deps.jobs, match.job_id);
        get_job(*exchange, *deps.jobs, match.job_id);
        return nullptr;
    }
    case api::Endpoint::kChatCompletions:
    case api::Endpoint::kCompletions:
    case api::Endpoint::kEmbeddings:
    case api::Endpoint::kMessages: {
        std::string_view content_type = request.headers.get("content-type");
        if (!content_type.empty() && !is_json_content_type(content_type)) {
            exchange->respond_error(api::unsupported_media_type(content_type));
            return nullptr;
        }
        // Accepted as a durable job: the client's own bytes are kept, and
        // delivery sends them through this same path later.
        const bool async = deps.jobs != nullptr && prefers_async(request.headers.get("prefer"));
        std::string async_body;
        if (async) async_body = request.body;
        core::Status valid;
        std::string model;
        // Same request, same answer: greedy sampling, a seed, embeddings.
        bool deterministic = match.endpoint == api::Endpoint::kEmbeddings;
        auto is_deterministic = [](const api::SamplingOptions& s) {
            return (s.temperature && *s.temperature == 0) || s.seed.has_value();
        };
        if (match.endpoint == api::Endpoint::kMessages) {
            // Anthropic's shape in, served as a chat completion by any
            // backend; the answer is translated back in ProxyTask.
            auto translated = api::anthropic::messages_to_chat(request.body);
            if (!translated.ok()) {
                exchange->respond_error(api::api_error_from_status(translated.status()));
                return nullptr;
            }
            request.body = std::move(translated->body);
            if (deps.cache != nullptr) {
                auto chat = api::decode_chat_completion_request(request.body);
                deterministic = chat.ok() && is_deterministic(chat->sampling);
            }
            backend_request.stream = translated->stream;
            model = std::move(translated->model);
            backend_request.path = "/chat/completions";
        } else if (match.endpoint == api::Endpoint::kChatCompletions) {
            auto decoded = api::decode_chat_completion_request(request.body);
            valid = decoded.ok() ? core::Status() : decoded.status();
            if (decoded.ok()) backend_request.stream = decoded->stream;
            if (decoded.ok()) model = decoded->model;
            if (decoded.ok()) deterministic = is_deterministic(decoded->sampling);
            backend_request.path = "/chat/completions";
        } else if (match.endpoint == api::Endpoint::kCompletions) {
            auto decoded = api::decode_completion_request(request.body);
            valid = decoded.ok() ? core::Status() : decoded.status();
            if (decoded.ok()) backend_request.stream = decoded->stream;
            if (decoded.ok()) model = decoded->model;
            if (decoded.ok()) deterministic = is_deterministic(decoded->sampling);
            backend_request.path = "/completions";
        } else {
            auto decoded = api::decode_embedding_request(request.body);
            valid = decoded.ok() ? core::Status() : decoded.status();
            if (decoded.ok()) model = decoded->model;
            backend_request.path = "/embeddings";
        }
        if (!valid.ok()) {
            exchange->respond_error(api::api_error_from_status(valid));
            return nullptr;
        }
        if (deps.access != nullptr && !request.internal) {
            auto refused = deps.access->authorize_model(caller, model);
            // About four bytes of JSON per prompt token, until a backend counts.
            if (!refused)
                refused = deps.access->admit(caller, static_cast<int64_t>(request.body.size() / 4));
            if (refused) {
                exchange->respond_error(*refused);
                return nullptr;
            }
        }
        if (async) {
            auto job =
                job_for_request(request, std::move(async_body), model,
                                queue::make_job_id(core::splitmix64(++id_counter_ ^ deps.id_seed)),
                                deps.clock->unix_ms(), deps.settings->queue.ttl_ms);
            if (!job.ok()) {
                exchange->respond_error(api::api_error_from_status(job.status()));
                return nullptr;
            }
            job->owner = owner_of(caller);
            // One key's Idempotency-Key never answers with another key's job.
            if (!job->owner.empty() && !job->idempotency_key.empty())
                job->idempotency_key = job->owner + ":" + job->idempotency_key;
            return enqueue_job(std::move(exchange), *deps.jobs, std::move(job).value(),
                               job_listener_);
        }
        backend_request.method = "POST";
        backend_request.body = std::move(request.body);
        exchange->note_model(model);
        if (deps.cache != nullptr &&
            wants_cache(deps.settings->cache.mode, request.headers, deterministic)) {
            auto key = cache_key(api::endpoint_name(match.endpoint), backend_request.stream,
                                 backend_request.body);
            // Each key has its own answers: a hit on another key's entry would
            // tell this caller what someone else asked (x-edgeai-cache: hit).
            if (key && caller.key != nullptr) key->insert(0, caller.key->id + "|");
            if (key) {
                if (const CachedAnswer* hit = deps.cache->find(*key)) {
                    exchange->respond_cached(*hit);
                    return nullptr;
                }
                exchange->cache_answer_as(deps.cache, std::move(*key));
            }
        }
        if (deps.router != nullptr && deps.executor != nullptr) {
            router::RouteFacts facts;
            facts.model = model;
            // About four bytes of JSON per token: an estimate for conditions
            // and prices, before any backend has counted.
            facts.prompt_tokens = static_cast<uint32_t>(backend_request.body.size() / 4);
            facts.headers = &request.headers;
            if (caller.key != nullptr) {
                facts.key_id = caller.key->id;
                facts.key_name = caller.key->name;
            }
            router::Plan plan =
                deps.router->plan(facts, core::splitmix64(++id_counter_ ^ deps.id_seed));
            if (plan.attempts.empty() && plan.unavailable.empty()) {
                if (deps.router->size() == 0) {
                    exchange->respond_error(api::service_unavailable(no_backend_message()));
                    return nullptr;
                }
                std::string served;
                for (size_t i = 0; i < deps.router->size(); ++i)
                    for (const std::string& m : deps.router->at(i).settings->models)
                        served += (served.empty() ? "" : ", ") + m;
                api::ApiError e = api::api_error_from_status(core::not_found(
                    "The model '" + model + "' does not exist; no route or backend serves it " +
                    "(this gateway serves " + served + ")"));
                e.code = "model_not_found";
                e.param = "model";
                exchange->respond_error(e);
                return nullptr;
            }
            auto task = std::make_unique<ProxyTask>(std::move(exchange), *deps.router,
                                                    std::move(plan), *deps.executor);
            task->start(std::move(backend_request), model);
            return task;
        }
        if (deps.local != nullptr && deps.local->find(model) != nullptr) {
            backend = deps.local;
            break;
        }
        if (deps.upstream == nullptr) {
            if (deps.local != nullptr) {
                api::ApiError e = api::api_error_from_status(core::not_found(
                    "The model '" + model + "' does not exist; this gateway serves " +
                    local_model_list(*deps.local)));
                e.code = "model_not_found";
                e.param = "model";
                exchange->respond_error(e);
            } else {
                exchange->respond_error(api::service_unavailable(no_backend_message()));
            }
            return nullptr;
        }
        break;
    }
    case api::Endpoint::kNone:
        return nullptr;
    }

    auto task = std::make_unique<ProxyTask>(std::move(exchange), *backend);
    task->start(std::move(backend_request));
    return task;
}

} // namespace edgeai::gateway
