// What each architecture adds to the common hyperparameters: its RoPE layout,
// norms, activation, multipliers, sliding windows and layers without RoPE, read
// from the GGUF keys llama.cpp's converter writes (and defaulted as llama.cpp
// defaults them, so both engines run a file the same way).
#pragma once

#include "core/status.h"
#include "engine/gguf/gguf_file.h"
#include "engine/model/model_config.h"

#include <optional>
#include <string_view>

namespace edgeai::engine::model {

// The architecture named by general.architecture, or nothing.
std::optional<Architecture> find_architecture(std::string_view name);
// "llama, qwen2, ..." for error messages.
std::string_view supported_architectures();

// Fills the architecture's switches into `c`, whose common fields (sizes,
// heads, RoPE) are already read and checked.
core::Status read_architecture(const gguf::GgufFile& file, ModelConfig& c);

} // namespace edgeai::engine::model
