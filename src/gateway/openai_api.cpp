#include "gateway/openai_api.h"

#include "api/openai_requests.h"

namespace edgeai::gateway {

bool is_deterministic(const api::SamplingOptions& s) {
    return (s.temperature && *s.temperature == 0) || s.seed.has_value();
}

namespace {

// Chat completions and completions carry the same fields the pipeline reads.
template <typename Request>
core::Status read_generation(RouteContext& ctx, core::Result<Request> decoded,
                             std::string_view backend_path,
                             std::optional<Request> api::DecodedBody::*slot) {
    if (!decoded.ok()) return decoded.status();
    ctx.decoded.model = decoded->model; // a copy: the decoded body keeps its own
    ctx.decoded.spends_tokens = true;
    ctx.decoded.backend_path = std::string(backend_path);
    ctx.decoded.stream = decoded->stream;
    ctx.decoded.deterministic = is_deterministic(decoded->sampling);
    ctx.decoded.body.*slot = std::move(decoded).value();
    return {};
}

} // namespace

core::Status decode_chat_completion(RouteContext& ctx) {
    return read_generation(ctx, api::decode_chat_completion_request(ctx.request.body),
                           "/chat/completions", &api::DecodedBody::chat);
}

core::Status decode_completion(RouteContext& ctx) {
    return read_generation(ctx, api::decode_completion_request(ctx.request.body), "/completions",
                           &api::DecodedBody::completion);
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
