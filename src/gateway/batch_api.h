// The OpenAI Batch API over the job queue: POST /v1/files (a JSONL of
// requests, uploaded as multipart/form-data), GET /v1/files/{id}[/content],
// POST /v1/batches (each line becomes a durable job), GET /v1/batches[/{id}],
// POST /v1/batches/{id}/cancel. A batch's output and error files are written
// when its last job ends (JobRunner calls finalize).
#pragma once

#include "gateway/exchange.h"
#include "queue/job_store.h"

#include <memory>
#include <string>

namespace edgeai::gateway {

std::unique_ptr<RequestTask> upload_file(std::unique_ptr<Exchange> exchange, queue::JobStore& store,
                                         const core::HttpRequest& request, std::string id,
                                         int64_t now_ms);
void get_file(Exchange& exchange, queue::JobStore& store, const std::string& id, bool content);

std::unique_ptr<RequestTask> create_batch(std::unique_ptr<Exchange> exchange,
                                          queue::JobStore& store, std::string_view body,
                                          std::string id, uint64_t id_seed, int64_t now_ms,
                                          std::function<void()> stored);
void get_batch(Exchange& exchange, queue::JobStore& store, const std::string& id);
void list_batches(Exchange& exchange, queue::JobStore& store, std::string_view target);
std::unique_ptr<RequestTask> cancel_batch(std::unique_ptr<Exchange> exchange,
                                          queue::JobStore& store, const std::string& id,
                                          int64_t now_ms);

} // namespace edgeai::gateway
