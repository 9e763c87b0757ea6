// A durable job: an API request accepted with `Prefer: respond-async`, kept on
// disk until a backend has answered it, then kept with its answer until it
// expires. The queue layer is portable: the store behind JobStore is the
// platform's (SQLite natively).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace edgeai::queue {

enum class JobStatus { kQueued, kRunning, kSucceeded, kFailed, kCancelled, kExpired };
enum class WebhookState { kNone, kPending, kDelivered, kFailed };

// "queued", "running", ... as the API and the store spell them.
std::string_view job_status_name(JobStatus status);
std::optional<JobStatus> parse_job_status(std::string_view name);
// Succeeded, failed, cancelled and expired jobs never change again.
bool is_final(JobStatus status);

struct Job {
    std::string id; // "job_" + 24 hex digits
    JobStatus status = JobStatus::kQueued;
    std::string path;            // the API path it was sent to, "/v1/chat/completions"
    std::string body;            // the request body exactly as the client sent it
    std::string model;           // for listing and routing decisions
    std::string idempotency_key; // the client's Idempotency-Key; empty: none
    std::string callback_url;    // a webhook to call when it is done; empty: none
    int64_t priority = 0;        // higher first
    int64_t created_ms = 0;
    int64_t updated_ms = 0;
    int64_t run_after_ms = 0; // not tried before (a retry's backoff)
    int64_t expires_ms = 0;   // given up (expired) after
    int64_t attempts = 0;
    std::string last_error;
    int result_status = 0;   // the HTTP status of the answer
    std::string result_body; // the answer, as the synchronous call returns it
    // The webhook (callback_url) once the job ended: pending until the
    // receiver answers 2xx, failed after queue.max_attempts tries.
    WebhookState webhook = WebhookState::kNone;
    int64_t webhook_attempts = 0;
    int64_t webhook_after_ms = 0; // next try not before
    std::string batch_id;         // the batch it belongs to; empty: none
    std::string custom_id;        // the batch line's custom_id
    // The API key id that made it; empty without auth. Only that key (or an
    // admin key) sees it, and its delivery is charged to that key.
    std::string owner;
};

// The JSON a client sees for a job (GET /v1/jobs/{id}, the 202 body):
// id, object "job", status, created_at, attempts, last_error, the webhook's
// state when it has one, and with a final status the answer's status code
// and, when it is JSON, its body under "response" (else as a string).
std::string job_json(const Job& job);

// The webhook's signature header for `body` sent at `unix_s`:
// "t=<unix_s>,v1=<hex HMAC-SHA256(secret, "<unix_s>." + body)>".
std::string webhook_signature(std::string_view secret, int64_t unix_s, std::string_view body);

} // namespace edgeai::queue
