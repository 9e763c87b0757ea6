// `run` and `bench`: text from a local model, and its speed. Shared by the
// native edgeai and edgeai.wasm (the platform comes in through engine_host.h),
// so both generate the same text the same way.
#pragma once

#include "cli/args.h"
#include "engine/model/kv_cache.h"
#include "engine/model/loaded_model.h"
#include "engine_flags.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace edgeai::cli {

// Tokens per forward pass for run, eval and the memory `model info` reports.
inline constexpr uint32_t kRunBatch = 256;

struct RunCommands {
    Command* run = nullptr;
    Command* bench = nullptr;
};

void add_run_commands(Command& app, EngineFlags& f, RunCommands& commands);
// The exit code of run or bench when one was parsed, else nullopt.
std::optional<int> run_run_command(RunCommands& commands, EngineFlags& f);

// Shared with the other engine commands.
double seconds_since(std::chrono::steady_clock::time_point start);
int thread_count(const EngineFlags& f);
// The --kv-type a model can use, or null after saying why not.
std::optional<engine::model::KvType> kv_type_of(const std::string& name,
                                                const engine::model::ModelConfig& config);
uint32_t context_size(const EngineFlags& f, const engine::model::ModelConfig& c);
// Loads a model, with a progress bar on a terminal; null after saying why not.
std::unique_ptr<engine::model::LoadedModel> load_model(const std::string& path, bool pack = true);

} // namespace edgeai::cli
