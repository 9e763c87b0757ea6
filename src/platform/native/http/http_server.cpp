#include "platform/native/http/http_server.h"

#include "api/api_error.h"
#include "core/decimal.h"
#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <cstring>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <vector>

namespace edgeai::platform::native {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
// Beast's wrapper rather than Asio's stream: it joins a gathered write into
// one TLS record instead of one record (and one syscall) per buffer.
using TlsStream = beast::ssl_stream<tcp::socket>;

namespace {

// A streamed response may queue this much for a slow client before the
// producer is told to pause, and resumes once the queue is below the low mark.
constexpr size_t kHighWaterBytes = 256 * 1024;
constexpr size_t kLowWaterBytes = 64 * 1024;
// Bytes read at once while waiting for the next request.
constexpr size_t kReadChunkBytes = 16 * 1024;
// After the shutdown's grace: the time the requests' last words (an error
// event, a 503) have to reach their clients before the sockets close.
constexpr std::chrono::milliseconds kLastWriteAtShutdown{500};
// Room for a typical response head, so building it does not reallocate.
constexpr size_t kResponseHeadReserve = 512;
// After an error response on a connection we close, keep reading (and
// discarding) briefly so the client sees the response instead of a reset.
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
constexpr size_t kLingerMaxBytes = 1 << 20;
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

// The whole answer to a connection past server.max_connections, built once.
const std::string& busy_response() {
    static const std::string response = [] {
        core::HttpResponse r = api::api_error_response(api::service_unavailable(
            "too many connections; the server is at server.max_connections, retry shortly"));
        std::string out = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
                          "connection: close\r\nretry-after: 1\r\ncontent-length: " +
                          std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
        return out;
    }();
    return response;
}

// The answer to plain HTTP sent to the TLS port, built once: clearer than a
// closed connection for someone who typed http:// instead of https://.
const std::string& plain_http_on_tls_response() {
    static const std::string response = [] {
        core::HttpResponse r = api::api_error_response(api::api_error_from_status(
            core::invalid_argument("this port speaks HTTPS; use https:// instead of http://")));
        return "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
               "connection: close\r\ncontent-length: " +
               std::to_string(r.body.size()) + "\r\n\r\n" + r.body;
    }();
    return response;
}

// The first byte of every TLS connection: a handshake record.
constexpr unsigned char kTlsHandshakeRecord = 0x16;

// Header values are ours or echoed from peers; a CR or LF would split the head.
void append_header_line(std::string& out, std::string_view name, std::string_view value) {
    out.append(name);
    out.append(": ");
    // A CR or LF in a value would start a header of its own: drop them.
    if (value.find('\r') == std::string_view::npos && value.find('\n') == std::string_view::npos) {
        out.append(value);
    } else {
        for (char c : value) {
            if (c != '\r' && c != '\n') out.push_back(c);
        }
    }
    out.append("\r\n");
}

// Appended in place: every response writes one, and temporaries cost an
// allocation each.
void append_status_line(std::string& out, int status) {
    std::string_view reason =
        http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
    if (status == 499) reason = "Client Closed Request";
    out.append("HTTP/1.1 ");
    core::append_decimal(out, static_cast<uint64_t>(status));
    out.push_back(' ');
    out.append(reason);
    out.append("\r\n");
}

// What the raw bytes say about the head, in one pass over its line ends
// (memchr per line): complete (Beast parses it; bare LF ends and other odd
// bytes are Beast's to refuse), not yet complete, or folded (a line that
// starts with a space or a tab continues the one before: obs-fold).
struct HeadScan {
    enum State { kIncomplete, kComplete, kObsFold } state = kIncomplete;
};

HeadScan scan_head(std::string_view bytes) {
    HeadScan scan;
    const char* data = bytes.data();
    size_t pos = 0;
    for (;;) {
        const void* found = std::memchr(data + pos, '\n', bytes.size() - pos);
        if (found == nullptr) return scan;
        const size_t lf = static_cast<size_t>(static_cast<const char*>(found) - data);
        if (lf == 0 || data[lf - 1] != '\r' || lf + 1 >= bytes.size()) {
            // A bare LF is Beast's to refuse; a line end at the very end of
            // the bytes so far needs the next byte to say what follows.
            if (lf == 0 || data[lf - 1] != '\r') scan.state = HeadScan::kComplete;
            return scan;
        }
        const char next = data[lf + 1];
        if (next == ' ' || next == '\t') {
            scan.state = HeadScan::kObsFold;
            return scan;
        }
        if (next == '\r') {
            // The blank line, or something Beast refuses: either way it parses now.
            if (lf + 2 < bytes.size()) scan.state = HeadScan::kComplete;
            return scan;
        }
        pos = lf + 1;
    }
}

// RFC 9112's framing rules where Beast is lenient, since a front proxy that
// reads a head differently from us could smuggle a second request past it:
// a Transfer-Encoding other than exactly "chunked", or beside a
// Content-Length; HTTP/1.1 without Host, two Hosts; two Authorization or
// x-api-key fields (which one is meant?). Empty when the head is sound.
std::string framing_error(const http::request<http::string_body>& req) {
    size_t hosts = 0, encodings = 0, authorizations = 0, api_keys = 0;
    std::string_view encoding;
    for (const auto& field : req) {
        switch (field.name()) {
        case http::field::host:
            ++hosts;
            break;
        case http::field::transfer_encoding:
            ++encodings;
            encoding = field.value();
            break;
        case http::field::authorization:
            ++authorizations;
            break;
        default:
            if (beast::iequals(field.name_string(), "x-api-key")) ++api_keys;
            break;
        }
    }
    if (encodings > 0) {
        if (encodings > 1 || !beast::iequals(core::trim_spaces(encoding), "chunked"))
            return "Transfer-Encoding must be exactly 'chunked'";
        if (req.count(http::field::content_length) > 0)
            return "a request may not carry both Transfer-Encoding and Content-Length";
    }
    if (hosts > 1)
        return "a request may carry one Host header, this one has " + std::to_string(hosts);
    if (hosts == 0 && req.version() >= 11) return "an HTTP/1.1 request must carry a Host header";
    if (authorizations > 1) return "a request may carry one Authorization header";
    if (api_keys > 1) return "a request may carry one x-api-key header";
    return {};
}

tcp::socket& socket_of(tcp::socket& s) {
    return s;
}
tcp::socket& socket_of(TlsStream& s) {
    return s.next_layer();
}

} // namespace

// What the server needs of a connection whatever its stream type.
class SessionBase : public gateway::ResponseWriter {
  public:
    virtual void start() = 0;
    virtual void on_server_shutdown() = 0;
    virtual void close() = 0;
};

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
    Impl(EventLoop& loop, gateway::Gateway& gw, telemetry::Logger& log,
         telemetry::MetricsRegistry& m, HttpServerOptions opts)
        : io(loop.impl().io), gateway(gw), logger(log), metrics(m), options(std::move(opts)),
          acceptor(io), accept_retry(io), grace_timer(io) {
        connections = &metrics.gauge("edgeai_http_connections", "Open client connections");
        rejected = &metrics.counter("edgeai_http_connections_rejected_total",
                                    "Connections refused at server.max_connections");
        pending_body = &metrics.gauge("edgeai_http_pending_body_bytes",
                                      "Bytes set aside for request bodies being received");
        body_refusals = &metrics.counter("edgeai_http_body_budget_refusals_total",
                                         "Requests refused at server.max_pending_body_bytes");
    }

