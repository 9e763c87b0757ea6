// Watches the uplink: every `interval`, opens a TCP connection to each remote
// backend's host and port (nothing is sent, so no provider sees a request).
// When none answers within the timeout the uplink is offline and the router
// uses routes' `when_offline` targets; the first answer brings it back. A
// successful attempt through the router also counts as proof of the uplink.
#pragma once

#include "platform/native/http/event_loop.h"
#include "router/router.h"
#include "telemetry/logger.h"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::platform::native {

class ConnectivityMonitor {
  public:
    struct Endpoint {
        std::string host;
        std::string port;
    };

    // `endpoints` empty: nothing to watch, the uplink stays online.
    ConnectivityMonitor(EventLoop& loop, router::Router& router, telemetry::Logger& logger,
                        std::vector<Endpoint> endpoints, std::chrono::milliseconds interval,
                        std::chrono::milliseconds timeout);
    ~ConnectivityMonitor();

    void start();

    // host and port of an http(s):// URL (port from the scheme when absent).
    static bool endpoint_of(const std::string& url, Endpoint* out);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
