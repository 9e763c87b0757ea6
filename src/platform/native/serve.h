// `edgeai serve` on the native platform: wires the event loop, the upstream
// client, the gateway and the HTTP server, and runs until SIGINT/SIGTERM.
#pragma once

#include "core/config/settings.h"
#include "telemetry/logger.h"

#include <string>

namespace edgeai::platform::native {

// Returns the process exit code: 0 after a clean shutdown, 1 when the server
// could not start (the reason is logged).
int run_serve(const core::Settings& settings, const std::string& data_dir,
              telemetry::Logger& logger, const std::string& version);

} // namespace edgeai::platform::native
