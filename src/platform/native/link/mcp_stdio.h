// `edgeai mcp`: the gateway with one MCP client on stdin/stdout, for clients
// that start their MCP servers as subprocesses (the stdio transport). Each
// line read is a JSON-RPC message, POSTed to /mcp through Gateway::handle
// exactly as an HTTP client's would be (so the session, the keys and every
// tool's admission are the same); each answer, and each message of a
// streamed answer, is written back as one line. stdout carries nothing else:
// logs go to stderr.
#pragma once

#include "gateway/gateway.h"
#include "platform/native/http/event_loop.h"
#include "telemetry/logger.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace edgeai::platform::native {

struct McpStdioOptions {
    // Sent as `Authorization: Bearer` with every message (EDGEAI_API_KEY);
    // empty: none, which a gateway without keys accepts (stdio is local).
    std::string api_key;
    // A longer line is answered with a parse error and skipped.
    size_t max_line_bytes = size_t{4} << 20;
    int in_fd = 0;
    int out_fd = 1;
};

class McpStdio {
  public:
    McpStdio(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
             McpStdioOptions options, std::function<void()> on_end_of_input);
    ~McpStdio();
    McpStdio(const McpStdio&) = delete;
    McpStdio& operator=(const McpStdio&) = delete;

    void start();
    // Stops reading; calls under way are cancelled.
    void stop();

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
