// Result<T>: a value or the Status that explains why there is none.
#pragma once

#include "core/check.h"
#include "core/status.h"

#include <optional>
#include <utility>

namespace edgeai::core {

template <typename T> class [[nodiscard]] Result {
  public:
    Result(T value) : value_(std::move(value)) {}
    // A failed Status only; constructing a Result from an ok Status is a bug and
    // is turned into kInternal rather than an empty success.
    Result(Status status) : status_(std::move(status)) {
        if (status_.ok())
            status_ = internal_error("Result built from an ok Status without a value");
    }

    bool ok() const { return value_.has_value(); }
    const Status& status() const { return status_; }

    // Only after ok() was checked: reading an error's value is a bug, which
    // debug, ASan and test builds stop at with the status.
    T& value() & { return checked(); }
    const T& value() const& { return checked(); }
    T&& value() && { return std::move(checked()); }
    T* operator->() { return &checked(); }
    const T* operator->() const { return &checked(); }
    T& operator*() & { return checked(); }
    const T& operator*() const& { return checked(); }

  private:
    T& checked() {
        EDGEAI_ASSERT_MSG(value_.has_value(), status_.to_string());
        return *value_;
    }
    const T& checked() const {
        EDGEAI_ASSERT_MSG(value_.has_value(), status_.to_string());
        return *value_;
    }

    std::optional<T> value_;
    Status status_;
};

} // namespace edgeai::core

#define EDGEAI_CONCAT_INNER_(a, b) a##b
#define EDGEAI_CONCAT_(a, b) EDGEAI_CONCAT_INNER_(a, b)
#define EDGEAI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr)                                              \
    auto tmp = (expr);                                                                             \
    if (!tmp.ok()) return tmp.status();                                                            \
    lhs = std::move(tmp).value()

// EDGEAI_ASSIGN_OR_RETURN(auto doc, parse(bytes)); returns the Status on failure.
#define EDGEAI_ASSIGN_OR_RETURN(lhs, expr)                                                         \
    EDGEAI_ASSIGN_OR_RETURN_IMPL_(EDGEAI_CONCAT_(edgeai_result_, __LINE__), lhs, expr)
