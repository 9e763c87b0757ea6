#include "platform/native/serve.h"

#include "gateway/gateway.h"
#include "platform/native/event_loop.h"
#include "platform/native/event_loop_impl.h"
#include "platform/native/http_server.h"
#include "platform/native/system.h"
#include "platform/native/upstream_http_client.h"
#include "router/openai_backend.h"

#include <boost/asio/signal_set.hpp>

#include <csignal>
#include <optional>

namespace edgeai::platform::native {

namespace {

HttpServerOptions server_options(const core::ServerSettings& s) {
    HttpServerOptions o;
    o.listen = s.listen;
    o.max_body_bytes = static_cast<size_t>(s.max_body_bytes);
    o.max_header_bytes = static_cast<size_t>(s.max_header_bytes);
    o.read_timeout = std::chrono::milliseconds(s.read_timeout_ms);
    o.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
    o.write_timeout = std::chrono::milliseconds(s.write_timeout_ms);
    o.max_connections = static_cast<size_t>(s.max_connections);
    return o;
}

bool has_http_scheme(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

} // namespace

int run_serve(const core::Settings& settings, const std::string& data_dir,
              telemetry::Logger& logger, const std::string& version) {
    // Writes to a closed socket must come back as errors, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    core::Status dir = make_directories(data_dir);
    if (!dir.ok()) {
        logger.error("cannot use the data directory",
                     {{"data_dir", data_dir}, {"error", dir.message()}});
        return 1;
    }

    EventLoop loop;
    SystemClock clock;
    telemetry::MetricsRegistry metrics;
    metrics.gauge_callback("process_resident_memory_bytes", "Resident memory size in bytes",
                           [] { return static_cast<double>(resident_memory_bytes()); });

    std::optional<UpstreamHttpClient> http_client;
    std::optional<router::OpenAiBackend> upstream;
    const core::UpstreamSettings& up = settings.upstream;
    if (!up.url.empty()) {
        if (!has_http_scheme(up.url)) {
            logger.error("upstream.url must start with http:// or https://",
                         {{"upstream", up.url}});
            return 1;
        }
        std::string key = up.api_key;
        if (key.empty() && !up.api_key_env.empty()) key = env_or_empty(up.api_key_env.c_str());
        if (key.empty()) {
            logger.warn("no upstream API key: requests go upstream without Authorization",
                        {{"api_key_env", up.api_key_env}});
        }
        if (!up.ca_file.empty() && !file_exists(up.ca_file)) {
            logger.error("upstream.ca_file does not exist", {{"ca_file", up.ca_file}});
            return 1;
        }
        http_client.emplace(
            loop, CurlHttpClientOptions{up.ca_file, static_cast<long>(up.max_connections)});
        router::OpenAiBackendOptions options;
        options.base_url = up.url;
        options.api_key = key;
        options.connect_timeout_ms = up.connect_timeout_ms;
        options.timeout_ms = up.timeout_ms;
        options.stream_idle_timeout_ms = up.stream_idle_timeout_ms;
        options.user_agent = "edgeai/" + version;
        upstream.emplace(*http_client, options);
    }

    gateway::GatewayDeps deps;
    deps.settings = &settings;
    deps.clock = &clock;
    deps.logger = &logger;
    deps.metrics = &metrics;
    deps.upstream = upstream ? &*upstream : nullptr;
    deps.id_seed = random_seed();
    deps.version = version;
    gateway::Gateway gateway(deps);

    HttpServer server(loop, gateway, logger, metrics, server_options(settings.server));
    auto address = server.start();
    if (!address.ok()) {
        logger.error("cannot start the server", {{"error", address.status().message()}});
        return 1;
    }

    boost::asio::signal_set signals(loop.impl().io, SIGINT, SIGTERM);
    int signals_seen = 0;
    std::function<void(const boost::system::error_code&, int)> on_signal =
        [&](const boost::system::error_code& ec, int signo) {
            if (ec) return;
            if (++signals_seen > 1) {
                logger.warn("second signal: stopping now", {{"signal", signo}});
                loop.stop();
                return;
            }
            logger.info("shutting down",
                        {{"signal", signo}, {"grace_ms", settings.server.shutdown_grace_ms}});
            gateway.set_draining(true);
            server.shutdown(std::chrono::milliseconds(settings.server.shutdown_grace_ms), [&] {
                signals.cancel();
                loop.stop();
            });
            signals.async_wait(on_signal);
        };
    signals.async_wait(on_signal);

    logger.info("listening", {{"address", address.value()},
                              {"version", version},
                              {"upstream", up.url.empty() ? std::string("none") : up.url},
                              {"data_dir", data_dir}});
    loop.run();
    logger.info("stopped");
    return 0;
}

} // namespace edgeai::platform::native
