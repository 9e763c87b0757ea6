#include "gateway/messages_api.h"

#include "api/anthropic/anthropic_requests.h"
#include "api/openai_requests.h"
#include "gateway/openai_api.h"

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

} // namespace edgeai::gateway
