// `edgeai msgpack decode|encode`: MessagePack and JSON on stdin/stdout, through
// the gateway's own codec, for people writing a device's client (what does
// this frame body say? what bytes should this request be?).
#pragma once

#include "cli/args.h"

#include <functional>

namespace edgeai::cli {

struct MsgpackFlags {
    Command* decode = nullptr;
    Command* encode = nullptr;
    bool strict = false;
};

// `add_common` adds --config/--data-dir/... to each subcommand (unused here,
// accepted as on every subcommand).
Command* add_msgpack_command(Command& app, MsgpackFlags& flags,
                             const std::function<void(Command*)>& add_common);

// Exit codes: 0 converted, 1 the input is not what the subcommand reads.
int run_msgpack_command(const MsgpackFlags& flags);

} // namespace edgeai::cli
