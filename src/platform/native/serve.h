// `edgeai serve` on the native platform: wires the event loop, the upstream
// client, the gateway and the HTTP server, and runs until SIGINT/SIGTERM.
#pragma once

#include "core/config/settings.h"
#include "telemetry/logger.h"

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace edgeai::platform::native {

// Returns the process exit code: 0 after a clean shutdown, 1 when the server
// could not start (the reason is logged).
// Local GGUF models to serve (edgeai serve -m FILE ...).
// What a local backend in the configuration sets for its models over the
// flags: unset (empty, 0) keeps the flag's value.
struct LocalModelOverrides {
    std::string chat_template;
    int ctx_size = 0;
    int parallel = 0;
    std::string description; // for /v1/models
};

struct LocalServeOptions {
    std::vector<std::string> model_paths;
    std::vector<std::string> aliases;           // model ids, in the order of model_paths
    std::vector<LocalModelOverrides> overrides; // in the order of model_paths, or shorter
    int threads = 0;                            // 0: every CPU
    int ctx_size = 0; // all sequences together; 0: the model's each, at most 4096
    int parallel = 4; // sequences decoded together
    std::string kv_type = "f16";
    uint64_t max_memory_bytes = 0; // 0: no limit
    std::string chat_template;     // --chat-template: a format name or a Jinja file
    // models.dir: its models other than those above load on their first request.
    std::string models_dir;
    uint64_t memory_budget_bytes = 0; // --memory-budget; 0: models.memory_budget or derived
    // A progress callback for loading the model `id` (a bar on a terminal);
    // empty: none. Runs on the loading thread.
    std::function<std::function<void(uint64_t done, uint64_t total)>(const std::string& id)>
        load_progress;
};

// Where the clients are: the HTTP listener (and the Unix socket and serial
// lines configured), or one MCP client on stdin/stdout (`edgeai mcp`).
enum class ServeShell { kHttp, kMcpStdio };

// `insecure_no_auth` (--insecure-no-auth): serve non-loopback clients
// while no API key exists.
int run_serve(const core::Settings& settings, const std::string& data_dir,
              telemetry::Logger& logger, const std::string& version,
              const LocalServeOptions& local = {}, bool insecure_no_auth = false,
              ServeShell shell = ServeShell::kHttp);

} // namespace edgeai::platform::native
