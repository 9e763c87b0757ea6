#include "gateway/inference.h"

#include "api/api_error.h"
#include "gateway/jobs_api.h"
#include "gateway/proxy_task.h"
#include "gateway/response_cache.h"

namespace edgeai::gateway {

namespace {

// Whether a request's answer comes from and goes to the cache: the mode, and
// the request's own say (x-edgeai-cache: use | skip; Cache-Control: no-cache
// or no-store skips).
bool wants_cache(core::CacheMode mode, const core::Headers& headers, bool deterministic) {
    std::string_view asked = headers.get("x-edgeai-cache");
    if (core::iequals(asked, "skip")) return false;
    std::string_view control = headers.get("cache-control");
    if (control.find("no-cache") != std::string_view::npos ||
        control.find("no-store") != std::string_view::npos)
        return false;
    if (mode == core::CacheMode::kOff) return false;
    if (core::iequals(asked, "use") || mode == core::CacheMode::kAlways) return true;
    return deterministic;
}

// Accepted as a durable job: the client's own bytes are kept, and delivery
// sends them through this same pipeline later.
std::unique_ptr<RequestTask> enqueue(RouteContext& ctx) {
    const GatewayDeps& deps = ctx.deps();
    auto job = job_for_request(ctx.request, std::move(ctx.request.body), ctx.decoded.model,
                               ctx.shared.new_id(core::IdKind::kJob), deps.clock->unix_ms(),
                               deps.settings->queue.ttl_ms, deps.webhook_policy());
    if (!job.ok()) return ctx.fail(job.status());
    job->owner = owner_of(ctx.caller());
    // One key's Idempotency-Key never answers with another key's job.
    if (!job->owner.empty() && !job->idempotency_key.empty())
        job->idempotency_key = job->owner + ":" + job->idempotency_key;
    return enqueue_job(std::move(ctx.exchange), *deps.jobs, std::move(job).value(),
                       ctx.shared.job_listener);
}

// An answer kept for this request: true when it was sent. On a miss the
// exchange keeps what it relays, to store if the answer completes.
bool answer_from_cache(RouteContext& ctx, const router::BackendRequest& request) {
    ResponseCache* cache = ctx.deps().cache;
    if (cache == nullptr || !wants_cache(ctx.deps().settings->cache.mode, ctx.request.headers,
                                         ctx.decoded.deterministic))
        return false;
    auto key = cache_key(api::endpoint_name(ctx.route.endpoint), request.stream, request.body);
    if (!key) return false;
    // Each key has its own answers: a hit on another key's entry would tell
    // this caller what someone else asked (x-edgeai-cache: hit).
    if (ctx.caller().key != nullptr) key->insert(0, ctx.caller().key->id + "|");
    if (const CachedAnswer* hit = cache->find(*key)) {
        ctx.exchange->respond_cached(*hit);
        return true;
    }
    ctx.exchange->cache_answer_as(cache, std::move(*key));
    return false;
}

} // namespace

api::ApiError no_backend_for(const router::Router& router, const std::string& model) {
    if (router.size() == 0) {
        return api::service_unavailable(
            "no backend is configured to serve this request: start edgeai with -m MODEL.gguf "
            "or --upstream URL (an OpenAI-compatible API), or configure [[backends]]");
    }
    std::string served;
    for (size_t i = 0; i < router.size(); ++i)
        for (const std::string& m : router.at(i).settings->models)
            served += (served.empty() ? "'" : ", '") + m + "'";
    return api::api_error_from_status(api::model_not_found(
        model, "; no route or backend serves it (this gateway serves " + served + ")"));
}

router::RouteFacts route_facts(RouteContext& ctx, size_t body_bytes) {
    router::RouteFacts facts;
    facts.model = ctx.decoded.model;
    facts.prompt_tokens = estimated_prompt_tokens(body_bytes);
    facts.headers = &ctx.request.headers;
    if (const security::KeyPtr& key = ctx.caller().key) {
        facts.key_id = key->id;
        facts.key_name = key->name;
    }
    return facts;
}

std::unique_ptr<RequestTask> handle_inference(RouteContext& ctx) {
    const GatewayDeps& deps = ctx.deps();
    if (deps.jobs != nullptr && prefers_async(ctx.request.headers.get("prefer")))
        return enqueue(ctx);
    router::BackendRequest request;
    request.method = "POST";
    request.path = ctx.decoded.backend_path;
    request.body =
        ctx.decoded.translated ? std::move(ctx.decoded.backend_body) : std::move(ctx.request.body);
    request.stream = ctx.decoded.stream;
    request.request_id = ctx.exchange->request_id();
    request.client_headers = &ctx.request.headers;
    request.decoded = &ctx.decoded.body;
    ctx.exchange->note_model(ctx.decoded.model);
    if (answer_from_cache(ctx, request)) return nullptr;

    router::Plan plan =
        deps.router->plan(route_facts(ctx, request.body.size()), ctx.shared.next_random());
    if (plan.attempts.empty() && plan.unavailable.empty())
        return ctx.fail(no_backend_for(*deps.router, ctx.decoded.model));
    auto task = std::make_unique<ProxyTask>(std::move(ctx.exchange), *deps.router, std::move(plan),
                                            *deps.executor);
    if (ctx.decoded.translate_answer)
        task->translate_answers(std::move(ctx.decoded.translate_answer));
    if (!ctx.decoded.native_path.empty())
        task->offer_native(std::move(ctx.decoded.native_path), std::move(ctx.decoded.native_body),
                           std::move(ctx.decoded.translate_native_answer));
    task->start(std::move(request), ctx.decoded.model);
    return task;
}

} // namespace edgeai::gateway
