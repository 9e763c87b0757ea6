#include "gateway/service_api.h"

#include "codec/json/json_writer.h"
#include "core/config/routing_schema.h"
#include "core/http_types.h"
#include "gateway/access_control.h"
#include "gateway/api_responses.h"
#include "security/audit_sink.h"

namespace edgeai::gateway {

bool wants_html(const core::HttpRequest& request) {
    // Browsers list text/html first in Accept for a page they navigate to;
    // `*/*` alone (curl, SDKs) is not asking for a page.
    std::string_view accept = request.headers.get("accept");
    core::HeaderListEntry entry;
    while (core::next_header_list_entry(accept, entry))
        if (core::iequals(entry.value, "text/html")) return entry.accepted;
    return false;
}

std::unique_ptr<RequestTask> handle_root(RouteContext& ctx) {
    if (ctx.request.ollama_listener) {
        // What Ollama's clients probe for before they use the API.
        core::HttpResponse r;
        r.headers.add("content-type", "text/plain; charset=utf-8");
        r.body = "Ollama is running";
        return ctx.respond(std::move(r));
    }
    if (ctx.deps().static_files != nullptr && wants_html(ctx.request)) {
        // A person who typed the address into a browser gets the console;
        // API clients, which do not ask for HTML, keep the JSON line.
        core::HttpResponse r;
        r.status = 302;
        r.headers.add("location", "/ui/");
        return ctx.respond(std::move(r));
    }
    codec::JsonWriter w;
    w.begin_object()
        .field("name", "edgeai")
        .field("version", std::string_view(ctx.deps().version))
        .field("api", "/v1")
        .end_object();
    return ctx.respond(json_response(200, w.take()));
}

std::unique_ptr<RequestTask> handle_healthz(RouteContext& ctx) {
    return ctx.respond(json_response(200, R"({"status":"ok"})"));
}

std::unique_ptr<RequestTask> handle_readyz(RouteContext& ctx) {
    const router::Router& router = *ctx.deps().router;
    const bool draining = ctx.shared.draining;
    bool remote = false;
    for (size_t i = 0; i < router.size(); ++i)
        remote |= router.at(i).settings->kind != core::BackendKind::kLocal;
    // An audit log that cannot be written refuses requests (by default), so
    // load balancers should move away and operators see why.
    const core::Status audit =
        ctx.deps().audit != nullptr ? ctx.deps().audit->health() : core::Status();
    const bool audit_refuses = !audit.ok() && ctx.deps().settings->audit.on_write_failure ==
                                                  core::AuditWriteFailure::kRefuse;
    // Shared limits (Redis) that are away: reported always; not ready only
    // when limits.fail_mode = "closed" refuses limited keys meanwhile.
    const AccessControl* access = ctx.deps().access;
    const std::string shared = access != nullptr ? access->shared_state() : std::string();
    const bool limits_refuse = access != nullptr && access->shared_refuses_when_down();
    const bool ready = !draining && !audit_refuses && !limits_refuse;
    codec::JsonWriter w;
    w.begin_object().field("status", draining        ? "draining"
                                     : audit_refuses ? "audit_failing"
                                     : limits_refuse ? "limits_unavailable"
                                                     : "ready");
    w.field("upstream", remote ? "configured" : "none");
    if (!shared.empty()) w.field("shared_limits", std::string_view(shared));
    if (!audit.ok()) w.field("audit_error", std::string_view(audit.message()));
    write_backend_states(w, ctx.deps());
    w.end_object();
    return ctx.respond(json_response(ready ? 200 : 503, w.take()));
}

void write_backend_states(codec::JsonWriter& w, const GatewayDeps& deps) {
    const router::Router& router = *deps.router;
    // Each backend's breaker, so an operator sees what the router avoids.
    const int64_t now = deps.clock->monotonic_ns();
    w.field("uplink", router.offline() ? "offline" : "online");
    w.key("backends").begin_array();
    for (size_t i = 0; i < router.size(); ++i) {
        const router::RoutedBackend& b = router.at(i);
        w.begin_object()
            .field("name", std::string_view(b.settings->name))
            .field("kind", core::backend_kind_name(b.settings->kind))
            .field("circuit", router::breaker_state_name(b.breaker.state(now)))
            .field("in_flight", static_cast<int64_t>(b.in_flight));
        // The average time to the first byte that latency routing reads;
        // absent until the backend has answered once.
        const double ms = b.first_byte_ms.value();
        if (ms >= 0) w.field("first_byte_ms", static_cast<int64_t>(ms + 0.5));
        w.end_object();
    }
    w.end_array();
}

std::unique_ptr<RequestTask> handle_metrics(RouteContext& ctx) {
    core::HttpResponse r;
    r.headers.add("content-type", "text/plain; version=0.0.4; charset=utf-8");
    r.body = ctx.deps().metrics->render();
    return ctx.respond(std::move(r));
}

} // namespace edgeai::gateway
