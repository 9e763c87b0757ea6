// /mcp: the Model Context Protocol over Streamable HTTP (and, through the
// same handler, `edgeai mcp` on stdio). JSON-RPC messages are POSTed; a
// session starts with initialize (Mcp-Session-Id) and belongs to the key that
// made it. A tool call is sent through Gateway::handle as the API request it
// stands for, acting as the caller's key, so scopes, the key's models,
// limits, budgets, usage and the audit log decide and record it exactly as
// they would a direct call. api/mcp holds the protocol and the catalogue.
#pragma once

#include "gateway/route_context.h"

namespace edgeai::gateway {

std::unique_ptr<RequestTask> handle_mcp_post(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_mcp_get(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_mcp_delete(RouteContext& ctx);

} // namespace edgeai::gateway
