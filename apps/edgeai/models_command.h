// `edgeai pull|ls|rm`: models in models.dir (default <data dir>/models),
// fetched from the Hugging Face hub by pull; and the `-m` resolution serve
// uses: a file, a name found in models.dir, or `hf:ORG/REPO:QUANT` pulled first.
#pragma once

#include "cli/args.h"
#include "core/status.h"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace edgeai::cli {

struct ModelsFlags {
    Command* pull = nullptr;
    Command* ls = nullptr;
    Command* rm = nullptr;
    std::string name;               // pull
    std::vector<std::string> names; // rm
};

void add_models_commands(Command& app, ModelsFlags& flags,
                         const std::function<void(Command*)>& add_common);

// The exit code of the command parsed (pull, ls or rm).
int run_models_command(const ModelsFlags& flags, const std::string& models_dir);

// models.dir as configured, else <data_dir>/models.
std::string models_dir_of(const std::string& configured, const std::string& data_dir);

// Whether a `-m` value names a file rather than a model: an absolute or
// ./ path, or a name ending in .gguf. One that is missing is "no such file",
// never a model name to look up on the hub.
bool names_a_model_file(std::string_view value);

// Turns each `-m` value into a file: an existing path stays; a name found in
// models.dir becomes its file (and, without an --alias, the model's id is the
// name as given); an `hf:` name not there yet is pulled first, telling `say`
// how it goes (and drawing a progress bar when stderr is a terminal).
core::Status resolve_model_arguments(std::vector<std::string>& paths,
                                     std::vector<std::string>& aliases,
                                     const std::string& models_dir,
                                     const std::function<void(const std::string&)>& say);

} // namespace edgeai::cli
