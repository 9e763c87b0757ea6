// The admin API for keys (admin scope): GET/POST /v1/keys, GET/DELETE
// /v1/keys/{id or name}, POST /v1/keys/{id or name}/rotate. It runs the same
// operations as `edgeai keys` (security/key_admin.h) and reloads the server's
// keys at once.
#pragma once

#include "gateway/route_context.h"

#include "api/routes.h"
#include "core/http_types.h"
#include "gateway/access_control.h"
#include "gateway/exchange.h"

#include <functional>
#include <string>

namespace edgeai::gateway {

// Every /v1/keys route; 501 when the build has no key store.
std::unique_ptr<RequestTask> handle_keys(RouteContext& ctx);

} // namespace edgeai::gateway
