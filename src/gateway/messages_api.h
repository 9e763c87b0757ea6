// Anthropic's Messages API, POST /v1/messages: translated into a chat
// completion that any backend serves (api/anthropic); the answer is
// translated back on its way out (ProxyTask wraps the observer).
#pragma once

#include "gateway/route_context.h"

namespace edgeai::gateway {

core::Status decode_messages(RouteContext& ctx);

// POST /v1/messages/count_tokens: the prompt tokens a Messages request comes
// to on the backend its route picks first. The local engine counts exactly
// (its chat template and tokenizer); other backends get an estimate, said
// so in `x-edgeai-token-count: estimate`.
core::Status decode_count_tokens(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_count_tokens(RouteContext& ctx);

} // namespace edgeai::gateway
