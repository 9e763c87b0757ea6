// A small RESP2 client on the gateway's Asio loop, for the shared limits.
// Redis's own C client (hiredis) has no timeouts and no TLS in its async API
// and would be one more library to load; this one is a socket, the RESP
// reader in codec/resp and a timer, and exists only when limits.backend is
// "redis", so a device without Redis loads and allocates nothing for it.
//
// One connection, commands pipelined in order. Every command has a deadline:
// a Redis that does not answer in time (killed, frozen by SIGSTOP, a dead
// link) fails that command and every one queued behind it, and the
// connection is dropped, since a late reply could no longer be matched to
// its command. While it is down (the breaker is open) commands fail at once,
// and it reconnects with backoff: AUTH, SELECT, then the scripts are loaded
// before anything is sent.
#pragma once

#include "codec/resp/resp.h"
#include "core/net/redis_url.h"
#include "core/result.h"
#include "platform/native/http/event_loop.h"
#include "telemetry/logger.h"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace edgeai::platform::native {

struct RedisClientOptions {
    core::net::RedisUrl url;
    std::string url_shown; // the URL with its password redacted, for logs
    int64_t timeout_ms = 50;
    // Connecting and the handshake, which a frozen Redis also never finishes.
    int64_t connect_timeout_ms = 1000;
    int64_t max_backoff_ms = 1000;
    // Commands waiting for replies; past it a command fails at once.
    size_t max_in_flight = 4096;
    // Run once per connection, in order, before it is ready (SCRIPT LOAD).
    std::vector<std::vector<std::string>> on_connect;
};

using RedisReplyFn = std::function<void(core::Result<codec::resp::Reply>)>;

class RedisClient {
  public:
    // `on_ready` gets each on_connect reply (script SHAs) when a connection
    // is ready; `on_state` is told when the connection comes up or goes down.
    RedisClient(EventLoop& loop, RedisClientOptions options, telemetry::Logger& logger,
                std::function<void(const std::vector<codec::resp::Reply>&)> on_ready,
                std::function<void(bool up)> on_state);
    ~RedisClient(); // pending callbacks are dropped, not called

    void start();
    // `done` runs once on the loop, never inside this call: the reply (an
    // error reply is a reply), or kUnavailable / kDeadlineExceeded.
    void command(std::vector<std::string> args, RedisReplyFn done);
    bool ready() const;
    // "up", "down" or "connecting", and why it is not up.
    std::string state() const;

    struct Impl;

  private:
    std::shared_ptr<Impl> impl_;
};

} // namespace edgeai::platform::native
