// edgeai: the command line. Parses flags (cli/args.h), builds the effective
// configuration (defaults < file < EDGEAI_* environment < flags) and runs the
// subcommand. Exit codes: 0 success, 1 runtime failure, 2 usage or configuration
// error.
#include "core/byte_size.h"
#include "core/check.h"
#include "core/config/config_loader.h"

#include "audit_command.h"
#include "cli/args.h"
#include "cli_output.h"
#include "demo_model.h"
#include "engine_commands.h"
#include "keys_command.h"
#include "models_command.h"
#include "msgpack_command.h"
#include "platform/native/config_preflight.h"
#include "platform/native/serve.h"
#include "platform/native/system/environment.h"
#include "platform/native/system/files.h"
#include "platform/native/system/stderr_log_sink.h"
#include "platform/native/system/system_clock.h"
#include "progress_bar.h"
#include "ps_command.h"
#include "queue_command.h"
#include "telemetry/logger.h"
#include "template_command.h"
#include "tokenize_command.h"
#include "usage_command.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

namespace native = edgeai::platform::native;
using edgeai::cli::Command;
using edgeai::cli::kExitOk;
using edgeai::cli::kExitRuntime;
using edgeai::cli::kExitUsage;
using edgeai::cli::print_error;
using edgeai::core::ConfigBuilder;

constexpr const char* kVersion = EDGEAI_VERSION;

// Flags every subcommand takes; each maps to a configuration key.
struct CommonFlags {
    std::string config_file;
    std::string data_dir;
    std::string log_level;
    std::string log_format;
};

struct ServeFlags {
    std::string listen;
    std::string host; // --host and --port replace their half of server.listen
    std::string port;
    std::string upstream;
    std::string upstream_key_env;
    std::string upstream_ca;
};

void add_common_flags(Command* app, CommonFlags* flags) {
    app->add_option("--config", flags->config_file,
                    "Configuration file (TOML). Default: ./edgeai.toml, "
                    "$XDG_CONFIG_HOME/edgeai/edgeai.toml, /etc/edgeai/edgeai.toml");
    app->add_option("--data-dir", flags->data_dir,
                    "Directory for all state (config data_dir, env EDGEAI_DATA_DIR)");
    app->add_option("--log-level", flags->log_level,
                    "trace, debug, info, warn, error or off (config log.level)");
    app->add_option("--log-format", flags->log_format,
                    "human, json or auto: human on a terminal (config log.format)");
}

// Builds the effective configuration; prints what is wrong and returns nullopt.
std::optional<ConfigBuilder>
load_config(const CommonFlags& common,
            const std::vector<std::pair<const char*, std::string>>& flags, std::string* file_used) {
    ConfigBuilder builder;
    std::string file = common.config_file;
    if (file.empty()) {
        file = native::find_default_config_file();
    } else if (!native::file_exists(file)) {
        print_error("configuration file " + file + " does not exist");
        return std::nullopt;
    }
    if (!file.empty()) {
        auto text = native::read_text_file(file);
        if (!text.ok()) {
            print_error(text.status().message());
            return std::nullopt;
        }
        edgeai::core::Status s = builder.apply_toml(*text, file);
        if (!s.ok()) {
            print_error("invalid configuration:\n" + s.message());
            return std::nullopt;
        }
    }
    edgeai::core::Status env = builder.apply_environment(native::environment_variables());
    if (!env.ok()) {
        print_error("invalid configuration: " + env.message());
        return std::nullopt;
    }
    std::vector<std::pair<const char*, std::string>> all = flags;
    all.emplace_back("data_dir", common.data_dir);
    all.emplace_back("log.level", common.log_level);
    all.emplace_back("log.format", common.log_format);
    for (const auto& [path, value] : all) {
        if (value.empty()) continue;
        edgeai::core::Status s = builder.apply_flag(path, value);
        if (!s.ok()) {
            print_error(s.message());
            return std::nullopt;
        }
    }
    if (file_used != nullptr) *file_used = file;
    return builder;
}

