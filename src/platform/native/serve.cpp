#include "platform/native/serve.h"

#include "api/api_error.h"
#include "core/config/routing_schema.h"
#include "core/duration.h"
#include "core/hex.h"
#include "core/http_types.h"
#include "engine/model/kv_cache.h"
#include "engine/session/scheduler.h"
#include "gateway/access_control.h"
#include "gateway/gateway.h"
#include "gateway/job_runner.h"
#include "gateway/response_cache.h"
#include "platform/native/audit/audit_log_file.h"
#include "platform/native/engine/chat_template_flag.h"
#include "platform/native/engine/engine_worker.h"
#include "platform/native/engine/local_model.h"
#include "platform/native/engine/local_models.h"
#include "platform/native/http/connectivity_monitor.h"
#include "platform/native/http/event_loop.h"
#include "platform/native/http/event_loop_impl.h"
#include "platform/native/http/http_server.h"
#include "platform/native/http/upstream_http_client.h"
#include "platform/native/http/webhook_http_client.h"
#include "platform/native/link/mcp_stdio.h"
#include "platform/native/link/serial_lines.h"
#include "platform/native/link/unix_socket_server.h"
#include "platform/native/redis/redis_shared_counters.h"
#include "platform/native/storage/data_dir.h"
#include "platform/native/storage/sqlite_cache_store.h"
#include "platform/native/storage/sqlite_job_store.h"
#include "platform/native/storage/sqlite_key_store.h"
#include "platform/native/storage/sqlite_response_store.h"
#include "platform/native/storage/sqlite_usage_store.h"
#include "platform/native/system/console_files.h"
#include "platform/native/system/environment.h"
#include "platform/native/system/files.h"
#include "platform/native/system/process_memory.h"
#include "platform/native/system/randomness.h"
#include "platform/native/system/secret_files.h"
#include "platform/native/system/static_file_source.h"
#include "platform/native/system/system_clock.h"
#include "router/anthropic_backend.h"
#include "router/local_backend.h"
#include "router/openai_backend.h"
#include "router/router.h"
#include <cstdlib>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <csignal>
#include <optional>

