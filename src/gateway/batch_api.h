// The OpenAI Batch API over the job queue: POST /v1/files (a JSONL of
// requests, uploaded as multipart/form-data), GET /v1/files/{id}[/content],
// POST /v1/batches (each line becomes a durable job), GET /v1/batches[/{id}],
// POST /v1/batches/{id}/cancel. A batch's output and error files are written
// when its last job ends (JobRunner calls finalize).
#pragma once

#include "gateway/route_context.h"

#include "gateway/exchange.h"
#include "queue/job_store.h"

#include <memory>
#include <string>

namespace edgeai::gateway {

std::unique_ptr<RequestTask> upload_file(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                         const core::HttpRequest& request, std::string id,
                                         int64_t now_ms);
void get_file(Exchange& exchange, queue::JobStore& store, const std::string& id, bool content);

// `access` null: no keys to check (tests, builds without security).
std::unique_ptr<RequestTask> create_batch(std::unique_ptr<Exchange> exchange,
                                          queue::JobStore& store, AccessControl* access,
                                          std::string_view body, core::Random& random,
                                          int64_t now_ms, std::function<void()> stored);
void get_batch(Exchange& exchange, queue::JobStore& store, const std::string& id);
void list_batches(Exchange& exchange, queue::JobStore& store, std::string_view target);
std::unique_ptr<RequestTask> cancel_batch(std::unique_ptr<Exchange> exchange,
                                          queue::JobStore& store, const std::string& id,
                                          int64_t now_ms);

// The routes' handlers (route_table.cpp); 501 when the build has no queue.
std::unique_ptr<RequestTask> handle_upload_file(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_get_file(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_get_file_content(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_create_batch(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_list_batches(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_get_batch(RouteContext& ctx);
std::unique_ptr<RequestTask> handle_cancel_batch(RouteContext& ctx);

} // namespace edgeai::gateway
