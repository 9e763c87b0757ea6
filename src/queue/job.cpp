#include "queue/job.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"
#include "core/hex.h"
#include "core/sha256.h"

namespace edgeai::queue {
namespace {

constexpr std::string_view kNames[] = {"queued", "running",   "succeeded",
                                       "failed", "cancelled", "expired"};

} // namespace

std::string_view job_status_name(JobStatus status) {
    return kNames[static_cast<size_t>(status)];
}

std::optional<JobStatus> parse_job_status(std::string_view name) {
    for (size_t i = 0; i < std::size(kNames); ++i)
        if (kNames[i] == name) return static_cast<JobStatus>(i);
    return std::nullopt;
}

bool is_final(JobStatus status) {
    return status != JobStatus::kQueued && status != JobStatus::kRunning;
}

std::string webhook_signature(std::string_view secret, int64_t unix_s, std::string_view body) {
    const std::string t = std::to_string(unix_s);
    std::string signed_text = t;
    signed_text.push_back('.');
    signed_text.append(body);
    return "t=" + t + ",v1=" + core::hex_encode(core::hmac_sha256(secret, signed_text));
}

std::string job_json(const Job& job) {
    codec::JsonWriter w;
    w.begin_object()
        .field("id", std::string_view(job.id))
        .field("object", "job")
        .field("status", job_status_name(job.status))
        .field("endpoint", std::string_view(job.path))
        .field("model", std::string_view(job.model))
        .field("priority", job.priority)
        .field("created_at", job.created_ms / 1000)
        .field("expires_at", job.expires_ms / 1000)
        .field("attempts", job.attempts);
    w.key("last_error");
    if (job.last_error.empty())
        w.null();
    else
        w.value(std::string_view(job.last_error));
    if (!job.callback_url.empty()) {
        static constexpr std::string_view kStates[] = {"none", "pending", "delivered", "failed"};
        w.field("callback_url", std::string_view(job.callback_url));
        w.field("webhook_status", kStates[static_cast<size_t>(job.webhook)]);
        w.field("webhook_attempts", job.webhook_attempts);
    }
    if (is_final(job.status) && job.result_status != 0) {
        w.field("response_status", static_cast<int64_t>(job.result_status));
        w.key("response");
        // The answer as the synchronous call would have returned it: JSON as
        // JSON, anything else (a streamed answer's events) as a string.
        if (codec::is_valid_json(job.result_body))
            w.raw(job.result_body);
        else
            w.value(std::string_view(job.result_body));
    }
    w.end_object();
    return w.take();
}

} // namespace edgeai::queue
