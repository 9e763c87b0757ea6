// StreamLink: one byte stream (a Unix socket connection, an open serial
// port) carrying the frame protocol. It reads into a gateway::FrameLink and
// writes what the FrameLink queues, pausing streamed answers while more than
// a high-water mark waits for the wire. Internal to platform/native: the
// stream is an Asio object.
#pragma once

#include "gateway/frame_link.h"
#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace edgeai::platform::native {

struct StreamLinkOptions {
    // Bytes waiting for the wire past which streamed answers pause; they go
    // on once a quarter of it is left.
    size_t high_water = 256 * 1024;
    // A write that makes no progress this long closes the link (a peer that
    // stopped reading). Zero: wait as long as it takes (a serial line, whose
    // reader may be a slow device; the answers pause meanwhile).
    std::chrono::milliseconds write_timeout{0};
};

template <class Stream>
class StreamLink final : public gateway::LinkOutput,
                         public std::enable_shared_from_this<StreamLink<Stream>> {
  public:
    // `on_closed` runs once, on the loop, when the link ends for any reason
    // (the peer closed it, a read or write failed, close() was called); the
    // error says why (none for close()).
    StreamLink(Stream stream, gateway::Gateway& gateway, EventLoop& loop,
               telemetry::MetricsRegistry& metrics, gateway::FrameLinkOptions frame_options,
               StreamLinkOptions options,
               std::function<void(const boost::system::error_code&)> on_closed)
        : stream_(std::move(stream)), options_(options), write_timer_(loop.impl().io),
          on_closed_(std::move(on_closed)) {
        link_ = std::make_unique<gateway::FrameLink>(gateway, loop, *this, metrics,
                                                     std::move(frame_options));
    }

    void start() { read(); }

    // Cancels whatever is in flight and closes the stream.
    void close() { end({}); }

    bool send(std::string_view bytes) override {
        if (closed_) return true;
        queued_.append(bytes);
        if (!writing_) write();
        if (waiting_bytes() < options_.high_water) return true;
        paused_ = true; // the FrameLink is told once the queue drains
        return false;
    }

  private:
    size_t waiting_bytes() const { return queued_.size() + in_write_.size(); }

    void read() {
        auto self = this->shared_from_this();
        stream_.async_read_some(boost::asio::buffer(buffer_),
                                [self](const boost::system::error_code& ec, size_t n) {
                                    if (self->closed_) return;
                                    if (ec) return self->end(ec);
                                    self->link_->receive(std::string_view(self->buffer_.data(), n));
                                    if (!self->closed_) self->read();
                                });
    }

    void write() {
        writing_ = true;
        in_write_.swap(queued_);
        queued_.clear();
        auto self = this->shared_from_this();
        if (options_.write_timeout.count() > 0) {
            write_timer_.expires_after(options_.write_timeout);
            write_timer_.async_wait([self](const boost::system::error_code& ec) {
                if (!ec && !self->closed_) self->end(boost::asio::error::timed_out);
            });
        }
        boost::asio::async_write(
            stream_, boost::asio::buffer(in_write_),
            [self](const boost::system::error_code& ec, size_t) { self->written(ec); });
    }

    void written(const boost::system::error_code& ec) {
        write_timer_.cancel();
        writing_ = false;
        in_write_.clear();
        if (closed_) return;
        if (ec) return end(ec);
        if (!queued_.empty()) write();
        if (paused_ && waiting_bytes() <= options_.high_water / 4) {
            paused_ = false;
            link_->on_drained();
        }
    }

    void end(const boost::system::error_code& why) {
        if (closed_) return;
        closed_ = true;
        boost::system::error_code ignored;
        write_timer_.cancel();
        stream_.cancel(ignored);
        stream_.close(ignored);
        // The requests still running stop here; their exchanges record a
        // client that went away.
        link_.reset();
        if (on_closed_) on_closed_(why);
    }

    Stream stream_;
    StreamLinkOptions options_;
    boost::asio::steady_timer write_timer_;
    std::function<void(const boost::system::error_code&)> on_closed_;
    std::unique_ptr<gateway::FrameLink> link_;
    std::array<char, 4096> buffer_{};
    std::string queued_;   // not handed to the stream yet
    std::string in_write_; // the write under way
    bool writing_ = false;
    bool paused_ = false;
    bool closed_ = false;
};

} // namespace edgeai::platform::native
