// What run and bench need from the platform they run on: model files,
// threads, and --chat-template files. engine_host_native.cpp natively,
// apps/edgeai-wasm/engine_host_wasi.cpp in edgeai.wasm (one thread, models
// read from a preopened directory), so the commands themselves are one code.
#pragma once

#include "core/result.h"
#include "engine/chat/model_chat_format.h"
#include "engine/model/loaded_model.h"
#include "engine/runtime/worker_pool.h"

#include <memory>
#include <string>

namespace edgeai::cli::host {

core::Result<std::unique_ptr<engine::model::LoadedModel>>
load_model_file(const std::string& path, const engine::model::LoadedModel::LoadOptions& options);
// `threads` workers (the caller is one of them).
std::unique_ptr<engine::WorkerPool> make_pool(int threads);
// The threads to use when the user gives none.
int default_threads();
// --chat-template NAME|FILE: a family name, else a Jinja file.
core::Result<engine::chat::ChatTemplateChoice> read_chat_template_flag(const std::string& flag);

} // namespace edgeai::cli::host
