// `edgeai.wasm serve-stdio`: the gateway and the local engine in one WASI
// command, driven by JSON lines on stdin and answering on stdout
// (codec/lines/json_lines.h). The same Gateway as natively, without what
// WASI preview1 cannot give: no SQLite (no keys, usage, jobs, stored
// responses; those routes answer "not available in this build"), no
// outbound sockets (no upstreams), no threads (the engine steps on the loop).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace edgeai::platform::wasi {

struct ServeStdioOptions {
    std::vector<std::string> model_paths; // inside a preopened directory
    int ctx_size = 0;                     // per sequence; 0: the model's, at most 4096
    int parallel = 4;                     // sequences decoded together
    std::string kv_type = "f16";
    std::string chat_template; // a format name or a Jinja file
    std::string log_level = "info";
    std::string version = "0.0.0";
};

// The exit code: 0 once stdin has ended and every request is answered, 1
// when the models cannot be served (the reason is logged on stderr).
int run_serve_stdio(const ServeStdioOptions& options);

} // namespace edgeai::platform::wasi
