#include "platform/native/http/http1_client.h"

#include "core/decimal.h"
#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <poll.h>

#include <array>
#include <chrono>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

namespace edgeai::platform::native {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// Response heads larger than this are not an OpenAI-compatible API talking.
constexpr uint32_t kMaxResponseHeadBytes = 64 * 1024;
// Body bytes read at once and handed to the observer in one piece.
constexpr size_t kBodyChunkBytes = 16 * 1024;

// Beast sizes each read by the buffer's free capacity (512 bytes when empty),
// so the buffer starts with room for a typical answer in one read.
constexpr size_t kReadBufferBytes = 16 * 1024;

// How often kept connections are checked for an upstream's close.
constexpr auto kIdleSweepInterval = std::chrono::milliseconds(1000);

struct Connection {
    explicit Connection(net::io_context& io) : socket(io) { buffer.reserve(kReadBufferBytes); }
    tcp::socket socket;
    beast::flat_buffer buffer;
};

bool is_closed_by_peer(const error_code& ec) {
    return ec == net::error::eof || ec == http::error::end_of_stream ||
           ec == net::error::connection_reset || ec == net::error::broken_pipe ||
           ec == http::error::partial_message;
}

} // namespace

core::Result<HttpUrl> parse_http_url(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (url.substr(0, kScheme.size()) != kScheme) {
        return core::invalid_argument("not an http:// URL: " + std::string(url));
    }
    std::string_view rest = url.substr(kScheme.size());
    size_t slash = rest.find_first_of("/?");
    std::string_view authority = rest.substr(0, slash);
    HttpUrl out;
    out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
    if (!out.target.empty() && out.target.front() == '?') out.target.insert(0, "/");
    if (authority.find('@') != std::string_view::npos) {
        return core::invalid_argument("credentials in an upstream URL are not supported: use "
                                      "upstream.api_key_env");
    }
    std::string_view port_text;
    if (!authority.empty() && authority.front() == '[') {
        size_t close = authority.find(']');
        if (close == std::string_view::npos)
            return core::invalid_argument("bad IPv6 host in " + std::string(url));
        out.host = std::string(authority.substr(1, close - 1));
        std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':')
                return core::invalid_argument("bad host in " + std::string(url));
            port_text = after.substr(1);
        }
    } else {
        size_t colon = authority.rfind(':');
        out.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
    }
    if (out.host.empty()) return core::invalid_argument("no host in " + std::string(url));
    if (!port_text.empty()) {
        unsigned port = 0;
        for (char c : port_text) {
            if (c < '0' || c > '9' || port > 65535) {
                return core::invalid_argument("bad port in " + std::string(url));
            }
            port = port * 10 + static_cast<unsigned>(c - '0');
        }
        if (port == 0 || port > 65535)
            return core::invalid_argument("bad port in " + std::string(url));
        out.port = static_cast<uint16_t>(port);
    }
    return out;
}

struct Http1Client::Impl : std::enable_shared_from_this<Http1Client::Impl> {
    Impl(net::io_context& context, Http1ClientOptions opts)
        : io(context), options(opts), resolver(context), sweep_timer(context) {}

    std::unique_ptr<Connection> take_idle(const std::string& key) {
        auto it = idle.find(key);
        if (it == idle.end() || it->second.empty()) return nullptr;
        std::unique_ptr<Connection> c = std::move(it->second.back());
        it->second.pop_back();
        --idle_count;
        return c;
    }

    void put_idle(const std::string& key, std::unique_ptr<Connection> c) {
        auto& pool = idle[key];
        if (pool.size() >= options.max_idle_per_host) return;
        pool.push_back(std::move(c));
        ++idle_count;
        if (!sweep_armed) arm_sweep();
    }

    // Idle connections the upstream closed leave the pool within a sweep
    // rather than lingering half-closed (CLOSE-WAIT) until a request finds
    // them dead. A timer, not a readability wait per connection: arming and
    // cancelling a wait on every reuse cost each proxied request about 2k
    // instructions (callgrind), a sweep costs requests nothing.
    void arm_sweep() {
        sweep_armed = true;
        sweep_timer.expires_after(kIdleSweepInterval);
        sweep_timer.async_wait([weak = weak_from_this()](error_code ec) {
            auto self = weak.lock();
            if (!self || ec) return;
            self->sweep_armed = false;
            self->sweep_idle();
            if (self->idle_count > 0) self->arm_sweep();
        });
    }

