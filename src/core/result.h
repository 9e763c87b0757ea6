// Result<T>: a value or the Status that explains why there is none.
#pragma once

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

    // Only after ok() was checked.
    T& value() & { return *value_; }
    const T& value() const& { return *value_; }
    T&& value() && { return std::move(*value_); }
    T* operator->() { return &*value_; }
    const T* operator->() const { return &*value_; }
    T& operator*() & { return *value_; }
    const T& operator*() const& { return *value_; }

  private:
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
