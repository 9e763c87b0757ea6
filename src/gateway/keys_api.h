// The admin API for keys (admin scope): GET/POST /v1/keys, GET/DELETE
// /v1/keys/{id or name}, POST /v1/keys/{id or name}/rotate. It runs the same
// operations as `edgeai keys` (security/key_admin.h) and reloads the server's
// keys at once.
#pragma once

#include "api/routes.h"
#include "core/http_types.h"
#include "gateway/access_control.h"
#include "gateway/exchange.h"

#include <functional>
#include <string>

namespace edgeai::gateway {

void handle_keys_api(Exchange& exchange, AccessControl& access, const core::HttpRequest& request,
                     const api::RouteMatch& match,
                     const std::function<std::string(size_t)>& random_bytes, int64_t now_ms);

} // namespace edgeai::gateway
