#include "gateway/openai_api.h"

#include "api/openai_requests.h"

namespace edgeai::gateway {

bool is_deterministic(const api::SamplingOptions& s) {
    return (s.temperature && *s.temperature == 0) || s.seed.has_value();
}

core::Status decode_chat_completion(RouteContext& ctx) {
    auto decoded = api::decode_chat_completion_request(ctx.request.body);
    if (!decoded.ok()) return decoded.status();
    ctx.decoded.model = decoded->model; // a copy: the decoded body keeps its own
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = "/chat/completions";
    ctx.decoded.stream = decoded->stream;
    ctx.decoded.deterministic = is_deterministic(decoded->sampling);
    ctx.decoded.body.chat = std::move(decoded).value();
    return {};
}

core::Status decode_completion(RouteContext& ctx) {
    auto decoded = api::decode_completion_request(ctx.request.body);
    if (!decoded.ok()) return decoded.status();
    ctx.decoded.model = decoded->model; // a copy: the decoded body keeps its own
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = "/completions";
    ctx.decoded.stream = decoded->stream;
    ctx.decoded.deterministic = is_deterministic(decoded->sampling);
    ctx.decoded.body.completion = std::move(decoded).value();
    return {};
}

core::Status decode_embedding(RouteContext& ctx) {
    auto decoded = api::decode_embedding_request(ctx.request.body);
    if (!decoded.ok()) return decoded.status();
    ctx.decoded.model = decoded->model; // a copy: the decoded body keeps its own
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = "/embeddings";
    ctx.decoded.deterministic = true;
    ctx.decoded.body.embedding = std::move(decoded).value();
    return {};
}

} // namespace edgeai::gateway
