// The local-engine subcommands: run, bench, and model info|eval|quantize|
// convert-llama2c|synth. Registered on the command line by add_engine_commands(); after
// parsing, run_engine_command() runs whichever was chosen.
#pragma once

#include "cli/args.h"
#include "engine_flags.h"

#include <optional>
#include <string>

namespace edgeai::cli {

struct EngineCommands {
    Command* model = nullptr; // `edgeai model`, where other files add subcommands
    Command* run = nullptr;
    Command* bench = nullptr;
    Command* info = nullptr;
    Command* eval = nullptr;
    Command* quantize = nullptr;
    Command* convert = nullptr;
    Command* synth = nullptr;
    EngineFlags flags;
};

void add_engine_commands(Command& app, EngineCommands& commands);

// The exit code of the engine command that was parsed, or nullopt if none was.
std::optional<int> run_engine_command(EngineCommands& commands);

} // namespace edgeai::cli
