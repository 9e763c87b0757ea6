// The OpenAI Batch API's records: an uploaded file (JSONL of requests, or the
// output and error files a batch writes) and a batch, whose requests run as
// ordinary durable jobs. JSON here is in OpenAI's shapes, so the official SDK's
// `files` and `batches` calls read them unchanged.
#pragma once

#include "core/random.h"
#include "core/result.h"
#include "queue/job.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::queue {

struct StoredFile {
    std::string id;      // "file-" + 24 hex digits
    std::string purpose; // "batch" (uploads), "batch_output" (what a batch writes)
    std::string filename;
    int64_t bytes = 0;
    int64_t created_ms = 0;
    std::string content; // empty when read without it
    std::string owner;   // the API key id that uploaded it (or its batch's)
};

enum class BatchStatus {
    kValidating,
    kFailed,
    kInProgress,
    kFinalizing,
    kCompleted,
    kExpired,
    kCancelling,
    kCancelled
};
std::string_view batch_status_name(BatchStatus status);

struct Batch {
    std::string id; // "batch_" + 24 hex digits
    BatchStatus status = BatchStatus::kValidating;
    std::string endpoint; // "/v1/chat/completions", ...
    std::string input_file_id;
    std::string completion_window; // "24h"
    std::string output_file_id;    // once completed
    std::string error_file_id;     // once completed, when some requests failed
    std::string errors_json;       // validation errors ({"object":"list",...}); empty: none
    std::string metadata_json;     // the client's metadata object; empty: none
    std::string owner;             // the API key id that made it; empty without auth
    int64_t created_ms = 0, in_progress_ms = 0, expires_ms = 0, finalizing_ms = 0, completed_ms = 0,
            failed_ms = 0, cancelling_ms = 0, cancelled_ms = 0, expired_ms = 0;
    // request_counts, from the batch's jobs when read.
    int64_t total = 0, completed = 0, failed = 0;
};

std::string file_json(const StoredFile& file);
std::string batch_json(const Batch& batch);

// One line of a batch's input file, checked: the jobs to run, or (with
// `errors` filled) why the batch cannot run. Lines are numbered from 1.
struct BatchPlan {
    std::vector<Job> jobs;
    std::string errors_json; // empty when every line is good
};
// `refuse_model`, when set, says why the batch's key may not use a line's
// model (empty when it may): such a line is named in the errors, as a
// malformed one is.
using ModelCheck = std::function<std::string(std::string_view model)>;
// More than `max_lines` requests fail the batch (one tenant's file must not
// fill the shared queue).
BatchPlan plan_batch(const Batch& batch, std::string_view jsonl, core::Random& random,
                     int64_t now_ms, int64_t ttl_ms, const ModelCheck& refuse_model = {},
                     size_t max_lines = 50000);

// The lines a finished batch writes: the output file's for a job that
// succeeded, the error file's for one that did not.
std::string batch_output_line(const Job& job);
std::string batch_error_line(const Job& job);

} // namespace edgeai::queue