    // One poll(2) over every idle connection: a kept connection is readable
    // only when the upstream closed it (or sent what it must not).
    void sweep_idle() {
        std::vector<pollfd> fds;
        fds.reserve(idle_count);
        for (auto& [key, pool] : idle)
            for (auto& c : pool)
                fds.push_back({c->socket.native_handle(), POLLIN | POLLRDHUP, 0});
        if (fds.empty() || ::poll(fds.data(), fds.size(), 0) <= 0) return;
        size_t i = 0;
        idle_count = 0;
        for (auto& [key, pool] : idle) {
            std::erase_if(pool, [&](const std::unique_ptr<Connection>&) {
                return fds[i++].revents != 0; // closes the socket
            });
            idle_count += pool.size();
        }
    }

    net::io_context& io;
    Http1ClientOptions options;
    tcp::resolver resolver;
    std::unordered_map<std::string, std::vector<std::unique_ptr<Connection>>> idle;
    size_t idle_count = 0;
    net::steady_timer sweep_timer;
    bool sweep_armed = false;
};

namespace {

// One request/response. Asio handlers hold it by shared_ptr; the HttpCall the
// caller owns only cancels it, so a handler never outlives its state.
class Http1Exchange final : public std::enable_shared_from_this<Http1Exchange> {
  public:
    Http1Exchange(std::shared_ptr<Http1Client::Impl> client, core::HttpClientRequest request,
                  HttpUrl url, core::HttpResponseObserver* observer)
        : client_(std::move(client)), request_(std::move(request)), url_(std::move(url)),
          observer_(observer), timer_(client_->io) {
        key_ = url_.host + ":" + std::to_string(url_.port);
        // A pinned connection is only ever reused for the same address.
        if (!url_.connect_address.empty()) pool_key_ = key_ + "@" + url_.connect_address;
    }

    // Idle connections' key: host:port, and the pinned address when there is one.
    const std::string& pool_key() const { return pool_key_.empty() ? key_ : pool_key_; }

    // The Host header's value, written in place (no temporary strings on
    // every request): an IPv6 literal in brackets, the port unless it is 80.
    void append_host_header(std::string& out) const {
        const bool v6 = url_.host.find(':') != std::string::npos;
        if (v6) out += '[';
        out += url_.host;
        if (v6) out += ']';
        if (url_.port != 80) {
            out += ':';
            core::append_decimal(out, static_cast<uint64_t>(url_.port));
        }
    }

    void begin() {
        conn_ = client_->take_idle(pool_key());
        if (conn_) {
            reused_ = true;
            // Start from the loop, never inside start(): the contract of HttpClient.
            net::post(client_->io, [self = shared_from_this()] { self->write_request(); });
        } else {
            connect();
        }
    }

    void cancel() {
        observer_ = nullptr;
        if (done_) return;
        done_ = true;
        stop_io();
    }

    void resume() {
        if (!paused_ || done_) return;
        paused_ = false;
        if (!reading_) read_body();
    }

  private:
    enum class Phase { kConnect, kFirstByte, kBody };

    void connect() {
        conn_ = std::make_unique<Connection>(client_->io);
        reused_ = false;
        arm_timer(request_.connect_timeout_ms, Phase::kConnect);
        error_code ec;
        net::ip::address address = net::ip::make_address(
            url_.connect_address.empty() ? url_.host : url_.connect_address, ec);
        if (!ec) {
            conn_->socket.async_connect(
                tcp::endpoint(address, url_.port),
                [self = shared_from_this()](error_code cec) { self->on_connected(cec); });
            return;
        }
        client_->resolver.async_resolve(
            url_.host, std::to_string(url_.port),
            [self = shared_from_this()](error_code rec,
                                        const tcp::resolver::results_type& results) {
                if (self->done_) return;
                if (rec) {
                    self->fail(core::unavailable("cannot resolve upstream host '" +
                                                 self->url_.host + "': " + rec.message()));
                    return;
                }
                net::async_connect(
                    self->conn_->socket, results,
                    [self](error_code cec, const tcp::endpoint&) { self->on_connected(cec); });
            });
    }

