// Gateway: the request lifecycle, portable. A shell hands it each HTTP request
// with a ResponseWriter; the gateway checks it, routes it to the API handler or
// a backend, relays the answer, and records metrics and the request log line.
#pragma once

#include "api/api_error.h"
#include "core/clock.h"
#include "core/config/settings.h"
#include "core/executor.h"
#include "core/file_source.h"
#include "core/http_types.h"
#include "core/net/destination_policy.h"
#include "core/random.h"
#include "gateway/response_writer.h"
#include "queue/job_store.h"
#include "router/router.h"
#include "router/usage.h"
#include "security/audit_sink.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace edgeai::gateway {

class ResponseCache;
class ResponseStore;
class AccessControl;

struct GatewayDeps {
    const core::Settings* settings = nullptr;
    const core::Clock* clock = nullptr;
    telemetry::Logger* logger = nullptr;
    telemetry::MetricsRegistry* metrics = nullptr;
    // Where API calls go: every backend (the local engine, upstreams), with
    // routes, fallback, retries and circuit breakers. Required: a single
    // --upstream is a router with one backend.
    router::Router* router = nullptr;
    // Where each API request's tokens and cost are kept; null: not kept.
    router::UsageStore* usage = nullptr;
    // Answers kept for repeated requests; null: no cache.
    ResponseCache* cache = nullptr;
    // Stored responses of the Responses API; null: not kept (`store` is
    // false in every answer) and /v1/responses/{id} is not available.
    ResponseStore* responses = nullptr;
    // Durable jobs (`Prefer: respond-async`, /v1/jobs); null: requests are
    // answered synchronously and /v1/jobs is 501.
    queue::JobStore* jobs = nullptr;
    // Runs retries and backoffs later on the loop; required.
    core::Executor* executor = nullptr;
    // Keys, scopes, limits; null: every request is served (tests, WASI).
    AccessControl* access = nullptr;
    // One record per request; null: no audit log.
    security::AuditSink* audit = nullptr;
    // The web page's files under /ui/; null: /ui answers 404.
    core::FileSource* static_files = nullptr;
    // The CSPRNG (ids, new API keys' secrets, routing's coin); required.
    core::Random* random = nullptr;
    // Where a job's webhook may go (queue.webhook_allow, the gateway's own
    // endpoints); null: public addresses only.
    const core::net::DestinationPolicy* webhooks = nullptr;
    // Resident memory in bytes, for the MCP status resource; null: unknown.
    std::function<uint64_t()> memory_bytes;
    std::string version = "0.0.0";

    const core::net::DestinationPolicy& webhook_policy() const;
};

struct RouteContext;

// A request whose head was accepted (route, CORS, key and scope) and whose
// body is still to be read: the shell reads at most max_body_bytes(), then
// calls proceed(), or refuse() when the body cannot be read.
class IncomingRequest {
  public:
    explicit IncomingRequest(std::unique_ptr<RouteContext> ctx);
    ~IncomingRequest();
    size_t max_body_bytes() const;
    // The rest of the pipeline with the body; same return as Gateway::handle.
    std::unique_ptr<RequestTask> proceed(std::string body);
    void refuse(const api::ApiError& error);

  private:
    std::unique_ptr<RouteContext> ctx_;
};

class Gateway {
  public:
    explicit Gateway(GatewayDeps deps);
    ~Gateway();

    // Handles one request whose body is read. Returns the task still running
    // for it, or null when the response was already sent through `writer`.
    // `writer` must outlive the returned task.
    std::unique_ptr<RequestTask> handle(core::HttpRequest request, ResponseWriter* writer);

    // The head alone (request.body unused): null when it was answered (404,
    // 405, a preflight, a refused key), else what to do with the body.
    std::unique_ptr<IncomingRequest> begin(core::HttpRequest request, ResponseWriter* writer);

    // True when `id` from a client is safe to echo and log.
    static bool is_valid_request_id(std::string_view id);

    // Counts a request the shell refused before it could be handed over (413,
    // 431, malformed HTTP), in the same metric as every other request.
    void record_rejected(int status);

    // While draining (shutdown), /readyz answers 503 so load balancers move
    // away, and new requests get 503 shutting_down with Retry-After.
    void set_draining(bool draining);
    // The grace period is over: every client request still running ends in
    // its API's shape (a stream with an error event, the rest 503) before
    // the shell closes the connections.
    void end_all_for_shutdown();

    // Whether a request for `model` has somewhere to go now: a target whose
    // breaker lets it through, and while the uplink is down a local one. A
    // job that has not waits without spending an attempt.
    bool can_deliver(std::string_view model) const;

    // Called once a new job is on disk (the delivery side wakes up).
    void set_job_listener(std::function<void()> listener);

    // The CSPRNG it was given (GatewayDeps::random), for its job runner.
    core::Random* random() const;

    struct Shared;

  private:
    std::unique_ptr<Shared> shared_;
};

} // namespace edgeai::gateway
