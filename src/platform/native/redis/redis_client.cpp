#include "platform/native/redis/redis_client.h"

#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <deque>

namespace edgeai::platform::native {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int64_t kFirstBackoffMs = 50;
constexpr size_t kReadChunkBytes = 16 * 1024;

} // namespace

struct RedisClient::Impl : std::enable_shared_from_this<RedisClient::Impl> {
    enum class Phase { kDown, kConnecting, kHandshake, kReady };

    struct Pending {
        RedisReplyFn done; // empty for handshake commands
        Clock::time_point deadline;
    };

    // Timers and posts go through the loop's Executor: its handlers are
    // already in the binary, where Asio's would add a set per handler type.
    Impl(EventLoop& event_loop, RedisClientOptions opts, telemetry::Logger& log)
        : loop(event_loop), io(event_loop.impl().io), options(std::move(opts)), logger(log),
          resolver(io), socket(io) {}

    void connect() {
        phase = Phase::kConnecting;
        ++generation;
        reader = codec::resp::ReplyReader();
        const uint64_t gen = generation;
        arm_deadline(Clock::now() + std::chrono::milliseconds(options.connect_timeout_ms));
        resolver.async_resolve(
            options.url.host, std::to_string(options.url.port),
            [self = shared_from_this(), gen](error_code ec,
                                             const tcp::resolver::results_type& results) {
                if (self->closed || gen != self->generation) return;
                if (ec || results.empty()) {
                    self->drop("cannot resolve '" + self->options.url.host +
                               "': " + (ec ? ec.message() : std::string("no address")));
                    return;
                }
                // The first address only: a Redis has one.
                self->socket.async_connect(
                    results.begin()->endpoint(),
                    [self, gen](error_code cec) { self->on_connected(cec, gen); });
            });
    }

    void on_connected(error_code ec, uint64_t gen) {
        if (closed || gen != generation) return;
        if (ec) {
            drop("cannot connect: " + ec.message());
            return;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        phase = Phase::kHandshake;
        handshake_replies.clear();
        handshake_left = 0;
        const auto deadline = Clock::now() + std::chrono::milliseconds(options.connect_timeout_ms);
        auto send_handshake = [&](std::vector<std::string> args) {
            codec::resp::append_command(out, args);
            in_flight.push_back({RedisReplyFn(), deadline});
            ++handshake_left;
        };
        if (!options.url.password.empty()) {
            if (options.url.user.empty())
                send_handshake({"AUTH", options.url.password});
            else
                send_handshake({"AUTH", options.url.user, options.url.password});
        }
        if (options.url.db != 0) send_handshake({"SELECT", std::to_string(options.url.db)});
        send_handshake({"PING"});
        for (const auto& c : options.on_connect)
            send_handshake(c);
        rearm_deadline();
        read();
        flush();
    }

    void on_handshake_reply(codec::resp::Reply reply) {
        if (reply.type == codec::resp::ReplyType::kError) {
            // A wrong password or a refused command: the same on every retry,
            // so say it plainly (the backoff keeps the log from flooding).
            drop("the handshake was refused: " + reply.text);
            return;
        }
        handshake_replies.push_back(std::move(reply));
        if (--handshake_left > 0) return;
        phase = Phase::kReady;
        backoff_ms = 0;
        why_down.clear();
        // AUTH, SELECT and PING go first; on_connect's replies are the rest.
        const size_t skip = handshake_replies.size() - options.on_connect.size();
        std::vector<codec::resp::Reply> mine(handshake_replies.begin() + static_cast<long>(skip),
                                             handshake_replies.end());
        logger.info("redis connected", {{"url", options.url_shown}});
        if (on_ready) on_ready(mine);
        if (on_state) on_state(true);
    }

    void read() {
        const uint64_t gen = generation;
        read_buffer.resize(kReadChunkBytes);
        socket.async_read_some(
            net::buffer(read_buffer), [self = shared_from_this(), gen](error_code ec, size_t n) {
                if (self->closed || gen != self->generation) return;
                if (ec) {
                    self->drop(ec == net::error::eof ? std::string("Redis closed the connection")
                                                     : "reading: " + ec.message());
                    return;
                }
                self->on_read(n);
            });
    }

    void on_read(size_t n) {
        const uint64_t gen = generation;
        reader.feed(std::string_view(read_buffer.data(), n));
        codec::resp::Reply reply;
        while (true) {
            auto got = reader.next(reply);
            if (!got.ok()) {
                drop(got.status().message());
                return;
            }
            if (!*got) break;
            if (in_flight.empty()) {
                drop("a reply to no command (is this a Redis server?)");
                return;
            }
            Pending p = std::move(in_flight.front());
            in_flight.pop_front();
            if (phase == Phase::kHandshake) {
                on_handshake_reply(std::move(reply));
            } else if (p.done) {
                p.done(std::move(reply));
            }
            // A callback or the handshake may have dropped the connection.
            if (closed || gen != generation) return;
        }
        rearm_deadline();
        read();
    }

    void flush() {
        if (writing || out.empty() || phase == Phase::kDown || phase == Phase::kConnecting) return;
        writing = true;
        sending.swap(out);
        out.clear();
        const uint64_t gen = generation;
        net::async_write(socket, net::buffer(sending),
                         [self = shared_from_this(), gen](error_code ec, size_t) {
                             if (self->closed || gen != self->generation) return;
                             self->writing = false;
                             self->sending.clear();
                             if (ec) {
                                 self->drop("writing: " + ec.message());
                                 return;
                             }
                             self->flush();
                         });
    }

    void arm_deadline(Clock::time_point when) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(when - Clock::now()).count();
        const uint64_t gen = generation;
        deadline_timer =
            loop.post_after(std::max<int64_t>(left, 0), [weak = weak_from_this(), gen] {
                auto self = weak.lock();
                if (!self || self->closed || gen != self->generation) return;
                self->on_deadline();
            });
    }

