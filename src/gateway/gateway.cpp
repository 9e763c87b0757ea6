// The request pipeline. Each step is a named function, in this order:
//   request id -> route -> CORS preflight -> pages (Origin; Host and key
//   routes without keys) -> key and scope (from the head)
//   -> [the shell reads the body, bounded by the route] -> content type
//   -> decode once -> model allow-list and admission -> the route's handler.
// A step either answers the request (an error, a preflight) or passes on.
#include "gateway/gateway.h"

#include "api/api_error.h"
#include "api/msgpack_wire.h"
#include "api/ollama/ollama_answers.h"
#include "core/check.h"
#include "gateway/access_control.h"
#include "gateway/browser_guard.h"
#include "gateway/exchange.h"
#include "gateway/jobs_api.h"
#include "gateway/route_context.h"
#include "gateway/route_table.h"

#include <algorithm>

namespace edgeai::gateway {

namespace {

// Request ids from clients are echoed into headers and logs: keep them short
// and free of anything that could split a header or a log line.
constexpr size_t kMaxRequestIdLength = 128;

bool has_media_type(std::string_view content_type, std::string_view expected) {
    std::string_view media = content_type.substr(0, content_type.find(';'));
    while (!media.empty() && media.back() == ' ')
        media.remove_suffix(1);
    return core::iequals(media, expected);
}

void assign_request_id(core::HttpRequest& request, Gateway::Shared& shared) {
    if (Gateway::is_valid_request_id(request.request_id)) return;
    std::string_view given = request.headers.get("x-request-id");
    request.request_id = Gateway::is_valid_request_id(given)
                             ? std::string(given)
                             : shared.new_id(core::IdKind::kRequest);
}

// 404 for no such path, 405 with Allow for another method; true when answered.
bool answer_unrouted(const RouteMatch& match, const core::HttpRequest& request, Exchange& ex) {
    if (match.route == nullptr) {
        const api::ApiError error = api::route_not_found(request.method, request.path());
        if (request.path().substr(0, 5) == "/api/") {
            // Ollama's clients read `error` as a message (model management
            // such as /api/pull is not served yet).
            core::HttpResponse r = api::api_error_response(error);
            r.body = api::ollama::error_body(error.message);
            ex.respond(std::move(r));
            return true;
        }
        ex.respond_error(error);
        return true;
    }
    if (match.method_allowed) return false;
    const api::ApiError error = api::method_not_allowed(request.method, request.path());
    core::HttpResponse r = api::api_error_response(error);
    r.body = ex.render_error(error); // in the route's own API's shape
    r.headers.add("allow", allowed_methods(*match.route));
    ex.respond(std::move(r));
    return true;
}

// OPTIONS (a CORS preflight, or plain): what may be sent here.
void answer_preflight(const Route& route, const core::HttpRequest& request,
                      const core::Settings& settings, Exchange& ex) {
    core::HttpResponse r;
    r.status = 204;
    const std::string allow = allowed_methods(route);
    r.headers.add("allow", allow);
    if (!settings.server.cors.allow_origins.empty()) {
        r.headers.add("access-control-allow-methods", allow);
        std::string_view asked = request.headers.get("access-control-request-headers");
        r.headers.add("access-control-allow-headers",
                      asked.empty() ? std::string("authorization, content-type, x-request-id")
                                    : std::string(asked));
        r.headers.add("access-control-max-age", "600");
    }
    ex.respond(std::move(r));
}

bool is_async(const RouteContext& ctx) {
    return ctx.deps().jobs != nullptr && prefers_async(ctx.request.headers.get("prefer"));
}

// The steps below return true when the request goes on, false when they
// answered it.

bool is_key_management(api::Endpoint e) {
    return e == api::Endpoint::kKeys || e == api::Endpoint::kKey || e == api::Endpoint::kKeyRotate;
}

// A web page cannot change state here (a foreign Origin), nor, without keys,
// reach the gateway under a name of its own (DNS rebinding) or make keys.
[[nodiscard]] bool guard_against_pages(RouteContext& ctx) {
    const core::Settings& settings = *ctx.deps().settings;
    core::Status refused = check_origin(ctx.request, settings);
    AccessControl* access = ctx.deps().access;
    const bool keyless = access != nullptr && !access->enforced() && !ctx.request.internal;
    if (refused.ok() && keyless) refused = check_host_without_keys(ctx.request, settings);
    if (refused.ok() && keyless && is_key_management(ctx.route.endpoint)) {
        refused = api::permission_denied(
            "keys_need_a_key",
            "This gateway has no API keys yet: make the first (admin) key with 'edgeai keys "
            "create --scopes admin', then manage keys here with it");
    }
    if (!refused.ok()) ctx.exchange->refuse(refused);
    return refused.ok();
}

// A request that arrives during a shutdown is not started: 503 with
// Retry-After, for a client or load balancer to send it elsewhere. Health,
// readiness and metrics still answer.
[[nodiscard]] bool refuse_while_draining(RouteContext& ctx) {
    if (!ctx.shared.draining || ctx.request.internal || ctx.route.scope == 0 ||
        ctx.route.endpoint == api::Endpoint::kMetrics)
        return true;
    ctx.exchange->refuse(api::shutting_down());
    return false;
}

// With audit.on_write_failure = "refuse", nothing is served that could not
// be recorded; health, readiness and metrics stay up so operators see why.
[[nodiscard]] bool check_audit(RouteContext& ctx) {
    security::AuditSink* audit = ctx.deps().audit;
    if (audit == nullptr || ctx.route.scope == 0 || ctx.route.endpoint == api::Endpoint::kMetrics ||
        ctx.deps().settings->audit.on_write_failure != core::AuditWriteFailure::kRefuse)
        return true;
    const core::Status health = audit->health();
    if (health.ok()) return true;
    ctx.exchange->refuse(api::audit_unavailable(health));
    return false;
}

// The key and the route's scope. A job's delivery (a queued request, a batch
// line) acts as the key that made the job and passes the same checks as a
// direct request: the key must still exist and hold the route's scope.
[[nodiscard]] bool authenticate(RouteContext& ctx) {
    AccessControl* access = ctx.deps().access;
    if (access == nullptr) return true;
    core::Status refused;
    if (ctx.request.internal) {
        if (ctx.request.internal_key_id.empty()) return true; // made while auth was off
        refused = access->act_as(ctx.request.internal_key_id, ctx.caller());
        if (refused.ok())
            refused =
                access->authorize_scope(ctx.caller(), ctx.route.scope,
                                        ctx.request.method + " " + std::string(ctx.request.path()));
    } else {
        refused = access->authenticate(ctx.request, ctx.route.endpoint, ctx.route.scope,
                                       is_async(ctx), ctx.caller());
    }
    if (!refused.ok()) ctx.exchange->refuse(refused);
    return refused.ok();
}

[[nodiscard]] bool check_content_type(RouteContext& ctx) {
    const std::string_view type = ctx.request.headers.get("content-type");
    if (ctx.route.body == BodyType::kAny) return true;
    // A body must say what it is: a page's fetch() of an untyped Blob sends
    // none, and must not pass for JSON.
    if (type.empty() && ctx.request.body.empty()) return true;
    if (ctx.route.body == BodyType::kJson && has_media_type(type, "application/json")) return true;
    // MessagePack on a /v1 route: read as the JSON it holds, once, here.
    if (ctx.route.body == BodyType::kJson && !api::msgpack_media_type(type).empty() &&
        ctx.request.path().substr(0, 4) == "/v1/") {
        auto json = api::msgpack_body_to_json(ctx.request.body, ctx.request.body.size());
        if (!json.ok()) {
            ctx.exchange->respond_error(api::api_error_from_status(json.status()));
            return false;
        }
        ctx.request.body = std::move(*json);
        ctx.request.headers.set("content-type", "application/json");
        return true;
    }
    if (ctx.route.body == BodyType::kMultipart && has_media_type(type, "multipart/form-data"))
        return true;
    ctx.exchange->respond_error(api::unsupported_media_type(type));
    return false;
}

[[nodiscard]] bool decode(RouteContext& ctx) {
    if (ctx.route.decode == nullptr) return true;
    const core::Status decoded = ctx.route.decode(ctx);
    if (!decoded.ok()) ctx.exchange->respond_error(api::api_error_from_status(decoded));
    return decoded.ok();
}

// About four bytes of JSON per prompt token, until a backend counts.
int64_t estimated_tokens(const RouteContext& ctx) {
    return static_cast<int64_t>(ctx.request.body.size() / 4);
}

// The key's model allow-list, then its limits and budgets: for every request
// however it came (direct, async when accepted and again when delivered, a
// batch line when it runs). With shared limits up, the decision is Redis's:
// `ask_shared` comes back true and the request waits for it (PendingAdmission).
[[nodiscard]] bool authorize_and_admit(RouteContext& ctx, bool& ask_shared) {
    ask_shared = false;
    AccessControl* access = ctx.deps().access;
    if (access == nullptr) return true;
    // Files, jobs, batches, models, keys: the key's rate still applies.
    const bool rate_only = ctx.decoded.model.empty();
    core::Status refused;
    if (!rate_only) refused = access->authorize_model(ctx.caller(), ctx.decoded.model);
    const bool counted = rate_only || ctx.decoded.spends_tokens;
    if (refused.ok() && counted && access->wants_shared(ctx.caller()) &&
        (!rate_only || ctx.caller().key->limits.requests_per_minute > 0)) {
        ask_shared = true;
        return true;
    }
    if (refused.ok() && rate_only) refused = access->admit_request(ctx.caller());
    if (refused.ok() && !rate_only && ctx.decoded.spends_tokens)
        refused = access->admit(ctx.caller(), estimated_tokens(ctx));
    if (!refused.ok()) ctx.exchange->refuse(refused);
    return refused.ok();
}

// A request waiting for the shared counters' answer: it owns the request until
// then, runs the route's handler with the grant and keeps what that returns.
// Destroyed first (the client left, a shutdown), it gives the grant back when
// the answer comes.
class PendingAdmission final : public RequestTask {
  public:
    explicit PendingAdmission(std::unique_ptr<RouteContext> ctx)
        : ctx_(*ctx), owner_(std::move(ctx)), self_(std::make_shared<PendingAdmission*>(this)) {}
    ~PendingAdmission() override { *self_ = nullptr; }