    void do_accept();
    void session_closed(SessionBase* session);
    void finish_shutdown();
    void refuse_busy(tcp::socket socket);

    net::io_context& io;
    gateway::Gateway& gateway;
    telemetry::Logger& logger;
    telemetry::MetricsRegistry& metrics;
    HttpServerOptions options;
    tcp::acceptor acceptor;
    net::steady_timer accept_retry;
    net::steady_timer grace_timer;
    std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
    bool shutting_down = false;
    std::function<void()> on_drained;
    telemetry::Gauge* connections = nullptr;
    telemetry::Counter* rejected = nullptr;
    // Bodies being received, summed over connections (server.max_pending_body_bytes).
    size_t pending_body_bytes = 0;
    telemetry::Gauge* pending_body = nullptr;
    telemetry::Counter* body_refusals = nullptr;
    // Set when TLS is on: new connections take this one; each keeps its own
    // reference, so reload_tls() swaps it without touching open connections.
    std::shared_ptr<net::ssl::context> tls;
    TlsCertificateInfo tls_certificate;
    telemetry::Counter* tls_handshake_failures = nullptr;
};

// One connection over a plain socket or a TLS stream: one copy of the logic,
// and the plain path compiles to what it was without TLS.
template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
    static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  public:
    // `tls` is the context the connection was accepted with (null for plain).
    Session(std::shared_ptr<HttpServer::Impl> server, tcp::socket accepted,
            std::shared_ptr<net::ssl::context> tls)
        : server_(std::move(server)), tls_(std::move(tls)),
          stream_(make_stream(std::move(accepted), tls_.get())), timer_(server_->io) {
        error_code ec;
        tcp::endpoint remote = socket().remote_endpoint(ec);
        if (!ec) peer_ = remote.address().to_string() + ":" + std::to_string(remote.port());
        socket().set_option(tcp::no_delay(true), ec);
    }

    void start() override {
        if constexpr (kTls) {
            handshake();
        } else {
            wait_for_request(server_->options.idle_timeout);
        }
    }

    // The server is shutting down: idle connections close now, busy ones after
    // their response.
    void on_server_shutdown() override {
        keep_alive_ = false;
        if (!in_request_) close();
    }

    void close() override {
        if (closed_) return;
        closed_ = true;
        ++timer_generation_;
        timer_.cancel();
        error_code ec;
        socket().shutdown(tcp::socket::shutdown_both, ec);
        socket().close(ec);
        // Cancels work still running for a client that is gone.
        task_.reset();
        incoming_.reset();
        release_body_budget();
        server_->session_closed(this);
    }

    // ResponseWriter ------------------------------------------------------------

    void send(core::HttpResponse response) override {
        if (closed_ || response_started_) return;
        response_started_ = true;
        std::string out = head(response.status, response.headers);
        bool no_body = response.status == 204 || response.status == 304;
        if (!no_body) {
            out.append("content-length: ");
            core::append_decimal(out, response.body.size());
            out.append("\r\n");
        }
        out.append("\r\n");
        response_end_queued_ = true;
        if (head_only_ || no_body || response.body.empty()) {
            enqueue(std::move(out));
            return;
        }
        // Head and body go out in one gathered write, without copying the body.
        enqueue(std::move(out), /*flush_now=*/false);
        enqueue(std::move(response.body));
    }

    void start_stream(int status, core::Headers headers) override {
        if (closed_ || response_started_) return;
        response_started_ = true;
        // HTTP/1.0 has no chunked coding: the end of the stream is the close.
        chunked_ = http_version_ >= 11;
        if (!chunked_) keep_alive_ = false;
        std::string out = head(status, headers);
        if (chunked_) append_header_line(out, "transfer-encoding", "chunked");
        out.append("\r\n");
        enqueue_stream(std::move(out));
    }

    bool write(std::string_view bytes) override {
        if (closed_ || !response_started_ || response_end_queued_) return true;
        if (bytes.empty()) return queued_bytes_ < kHighWaterBytes;
        if (!head_only_) {
            std::string chunk;
            if (chunked_) {
                char size_line[24];
                int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", bytes.size());
                chunk.reserve(bytes.size() + static_cast<size_t>(n) + 2);
                chunk.append(size_line, static_cast<size_t>(n));
                chunk.append(bytes);
                chunk.append("\r\n");
            } else {
                chunk.assign(bytes);
            }
            enqueue_stream(std::move(chunk));
        }
        if (queued_bytes_ < kHighWaterBytes) return true;
        drain_wanted_ = true;
        return false;
    }

    void end_stream() override {
        if (closed_ || !response_started_ || response_end_queued_) return;
        response_end_queued_ = true;
        enqueue_stream(chunked_ && !head_only_ ? std::string("0\r\n\r\n") : std::string());
    }

    void set_drain_callback(std::function<void()> callback) override {
        drain_callback_ = std::move(callback);
    }

  private:
    static Stream make_stream(tcp::socket accepted, net::ssl::context* tls) {
        if constexpr (kTls) {
            return Stream(std::move(accepted), *tls);
        } else {
            (void)tls;
            return accepted;
        }
    }

    tcp::socket& socket() { return socket_of(stream_); }
    std::shared_ptr<Session> shared() { return this->shared_from_this(); }

    // The handshake has the request read's deadline: a client that connects
    // and says nothing holds a connection no longer than a slow request. The
    // first byte is peeked at first, to answer plain HTTP in plain HTTP.
    void handshake() {
        arm_timer(server_->options.read_timeout);
        socket().async_wait(tcp::socket::wait_read,
                            [self = shared()](error_code ec) { self->on_first_byte(ec); });
    }

    void on_first_byte(error_code ec) {
        if (ec || closed_) {
            on_handshake(ec);
            return;
        }
        unsigned char first = 0;
        size_t n = socket().receive(net::buffer(&first, 1), tcp::socket::message_peek, ec);
        if (ec || n == 0) {
            // Gone before saying anything: a TCP probe (connectivity checks,
            // load balancers), not a failed handshake.
            close();
            return;
        }
        if (first != kTlsHandshakeRecord) {
            server_->tls_handshake_failures->add();
            server_->logger.debug("plain HTTP on the TLS port", {{"peer", peer_}});
            // What already arrived is read, so the close after the answer is a
            // FIN rather than the reset that unread data would cause.
            char sink[4096];
            for (size_t drained = 0;
                 drained < kLingerMaxBytes && socket().available(ec) > 0 && !ec;)
                drained += socket().receive(net::buffer(sink), 0, ec);
            net::async_write(socket(), net::buffer(plain_http_on_tls_response()),
                             [self = shared()](error_code, size_t) { self->close(); });
            return;
        }
        stream_.async_handshake(net::ssl::stream_base::server,
                                [self = shared()](error_code hec) { self->on_handshake(hec); });
    }

    void on_handshake(error_code ec) {
        if (ec || closed_) {
            // A shutdown closing connections mid-handshake is not their failure.
            if (!server_->shutting_down) server_->tls_handshake_failures->add();
            if (server_->logger.enabled(core::LogLevel::kDebug)) {
                server_->logger.debug(
                    "tls handshake failed",
                    {{"peer", peer_},
                     {"error", closed_ ? std::string("timed out") : ec.message()}});
            }
            close();
            return;
        }
        disarm_timer();
        client_cert_cn_ = verified_client_cn(stream_.native_handle());
        if (server_->logger.enabled(core::LogLevel::kDebug)) {
            server_->logger.debug("tls handshake",
                                  {{"peer", peer_},
                                   {"tls", negotiated_tls(stream_.native_handle())},
                                   {"client_cert_cn", client_cert_cn_}});
        }
        wait_for_request(server_->options.idle_timeout);
    }

    std::string head(int status, const core::Headers& headers) const {
        std::string out;
        out.reserve(kResponseHeadReserve);
        append_status_line(out, status);
        for (const core::Header& h : headers.fields())
            append_header_line(out, h.name, h.value);
        if (!keep_alive_) {
            append_header_line(out, "connection", "close");
        } else if (http_version_ < 11) {
            append_header_line(out, "connection", "keep-alive");
        }
        return out;
    }

    // Arms the one deadline this connection has at a time (idle wait, request
    // read, or a stalled write); expiry closes the connection.
    void arm_timer(std::chrono::milliseconds timeout) {
        uint64_t generation = ++timer_generation_;
        timer_.expires_after(timeout);
        timer_.async_wait([self = shared(), generation](error_code ec) {
            if (ec || generation != self->timer_generation_ || self->closed_) return;
            self->server_->logger.debug("connection timed out", {{"peer", self->peer_}});
            self->close();
        });
    }

    void disarm_timer() {
        ++timer_generation_;
        timer_.cancel();
    }

    // Waits for the first bytes of the next request (or the client going away).
    // While a request is being handled this read stays outstanding so a client
    // that disconnects cancels its work at once.
    void wait_for_request(std::chrono::milliseconds idle) {
        if (closed_) return;
        if (buffer_.size() > 0) {
            read_request();
            return;
        }
        arm_timer(idle);
        watch();
    }

    void watch() {
        if (read_pending_ || closed_) return;
        read_pending_ = true;
        stream_.async_read_some(
            buffer_.prepare(kReadChunkBytes),
            [self = shared()](error_code ec, size_t n) { self->on_watch(ec, n); });
    }

    void on_watch(error_code ec, size_t n) {
        read_pending_ = false;
        if (closed_) return;
        if (ec) {
            // EOF or reset: the client is gone; any work for it is cancelled.
            close();
            return;
        }
        buffer_.commit(n);
        if (in_request_) return; // pipelined bytes; read after the response
        read_request();
    }

    void read_request() {
        if (closed_) return;
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_->options.max_header_bytes));
        parser_->body_limit(server_->options.max_body_bytes);
        arm_timer(server_->options.read_timeout);
        read_head();
    }

    // Gathers the whole head before Beast parses it, because Beast unfolds
    // obs-fold lines (a header value continued on a line that starts with a
    // space) silently, and a front proxy that does not would read another
    // header set: RFC 9112 says to refuse them, which only the raw bytes show.
    void read_head() {
        const std::string_view bytes(static_cast<const char*>(buffer_.data().data()),
                                     buffer_.size());
        const HeadScan scan = scan_head(bytes);
        if (scan.state == HeadScan::kIncomplete) {
            if (bytes.size() > server_->options.max_header_bytes) {
                reject(api::headers_too_large(server_->options.max_header_bytes));
                return;
            }
            stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                                    [self = shared()](error_code ec, size_t n) {
                                        if (self->closed_) return;
                                        if (ec) {
                                            self->on_read_error(ec);
                                            return;
                                        }
                                        self->buffer_.commit(n);
                                        self->read_head();
                                    });
            return;
        }
        if (scan.state == HeadScan::kObsFold) {
            reject(api::api_error_from_status(core::invalid_argument(
                "malformed HTTP request: a header line continued on the next (obs-fold)")));
            return;
        }
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = shared()](error_code ec, size_t n) { self->on_header(ec, n); });
    }

    void on_header(error_code ec, size_t head_bytes) {
        if (closed_) return;
        if (ec) {
            on_read_error(ec);
            return;
        }
        // Beast applies header_limit to what each read brings, so a head that
        // arrives in several pieces can pass it; the whole head is checked here.
        if (head_bytes > server_->options.max_header_bytes) {
            reject(api::headers_too_large(server_->options.max_header_bytes));
            return;
        }
        auto& req = parser_->get();
        if (std::string bad = framing_error(req); !bad.empty()) {
            reject(api::api_error_from_status(
                core::invalid_argument("malformed HTTP request: " + bad)));
            return;
        }
        auto length = parser_->content_length();
        if (length && *length > server_->options.max_body_bytes) {
            reject(api::payload_too_large(server_->options.max_body_bytes));
            return;
        }
        // The gateway decides on the head alone (route, CORS, key, scope)
        // before a byte of the body is read, and bounds the body by route.
        if (!begin_request()) return;
        const size_t limit =
            std::min<size_t>(incoming_->max_body_bytes(), server_->options.max_body_bytes);
        if (length && *length > limit) {
            refuse_body(limit);
            return;
        }
        parser_->body_limit(limit);
        if (parser_->is_done()) {
            on_request();
            return;
        }
        // A declared length is reserved whole (Beast allocates it up front); a
        // chunked body grows its reservation as its bytes arrive.
        if (!reserve_body_budget(length ? static_cast<size_t>(*length) : 0)) return;
        if (beast::iequals(req[http::field::expect], "100-continue")) {
            // The client waits for this before sending its body.
            auto interim = std::make_shared<std::string>("HTTP/1.1 100 Continue\r\n\r\n");
            net::async_write(stream_, net::buffer(*interim),
                             [self = shared(), interim](error_code wec, size_t) {
                                 if (wec) {
                                     self->close();
                                     return;
                                 }
                                 self->read_body();
                             });
            return;
        }
        read_body();
    }

    void read_body() {
        if (closed_) return;
        http::async_read_some(stream_, buffer_, *parser_, [self = shared()](error_code ec, size_t) {
            if (self->closed_) return;
            if (ec) {
                self->on_read_error(ec);
                return;
            }
            if (self->parser_->is_done()) {
                self->on_request();
                return;
            }
            if (!self->grow_body_budget()) return;
            self->read_body();
        });
    }

    // A chunked body holds what it has received so far (in steps of 64 KiB)
    // against the shared budget; past it the request gets 503 and the
    // connection closes, since the rest of its body is not read.
    bool grow_body_budget() {
        const size_t received = parser_->get().body().size();
        if (received <= body_reserved_) return true;
        constexpr size_t kStep = 64 * 1024;
        const size_t more = (received - body_reserved_ + kStep - 1) / kStep * kStep;
        return reserve_body_budget(more);
    }

    // Hands the head to the gateway; false when it answered already (a
    // refusal, a preflight). A refused request's body is never read, so its
    // connection closes after the answer (lingering, so the client reads it).
    bool begin_request() {
        auto& req = parser_->get();
        core::HttpRequest head;
        head.method = std::string(req.method_string());
        head.target = std::string(req.target());
        for (const auto& field : req) {
            head.headers.add(std::string(field.name_string()), std::string(field.value()));
        }
        head.peer = peer_;
        head.ollama_listener = server_->options.ollama;
        if constexpr (kTls) head.client_cert_cn = client_cert_cn_;
        http_version_ = req.version();
        const bool keep_alive = req.keep_alive() && !server_->shutting_down;
        keep_alive_ = keep_alive && parser_->is_done();
        head_only_ = req.method() == http::verb::head;
        in_request_ = true;
        response_started_ = false;
        response_end_queued_ = false;
        chunked_ = false;
        drain_wanted_ = false;
        drain_callback_ = nullptr;
        incoming_ = server_->gateway.begin(std::move(head), this);
        if (incoming_ == nullptr) return false; // the answer's write re-armed the timer
        keep_alive_ = keep_alive;
        return true;
    }

    // Every body being received holds its size (a chunked one what it has
    // received so far) against server.max_pending_body_bytes: Beast reserves a
    // declared length up front, so without a shared cap a thousand clients
    // that each start a 4 MiB body and go quiet would hold 4 GiB. Past the
    // cap the request gets 503 with Retry-After before its body is read.
    bool reserve_body_budget(size_t bytes) {
        HttpServer::Impl& server = *server_;
        if (server.pending_body_bytes + bytes > server.options.max_pending_body_bytes) {
            server.body_refusals->add();
            release_body_budget();
            disarm_timer();
            keep_alive_ = false;
            api::ApiError busy =
                api::service_unavailable("the server is receiving too many request bodies at once "
                                         "(server.max_pending_body_bytes); retry shortly");
            busy.retry_after_s = 1;
            auto incoming = std::move(incoming_);
            incoming->refuse(busy);
            return false;
        }
        server.pending_body_bytes += bytes;
        server.pending_body->add(static_cast<int64_t>(bytes));
        body_reserved_ += bytes;
        return true;
    }

    void release_body_budget() {
        if (body_reserved_ == 0) return;
        server_->pending_body_bytes -= body_reserved_;
        server_->pending_body->add(-static_cast<int64_t>(body_reserved_));
        body_reserved_ = 0;
    }

    // The body is larger than its route allows: 413 through the gateway (so
    // it is counted and logged with its route), then the connection closes.
    void refuse_body(size_t limit) {
        keep_alive_ = false;
        auto incoming = std::move(incoming_);
        incoming->refuse(api::payload_too_large(limit));
    }

    void on_read_error(error_code ec) {
        release_body_budget();
        if (incoming_ && ec == http::error::body_limit) {
            refuse_body(
                std::min<size_t>(incoming_->max_body_bytes(), server_->options.max_body_bytes));
            return;
        }
        if (ec == http::error::header_limit) {
            reject(api::headers_too_large(server_->options.max_header_bytes));
        } else if (ec == http::error::body_limit) {
            reject(api::payload_too_large(server_->options.max_body_bytes));
        } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
                   ec != http::error::end_of_stream && ec != http::error::partial_message) {
            api::ApiError e = api::api_error_from_status(
                core::invalid_argument("malformed HTTP request: " + ec.message()));
            reject(e);
        } else {
            close(); // end of stream, reset, or our own timeout
        }
    }

    // Answers an error found before the request could be handed on, then closes.
    void reject(const api::ApiError& error) {
        disarm_timer();
        server_->gateway.record_rejected(error.http_status);
        server_->logger.info(
            "request rejected",
            {{"status", error.http_status}, {"peer", peer_}, {"error", error.message}});
        keep_alive_ = false;
        in_request_ = true;
        response_started_ = false;
        response_end_queued_ = false;
        core::HttpResponse r = api::api_error_response(error);
        send(std::move(r));
    }

    void on_request() {
        disarm_timer();
        release_body_budget();
        std::string body = std::move(parser_->get().body());
        parser_.reset();
        // Pipelined requests already buffered are parsed after this response;
        // otherwise one read stays outstanding to notice a client that leaves.
        if (buffer_.size() == 0) watch();
        auto incoming = std::move(incoming_);
        task_ = incoming->proceed(std::move(body));
    }

    void enqueue(std::string bytes, bool flush_now = true) {
        queued_bytes_ += bytes.size();
        if (!bytes.empty()) queue_.push_back(std::move(bytes));
        if (flush_now && !write_in_flight_) flush();
    }

    // Streams flush once per loop turn: the head, the events that arrived in
    // one upstream read and the final chunk then leave in one gathered write
    // (one syscall) instead of one each, at no cost in latency.
    void enqueue_stream(std::string bytes) {
        enqueue(std::move(bytes), /*flush_now=*/false);
        if (flush_scheduled_ || write_in_flight_) return;
        flush_scheduled_ = true;
        net::post(stream_.get_executor(), [self = shared()] {
            self->flush_scheduled_ = false;
            if (!self->write_in_flight_) self->flush();
        });
    }

    void flush() {
        if (closed_) return;
        if (queue_.empty()) {
            if (response_end_queued_ && in_request_) response_finished();
            return;
        }
        writing_.swap(queue_);
        std::vector<net::const_buffer> buffers;
        buffers.reserve(writing_.size());
        for (const std::string& s : writing_)
            buffers.emplace_back(net::buffer(s));
        write_in_flight_ = true;
        arm_timer(server_->options.write_timeout);
        net::async_write(stream_, buffers,
                         [self = shared()](error_code ec, size_t n) { self->on_written(ec, n); });
    }

    void on_written(error_code ec, size_t n) {
        write_in_flight_ = false;
        if (closed_) return;
        disarm_timer();
        writing_.clear();
        if (ec) {
            close(); // the client stopped reading or went away
            return;
        }
        queued_bytes_ -= std::min(n, queued_bytes_);
        if (drain_wanted_ && queued_bytes_ < kLowWaterBytes && drain_callback_) {
            drain_wanted_ = false;
            auto callback = drain_callback_;
            callback(); // may queue more and start the next write
            if (write_in_flight_ || closed_) return;
        }
        flush();
    }

    void response_finished() {
        in_request_ = false;
        task_.reset(); // safe: we are in a write completion, not inside the task
        if (!keep_alive_ || server_->shutting_down) {
            linger_and_close();
            return;
        }
        if (read_pending_) {
            arm_timer(server_->options.idle_timeout);
            return;
        }
        wait_for_request(server_->options.idle_timeout);
    }

    // Half-closes, then discards what the client still sends for a moment, so
    // an early error response (413) is read rather than lost to a reset.
    void linger_and_close() {
        if constexpr (kTls) {
            // close_notify, then the peer's (or the deadline): a TLS client
            // then knows the response was not cut off.
            arm_timer(kLingerTime);
            stream_.async_shutdown([self = shared()](error_code) { self->close(); });
            return;
        }
        error_code ec;
        socket().shutdown(tcp::socket::shutdown_send, ec);
        if (ec) {
            close();
            return;
        }
        arm_timer(kLingerTime);
        linger_read();
    }

    void linger_read() {
        if (closed_ || read_pending_) return;
        read_pending_ = true;
        buffer_.clear();
        stream_.async_read_some(buffer_.prepare(kReadChunkBytes),
                                [self = shared()](error_code ec, size_t n) {
                                    self->read_pending_ = false;
                                    self->lingered_ += n;
                                    if (ec || self->lingered_ > kLingerMaxBytes) {
                                        self->close();
                                        return;
                                    }
                                    self->linger_read();
                                });
    }

    std::shared_ptr<HttpServer::Impl> server_;
    size_t body_reserved_ = 0; // held against server.max_pending_body_bytes
    // Declared before the stream, so it outlives the stream's SSL object.
    std::shared_ptr<net::ssl::context> tls_;
    Stream stream_;
    net::steady_timer timer_;
    uint64_t timer_generation_ = 0;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::unique_ptr<gateway::RequestTask> task_;
    // Between the head and the body: the gateway's half-handled request.
    std::unique_ptr<gateway::IncomingRequest> incoming_;
    std::string peer_;
    std::string client_cert_cn_;

    std::vector<std::string> queue_;
    std::vector<std::string> writing_;
    size_t queued_bytes_ = 0;
    size_t lingered_ = 0;
    bool write_in_flight_ = false;
    bool flush_scheduled_ = false;
    bool read_pending_ = false;
    bool closed_ = false;

    bool in_request_ = false;
    bool response_started_ = false;
    bool response_end_queued_ = false;
    bool keep_alive_ = true;
    bool head_only_ = false;
    bool chunked_ = false;
    unsigned http_version_ = 11;
    bool drain_wanted_ = false;
    std::function<void()> drain_callback_;
};