namespace edgeai::platform::native {

namespace {

HttpServerOptions server_options(const core::ServerSettings& s) {
    HttpServerOptions o;
    o.listen = s.listen;
    o.max_body_bytes = static_cast<size_t>(s.max_body_bytes);
    o.max_pending_body_bytes = static_cast<size_t>(s.max_pending_body_bytes);
    o.max_header_bytes = static_cast<size_t>(s.max_header_bytes);
    o.read_timeout = std::chrono::milliseconds(s.read_timeout_ms);
    o.idle_timeout = std::chrono::milliseconds(s.idle_timeout_ms);
    o.write_timeout = std::chrono::milliseconds(s.write_timeout_ms);
    o.max_connections = static_cast<size_t>(s.max_connections);
    return o;
}

void log_certificate(telemetry::Logger& logger, std::string_view msg,
                     const TlsCertificateInfo& cert) {
    const bool warn = cert.expired || cert.expires_soon;
    logger.log(warn ? core::LogLevel::kWarn : core::LogLevel::kInfo,
               cert.expired ? "the TLS certificate has expired" : msg,
               {{"subject", cert.subject},
                {"not_after", cert.not_after},
                {"expires_soon", cert.expires_soon}});
}

constexpr auto kKeyRefreshInterval = std::chrono::milliseconds(500);

// Whether server.listen only accepts local clients (127.x, ::1, localhost).
bool listens_on_loopback(const std::string& listen) {
    std::string host;
    uint16_t port = 0;
    if (!parse_listen_address(listen, &host, &port).ok()) return false;
    return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

// A provider key: the value in the file, else from the environment, else
// the value in the configuration. A key file others may read is an error.
core::Result<std::string> provider_key(const std::string& file, const std::string& env,
                                       const std::string& value) {
    if (!file.empty()) {
        auto text = read_secret_file(file);
        if (!text.ok()) return text.status();
        std::string key = std::move(text).value();
        while (!key.empty() && (key.back() == '\n' || key.back() == '\r' || key.back() == ' '))
            key.pop_back();
        if (key.empty()) return core::failed_precondition("the key file " + file + " is empty");
        return key;
    }
    if (!value.empty()) return value;
    if (!env.empty()) return env_or_empty(env.c_str());
    return std::string();
}

bool has_http_scheme(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0;
}

// What the start line (a banner on a terminal) says: where to point a client
// or a browser, what is served through which backends, and whether a key is
// needed, from what was actually started rather than from the legacy
// upstream setting alone.
struct StartFacts {
    std::string url;
    std::string models;
    std::string backends;
    std::string auth;
    std::string upstream;
};

void append_listed(std::string& list, std::string_view item) {
    if (!list.empty()) list += ", ";
    list.append(item);
}

StartFacts describe_start(const core::Settings& settings, const router::Router& router,
                          const gateway::AccessControl& access, const std::string& address,
                          bool tls) {
    StartFacts f;
    f.url = (tls ? "https://" : "http://") + address;
    std::vector<std::string> ids;
    for (size_t i = 0; i < router.size(); ++i) {
        const core::BackendSettings& b = *router.at(i).settings;
        const bool local = b.kind == core::BackendKind::kLocal;
        std::string backend = b.name + " (" + std::string(core::backend_kind_name(b.kind));
        if (!local && !b.base_url.empty()) {
            backend += ", " + core::redact_url_credentials(b.base_url);
            append_listed(f.upstream, core::redact_url_credentials(b.base_url));
        }
        append_listed(f.backends, backend + ")");
        for (const auto& [id, file] : b.model_files)
            ids.push_back(id);
        for (const std::string& m : b.models)
            if (m != "*") ids.push_back(m);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    for (const std::string& id : ids)
        append_listed(f.models, id);
    if (f.models.empty()) f.models = "none (serve -m FILE.gguf, or edgeai pull ORG/REPO:QUANT)";
    if (f.upstream.empty()) f.upstream = "none";
    if (access.enforced())
        f.auth = "API keys required";
    else if (settings.server.listen.empty() || listens_on_loopback(settings.server.listen))
        f.auth = "off until the first key (edgeai keys create --name NAME); loopback only";
    else
        f.auth = "off (--insecure-no-auth): anyone who can connect";
    return f;
}

} // namespace

int run_serve(const core::Settings& settings, const std::string& data_dir,
              telemetry::Logger& logger, const std::string& version, const LocalServeOptions& local,
              bool insecure_no_auth, ServeShell shell) {
    // Writes to a closed socket must come back as errors, not kill the process.
    std::signal(SIGPIPE, SIG_IGN);

    core::Status dir = open_data_dir(data_dir);
    if (!dir.ok()) {
        logger.error("cannot use the data directory",
                     {{"data_dir", data_dir}, {"error", dir.message()}});
        return 1;
    }
    if (std::string exposed = data_dir_exposure(data_dir); !exposed.empty()) {
        if (settings.server.strict_permissions) {
            logger.error("the data directory is open to other users (server.strict_permissions)",
                         {{"data_dir", data_dir}, {"error", exposed}});
            return 1;
        }
        logger.warn("the data directory is open to other users: prompts, answers and keys "
                    "stored there can be read",
                    {{"data_dir", data_dir}, {"detail", exposed}});
    }

    EventLoop loop;
    SystemClock clock;

    std::unique_ptr<SqliteUsageStore> usage_store;
    if (settings.usage.enabled) {
        auto opened = SqliteUsageStore::open(data_dir);
        if (!opened.ok()) {
            logger.error("cannot keep usage accounting (usage.enabled = false turns it off)",
                         {{"error", opened.status().message()}});
            return 1;
        }
        usage_store = std::move(opened).value();
    }
    // Durable jobs (`Prefer: respond-async`): jobs.db, written by its own
    // thread, callbacks on the loop.
    auto job_store = SqliteJobStore::open(
        data_dir, loop,
        SqliteJobStore::Limits{settings.queue.max_jobs, settings.queue.max_bytes,
                               settings.queue.max_jobs_per_key, settings.queue.max_bytes_per_key});
    if (!job_store.ok()) {
        logger.error("cannot open the job queue", {{"error", job_store.status().message()}});
        return 1;
    }
    if ((*job_store)->recovered() > 0) {
        logger.warn("jobs cut off by the last stop go back to the queue",
                    {{"jobs", (*job_store)->recovered()}});
    }

    std::unique_ptr<SqliteCacheStore> cache_store;
    std::optional<gateway::ResponseCache> response_cache;
    if (settings.cache.mode != core::CacheMode::kOff && settings.cache.max_bytes > 0) {
        if (settings.cache.persist) {
            auto opened = SqliteCacheStore::open(data_dir);
            if (!opened.ok()) {
                logger.error("cannot keep the response cache on disk (cache.persist = false "
                             "keeps it in memory only)",
                             {{"error", opened.status().message()}});
                return 1;
            }
            cache_store = std::move(opened).value();
        }
        response_cache.emplace(static_cast<size_t>(settings.cache.max_bytes), settings.cache.ttl_ms,
                               clock, cache_store.get());
        response_cache->load_from_store();
    }
    // Stored responses (POST /v1/responses with store): responses.db.
    auto retention = core::parse_duration_ms(settings.responses.retention);
    if (!retention.ok()) {
        logger.error("responses.retention is not a duration",
                     {{"error", retention.status().message()}});
        return 1;
    }
    auto response_store = SqliteResponseStore::open(data_dir, *retention, clock);
    if (!response_store.ok()) {
        logger.error("cannot open the stored responses",
                     {{"error", response_store.status().message()}});
        return 1;
    }
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
        auto provided = provider_key(up.api_key_file, up.api_key_env, up.api_key);
        if (!provided.ok()) {
            logger.error("cannot read upstream.api_key_file",
                         {{"error", provided.status().message()}});
            return 1;
        }
        std::string key = std::move(provided).value();
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

    // Local backends' models load with the -m ones, into one local backend.
    LocalServeOptions all_local = local;
    for (const core::BackendSettings& b : settings.backends)
        if (b.kind == core::BackendKind::kLocal)
            for (const auto& [id, path] : b.model_files) {
                all_local.aliases.resize(all_local.model_paths.size());
                all_local.overrides.resize(all_local.model_paths.size());
                all_local.model_paths.push_back(path);
                all_local.aliases.push_back(id);
                all_local.overrides.push_back({b.chat_template, static_cast<int>(b.ctx_size),
                                               static_cast<int>(b.parallel), ""});
            }
    OsRandom random;
    std::optional<router::LocalBackend> local_backend;
    std::optional<ModelHost> model_host;
    if (!start_models(all_local, settings, loop, clock, random, logger, local_backend, model_host))
        return 1;
    if (local_backend) local_backend->set_metrics(metrics);

    // Routing: the configured [[backends]] and [[routes]], or without them the
    // local models and [upstream] as backends, so one path serves both.
    std::vector<std::string> local_ids;
    if (local_backend)
        for (const router::LocalModelEntry& m : local_backend->models())
            local_ids.push_back(m.id);
    const core::Settings routing =
        settings.backends.empty() ? router::routing_for_legacy(settings, local_ids) : settings;
    std::vector<std::unique_ptr<UpstreamHttpClient>> backend_clients;
    std::vector<std::unique_ptr<router::Backend>> remote_backends;
    std::vector<router::Backend*> routed;
    for (const core::BackendSettings& b : routing.backends) {
        if (b.kind == core::BackendKind::kLocal) {
            routed.push_back(model_host ? &*model_host : nullptr);
            continue;
        }
        if (settings.backends.empty()) { // the legacy [upstream], built above
            routed.push_back(upstream ? &*upstream : nullptr);
            continue;
        }
        if (!b.ca_file.empty() && !file_exists(b.ca_file)) {
            logger.error("ca_file does not exist", {{"backend", b.name}, {"ca_file", b.ca_file}});
            return 1;
        }
        auto provided = provider_key(b.api_key_file, b.api_key_env, b.api_key);
        if (!provided.ok()) {
            logger.error("cannot read a backend's api_key_file",
                         {{"backend", b.name}, {"error", provided.status().message()}});
            return 1;
        }
        std::string key = std::move(provided).value();
        backend_clients.push_back(std::make_unique<UpstreamHttpClient>(
            loop, CurlHttpClientOptions{b.ca_file, static_cast<long>(b.max_concurrency)}));
        // Both kinds' options share these fields.
        auto with_settings = [&](auto options) {
            options.name = b.name;
            options.base_url = b.base_url;
            options.api_key = key;
            options.connect_timeout_ms = b.connect_timeout_ms;
            options.timeout_ms = b.timeout_ms;
            options.stream_idle_timeout_ms = b.stream_idle_timeout_ms;
            options.user_agent = "edgeai/" + version;
            return options;
        };
        if (b.kind == core::BackendKind::kAnthropic) {
            remote_backends.push_back(std::make_unique<router::AnthropicBackend>(
                *backend_clients.back(), clock, with_settings(router::AnthropicBackendOptions{})));
        } else {
            router::OpenAiBackendOptions options = with_settings(router::OpenAiBackendOptions{});
            options.responses_native = b.responses_native;
            remote_backends.push_back(
                std::make_unique<router::OpenAiBackend>(*backend_clients.back(), options));
        }
        routed.push_back(remote_backends.back().get());
    }
    // Without [[backends]] the gateway behaves as before routing existed: one
    // attempt, no breaker, the upstream's own answer passed on.
    const core::RoutingSettings& rs = settings.routing;
    router::BreakerConfig breaker{static_cast<uint32_t>(rs.breaker_failures),
                                  rs.breaker_cooldown_ms};
    router::RetryPolicy retry{static_cast<uint32_t>(rs.max_attempts), rs.backoff_base_ms,
                              rs.backoff_max_ms, rs.max_retry_after_ms, rs.deadline_ms};
    if (settings.backends.empty()) {
        breaker.failure_threshold = UINT32_MAX;
        retry.max_attempts = 1;
    }
    router::Router router(routing, routed, clock, breaker, retry);
    for (size_t i = 0; i < routing.backends.size(); ++i) {
        const core::BackendSettings& b = routing.backends[i];
        router::RoutedBackend& r = router.at(i);
        if (b.kind != core::BackendKind::kLocal) {
            // The legacy upstream keeps its old unbounded behaviour.
            if (!settings.backends.empty())
                r.max_in_flight = static_cast<uint32_t>(b.max_concurrency);
            continue;
        }
        // Room for local-first: its models' slots, and the smallest context.
        if (!local_backend) continue;
        for (const router::LocalModelEntry& m : local_backend->models()) {
            if (std::find(b.models.begin(), b.models.end(), m.id) == b.models.end()) continue;
            r.slots += m.parallel;
            // A model not loaded yet has no context to plan by.
            if (m.n_ctx == 0) continue;
            r.context_tokens =
                r.context_tokens == 0 ? m.n_ctx : std::min(r.context_tokens, m.n_ctx);
        }
    }

    // The uplink's state for when_offline targets (with [[backends]] only).
    std::vector<ConnectivityMonitor::Endpoint> endpoints;
    for (const core::BackendSettings& b : settings.backends) {
        ConnectivityMonitor::Endpoint e;
        if (b.kind != core::BackendKind::kLocal && ConnectivityMonitor::endpoint_of(b.base_url, &e))
            endpoints.push_back(e);
    }
    if (settings.routing.uplink_probe_interval_ms == 0) endpoints.clear();
    ConnectivityMonitor uplink(loop, router, logger, std::move(endpoints),
                               std::chrono::milliseconds(settings.routing.uplink_probe_interval_ms),
                               std::chrono::milliseconds(settings.routing.uplink_probe_timeout_ms));
    uplink.start();

    // API keys (keys.db): loaded now and re-read whenever the CLI or the
    // admin API changes them; budgets resume from the usage records.
    auto key_store = SqliteKeyStore::open(data_dir);
    if (!key_store.ok()) {
        logger.error("cannot open the API keys", {{"error", key_store.status().message()}});
        return 1;
    }
    auto server_secret = load_or_create_server_secret(data_dir);
    if (!server_secret.ok()) {
        logger.error("cannot read the server secret",
                     {{"error", server_secret.status().message()}});
        return 1;
    }
    // Limits shared with other replicas through Redis: nothing of it exists
    // unless limits.backend = "redis".
    std::unique_ptr<RedisSharedCounters> shared_counters;
    if (settings.limits.backend == core::LimitsBackend::kRedis) {
        if (settings.limits.redis_url.empty()) {
            logger.error("limits.backend = \"redis\" needs limits.redis_url "
                         "(redis://[:PASSWORD@]HOST:PORT)");
            return 1;
        }
        uint8_t replica[6];
        random.fill(replica, sizeof replica);
        auto created = RedisSharedCounters::create(
            loop, settings.limits, logger, metrics,
            core::hex_encode(std::span<const uint8_t>(replica, sizeof replica)));
        if (!created.ok()) {
            logger.error("cannot use the shared limits", {{"error", created.status().message()}});
            return 1;
        }
        shared_counters = std::move(created).value();
    }
    gateway::AccessControl::Options access_options;
    access_options.shared = shared_counters.get();
    access_options.limits = &settings.limits;
    access_options.settings = &settings.auth;
    access_options.store = key_store->get();
    access_options.server_secret = std::move(server_secret).value();
    access_options.clock = &clock;
    access_options.metrics = &metrics;
    access_options.insecure_no_auth = insecure_no_auth;
    gateway::AccessControl access(std::move(access_options));
    if (core::Status st = access.refresh(); !st.ok()) {
        logger.error("cannot read the API keys", {{"error", st.message()}});
        return 1;
    }
    if (usage_store) access.seed_budgets(*usage_store);
    for (const std::string* listen : {&settings.server.listen, &settings.ollama.listen}) {
        if (access.enforced() || listen->empty() || listens_on_loopback(*listen) ||
            insecure_no_auth)
            continue;
        logger.error("refusing to listen on a non-loopback address without API keys: "
                     "create one with 'edgeai keys create --name NAME' (or set auth.required "
                     "= true), or pass --insecure-no-auth to serve anyone who can connect",
                     {{"listen", *listen}});
        return 1;
    }
    if (insecure_no_auth && !access.enforced()) {
        logger.warn("--insecure-no-auth: serving every client without API keys; anyone who can "
                    "reach this address may use its backends and spend its budgets",
                    {{"listen", settings.server.listen}});
    }
    // Keys changed by the CLI apply within a second.
    boost::asio::steady_timer key_refresh(loop.impl().io);
    std::function<void(const boost::system::error_code&)> on_key_refresh =
        [&](const boost::system::error_code& ec) {
            if (ec) return;
            if (core::Status st = access.refresh(); !st.ok())
                logger.warn("cannot re-read the API keys", {{"error", st.message()}});
            key_refresh.expires_after(kKeyRefreshInterval);
            key_refresh.async_wait(on_key_refresh);
        };
    key_refresh.expires_after(kKeyRefreshInterval);
    key_refresh.async_wait(on_key_refresh);

    // The audit log: one signed, chained line per request, written by its
    // own thread.
    std::unique_ptr<AuditLogFile> audit_log;
    if (settings.audit.enabled) {
        auto opened = AuditLogFile::open(settings.audit, data_dir, logger, AuditLogFile::Options{});
        if (!opened.ok()) {
            logger.error("cannot open the audit log (audit.enabled = false turns it off)",
                         {{"error", opened.status().message()}});
            return 1;
        }
        audit_log = std::move(opened).value();
    }

    // The web page's files (/ui/): the console built into the binary, or an
    // operator's own directory in its place. A directory named but missing is
    // a mistake to report now, not a 404 on every page load.
    std::unique_ptr<core::FileSource> static_files;
    if (settings.server.static_dir.empty()) {
        static_files = std::make_unique<core::EmbeddedFileSource>(console_files(), "gzip");
    } else {
        auto opened = StaticFileSource::open(settings.server.static_dir);
        if (!opened.ok()) {
            logger.error("cannot serve static files (server.static_dir)",
                         {{"error", opened.status().message()}});
            return 1;
        }
        static_files = std::move(opened).value();
    }

    // Where jobs' webhooks may go; the gateway's own endpoints join once it listens.
    auto webhook_policy =
        core::net::DestinationPolicy::from_allow_list(settings.queue.webhook_allow);
    if (!webhook_policy.ok()) {
        logger.error("bad queue.webhook_allow", {{"error", webhook_policy.status().message()}});
        return 1;
    }

    gateway::GatewayDeps deps;
    deps.settings = &settings;
    deps.webhooks = &*webhook_policy;
    deps.static_files = static_files.get();
    deps.access = &access;
    deps.audit = audit_log.get();
    deps.random = &random;
    deps.clock = &clock;
    deps.logger = &logger;
    deps.metrics = &metrics;
    deps.router = &router;
    deps.usage = usage_store.get();
    deps.cache = response_cache ? &*response_cache : nullptr;
    deps.jobs = job_store->get();
    deps.responses = response_store->get();
    deps.executor = &loop;
    deps.version = version;
    deps.memory_bytes = [] { return static_cast<uint64_t>(resident_memory_bytes()); };
    gateway::Gateway gateway(deps);
    const core::QueueSettings& qs = settings.queue;
    WebhookHttpClient webhook_client(loop, *webhook_policy, CurlHttpClientOptions{}, &logger);
    gateway::JobRunnerOptions runner_options;
    runner_options.concurrency = static_cast<size_t>(qs.concurrency);
    runner_options.max_attempts = qs.max_attempts;
    runner_options.backoff_base_ms = qs.backoff_base_ms;
    runner_options.backoff_max_ms = qs.backoff_max_ms;
    runner_options.poll_ms = qs.poll_ms;
    runner_options.webhook_client = &webhook_client;
    runner_options.webhook_secret = qs.webhook_secret;
    runner_options.webhook_timeout_ms = qs.webhook_timeout_ms;
    runner_options.logger = &logger;
    gateway::JobRunner job_runner(gateway, **job_store, loop, clock, metrics, runner_options);
    gateway.set_job_listener([&job_runner] { job_runner.wake(); });

    if (shell == ServeShell::kMcpStdio) {
        // One MCP client on stdin/stdout in place of the listeners; it ends
        // when the client closes stdin or on SIGINT/SIGTERM.
        McpStdioOptions o;
        if (const char* key = std::getenv("EDGEAI_API_KEY")) o.api_key = key;
        o.max_line_bytes = static_cast<size_t>(settings.server.max_body_bytes);
        std::function<void()> stop_all;
        McpStdio stdio(loop, gateway, logger, o, [&] { stop_all(); });
        boost::asio::signal_set signals(loop.impl().io, SIGINT, SIGTERM);
        bool stopping = false;
        stop_all = [&] {
            if (stopping) return;
            stopping = true;
            gateway.set_draining(true);
            job_runner.stop_claiming();
            if (model_host) model_host->refuse_waiting(api::shutting_down());
            stdio.stop();
            signals.cancel();
            loop.stop();
        };
        signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (!ec) stop_all();
        });
        logger.info("serving MCP on stdio", {{"version", version}, {"data_dir", data_dir}});
        stdio.start();
        if (!qs.paused) job_runner.start();
        loop.run();
        logger.info("stopped");
        return 0;
    }

