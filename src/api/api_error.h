// Every error leaves the gateway in OpenAI's shape,
//   {"error":{"message":"...","type":"...","param":null,"code":null}}
// with the HTTP status an OpenAI SDK maps to its matching error class. This file
// is the one table from Status codes (and HTTP-only conditions) to that shape.
#pragma once

#include "core/http_types.h"
#include "core/status.h"

#include <string>
#include <string_view>

namespace edgeai::api {

struct ApiError {
    int http_status = 500;
    std::string type;      // "invalid_request_error", "server_error", ...
    std::string code;      // machine-readable, empty for null
    std::string param;     // the offending request field, empty for null
    std::string message;   // a sentence a user can act on
    int retry_after_s = 0; // > 0 adds Retry-After
};

ApiError api_error_from_status(const core::Status& status);

// HTTP conditions that have no Status code of their own.
ApiError route_not_found(std::string_view method, std::string_view path);
ApiError method_not_allowed(std::string_view method, std::string_view path);
ApiError payload_too_large(size_t limit_bytes);
ApiError headers_too_large(size_t limit_bytes);
ApiError unsupported_media_type(std::string_view content_type);
ApiError bad_gateway(std::string message);
ApiError gateway_timeout(std::string message);
ApiError service_unavailable(std::string message);

// Errors with a code of their own: the one place each one's shape (status,
// code, param) is decided. `detail` is appended to the sentence.
core::Status model_not_found(std::string_view model, std::string_view detail = {});
// The prompt and the completion do not fit the model's context; `param` is
// the field that holds the prompt ("messages", "prompt", "input").
core::Status context_length_exceeded(uint64_t n_ctx, uint64_t prompt_tokens, uint64_t max_tokens,
                                     std::string_view param);
// Who may call (gateway/access_control): 401 invalid_api_key with a message
// saying why; 403 with the refusal's code (insufficient_scope,
// model_not_allowed with param "model", auth_not_configured); 429 with the
// limit's code and the seconds until it resets (Retry-After).
core::Status invalid_api_key(std::string message);
core::Status permission_denied(std::string_view code, std::string message);
core::Status rate_limited(std::string_view code, std::string message, int64_t retry_after_s);

// Jobs, files and batches (the durable queue).
core::Status job_not_found(std::string_view id);
// The server is shutting down: the request was not started (or was cut at
// the end of the grace period); another replica, or this one restarted, takes it.
core::Status shutting_down();
// The audit log cannot be written and audit.on_write_failure is "refuse".
core::Status audit_unavailable(const core::Status& why);
core::Status file_not_found(std::string_view what);
core::Status batch_not_found(std::string_view id);
// The queue's store refused: full (429 queue_full, Retry-After 5 s), out of
// disk (507 insufficient_storage); anything else by its code. A job or batch
// that already ended cannot be cancelled (409): `ended_code` names which.
ApiError queue_error(const core::Status& status, std::string_view ended_code = {});
// Models loaded on demand (models.dir). The model can never fit the memory
// budget beside the models that stay loaded: 507 insufficient_memory (a retry
// cannot help). It would fit once models now answering requests are idle: 503
// model_memory_busy with Retry-After. Its file would not load: 500
// model_load_failed, and the next request tries again.
ApiError model_too_large(std::string message);
ApiError model_memory_busy(std::string message, int retry_after_s);
ApiError model_load_failed(std::string_view model, std::string_view why);
// An upstream answered with an error body we cannot pass on as it is.
ApiError upstream_error(int http_status, std::string message);

// The JSON body alone.
std::string render_api_error(const ApiError& error);
// A complete response: status, JSON body, content type and Retry-After.
core::HttpResponse api_error_response(const ApiError& error);

// True when `body` already is {"error":{...}} with a string message, i.e. an
// upstream's error we can pass on as it is.
bool is_openai_error_body(std::string_view body);

} // namespace edgeai::api
