// The routes that describe the gateway itself: / (name, version; a browser
// is sent to the console at /ui/ when there is one), /healthz
// (the process answers), /readyz (ready for traffic: not draining; each
// backend's breaker) and /metrics (Prometheus text).
#pragma once

#include "codec/json/json_writer.h"
#include "gateway/route_context.h"

#include <memory>

namespace edgeai::gateway {

// Whether the request's Accept names text/html (with a q above 0): a browser
// navigating to a page, not an API client.
bool wants_html(const core::HttpRequest& request);

std::unique_ptr<RequestTask> handle_root(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_healthz(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_readyz(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_metrics(RouteContext& ctx);

// "uplink" and "backends" (each one's name, kind, breaker, attempts in flight
// and average time to first byte once measured) into an open
// object, as /readyz and the MCP status resource show them.
void write_backend_states(codec::JsonWriter& w, const GatewayDeps& deps);

} // namespace edgeai::gateway
