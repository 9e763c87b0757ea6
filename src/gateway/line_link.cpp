#include "gateway/line_link.h"

#include "codec/lines/json_lines.h"
#include "codec/sse/sse_parser.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace edgeai::gateway {

namespace {

// The first bytes of an overlong line, kept to find its id.
constexpr size_t kOverlongPrefixBytes = 4096;

} // namespace

// One request's answer, as lines: a head, a body or the stream's events, an end.
class LineLink::Call final : public ResponseWriter {
  public:
    Call(LineLink& link, std::string id) : link_(link), id_(std::move(id)) {}

    void send(core::HttpResponse response) override {
        if (ended_) return;
        std::string out;
        codec::append_head_line(out, id_, response.status, response.headers);
        if (!response.body.empty())
            codec::append_body_line(out, id_, response.headers.get("content-type"), response.body);
        link_.output_.send(out);
        end();
    }
    void start_stream(int status, core::Headers headers) override {
        if (ended_) return;
        const std::string_view type = headers.get("content-type");
        kind_ = type.find("event-stream") != std::string_view::npos ? Kind::kSse
                : type.find("ndjson") != std::string_view::npos     ? Kind::kNdjson
                                                                    : Kind::kBinary;
        std::string out;
        codec::append_head_line(out, id_, status, headers);
        link_.output_.send(out);
    }
    bool write(std::string_view bytes) override {
        if (ended_) return true;
        std::string out;
        switch (kind_) {
        case Kind::kSse: {
            if (!sse_.feed(bytes).ok()) break; // the gateway's own stream: never over 1 MiB
            codec::SseEvent event;
            while (sse_.next(event))
                codec::append_event_line(out, id_, event.event, event.data);
            break;
        }
        case Kind::kNdjson:
            pending_.append(bytes);
            for (size_t nl; (nl = pending_.find('\n')) != std::string::npos;) {
                if (nl > 0) codec::append_event_line(out, id_, {}, pending_.substr(0, nl));
                pending_.erase(0, nl + 1);
            }
            break;
        case Kind::kBinary:
            codec::append_binary_event_line(out, id_, bytes);
            break;
        }
        if (out.empty() || link_.output_.send(out)) return true;
        waiting_ = true;
        return false;
    }
    void end_stream() override { end(); }
    void set_drain_callback(std::function<void()> callback) override {
        drained_ = std::move(callback);
    }

    void drained() {
        if (!waiting_ || ended_) return;
        waiting_ = false;
        if (drained_) drained_();
    }

    // Destroyed before the writer it writes through (declared after it).
    std::unique_ptr<RequestTask> task;

  private:
    enum class Kind { kSse, kNdjson, kBinary };

    void end() {
        if (ended_) return;
        ended_ = true;
        std::string out;
        codec::append_end_line(out, id_);
        link_.output_.send(out);
        link_.finished(id_);
    }

    LineLink& link_;
    std::string id_;
    Kind kind_ = Kind::kBinary;
    codec::SseParser sse_;
    std::string pending_;
    bool ended_ = false;
    bool waiting_ = false;
    std::function<void()> drained_;
};

LineLink::LineLink(Gateway& gateway, core::Executor& executor, LinkOutput& output,
                   LineLinkOptions options)
    : gateway_(gateway), executor_(executor), output_(output), options_(std::move(options)) {}

LineLink::~LineLink() {
    *alive_ = false;
    // Each task is destroyed before its writer: the work stops.
    for (auto& [id, call] : calls_)
        call->task.reset();
    for (auto& call : retired_)
        call->task.reset();
    calls_.clear();
    retired_.clear();
}

void LineLink::receive(std::string_view bytes) {
    while (!bytes.empty()) {
        const void* found = std::memchr(bytes.data(), '\n', bytes.size());
        const size_t take =
            found ? static_cast<size_t>(static_cast<const char*>(found) - bytes.data())
                  : bytes.size();
        if (!overlong_) {
            line_.append(bytes.substr(0, take));
            if (line_.size() > options_.max_line_bytes) {
                overlong_ = true;
                line_.resize(std::min(line_.size(), kOverlongPrefixBytes));
            }
        }
        bytes.remove_prefix(take);
        if (!found) return;
        bytes.remove_prefix(1);
        if (overlong_) {
            send_error(codec::find_line_id(line_), "line_too_long",
                       "the line is longer than " + std::to_string(options_.max_line_bytes) +
                           " bytes (server.max_body_bytes and room for the request's head); "
                           "it was skipped");
            overlong_ = false;
        } else {
            on_line(line_);
        }
        line_.clear();
    }
}

void LineLink::end_of_input() {
    if (line_.empty() && !overlong_) return;
    send_error(codec::find_line_id(line_.substr(0, kOverlongPrefixBytes)), "incomplete_line",
               "the input ended in the middle of a line (no newline after it); it was skipped");
    line_.clear();
    overlong_ = false;
}

void LineLink::on_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return; // blank lines: ignored
    codec::LineDecode decoded = codec::decode_request_line(line);
    if (!decoded.status.ok()) {
        send_error(decoded.id, decoded.error_code, decoded.status.message());
        return;
    }
    if (decoded.cancel) {
        cancel(decoded.id);
        return;
    }
    if (calls_.count(decoded.id) != 0) {
        send_error(decoded.id, "duplicate_id",
                   "request " + decoded.id +
                       " is still being answered; use another id or cancel it first");
        return;
    }
    if (calls_.size() >= options_.max_in_flight) {
        send_error(decoded.id, "too_many_requests",
                   std::to_string(options_.max_in_flight) +
                       " requests are in flight already; wait for an answer");
        return;
    }
    decoded.request.peer = options_.peer;
    auto [it, inserted] = calls_.emplace(decoded.id, std::make_unique<Call>(*this, decoded.id));
    Call* call = it->second.get();
    // Answered at once (an error, a list), the call is retired already and
    // keeps whatever task came back until it is freed.
    call->task = gateway_.handle(std::move(decoded.request), call);
}

void LineLink::cancel(const std::string& id) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return; // answered already: nothing to do
    std::unique_ptr<Call> call = std::move(it->second);
    calls_.erase(it);
    call->task.reset();
    send_error(id, "cancelled", "the request was cancelled; no more of its answer follows");
}

void LineLink::send_error(std::string_view id, std::string_view code, std::string_view message) {
    std::string out;
    codec::append_error_line(out, id, code, message);
    output_.send(out);
}

void LineLink::finished(const std::string& id) {
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

void LineLink::on_drained() {
    std::vector<std::string> ids;
    ids.reserve(calls_.size());
    for (const auto& [id, call] : calls_)
        ids.push_back(id);
    for (const std::string& id : ids) {
        auto it = calls_.find(id);
        if (it != calls_.end()) it->second->drained();
    }
}

} // namespace edgeai::gateway
