#include "platform/native/http/connectivity_monitor.h"

#include "platform/native/http/event_loop_impl.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

namespace edgeai::platform::native {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One round probes every endpoint at once; the round ends when one answers
// (online) or all have failed or timed out (offline).
struct ConnectivityMonitor::Impl {
    struct Probe {
        tcp::resolver resolver;
        tcp::socket socket;
        explicit Probe(asio::io_context& io) : resolver(io), socket(io) {}
    };

    Impl(EventLoop& l, router::Router& r, telemetry::Logger& lg, std::vector<Endpoint> e,
         std::chrono::milliseconds i, std::chrono::milliseconds t)
        : loop(l), router(r), logger(lg), endpoints(std::move(e)), interval(i), timeout(t),
          timer(l.impl().io), deadline(l.impl().io) {}

    void schedule(std::chrono::milliseconds after) {
        timer.expires_after(after);
        timer.async_wait([this](const boost::system::error_code& ec) {
            if (!ec) round();
        });
    }

    void round() {
        probes.clear();
        pending = endpoints.size();
        answered = false;
        ++generation;
        const uint64_t gen = generation;
        deadline.expires_after(timeout);
        deadline.async_wait([this, gen](const boost::system::error_code& ec) {
            if (ec || gen != generation) return;
            for (auto& p : probes) {
                p->resolver.cancel();
                boost::system::error_code ignored;
                p->socket.close(ignored);
            }
            finish(gen, false);
        });
        for (const Endpoint& e : endpoints) {
            probes.push_back(std::make_unique<Probe>(loop.impl().io));
            Probe* p = probes.back().get();
            p->resolver.async_resolve(
                e.host, e.port,
                [this, p, gen](const boost::system::error_code& ec, tcp::resolver::results_type r) {
                    if (gen != generation) return;
                    if (ec) return one_done(gen, false);
                    asio::async_connect(
                        p->socket, r,
                        [this, gen](const boost::system::error_code& cec, const tcp::endpoint&) {
                            if (gen != generation) return;
                            one_done(gen, !cec);
                        });
                });
        }
    }

    void one_done(uint64_t gen, bool reached) {
        if (reached) return finish(gen, true);
        if (--pending == 0) finish(gen, false);
    }

    void finish(uint64_t gen, bool online) {
        if (gen != generation || answered) return;
        answered = true;
        ++generation; // late callbacks of this round are ignored
        deadline.cancel();
        if (router.offline() == online) {
            router.set_offline(!online);
            if (online)
                logger.info("uplink is back online");
            else
                logger.warn("uplink is offline: no remote backend accepts connections; routes "
                            "use their when_offline targets",
                            {{"probe_timeout_ms", static_cast<int64_t>(timeout.count())}});
        }
        // The sockets close with the probes, at the next round or at exit.
        schedule(interval);
    }

    EventLoop& loop;
    router::Router& router;
    telemetry::Logger& logger;
    std::vector<Endpoint> endpoints;
    std::chrono::milliseconds interval, timeout;
    asio::steady_timer timer, deadline;
    std::vector<std::unique_ptr<Probe>> probes;
    size_t pending = 0;
    bool answered = false;
    uint64_t generation = 0;
};

ConnectivityMonitor::ConnectivityMonitor(EventLoop& loop, router::Router& router,
                                         telemetry::Logger& logger, std::vector<Endpoint> endpoints,
                                         std::chrono::milliseconds interval,
                                         std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>(loop, router, logger, std::move(endpoints), interval, timeout)) {
}

ConnectivityMonitor::~ConnectivityMonitor() = default;

void ConnectivityMonitor::start() {
    if (impl_->endpoints.empty()) return;
    impl_->round();
}

bool ConnectivityMonitor::endpoint_of(const std::string& url, Endpoint* out) {
    std::string rest;
    std::string port;
    if (url.rfind("http://", 0) == 0) {
        rest = url.substr(7);
        port = "80";
    } else if (url.rfind("https://", 0) == 0) {
        rest = url.substr(8);
        port = "443";
    } else {
        return false;
    }
    rest = rest.substr(0, rest.find_first_of("/?#"));
    const size_t at = rest.rfind('@');
    if (at != std::string::npos) rest = rest.substr(at + 1);
    std::string host = rest;
    if (!rest.empty() && rest.front() == '[') { // [v6]:port
        const size_t close = rest.find(']');
        if (close == std::string::npos) return false;
        host = rest.substr(1, close - 1);
        if (close + 1 < rest.size() && rest[close + 1] == ':') port = rest.substr(close + 2);
    } else if (const size_t colon = rest.rfind(':'); colon != std::string::npos) {
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    }
    if (host.empty() || port.empty()) return false;
    out->host = host;
    out->port = port;
    return true;
}

} // namespace edgeai::platform::native
