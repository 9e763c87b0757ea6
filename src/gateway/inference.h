// The one way an inference request (chat, completions, embeddings, Anthropic
// messages) is served once decoded and admitted: as a durable job when the
// client prefers respond-async, from the response cache when it can, else by
// the router's plan of backends through a ProxyTask.
#pragma once

#include "gateway/route_context.h"

#include <memory>

namespace edgeai::gateway {

std::unique_ptr<RequestTask> handle_inference(RouteContext& ctx);

} // namespace edgeai::gateway
