#include "gateway/frame_link.h"

#include "codec/frame/frame_message.h"
#include "codec/msgpack/msgpack_reader.h"

#include <utility>

namespace edgeai::gateway {

// One request's answer, as frames: a head, data messages, an end.
class FrameLink::Call final : public ResponseWriter {
  public:
    Call(FrameLink& link, uint32_t id) : link_(link), id_(id) {}

    void send(core::HttpResponse response) override {
        if (ended_) return;
        link_.send(codec::FrameType::kHead, id_,
                   codec::encode_head_message(response.status, response.headers));
        if (!response.body.empty()) link_.send(codec::FrameType::kData, id_, response.body);
        end();
    }
    void start_stream(int status, core::Headers headers) override {
        if (ended_) return;
        msgpack_events_ = headers.get("content-type").find("msgpack") != std::string_view::npos;
        link_.send(codec::FrameType::kHead, id_, codec::encode_head_message(status, headers));
    }
    bool write(std::string_view bytes) override {
        if (ended_) return true;
        bool room = true;
        // MessagePack events (the stream a frame client gets by default)
        // go one per message, so a device handles each as it comes; any
        // other stream goes in the pieces it was written in.
        while (msgpack_events_ && !bytes.empty()) {
            codec::MsgpackReader reader(bytes);
            codec::MsgpackItem first;
            if (!reader.skip_value(first).ok()) break;
            room =
                link_.send(codec::FrameType::kData, id_, bytes.substr(0, reader.offset())) && room;
            bytes.remove_prefix(reader.offset());
        }
        if (!bytes.empty()) room = link_.send(codec::FrameType::kData, id_, bytes) && room;
        if (room) return true;
        waiting_ = true;
        return false;
    }
    void end_stream() override { end(); }
    void set_drain_callback(std::function<void()> callback) override {
        drained_ = std::move(callback);
    }

    // The output queue drained: a stream paused by write() goes on.
    void drained() {
        if (!waiting_ || ended_) return;
        waiting_ = false;
        if (drained_) drained_();
    }
    bool ended() const { return ended_; }

    // Destroyed before the writer it writes through (declared after it).
    std::unique_ptr<RequestTask> task;

  private:
    void end() {
        if (ended_) return;
        ended_ = true;
        link_.send(codec::FrameType::kEnd, id_, {});
        link_.finished(id_);
    }

