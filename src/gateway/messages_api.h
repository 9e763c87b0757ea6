// Anthropic's Messages API, POST /v1/messages: translated into a chat
// completion that any backend serves (api/anthropic); the answer is
// translated back on its way out (ProxyTask wraps the observer).
#pragma once

#include "gateway/route_context.h"

namespace edgeai::gateway {

core::Status decode_messages(RouteContext& ctx);

} // namespace edgeai::gateway
