#include "platform/native/http/curl_http_client.h"

#include "platform/native/http/curl_library.h"
#include "platform/native/http/event_loop_impl.h"
#include "platform/native/system/system_clock.h"

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <curl/curl.h>

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <unordered_map>

namespace edgeai::platform::native {

namespace net = boost::asio;
using error_code = boost::system::error_code;

namespace {

// Set when the first client is made (curl_library.h); every use comes after.
const CurlLibrary* g_curl = nullptr;
const CurlLibrary& curl() {
    return *g_curl;
}

// Debian's curl trusts this directory (hashed system CAs) besides CAINFO, so
// naming an extra CA file adds to the system store rather than replacing it.
constexpr const char* kSystemCaPath = "/etc/ssl/certs";

// One socket curl asked us to watch.
struct SocketWatch {
    SocketWatch(net::io_context& io, curl_socket_t fd) : descriptor(io, fd) {}
    net::posix::stream_descriptor descriptor;
    int wanted = 0; // CURL_POLL_IN / OUT / INOUT
    bool read_pending = false;
    bool write_pending = false;
    bool removed = false;
};

core::Status status_from_curl(CURLcode code, const char* detail) {
    std::string what =
        detail != nullptr && detail[0] != '\0' ? std::string(detail) : curl().easy_strerror(code);
    switch (code) {
    case CURLE_OPERATION_TIMEDOUT:
        return core::deadline_exceeded(what);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_BAD_CONTENT_ENCODING:
        return core::data_loss("the upstream broke the exchange: " + what);
    default:
        return core::unavailable(what);
    }
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
        s.remove_suffix(1);
    }
    return s;
}

} // namespace

struct CurlHttpClient::Impl {
    Impl(net::io_context& context, CurlHttpClientOptions opts)
        : io(context), timer(context), options(std::move(opts)) {
        multi = curl().multi_init();
        curl().multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Impl::socket_callback);
        curl().multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
        curl().multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Impl::timer_callback);
        curl().multi_setopt(multi, CURLMOPT_TIMERDATA, this);
        curl().multi_setopt(multi, CURLMOPT_MAXCONNECTS, options.max_connections);
    }

    ~Impl() {
        for (auto& [fd, watch] : sockets) {
            watch->removed = true;
            watch->descriptor.release(); // curl owns and closes the socket
        }
        sockets.clear();
        timer.cancel();
        curl().multi_cleanup(multi);
    }

    static int socket_callback(CURL*, curl_socket_t fd, int what, void* userp, void*) {
        auto* self = static_cast<Impl*>(userp);
        auto it = self->sockets.find(fd);
        if (what == CURL_POLL_REMOVE) {
            if (it != self->sockets.end()) {
                it->second->removed = true;
                it->second->descriptor.release();
                self->sockets.erase(it);
            }
            return 0;
        }
        if (it == self->sockets.end()) {
            it = self->sockets.emplace(fd, std::make_shared<SocketWatch>(self->io, fd)).first;
        }
        it->second->wanted = what;
        self->arm(fd, it->second);
        return 0;
    }

    static int timer_callback(CURLM*, long timeout_ms, void* userp) {
        auto* self = static_cast<Impl*>(userp);
        if (timeout_ms < 0) {
            self->timer.cancel();
            return 0;
        }
        self->timer.expires_after(std::chrono::milliseconds(timeout_ms));
        self->timer.async_wait([self](error_code ec) {
            if (ec) return;
            self->socket_action(CURL_SOCKET_TIMEOUT, 0);
        });
        return 0;
    }

    void arm(curl_socket_t fd, const std::shared_ptr<SocketWatch>& watch) {
        if ((watch->wanted & CURL_POLL_IN) && !watch->read_pending) {
            watch->read_pending = true;
            watch->descriptor.async_wait(net::posix::descriptor_base::wait_read,
                                         [this, fd, watch](error_code ec) {
                                             watch->read_pending = false;
                                             if (ec || watch->removed) return;
                                             socket_action(fd, CURL_CSELECT_IN);
                                             if (!watch->removed) arm(fd, watch);
                                         });
        }
        if ((watch->wanted & CURL_POLL_OUT) && !watch->write_pending) {
            watch->write_pending = true;
            watch->descriptor.async_wait(net::posix::descriptor_base::wait_write,
                                         [this, fd, watch](error_code ec) {
                                             watch->write_pending = false;
                                             if (ec || watch->removed) return;
                                             socket_action(fd, CURL_CSELECT_OUT);
                                             if (!watch->removed) arm(fd, watch);
                                         });
        }
    }

    void socket_action(curl_socket_t fd, int events);

    net::io_context& io;
    net::steady_timer timer;
    CurlHttpClientOptions options;
    CURLM* multi = nullptr;
    int running = 0;
    std::unordered_map<curl_socket_t, std::shared_ptr<SocketWatch>> sockets;
};

