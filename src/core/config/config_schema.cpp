#include "core/config/config_schema.h"

#include "core/byte_size.h"
#include "core/duration.h"
#include "core/http_types.h"
#include "core/keep_alive.h"
#include "core/net/redis_url.h"

#include <algorithm>
#include <charconv>

namespace edgeai::core {

namespace {

constexpr int64_t kMaxMs = int64_t{24} * 3600 * 1000;
constexpr int64_t kMaxBytes = int64_t{1} << 34;

constexpr std::pair<std::string_view, CacheMode> kCacheModeNames[] = {
    {"off", CacheMode::kOff},
    {"deterministic", CacheMode::kDeterministic},
    {"always", CacheMode::kAlways},
};
constexpr std::pair<std::string_view, LogFormat> kLogFormatNames[] = {
    {"auto", LogFormat::kAuto},
    {"json", LogFormat::kJson},
    {"human", LogFormat::kHuman},
};

constexpr std::pair<std::string_view, PublicMetrics> kPublicMetricsNames[] = {
    {"off", PublicMetrics::kOff},
    {"loopback", PublicMetrics::kLoopback},
    {"all", PublicMetrics::kAll},
};
constexpr std::pair<std::string_view, LimitsBackend> kLimitsBackendNames[] = {
    {"local", LimitsBackend::kLocal},
    {"redis", LimitsBackend::kRedis},
};
constexpr std::pair<std::string_view, LimitsFailMode> kLimitsFailModeNames[] = {
    {"local", LimitsFailMode::kLocal},
    {"open", LimitsFailMode::kOpen},
    {"closed", LimitsFailMode::kClosed},
};
constexpr std::pair<std::string_view, AuditWriteFailure> kAuditWriteFailureNames[] = {
    {"refuse", AuditWriteFailure::kRefuse},
    {"buffer", AuditWriteFailure::kBuffer},
};

template <typename E, size_t N>
std::string_view enum_name(const std::pair<std::string_view, E> (&names)[N], E value) {
    for (const auto& [name, known] : names)
        if (known == value) return name;
    return "";
}

template <typename E, size_t N>
E enum_value(const std::pair<std::string_view, E> (&names)[N], std::string_view name, E fallback) {
    for (const auto& [known, value] : names)
        if (known == name) return value;
    return fallback;
}

#define EDGEAI_INT_KEY(path_, member_, min_, max_, doc_)                                           \
    ConfigKey {                                                                                    \
        path_, ValueKind::kInteger, doc_, min_, max_, "", false,                                   \
            [](const Settings& s) -> ConfigValue { return s.member_; },                            \
            [](Settings& s, const ConfigValue& v) { s.member_ = *std::get_if<int64_t>(&v); }       \
    }
#define EDGEAI_STRING_KEY(path_, member_, choices_, secret_, doc_)                                 \
    ConfigKey {                                                                                    \
        path_, ValueKind::kString, doc_, 0, 0, choices_, secret_,                                  \
            [](const Settings& s) -> ConfigValue { return s.member_; },                            \
            [](Settings& s, const ConfigValue& v) { s.member_ = *std::get_if<std::string>(&v); }   \
    }
// A closed set of names kept as an enum: the schema checks the name against
// `choices_` before the setter runs, so the setter's lookup always finds it.
#define EDGEAI_ENUM_KEY(path_, member_, choices_, names_, doc_)                                    \
    ConfigKey {                                                                                    \
        path_, ValueKind::kString, doc_, 0, 0, choices_, false,                                    \
            [](const Settings& s) -> ConfigValue {                                                 \
                return std::string(enum_name(names_, s.member_));                                  \
            },                                                                                     \
            [](Settings& s, const ConfigValue& v) {                                                \
                s.member_ = enum_value(names_, *std::get_if<std::string>(&v), s.member_);          \
            }                                                                                      \
    }
#define EDGEAI_BOOL_KEY(path_, member_, doc_)                                                      \
    ConfigKey {                                                                                    \
        path_, ValueKind::kBool, doc_, 0, 0, "", false,                                            \
            [](const Settings& s) -> ConfigValue { return s.member_; },                            \
            [](Settings& s, const ConfigValue& v) { s.member_ = *std::get_if<bool>(&v); }          \
    }
#define EDGEAI_LIST_KEY(path_, member_, doc_)                                                      \
    ConfigKey {                                                                                    \
        path_, ValueKind::kStringList, doc_, 0, 0, "", false,                                      \
            [](const Settings& s) -> ConfigValue { return s.member_; },                            \
            [](Settings& s, const ConfigValue& v) {                                                \
                s.member_ = *std::get_if<std::vector<std::string>>(&v);                            \
            }                                                                                      \
    }

const ConfigKey kKeys[] = {
    EDGEAI_STRING_KEY("data_dir", data_dir, "", false,
                      "Directory for all state (databases, logs, models). Empty: "
                      "$STATE_DIRECTORY (systemd), else $XDG_DATA_HOME/edgeai, else "
                      "~/.local/share/edgeai."),
    ConfigKey{
        "log.level", ValueKind::kString, "Least severe level written to the log.", 0, 0,
        "trace,debug,info,warn,error,off", false,
        [](const Settings& s) -> ConfigValue { return std::string(log_level_name(s.log.level)); },
        [](Settings& s, const ConfigValue& v) {
            auto level = parse_log_level(*std::get_if<std::string>(&v));
            if (level.ok()) s.log.level = *level;
        }},
    EDGEAI_ENUM_KEY("log.format", log.format, "auto,json,human", kLogFormatNames,
                    "How log lines are written: human (a start banner and one readable line per "
                    "request), json (one JSON object per line), or auto (human when standard "
                    "error is a terminal, else json)."),
    EDGEAI_BOOL_KEY("log.requests", log.requests,
                    "Write one line per request (method, path, model, backend, status, tokens, "
                    "latency; never bodies or keys)."),
    EDGEAI_STRING_KEY("models.dir", models.dir, "", false,
                      "Directory of GGUF models, each served under its name and loaded on its "
                      "first request: NAME.gguf files (also `-m NAME`) and what `edgeai pull` "
                      "fetches (ORG/REPO/FILE.gguf, named ORG/REPO:QUANT). Empty: "
                      "<data_dir>/models."),
    EDGEAI_STRING_KEY("models.keep_alive", models.keep_alive, "", false,
                      "How long a model loaded on demand stays in memory after its last "
                      "request, as Ollama's keep_alive: a duration (30s, 5m, 1h), -1 for ever, 0 "
                      "to unload as soon as the request ends. A request's own keep_alive (the "
                      "Ollama field, or the x-edgeai-keep-alive header) overrides it."),
    EDGEAI_STRING_KEY("models.memory_budget", models.memory_budget, "", false,
                      "Memory the loaded models may take together (weights and KV caches), e.g. "
                      "4G; a model that does not fit unloads idle ones, least recently used "
                      "first. Empty: three quarters of the physical memory. --memory-budget "
                      "overrides it."),
    EDGEAI_STRING_KEY("server.listen", server.listen, "", false,
                      "Address and port to listen on, HOST:PORT ([v6addr]:PORT for IPv6)."),
    EDGEAI_INT_KEY("server.max_body_bytes", server.max_body_bytes, 1024, kMaxBytes,
                   "Largest request body accepted; larger gets 413."),
    EDGEAI_INT_KEY("server.max_pending_body_bytes", server.max_pending_body_bytes, 1024, kMaxBytes,
                   "Request bodies being received at once, summed over all connections (a "
                   "declared length counts whole from the head, a chunked body as it arrives); "
                   "past it a request gets 503 with Retry-After."),
    EDGEAI_INT_KEY("server.max_header_bytes", server.max_header_bytes, 1024, 1 << 20,
                   "Largest request head (request line and headers); larger gets 431."),
    EDGEAI_INT_KEY("server.read_timeout_ms", server.read_timeout_ms, 10, kMaxMs,
                   "Time a client has to send a whole request once it started; slower "
                   "clients are disconnected."),
    EDGEAI_INT_KEY("server.idle_timeout_ms", server.idle_timeout_ms, 10, kMaxMs,
                   "Time an idle keep-alive connection stays open."),
    EDGEAI_INT_KEY("server.write_timeout_ms", server.write_timeout_ms, 10, kMaxMs,
                   "Time a response write may stall before the connection is dropped."),
    EDGEAI_INT_KEY("server.max_connections", server.max_connections, 1, 1000000,
                   "Concurrent client connections; more get 503 and are closed."),
    EDGEAI_INT_KEY("server.shutdown_grace_ms", server.shutdown_grace_ms, 0, kMaxMs,
                   "On SIGTERM/SIGINT, how long in-flight requests may finish before exit."),
    EDGEAI_BOOL_KEY("server.strict_permissions", server.strict_permissions,
                    "Refuse to start when the data directory is readable or writable by its "
                    "group or other users (false: a warning at start)."),
    EDGEAI_STRING_KEY("server.static_dir", server.static_dir, "", false,
                      "Directory whose files are served under /ui/ without an API key in "
                      "place of the built-in console: regular files only, no dot-files, "
                      "nothing outside it. Empty: the built-in console."),
    EDGEAI_STRING_KEY("server.unix_socket", server.unix_socket, "", false,
                      "Path of a Unix domain socket that speaks the frame protocol "
                      "(docs/protocol.md): MessagePack requests in COBS frames, for local "
                      "programs without HTTP. A client there counts as local. Empty: none."),
    EDGEAI_STRING_KEY("server.unix_socket_mode", server.unix_socket_mode, "", false,
                      "Permissions of the Unix socket file, octal (0600: the gateway's user "
                      "only; 0660: its group too)."),
    EDGEAI_INT_KEY("server.max_frame_bytes", server.max_frame_bytes, 256, 16 << 20,
                   "Largest frame on a Unix socket or serial link, its 18 bytes of header and "
                   "CRC included; longer messages are split over frames."),
    EDGEAI_INT_KEY("routing.max_attempts", routing.max_attempts, 1, 20,
                   "Attempts per request over a route's targets (each target at least once)."),
    EDGEAI_INT_KEY("routing.backoff_base_ms", routing.backoff_base_ms, 0, kMaxMs,
                   "Wait before trying a backend again, doubling per retry, with jitter."),
    EDGEAI_INT_KEY("routing.backoff_max_ms", routing.backoff_max_ms, 0, kMaxMs,
                   "Longest wait between two attempts on the same backend."),
    EDGEAI_INT_KEY("routing.max_retry_after_ms", routing.max_retry_after_ms, 0, kMaxMs,
                   "Longest Retry-After honoured; a backend asking for more is not retried."),
    EDGEAI_INT_KEY("routing.deadline_ms", routing.deadline_ms, 10, kMaxMs,
                   "Time after which a request starts no new attempt and fails with the last "
                   "error."),
    EDGEAI_INT_KEY("routing.breaker_failures", routing.breaker_failures, 1, 1000000,
                   "Consecutive failed attempts that open a backend's circuit breaker."),
    EDGEAI_INT_KEY("routing.breaker_cooldown_ms", routing.breaker_cooldown_ms, 10, kMaxMs,
                   "How long an open breaker keeps a backend out before one probe request."),
    EDGEAI_INT_KEY("routing.uplink_probe_interval_ms", routing.uplink_probe_interval_ms, 0, kMaxMs,
                   "How often the remote backends' hosts are probed (a TCP connect, no "
                   "request) to tell whether the uplink is up; 0: never, always online."),
    EDGEAI_INT_KEY("routing.uplink_probe_timeout_ms", routing.uplink_probe_timeout_ms, 10, kMaxMs,
                   "How long a probe waits; when no remote backend answers in time the uplink "
                   "is offline and routes use their when_offline targets."),
    EDGEAI_BOOL_KEY("usage.enabled", usage.enabled,
                    "Record every API request's tokens and cost in usage.db in the data dir "
                    "(never prompt or completion text)."),
    EDGEAI_ENUM_KEY("cache.mode", cache.mode, "off,deterministic,always", kCacheModeNames,
                    "Which answers the response cache keeps and replays: deterministic "
                    "requests (temperature 0, a seed, embeddings), every request, or none. "
                    "A request header x-edgeai-cache: use or skip decides for one request."),
    EDGEAI_INT_KEY("cache.max_bytes", cache.max_bytes, 0, kMaxBytes,
                   "Memory the cached answers may take; the least recently used go first."),
    EDGEAI_INT_KEY("cache.ttl_ms", cache.ttl_ms, 1000, int64_t{365} * kMaxMs,
                   "How long a cached answer is replayed."),
    EDGEAI_BOOL_KEY("cache.persist", cache.persist,
                    "Also keep cached answers in cache.db in the data dir, so they survive a "
                    "restart."),
    EDGEAI_STRING_KEY("responses.retention", responses.retention, "", false,
                      "How long a stored response (POST /v1/responses with store, the default) "
                      "is kept in responses.db in the data dir for GET /v1/responses/{id} and "
                      "previous_response_id: a duration such as 12h, 30d or 2w."),
    EDGEAI_INT_KEY("responses.max_bytes_per_key", responses.max_bytes_per_key, 0, kMaxBytes * 64,
                   "Bytes one API key's stored responses (answers, input and context items) "
                   "may hold in responses.db; a request to store one more gets 429 "
                   "storage_quota_exceeded naming this limit (store: false still works). 0: no "
                   "limit."),
    EDGEAI_STRING_KEY("ollama.listen", ollama.listen, "", false,
                      "A second address serving the same routes for Ollama's clients, which "
                      "look on Ollama's port (127.0.0.1:11434); GET / there answers 'Ollama is "
                      "running'. Empty: none."),
    EDGEAI_INT_KEY("queue.max_jobs", queue.max_jobs, 1, int64_t{1} << 40,
                   "Jobs waiting or running at most; a request beyond gets 429."),
    EDGEAI_INT_KEY("queue.max_bytes", queue.max_bytes, 1024, kMaxBytes * 64,
                   "Bytes of request bodies and answers jobs.db may hold; beyond: 429."),
    EDGEAI_INT_KEY("queue.max_jobs_per_key", queue.max_jobs_per_key, 0, 100000000,
                   "Jobs one API key may have waiting or running (direct and batch lines); "
                   "beyond: 429 queue_full naming this limit, while other keys go on. 0: only "
                   "queue.max_jobs."),
    EDGEAI_INT_KEY("queue.max_bytes_per_key", queue.max_bytes_per_key, 0, kMaxBytes * 64,
                   "Bytes one API key's jobs (requests and answers) and files may hold in "
                   "jobs.db; beyond: 429 queue_full naming this limit. 0: only queue.max_bytes."),
    EDGEAI_INT_KEY("queue.max_batch_lines", queue.max_batch_lines, 1, 10000000,
                   "Requests one batch input file may hold; a larger file fails the batch "
                   "with an error naming this limit, and no line runs."),
    EDGEAI_INT_KEY("queue.max_attempts", queue.max_attempts, 1, 1000,
                   "Deliveries of a job before it fails with its last error."),
    EDGEAI_INT_KEY("queue.ttl_ms", queue.ttl_ms, 1000, int64_t{365} * kMaxMs,
                   "How long a job may wait for delivery before it expires."),
    EDGEAI_INT_KEY("queue.concurrency", queue.concurrency, 1, 1024,
                   "Jobs delivered at once, so a returning uplink is not flooded."),
    EDGEAI_INT_KEY("queue.backoff_base_ms", queue.backoff_base_ms, 0, kMaxMs,
                   "Wait before a failed job is tried again, doubling per attempt."),
    EDGEAI_INT_KEY("queue.backoff_max_ms", queue.backoff_max_ms, 0, kMaxMs,
                   "Longest wait before a failed job is tried again."),
    EDGEAI_INT_KEY("queue.poll_ms", queue.poll_ms, 10, kMaxMs,
                   "How often waiting jobs are looked for (a new job is looked at at once)."),
    EDGEAI_STRING_KEY("queue.webhook_secret", queue.webhook_secret, "", true,
                      "Key that signs webhook calls: x-edgeai-signature: t=UNIX,v1=HEX of "
                      "HMAC-SHA256(key, \"UNIX.BODY\"). Empty: calls are not signed."),
    EDGEAI_INT_KEY("queue.webhook_timeout_ms", queue.webhook_timeout_ms, 100, kMaxMs,
                   "Longest a webhook call may take, connecting to the last byte of the "
                   "answer; a slower receiver is cut off and tried again later."),
    EDGEAI_LIST_KEY("queue.webhook_allow", queue.webhook_allow,
                    "Destinations a webhook may reach besides public addresses: CIDRs "
                    "(\"10.0.0.0/8\"), addresses, host names (\"hooks.lan\", \"*.hooks.lan\"), "
                    "each optionally with :port. Loopback, private, link-local (cloud "
                    "metadata), CGNAT, multicast and the gateway's own port are refused "
                    "otherwise; the gateway itself only by an entry with its port."),
    EDGEAI_BOOL_KEY("queue.paused", queue.paused,
                    "Accept and keep jobs but deliver none (maintenance; restart without it to "
                    "deliver what waits)."),
    EDGEAI_BOOL_KEY("auth.required", auth.required,
                    "Require an API key on every API call even before the first key exists. "
                    "Auth is enforced anyway once `edgeai keys create` made one."),
    EDGEAI_ENUM_KEY("auth.public_metrics", auth.public_metrics, "off,loopback,all",
                    kPublicMetricsNames,
                    "Who may read GET /metrics without a key while auth is on: off (a key with "
                    "the metrics or admin scope), loopback (also clients on this machine, a "
                    "local scraper), all (anyone who reaches the port)."),
    EDGEAI_INT_KEY("auth.max_failures_per_minute", auth.max_failures_per_minute, 1, 1000000,
                   "Failed authentications one client address may make in a minute; past "
                   "it, every request from that address gets 429 for a minute."),
    EDGEAI_INT_KEY("auth.signature_skew_ms", auth.signature_skew_ms, 1000, kMaxMs,
                   "How far a signed request's timestamp may be from the server's clock."),
    EDGEAI_STRING_KEY("tls.cert", tls.cert, "", false,
                      "PEM certificate chain for the listener. Empty: plain HTTP. Reloaded "
                      "with tls.key on SIGHUP."),
    EDGEAI_STRING_KEY("tls.key", tls.key, "", false,
                      "PEM private key for tls.cert; refused when group or others may read it."),
    EDGEAI_STRING_KEY("tls.client_ca", tls.client_ca, "", false,
                      "PEM CA that client certificates are verified against (mTLS). A "
                      "verified certificate's CN names the API key it acts as."),
    EDGEAI_BOOL_KEY("tls.client_cert_required", tls.client_cert_required,
                    "Refuse TLS handshakes without a client certificate (needs "
                    "tls.client_ca)."),
    EDGEAI_STRING_KEY("tls.min_version", tls.min_version, "1.2,1.3", false,
                      "Oldest TLS version accepted."),
    EDGEAI_ENUM_KEY("limits.backend", limits.backend, "local,redis", kLimitsBackendNames,
                    "Where keys' limits and budgets are counted: local (this process) or redis "
                    "(replicas count together; needs limits.redis_url)."),
    EDGEAI_STRING_KEY("limits.redis_url", limits.redis_url, "", false,
                      "redis://[:PASSWORD@]HOST:PORT[/DB] of the Redis holding shared counters; "
                      "the password is sent with AUTH and redacted when shown."),
    EDGEAI_STRING_KEY("limits.key_prefix", limits.key_prefix, "", false,
                      "Prefix of every Redis key this gateway writes (one per fleet sharing a "
                      "Redis)."),
    EDGEAI_ENUM_KEY("limits.fail_mode", limits.fail_mode, "local,open,closed", kLimitsFailModeNames,
                    "When Redis does not answer within limits.timeout_ms: local counts in this "
                    "process with 1/limits.replicas of each limit, open serves without "
                    "counting, closed refuses limited keys with 503."),
    EDGEAI_INT_KEY("limits.timeout_ms", limits.timeout_ms, 1, 10000,
                   "Longest a request waits for Redis before limits.fail_mode applies."),
    EDGEAI_INT_KEY("limits.replicas", limits.replicas, 1, 10000,
                   "Replicas sharing the limits; each keeps its share when Redis is away."),
    EDGEAI_INT_KEY("limits.lease_ttl_ms", limits.lease_ttl_ms, 1000, kMaxMs,
                   "A concurrency slot's lease in Redis, renewed while its request runs: a "
                   "replica that dies holding slots frees them after this long."),
    EDGEAI_BOOL_KEY("audit.enabled", audit.enabled,
                    "Write audit.log: one hash-chained, HMAC-signed JSON line per request."),
    EDGEAI_BOOL_KEY("audit.include_bodies", audit.include_bodies,
                    "Also write request and response bodies (prompts and completions) to "
                    "the audit log."),
    EDGEAI_INT_KEY("audit.max_file_bytes", audit.max_file_bytes, 4096, kMaxBytes,
                   "Size after which audit.log is rotated (the chain continues)."),
    EDGEAI_INT_KEY("audit.max_files", audit.max_files, 0, 1000000,
                   "Rotated audit files kept; older ones are deleted. 0: keep all."),
    EDGEAI_ENUM_KEY("audit.on_write_failure", audit.on_write_failure, "refuse,buffer",
                    kAuditWriteFailureNames,
                    "When audit.log cannot be written (a full disk): refuse answers 503 with "
                    "Retry-After to every request it would record (health, readiness and metrics "
                    "stay up; /readyz says why) until writing works again; buffer keeps serving "
                    "and holds the records in memory (up to 65536 or 64 MiB, past which drops "
                    "are counted and noted in the chain). Either way records already accepted "
                    "are retried until written."),
    EDGEAI_STRING_KEY("audit.key_file", audit.key_file, "", false,
                      "File holding the audit HMAC key, kept apart from the log. Empty: "
                      "audit.key in the data dir, made on first use (mode 0600)."),
    EDGEAI_LIST_KEY("server.cors.allow_origins", server.cors.allow_origins,
                    "Browser origins allowed to call the API (\"*\" for any). Empty: no "
                    "CORS headers."),
    EDGEAI_STRING_KEY("upstream.url", upstream.url, "", false,
                      "Base URL of an OpenAI-compatible upstream, e.g. "
                      "https://api.openai.com/v1. Empty: no upstream."),
    EDGEAI_STRING_KEY("upstream.api_key_env", upstream.api_key_env, "", false,
                      "Environment variable holding the upstream's API key."),
    EDGEAI_STRING_KEY("upstream.api_key", upstream.api_key, "", true,
                      "The upstream's API key itself; prefer upstream.api_key_env."),
    EDGEAI_STRING_KEY("upstream.api_key_file", upstream.api_key_file, "", false,
                      "File holding the upstream's API key; refused when group or others may "
                      "read it."),
    EDGEAI_STRING_KEY("upstream.ca_file", upstream.ca_file, "", false,
                      "PEM file of an extra CA to trust for the upstream, besides the "
                      "system store."),
    EDGEAI_INT_KEY("upstream.connect_timeout_ms", upstream.connect_timeout_ms, 10, kMaxMs,
                   "Time to connect (TCP and TLS) to the upstream; failing gets 502."),
    EDGEAI_INT_KEY("upstream.timeout_ms", upstream.timeout_ms, 10, kMaxMs,
                   "Time until the upstream's response headers arrive; failing gets 504."),
    EDGEAI_INT_KEY("upstream.stream_idle_timeout_ms", upstream.stream_idle_timeout_ms, 10, kMaxMs,
                   "Longest silence between two pieces of an upstream response; a stream "
                   "then ends with an error event."),
    EDGEAI_INT_KEY("upstream.max_connections", upstream.max_connections, 1, 10000,
                   "Idle connections to the upstream kept open for reuse."),
};

#undef EDGEAI_INT_KEY
#undef EDGEAI_STRING_KEY
#undef EDGEAI_BOOL_KEY
#undef EDGEAI_LIST_KEY

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::vector<std::string_view> split_choices(std::string_view choices) {
    std::vector<std::string_view> out;
    while (!choices.empty()) {
        size_t comma = choices.find(',');
        out.push_back(choices.substr(0, comma));
        if (comma == std::string_view::npos) break;
        choices.remove_prefix(comma + 1);
    }
    return out;
}

} // namespace

std::span<const ConfigKey> config_keys() {
    return kKeys;
}

const ConfigKey* find_config_key(std::string_view path) {
    for (const ConfigKey& k : kKeys) {
        if (k.path == path) return &k;
    }
    return nullptr;
}

std::string env_name_for(std::string_view path) {
    std::string name = "EDGEAI_";
    for (char c : path) {
        if (c == '.') {
            name.push_back('_');
        } else if (c >= 'a' && c <= 'z') {
            name.push_back(static_cast<char>(c - 32));
        } else {
            name.push_back(c);
        }
    }
    return name;
}

std::string describe_allowed(const ConfigKey& key) {
    switch (key.kind) {
    case ValueKind::kInteger:
        return "an integer from " + std::to_string(key.min) + " to " + std::to_string(key.max);
    case ValueKind::kBool:
        return "true or false";
    case ValueKind::kStringList:
        return "an array of strings";
    case ValueKind::kString:
        if (key.choices.empty()) return "a string";
        std::string out = "one of ";
        for (std::string_view c : split_choices(key.choices)) {
            if (out.size() > 7) out += ", ";
            out += "\"" + std::string(c) + "\"";
        }
        return out;
    }
    return "a value";
}

namespace {

// HOST:PORT, [v6]:PORT: a bare port or a bare address is refused here, with
// what is missing, rather than failing later as something else.
Status check_listen_address(std::string_view path, const std::string& listen) {
    const size_t colon = listen.rfind(':');
    const std::string_view host = colon == std::string::npos
                                      ? std::string_view(listen)
                                      : std::string_view(listen).substr(0, colon);
    const std::string_view port = colon == std::string::npos
                                      ? std::string_view()
                                      : std::string_view(listen).substr(colon + 1);
    std::string why;
    int64_t number = -1;
    if (!port.empty() && port.size() <= 5 &&
        port.find_first_not_of("0123456789") == std::string_view::npos)
        std::from_chars(port.data(), port.data() + port.size(), number);
    if (colon == std::string::npos)
        why = "no port";
    else if (host.empty())
        why = "no address (127.0.0.1 is this machine only, 0.0.0.0 every interface)";
    else if (number < 0 || number > 65535)
        why = "the port is not a number from 0 to 65535";
    else if (host.find(':') != std::string_view::npos && host.front() != '[')
        why = "an IPv6 address goes in brackets, [::1]:8080";
    if (why.empty()) return {};
    return invalid_argument("'" + std::string(path) +
                            "' must be HOST:PORT, e.g. 127.0.0.1:8080; '" + listen + "': " + why);
}

Status check_file_mode(std::string_view path, const std::string& mode) {
    bool ok = mode.size() >= 3 && mode.size() <= 4;
    for (const char c : mode)
        ok = ok && c >= '0' && c <= '7';
    if (ok && mode.size() == 4) ok = mode[0] == '0';
    if (ok) return {};
    return invalid_argument("'" + std::string(path) +
                            "' must be octal permissions such as 0660 or " + "0600; '" + mode +
                            "' is not");
}

} // namespace

Status check_config_value(const ConfigKey& key, const ConfigValue& value) {
    if (key.path == "server.unix_socket_mode")
        if (const std::string* s = std::get_if<std::string>(&value))
            return check_file_mode(key.path, *s);
    if (key.path == "server.listen" || key.path == "ollama.listen")
        if (const std::string* s = std::get_if<std::string>(&value); s != nullptr && !s->empty())
            return check_listen_address(key.path, *s);
    if (key.path == "limits.redis_url")
        if (const std::string* s = std::get_if<std::string>(&value); s != nullptr && !s->empty())
            return net::parse_redis_url(*s).status();
    if (key.path == "models.keep_alive")
        if (const std::string* s = std::get_if<std::string>(&value))
            return parse_keep_alive(*s).status();
    if (key.path == "models.memory_budget")
        if (const std::string* s = std::get_if<std::string>(&value); s != nullptr && !s->empty())
            return parse_byte_size(*s).status();
    if (key.path == "responses.retention")
        if (const std::string* s = std::get_if<std::string>(&value)) {
            auto ms = parse_duration_ms(*s);
            if (!ms.ok() || *ms <= 0)
                return invalid_argument("'responses.retention' must be a duration such as 12h, "
                                        "30d or 2w, found \"" +
                                        *s + "\"");
            return {};
        }
    bool ok = false;
    switch (key.kind) {
    case ValueKind::kInteger:
        if (const int64_t* n = std::get_if<int64_t>(&value)) ok = *n >= key.min && *n <= key.max;
        break;
    case ValueKind::kBool:
        ok = std::holds_alternative<bool>(value);
        break;
    case ValueKind::kStringList:
        ok = std::holds_alternative<std::vector<std::string>>(value);
        break;
    case ValueKind::kString:
        if (const std::string* s = std::get_if<std::string>(&value)) {
            ok = key.choices.empty();
            for (std::string_view c : split_choices(key.choices))
                ok = ok || c == *s;
        }
        break;
    }
    if (ok) return {};
    return invalid_argument("'" + std::string(key.path) + "' must be " + describe_allowed(key) +
                            ", found " + format_config_value(key, value, key.secret));
}

Result<ConfigValue> parse_config_text(const ConfigKey& key, std::string_view text) {
    switch (key.kind) {
    case ValueKind::kInteger: {
        int64_t n = 0;
        std::string_view t = trim_spaces(text);
        auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
        if (ec != std::errc() || end != t.data() + t.size() || t.empty()) {
            return invalid_argument("'" + std::string(key.path) + "' must be " +
                                    describe_allowed(key) + ", found \"" + std::string(text) +
                                    "\"");
        }
        return ConfigValue(n);
    }
    case ValueKind::kBool: {
        std::string_view t = trim_spaces(text);
        if (t == "true" || t == "1" || t == "yes" || t == "on") return ConfigValue(true);
        if (t == "false" || t == "0" || t == "no" || t == "off") return ConfigValue(false);
        return invalid_argument("'" + std::string(key.path) + "' must be true or false, found \"" +
                                std::string(text) + "\"");
    }
    case ValueKind::kStringList: {
        std::vector<std::string> items;
        for (std::string_view part : split_choices(text)) {
            part = trim_spaces(part);
            if (!part.empty()) items.emplace_back(part);
        }
        return ConfigValue(std::move(items));
    }
    case ValueKind::kString:
        return ConfigValue(std::string(text));
    }
    return internal_error("unknown value kind");
}

std::string format_config_value(const ConfigKey& key, const ConfigValue& value, bool redact) {
    if (const int64_t* n = std::get_if<int64_t>(&value)) return std::to_string(*n);
    if (const bool* b = std::get_if<bool>(&value)) return *b ? "true" : "false";
    auto quote = [](std::string_view s) {
        std::string out = "\"";
        for (char c : s) {
            if (c == '"' || c == '\\') out.push_back('\\');
            if (c == '\n') {
                out += "\\n";
                continue;
            }
            out.push_back(c);
        }
        return out + "\"";
    };
    if (const std::string* s = std::get_if<std::string>(&value)) {
        if (redact && key.secret && !s->empty()) return "\"<redacted>\"";
        return redact ? quote(redact_url_credentials(*s)) : quote(*s);
    }
    const auto* list = std::get_if<std::vector<std::string>>(&value);
    std::string out = "[";
    for (size_t i = 0; list != nullptr && i < list->size(); ++i) {
        if (i > 0) out += ", ";
        out += quote((*list)[i]);
    }
    return out + "]";
}

std::string suggest_name(std::string_view unknown, std::span<const std::string_view> names) {
    std::string best;
    size_t best_distance = 4; // more edits than this is a different word, not a typo
    for (std::string_view name : names) {
        const size_t d = edit_distance(unknown, name);
        if (d < best_distance) {
            best_distance = d;
            best = std::string(name);
        }
    }
    return best;
}

std::string suggest_config_key(std::string_view unknown) {
    std::string best;
    size_t best_distance = 4; // more edits than this is a different word, not a typo
    for (const ConfigKey& k : kKeys) {
        size_t d = edit_distance(unknown, k.path);
        // Also match the last segment alone: "max_body_bytes" -> "server.max_body_bytes".
        size_t dot = k.path.rfind('.');
        if (dot != std::string_view::npos) {
            d = std::min(d, edit_distance(unknown, k.path.substr(dot + 1)));
        }
        if (d < best_distance) {
            best_distance = d;
            best = std::string(k.path);
        }
    }
    return best;
}

} // namespace edgeai::core
