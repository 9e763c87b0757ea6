// The frame protocol on a Unix domain socket (server.unix_socket): local
// programs without an HTTP stack (a sensor daemon, a shell script with a
// small client) reach the gateway through a file whose mode says who may.
#pragma once

#include "core/result.h"
#include "gateway/gateway.h"
#include "platform/native/http/event_loop.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <chrono>
#include <memory>
#include <string>

namespace edgeai::platform::native {

struct UnixSocketOptions {
    std::string path;
    unsigned mode = 0660;
    size_t max_frame_bytes = 64 * 1024;
    size_t max_request_bytes = size_t{4} << 20;
    size_t max_connections = 1024;
    std::chrono::milliseconds write_timeout{30000};
};

class UnixSocketServer {
  public:
    UnixSocketServer(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
                     telemetry::MetricsRegistry& metrics, UnixSocketOptions options);
    // Closes every connection and removes the socket file.
    ~UnixSocketServer();

    // Binds (a socket file left by a process that is gone is replaced; one a
    // live process listens on, or a file that is not a socket, is an error),
    // sets the file's mode, and starts accepting.
    core::Status start();
    // Stops accepting and closes every connection (their requests are
    // cancelled); the socket file is removed.
    void stop();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

// "0660" -> 0660; the configuration checked the digits.
unsigned parse_file_mode(std::string_view octal);

} // namespace edgeai::platform::native
