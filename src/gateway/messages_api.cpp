#include "gateway/messages_api.h"

#include "api/anthropic/anthropic_requests.h"
#include "api/openai_requests.h"

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
    // TODO(#15): the translation knows its sampling; read it there instead of
    // decoding the chat body it made.
    if (ctx.deps().cache != nullptr) {
        auto chat = api::decode_chat_completion_request(ctx.decoded.backend_body);
        ctx.decoded.deterministic =
            chat.ok() && ((chat->sampling.temperature && *chat->sampling.temperature == 0) ||
                          chat->sampling.seed.has_value());
    }
    return {};
}

} // namespace edgeai::gateway
