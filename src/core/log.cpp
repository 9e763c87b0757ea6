#include "core/log.h"

#include <string>

namespace edgeai::core {

std::string_view log_level_name(LogLevel level) {
    switch (level) {
    case LogLevel::kTrace:
        return "trace";
    case LogLevel::kDebug:
        return "debug";
    case LogLevel::kInfo:
        return "info";
    case LogLevel::kWarn:
        return "warn";
    case LogLevel::kError:
        return "error";
    case LogLevel::kOff:
        return "off";
    }
    return "info";
}

Result<LogLevel> parse_log_level(std::string_view name) {
    for (int i = 0; i <= static_cast<int>(LogLevel::kOff); ++i) {
        auto level = static_cast<LogLevel>(i);
        if (name == log_level_name(level)) return level;
    }
    return invalid_argument("unknown log level '" + std::string(name) +
                            "'; expected one of trace, debug, info, warn, error, off");
}

} // namespace edgeai::core
