#include "platform/native/http/webhook_http_client.h"

#include "core/net/outbound_url.h"
#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/ip/tcp.hpp>

#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include <vector>

namespace edgeai::platform::native {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;

namespace {

core::net::IpAddress to_ip(const net::ip::address& a) {
    if (a.is_v4()) return core::net::IpAddress::v4(a.to_v4().to_uint());
    const auto bytes = a.to_v6().to_bytes();
    std::array<uint8_t, 16> out{};
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return core::net::IpAddress::v6(out);
}

core::Status refused() {
    return core::unavailable(std::string(core::net::kRefusedByPolicy));
}

} // namespace

struct WebhookHttpClient::Impl {
    Impl(EventLoop& event_loop, const core::net::DestinationPolicy& p,
         CurlHttpClientOptions curl_opts, telemetry::Logger* log)
        : loop(event_loop), policy(p), curl_options(std::move(curl_opts)), logger(log),
          plain(event_loop, Http1ClientOptions{static_cast<size_t>(curl_options.max_connections)}) {
    }

    // Whether every address is admitted; the operator's log says which was not.
    bool admitted(const core::net::OutboundUrl& url,
                  const std::vector<core::net::IpAddress>& addresses) const {
        for (const core::net::IpAddress& a : addresses) {
            if (policy.admits(a, url.port, url.address ? "" : url.host)) continue;
            if (logger != nullptr) {
                logger->warn(
                    "webhook destination refused by policy (queue.webhook_allow admits "
                    "it)",
                    {{"host", url.host},
                     {"address", core::net::format_ip(a)},
                     {"class", core::net::address_class_name(core::net::classify_address(a))},
                     {"port", static_cast<int64_t>(url.port)}});
            }
            return false;
        }
        return !addresses.empty();
    }

    // The call itself, to `address` and nowhere else.
    core::Result<std::unique_ptr<core::HttpCall>> connect(core::HttpClientRequest request,
                                                          core::HttpResponseObserver* observer,
                                                          const core::net::OutboundUrl& url,
                                                          const core::net::IpAddress& address) {
        if (url.scheme == core::net::UrlScheme::kHttp) {
            HttpUrl parts{url.host, url.port, url.target, core::net::format_ip(address)};
            return plain.start_to(std::move(request), observer, std::move(parts));
        }
        if (!curl) {
            auto made = CurlHttpClient::create(loop, curl_options);
            if (!made.ok()) return made.status();
            curl = std::move(made).value();
        }
        request.url = url.text();
        return curl->start_pinned(std::move(request), observer,
                                  CurlPin{url.host, url.port, address});
    }

    EventLoop& loop;
    const core::net::DestinationPolicy& policy;
    CurlHttpClientOptions curl_options;
    telemetry::Logger* logger;
    Http1Client plain; // its own pool: never a connection an upstream opened
    std::unique_ptr<CurlHttpClient> curl;
};

namespace {

// A webhook to a name: resolved, judged, then called. Asio's handler holds
// the state; destroying the call cancels the lookup or the call under way.
class ResolvingCall final : public core::HttpCall {
  public:
    struct State {
        State(net::io_context& io, std::shared_ptr<WebhookHttpClient::Impl> c)
            : client(std::move(c)), resolver(io) {}
        std::shared_ptr<WebhookHttpClient::Impl> client;
        tcp::resolver resolver;
        core::HttpClientRequest request;
        core::HttpResponseObserver* observer = nullptr; // null once cancelled
        core::net::OutboundUrl url;
        std::unique_ptr<core::HttpCall> call;
    };

    explicit ResolvingCall(std::shared_ptr<State> state) : state_(std::move(state)) {}
    ~ResolvingCall() override {
        state_->observer = nullptr;
        state_->resolver.cancel();
        state_->call.reset();
    }
    void resume() override {
        if (state_->call) state_->call->resume();
    }

