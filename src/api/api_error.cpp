#include "api/api_error.h"

#include "codec/json/json_document.h"
#include "codec/json/json_writer.h"

#include <algorithm>

namespace edgeai::api {

using core::StatusCode;

ApiError api_error_from_status(const core::Status& status) {
    ApiError e;
    e.message = status.message();
    e.param = status.field();
    switch (status.code()) {
    case StatusCode::kOk:
    case StatusCode::kInternal:
    case StatusCode::kDataLoss:
        e.http_status = 500;
        e.type = "server_error";
        break;
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
        e.http_status = 400;
        e.type = "invalid_request_error";
        break;
    case StatusCode::kNotFound:
        e.http_status = 404;
        e.type = "invalid_request_error";
        e.code = "not_found";
        break;
    case StatusCode::kUnauthenticated:
        e.http_status = 401;
        e.type = "authentication_error";
        e.code = "invalid_api_key";
        break;
    case StatusCode::kPermissionDenied:
        e.http_status = 403;
        e.type = "permission_error";
        break;
    case StatusCode::kResourceExhausted:
        e.http_status = 429;
        e.type = "rate_limit_error";
        e.code = "rate_limit_exceeded";
        e.retry_after_s = 1;
        break;
    case StatusCode::kUnavailable:
        e.http_status = 503;
        e.type = "server_error";
        e.code = "service_unavailable";
        break;
    case StatusCode::kDeadlineExceeded:
        e.http_status = 504;
        e.type = "server_error";
        e.code = "timeout";
        break;
    case StatusCode::kUnimplemented:
        e.http_status = 400;
        e.type = "invalid_request_error";
        e.code = "unsupported";
        break;
    case StatusCode::kCancelled:
        e.http_status = 499; // nobody reads it; logged only
        e.type = "server_error";
        e.code = "cancelled";
        break;
    }
    if (!status.error_code().empty()) e.code = status.error_code();
    // At most a month: a budget resets on the 1st.
    constexpr int64_t kMaxRetryAfterS = int64_t{86400} * 31;
    if (status.retry_after_s() > 0)
        e.retry_after_s = static_cast<int>(std::min(status.retry_after_s(), kMaxRetryAfterS));
    if (e.message.empty()) e.message = std::string(core::status_code_name(status.code()));
    return e;
}

ApiError route_not_found(std::string_view method, std::string_view path) {
    return {404,
            "invalid_request_error",
            "unknown_url",
            "",
            "Invalid URL (" + std::string(method) + " " + std::string(path) +
                "): no such route; see docs/api.md for the routes edgeai serves",
            0};
}

ApiError method_not_allowed(std::string_view method, std::string_view path) {
    return {405,
            "invalid_request_error",
            "method_not_allowed",
            "",
            "Method " + std::string(method) + " is not allowed on " + std::string(path),
            0};
}

ApiError payload_too_large(size_t limit_bytes) {
    return {413,
            "invalid_request_error",
            "request_too_large",
            "",
            "Request body is larger than the limit of " + std::to_string(limit_bytes) +
                " bytes (server.max_body_bytes)",
            0};
}

ApiError headers_too_large(size_t limit_bytes) {
    return {431,
            "invalid_request_error",
            "headers_too_large",
            "",
            "Request headers are larger than the limit of " + std::to_string(limit_bytes) +
                " bytes (server.max_header_bytes)",
            0};
}

ApiError unsupported_media_type(std::string_view content_type) {
    return {415,
            "invalid_request_error",
            "unsupported_media_type",
            "",
            content_type.empty()
                ? std::string("The body has no Content-Type; send it as application/json")
                : "Content-Type '" + std::string(content_type) +
                      "' is not supported; send the body as application/json",
            0};
}

ApiError bad_gateway(std::string message) {
    return {502, "server_error", "bad_gateway", "", std::move(message), 0};
}

ApiError gateway_timeout(std::string message) {
    return {504, "server_error", "timeout", "", std::move(message), 0};
}

ApiError service_unavailable(std::string message) {
    return {503, "server_error", "service_unavailable", "", std::move(message), 0};
}

ApiError model_too_large(std::string message) {
    return {507, "server_error", "insufficient_memory", "model", std::move(message), 0};
}

ApiError model_memory_busy(std::string message, int retry_after_s) {
    return {503, "server_error", "model_memory_busy", "model", std::move(message), retry_after_s};
}

ApiError model_load_failed(std::string_view model, std::string_view why) {
    return {500,
            "server_error",
            "model_load_failed",
            "model",
            "The model '" + std::string(model) + "' could not be loaded: " + std::string(why),
            0};
}

core::Status model_not_found(std::string_view model, std::string_view detail) {
    return core::not_found("The model '" + std::string(model) + "' does not exist" +
                           std::string(detail))
        .with_field("model")
        .with_error_code("model_not_found");
}

core::Status context_length_exceeded(uint64_t n_ctx, uint64_t prompt_tokens, uint64_t max_tokens,
                                     std::string_view param) {
    const uint64_t needed = prompt_tokens + max_tokens;
    return core::invalid_argument(
               "This model's maximum context length is " + std::to_string(n_ctx) +
               " tokens. However, you requested " + std::to_string(needed) + " tokens (" +
               std::to_string(prompt_tokens) + " in the prompt, " + std::to_string(max_tokens) +
               " in the completion). Please reduce the length of the prompt or completion.")
        .with_field(std::string(param))
        .with_error_code("context_length_exceeded");
}

core::Status invalid_api_key(std::string message) {
    return core::Status(StatusCode::kUnauthenticated, std::move(message))
        .with_error_code("invalid_api_key");
}

core::Status permission_denied(std::string_view code, std::string message) {
    return core::Status(StatusCode::kPermissionDenied, std::move(message))
        .with_error_code(std::string(code));
}

core::Status rate_limited(std::string_view code, std::string message, int64_t retry_after_s) {
    return core::resource_exhausted(std::move(message))
        .with_error_code(std::string(code))
        .with_retry_after_s(retry_after_s);
}

core::Status shutting_down() {
    return core::unavailable("The server is shutting down and did not start this request; "
                             "retry (on another replica, or once it is back)")
        .with_error_code("shutting_down")
        .with_retry_after_s(1);
}

core::Status audit_unavailable(const core::Status& why) {
    return core::unavailable("The audit log cannot be written (" + why.message() +
                             "), so requests are refused until it can "
                             "(audit.on_write_failure = \"refuse\")")
        .with_error_code("audit_unavailable")
        .with_retry_after_s(5);
}

core::Status job_not_found(std::string_view id) {
    return core::not_found("No job '" + std::string(id) + "'").with_error_code("job_not_found");
}

core::Status file_not_found(std::string_view what) {
    return core::not_found("No " + std::string(what)).with_error_code("file_not_found");
}

core::Status batch_not_found(std::string_view id) {
    return core::not_found("No batch '" + std::string(id) + "'").with_error_code("batch_not_found");
}

ApiError queue_error(const core::Status& status, std::string_view ended_code) {
    ApiError e = api_error_from_status(status);
    switch (status.code()) {
    case StatusCode::kResourceExhausted:
        e.code = "queue_full";
        e.retry_after_s = 5;
        break;
    case StatusCode::kUnavailable:
        // The disk (or the store) cannot take more: RFC 4918's Insufficient Storage.
        e.http_status = 507;
        e.code = "insufficient_storage";
        break;
    case StatusCode::kFailedPrecondition:
        if (!ended_code.empty()) {
            e.http_status = 409;
            e.code = std::string(ended_code);
        }
        break;
    default:
        break;
    }
    return e;
}

ApiError upstream_error(int http_status, std::string message) {
    return {http_status,        http_status >= 500 ? "server_error" : "invalid_request_error",
            "upstream_error",   "",
            std::move(message), 0};
}

std::string render_api_error(const ApiError& error) {
    codec::JsonWriter w;
    w.begin_object().key("error").begin_object();
    w.field("message", std::string_view(error.message));
    w.field("type", std::string_view(error.type));
    w.key("param");
    if (error.param.empty()) {
        w.null();
    } else {
        w.value(std::string_view(error.param));
    }
    w.key("code");
    if (error.code.empty()) {
        w.null();
    } else {
        w.value(std::string_view(error.code));
    }
    w.end_object().end_object();
    return w.take();
}

core::HttpResponse api_error_response(const ApiError& error) {
    core::HttpResponse r;
    r.status = error.http_status;
    r.headers.add("content-type", "application/json");
    if (error.retry_after_s > 0) r.headers.add("retry-after", std::to_string(error.retry_after_s));
    r.body = render_api_error(error);
    return r;
}

bool is_openai_error_body(std::string_view body) {
    auto doc = codec::JsonDocument::parse(body);
    if (!doc.ok()) return false;
    codec::JsonValue error = doc->root()["error"];
    return error.is_object() && error["message"].is_string();
}

} // namespace edgeai::api
