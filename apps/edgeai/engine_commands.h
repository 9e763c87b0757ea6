// The local-engine subcommands: run, bench, and model info|eval|quantize|
// convert-llama2c|synth. Registered on the command line by add_engine_commands(); after
// parsing, run_engine_command() runs whichever was chosen.
#pragma once

#include "cli/args.h"

#include <optional>
#include <string>

namespace edgeai::cli {

struct EngineFlags {
    std::string model;
    std::string prompt;
    int n_predict = 128;
    float temperature = 0.8f;
    int top_k = 40;
    float top_p = 0.95f;
    float min_p = 0.05f;
    float repeat_penalty = 1.0f;
    uint64_t seed = 0;
    bool seed_given = false;
    int threads = 0; // 0: every CPU this process may use
    int ctx_size = 0;
    std::string kv_type = "f16";
    bool chat = false;
    std::string chat_template;
    bool ignore_eos = false;
    // bench
    int bench_prompt = 128;
    int bench_generate = 64;
    int bench_repetitions = 3;
    bool json = false;
    // model eval / quantize / convert
    std::string tokens;
    std::string logits_out;
    std::string in_file, out_file, type_name, tokenizer_file;
    bool pure = false;
    std::string synth_shape; // model synth (its seed is `seed`)
};

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