namespace {

// One exchange with an upstream: an easy handle, its headers, its deadlines.
class Transfer final : public core::HttpCall {
  public:
    Transfer(CurlHttpClient::Impl& client, core::HttpClientRequest request,
             core::HttpResponseObserver* observer, std::optional<CurlPin> pin)
        : client_(client), request_(std::move(request)), observer_(observer), deadline_(client.io),
          alive_(std::make_shared<int>(0)), pin_(std::move(pin)) {
        error_[0] = '\0';
    }

    ~Transfer() override {
        alive_.reset();
        deadline_.cancel();
        if (easy_ != nullptr) {
            if (in_multi_) curl().multi_remove_handle(client_.multi, easy_);
            curl().easy_cleanup(easy_);
        }
        curl().slist_free_all(headers_);
        curl().slist_free_all(resolve_);
    }

    core::Status begin() {
        easy_ = curl().easy_init();
        if (easy_ == nullptr) return core::internal_error("curl_easy_init failed");
        curl().easy_setopt(easy_, CURLOPT_URL, request_.url.c_str());
        curl().easy_setopt(easy_, CURLOPT_PRIVATE, this);
        curl().easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);
        curl().easy_setopt(easy_, CURLOPT_ERRORBUFFER, error_);
        curl().easy_setopt(easy_, CURLOPT_HEADERFUNCTION, &Transfer::header_callback);
        curl().easy_setopt(easy_, CURLOPT_HEADERDATA, this);
        curl().easy_setopt(easy_, CURLOPT_WRITEFUNCTION, &Transfer::write_callback);
        curl().easy_setopt(easy_, CURLOPT_WRITEDATA, this);
        curl().easy_setopt(easy_, CURLOPT_CONNECTTIMEOUT_MS,
                           static_cast<long>(request_.connect_timeout_ms));
        curl().easy_setopt(easy_, CURLOPT_TCP_NODELAY, 1L);
        curl().easy_setopt(easy_, CURLOPT_TCP_KEEPALIVE, 1L);
        curl().easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
        curl().easy_setopt(easy_, CURLOPT_SSL_VERIFYPEER, 1L);
        curl().easy_setopt(easy_, CURLOPT_SSL_VERIFYHOST, 2L);
        if (!client_.options.ca_file.empty()) {
            curl().easy_setopt(easy_, CURLOPT_CAINFO, client_.options.ca_file.c_str());
            curl().easy_setopt(easy_, CURLOPT_CAPATH, kSystemCaPath);
        }
        if (request_.method == "GET") {
            curl().easy_setopt(easy_, CURLOPT_HTTPGET, 1L);
        } else {
            if (request_.method != "POST") {
                curl().easy_setopt(easy_, CURLOPT_CUSTOMREQUEST, request_.method.c_str());
            }
            curl().easy_setopt(easy_, CURLOPT_POST, 1L);
            curl().easy_setopt(easy_, CURLOPT_POSTFIELDS, request_.body.data());
            curl().easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE,
                               static_cast<curl_off_t>(request_.body.size()));
        }
        for (const core::Header& h : request_.headers.fields()) {
            headers_ = curl().slist_append(headers_, (h.name + ": " + h.value).c_str());
        }
        // No 100-continue round trip: upstreams take the body at once.
        headers_ = curl().slist_append(headers_, "Expect:");
        curl().easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
        if (pin_) pin_destination();

