// Log lines for people at a terminal: a start banner and one short line per
// request (what llama.cpp's server and Ollama print), where JSON lines are
// for machines. Same content as the JSON line, laid out to be read.
#pragma once

#include "core/log.h"
#include "telemetry/logger.h"

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace edgeai::telemetry {

// One log record as text, possibly over several lines (the start banner)
// without a trailing newline. Empty string fields are left out.
std::string human_log_line(int64_t unix_ms, core::LogLevel level, std::string_view msg,
                           std::initializer_list<LogField> fields);

} // namespace edgeai::telemetry
