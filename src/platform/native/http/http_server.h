// The native HTTP/1.1 server: Boost.Beast parses requests, we write responses.
// Each connection is a small state machine (wait for a request, read it with a
// deadline, hand it to the Gateway, write the answer with a deadline, repeat),
// with bounds on head and body size, on queued output and on connections.
// With tls.cert set every connection is TLS (tls_context.h), optionally with
// client certificates (mTLS); the same state machine runs on either stream.
#pragma once

#include "core/config/settings.h"
#include "core/result.h"
#include "gateway/gateway.h"
#include "platform/native/http/event_loop.h"
#include "platform/native/http/tls_context.h"
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
    // Bodies being received at once, over all connections.
    size_t max_pending_body_bytes = size_t{64} << 20;
    std::chrono::milliseconds read_timeout{30000};
    std::chrono::milliseconds idle_timeout{60000};
    std::chrono::milliseconds write_timeout{30000};
    size_t max_connections = 1024;
    // Empty cert: plain HTTP. The files are read again by reload_tls().
    core::TlsSettings tls;
    // The listener for Ollama's clients: its requests say so (GET / answers
    // as Ollama's does).
    bool ollama = false;
};

class HttpServer {
  public:
    HttpServer(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
               telemetry::MetricsRegistry& metrics, HttpServerOptions options);
    ~HttpServer();

    // Binds and starts accepting; returns the bound address ("127.0.0.1:43121").
    // With TLS configured, loads the certificate and key first and fails on
    // any problem with them (the message names the setting and the file).
    core::Result<std::string> start();

    // TLS is configured (tls.cert set).
    bool tls_enabled() const;
    // For the start line: "off", "TLS 1.2+", "TLS 1.2+, client certificate
    // optional" or "... required" (1.3 when min_version says so).
    std::string tls_description() const;
    // The certificate loaded by start() or the last successful reload_tls().
    TlsCertificateInfo tls_certificate() const;

    // Reads tls.cert, tls.key and tls.client_ca again into a new context that
    // connections accepted from now on use; open connections keep the context
    // they were accepted with, so none is dropped. On error (a missing or
    // broken file, a key that does not match) the current context stays and
    // the error says why. Call on the loop's thread (a signal_set handler).
    core::Result<TlsCertificateInfo> reload_tls();

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
