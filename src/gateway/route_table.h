// The HTTP surface of the gateway in one table (route_table.cpp): each line
// is one method on one path pattern, with what the request needs before its
// handler runs (the key's scope, the body's content type and size) and the
// handler itself. An unknown path is a 404, a known path with another method
// a 405 with Allow; nothing else decides where a request goes, so adding a
// route is one line here and one handler in a file named for its API.
//
// Path patterns are literal segments and one capture at most:
//   {id}   one segment, not empty, percent-decoded       /v1/jobs/{id}
//   {id+}  the rest of the path, slashes included        /v1/models/{id+}
//   {tail} "" or "/..." after the prefix, raw (/ui)       /ui{tail}
// A trailing slash is the same route (clients and proxies add them), except
// for {tail}, whose file server gives it a meaning.
#pragma once

#include "api/routes.h"
#include "core/http_types.h"
#include "core/result.h"
#include "gateway/response_writer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace edgeai::gateway {

struct RouteContext;

// What a route's body may be, checked against Content-Type once the body is
// read. A request without a Content-Type passes (curl -d, old SDKs).
enum class BodyType : uint8_t {
    kAny,       // not looked at by the gateway (GET, DELETE, the handler checks)
    kJson,      // application/json
    kMultipart, // multipart/form-data; the handler reads the boundary
};

// How large a route's body may be; the shell stops reading past it (413).
enum class BodyLimit : uint8_t {
    kSmall,  // kSmallBodyBytes: reads, admin calls, nothing that carries a prompt
    kServer, // server.max_body_bytes: prompts, uploads
};
inline constexpr size_t kSmallBodyBytes = size_t{64} << 10;

// Reads the request's body into `ctx.decoded` (one typed decode per
// request); a failed Status is answered as the client's error (400).
using RouteDecoder = core::Status (*)(RouteContext& ctx);
// Answers the request; returns the task still running for it, or null when
// the response was already sent.
using RouteHandler = std::unique_ptr<RequestTask> (*)(RouteContext& ctx);

struct Route {
    std::string_view method; // besides it, OPTIONS always and HEAD for GET
    std::string_view pattern;
    api::Endpoint endpoint; // metrics label, log name, error shape
    uint32_t scope;         // security::kScope*; 0: open to anyone
    BodyType body;
    BodyLimit max_body;
    RouteDecoder decode; // null: the handler reads what it needs
    RouteHandler handler;
};

struct RouteMatch {
    // The line for this method, or when the method is not allowed the first
    // line of the path (for its endpoint and Allow); null: no such path.
    const Route* route = nullptr;
    bool method_allowed = false;
    std::string id; // the pattern's capture
};

// Matches a path (without its query) and a method against the table.
RouteMatch match_route(std::string_view method, std::string_view path);

// The Allow header of the route's path: "GET, HEAD, DELETE, OPTIONS".
std::string allowed_methods(const Route& route);

} // namespace edgeai::gateway
