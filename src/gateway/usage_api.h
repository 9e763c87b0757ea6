// GET /v1/usage?by=key|backend|model&since=DURATION: tokens and cost summed
// from the usage records (admin scope).
#pragma once

#include "gateway/route_context.h"

#include <memory>

namespace edgeai::gateway {

std::unique_ptr<RequestTask> handle_usage(RouteContext& ctx);

} // namespace edgeai::gateway