void HttpServer::Impl::do_accept() {
    acceptor.async_accept([self = shared_from_this()](error_code ec, tcp::socket socket) {
        if (self->shutting_down || !self->acceptor.is_open()) return;
        if (ec) {
            // Out of descriptors and the like: back off instead of spinning.
            self->logger.warn("accept failed", {{"error", ec.message()}});
            self->accept_retry.expires_after(kAcceptRetryDelay);
            self->accept_retry.async_wait([self](error_code) { self->do_accept(); });
            return;
        }
        if (self->sessions.size() >= self->options.max_connections) {
            self->refuse_busy(std::move(socket));
        } else {
            std::shared_ptr<SessionBase> session;
            if (self->tls) {
                session = std::make_shared<Session<TlsStream>>(self, std::move(socket), self->tls);
            } else {
                session = std::make_shared<Session<tcp::socket>>(self, std::move(socket), nullptr);
            }
            self->sessions.emplace(session.get(), session);
            self->connections->set(static_cast<int64_t>(self->sessions.size()));
            session->start();
        }
        self->do_accept();
    });
}

void HttpServer::Impl::refuse_busy(tcp::socket socket) {
    rejected->add();
    auto sock = std::make_shared<tcp::socket>(std::move(socket));
    auto close = [sock] {
        error_code ignored;
        sock->shutdown(tcp::socket::shutdown_both, ignored);
        sock->close(ignored);
    };
    // A TLS client could not read a plain answer, and a handshake just to
    // refuse would spend the CPU the limit is there to save: it is closed.
    if (tls) {
        close();
        return;
    }
    net::async_write(*sock, net::buffer(busy_response()), [close](error_code, size_t) { close(); });
}

