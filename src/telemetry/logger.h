// Structured logging: one JSON object per line with time, level and message,
// then the caller's fields. Where lines go is the LogSink's business.
#pragma once

#include "core/clock.h"
#include "core/log.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace edgeai::telemetry {

struct LogField {
    using Value = std::variant<std::string_view, int64_t, double, bool>;
    std::string_view key;
    Value value;
    LogField(std::string_view k, std::string_view v) : key(k), value(v) {}
    LogField(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
    LogField(std::string_view k, int64_t v) : key(k), value(v) {}
    LogField(std::string_view k, int v) : key(k), value(int64_t{v}) {}
    LogField(std::string_view k, double v) : key(k), value(v) {}
    LogField(std::string_view k, bool v) : key(k), value(v) {}
};

// JSON lines for machines (the default), or lines for people at a terminal
// (human_log.h).
enum class LineFormat { kJson, kHuman };

class Logger {
  public:
    Logger(core::LogSink& sink, const core::Clock& clock, core::LogLevel level)
        : sink_(sink), clock_(clock), level_(level) {}

    bool enabled(core::LogLevel level) const {
        return level >= level_ && level_ != core::LogLevel::kOff;
    }
    void set_level(core::LogLevel level) { level_ = level; }
    void set_format(LineFormat format) { format_ = format; }
    LineFormat format() const { return format_; }

    void log(core::LogLevel level, std::string_view msg,
             std::initializer_list<LogField> fields = {});
    void info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
        log(core::LogLevel::kInfo, msg, fields);
    }
    void warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
        log(core::LogLevel::kWarn, msg, fields);
    }
    void error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
        log(core::LogLevel::kError, msg, fields);
    }
    void debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
        log(core::LogLevel::kDebug, msg, fields);
    }

  private:
    core::LogSink& sink_;
    const core::Clock& clock_;
    core::LogLevel level_;
    LineFormat format_ = LineFormat::kJson;
};

// "2026-11-24T23:48:13.123Z" from Unix milliseconds.
std::string format_utc_timestamp(int64_t unix_ms);

} // namespace edgeai::telemetry