    void on_connected(error_code ec) {
        if (done_) return;
        if (ec) {
            fail(core::unavailable("cannot connect to upstream " + key_ + ": " + ec.message()));
            return;
        }
        error_code ignored;
        conn_->socket.set_option(tcp::no_delay(true), ignored);
        write_request();
    }

    void write_request() {
        if (done_) return;
        if (head_.empty()) {
            head_.reserve(256 + request_.url.size());
            head_ += request_.method;
            head_ += ' ';
            head_ += url_.target;
            head_ += " HTTP/1.1\r\nhost: ";
            append_host_header(head_);
            head_ += "\r\n";
            for (const core::Header& h : request_.headers.fields()) {
                head_ += h.name;
                head_ += ": ";
                head_ += h.value;
                head_ += "\r\n";
            }
            if (!request_.body.empty() || request_.method == "POST") {
                head_ += "content-length: ";
                head_ += std::to_string(request_.body.size());
                head_ += "\r\n";
            }
            head_ += "\r\n";
        }
        arm_timer(request_.first_byte_timeout_ms, Phase::kFirstByte);
        std::array<net::const_buffer, 2> buffers{net::buffer(head_), net::buffer(request_.body)};
        net::async_write(
            conn_->socket, buffers,
            [self = shared_from_this()](error_code ec, size_t) { self->on_written(ec); });
    }

    void on_written(error_code ec) {
        if (done_) return;
        if (ec) {
            if (retry_stale_connection()) return;
            fail(core::unavailable("cannot send to upstream " + key_ + ": " + ec.message()));
            return;
        }
        parser_.emplace();
        parser_->header_limit(kMaxResponseHeadBytes);
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        http::async_read_header(
            conn_->socket, conn_->buffer, *parser_,
            [self = shared_from_this()](error_code rec, size_t) { self->on_head(rec); });
    }

    // A kept-alive connection the upstream closed while idle fails before any
    // byte of answer: the request never reached it, so one fresh try is safe
    // (curl does the same).
    bool retry_stale_connection() {
        if (!reused_ || retried_) return false;
        retried_ = true;
        error_code ignored;
        conn_->socket.close(ignored);
        dead_.push_back(std::move(conn_)); // pending handlers may still touch it
        connect();
        return true;
    }

    void on_head(error_code ec) {
        if (done_) return;
        if (ec) {
            if (is_closed_by_peer(ec) && conn_->buffer.size() == 0 && retry_stale_connection()) {
                return;
            }
            if (is_closed_by_peer(ec)) {
                fail(core::data_loss("the upstream closed the connection without answering"));
            } else {
                fail(core::data_loss("the upstream's answer is not valid HTTP: " + ec.message()));
            }
            return;
        }
        auto& message = parser_->get();
        int status = static_cast<int>(message.result_int());
        if (status >= 100 && status < 200) {
            on_written({}); // an interim answer (100 Continue): read the real one
            return;
        }
        core::Headers headers;
        for (const auto& field : message) {
            headers.add(std::string(field.name_string()), std::string(field.value()));
        }
        if (observer_ != nullptr) observer_->on_head(status, headers);
        if (done_) return;
        if (parser_->is_done()) {
            succeed();
            return;
        }
        read_body();
    }

    void read_body() {
        if (done_ || paused_ || reading_) return;
        reading_ = true;
        arm_timer(request_.idle_timeout_ms, Phase::kBody);
        auto& body = parser_->get().body();
        body.data = body_buffer_.data();
        body.size = body_buffer_.size();
        http::async_read_some(
            conn_->socket, conn_->buffer, *parser_,
            [self = shared_from_this()](error_code ec, size_t) { self->on_body(ec); });
    }

    void on_body(error_code ec) {
        reading_ = false;
        if (done_) return;
        if (ec == http::error::need_buffer) ec = {};
        size_t n = body_buffer_.size() - parser_->get().body().size;
        if (n > 0 && observer_ != nullptr) {
            std::string_view bytes(body_buffer_.data(), n);
            if (observer_->on_data(bytes) == core::BodyAction::kPause) paused_ = true;
            if (done_) return;
        }
        if (ec) {
            if (is_closed_by_peer(ec)) {
                fail(core::data_loss("the upstream closed the connection in the middle of its "
                                     "answer"));
            } else {
                fail(core::data_loss("the upstream's answer broke off: " + ec.message()));
            }
            return;
        }
        if (parser_->is_done()) {
            succeed();
            return;
        }
        if (!paused_) read_body();
    }

