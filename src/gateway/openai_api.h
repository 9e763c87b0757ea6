// OpenAI's inference routes: POST /v1/chat/completions, /v1/completions and
// /v1/embeddings. Each decoder validates the body once (the typed decoders in
// api/openai_requests name the field that is wrong) and reads what the
// pipeline needs from it; handle_inference (inference.h) serves all three.
#pragma once

#include "gateway/route_context.h"

namespace edgeai::gateway {

// Same request, same answer: greedy sampling, or a seed.
bool is_deterministic(const api::SamplingOptions& sampling);

core::Status decode_chat_completion(RouteContext& ctx);
core::Status decode_completion(RouteContext& ctx);
core::Status decode_embedding(RouteContext& ctx);

} // namespace edgeai::gateway