void HttpServer::Impl::session_closed(SessionBase* session) {
    sessions.erase(session);
    connections->set(static_cast<int64_t>(sessions.size()));
    if (shutting_down && sessions.empty()) finish_shutdown();
}

void HttpServer::Impl::finish_shutdown() {
    grace_timer.cancel();
    if (on_drained) {
        auto done = std::move(on_drained);
        on_drained = nullptr;
        done();
    }
}

HttpServer::HttpServer(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
                       telemetry::MetricsRegistry& metrics, HttpServerOptions options)
    : impl_(std::make_shared<Impl>(loop, gateway, logger, metrics, std::move(options))) {}

HttpServer::~HttpServer() {
    error_code ec;
    impl_->acceptor.close(ec);
}

core::Status parse_listen_address(std::string_view listen, std::string* host, uint16_t* port) {
    auto bad = [&](std::string why) {
        return core::invalid_argument("listen address '" + std::string(listen) + "' " + why +
                                      "; expected HOST:PORT such as 127.0.0.1:8080, "
                                      "0.0.0.0:8080 or [::1]:8080");
    };
    size_t colon = listen.rfind(':');
    if (colon == std::string_view::npos) return bad("has no port");
    std::string_view h = listen.substr(0, colon);
    std::string_view p = listen.substr(colon + 1);
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    if (h.empty()) return bad("has no host");
    if (p.empty() || p.size() > 5) return bad("has an invalid port");
    unsigned value = 0;
    for (char c : p) {
        if (c < '0' || c > '9') return bad("has an invalid port");
        value = value * 10 + static_cast<unsigned>(c - '0');
    }
    if (value > 65535) return bad("has a port above 65535");
    *host = h == "localhost" ? "127.0.0.1" : std::string(h);
    *port = static_cast<uint16_t>(value);
    return {};
}

