#include "core/status.h"

namespace edgeai::core {

std::string_view status_code_name(StatusCode code) {
    switch (code) {
    case StatusCode::kOk:
        return "ok";
    case StatusCode::kInvalidArgument:
        return "invalid_argument";
    case StatusCode::kNotFound:
        return "not_found";
    case StatusCode::kUnauthenticated:
        return "unauthenticated";
    case StatusCode::kPermissionDenied:
        return "permission_denied";
    case StatusCode::kResourceExhausted:
        return "resource_exhausted";
    case StatusCode::kFailedPrecondition:
        return "failed_precondition";
    case StatusCode::kUnavailable:
        return "unavailable";
    case StatusCode::kDeadlineExceeded:
        return "deadline_exceeded";
    case StatusCode::kDataLoss:
        return "data_loss";
    case StatusCode::kUnimplemented:
        return "unimplemented";
    case StatusCode::kInternal:
        return "internal";
    case StatusCode::kCancelled:
        return "cancelled";
    }
    return "unknown";
}

Status& Status::with_context(std::string_view context) {
    message_.insert(0, context);
    return *this;
}

std::string Status::to_string() const {
    std::string out(status_code_name(code_));
    if (!message_.empty()) {
        out += ": ";
        out += message_;
    }
    return out;
}

} // namespace edgeai::core