    HttpServerOptions listener = server_options(settings.server);
    listener.tls = settings.tls;
    HttpServer server(loop, gateway, logger, metrics, std::move(listener));
    auto address = server.start();
    if (!address.ok()) {
        logger.error("cannot start the server", {{"error", address.status().message()}});
        return 1;
    }
    if (server.tls_enabled()) log_certificate(logger, "tls certificate", server.tls_certificate());
    if (auto self = add_listener_as_self(*webhook_policy, *address); !self.ok()) {
        logger.error("cannot tell webhooks the gateway's address", {{"error", self.message()}});
        return 1;
    }
    // The same gateway where Ollama's clients look for Ollama.
    std::unique_ptr<HttpServer> ollama_server;
    if (!settings.ollama.listen.empty()) {
        HttpServerOptions o = server_options(settings.server);
        o.listen = settings.ollama.listen;
        o.tls = settings.tls;
        o.ollama = true;
        ollama_server = std::make_unique<HttpServer>(loop, gateway, logger, metrics, std::move(o));
        auto ollama_address = ollama_server->start();
        if (!ollama_address.ok()) {
            logger.error(
                "cannot start the listener for Ollama's clients",
                {{"listen", settings.ollama.listen}, {"error", ollama_address.status().message()}});
            return 1;
        }
        if (auto self = add_listener_as_self(*webhook_policy, *ollama_address); !self.ok()) {
            logger.error("cannot tell webhooks the gateway's address", {{"error", self.message()}});
            return 1;
        }
        logger.info("listening for Ollama's clients", {{"address", ollama_address.value()}});
    }

