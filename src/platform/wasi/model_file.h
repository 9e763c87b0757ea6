// Models on WASI: read whole into memory from a preopened directory (WASI
// preview1 has no mmap; the module's memory holds the weights once, as the
// engine packs them in place of the file's bytes where it can).
#pragma once

#include "core/result.h"
#include "engine/model/loaded_model.h"

#include <memory>
#include <string>

namespace edgeai::platform::wasi {

// Errors name the file and, for a path outside every preopened directory,
// say how to give the runtime access to it.
core::Result<std::unique_ptr<engine::model::LoadedModel>>
load_local_model(const std::string& path, const engine::model::LoadedModel::LoadOptions& options);

// A small text file (a Jinja chat template).
core::Result<std::string> read_text_file(const std::string& path);

} // namespace edgeai::platform::wasi
