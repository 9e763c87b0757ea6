// Gateway: the request lifecycle, portable. A shell hands it each HTTP request
// with a ResponseWriter; the gateway checks it, routes it to the API handler or
// a backend, relays the answer, and records metrics and the request log line.
#pragma once

#include "core/clock.h"
#include "core/config/settings.h"
#include "core/executor.h"
#include "core/file_source.h"
#include "core/http_types.h"
#include "gateway/response_writer.h"
#include "queue/job_store.h"
#include "router/backend.h"
#include "router/local_backend.h"
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
class AccessControl;

struct GatewayDeps {
    const core::Settings* settings = nullptr;
    const core::Clock* clock = nullptr;
    telemetry::Logger* logger = nullptr;
    telemetry::MetricsRegistry* metrics = nullptr;
    // The upstream; null when none is configured.
    router::Backend* upstream = nullptr;
    // Local GGUF models; null when none is loaded. Requests naming one of its
    // models go there, the rest upstream.
    router::LocalBackend* local = nullptr;
    // Where API calls go: routes over every backend, with fallback, retries and
    // circuit breakers. Null: the upstream / local pair above decides.
    router::Router* router = nullptr;
    // Where each API request's tokens and cost are kept; null: not kept.
    router::UsageStore* usage = nullptr;
    // Answers kept for repeated requests; null: no cache.
    ResponseCache* cache = nullptr;
    // Durable jobs (`Prefer: respond-async`, /v1/jobs); null: requests are
    // answered synchronously and /v1/jobs is 501.
    queue::JobStore* jobs = nullptr;
    // Times retry backoffs; required with a router.
    core::Executor* executor = nullptr;
    // Keys, scopes, limits; null: every request is served (tests, WASI).
    AccessControl* access = nullptr;
    // One record per request; null: no audit log.
    security::AuditSink* audit = nullptr;
    // The web page's files under /ui/; null: /ui answers 404.
    core::FileSource* static_files = nullptr;
    // Bytes from a CSPRNG (new API keys); required with `access`.
    std::function<std::string(size_t)> random_bytes;
    // Entropy from the platform for request ids.
    uint64_t id_seed = 0;
    std::string version = "0.0.0";
};

class Gateway {
  public:
    explicit Gateway(GatewayDeps deps);
    ~Gateway();

    // Handles one request. Returns the task still running for it, or null when
    // the response was already sent through `writer`. `writer` must outlive the
    // returned task.
    std::unique_ptr<RequestTask> handle(core::HttpRequest request, ResponseWriter* writer);

    // A new id for a request that came without a usable x-request-id.
    std::string make_request_id();

    // True when `id` from a client is safe to echo and log.
    static bool is_valid_request_id(std::string_view id);

    // Counts a request the shell refused before it could be handed over (413,
    // 431, malformed HTTP), in the same metric as every other request.
    void record_rejected(int status);

    // While draining (shutdown), /readyz answers 503 so load balancers move away.
    void set_draining(bool draining) { draining_ = draining; }

    // Whether a request for `model` has somewhere to go now: a target whose
    // breaker lets it through, and while the uplink is down a local one. A
    // job that has not waits without spending an attempt.
    bool can_deliver(std::string_view model) const;

    // Called once a new job is on disk (the delivery side wakes up).
    void set_job_listener(std::function<void()> listener) { job_listener_ = std::move(listener); }

    struct Shared;

  private:
    std::unique_ptr<Shared> shared_;
    bool draining_ = false;
    uint64_t id_counter_ = 0;
    std::function<void()> job_listener_;
};

} // namespace edgeai::gateway
