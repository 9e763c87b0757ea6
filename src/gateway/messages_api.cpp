#include "gateway/messages_api.h"

#include "api/anthropic/anthropic_requests.h"
#include "api/openai_requests.h"
#include "gateway/api_responses.h"
#include "gateway/inference.h"
#include "gateway/openai_api.h"
#include "gateway/proxy_task.h"

namespace edgeai::gateway {

core::Status decode_messages(RouteContext& ctx) {
    auto translated = api::anthropic::messages_to_chat(ctx.request.body);
    if (!translated.ok()) return translated.status();
    ctx.decoded.model = std::move(translated->model);
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = "/chat/completions";
    ctx.decoded.stream = translated->stream;
    ctx.decoded.backend_body = std::move(translated->body);
    ctx.decoded.translated = true;
    // The chat body the translation made, decoded once for the cache's say
    // and for a backend that reads its fields (the local engine).
    // A translation the chat decoder refuses still goes to the backend, whose
    // own answer is the right one (upstreams take more than the engine).
    auto chat = api::decode_chat_completion_request(ctx.decoded.backend_body);
    if (!chat.ok()) return {};
    ctx.decoded.deterministic = is_deterministic(chat->sampling);
    ctx.decoded.body.chat = std::move(chat).value();
    return {};
}

core::Status decode_count_tokens(RouteContext& ctx) {
    auto translated = api::anthropic::count_tokens_to_chat(ctx.request.body);
    if (!translated.ok()) return translated.status();
    ctx.decoded.model = std::move(translated->model);
    ctx.decoded.backend_path = "/chat/completions";
    ctx.decoded.backend_body = std::move(translated->body);
    ctx.decoded.translated = true;
    return {};
}

namespace {

// An Anthropic upstream counts for itself: the client's own body goes to its
// count_tokens, and its answer comes back as it is. Only attempts on such
// backends are kept, since no other backend could answer that path.
std::unique_ptr<RequestTask> ask_upstream_to_count(RouteContext& ctx, router::Plan plan) {
    const GatewayDeps& deps = ctx.deps();
    std::erase_if(plan.attempts, [&](const router::Attempt& attempt) {
        const router::Backend* b = deps.router->at(attempt.backend).backend;
        return b == nullptr || !b->counts_messages_upstream();
    });
    router::BackendRequest request;
    request.path = std::string(router::kCountTokensPath);
    request.body = std::move(ctx.request.body);
    request.request_id = ctx.exchange->request_id();
    request.client_headers = &ctx.request.headers;
    auto task = std::make_unique<ProxyTask>(std::move(ctx.exchange), *deps.router, std::move(plan),
                                            *deps.executor);
    task->translate_answers([] { return std::unique_ptr<router::ResponseTranslator>(); });
    task->start(std::move(request), ctx.decoded.model);
    return task;
}

} // namespace

std::unique_ptr<RequestTask> handle_count_tokens(RouteContext& ctx) {
    const GatewayDeps& deps = ctx.deps();
    ctx.exchange->note_model(ctx.decoded.model);
    router::BackendRequest request;
    request.path = ctx.decoded.backend_path;
    request.body = std::move(ctx.decoded.backend_body);
    request.request_id = ctx.exchange->request_id();
    request.client_headers = &ctx.request.headers;
    // What a backend that cannot count is reported to hold.
    const int64_t estimate = estimated_prompt_tokens(request.body.size());
    router::Plan plan =
        deps.router->plan(route_facts(ctx, request.body.size()), ctx.shared.next_random());
    if (plan.attempts.empty()) return ctx.fail(no_backend_for(*deps.router, ctx.decoded.model));
    const router::Attempt& first = plan.attempts.front();
    router::Backend* backend = deps.router->at(first.backend).backend;
    if (backend != nullptr && backend->counts_messages_upstream())
        return ask_upstream_to_count(ctx, std::move(plan));
    if (backend != nullptr) ctx.exchange->note_backend(backend->name(), 200);
    auto counted = backend != nullptr
                       ? backend->count_prompt_tokens(first.model, request)
                       : core::Result<int64_t>(core::Status(core::StatusCode::kUnimplemented, ""));
    const bool estimated =
        !counted.ok() && counted.status().code() == core::StatusCode::kUnimplemented;
    if (!counted.ok() && !estimated) return ctx.fail(counted.status());
    core::HttpResponse r = json_response(
        200, "{\"input_tokens\":" + std::to_string(estimated ? estimate : *counted) + "}");
    if (estimated) r.headers.add("x-edgeai-token-count", "estimate");
    return ctx.respond(std::move(r));
}

} // namespace edgeai::gateway
