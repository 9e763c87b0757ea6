// Errors travel as values: the core is built without exceptions (the WASI and
// microcontroller targets have none), so every fallible call returns a Status or
// a Result<T>. The code says what the caller should do; the message says what
// was found, what was expected and how to fix it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace edgeai::core {

enum class StatusCode {
    kOk = 0,
    // The caller sent something wrong; retrying the same input fails again.
    kInvalidArgument,
    // The named thing (model, route, file, job) does not exist.
    kNotFound,
    // No or wrong credentials; the caller must authenticate.
    kUnauthenticated,
    // Credentials are fine but do not allow this.
    kPermissionDenied,
    // A limit or budget is spent; retry after the time the error carries.
    kResourceExhausted,
    // The system is not in a state to do this; do not retry until it is fixed.
    kFailedPrecondition,
    // A dependency (upstream, disk, uplink) is down now; retry with backoff.
    kUnavailable,
    // The work did not finish by its deadline; retry may succeed.
    kDeadlineExceeded,
    // Stored or received bytes are corrupt or cut short.
    kDataLoss,
    // The operation is not supported by this build or backend.
    kUnimplemented,
    // A bug or a broken invariant on our side.
    kInternal,
    // The caller went away or asked to stop; nobody is waiting for the result.
    kCancelled,
};

// The stable lower_snake name of a code, for logs and error bodies.
std::string_view status_code_name(StatusCode code);

class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

    static Status ok_status() { return Status(); }

    bool ok() const { return code_ == StatusCode::kOk; }
    StatusCode code() const { return code_; }
    const std::string& message() const { return message_; }

    // The request field the error is about ("messages[2].role"), when there is one.
    const std::string& field() const { return field_; }
    Status& with_field(std::string field) {
        field_ = std::move(field);
        return *this;
    }

    // The API's machine-readable error code ("model_not_found"), when the
    // code's default (api/api_error.cpp) is not specific enough. Set only by
    // the factories in api/api_error.h, which decide each error's shape.
    const std::string& error_code() const { return error_code_; }
    Status& with_error_code(std::string code) {
        error_code_ = std::move(code);
        return *this;
    }

    // For kResourceExhausted: seconds until a retry may succeed (the
    // response's Retry-After); 0: not said.
    int64_t retry_after_s() const { return retry_after_s_; }
    Status& with_retry_after_s(int64_t seconds) {
        retry_after_s_ = seconds;
        return *this;
    }

    // Prefixes context ("config edgeai.toml:3: ") so errors read outside-in.
    Status& with_context(std::string_view context);

    // "invalid_argument: <message>" for logs and tests.
    std::string to_string() const;

  private:
    StatusCode code_ = StatusCode::kOk;
    std::string message_;
    std::string field_;
    std::string error_code_;
    int64_t retry_after_s_ = 0;
};

inline Status invalid_argument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
}
inline Status not_found(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
}
inline Status unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message));
}
inline Status deadline_exceeded(std::string message) {
    return Status(StatusCode::kDeadlineExceeded, std::move(message));
}
inline Status internal_error(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
}
inline Status data_loss(std::string message) {
    return Status(StatusCode::kDataLoss, std::move(message));
}
inline Status failed_precondition(std::string message) {
    return Status(StatusCode::kFailedPrecondition, std::move(message));
}
inline Status resource_exhausted(std::string message) {
    return Status(StatusCode::kResourceExhausted, std::move(message));
}
inline Status cancelled(std::string message) {
    return Status(StatusCode::kCancelled, std::move(message));
}

} // namespace edgeai::core

// Returns early from the enclosing function when `expr` yields a failed Status.
#define EDGEAI_TRY(expr)                                                                           \
    do {                                                                                           \
        ::edgeai::core::Status edgeai_try_status_ = (expr);                                        \
        if (!edgeai_try_status_.ok()) return edgeai_try_status_;                                   \
    } while (0)