    void arm_timer(int64_t ms, Phase phase) {
        uint64_t generation = ++timer_generation_;
        timer_.expires_after(std::chrono::milliseconds(ms));
        timer_.async_wait([self = shared_from_this(), generation, phase](error_code ec) {
            if (ec || generation != self->timer_generation_ || self->done_) return;
            self->on_timeout(phase);
        });
    }

    void on_timeout(Phase phase) {
        switch (phase) {
        case Phase::kConnect:
            fail(core::deadline_exceeded("could not connect to upstream " + key_ + " within " +
                                         std::to_string(request_.connect_timeout_ms) +
                                         " ms (upstream.connect_timeout_ms)"));
            return;
        case Phase::kFirstByte:
            fail(core::deadline_exceeded("no response within " +
                                         std::to_string(request_.first_byte_timeout_ms) +
                                         " ms (upstream.timeout_ms)"));
            return;
        case Phase::kBody:
            if (paused_) {
                // Our client is slow, not the upstream: wait on.
                arm_timer(request_.idle_timeout_ms, Phase::kBody);
                return;
            }
            fail(core::deadline_exceeded("the upstream sent nothing for " +
                                         std::to_string(request_.idle_timeout_ms) +
                                         " ms (upstream.stream_idle_timeout_ms)"));
            return;
        }
    }

    void succeed() {
        done_ = true;
        ++timer_generation_;
        timer_.cancel();
        if (parser_->keep_alive() && conn_->buffer.size() == 0) {
            client_->put_idle(pool_key(), std::move(conn_));
        } else {
            stop_io();
        }
        if (observer_ != nullptr) observer_->on_complete({});
    }

    void fail(const core::Status& status) {
        done_ = true;
        stop_io();
        if (observer_ != nullptr) observer_->on_complete(status);
    }

    // Closes the socket; the Connection stays alive until pending handlers ran.
    void stop_io() {
        ++timer_generation_;
        timer_.cancel();
        if (conn_) {
            error_code ignored;
            conn_->socket.close(ignored);
        }
    }

    std::shared_ptr<Http1Client::Impl> client_;
    core::HttpClientRequest request_;
    HttpUrl url_;
    std::string key_;      // host:port, as errors name it
    std::string pool_key_; // with a pinned address: key_@address; else empty
    core::HttpResponseObserver* observer_;
    net::steady_timer timer_;
    uint64_t timer_generation_ = 0;
    std::unique_ptr<Connection> conn_;
    std::vector<std::unique_ptr<Connection>> dead_;
    std::optional<http::response_parser<http::buffer_body>> parser_;
    std::string head_;
    std::array<char, kBodyChunkBytes> body_buffer_;
    bool reused_ = false;
    bool retried_ = false;
    bool done_ = false;
    bool paused_ = false;
    bool reading_ = false;
};

class Http1Call final : public core::HttpCall {
  public:
    explicit Http1Call(std::shared_ptr<Http1Exchange> exchange) : exchange_(std::move(exchange)) {}
    ~Http1Call() override { exchange_->cancel(); }
    void resume() override { exchange_->resume(); }

  private:
    std::shared_ptr<Http1Exchange> exchange_;
};

} // namespace

Http1Client::Http1Client(EventLoop& loop, Http1ClientOptions options)
    : impl_(std::make_shared<Impl>(loop.impl().io, options)) {}

Http1Client::~Http1Client() = default;

core::Result<std::unique_ptr<core::HttpCall>>
Http1Client::start(core::HttpClientRequest request, core::HttpResponseObserver* observer) {
    EDGEAI_ASSIGN_OR_RETURN(HttpUrl url, parse_http_url(request.url));
    return start_to(std::move(request), observer, std::move(url));
}

core::Result<std::unique_ptr<core::HttpCall>>
Http1Client::start_to(core::HttpClientRequest request, core::HttpResponseObserver* observer,
                      HttpUrl url) {
    auto exchange =
        std::make_shared<Http1Exchange>(impl_, std::move(request), std::move(url), observer);
    exchange->begin();
    return std::unique_ptr<core::HttpCall>(std::make_unique<Http1Call>(std::move(exchange)));
}

} // namespace edgeai::platform::native
