// Logging port. The core decides what to log and at which level; where lines go
// (stderr, a file, the browser console) is the shell's business.
#pragma once

#include "core/result.h"

#include <string_view>

namespace edgeai::core {

enum class LogLevel { kTrace = 0, kDebug, kInfo, kWarn, kError, kOff };

std::string_view log_level_name(LogLevel level);
Result<LogLevel> parse_log_level(std::string_view name);

class LogSink {
  public:
    virtual ~LogSink() = default;
    // One complete line without its trailing newline.
    virtual void write_line(std::string_view line) = 0;
};

} // namespace edgeai::core