    // The frame protocol for programs and devices without HTTP: a request
    // message allows the largest body plus room for its head.
    const size_t max_request_bytes =
        static_cast<size_t>(settings.server.max_body_bytes + settings.server.max_header_bytes);
    std::unique_ptr<UnixSocketServer> unix_server;
    if (!settings.server.unix_socket.empty()) {
        UnixSocketOptions o;
        o.path = settings.server.unix_socket;
        o.mode = parse_file_mode(settings.server.unix_socket_mode);
        o.max_frame_bytes = static_cast<size_t>(settings.server.max_frame_bytes);
        o.max_request_bytes = max_request_bytes;
        o.max_connections = static_cast<size_t>(settings.server.max_connections);
        o.write_timeout = std::chrono::milliseconds(settings.server.write_timeout_ms);
        unix_server = std::make_unique<UnixSocketServer>(loop, gateway, logger, metrics, o);
        if (core::Status st = unix_server->start(); !st.ok()) {
            logger.error("cannot open the Unix socket", {{"error", st.message()}});
            return 1;
        }
    }
    SerialLines serial_lines(
        loop, gateway, logger, metrics, settings.serial,
        SerialLineOptions{static_cast<size_t>(settings.server.max_frame_bytes), max_request_bytes});
    serial_lines.start();

