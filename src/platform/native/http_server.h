// The native HTTP/1.1 server: Boost.Beast parses requests, we write responses.
// Each connection is a small state machine (wait for a request, read it with a
// deadline, hand it to the Gateway, write the answer with a deadline, repeat),
// with bounds on head and body size, on queued output and on connections.
#pragma once

#include "core/result.h"
#include "gateway/gateway.h"
#include "platform/native/event_loop.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace edgeai::platform::native {

struct HttpServerOptions {
    std::string listen = "127.0.0.1:8080";
    size_t max_body_bytes = size_t{4} << 20;
    size_t max_header_bytes = 16 * 1024;
    std::chrono::milliseconds read_timeout{30000};
    std::chrono::milliseconds idle_timeout{60000};
    std::chrono::milliseconds write_timeout{30000};
    size_t max_connections = 1024;
};

class HttpServer {
  public:
    HttpServer(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
               telemetry::MetricsRegistry& metrics, HttpServerOptions options);
    ~HttpServer();

    // Binds and starts accepting; returns the bound address ("127.0.0.1:43121").
    core::Result<std::string> start();

    // Stops accepting, closes idle connections, lets requests in flight finish,
    // and calls `done` when none is left or when `grace` has passed (then the
    // rest are cut).
    void shutdown(std::chrono::milliseconds grace, std::function<void()> done);

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

// Splits "host:port" or "[v6]:port"; the error says what a valid address looks like.
core::Status parse_listen_address(std::string_view listen, std::string* host, uint16_t* port);

} // namespace edgeai::platform::native
