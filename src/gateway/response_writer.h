// How the gateway answers: the shell (Beast session, WASI stdio loop, JS glue)
// implements ResponseWriter for one request. Every method is called on the
// shell's loop thread.
#pragma once

#include "core/http_types.h"
#include "core/status.h"

#include <functional>
#include <string_view>

namespace edgeai::gateway {

class ResponseWriter {
  public:
    virtual ~ResponseWriter() = default;

    // A complete response; the exchange is over.
    virtual void send(core::HttpResponse response) = 0;

    // Starts a streamed response (HTTP/1.1 chunked), then write() its pieces.
    virtual void start_stream(int status, core::Headers headers) = 0;
    // Queues bytes of the stream. Returns false when the queue is past its
    // high-water mark: the producer must pause until the drain callback runs.
    virtual bool write(std::string_view bytes) = 0;
    // The stream is complete; the exchange is over once the queue is flushed.
    virtual void end_stream() = 0;

    // Called once the queue falls below its low-water mark after write() said false.
    virtual void set_drain_callback(std::function<void()> callback) = 0;

    // Before the response: the gateway's own access checks refused the
    // request (not a backend's answer with the same status). In-process
    // callers act on it: a job whose key is over its rate waits without
    // spending an attempt; one over its budget fails.
    virtual void on_refused(const core::Status& refusal) { (void)refusal; }
};

// Work the gateway keeps running for a request after handle() returned (a
// proxied or streamed response). The shell owns it. Destroying it cancels the
// work: the shell does so when the client goes away, and, after the response is
// over, from a posted task rather than from inside a writer call.
class RequestTask {
  public:
    virtual ~RequestTask() = default;
};

} // namespace edgeai::gateway
