// The job side of the HTTP API: accepting a request as a durable job
// (`Prefer: respond-async`, RFC 7240) and GET/DELETE /v1/jobs. The answer to
// an accepted job waits until the store says the job is on disk.
#pragma once

#include "gateway/route_context.h"

#include "core/http_types.h"
#include "core/net/destination_policy.h"
#include "gateway/exchange.h"
#include "gateway/response_writer.h"
#include "queue/job_store.h"

#include <memory>
#include <string>
#include <string_view>

namespace edgeai::gateway {

// True when a Prefer header asks for respond-async (among other preferences).
bool prefers_async(std::string_view prefer);

// The job for an accepted request, or InvalidArgument naming the header that
// is wrong (x-edgeai-priority, x-edgeai-callback-url).
core::Result<queue::Job> job_for_request(const core::HttpRequest& request, std::string body,
                                         std::string model, std::string id, int64_t now_ms,
                                         int64_t ttl_ms,
                                         const core::net::DestinationPolicy& webhook_policy);

// A webhook URL as the job keeps it (normalised: "http://127.1" is
// "http://127.0.0.1/"), or InvalidArgument naming x-edgeai-callback-url when it
// is malformed or names an address the policy refuses.
core::Result<std::string> checked_callback_url(std::string_view text,
                                               const core::net::DestinationPolicy& policy);

// Stores the job, then answers 202 (Location: /v1/jobs/{id}) with the job, or
// the stored job when its Idempotency-Key was seen before; 429 when the queue
// is full, 507 when the disk is. `stored` runs once a new job is on disk.
std::unique_ptr<RequestTask> enqueue_job(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                         queue::Job job, std::function<void()> stored);

// GET /v1/jobs?status=S&limit=N&after=ID
void list_jobs(Exchange& exchange, queue::JobStore& store, std::string_view target);
// GET /v1/jobs/{id}
void get_job(Exchange& exchange, queue::JobStore& store, const std::string& id);
// DELETE /v1/jobs/{id}
std::unique_ptr<RequestTask> cancel_job(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                        const std::string& id);

// The routes' handlers (route_table.cpp); 501 when the build has no queue.
std::unique_ptr<RequestTask> handle_list_jobs(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_get_job(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_cancel_job(RouteContext& ctx);

} // namespace edgeai::gateway