    // SIGHUP: new certificate and key for new connections, open ones untouched.
    boost::asio::signal_set reload_signals(loop.impl().io, SIGHUP);
    std::function<void(const boost::system::error_code&, int)> on_reload =
        [&](const boost::system::error_code& ec, int) {
            if (ec) return;
            if (!server.tls_enabled()) {
                logger.info("SIGHUP: nothing to reload (TLS is off)");
            } else if (auto reloaded = server.reload_tls(); reloaded.ok()) {
                log_certificate(logger, "tls certificate reloaded", *reloaded);
            } else {
                logger.error("tls reload failed; the previous certificate stays in use",
                             {{"error", reloaded.status().message()}});
            }
            reload_signals.async_wait(on_reload);
        };
    reload_signals.async_wait(on_reload);

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
            // Jobs under way may finish in the grace period; no new ones start.
            job_runner.stop_claiming();
            // Nor do sequences still waiting for an engine slot: they get 503
            // now, not a cut connection when the grace is over.
            if (model_host) model_host->refuse_waiting(api::shutting_down());
            // The loop stops once every listener's requests are over.
            auto listeners_left = std::make_shared<int>(ollama_server ? 2 : 1);
            auto drained = [&, listeners_left] {
                if (--*listeners_left > 0) return;
                if (unix_server) unix_server->stop();
                serial_lines.stop();
                signals.cancel();
                reload_signals.cancel();
                loop.stop();
            };
            const std::chrono::milliseconds grace(settings.server.shutdown_grace_ms);
            if (ollama_server) ollama_server->shutdown(grace, drained);
            server.shutdown(grace, drained);
            signals.async_wait(on_signal);
        };
    signals.async_wait(on_signal);

    const StartFacts facts =
        describe_start(settings, router, access, address.value(), server.tls_enabled());
    logger.info("listening", {{"address", address.value()},
                              {"url", facts.url},
                              {"console", facts.url + "/ui/"},
                              {"models", facts.models},
                              {"backends", facts.backends},
                              {"auth", facts.auth},
                              {"unix_socket", settings.server.unix_socket},
                              {"tls", server.tls_description()},
                              {"version", version},
                              {"upstream", facts.upstream},
                              {"data_dir", data_dir}});
    if (!qs.paused) job_runner.start();
    loop.run();
    logger.info("stopped");
    return 0;
}

} // namespace edgeai::platform::native
