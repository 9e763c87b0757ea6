#include "msgpack_command.h"

#include "cli_output.h"
#include "codec/msgpack/msgpack_json.h"

#include <cstdio>
#include <string>

namespace edgeai::cli {
namespace {

std::string read_stdin() {
    std::string in;
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0)
        in.append(buf, n);
    return in;
}

} // namespace

Command* add_msgpack_command(Command& app, MsgpackFlags& flags,
                             const std::function<void(Command*)>& add_common) {
    Command* cmd = app.add_subcommand("msgpack", "Convert between MessagePack and JSON");
    cmd->require_subcommand();
    flags.decode = cmd->add_subcommand(
        "decode", "MessagePack on stdin as JSON on stdout (bin, ext and other non-JSON values as "
                  "tagged objects such as {\"$bin\": base64})");
    flags.decode->add_flag("--strict", flags.strict,
                           "Refuse what JSON cannot hold, as the API does");
    flags.encode = cmd->add_subcommand("encode", "JSON on stdin as MessagePack on stdout");
    add_common(flags.decode);
    add_common(flags.encode);
    return cmd;
}

int run_msgpack_command(const MsgpackFlags& flags) {
    const std::string in = read_stdin();
    core::Result<std::string> out = core::invalid_argument("no subcommand");
    if (flags.decode->parsed()) {
        codec::MsgpackToJsonOptions options;
        options.tag_other_types = !flags.strict;
        out = codec::msgpack_to_json(in, options);
        if (out.ok()) *out += '\n';
    } else {
        out = codec::json_to_msgpack(in);
    }
    if (!out.ok()) {
        print_error(out.status().message());
        return kExitRuntime;
    }
    std::fwrite(out->data(), 1, out->size(), stdout);
    return kExitOk;
}

} // namespace edgeai::cli