        last_activity_ns_ = clock_.monotonic_ns();
        CURLMcode added = curl().multi_add_handle(client_.multi, easy_);
        if (added != CURLM_OK) {
            return core::internal_error(std::string("curl_multi_add_handle: ") +
                                        curl().multi_strerror(added));
        }
        in_multi_ = true;
        arm_deadline(request_.first_byte_timeout_ms);
        return {};
    }

    void resume() override {
        if (!paused_ || done_) return;
        paused_ = false;
        last_activity_ns_ = clock_.monotonic_ns();
        // Delivers what curl held back (through write_callback), then carries on.
        curl().easy_pause(easy_, CURLPAUSE_CONT);
    }

    // The multi handle reports the transfer over.
    void finish(CURLcode code) {
        if (done_) return;
        core::Status status = code == CURLE_OK ? core::Status() : status_from_curl(code, error_);
        complete(status);
    }

  private:
    // CurlPin's promises (curl_http_client.h).
    void pin_destination() {
        const std::string address = core::net::format_ip(pin_->address);
        const bool v6 = !pin_->address.is_v4();
        const std::string entry = pin_->host + ":" + std::to_string(pin_->port) + ":" +
                                  (v6 ? "[" + address + "]" : address);
        resolve_ = curl().slist_append(resolve_, entry.c_str());
        curl().easy_setopt(easy_, CURLOPT_RESOLVE, resolve_);
        curl().easy_setopt(easy_, CURLOPT_OPENSOCKETFUNCTION, &Transfer::open_socket);
        curl().easy_setopt(easy_, CURLOPT_OPENSOCKETDATA, this);
        curl().easy_setopt(easy_, CURLOPT_PROXY, ""); // "": no proxy, not even from the environment
        curl().easy_setopt(easy_, CURLOPT_FOLLOWLOCATION, 0L);
    }

    // The address curl is about to connect to, judged against the pinned one.
    static curl_socket_t open_socket(void* userp, curlsocktype purpose, curl_sockaddr* address) {
        auto* self = static_cast<Transfer*>(userp);
        if (purpose != CURLSOCKTYPE_IPCXN || !self->pin_ ||
            !same_address(*address, self->pin_->address))
            return CURL_SOCKET_BAD;
        return ::socket(address->family, address->socktype, address->protocol);
    }

    static bool same_address(const curl_sockaddr& a, const core::net::IpAddress& want) {
        if (a.family == AF_INET && want.is_v4()) {
            sockaddr_in in{};
            std::memcpy(&in, &a.addr, std::min<size_t>(sizeof(in), a.addrlen));
            return std::memcmp(&in.sin_addr, want.bytes.data(), 4) == 0;
        }
        if (a.family == AF_INET6 && !want.is_v4()) {
            sockaddr_in6 in6{};
            std::memcpy(&in6, &a.addr, std::min<size_t>(sizeof(in6), a.addrlen));
            return std::memcmp(&in6.sin6_addr, want.bytes.data(), 16) == 0;
        }
        return false;
    }

    static size_t header_callback(char* data, size_t size, size_t count, void* userp) {
        auto* self = static_cast<Transfer*>(userp);
        size_t n = size * count;
        self->on_header_line(std::string_view(data, n));
        return n;
    }

    static size_t write_callback(char* data, size_t size, size_t count, void* userp) {
        auto* self = static_cast<Transfer*>(userp);
        size_t n = size * count;
        if (self->done_) return n;
        // Paused by our consumer: curl keeps these bytes and gives them again
        // after resume(), so nothing is lost and memory stays bounded.
        if (self->paused_) return CURL_WRITEFUNC_PAUSE;
        self->deliver_head();
        self->last_activity_ns_ = self->clock_.monotonic_ns();
        if (self->observer_->on_data(std::string_view(data, n)) == core::BodyAction::kPause) {
            self->paused_ = true;
        }
        return n;
    }

    void on_header_line(std::string_view line) {
        line = trim(line);
        if (line.substr(0, 5) == "HTTP/") {
            // A new status line: an interim (1xx) or redirect head came before.
            size_t space = line.find(' ');
            status_ = 0;
            if (space != std::string_view::npos) {
                for (char c : line.substr(space + 1, 3)) {
                    if (c < '0' || c > '9') break;
                    status_ = status_ * 10 + (c - '0');
                }
            }
            response_headers_ = core::Headers();
            return;
        }
        if (line.empty()) {
            if (status_ >= 200) deliver_head();
            return;
        }
        size_t colon = line.find(':');
        if (colon == std::string_view::npos) return;
        response_headers_.add(std::string(trim(line.substr(0, colon))),
                              std::string(trim(line.substr(colon + 1))));
    }

    void deliver_head() {
        if (head_delivered_) return;
        head_delivered_ = true;
        last_activity_ns_ = clock_.monotonic_ns();
        observer_->on_head(status_, response_headers_);
    }

    // One timer serves both deadlines: the first byte, then the longest silence.
    void arm_deadline(int64_t ms) {
        deadline_.expires_after(std::chrono::milliseconds(ms));
        deadline_.async_wait([this, alive = std::weak_ptr<int>(alive_)](error_code ec) {
            if (ec || alive.expired() || done_) return;
            int64_t now = clock_.monotonic_ns();
            if (!head_delivered_) {
                complete(core::deadline_exceeded("no response within " +
                                                 std::to_string(request_.first_byte_timeout_ms) +
                                                 " ms (upstream.timeout_ms)"));
                return;
            }
            int64_t idle_ns = request_.idle_timeout_ms * 1000000;
            int64_t silent_ns = now - last_activity_ns_;
            if (!paused_ && silent_ns >= idle_ns) {
                complete(core::deadline_exceeded("the upstream sent nothing for " +
                                                 std::to_string(request_.idle_timeout_ms) +
                                                 " ms (upstream.stream_idle_timeout_ms)"));
                return;
            }
            int64_t left_ms =
                paused_ ? request_.idle_timeout_ms : (idle_ns - silent_ns) / 1000000 + 1;
            arm_deadline(left_ms);
        });
    }

    void complete(const core::Status& status) {
        done_ = true;
        deadline_.cancel();
        if (in_multi_) {
            curl().multi_remove_handle(client_.multi, easy_);
            in_multi_ = false;
        }
        if (status.ok()) deliver_head();
        observer_->on_complete(status);
    }

    CurlHttpClient::Impl& client_;
    core::HttpClientRequest request_;
    core::HttpResponseObserver* observer_;
    net::steady_timer deadline_;
    std::shared_ptr<int> alive_; // timer handlers hold a weak copy
    SystemClock clock_;
    CURL* easy_ = nullptr;
    curl_slist* headers_ = nullptr;
    char error_[CURL_ERROR_SIZE];
    int status_ = 0;
    core::Headers response_headers_;
    bool head_delivered_ = false;
    bool in_multi_ = false;
    bool done_ = false;
    bool paused_ = false;
    int64_t last_activity_ns_ = 0;
    std::optional<CurlPin> pin_;
    curl_slist* resolve_ = nullptr;
};

} // namespace

