// OpenAI's Responses API: POST /v1/responses is translated into a chat
// completion that any backend serves (api/responses) and its answer back
// (router/responses_translator); a stored response (ResponseStore) is read,
// listed and deleted by its owner, and continued with previous_response_id.
#pragma once

#include "gateway/route_context.h"

namespace edgeai::gateway {

core::Status decode_responses(RouteContext& ctx);

std::unique_ptr<RequestTask> handle_get_response(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_delete_response(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_response_input_items(RouteContext& ctx);

} // namespace edgeai::gateway
