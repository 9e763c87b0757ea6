// The effective configuration as typed values. Defaults here are the embedded
// defaults: `edgeai serve` with no file, no environment and no flags runs on
// them. Every field has one entry in config_schema.cpp, which is what the TOML
// file, EDGEAI_* variables, flags, `config show` and docs/configuration.md use.
#pragma once

#include "core/config/routing_settings.h"
#include "core/log.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edgeai::core {

struct CorsSettings {
    // Origins allowed to call from a browser; "*" allows any. Empty: no CORS headers.
    std::vector<std::string> allow_origins;
};

struct ServerSettings {
    std::string listen = "127.0.0.1:8080";
    int64_t max_body_bytes = int64_t{4} << 20;
    int64_t max_header_bytes = 16 * 1024;
    // Request bodies being received at once, over all connections; beyond
    // it a new request gets 503 with Retry-After before its body is read.
    int64_t max_pending_body_bytes = int64_t{64} << 20;
    // Time a client has to send a whole request once its first byte arrived.
    int64_t read_timeout_ms = 30000;
    // Time an idle keep-alive connection is kept open waiting for a request.
    int64_t idle_timeout_ms = 60000;
    // Time a response write may stall (a client that stops reading).
    int64_t write_timeout_ms = 30000;
    int64_t max_connections = 1024;
    // On SIGTERM/SIGINT, how long in-flight requests may run before being cut.
    int64_t shutdown_grace_ms = 10000;
    // Refuse to start when the data directory is open to other users (by
    // default that is only warned about).
    bool strict_permissions = false;
    // Directory whose files are served under /ui/ (the web page). Empty: none.
    std::string static_dir;
    CorsSettings cors;
    // A Unix domain socket speaking the frame protocol (docs/protocol.md).
    // Empty: none.
    std::string unix_socket;
    // The socket file's permissions, octal: who on this machine may connect.
    std::string unix_socket_mode = "0660";
    // The largest frame on a Unix socket or serial link, header and CRC included.
    int64_t max_frame_bytes = 64 * 1024;
};

// One serial line speaking the frame protocol ([[serial]] in the file).
struct SerialSettings {
    std::string device; // "/dev/ttyUSB0"
    int64_t baud = 115200;
    std::string parity = "none"; // none, even, odd
    int64_t stop_bits = 1;
    uint32_t line = 0; // where the table starts in the file, for messages
};

struct UpstreamSettings {
    // Base URL of an OpenAI-compatible API, e.g. https://api.openai.com/v1. Empty: none.
    std::string url;
    // Name of the environment variable holding the upstream's API key.
    std::string api_key_env = "OPENAI_API_KEY";
    // The key itself; prefer api_key_env so the secret stays out of files.
    std::string api_key;
    // A file holding the key (mode 0600 or stricter; refused otherwise).
    std::string api_key_file;
    // Extra CA certificate (PEM) trusted besides the system store.
    std::string ca_file;
    int64_t connect_timeout_ms = 5000;
    // Time until the upstream's response headers arrive.
    int64_t timeout_ms = 60000;
    // Longest silence allowed between two pieces of a streamed response.
    int64_t stream_idle_timeout_ms = 60000;
    // Connections kept open to the upstream for reuse.
    int64_t max_connections = 64;
};

// How [[routes]] are run: retries and circuit breakers (with [[backends]]
// configured; without them the legacy upstream gets one attempt, no breaker).
struct RoutingSettings {
    int64_t max_attempts = 3;      // per request, over all targets
    int64_t backoff_base_ms = 100; // before retrying a backend, doubling
    int64_t backoff_max_ms = 5000;
    int64_t max_retry_after_ms = 30000; // a backend asking for longer is not waited for
    int64_t deadline_ms = 120000;       // no new attempt starts after this
    int64_t breaker_failures = 5;       // consecutive failures that open a breaker
    int64_t breaker_cooldown_ms = 30000;
    int64_t uplink_probe_interval_ms = 15000; // 0: never probe, the uplink is online
    int64_t uplink_probe_timeout_ms = 3000;
};

