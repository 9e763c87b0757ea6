// `edgeai ps`: what the running server has loaded (as `ollama ps`): each
// model's memory and when it unloads, asked of the server's GET /api/ps at
// server.listen (--listen, --host and --port as serve takes them), with
// EDGEAI_API_KEY as the bearer key when the server wants one.
#pragma once

#include <string>

namespace edgeai::cli {

// The exit code: 0 with the table on stdout, 1 when the server cannot be
// asked or refuses (the reason on stderr).
int run_ps_command(const std::string& listen);

} // namespace edgeai::cli
