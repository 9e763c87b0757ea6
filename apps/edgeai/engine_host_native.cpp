// The native platform under run and bench: mapped model files, a thread pool.
#include "engine_host.h"

#include "platform/native/engine/chat_template_flag.h"
#include "platform/native/engine/local_model.h"
#include "platform/native/engine/worker_threads.h"

namespace edgeai::cli::host {

core::Result<std::unique_ptr<engine::model::LoadedModel>>
load_model_file(const std::string& path, const engine::model::LoadedModel::LoadOptions& options) {
    return platform::native::load_local_model(path, options);
}

std::unique_ptr<engine::WorkerPool> make_pool(int threads) {
    return std::make_unique<platform::native::WorkerThreads>(threads);
}

int default_threads() {
    return platform::native::WorkerThreads::default_threads();
}

core::Result<engine::chat::ChatTemplateChoice> read_chat_template_flag(const std::string& flag) {
    return platform::native::read_chat_template_flag(flag);
}

} // namespace edgeai::cli::host