bool HttpServer::tls_enabled() const {
    return !impl_->options.tls.cert.empty();
}

std::string HttpServer::tls_description() const {
    const core::TlsSettings& t = impl_->options.tls;
    if (t.cert.empty()) return "off";
    std::string out = t.min_version == "1.3" ? "TLS 1.3" : "TLS " + t.min_version + "+";
    if (!t.client_ca.empty())
        out += t.client_cert_required ? ", client certificate required"
                                      : ", client certificate optional";
    return out;
}

TlsCertificateInfo HttpServer::tls_certificate() const {
    return impl_->tls_certificate;
}

core::Result<TlsCertificateInfo> HttpServer::reload_tls() {
    if (!tls_enabled())
        return core::failed_precondition("TLS is not configured (tls.cert is empty)");
    auto made = make_tls_server_context(impl_->options.tls);
    if (!made.ok()) return made.status();
    impl_->tls = std::move(made->context);
    impl_->tls_certificate = made->certificate;
    return made->certificate;
}

core::Result<std::string> HttpServer::start() {
    std::string host;
    uint16_t port = 0;
    EDGEAI_TRY(parse_listen_address(impl_->options.listen, &host, &port));
    if (tls_enabled()) {
        // The files are checked before the port is taken, so a bad key never
        // leaves a listener that cannot answer.
        auto made = make_tls_server_context(impl_->options.tls);
        if (!made.ok()) return made.status();
        impl_->tls = std::move(made->context);
        impl_->tls_certificate = made->certificate;
        impl_->tls_handshake_failures =
            &impl_->metrics.counter("edgeai_tls_handshake_failures_total",
                                    "TLS handshakes that failed or timed out (untrusted or "
                                    "missing client certificates, old protocol versions, "
                                    "plain HTTP sent to the TLS port)");
    }
    error_code ec;
    net::ip::address address = net::ip::make_address(host, ec);
    if (ec) {
        return core::invalid_argument("listen address host '" + host +
                                      "' is not an IP address (or localhost)");
    }
    tcp::endpoint endpoint(address, port);
    tcp::acceptor& acceptor = impl_->acceptor;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor.bind(endpoint, ec);
    if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
        return core::unavailable("cannot listen on " + impl_->options.listen + ": " + ec.message());
    }
    tcp::endpoint bound = acceptor.local_endpoint(ec);
    std::string shown = bound.address().is_v6() ? "[" + bound.address().to_string() + "]"
                                                : bound.address().to_string();
    impl_->do_accept();
    return shown + ":" + std::to_string(bound.port());
}