std::string effective_data_dir(const edgeai::core::Settings& settings) {
    return settings.data_dir.empty() ? native::default_data_dir() : settings.data_dir;
}

} // namespace

// --host and --port over server.listen (from --listen, the file or the
// default): each replaces its half, so `--port 9000` keeps the address.
bool apply_host_and_port(const ServeFlags& flags, ConfigBuilder& builder) {
    if (flags.host.empty() && flags.port.empty()) return true;
    const std::string listen = builder.settings().server.listen;
    const size_t colon = listen.rfind(':');
    std::string host = colon == std::string::npos ? listen : listen.substr(0, colon);
    std::string port = colon == std::string::npos ? "8080" : listen.substr(colon + 1);
    if (!flags.host.empty()) {
        host = flags.host;
        // An IPv6 address goes in brackets before its port.
        if (host.find(':') != std::string::npos && host.front() != '[') host = "[" + host + "]";
    }
    if (!flags.port.empty()) port = flags.port;
    const edgeai::core::Status s = builder.apply_flag("server.listen", host + ":" + port);
    if (!s.ok()) {
        print_error(s.message());
        return false;
    }
    return true;
}

int main(int argc, char** argv) {
    // A failed EDGEAI_CHECK says what and where before the process ends.
    edgeai::core::set_check_failure_handler(
        [](const char* condition, const char* file, int line, std::string_view message) {
            std::fprintf(stderr, "edgeai: check failed at %s:%d: %s %.*s\n", file, line, condition,
                         static_cast<int>(message.size()), message.data());
        });
    edgeai::cli::App app("edgeai", "an OpenAI-compatible AI gateway for edge devices");
    app.require_subcommand();
    app.set_version(std::string("edgeai ") + kVersion);

    CommonFlags common;
    ServeFlags serve_flags;

    native::LocalServeOptions local;
    std::string max_memory;
    std::string memory_budget;
    bool insecure_no_auth = false;
    // serve and mcp take the same options: mcp is the same gateway, with
    // one MCP client on stdin/stdout instead of the HTTP listener.
    auto add_serve_options = [&](Command* c) {
        add_common_flags(c, &common);
        c->add_option("--listen", serve_flags.listen,
                      "HOST:PORT to listen on (config server.listen; default 127.0.0.1:8080)");
        c->add_option("--host", serve_flags.host,
                      "Address to listen on, keeping the port of server.listen (as llama.cpp's "
                      "--host)");
        c->add_option("--port", serve_flags.port,
                      "Port to listen on, keeping the address of server.listen (as llama.cpp's "
                      "--port)");
        c->add_option("--upstream", serve_flags.upstream,
                      "Base URL of an OpenAI-compatible upstream, e.g. https://api.openai.com/v1");
        c->add_option("--upstream-key-env", serve_flags.upstream_key_env,
                      "Environment variable holding the upstream API key (default OPENAI_API_KEY)");
        c->add_option("--upstream-ca", serve_flags.upstream_ca,
                      "Extra CA certificate (PEM) to trust for the upstream");
        c->add_option("-m,--model", local.model_paths,
                      "GGUF file, a model in models.dir (edgeai ls) or hf:ORG/REPO:QUANT (pulled "
                      "first) to serve locally; repeat for several. Id: the file stem or the name");
        c->add_option("--alias", local.aliases, "Model id for each -m, in order");
        c->add_option("-t,--threads", local.threads,
                      "Engine threads per model (default: all CPUs)");
        c->add_option("-c,--ctx-size", local.ctx_size,
                      "Context of all sequences together, split over --parallel (default: the "
                      "model's each, at most 4096)");
        c->add_option("--parallel", local.parallel, "Sequences decoded together (default 4)");
        c->add_option("--kv-type", local.kv_type, "KV cache type: f16 (default), f32 or q8_0");
        c->add_option("--max-memory", max_memory,
                      "Refuse to start if weights + KV caches exceed this, e.g. 512M or 2G");
        c->add_option("--memory-budget", memory_budget,
                      "Memory the models loaded together may take, e.g. 4G (config "
                      "models.memory_budget; default: 3/4 of physical memory)");
        c->add_flag("--insecure-no-auth", insecure_no_auth,
                    "Serve clients on any address while no API key exists (logged at every "
                    "start); without it a non-loopback listen address needs a key");
        c->add_option("--chat-template", local.chat_template,
                      "A format name or a Jinja file, for all local models (overrides the "
                      "models' own templates)");
    };
    Command* serve = app.add_subcommand("serve", "Serve the OpenAI-compatible API");
    add_serve_options(serve);
    Command* mcp = app.add_subcommand(
        "mcp", "Serve MCP on stdin/stdout, for clients that start the gateway themselves (the key "
               "to act as: EDGEAI_API_KEY)");
    add_serve_options(mcp);

    Command* config = app.add_subcommand("config", "Check or show the configuration");
    config->require_subcommand();
    std::string check_file;
    Command* check = config->add_subcommand("check", "Validate a configuration file");
    add_common_flags(check, &common);
    check->add_option("file", check_file, "File to check (default: the one serve would read)");
    Command* show =
        config->add_subcommand("show", "Print the effective configuration (secrets redacted)");
    add_common_flags(show, &common);
    Command* reference =
        config->add_subcommand("reference", "Print every configuration key as a markdown table");
    add_common_flags(reference, &common);

    edgeai::cli::EngineCommands engine_commands;
    edgeai::cli::add_engine_commands(app, engine_commands);
    edgeai::cli::TemplateFlags template_flags;
    Command* template_cmd =
        edgeai::cli::add_template_command(*engine_commands.model, template_flags);
    edgeai::cli::TokenizeFlags tokenize_flags;
    Command* tokenize = edgeai::cli::add_tokenize_command(app, tokenize_flags);
    // The engine's commands read no state, but take the same flags as every
    // other: the configuration says where models.dir is for `-m NAME`.
    const std::vector<Command*> engine_subcommands = {engine_commands.run,
                                                      engine_commands.bench,
                                                      engine_commands.info,
                                                      engine_commands.eval,
                                                      engine_commands.quantize,
                                                      engine_commands.convert,
                                                      engine_commands.synth,
                                                      template_cmd,
                                                      tokenize};
    for (Command* c : engine_subcommands)
        if (c != nullptr) add_common_flags(c, &common);

    edgeai::cli::UsageFlags usage_flags;
    Command* usage = edgeai::cli::add_usage_command(app, usage_flags);
    add_common_flags(usage, &common);

    edgeai::cli::QueueFlags queue_flags;
    Command* queue_cmd = edgeai::cli::add_queue_command(
        app, queue_flags, [&](Command* sub) { add_common_flags(sub, &common); });
    edgeai::cli::AuditFlags audit_flags;
    Command* audit_cmd = edgeai::cli::add_audit_command(
        app, audit_flags, [&](Command* sub) { add_common_flags(sub, &common); });

    edgeai::cli::KeysFlags keys_flags;
    Command* keys_cmd = edgeai::cli::add_keys_command(
        app, keys_flags, [&](Command* sub) { add_common_flags(sub, &common); });

    edgeai::cli::MsgpackFlags msgpack_flags;
    Command* msgpack_cmd = edgeai::cli::add_msgpack_command(
        app, msgpack_flags, [&](Command* sub) { add_common_flags(sub, &common); });

    edgeai::cli::ModelsFlags models_flags;
    edgeai::cli::add_models_commands(app, models_flags,
                                     [&](Command* sub) { add_common_flags(sub, &common); });

    Command* ps = app.add_subcommand(
        "ps", "List the models the running server has loaded, their memory and when they unload "
              "(GET /api/ps; EDGEAI_API_KEY when keys are on)");
    add_common_flags(ps, &common);
    ps->add_option("--listen", serve_flags.listen,
                   "HOST:PORT of the server (config server.listen; default 127.0.0.1:8080)");
    ps->add_option("--host", serve_flags.host, "Address of the server, with server.listen's port");
    ps->add_option("--port", serve_flags.port, "Port of the server, with server.listen's address");

    Command* version = app.add_subcommand("version", "Print the version");
    add_common_flags(version, &common);

    const edgeai::cli::ParseResult parsed = app.parse(argc, argv);
    switch (parsed.action) {
    case edgeai::cli::ParseResult::Action::kPrint:
        std::fwrite(parsed.text.data(), 1, parsed.text.size(), stdout);
        return kExitOk;
    case edgeai::cli::ParseResult::Action::kError:
        print_error(parsed.text);
        return kExitUsage;
    case edgeai::cli::ParseResult::Action::kRun:
        break;
    }

    bool engine_parsed = false;
    for (Command* c : engine_subcommands)
        engine_parsed |= c != nullptr && c->parsed();
    if (engine_parsed) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        const bool takes_name = (engine_commands.run && engine_commands.run->parsed()) ||
                                (engine_commands.bench && engine_commands.bench->parsed());
        if (takes_name && !engine_commands.flags.model.empty()) {
            // -m NAME as serve takes it: a file, a model in models.dir, hf:... pulled.
            const edgeai::core::Settings& s = builder->settings();
            std::vector<std::string> paths = {engine_commands.flags.model}, aliases;
            const edgeai::core::Status found = edgeai::cli::resolve_model_arguments(
                paths, aliases, edgeai::cli::models_dir_of(s.models.dir, effective_data_dir(s)),
                [](const std::string& note) {
                    std::fprintf(stderr, "edgeai: %s\n", note.c_str());
                });
            // A path that is not there is the loader's to report ("cannot open").
            if (found.ok())
                engine_commands.flags.model = paths[0];
            else if (!edgeai::cli::names_a_model_file(engine_commands.flags.model)) {
                print_error(found.message());
                return kExitUsage;
            }
        }
    }
    if (auto code = edgeai::cli::run_engine_command(engine_commands)) return *code;
    if (msgpack_cmd->parsed()) return edgeai::cli::run_msgpack_command(msgpack_flags);
    if (tokenize->parsed()) return edgeai::cli::run_tokenize_command(tokenize_flags);
    if (template_cmd->parsed()) return edgeai::cli::run_template_command(template_flags);
    if (version->parsed()) {
        std::printf("edgeai %s\n", kVersion);
        return kExitOk;
    }
    if (usage->parsed()) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        return edgeai::cli::run_usage_command(usage_flags, effective_data_dir(builder->settings()));
    }
    if (queue_cmd->parsed()) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        return edgeai::cli::run_queue_command(queue_flags, effective_data_dir(builder->settings()));
    }
    if (audit_cmd->parsed()) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        return edgeai::cli::run_audit_command(audit_flags, builder->settings().audit,
                                              effective_data_dir(builder->settings()));
    }
    if (keys_cmd->parsed()) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        return edgeai::cli::run_keys_command(keys_flags, effective_data_dir(builder->settings()));
    }
    if (models_flags.pull->parsed() || models_flags.ls->parsed() || models_flags.rm->parsed()) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        const edgeai::core::Settings& s = builder->settings();
        return edgeai::cli::run_models_command(
            models_flags, edgeai::cli::models_dir_of(s.models.dir, effective_data_dir(s)));
    }
    if (ps->parsed()) {
        auto builder = load_config(common, {{"server.listen", serve_flags.listen}}, nullptr);
        if (!builder || !apply_host_and_port(serve_flags, *builder)) return kExitUsage;
        return edgeai::cli::run_ps_command(builder->settings().server.listen);
    }
    if (reference->parsed()) {
        std::fputs(edgeai::core::render_config_reference().c_str(), stdout);
        return kExitOk;
    }
    if (check->parsed()) {
        if (!check_file.empty()) common.config_file = check_file;
        std::string used;
        auto builder = load_config(common, {}, &used);
        if (!builder) return kExitUsage;
        for (const std::string& w : builder->warnings())
            print_error("warning: " + w);
        // Then the machine against it: what serve would stop on.
        int errors = 0;
        for (const native::PreflightFinding& f : native::preflight(builder->settings())) {
            print_error((f.error ? "" : "warning: ") + f.message);
            errors += f.error ? 1 : 0;
        }
        const std::string name = used.empty() ? "embedded defaults (no file found)" : used;
        if (errors > 0) {
            std::fprintf(stderr, "%s: %d problem%s\n", name.c_str(), errors,
                         errors == 1 ? "" : "s");
            return kExitUsage;
        }
        std::printf("%s: ok\n", name.c_str());
        return kExitOk;
    }
    if (show->parsed()) {
        auto builder = load_config(common, {}, nullptr);
        if (!builder) return kExitUsage;
        std::fputs(builder->render_effective().c_str(), stdout);
        std::printf("\n# data_dir resolves to %s\n",
                    effective_data_dir(builder->settings()).c_str());
        return kExitOk;
    }
    if (serve->parsed() || mcp->parsed()) {
        std::string config_used;
        auto builder = load_config(common,
                                   {{"server.listen", serve_flags.listen},
                                    {"upstream.url", serve_flags.upstream},
                                    {"upstream.api_key_env", serve_flags.upstream_key_env},
                                    {"upstream.ca_file", serve_flags.upstream_ca}},
                                   &config_used);
        if (!builder) return kExitUsage;
        if (!apply_host_and_port(serve_flags, *builder)) return kExitUsage;
        const edgeai::core::Settings& settings = builder->settings();
        native::SystemClock clock;
        native::StderrLogSink sink;
        edgeai::telemetry::Logger logger(sink, clock, settings.log.level);
        const bool human =
            settings.log.format == edgeai::core::LogFormat::kHuman ||
            (settings.log.format == edgeai::core::LogFormat::kAuto && isatty(STDERR_FILENO) != 0);
        if (human) logger.set_format(edgeai::telemetry::LineFormat::kHuman);
        // Whoever can write the working directory chooses the configuration
        // when --config is not given: say which file was read.
        if (!config_used.empty())
            logger.info("configuration read",
                        {{"file", config_used},
                         {"from", common.config_file.empty() ? "the default search (./edgeai.toml "
                                                               "first)"
                                                             : "--config"}});
        for (const std::string& w : builder->warnings())
            logger.warn(w);
        auto read_size = [](const std::string& text, const char* flag, uint64_t* out) {
            if (text.empty()) return true;
            auto bytes = edgeai::core::parse_byte_size(text);
            if (!bytes.ok())
                print_error(std::string(flag) + " takes a size such as 512M or 2G, not '" + text +
                            "'");
            if (bytes.ok()) *out = *bytes;
            return bytes.ok();
        };
        if (!read_size(max_memory, "--max-memory", &local.max_memory_bytes) ||
            !read_size(memory_budget, "--memory-budget", &local.memory_budget_bytes))
            return kExitUsage;
        local.models_dir =
            edgeai::cli::models_dir_of(settings.models.dir, effective_data_dir(settings));
        local.load_progress = edgeai::cli::load_progress_bar;
        // -m NAME: a file, a model in models.dir, or hf:ORG/REPO:QUANT pulled first.
        const edgeai::core::Status resolved = edgeai::cli::resolve_model_arguments(
            local.model_paths, local.aliases,
            edgeai::cli::models_dir_of(settings.models.dir, effective_data_dir(settings)),
            [&](const std::string& note) { logger.info(note); });
        if (!resolved.ok()) {
            logger.error("cannot find the model", {{"error", resolved.message()}});
            return kExitUsage;
        }
        const native::ServeShell shell =
            mcp->parsed() ? native::ServeShell::kMcpStdio : native::ServeShell::kHttp;
        if (shell == native::ServeShell::kHttp)
            edgeai::cli::choose_demo_model(
                settings,
                edgeai::cli::models_dir_of(settings.models.dir, effective_data_dir(settings)),
                local, logger);
        int code = native::run_serve(settings, effective_data_dir(settings), logger, kVersion,
                                     local, insecure_no_auth, shell);
        return code == 0 ? kExitOk : kExitRuntime;
    }
    return kExitUsage;
}