    static void begin(const std::shared_ptr<State>& state) {
        state->resolver.async_resolve(
            state->url.host, std::to_string(state->url.port),
            [state](error_code ec, const tcp::resolver::results_type& results) {
                if (state->observer == nullptr) return; // cancelled
                resolved(*state, ec, results);
            });
    }

  private:
    static void resolved(State& s, error_code ec, const tcp::resolver::results_type& results) {
        if (ec) {
            s.observer->on_complete(core::unavailable("cannot resolve webhook host '" + s.url.host +
                                                      "': " + ec.message()));
            return;
        }
        std::vector<core::net::IpAddress> addresses;
        for (const auto& entry : results)
            addresses.push_back(to_ip(entry.endpoint().address()));
        if (!s.client->admitted(s.url, addresses)) {
            s.observer->on_complete(refused());
            return;
        }
        // Every address passed; the first is the one connected to.
        auto call = s.client->connect(std::move(s.request), s.observer, s.url, addresses.front());
        if (!call.ok()) {
            s.observer->on_complete(call.status());
            return;
        }
        s.call = std::move(call).value();
    }

    std::shared_ptr<State> state_;
};

} // namespace

WebhookHttpClient::WebhookHttpClient(EventLoop& loop, const core::net::DestinationPolicy& policy,
                                     CurlHttpClientOptions curl_options, telemetry::Logger* logger)
    : impl_(std::make_shared<Impl>(loop, policy, std::move(curl_options), logger)) {}

WebhookHttpClient::~WebhookHttpClient() = default;

core::Result<std::unique_ptr<core::HttpCall>>
WebhookHttpClient::start(core::HttpClientRequest request, core::HttpResponseObserver* observer) {
    // Checked when the job was accepted, but a job stored by an older version
    // (or before the allow-list changed) is judged again here.
    auto url = core::net::parse_outbound_url(request.url);
    if (!url.ok()) return url.status();
    if (url->address) {
        if (!impl_->admitted(*url, {*url->address})) return refused();
        return impl_->connect(std::move(request), observer, *url, *url->address);
    }
    auto state = std::make_shared<ResolvingCall::State>(impl_->loop.impl().io, impl_);
    state->request = std::move(request);
    state->observer = observer;
    state->url = std::move(url).value();
    ResolvingCall::begin(state);
    return std::unique_ptr<core::HttpCall>(std::make_unique<ResolvingCall>(std::move(state)));
}

core::Status add_listener_as_self(core::net::DestinationPolicy& policy, std::string_view bound) {
    std::string host;
    std::optional<core::net::IpAddress> address;
    std::optional<uint16_t> port;
    EDGEAI_TRY(core::net::parse_host_port(bound, &host, &address, &port));
    if (!address || !port)
        return core::invalid_argument("not an address:port: " + std::string(bound));
    if (core::net::classify_address(*address) != core::net::AddressClass::kUnspecified) {
        policy.add_self(*address, *port);
        return {};
    }
    // Every address reaches it: the loopbacks and each interface's.
    policy.add_self(core::net::IpAddress::v4(0x7F000001), *port);
    policy.add_self(*core::net::parse_ipv6("::1"), *port);
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) return {};
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
        if (i->ifa_addr == nullptr) continue;
        if (i->ifa_addr->sa_family == AF_INET) {
            sockaddr_in in{};
            std::memcpy(&in, i->ifa_addr, sizeof(in));
            policy.add_self(core::net::IpAddress::v4(ntohl(in.sin_addr.s_addr)), *port);
        } else if (i->ifa_addr->sa_family == AF_INET6) {
            sockaddr_in6 in6{};
            std::memcpy(&in6, i->ifa_addr, sizeof(in6));
            std::array<uint8_t, 16> bytes{};
            std::memcpy(bytes.data(), &in6.sin6_addr, 16);
            policy.add_self(core::net::IpAddress::v6(bytes), *port);
        }
    }
    freeifaddrs(list);
    return {};
}

} // namespace edgeai::platform::native