    // The earliest deadline is the oldest command's: commands are answered in order.
    void rearm_deadline() {
        if (in_flight.empty()) {
            deadline_timer.reset();
            return;
        }
        arm_deadline(in_flight.front().deadline);
    }

    void on_deadline() {
        if (phase == Phase::kConnecting) {
            drop("no connection within " + std::to_string(options.connect_timeout_ms) + " ms");
            return;
        }
        if (in_flight.empty()) return;
        if (Clock::now() < in_flight.front().deadline) {
            rearm_deadline();
            return;
        }
        drop(phase == Phase::kHandshake
                 ? "no answer to the handshake within " +
                       std::to_string(options.connect_timeout_ms) + " ms"
                 : "no answer within " + std::to_string(options.timeout_ms) + " ms");
    }

    // The connection is unusable: every command waiting fails, and a new
    // connection is tried after a backoff.
    void drop(std::string why) {
        const bool was_up = phase == Phase::kReady;
        ++generation;
        phase = Phase::kDown;
        error_code ignored;
        socket.close(ignored);
        deadline_timer.reset();
        writing = false;
        out.clear();
        sending.clear();
        std::deque<Pending> failed;
        failed.swap(in_flight);
        if (why != why_down || was_up)
            logger.warn("redis unavailable", {{"url", options.url_shown}, {"error", why}});
        why_down = why;
        if (was_up && on_state) on_state(false);
        for (Pending& p : failed)
            if (p.done) p.done(core::unavailable("redis: " + why));
        if (closed) return;
        backoff_ms =
            std::min(options.max_backoff_ms, backoff_ms == 0 ? kFirstBackoffMs : backoff_ms * 2);
        retry_timer = loop.post_after(backoff_ms, [weak = weak_from_this()] {
            auto self = weak.lock();
            if (!self || self->closed || self->phase != Phase::kDown) return;
            self->socket = tcp::socket(self->io);
            self->connect();
        });
    }

    void command(std::vector<std::string> args, RedisReplyFn done) {
        if (phase != Phase::kReady || in_flight.size() >= options.max_in_flight) {
            std::string why = phase != Phase::kReady
                                  ? "redis: not connected (" + why_down + ")"
                                  : "redis: " + std::to_string(in_flight.size()) +
                                        " commands already wait for replies";
            loop.post(
                [done = std::move(done), why = std::move(why)] { done(core::unavailable(why)); });
            return;
        }
        codec::resp::append_command(out, args);
        const bool was_empty = in_flight.empty();
        in_flight.push_back(
            {std::move(done), Clock::now() + std::chrono::milliseconds(options.timeout_ms)});
        if (was_empty) rearm_deadline();
        flush();
    }

    EventLoop& loop;
    net::io_context& io;
    RedisClientOptions options;
    telemetry::Logger& logger;
    tcp::resolver resolver;
    tcp::socket socket;
    std::unique_ptr<core::Timer> deadline_timer;
    std::unique_ptr<core::Timer> retry_timer;
    codec::resp::ReplyReader reader;
    std::string read_buffer;
    std::string out;     // commands not yet written
    std::string sending; // the write in flight
    bool writing = false;
    std::deque<Pending> in_flight;
    Phase phase = Phase::kDown;
    uint64_t generation = 0; // bumped per connection: stale handlers return
    int64_t backoff_ms = 0;
    std::string why_down = "not yet connected";
    bool closed = false;
    std::vector<codec::resp::Reply> handshake_replies;
    size_t handshake_left = 0;
    std::function<void(const std::vector<codec::resp::Reply>&)> on_ready;
    std::function<void(bool)> on_state;
};

RedisClient::RedisClient(EventLoop& loop, RedisClientOptions options, telemetry::Logger& logger,
                         std::function<void(const std::vector<codec::resp::Reply>&)> on_ready,
                         std::function<void(bool up)> on_state)
    : impl_(std::make_shared<Impl>(loop, std::move(options), logger)) {
    impl_->on_ready = std::move(on_ready);
    impl_->on_state = std::move(on_state);
}

RedisClient::~RedisClient() {
    impl_->closed = true;
    impl_->on_ready = nullptr;
    impl_->on_state = nullptr;
    for (Impl::Pending& p : impl_->in_flight)
        p.done = nullptr;
    impl_->in_flight.clear();
    error_code ignored;
    impl_->socket.close(ignored);
    impl_->deadline_timer.reset();
    impl_->retry_timer.reset();
    impl_->resolver.cancel();
}

void RedisClient::start() {
    impl_->connect();
}

void RedisClient::command(std::vector<std::string> args, RedisReplyFn done) {
    impl_->command(std::move(args), std::move(done));
}

bool RedisClient::ready() const {
    return impl_->phase == Impl::Phase::kReady;
}

std::string RedisClient::state() const {
    switch (impl_->phase) {
    case Impl::Phase::kReady:
        return "up";
    case Impl::Phase::kConnecting:
    case Impl::Phase::kHandshake:
        return "connecting";
    case Impl::Phase::kDown:
        break;
    }
    return "down";
}

} // namespace edgeai::platform::native