void CurlHttpClient::Impl::socket_action(curl_socket_t fd, int events) {
    curl().multi_socket_action(multi, fd, events, &running);
    int left = 0;
    while (CURLMsg* msg = curl().multi_info_read(multi, &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        Transfer* transfer = nullptr;
        curl().easy_getinfo(easy, CURLINFO_PRIVATE, &transfer);
        if (transfer != nullptr) transfer->finish(result);
    }
}

core::Result<std::unique_ptr<CurlHttpClient>>
CurlHttpClient::create(EventLoop& loop, CurlHttpClientOptions options) {
    auto lib = load_curl_library();
    if (!lib.ok()) return lib.status();
    g_curl = *lib;
    return std::unique_ptr<CurlHttpClient>(new CurlHttpClient(loop, std::move(options)));
}

CurlHttpClient::CurlHttpClient(EventLoop& loop, CurlHttpClientOptions options)
    : impl_(std::make_unique<Impl>(loop.impl().io, std::move(options))) {}

CurlHttpClient::~CurlHttpClient() = default;

core::Result<std::unique_ptr<core::HttpCall>>
CurlHttpClient::start(core::HttpClientRequest request, core::HttpResponseObserver* observer) {
    auto transfer = std::make_unique<Transfer>(*impl_, std::move(request), observer, std::nullopt);
    EDGEAI_TRY(transfer->begin());
    return std::unique_ptr<core::HttpCall>(std::move(transfer));
}

core::Result<std::unique_ptr<core::HttpCall>>
CurlHttpClient::start_pinned(core::HttpClientRequest request, core::HttpResponseObserver* observer,
                             CurlPin pin) {
    auto transfer =
        std::make_unique<Transfer>(*impl_, std::move(request), observer, std::move(pin));
    EDGEAI_TRY(transfer->begin());
    return std::unique_ptr<core::HttpCall>(std::move(transfer));
}

} // namespace edgeai::platform::native
