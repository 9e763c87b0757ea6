#include "gateway/ollama_api.h"

#include "api/api_error.h"
#include "api/ollama/ollama_answers.h"
#include "api/openai_requests.h"
#include "codec/json/json_writer.h"
#include "core/keep_alive.h"
#include "gateway/api_responses.h"
#include "gateway/inference.h"
#include "gateway/openai_api.h"
#include "router/model_residency.h"
#include "router/ollama_translator.h"
#include "router/router.h"
#include "telemetry/logger.h"

namespace edgeai::gateway {

namespace {

namespace ollama = api::ollama;

// The Ollama release whose API these routes follow; clients compare it
// before using newer fields.
constexpr std::string_view kOllamaApiVersion = "0.12.0";

ollama::OllamaFrame frame_for(RouteContext& ctx, const ollama::TranslatedOllamaRequest& request) {
    ollama::OllamaFrame frame;
    frame.kind = request.kind;
    frame.model = request.requested_model;
    frame.completion_backend = request.backend_path == "/completions";
    const core::Clock* clock = ctx.deps().clock;
    const int64_t started = clock->monotonic_ns();
    frame.now = [clock] { return telemetry::format_utc_timestamp(clock->unix_ms()); };
    frame.elapsed_ns = [clock, started] { return clock->monotonic_ns() - started; };
    return frame;
}

// The translated body decoded once, for the cache's say and for a backend
// that reads its fields (the local engine); one the decoder refuses still
// goes on, for the backend's own answer (upstreams take more).
void decode_translated(RouteContext& ctx) {
    const std::string& body = ctx.decoded.backend_body;
    if (ctx.decoded.backend_path == "/embeddings") {
        auto embedding = api::decode_embedding_request(body);
        if (!embedding.ok()) return;
        ctx.decoded.deterministic = true;
        ctx.decoded.body.embedding = std::move(embedding).value();
    } else if (ctx.decoded.backend_path == "/completions") {
        auto completion = api::decode_completion_request(body);
        if (!completion.ok()) return;
        ctx.decoded.deterministic = is_deterministic(completion->sampling);
        ctx.decoded.body.completion = std::move(completion).value();
    } else {
        auto chat = api::decode_chat_completion_request(body);
        if (!chat.ok()) return;
        ctx.decoded.deterministic = is_deterministic(chat->sampling);
        ctx.decoded.body.chat = std::move(chat).value();
    }
}

core::Status decode_ollama(RouteContext& ctx, ollama::Kind kind) {
    auto translated = ollama::ollama_to_openai(kind, ctx.request.body);
    if (!translated.ok()) return translated.status();
    ctx.decoded.model = translated->model;
    ctx.decoded.stream = translated->stream;
    // The local backend reads a request's keep-alive from the header the
    // OpenAI routes take it in (upstreams are never sent it).
    const auto keep_alive = core::parse_keep_alive(translated->keep_alive);
    const bool unload = keep_alive.ok() && *keep_alive == 0;
    if (!translated->keep_alive.empty())
        ctx.request.headers.set(router::kKeepAliveHeader, std::move(translated->keep_alive));
    ollama::OllamaFrame frame = frame_for(ctx, *translated);
    if (translated->load_only) {
        // Nothing to generate: answered by the handler, no backend asked.
        ctx.decoded.backend_body = ollama::load_answer(frame, unload);
        return {};
    }
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = std::move(translated->backend_path);
    ctx.decoded.backend_body = std::move(translated->backend_body);
    ctx.decoded.translated = true;
    ctx.decoded.translate_answer = [frame = std::move(frame)] {
        return router::make_openai_to_ollama_translator(frame);
    };
    decode_translated(ctx);
    return {};
}

} // namespace

core::Status decode_ollama_chat(RouteContext& ctx) {
    return decode_ollama(ctx, ollama::Kind::kChat);
}

core::Status decode_ollama_generate(RouteContext& ctx) {
    return decode_ollama(ctx, ollama::Kind::kGenerate);
}

core::Status decode_ollama_embed(RouteContext& ctx) {
    return decode_ollama(ctx, ollama::Kind::kEmbed);
}

core::Status decode_ollama_embeddings(RouteContext& ctx) {
    return decode_ollama(ctx, ollama::Kind::kEmbeddings);
}

core::Status decode_ollama_show(RouteContext& ctx) {
    auto model = ollama::model_of(ctx.request.body);
    if (!model.ok()) return model.status();
    ctx.id = *model;
    ctx.decoded.model = std::move(model).value();
    return {};
}

std::unique_ptr<RequestTask> handle_ollama_inference(RouteContext& ctx) {
    if (ctx.decoded.translated) return handle_inference(ctx);
    // Loading a model the gateway does not serve fails as Ollama's does.
    router::RouteFacts facts;
    facts.model = ctx.decoded.model;
    facts.headers = &ctx.request.headers;
    const router::Plan plan = ctx.deps().router->plan(facts, ctx.shared.next_random());
    if (plan.attempts.empty() && plan.unavailable.empty())
        return ctx.fail(api::model_not_found(ctx.decoded.model));
    // A local model loads now (or, with keep_alive 0, unloads); an upstream's
    // model is always there.
    if (!plan.attempts.empty() &&
        ctx.deps().router->at(plan.attempts.front().backend).settings->kind ==
            core::BackendKind::kLocal) {
        codec::JsonWriter w;
        w.begin_object().field("model", std::string_view(ctx.decoded.model));
        w.key("answer").raw(ctx.decoded.backend_body).end_object();
        ctx.decoded.backend_path = std::string(router::kLoadPath);
        ctx.decoded.backend_body = w.take();
        ctx.decoded.translated = true;
        ctx.decoded.stream = false;
        return handle_inference(ctx);
    }
    return ctx.respond(json_response(200, std::move(ctx.decoded.backend_body)));
}

std::unique_ptr<RequestTask> handle_ollama_version(RouteContext& ctx) {
    codec::JsonWriter w;
    w.begin_object().field("version", kOllamaApiVersion).end_object();
    return ctx.respond(json_response(200, w.take()));
}

} // namespace edgeai::gateway
