// [[backends]] and [[routes]]: where requests can be served and the rules that
// choose among them. config_loader reads them from the TOML file (they have no
// environment variables or flags: a list of tables does not fit in one), and
// check_routing() (routing_schema.h) checks them as a whole.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edgeai::core {

struct BackendPrice {
    double input_per_mtok = 0;  // currency units per million prompt tokens
    double output_per_mtok = 0; // per million completion tokens
};

// What serves a backend's requests; read from `kind = "..."` once, in the
// loader, which names the allowed values when it finds another.
enum class BackendKind : uint8_t {
    kNone,      // not given: check_routing() says it is required
    kOpenAi,    // "openai": any OpenAI-compatible API
    kAnthropic, // "anthropic": Anthropic's Messages API
    kLocal,     // "local": this device's engine
    kEdgeai,    // "edgeai": another edgeai (OpenAI's API)
};

// How a route orders its targets (`strategy = "..."`).
enum class RouteStrategy : uint8_t {
    kFallback,     // "fallback": as listed
    kWeighted,     // "weighted": by weight, at random
    kLeastLatency, // "least-latency": by recent time to first token
    kCheapest,     // "cheapest": by price for the request's estimated tokens
    kLocalFirst,   // "local-first": local while it has a free slot and the prompt fits
};

struct BackendSettings {
    std::string name; // how routes refer to it
    BackendKind kind = BackendKind::kNone;
    std::string base_url;            // API root for openai, anthropic and edgeai backends
    std::string api_key_env;         // environment variable holding its key
    std::string api_key;             // the key itself; prefer api_key_env
    std::string api_key_file;        // a file holding it (mode 0600 or stricter)
    std::string ca_file;             // extra CA (PEM) trusted for this backend
    std::vector<std::string> models; // names it serves; "*" serves any
    // kind = "local": model id -> GGUF file, from `models = { id = "path" }`.
    std::vector<std::pair<std::string, std::string>> model_files;
    // kind = "local": how its models run; unset (empty, 0) takes the flags'
    // values (--chat-template, --ctx-size, --parallel) or their defaults.
    std::string chat_template;              // a format name or a Jinja file
    int64_t ctx_size = 0;                   // all sequences together, split over `parallel`
    int64_t parallel = 0;                   // sequences decoded together
    int64_t timeout_ms = 30000;             // per attempt, until the first byte
    int64_t connect_timeout_ms = 5000;      // TCP and TLS
    int64_t stream_idle_timeout_ms = 60000; // longest silence inside a stream
    int64_t max_concurrency = 64;           // requests in flight to it at once
    // kind = "openai" or "edgeai": POST /v1/responses goes to its own
    // /responses (`responses = "native"`) rather than as a chat completion.
    bool responses_native = false;
    std::optional<BackendPrice> price;
    uint32_t line = 0; // where the table starts in the file, for messages
};

struct RouteSettings {
    std::string model; // the name clients ask for; * and ? match
    RouteStrategy strategy = RouteStrategy::kFallback;
    std::vector<std::string> targets; // "backend:model", in order
    std::vector<int64_t> weights;     // strategy = "weighted": one per target
    // Conditions: the route applies only when all hold; otherwise the next
    // route for the same model is considered.
    int64_t max_prompt_tokens = 0;         // estimated prompt tokens at most this (0: any)
    std::vector<std::string> when_keys;    // the caller's key id or name matches one (globs)
    std::string when_header;               // "Name: value": the request carries it
    std::vector<std::string> when_offline; // targets used instead while the uplink is down
    uint32_t line = 0;
};

} // namespace edgeai::core