// Usage accounting: every API request's tokens and cost in usage.db.
struct UsageSettings {
    bool enabled = true;
};

// The response cache: answers kept in memory (and optionally in cache.db) and
// replayed for the same request.
// Which answers the response cache keeps and replays.
enum class CacheMode : uint8_t {
    kOff,           // "off": none
    kDeterministic, // "deterministic": temperature 0, a seed, or embeddings
    kAlways,        // "always": every request's
};

struct CacheSettings {
    CacheMode mode = CacheMode::kDeterministic;
    int64_t max_bytes = int64_t{16} << 20;
    int64_t ttl_ms = int64_t{3600} * 1000;
    bool persist = false; // keep entries in cache.db across restarts
};

// Stored responses of the Responses API (responses.db).
struct ResponsesSettings {
    // How long a stored response is kept ("30d", as core/duration reads it).
    std::string retention = "30d";
    // Bytes one key's stored responses may hold; 0: no limit.
    int64_t max_bytes_per_key = 0;
};

// A second listener for Ollama's clients, which look on Ollama's port.
struct OllamaSettings {
    std::string listen; // HOST:PORT; empty: none
};

// The durable job queue (`Prefer: respond-async`), kept in jobs.db.
struct QueueSettings {
    int64_t max_jobs = 100000;            // queued and running; beyond: 429
    int64_t max_bytes = int64_t{1} << 30; // request bodies and answers held
    int64_t max_batch_lines = 50000;      // requests in one batch (OpenAI's limit)
    // One API key's share of the above, so one tenant cannot fill the queue
    // for the others (keyless gateways have one tenant: no share).
    int64_t max_jobs_per_key = 20000;
    int64_t max_bytes_per_key = int64_t{256} << 20;
    int64_t max_attempts = 5;                   // deliveries before a job fails
    int64_t ttl_ms = int64_t{24} * 3600 * 1000; // a queued job expires after
    int64_t concurrency = 4;                    // deliveries at once
    int64_t backoff_base_ms = 1000;             // before a retry, doubling
    int64_t backoff_max_ms = 300000;
    int64_t poll_ms = 1000;             // how often waiting jobs are looked for
    bool paused = false;                // accept and keep jobs, deliver none
    std::string webhook_secret;         // signs webhook calls (HMAC-SHA256); empty: unsigned
    int64_t webhook_timeout_ms = 10000; // one webhook call, start to end
    // Destinations a webhook may reach besides public addresses: CIDRs,
    // addresses and host names (core/net/destination_policy.h).
    std::vector<std::string> webhook_allow;
};

// Who may read /metrics without a key while keys are enforced.
enum class PublicMetrics : uint8_t {
    kOff,      // "off": a key with the metrics (or admin) scope
    kLoopback, // "loopback": also clients on this machine (a local scraper)
    kAll,      // "all": anyone who can reach the port
};

// Who may call: API keys (keys.db), signed requests, brute-force limits.
struct AuthSettings {
    // Enforce keys even before the first key exists (every API call then
    // needs one). Auth is enforced anyway as soon as one key exists.
    bool required = false;
    // Serve GET /metrics without a key to these clients.
    PublicMetrics public_metrics = PublicMetrics::kOff;
    // Failed authentications one client address may make per minute before
    // every request from it gets 429 for a minute.
    int64_t max_failures_per_minute = 20;
    // Signed requests: how far their timestamp may be from the server's clock.
    int64_t signature_skew_ms = 300000;
};

// Where keys' limits and budgets are counted.
enum class LimitsBackend : uint8_t {
    kLocal, // "local": each process alone (one device)
    kRedis, // "redis": replicas count together in one Redis (docs/fleet.md)
};