void HttpServer::shutdown(std::chrono::milliseconds grace, std::function<void()> done) {
    Impl& impl = *impl_;
    if (impl.shutting_down) return;
    impl.shutting_down = true;
    impl.on_drained = std::move(done);
    error_code ec;
    impl.acceptor.close(ec);
    impl.accept_retry.cancel();
    std::vector<std::shared_ptr<SessionBase>> live;
    for (auto& [ptr, weak] : impl.sessions) {
        if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    for (auto& s : live)
        s->on_server_shutdown();
    if (impl.sessions.empty()) {
        impl.finish_shutdown();
        return;
    }
    impl.grace_timer.expires_after(grace);
    impl.grace_timer.async_wait([self = impl_](error_code wait_ec) {
        if (wait_ec) return;
        self->logger.warn("shutdown grace period over; ending the requests still running",
                          {{"connections", static_cast<int64_t>(self->sessions.size())}});
        // Each ends in its API's shape (an error event, a 503), written out
        // in a last short moment; then whatever is left is closed.
        self->gateway.end_all_for_shutdown();
        if (self->sessions.empty()) {
            self->finish_shutdown();
            return;
        }
        self->grace_timer.expires_after(kLastWriteAtShutdown);
        self->grace_timer.async_wait([self](error_code last_ec) {
            if (last_ec) return;
            std::vector<std::shared_ptr<SessionBase>> rest;
            for (auto& [ptr, weak] : self->sessions) {
                if (auto s = weak.lock()) rest.push_back(std::move(s));
            }
            for (auto& s : rest)
                s->close();
            self->finish_shutdown();
        });
    });
}

} // namespace edgeai::platform::native
