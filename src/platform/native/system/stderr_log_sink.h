// The core's LogSink port on standard error.
#pragma once

#include "core/log.h"

#include <string_view>

namespace edgeai::platform::native {

// Writes each line with one write(2) so lines from concurrent writers never mix.
class StderrLogSink final : public core::LogSink {
  public:
    void write_line(std::string_view line) override;
};

} // namespace edgeai::platform::native