    void start() {
        AccessControl* access = ctx_.deps().access;
        security::KeyPtr key = ctx_.caller().key;
        access->admit_shared(key, estimated_tokens(ctx_), ctx_.decoded.model.empty(),
                             [self = self_, access, key](core::Status refused, SharedGrant grant) {
                                 if (*self == nullptr) {
                                     access->release(key, grant);
                                     return;
                                 }
                                 (*self)->resume(std::move(refused), std::move(grant));
                             });
    }

  private:
    void resume(core::Status refused, SharedGrant grant) {
        if (!refused.ok()) {
            ctx_.exchange->refuse(refused);
            return;
        }
        ctx_.deps().access->accept(ctx_.caller(), std::move(grant));
        handler_task_ = ctx_.route.handler(ctx_);
    }

    RouteContext& ctx_;
    // Owns ctx_ (IncomingRequest's destructor is the one that frees a
    // RouteContext, not a second inlined copy of it).
    IncomingRequest owner_;
    std::unique_ptr<RequestTask> handler_task_;
    std::shared_ptr<PendingAdmission*> self_; // null once destroyed
};

} // namespace

IncomingRequest::IncomingRequest(std::unique_ptr<RouteContext> ctx) : ctx_(std::move(ctx)) {}
IncomingRequest::~IncomingRequest() = default;

size_t IncomingRequest::max_body_bytes() const {
    const auto server = static_cast<size_t>(ctx_->deps().settings->server.max_body_bytes);
    return ctx_->route.max_body == BodyLimit::kSmall ? std::min(server, kSmallBodyBytes) : server;
}

void IncomingRequest::refuse(const api::ApiError& error) {
    ctx_->exchange->respond_error(error);
}

std::unique_ptr<RequestTask> IncomingRequest::proceed(std::string body) {
    RouteContext& ctx = *ctx_;
    ctx.request.body = std::move(body);
    ctx.exchange->note_request_body(ctx.request.body);
    // A signature covers the body, so a signed request is checked now.
    if (AccessControl::signs_with_body(ctx.request) && !authenticate(ctx)) return nullptr;
    bool ask_shared = false;
    if (!check_content_type(ctx) || !decode(ctx) || !authorize_and_admit(ctx, ask_shared))
        return nullptr;
    if (ask_shared) {
        auto pending = std::make_unique<PendingAdmission>(std::move(ctx_));
        pending->start();
        return pending;
    }
    return ctx.route.handler(ctx);
}

const core::net::DestinationPolicy& GatewayDeps::webhook_policy() const {
    static const core::net::DestinationPolicy kPublicOnly;
    return webhooks != nullptr ? *webhooks : kPublicOnly;
}

Gateway::Gateway(GatewayDeps deps) : shared_(std::make_unique<Shared>()) {
    EDGEAI_CHECK_MSG(deps.random != nullptr, "GatewayDeps::random is required");
    shared_->deps = std::move(deps);
    shared_->gateway = this;
    shared_->register_metrics();
}

Gateway::~Gateway() = default;

void Gateway::end_all_for_shutdown() {
    std::vector<Exchange*> live;
    for (Exchange* e = shared_->live; e != nullptr; e = e->next_live())
        live.push_back(e);
    for (Exchange* exchange : live)
        exchange->end_for_shutdown();
}

void Gateway::set_draining(bool draining) {
    shared_->draining = draining;
}

core::Random* Gateway::random() const {
    return shared_->deps.random;
}

void Gateway::set_job_listener(std::function<void()> listener) {
    shared_->job_listener = std::move(listener);
}

bool Gateway::can_deliver(std::string_view model) const {
    const router::Router& r = *shared_->deps.router;
    router::RouteFacts facts;
    facts.model = model;
    const router::Plan plan = r.plan(facts, 0);
    // No target at all is an answer too (404, or 503 without backends):
    // delivery gives it. Targets all held back by their breakers: wait.
    if (plan.attempts.empty()) return plan.unavailable.empty();
    if (!r.offline()) return true;
    for (const router::Attempt& a : plan.attempts)
        if (r.at(a.backend).settings->kind == core::BackendKind::kLocal) return true;
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

std::unique_ptr<IncomingRequest> Gateway::begin(core::HttpRequest request, ResponseWriter* writer) {
    assign_request_id(request, *shared_);
    RouteMatch match = match_route(request.method, request.path());
    const api::Endpoint endpoint =
        match.route != nullptr ? match.route->endpoint : api::Endpoint::kNone;
    auto exchange = std::make_unique<Exchange>(*shared_, writer, request, endpoint);
    if (answer_unrouted(match, request, *exchange)) return nullptr;
    if (request.method == "OPTIONS") {
        answer_preflight(*match.route, request, *shared_->deps.settings, *exchange);
        return nullptr;
    }
    auto ctx = std::unique_ptr<RouteContext>(new RouteContext{
        *shared_, std::move(exchange), std::move(request), *match.route, std::move(match.id), {}});
    if (!guard_against_pages(*ctx) || !refuse_while_draining(*ctx) || !check_audit(*ctx))
        return nullptr;
    if (!AccessControl::signs_with_body(ctx->request) && !authenticate(*ctx)) return nullptr;
    return std::make_unique<IncomingRequest>(std::move(ctx));
}

std::unique_ptr<RequestTask> Gateway::handle(core::HttpRequest request, ResponseWriter* writer) {
    std::string body = std::move(request.body);
    std::unique_ptr<IncomingRequest> incoming = begin(std::move(request), writer);
    if (incoming == nullptr) return nullptr;
    return incoming->proceed(std::move(body));
}

} // namespace edgeai::gateway
