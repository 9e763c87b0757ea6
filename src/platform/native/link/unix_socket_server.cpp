#include "platform/native/link/unix_socket_server.h"

#include "platform/native/link/stream_link.h"

#include <boost/asio/local/stream_protocol.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace edgeai::platform::native {

using boost::asio::local::stream_protocol;
using UnixLink = StreamLink<stream_protocol::socket>;

struct UnixSocketServer::Impl : std::enable_shared_from_this<UnixSocketServer::Impl> {
    Impl(EventLoop& l, gateway::Gateway& g, telemetry::Logger& lg, telemetry::MetricsRegistry& m,
         UnixSocketOptions o)
        : loop(l), gateway(g), logger(lg), metrics(m), options(std::move(o)), acceptor(l.impl().io),
          open_links(&m.gauge("edgeai_links_open", "Frame-protocol links open, by kind",
                              {{"link", "unix"}})) {}

    void accept() {
        auto self = shared_from_this();
        acceptor.async_accept(
            [self](const boost::system::error_code& ec, stream_protocol::socket socket) {
                if (ec == boost::asio::error::operation_aborted || !self->acceptor.is_open())
                    return;
                if (!ec) self->open(std::move(socket));
                self->accept();
            });
    }

    void open(stream_protocol::socket socket) {
        if (links.size() >= options.max_connections) {
            logger.warn("unix socket: too many connections; closing a new one",
                        {{"max_connections", static_cast<int64_t>(options.max_connections)}});
            return; // the socket closes as it goes out of scope
        }
        gateway::FrameLinkOptions frames;
        frames.peer = "unix:" + options.path;
        frames.kind = "unix";
        frames.max_frame_bytes = options.max_frame_bytes;
        frames.max_request_bytes = options.max_request_bytes;
        StreamLinkOptions stream;
        stream.write_timeout = options.write_timeout;
        std::weak_ptr<Impl> weak = shared_from_this();
        const uint64_t id = next_id++;
        auto link =
            std::make_shared<UnixLink>(std::move(socket), gateway, loop, metrics, std::move(frames),
                                       stream, [weak, id](const boost::system::error_code&) {
                                           if (auto impl = weak.lock()) impl->forget(id);
                                       });
        links.emplace(id, link);
        open_links->set(static_cast<int64_t>(links.size()));
        link->start();
    }

    void forget(uint64_t id) {
        links.erase(id);
        open_links->set(static_cast<int64_t>(links.size()));
    }

    EventLoop& loop;
    gateway::Gateway& gateway;
    telemetry::Logger& logger;
    telemetry::MetricsRegistry& metrics;
    UnixSocketOptions options;
    stream_protocol::acceptor acceptor;
    std::map<uint64_t, std::shared_ptr<UnixLink>> links;
    uint64_t next_id = 0;
    telemetry::Gauge* open_links;
    bool bound = false;
};

UnixSocketServer::UnixSocketServer(EventLoop& loop, gateway::Gateway& gateway,
                                   telemetry::Logger& logger, telemetry::MetricsRegistry& metrics,
                                   UnixSocketOptions options)
    : impl_(std::make_shared<Impl>(loop, gateway, logger, metrics, std::move(options))) {}

UnixSocketServer::~UnixSocketServer() {
    stop();
}

namespace {

core::Status failed(const std::string& path, std::string_view what, int err) {
    return core::unavailable("server.unix_socket '" + path + "': " + std::string(what) + ": " +
                             std::strerror(err));
}

// A socket file left behind by a gateway that is gone is removed; one that a
// live process answers on is not ours to take.
core::Status clear_stale_socket(boost::asio::io_context& io, const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return {};
        return failed(path, "cannot look at it", errno);
    }
    if (!S_ISSOCK(st.st_mode))
        return core::failed_precondition("server.unix_socket '" + path +
                                         "' exists and is not a socket; choose another path");
    stream_protocol::socket probe(io);
    boost::system::error_code ec;
    probe.connect(stream_protocol::endpoint(path), ec);
    if (!ec)
        return core::failed_precondition("server.unix_socket '" + path +
                                         "' is in use by another process (is another edgeai "
                                         "running?)");
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
        return failed(path, "cannot remove the stale socket file", errno);
    return {};
}

} // namespace

core::Status UnixSocketServer::start() {
    Impl& impl = *impl_;
    const std::string& path = impl.options.path;
    if (path.size() >= sizeof(sockaddr_un{}.sun_path))
        return core::invalid_argument("server.unix_socket '" + path + "' is longer than the " +
                                      std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) +
                                      " bytes a socket path may have");
    if (core::Status st = clear_stale_socket(impl.loop.impl().io, path); !st.ok()) return st;
    boost::system::error_code ec;
    impl.acceptor.open(stream_protocol(), ec);
    if (ec) return failed(path, "cannot open a socket", ec.value());
    // Nobody may connect between bind() and chmod(): the file is made
    // owner-only, then given its configured mode.
    const mode_t old_mask = ::umask(0177);
    impl.acceptor.bind(stream_protocol::endpoint(path), ec);
    ::umask(old_mask);
    if (ec) return failed(path, "cannot bind", ec.value());
    impl.bound = true;
    if (::chmod(path.c_str(), impl.options.mode) != 0) return failed(path, "cannot chmod", errno);
    impl.acceptor.listen(boost::asio::socket_base::max_listen_connections, ec);
    if (ec) return failed(path, "cannot listen", ec.value());
    impl.accept();
    return {};
}

void UnixSocketServer::stop() {
    Impl& impl = *impl_;
    boost::system::error_code ignored;
    impl.acceptor.close(ignored);
    // close() runs each link's callback, which takes it out of the map.
    auto links = std::move(impl.links);
    impl.links.clear();
    for (auto& [id, link] : links)
        link->close();
    impl.open_links->set(0);
    if (impl.bound) {
        ::unlink(impl.options.path.c_str());
        impl.bound = false;
    }
}

unsigned parse_file_mode(std::string_view octal) {
    unsigned mode = 0;
    for (const char c : octal)
        mode = mode * 8 + static_cast<unsigned>(c - '0');
    return mode & 0777;
}

} // namespace edgeai::platform::native