// What a replica does when Redis does not answer in time.
enum class LimitsFailMode : uint8_t {
    kLocal,  // "local": its own counters, with 1/replicas of each limit
    kOpen,   // "open": serve without counting
    kClosed, // "closed": refuse limited keys with 503 (budgets that must hold)
};

struct LimitsSettings {
    LimitsBackend backend = LimitsBackend::kLocal;
    // redis://[:PASSWORD@]HOST:PORT[/DB]; the password is sent with AUTH and
    // redacted wherever the URL is shown.
    std::string redis_url;
    std::string key_prefix = "edgeai:";
    LimitsFailMode fail_mode = LimitsFailMode::kLocal;
    // How long a request waits for Redis before the fail mode applies.
    int64_t timeout_ms = 50;
    // Replicas sharing the limits: each keeps 1/replicas of a limit in the
    // "local" fail mode.
    int64_t replicas = 1;
    // A concurrency slot's lease: renewed while the request runs, freed by
    // Redis this long after a replica died holding it.
    int64_t lease_ttl_ms = 30000;
};

// TLS on the listener. Empty cert: plain HTTP.
struct TlsSettings {
    std::string cert;      // PEM certificate chain
    std::string key;       // PEM private key (refused when others may read it)
    std::string client_ca; // PEM CA that client certificates must chain to (mTLS)
    // Without a bearer key, a verified client certificate's CN names the key
    // (id or name) whose scopes and limits apply.
    bool client_cert_required = false;
    std::string min_version = "1.2"; // 1.2 | 1.3
};

enum class AuditWriteFailure {
    kRefuse, // requests that would be audited get 503 until writing works again
    kBuffer, // served; records wait in memory (bounded) until they can be written
};

// The tamper-evident audit log (audit.log in the data dir).
struct AuditSettings {
    bool enabled = true;
    // Also write request and response bodies (prompts and completions).
    bool include_bodies = false;
    int64_t max_file_bytes = int64_t{64} << 20; // rotate after this
    int64_t max_files = 10;                     // rotated files kept; 0: all
    AuditWriteFailure on_write_failure = AuditWriteFailure::kRefuse;
    // The HMAC key, kept apart from the log. Empty: audit.key in the data
    // dir, created on first use (mode 0600).
    std::string key_file;
};

// Model files: GGUF files put there by hand and models `edgeai pull` fetched.
struct ModelsSettings {
    // Empty: <data_dir>/models.
    std::string dir;
    // How long a model loaded on demand stays once idle (core/keep_alive.h).
    std::string keep_alive = "5m";
    // Memory the models loaded together may take ("4G"); empty: derived from
    // the machine's physical memory.
    std::string memory_budget;
};

// How log lines are written: human lines (a start banner, one readable line
// per request) on a terminal, JSON lines for machines.
enum class LogFormat : uint8_t {
    kAuto, // human when standard error is a terminal, else JSON
    kJson,
    kHuman,
};

struct LogSettings {
    LogLevel level = LogLevel::kInfo;
    LogFormat format = LogFormat::kAuto;
    // One line per request at info level.
    bool requests = true;
};

struct Settings {
    // Where all state lives. Empty: $STATE_DIRECTORY (systemd), else
    // $XDG_DATA_HOME/edgeai, else ~/.local/share/edgeai.
    std::string data_dir;
    LogSettings log;
    ModelsSettings models;
    ServerSettings server;
    UpstreamSettings upstream;
    RoutingSettings routing;
    UsageSettings usage;
    CacheSettings cache;
    ResponsesSettings responses;
    OllamaSettings ollama;
    QueueSettings queue;
    AuthSettings auth;
    LimitsSettings limits;
    TlsSettings tls;
    AuditSettings audit;
    std::vector<BackendSettings> backends;
    std::vector<RouteSettings> routes;
    std::vector<SerialSettings> serial;
};

} // namespace edgeai::core
