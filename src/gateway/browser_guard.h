// What keeps a web page in the operator's browser from driving the gateway.
// A page may send "simple" cross-origin requests (a text/plain or form POST)
// without a CORS preflight, and through DNS rebinding it may reach a
// loopback gateway under a name of its own; without keys such a request
// would pass every other check.
#pragma once

#include "core/config/settings.h"
#include "core/http_types.h"
#include "core/status.h"

namespace edgeai::gateway {

// A request that changes state (any method but GET, HEAD and OPTIONS) whose
// Origin is neither the gateway's own (scheme and Host as sent) nor in
// server.cors.allow_origins: 403 cross_origin_refused. Clients that are not
// browsers send no Origin and pass.
[[nodiscard]] core::Status check_origin(const core::HttpRequest& request,
                                        const core::Settings& settings);

// Without keys, only Host values that cannot be a rebound DNS name: IP
// literals, localhost and *.localhost, and the host server.listen names
// (403 host_not_allowed).
[[nodiscard]] core::Status check_host_without_keys(const core::HttpRequest& request,
                                                   const core::Settings& settings);

} // namespace edgeai::gateway
