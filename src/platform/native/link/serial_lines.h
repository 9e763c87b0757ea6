// The frame protocol on serial lines ([[serial]]): a microcontroller on a
// UART reaches the gateway without HTTP or TCP. Each line is opened raw (8
// data bits, the configured speed, parity and stop bits, no flow control);
// when the device goes away (a USB adapter unplugged) its requests are
// cancelled and the line is opened again every second until it is back.
#pragma once

#include "core/config/settings.h"
#include "gateway/gateway.h"
#include "platform/native/http/event_loop.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <memory>
#include <vector>

namespace edgeai::platform::native {

struct SerialLineOptions {
    size_t max_frame_bytes = 64 * 1024;
    size_t max_request_bytes = size_t{4} << 20;
};

class SerialLines {
  public:
    SerialLines(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
                telemetry::MetricsRegistry& metrics, const std::vector<core::SerialSettings>& lines,
                SerialLineOptions options);
    ~SerialLines();

    // Opens each line now, or keeps trying in the background (a device not
    // plugged in yet is no reason not to start).
    void start();
    void stop();

    struct Line;

  private:
    std::vector<std::shared_ptr<Line>> lines_;
};

} // namespace edgeai::platform::native
