// FrameLink: the gateway on a link without HTTP (a Unix socket connection, a
// serial line), speaking the frame protocol of codec/frame/frame.h
// (docs/protocol.md). Each request frame becomes the same core::HttpRequest
// an HTTP client would send and goes through Gateway::handle, so keys,
// scopes, limits, usage and the audit log apply exactly as over HTTP; each
// answer goes back as frames. Several requests may be in flight, answered by
// id. The shell owns the bytes: it feeds what it reads to receive() and
// writes what LinkOutput::send() queues.
#pragma once

#include "codec/frame/frame.h"
#include "core/executor.h"
#include "gateway/gateway.h"
#include "telemetry/metrics.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::gateway {

// The shell's side of the wire.
class LinkOutput {
  public:
    virtual ~LinkOutput() = default;
    // Queues bytes for the wire. False once the queue is past its high-water
    // mark: answers being streamed pause until the shell calls
    // FrameLink::on_drained().
    virtual bool send(std::string_view bytes) = 0;
};

struct FrameLinkOptions {
    // Who is on the other end, for keys and logs: "unix:PATH" counts as a
    // local client, "serial:DEVICE" always needs a key or a signed request.
    std::string peer;
    // "unix" or "serial": the metrics' label.
    std::string kind = "unix";
    size_t max_frame_bytes = codec::kDefaultMaxFrameBytes;
    // A request message (head and body, over all its frames).
    size_t max_request_bytes = size_t{4} << 20;
    // Requests being received or answered at once on this link.
    size_t max_in_flight = 32;
};

class FrameLink {
  public:
    FrameLink(Gateway& gateway, core::Executor& executor, LinkOutput& output,
              telemetry::MetricsRegistry& metrics, FrameLinkOptions options);
    // Every request still running is cancelled (the link is gone).
    ~FrameLink();
    FrameLink(const FrameLink&) = delete;
    FrameLink& operator=(const FrameLink&) = delete;

    // Bytes read from the wire, in any pieces.
    void receive(std::string_view bytes);
    // The output queue fell below its low-water mark.
    void on_drained();
    // Requests being received or answered.
    size_t in_flight() const { return partial_.size() + calls_.size(); }

    class Call;

  private:
    void on_frame(codec::Frame frame);
    void on_fault(const codec::FrameResult& result);
    void start(uint32_t id, std::string message);
    void cancel(uint32_t id);
    void send_error(uint32_t id, std::string_view code, std::string_view message);
    bool send(codec::FrameType type, uint32_t id, std::string_view payload);
    void finished(uint32_t id);

    Gateway& gateway_;
    core::Executor& executor_;
    LinkOutput& output_;
    telemetry::MetricsRegistry& metrics_;
    FrameLinkOptions options_;
    codec::FrameReader reader_;
    // Request messages whose last frame has not come yet.
    std::map<uint32_t, std::string> partial_;
    std::map<uint32_t, std::unique_ptr<Call>> calls_;
    // Answered calls, freed from a posted task: they end inside their own
    // writer calls. Their ids are free for new requests at once.
    std::vector<std::unique_ptr<Call>> retired_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace edgeai::gateway
