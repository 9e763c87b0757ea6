// The one way an inference request (chat, completions, embeddings, Anthropic
// messages) is served once decoded and admitted: as a durable job when the
// client prefers respond-async, from the response cache when it can, else by
// the router's plan of backends through a ProxyTask.
#pragma once

#include "api/api_error.h"
#include "gateway/route_context.h"
#include "router/router.h"

#include <memory>

namespace edgeai::gateway {

std::unique_ptr<RequestTask> handle_inference(RouteContext& ctx);

// About four bytes of JSON per token: an estimate for route conditions and
// prices, before any backend has counted.
inline uint32_t estimated_prompt_tokens(size_t body_bytes) {
    return static_cast<uint32_t>(body_bytes / 4);
}

// What the router plans a decoded request by: its model, its estimated
// prompt, its headers and its key.
router::RouteFacts route_facts(RouteContext& ctx, size_t body_bytes);

// The error when nothing serves `model`: no backend at all, or none for it
// (naming the models that are served).
api::ApiError no_backend_for(const router::Router& router, const std::string& model);

} // namespace edgeai::gateway
