#include "platform/native/link/serial_lines.h"

#include "platform/native/link/stream_link.h"

#include <boost/asio/serial_port.hpp>

namespace edgeai::platform::native {
namespace {

using SerialLink = StreamLink<boost::asio::serial_port>;
using boost::asio::serial_port_base;

constexpr std::chrono::seconds kReopenInterval{1};

// A slow line holds little: at 9600 baud 16 KiB is 17 s of answer.
constexpr size_t kSerialHighWater = 16 * 1024;

boost::system::error_code configure(boost::asio::serial_port& port,
                                    const core::SerialSettings& line) {
    boost::system::error_code ec;
    port.set_option(serial_port_base::baud_rate(static_cast<unsigned>(line.baud)), ec);
    if (ec) return ec;
    port.set_option(serial_port_base::character_size(8), ec);
    if (ec) return ec;
    const auto parity = line.parity == "even"  ? serial_port_base::parity::even
                        : line.parity == "odd" ? serial_port_base::parity::odd
                                               : serial_port_base::parity::none;
    port.set_option(serial_port_base::parity(parity), ec);
    if (ec) return ec;
    port.set_option(serial_port_base::stop_bits(line.stop_bits == 2
                                                    ? serial_port_base::stop_bits::two
                                                    : serial_port_base::stop_bits::one),
                    ec);
    if (ec) return ec;
    port.set_option(serial_port_base::flow_control(serial_port_base::flow_control::none), ec);
    return ec;
}

} // namespace

struct SerialLines::Line : std::enable_shared_from_this<SerialLines::Line> {
    Line(EventLoop& l, gateway::Gateway& g, telemetry::Logger& lg, telemetry::MetricsRegistry& m,
         core::SerialSettings s, SerialLineOptions o)
        : loop(l), gateway(g), logger(lg), metrics(m), settings(std::move(s)), options(o),
          retry(l.impl().io),
          up(&m.gauge("edgeai_serial_line_up", "1 while a [[serial]] device is open",
                      {{"device", settings.device}})) {}

    void open() {
        if (stopped) return;
        boost::asio::serial_port port(loop.impl().io);
        boost::system::error_code ec;
        port.open(settings.device, ec);
        if (!ec) ec = configure(port, settings);
        if (ec) {
            // Said once per outage, not every second.
            if (!complained) {
                logger.warn("serial line not open; trying again every second",
                            {{"device", settings.device}, {"error", ec.message()}});
                complained = true;
            }
            return retry_later();
        }
        complained = false;
        gateway::FrameLinkOptions frames;
        frames.peer = "serial:" + settings.device;
        frames.kind = "serial";
        frames.max_frame_bytes = options.max_frame_bytes;
        frames.max_request_bytes = options.max_request_bytes;
        StreamLinkOptions stream;
        stream.high_water = kSerialHighWater;
        std::weak_ptr<Line> weak = shared_from_this();
        link =
            std::make_shared<SerialLink>(std::move(port), gateway, loop, metrics, std::move(frames),
                                         stream, [weak](const boost::system::error_code& why) {
                                             if (auto self = weak.lock()) self->lost(why);
                                         });
        up->set(1);
        logger.info(
            "serial line open",
            {{"device", settings.device}, {"baud", settings.baud}, {"parity", settings.parity}});
        link->start();
    }

    void lost(const boost::system::error_code& why) {
        up->set(0);
        // The link calls this from inside itself: it is freed on the loop.
        loop.post([keep = std::move(link)] {});
        link.reset();
        if (stopped) return;
        logger.warn("serial line lost; its requests are cancelled and it is opened again when "
                    "the device is back",
                    {{"device", settings.device}, {"error", why.message()}});
        retry_later();
    }

    void retry_later() {
        std::weak_ptr<Line> weak = shared_from_this();
        retry.expires_after(kReopenInterval);
        retry.async_wait([weak](const boost::system::error_code& ec) {
            if (auto self = weak.lock(); self && !ec) self->open();
        });
    }

    void stop() {
        stopped = true;
        retry.cancel();
        if (link) link->close();
    }

    EventLoop& loop;
    gateway::Gateway& gateway;
    telemetry::Logger& logger;
    telemetry::MetricsRegistry& metrics;
    core::SerialSettings settings;
    SerialLineOptions options;
    boost::asio::steady_timer retry;
    telemetry::Gauge* up;
    std::shared_ptr<SerialLink> link;
    bool complained = false;
    bool stopped = false;
};

SerialLines::SerialLines(EventLoop& loop, gateway::Gateway& gateway, telemetry::Logger& logger,
                         telemetry::MetricsRegistry& metrics,
                         const std::vector<core::SerialSettings>& lines,
                         SerialLineOptions options) {
    for (const core::SerialSettings& line : lines)
        lines_.push_back(std::make_shared<Line>(loop, gateway, logger, metrics, line, options));
}

SerialLines::~SerialLines() {
    stop();
}

void SerialLines::start() {
    for (auto& line : lines_)
        line->open();
}

void SerialLines::stop() {
    for (auto& line : lines_)
        line->stop();
}

} // namespace edgeai::platform::native
