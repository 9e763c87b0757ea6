// edgeai.wasm: the gateway and the engine as one WASI preview1 command.
//   serve-stdio -m /models/x.gguf   JSON-line requests on stdin, answers on stdout
//   run -m ... -p ...               text from a model, as the native `edgeai run`
//   bench -m ...                    prompt and generation speed, as `edgeai bench`
// run and bench are the native commands' own code (apps/edgeai/run_commands),
// over this platform's engine_host_wasi.cpp. Exit codes as natively: 0
// success, 1 runtime failure, 2 usage error.
#include "cli/args.h"
#include "cli_output.h"
#include "core/check.h"
#include "engine_flags.h"
#include "platform/wasi/serve_stdio.h"
#include "run_commands.h"

#include <cstdio>
#include <string>

namespace {

using edgeai::cli::Command;
using edgeai::cli::kExitOk;
using edgeai::cli::kExitUsage;

constexpr const char* kVersion = EDGEAI_VERSION;

} // namespace

int main(int argc, char** argv) {
    edgeai::core::set_check_failure_handler(
        [](const char* condition, const char* file, int line, std::string_view message) {
            std::fprintf(stderr, "edgeai: check failed at %s:%d: %s %.*s\n", file, line, condition,
                         static_cast<int>(message.size()), message.data());
        });
    edgeai::cli::App app("edgeai.wasm",
                         "the edgeai gateway and engine as a WASI command (models are read from "
                         "the directories the runtime preopens)");
    app.require_subcommand();
    app.set_version(std::string("edgeai.wasm ") + kVersion);

    edgeai::platform::wasi::ServeStdioOptions serve;
    serve.version = kVersion;
    Command* serve_stdio = app.add_subcommand(
        "serve-stdio", "Serve the gateway's API as JSON lines on stdin/stdout (docs/protocol.md)");
    serve_stdio
        ->add_option("-m,--model", serve.model_paths,
                     "GGUF model to serve (repeat for several); id = file stem")
        .required();
    serve_stdio->add_option("-c,--ctx-size", serve.ctx_size,
                            "Context of all sequences together, split over --parallel (default: "
                            "the model's each, at most 4096)");
    serve_stdio->add_option("--parallel", serve.parallel, "Sequences decoded together (default 4)");
    serve_stdio->add_option("--kv-type", serve.kv_type,
                            "KV cache type: f16 (default), f32 or q8_0");
    serve_stdio->add_option("--chat-template", serve.chat_template,
                            "A format name or a Jinja file (overrides the models' templates)");
    serve_stdio->add_option("--log-level", serve.log_level,
                            "trace, debug, info, warn, error or off (default info; on stderr)");

    edgeai::cli::EngineFlags engine_flags;
    edgeai::cli::RunCommands run_commands;
    edgeai::cli::add_run_commands(app, engine_flags, run_commands);

    const edgeai::cli::ParseResult parsed = app.parse(argc, argv);
    switch (parsed.action) {
    case edgeai::cli::ParseResult::Action::kPrint:
        std::fwrite(parsed.text.data(), 1, parsed.text.size(), stdout);
        return kExitOk;
    case edgeai::cli::ParseResult::Action::kError:
        edgeai::cli::print_error(parsed.text);
        return kExitUsage;
    case edgeai::cli::ParseResult::Action::kRun:
        break;
    }
    if (serve_stdio->parsed()) return edgeai::platform::wasi::run_serve_stdio(serve);
    if (auto code = edgeai::cli::run_run_command(run_commands, engine_flags)) return *code;
    return kExitUsage;
}
