// A GGUF model loaded for local inference natively: the engine's LoadedModel
// over a read-only mapping of the file (pages come in as the forward pass
// first touches them, and those copied into packed weights go back).
#pragma once

#include "core/result.h"
#include "engine/model/loaded_model.h"

#include <memory>
#include <string>

namespace edgeai::platform::native {

using LocalModel = engine::model::LoadedModel;
using engine::model::model_id_from_path;

// Maps `path` and loads the model over it; errors name the file.
core::Result<std::unique_ptr<LocalModel>> load_local_model(const std::string& path,
                                                           const LocalModel::LoadOptions& options);
inline core::Result<std::unique_ptr<LocalModel>> load_local_model(const std::string& path) {
    return load_local_model(path, LocalModel::LoadOptions{});
}

} // namespace edgeai::platform::native