    FrameLink& link_;
    uint32_t id_;
    bool ended_ = false;
    bool waiting_ = false;
    bool msgpack_events_ = false;
    std::function<void()> drained_;
};

FrameLink::FrameLink(Gateway& gateway, core::Executor& executor, LinkOutput& output,
                     telemetry::MetricsRegistry& metrics, FrameLinkOptions options)
    : gateway_(gateway), executor_(executor), output_(output), metrics_(metrics),
      options_(std::move(options)), reader_(options_.max_frame_bytes) {}

FrameLink::~FrameLink() {
    *alive_ = false;
    // Each task is destroyed before its writer: the work stops, and the
    // exchange records a client that went away.
    for (auto& [id, call] : calls_)
        call->task.reset();
    for (auto& call : retired_)
        call->task.reset();
    calls_.clear();
    retired_.clear();
}

void FrameLink::receive(std::string_view bytes) {
    reader_.feed(bytes);
    codec::FrameResult result;
    while (reader_.next(result)) {
        if (result.fault != codec::FrameFault::kNone) {
            on_fault(result);
            continue;
        }
        on_frame(std::move(result.frame));
    }
}

void FrameLink::on_fault(const codec::FrameResult& result) {
    metrics_
        .counter("edgeai_link_frames_dropped_total",
                 "Frames dropped on Unix-socket and serial links, by link and reason",
                 {{"link", options_.kind}, {"reason", frame_fault_name(result.fault)}})
        .add();
    if (!result.id_known || result.frame.id == 0) return;
    // The sender's message for this id is broken: whatever of it was
    // gathered is dropped too, and the sender is told so it can send again.
    partial_.erase(result.frame.id);
    std::string message;
    switch (result.fault) {
    case codec::FrameFault::kChecksum:
        message = "The frame's CRC-32 does not match its bytes (line noise?); send it again";
        break;
    case codec::FrameFault::kLength:
        message = "The frame's length field does not match the bytes that came";
        break;
    default:
        message = "The frame's protocol version is not 1, the only one this gateway speaks";
        break;
    }
    send_error(result.frame.id,
               result.fault == codec::FrameFault::kVersion ? "unsupported_version" : "bad_frame",
               message);
}

void FrameLink::on_frame(codec::Frame frame) {
    const uint32_t id = frame.id;
    switch (frame.type) {
    case codec::FrameType::kPing:
        send(codec::FrameType::kPong, id, frame.payload);
        return;
    case codec::FrameType::kCancel:
        cancel(id);
        return;
    case codec::FrameType::kRequest:
        break;
    default:
        send_error(id, "unexpected_frame",
                   "A client sends request, cancel and ping frames only (type " +
                       std::to_string(static_cast<int>(frame.type)) + ")");
        return;
    }
    if (id == 0) {
        send_error(0, "bad_frame", "Request id 0 is reserved; number requests from 1");
        return;
    }
    if (calls_.count(id) != 0) {
        send_error(id, "duplicate_id",
                   "Request " + std::to_string(id) +
                       " is still being answered; use another id or cancel it first");
        return;
    }
    auto part = partial_.find(id);
    if (part == partial_.end()) {
        if (in_flight() >= options_.max_in_flight) {
            send_error(id, "too_many_requests",
                       "This link already has " + std::to_string(options_.max_in_flight) +
                           " requests in flight; wait for an answer");
            return;
        }
        part = partial_.emplace(id, std::string()).first;
    }
    if (part->second.size() + frame.payload.size() > options_.max_request_bytes) {
        partial_.erase(part);
        send_error(id, "request_too_large",
                   "The request is larger than " + std::to_string(options_.max_request_bytes) +
                       " bytes (server.max_body_bytes and room for its head)");
        return;
    }
    part->second.append(frame.payload);
    if ((frame.flags & codec::kFrameMore) != 0) return;
    std::string message = std::move(part->second);
    partial_.erase(part);
    start(id, std::move(message));
}

void FrameLink::start(uint32_t id, std::string message) {
    auto request = codec::decode_request_message(message);
    if (!request.ok()) {
        send_error(id, "bad_request", request.status().message());
        return;
    }
    request->peer = options_.peer;
    auto [it, inserted] = calls_.emplace(id, std::make_unique<Call>(*this, id));
    Call* call = it->second.get();
    // Answered at once (an error, a cached answer), the call is retired
    // already and keeps whatever task came back until it is freed.
    call->task = gateway_.handle(std::move(request).value(), call);
}

void FrameLink::cancel(uint32_t id) {
    if (partial_.erase(id) != 0) {
        send_error(id, "cancelled", "The request was cancelled before it was complete");
        return;
    }
    auto it = calls_.find(id);
    if (it == calls_.end()) return; // answered already: nothing to do
    std::unique_ptr<Call> call = std::move(it->second);
    calls_.erase(it);
    call->task.reset();
    send_error(id, "cancelled", "The request was cancelled; no more of its answer follows");
}

void FrameLink::send_error(uint32_t id, std::string_view code, std::string_view message) {
    send(codec::FrameType::kError, id, codec::encode_error_message(code, message));
}

bool FrameLink::send(codec::FrameType type, uint32_t id, std::string_view payload) {
    std::string wire;
    codec::append_message(wire, type, id, payload, options_.max_frame_bytes);
    return output_.send(wire);
}

void FrameLink::finished(uint32_t id) {
    // Called from inside the call's writer: it and its task go away later,
    // on the loop, not under the caller's feet.
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    retired_.push_back(std::move(it->second));
    calls_.erase(it);
    if (retired_.size() > 1) return; // a free is posted already
    std::weak_ptr<bool> alive = alive_;
    executor_.post([this, alive] {
        if (alive.expired()) return;
        std::vector<std::unique_ptr<Call>> done = std::move(retired_);
        retired_.clear();
        for (auto& call : done)
            call->task.reset();
    });
}

void FrameLink::on_drained() {
    // A callback may end its call; walk a copy of the ids.
    std::vector<uint32_t> ids;
    ids.reserve(calls_.size());
    for (const auto& [id, call] : calls_)
        ids.push_back(id);
    for (const uint32_t id : ids) {
        auto it = calls_.find(id);
        if (it != calls_.end()) it->second->drained();
    }
}

} // namespace edgeai::gateway
